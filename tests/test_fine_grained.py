"""Demand points apart from candidate sites (읍면동 resolution) and the compact formulations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from planner.data.districts import load_districts
from planner.domain import DEMAND_SCALE
from planner.errors import PlannerError
from planner.instance import build_instance, instance_from_matrix
from planner.model.plan_model import PlanModel
from planner.paths import REPO_ROOT
from planner.scenario import load_scenario
from planner.solution import solve
from tests.synth import make, scenario


def _points_instance(
    seed: int,
    mode: str,
    k: int | None = None,
    phases: int = 2,
    unserved: bool = True,
    linkage: bool = True,
):
    """Random points on a plane: 4 sites (districts), 3 demand points per district."""
    rng = np.random.default_rng(seed)
    sites = [f"S{n}" for n in range(4)]
    sxy = rng.uniform(0, 60, size=(4, 2))
    pts, unit, pxy = [], [], []
    for n, s in enumerate(sites):
        for m in range(3):
            pts.append(f"{s}p{m}")
            unit.append(s)
            pxy.append(sxy[n] + rng.normal(0, 8, size=2))
    pxy = np.array(pxy)
    cost = pd.DataFrame(
        np.hypot(*(pxy[:, None, :] - sxy[None, :, :]).transpose(2, 0, 1)), index=pts, columns=sites
    )
    years = [2015 + n for n in range(phases)]
    sc = scenario(
        phases=[{"year": y, "target": 1} for y in years],
        agencies={"welfare_team": {"enabled": True}},
        segments={"jobseekers": {"weight": 1.0}, "welfare": {"weight": 1.0}},
        welfare_linkage_year=years[-1] if linkage else None,
        pools={"welfare_team": {y: 3 for y in years}},
        travel={"cutoff_min": 45, "decay": {"kind": "linear"}},
        objective={"mode": mode, "k_nearest": k, "unserved_min": 200 if unserved else None},
    )
    demand = {
        y: pd.DataFrame(
            {"jobseekers": rng.integers(1, 50, len(pts)), "welfare": rng.integers(1, 20, len(pts))},
            index=pts,
        )
        for y in years
    }
    return instance_from_matrix(sc, cost, demand, point_unit=pd.Series(unit, index=pts))


def _rounding(sol) -> float:
    """Objective coefficients are whole 1/DEMAND_SCALE persons: two formulations of the same
    optimum may differ by half a unit per variable."""
    return sol.n_vars / DEMAND_SCALE


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000), mode=st.sampled_from(["max_served", "max_coverage", "min_travel"])
)
def test_k_nearest_is_exact_at_points(seed, mode):
    """k = 1 with the doubling proof gives the optimum of the full model, in every mode."""
    full = solve(PlanModel(_points_instance(seed, mode)))
    small = solve(PlanModel(_points_instance(seed, mode, k=1)))
    assert full.optimal and small.optimal
    assert small.objective == pytest.approx(full.objective, abs=_rounding(full))
    assert not small.violations


def _with_formulation(inst, formulation: str):
    sc = inst.scenario
    inst.scenario = sc.model_copy(
        update={"solver": sc.solver.model_copy(update={"formulation": formulation})}
    )
    return inst


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    mode=st.sampled_from(["max_served", "max_coverage", "min_travel"]),
    k=st.sampled_from([None, 1, 2]),
    guests=st.booleans(),
)
def test_levels_equal_assignment(seed, mode, k, guests):
    """The levels formulation (shared variables per nested site set) has the assignment
    formulation's optimum, with or without k-nearest and guest welfare teams, and the plan
    read off it serves what the objective claims."""
    sols = []
    for formulation in ("levels", "assignment"):
        inst = _with_formulation(_points_instance(seed, mode, k=k, unserved=False), formulation)
        m = PlanModel(inst).configure("serve-welfare_linkage", guest_teams=guests)
        built = m.build()
        assert bool(built.v.level) == (formulation == "levels")
        assert bool(built.v.serve) == (formulation == "assignment")
        sols.append(solve(m))
    lev, asg = sols
    assert lev.status == asg.status
    # min_travel must assign every welfare client before the linkage: without guest teams
    # the random plan is infeasible in both formulations
    assume(asg.status != "infeasible")
    assert lev.optimal and asg.optimal and not lev.violations and not asg.violations
    assert lev.objective == pytest.approx(asg.objective, abs=_rounding(asg))
    assert lev.objective_recomputed == pytest.approx(lev.objective, abs=_rounding(lev))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    mode=st.sampled_from(["max_served", "max_coverage"]),
    guests=st.booleans(),
)
# HiGHS 1.16 reported a wrong "optimal" master here when the start plan's theta was 0
@example(seed=681, mode="max_coverage", guests=True)
def test_benders_equals_assignment(seed, mode, guests):
    """Benders (demand as cuts, per point or per district bundle) proves the assignment
    formulation's optimum, and its plan is valued exactly."""
    inst = _with_formulation(_points_instance(seed, mode, unserved=False), "assignment")
    asg = solve(PlanModel(inst).configure("serve-welfare_linkage", guest_teams=guests))
    inst = _with_formulation(_points_instance(seed, mode, unserved=False), "benders")
    m = PlanModel(inst).configure("serve-welfare_linkage", guest_teams=guests)
    ben = solve(m, time_limit_s=60)
    assert not m.build().v.serve and not m.build().v.level
    assert asg.optimal and ben.optimal and not ben.violations
    assert ben.objective == pytest.approx(asg.objective, abs=_rounding(asg))
    assert ben.objective_recomputed == pytest.approx(ben.objective, abs=1e-6)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000))
def test_benders_at_district_resolution(seed):
    """Districts as their own demand points: one theta per point (no bundles), two phases,
    welfare teams; the same optimum as the assignment formulation."""
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 50, size=(6, 2))
    codes = [f"S{n}" for n in range(6)]
    cost = pd.DataFrame(
        np.hypot(*(xy[:, None] - xy[None, :]).transpose(2, 0, 1)), index=codes, columns=codes
    )
    jobseekers, welfare = rng.integers(10, 90, 6).tolist(), rng.integers(1, 30, 6).tolist()
    sols = []
    for formulation in ("assignment", "benders"):
        sc = scenario(
            phases=[{"year": 2015, "target": 1}, {"year": 2016, "target": 1}],
            agencies={"welfare_team": {"enabled": True}},
            segments={"jobseekers": {"weight": 1.0}, "welfare": {"weight": 2.0}},
            welfare_linkage_year=2016,
            pools={"welfare_team": {2015: 4, 2016: 4}},
            travel={"cutoff_min": 40, "decay": {"kind": "exponential", "half_life_min": 15}},
            objective={"mode": "max_served"},
            solver={"formulation": formulation},
        )
        inst = make(sc, cost, jobseekers=jobseekers, welfare=welfare)
        sols.append(solve(PlanModel(inst)))
    asg, ben = sols
    assert asg.optimal and ben.optimal and not ben.violations
    assert ben.objective == pytest.approx(asg.objective, abs=_rounding(asg))


def test_benders_cannot_charge_unserved():
    inst = _with_formulation(_points_instance(1, "min_travel", unserved=True), "benders")
    with pytest.raises(PlannerError, match="benders"):
        PlanModel(inst).build()


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000))
def test_benders_min_travel_equals_assignment(seed):
    """min_travel: distances turned into values (farthest - t) give the same optimum.

    Without the welfare linkage: one center a phase cannot take every district's welfare
    clients before it, so every client could not be assigned."""

    def inst(formulation):
        return _with_formulation(
            _points_instance(seed, "min_travel", unserved=False, linkage=False), formulation
        )

    asg = solve(PlanModel(inst("assignment")))
    ben = solve(PlanModel(inst("benders")), time_limit_s=60)
    assert asg.optimal and ben.optimal and not ben.violations
    assert ben.objective == pytest.approx(asg.objective, abs=_rounding(asg))
    assert ben.objective_recomputed == pytest.approx(ben.objective, abs=1e-6)


def test_levels_are_smaller_where_points_share_sites():
    """Points with the same nested site sets share variables: fewer than serve variables."""
    inst = _points_instance(3, "max_coverage")
    lev = PlanModel(_with_formulation(inst, "levels")).build()
    asg = PlanModel(_with_formulation(_points_instance(3, "max_coverage"), "assignment")).build()
    assert len(lev.v.level) < len(asg.v.serve)


def test_levels_by_hand():
    """Two points, three sites, one phase: the levels and gains of each mode, by hand."""
    cost = pd.DataFrame(
        [[5.0, 10.0, 10.0], [20.0, 5.0, 40.0]], index=["p", "q"], columns=["A", "B", "C"]
    )
    sc = scenario(
        phases=[{"year": 2015, "target": 1}],
        travel={"cutoff_min": 30, "decay": {"kind": "linear"}},
        objective={"mode": "max_served"},
    )
    demand = {2015: pd.DataFrame({"jobseekers": [10, 20]}, index=["p", "q"])}
    inst = instance_from_matrix(sc, cost, demand)
    lv = PlanModel(inst).build().reach.levels("max_served")
    # p: reach A 5/6, B and C 2/3 -> {A} gains 1/6, {A,B,C} gains 2/3
    assert [(lev.sites, round(lev.gain, 9)) for lev in lv["p"].levels] == [
        (("A",), round(1 / 6, 9)),
        (("A", "B", "C"), round(2 / 3, 9)),
    ]
    # q: reach B 5/6, A 1/3 (C beyond the cutoff)
    assert [(lev.sites, round(lev.gain, 9)) for lev in lv["q"].levels] == [
        (("B",), 0.5),
        (("A", "B"), round(1 / 3, 9)),
    ]
    sol = solve(PlanModel(inst))
    # A serves 10 x 5/6 + 20 x 1/3 = 15; B 10 x 2/3 + 20 x 5/6 = 23.33; C 10 x 2/3 = 6.67
    assert list(sol.plan.code) == ["B"]
    assert sol.objective == pytest.approx(10 * 2 / 3 + 20 * 5 / 6, abs=1e-3)
    tm = PlanModel(inst).build().reach.levels("min_travel")
    assert tm["p"].base == 10.0 and tm["p"].forced == ("A", "B", "C")


def test_welfare_before_linkage_needs_own_district_or_team():
    """A point next to another district's center is not served there before the linkage."""
    cost = pd.DataFrame(
        [[0.0, 50.0], [40.0, 1.0], [50.0, 0.0]], index=["Ap", "Aq", "Bp"], columns=["A", "B"]
    )
    sc = scenario(
        phases=[{"year": 2015, "target": 1}],
        agencies={"welfare_team": {"enabled": True}},
        segments={"welfare": {"weight": 1.0}},
        welfare_linkage_year=2016,
        rules={"serve-welfare_linkage": {"params": {"guest_teams": False}}},
        travel={"cutoff_min": 60, "decay": {"kind": "step"}},
        objective={"mode": "max_coverage"},
    )
    demand = {2015: pd.DataFrame({"welfare": [10, 100, 20]}, index=["Ap", "Aq", "Bp"])}
    inst = instance_from_matrix(
        sc, cost, demand, point_unit=pd.Series({"Ap": "A", "Aq": "A", "Bp": "B"})
    )
    sol = solve(PlanModel(inst))
    # B's center would reach Aq (100) but Aq's welfare team is A's: A serves 10 + 100 + 0
    assert list(sol.plan.code) == ["A"]
    assert sol.objective == pytest.approx(110.0)


@pytest.fixture(scope="module")
def jeju():
    sc = load_scenario(REPO_ROOT / "scenarios" / "national-2014-2017.yaml")
    d = load_districts(sc.vintage)
    return sc, d


def test_emd_demand_sums_to_district_figures(jeju):
    _, d = jeju
    emd = d.emd()
    assert len(emd) == 3496 and emd.unit.nunique() == 229
    for y in (2015, 2017):
        by_unit = d.emd_demand(y).table.groupby(emd.unit).sum()
        pd.testing.assert_frame_equal(
            by_unit.sort_index(),
            d.demand(y).table.sort_index(),
            check_names=False,
            check_dtype=False,
            atol=1e-6,
            rtol=1e-9,
        )


def test_emd_scenario_on_jeju(jeju):
    """The option end to end on a small study area: 읍면동 demand, districts as sites."""
    sc, d = jeju
    sc = sc.model_copy(
        update={
            "study_area": sc.study_area.model_copy(update={"sido_codes": ["50"]}),
            "phases": [
                p.model_copy(update={"target": 1 if n == 0 else 0}) for n, p in enumerate(sc.phases)
            ],
            "regional_balance": None,
            "sites": sc.sites.model_copy(update={"forced": []}),
            "demand": sc.demand.model_copy(update={"resolution": "emd"}),
        }
    )
    inst = build_instance(sc, d)
    assert inst.fine_grained and len(inst.point_codes) == 43 and inst.codes == ["50110", "50130"]
    assert any("읍면동" in n for n in inst.notes)
    sol = solve(PlanModel(inst))
    assert sol.optimal and not sol.violations
    assert set(sol.assignment.district) <= {"50110", "50130"}
    assert set(sol.assignment.point) <= set(inst.point_codes)


def test_warm_start_from_a_previous_plan(monkeypatch):
    """A what-if re-solve hinted with the base plan reaches the variant's own optimum, and the
    hint the solver receives is the base plan (by variable name), not the greedy plan."""
    from planner.model import dispatch

    # seed 3: a base plan that is not the greedy plan (on most seeds the greedy is optimal)
    base_inst = _points_instance(3, "max_served")
    base = solve(PlanModel(base_inst), lp_first=False)
    assert base.values_by_name and all(v != 0 for v in base.values_by_name.values())
    variant = _points_instance(3, "max_served")
    variant.pools["welfare_team"] = {y: 2 for y in variant.years}  # room for no guest team
    cold = solve(PlanModel(variant), lp_first=False)
    hints: list[dict[int, int] | None] = []
    real = dispatch.solve

    def spy(lm, opts, hint=None, *args, **kw):
        hints.append(hint)
        return real(lm, opts, hint, *args, **kw)

    monkeypatch.setenv("PLANNER_IN_PROCESS", "1")  # the spy must run in this process
    monkeypatch.setattr(dispatch, "solve", spy)
    # the variant only tightens the base model and the base plan holds: its proof is reused
    reused = solve(PlanModel(variant), lp_first=False, warm_start=base)
    assert reused.proof == "base_optimum_tightened" and hints == []
    assert reused.objective == pytest.approx(cold.objective, abs=1e-6)
    base.proven_model = None  # the hint path: a base whose proof is not at hand
    model = PlanModel(variant)
    warm = solve(model, lp_first=False, warm_start=base)
    assert cold.optimal and warm.optimal and not warm.violations
    assert warm.objective == pytest.approx(cold.objective, abs=1e-6)
    names = model.build().lm.names
    assert len(hints) == 1 and hints[0] is not None
    given = {names[k]: x for k, x in hints[0].items() if x}
    assert given == {n: x for n, x in base.values_by_name.items() if n in set(names)}
    # the base plan differs from the greedy plan, so a hint ignored or swapped shows
    from planner.model.greedy import greedy_hint

    greedy = greedy_hint(variant, model.build(), model.states)
    assert {names[k]: x for k, x in greedy.items() if x} != given


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    mode=st.sampled_from(["max_served", "max_coverage"]),
    solver=st.sampled_from(["simplex", "ipm"]),
)
def test_lagrangian_bound_of_the_master_is_valid(seed, mode, solver):
    """The duals' bound is never below the master LP's optimum (simplex, proven), whether
    the run that gave the duals was simplex or interior point without crossover."""
    from planner.model.benders import Master, make_groups

    inst = _with_formulation(_points_instance(seed, mode, unserved=False), "benders")
    m = PlanModel(inst)
    b = m.build()
    g = make_groups(inst, b.v, b.reach, DEMAND_SCALE, m.linkage_year())
    master = Master(b.lm, b.v, g, True, DEMAND_SCALE, aggregate=False)
    master.cut_round(np.zeros(b.lm.n_vars), None)  # some cuts, as a round would add
    master.h.setOptionValue("solver", "simplex")
    status, _, optimum = master.solve(30)
    assume(status == "OPTIMAL")
    master.h.setOptionValue("solver", solver)
    master.h.setOptionValue("run_crossover", "off")
    master.h.clearSolver()
    master.solve(30)
    bound = master.lagrangian_bound()
    assert bound is not None
    assert bound >= optimum - 1e-6 * max(1.0, abs(optimum))
    if solver == "simplex":  # optimal duals: the bound is the optimum itself
        assert bound <= optimum + 1e-6 * max(1.0, abs(optimum))


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), mode=st.sampled_from(["max_served", "max_coverage"]))
def test_rens_offers_only_plans_that_hold_and_restores_bounds(seed, mode):
    """RENS on the master fixes the LP point's integral values for its search only: every
    plan it hands on holds every row, and afterwards every column has its own bounds."""
    from planner.model.benders import Master, make_groups, rens

    inst = _with_formulation(_points_instance(seed, mode, unserved=False), "benders")
    m = PlanModel(inst)
    b = m.build()
    g = make_groups(inst, b.v, b.reach, DEMAND_SCALE, m.linkage_year())
    master = Master(b.lm, b.v, g, True, DEMAND_SCALE, aggregate=False)
    master.cut_round(np.zeros(b.lm.n_vars), None)
    status, x, _ = master.solve(30)
    assume(status == "OPTIMAL" and x is not None)
    x = x.copy()
    x[list(b.v.open.values())] = 0.5  # the sites left to the search (this LP point is integral)
    before = (list(master.h.getLp().col_lower_), list(master.h.getLp().col_upper_))
    master.make_integer(None)
    seen: list[list[int]] = []

    def consider(values, thetas):
        seen.append(values)
        return 0

    rens(master, x, 10.0, consider, lambda _: None)
    lp = master.h.getLp()
    assert (list(lp.col_lower_), list(lp.col_upper_)) == before
    assert seen  # the master's LP plan itself is one completion of the fixed values
    for values in seen:
        assert not b.lm.violated_rows(values)
        ints = [k for k in range(b.lm.n_vars) if k not in b.lm.continuous]
        fixed = [k for k in ints if abs(x[k] - round(x[k])) < 1e-6]
        assert all(values[k] == round(x[k]) for k in fixed)


def test_a_lying_master_never_makes_a_proof(monkeypatch):
    """Every master MIP run claims a bound 10 persons below its true one (as HiGHS 1.16 did
    on a national master): Benders refuses each such bound (a plan it holds is worth more),
    so it says optimal only where the LP rounds' own bound proves it, and on instances
    whose LP relaxation is fractional it says feasible with a bound above its plan."""
    from tests.test_brute_force_full import _lying_master

    _lying_master(monkeypatch, lies=None)
    feasible = 0
    for seed in range(12):
        inst = _with_formulation(_points_instance(seed, "max_served", unserved=False), "benders")
        sol = solve(PlanModel(inst), time_limit_s=60)
        plain = _points_instance(seed, "max_served", unserved=False)
        asg = solve(PlanModel(_with_formulation(plain, "assignment")))
        assert sol.status in ("optimal", "feasible") and not sol.violations
        assert sol.objective <= asg.objective + _rounding(asg)
        if sol.optimal:
            assert sol.objective == pytest.approx(asg.objective, abs=_rounding(asg))
        else:
            feasible += 1
            assert sol.bound is not None and sol.bound >= asg.objective - _rounding(asg)
    assert feasible >= 1  # the old rule (any bound below the plan is a proof) said optimal


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), mode=st.sampled_from(["max_served", "max_coverage"]))
def test_in_out_rounds_from_any_core_point_keep_the_optimum(seed, mode):
    """LP rounds separated in-out from a core point (there the full model's LP optimum, here
    a random point) add only valid cuts: Benders proves the assignment formulation's optimum."""
    from planner.model.benders import make_groups, solve_benders

    asg = PlanModel(_with_formulation(_points_instance(seed, mode, unserved=False), "assignment"))
    best = asg.solve()
    inst = _with_formulation(_points_instance(seed, mode, unserved=False), "benders")
    m = PlanModel(inst)
    b = m.build()
    g = make_groups(inst, b.v, b.reach, DEMAND_SCALE, m.linkage_year())
    core = np.random.default_rng(seed).uniform(0, 1, b.lm.n_vars).tolist()
    raw = solve_benders(
        b.lm,
        b.v,
        g,
        m.solver_options(time_limit_s=60),
        True,
        [],
        DEMAND_SCALE,
        aggregate=False,
        cut_points=[core],
    )
    assert best.status == raw.status == "OPTIMAL"
    assert not b.lm.violated_rows(raw.values)
    assert raw.objective == pytest.approx(best.objective, abs=b.lm.n_vars + asg.build().lm.n_vars)
