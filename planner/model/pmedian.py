"""The p-median by Benders decomposition, on arrays: proven optima for thousands of points.

The formulation is the one Duran-Mateluna, Ales and Elloumi (EJOR 2023) build on: the
0/1 site decisions y, one variable theta_i per client i (its weighted distance), and for
every client and every site rank k of i's sites by cost (c_i(1) <= c_i(2) <= ...):

    theta_i >= c_i(k) - sum_{l < k} (c_i(k) - c_i(l)) y_(l)          (a Benders cut)

Why this way:
- **Separation needs no LP.** At any y in [0,1], the deepest cut of client i is the one at
  its critical rank, the first k where y_(1) + ... + y_(k) >= 1 (filling i's demand from its
  nearest sites in turn), found by a prefix sum over i's sorted sites: linear time, and
  vectorized over all clients at once.
- **The LP phase is stabilized** (in-out, Ben-Ameur and Neto): cuts are separated at a
  point between the master's LP solution and a core point that moves with it, which cuts
  the number of LP rounds that plain Kelley cutting planes need on these degenerate LPs.
  The master LP is re-solved by dual simplex from its last basis after each batch of rows.
- **Incumbents come from a swap local search** (fast interchange): from the LP's rounding,
  each move swaps the one open site and the one closed site that save the most, evaluated
  for all pairs at once from each client's nearest and second-nearest open site.
- **Reduced-cost fixing.** With the LP optimum (bound L), its reduced costs r and the best
  plan (value U), a site with L + r_j > U cannot be in any plan better than U: it is fixed
  closed (and one with L - r_j > U fixed open) before the MIP.
- **The MIP phase** is HiGHS on the master with every cut so far, started from the best
  plan. Each master solution is valued exactly; where the master underrates it, its tight
  cuts are added and the master is solved again. The master is always a relaxation, so its
  dual bound bounds the p-median, and "optimal" is said only when the best plan's exact
  value meets it.

``solve_pmedian`` is the entry point and ``PMedian.from_matrix`` builds the data;
``planner.model.pmedian_model`` hands planner's p-median special case to it
(``solver.formulation: benders`` on a one-phase min_travel model without tenants).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from planner.model.highs_direct import PROOF_PRESOLVE, refuted, reseed, run

ALPHA = 0.5  # in-out: the separation point's share of the core point
VIOLATION = 1e-7  # relative: an LP round adds a cut when it exceeds theta by more
MIP_VIOLATION = 1e-9  # the same for a plan of the master MIP (its value must be exact)
GAP_TOL = 1e-9  # relative gap (plus an absolute 1e-6) under which a plan counts as proven


@dataclass
class PMedian:
    """Each client's sites sorted by cost, the dense cost matrix and the client weights."""

    order: np.ndarray  # n x K int32: site index by increasing cost
    cost: np.ndarray  # n x K float: those costs
    weight: np.ndarray  # n: client weights (demand)
    dense: np.ndarray  # n x m: cost of client i at site j (for the local search)
    p: int

    @classmethod
    def from_matrix(cls, cost: np.ndarray, weight: np.ndarray, p: int) -> PMedian:
        """From a clients x sites cost matrix (every client may use every site)."""
        cost = np.ascontiguousarray(cost, dtype=float)
        order = np.argsort(cost, axis=1, kind="stable").astype(np.int32)
        return cls(
            order, np.take_along_axis(cost, order, axis=1), np.asarray(weight, float), cost, int(p)
        )

    @property
    def n_clients(self) -> int:
        return self.order.shape[0]

    @property
    def n_sites(self) -> int:
        return self.dense.shape[1]

    @cached_property
    def integral(self) -> bool:
        """Every weight and cost integral: plan values are integers (bounds round up)."""
        w, c = self.weight, self.dense
        return bool(np.all(w == np.round(w)) and np.all(c == np.round(c)))

    def value(self, open_sites: np.ndarray) -> float:
        """Exact objective of a plan (indices of its open sites)."""
        return float(self.weight @ self.dense[:, open_sites].min(axis=1))


@dataclass
class PMedianResult:
    """Status ("OPTIMAL", "FEASIBLE", "UNKNOWN"), the best plan, its value and the bound."""

    status: str
    sites: np.ndarray | None
    value: float | None
    bound: float | None
    time_s: float
    log: list[str] = field(default_factory=list)


def critical_cuts(pm: PMedian, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every client's deepest cut at y: (its rank k, its value at y).

    Only a prefix of each client's sorted sites is read: it widens until every client's
    cumulative y reaches 1 (or the list ends), so the cost is that of the ranks that matter.
    """
    kmax = pm.order.shape[1]
    width = min(kmax, 32)
    while True:
        ys = y[pm.order[:, :width]]
        cum = np.cumsum(ys, axis=1)
        reached = cum[:, -1] >= 1.0 - 1e-9
        if reached.all() or width == kmax:
            break
        width = min(kmax, width * 4)
    hit = cum >= 1.0 - 1e-9
    k = np.where(hit.any(axis=1), hit.argmax(axis=1), width - 1)
    return k, cut_value(pm, k, y)


def cut_value(pm: PMedian, k: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Each client's cut at rank k[i], evaluated at y."""
    width = int(k.max()) + 1
    c = pm.cost[:, :width]
    ck = c[np.arange(len(k)), k]
    below = np.arange(width)[None, :] < k[:, None]
    return ck - ((ck[:, None] - c) * y[pm.order[:, :width]] * below).sum(axis=1)


def cut_rows(pm: PMedian, clients: np.ndarray, k: np.ndarray, n_sites: int):
    """The rows theta_i + sum_{l<k} (c(k) - c(l)) y_(l) >= c(k) of the given clients.

    Columns: sites 0..m-1, then theta_i at m + i. Returns CSR arrays (starts, index, value)
    and the lower sides.
    """
    starts, idx, val, lower = [], [], [], []
    nnz = 0
    for i, ki in zip(clients.tolist(), k[clients].tolist(), strict=True):
        ck = pm.cost[i, ki]
        coef = ck - pm.cost[i, :ki]
        keep = coef > 0
        sites = pm.order[i, :ki][keep]
        starts.append(nnz)
        idx.append(np.append(sites, n_sites + i))
        val.append(np.append(coef[keep], 1.0))
        lower.append(ck)
        nnz += len(sites) + 1
    return (
        np.array(starts, dtype=np.int32),
        np.concatenate(idx).astype(np.int32) if idx else np.zeros(0, np.int32),
        np.concatenate(val) if val else np.zeros(0),
        np.array(lower, dtype=float),
    )


def _nearest_two(pm: PMedian, open_sites: np.ndarray):
    """Per client: nearest open site (index into open_sites), its cost, the second cost."""
    sub = pm.dense[:, open_sites]
    if len(open_sites) == 1:
        return np.zeros(len(sub), dtype=np.int64), sub[:, 0], np.full(len(sub), np.inf)
    two = np.argpartition(sub, 1, axis=1)[:, :2]
    a = np.take_along_axis(sub, two, axis=1)
    first = np.where(a[:, 0] <= a[:, 1], 0, 1)
    near = two[np.arange(len(sub)), first]
    return near, a.min(axis=1), a.max(axis=1)


def local_search(pm: PMedian, open_sites: np.ndarray, deadline: float) -> tuple[np.ndarray, float]:
    """Best-improvement swaps (one site out, one in) until none saves anything.

    Returns the plan and its value.
    """
    open_sites = np.array(sorted(open_sites.tolist()), dtype=np.int64)
    w, d = pm.weight, pm.dense
    p = len(open_sites)
    while time.perf_counter() < deadline:
        near, d1, d2 = _nearest_two(pm, open_sites)
        gain_in = (w[:, None] * np.minimum(d - d1[:, None], 0.0)).sum(axis=0)  # <= 0
        extra = w[:, None] * (np.minimum(d2[:, None], d) - np.minimum(d1[:, None], d))
        by = np.argsort(near, kind="stable")
        counts = np.bincount(near, minlength=p)
        loss = np.zeros((p, d.shape[1]))
        has = counts > 0
        if has.any():
            firsts = np.concatenate([[0], np.cumsum(counts)[:-1]])[has]
            loss[has] = np.add.reduceat(extra[by], firsts, axis=0)
        delta = gain_in[None, :] + loss
        delta[:, open_sites] = np.inf
        r, j = np.unravel_index(np.argmin(delta), delta.shape)
        current = float(w @ d1)
        if not delta[r, j] < -1e-9 * max(1.0, abs(current)):
            break
        open_sites[r] = j
        open_sites.sort()
    return open_sites, pm.value(open_sites)


def greedy(pm: PMedian, deadline: float) -> np.ndarray:
    """Sites added one at a time, each the one that saves most (a first plan)."""
    w, d = pm.weight, pm.dense
    best = np.full(pm.n_clients, np.inf)
    chosen: list[int] = []
    for _ in range(pm.p):
        if time.perf_counter() > deadline:
            break
        cur = np.where(np.isfinite(best), best, d.max(axis=1))
        total = (w[:, None] * np.minimum(d, cur[:, None])).sum(axis=0)
        total[chosen] = np.inf
        j = int(np.argmin(total))
        chosen.append(j)
        best = np.minimum(best, d[:, j])
    if len(chosen) < pm.p:  # out of time: fill with the heaviest clients' own best sites
        rest = [
            j for j in np.argsort(-(w @ (d == d.min(axis=1, keepdims=True)))) if j not in chosen
        ]
        chosen += [int(j) for j in rest[: pm.p - len(chosen)]]
    return np.array(sorted(chosen), dtype=np.int64)


class Master:
    """The Benders master in one HiGHS model: sites y, client thetas, cardinality, cuts."""

    def __init__(self, pm: PMedian):
        import highspy

        self.hs = highspy
        self.pm = pm
        self.h = h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("mip_rel_gap", 0.0)
        m, n = pm.n_sites, pm.n_clients
        self.m, self.n = m, n
        h.addVars(m, np.zeros(m), np.ones(m))
        h.addVars(n, np.zeros(n), np.full(n, np.inf))
        h.changeColsCost(
            m + n, np.arange(m + n, dtype=np.int32), np.concatenate([np.zeros(m), pm.weight])
        )
        h.addRow(float(pm.p), float(pm.p), m, np.arange(m, dtype=np.int32), np.ones(m))
        self.n_cuts = 0
        self.integer = False
        self.found: list[np.ndarray] = []

    def add_cuts(self, clients: np.ndarray, k: np.ndarray) -> int:
        if len(clients) == 0:
            return 0
        starts, idx, val, lower = cut_rows(self.pm, clients, k, self.m)
        self.h.addRows(len(lower), lower, np.full(len(lower), np.inf), len(idx), starts, idx, val)
        self.n_cuts += len(lower)
        return len(lower)

    def collect_solutions(self) -> None:
        """Keep every integer solution the MIP search finds (its sites and thetas).

        HiGHS has no lazy constraints, so a master solution that underrates its plan cannot
        be cut during the search; its cuts are added after the run instead, all at once.
        """

        def seen(_type, _msg, data_out, _data_in, _user) -> None:
            if len(self.found) < 200:
                x = np.asarray(data_out.mip_solution)
                if len(x) == self.m + self.n:
                    self.found.append(x.copy())

        self.h.setCallback(seen, None)
        self.h.startCallback(self.hs.cb.HighsCallbackType.kCallbackMipSolution)

    def solve(self, time_limit: float) -> tuple[str, np.ndarray | None, float | None]:
        """(status, column values, dual bound)."""
        self.found = []
        return run(self.h, time_limit, self.integer)

    def reduced_costs(self) -> np.ndarray:
        return np.array(self.h.getSolution().col_dual[: self.m])

    def fix(self, sites: np.ndarray, value: float) -> None:
        if len(sites):
            v = np.full(len(sites), float(value))
            self.h.changeColsBounds(len(sites), sites.astype(np.int32), v, v)

    def make_integer(self) -> None:
        cols = np.arange(self.m, dtype=np.int32)
        self.h.changeColsIntegrality(
            self.m, cols, np.array([self.hs.HighsVarType.kInteger] * self.m)
        )
        self.integer = True

    def set_start(self, sites: np.ndarray) -> None:
        y = np.zeros(self.m)
        y[sites] = 1.0
        theta = self.pm.dense[:, sites].min(axis=1)
        sol = self.hs.HighsSolution()
        sol.col_value = list(np.concatenate([y, theta]))
        self.h.setSolution(sol)


def _proven(pm: PMedian, value: float, bound: float | None) -> bool:
    if bound is None:
        return False
    if pm.integral:
        return np.ceil(bound - 1e-6) >= value - 1e-9
    return value - bound <= GAP_TOL * max(1.0, abs(value)) + 1e-6


def solve_pmedian(  # noqa: C901  (one algorithm: LP rounds, heuristic, fixing, MIP rounds)
    pm: PMedian,
    time_limit: float,
    *,
    start: np.ndarray | None = None,
    on_incumbent: Callable[[np.ndarray, float, float | None], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    progress: Callable[[str], None] | None = None,
    stop_hook: Callable[[Callable[[], None]], None] | None = None,
) -> PMedianResult:
    """The p-median's proven optimum within ``time_limit`` seconds, or the best plan and bound.

    ``on_incumbent(sites, value, bound)`` hears of each better plan; ``should_stop()`` ends
    the rounds (and ``stop_hook`` is handed a function that cancels a running HiGHS solve).
    """
    t0 = time.perf_counter()
    deadline = t0 + time_limit
    say = progress or (lambda _: None)
    stopped = should_stop or (lambda: False)
    log: list[str] = []
    best_sites: np.ndarray | None = None
    best_value: float | None = None
    bound: float | None = None

    def consider(sites: np.ndarray) -> None:
        nonlocal best_sites, best_value
        value = pm.value(sites)
        if best_value is None or value < best_value - 1e-9 * max(1.0, abs(value)):
            best_sites, best_value = np.sort(sites), value
            if on_incumbent is not None:
                on_incumbent(best_sites, best_value, bound)

    def raise_bound(b: float | None) -> None:
        nonlocal bound
        if b is not None and (bound is None or b > bound):
            bound = b

    if pm.p >= pm.n_sites:
        sites = np.arange(pm.n_sites)
        v = pm.value(sites)
        return PMedianResult("OPTIMAL", sites, v, v, time.perf_counter() - t0, ["all sites"])
    # 0. a first plan: the caller's, or greedy, improved by swaps (small instances only:
    # both cost p x n x m; on large ones the LP's rounding comes soon enough)
    if start is not None:
        consider(np.asarray(start, dtype=np.int64))
    if pm.p * pm.n_clients * pm.n_sites <= 5e8:
        consider(local_search(pm, greedy(pm, deadline), t0 + 0.1 * time_limit)[0])
    master = Master(pm)
    if stop_hook is not None:
        master.h.HandleUserInterrupt = True
        stop_hook(master.h.cancelSolve)
    # 1. the LP relaxation: in-out stabilized cut rounds (first cuts at the core point)
    core = np.full(pm.n_sites, pm.p / pm.n_sites)
    k, _ = critical_cuts(pm, core)
    master.add_cuts(np.arange(pm.n_clients), k)
    if best_sites is not None:
        y = np.zeros(pm.n_sites)
        y[best_sites] = 1
        master.add_cuts(np.arange(pm.n_clients), critical_cuts(pm, y)[0])
    rounds, lp_done, y_lp, lp_value = 0, False, None, None
    while time.perf_counter() < deadline and not stopped():
        status, x, lp_bound = master.solve(deadline - time.perf_counter())
        if status != "OPTIMAL" or x is None:
            break
        rounds += 1
        raise_bound(lp_bound)
        y_lp, theta, lp_value = x[: pm.n_sites], x[pm.n_sites :], lp_bound
        added = 0
        for alpha in (ALPHA, 0.0):
            sep = alpha * core + (1 - alpha) * y_lp
            k, _ = critical_cuts(pm, sep)
            # the cut found at sep, evaluated at the master's point
            at_lp = cut_value(pm, k, y_lp)
            bad = np.flatnonzero(at_lp > theta + VIOLATION * np.maximum(1.0, np.abs(at_lp)))
            if len(bad):
                added = master.add_cuts(bad, k)
                break
            core = sep  # mis-priced: the separation point becomes the core point
        core = 0.5 * core + 0.5 * y_lp
        if rounds % 5 == 1:
            say(
                f"p-median LP round {rounds}: bound {lp_bound:,.2f}, {master.n_cuts} cuts, "
                f"{time.perf_counter() - t0:.1f}s"
            )
        if not added:
            lp_done = True
            break
    log.append(
        f"p-median: LP {'solved' if lp_done else 'stopped'} after {rounds} rounds, "
        f"{master.n_cuts} cuts, bound {bound}, {time.perf_counter() - t0:.1f}s"
    )
    # 2. a plan from the LP: its p largest sites, improved by swaps
    if y_lp is not None and not stopped():
        top = np.argsort(-y_lp, kind="stable")[: pm.p]
        consider(local_search(pm, top, min(deadline, time.perf_counter() + 0.2 * time_limit))[0])
    if best_sites is not None and _proven(pm, best_value, bound):
        return _done("OPTIMAL", best_sites, best_value, best_value, t0, log, "LP bound")
    # 3. reduced-cost fixing, then the master MIP rounds
    fixed_out = fixed_in = 0
    if lp_done and best_value is not None:
        r = master.reduced_costs()
        slack = (best_value - 1 + 1e-6) if pm.integral else best_value * (1 + 1e-9) + 1e-6
        out = np.flatnonzero(lp_value + r > slack)
        inn = np.flatnonzero(lp_value - r > slack)
        master.fix(out, 0.0)
        master.fix(inn, 1.0)
        fixed_out, fixed_in = len(out), len(inn)
        log.append(
            f"p-median: reduced-cost fixing closed {fixed_out} and opened {fixed_in} "
            f"of {pm.n_sites} sites"
        )
        say(log[-1])
    master.make_integer()
    master.h.setOptionValue("presolve", PROOF_PRESOLVE)  # the MIP's bound is the proof
    master.collect_solutions()
    mip_rounds, retried = 0, False
    while time.perf_counter() < deadline and not stopped():
        if best_sites is not None:
            master.set_start(best_sites)
        status, x, mip_bound = master.solve(deadline - time.perf_counter())
        mip_rounds += 1
        if status == "INFEASIBLE":  # every plan better than the best is cut off by fixing
            if best_value is not None and (fixed_out or fixed_in):
                raise_bound(best_value)
            break
        if not (fixed_out or fixed_in) and refuted(mip_bound, best_value, 1e-6, maximize=False):
            # without fixing, the master holds the best plan: a bound above it is wrong
            log.append(
                f"p-median MIP round {mip_rounds}: HiGHS's bound {mip_bound} is above a plan "
                f"worth {best_value}: refuted, not used"
                + ("" if retried else "; solved again with another random seed")
            )
            say(log[-1])
            if not retried and not stopped():
                retried = True
                reseed(master.h)
                continue
            break
        if mip_bound is not None and best_value is not None:
            raise_bound(min(mip_bound, best_value))
        if x is None:
            break
        added, master_exact = 0, False
        for sol in [x, *master.found]:  # the master's plan and every plan met on the way
            sites = np.flatnonzero(sol[: pm.n_sites] > 0.5)
            if len(sites) != pm.p:
                continue
            consider(sites)
            k, exact = critical_cuts(pm, np.round(sol[: pm.n_sites]))
            theta = sol[pm.n_sites :]
            bad = np.flatnonzero(exact > theta + MIP_VIOLATION * np.maximum(1.0, exact))
            if sol is x:
                master_exact = not len(bad)
            added += master.add_cuts(bad, k)
        say(
            f"p-median MIP round {mip_rounds}: best {best_value:,.2f}, bound {bound}, "
            f"{added} cuts added, {time.perf_counter() - t0:.1f}s"
        )
        if _proven(pm, best_value, bound):
            break
        if status == "OPTIMAL" and master_exact:
            # the master's optimum is valued exactly: no cut is left to add, and its dual
            # bound (taken above) is the p-median's, given the fixing
            break
        if status != "OPTIMAL":
            break
    log.append(f"p-median: {mip_rounds} MIP rounds, {master.n_cuts} cuts")
    if best_sites is None:
        return _done("UNKNOWN", None, None, bound, t0, log, "")
    proven = _proven(pm, best_value, bound)
    return _done(
        "OPTIMAL" if proven else "FEASIBLE",
        best_sites,
        best_value,
        best_value if proven else bound,
        t0,
        log,
        "MIP" if proven else "",
    )


def _done(status, sites, value, bound, t0, log, how) -> PMedianResult:
    elapsed = time.perf_counter() - t0
    log.append(
        f"p-median: {status.lower()}{' (' + how + ')' if how else ''}, value {value}, "
        f"bound {bound}, {elapsed:.1f}s"
    )
    return PMedianResult(status, sites, value, bound, elapsed, log)
