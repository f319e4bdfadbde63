"""A plan as plain sets of decisions, independent of any solver's variables.

The validator, the KPIs and the outputs read these sets; a plan typed in by hand (tests) or
decoded from a solver looks the same.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from planner.model.reach import WELFARE_AGENCY
from planner.model.variables import ANCHOR

SHARE_TOL = 1e-9  # a served share below this is solver noise


@dataclass
class Decisions:
    """Which centers operate (with kind and format), who is in them, who is served where."""

    open: set[tuple[str, int, str]] = field(default_factory=set)  # (site, year, kind)
    fmt: set[tuple[str, str, int]] = field(default_factory=set)  # (site, format, year)
    host: set[tuple[str, str, int]] = field(default_factory=set)  # (site, agency, year), no anchor
    serve: set[tuple[str, str, str, int]] = field(default_factory=set)  # (district, seg, site, y)
    team: set[tuple[str, str, int]] = field(default_factory=set)  # (district, site, year)
    unserved: set[tuple[str, str, int]] = field(default_factory=set)  # (district, seg, year)
    # split demand (caseload rule, split: true): the share of a served group below 1
    share: dict[tuple[str, str, str, int], float] = field(default_factory=dict)

    def share_of(self, key: tuple[str, str, str, int]) -> float:
        """The share of point i's segment s clients served at j in y (1 unless split)."""
        return self.share.get(key, 1.0)

    def hosted(self) -> set[tuple[str, str, int]]:
        """Every (site, agency, year) with the agency in the center (the anchor: open)."""
        return set(self.host) | {(j, ANCHOR, y) for (j, y, _) in self.open}

    def kind_at(self, j: str, y: int) -> list[str]:
        return [k for (jj, yy, k) in self.open if jj == j and yy == y]

    def open_sites(self, y: int) -> set[str]:
        return {j for (j, yy, _) in self.open if yy == y}

    def first_open(self) -> dict[str, tuple[int, str]]:
        """Site -> (first phase open, kind then)."""
        out: dict[str, tuple[int, str]] = {}
        for j, y, k in sorted(self.open):
            if j not in out or y < out[j][0]:
                out[j] = (y, k)
        return out

    def format_of(self, j: str) -> str | None:
        fs = {f for (jj, f, _) in self.fmt if jj == j}
        return fs.pop() if len(fs) == 1 else (";".join(sorted(fs)) or None)

    def tenant_entry(self) -> dict[tuple[str, str], int]:
        """(site, agency) -> phase it moved in."""
        out: dict[tuple[str, str], int] = {}
        for j, a, y in self.host:
            out[(j, a)] = min(y, out.get((j, a), y))
        return out


def decode(v, values: list[int]) -> Decisions:
    """Read a solver's values through the variable index (``PlanVariables``)."""
    d = Decisions()
    d.open = {key for key, var in v.open.items() if values[var]}
    d.fmt = {key for key, var in v.fmt.items() if values[var]}
    d.host = {key for key, var in v.host.items() if values[var]}
    d.serve = {key for key, var in v.serve.items() if values[var] > SHARE_TOL}
    d.share = {key: float(values[var]) for key, var in v.serve.items()
               if SHARE_TOL < values[var] < 1 - SHARE_TOL}
    d.team = {key for key, var in v.team.items() if values[var]}
    d.unserved = {key for key, var in v.unserved.items() if values[var]}
    return d


def team_needed(reach, linkage_year: int | None, i: str, s: str, j: str,
                y: int) -> str | None:
    """The district whose welfare team must sit at j for j to serve i's segment s in y.

    Before the information linkage, welfare demand of a point is served at its own
    district's center or where that district's team is; None when no team is needed.
    """
    if linkage_year is None or y >= linkage_year or reach.segments.get(s) != WELFARE_AGENCY:
        return None
    u = reach.unit_of[i]
    return None if j == u else u


def assign_best(d: Decisions, v, reach, mode: str, linkage_year: int | None) -> None:
    """Levels and Benders formulations: each client goes to its best available center.

    Best: highest reach (min_travel: shortest travel), then nearest, then site code, among
    the kept sites that host its tenant (and its team, where one is needed). The levels'
    value is exactly this plan's; a demand point with no such site stays unserved (in
    min_travel only when its far bound was charged, and the k-nearest loop widens it).
    """
    hosted = d.hosted()
    if mode == "min_travel":
        def rank(i, j):
            return (reach.minutes[(i, j)], j)
    else:
        def rank(i, j):
            return (-reach.reach[(i, j)], reach.minutes[(i, j)], j)
    for i, sites in reach.sites_of.items():
        order = sorted(sites, key=lambda j: rank(i, j))
        for s, a in v.segments.items():
            for y in v.years:
                for j in order:
                    u = team_needed(reach, linkage_year, i, s, j, y)
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
                if mode == "min_travel" or any((j, a, y) in hosted
                                               for j in reach.far_sites.get(i, ())):
                    used.add(i)
    return sorted(used)
