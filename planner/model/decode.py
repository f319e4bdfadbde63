"""Decoding a solver's values into plain ``Decisions``, and the assignment the levels imply.

The levels and Benders formulations have no serve variables: each client goes to its best
available center, in the one best-site order of ``planner.domain``.
"""

from __future__ import annotations

from planner.domain import SHARE_TOL, Decisions, best_site_key, team_needed


def decode(v, values: list[int]) -> Decisions:
    """Read a solver's values through the variable index (``PlanVariables``)."""
    d = Decisions()
    d.open = {key for key, var in v.open.items() if values[var]}
    d.fmt = {key for key, var in v.fmt.items() if values[var]}
    d.host = {key for key, var in v.host.items() if values[var]}
    d.serve = {key for key, var in v.serve.items() if values[var] > SHARE_TOL}
    d.share = {
        key: float(values[var])
        for key, var in v.serve.items()
        if SHARE_TOL < values[var] < 1 - SHARE_TOL
    }
    d.team = {key for key, var in v.team.items() if values[var]}
    d.unserved = {key for key, var in v.unserved.items() if values[var]}
    return d


def assign_best(d: Decisions, v, reach, mode: str, linkage_year: int | None) -> None:
    """Levels and Benders formulations: each client goes to its best available center.

    Best: highest reach (min_travel: shortest travel), then nearest, then site code, among
    the kept sites that host its tenant (and its team, where one is needed). The levels'
    value is exactly this plan's; a demand point with no such site stays unserved (in
    min_travel only when its far bound was charged, and the k-nearest loop widens it).
    """
    hosted = d.hosted()
    for i, sites in reach.sites_of.items():
        order = sorted(
            sites, key=lambda j: best_site_key(mode, reach.minutes[(i, j)], reach.reach[(i, j)], j)
        )
        for s, a in v.segments.items():
            for y in v.years:
                for j in order:
                    u = team_needed(reach.unit_of[i], a, linkage_year, j, y)
                    if (j, a, y) in hosted and (u is None or (u, j, y) in d.team):
                        d.serve.add((i, s, j, y))
                        break


def far_used(d: Decisions, v, reach, mode: str) -> list[str]:
    """Demand points whose k nearest sites left a client out while a site beyond could serve.

    With k-nearest, the model only bounds what sites beyond the k are worth; where a client
    has no available kept site (max modes: and some site beyond hosts its tenant) the
    bound may be what the plan was chosen for, so k must grow there.
    """
    hosted = d.hosted()
    served = {(i, s, y) for (i, s, _, y) in d.serve}
    used = set()
    for i in reach.far_value:
        for s, a in v.segments.items():
            for y in v.years:
                if (i, s, y) in served:
                    continue
                if mode == "min_travel" or any(
                    (j, a, y) in hosted for j in reach.far_sites.get(i, ())
                ):
                    used.add(i)
    return sorted(used)
