"""Rules on phases: targets and budgets."""

from __future__ import annotations

from planner.domain import TARGET_SENSE
from planner.model.registry import RuleContext, add_into, rule, sum_terms


@rule("phase-target", name_ko="단계별 목표")
def target(ctx: RuleContext) -> None:
    """Centers open by the end of each phase meet the target.

    sum_{j,k} open[j,y,k] (=, >= or <=, per target_mode) cumulative[y] + existing centers.
    Reads phases[].target and targets (per_phase or cumulative).
    Formulation: docs/formulation.md R10.
    """
    v, inst = ctx.v, ctx.inst
    sense = TARGET_SENSE[inst.scenario.target_mode]
    for y in v.years:
        terms = sum_terms(*(v.is_open(j, y) for j in v.sites))
        ctx.add(terms, sense, inst.cumulative[y] + len(v.existing_kind), str(y))


def phase_cost_terms(ctx: RuleContext, y: int) -> tuple[dict[int, int], int]:
    """Capital cost (million KRW) of centers, formats and tenants newly opened in phase y.

    A center's cost is its kind's plus its site's (sites.opening_cost_mkrw); a tenant joining
    costs its relocation cost where it relocates an existing office, else its establishment
    cost (agencies.<a>.relocation_cost_mkrw / establishment_cost_mkrw).
    """
    v, sc = ctx.v, ctx.inst.scenario
    terms: dict[int, int] = {}
    const = 0
    for j in v.sites:
        site_cost = sc.sites.opening_cost_mkrw.get(j, 0.0)
        for k, kind in sc.kinds.items():
            t, c = v.opened(j, y, k)
            cost = int(round(kind.cost_mkrw + site_cost))
            add_into(terms, t, cost)
            const += c * cost
        for f, fmt in sc.formats.items():
            cost = int(round(fmt.cost_mkrw))
            if cost:
                t, c = v.format_opened(j, f, y)
                add_into(terms, t, cost)
                const += c * cost
        for a in v.agencies:
            cost = int(round(ctx.inst.agencies[a].join_cost(j)))
            if cost:
                t, c = v.joined(j, a, y)
                add_into(terms, t, cost)
                const += c * cost
    return terms, const


@rule("phase-budget", name_ko="단계별 예산")
def budget(ctx: RuleContext) -> None:
    """Capital cost of the centers opened in a phase stays within its budget.

    sum of kind, format and tenant-joining costs of new openings in y <= phases[y].budget_mkrw
    (whole million KRW). Skipped for phases without a budget.
    Formulation: docs/formulation.md R11.
    """
    for p in ctx.inst.scenario.phases:
        if p.budget_mkrw is None:
            continue
        terms, const = phase_cost_terms(ctx, p.year)
        ctx.add(terms, "<=", int(p.budget_mkrw), str(p.year), const)
