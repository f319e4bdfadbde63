"""Per-site capacity, split demand and per-site opening costs (OR-Library cap's features)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.errors import PlannerError
from planner.instance import instance_from_matrix
from planner.model.plan_model import PlanModel
from planner.solution import solve
from tests.synth import scenario


def _instance(cost, demand, caps, fixed, split=True, target=1, budget=None):
    points = [f"C{k}" for k in range(len(demand))]
    sites = [f"W{k}" for k in range(len(caps))]
    phase = {"year": 2015, "target": target}
    if budget is not None:
        phase["budget_mkrw"] = budget
    sc = scenario(
        phases=[phase],
        target_mode="at_least",
        kinds={"new_build": {"cost_mkrw": 0}},
        travel={"cutoff_min": 10_000, "decay": {"kind": "step"}},
        objective={"mode": "min_travel", "unserved_min": None, "cost_weight": 1.0},
        sites={"opening_cost_mkrw": dict(zip(sites, fixed, strict=True))},
        rules={
            "center-capacity": {
                "active": True,
                "params": {
                    "clients_per_center": 10**6,
                    "split": split,
                    "per_site": dict(zip(sites, caps, strict=True)),
                },
            }
        },
    )
    travel = pd.DataFrame(
        np.asarray(cost, dtype=float) / np.asarray(demand)[:, None], index=points, columns=sites
    )
    return instance_from_matrix(
        sc, travel, {2015: pd.DataFrame({"jobseekers": demand}, index=points)}
    )


def test_split_by_hand():
    """One customer of 10 clients; A (cost 1 per client, capacity 6) and B (cost 5 per
    client, capacity 10), no fixed costs: 6 go to A and 4 to B, 6 + 20 = 26; without the
    split all 10 must go to B (50)."""
    cost, demand = [[10.0, 50.0]], [10]
    split = solve(PlanModel(_instance(cost, demand, [6, 10], [0, 0], target=2)))
    assert split.optimal and not split.violations
    assert split.objective == pytest.approx(26.0, abs=1e-3)
    served = split.assignment.set_index("site").demand
    assert served["W0"] == pytest.approx(6) and served["W1"] == pytest.approx(4)
    whole = solve(PlanModel(_instance(cost, demand, [6, 10], [0, 0], split=False, target=2)))
    assert whole.optimal and whole.objective == pytest.approx(50.0, abs=1e-3)


def test_opening_cost_counts_in_objective_and_budget():
    """W0 is nearer but costs 100 to open: with cost_weight 1 the solver pays 10 more travel
    (30 vs 20) to save 100; a budget below W1's 50 leaves no feasible plan."""
    cost, demand = [[20.0, 30.0]], [10]
    sol = solve(PlanModel(_instance(cost, demand, [10, 10], [100, 50])))
    assert sol.optimal and list(sol.plan.code) == ["W1"]
    assert sol.objective == pytest.approx(30 + 50 + 0.01 * 50 / 1000, abs=1e-3)
    tight = solve(PlanModel(_instance(cost, demand, [10, 10], [100, 50], budget=40)))
    assert tight.status == "infeasible"


def test_per_site_names_unknown_site():
    inst = _instance([[1.0, 2.0]], [5], [5, 5], [0, 0])
    m = PlanModel(inst).configure("center-capacity", per_site={"W9": 3})
    with pytest.raises(PlannerError, match="per_site"):
        m.build()


def test_split_needs_a_mip_backend():
    inst = _instance([[1.0, 2.0]], [5], [5, 5], [0, 0])
    with pytest.raises(PlannerError, match="split"):
        solve(PlanModel(inst), backend="cpsat")


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000))
def test_split_respects_capacities_and_relaxes_single_source(seed):
    """Capacities hold, every client is assigned in full, and dividing demand never costs
    more than sending each customer whole to one site."""
    rng = np.random.default_rng(seed)
    n, m = 6, 3
    demand = rng.integers(1, 20, n).tolist()
    caps = rng.integers(15, 40, m).tolist()
    if sum(caps) < sum(demand):
        caps[0] += sum(demand) - sum(caps)
    cost = rng.uniform(1, 100, (n, m)) * np.asarray(demand)[:, None]
    fixed = rng.integers(0, 50, m).tolist()
    split = solve(PlanModel(_instance(cost, demand, caps, fixed)))
    whole = solve(PlanModel(_instance(cost, demand, caps, fixed, split=False)))
    assert split.optimal and not split.violations
    load = split.assignment.groupby("site").demand.sum()
    assert all(load[j] <= caps[int(j[1:])] + 1e-6 for j in load.index)
    per_point = split.assignment.groupby("point").demand.sum()
    assert np.allclose(
        per_point.sort_index().to_numpy(),
        pd.Series(demand, index=[f"C{k}" for k in range(n)]).sort_index(),
    )
    if whole.optimal:
        assert split.objective <= whole.objective + 1e-6
