"""Check a scenario's references to the data: district codes, agency and segment ids.

This is where scenario and data first meet (the instance layer): loading a scenario reads
no data; ``build_instance`` runs these checks before it resolves anything.
"""

from __future__ import annotations

from planner.data.districts import DistrictData
from planner.errors import did_you_mean
from planner.scenario.schema import Scenario


def _ids(kind: str, where: str, used: list[str], known: dict | list) -> list[str]:
    return [
        f"{where}: unknown {kind} {u!r}; " + did_you_mean(u, known) for u in used if u not in known
    ]


def reference_problems(scenario: Scenario, districts: DistrictData) -> list[str]:
    """Every reference that does not resolve, as one message each (empty when all resolve)."""
    return _id_problems(scenario, districts) + _code_problems(scenario, districts)


def _id_problems(scenario: Scenario, districts: DistrictData) -> list[str]:
    """Agency and segment ids the catalog does not know."""
    agencies = districts.catalog.agencies
    segments = districts.catalog.segments
    out: list[str] = []
    for aid in scenario.agencies:
        out += _ids("agency id", f"agencies.{aid}", [aid], agencies)
    for aid in scenario.pools:
        out += _ids("agency id", f"pools.{aid}", [aid], agencies)
    for kid, kind in scenario.kinds.items():
        for aid in kind.staff:
            out += _ids("agency id", f"kinds.{kid}.staff.{aid}", [aid], agencies)
        out += _ids("agency id", f"kinds.{kid}.lead", [kind.lead], agencies)
    for i, f in enumerate(scenario.sites.forced):
        for aid in f.tenants:
            out += _ids("agency id", f"sites.forced[{i}].tenants", [aid], agencies)
            setting = scenario.agencies.get(aid)
            if aid in agencies and setting is not None and not setting.enabled:
                out.append(f"sites.forced[{i}].tenants: {aid} is disabled in agencies")
    for sid in scenario.segments:
        out += _ids("segment id", f"segments.{sid}", [sid], segments)
    for name, ds in scenario.demand_scenarios.items():
        for sid in ds.changes.scale:
            out += _ids("segment id", f"demand_scenarios.{name}.changes.scale", [sid], segments)
        if ds.changes.trend_from is not None:
            lo, hi = districts.years
            if not lo <= ds.changes.trend_from < hi:
                out.append(
                    f"demand_scenarios.{name}.changes.trend_from: {ds.changes.trend_from}; "
                    f"allowed: a data year from {lo} to {hi - 1}"
                )
    return out


def _code_problems(scenario: Scenario, districts: DistrictData) -> list[str]:
    """District and 시도 codes the vintage does not know, and a missing OD matrix."""
    out: list[str] = []
    sites = scenario.sites
    for i, f in enumerate(sites.forced):
        out += districts.check_codes([f.code], f"sites.forced[{i}].code")
    for i, code in enumerate(sites.forbidden):
        out += districts.check_codes([code], f"sites.forbidden[{i}]")
    for i, code in enumerate(sites.existing.codes):
        out += districts.check_codes([code], f"sites.existing.codes[{i}]")
    for code in sites.opening_cost_mkrw:
        out += districts.check_codes([code], f"sites.opening_cost_mkrw.{code}")
    for aid, setting in scenario.agencies.items():
        for i, code in enumerate(setting.presence_codes or []):
            out += districts.check_codes([code], f"agencies.{aid}.presence_codes[{i}]")
    for kid, kind in scenario.kinds.items():
        for i, code in enumerate(kind.eligible_codes):
            out += districts.check_codes([code], f"kinds.{kid}.eligible_codes[{i}]")
    for n, arr in enumerate(scenario.welfare_arrangements):
        out += districts.check_codes([arr.host], f"welfare_arrangements[{n}].host")
        for i, code in enumerate(arr.teams):
            out += districts.check_codes([code], f"welfare_arrangements[{n}].teams[{i}]")
    for i, code in enumerate(scenario.study_area.codes):
        out += districts.check_codes([code], f"study_area.codes[{i}]")
    known_sido = sorted(set(districts.units.sido_code))
    for i, sc in enumerate(scenario.study_area.sido_codes):
        if sc not in known_sido:
            out.append(
                f"study_area.sido_codes[{i}]: unknown 시도 code {sc!r} for vintage "
                f"{districts.vintage}; " + did_you_mean(sc, known_sido, limit=20)
            )
    od = scenario.travel.od_matrix
    if od is not None and od.is_absolute() and not od.exists():
        out.append(f"travel.od_matrix: file {str(od)!r} not found")
    return out
