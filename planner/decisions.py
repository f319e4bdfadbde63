"""A plan as plain sets of decisions, independent of any solver's variables.

The validator, the KPIs and the outputs read these sets; a plan typed in by hand (tests) or
decoded from a solver looks the same.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from planner.model.variables import ANCHOR


@dataclass
class Decisions:
    """Which centers operate (with kind and format), who is in them, who is served where."""

    open: set[tuple[str, int, str]] = field(default_factory=set)  # (site, year, kind)
    fmt: set[tuple[str, str, int]] = field(default_factory=set)  # (site, format, year)
    host: set[tuple[str, str, int]] = field(default_factory=set)  # (site, agency, year), no anchor
    serve: set[tuple[str, str, str, int]] = field(default_factory=set)  # (district, seg, site, y)
    team: set[tuple[str, str, int]] = field(default_factory=set)  # (district, site, year)
    unserved: set[tuple[str, str, int]] = field(default_factory=set)  # (district, seg, year)
    covered_values: dict[int, int] = field(default_factory=dict)  # compact coverage

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
    d.serve = {key for key, var in v.serve.items() if values[var]}
    d.team = {key for key, var in v.team.items() if values[var]}
    d.unserved = {key for key, var in v.unserved.items() if values[var]}
    d.covered_values = {var: values[var] for var in v.covered.values()}
    return d


def assign_covered(d: Decisions, v, reach, linkage_year: int | None) -> None:
    """Compact coverage: read who is served where off the covered variables.

    Each covered client goes to the nearest reachable center hosting its tenant (before the
    welfare linkage: its own district's, or one with its team).
    """
    hosted = set(d.host) | {(j, ANCHOR, y) for (j, y, _) in d.open}
    welfare = set(reach.welfare_segments())
    for (i, s, y), var in v.covered.items():
        if not d.covered_values[var]:
            continue
        a = v.segments[s]
        u = reach.unit_of[i]
        ok = [j for j in reach.sites_of[i] if (j, a, y) in hosted and not (
            s in welfare and linkage_year is not None and y < linkage_year and j != u
            and (u, j, y) not in d.team)]
        if ok:
            d.serve.add((i, s, min(ok, key=lambda j: (reach.minutes[(i, j)], j)), y))
