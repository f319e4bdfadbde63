"""Rules on serving demand: through the right tenant, within the welfare linkage, capacity."""

from __future__ import annotations

from collections.abc import Callable

from planner.domain import (
    ANCHOR,
    WELFARE_AGENCY,
    counsellor_capacity,
    site_capacity,
    team_needed,
)
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


@rule(
    "serve-welfare_linkage",
    name_ko="복지 정보연계 전 관할 제한",
    params={"guest_teams": True, "cross_sido": False},
)
def welfare_linkage(ctx: RuleContext) -> None:
    """Before the information-linkage year, welfare demand of i is served only where i's team is.

    For y < welfare_linkage_year and j != u (u: the district of demand point i):
    serve[i,s,j,y] <= team[u,j,y]; team[u,j,y] <= sum_k open[j,y,k]; teams stay once placed;
    each costs u's welfare officers (counted in agency-staff_pool). A team may sit at j only
    by a named arrangement (welfare_arrangements) or, with guest_teams, where u and j are in
    the same 시도 (any 시도 with cross_sido): team[u,j,y] = 0 otherwise. Levels and Benders:
    avail[u,j,y] <= team[u,j,y], avail <= host[j,welfare,y], and u's welfare level[S] <=
    host[u] (u in S) + sum_{j in S} avail[u,j,y]. Skipped when welfare_linkage_year is null.
    Formulation: docs/formulation.md R19.
    """
    v, inst = ctx.v, ctx.inst
    year = inst.scenario.welfare_linkage_year
    if year is None:
        return
    may_host = team_permission(inst, ctx.params)
    for key, var in v.level.items():  # levels: own district's center, or a team's
        sites, a, y, u = key
        if u is None:
            continue
        own = [scale(v.hosts(u, a, y), -1)] if u in sites else []
        guest = {v.avail[(u, j, y)]: -1 for j in sites if (u, j, y) in v.avail}
        ctx.add(sum_terms({var: 1}, *own, guest), "<=", 0, _level_label(key))
    for (u, j, y), var in v.avail.items():
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
        if (u, j, y) in v.team:
            ctx.add({var: 1, v.team[(u, j, y)]: -1}, "<=", 0, f"{i}:{s}->{j}@{y}")
        else:
            ctx.fix_zero(var, f"{i}:{s}->{j}@{y}")
    for (i, j, y), var in v.team.items():
        if not may_host(i, j):
            ctx.fix_zero(var, f"team {i}->{j}@{y}")
            continue
        ctx.add(
            sum_terms({var: 1}, {c: -1 for c in v.is_open(j, y)}), "<=", 0, f"team {i}->{j}@{y}"
        )
        p = v.prev_year(y)
        if p is not None and (i, j, p) in v.team:
            ctx.add({var: 1, v.team[(i, j, p)]: -1}, ">=", 0, f"team stays {i}->{j}@{y}")


def team_permission(inst, params) -> Callable[[str, str], bool]:
    """Whether district u's welfare team may sit in a center at j (rule serve-welfare_linkage)."""
    arranged = inst.arranged_teams()
    guests = bool(params.get("guest_teams", True))
    cross = bool(params.get("cross_sido", False))
    sido = inst.units.sido

    def may_host(u: str, j: str) -> bool:
        if (u, j) in arranged:
            return True
        return guests and (cross or sido[u] == sido[j])

    return may_host


@rule("serve-welfare_arrangement", name_ko="복지팀 지정 배치")
def welfare_arrangement(ctx: RuleContext) -> None:
    """Named hosting arrangements hold: the host is open and hosts the listed teams.

    For each welfare_arrangements entry and phase y >= from_year: sum_k open[host,y,k] = 1;
    and team[u,host,y] = 1 for each listed district u != host while y < welfare_linkage_year
    (after the linkage a team is no longer needed to serve u's clients there).
    Formulation: docs/formulation.md R21.
    """
    v, inst = ctx.v, ctx.inst
    for arr in inst.scenario.welfare_arrangements:
        if arr.host not in v.sites:
            continue
        for y in v.years:
            if y < arr.from_year:
                continue
            ctx.add(v.is_open(arr.host, y), "==", 1, f"{arr.host} open@{y}")
            for u in arr.teams:
                if (u, arr.host, y) in v.team:
                    ctx.add({v.team[(u, arr.host, y)]: 1}, "==", 1, f"team {u}->{arr.host}@{y}")


@rule("site-guest_team_cap", name_ko="유형별 타 시군구 복지팀 상한")
def guest_team_cap(ctx: RuleContext) -> None:
    """A center hosts at most its kind's guest_teams_max teams of other districts.

    team[u,j,y] <= sum_{k: cap_k != 0} open[j,y,k] for each team (only a kind that may host
    guests hosts one; one row per team keeps the LP tight), and where some kind has a cap
    above 0: sum_u team[u,j,y] <= sum_k cap_k open[j,y,k], cap_k = kinds.<k>.guest_teams_max
    (a kind without one: the number of teams that could sit at j). Skipped when no kind
    has a cap.
    Formulation: docs/formulation.md R22.
    """
    v, kinds = ctx.v, ctx.inst.scenario.kinds
    caps = {k: kd.guest_teams_max for k, kd in kinds.items()}
    if all(c is None for c in caps.values()):
        return
    hosting = [k for k, c in caps.items() if c != 0]
    at: dict[tuple[str, int], list[int]] = {}
    for (u, j, y), var in v.team.items():
        at.setdefault((j, y), []).append(var)
        terms = sum_terms({var: 1}, {v.open[(j, y, k)]: -1 for k in hosting})
        ctx.add(terms, "<=", 0, f"{u}->{j}@{y}")
    if not any(c for c in caps.values()):  # only 0 and unlimited: the rows above suffice
        return
    for (j, y), teams in at.items():
        cap = {k: len(teams) if c is None else c for k, c in caps.items()}
        terms = sum_terms({t: 1 for t in teams}, {v.open[(j, y, k)]: -cap[k] for k in kinds})
        ctx.add(terms, "<=", 0, f"{j}@{y}")


@rule(
    "center-capacity",
    name_ko="센터 처리 용량",
    default_active=False,
    params={
        "clients_per_center": 50_000,
        "per_site": {},
        "split": False,
        "basis": "clients",
        "cases_per_day": 70.0,
        "clients_per_counsellor": {"self_sufficiency": 350},
    },
    needs={"serve"},
    needs_when={"split": {"mip", "split"}},
)
def capacity(ctx: RuleContext) -> None:
    """Optional caseload limit: demand of a segment served at one center <= its capacity.

    sum_i d[i,s,y] serve[i,s,j,y] <= cap[j] x host[j,agency(s),y], cap[j] = per_site[j] or
    clients_per_center. Off by default; the seed reports 60-80 cases a day per counsellor and
    350 clients per self-support counsellor. basis: staff makes the capacity the center's
    counsellors x each one's clients: sum_i d serve <= c[a,s] x (staff[a] host[j,a,y] +
    sum_k staff[k,a] open[j,y,k]), and for the anchor c x sum_k (staff[k,EC] +
    office_counsellors [office required]) open[j,y,k], with c[a,s] =
    clients_per_counsellor[a] or cases_per_day x working_days / visits[s] (scenario
    caseload; defaults from seed table 9: 70, the middle of 60-80 cases a day, and 350).
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
    staff_basis = ctx.params.get("basis", "clients") == "staff"
    for (j, s, y), terms in rows.items():
        a = v.segments[s]
        if staff_basis:
            cap_terms = _staff_capacity_terms(ctx, j, a, s, y)
        else:
            cap_terms = {c: -cap_of(j) for c in v.hosts(j, a, y)}
        ctx.add(sum_terms(terms, cap_terms), "<=", 0, f"{j}:{s}@{y}")


def _staff_capacity_terms(ctx: RuleContext, j: str, a: str, s: str, y: int) -> Terms:
    """-(clients the counsellors of agency a at j can carry in y), as terms."""
    inst, v = ctx.inst, ctx.v
    cl = inst.scenario.caseload
    per = counsellor_capacity(ctx.params, cl, a, s)
    out: Terms = {}
    for k, kind in inst.scenario.kinds.items():
        n = kind.staff.get(a, 0)
        if a == ANCHOR and kind.office == "required":
            n += cl.office_counsellors
        if n:
            out[v.open[(j, y, k)]] = -per * n
    if a != ANCHOR and inst.agencies[a].staff:
        out[v.host[(j, a, y)]] = out.get(v.host[(j, a, y)], 0) - per * inst.agencies[a].staff
    return out
