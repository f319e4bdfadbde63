"""Demand scenarios and the min-max-regret objective (O3), by hand and by enumeration.

Three far-apart districts (cutoff 15: a center serves its own district), one center.
Job seekers 100, 0, 60 and welfare recipients 0, 100, 60. Demand scenario J (p 0.9) halves
welfare, W (p 0.1) halves job seekers:
- J: S0 100, S1 50, S2 90; W: S0 50, S1 100, S2 90.
- best for J: S0 (100); best for W: S1 (100); expected (0.9 J + 0.1 W): S0 95, S1 55, S2 90:
  S0.
- regret (best - value): S0 0 / 50, S1 50 / 0, S2 10 / 10: the min-max-regret plan is S2,
  max regret 10, though it is nobody's best.
"""

from __future__ import annotations

import pytest

from planner.model.plan_model import PlanModel
from planner.solution import solve

from .synth import line_matrix, make, scenario

SCENARIOS = {
    "J": {"probability": 0.9, "changes": {"scale": {"welfare": 0.5}}},
    "W": {"probability": 0.1, "changes": {"scale": {"jobseekers": 0.5}}},
}
VALUE = {"J": {"S0": 100, "S1": 50, "S2": 90}, "W": {"S0": 50, "S1": 100, "S2": 90}}


def toy(**over):
    sc = scenario(
        agencies={"welfare_team": {"enabled": True, "staff": 0}},
        segments={"jobseekers": {"weight": 1}, "welfare": {"weight": 1}},
        travel={"cutoff_min": 15, "decay": {"kind": "step"}},
        demand_scenarios=SCENARIOS,
        **over,
    )
    return make(sc, line_matrix([0, 20, 40]), jobseekers=[100, 0, 60], welfare=[0, 100, 60])


def site(sol) -> str:
    (code,) = sol.plan.code
    return code


@pytest.mark.parametrize(
    ("pick", "where", "value"), [("J", "S0", 100), ("W", "S1", 100), ("expected", "S0", 95)]
)
def test_each_demand_scenario_and_the_expected_one(pick, where, value):
    sol = solve(PlanModel(toy(demand={"scenario": pick})))
    assert sol.optimal and site(sol) == where and sol.objective == pytest.approx(value)


def test_min_max_regret_by_hand_and_enumeration():
    best = {s: max(v.values()) for s, v in VALUE.items()}
    regret = {j: max(best[s] - VALUE[s][j] for s in VALUE) for j in ("S0", "S1", "S2")}
    assert min(regret, key=regret.get) == "S2" and regret["S2"] == 10
    sol = solve(PlanModel(toy(demand={"scenario": "expected"}, objective={"regret_to": best})))
    assert sol.optimal, sol.status
    assert site(sol) == "S2"
    assert sol.objective == pytest.approx(0.9 * 90 + 0.1 * 90)  # then expected served
    assert any("regret: largest regret 10.000" in line for line in sol.log)


def test_regret_ties_broken_by_expected_served():
    # regret to J only: S0 has none; the tie-break is moot, but S0 must be chosen
    sol = solve(
        PlanModel(toy(demand={"scenario": "expected"}, objective={"regret_to": {"J": 100}}))
    )
    assert sol.optimal and site(sol) == "S0"


def test_bad_demand_scenario_settings():
    from planner.errors import ScenarioError

    with pytest.raises(ScenarioError, match="unknown demand scenario 'X'"):
        toy(demand={"scenario": "X"})
    with pytest.raises(ScenarioError, match="probabilities sum to 1.1"):
        scenario(demand_scenarios={"a": {"probability": 0.6}, "b": {"probability": 0.5}})
    with pytest.raises(ScenarioError, match="regret_to"):
        toy(objective={"regret_to": {"nope": 1.0}})


def test_the_greedy_start_plan_gets_its_regret_and_breaks_no_row():
    from planner.model.greedy import greedy_hint
    from planner.model.plan_model import goal_value

    best = {s: max(v.values()) for s, v in VALUE.items()}
    m = PlanModel(toy(demand={"scenario": "expected"}, objective={"regret_to": best}))
    b = m.build()
    plan = goal_value(b, greedy_hint(m.instance, b, m.states))
    dense = [plan.get(k, 0) for k in range(b.lm.n_vars)]
    assert b.lm.violated_rows(dense) == []
    (site_open,) = [j for (j, _, _), var in b.v.open.items() if plan.get(var)]
    # z = minus the plan's largest regret, in objective units
    regret = max(best[s] - VALUE[s][site_open] for s in VALUE)
    assert plan[b.first_goal[1]] == -regret * 1000
