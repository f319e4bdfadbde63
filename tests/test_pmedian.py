"""The p-median Benders on arrays (model.pmedian) and its use by planner's model.

Optima are checked against enumeration of every p-subset; no status may claim more than was
proven; planner's model hands over only models that are exactly a p-median.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.model.plan_model import PlanModel
from planner.model.pmedian import PMedian, critical_cuts, local_search, solve_pmedian
from planner.orlib import pmedian_instance
from planner.solution import solve


def brute_force(cost: np.ndarray, weight: np.ndarray, p: int) -> float:
    """The least weighted cost over every p-subset of sites."""
    return min(
        float(weight @ cost[:, list(s)].min(axis=1))
        for s in itertools.combinations(range(cost.shape[1]), p)
    )


def random_instance(seed: int, n: int, m: int, integral: bool) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    if integral:
        return rng.integers(0, 30, size=(n, m)).astype(float), rng.integers(1, 5, n).astype(float)
    pts, sites = rng.random((n, 2)), rng.random((m, 2))
    cost = np.hypot(*(pts[:, None, :] - sites[None, :, :]).transpose(2, 0, 1))
    return cost, rng.random(n) + 0.1


@settings(max_examples=120, deadline=None)
@given(
    seed=st.integers(0, 10**6),
    n=st.integers(1, 12),
    m=st.integers(1, 9),
    p=st.integers(1, 9),
    integral=st.booleans(),
)
def test_optimum_matches_enumeration(seed, n, m, p, integral):
    p = min(p, m)
    cost, weight = random_instance(seed, n, m, integral)
    res = solve_pmedian(PMedian.from_matrix(cost, weight, p), 30)
    best = brute_force(cost, weight, p)
    assert res.status == "OPTIMAL"
    assert len(res.sites) == p == len(set(res.sites.tolist()))
    assert res.value == pytest.approx(best, rel=1e-9, abs=1e-9)
    assert res.value == pytest.approx(float(weight @ cost[:, res.sites].min(axis=1)))
    assert res.bound == res.value


def test_the_mip_phase_is_exercised_and_exact():
    """Instances whose LP relaxation is fractional go through fixing and the MIP rounds."""
    through_mip = 0
    for seed in range(60):
        cost, weight = random_instance(seed, 14, 14, integral=True)
        cost = np.minimum(cost, cost.T)  # symmetric graphs, as in OR-Library
        np.fill_diagonal(cost, 0)
        res = solve_pmedian(PMedian.from_matrix(cost, weight, 3), 30)
        assert res.status == "OPTIMAL"
        assert res.value == brute_force(cost, weight, 3)
        through_mip += any("MIP rounds" in line for line in res.log)
    assert through_mip >= 5


def test_critical_cut_is_the_fractional_assignment_value():
    """At fractional y, client 0 fills its demand from its nearest sites in turn."""
    cost = np.array([[0.0, 2.0, 5.0, 9.0]])
    pm = PMedian.from_matrix(cost, np.ones(1), 2)
    y = np.array([0.25, 0.5, 0.5, 0.75])
    k, value = critical_cuts(pm, y)
    # 0.25 at cost 0, 0.5 at cost 2, the last 0.25 at cost 5
    assert k.tolist() == [2]
    assert value[0] == pytest.approx(0.25 * 0 + 0.5 * 2 + 0.25 * 5)


def test_local_search_finds_the_swap():
    """Two clusters, both sites first placed in one: one swap moves a site across."""
    pts = np.array([0.0, 1.0, 2.0, 100.0, 101.0, 102.0])
    cost = np.abs(pts[:, None] - pts[None, :])
    pm = PMedian.from_matrix(cost, np.ones(6), 2)
    sites, value = local_search(pm, np.array([0, 2]), deadline=float("inf"))
    assert sites.tolist() == [1, 4] and value == 4.0 == brute_force(cost, np.ones(6), 2)


def test_no_status_claims_more_than_was_proven():
    """Stopped before any bound: the plan is 'feasible' with no bound, never 'optimal'."""
    cost, weight = random_instance(7, 40, 40, integral=True)
    res = solve_pmedian(PMedian.from_matrix(cost, weight, 4), 30, should_stop=lambda: True)
    assert res.status == "FEASIBLE" and res.bound is None and res.sites is not None
    assert res.value >= brute_force(cost, weight, 4)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10**6), limit=st.sampled_from([0.0, 0.01, 0.05, 5.0]))
def test_bounds_are_valid_whatever_the_time_limit(seed, limit):
    cost, weight = random_instance(seed, 16, 12, integral=False)
    best = brute_force(cost, weight, 3)
    res = solve_pmedian(PMedian.from_matrix(cost, weight, 3), limit)
    assert res.value is not None and res.value >= best - 1e-9
    if res.bound is not None:
        assert res.bound <= best + 1e-6
    if res.status == "OPTIMAL":
        assert res.value == pytest.approx(best, rel=1e-9)


def _pmedian_model(cost: np.ndarray, weight: np.ndarray, p: int, **solver) -> PlanModel:
    codes = [f"N{k}" for k in range(len(cost))]
    inst = pmedian_instance(
        pd.DataFrame(cost, index=codes, columns=codes),
        pd.Series(weight, index=codes),
        p,
        backend="highs",
        time_limit_s=60,
    )
    sc = inst.scenario
    inst.scenario = sc.model_copy(
        update={"solver": sc.solver.model_copy(update={"formulation": "benders", **solver})}
    )
    return PlanModel(inst)


def _symmetric(seed: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    cost, weight = random_instance(seed, n, n, integral=True)
    cost = np.minimum(cost, cost.T)
    np.fill_diagonal(cost, 0)
    return cost, weight


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_planner_model_hands_its_pmedian_over(seed):
    """planner's own model of a p-median reaches the array solver, with the same optimum
    as enumeration and as the assignment formulation."""
    from planner.model.benders import make_groups
    from planner.model.pmedian_model import pmedian_form

    cost, weight = _symmetric(seed, 9)
    model = _pmedian_model(cost, weight, 3)
    built = model.build()
    groups = make_groups(model.instance, built.v, built.reach, 1.0, None)
    assert pmedian_form(built.lm, built.v, groups, 1.0) is not None
    sol = solve(model)
    assert sol.optimal and any("p-median" in line for line in sol.log)
    best = brute_force(cost, weight, 3)
    assert sol.objective == pytest.approx(best)
    assignment = solve(_pmedian_model(cost, weight, 3, formulation="assignment"))
    assert assignment.optimal and assignment.objective == pytest.approx(sol.objective)


def test_a_forced_site_is_not_a_pmedian():
    """A forced site (a bound fixed at 1) is a rule the array solver does not know: the
    general Benders loop solves it, and the plan keeps the forced site."""
    from planner.model.benders import make_groups
    from planner.model.pmedian_model import pmedian_form
    from planner.scenario.schema import ForcedSite

    cost, weight = _symmetric(3, 8)
    model = _pmedian_model(cost, weight, 2)
    sc = model.instance.scenario
    model.instance.scenario = sc.model_copy(
        update={"sites": sc.sites.model_copy(update={"forced": [ForcedSite(code="N7")]})}
    )
    model.instance.forced = list(model.instance.scenario.sites.forced)
    model = PlanModel(model.instance)
    built = model.build()
    groups = make_groups(model.instance, built.v, built.reach, 1.0, None)
    assert pmedian_form(built.lm, built.v, groups, 1.0) is None
    sol = solve(model)
    assert sol.optimal and not any("p-median" in line for line in sol.log)
    best = min(
        float(weight @ cost[:, [7, j]].min(axis=1)) for j in range(7)
    )  # N7 and one more site
    assert sol.objective == pytest.approx(best)
    assert "N7" in set(sol.plan.code)


def test_auto_takes_the_pmedian_path_only_for_pmedian_shaped_models():
    """formulation auto: a one-phase min_travel model without tenants or fixed sites is
    built for Benders (and proven by the p-median method); a forced site keeps levels."""
    from planner.scenario.schema import ForcedSite

    cost, weight = _symmetric(5, 8)
    model = _pmedian_model(cost, weight, 2, formulation="auto")
    assert model.formulation == "benders"
    sol = solve(model)
    assert sol.optimal and any("p-median" in line for line in sol.log)
    assert sol.objective == pytest.approx(brute_force(cost, weight, 2))
    inst = model.instance
    inst.scenario = inst.scenario.model_copy(
        update={"sites": inst.scenario.sites.model_copy(update={"forced": [ForcedSite(code="N1")]})}
    )
    inst.forced = list(inst.scenario.sites.forced)
    assert PlanModel(inst).formulation == "levels"


def test_a_lying_mip_master_proves_nothing(monkeypatch):
    """Every MIP run of the master claims a bound 10 above its true one (HiGHS 1.16 made
    such a wrong claim on a Benders master). Without reduced-cost fixing the master holds
    the best plan, so the claim is refuted by that plan's value: the result is optimal only
    when the LP bound proves it, and otherwise feasible with a bound no higher than the plan."""
    from planner.model import pmedian

    real = pmedian.Master.solve

    def solve(self, limit):
        status, x, bound = real(self, limit)
        return status, x, (bound + 10.0 if self.integer and bound is not None else bound)

    monkeypatch.setattr(pmedian.Master, "solve", solve)
    monkeypatch.setattr(pmedian.Master, "reduced_costs", lambda self: np.zeros(self.m))
    feasible = 0
    for seed in range(40):
        cost, weight = random_instance(seed, 14, 14, integral=True)
        cost = np.minimum(cost, cost.T)
        np.fill_diagonal(cost, 0)
        res = solve_pmedian(PMedian.from_matrix(cost, weight, 3), 30)
        assert res.value == pytest.approx(float(weight @ cost[:, res.sites].min(axis=1)))
        if res.status == "OPTIMAL":
            assert any("(LP bound)" in line for line in res.log)
            assert res.value == brute_force(cost, weight, 3)
        else:
            feasible += 1
            assert any("refuted" in line for line in res.log)
            assert res.bound is None or res.bound <= res.value
    assert feasible >= 1  # instances that reached the MIP: the lie would have been the proof
