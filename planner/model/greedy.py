"""A greedy plan used as the solver's starting hint (never as an answer).

Phase by phase it opens the sites with the largest marginal gain in reach-weighted demand,
honouring existing, forced and forbidden sites, which kinds may open where and when, and the
pools for the kinds' own staff (new builds' officers). Only the anchor's and mandatory
tenants' segments count in the gain. The hint may break rules the greedy ignores (the
tenants' share of the pools, budgets, balance); the solver repairs or drops it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from planner.domain import ANCHOR, best_site_key, team_needed
from planner.instance import Instance


def _kind_for(inst: Instance, j: str, y: int, left: dict[str, int] | None = None) -> str | None:
    """The first kind that may open at j in y (and whose staff fits ``left``, the pools)."""
    for k, kind in inst.scenario.kinds.items():
        if kind.earliest_year is not None and y < kind.earliest_year:
            continue
        if j not in inst.kind_sites(k):
            continue
        if kind.max_per_phase == 0:
            continue
        if left is not None and any(n > left.get(a, n) for a, n in kind.staff.items()):
            continue
        return k
    return None


def _pool_left(inst: Instance, y: int, used: dict[str, int]) -> dict[str, int]:
    """Staff of each pooled agency still free in phase y for the kinds' own staff."""
    cumulative = inst.scenario.pools_basis == "cumulative"
    return {
        a: by_year[y] - (used.get(a, 0) if cumulative else 0)
        for a, by_year in inst.pools.items()
        if y in by_year
    }


def greedy_plan(
    inst: Instance, reach_matrix: np.ndarray, demand: dict[int, np.ndarray]
) -> dict[str, tuple[int, str]]:
    """Site -> (phase opened, kind), existing centers excluded."""
    codes = inst.codes
    idx = {c: n for n, c in enumerate(codes)}
    forbidden = set(inst.scenario.sites.forbidden)
    best = np.zeros(reach_matrix.shape[0])  # best reach of each demand point so far
    for j in inst.existing:
        best = np.maximum(best, reach_matrix[:, idx[j]])
    plan: dict[str, tuple[int, str]] = {}
    is_open = set(inst.existing)
    used: dict[str, int] = {}  # kind staff drawn so far (the pools the greedy respects)
    for y in inst.years:
        need = inst.cumulative[y] - len(plan)
        left = _pool_left(inst, y, used)
        for f in inst.forced:
            fy = f.year or inst.years[-1]
            if fy == y and f.code in idx and f.code not in is_open and need > 0:
                kind = f.kind or _kind_for(inst, f.code, y) or next(iter(inst.scenario.kinds))
                _draw(inst, kind, left, used)
                plan[f.code] = (y, kind)
                is_open.add(f.code)
                best = np.maximum(best, reach_matrix[:, idx[f.code]])
                need -= 1
        while need > 0:
            gain = (demand[y][:, None] * np.maximum(reach_matrix - best[:, None], 0)).sum(0)
            order = np.argsort(-gain, kind="stable")
            pick = None
            for n in order:
                j = codes[n]
                if j in is_open or j in forbidden:
                    continue
                kind = _kind_for(inst, j, y, left)
                if kind is not None:
                    pick = (j, kind)
                    break
            if pick is None:
                break
            _draw(inst, pick[1], left, used)
            plan[pick[0]] = (y, pick[1])
            is_open.add(pick[0])
            best = np.maximum(best, reach_matrix[:, idx[pick[0]]])
            need -= 1
    return plan


def _draw(inst: Instance, kind: str, left: dict[str, int], used: dict[str, int]) -> None:
    """Take a new center's kind staff from the pools."""
    for a, n in inst.scenario.kinds[kind].staff.items():
        used[a] = used.get(a, 0) + n
        if a in left:
            left[a] -= n


# long by design (one pass per variable family, in model order)
def greedy_hint(inst: Instance, built: Any, states: dict[str, Any]) -> dict[int, int]:  # noqa: C901
    """A complete hint: the greedy plan, its mandatory tenants and assignments.

    Each client is served at the best reachable center (its own district's before the
    welfare linkage); optional tenants and guest teams are left out.
    """
    v, reach = built.v, built.reach
    row = {c: n for n, c in enumerate(inst.point_codes)}
    col = {c: n for n, c in enumerate(inst.codes)}
    mat = np.zeros((len(row), len(col)))
    for (i, j), r in reach.reach.items():
        mat[row[i], col[j]] = r
    counted = [s for s, a in reach.segments.items() if a == ANCHOR or inst.agencies[a].mandatory]
    demand = {
        y: inst.demand[y]
        .table[counted]
        .mul([reach.weight[s] for s in counted], axis=1)
        .sum(axis=1)
        .to_numpy(dtype=float)
        for y in inst.years
    }
    plan = greedy_plan(inst, mat, demand)
    opened = {j: (inst.years[0], k) for j, k in v.existing_kind.items()} | plan
    basic = next(
        (f for f, fm in inst.scenario.formats.items() if not fm.extended),
        next(iter(inst.scenario.formats)),
    )
    forced_fmt = {f.code: f.format for f in inst.forced if f.format is not None}
    forced_tenants = {(f.code, a): f.year or inst.years[-1] for f in inst.forced for a in f.tenants}
    hint: dict[int, int] = {}
    for j in v.sites:
        oy, ok = opened.get(j, (None, None))
        fmt = v.existing_format.get(j, forced_fmt.get(j, basic))
        for y in v.years:
            is_open = oy is not None and y >= oy
            for k in v.kinds:
                hint[v.open[(j, y, k)]] = int(is_open and k == ok)
            for f in v.formats:
                hint[v.fmt[(j, f, y)]] = int(is_open and f == fmt)
            for a in v.agencies:
                ty = forced_tenants.get((j, a))
                hint[v.host[(j, a, y)]] = int(
                    is_open and (inst.agencies[a].mandatory or (ty is not None and y >= ty))
                )
    linkage = inst.scenario.welfare_linkage_year

    def hosted(j: str, a: str, y: int) -> bool:
        """The greedy plan has a center at j in y with a (the anchor or a mandatory tenant)."""
        oy, _ = opened.get(j, (None, None))
        return oy is not None and y >= oy and (a == ANCHOR or inst.agencies[a].mandatory)

    def serves(i: str, s: str, j: str, y: int) -> bool:
        """... and it may serve i's segment s there (no guest teams in the greedy plan)."""
        a = v.segments[s]
        return hosted(j, a, y) and team_needed(reach.unit_of[i], a, linkage, j, y) is None

    mode = inst.scenario.objective.mode
    best: dict[tuple[str, str, int], tuple[tuple, int]] = {}
    for (i, s, j, y), var in v.serve.items():
        hint[var] = 0
        if not serves(i, s, j, y):
            continue
        key = best_site_key(mode, reach.minutes[(i, j)], reach.reach[(i, j)], j)
        if (i, s, y) not in best or key < best[(i, s, y)][0]:
            best[(i, s, y)] = (key, var)
    for _, var in best.values():
        hint[var] = 1
    for (sites, a, y, u), var in v.level.items():  # levels: no guest teams either
        hint[var] = int(
            any(hosted(j, a, y) for j in sites) if u is None else u in sites and hosted(u, a, y)
        )
    arranged = inst.arranged_teams()  # the named arrangements' teams, where the host is open
    for (u, j, y), var in v.team.items():
        since = arranged.get((u, j))
        hint[var] = int(since is not None and y >= since and j in opened and y >= opened[j][0])
    for (u, j, y), var in v.avail.items():
        hint[var] = hint[v.team[(u, j, y)]]
    for (i, s, y), var in v.unserved.items():
        hint[var] = int((i, s, y) not in best)
    for (i, s, y), var in v.far.items():  # min_travel must assign: beyond the k, if need be
        hint[var] = int(
            inst.scenario.objective.mode == "min_travel"
            and (i, s, y) not in best
            and (i, s, y) not in v.unserved
        )
    return hint
