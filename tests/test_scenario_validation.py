"""Each class of bad scenario input gets a message naming file, key path, value and options."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml

from planner.data.districts import cached_districts
from planner.errors import ScenarioError
from planner.instance import build_instance
from planner.scenario import load_scenario, scenario_from_dict
from planner.scenario.load import deep_merge

from .conftest import SCENARIOS


def _toy_doc() -> dict:
    base = yaml.safe_load((SCENARIOS / "base.yaml").read_text())
    toy = yaml.safe_load((SCENARIOS / "toy.yaml").read_text())
    toy.pop("extends")
    return deep_merge(base, toy)


def _write(tmp_path: Path, doc: dict | str, name: str = "s.yaml") -> Path:
    p = tmp_path / name
    p.write_text(doc if isinstance(doc, str) else yaml.safe_dump(doc, allow_unicode=True))
    return p


def _problems(tmp_path, doc) -> str:
    """The problems found loading the file and resolving it on its data (the instance)."""
    path = _write(tmp_path, doc)
    with pytest.raises(ScenarioError) as exc:
        sc = load_scenario(path)
        build_instance(sc, cached_districts(sc.vintage))
    msg = str(exc.value)
    assert str(path) in msg  # every message names the file
    return msg


@pytest.mark.parametrize("name", ["national-2014-2017", "forward-2026-2030", "toy"])
def test_shipped_scenarios_load(name):
    sc = load_scenario(SCENARIOS / f"{name}.yaml")
    assert sc.name == name
    assert Path(sc.source_files[0]).name == "base.yaml"


def test_national_targets_are_per_phase_10_30_30_30():
    sc = load_scenario(SCENARIOS / "national-2014-2017.yaml")
    assert sc.targets == "per_phase"
    assert sc.new_per_phase() == {2014: 10, 2015: 30, 2016: 30, 2017: 30}
    assert sc.cumulative_targets()[2017] == 100


def test_extends_merges_mappings_and_replaces_lists(tmp_path):
    sc = load_scenario(SCENARIOS / "forward-2026-2030.yaml")
    assert sc.kinds["new_build"].earliest_year == 2026  # override
    assert sc.kinds["new_build"].cost_mkrw == 2500  # inherited from base
    assert sc.kinds["conversion"].requires_employment_center


def test_unknown_key_with_suggestion(tmp_path):
    doc = _toy_doc()
    doc["travel"]["cutof_min"] = 30
    msg = _problems(tmp_path, doc)
    assert "travel.cutof_min: unknown key 'cutof_min'" in msg
    assert "Did you mean 'cutoff_min'?" in msg
    assert "allowed:" in msg


def test_unknown_top_level_key(tmp_path):
    doc = _toy_doc()
    doc["phase"] = []
    msg = _problems(tmp_path, doc)
    assert "unknown key 'phase'" in msg and "Did you mean 'phases'?" in msg


def test_wrong_type_names_path_and_value(tmp_path):
    doc = _toy_doc()
    doc["phases"][1]["target"] = "thirty"
    msg = _problems(tmp_path, doc)
    assert "phases[1].target" in msg and "'thirty'" in msg and "integer" in msg


def test_bad_choice_lists_allowed_values(tmp_path):
    doc = _toy_doc()
    doc["objective"]["mode"] = "max_serve"
    msg = _problems(tmp_path, doc)
    assert "objective.mode" in msg and "'max_serve'" in msg
    assert "max_served" in msg and "min_travel" in msg and "Did you mean 'max_served'?" in msg


def test_bad_vintage(tmp_path):
    doc = _toy_doc()
    doc["vintage"] = 2020
    msg = _problems(tmp_path, doc)
    assert "vintage" in msg and "2015" in msg and "2025" in msg


def test_unknown_district_code(tmp_path):
    doc = _toy_doc()
    doc["sites"] = {"forbidden": ["30170", "30171"]}
    msg = _problems(tmp_path, doc)
    assert "sites.forbidden[1]: unknown district code '30171'" in msg
    assert "sites.forbidden[0]" not in msg


def test_code_of_other_vintage_is_unknown(tmp_path):
    doc = _toy_doc()
    doc["sites"] = {"forced": [{"code": "51110"}]}  # 춘천's current code; 2015 was 42110
    msg = _problems(tmp_path, doc)
    assert "sites.forced[0].code: unknown district code '51110' for vintage 2015" in msg


def test_unknown_agency_id(tmp_path):
    doc = _toy_doc()
    doc["pools"]["welfare_tem"] = {2015: 1}
    msg = _problems(tmp_path, doc)
    assert "pools.welfare_tem: unknown agency id 'welfare_tem'" in msg
    assert "Did you mean 'welfare_team'?" in msg


def test_unknown_agency_in_kind_staff_and_segment(tmp_path):
    doc = _toy_doc()
    doc["kinds"]["new_build"]["staff"] = {"employment": 3}
    doc["segments"]["woman"] = {"weight": 1}
    msg = _problems(tmp_path, doc)
    assert "kinds.new_build.staff.employment: unknown agency id" in msg
    assert "segments.woman: unknown segment id 'woman'" in msg and "'women'" in msg


def test_unknown_rule_name(tmp_path):
    """Rule names are the registry's: checked where the model is made (and by planner check)."""
    import planner as pl

    doc = _toy_doc()
    doc["rules"] = {"phase-targets": {"active": False}}
    path = _write(tmp_path, doc)
    with pytest.raises(ScenarioError) as exc:
        pl.build_model(load_scenario(path))
    msg = str(exc.value)
    assert str(path) in msg
    assert "rules.phase-targets: unknown rule" in msg and "Did you mean 'phase-target'?" in msg


def test_internal_references(tmp_path):
    doc = _toy_doc()
    doc["pools"]["welfare_team"][2019] = 3
    doc["sites"] = {
        "forced": [{"code": "30170", "kind": "convert", "year": 2014}],
        "forbidden": ["30170"],
    }
    msg = _problems(tmp_path, doc)
    assert "pools.welfare_team: years [2019] are not phase years [2015, 2016]" in msg
    assert "sites.forced[0].kind: unknown kind 'convert'" in msg
    assert "sites.forced[0].year: 2014 is not a phase year" in msg
    assert "both forced and forbidden" in msg


def test_phase_years_must_increase(tmp_path):
    doc = _toy_doc()
    doc["phases"] = [{"year": 2016, "target": 1}, {"year": 2015, "target": 1}]
    assert "phase years must strictly increase" in _problems(tmp_path, doc)


def test_missing_required_key(tmp_path):
    doc = _toy_doc()
    del doc["targets"]
    assert "targets: required key is missing" in _problems(tmp_path, doc)


def test_yaml_syntax_error_has_line(tmp_path):
    msg = _problems(tmp_path, "name: x\nphases: [\n  {year: 2015\n")
    assert "YAML syntax error" in msg and "line" in msg


@pytest.mark.parametrize(
    "text,expect", [("", "empty"), ("- a\n- b\n", "mapping"), ("42\n", "mapping")]
)
def test_not_a_mapping(tmp_path, text, expect):
    assert expect in _problems(tmp_path, text)


def test_missing_file_and_extends_problems(tmp_path):
    with pytest.raises(ScenarioError, match="file not found"):
        load_scenario(tmp_path / "nope.yaml")
    _write(tmp_path, "extends: b.yaml\nname: a\n", "a.yaml")
    _write(tmp_path, "extends: a.yaml\n", "b.yaml")
    with pytest.raises(ScenarioError, match=r"cycle a.yaml -> b.yaml -> a.yaml"):
        load_scenario(tmp_path / "a.yaml")
    _write(tmp_path, "extends: {x: 1}\nname: a\n", "c.yaml")
    with pytest.raises(ScenarioError, match="extends: must be a file name"):
        load_scenario(tmp_path / "c.yaml")


def test_od_matrix_path_resolves_relative_to_file(tmp_path):
    doc = _toy_doc()
    doc["travel"]["od_matrix"] = "od.csv"
    msg = _problems(tmp_path, doc)
    assert "travel.od_matrix: file" in msg and "not found" in msg


def test_scenario_from_dict_in_python():
    doc = _toy_doc()
    sc = scenario_from_dict(doc)
    doc["pools"] = {"welfare_team": {2015: 4}}
    changed = scenario_from_dict(deep_merge(doc, {"phases": [{"year": 2015, "target": 2}]}))
    assert sc.cumulative_targets() == {2015: 1, 2016: 2}
    assert changed.cumulative_targets() == {2015: 2}


def test_multiple_problems_reported_together(tmp_path):
    doc = _toy_doc()
    doc["travel"]["speed"] = 30
    doc["solver"]["workers"] = 0
    msg = _problems(tmp_path, doc)
    assert "2 problem(s)" in msg
    assert "travel.speed" in msg and "solver.workers" in msg


def test_error_text_is_readable():
    with pytest.raises(ScenarioError) as exc:
        scenario_from_dict({"name": "x"}, "inline")
    text = str(exc.value)
    assert text.startswith("inline: invalid scenario")
    assert textwrap.dedent(text) == text
