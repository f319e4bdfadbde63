"""A scenario resolved against the data: the numbers a check or a model works with.

Everything a rule needs is computed here once (sites in the study area, who may convert, which
agencies exist where, pools, demand per phase, travel), so that checks, the model and the
validator read the same facts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from planner.built_sites import Frozen, as_built_sites, frozen_plan
from planner.data.catalog import Catalog
from planner.data.districts import LIST_YEAR, DemandYear, DistrictData
from planner.data.travel import (
    TravelModel,
    load_od_matrix,
    travel_minutes,
    travel_minutes_between,
)
from planner.demand_scenarios import scenario_demand
from planner.domain import ANCHOR
from planner.errors import PlannerError, ScenarioError
from planner.references import reference_problems
from planner.scenario.schema import ForcedSite, Scenario

# Years in which no office opening is recorded (data/history/PROVENANCE.md)
UNRECORDED = (2016, 2019)


@dataclass(frozen=True)
class AgencyPlan:
    """An agency as the scenario uses it (catalog defaults with the scenario's overrides)."""

    id: str
    name_ko: str
    name_en: str
    segment: str | None
    staff: int
    mandatory: bool
    extended_only: bool
    relocate_only: bool
    radius_min: float | None
    present: frozenset[str]
    presence_basis: str
    relocates: bool = True  # joins where present with its own staff (no pool)
    offices_per_sido: dict[str, int] | None = None  # sido_listed: offices known per 시도
    value_per_center: float = 0.0  # fixed value per hosting center and phase (persons)
    relocation_cost: float = 0.0  # million KRW, where it exists
    establishment_cost: float = 0.0  # million KRW, where it is set up anew

    def relocation(self, j: str) -> bool:
        """Whether joining a center at j moves an existing office (not a new one)."""
        return self.relocates and j in self.present

    def draws_pool(self, j: str) -> bool:
        """Whether joining a center at j takes staff from the agency's pool."""
        return not self.relocation(j)

    def join_cost(self, j: str) -> float:
        """One-off cost (million KRW) of this agency joining a center at j."""
        return self.relocation_cost if self.relocation(j) else self.establishment_cost


@dataclass
class Instance:
    """One scenario on one vintage's data, restricted to its study area."""

    scenario: Scenario
    districts: DistrictData | None
    catalog: Catalog
    units: pd.DataFrame
    years: list[int]
    new_per_phase: dict[int, int]
    cumulative: dict[int, int]
    has_ec: pd.Series
    existing: list[str]
    agencies: dict[str, AgencyPlan]
    pools: dict[str, dict[int, int]]
    demand: dict[int, DemandYear]
    travel_min: pd.DataFrame  # demand points (rows) x candidate sites (columns)
    notes: list[str] = field(default_factory=list)
    points: pd.DataFrame | None = None  # demand points (index) with their ``unit``
    network_year: int | None = None  # the year of the Employment Center network used
    forced: list[ForcedSite] | None = None  # sites.forced plus sites.as_built (None: forced)
    network: pd.DataFrame | None = None  # its offices in the study area (None: from arrays)
    frozen: Frozen | None = None  # sites.frozen: the centers of the frozen phases
    # demand_scenarios: each one's demand per phase at the demand points (O3's regret rows)
    demand_by_scenario: dict[str, dict[int, DemandYear]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.points is None:  # district resolution: each unit is its own demand point
            self.points = pd.DataFrame({"unit": self.units.index}, index=self.units.index)
        self.unit_of: dict[str, str] = dict(zip(self.points.index, self.points.unit, strict=True))
        if self.forced is None:
            self.forced = list(self.scenario.sites.forced)

    @property
    def codes(self) -> list[str]:
        """Units of the study area: the candidate sites."""
        return list(self.units.index)

    @property
    def point_codes(self) -> list[str]:
        """Demand points: the units themselves, or their 읍면동 at ``emd`` resolution."""
        return list(self.points.index)

    @property
    def fine_grained(self) -> bool:
        """Demand points are not the units (읍면동, or a researcher's own points)."""
        return not self.points.index.equals(self.units.index)

    def sites_allowed(self) -> list[str]:
        forbidden = set(self.scenario.sites.forbidden)
        return [c for c in self.codes if c not in forbidden]

    def phase_weights(self) -> dict[int, float]:
        """(1 - discount) ** phase index: how much a phase's service counts in the objective."""
        disc = self.scenario.objective.discount
        return {y: (1.0 - disc) ** n for n, y in enumerate(self.years)}

    def modelled_segments(self) -> dict[str, str]:
        """Segment -> the agency serving it, for segments with weight and an agency in use."""
        seg_agency = self.catalog.agency_of_segment()
        return {
            s: seg_agency[s]
            for s, st in self.scenario.segments.items()
            if st.weight > 0 and seg_agency.get(s) in self.agencies
        }

    def arranged_teams(self) -> dict[tuple[str, str], int]:
        """(team's district, host site) -> first year, from welfare_arrangements (in the area).

        A district's team at its own site is not a guest team and is left out.
        """
        out: dict[tuple[str, str], int] = {}
        for arr in self.scenario.welfare_arrangements:
            if arr.host not in self.units.index:
                continue
            for u in arr.teams:
                if u != arr.host and u in self.units.index:
                    key = (u, arr.host)
                    out[key] = min(arr.from_year, out.get(key, arr.from_year))
        return out

    def metropolitan(self, j: str) -> bool:
        """Whether unit j belongs to a metropolitan city (특별시 or 광역시)."""
        return is_metropolitan(str(self.units.sido[j]))

    def kind_sites(self, k: str) -> frozenset[str]:
        """Sites where kind k may open: its office and area conditions hold (computed once).

        Formulation rule site-kind_eligibility; centers open before the horizon are exempt.
        """
        cache = self.__dict__.setdefault("_kind_sites", {})
        if k in cache:
            return cache[k]
        kind = self.scenario.kinds[k]
        out = []
        for j in self.codes:
            if kind.office == "required" and not self.has_ec[j]:
                continue
            if kind.office == "none" and self.has_ec[j]:
                continue
            if kind.area == "metropolitan" and not self.metropolitan(j):
                continue
            if kind.area == "listed" and j not in kind.eligible_codes:
                continue
            out.append(j)
        cache[k] = frozenset(out)
        return cache[k]

    def conversion_sites(self) -> list[str]:
        """Allowed sites where some kind that needs an Employment Center office may open."""
        office_kinds = [k for k, kd in self.scenario.kinds.items() if kd.office == "required"]
        eligible = {j for k in office_kinds for j in self.kind_sites(k)}
        return [c for c in self.sites_allowed() if c in eligible]


METROPOLITAN_SUFFIXES = ("특별시", "광역시")


def is_metropolitan(sido: str) -> bool:
    """A 시도 name of a metropolitan city (서울특별시, 부산광역시...; not 세종특별자치시)."""
    return sido.endswith(METROPOLITAN_SUFFIXES)


def _presence(
    agency_id: str,
    presence: str,
    districts: DistrictData | None,
    units: pd.DataFrame,
    network: pd.DataFrame | None,
) -> frozenset[str]:
    if presence == "every_unit":
        return frozenset(units.index)
    if presence == "cities":
        return frozenset(units.index[units.kind != "gun"])
    if presence == "none" or districts is None:
        return frozenset()
    if agency_id == ANCHOR:
        return frozenset(c for c in network.host_code if c in units.index)
    rows = districts.presence[districts.presence.agency == agency_id]
    if presence == "listed":
        return frozenset(c for c in rows.code if c in units.index)
    # sido_listed: where only the 시도 is known, any unit of that 시도 may host it
    sidos = set(rows.sido)
    return frozenset(units.index[units.sido.isin(sidos)]) | frozenset(
        c for c in rows.code if c in units.index
    )


def resolve_agencies(
    scenario: Scenario,
    districts: DistrictData | None,
    units: pd.DataFrame,
    catalog: Catalog,
    network: pd.DataFrame | None = None,
) -> dict[str, AgencyPlan]:
    """Enabled agencies with the scenario's overrides applied.

    The anchor (Employment Center) is present where an office of ``network`` stands.
    """
    out = {}
    for aid, cat in catalog.agencies.items():
        s = scenario.agencies.get(aid)
        if s is not None and not s.enabled:
            continue
        presence = s.presence if s and s.presence else cat.presence
        if s and s.presence_codes is not None:
            present, basis = frozenset(c for c in s.presence_codes if c in units.index), "scenario"
        else:
            present = _presence(aid, presence, districts, units, network)
            basis = f"catalog:{presence}" if not (s and s.presence) else f"scenario:{presence}"
        per_sido = None
        if presence == "sido_listed" and districts is not None and not (s and s.presence_codes):
            rows = districts.presence[districts.presence.agency == aid]
            per_sido = {str(k): int(n) for k, n in rows.groupby("sido").size().items()}
        out[aid] = AgencyPlan(
            id=aid,
            name_ko=cat.name_ko,
            name_en=cat.name_en,
            segment=cat.segment,
            staff=s.staff if s and s.staff is not None else cat.staff_per_center,
            mandatory=s.mandatory if s and s.mandatory is not None else cat.mandatory,
            extended_only=cat.extended_only,
            relocate_only=cat.establishment == "relocate_only",
            radius_min=s.radius_min if s else None,
            present=present,
            presence_basis=basis,
            relocates=cat.relocates,
            offices_per_sido=per_sido,
            value_per_center=(s.value_per_center or 0.0) if s else 0.0,
            relocation_cost=s.relocation_cost_mkrw if s else 0.0,
            establishment_cost=s.establishment_cost_mkrw if s else 0.0,
        )
    return out


def study_area_units(scenario: Scenario, units: pd.DataFrame) -> pd.DataFrame:
    """The units of the scenario's study area (every unit when it names none)."""
    area = scenario.study_area
    if area.sido_codes or area.codes:
        return units[units.sido_code.isin(area.sido_codes) | units.index.isin(area.codes)]
    return units


def build_instance(scenario: Scenario, districts: DistrictData) -> Instance:
    """Resolve ``scenario`` on ``districts`` (which must be of the scenario's vintage).

    Its references to the data (codes, agency and segment ids) are checked first: a bad one
    is a ScenarioError naming the scenario's file.
    """
    if districts.vintage != scenario.vintage:
        raise ValueError(f"scenario vintage {scenario.vintage} != data vintage {districts.vintage}")
    problems = reference_problems(scenario, districts)
    if problems:
        raise ScenarioError(scenario.source, problems)
    units = study_area_units(scenario, districts.units)
    years = [p.year for p in scenario.phases]
    notes = []
    demand = {}
    t = scenario.travel
    model = TravelModel(t.circuity, t.speed_kmh, t.allow_sea_crossing, t.ferry_min)
    points = None
    if scenario.demand.resolution == "emd":
        if t.od_matrix is not None:
            raise PlannerError(
                "travel.od_matrix: an OD matrix gives district-to-district "
                "times; with demand.resolution: emd it is not supported "
                "(allowed: demand.resolution: district, or no od_matrix)"
            )
        emd = districts.emd()
        points = emd[emd.unit.isin(units.index)]
        notes.append(
            f"demand at {len(points):,} 읍면동: each district's figures split by "
            "2015 census population share (an estimate)"
        )
    base = {y: districts.demand(y) for y in years}
    by_scenario, planned, demand_notes = scenario_demand(
        scenario, base, districts.catalog, districts
    )
    rows = units.index if points is None else points.index

    def at_points(d: DemandYear) -> DemandYear:
        d = d if points is None else districts.emd_split(d)
        return DemandYear(d.year, d.data_year, d.table.loc[rows], d.methods)

    for y in years:
        d = planned[y]
        demand[y] = at_points(d)
        if d.substituted:
            notes.append(f"demand for {y} uses {d.data_year} figures (nearest year with data)")
    notes += demand_notes
    demand_by_scenario = {
        name: {y: at_points(d) for y, d in per_year.items()}
        for name, per_year in by_scenario.items()
    }
    if points is not None:
        travel = travel_minutes_between(points, units, model)
    elif t.od_matrix is not None:
        travel = load_od_matrix(t.od_matrix, list(units.index))
    else:
        travel = travel_minutes(units, model)
    network_year = scenario.network_year or years[0]
    offices = districts.network(network_year)
    network = offices[offices.host_code.isin(units.index)]
    notes += network_notes(network_year)
    has_ec = pd.Series(units.index.isin(network.host_code), index=units.index)
    ex = scenario.sites.existing
    existing = [c for c in ex.codes if c in units.index]
    if ex.assume == "main_employment_centers":
        mains = set(network[~network.is_branch].host_code)
        existing += [c for c in units.index if c in mains and c not in existing]
    return Instance(
        scenario=scenario,
        districts=districts,
        catalog=districts.catalog,
        units=units,
        years=years,
        new_per_phase=scenario.new_per_phase(),
        cumulative=scenario.cumulative_targets(),
        has_ec=has_ec,
        existing=existing,
        agencies=resolve_agencies(scenario, districts, units, districts.catalog, network),
        pools={a: dict(v) for a, v in scenario.pools.items()},
        demand=demand,
        travel_min=travel,
        notes=notes,
        points=points,
        network_year=network_year,
        network=network,
        forced=[*scenario.sites.forced, *as_built_sites(scenario, districts)],
        frozen=frozen_plan(scenario, districts),
        demand_by_scenario=demand_by_scenario,
    )


def network_notes(year: int) -> list[str]:
    """What the office data cannot say about the network of ``year``."""
    if year > LIST_YEAR:
        return [
            f"network_year {year}: offices are known up to the {LIST_YEAR} list; later "
            "openings and closures are not"
        ]
    if UNRECORDED[0] <= year <= UNRECORDED[1]:
        return [
            f"network_year {year}: offices opened {UNRECORDED[0]}-{UNRECORDED[1]} are not "
            "recorded (the 2016-2017 openings are held out; no other source found), so this "
            "network is that of 2015 plus the offices whose opening could not be dated"
        ]
    return []


def instance_from_matrix(
    scenario: Scenario,
    travel_min: pd.DataFrame,
    demand: dict[int, pd.DataFrame],
    *,
    has_ec: pd.Series | None = None,
    sido: pd.Series | None = None,
    catalog: Catalog | None = None,
    existing: list[str] | None = None,
    point_unit: pd.Series | None = None,
) -> Instance:
    """An instance from arrays (tests, benchmarks, researchers' own data).

    ``travel_min``: minutes, demand points (rows) x candidate sites (columns); when both are
    the same codes, each site is a district that is its own demand point. ``demand[year]``:
    points x segments. ``point_unit``: the site (district) each point belongs to (its welfare
    team's district); by default its nearest site. Every unit may convert unless ``has_ec``
    says otherwise; all units share one 시도 unless ``sido`` is given.
    """
    from planner.data.catalog import load_catalog

    catalog = catalog or load_catalog()
    codes = list(travel_min.columns)
    point_codes = list(travel_min.index)
    units = pd.DataFrame(index=pd.Index(codes, name="code"))
    units["name_ko"] = units.index
    units["name_en"] = units.index
    units["sido"] = sido.reindex(codes).to_numpy() if sido is not None else "all"
    units["sido_code"] = units["sido"]
    units["kind"] = "si"
    units["island_group"] = ""
    points = None
    if point_codes != codes:
        if point_unit is None:
            nearest = travel_min.to_numpy().argmin(axis=1)
            point_unit = pd.Series([codes[n] for n in nearest], index=point_codes)
        points = pd.DataFrame(
            {"unit": point_unit.reindex(point_codes).to_numpy()},
            index=pd.Index(point_codes, name="point"),
        )
        bad = points.index[~points.unit.isin(codes)]
        if len(bad):
            raise PlannerError(
                f"point_unit: points {list(bad[:5])} belong to no site "
                f"(allowed: the columns of travel_min)"
            )
    has_ec = (
        has_ec.reindex(codes).fillna(False).astype(bool)
        if has_ec is not None
        else pd.Series(True, index=codes)
    )
    years = [p.year for p in scenario.phases]
    table = {}
    for y in years:
        t = demand[y].reindex(index=point_codes).fillna(0)
        for s in catalog.segments:
            if s not in t.columns:
                t[s] = 0
        table[y] = DemandYear(y, y, t, {"recipients": ["given"], "age_groups": ["given"]})
    by_scenario, table, _ = scenario_demand(scenario, table, catalog)
    agencies = resolve_agencies(scenario, None, units, catalog)
    if ANCHOR in agencies:
        plan = agencies[ANCHOR]
        agencies[ANCHOR] = AgencyPlan(
            **{**plan.__dict__, "present": frozenset(c for c in codes if has_ec[c])}
        )
    return Instance(
        scenario=scenario,
        districts=None,
        catalog=catalog,
        units=units,
        years=years,
        new_per_phase=scenario.new_per_phase(),
        cumulative=scenario.cumulative_targets(),
        has_ec=has_ec,
        existing=list(existing or []),
        agencies=agencies,
        pools={a: dict(v) for a, v in scenario.pools.items()},
        demand=table,
        travel_min=travel_min.astype(float),
        notes=[],
        points=points,
        demand_by_scenario=by_scenario,
    )
