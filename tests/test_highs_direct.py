"""The HiGHS MIP through highspy (model.highs_direct): same optimum as enumeration, every plan
it reports holds every row, and a start plan is never lost."""

from __future__ import annotations

import pytest

from planner.domain import DEMAND_SCALE
from planner.model.greedy import greedy_hint
from planner.model.highs_direct import solve_highs
from planner.model.plan_model import PlanModel

from .test_brute_force_full import CASES, _instance, brute_force


class Recorder:
    """A stand-in for guard.Control that keeps what the backend reports."""

    verbose = False
    stop = None
    stop_requested = False

    def __init__(self) -> None:
        self.plans: list[tuple[list, float]] = []
        self.messages: list[str] = []

    def incumbent(self, values, objective, bound) -> None:
        self.plans.append((list(values), objective))

    def progress(self, msg: str) -> None:
        self.messages.append(msg)


@pytest.mark.parametrize("lp_first", [True, False])
@pytest.mark.parametrize("case", ["linkage_with_guests", "tight_welfare_pool"])
def test_reported_plans_hold_and_the_optimum_matches_enumeration(case, lp_first):
    served, _ = brute_force(*CASES[case])
    model = PlanModel(_instance(*CASES[case], formulation="assignment"))
    built = model.build()
    lm = built.lm
    hint = greedy_hint(model.instance, built, model.states)
    control = Recorder()
    opts = model.solver_options(backend="highs", lp_first=lp_first, time_limit_s=60)
    raw = solve_highs(lm, opts, hint, control)
    assert raw.status == "OPTIMAL" and not lm.violated_rows(raw.values)
    # the objective is persons served (step decay) plus a tie-break below one person
    assert raw.objective / DEMAND_SCALE == pytest.approx(served, abs=0.01)
    for values, objective in control.plans:
        assert not lm.violated_rows(values)
        assert objective == lm.evaluate(values) <= raw.objective
    assert raw.objective >= lm.evaluate([hint.get(k, 0) for k in range(lm.n_vars)])


def test_each_run_gets_its_own_time_on_a_reused_model():
    """HiGHS holds an LP's time_limit against the run time summed over every run of one
    object: the limit ``run`` sets must add what earlier runs spent (a Benders master runs
    many times); a MIP run's limit counts from its own start."""
    import highspy
    import numpy as np

    from planner.model.highs_direct import clock_limit, run

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    n = 400  # an LP the simplex needs a few hundred iterations for
    rng = np.random.default_rng(0)
    h.addVars(n, np.zeros(n), np.ones(n))
    h.changeColsCost(n, np.arange(n, dtype=np.int32), rng.random(n))
    h.changeObjectiveSense(highspy.ObjSense.kMaximize)
    for _ in range(200):
        idx = rng.choice(n, 20, replace=False).astype(np.int32)
        h.addRow(-highspy.kHighsInf, 3.0, len(idx), idx, rng.random(20))
    for _ in range(3):
        h.clearSolver()
        spent = h.getRunTime()
        assert clock_limit(h, 7.0) == pytest.approx(spent + 7.0)
        assert clock_limit(h, 7.0, integer=True) == 7.0  # a MIP run's clock starts anew
        status, x, bound = run(h, 60.0, integer=False)
        assert status == "OPTIMAL" and x is not None and bound is not None
        limit = h.getOptionValue("time_limit")  # (status, value) in highspy 1.16
        assert (limit[1] if isinstance(limit, tuple) else limit) >= spent + 60.0 - 1e-9
        assert h.getRunTime() > spent  # the clock did go on: without the offset, the
        # k-th run would have had 60 s minus every earlier run's time


def test_a_bound_below_the_plan_kept_is_refuted(monkeypatch):
    """A MIP whose dual bound is below the plan it hands back (HiGHS 1.16 proved such wrong
    optima on Benders masters) proves nothing: feasible, no bound, said in the log."""
    from planner.model import highs_direct

    monkeypatch.setattr(highs_direct, "checked_bound", lambda lm, b: b - 10 * DEMAND_SCALE)
    model = PlanModel(_instance(*CASES["tight_welfare_pool"], formulation="assignment"))
    built = model.build()
    opts = model.solver_options(backend="highs", lp_first=False, time_limit_s=60)
    raw = solve_highs(built.lm, opts, None, Recorder())
    assert raw.status == "FEASIBLE" and raw.bound is None
    assert not built.lm.violated_rows(raw.values)
    assert any("refuted" in line for line in raw.log)
