"""The solver-independent validator: the written specification of every rule.

It re-checks a plan (``Decisions``) against the instance, rule by rule, without looking at the
model's rows, and recomputes the objective. It imports nothing of the model package: reach
is recomputed here from the scenario's travel and decay (``SpecReach``), so a model that got
reach, tie-breaks or capacity wrong is caught rather than agreed with. It runs after every
solve; a violation of a hard rule is a bug in the model (or a pinned plan that a test expects
to be rejected). Soft rules' violations are reported with their amount.

Every built-in rule has a check here (``RULE_CHECKS``); the model's registry refuses a rule
without one. Custom rules added through ``PlanModel.add_rule`` have no check: the model
layer evaluates the rows they wrote and passes the broken ones in (``custom``), and the
solution says those rules were checked by their own rows only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from planner.domain import (
    ANCHOR,
    DEMAND_SCALE,
    TARGET_SENSE,
    TIEBREAK_PER_IDLE_TENANT,
    TIEBREAK_PER_MKRW,
    WELFARE_AGENCY,
    Decisions,
    counsellor_capacity,
    decay,
    decay_of,
    holds,
    site_capacity,
    team_needed,
)
from planner.instance import Instance, is_metropolitan

# the model rounds each served-share coefficient to a part per billion (domain.SHARE_UNITS):
# a 시도's share within this of its floor counts as met
SIDO_SHARE_TOL = 1e-6


@dataclass(frozen=True)
class Violation:
    """A rule a plan breaks, with the numbers."""

    rule: str
    message: str
    soft: bool = False

    def __str__(self) -> str:
        return f"{self.rule}{' (soft)' if self.soft else ''}: {self.message}"


class SpecReach:
    """Reach as the specification defines it, from the instance alone (no model table).

    A pair (i, j) is within reach when its reach is above 0: decay of the travel time for
    the objective mode, and a district always reaches its own site (travel 0 if unknown,
    reach 1) at district resolution. The k-nearest restriction is the model's business,
    not a rule: every pair within reach counts here.
    """

    def __init__(self, inst: Instance):
        sc = inst.scenario
        self.mode = sc.objective.mode
        self.kind, self.cutoff = decay_of(self.mode, sc.travel.cutoff_min, sc.travel.decay.kind)
        self.half_life = sc.travel.decay.half_life_min
        self.segments = inst.modelled_segments()
        self.weight = {s: sc.segments[s].weight for s in self.segments}
        self.unit_of = inst.unit_of
        t = inst.travel_min
        self._row = {p: a for a, p in enumerate(t.index)}
        self._col = {c: b for b, c in enumerate(t.columns)}
        self._t = t.to_numpy(dtype=float)
        self._own_site = not inst.fine_grained
        self._memo: dict[tuple[str, str], tuple[float, float]] = {}

    def pair(self, i: str, j: str) -> tuple[float, float]:
        """(travel minutes, reach) of site j for demand point i; reach 0 is beyond reach."""
        key = (i, j)
        if key not in self._memo:
            m = float(self._t[self._row[i], self._col[j]])
            if self._own_site and i == j:
                self._memo[key] = (m if np.isfinite(m) else 0.0, 1.0)
            else:
                self._memo[key] = (m, decay(m, self.kind, self.cutoff, self.half_life))
        return self._memo[key]

    def minutes(self, i: str, j: str) -> float:
        return self.pair(i, j)[0]

    def reach(self, i: str, j: str) -> float:
        return self.pair(i, j)[1]


Check = Callable[[Instance, Decisions, SpecReach, dict], list[str]]
RULE_CHECKS: dict[str, Check] = {}


def check(name: str) -> Callable[[Check], Check]:
    """Register the validator check of rule ``name`` (one per built-in rule)."""

    def deco(fn: Check) -> Check:
        if name in RULE_CHECKS:
            raise ValueError(f"validator check {name} registered twice")
        RULE_CHECKS[name] = fn
        return fn

    return deco


def _existing(inst: Instance) -> dict[str, str]:
    return {j: inst.scenario.sites.existing.kind for j in inst.existing}


def _hosts(d: Decisions, j: str, a: str, y: int) -> bool:
    if a == ANCHOR:
        return j in d.open_sites(y)
    return (j, a, y) in d.host


@check("site-one_kind")
def _one_kind(inst, d, reach, params):
    return [
        f"{j} runs {len(d.kind_at(j, y))} centers in {y}"
        for j in inst.codes
        for y in inst.years
        if len(d.kind_at(j, y)) > 1
    ]


@check("site-stays_open")
def _stays_open(inst, d, reach, params):
    out = []
    prev = _existing(inst)
    for y in inst.years:
        for j, k in prev.items():
            if k not in d.kind_at(j, y):
                out.append(f"{j} ({k}) open before {y} is not open as {k} in {y}")
        prev = {j: k for (j, yy, k) in d.open if yy == y}
    return out


@check("site-one_format")
def _one_format(inst, d, reach, params):
    out = []
    for y in inst.years:
        for j in inst.codes:
            fs = [f for (jj, f, yy) in d.fmt if jj == j and yy == y]
            if (j in d.open_sites(y)) != (len(fs) == 1) or len(fs) > 1:
                out.append(f"{j} in {y}: open={j in d.open_sites(y)} with formats {fs}")
    for j in inst.codes:
        fs = {f for (jj, f, _) in d.fmt if jj == j}
        if len(fs) > 1:
            out.append(f"{j} changes format: {sorted(fs)}")
    return out


def kind_refusal(inst: Instance, k: str, j: str) -> str | None:
    """Why kind k may not open at j (None when it may), read from the kind's data."""
    kind = inst.scenario.kinds[k]
    office = bool(inst.has_ec[j])
    if kind.office == "required" and not office:
        return f"no Employment Center office in the {inst.network_year} network"
    if kind.office == "none" and office:
        return f"an Employment Center office stands there ({inst.network_year})"
    sido = str(inst.units.sido[j])
    if kind.area == "metropolitan" and not is_metropolitan(sido):
        return f"{sido} is not a metropolitan city"
    if kind.area == "listed" and j not in kind.eligible_codes:
        return "not in the kind's eligible_codes"
    return None


@check("site-kind_eligibility")
def _kind_eligibility(inst, d, reach, params):
    ex = _existing(inst)
    out = []
    for j, y, k in sorted(d.open):
        why = None if ex.get(j) == k else kind_refusal(inst, k, j)
        if why:
            out.append(f"{j} opens as {k} in {y}: {why}")
    return out


@check("site-earliest_year")
def _earliest(inst, d, reach, params):
    ex = _existing(inst)
    out = []
    for j, y, k in d.open:
        e = inst.scenario.kinds[k].earliest_year
        if e is not None and y < e and ex.get(j) != k:
            out.append(f"{j} is a {k} in {y}, before {e}")
    return out


def _opened(inst: Instance, d: Decisions) -> dict[int, list[tuple[str, str]]]:
    """Per phase, the (site, kind) newly opened."""
    prev = _existing(inst)
    out: dict[int, list[tuple[str, str]]] = {}
    for y in inst.years:
        now = {j: k for (j, yy, k) in d.open if yy == y}
        out[y] = [(j, k) for j, k in now.items() if prev.get(j) != k]
        prev = now
    return out


def _format_opened(inst: Instance, d: Decisions) -> dict[int, list[tuple[str, str]]]:
    prev = {j: inst.scenario.sites.existing.format for j in inst.existing}
    out: dict[int, list[tuple[str, str]]] = {}
    for y in inst.years:
        now = {j: f for (j, f, yy) in d.fmt if yy == y}
        out[y] = [(j, f) for j, f in now.items() if prev.get(j) != f]
        prev = now
    return out


@check("site-kind_cap")
def _kind_cap(inst, d, reach, params):
    out = []
    for y, new in _opened(inst, d).items():
        for k, kind in inst.scenario.kinds.items():
            n = sum(1 for _, kk in new if kk == k)
            if kind.max_per_phase is not None and n > kind.max_per_phase:
                out.append(f"{n} {k} centers open in {y}; cap {kind.max_per_phase}")
    return out


@check("site-existing")
def _existing_check(inst, d, reach, params):
    y1 = inst.years[0]
    ex = inst.scenario.sites.existing
    out = [
        f"existing center {j} is not open as {ex.kind} in {y1}"
        for j in inst.existing
        if ex.kind not in d.kind_at(j, y1)
    ]
    out += [
        f"existing center {j} is not {ex.format} in {y1}"
        for j in inst.existing
        if (j, ex.format, y1) not in d.fmt
    ]
    return out


@check("site-forced")
def _forced(inst, d, reach, params):
    out = []
    for f in inst.forced:
        if f.code not in inst.codes:
            continue
        y = f.year or inst.years[-1]
        kinds = d.kind_at(f.code, y)
        if not kinds or (f.kind is not None and f.kind not in kinds):
            out.append(f"{f.code} must be open{' as ' + f.kind if f.kind else ''} by {y}")
        if f.format is not None and (f.code, f.format, inst.years[-1]) not in d.fmt:
            out.append(f"{f.code} must have format {f.format}")
        for a in f.tenants:
            if a != ANCHOR and (f.code, a, y) not in d.host:
                out.append(f"{f.code} must host {a} by {y}")
    return out


@check("site-frozen")
def _frozen(inst, d, reach, params):
    fr = inst.frozen
    if fr is None:
        return []
    out = []
    for y in inst.years:
        if y > fr.through_year:
            continue
        for j in inst.codes:
            c = fr.centers.get(j)
            c = c if c is not None and c.year <= y else None
            if c is None and j in inst.existing:
                continue
            want = {c.kind} if c is not None else set()
            if set(d.kind_at(j, y)) != want:
                out.append(f"{j} in {y}: {sorted(d.kind_at(j, y))}, frozen as {sorted(want)}")
            fmts = {f for (jj, f, yy) in d.fmt if jj == j and yy == y}
            if fmts != ({c.format} if c is not None else set()):
                out.append(f"{j} in {y}: format {sorted(fmts)}, frozen as {c and c.format}")
            hosts = {a for a in inst.agencies if a != ANCHOR and (j, a, y) in d.host}
            frozen_hosts = (
                {a for a, ty in c.tenants.items() if ty <= y and a in inst.agencies}
                if c is not None
                else set()
            )
            if hosts != frozen_hosts:
                out.append(f"{j} in {y}: tenants {sorted(hosts)}, frozen {sorted(frozen_hosts)}")
    return out


@check("site-forbidden")
def _forbidden(inst, d, reach, params):
    bad = set(inst.scenario.sites.forbidden)
    return sorted({f"{j} is forbidden but opens in {y}" for (j, y, _) in d.open if j in bad})


@check("phase-target")
def _target(inst, d, reach, params):
    out = []
    mode = inst.scenario.target_mode
    for y in inst.years:
        n = len(d.open_sites(y))
        want = inst.cumulative[y] + len(inst.existing)
        if not holds(n, TARGET_SENSE[mode], want):
            out.append(f"{n} centers open in {y}; target {mode} {want}")
    return out


def phase_costs(inst: Instance, d: Decisions) -> dict[int, float]:
    """Capital cost (million KRW) of what opens in each phase."""
    sc = inst.scenario
    site = sc.sites.opening_cost_mkrw
    costs = {
        y: float(sum(round(sc.kinds[k].cost_mkrw + site.get(j, 0.0)) for j, k in new))
        for y, new in _opened(inst, d).items()
    }
    for y, new in _format_opened(inst, d).items():
        costs[y] += sum(round(sc.formats[f].cost_mkrw) for _, f in new)
    for y, joins in _joined(inst, d).items():
        for j, a in joins:
            plan = inst.agencies[a]
            moved = plan.relocates and j in plan.present
            costs[y] += round(plan.relocation_cost if moved else plan.establishment_cost)
    return costs


def _joined(inst: Instance, d: Decisions) -> dict[int, list[tuple[str, str]]]:
    """Per phase, the (site, agency) tenants that moved in (not the anchor)."""
    prev = {(j, a) for j in inst.existing for a, p in inst.agencies.items() if p.mandatory}
    out: dict[int, list[tuple[str, str]]] = {}
    for y in inst.years:
        now = {(j, a) for (j, a, yy) in d.host if yy == y}
        out[y] = sorted(now - prev)
        prev = now
    return out


@check("phase-budget")
def _budget(inst, d, reach, params):
    costs = phase_costs(inst, d)
    return [
        f"{p.year}: cost {costs[p.year]:,.0f} > budget {p.budget_mkrw:,.0f} million KRW"
        for p in inst.scenario.phases
        if p.budget_mkrw is not None and costs[p.year] > int(p.budget_mkrw)
    ]


@check("agency-mandatory")
def _mandatory(inst, d, reach, params):
    out = []
    for a, plan in inst.agencies.items():
        if a == ANCHOR or not plan.mandatory:
            continue
        for y in inst.years:
            for j in d.open_sites(y):
                if (j, a, y) not in d.host:
                    out.append(f"{a} is missing from the center at {j} in {y}")
    return out


@check("agency-needs_center")
def _needs_center(inst, d, reach, params):
    out = [
        f"{a} is at {j} in {y} with no center open"
        for (j, a, y) in d.host
        if j not in d.open_sites(y)
    ]
    existing_hosts = {
        (j, a) for j in inst.existing for a, p in inst.agencies.items() if p.mandatory
    }
    for j, a, y in d.host:
        nxt = [yy for yy in inst.years if yy > y]
        if nxt and (j, a, nxt[0]) not in d.host:
            out.append(f"{a} leaves the center at {j} after {y}")
    for j, a in existing_hosts:
        if a != ANCHOR and (j, a, inst.years[0]) not in d.host:
            out.append(f"{a} leaves the existing center at {j}")
    return out


@check("agency-availability")
def _availability(inst, d, reach, params):
    out = []
    t = inst.travel_min
    for j, a, y in d.host:
        plan = inst.agencies[a]
        if not plan.relocate_only or j in plan.present:
            continue
        r = plan.radius_min
        if r is None or not any(t.loc[p, j] <= r for p in plan.present if p in t.index):
            out.append(f"{a} (relocate only) is hosted at {j} in {y}, where it does not exist")
    count: dict[tuple[str, str, int], int] = defaultdict(int)
    for j, a, y in d.host:
        if inst.agencies[a].relocate_only and inst.agencies[a].offices_per_sido:
            count[(a, str(inst.units.sido[j]), y)] += 1
    for (a, sido, y), n in sorted(count.items()):
        have = inst.agencies[a].offices_per_sido.get(sido, 0)
        if n > have:
            out.append(f"{a} is in {n} centers of {sido} in {y}; {have} offices exist there")
    return out


@check("agency-extended_only")
def _extended_only(inst, d, reach, params):
    ext = {f for f, fm in inst.scenario.formats.items() if fm.extended}
    return [
        f"{a} (extended only) is at {j} in {y}, not an extended center"
        for (j, a, y) in d.host
        if inst.agencies[a].extended_only and not any((j, f, y) in d.fmt for f in ext)
    ]


def staff_placed(inst: Instance, d: Decisions) -> dict[tuple[str, int], int]:
    """(agency, phase) -> staff newly placed: tenants joining, kinds opening, guest teams."""
    out: dict[tuple[str, int], int] = defaultdict(int)
    opened = _opened(inst, d)
    joined = _joined(inst, d)
    for y in inst.years:
        for j, a in joined[y]:
            plan = inst.agencies[a]
            if not (plan.relocates and j in plan.present):  # a relocated office brings its staff
                out[(a, y)] += plan.staff
        for _, k in opened[y]:
            for a, n in inst.scenario.kinds[k].staff.items():
                out[(a, y)] += n
            if ANCHOR in inst.agencies:
                out[(ANCHOR, y)] += inst.agencies[ANCHOR].staff
    if WELFARE_AGENCY in inst.agencies:
        prev_t: set[tuple[str, str]] = set()
        for y in inst.years:
            now_t = {(i, j) for (i, j, yy) in d.team if yy == y}
            out[(WELFARE_AGENCY, y)] += len(now_t - prev_t) * inst.agencies[WELFARE_AGENCY].staff
            prev_t = now_t
    return dict(out)


@check("agency-staff_pool")
def _staff_pool(inst, d, reach, params):
    placed = staff_placed(inst, d)
    out = []
    for a, by_year in inst.pools.items():
        if a not in inst.agencies:
            continue
        run = 0
        for y in inst.years:
            run += placed.get((a, y), 0)
            used = run if inst.scenario.pools_basis == "cumulative" else placed.get((a, y), 0)
            if y in by_year and used > by_year[y]:
                out.append(f"{a} {y}: {used} staff placed, pool {by_year[y]}")
    return out


@check("region-balance")
def _balance(inst, d, reach, params):
    rb = inst.scenario.regional_balance
    if rb is None:
        return []
    years = [y for y in inst.years if y <= rb.by_year]
    if not years:
        return []
    opened = d.open_sites(years[-1])
    out = []
    for sido, grp in inst.units.groupby("sido"):
        n = len(opened & set(grp.index))
        if n < rb.min_per_sido:
            out.append(f"{sido} has {n} centers in {years[-1]}; minimum {rb.min_per_sido}")
    return out


def sido_served_share(inst: Instance, d: Decisions, reach: SpecReach, y: int) -> dict[str, float]:
    """Each 시도's served share in phase y: sum w d r (the plan's serving) / sum w d.

    The share the coverage floor (R24) and the max-min objective (O2) bind; 시도 without
    demand are left out.
    """
    sido = inst.units.sido
    demand: dict[str, float] = defaultdict(float)
    for i in inst.point_codes:
        g = str(sido[reach.unit_of[i]])
        demand[g] += sum(reach.weight[s] * inst.demand[y].value(i, s) for s in reach.segments)
    served: dict[str, float] = defaultdict(float)
    for i, s, j, yy in d.serve:
        if yy == y and s in reach.segments:
            g = str(sido[reach.unit_of[i]])
            dem = reach.weight[s] * inst.demand[y].value(i, s)
            served[g] += dem * reach.reach(i, j) * d.share_of((i, s, j, y))
    return {g: served[g] / dem for g, dem in demand.items() if dem > 0}


@check("region-coverage_floor")
def _coverage_floor(inst, d, reach, params):
    floor = float(params.get("min_share") or 0.0)
    start = params.get("from_year") or inst.years[-1]
    out = []
    for y in inst.years:
        if y < start:
            continue
        for g, share in sido_served_share(inst, d, reach, y).items():
            if share < floor - SIDO_SHARE_TOL:
                out.append(f"{g} served share {share:.4%} in {y}; minimum {floor:.4%}")
    return out


@check("serve-needs_tenant")
def _needs_tenant(inst, d, reach, params):
    out = []
    count: dict[tuple[str, str, int], float] = defaultdict(float)
    for i, s, j, y in d.serve:
        count[(i, s, y)] += d.share_of((i, s, j, y))
        if reach.reach(i, j) <= 0:
            out.append(f"{i} {s} served at {j} in {y}, beyond reach")
        if s not in reach.segments or not _hosts(d, j, reach.segments[s], y):
            out.append(f"{i} {s} served at {j} in {y} without its tenant")
    out += [f"{i} {s} served {n:g} times in {y}" for (i, s, y), n in count.items() if n > 1 + 1e-6]
    if inst.scenario.objective.mode == "min_travel":
        for i in inst.point_codes:
            for s in reach.segments:
                for y in inst.years:
                    n = count.get((i, s, y), 0) + int((i, s, y) in d.unserved)
                    if abs(n - 1) > 1e-6:
                        out.append(f"{i} {s} in {y} assigned {n:g} times (min_travel needs 1)")
    return out


@check("serve-welfare_linkage")
def _linkage(inst, d, reach, params):
    year = inst.scenario.welfare_linkage_year
    if year is None:
        return []
    guests = bool(params.get("guest_teams", True))
    cross = bool(params.get("cross_sido", False))
    arranged = {(u, arr.host) for arr in inst.scenario.welfare_arrangements for u in arr.teams}
    sido = inst.units.sido
    out = []
    for i, s, j, y in d.serve:
        u = team_needed(reach.unit_of[i], reach.segments.get(s, ""), year, j, y)
        if u is not None and (u, j, y) not in d.team:
            out.append(
                f"welfare demand of {i} served at {j} in {y}, before the linkage "
                f"({year}), without {u}'s team there"
            )
    for i, j, y in sorted(d.team):
        if (i, j) not in arranged:
            if not guests:
                out.append(f"team of {i} at {j} in {y}, but guest teams are off")
            elif not cross and sido[i] != sido[j]:
                out.append(f"team of {i} ({sido[i]}) at {j} ({sido[j]}) in {y}: another 시도")
        if j not in d.open_sites(y):
            out.append(f"team of {i} at {j} in {y} with no center open")
        if y >= year:
            out.append(f"team of {i} at {j} in {y}, after the linkage ({year})")
    for i, j, y in d.team:
        nxt = [yy for yy in inst.years if yy > y and yy < year]
        if nxt and (i, j, nxt[0]) not in d.team:
            out.append(f"team of {i} leaves {j} after {y}")
    return out


@check("serve-welfare_arrangement")
def _arrangement(inst, d, reach, params):
    year = inst.scenario.welfare_linkage_year
    out = []
    for arr in inst.scenario.welfare_arrangements:
        if arr.host not in inst.codes:
            continue
        for y in inst.years:
            if y < arr.from_year:
                continue
            if arr.host not in d.open_sites(y):
                out.append(f"{arr.name or arr.host}: no center at {arr.host} in {y}")
            if year is None or y >= year:
                continue
            for u in arr.teams:
                if u != arr.host and u in inst.codes and (u, arr.host, y) not in d.team:
                    out.append(f"{arr.name or arr.host}: team of {u} not at {arr.host} in {y}")
    return out


@check("site-guest_team_cap")
def _guest_team_cap(inst, d, reach, params):
    count: dict[tuple[str, int], int] = defaultdict(int)
    for _, j, y in d.team:
        count[(j, y)] += 1
    out = []
    for (j, y), n in sorted(count.items()):
        for k in d.kind_at(j, y):
            cap = inst.scenario.kinds[k].guest_teams_max
            if cap is not None and n > cap:
                out.append(f"{j} ({k}) hosts {n} guest teams in {y}; its kind allows {cap}")
    return out


@check("center-capacity")
def _capacity(inst, d, reach, params):
    cap_of = site_capacity(params)
    load: dict[tuple[str, str, int], float] = defaultdict(float)
    for i, s, j, y in d.serve:
        load[(j, s, y)] += inst.demand[y].value(i, s) * d.share_of((i, s, j, y))
    out = []
    staff_basis = params.get("basis", "clients") == "staff"
    cl = inst.scenario.caseload
    for (j, s, y), n in load.items():
        if staff_basis:  # the center's counsellors of the agency, as its kind and tenants say
            a = reach.segments[s]
            kinds = inst.scenario.kinds
            heads = sum(
                kinds[k].staff.get(a, 0)
                + (cl.office_counsellors if a == ANCHOR and kinds[k].office == "required" else 0)
                for k in d.kind_at(j, y)
            )
            if a != ANCHOR and (j, a, y) in d.host:
                heads += inst.agencies[a].staff
            cap = heads * counsellor_capacity(params, cl, a, s)
        else:
            cap = cap_of(j)
        if n > cap * (1 + 1e-6):
            out.append(f"{j} {s} {y}: {n:,.0f} clients > {cap:,}")
    return out


def objective_value(inst: Instance, d: Decisions, reach: SpecReach | None = None) -> float:
    """The objective recomputed from the plan, in persons (min_travel: person-minutes)."""
    reach = reach or SpecReach(inst)
    obj = inst.scenario.objective
    pw = inst.phase_weights()
    total = 0.0
    for i, s, j, y in d.serve:
        dem = inst.demand[y].value(i, s) * reach.weight[s] * pw[y] * d.share_of((i, s, j, y))
        minutes, r = reach.pair(i, j)
        total += dem * (minutes if obj.mode == "min_travel" else r)
    if obj.mode == "min_travel" and obj.unserved_min is not None:
        for i, s, y in d.unserved:
            total += inst.demand[y].value(i, s) * reach.weight[s] * pw[y] * obj.unserved_min
    cost = sum(phase_costs(inst, d).values())
    fixed = sum(inst.agencies[a].value_per_center * pw[y] for (_, a, y) in d.host)
    total += -fixed if obj.mode == "min_travel" else fixed
    idle = sum(
        1
        for (_, a, _) in d.host
        if not inst.agencies[a].mandatory
        and inst.agencies[a].value_per_center <= 0
        and inst.agencies[a].segment not in reach.segments
    )
    extra = (
        cost * (obj.cost_weight + TIEBREAK_PER_MKRW / DEMAND_SCALE)
        + idle * TIEBREAK_PER_IDLE_TENANT / DEMAND_SCALE
    )
    return total + extra if obj.mode == "min_travel" else total - extra


def validate(
    inst: Instance, d: Decisions, states: dict, custom: dict[str, list[str]] | None = None
) -> list[Violation]:
    """Every violation of an active rule (soft ones marked), built-in and custom.

    ``states``: rule name -> state (active, soft, params). A rule with no check here is a
    custom rule; ``custom`` holds the rows it broke, as evaluated by the model layer.
    """
    reach = SpecReach(inst)
    out = []
    for name, st in states.items():
        if not st.active:
            continue
        if name in RULE_CHECKS:
            msgs = RULE_CHECKS[name](inst, d, reach, st.params)
        else:
            msgs = (custom or {}).get(name, [])
        out.extend(Violation(name, msg, soft=st.soft) for msg in msgs)
    return out
