"""Which centers can serve which districts, and how much a served client counts (reach).

``r[i, j] = decay(travel_min[i, j])`` in (0, 1], 0 beyond the cutoff (no variable is made for
such pairs). A district always reaches a center in itself (travel 0, reach 1): pruning never
drops the diagonal. ``min_travel`` keeps every finite pair (the p-median needs them), with reach
1; ``max_coverage`` uses a step (1 within the cutoff).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from planner.instance import Instance

WELFARE_AGENCY = "welfare_team"


def decay(minutes: float, kind: str, cutoff: float, half_life: float) -> float:
    """Reach of a center ``minutes`` away: 1 at 0, falling to 0 at the cutoff."""
    if minutes > cutoff or not math.isfinite(minutes):
        return 0.0
    if kind == "step":
        return 1.0
    if kind == "exponential":
        return 0.5 ** (minutes / half_life)
    return 1.0 - minutes / cutoff  # linear


@dataclass
class ReachTable:
    """Reachable (district, site) pairs with their travel time and reach."""

    segments: dict[str, str]  # modelled segment -> the agency that serves it
    weight: dict[str, float]
    minutes: dict[tuple[str, str], float]
    reach: dict[tuple[str, str], float]
    years: list[int]
    far_min: dict[str, float] = field(default_factory=dict)  # k-nearest: (k+1)-th distance

    def pairs(self):
        """Every (i, s, j, y) that gets a serve variable."""
        for (i, j) in self.reach:
            for s in self.segments:
                for y in self.years:
                    yield (i, s, j, y)

    def welfare_segments(self) -> list[str]:
        return [s for s, a in self.segments.items() if a == WELFARE_AGENCY]

    def team_pairs(self) -> list[tuple[str, str]]:
        """Pairs where district i's welfare team could sit in a center at j != i."""
        if not self.welfare_segments():
            return []
        return [(i, j) for (i, j) in self.reach if i != j]

    def sites_reaching(self, i: str) -> list[str]:
        return [j for (a, j) in self.reach if a == i]


def build_reach(inst: Instance, k_nearest: dict[str, int] | None = None) -> ReachTable:
    """Reach for the scenario's objective mode, travel cutoff and decay.

    ``k_nearest`` (min_travel): per district, keep only its k nearest sites (the district
    itself always) and record the (k+1)-th distance, a lower bound on any site left out.
    """
    sc = inst.scenario
    mode = sc.objective.mode
    cutoff = math.inf if mode == "min_travel" else sc.travel.cutoff_min
    kind = "step" if mode in ("max_coverage", "min_travel") else sc.travel.decay.kind
    seg_agency = inst.catalog.agency_of_segment()
    segments = {s: seg_agency[s] for s, st in sc.segments.items()
                if st.weight > 0 and seg_agency.get(s) in inst.agencies}
    t = inst.travel_min
    codes = list(t.index)
    mat = t.to_numpy()
    minutes, reach = {}, {}
    for a, b in zip(*np.nonzero(np.isfinite(mat) & (mat <= cutoff)), strict=True):
        i, j = codes[a], codes[b]
        m = float(mat[a, b])
        r = 1.0 if i == j else decay(m, kind, cutoff, sc.travel.decay.half_life_min)
        if r > 0:
            minutes[(i, j)], reach[(i, j)] = m, r
    for c in codes:  # the diagonal always stays, whatever a user's OD matrix says
        minutes.setdefault((c, c), 0.0)
        reach[(c, c)] = 1.0
    weight = {s: sc.segments[s].weight for s in segments}
    far_min: dict[str, float] = {}
    if k_nearest and mode == "min_travel":
        for a, i in enumerate(codes):
            k = k_nearest.get(i)
            row = mat[a]
            order = [b for b in np.argsort(row, kind="stable") if np.isfinite(row[b])]
            if k is None or k >= len(order):
                continue
            keep = {codes[b] for b in order[:k]} | {i}
            for b in order[k:]:
                if codes[b] not in keep:
                    minutes.pop((i, codes[b]), None)
                    reach.pop((i, codes[b]), None)
            far_min[i] = float(row[order[k]])
    return ReachTable(segments, weight, minutes, reach, list(inst.years), far_min)
