"""Benders decomposition for fine demand (읍면동): decisions in a master, demand as cuts.

Once the centers, tenants and teams are fixed, each demand point's clients simply go to the
best available center, so the demand needs no assignment variables: the master carries the
plan's decisions and one bound ``theta[b, a, y]`` per bundle b of demand points (a 읍면동
district's points; at district resolution each point alone), agency and phase, in persons x
reach, limited by optimality cuts summed over the bundle's points i:

    theta_i <= r_m + sum_{l < m} (r_l - r_m) avail_l      (i's sites by reach, r_1 >= ...)

valid for every m (for integer availability the tightest is the best available site's
reach, so a plan is valued exactly). Cuts are added only where violated: first on the LP
relaxation (Kelley's cutting planes, interior point, one HiGHS model re-solved in place),
then on each plan of the master MIP. Every master is a relaxation of the full model, so its
bound is valid and the result is a plan with a proven gap even when time runs out. With all
cuts the LP equals that of the levels formulation; the master only carries the cuts needed.

Without the caseload limit. min_travel (every client assigned, no unserved_min): values are
distances turned around (see ``make_groups``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from planner.domain import WELFARE_AGENCY, best_site_key
from planner.model.backends import RawResult
from planner.model.highs_direct import PROOF_PRESOLVE, refuted, reseed, run
from planner.model.linear import LinearModel
from planner.scenario.schema import Solver

TOL = 1e-7  # relative: a cut is added when theta exceeds its value by more
LP_SHARE = 0.75  # of the time limit, at most, for the LP rounds
LP_STOP = 1e-4  # stop the LP rounds once the bound is this close (relative) to the best plan
RENS_SHARE = 0.3  # of the time left after the LP rounds, at most, for the RENS sub-MIP
# after the first LP round (interior point), dual simplex, given at most this multiple of the
# last interior-point round (and SIMPLEX_MIN_S) before that round falls back to interior point
SIMPLEX_CAP = 2.0
SIMPLEX_MIN_S = 8.0
SIMPLEX_AFTER_CUTS = 1500  # simplex once a round adds at most this many cuts
# in-out: with a core point (the last cut point: the full model's LP optimum), LP rounds
# separate at IN_OUT x core + (1 - IN_OUT) x the master's point, and Kelley's cuts at the
# master's point only where none of those is violated there. National: LP rounds 16 s -> 11.6 s;
# forward: 10 s -> 5.2 s, its master MIP slower by as much (bench/README.md, session 13)
IN_OUT = 0.8


@dataclass
class Groups:
    """Each demand point's sites by reach, district and weight per (agency, phase)."""

    order: np.ndarray  # points x K: site index by decreasing reach (-1: padding)
    reach: np.ndarray  # points x K: the reach of those sites (0 in the padding)
    unit: np.ndarray  # points: index of the point's district among the sites
    weight: dict[tuple[str, int], np.ndarray]  # (a, y) -> objective per unit of theta
    keys: list[tuple[str, int]]  # (a, y) pairs with weight
    welfare_before: set[tuple[str, int]]  # (a, y) where u's own center or team is needed
    offset: float = 0.0  # objective constant (min_travel: minus the farthest distances)
    far: np.ndarray | None = None  # min_travel: each point's farthest site (reach = far - t)


def make_groups(inst: Any, v: Any, reach: Any, scale: float, linkage_year: int | None) -> Groups:
    """Sort each point's reachable sites and weigh its clients per agency and phase.

    min_travel: the value of site j for point i is (i's farthest distance) - t_ij, and
    ``offset`` takes the farthest distances back off, so that maximizing value minimizes
    travel; a client with no available site is charged its farthest distance.
    """
    points = inst.point_codes
    col = {c: n for n, c in enumerate(v.sites)}
    by_point = reach.sites_of
    k = max(len(s) for s in by_point.values())
    order = np.full((len(points), k), -1, dtype=np.int64)
    rr = np.zeros((len(points), k))
    travel = inst.scenario.objective.mode == "min_travel"
    far = np.zeros(len(points))
    for p, i in enumerate(points):
        sites = sorted(
            by_point.get(i, []),
            key=lambda j: best_site_key(
                inst.scenario.objective.mode, reach.minutes[(i, j)], reach.reach[(i, j)], j
            ),
        )
        order[p, : len(sites)] = [col[j] for j in sites]
        if travel and sites:
            far[p] = max(reach.minutes[(i, j)] for j in sites)
            rr[p, : len(sites)] = [far[p] - reach.minutes[(i, j)] for j in sites]
        else:
            rr[p, : len(sites)] = [reach.reach[(i, j)] for j in sites]
    unit = np.array([col[reach.unit_of[i]] for i in points], dtype=np.int64)
    pw = inst.phase_weights()
    weight: dict[tuple[str, int], np.ndarray] = {}
    for s, a in v.segments.items():
        for y in v.years:
            d = inst.demand[y].table[s].reindex(points).fillna(0).to_numpy(dtype=float)
            w = scale * reach.weight[s] * pw[y] * d
            weight[(a, y)] = weight.get((a, y), 0.0) + w
    keys = [key for key, w in weight.items() if w.any()]
    before = {
        (a, y)
        for (a, y) in keys
        if a == WELFARE_AGENCY and linkage_year is not None and y < linkage_year
    }
    offset = -sum(float(w @ far) for w in weight.values()) if travel else 0.0
    return Groups(order, rr, unit, weight, keys, before, offset, far if travel else None)


def availability(
    v: Any, values: Any, a: str, y: int, before: bool, guests: bool, n: int
) -> np.ndarray:
    """How available each site is to each district's clients, from (LP or MIP) values.

    One row for everyone, unless ``before`` the linkage: then n x n, a district's own
    center or, with its team there, a guest center (the avail variable).
    """
    site = np.array([sum(values[c] * k for c, k in v.hosts(j, a, y).items()) for j in v.sites])
    if not before:
        return site[None, :]
    mat = np.zeros((n, n))
    np.fill_diagonal(mat, site)
    if guests:
        col = {c: m for m, c in enumerate(v.sites)}
        for (u, j, yy), var in v.avail.items():
            if yy == y:
                mat[col[u], col[j]] = values[var]
    return mat


def separate(g: Groups, avail: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Tightest cut of every point at this availability: (rhs, m)."""
    rhs = cut_values(g, avail)
    m = rhs.argmin(axis=1)
    return rhs[np.arange(len(m)), m], m


def cut_values(g: Groups, avail: np.ndarray) -> np.ndarray:
    """Every cut's value at this availability: points x (K + 1).

    rhs(m) = r_m (1 - sum_{l<m} x_l) + sum_{l<m} r_l x_l, over m = 1..K and 'none' (r = 0).
    """
    rows = avail if avail.shape[0] == 1 else avail[g.unit]
    pad = g.order < 0
    x = np.take_along_axis(
        rows if rows.shape[0] > 1 else np.broadcast_to(rows, (len(g.order), rows.shape[1])),
        np.where(pad, 0, g.order),
        axis=1,
    )
    x = np.where(pad, 0.0, x)
    cx = np.cumsum(x, axis=1) - x  # exclusive prefix sums
    crx = np.cumsum(g.reach * x, axis=1) - g.reach * x
    rhs = g.reach * (1.0 - cx) + crx
    none = (g.reach * x).sum(axis=1)
    return np.concatenate([rhs, none[:, None]], axis=1)


class Master:
    """The master problem in one HiGHS model: the model's rows, theta and the cuts.

    Rows are added in bulk and HiGHS re-solves from the last basis, so the LP rounds and
    then the MIP (the same model with integrality switched on) share every cut.
    """

    def __init__(
        self, lm: LinearModel, v: Any, g: Groups, guests: bool, scale: float, aggregate: bool
    ):
        import highspy

        self.hs = highspy
        self.h = h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("mip_rel_gap", 0.0)  # "optimal" must mean proven
        self.lm, self.v, self.g, self.guests = lm, v, g, guests
        n = lm.n_vars
        h.addVars(n, np.array(lm.lb, dtype=float), np.array(lm.ub, dtype=float))
        self._rows([(r.terms, *r.bounds()) for r in lm.rows])
        # theta[key][b]: persons x reach of bundle b (a point, or a district's points)
        self.bundle = g.unit if aggregate else np.arange(len(g.order))
        self.n_bundles = int(self.bundle.max()) + 1
        self.theta: dict[tuple[str, int], np.ndarray] = {}
        nxt = n
        for key in g.keys:
            ub = np.bincount(
                self.bundle, g.weight[key] * g.reach[:, 0] / scale, minlength=self.n_bundles
            )
            h.addVars(self.n_bundles, np.zeros(self.n_bundles), ub)
            self.theta[key] = np.arange(nxt, nxt + self.n_bundles)
            nxt += self.n_bundles
        self.n_cols = nxt
        self.scale = scale
        cost = np.zeros(nxt)
        for var, c in lm.objective.items():
            cost[var] = c
        for cols in self.theta.values():
            cost[cols] = scale
        h.changeColsCost(nxt, np.arange(nxt, dtype=np.int32), cost)
        h.changeObjectiveOffset(float(lm.offset) + g.offset)
        h.changeObjectiveSense(highspy.ObjSense.kMaximize)
        self.site_terms = {(a, y): [v.hosts(j, a, y) for j in v.sites] for (a, y) in g.keys}
        self.n_cuts = 0
        self.integer = False  # the LP rounds first; make_integer switches
        # theta at the last point cut_round valued: each bundle's exact value there
        self.point_thetas = np.zeros(self.n_cols)

    def _rows(self, rows: list[tuple[dict[int, float], float, float]]) -> None:
        if not rows:
            return
        starts, idx, val = [], [], []
        for terms, _, _ in rows:
            starts.append(len(idx))
            idx.extend(terms)
            val.extend(terms.values())
        self.h.addRows(
            len(rows),
            np.array([r[1] for r in rows], dtype=float),
            np.array([r[2] for r in rows], dtype=float),
            len(idx),
            np.array(starts, dtype=np.int32),
            np.array(idx, dtype=np.int32),
            np.array(val, dtype=float),
        )

    def avail_terms(self, key: tuple[str, int], u: int, j: int) -> dict[int, int]:
        """LinearModel terms of 'site j is available to district u's clients of a in y'."""
        if key not in self.g.welfare_before or u == j:
            return self.site_terms[key][j]
        v = self.v
        var = v.avail.get((v.sites[u], v.sites[j], key[1])) if self.guests else None
        return {} if var is None else {var: 1}

    def add_cuts(self, key: tuple[str, int], bundles: np.ndarray, m: np.ndarray) -> None:
        """One cut per bundle: the sum over its points (persons) of each point's cut at m."""
        g = self.g
        kmax = g.order.shape[1]
        w = g.weight[key] / self.scale
        members: dict[int, list[int]] = {}
        for p in np.flatnonzero(np.isin(self.bundle, bundles)).tolist():
            members.setdefault(int(self.bundle[p]), []).append(p)
        rows = []
        for b in bundles.tolist():
            coef: dict[int, float] = {int(self.theta[key][b]): 1.0}
            rhs = 0.0
            for p in members.get(b, []):
                if not w[p]:
                    continue
                mm = int(m[p])
                rm = float(g.reach[p, mm]) if mm < kmax else 0.0
                rhs += w[p] * rm
                u = int(g.unit[p])
                for n in range(mm):
                    j = int(g.order[p, n])
                    if j < 0:
                        break
                    gain = w[p] * (float(g.reach[p, n]) - rm)
                    for var, c in self.avail_terms(key, u, j).items():
                        coef[var] = coef.get(var, 0.0) - c * gain
            rows.append((coef, -np.inf, rhs))
        self._rows(rows)
        self.n_cuts += len(rows)

    def solve(self, time_limit: float) -> tuple[str, np.ndarray | None, float | None]:
        """(status, column values, dual bound) of a run within ``time_limit`` seconds."""
        return run(self.h, time_limit, self.integer)

    def lagrangian_bound(self) -> float | None:
        """A valid bound on the master LP from the last run's row duals, optimal or not.

        For any y (y_i > 0 only on rows with an upper side, y_i < 0 on a lower side), every
        feasible x has c x <= sum_i y_i side_i + max over the column box of (c - A'y) x
        (weak duality with bounds). Interior point without crossover may end "unknown", and a
        stopped run's objective bounds nothing; this bound holds anyway. Both signs of the
        reported duals are tried; the smaller finite value is returned.
        """
        sol = self.h.getSolution()
        if not sol.dual_valid:
            return None
        lp = self.h.getLp()
        a = lp.a_matrix_
        start = np.asarray(a.start_)
        index = np.asarray(a.index_)
        value = np.asarray(a.value_)
        col_of = np.repeat(np.arange(len(start) - 1), np.diff(start))
        lo, hi = np.asarray(lp.row_lower_), np.asarray(lp.row_upper_)
        cost = np.asarray(lp.col_cost_, dtype=float)
        cl, cu = np.asarray(lp.col_lower_), np.asarray(lp.col_upper_)
        best = None
        for sign in (1.0, -1.0):
            y = sign * np.asarray(sol.row_dual, dtype=float)
            y = np.where((y > 0) & ~np.isfinite(hi), 0.0, y)
            y = np.where((y < 0) & ~np.isfinite(lo), 0.0, y)
            sides = np.where(
                y > 0,
                y * np.where(np.isfinite(hi), hi, 0.0),
                y * np.where(np.isfinite(lo), lo, 0.0),
            ).sum()
            d = cost - np.bincount(col_of, weights=value * y[index], minlength=len(cost))
            if np.any((d > 0) & ~np.isfinite(cu)) or np.any((d < 0) & ~np.isfinite(cl)):
                continue
            box = np.where(
                d > 0,
                d * np.where(np.isfinite(cu), cu, 0.0),
                d * np.where(np.isfinite(cl), cl, 0.0),
            ).sum()
            bound = float(lp.offset_ + sides + box)
            if np.isfinite(bound) and (best is None or bound < best):
                best = bound
        return best

    def make_integer(self, hint: np.ndarray | None) -> None:
        """Switch the decision variables to integer (theta and continuous ones stay)."""
        ints = np.array(
            [k for k in range(self.lm.n_vars) if k not in self.lm.continuous], dtype=np.int32
        )
        self.h.changeColsIntegrality(
            len(ints), ints, np.array([self.hs.HighsVarType.kInteger] * len(ints))
        )
        self.integer = True
        if hint is not None:
            self.set_start(hint)

    def set_start(self, start: np.ndarray) -> None:
        """A plan with theta at its exact values (``point_thetas`` of the plan), all columns.

        theta at 0 instead made HiGHS 1.16's presolve report a wrong "optimal" (1,035,400
        for a master whose optimum is 713,000, its point worth 0; checked on the model
        written out, and right with presolve off or with theta at the plan's values).
        """
        sol = self.hs.HighsSolution()
        sol.col_value = [float(x) for x in start]
        self.h.setSolution(sol)

    def cut_round(
        self, values: np.ndarray, thetas: np.ndarray | None, sep: np.ndarray | None = None
    ) -> tuple[int, float]:
        """Add the violated cuts (without theta values: the tight ones).

        ``sep``: choose each point's cut at this point instead (in-out); the cuts are still
        valued, and kept when violated, at ``values``. Returns (cuts added, the demand part
        of the objective at these values, exact for integer values without ``sep``).
        """
        added, value = 0, 0.0
        n = len(self.v.sites)
        self.point_thetas = np.zeros(self.n_cols)
        self.point_thetas[: self.lm.n_vars] = values[: self.lm.n_vars]
        for key in self.g.keys:
            a, y = key
            before = key in self.g.welfare_before
            av = availability(self.v, values, a, y, before, self.guests, n)
            if sep is None:
                best, m = separate(self.g, av)
            else:
                _, m = separate(self.g, availability(self.v, sep, a, y, before, self.guests, n))
                best = cut_values(self.g, av)[np.arange(len(m)), m]
            w = self.g.weight[key]
            value += float(w @ best)
            rhs = np.bincount(self.bundle, w * best / self.scale, minlength=self.n_bundles)
            self.point_thetas[self.theta[key]] = rhs
            if thetas is None:
                bad = np.flatnonzero(rhs > 0)
            else:
                th = thetas[self.theta[key]]
                bad = np.flatnonzero(th > rhs + TOL * np.maximum(1.0, rhs))
            self.add_cuts(key, bad, m)
            added += len(bad)
        return added, value


def rens(
    master: Master,
    x_lp: np.ndarray,
    limit: float,
    consider: Callable[[list[int], np.ndarray], int],
    say: Callable[[str], None],
) -> None:
    """RENS on the master: the variables integral in the LP point fixed, the rest searched.

    On the 읍면동 model the district-level plan is 0.4% below the bound and the master MIP
    improves on it slowly; the LP point's neighbourhood holds better plans. Each plan found
    is valued exactly by ``consider`` (which also cuts it where the master overrated it);
    the sub-MIP's own bound is not a bound of the problem and is not used. The bounds of the
    fixed variables are restored afterwards.
    """
    lm = master.lm
    ints = np.array([k for k in range(lm.n_vars) if k not in lm.continuous], dtype=np.int32)
    xi = x_lp[ints]
    fix = ints[np.abs(xi - np.round(xi)) < 1e-6]
    if not len(fix):
        return
    values = np.round(x_lp[fix])
    master.h.changeColsBounds(len(fix), fix, values, values)
    deadline = time.perf_counter() + limit
    try:
        while time.perf_counter() < deadline - 0.5:
            code, x, _ = master.solve(deadline - time.perf_counter())
            if x is None:
                break
            added = consider([int(round(val)) for val in x[: lm.n_vars]], x)
            say(
                f"benders RENS ({len(fix)} of {len(ints)} fixed): {code.lower()}, {added} cuts, "
                f"{limit - (deadline - time.perf_counter()):.1f}s in RENS"
            )
            if not added or code != "OPTIMAL":
                break
    finally:
        lb = np.array(lm.lb, dtype=float)[fix]
        ub = np.array(lm.ub, dtype=float)[fix]
        master.h.changeColsBounds(len(fix), fix, lb, ub)


@dataclass
class LpMethod:
    """How the next LP round is solved: interior point first, then dual simplex while it keeps up.

    Simplex runs cold after an interior-point round and warm from the last basis after a
    simplex one. A simplex round that crawls (these LPs are degenerate: on the 읍면동 model it
    does) is cut short at SIMPLEX_CAP x the last interior-point round (at least
    SIMPLEX_MIN_S), redone by interior point, and every later round is interior point.
    """

    ipm_s: float | None = None  # seconds of the last interior-point round
    simplex_failed: bool = False
    last_cuts: int | None = None  # cuts the last round added

    def solve(self, master: Master, limit: float) -> tuple[str, np.ndarray | None, float | None]:
        started = time.perf_counter()
        few = self.last_cuts is not None and self.last_cuts <= SIMPLEX_AFTER_CUTS
        if self.ipm_s is not None and few and not self.simplex_failed:
            master.h.setOptionValue("solver", "simplex")
            cap = max(SIMPLEX_MIN_S, SIMPLEX_CAP * self.ipm_s)
            status, x, bound = master.solve(min(cap, limit))
            if status == "OPTIMAL" or cap >= limit:
                return status, x, bound
            self.simplex_failed = True
            master.h.clearSolver()  # the crawl's basis is no start for interior point
        master.h.setOptionValue("solver", "ipm")
        ipm_start = time.perf_counter()
        status, x, bound = master.solve(limit - (ipm_start - started))
        self.ipm_s = time.perf_counter() - ipm_start
        return status, x, bound


def refuted_note(
    bound: float | None, code: str, value: float | None, scale: float, again: bool
) -> str:
    """The log line of a master MIP run whose claim a known plan contradicts."""
    said = "infeasible" if bound is None else f"bound {_shown(bound, scale)}"
    then = "solved again with another random seed" if again else "its bound is not used"
    return (
        f"benders MIP: HiGHS said {code.lower()}, {said}, below a plan worth "
        f"{_shown(value, scale)} that satisfies every row: refuted, not a proof; {then}"
    )


def _shown(value: float | None, scale: float) -> str:
    """A value in objective units for progress lines ("-" when there is none)."""
    return "-" if value is None else f"{value / scale:,.1f}"


# long by design (one cut loop: LP rounds, MIP rounds, stop checks)
def solve_benders(  # noqa: C901
    lm: LinearModel,
    v: Any,
    g: Groups,
    opts: Solver,
    guests: bool,
    starts: list[dict[int, int]],
    scale: float,
    aggregate: bool = True,
    control: Any = None,
    started: float | None = None,
    late_start: Callable[[], dict[int, int] | None] | None = None,
    cut_points: list[list[float]] = (),
) -> RawResult:
    """Cutting planes on the LP relaxation, then the master MIP; plans valued exactly.

    ``starts``: plans (values by variable) to begin from: each adds its tight cuts and the
    best, valued exactly, is the first incumbent. The bound is the smallest of the LP rounds'
    Lagrangian bounds (every round's master is a relaxation of the full model, and the bound
    from its duals holds whether or not interior point declared them optimal) and the MIP's
    dual bound.
    ``control`` (a ``guard.Control``): progress, each better plan as an incumbent, and a
    stop request that ends the HiGHS run and the rounds with the best plan so far.
    ``late_start()``: a plan that takes time to find (the district-level optimum), asked for
    after ``starts`` are valued, so that a stop meanwhile still has their plan.
    ``cut_points``: points (fractional allowed) whose tight cuts are added before the LP
    rounds; every Benders cut is valid whatever point it was separated at. The last is the
    core point of the in-out LP rounds (IN_OUT).
    """
    say = control.progress if control is not None else (lambda _: None)
    start = started if started is not None else time.perf_counter()
    limit = opts.time_limit_s
    log: list[str] = []

    def left(share: float = 1.0) -> float:
        return share * limit - (time.perf_counter() - start)

    master = Master(lm, v, g, guests, scale, aggregate)
    best_values: list[int] | None = None
    best_start: np.ndarray | None = None  # the best plan with its exact theta (a MIP start)
    best_value: float | None = None
    bound: float | None = None
    if control is not None:
        master.h.HandleUserInterrupt = True
        control.stop = master.h.cancelSolve

    def stopped() -> bool:
        return control is not None and control.stop_requested

    def report() -> None:
        """The best plan with the current bound, for the parent should the run be ended."""
        if control is not None and best_values is not None:
            control.incumbent(best_values, best_value, bound)

    def consider(values: list[int], thetas: np.ndarray | None = None) -> int:
        """Value a plan exactly and keep it if best; returns the number of cuts added.

        Adds the plan's tight cuts (given the master's theta: only the violated ones).
        """
        nonlocal best_values, best_value, best_start
        for (u, j, y), var in v.avail.items():  # guest service wherever team and tenant are
            values[var] = int(
                values[v.team[(u, j, y)]] and any(values[c] for c in v.hosts(j, WELFARE_AGENCY, y))
            )
        added, demand_value = master.cut_round(np.array(values, dtype=float), thetas)
        if lm.violated_rows(values):
            return added
        exact = float(lm.evaluate(values)) + demand_value + g.offset
        if best_value is None or exact > best_value:
            best_values, best_value = values, exact
            best_start = master.point_thetas.copy()
            if control is not None:
                control.incumbent(values, exact, bound)
        return added

    for plan in starts:
        consider([int(plan.get(k, 0)) for k in range(lm.n_vars)])
    late = late_start() if late_start is not None and not stopped() else None
    if late:
        consider([int(late.get(k, 0)) for k in range(lm.n_vars)])
    if best_value is not None:
        say(f"benders: start plan worth {_shown(best_value, scale)} (exact)")
    core = None
    for point in cut_points:  # e.g. the full model's LP optimum: its tight cuts
        core = np.array(point, dtype=float)
        added, _ = master.cut_round(core, None)
        say(f"benders: {added} cuts at a given LP point")
    # 1. Kelley's cutting planes on the LP relaxation (LpMethod: interior point without
    # crossover, a round only needs the point to cut; then dual simplex while it keeps up)
    master.h.setOptionValue("run_crossover", "off")
    lp_bound, rounds, x_lp = None, 0, None
    method = LpMethod()
    while left(LP_SHARE) > 1.0 and not stopped():
        status, x, round_bound = method.solve(master, left(LP_SHARE))
        if x is None or status not in ("OPTIMAL", "FEASIBLE"):
            break
        rounds += 1
        # any point gives valid cuts; the bound is the duals' Lagrangian bound (valid for
        # any duals: interior point without crossover may end "unknown"), or the optimum
        safe = master.lagrangian_bound()
        if status == "OPTIMAL" and round_bound is not None:
            safe = round_bound if safe is None else min(safe, round_bound)
        if safe is not None:
            lp_bound = safe if lp_bound is None else min(lp_bound, safe)
            bound = lp_bound
            report()
        x_lp = x
        added = 0
        if core is not None:  # in-out: separate between the LP optimum and this point
            sep = IN_OUT * core + (1.0 - IN_OUT) * x[: lm.n_vars]
            added, _ = master.cut_round(x[: lm.n_vars], x, sep)
        if not added:
            added, _ = master.cut_round(x[: lm.n_vars], x)
        method.last_cuts = added
        say(
            f"benders LP round {rounds}: bound {_shown(lp_bound, scale)}, {added} cuts added, "
            f"{time.perf_counter() - start:.1f}s"
        )
        if not added or (
            best_value is not None
            and lp_bound is not None
            and lp_bound - best_value <= LP_STOP * abs(best_value)
        ):
            break
    log.append(
        f"benders: LP relaxation {rounds} rounds, {master.n_cuts} cuts, bound "
        f"{_shown(lp_bound, scale)}, "
        f"{time.perf_counter() - start:.1f}s"
    )
    # 2. the master MIP; each plan is valued exactly and cut where the master was wrong
    master.h.setOptionValue("solver", "choose")
    master.make_integer(best_start)
    if x_lp is not None and left() > 2.0 and not stopped():
        rens(master, x_lp, RENS_SHARE * left(), consider, say)
        if best_start is not None:
            master.set_start(best_start)
    # the runs whose bound is the proof: without presolve (HiGHS 1.16's presolve made a
    # master claim a wrong optimum, see PROOF_PRESOLVE); RENS above only finds plans
    master.h.setOptionValue("presolve", PROOF_PRESOLVE)
    bound, status = lp_bound, "UNKNOWN"
    retried = False
    while left() > 1.0 and not stopped():
        code, x, mip_bound = master.solve(left())
        added = 0 if x is None else consider([int(round(val)) for val in x[: lm.n_vars]], x)
        # a known plan (this run's own included) above the run's bound refutes its claim
        wrong = refuted(mip_bound, best_value, 0.5, maximize=True) or (
            code == "INFEASIBLE" and best_value is not None
        )
        if wrong:
            note = refuted_note(mip_bound, code, best_value, scale, not retried)
            say(note)
            log.append(note)
        elif code == "INFEASIBLE" and not stopped():
            status = code
            break
        elif mip_bound is not None:
            bound = mip_bound if bound is None else min(bound, mip_bound)
            report()
        if x is not None:
            say(
                f"benders MIP: best plan {_shown(best_value, scale)} (exact), bound "
                f"{_shown(bound, scale)}, {added} cuts added, {time.perf_counter() - start:.1f}s"
            )
        if best_start is not None:
            master.set_start(best_start)
        if wrong and not retried and not stopped():
            retried = True
            reseed(master.h)
            continue
        if wrong or x is None or not added or code != "OPTIMAL":
            break
    if best_values is not None:
        # a bound just below a feasible plan's exact value is the solvers' tolerance showing;
        # within half an objective unit (the rounding of every coefficient) and REFUTE_REL
        # counts as proven, further below is a wrong bound (never the case for the LP
        # rounds' Lagrangian bounds, which are computed here) and proves nothing
        if refuted(bound, best_value, 0.5, maximize=True):
            log.append(f"benders: bound {bound} below the plan's exact value: not used")
            bound = None
        proven = bound is not None and bound - best_value <= 0.5
        if proven:
            bound = best_value
        status = "OPTIMAL" if proven else "FEASIBLE"
    elapsed = time.perf_counter() - start
    log.append(f"benders: {status}, plan {best_value}, bound {bound}, {elapsed:.1f}s")
    return RawResult(
        opts.backend,
        status,
        best_values,
        best_value,
        bound if best_values is not None else None,
        elapsed,
        log,
    )
