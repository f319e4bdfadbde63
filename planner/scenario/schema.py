"""The scenario schema: every field a planner may set, validated by pydantic.

Unknown keys are errors. Numbers that are planning assumptions rather than statistics say so
in their docs and are listed under ``assumptions`` so that reports can show them.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from planner.errors import did_you_mean

Vintage = Literal[2015, 2025]
Presence = Literal["listed", "every_unit", "cities", "sido_listed", "none"]

# Bounds on every number a scenario may set: far beyond any real plan, so that a typo (or
# .inf, 1e308) is an error naming the key and the bounds instead of a solver failure.
MAX_MKRW = 1e8  # million KRW: 100 trillion KRW
MAX_MINUTES = 10_000.0
MAX_COUNT = 100_000  # centers, staff, pools
MAX_WEIGHT = 1e9
Year = Annotated[int, Field(ge=1900, le=2200)]
Count = Annotated[int, Field(ge=0, le=MAX_COUNT)]
Mkrw = Annotated[float, Field(ge=0, le=MAX_MKRW, allow_inf_nan=False)]


class Strict(BaseModel):
    """Base of every scenario section: unknown keys are errors, values immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Phase(Strict):
    """One planning phase (a year of the rollout)."""

    year: int = Field(ge=2000, le=2100)
    target: int = Field(
        ge=0,
        le=MAX_COUNT,
        description="centers to open: new in this "
        "phase, or the cumulative total, as `targets` says",
    )
    budget_mkrw: float | None = Field(
        default=None,
        ge=0,
        le=MAX_MKRW,
        allow_inf_nan=False,
        description="capital budget for centers opened in this phase, million KRW; null = none",
    )


class Kind(Strict):
    """A way to open a center (전환형 conversion, 신설형 new build, 광역형 regional, ...).

    Where it may open is data: ``office`` (an Employment Center office must stand in the unit
    in the scenario's ``network_year``, must not, or either) and ``area`` (any unit, units of
    a metropolitan city, or the ``eligible_codes``). ``requires_employment_center: true`` is
    the older spelling of ``office: required``.
    """

    name_ko: str
    name_en: str
    office: Literal["required", "none", "any"] = Field(
        default="any",
        description="required: only where an Employment Center office stands in the unit "
        "(conversion); none: only where none does (a local-government-led center); any",
    )
    area: Literal["any", "metropolitan", "listed"] = Field(
        default="any",
        description="metropolitan: units of a 특별시/광역시 only; listed: the eligible_codes only",
    )
    eligible_codes: list[str] = Field(
        default_factory=list, description="area: listed: the units where this kind may open"
    )
    lead: str = Field(
        default="employment_center",
        description="the agency that leads the center (seed table 4: 고용센터 중심형 = "
        "employment_center, 지자체 중심형 = welfare_team); shown in every output",
    )
    cost_mkrw: float = Field(
        ge=0, le=MAX_MKRW, allow_inf_nan=False, description="capital cost per center, million KRW"
    )
    staff: dict[str, Count] = Field(
        default_factory=dict,
        description="extra staff by agency that this kind needs (a local-government-led "
        "center: the Employment Center officers dispatched to it, 2-3 in seed table 4)",
    )
    earliest_year: Year | None = None
    max_per_phase: int | None = Field(default=None, ge=0, le=MAX_COUNT)
    guest_teams_max: int | None = Field(
        default=None,
        ge=0,
        le=MAX_COUNT,
        description="most welfare teams of other districts a center of this kind hosts "
        "before the welfare linkage (null: no limit; 0: its own district's only)",
    )

    @model_validator(mode="before")
    @classmethod
    def _legacy_requires(cls, data: Any) -> Any:
        if isinstance(data, dict) and "requires_employment_center" in data:
            data = dict(data)
            legacy = data.pop("requires_employment_center")
            if not isinstance(legacy, bool):
                raise ValueError(
                    f"requires_employment_center must be true or false; got {str(legacy)[:20]!r}"
                )
            office = "required" if legacy else "any"
            if data.get("office", office) != office:
                raise ValueError(
                    f"requires_employment_center: {str(legacy).lower()} contradicts "
                    f"office: {data['office']}; give office only"
                )
            data["office"] = office
        return data

    @property
    def requires_employment_center(self) -> bool:
        return self.office == "required"


class Format(Strict):
    """basic (employment + welfare) or extended (adds culture, creative-economy... tenants)."""

    name_ko: str
    name_en: str
    cost_mkrw: float = Field(
        default=0.0,
        ge=0,
        le=MAX_MKRW,
        allow_inf_nan=False,
        description="extra capital cost per center",
    )
    extended: bool = Field(default=False, description="allows extended-only tenants")


class AgencySettings(Strict):
    """Per-scenario overrides of the agency catalog."""

    enabled: bool = True
    staff: int | None = Field(
        default=None, ge=0, le=MAX_COUNT, description="staff per center (overrides the catalog)"
    )
    mandatory: bool | None = None
    presence: Presence | None = Field(
        default=None, description="where it exists today (overrides the catalog)"
    )
    presence_codes: list[str] | None = Field(
        default=None,
        description="explicit list of units where it exists (implies presence: listed)",
    )
    radius_min: float | None = Field(
        default=None,
        ge=0,
        le=MAX_MINUTES,
        allow_inf_nan=False,
        description="a relocate-only agency may move to a center within this travel time",
    )
    value_per_center: float | None = Field(
        default=None,
        ge=0,
        le=MAX_WEIGHT,
        allow_inf_nan=False,
        description="agencies with value fixed_per_center (catalog): persons served that one "
        "center hosting it is worth per phase (an assumption); null = 0",
    )
    relocation_cost_mkrw: float = Field(
        default=0.0,
        ge=0,
        le=MAX_MKRW,
        allow_inf_nan=False,
        description="one-off cost of moving an existing office of it into a center",
    )
    establishment_cost_mkrw: float = Field(
        default=0.0,
        ge=0,
        le=MAX_MKRW,
        allow_inf_nan=False,
        description="one-off cost of setting it up anew in a center (where it does not exist)",
    )


class SegmentSettings(Strict):
    """Weight of a demand segment in the objective."""

    weight: float = Field(default=1.0, ge=0, le=MAX_WEIGHT, allow_inf_nan=False)


class Decay(Strict):
    """How reach falls with travel time: r = f(minutes), 0 beyond the cutoff."""

    kind: Literal["linear", "exponential", "step"] = "linear"
    half_life_min: float = Field(
        default=30.0,
        gt=0,
        le=MAX_MINUTES,
        allow_inf_nan=False,
        description="exponential decay only",
    )


class Travel(Strict):
    """Travel times between units (proxy unless an OD matrix is given)."""

    circuity: float = Field(default=1.3, ge=1.0, le=10.0, allow_inf_nan=False)
    speed_kmh: float = Field(default=40.0, gt=0, le=1000.0, allow_inf_nan=False)
    allow_sea_crossing: bool = False
    ferry_min: float = Field(default=120.0, ge=0, le=MAX_MINUTES, allow_inf_nan=False)
    cutoff_min: float = Field(default=60.0, gt=0, le=MAX_MINUTES, allow_inf_nan=False)
    decay: Decay = Decay()
    od_matrix: Path | None = Field(
        default=None, description="CSV origin,destination,minutes (relative to the scenario file)"
    )


class Demand(Strict):
    """Where demand sits: at each district's point, or at each 읍면동 (finer, estimated split)."""

    resolution: Literal["district", "emd"] = Field(
        default="district",
        description="district: one demand point per 시군구; emd: the "
        "2015 census 읍면동 (about 3,500), each district figure split by census population "
        "share (an estimate); candidate sites stay the 시군구",
    )
    scenario: str | None = Field(
        default=None,
        description="plan for one of demand_scenarios (its changes to the figures), or "
        "'expected': their probability-weighted mean; null: the data's figures",
    )


class DemandChanges(Strict):
    """How a demand scenario's figures differ from the data's: assumptions, not forecasts.

    Applied per district in this order: the trend, the job-seeker rate, the scales.
    """

    trend_from: Year | None = Field(
        default=None,
        description="continue each district's per-year change from this year to the data's "
        "year (linear, clipped at 0) to every phase year; null: no trend",
    )
    trend_factor: float = Field(
        default=1.0,
        ge=0,
        le=10,
        allow_inf_nan=False,
        description="multiplies the trend's per-year change (1: it continues; 2: twice as fast)",
    )
    jobseeker_rate: float | None = Field(
        default=None,
        gt=0,
        le=1,
        allow_inf_nan=False,
        description="job seekers as this share of the 15-64 population, in place of the data's "
        "2015 unemployment rate (segments estimated from that column only)",
    )
    scale: dict[str, float] = Field(
        default_factory=dict, description="segment id -> factor on its figures"
    )

    @field_validator("scale")
    @classmethod
    def _factors(cls, scale: dict[str, float]) -> dict[str, float]:
        bad = {k: f for k, f in scale.items() if not (0 <= f <= 100)}
        if bad:
            raise ValueError(f"scale factors must be 0 to 100; got {bad}")
        return scale


class DemandScenario(Strict):
    """One demand scenario of a robust plan: its changes and its probability (assumed)."""

    probability: float = Field(gt=0, le=1, allow_inf_nan=False)
    description: str = ""
    description_ko: str = ""
    changes: DemandChanges = DemandChanges()


class RegionalBalance(Strict):
    """Every 시도 has at least ``min_per_sido`` centers by ``by_year``."""

    min_per_sido: int = Field(ge=0, le=MAX_COUNT)
    by_year: Year


class WelfareArrangement(Strict):
    """A named hosting arrangement: the center at ``host`` hosts these districts' teams.

    Before the welfare linkage a district's welfare clients are served at its own center or
    where its team sits (seed table 8: 서울동부 in 송파 hosts the teams of 송파, 광진, 성동 and
    강동 from 2015). The host must be open from ``from_year``; the teams stay.
    """

    name: str = Field(default="", description="a label for outputs (e.g. 서울동부)")
    host: str = Field(description="unit code of the hosting center")
    teams: list[str] = Field(min_length=1, description="unit codes whose teams sit at host")
    from_year: Year


class ForcedSite(Strict):
    """A planner's fixed decision: a center at ``code`` (from ``year``, of ``kind``)."""

    code: str
    year: Year | None = None
    kind: str | None = None
    format: str | None = None
    tenants: list[str] = Field(
        default_factory=list, description="agencies in the center from that year (ids)"
    )


class AsBuilt(Strict):
    """Freeze the first phases as they were actually built; later phases are planned.

    Each center of the table opens where and when it did, of its kind (mapped through
    ``kinds``). The shipped table is data/history/plus_centers_2014_2015.csv (2014-2015 only).
    """

    table: Literal["plus_centers_2014_2015"] = "plus_centers_2014_2015"
    through_year: Year = Field(description="centers of the table up to this year are fixed")
    statuses: list[Literal["opened", "selected"]] = Field(
        default_factory=lambda: ["opened"],
        description="opened: openings confirmed by a dated source; selected: chosen for the "
        "year (2015-03) with no confirmed opening",
    )
    kinds: dict[str, str] = Field(
        default_factory=dict,
        description="the table's kind (conversion, new_build) -> this scenario's kind",
    )


class FrozenPlan(Strict):
    """Freeze the phases up to ``through_year`` as a plan or an as-built table states them.

    ``file``: a run folder's plan.csv, or any CSV with the columns code, year (or
    phase_opened; "existing": open from the first phase), kind, format and tenants
    (``agency`` or ``agency@year``, ';'-separated; a tenant without a year is in from the
    center's year). A relative path is read from the
    scenario file's folder. In the frozen phases every center, kind, format and tenant is
    exactly the table's, and no other center opens (rule site-frozen).
    """

    file: str = Field(min_length=1)
    through_year: Year


class ExistingCenters(Strict):
    """Plus Centers already open before the first phase (they stay open and count)."""

    codes: list[str] = Field(default_factory=list)
    assume: Literal["none", "main_employment_centers"] = Field(
        default="none",
        description="main_employment_centers: the named assumption that every "
        "unit hosting a main (non-branch) Employment Center of the 2026 list runs a Plus Center",
    )
    kind: str = "conversion"
    format: str = "basic"


class StudyArea(Strict):
    """Restrict the plan to some units (empty lists = the whole country)."""

    sido_codes: list[str] = Field(
        default_factory=list, description="2-digit 시도 codes of the scenario's vintage"
    )
    codes: list[str] = Field(default_factory=list, description="5-digit unit codes")


class Sites(Strict):
    """Fixed decisions: forced and forbidden sites, centers already open."""

    forced: list[ForcedSite] = Field(default_factory=list)
    forbidden: list[str] = Field(default_factory=list)
    existing: ExistingCenters = ExistingCenters()
    as_built: AsBuilt | None = None
    frozen: FrozenPlan | None = None
    opening_cost_mkrw: dict[str, Mkrw] = Field(
        default_factory=dict,
        description="extra one-off capital cost (million KRW) of opening "
        "a center at a site (land, building), on top of its kind's cost; counts in budgets and "
        "in objective.cost_weight",
    )


class Objective(Strict):
    """What the plan maximizes or minimizes (docs/formulation.md, O1)."""

    mode: Literal["max_served", "min_travel", "max_coverage"] = "max_served"
    discount: float = Field(default=0.0, ge=0, lt=1, description="per-phase discount rate")
    cost_weight: float = Field(
        default=0.0,
        ge=0,
        le=MAX_WEIGHT,
        allow_inf_nan=False,
        description="persons served (min_travel: "
        "person-minutes) that one million KRW of capital cost is worth",
    )
    unserved_min: float | None = Field(
        default=600.0,
        ge=0,
        le=MAX_MINUTES * 10,
        allow_inf_nan=False,
        description="min_travel: minutes "
        "charged for a client no center serves; null = every "
        "client must be assigned",
    )
    k_nearest: int | None = Field(
        default=None,
        ge=1,
        le=MAX_COUNT,
        description="assignment variables only to each "
        "demand point's k nearest sites (max modes: the k with the highest reach), plus a "
        "'farther' variable valued at the (k+1)-th site's distance or reach (a bound); k "
        "doubles where that variable is used until none is (exact). All rounds share "
        "solver.time_limit_s; a plan whose k still binds when time runs out or Ctrl-C "
        "stops it is reported as not proven",
    )
    equity: Literal["none", "max_min_sido"] = Field(
        default="none",
        description="max_min_sido: first raise the smallest 시도 served share in "
        "equity_year as far as it goes, then, keeping it, maximize the mode's objective "
        "(lexicographic, two solves; docs/formulation.md O2). Max modes only, without "
        "k_nearest",
    )
    equity_year: Year | None = Field(
        default=None, description="the phase whose 시도 shares max_min_sido raises; null: the last"
    )
    regret_to: dict[str, float] | None = Field(
        default=None,
        description="min max regret: demand scenario -> its best objective (from its own "
        "run); the plan first minimizes the largest shortfall against these, then maximizes "
        "the objective under demand.scenario (O3; `planner robust` fills this in)",
    )


class Caseload(Strict):
    """How busy each tenant's counsellors are: KPIs in every output (and the seed's references).

    Cases per counsellor per day at a center = clients served x visits_per_client[segment] /
    (working_days x counsellors); clients per counsellor = clients served / counsellors. A
    tenant's counsellors are its staff per center; the Employment Center's are its kind's
    staff plus, where a kind converts an existing office, office_counsellors. Every number
    but the references is an ASSUMPTION.
    """

    working_days: int = Field(default=250, ge=1, le=366, description="days worked per year")
    visits_per_client: dict[str, float] = Field(
        default_factory=dict,
        description="segment -> visits (cases) per client and year; 1 where not given",
    )
    office_counsellors: int = Field(
        default=10,
        ge=0,
        le=MAX_COUNT,
        description="counsellors an existing Employment Center office brings to a conversion",
    )
    reference_cases_per_day: tuple[float, float] = Field(
        default=(60.0, 80.0),
        description="seed table 9 (서산): 60-80 re-employment cases per counsellor per day",
    )
    reference_clients_per_counsellor: float = Field(
        default=350.0,
        description="seed table 9 (천안): 350+ clients per self-support counsellor",
    )


class RuleSetting(Strict):
    """Switch a rule on/off, make it soft (slack with a penalty), or give it parameters."""

    active: bool = True
    soft: bool = False
    penalty: float | None = Field(default=None, ge=0, le=1e12, allow_inf_nan=False)
    params: dict[str, float | int | str | bool | dict[str, float | int]] = Field(
        default_factory=dict,
        description="rule parameters; a mapping for per-site values (center-capacity per_site)",
    )

    @field_validator("params")
    @classmethod
    def _finite_params(cls, params: dict) -> dict:
        for key, value in params.items():
            for x in value.values() if isinstance(value, dict) else [value]:
                if (
                    isinstance(x, float | int)
                    and not isinstance(x, bool)
                    and (not math.isfinite(x) or abs(x) > 1e12)
                ):
                    raise ValueError(
                        f"parameter {key!r}: numbers must be finite and within +-1e12; got {x!r}"
                    )
        return params


class Solver(Strict):
    """Solver backend and limits; one worker or a deterministic limit keeps plans repeatable."""

    backend: Literal["cbc", "cpsat", "highs", "scip"] = Field(
        default="highs",
        description="highs (through highspy) proved every shipped scenario fastest on "
        "this machine (bench/README.md); cpsat explains infeasibility",
    )
    time_limit_s: float = Field(
        default=60.0,
        gt=0,
        le=7 * 86_400,
        allow_inf_nan=False,
        description="wall-clock seconds for the whole solve phase",
    )
    workers: int = Field(default=1, ge=1, le=64)
    seed: int = Field(default=0, ge=0, le=2**31 - 1)
    deterministic: bool = True
    lp_first: bool = Field(
        default=True,
        description="MIP backends: solve the LP relaxation "
        "first; an integral optimum is a proven optimum",
    )
    formulation: Literal["auto", "levels", "assignment", "benders"] = Field(
        default="auto",
        description="levels: shared variables per nested set of sites "
        "(compact, the default where no rule needs more); assignment: a serve variable per "
        "demand point, site and phase (needed by the caseload limit); benders: demand as "
        "cuts generated where needed (MIP backends; min_travel only without unserved_min; "
        "for 읍면동 demand and small-p p-medians); all reach the same optimum",
    )


NAME_PATTERN = re.compile(r"[^\W_][\w.-]{0,99}")  # a slug: it names the run folder


class Scenario(Strict):
    """A planning scenario (YAML). Targets are stated per phase or cumulative, explicitly."""

    name: str = Field(
        description="a slug (letters, digits, '.', '_', '-'; starting with a "
        "letter or digit; at most 100): the default run folder is runs/<name>"
    )
    description: str = ""
    description_ko: str = Field(default="", description="the description in Korean (shown first)")
    vintage: Vintage = 2015
    study_area: StudyArea = StudyArea()
    phases: list[Phase] = Field(min_length=1)
    targets: Literal["per_phase", "cumulative"] = Field(
        description="per_phase: each phase's target counts centers opened in it; "
        "cumulative: the total open by the end of it"
    )
    target_mode: Literal["exact", "at_least", "at_most"] = "exact"
    kinds: dict[str, Kind] = Field(min_length=1)
    formats: dict[str, Format] = Field(min_length=1)
    agencies: dict[str, AgencySettings] = Field(default_factory=dict)
    pools: dict[str, dict[Year, Count]] = Field(
        default_factory=dict, description="staff available per agency and phase year"
    )
    pools_basis: Literal["per_phase", "cumulative"] = "per_phase"
    segments: dict[str, SegmentSettings] = Field(default_factory=dict)
    travel: Travel = Travel()
    demand: Demand = Demand()
    demand_scenarios: dict[str, DemandScenario] = Field(
        default_factory=dict,
        description="named demand scenarios with probabilities (summing to 1): `planner "
        "robust` plans for them; demand.scenario picks one for a single run",
    )
    welfare_linkage_year: Year | None = Field(
        default=None,
        description="from this year any reachable center serves welfare demand; "
        "before it only the center of the district's own welfare team (2016 in history)",
    )
    regional_balance: RegionalBalance | None = None
    network_year: Year | None = Field(
        default=None,
        description="the year whose Employment Center network decides where a kind that "
        "needs (or excludes) an office may open; default: the first phase",
    )
    welfare_arrangements: list[WelfareArrangement] = Field(
        default_factory=list,
        description="named hosting arrangements of welfare teams (before the linkage)",
    )
    sites: Sites = Sites()
    objective: Objective = Objective()
    caseload: Caseload = Caseload()
    rules: dict[str, RuleSetting] = Field(default_factory=dict)
    solver: Solver = Solver()
    assumptions: list[str] = Field(
        default_factory=list, description="assumed numbers, in words, for the report"
    )
    source_files: list[str] = Field(
        default_factory=list, description="set by the loader: the files applied, bases first"
    )
    entry_sources: dict[str, dict[str, str]] = Field(
        default_factory=dict,
        description="set by the loader: for each keyed list (phases, "
        "sites.forced...), the file each entry comes from",
    )

    @field_validator("name")
    @classmethod
    def _name_is_slug(cls, name: str) -> str:
        if not NAME_PATTERN.fullmatch(name):
            raise ValueError(
                "must be a slug: letters, digits, '.', '_' and '-', starting with "
                "a letter or digit, at most 100 characters (it names the run "
                "folder runs/<name>)"
            )
        return name

    @field_validator("phases")
    @classmethod
    def _years_increase(cls, phases: list[Phase]) -> list[Phase]:
        years = [p.year for p in phases]
        if years != sorted(set(years)):
            raise ValueError(f"phase years must strictly increase; got {years}")
        return phases

    def internal_problems(self) -> list[str]:
        """Cross-references inside the scenario that do not resolve, one message each."""
        problems = []
        years = {p.year for p in self.phases}
        for aid, by_year in self.pools.items():
            extra = sorted(set(by_year) - years)
            if extra:
                problems.append(f"pools.{aid}: years {extra} are not phase years {sorted(years)}")
        for i, f in enumerate(self.sites.forced):
            if f.kind is not None and f.kind not in self.kinds:
                problems.append(
                    f"sites.forced[{i}].kind: unknown kind {f.kind!r}; "
                    + did_you_mean(f.kind, self.kinds)
                )
            if f.format is not None and f.format not in self.formats:
                problems.append(
                    f"sites.forced[{i}].format: unknown format {f.format!r}; "
                    + did_you_mean(f.format, self.formats)
                )
            if f.year is not None and f.year not in years:
                problems.append(
                    f"sites.forced[{i}].year: {f.year} is not a phase year {sorted(years)}"
                )
        ex = self.sites.existing
        if ex.kind not in self.kinds:
            problems.append(
                f"sites.existing.kind: unknown kind {ex.kind!r}; "
                + did_you_mean(ex.kind, self.kinds)
            )
        if ex.format not in self.formats:
            problems.append(
                f"sites.existing.format: unknown format {ex.format!r}; "
                + did_you_mean(ex.format, self.formats)
            )
        obj = self.objective
        if obj.equity_year is not None and obj.equity_year not in years:
            problems.append(
                f"objective.equity_year: {obj.equity_year} is not a phase year {sorted(years)}"
            )
        if obj.equity != "none" and obj.mode == "min_travel":
            problems.append(
                f"objective.equity: {obj.equity!r} needs mode max_served or max_coverage; "
                "allowed with min_travel: 'none'"
            )
        if obj.equity != "none" and obj.k_nearest is not None:
            problems.append(
                f"objective.equity: {obj.equity!r} counts every site within reach; "
                "allowed with it: k_nearest: null"
            )
        problems += self._demand_scenario_problems()
        problems += self._kind_problems() + self._arrangement_problems()
        overlap = {f.code for f in self.sites.forced} & set(self.sites.forbidden)
        if overlap:
            problems.append(f"sites: codes {sorted(overlap)} are both forced and forbidden")
        if self.targets == "cumulative":
            t = [p.target for p in self.phases]
            if t != sorted(t):
                problems.append(f"phases: cumulative targets must not decrease; got {t}")
        return problems

    def _demand_scenario_problems(self) -> list[str]:
        problems = []
        names = sorted(self.demand_scenarios)
        if names:
            total = sum(d.probability for d in self.demand_scenarios.values())
            if abs(total - 1) > 1e-6:
                problems.append(f"demand_scenarios: probabilities sum to {total:g}; allowed: 1")
        pick = self.demand.scenario
        if pick is not None and pick not in {*names, "expected"}:
            problems.append(
                f"demand.scenario: unknown demand scenario {pick!r}; "
                + did_you_mean(pick, [*names, "expected"])
            )
        regret = self.objective.regret_to
        if regret is not None:
            unknown = sorted(set(regret) - set(names))
            if unknown or not regret:
                problems.append(
                    f"objective.regret_to: names {unknown or 'nothing'}; allowed: the "
                    f"demand_scenarios {names}"
                )
            if self.objective.equity != "none" or self.objective.mode == "min_travel":
                problems.append(
                    "objective.regret_to: needs mode max_served or max_coverage and equity: none"
                )
        return problems

    def _kind_problems(self) -> list[str]:
        problems = []
        for kid, kind in self.kinds.items():
            if kind.area == "listed" and not kind.eligible_codes:
                problems.append(f"kinds.{kid}.eligible_codes: area: listed needs at least one code")
            if kind.eligible_codes and kind.area != "listed":
                problems.append(
                    f"kinds.{kid}.eligible_codes: given, but area is {kind.area!r} "
                    "(allowed: set area: listed, or drop the codes)"
                )
        return problems

    def _arrangement_problems(self) -> list[str]:
        problems = []  # an arrangement from after the last phase has no effect
        for n, arr in enumerate(self.welfare_arrangements):
            if arr.host in self.sites.forbidden:
                problems.append(f"welfare_arrangements[{n}].host: {arr.host} is forbidden")
        return problems

    @property
    def source(self) -> str:
        """The scenario's own file (for messages), or its name when built in Python."""
        return self.source_files[-1] if self.source_files else self.name

    def cumulative_targets(self) -> dict[int, int]:
        """Centers open by the end of each phase (excluding pre-existing ones)."""
        out, total = {}, 0
        for p in self.phases:
            total = total + p.target if self.targets == "per_phase" else p.target
            out[p.year] = total
        return out

    def new_per_phase(self) -> dict[int, int]:
        """Centers opened in each phase."""
        cum = self.cumulative_targets()
        prev, out = 0, {}
        for y, c in cum.items():
            out[y], prev = c - prev, c
        return out
