"""Rules on serving demand: through the right tenant, within the welfare linkage, capacity."""

from __future__ import annotations

from planner.model.registry import RuleContext, rule, sum_terms


@rule("serve-needs_tenant")
def needs_tenant(ctx: RuleContext) -> None:
    """Demand is served only through the tenant serving its segment, once.

    serve[i,s,j,y] <= host[j,agency(s),y]; sum_j serve[i,s,j,y] <= 1. In min_travel every
    client is assigned: sum_j serve + unserved[i,s,y] = 1 (= 1 without unserved_min).
    """
    v = ctx.v
    by_district: dict[tuple[str, str, int], dict[int, int]] = {}
    for (i, s, j, y), var in v.serve.items():
        a = v.segments[s]
        terms = sum_terms({var: 1}, {c: -1 for c in v.hosts(j, a, y)})
        ctx.add(terms, "<=", 0, f"{i}:{s}->{j}@{y}")
        by_district.setdefault((i, s, y), {})[var] = 1
    assign_all = ctx.inst.scenario.objective.mode == "min_travel"
    for (i, s, y), terms in by_district.items():
        if (i, s, y) in v.far:
            terms = sum_terms(terms, {v.far[(i, s, y)]: 1})
        if (i, s, y) in v.unserved:
            ctx.add(sum_terms(terms, {v.unserved[(i, s, y)]: 1}), "==", 1, f"{i}:{s}@{y}")
        else:
            ctx.add(terms, "==" if assign_all else "<=", 1, f"{i}:{s}@{y}")


@rule("serve-welfare_linkage", params={"guest_teams": True})
def welfare_linkage(ctx: RuleContext) -> None:
    """Before the information-linkage year, welfare demand of i is served only where i's team is.

    For y < welfare_linkage_year and j != i: serve[i,s,j,y] <= team[i,j,y] (guest_teams) or 0;
    team[i,j,y] <= sum_k open[j,y,k]; teams stay once placed; each costs i's welfare officers
    (counted in agency-staff_pool). Skipped when welfare_linkage_year is null.
    """
    v = ctx.v
    year = ctx.inst.scenario.welfare_linkage_year
    if year is None:
        return
    welfare = set(ctx.reach.welfare_segments())
    guests = bool(ctx.params.get("guest_teams", True))
    for (i, s, j, y), var in v.serve.items():
        if s not in welfare or y >= year or i == j:
            continue
        if guests and (i, j, y) in v.team:
            ctx.add({var: 1, v.team[(i, j, y)]: -1}, "<=", 0, f"{i}:{s}->{j}@{y}")
        else:
            ctx.fix_zero(var, f"{i}:{s}->{j}@{y}")
    for (i, j, y), var in v.team.items():
        if not guests:
            ctx.fix_zero(var, f"team {i}->{j}@{y}")
            continue
        ctx.add(sum_terms({var: 1}, {c: -1 for c in v.is_open(j, y)}), "<=", 0,
                f"team {i}->{j}@{y}")
        p = v.prev_year(y)
        if p is not None and (i, j, p) in v.team:
            ctx.add({var: 1, v.team[(i, j, p)]: -1}, ">=", 0, f"team stays {i}->{j}@{y}")


@rule("center-capacity", default_active=False, params={"clients_per_center": 50_000})
def capacity(ctx: RuleContext) -> None:
    """Optional caseload limit: demand of a segment served at one center <= clients_per_center.

    sum_i d[i,s,y] serve[i,s,j,y] <= clients_per_center x host[j,agency(s),y]. Off by default;
    the seed reports 60-80 cases a day per counsellor and 350 clients per self-support
    counsellor, which a scenario can turn into this parameter.
    """
    v = ctx.v
    cap = int(ctx.params["clients_per_center"])
    rows: dict[tuple[str, str, int], dict[int, int]] = {}
    for (i, s, j, y), var in v.serve.items():
        d = int(ctx.inst.demand[y].value(i, s))
        rows.setdefault((j, s, y), {})[var] = d
    for (j, s, y), terms in rows.items():
        a = v.segments[s]
        ctx.add(sum_terms(terms, {c: -cap for c in v.hosts(j, a, y)}), "<=", 0,
                f"{j}:{s}@{y}")
