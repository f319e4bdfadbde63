"""The planning assumptions of a scenario, read from its values (never from free text).

Reports and workbooks list these, so that a scenario that changes a pool, a cost or the
travel proxy shows its own numbers. The scenario's ``assumptions:`` strings are kept as
free-text notes beside them.
"""

from __future__ import annotations

from collections.abc import Callable

from planner.scenario.schema import Scenario

POOL_KO = {"per_phase": "단계별", "cumulative": "누적"}
OFFICE_TEXT = {
    "required": "고용센터 소재지만 / only where an office stands",
    "none": "고용센터 미소재지만 / only where no office stands",
    "any": "무관 / either",
}
AREA_TEXT = {
    "metropolitan": "특별·광역시만 / metropolitan cities only",
    "listed": "지정 시군구만 / listed units only",
}


def _years(by_year: dict[int, int]) -> str:
    return ", ".join(f"{y}: {v:,}" for y, v in sorted(by_year.items()))


def resolved_assumptions(sc: Scenario) -> list[dict[str, str]]:
    """One row per assumed value: ``key`` (the scenario path), ``item`` and ``value``."""
    rows: list[dict[str, str]] = []

    def add(key: str, item: str, value: str) -> None:
        rows.append({"key": key, "item": item, "value": value})

    _kind_rows(sc, add)
    _agency_and_site_rows(sc, add)
    _travel_and_objective_rows(sc, add)
    return rows


def _kind_rows(sc: Scenario, add: Callable[[str, str, str], None]) -> None:
    for k, kind in sc.kinds.items():
        add(
            f"kinds.{k}.cost_mkrw",
            f"{kind.name_ko} / {kind.name_en}: 센터당 사업비 / capital cost per center",
            f"{kind.cost_mkrw:,.0f} million KRW",
        )
        if kind.staff:
            add(
                f"kinds.{k}.staff",
                f"{kind.name_ko} / {kind.name_en}: 센터당 추가 인력 / extra staff per center",
                ", ".join(f"{a}: {n}" for a, n in kind.staff.items()),
            )
        if kind.earliest_year is not None:
            add(
                f"kinds.{k}.earliest_year",
                f"{kind.name_ko} / {kind.name_en}: 최초 연도 / first year",
                str(kind.earliest_year),
            )
        if kind.max_per_phase is not None:
            add(
                f"kinds.{k}.max_per_phase",
                f"{kind.name_ko} / {kind.name_en}: 단계당 최대 / at most per phase",
                str(kind.max_per_phase),
            )
        add(
            f"kinds.{k}.office",
            f"{kind.name_ko} / {kind.name_en}: 고용센터 소재 조건 / Employment Center office",
            OFFICE_TEXT[kind.office],
        )
        if kind.area != "any":
            add(
                f"kinds.{k}.area",
                f"{kind.name_ko} / {kind.name_en}: 개소 가능 지역 / where it may open",
                AREA_TEXT[kind.area]
                + (f" ({len(kind.eligible_codes)})" if kind.area == "listed" else ""),
            )
        add(
            f"kinds.{k}.lead",
            f"{kind.name_ko} / {kind.name_en}: 주관 기관 / lead agency",
            kind.lead,
        )
        if kind.guest_teams_max is not None:
            add(
                f"kinds.{k}.guest_teams_max",
                f"{kind.name_ko} / {kind.name_en}: 타 시군구 복지팀 상한 / "
                "most guest welfare teams",
                str(kind.guest_teams_max),
            )
    for f, fmt in sc.formats.items():
        add(
            f"formats.{f}.cost_mkrw",
            f"{fmt.name_ko} / {fmt.name_en}: 추가 사업비 / extra capital cost",
            f"{fmt.cost_mkrw:,.0f} million KRW",
        )


def _agency_and_site_rows(sc: Scenario, add: Callable[[str, str, str], None]) -> None:
    for a, setting in sc.agencies.items():
        if setting.staff is not None:
            add(f"agencies.{a}.staff", f"{a}: 센터당 인력 / staff per center", str(setting.staff))
        if setting.radius_min is not None:
            add(
                f"agencies.{a}.radius_min",
                f"{a}: 이전 가능 거리 / relocates from within",
                f"{setting.radius_min:g} min",
            )
        if not setting.enabled:
            add(f"agencies.{a}.enabled", f"{a}", "이 시나리오에서 제외 / left out of this scenario")
    for a, by_year in sc.pools.items():
        add(
            f"pools.{a}",
            f"{a}: 인력 풀 ({POOL_KO[sc.pools_basis]}) / "
            f"staff pool ({sc.pools_basis.replace('_', ' ')})",
            _years(by_year),
        )
    for code, cost in sc.sites.opening_cost_mkrw.items():
        add(
            f"sites.opening_cost_mkrw.{code}",
            f"{code}: 일회성 개소 비용 / site {code}: one-off opening cost",
            f"{cost:,.0f} million KRW",
        )
    if sc.sites.existing.assume != "none":
        add(
            "sites.existing.assume",
            "첫 단계 이전에 운영 중인 것으로 가정한 센터 / "
            "centers assumed open before the first phase",
            sc.sites.existing.assume,
        )


def _travel_and_objective_rows(sc: Scenario, add: Callable[[str, str, str], None]) -> None:
    t = sc.travel
    if t.od_matrix is None:
        sea = f"allowed, +{t.ferry_min:g} min" if t.allow_sea_crossing else "unreachable"
        add(
            "travel",
            "이동시간 대리지표 / travel time proxy",
            f"straight km x {t.circuity:g} / {t.speed_kmh:g} km/h; sea crossings {sea}",
        )
    else:
        add("travel.od_matrix", "이동시간 / travel times", f"OD matrix {t.od_matrix.name}")
    decay = t.decay.kind + (
        f", half-life {t.decay.half_life_min:g} min" if t.decay.kind == "exponential" else ""
    )
    add(
        "travel.cutoff_min",
        "도달: 한계와 감쇠 / reach: cutoff and decay",
        f"{t.cutoff_min:g} min, {decay}",
    )
    for s, seg in sc.segments.items():
        add(
            f"segments.{s}.weight",
            f"{s}: 목적함수 가중치 / weight in the objective",
            f"{seg.weight:g}",
        )
    if sc.welfare_linkage_year is not None:
        add(
            "welfare_linkage_year",
            "인접 시군구 복지 이용자 서비스 시작 / "
            "neighbouring districts' welfare clients served from",
            str(sc.welfare_linkage_year),
        )
    if sc.regional_balance is not None:
        rb = sc.regional_balance
        add(
            "regional_balance",
            "시도마다 센터 / every 시도 has centers",
            f"at least {rb.min_per_sido} by {rb.by_year}",
        )
    o = sc.objective
    add(
        "objective",
        "목적함수 / objective",
        f"{o.mode}; discount {o.discount:g} per phase; cost weight "
        f"{o.cost_weight:g}"
        + (
            f"; unserved {o.unserved_min:g} min"
            if o.mode == "min_travel" and o.unserved_min is not None
            else ""
        ),
    )
    if sc.demand.resolution != "district":
        add("demand.resolution", "수요 지점 / demand points", sc.demand.resolution)
    if o.equity != "none":
        add(
            "objective.equity",
            "형평성 목적 / equity objective",
            f"{o.equity} in {o.equity_year or sc.phases[-1].year}, then {o.mode}",
        )
    _demand_scenario_rows(sc, add)


def _demand_scenario_rows(sc: Scenario, add: Callable[[str, str, str], None]) -> None:
    for name, ds in sc.demand_scenarios.items():
        c = ds.changes
        parts = []
        if c.trend_from is not None:
            parts.append(f"trend since {c.trend_from} x{c.trend_factor:g}")
        if c.jobseeker_rate is not None:
            parts.append(f"job seekers {c.jobseeker_rate:.2%} of ages 15-64")
        parts += [f"{seg} x{f:g}" for seg, f in c.scale.items()]
        add(
            f"demand_scenarios.{name}",
            f"수요 시나리오 / demand scenario {name}",
            f"probability {ds.probability:g}; " + ("; ".join(parts) or "the data's figures"),
        )
    if sc.demand.scenario is not None:
        add("demand.scenario", "계획 수요 / demand planned for", sc.demand.scenario)
    if sc.objective.regret_to is not None:
        add(
            "objective.regret_to",
            "최대 후회 최소화 기준 / least maximum regret against",
            ", ".join(f"{n}: {v:,.1f}" for n, v in sc.objective.regret_to.items()),
        )


def assumption_lines(sc: Scenario) -> list[str]:
    """The resolved assumptions as sentences (solution.json, CLI)."""
    return [
        f"{r['item']}: {r['value']} (가정 / assumed; {r['key']})" for r in resolved_assumptions(sc)
    ]
