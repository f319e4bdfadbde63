"""Benchmark: p-medians of the OR-Library pmed family at sizes this repository never tuned on.

    python bench/pmed_family.py [--n 700,800,900] [--p 5,10] [--seeds 1] [--limit 300]

Beasley's pmed graphs (1985) have n nodes, about 2 n^2 / 100 undirected edges with integer
costs 1-100 (pmed26: 600 nodes, 7,200 edges), and distances by shortest paths. This script
draws graphs of that recipe (a random spanning tree first, so that the graph is connected,
then random extra edges, seeded), and solves each with planner's p-median Benders
(``planner.model.pmedian``). The optima are unknown: the proof is the solver's own bound,
and the value of a plan from greedy + swaps is printed beside it for scale. pmed31-40 are
held back from this repository; these instances are not those.
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np

from planner.model.pmedian import PMedian, greedy, local_search, solve_pmedian


def beasley_like(n: int, seed: int) -> np.ndarray:
    """All-pairs shortest paths of a connected random graph of the pmed recipe."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import shortest_path

    rng = np.random.default_rng(seed)
    m = 2 * n * n // 100
    perm = rng.permutation(n)
    edges = {
        (int(min(a, b)), int(max(a, b)))
        for a, b in zip(perm[1:], perm[rng.integers(0, np.arange(1, n))], strict=True)
    }
    while len(edges) < m:
        a, b = rng.integers(0, n, 2)
        if a != b:
            edges.add((int(min(a, b)), int(max(a, b))))
    e = np.array(sorted(edges))
    c = rng.integers(1, 101, len(e)).astype(float)
    g = coo_matrix((np.r_[c, c], (np.r_[e[:, 0], e[:, 1]], np.r_[e[:, 1], e[:, 0]])), (n, n))
    return shortest_path(g.tocsr(), directed=False)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", default="700,800,900")
    ap.add_argument("--p", default="5,10")
    ap.add_argument("--seeds", type=int, default=1)
    ap.add_argument("--limit", type=float, default=300.0)
    args = ap.parse_args()
    print(
        f"{'n':>4s} {'p':>3s} {'seed':>4s} {'status':>9s} {'value':>8s} {'bound':>10s} "
        f"{'heuristic':>9s} {'solve s':>8s} {'peak MB':>8s}"
    )
    for n in [int(x) for x in args.n.split(",")]:
        for seed in range(args.seeds):
            d = beasley_like(n, seed)
            for p in [int(x) for x in args.p.split(",")]:
                pm = PMedian.from_matrix(d, np.ones(n), p)
                heur = local_search(pm, greedy(pm, float("inf")), float("inf"))[1]
                t = time.perf_counter()
                res = solve_pmedian(pm, args.limit)
                wall = time.perf_counter() - t
                peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
                bound = "-" if res.bound is None else f"{res.bound:.1f}"
                print(
                    f"{n:4d} {p:3d} {seed:4d} {res.status.lower():>9s} {res.value:8.0f} "
                    f"{bound:>10s} {heur:9.0f} {wall:8.2f} {peak:8.0f}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
