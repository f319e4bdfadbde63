"""Extending a scenario merges keyed lists by key; reports list the values actually solved."""

from __future__ import annotations

import json
import re

import pytest
import yaml
from click.testing import CliRunner
from openpyxl import load_workbook

from planner.cli import main
from planner.errors import ScenarioError
from planner.scenario import load_scenario
from planner.scenario.assumptions import resolved_assumptions

from .conftest import SCENARIOS

NATIONAL = SCENARIOS / "national-2014-2017.yaml"
HISTORICAL = {"41360", "26320", "44130", "47190", "44210", "11710"}


def _child(tmp_path, parent, **keys):
    p = tmp_path / "child.yaml"
    p.write_text(
        yaml.safe_dump({"extends": str(parent), "name": "child", **keys}, allow_unicode=True)
    )
    return p


def test_adding_a_forced_site_keeps_the_parents_sites(tmp_path):
    sc = load_scenario(
        _child(tmp_path, NATIONAL, sites={"forced": [{"code": "11110", "year": 2016}]})
    )
    codes = [f.code for f in sc.sites.forced]
    assert set(codes) == HISTORICAL | {"11110"} and len(codes) == 7
    assert sc.entry_sources["sites.forced"]["11110"] == "child.yaml"
    assert sc.entry_sources["sites.forced"]["41360"] == "national-2014-2017.yaml"


def test_an_entry_with_the_parents_key_replaces_it_and_drop_removes_it(tmp_path):
    sc = load_scenario(
        _child(
            tmp_path,
            NATIONAL,
            sites={"forced": [{"code": "41360", "year": 2015}, {"code": "26320", "drop": True}]},
            phases=[{"year": 2017, "target": 20}],
        )
    )
    forced = {f.code: f for f in sc.sites.forced}
    assert set(forced) == HISTORICAL - {"26320"}
    assert forced["41360"].year == 2015 and forced["41360"].kind is None  # replaced whole
    assert [(p.year, p.target) for p in sc.phases] == [
        (2014, 10),
        (2015, 30),
        (2016, 30),
        (2017, 20),
    ]
    assert sc.entry_sources["phases"]["2017"] == "child.yaml"


def test_plain_code_lists_merge_and_drop(tmp_path):
    parent = _child(tmp_path, NATIONAL, sites={"forbidden": ["11110", "11140"]})
    parent = parent.rename(tmp_path / "parent.yaml")
    sc = load_scenario(_child(tmp_path, parent, sites={"forbidden": ["11170", {"drop": "11110"}]}))
    assert sc.sites.forbidden == ["11140", "11170"]
    assert sc.entry_sources["sites.forbidden"] == {"11140": "parent.yaml", "11170": "child.yaml"}


def test_drop_removes_a_mapping_key_of_the_base(tmp_path):
    sc = load_scenario(_child(tmp_path, NATIONAL, kinds={"new_build": {"drop": True}}))
    assert set(sc.kinds) == {"conversion", "regional"}
    with pytest.raises(ScenarioError, match="no base file sets 'nothing'"):
        load_scenario(_child(tmp_path, NATIONAL, kinds={"nothing": {"drop": True}}))


@pytest.mark.parametrize(
    ("keys", "expect"),
    [
        ({"sites": {"forced": [{"code": "11110", "drop": True}]}}, "no base file has that entry"),
        ({"phases": [{"year": 2030, "drop": True}]}, "no base file has that entry"),
        ({"phases": [{"year": 2017, "target": 1}, {"year": 2017, "target": 2}]}, "listed twice"),
    ],
)
def test_bad_drops_and_duplicates_name_the_entry(tmp_path, keys, expect):
    with pytest.raises(ScenarioError, match=expect):
        load_scenario(_child(tmp_path, NATIONAL, **keys))


def test_check_prints_effective_lists_with_their_files(tmp_path):
    path = _child(tmp_path, NATIONAL, sites={"forced": [{"code": "11110", "year": 2016}]})
    res = CliRunner().invoke(main, ["check", str(path)])
    assert res.exit_code == 0, res.output
    assert "11110: child.yaml" in res.output and "41360: national-2014-2017.yaml" in res.output


def test_assumptions_are_the_scenarios_own_values(tmp_path):
    toy = SCENARIOS / "toy.yaml"
    path = _child(
        tmp_path,
        toy,
        pools={"welfare_team": {2015: 6, 2016: 4}, "employment_center": {2015: 10, 2016: 10}},
        kinds={"conversion": {"cost_mkrw": 777}},
    )
    rows = {r["key"]: r["value"] for r in resolved_assumptions(load_scenario(path))}
    assert rows["pools.welfare_team"] == "2015: 6, 2016: 4"
    assert rows["kinds.conversion.cost_mkrw"] == "777 million KRW"
    out = tmp_path / "run"
    res = CliRunner().invoke(main, ["run", str(path), "--out", str(out)])
    assert res.exit_code == 0, res.output
    doc = json.loads((out / "solution.json").read_text())
    assert any("2015: 6, 2016: 4" in a for a in doc["assumptions"])
    sheet = load_workbook(out / "plan.xlsx")["가정·추정 Assumptions"]
    cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert "2015: 6, 2016: 4" in cells and "777 million KRW" in cells
    assert "2015: 6, 2016: 4" in (out / "report.html").read_text(encoding="utf-8")


def test_shipped_notes_carry_no_number_the_scenario_sets():
    """Free-text notes hold no cost, staff or pool figure (years and seed tables only)."""
    shipped = (
        "national-2014-2017",
        "forward-2026-2030",
        "toy",
        "national-emd-2014-2017",
        "fourtype-2014-02",
        "history-replan-2016-2017",
    )
    for name in shipped:
        for note in load_scenario(SCENARIOS / f"{name}.yaml").assumptions:
            rest = re.sub(r"\b(19|20)\d\d\b|table \d+", "", note)
            assert not re.search(r"\d", rest), (name, note)
