"""The decision variables and the queries rules ask of them ("is open at j in y", ...).

Variables (Boolean unless said), as in docs/formulation.md:
- ``open[j, y, k]``: a center of kind k operates at site j in phase y;
- ``fmt[j, f, y]``: it has format f in phase y (one format, kept once chosen);
- ``host[j, a, y]``: agency a is a tenant (the anchor Employment Center is implied by open);
- ``serve[i, s, j, y]``: segment s of demand point i (a district, or a 읍면동) is served at j
  (only where j reaches i);
- ``team[u, j, y]``: district u's welfare team sits in the center at j != u (before the
  information linkage, welfare demand of u's points is served only where its team is);
- ``level[S, a, y, u]`` (the "levels" formulation, in place of serve): some site of the set S
  hosts agency a in phase y (for welfare before the linkage, u: the district whose clients it
  serves, through its own center or its team). Each demand point's value is a base plus gains
  on nested sets of sites by distinct reach or distance (``ReachTable.levels``), and points
  with the same set share the variable, so the model grows with the distinct sets, not with
  the point-site pairs. Continuous in MIP backends: with integer hosts, min(1, hosts) is
  integral. The assignment is read off afterwards (each client to its best available site);
- ``avail[u, j, y]``: levels only, u's welfare clients can be served at j != u (the tenant is
  there and so is u's team);
- ``unserved[i, s, y]``: min_travel with ``objective.unserved_min`` only, demand left
  unassigned (charged that many minutes).
- ``far[i, s, y]``: ``objective.k_nearest`` with serve variables only, "served beyond the k
  nearest sites", valued at the (k+1)-th site's distance or reach (a bound); a final plan
  never uses it (the levels formulation has a far level instead).
Centers open before the first phase (``sites.existing``) enter as the state before phase 1.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from planner.domain import ANCHOR, WELFARE_AGENCY
from planner.instance import Instance
from planner.model.linear import LinearModel
from planner.model.reach import PointLevels, ReachTable

Terms = dict[int, int]
LevelKey = tuple[tuple[str, ...], str, int, str | None]  # (sites, agency, year, district)


@dataclass
class PlanVariables:
    """Index of every variable, plus the state before phase 1."""

    lm: LinearModel
    sites: list[str]
    years: list[int]
    kinds: list[str]
    formats: list[str]
    agencies: list[str]  # tenants with host variables (every enabled agency but the anchor)
    segments: dict[str, str]  # modelled segment -> agency serving it
    open: dict[tuple[str, int, str], int] = field(default_factory=dict)
    fmt: dict[tuple[str, str, int], int] = field(default_factory=dict)
    host: dict[tuple[str, str, int], int] = field(default_factory=dict)
    serve: dict[tuple[str, str, str, int], int] = field(default_factory=dict)
    team: dict[tuple[str, str, int], int] = field(default_factory=dict)
    unserved: dict[tuple[str, str, int], int] = field(default_factory=dict)
    far: dict[tuple[str, str, int], int] = field(default_factory=dict)  # k-nearest only
    level: dict[LevelKey, int] = field(default_factory=dict)  # levels formulation
    avail: dict[tuple[str, str, int], int] = field(default_factory=dict)  # levels + linkage
    point_levels: dict[str, PointLevels] = field(default_factory=dict)
    linkage_year: int | None = None
    formulation: str = "assignment"
    existing_kind: dict[str, str] = field(default_factory=dict)
    existing_format: dict[str, str] = field(default_factory=dict)
    existing_hosts: dict[str, frozenset[str]] = field(default_factory=dict)

    def level_key(self, sites: tuple[str, ...], a: str, y: int, unit: str) -> LevelKey:
        """The level variable's key for a point of district ``unit``."""
        before = self.linkage_year is not None and y < self.linkage_year
        return (sites, a, y, unit if a == WELFARE_AGENCY and before else None)

    def point_level_keys(self, i: str, unit: str):
        """(agency, year, key, gain) of each of point i's levels that has a variable."""
        pl = self.point_levels[i]
        for a in dict.fromkeys(self.segments.values()):
            for y in self.years:
                for lev in pl.levels:
                    key = self.level_key(lev.sites, a, y, unit)
                    if key in self.level:
                        yield a, y, key, lev.gain

    def prev_year(self, y: int) -> int | None:
        i = self.years.index(y)
        return self.years[i - 1] if i else None

    def is_open(self, j: str, y: int) -> Terms:
        """Terms of sum_k open[j, y, k]."""
        return {self.open[(j, y, k)]: 1 for k in self.kinds}

    def hosts(self, j: str, a: str, y: int) -> Terms:
        """Terms of 'agency a is in the center at j in y' (the anchor: the center is open)."""
        return self.is_open(j, y) if a == ANCHOR else {self.host[(j, a, y)]: 1}

    def newly(self, key_now: int, key_prev: int | None, before: int) -> tuple[Terms, int]:
        """(terms, constant) of x_now - x_prev, where phase 1's x_prev is the constant before."""
        if key_prev is None:
            return {key_now: 1}, -before
        return ({key_now: 1, key_prev: -1} if key_now != key_prev else {}), 0

    def opened(self, j: str, y: int, k: str) -> tuple[Terms, int]:
        """A center of kind k opens at j in phase y: open[j,y,k] - open[j,y-1,k]."""
        p = self.prev_year(y)
        return self.newly(
            self.open[(j, y, k)],
            None if p is None else self.open[(j, p, k)],
            int(self.existing_kind.get(j) == k),
        )

    def format_opened(self, j: str, f: str, y: int) -> tuple[Terms, int]:
        p = self.prev_year(y)
        return self.newly(
            self.fmt[(j, f, y)],
            None if p is None else self.fmt[(j, f, p)],
            int(self.existing_format.get(j) == f),
        )

    def joined(self, j: str, a: str, y: int) -> tuple[Terms, int]:
        """Agency a moves into the center at j in phase y."""
        p = self.prev_year(y)
        return self.newly(
            self.host[(j, a, y)],
            None if p is None else self.host[(j, a, p)],
            int(a in self.existing_hosts.get(j, frozenset())),
        )


# long by design (one block per variable family)
def make_variables(  # noqa: C901
    inst: Instance,
    reach: ReachTable,
    lm: LinearModel,
    formulation: str = "assignment",
    split: bool = False,
) -> PlanVariables:
    """Create every variable of the model for ``inst``.

    ``formulation``: "assignment" (a serve variable per demand point, segment, reachable site
    and phase), "levels" (shared level variables, see the module docstring) or "benders"
    (neither: demand enters as cuts, ``planner.model.benders``). ``split``: serve variables
    are shares in [0, 1] (continuous; the caseload rule's split demand).
    """
    sc = inst.scenario
    agencies = [a for a in inst.agencies if a != ANCHOR]
    v = PlanVariables(
        lm=lm,
        sites=inst.codes,
        years=inst.years,
        kinds=list(sc.kinds),
        formats=list(sc.formats),
        agencies=agencies,
        segments=reach.segments,
        linkage_year=sc.welfare_linkage_year,
        formulation=formulation,
    )
    ex = sc.sites.existing
    for j in inst.existing:
        v.existing_kind[j] = ex.kind
        v.existing_format[j] = ex.format
        v.existing_hosts[j] = frozenset(a for a, p in inst.agencies.items() if p.mandatory)
    for j in v.sites:
        for y in v.years:
            for k in v.kinds:
                v.open[(j, y, k)] = lm.var(f"open[{j},{y},{k}]")
            for f in v.formats:
                v.fmt[(j, f, y)] = lm.var(f"fmt[{j},{f},{y}]")
            for a in agencies:
                v.host[(j, a, y)] = lm.var(f"host[{j},{a},{y}]")
    if formulation == "levels":
        _make_levels(v, reach, lm, sc.objective.mode)
    elif formulation == "assignment":
        for i, s, j, y in reach.pairs():
            v.serve[(i, s, j, y)] = lm.var(f"serve[{i},{s},{j},{y}]", continuous=split)
    if sc.objective.mode == "min_travel" and sc.objective.unserved_min is not None:
        for i in inst.point_codes:
            for s in v.segments:
                for y in v.years:
                    v.unserved[(i, s, y)] = lm.var(f"unserved[{i},{s},{y}]")
    for i in reach.far_value if formulation == "assignment" else ():
        for s in v.segments:
            for y in v.years:
                v.far[(i, s, y)] = lm.var(f"far[{i},{s},{y}]")
    linkage = sc.welfare_linkage_year
    pairs = dict.fromkeys([*reach.team_pairs(), *inst.arranged_teams()])
    if WELFARE_AGENCY not in v.segments.values():
        pairs = dict.fromkeys(reach.team_pairs())
    for i, j in pairs:
        for y in v.years:
            if linkage is not None and y < linkage:
                v.team[(i, j, y)] = lm.var(f"team[{i},{j},{y}]")
                if formulation != "assignment" and WELFARE_AGENCY in v.segments.values():
                    v.avail[(i, j, y)] = lm.var(f"avail[{i},{j},{y}]", continuous=True)
    return v


def _make_levels(v: PlanVariables, reach: ReachTable, lm: LinearModel, mode: str) -> None:
    """One level variable per distinct (sites, agency, phase[, district]) with a gain."""
    v.point_levels = reach.levels(mode)
    agencies = list(dict.fromkeys(v.segments.values()))
    for i, pl in v.point_levels.items():
        u = reach.unit_of[i]
        sets = [lev.sites for lev in pl.levels if lev.gain > 0]
        if pl.forced is not None:  # min_travel: every client is assigned
            sets.append(pl.forced)
        for a in agencies:
            for y in v.years:
                for sites in sets:
                    key = v.level_key(sites, a, y, u)
                    if key not in v.level:
                        v.level[key] = lm.var(_level_name(key), continuous=True)
                if pl.forced is not None:
                    lm.lb[v.level[v.level_key(pl.forced, a, y, u)]] = 1


def _level_name(key: LevelKey) -> str:
    sites, a, y, u = key
    return f"level[{'+'.join(sites)},{a},{y}{'' if u is None else ',' + u}]"
