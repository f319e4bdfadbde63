"""Which centers can serve which demand points, and how much a served client counts (reach).

``r[i, j] = decay(travel_min[i, j])`` in (0, 1], 0 beyond the cutoff (no variable is made for
such pairs). A district always reaches a center in itself (travel 0, reach 1): pruning never
drops the diagonal (at 읍면동 resolution the travel from the 읍면동 counts, to its own
district's site too). ``min_travel`` keeps every finite pair (the p-median needs them), with
reach 1; ``max_coverage`` uses a step (1 within the cutoff).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from planner.domain import WELFARE_AGENCY, decay_matrix, decay_of
from planner.instance import Instance


@dataclass(frozen=True)
class Level:
    """A set of sites and what a client gains when one of them serves it (see ``levels``)."""

    sites: tuple[str, ...]
    gain: float


@dataclass
class PointLevels:
    """A demand point's value per client: base + the gains of the levels that have a center.

    ``forced``: min_travel without k-nearest, the set that must have a center (every client
    is assigned).
    """

    base: float
    levels: list[Level]
    forced: tuple[str, ...] | None = None


@dataclass
class ReachTable:
    """Reachable (demand point, site) pairs with their travel time and reach.

    At district resolution the demand points are the units; at 읍면동 resolution ``unit_of``
    names each point's district (whose welfare team serves it before the linkage).
    """

    segments: dict[str, str]  # modelled segment -> the agency that serves it
    weight: dict[str, float]
    minutes: dict[tuple[str, str], float]
    reach: dict[tuple[str, str], float]
    years: list[int]
    unit_of: dict[str, str]
    # k-nearest: what a client served beyond the kept sites counts at most (min_travel: the
    # (k+1)-th distance, a lower bound; max modes: the (k+1)-th reach, an upper bound), and
    # (max modes) the sites beyond, one of which must host the tenant
    far_value: dict[str, float] = field(default_factory=dict)
    far_sites: dict[str, list[str]] = field(default_factory=dict)

    def pairs(self):
        """Every (i, s, j, y) that gets a serve variable."""
        for i, j in self.reach:
            for s in self.segments:
                for y in self.years:
                    yield (i, s, j, y)

    def welfare_segments(self) -> list[str]:
        return [s for s, a in self.segments.items() if a == WELFARE_AGENCY]

    def team_pairs(self) -> list[tuple[str, str]]:
        """(district, site) pairs where a district's welfare team could sit in a center.

        The site is another district's that reaches some of the district's demand points.
        """
        if not self.welfare_segments():
            return []
        out = dict.fromkeys((self.unit_of[i], j) for (i, j) in self.reach if j != self.unit_of[i])
        return list(out)

    def levels(self, mode: str) -> dict[str, PointLevels]:
        """Each demand point's nested sets of sites by distinct value (the radius formulation).

        Max modes: with distinct reach r_1 > ... > r_L among the kept sites and r_{L+1} the
        far value (0 without k-nearest), level l is {j : r_ij >= r_l} and gains
        r_l - r_{l+1}; with k-nearest a last level (every site reaching i) gains the far
        value. A client whose best available site has reach r_m gets sum_{l >= m} gains =
        r_m. min_travel: distinct minutes m_1 < ... < m_L, level l = {j : t_ij <= m_l} saves
        m_{l+1} - m_l from a base of m_{L+1} (the far value; without k-nearest the base is
        m_L and the full set is a forced level: every client must be assigned).
        """
        out: dict[str, PointLevels] = {}
        for i, sites in self.sites_of.items():
            if mode == "min_travel":
                value = {j: self.minutes[(i, j)] for j in sites}
                marks = sorted(set(value.values()))
                far = self.far_value.get(i)
                nxt = marks[1:] + ([far] if far is not None else [])
                levels = [
                    Level(tuple(sorted(j for j in sites if value[j] <= m)), n - m)
                    for m, n in zip(marks, nxt, strict=False)
                ]
                if far is not None:
                    out[i] = PointLevels(far, levels)
                else:
                    out[i] = PointLevels(marks[-1], levels, forced=tuple(sorted(sites)))
                continue
            value = {j: self.reach[(i, j)] for j in sites}
            marks = sorted(set(value.values()), reverse=True)
            far = self.far_value.get(i)
            nxt = marks[1:] + [far if far is not None else 0.0]
            levels = [
                Level(tuple(sorted(j for j in sites if value[j] >= m)), m - n)
                for m, n in zip(marks, nxt, strict=True)
            ]
            if far is not None:
                levels.append(Level(tuple(sorted([*sites, *self.far_sites[i]])), far))
            out[i] = PointLevels(0.0, levels)
        return out

    def level_terms(self, mode: str) -> int:
        """How many (level, site) terms ``levels`` would write, before points share sets.

        sum over points of sum_l |S_l|: about k^2/2 per point with k sites, so the levels
        pay off for short site lists only (k-nearest, or a short cutoff).
        """
        total = 0
        for i, sites in self.sites_of.items():
            vals = np.array(
                [
                    self.minutes[(i, j)] if mode == "min_travel" else -self.reach[(i, j)]
                    for j in sites
                ]
            )
            _, counts = np.unique(vals, return_counts=True)
            total += int(np.cumsum(counts).sum())
        return total

    @cached_property
    def sites_of(self) -> dict[str, list[str]]:
        """Demand point -> the sites that reach it (kept pairs only)."""
        out: dict[str, list[str]] = {}
        for i, j in self.reach:
            out.setdefault(i, []).append(j)
        return out


def build_reach(inst: Instance, k_nearest: dict[str, int] | None = None) -> ReachTable:
    """Reach for the scenario's objective mode, travel cutoff and decay.

    ``k_nearest``: per demand point, keep only its k nearest sites (max modes: the k of
    highest reach; a district its own site always) and record what the sites left out are
    worth at best (``far_value``), so that the model can tell when k was too small.
    """
    sc = inst.scenario
    mode = sc.objective.mode
    kind, cutoff = decay_of(mode, sc.travel.cutoff_min, sc.travel.decay.kind)
    segments = inst.modelled_segments()
    t = inst.travel_min
    points, sites = list(t.index), list(t.columns)
    mat = t.to_numpy(dtype=float, copy=True)
    rmat = decay_matrix(mat, kind, cutoff, sc.travel.decay.half_life_min)
    col = {c: b for b, c in enumerate(sites)}
    own = [col.get(p) if not inst.fine_grained else None for p in points]
    for a, b in enumerate(own):  # the diagonal always stays, whatever an OD matrix says
        if b is not None:
            mat[a, b] = mat[a, b] if np.isfinite(mat[a, b]) else 0.0
            rmat[a, b] = 1.0
    keep = rmat > 0
    weight = {s: sc.segments[s].weight for s in segments}
    far_value: dict[str, float] = {}
    far_sites: dict[str, list[str]] = {}
    if k_nearest:
        for a, i in enumerate(points):
            k = k_nearest.get(i)
            cand = np.flatnonzero(keep[a])
            if k is None or k >= len(cand):
                continue
            if mode == "min_travel":
                order = cand[np.lexsort((cand, mat[a, cand]))]
            else:
                order = cand[np.lexsort((cand, mat[a, cand], -rmat[a, cand]))]
            kept = set(order[:k].tolist())
            if own[a] is not None:
                kept.add(own[a])
            beyond = [b for b in order[k:] if b not in kept]
            if not beyond:
                continue
            keep[a, beyond] = False
            b0 = beyond[0]
            far_value[i] = float(mat[a, b0] if mode == "min_travel" else rmat[a, b0])
            if mode != "min_travel":
                far_sites[i] = [sites[b] for b in beyond]
    minutes, reach = {}, {}
    for a, b in zip(*np.nonzero(keep), strict=True):
        key = (points[a], sites[b])
        minutes[key] = float(mat[a, b])
        reach[key] = float(rmat[a, b])
    return ReachTable(
        segments, weight, minutes, reach, list(inst.years), dict(inst.unit_of), far_value, far_sites
    )
