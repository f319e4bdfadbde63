"""Demand scenarios: a scenario's named changes to the data's figures, applied per district.

Every change is an assumption of the scenario, never a statistic: the trend continues each
district's own change between two data years (the project's 2015-2025 figures), the
job-seeker rate replaces the 2015 unemployment rate behind the job-seeker estimate, and a
scale multiplies a segment. The methods of the result say which were applied, so that every
output can label the demand as a scenario.
"""

from __future__ import annotations

from planner.data.build import JOBSEEKER_RATE
from planner.data.catalog import Catalog
from planner.data.districts import DemandYear, DistrictData
from planner.errors import PlannerError
from planner.scenario.schema import DemandChanges, Scenario

JOBSEEKER_COLUMN = "jobseekers_est"  # the figure estimated as pop_15_64 x JOBSEEKER_RATE


def changed(
    d: DemandYear, changes: DemandChanges, catalog: Catalog, districts: DistrictData | None
) -> DemandYear:
    """District demand ``d`` with a demand scenario's changes (trend, rate, scales).

    The trend needs the data's figures of its start year (``districts``).
    """
    table = d.table.copy()
    applied: list[str] = []
    if changes.trend_from is not None and changes.trend_from != d.data_year:
        if districts is None:
            raise PlannerError(
                "demand_scenarios: a trend needs the district data (trend_from); allowed "
                "on an instance from arrays: scale and jobseeker_rate"
            )
        start = districts.demand(changes.trend_from).table
        per_year = (table - start) / (d.data_year - changes.trend_from)
        table = (table + changes.trend_factor * (d.year - d.data_year) * per_year).clip(lower=0)
        applied.append(
            f"trend_{changes.trend_from}_{d.data_year}_x{changes.trend_factor:g}_to_{d.year}"
        )
    if changes.jobseeker_rate is not None:
        for sid, seg in catalog.segments.items():
            if seg.column == JOBSEEKER_COLUMN and sid in table:
                table[sid] = table[sid] * (changes.jobseeker_rate / JOBSEEKER_RATE)
        applied.append(f"jobseeker_rate_{changes.jobseeker_rate:g}")
    for sid, factor in changes.scale.items():
        if sid in table:
            table[sid] = table[sid] * factor
            applied.append(f"scale_{sid}_x{factor:g}")
    methods = dict(d.methods)
    methods["demand_scenario"] = applied or ["none"]
    return DemandYear(d.year, d.data_year, table, methods)


def mean_demand(parts: list[tuple[float, DemandYear]]) -> DemandYear:
    """The probability-weighted mean of demand tables of one year (the expected demand)."""
    first = parts[0][1]
    table = parts[0][0] * first.table
    for p, d in parts[1:]:
        table = table + p * d.table
    methods = dict(first.methods)
    methods["demand_scenario"] = ["expected_over_demand_scenarios"]
    return DemandYear(first.year, first.data_year, table, methods)


def scenario_demand(
    scenario: Scenario,
    base: dict[int, DemandYear],
    catalog: Catalog,
    districts: DistrictData | None = None,
) -> tuple[dict[str, dict[int, DemandYear]], dict[int, DemandYear], list[str]]:
    """Each demand scenario's district demand, the demand to plan for, and notes.

    ``base``: the data's district demand per phase year. The demand to plan for is
    ``demand.scenario``'s (a name, 'expected', or the data's figures when null).
    """
    by_name = {
        name: {y: changed(d, ds.changes, catalog, districts) for y, d in base.items()}
        for name, ds in scenario.demand_scenarios.items()
    }
    pick = scenario.demand.scenario
    notes: list[str] = []
    if pick is None:
        return by_name, base, notes
    if pick == "expected":
        probs = {n: ds.probability for n, ds in scenario.demand_scenarios.items()}
        plan = {y: mean_demand([(probs[n], by_name[n][y]) for n in by_name]) for y in base}
        notes.append(
            "demand: the probability-weighted mean of the demand scenarios "
            f"({', '.join(f'{n} {p:g}' for n, p in probs.items())}; assumed, not forecasts)"
        )
    else:
        plan = by_name[pick]
        applied = next(iter(plan.values())).methods["demand_scenario"]
        notes.append(
            f"demand: demand scenario {pick!r} ({', '.join(applied)}; an assumption, not a "
            "forecast)"
        )
    return by_name, plan, notes
