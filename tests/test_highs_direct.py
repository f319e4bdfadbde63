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
