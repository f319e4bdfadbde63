"""Regional balance: centers per 시도, and each 시도's share of its demand served."""

from __future__ import annotations

from planner.domain import SHARE_UNITS
from planner.errors import PlannerError
from planner.model.registry import RuleContext, add_into, rule, sum_terms
from planner.model.variables import Terms


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


def sido_demand(ctx: RuleContext, y: int) -> dict[str, float]:
    """Each 시도's weighted demand in phase y: sum over its points and segments of w d."""
    inst, reach = ctx.inst, ctx.reach
    sido = inst.units.sido
    out: dict[str, float] = {}
    for i in inst.point_codes:
        g = str(sido[reach.unit_of[i]])
        out[g] = out.get(g, 0.0) + sum(
            reach.weight[s] * inst.demand[y].value(i, s) for s in reach.segments
        )
    return out


def sido_share_terms(ctx: RuleContext, y: int, context: str) -> dict[str, tuple[Terms, float]]:
    """Per 시도: the terms of its served share in phase y (in SHARE_UNITS) and its demand.

    share[g,y] = sum_{i in g,s,j} w[s] d[i,s,y] r[i,j] serve[i,s,j,y] / D[g,y], each
    coefficient rounded to a whole part per billion. Needs serve variables over every pair
    within reach: ``context`` names the setting in the error otherwise.
    """
    if ctx.inst.scenario.objective.mode == "min_travel":
        raise PlannerError(
            f"{context}: a 시도's served share needs objective.mode max_served or "
            "max_coverage; allowed with min_travel: leave it off"
        )
    if ctx.reach.far_value:
        raise PlannerError(
            f"{context}: needs objective.k_nearest: null (a 시도's share counts every "
            "site within reach); allowed: null"
        )
    inst, v, reach = ctx.inst, ctx.v, ctx.reach
    demand = sido_demand(ctx, y)
    sido = inst.units.sido
    terms: dict[str, Terms] = {g: {} for g in demand}
    for (i, s, j, yy), var in v.serve.items():
        if yy != y:
            continue
        g = str(sido[reach.unit_of[i]])
        if demand[g] <= 0:
            continue
        c = reach.weight[s] * inst.demand[y].value(i, s) * reach.reach[(i, j)] / demand[g]
        add_into(terms[g], {var: int(round(SHARE_UNITS * c))})
    return {g: (terms[g], demand[g]) for g in demand if demand[g] > 0}


@rule(
    "region-coverage_floor",
    default_active=False,
    params={"min_share": 0.0, "from_year": None},
    needs={"serve"},
    name_ko="시도 최저 충족률",
)
def coverage_floor(ctx: RuleContext) -> None:
    """Every 시도 gets at least a share of its demand served, from a phase on.

    share[g,y] >= min_share for every 시도 g and phase y >= from_year (default: the last
    phase), share as in ``sido_share_terms``. Soft: the slack counts persons short (the
    penalty is per person). Off by default. Formulation: docs/formulation.md R24.
    """
    floor = float(ctx.params.get("min_share") or 0.0)
    if not 0.0 <= floor <= 1.0:
        raise PlannerError(
            f"rules.region-coverage_floor.params.min_share: {floor!r}; allowed: 0 to 1"
        )
    start = ctx.params.get("from_year") or ctx.v.years[-1]
    for y in ctx.v.years:
        if y < start:
            continue
        for g, (terms, demand) in sido_share_terms(ctx, y, "rules.region-coverage_floor").items():
            rhs = int(round(SHARE_UNITS * floor))
            ctx.add(terms, ">=", rhs, f"{g}@{y}", slack_unit=max(1, round(SHARE_UNITS / demand)))


def worst_share_rows(ctx: RuleContext, y: int) -> int:
    """The max-min objective's variable z <= share[g,y] for every 시도 g; returns z.

    z is in SHARE_UNITS (parts per billion of a 시도's weighted demand); the rows are tagged
    ``objective-max_min``. Formulation: docs/formulation.md O2.
    """
    # continuous in MIP backends (at an optimum z is the smallest share, a whole number);
    # CBC cannot branch well on an integer with a range of a billion
    z = ctx.lm.var(f"worst_sido_share[{y}]", 0, SHARE_UNITS, continuous=True)
    for g, (terms, _) in sido_share_terms(ctx, y, "objective.equity").items():
        ctx.add({**terms, z: -1}, ">=", 0, f"{g}@{y}")
    return z
