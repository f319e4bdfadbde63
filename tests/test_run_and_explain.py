"""planner run end to end, determinism, and infeasibility explained by rule name."""

from __future__ import annotations

import json

import pandas as pd
import yaml
from click.testing import CliRunner

from planner.cli import main
from planner.model.explain import explain_infeasibility
from planner.model.plan_model import PlanModel
from planner.report import browser
from planner.report.outputs import OUTPUT_FILES, PDF
from planner.runfolder import MARKER, RUN_FILES
from planner.solution import solve

from .conftest import SCENARIOS
from .test_rules import rules_instance
from .test_scenario_validation import _toy_doc

# report.pdf is printed by headless Chromium when it is installed (CI installs it)
ALL_FILES = sorted(RUN_FILES + OUTPUT_FILES + (MARKER,) + ((PDF,) if browser.available() else ()))


def test_run_writes_a_complete_folder(tmp_path):
    out = tmp_path / "toy"
    res = CliRunner().invoke(main, ["run", str(SCENARIOS / "toy.yaml"), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "status optimal" in res.output
    assert sorted(p.name for p in out.iterdir()) == ALL_FILES
    plan = pd.read_csv(out / "plan.csv", dtype={"code": str})
    assert len(plan) == 2 and set(plan.columns) >= {
        "code",
        "name_ko",
        "name_en",
        "sido",
        "phase_opened",
        "kind",
        "format",
        "tenants",
        "mean_travel_min",
    }
    facts = json.loads((out / "solution.json").read_text())["facts"]
    assert facts["proven_optimal"] and facts["violations"] == []
    # no stray temporary folders beside it
    assert [p.name for p in tmp_path.iterdir()] == ["toy"]
    again = CliRunner().invoke(main, ["run", str(SCENARIOS / "toy.yaml"), "--out", str(out)])
    assert again.exit_code == 2 and "exists" in again.output


def test_same_scenario_and_seed_give_the_same_plan(tmp_path):
    for backend in ("cbc", "cpsat"):
        outs = []
        for k in range(2):
            out = tmp_path / f"{backend}{k}"
            res = CliRunner().invoke(
                main,
                [
                    "run",
                    str(SCENARIOS / "toy.yaml"),
                    "--out",
                    str(out),
                    "--backend",
                    backend,
                    "--seed",
                    "3",
                ],
            )
            assert res.exit_code == 0, res.output
            outs.append(out)
        for name in ("plan.csv", "assignment.csv", "kpis.csv"):
            assert (outs[0] / name).read_text() == (outs[1] / name).read_text()


def test_too_small_welfare_pool_is_reported_with_numbers(tmp_path):
    doc = _toy_doc()
    doc["pools"]["welfare_team"][2016] = 1
    path = tmp_path / "small.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True))
    res = CliRunner().invoke(main, ["run", str(path), "--out", str(tmp_path / "r")])
    assert res.exit_code == 1
    assert (
        "agency-staff_pool: 2016 needs 1 new centers x 2 welfare_team staff = 2; pool is 1"
        in res.output
    )
    assert not (tmp_path / "r").exists()
    assert "Traceback" not in res.output


def test_solver_infeasibility_names_the_conflicting_rules():
    # pre-solve checks cannot see this one: the forced site S2 has no Employment Center and
    # new builds are not allowed before 2016
    inst = rules_instance(
        kinds={"new_build": {"earliest_year": 2016}},
        sites={"forced": [{"code": "S2", "year": 2015}]},
    )
    m = PlanModel(inst)
    sol = solve(m)
    assert sol.status == "infeasible"
    conflicts = explain_infeasibility(m.build().lm)
    names = {c.rule for c in conflicts}
    assert {"site-forced", "site-earliest_year", "site-kind_eligibility"} <= names
    text = [c.describe() for c in conflicts]
    assert any("site-forced [S2@2015]" in t for t in text)


def test_cli_run_explains_solver_infeasibility(tmp_path):
    doc = _toy_doc()
    doc["kinds"]["new_build"]["earliest_year"] = 2016
    doc["sites"] = {"forced": [{"code": "30110", "year": 2015}]}  # 대전 동구: no EC
    path = tmp_path / "forced.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True))
    res = CliRunner().invoke(main, ["run", str(path), "--out", str(tmp_path / "r")])
    assert res.exit_code == 1, res.output
    assert "site-forced" in res.output and "site-earliest_year" in res.output


def test_status_is_honest_about_proof():
    """A plan stopped by a time limit is 'feasible' with its gap, never 'optimal'."""
    from dataclasses import replace

    from planner.model import dispatch
    from planner.scenario.schema import Solver
    from planner.solution import decode_solution

    m = PlanModel(rules_instance())
    built = m.build()
    raw = dispatch.solve(built.lm, Solver(backend="cbc"))
    assert raw.status == "OPTIMAL"
    proven = decode_solution(m, built, raw)
    assert proven.optimal and proven.gap == 0
    stopped = decode_solution(m, built, replace(raw, status="FEASIBLE", bound=raw.objective + 5000))
    assert stopped.status == "feasible" and not stopped.optimal
    assert stopped.gap > 0 and stopped.facts()["proven_optimal"] is False
    loose = decode_solution(m, built, replace(raw, bound=raw.objective + 5000))
    assert loose.status == "feasible"  # a solver's "optimal" within a tolerance is not proof
    none = decode_solution(
        m, built, replace(raw, status="UNKNOWN", values=None, objective=None, bound=None)
    )
    assert none.status == "unknown" and not none.has_plan and none.plan.empty


def test_ctrl_c_keeps_the_best_plan(tmp_path):
    """SIGINT during a long CP-SAT solve: the run ends cleanly with the best plan so far."""
    import os
    import signal
    import subprocess
    import sys
    import time

    out = tmp_path / "int"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "planner.cli",
            "run",
            str(SCENARIOS / "national-2014-2017.yaml"),
            "--backend",
            "cpsat",
            "--time-limit",
            "300",
            "--out",
            str(out),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.time() + 120
    seen = []
    for line in proc.stderr:
        seen.append(line)
        if "incumbent" in line or time.time() > deadline:
            break
    assert any("incumbent" in s for s in seen), "".join(seen)
    os.kill(proc.pid, signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 4, stderr  # interrupted, best plan written
    assert "status interrupted" in stdout and "not proven optimal" in stdout
    facts = json.loads((out / "solution.json").read_text())["facts"]
    assert facts["interrupted"] is True and facts["status"] == "interrupted"
    assert facts["violations"] == []
    assert sorted(p.name for p in out.iterdir()) == ALL_FILES
