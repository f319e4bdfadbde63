"""Rules on serving demand: through the right tenant, within the welfare linkage, capacity."""

from __future__ import annotations

from planner.domain import WELFARE_AGENCY, site_capacity, team_needed
from planner.errors import PlannerError
from planner.model.registry import RuleContext, rule, scale, sum_terms
from planner.model.variables import Terms


@rule("serve-needs_tenant", name_ko="담당 기관이 있어야 서비스")
def needs_tenant(ctx: RuleContext) -> None:
    """Demand is served only through the tenant serving its segment, once.

    serve[i,s,j,y] <= host[j,agency(s),y]; sum_j serve[i,s,j,y] <= 1. In min_travel every
    client is assigned: sum_j serve + unserved[i,s,y] = 1 (= 1 without unserved_min). With
    k_nearest in a max mode, far[i,s,y] <= sum of host[j,agency(s),y] over the sites left out.
    Levels formulation: level[S,a,y] <= sum_{j in S} host[j,a,y] (a forced level is >= 1).
    Formulation: docs/formulation.md R18.
    """
    v = ctx.v
    for key, var in v.level.items():
        sites, a, y, _ = key
        ctx.add(
            sum_terms({var: 1}, *(scale(v.hosts(j, a, y), -1) for j in sites)),
            "<=",
            0,
            _level_label(key),
        )
    for (i, s, y), var in v.far.items():
        beyond = ctx.reach.far_sites.get(i)
        if beyond is None:  # min_travel: far is a charged lower bound, not tied to a site
            continue
        ctx.add(_minus_hosts(ctx, var, beyond, s, y), "<=", 0, f"{i}:{s}->beyond k@{y}")
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


def _minus_hosts(ctx: RuleContext, var: int, sites: list[str], s: str, y: int) -> Terms:
    """Terms of var - sum over ``sites`` of 'the tenant serving s is there in y'."""
    a = ctx.v.segments[s]
    return sum_terms({var: 1}, *(scale(ctx.v.hosts(j, a, y), -1) for j in sites))


def _level_label(key) -> str:
    sites, a, y, u = key
    where = sites[0] if len(sites) == 1 else f"{sites[0]}+{len(sites) - 1} sites"
    return f"{where}:{a}@{y}" + ("" if u is None else f" for {u}")


@rule("serve-welfare_linkage", name_ko="복지 정보연계 전 관할 제한", params={"guest_teams": True})
def welfare_linkage(ctx: RuleContext) -> None:
    """Before the information-linkage year, welfare demand of i is served only where i's team is.

    For y < welfare_linkage_year and j != u (u: the district of demand point i):
    serve[i,s,j,y] <= team[u,j,y] (guest_teams) or 0; team[u,j,y] <= sum_k open[j,y,k]; teams
    stay once placed; each costs u's welfare officers (counted in agency-staff_pool). Levels
    and Benders: avail[u,j,y] <= team[u,j,y], avail <= host[j,welfare,y], and u's welfare
    level[S] <= host[u] (u in S) + sum_{j in S} avail[u,j,y]. Skipped when
    welfare_linkage_year is null.
    Formulation: docs/formulation.md R19.
    """
    v = ctx.v
    year = ctx.inst.scenario.welfare_linkage_year
    if year is None:
        return
    guests = bool(ctx.params.get("guest_teams", True))
    for key, var in v.level.items():  # levels: own district's center, or a team's
        sites, a, y, u = key
        if u is None:
            continue
        own = [scale(v.hosts(u, a, y), -1)] if u in sites else []
        guest = {v.avail[(u, j, y)]: -1 for j in sites if (u, j, y) in v.avail} if guests else {}
        ctx.add(sum_terms({var: 1}, *own, guest), "<=", 0, _level_label(key))
    for (u, j, y), var in v.avail.items():
        if not guests:
            ctx.fix_zero(var, f"guest welfare {u}->{j}@{y}")
            continue
        ctx.add({var: 1, v.team[(u, j, y)]: -1}, "<=", 0, f"guest welfare {u}->{j}@{y}")
        ctx.add(
            sum_terms({var: 1}, scale(v.hosts(j, WELFARE_AGENCY, y), -1)),
            "<=",
            0,
            f"guest welfare {u}->{j}@{y} needs the tenant",
        )
    for (i, s, j, y), var in v.serve.items():
        u = team_needed(ctx.reach.unit_of[i], v.segments[s], year, j, y)
        if u is None:
            continue
        if guests and (u, j, y) in v.team:
            ctx.add({var: 1, v.team[(u, j, y)]: -1}, "<=", 0, f"{i}:{s}->{j}@{y}")
        else:
            ctx.fix_zero(var, f"{i}:{s}->{j}@{y}")
    for (i, j, y), var in v.team.items():
        if not guests:
            ctx.fix_zero(var, f"team {i}->{j}@{y}")
            continue
        ctx.add(
            sum_terms({var: 1}, {c: -1 for c in v.is_open(j, y)}), "<=", 0, f"team {i}->{j}@{y}"
        )
        p = v.prev_year(y)
        if p is not None and (i, j, p) in v.team:
            ctx.add({var: 1, v.team[(i, j, p)]: -1}, ">=", 0, f"team stays {i}->{j}@{y}")


@rule(
    "center-capacity",
    name_ko="센터 처리 용량",
    default_active=False,
    params={"clients_per_center": 50_000, "per_site": {}, "split": False},
    needs={"serve"},
    needs_when={"split": {"mip", "split"}},
)
def capacity(ctx: RuleContext) -> None:
    """Optional caseload limit: demand of a segment served at one center <= its capacity.

    sum_i d[i,s,y] serve[i,s,j,y] <= cap[j] x host[j,agency(s),y], cap[j] = per_site[j] or
    clients_per_center. Off by default; the seed reports 60-80 cases a day per counsellor and
    350 clients per self-support counsellor, which a scenario can turn into this parameter.
    split: a demand point's clients may be divided among centers (serve is then a share in
    [0, 1]; MIP backends only), otherwise each goes whole to one center.
    Formulation: docs/formulation.md R20.
    """
    v = ctx.v
    if v.formulation != "assignment":
        raise PlannerError(
            "rule center-capacity needs the assignment formulation; it is "
            "built automatically when the rule is active"
        )
    unknown = sorted(set(ctx.params.get("per_site") or {}) - set(v.sites))
    if unknown:
        raise PlannerError(
            f"rules.center-capacity.params.per_site: unknown sites {unknown[:5]}"
            f"; allowed: the candidate sites' codes"
        )
    cap_of = site_capacity(ctx.params)
    rows: dict[tuple[str, str, int], dict[int, int]] = {}
    for (i, s, j, y), var in v.serve.items():
        d = int(ctx.inst.demand[y].value(i, s))
        rows.setdefault((j, s, y), {})[var] = d
    for (j, s, y), terms in rows.items():
        a = v.segments[s]
        cap = cap_of(j)
        ctx.add(sum_terms(terms, {c: -cap for c in v.hosts(j, a, y)}), "<=", 0, f"{j}:{s}@{y}")
