"""Demand points apart from candidate sites (읍면동 resolution) and the compact formulations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.data.districts import load_districts
from planner.instance import build_instance, instance_from_matrix
from planner.model.plan_model import PlanModel
from planner.paths import REPO_ROOT
from planner.scenario import load_scenario
from tests.synth import scenario


def _points_instance(seed: int, mode: str, k: int | None = None, phases: int = 2):
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
    cost = pd.DataFrame(np.hypot(*(pxy[:, None, :] - sxy[None, :, :]).transpose(2, 0, 1)),
                        index=pts, columns=sites)
    years = [2015 + n for n in range(phases)]
    sc = scenario(
        phases=[{"year": y, "target": 1} for y in years],
        agencies={"welfare_team": {"enabled": True}},
        segments={"jobseekers": {"weight": 1.0}, "welfare": {"weight": 1.0}},
        welfare_linkage_year=years[-1],
        pools={"welfare_team": {y: 3 for y in years}},
        travel={"cutoff_min": 45, "decay": {"kind": "linear"}},
        objective={"mode": mode, "k_nearest": k, "unserved_min": 200})
    demand = {y: pd.DataFrame({"jobseekers": rng.integers(1, 50, len(pts)),
                               "welfare": rng.integers(1, 20, len(pts))}, index=pts)
              for y in years}
    return instance_from_matrix(sc, cost, demand, point_unit=pd.Series(unit, index=pts))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), mode=st.sampled_from(["max_served", "max_coverage",
                                                          "min_travel"]))
def test_k_nearest_is_exact_at_points(seed, mode):
    """k = 1 with the doubling proof gives the optimum of the full model, in every mode."""
    full = PlanModel(_points_instance(seed, mode)).solve()
    small = PlanModel(_points_instance(seed, mode, k=1)).solve()
    assert full.optimal and small.optimal
    assert small.objective == pytest.approx(full.objective, abs=1e-6)
    assert not small.violations


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000))
def test_compact_coverage_equals_assignment(seed):
    """max_coverage: one covered variable per point equals a serve variable per site.

    The caseload rule with an unreachable limit forces the assignment formulation."""
    inst = _points_instance(seed, "max_coverage")
    compact = PlanModel(inst)
    assignment = PlanModel(inst).enable("center-capacity").configure(
        "center-capacity", clients_per_center=10**6)
    a, b = compact.solve(), assignment.solve()
    assert compact.build().v.covered and not assignment.build().v.covered
    assert a.optimal and b.optimal and not a.violations and not b.violations
    assert a.objective == pytest.approx(b.objective, abs=1e-6)
    # the plan read off the compact model serves what it claims
    assert a.objective_recomputed == pytest.approx(a.objective, abs=1e-3)


def test_welfare_before_linkage_needs_own_district_or_team():
    """A point next to another district's center is not served there before the linkage."""
    cost = pd.DataFrame([[0.0, 50.0], [40.0, 1.0], [50.0, 0.0]],
                        index=["Ap", "Aq", "Bp"], columns=["A", "B"])
    sc = scenario(phases=[{"year": 2015, "target": 1}],
                  agencies={"welfare_team": {"enabled": True}},
                  segments={"welfare": {"weight": 1.0}}, welfare_linkage_year=2016,
                  rules={"serve-welfare_linkage": {"params": {"guest_teams": False}}},
                  travel={"cutoff_min": 60, "decay": {"kind": "step"}},
                  objective={"mode": "max_coverage"})
    demand = {2015: pd.DataFrame({"welfare": [10, 100, 20]}, index=["Ap", "Aq", "Bp"])}
    inst = instance_from_matrix(sc, cost, demand,
                                point_unit=pd.Series({"Ap": "A", "Aq": "A", "Bp": "B"}))
    sol = PlanModel(inst).solve()
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
        pd.testing.assert_frame_equal(by_unit.sort_index(), d.demand(y).table.sort_index(),
                                      check_names=False, check_dtype=False, atol=1e-6, rtol=1e-9)


def test_emd_scenario_on_jeju(jeju):
    """The option end to end on a small study area: 읍면동 demand, districts as sites."""
    sc, d = jeju
    sc = sc.model_copy(update={
        "study_area": sc.study_area.model_copy(update={"sido_codes": ["50"]}),
        "phases": [p.model_copy(update={"target": 1 if n == 0 else 0})
                   for n, p in enumerate(sc.phases)],
        "regional_balance": None, "sites": sc.sites.model_copy(update={"forced": []}),
        "demand": sc.demand.model_copy(update={"resolution": "emd"})})
    inst = build_instance(sc, d)
    assert inst.fine_grained and len(inst.point_codes) == 43 and inst.codes == ["50110", "50130"]
    assert any("읍면동" in n for n in inst.notes)
    sol = PlanModel(inst).solve()
    assert sol.optimal and not sol.violations
    assert set(sol.assignment.district) <= {"50110", "50130"}
    assert set(sol.assignment.point) <= set(inst.point_codes)


def test_warm_start_from_a_previous_plan():
    """A what-if re-solve hinted with the base plan reaches the variant's own optimum."""
    base_inst = _points_instance(7, "max_served")
    base = PlanModel(base_inst).solve(lp_first=False)
    assert base.values_by_name and all(v != 0 for v in base.values_by_name.values())
    variant = _points_instance(7, "max_served")
    variant.pools["welfare_team"] = {y: 2 for y in variant.years}  # room for no guest team
    cold = PlanModel(variant).solve(lp_first=False)
    warm = PlanModel(variant).solve(lp_first=False, warm_start=base)
    assert cold.optimal and warm.optimal and not warm.violations
    assert warm.objective == pytest.approx(cold.objective, abs=1e-6)
