"""Planner's p-median special case, recognized in a built Benders model and solved on arrays.

A one-phase ``min_travel`` model without tenants, pools or costs whose only link between
sites is "exactly p centers" is the p-median; ``planner.model.pmedian`` proves those in a
fraction of the general Benders loop's time. The test is structural, on the LinearModel
itself, so that no rule can slip past it: every variable is a site's ``open`` or ``fmt``
with bounds [0, 1], the objective has no terms, exactly one row spans several sites (all
``open`` variables, coefficient 1, ``== p``) and every other row holds both with its site
closed and with it open in its one format. Then the feasible site sets are exactly the
p-subsets, and the p-median's optimum is the model's.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from planner.model.backends import RawResult
from planner.model.benders import Groups
from planner.model.linear import LinearModel, Row
from planner.model.pmedian import PMedian, solve_pmedian
from planner.scenario.schema import Solver


def _holds(row: Row, value: int) -> bool:
    """The row with every one of its variables at ``value``."""
    total = value * sum(row.terms.values())
    return {"<=": total <= row.rhs, ">=": total >= row.rhs, "==": total == row.rhs}[row.sense]


def pmedian_form(lm: LinearModel, v: Any, g: Groups, scale: float) -> tuple[PMedian, list] | None:
    """(the p-median, each site's [open, fmt] variables) when the model is one, else None."""
    if len(v.years) != 1 or len(v.kinds) != 1 or len(v.formats) != 1:
        return None
    if v.host or v.serve or v.team or v.unserved or v.far or v.level or v.avail:
        return None
    if g.far is None or len(g.keys) != 1 or g.welfare_before or (g.order < 0).any():
        return None
    if lm.offset or any(lm.objective.values()):
        return None
    y, k, f = v.years[0], v.kinds[0], v.formats[0]
    pairs = [[v.open.get((j, y, k)), v.fmt.get((j, f, y))] for j in v.sites]
    if any(x is None for pair in pairs for x in pair) or lm.n_vars != 2 * len(v.sites):
        return None
    if any(lm.lb[x] != 0 or lm.ub[x] != 1 for x in range(lm.n_vars)):
        return None
    site_of = {x: n for n, pair in enumerate(pairs) for x in pair}
    opens = {pair[0] for pair in pairs}
    p = None
    for row in lm.rows:
        if len({site_of[x] for x in row.terms}) > 1:
            if p is not None or row.sense != "==" or set(row.terms) != opens:
                return None
            if any(c != 1 for c in row.terms.values()):
                return None
            p = int(row.rhs)
        elif not (_holds(row, 0) and _holds(row, 1)):
            return None
    if p is None or not 1 <= p <= len(v.sites) or g.order.shape[1] != len(v.sites):
        return None
    cost = g.far[:, None] - g.reach  # sorted travel of each point's sites
    dense = np.empty_like(cost)
    np.put_along_axis(dense, g.order, cost, axis=1)
    weight = g.weight[g.keys[0]] / scale
    return PMedian(g.order.astype(np.int32), cost, weight, dense, p), pairs


def solve_pmedian_model(
    lm: LinearModel,
    pm: PMedian,
    pairs: list,
    opts: Solver,
    scale: float,
    control: Any = None,
    started: float | None = None,
    hint: dict[int, int] | None = None,
) -> RawResult:
    """Solve the recognized p-median; the plan and bound in the model's objective units.

    ``started``: when the time limit began (perf_counter); ``hint``: a start plan by
    variable, used when it opens exactly p sites.
    """

    def values_of(sites: np.ndarray) -> list[int]:
        values = [0] * lm.n_vars
        for n in sites.tolist():
            for x in pairs[n]:
                values[x] = 1
        return values

    def incumbent(sites: np.ndarray, value: float, bound: float | None) -> None:
        if control is not None:
            control.incumbent(
                values_of(sites), -value * scale, None if bound is None else -bound * scale
            )

    elapsed = time.perf_counter() - started if started is not None else 0.0
    start = [n for n, (o, _) in enumerate(pairs) if hint and hint.get(o)]
    res = solve_pmedian(
        pm,
        max(0.05, opts.time_limit_s - elapsed),
        start=np.array(start, dtype=np.int64) if len(start) == pm.p else None,
        on_incumbent=incumbent,
        should_stop=(lambda: control.stop_requested) if control is not None else None,
        progress=control.progress if control is not None else None,
        stop_hook=(lambda cancel: setattr(control, "stop", cancel)) if control else None,
    )
    values = values_of(res.sites) if res.sites is not None else None
    if values is not None and lm.violated_rows(values):  # cannot happen for a recognized model
        raise AssertionError("p-median plan breaks a row of the model it was recognized in")
    return RawResult(
        opts.backend,
        res.status,
        values,
        None if res.value is None else -res.value * scale,
        None if res.bound is None else -res.bound * scale,
        res.time_s,
        res.log,
    )
