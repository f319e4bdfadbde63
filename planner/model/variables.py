"""The decision variables and the queries rules ask of them ("is open at j in y", ...).

Variables (all Boolean), following DESIGN.md section 4:
- ``open[j, y, k]``: a center of kind k operates at site j in phase y;
- ``fmt[j, f, y]``: it has format f in phase y (one format, kept once chosen);
- ``host[j, a, y]``: agency a is a tenant (the anchor Employment Center is implied by open);
- ``serve[i, s, j, y]``: segment s of demand point i (a district, or a 읍면동) is served at j
  (only where j reaches i);
- ``team[u, j, y]``: district u's welfare team sits in the center at j != u (before the
  information linkage, welfare demand of u's points is served only where its team is);
- ``covered[i, s, y]``: ``max_coverage`` without a caseload limit only, in place of serve: a
  reachable center hosts s's tenant (every such site counts the same, so the classic MCLP
  variable per demand point suffices; the plan's assignment is read off afterwards);
- ``unserved[i, s, y]``: min_travel with ``objective.unserved_min`` only, demand left
  unassigned (charged that many minutes).
- ``far[i, s, y]``: ``objective.k_nearest`` only, "served beyond the k nearest sites", valued
  at the (k+1)-th site's distance or reach (a bound); a final plan never uses it.
Centers open before the first phase (``sites.existing``) enter as the state before phase 1.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from planner.instance import Instance
from planner.model.linear import LinearModel
from planner.model.reach import ReachTable

ANCHOR = "employment_center"
Terms = dict[int, int]


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
    covered: dict[tuple[str, str, int], int] = field(default_factory=dict)  # compact MCLP
    existing_kind: dict[str, str] = field(default_factory=dict)
    existing_format: dict[str, str] = field(default_factory=dict)
    existing_hosts: dict[str, frozenset[str]] = field(default_factory=dict)

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
        return self.newly(self.open[(j, y, k)], None if p is None else self.open[(j, p, k)],
                          int(self.existing_kind.get(j) == k))

    def format_opened(self, j: str, f: str, y: int) -> tuple[Terms, int]:
        p = self.prev_year(y)
        return self.newly(self.fmt[(j, f, y)], None if p is None else self.fmt[(j, f, p)],
                          int(self.existing_format.get(j) == f))

    def joined(self, j: str, a: str, y: int) -> tuple[Terms, int]:
        """Agency a moves into the center at j in phase y."""
        p = self.prev_year(y)
        return self.newly(self.host[(j, a, y)], None if p is None else self.host[(j, a, p)],
                          int(a in self.existing_hosts.get(j, frozenset())))


def make_variables(inst: Instance, reach: ReachTable, lm: LinearModel,
                   compact_coverage: bool = False) -> PlanVariables:
    """Create every variable of the model for ``inst``.

    ``compact_coverage`` (max_coverage only): one ``covered`` variable per demand point,
    segment and phase instead of a serve variable per reachable site.
    """
    sc = inst.scenario
    agencies = [a for a in inst.agencies if a != ANCHOR]
    v = PlanVariables(lm=lm, sites=inst.codes, years=inst.years, kinds=list(sc.kinds),
                      formats=list(sc.formats), agencies=agencies, segments=reach.segments)
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
    if compact_coverage:
        for i in dict.fromkeys(i for (i, _) in reach.reach):
            for s in v.segments:
                for y in v.years:
                    v.covered[(i, s, y)] = lm.var(f"covered[{i},{s},{y}]")
    else:
        for (i, s, j, y) in reach.pairs():
            v.serve[(i, s, j, y)] = lm.var(f"serve[{i},{s},{j},{y}]")
    if sc.objective.mode == "min_travel" and sc.objective.unserved_min is not None:
        for i in inst.point_codes:
            for s in v.segments:
                for y in v.years:
                    v.unserved[(i, s, y)] = lm.var(f"unserved[{i},{s},{y}]")
    for i in reach.far_value:
        for s in v.segments:
            for y in v.years:
                v.far[(i, s, y)] = lm.var(f"far[{i},{s},{y}]")
    linkage = sc.welfare_linkage_year
    for (i, j) in reach.team_pairs():
        for y in v.years:
            if linkage is not None and y < linkage:
                v.team[(i, j, y)] = lm.var(f"team[{i},{j},{y}]")
    return v
