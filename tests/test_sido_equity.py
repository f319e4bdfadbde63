"""The two equity levers by hand and by enumeration: the 시도 coverage floor (R24) and the
max-min objective (O2), on a toy with two 시도.

시도 A holds S0, S1, S2 (20 minutes apart, cutoff 15: each center serves its own district);
시도 B holds S3, far away. Jobseekers: S0 120, S1 100, S2 80, S3 60; two centers.
- max served: S0 + S1, 220 served; B gets nothing (share 0).
- max-min: B needs S3 (else its share is 0); A's best single site is S0: shares A 120/300
  = 0.4, B 1; worst 0.4; 180 served.
- floor 0.3: the same plan as max-min (A needs 90 of 300: S0 or S1; B needs S3), 180.
- floor 0.5: A needs 150 (two of its sites) and B needs S3: three centers, infeasible.
"""

from __future__ import annotations

import itertools

import pytest

from planner.errors import PlannerError
from planner.model.plan_model import PlanModel
from planner.solution import solve

from .synth import line_matrix, make, scenario

DEMAND = [120, 100, 80, 60]
SIDO = ["A", "A", "A", "B"]


def toy(phases=None, cutoff=15, **over):
    sc = scenario(
        phases=phases or [{"year": 2015, "target": 2}],
        travel={"cutoff_min": cutoff, "decay": {"kind": "step"}},
        **over,
    )
    return make(sc, line_matrix([0, 20, 40, 200]), sido=SIDO, jobseekers=DEMAND)


def floor(share, soft=False, from_year=None, penalty=None):
    setting = {"params": {"min_share": share}}
    if from_year is not None:
        setting["params"]["from_year"] = from_year
    if soft:
        setting["soft"] = True
        setting["penalty"] = penalty
    return {"rules": {"region-coverage_floor": setting}}


def sites(sol) -> set[str]:
    return set(sol.plan.code)


def enumerate_pairs():
    """(served, worst share, sites) of every two-center plan (each serves its district)."""
    out = []
    for pair in itertools.combinations(range(4), 2):
        a = sum(DEMAND[i] for i in pair if SIDO[i] == "A") / 300
        b = sum(DEMAND[i] for i in pair if SIDO[i] == "B") / 60
        out.append((sum(DEMAND[i] for i in pair), min(a, b), {f"S{i}" for i in pair}))
    return out


def test_max_served_leaves_b_out():
    sol = solve(PlanModel(toy()))
    assert sol.optimal and sites(sol) == {"S0", "S1"}
    assert sol.objective == pytest.approx(220)
    assert sol.worst_sido() == {"sido": "B", "year": 2015, "served_share": 0.0}


def test_max_min_by_hand_and_by_enumeration():
    sol = solve(PlanModel(toy(objective={"equity": "max_min_sido"})))
    assert sol.optimal, sol.status
    assert sites(sol) == {"S0", "S3"}
    assert sol.objective == pytest.approx(180)
    worst = sol.worst_sido()
    assert worst["sido"] == "A" and worst["served_share"] == pytest.approx(0.4)
    # enumeration: the largest worst share, then the most served among those plans
    plans = enumerate_pairs()
    best_worst = max(w for _, w, _ in plans)
    served, _, best = max((p for p in plans if p[1] == best_worst), key=lambda p: p[0])
    assert (served, best_worst, best) == (180, pytest.approx(0.4), {"S0", "S3"})
    assert any("max-min: worst 시도 share 40.000000%" in line for line in sol.log)
    assert not sol.violations


def test_max_min_tie_break_is_total_served():
    # every plan leaves a 시도 at 0 with one center: z* = 0 and the tie-break picks S0
    sol = solve(
        PlanModel(toy(phases=[{"year": 2015, "target": 1}], objective={"equity": "max_min_sido"}))
    )
    assert sol.optimal and sites(sol) == {"S0"} and sol.objective == pytest.approx(120)


def test_floor_hard():
    sol = solve(PlanModel(toy(**floor(0.3))))
    assert sol.optimal and sites(sol) == {"S0", "S3"}
    assert sol.objective == pytest.approx(180)
    assert solve(PlanModel(toy(**floor(0.5)))).status == "infeasible"


def test_floor_soft_counts_persons_short():
    # floor 0.5 soft: S0+S1 leaves B 30 persons short (0.5 x 60); S0+S3 leaves A 30 short
    # (150 - 120): 220 - 30 p against 180 - 30 p, S0+S1 for every penalty p
    sol = solve(PlanModel(toy(**floor(0.5, soft=True, penalty=2.0))))
    assert sol.optimal and sites(sol) == {"S0", "S1"}
    assert sol.soft_penalty == pytest.approx(30 * 2.0, rel=1e-3)
    assert [v.rule for v in sol.violations] == ["region-coverage_floor"]
    assert sol.violations[0].soft


def test_floor_from_year():
    phases = [{"year": 2015, "target": 1}, {"year": 2016, "target": 1}]
    # last phase only (default): S0 in 2015, S3 in 2016: 120 + 180
    sol = solve(PlanModel(toy(phases=phases, **floor(0.3))))
    assert sol.optimal and sol.objective == pytest.approx(300)
    assert dict(zip(sol.plan.code, sol.plan.phase_opened, strict=True)) == {"S0": 2015, "S3": 2016}
    # from 2015: one center cannot serve 0.3 of both 시도
    assert solve(PlanModel(toy(phases=phases, **floor(0.3, from_year=2015)))).status == (
        "infeasible"
    )


def test_k_nearest_is_refused():
    with pytest.raises(PlannerError, match="k_nearest"):
        PlanModel(toy(cutoff=50, objective={"k_nearest": 1}, **floor(0.3))).build()


@pytest.mark.parametrize("backend", ["cpsat", "highs"])
def test_max_min_same_on_other_backends(backend):
    sc = {"equity": "max_min_sido"}
    sol = solve(PlanModel(toy(objective=sc, solver={"backend": backend})))
    assert sol.optimal and sites(sol) == {"S0", "S3"} and sol.objective == pytest.approx(180)


def test_scenario_refuses_equity_with_k_nearest_or_a_bad_year():
    from planner.errors import ScenarioError

    with pytest.raises(ScenarioError, match="k_nearest: null"):
        toy(objective={"equity": "max_min_sido", "k_nearest": 2})
    with pytest.raises(ScenarioError, match="equity_year: 2019 is not a phase year"):
        toy(objective={"equity": "max_min_sido", "equity_year": 2019})
