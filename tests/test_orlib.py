"""planner's own model reproduces published OR-Library p-median optima (small instances;
the full series is in bench/orlib_pmed.py)."""

from __future__ import annotations

import numpy as np
import pytest

from planner.model.plan_model import PlanModel
from planner.orlib import (
    cap_instance,
    cap_value,
    pmed_instance,
    pmedcap_instance,
    published_optima,
    read_pmed,
    read_pmedcap,
)
from planner.paths import REPO_ROOT
from planner.solution import solve

INSTANCES = REPO_ROOT.parent / "shared" / "instances"
needs_instances = pytest.mark.skipif(
    not (INSTANCES / "orlib_pmed").exists(), reason="../shared/instances not present"
)


@needs_instances
def test_duplicate_edge_last_one_wins():
    p, d = read_pmed(INSTANCES / "orlib_pmed" / "pmed1.txt")
    assert p == 5 and d.shape == (100, 100)
    assert np.allclose(d, d.T) and (np.diag(d) == 0).all()


@needs_instances
@pytest.mark.parametrize("name,k", [("pmed1", None), ("pmed2", None), ("pmed2", 5)])
def test_published_pmedian_optimum(name, k):
    inst = pmed_instance(INSTANCES / "orlib_pmed" / f"{name}.txt", k_nearest=k)
    sol = solve(PlanModel(inst))
    assert sol.optimal
    assert sol.objective == published_optima(INSTANCES)[name]
    assert len(sol.plan) == inst.cumulative[2015]


@needs_instances
@pytest.mark.parametrize("name", ["pmedcap01", "pmedcap04"])
def test_published_capacitated_pmedian_optimum(name):
    """Single-source capacitated p-median: the caseload rule with Q per median."""
    inst = pmedcap_instance(INSTANCES / "pmedcap" / f"{name}.txt")
    sol = solve(PlanModel(inst))
    assert sol.optimal and not sol.violations
    assert sol.objective == published_optima(INSTANCES)[name]
    p, q, _, demand = read_pmedcap(INSTANCES / "pmedcap" / f"{name}.txt")
    assert len(sol.plan) == p
    load = sol.assignment.groupby("site").demand.sum()
    assert load.max() <= q and load.sum() == demand.sum()


@needs_instances
@pytest.mark.parametrize("formulation", ["levels", "assignment", "benders"])
def test_published_pmedian_optimum_every_formulation(formulation):
    inst = pmed_instance(INSTANCES / "orlib_pmed" / "pmed1.txt")
    sc = inst.scenario
    inst.scenario = sc.model_copy(
        update={"solver": sc.solver.model_copy(update={"formulation": formulation})}
    )
    sol = solve(PlanModel(inst))
    assert sol.optimal and sol.objective == published_optima(INSTANCES)["pmed1"]


@needs_instances
@pytest.mark.parametrize("name", ["cap41", "cap71_uncap"])
def test_published_capacitated_facility_location_optimum(name):
    """Multi-source: per-site capacities and fixed costs, demand split among sites."""
    base, _, rest = name.partition("_")
    path = INSTANCES / "orlib_cap" / f"{base}.txt"
    sol = solve(PlanModel(cap_instance(path, capacitated=rest != "uncap")))
    assert sol.optimal and not sol.violations
    assert cap_value(sol, path) == pytest.approx(published_optima(INSTANCES)[name], abs=5e-4)
