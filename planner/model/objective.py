"""Objective terms for the three modes, as integers (DEMAND_SCALE per person).

- ``max_served``: sum_{y,i,s,j} w[s] d[i,s,y] r[i,j] serve[i,s,j,y] x (1 - discount)^phase,
  plus value_per_center x host for agencies with a fixed value, minus cost_weight x capital
  cost. Demand counts in every phase it is served, so an earlier
  opening counts for more phases.
- ``max_coverage``: the same with r = 1 within the cutoff (the MCLP).
- ``min_travel``: minimize sum w d travel_min serve (+ unserved_min per unserved client), the
  p-median when there is one phase and no tenants; written as maximizing the negative.
- ``regret_to`` (O3): the same terms valued under each demand scenario, in rows.
Ties are broken towards lower capital cost and fewer idle tenants (see TIEBREAK_*).
"""

from __future__ import annotations

import dataclasses

from planner.domain import DEMAND_SCALE, TIEBREAK_PER_IDLE_TENANT, TIEBREAK_PER_MKRW
from planner.model.registry import RuleContext
from planner.model.rules.phase import phase_cost_terms


def level_coefficients(ctx: RuleContext) -> tuple[dict[int, float], float]:
    """Levels formulation: weighted gain of each level variable, and the constant base.

    A point's clients of segment s in phase y count w[s] x phase weight x demand x (gains of
    its levels that have a center); min_travel charges the base (the farthest distance) and
    the gains are minutes saved. Points sharing a level add into one coefficient.
    """
    inst, v, reach = ctx.inst, ctx.v, ctx.reach
    pw = inst.phase_weights()
    by_agency: dict[str, list[str]] = {}
    for s, a in v.segments.items():
        by_agency.setdefault(a, []).append(s)
    gain: dict[int, float] = {}
    base = 0.0
    for i, pl in v.point_levels.items():
        u = reach.unit_of[i]
        weighted = {
            (a, y): sum(reach.weight[s] * pw[y] * inst.demand[y].value(i, s) for s in segs)
            for a, segs in by_agency.items()
            for y in v.years
        }
        base += pl.base * sum(weighted.values())
        for a, y, key, g in v.point_level_keys(i, u):
            var = v.level[key]
            gain[var] = gain.get(var, 0.0) + g * weighted[(a, y)]
    return gain, base


def objective_coefficients(ctx: RuleContext) -> dict[int, int]:
    """Coefficient of each serve/unserved variable and capital-cost terms."""
    inst, v, reach = ctx.inst, ctx.v, ctx.reach
    obj = inst.scenario.objective
    pw = inst.phase_weights()
    coef: dict[int, int] = {}
    for (i, s, j, y), var in v.serve.items():
        d = inst.demand[y].value(i, s)
        w = reach.weight[s] * pw[y] * d
        if obj.mode == "min_travel":
            c = -w * reach.minutes[(i, j)]
        else:
            c = w * reach.reach[(i, j)]
        coef[var] = int(round(DEMAND_SCALE * c))
    level_gain, base = level_coefficients(ctx)
    for var, g in level_gain.items():
        coef[var] = int(round(DEMAND_SCALE * g))
    ctx.lm.offset = -int(round(DEMAND_SCALE * base))
    sign = -1 if obj.mode == "min_travel" else 1
    for (i, s, y), var in v.far.items():
        d = inst.demand[y].value(i, s)
        coef[var] = sign * int(
            round(DEMAND_SCALE * reach.weight[s] * pw[y] * d * reach.far_value[i])
        )
    if obj.mode == "min_travel" and obj.unserved_min is not None:
        for (i, s, y), var in v.unserved.items():
            d = inst.demand[y].value(i, s)
            coef[var] = -int(round(DEMAND_SCALE * reach.weight[s] * pw[y] * d * obj.unserved_min))
    per_mkrw = DEMAND_SCALE * obj.cost_weight + TIEBREAK_PER_MKRW
    for y in v.years:
        terms, _ = phase_cost_terms(ctx, y)
        for var, c in terms.items():
            coef[var] = coef.get(var, 0) - int(round(per_mkrw * c))
    for (_, a, y), var in v.host.items():
        plan = inst.agencies[a]
        if plan.value_per_center > 0:  # a fixed value per hosting center and phase
            fixed = int(round(DEMAND_SCALE * plan.value_per_center * pw[y]))
            coef[var] = coef.get(var, 0) + fixed  # the model maximizes in every mode
        elif not plan.mandatory and plan.segment not in reach.segments:
            coef[var] = coef.get(var, 0) - TIEBREAK_PER_IDLE_TENANT
    return coef


def regret_rows(ctx: RuleContext, regret_to: dict[str, float]) -> int:
    """O3's rows: z <= V_s(x) - best_s for each named demand scenario s; returns z.

    V_s is O1 valued with scenario s's demand (the same variables: with the centers fixed,
    each client's best center does not depend on how many clients there are), ``best_s``
    that scenario's own best objective in persons. z is minus the largest regret, in
    objective units; the rows are tagged ``objective-regret``.
    """
    lm = ctx.lm
    saved = lm.offset
    span = int(DEMAND_SCALE * (2 * sum(abs(b) for b in regret_to.values()) + 1))
    z = lm.var("minus_max_regret", -span, span, continuous=True)
    for name, best in regret_to.items():
        sub = dataclasses.replace(ctx.inst, demand=ctx.inst.demand_by_scenario[name])
        sub_ctx = RuleContext(sub, ctx.v, ctx.reach, lm, "objective-regret", {})
        coef = objective_coefficients(sub_ctx)
        rhs = int(round(DEMAND_SCALE * best)) - lm.offset
        ctx.add({**coef, z: coef.get(z, 0) - 1}, ">=", rhs, name)
    lm.offset = saved
    return z
