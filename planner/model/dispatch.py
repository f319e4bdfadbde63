"""Dispatch a LinearModel to its backend: CP-SAT, HiGHS through highspy, or pywraplp (CBC, SCIP)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from planner.model.backends import RawResult, solve_cpsat, solve_mip
from planner.model.highs_direct import solve_highs
from planner.model.linear import LinearModel
from planner.scenario.schema import Solver


def solve(
    lm: LinearModel,
    opts: Solver,
    hint: dict[int, int] | None = None,
    progress: Callable[[str], None] | None = None,
    control: Any = None,
    scale: float = 1.0,
) -> RawResult:
    """Dispatch on ``opts.backend``; ``scale`` converts progress figures to objective units.

    ``control`` (a ``guard.Control``) receives the backend's stop function. Run it through
    ``guard.run_guarded`` to have its time limit and Ctrl-C hold on every backend.
    """
    if opts.backend == "cpsat":
        return solve_cpsat(lm, opts, hint, progress, control, scale)
    if opts.backend == "highs":
        return solve_highs(lm, opts, hint, control)
    return solve_mip(lm, opts, hint, control)
