"""Turn a scenario's ``sites.as_built`` into forced sites (the instance layer).

The centers actually built up to ``through_year`` become fixed decisions: open at their
unit from their year, of their kind. A site the scenario forces itself keeps the scenario's
entry (it is the more specific statement).
"""

from __future__ import annotations

from planner.data.districts import DistrictData
from planner.data.history import load_plus_centers
from planner.errors import ScenarioError, did_you_mean
from planner.scenario.schema import ForcedSite, Scenario


def as_built_sites(scenario: Scenario, districts: DistrictData) -> list[ForcedSite]:
    """The forced sites the scenario's as-built table adds (empty without one)."""
    ab = scenario.sites.as_built
    if ab is None:
        return []
    table = load_plus_centers(districts.units)
    rows = table[(table.year <= ab.through_year) & table.status.isin(ab.statuses)]
    years = [p.year for p in scenario.phases]
    own = {f.code for f in scenario.sites.forced}
    problems, out = [], []
    for r in rows.itertuples():
        if r.code in own:
            continue
        kind = ab.kinds.get(r.kind, r.kind)
        if kind not in scenario.kinds:
            problems.append(
                f"sites.as_built.kinds: the table's kind {r.kind!r} ({r.name_ko}) maps to "
                f"{kind!r}, not a kind of this scenario; " + did_you_mean(kind, scenario.kinds)
            )
            continue
        if r.year not in years:
            problems.append(
                f"sites.as_built: {r.name_ko} opened in {r.year}, not a phase year {years}"
            )
            continue
        out.append(ForcedSite(code=r.code, year=r.year, kind=kind))
    if problems:
        raise ScenarioError(scenario.source, sorted(set(problems)))
    return out
