"""Pre-solve checks: cheap arithmetic that proves a scenario infeasible before any solver runs.

Each finding names the rule it concerns (the rule names of docs/formulation.md) and states the
numbers, e.g. "2015 needs 30 new centers x 2 welfare_team staff = 60; pool is 50".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pandas as pd

from planner.domain import ANCHOR, WELFARE_AGENCY
from planner.instance import Instance


@dataclass(frozen=True)
class Finding:
    """One result of a pre-solve check, naming the rule it concerns."""

    level: Literal["error", "warning"]
    rule: str
    message: str
    # the further rules whose rows the finding's arithmetic uses: an error with this set is a
    # proof of infeasibility for any model in which these rules and ``rule`` hold as the
    # scenario states them (``PlanModel.solve`` answers such a model without a solver);
    # None: the finding stops ``planner run`` but is not offered as a proof
    relies_on: tuple[str, ...] | None = None

    def __str__(self) -> str:
        return f"[{self.level}] {self.rule}: {self.message}"

    def holds_under(self, rules: set[str]) -> bool:
        """Whether its rule and every rule it relies on are among ``rules``."""
        return {self.rule, *(self.relies_on or ())} <= rules


def _kind_open_in(inst: Instance, kind_id: str, year: int) -> bool:
    kind = inst.scenario.kinds[kind_id]
    return kind.earliest_year is None or year >= kind.earliest_year


def least_new(inst: Instance, cumulative: bool = False) -> dict[int, int]:
    """Least number of centers each phase must open (net), by the targets' mode.

    exact: the phase's new centers. at_least: the first phase's, since later phases may have
    been opened ahead; summed over phases (``cumulative``) the new centers still reach each
    cumulative target. at_most: none.
    """
    mode = inst.scenario.target_mode
    first = inst.years[0] if inst.years else None
    out = {}
    for y in inst.years:
        floor = mode == "exact" or (mode == "at_least" and (cumulative or y == first))
        out[y] = inst.new_per_phase[y] if floor else 0
    return out


def _targets_floor(inst: Instance) -> bool:
    """The cumulative targets are a least number of centers (exact or at_least)."""
    return inst.scenario.target_mode in ("exact", "at_least")


def _targets_cap(inst: Instance) -> bool:
    """The cumulative targets are a most number of centers (exact or at_most)."""
    return inst.scenario.target_mode in ("exact", "at_most")


def _min_new_builds(inst: Instance, cumulative: bool = False) -> dict[int, int]:
    """Least number of centers per phase that must use a kind not needing an Employment Center.

    Summed over phases (``cumulative``): conversion-eligible sites used first, in phase order.
    Per phase: a plan may keep every conversion site for this phase but those that phases
    without any such kind allowed yet had to use, so only the centers beyond them are new
    builds.
    """
    conv_total = len([c for c in inst.conversion_sites() if c not in inst.existing])
    free = [k for k, v in inst.scenario.kinds.items() if v.office != "required"]
    conv_left, used_before = conv_total, 0
    out = {}
    for y, n in least_new(inst, cumulative).items():
        if cumulative:
            use = min(n, conv_left)
            conv_left -= use
            out[y] = n - use
        else:
            out[y] = max(0, n - (conv_total - used_before))
            if not any(_kind_open_in(inst, k, y) for k in free):
                used_before += n
    return out


def check_targets(inst: Instance) -> list[Finding]:
    """Enough sites, conversion sites and kind capacity for each phase's target."""
    out = []
    sites = [c for c in inst.sites_allowed() if c not in inst.existing]
    conv = [c for c in inst.conversion_sites() if c not in inst.existing]
    need_ec = {k for k, v in inst.scenario.kinds.items() if v.office == "required"}
    free = {k for k in inst.scenario.kinds if k not in need_ec}
    least = least_new(inst)
    floor = _targets_floor(inst)
    for y in inst.years:
        cum = inst.cumulative[y]
        if floor and cum > len(sites):
            out.append(
                Finding(
                    "error",
                    "phase-target",
                    f"by {y} the targets call for {cum} new centers, but only "
                    f"{len(sites)} sites are available (study area {len(inst.codes)}"
                    f" units, {len(inst.scenario.sites.forbidden)} forbidden, "
                    f"{len(inst.existing)} already open)",
                )
            )
        if inst.new_per_phase[y] < 0 and inst.scenario.target_mode == "exact":
            out.append(Finding("error", "phase-target", f"{y}: cumulative target decreases"))
        open_free = [k for k in free if _kind_open_in(inst, k, y)]
        if floor and not open_free and cum > len(conv):
            out.append(
                Finding(
                    "error",
                    "site-earliest_year",
                    f"by {y} the targets call for {cum} new centers, but no kind "
                    f"without an Employment Center is allowed yet "
                    f"({', '.join(sorted(free)) or 'none defined'}) and only "
                    f"{len(conv)} conversion-eligible sites remain",
                )
            )
        caps = [
            inst.scenario.kinds[k].max_per_phase
            for k in inst.scenario.kinds
            if _kind_open_in(inst, k, y)
        ]
        if caps and all(c is not None for c in caps) and sum(caps) < least[y]:
            out.append(
                Finding(
                    "error",
                    "phase-target",
                    f"{y} needs {least[y]} new centers but the kinds' "
                    f"max_per_phase caps sum to {sum(caps)}",
                )
            )
    return out


def _staff_parts(inst: Instance, agency: str) -> dict[int, list[tuple[int, int, str]]]:
    """Per phase, the terms of the least staff of ``agency`` placed: (count, staff each, what).

    On the cumulative pool basis the terms of the phases up to y add up to the least by y.
    """
    cumulative = inst.scenario.pools_basis == "cumulative"
    parts: dict[int, list[tuple[int, int, str]]] = {y: [] for y in inst.years}
    plan = inst.agencies.get(agency)
    if plan is not None and plan.mandatory and plan.staff > 0:
        for y, n in least_new(inst, cumulative).items():
            if n:
                parts[y].append((n, plan.staff, "new centers"))
    linkage = inst.scenario.welfare_linkage_year
    if agency == WELFARE_AGENCY and plan is not None and plan.staff > 0 and linkage is not None:
        # a named arrangement places its guest teams in its first phase (R21), each costing a
        # team's officers (R16)
        # per phase only where no kind that hosts guests could open earlier (a team placed
        # before its arrangement starts is not newly placed then)
        hosting = [k for k, v in inst.scenario.kinds.items() if v.guest_teams_max != 0]
        starts: dict[int, int] = {}
        for from_year in inst.arranged_teams().values():
            start = next((y for y in inst.years if y >= from_year), None)
            earlier = (
                any(_kind_open_in(inst, k, y) for k in hosting for y in inst.years if y < start)
                if start is not None
                else False
            )
            if start is not None and start < linkage and (cumulative or not earlier):
                starts[start] = starts.get(start, 0) + 1
        for y, n in starts.items():
            parts[y].append((n, plan.staff, "arranged guest teams"))
    free = [k for k, v in inst.scenario.kinds.items() if v.office != "required"]
    if free:
        cheapest = min(inst.scenario.kinds[k].staff.get(agency, 0) for k in free)
        for y, n in _min_new_builds(inst, cumulative).items():
            if n and cheapest:
                parts[y].append((n, cheapest, "new builds (too few conversion sites)"))
    return parts


def _staff_need(inst: Instance, agency: str) -> dict[int, int]:
    """Least staff of ``agency`` placed per phase: mandatory tenants and unavoidable new builds."""
    return {y: sum(n * s for n, s, _ in terms) for y, terms in _staff_parts(inst, agency).items()}


# the rules check_pools' arithmetic stands on besides the pool itself: the targets (how many
# centers), mandatory tenants (every center draws their staff), centers and tenants staying,
# which kinds may open where and when, and the arranged guest teams and where teams may sit
POOL_PROOF_RULES = (
    "phase-target",
    "agency-mandatory",
    "agency-needs_center",
    "site-stays_open",
    "site-one_kind",
    "site-kind_eligibility",
    "site-earliest_year",
    "site-guest_team_cap",
    "serve-welfare_arrangement",
    "serve-welfare_linkage",
)


def check_pools(inst: Instance) -> list[Finding]:
    """Staff pools against the least staff the targets need."""
    out = []
    cumulative = inst.scenario.pools_basis == "cumulative"
    for agency, by_year in inst.pools.items():
        if agency not in inst.agencies:
            out.append(
                Finding(
                    "warning",
                    "agency-staff_pool",
                    f"pool for {agency}, which the scenario disables, is ignored",
                )
            )
            continue
        parts = _staff_parts(inst, agency)
        used = 0
        for y in inst.years:
            if y not in by_year:
                continue
            need = sum(n * per for n, per, _ in parts[y])
            used += need
            if cumulative and used > by_year[y]:
                out.append(
                    Finding(
                        "error",
                        "agency-staff_pool",
                        f"by {y} at least {used} {agency} staff are needed; "
                        f"the cumulative pool is {by_year[y]}",
                        POOL_PROOF_RULES,
                    )
                )
            elif not cumulative and need > by_year[y]:
                why = " + ".join(f"{n} {what} x {per} {agency} staff" for n, per, what in parts[y])
                out.append(
                    Finding(
                        "error",
                        "agency-staff_pool",
                        f"{y} needs {why} = {need}; pool is {by_year[y]}",
                        POOL_PROOF_RULES,
                    )
                )
    return out


def least_cost(inst: Instance) -> dict[int, tuple[float, int, int]]:
    """Per phase: the least capital cost of its new centers, with (conversions, new builds)."""
    kinds = inst.scenario.kinds
    fmt_min = min(f.cost_mkrw for f in inst.scenario.formats.values())
    conv_cost = min((k.cost_mkrw for k in kinds.values() if k.office == "required"), default=None)
    free_cost = min((k.cost_mkrw for k in kinds.values() if k.office != "required"), default=None)
    cheapest = min(c for c in (conv_cost, free_cost) if c is not None)
    out = {}
    least = least_new(inst)
    for y, nb in _min_new_builds(inst).items():
        conv = least[y] - nb
        cost = conv * cheapest + nb * (free_cost or 0.0) + least[y] * fmt_min
        out[y] = (cost, conv, nb)
    return out


def check_budget(inst: Instance) -> list[Finding]:
    """Phase budgets against the least cost of the phase's new centers."""
    out = []
    costs = least_cost(inst)
    for p in inst.scenario.phases:
        cost, conv, nb = costs[p.year]
        if p.budget_mkrw is not None and cost > p.budget_mkrw:
            out.append(
                Finding(
                    "error",
                    "phase-budget",
                    f"{p.year} needs at least {cost:,.0f} million KRW ({conv} "
                    f"conversions, {nb} new builds); budget is "
                    f"{p.budget_mkrw:,.0f}",
                )
            )
    return out


def check_region_balance(inst: Instance) -> list[Finding]:
    """Enough sites per 시도 and enough centers overall for the regional minimum."""
    rb = inst.scenario.regional_balance
    if rb is None:
        return []
    out = []
    allowed = set(inst.sites_allowed())
    sidos = inst.units.groupby("sido").apply(
        lambda g: len(set(g.index) & allowed), include_groups=False
    )
    short = sidos[sidos < rb.min_per_sido]
    for sido, n in short.items():
        out.append(
            Finding(
                "error",
                "region-balance",
                f"{sido} must have {rb.min_per_sido} centers by {rb.by_year} but "
                f"only {n} of its units may host one",
            )
        )
    years = [y for y in inst.years if y <= rb.by_year]
    if not years:
        out.append(
            Finding(
                "error",
                "region-balance",
                f"by_year {rb.by_year} is before the first phase {inst.years[0]}",
            )
        )
        return out
    need = len(sidos) * rb.min_per_sido
    have = inst.cumulative[years[-1]] + len(inst.existing)
    if need > have and _targets_cap(inst):
        out.append(
            Finding(
                "error",
                "region-balance",
                f"{len(sidos)} 시도 x {rb.min_per_sido} = {need} centers needed by "
                f"{rb.by_year}; the targets give {have}",
            )
        )
    return out


def check_forced(inst: Instance) -> list[Finding]:
    """Forced sites fit the targets, their kind's eligibility and earliest year."""
    out = []
    per_year: dict[int, int] = {}
    for i, f in enumerate(inst.forced):
        own = i < len(inst.scenario.sites.forced)
        where = f"sites.forced[{i}] ({f.code})" if own else f"sites.as_built ({f.code})"
        if f.code not in inst.units.index:
            out.append(Finding("error", "site-forced", f"{where} lies outside the study area"))
            continue
        if f.code in inst.existing:
            out.append(Finding("warning", "site-forced", f"{where} is already open"))
        year = f.year or inst.years[-1]
        per_year[year] = per_year.get(year, 0) + 1
        if f.kind is not None:
            kind = inst.scenario.kinds[f.kind]
            if f.code not in inst.kind_sites(f.kind) and f.code not in inst.existing:
                out.append(
                    Finding(
                        "error",
                        "site-kind_eligibility",
                        f"{where} is forced as {f.kind}, but {f.kind} may not open in "
                        f"{inst.units.name_ko[f.code]} ({_eligibility_text(inst, f.kind)})",
                    )
                )
            if (
                kind.earliest_year is not None
                and f.year is not None
                and f.year < kind.earliest_year
            ):
                out.append(
                    Finding(
                        "error",
                        "site-earliest_year",
                        f"{where} is forced as {f.kind} in {f.year}, before its "
                        f"earliest year {kind.earliest_year}",
                    )
                )
    running = 0
    for y in inst.years:
        running += per_year.get(y, 0)
        if running > inst.cumulative[y] and _targets_cap(inst):
            out.append(
                Finding(
                    "error",
                    "site-forced",
                    f"{running} sites are forced open by {y}, more than the "
                    f"{inst.cumulative[y]} new centers the targets allow",
                )
            )
    return out


def _eligibility_text(inst: Instance, k: str) -> str:
    """The kind's eligibility in words, with the network year."""
    kind = inst.scenario.kinds[k]
    parts = {
        "required": f"needs an Employment Center office ({inst.network_year} network)",
        "none": f"only where no Employment Center office stands ({inst.network_year} network)",
        "any": "",
    }
    words = [parts[kind.office]] if parts[kind.office] else []
    if kind.area == "metropolitan":
        words.append("metropolitan cities only")
    elif kind.area == "listed":
        words.append(f"only in {len(kind.eligible_codes)} listed units")
    return "; ".join(words) or "any unit"


def check_reach(inst: Instance) -> list[Finding]:
    """Units that no other unit's center can reach (a warning, not an error)."""
    cutoff = inst.scenario.travel.cutoff_min
    reach = (inst.travel_min <= cutoff).sum(axis=1)
    alone = reach[reach <= 1]
    if alone.empty:
        return []
    if inst.fine_grained:  # demand points (읍면동), named with their district
        names = ", ".join(f"{c} ({inst.units.name_ko[inst.unit_of[c]]})" for c in alone.index[:8])
        return [
            Finding(
                "warning",
                "serve-needs_tenant",
                f"{len(alone)} demand points reach at most one site within {cutoff:g} min: {names}",
            )
        ]
    names = ", ".join(inst.units.name_ko[c] for c in alone.index[:8])
    return [
        Finding(
            "warning",
            "serve-needs_tenant",
            f"{len(alone)} units reach no other unit within {cutoff:g} min "
            f"(served only by a center of their own): {names}",
        )
    ]


PRESOLVE_CHECKS = (
    check_targets,
    check_pools,
    check_budget,
    check_region_balance,
    check_forced,
    check_reach,
)


def run_checks(inst: Instance) -> list[Finding]:
    """All pre-solve findings, errors first."""
    found = [f for check in PRESOLVE_CHECKS for f in check(inst)]
    found += [Finding("warning", "data", n) for n in inst.notes]
    return sorted(found, key=lambda f: f.level != "error")


def network_table(inst: Instance) -> pd.DataFrame:
    """The Employment Center offices the scenario sees, and how their opening is known."""
    net = inst.network
    basis = net.opened_basis.value_counts()
    return pd.DataFrame(
        [
            {
                "network_year": inst.network_year,
                "offices": len(net),
                "main": int((~net.is_branch).sum()),
                "branches": int(net.is_branch.sum()),
                "units_with_office": int(net.host_code.nunique()),
                "before_2014_sourced": int(basis.get("source_before_2014", 0)),
                "before_2014_inferred": int(basis.get("inferred_before_2014", 0)),
                "opened_year_sourced": int(basis.get("source", 0)),
                "opened_year_inferred": int(basis.get("inferred", 0)),
            }
        ]
    )


def network_sources(inst: Instance) -> list[str]:
    """The sources behind the network's opening years, one line each (most used first)."""
    net = inst.network
    if net is None:
        return []
    counts: dict[str, int] = {}
    for cell in net.opened_source:
        for src in filter(None, (x.strip() for x in str(cell).split(";"))):
            counts[src] = counts.get(src, 0) + 1
    lines = [f"{src} ({n} offices)" for src, n in sorted(counts.items(), key=lambda t: -t[1])]
    inferred = int((net.opened_basis == "inferred_before_2014").sum())
    lines.append(
        f"{inferred} offices of the 2026 list have no dated source: taken to have stood "
        "before 2014 (inferred; data/history/PROVENANCE.md)"
    )
    anchor = inst.catalog.agencies.get(ANCHOR)
    seed = anchor.existing_count if anchor is not None else None
    main = int((~net.is_branch).sum())
    if seed and inst.network_year <= 2015 and main > seed:
        lines.append(
            f"seed table 3 counts {seed} Employment Centers before the programme; this "
            f"network has {main} main offices: about {main - seed} of the inferred ones "
            "opened later, but no source used dates them (sources of 2016-2017 were not "
            "used: those openings are held out)"
        )
    return lines


def summary_tables(inst: Instance) -> dict[str, pd.DataFrame]:
    """The tables `planner check` prints: phases, demand by segment, pools, sites."""
    phases = pd.DataFrame(
        {
            "new_centers": inst.new_per_phase,
            "cumulative": inst.cumulative,
            "least_cost_mkrw": {y: c[0] for y, c in least_cost(inst).items()},
            "budget_mkrw": {
                p.year: "-" if p.budget_mkrw is None else p.budget_mkrw
                for p in inst.scenario.phases
            },
            "demand_data_year": {y: d.data_year for y, d in inst.demand.items()},
        }
    )
    phases.index.name = "year"
    first = inst.demand[inst.years[0]]
    seg_rows = []
    for sid, seg in inst.catalog.segments.items():
        w = inst.scenario.segments.get(sid)
        seg_rows.append(
            {
                "segment": sid,
                "figure": seg.column,
                "estimate": "estimate" if seg.estimate else "statistic",
                "weight": w.weight if w else 0.0,
                f"total_{first.data_year}": int(first.table[sid].sum()),
                "served_by": inst.catalog.agency_of_segment().get(sid, ""),
            }
        )
    pools = []
    for agency, by_year in inst.pools.items():
        need = _staff_need(inst, agency) if agency in inst.agencies else {}
        for y in inst.years:
            if y in by_year:
                pools.append(
                    {
                        "agency": agency,
                        "year": y,
                        "pool": by_year[y],
                        "least_needed": need.get(y, 0),
                    }
                )
    allowed = inst.sites_allowed()
    sites = pd.DataFrame(
        [
            {
                "units_in_study_area": len(inst.codes),
                "forbidden": len(inst.scenario.sites.forbidden),
                "conversion_eligible": len(inst.conversion_sites()),
                "already_open": len(inst.existing),
                "forced": len(inst.forced),
                "island_units": int((inst.units.island_group != "").sum()),
                "allowed_sites": len(allowed),
            }
        ]
    )
    tables = {"network": network_table(inst)} if inst.network is not None else {}
    return tables | {
        "phases": phases,
        "segments": pd.DataFrame(seg_rows),
        "pools": pd.DataFrame(pools),
        "sites": sites,
    }
