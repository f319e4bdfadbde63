"""Replan from a run folder (sites.frozen, rule site-frozen, `planner replan`).

The frozen phases must come back exactly as the run planned them, the replan must equal the
same scenario with those centers forced (kind, format and tenants), and the run folder read
must stay untouched."""

from __future__ import annotations

import hashlib
import json

import pandas as pd
import pytest
from click.testing import CliRunner

from planner.cli import main
from planner.data.districts import load_districts
from planner.errors import ScenarioError
from planner.instance import build_instance
from planner.model.plan_model import PlanModel
from planner.replan import replan_scenario
from planner.scenario import load_scenario
from planner.solution import solve

from .conftest import SCENARIOS


def _frozen_rows(plan: pd.DataFrame, through: int) -> dict[str, tuple]:
    """code -> (year, kind, format, tenants joined by ``through``) of a plan table."""
    out = {}
    for r in plan.itertuples():
        if int(r.phase_opened) > through:
            continue
        tenants = sorted(t for t in str(r.tenants).split(";") if int(t.split("@")[1]) <= through)
        out[str(r.code)] = (int(r.phase_opened), r.kind, r.format, tenants)
    return out


def _solve(sc):
    return solve(PlanModel(build_instance(sc, load_districts(sc.vintage))))


# the replan changes the last phase: two more centers in 2016 instead of one, with the pools
# for them (the toy's pools fund one center a phase)
CHANGES = {
    "phases": [{"year": 2015, "target": 1}, {"year": 2016, "target": 2}],
    "pools": {"welfare_team": {2016: 4}, "employment_center": {2016: 20}},
}


def test_replan_keeps_every_frozen_decision_and_equals_forcing_them(toy_run):
    before = pd.read_csv(toy_run / "plan.csv", dtype={"code": str})
    frozen = _frozen_rows(before, 2015)
    assert frozen  # the toy opens one center in 2015
    sol = _solve(replan_scenario(toy_run, 2015, CHANGES))
    assert sol.status == "optimal" and not sol.violations
    assert _frozen_rows(sol.plan.astype({"code": str}), 2015) == frozen
    assert len(sol.plan) == 3  # 1 frozen + 2 new in 2016
    # the same scenario with the frozen centers forced (kind, format, tenants of 2015)
    base = load_scenario(SCENARIOS / "toy.yaml")
    doc = base.model_dump(mode="python", exclude={"source_files", "entry_sources"})
    doc["phases"] = CHANGES["phases"]
    doc["pools"] = {a: {**p, **CHANGES["pools"].get(a, {})} for a, p in doc["pools"].items()}
    doc["sites"]["forced"] = [
        {"code": c, "year": y, "kind": k, "format": f, "tenants": [t.split("@")[0] for t in ts]}
        for c, (y, k, f, ts) in frozen.items()
    ]
    from planner.scenario import scenario_from_dict

    forced = _solve(scenario_from_dict(doc))
    assert forced.status == "optimal"
    assert sol.objective == pytest.approx(forced.objective, abs=1e-6)


def test_unchanged_replan_of_an_optimal_run_is_that_optimum(toy_run):
    facts = json.loads((toy_run / "solution.json").read_text())["facts"]
    sol = _solve(replan_scenario(toy_run, 2015))
    assert sol.status == "optimal"
    assert sol.objective == pytest.approx(facts["objective"], abs=1e-3)


def _digest(folder):
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file()
    }


def test_cli_replan_writes_a_new_folder_and_leaves_the_run_alone(toy_run, tmp_path):
    changes = tmp_path / "changes.yaml"
    changes.write_text(
        "phases:\n  - {year: 2015, target: 1}\n  - {year: 2016, target: 2}\n"
        "pools:\n  welfare_team: {2016: 4}\n  employment_center: {2016: 20}\n"
    )
    seen = _digest(toy_run)
    out = tmp_path / "re"
    res = CliRunner().invoke(
        main,
        [
            "replan",
            str(toy_run),
            "--freeze-through",
            "2015",
            "--changes",
            str(changes),
            "--out",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    assert (out / "plan.csv").is_file() and "planner compare" in res.output
    assert len(pd.read_csv(out / "plan.csv")) == 3
    assert _digest(toy_run) == seen
    same = CliRunner().invoke(
        main, ["replan", str(toy_run), "--freeze-through", "2015", "--out", str(toy_run)]
    )
    assert same.exit_code == 2 and "replace the run it reads" in same.output
    assert _digest(toy_run) == seen


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--freeze-through", "2019"], "sites.frozen.through_year: 2019 is not a phase year"),
        (["--freeze-through", "2015", "--changes", "MISSING"], "file not found"),
    ],
)
def test_cli_replan_bad_input_exits_2(toy_run, tmp_path, args, expected):
    args = [str(tmp_path / "nope.yaml") if a == "MISSING" else a for a in args]
    res = CliRunner().invoke(main, ["replan", str(toy_run), *args, "--out", str(tmp_path / "o")])
    assert res.exit_code == 2, res.output
    assert expected in res.output
    assert "Traceback" not in res.output


def test_bad_frozen_table_names_the_line_and_value(toy_run, tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    (run / "scenario.resolved.yaml").write_bytes((toy_run / "scenario.resolved.yaml").read_bytes())
    plan = pd.read_csv(toy_run / "plan.csv", dtype=str)
    plan.loc[0, "kind"] = "castle"
    plan.to_csv(run / "plan.csv", index=False)
    sc = replan_scenario(run, 2016)
    with pytest.raises(ScenarioError) as exc:
        build_instance(sc, load_districts(sc.vintage))
    msg = str(exc.value)
    assert "line 2" in msg and "castle" in msg and "conversion" in msg


def test_existing_centers_of_a_run_are_frozen_from_the_first_phase(toy_run, tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    (run / "scenario.resolved.yaml").write_bytes((toy_run / "scenario.resolved.yaml").read_bytes())
    plan = pd.read_csv(toy_run / "plan.csv", dtype=str)
    plan.loc[0, "phase_opened"] = "existing"  # how plan.csv shows a center open before 2015
    plan.to_csv(run / "plan.csv", index=False)
    sc = replan_scenario(run, 2015)
    inst = build_instance(sc, load_districts(sc.vintage))
    assert inst.frozen.centers[plan.loc[0, "code"]].year == 2015


def test_the_runs_whole_plan_is_the_start_plan_where_it_still_holds(toy_run):
    import json as _json

    from planner.replan import plan_start

    facts = _json.loads((toy_run / "solution.json").read_text(encoding="utf-8"))["facts"]
    same = replan_scenario(toy_run, 2015)
    start = plan_start(same, toy_run / "plan.csv")
    assert start is not None and start.objective == pytest.approx(facts["objective"])
    assert set(start.plan.code) == set(pd.read_csv(toy_run / "plan.csv", dtype=str).code)
    # two centers in 2016: the run's plan (one) breaks the new target, so there is no start
    assert plan_start(replan_scenario(toy_run, 2015, CHANGES), toy_run / "plan.csv") is None
