"""Reuse a proven optimum in a what-if that only tightens the model: a proof without a solve.

If every plan the what-if allows was already allowed in the base model (same variables and
objective, bounds and rows at least as tight, nothing made continuous), the what-if's
optimum is at most the base's. The base's proven optimal plan, when the what-if still
allows it, therefore reaches that bound and is the what-if's optimum: proven by a row
check, in about a second nationally, where a solve takes a minute. A pool cut that the base
plan did not use up is the typical case (issue "speed": what-ifs proven when warm).

Rows are matched by their terms (variable names and coefficients), so a rule that writes a
changed row with different coefficients makes the test fail safely: the what-if is then
solved as usual. Only a claim that holds is returned.
"""

from __future__ import annotations

from planner.model.linear import LinearModel


def _row_key(lm: LinearModel, terms: dict[int, int]) -> tuple:
    return tuple(sorted((lm.names[v], c) for v, c in terms.items()))


def _same_rows_tighter(base: LinearModel, new: LinearModel) -> bool:
    """Whether row k of ``new`` has row k of the base's terms and tighter bounds, for each k.

    A fast sufficient test for a what-if built by the same code (same variables, same order).
    """
    if base.names != new.names or len(base.rows) != len(new.rows):
        return False
    for b, n in zip(base.rows, new.rows, strict=True):
        if b.terms != n.terms:
            return False
        blo, bhi = b.bounds()
        nlo, nhi = n.bounds()
        if nlo < blo or nhi > bhi:
            return False
    return True


def is_tightening(base: LinearModel, new: LinearModel) -> bool:
    """Whether every solution of ``new`` is a solution of ``base`` with the same objective.

    Sufficient conditions, checked by name: the same variables, objective and offset; each
    variable's bounds inside the base's; no variable continuous that was integer; and every
    base row implied by a row of ``new`` with the same terms and bounds inside the base's.
    """
    if base.offset != new.offset or sorted(base.names) != sorted(new.names):
        return False
    if len(set(new.names)) != len(new.names):
        return False  # names must identify variables
    at = {n: k for k, n in enumerate(new.names)}
    if {base.names[v]: c for v, c in base.objective.items() if c} != {
        new.names[v]: c for v, c in new.objective.items() if c
    }:
        return False
    if not {new.names[v] for v in new.continuous} <= {base.names[v] for v in base.continuous}:
        return False
    for k, name in enumerate(base.names):
        j = at[name]
        if new.lb[j] < base.lb[k] or new.ub[j] > base.ub[k]:
            return False
    if _same_rows_tighter(base, new):
        return True
    tight: dict[tuple, tuple[float, float]] = {}
    for row in new.rows:
        key = _row_key(new, row.terms)
        lo, hi = row.bounds()
        old = tight.get(key)
        tight[key] = (lo, hi) if old is None else (max(lo, old[0]), min(hi, old[1]))
    for row in base.rows:
        lo, hi = row.bounds()
        if not row.terms:  # a constant row: it holds everywhere or the base has no plan
            if lo <= 0 <= hi:
                continue
            return False
        got = tight.get(_row_key(base, row.terms))
        if got is None or got[0] < lo or got[1] > hi:
            return False
    return True


def tightened_optimum(
    base: LinearModel, base_values: dict[str, int | float], new: LinearModel
) -> list[int | float] | None:
    """The base's proven optimal plan in ``new``'s indexing, when it is ``new``'s optimum.

    ``base_values``: the base plan by variable name (missing names are 0). None unless
    ``new`` is a tightening of ``base`` (``is_tightening``) and the plan breaks no bound or
    row of ``new``.
    """
    values = [base_values.get(n, 0) for n in new.names]
    for k, x in enumerate(values):
        if x < new.lb[k] or x > new.ub[k]:
            return None
    if new.violated_rows(values) or not is_tightening(base, new):
        return None
    return values
