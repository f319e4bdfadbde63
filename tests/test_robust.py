"""`planner robust` on the toy: every plan evaluated under every demand scenario, and the
regret table's invariants (regret >= 0, 0 on a plan's own scenario, the min-max-regret plan's
largest regret no larger than any other plan's, the expected plan best on average)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from planner.robust import run_robust

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "toy-uncertain.yaml"
TOL = 1e-6


@pytest.fixture(scope="module")
def robust_run(tmp_path_factory):
    where = tmp_path_factory.mktemp("robust")
    scenario = where / "toy-uncertain.yaml"
    text = FIXTURE.read_text(encoding="utf-8")
    scenario.write_text(text.replace("../../scenarios/", f"{ROOT / 'scenarios'}/"), "utf-8")
    return run_robust(scenario, where / "out", workers=2)


def test_regret_table_invariants(robust_run):
    reg, plans = robust_run.regret, robust_run.plans
    assert list(plans.plan) == [
        "best-welfare_up",
        "best-women_up",
        "expected",
        "min-regret",
    ]
    assert len(reg) == 4 * 2 and (reg.status == "optimal").all()
    assert (reg.regret >= -TOL * reg.best_known).all()
    own = reg[reg.plan == "best-" + reg.demand_scenario]
    assert (own.regret.abs() <= TOL * own.best_known).all()  # 0 on its own scenario
    # the frozen evaluation of a scenario's best plan reproduces that scenario's optimum
    assert (abs(own.objective - own.own_optimum) <= TOL * own.best_known).all()
    assert reg.regret.max() > 0  # the two best plans really differ
    by = plans.set_index("plan")
    assert (by.loc["min-regret", "max_regret"] <= by.max_regret + TOL * reg.best_known.max()).all()
    assert (by.loc["expected", "expected_objective"] >= by.expected_objective - 1e-3).all()
    assert robust_run.best_proven == {"welfare_up": True, "women_up": True}


def test_files_written(robust_run):
    out = robust_run.out
    reg = pd.read_csv(out / "regret.csv")
    assert set(reg.columns) >= {"plan", "demand_scenario", "objective", "regret", "regret_pct"}
    assert (out / "plans.csv").exists() and (out / ".planner-run").exists()
    for p in ("best-welfare_up", "best-women_up", "expected", "min-regret"):
        assert (out / "plans" / p / "plan.csv").exists()
    notes = (out / "plans" / "expected" / "solution.json").read_text(encoding="utf-8")
    assert "probability-weighted mean of the demand scenarios" in notes


def test_cli_refuses_a_scenario_without_demand_scenarios(tmp_path):
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "planner.cli",
            "robust",
            str(ROOT / "scenarios" / "toy.yaml"),
            "--out",
            str(tmp_path / "o"),
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2, proc.stderr
    assert "demand_scenarios: 0 given; planner robust needs at least two" in proc.stderr
    assert "Traceback" not in proc.stderr and not (tmp_path / "o").exists()
