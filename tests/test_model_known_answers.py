"""Known answers: tiny instances solved by hand or by enumerating every plan."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from planner.domain import DEMAND_SCALE, decay
from planner.model import backends
from planner.model.plan_model import PlanModel
from planner.solution import solve

from .synth import brute_force, line_matrix, make, scenario


def test_mclp_by_hand():
    # four districts on a line, 10 min apart; coverage within 10 min; one center.
    # site S1 covers S0, S1, S2 = 100 + 1 + 5 = 106; S2 covers 1 + 5 + 90 = 96; S0 101; S3 95.
    sc = scenario(objective={"mode": "max_coverage"}, travel={"cutoff_min": 10})
    inst = make(sc, line_matrix([0, 10, 20, 30]), jobseekers=[100, 1, 5, 90])
    sol = solve(PlanModel(inst))
    assert sol.optimal
    assert sol.objective == pytest.approx(106)
    assert list(sol.plan.code) == ["S1"]
    assert sol.violations == []


def test_pmedian_by_hand():
    # p = 2 on a line 0, 1, 2, 10, 11 with unit demand: medians S1 and S3 (or S4):
    # cost = 1 + 0 + 1 + 0 + 1 = 3.
    sc = scenario(
        objective={"mode": "min_travel", "unserved_min": None}, phases=[{"year": 2015, "target": 2}]
    )
    inst = make(sc, line_matrix([0, 1, 2, 10, 11]), jobseekers=[1, 1, 1, 1, 1])
    sol = solve(PlanModel(inst))
    assert sol.optimal and sol.objective == pytest.approx(3)
    assert "S1" in set(sol.plan.code)


def _random_instance(seed, n, mode, targets, decay_kind="linear"):
    rng = np.random.default_rng(seed)
    pts = rng.integers(0, 40, size=(n, 2))
    d = np.abs(pts[:, None, :] - pts[None, :, :]).sum(-1).astype(float)  # integer minutes
    codes = [f"S{i}" for i in range(n)]
    travel = pd.DataFrame(d, index=codes, columns=codes)
    phases = [{"year": 2015 + k, "target": t} for k, t in enumerate(targets)]
    obj = {"mode": mode}
    if mode == "min_travel":
        obj["unserved_min"] = None
    sc = scenario(
        objective=obj,
        phases=phases,
        travel={"cutoff_min": 30, "decay": {"kind": decay_kind}},
        segments={"jobseekers": {"weight": 1.0}, "women": {"weight": 0.5}},
        agencies={"saeil": {"enabled": True, "mandatory": True, "staff": 0}},
    )
    years = [p["year"] for p in phases]
    js = {y: list(rng.integers(1, 100, n)) for y in years}
    wm = {y: list(rng.integers(1, 100, n)) for y in years}
    inst = make(sc, travel, jobseekers=js, women=wm)
    return inst, travel


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize(
    "mode,decay_kind",
    [
        ("max_served", "linear"),
        ("max_served", "exponential"),
        ("max_coverage", "step"),
        ("min_travel", "step"),
    ],
)
def test_matches_brute_force(seed, mode, decay_kind):
    inst, travel = _random_instance(seed, 6, mode, [1, 2], decay_kind)
    cutoff = 30.0

    def reach_fn(i, j):
        t = travel.at[i, j]
        if mode == "min_travel":
            return t
        if mode == "max_coverage":
            return 1.0 if t <= cutoff else None
        r = 1.0 if i == j else decay(t, decay_kind, cutoff, 30.0)
        return r if r > 0 else None

    expected = brute_force(inst, reach_fn)
    sol = solve(PlanModel(inst))
    assert sol.optimal, sol.status
    # the solver's integer objective rounds each coefficient to 1/DEMAND_SCALE person
    tol = len(sol.decisions.serve) / DEMAND_SCALE + 1e-6
    assert sol.objective == pytest.approx(expected, abs=tol)
    assert sol.objective_recomputed == pytest.approx(expected, abs=tol)
    assert sol.violations == []


def _random_pmedian(seed: int, n: int, p: int, span: int, **objective):
    """A random p-median instance on a grid (Manhattan distances) and its optimum by
    enumerating every set of p sites."""
    import itertools

    rng = np.random.default_rng(seed)
    pts = rng.integers(0, span, size=(n, 2))
    d = np.abs(pts[:, None, :] - pts[None, :, :]).sum(-1).astype(float)
    codes = [f"S{i}" for i in range(n)]
    dem = rng.integers(1, 20, n)
    sc = scenario(
        objective={"mode": "min_travel", "unserved_min": None, **objective},
        phases=[{"year": 2015, "target": p}],
    )
    inst = make(sc, pd.DataFrame(d, index=codes, columns=codes), jobseekers=list(dem))
    best = min(
        sum(dem[i] * min(d[i, j] for j in S) for i in range(n))
        for S in itertools.combinations(range(n), p)
    )
    return inst, best


def test_pmedian_one_phase_all_candidates_no_tenants_brute_force():
    for seed in range(3):
        inst, best = _random_pmedian(100 + seed, 8, 3, 50)
        sol = solve(PlanModel(inst))
        assert sol.optimal and sol.objective == pytest.approx(best)


def test_backends_agree_on_toy_multi_phase():
    inst, _ = _random_instance(7, 7, "max_served", [2, 1, 1])
    objs = {}
    for b in ("cbc", "cpsat", "highs"):
        sol = solve(PlanModel(inst), backend=b)
        assert sol.optimal and sol.violations == []
        objs[b] = sol.objective
    assert objs["cbc"] == pytest.approx(objs["cpsat"]) == pytest.approx(objs["highs"])


def test_earlier_openings_count_for_more_phases():
    # two phases, one center each; S0 has most demand, so it should open first
    sc = scenario(
        phases=[{"year": 2015, "target": 1}, {"year": 2016, "target": 1}], travel={"cutoff_min": 1}
    )
    inst = make(sc, line_matrix([0, 10, 20]), jobseekers=[50, 10, 30])
    sol = solve(PlanModel(inst))
    first = sol.plan.set_index("code").phase_opened
    assert first["S0"] == 2015 and first["S2"] == 2016
    assert sol.objective == pytest.approx(50 + (50 + 30))


def test_discount_weighs_phases():
    sc = scenario(
        phases=[{"year": 2015, "target": 1}, {"year": 2016, "target": 1}],
        travel={"cutoff_min": 1},
        objective={"discount": 0.5},
    )
    inst = make(sc, line_matrix([0, 10, 20]), jobseekers=[50, 10, 30])
    sol = solve(PlanModel(inst))
    assert sol.objective == pytest.approx(50 + 0.5 * 80)


@pytest.mark.parametrize("k", [1, 2, 3])
def test_k_nearest_pmedian_is_exact(k):
    """Assignment only to the k nearest sites (doubling k where needed) keeps the optimum."""
    for seed in range(3):
        inst, best = _random_pmedian(200 + seed, 9, 3, 60, k_nearest=k)
        m = PlanModel(inst)
        sol = solve(m)
        assert sol.optimal and sol.objective == pytest.approx(best)
        assert sol.violations == []
        n = len(inst.codes)
        assert m.build().lm.n_vars < n * n + 2 * n + 50 or k >= n


# instances whose LP relaxation is fractional (found by a search over seeds; each is checked)
FRACTIONAL_LP = [
    (10, 7, "max_served", [1, 2], "linear"),
    (43, 8, "max_served", [2, 1], "linear"),
    (18, 8, "max_coverage", [2, 1], "step"),
    (5, 9, "max_served", [2, 2], "exponential"),
]


@pytest.mark.parametrize(("seed", "n", "mode", "targets", "decay_kind"), FRACTIONAL_LP)
def test_auto_on_highs_proves_a_fractional_lp_by_benders(seed, n, mode, targets, decay_kind):
    """solver.formulation auto on HiGHS: the LP first, and where it is fractional the MIP by
    Benders; the optimum is the enumerated one."""
    inst, travel = _random_instance(seed, n, mode, targets, decay_kind)
    cutoff = 30.0

    def reach_fn(i, j):
        t = travel.at[i, j]
        if mode == "max_coverage":
            return 1.0 if t <= cutoff else None
        r = 1.0 if i == j else decay(t, decay_kind, cutoff, 30.0)
        return r if r > 0 else None

    lp_model = PlanModel(inst)
    lp = backends.solve_lp_relaxation(lp_model.build().lm, lp_model.solver_options(), False)
    assert lp.proven is None and lp.raw is not None  # fractional indeed
    model = PlanModel(inst)
    sol = solve(model, backend="highs")
    assert model.build().v.formulation == "benders"
    assert any("LP relaxation fractional" in line for line in sol.log)
    assert sol.optimal and sol.violations == []
    expected = brute_force(inst, reach_fn)
    tol = n * len(targets) * 2 / DEMAND_SCALE + 1e-6  # each coefficient rounded to 1/DEMAND_SCALE
    assert sol.objective == pytest.approx(expected, abs=tol)
    assert sol.objective_recomputed == pytest.approx(expected, abs=tol)


def test_a_what_if_reuses_an_lp_then_benders_proof():
    """A plan LP-then-Benders proved is carried into the assignment model it started from, so
    a what-if that only tightens that model is proven by it (no solve), as after any
    assignment solve; and the answer is the cold solve's."""
    inst, _ = _random_instance(43, 8, "max_served", [2, 1], "linear")
    base = solve(PlanModel(inst), backend="highs")
    assert base.optimal and base.proven_model is not None
    assert any(n.startswith(("serve[", "level[")) for n in base.values_by_name)
    unused = sorted(set(inst.codes) - set(base.plan.code))[0]
    sc = inst.scenario.model_copy(
        update={"sites": inst.scenario.sites.model_copy(update={"forbidden": [unused]})}
    )
    what_if = dataclasses.replace(inst, scenario=sc)
    warm = solve(PlanModel(what_if), backend="highs", warm_start=base)
    cold = solve(PlanModel(what_if), backend="highs")
    assert warm.proof == "base_optimum_tightened" and warm.optimal and cold.optimal
    # Benders values a plan exactly, the levels model with coefficients rounded to
    # 1/DEMAND_SCALE person: the same plan's figures differ by that rounding only
    tol = 8 * 2 * 2 / DEMAND_SCALE
    assert warm.objective == pytest.approx(cold.objective, abs=tol)
    assert warm.objective == pytest.approx(base.objective, abs=tol)
    assert set(warm.plan.code) == set(base.plan.code)
