"""Rules on tenants: who must, may and can move in, and the staff they bring."""

from __future__ import annotations

from planner.domain import ANCHOR, WELFARE_AGENCY
from planner.model.registry import RuleContext, add_into, rule, sum_terms


@rule("agency-mandatory", name_ko="필수 입주기관")
def mandatory(ctx: RuleContext) -> None:
    """Mandatory agencies are in every open center: host[j,a,y] = sum_k open[j,y,k].

    Reads the catalog's `mandatory` (overridable per scenario agency).
    Formulation: docs/formulation.md R12.
    """
    v = ctx.v
    for a in v.agencies:
        if not ctx.inst.agencies[a].mandatory:
            continue
        for j in v.sites:
            for y in v.years:
                terms = sum_terms({v.host[(j, a, y)]: 1}, {c: -1 for c in v.is_open(j, y)})
                ctx.add(terms, "==", 0, f"{j}:{a}@{y}")


@rule("agency-needs_center", name_ko="입주는 운영 센터에만")
def needs_center(ctx: RuleContext) -> None:
    """Tenants only in open centers, and they stay once in.

    host[j,a,y] <= sum_k open[j,y,k]; host[j,a,y] >= host[j,a,y-1].
    Formulation: docs/formulation.md R13.
    """
    v = ctx.v
    for a in v.agencies:
        for j in v.sites:
            for y in v.years:
                terms = sum_terms({v.host[(j, a, y)]: 1}, {c: -1 for c in v.is_open(j, y)})
                ctx.add(terms, "<=", 0, f"{j}:{a}@{y}")
                t, const = v.joined(j, a, y)
                if t:
                    ctx.add(t, ">=", 0, f"stay {j}:{a}@{y}", const)


def allowed_hosts(ctx: RuleContext, a: str) -> set[str]:
    """Sites where relocate-only agency a may be hosted: where it exists, or within radius."""
    plan = ctx.inst.agencies[a]
    present = set(plan.present)
    if plan.radius_min is None:
        return present
    t = ctx.inst.travel_min
    return {
        j
        for j in ctx.v.sites
        if any(p in t.index and t.loc[p, j] <= plan.radius_min for p in present)
    }


@rule("agency-availability", name_ko="이전형 기관은 소재지에만")
def availability(ctx: RuleContext) -> None:
    """A relocate-only agency joins a center only where it exists (or within a radius).

    host[j,a,y] = 0 for j outside the agency's presence (data or the catalog's named
    assumption, or agencies.<a>.presence_codes) extended by agencies.<a>.radius_min. Where
    only the 시도 of its offices is known (presence sido_listed), each office moves into one
    center: sum_{j in sido s} host[j,a,y] <= the offices listed in s.
    Formulation: docs/formulation.md R14.
    """
    v, inst = ctx.v, ctx.inst
    for a in v.agencies:
        plan = inst.agencies[a]
        if not plan.relocate_only:
            continue
        ok = allowed_hosts(ctx, a)
        for j in v.sites:
            if j not in ok:
                for y in v.years:
                    ctx.fix_zero(v.host[(j, a, y)], f"{j}:{a}@{y}")
        for sido, n in (plan.offices_per_sido or {}).items():
            sites = [j for j in v.sites if inst.units.sido[j] == sido and j in ok]
            for y in v.years:
                if len(sites) > n:
                    terms = {v.host[(j, a, y)]: 1 for j in sites}
                    ctx.add(terms, "<=", n, f"{a} offices in {sido}@{y}")


@rule("agency-extended_only", name_ko="확장형 전용 기관")
def extended_only(ctx: RuleContext) -> None:
    """Extended-only agencies join only extended-format centers.

    host[j,a,y] <= sum_{f extended} fmt[j,f,y]. Reads formats.<f>.extended.
    Formulation: docs/formulation.md R15.
    """
    v = ctx.v
    ext = [f for f, fm in ctx.inst.scenario.formats.items() if fm.extended]
    for a in v.agencies:
        if not ctx.inst.agencies[a].extended_only:
            continue
        for j in v.sites:
            for y in v.years:
                terms = sum_terms({v.host[(j, a, y)]: 1}, {v.fmt[(j, f, y)]: -1 for f in ext})
                ctx.add(terms, "<=", 0, f"{j}:{a}@{y}")


def staff_placed(ctx: RuleContext, a: str, y: int) -> tuple[dict[int, int], int]:
    """Staff of agency a newly placed in phase y: tenants joining, kinds opening, guest teams.

    A tenant that relocates an existing office (catalog relocates, present at j) brings its
    own staff and draws nothing.
    """
    v, inst = ctx.v, ctx.inst
    plan = inst.agencies.get(a)
    per_center = plan.staff if plan is not None else 0
    terms: dict[int, int] = {}
    const = 0
    for j in v.sites:
        if a != ANCHOR and (j, a, y) in v.host and per_center and plan.draws_pool(j):
            t, c = v.joined(j, a, y)
            add_into(terms, t, per_center)
            const += c * per_center
        for k, kind in inst.scenario.kinds.items():
            n = kind.staff.get(a, 0) + (per_center if a == ANCHOR else 0)
            if n:
                t, c = v.opened(j, y, k)
                add_into(terms, t, n)
                const += c * n
    if a == WELFARE_AGENCY and per_center:
        p = v.prev_year(y)
        for (i, j, yy), var in v.team.items():
            if yy == y:
                add_into(terms, {var: per_center})
                prev = v.team.get((i, j, p)) if p is not None else None
                if prev is not None:
                    add_into(terms, {prev: -per_center})
    return terms, const


@rule("agency-staff_pool", name_ko="인력 풀")
def staff_pool(ctx: RuleContext) -> None:
    """Staff newly placed per agency stays within its pool, per phase or cumulatively.

    sum_{j new to a} staff[a] x (joins at j in y) + kind staff of new centers + guest welfare
    teams, where j is new to a unless a relocates (catalog relocates) an office present at j
    <= pools.<a>.<y> (pools_basis: per_phase), or the running sum <= the pool (cumulative).
    Phases without a pool figure are unconstrained.
    Formulation: docs/formulation.md R16.
    """
    sc = ctx.inst.scenario
    for a, by_year in ctx.inst.pools.items():
        if a not in ctx.inst.agencies:
            continue
        run_terms: dict[int, int] = {}
        run_const = 0
        for y in ctx.v.years:
            terms, const = staff_placed(ctx, a, y)
            add_into(run_terms, terms)
            run_const += const
            if y not in by_year:
                continue
            if sc.pools_basis == "cumulative":
                ctx.add(dict(run_terms), "<=", by_year[y], f"{a}@{y}", run_const)
            else:
                ctx.add(terms, "<=", by_year[y], f"{a}@{y}", const)
