"""Regional balance."""

from __future__ import annotations

from planner.model.registry import RuleContext, rule, sum_terms


@rule("region-balance", name_ko="시도 균형")
def balance(ctx: RuleContext) -> None:
    """Every 시도 has at least m centers by a phase.

    sum_{j in sido, k} open[j,y*,k] >= regional_balance.min_per_sido, where y* is the last phase
    not after regional_balance.by_year. Skipped without regional_balance.
    Formulation: docs/formulation.md R17.
    """
    rb = ctx.inst.scenario.regional_balance
    v = ctx.v
    if rb is None:
        return
    years = [y for y in v.years if y <= rb.by_year]
    if not years:
        return
    y = years[-1]
    for sido, grp in ctx.inst.units.groupby("sido"):
        terms = sum_terms(*(v.is_open(j, y) for j in grp.index))
        ctx.add(terms, ">=", rb.min_per_sido, f"{sido}@{y}")
