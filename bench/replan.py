"""Benchmark: replan the national scenario after 2015 with one changed pool.

    python bench/replan.py [--run RUN_DIR] [--repeat 3] [--limit 300]

Without --run, the national scenario is run first (runs/bench-national, a few minutes: it is
proven by CBC, see bench/README.md). The replan freezes 2014-2015 as that run planned them
(rule site-frozen) and re-optimizes 2016-2017 with the 새일센터 pool of 2016 cut from 30 to
20. Each replan is built and solved in this process; the time is build + solve (median).
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from planner.data.districts import load_districts
from planner.instance import build_instance
from planner.model.plan_model import PlanModel
from planner.replan import replan_scenario
from planner.run import run_scenario
from planner.solution import solve

REPO = Path(__file__).resolve().parents[1]
CHANGES = {"pools": {"saeil": {2016: 20}}}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--run", type=Path, default=None)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--limit", type=float, default=300.0)
    args = ap.parse_args()
    run = args.run
    if run is None:
        run = REPO / "runs" / "bench-national"
        t = time.perf_counter()
        run_scenario(REPO / "scenarios" / "national-2014-2017.yaml", run, force=True)
        print(f"national run: {time.perf_counter() - t:.1f} s -> {run}")
    times, sol = [], None
    for _ in range(args.repeat):
        sc = replan_scenario(run, 2015, CHANGES)
        inst = build_instance(sc, load_districts(sc.vintage))
        t = time.perf_counter()
        sol = solve(PlanModel(inst), time_limit_s=args.limit)
        times.append(time.perf_counter() - t)
        print(f"  replan: {times[-1]:.2f} s, {sol.status}, {sol.proof}, {sol.objective:,.1f}")
    print(
        f"replan after 2015, saeil pool 2016 30 -> 20: median {statistics.median(times):.2f} s "
        f"(build + solve + decode, n={len(times)}); solve phase {sol.solve_s:.2f} s; "
        f"{sol.status} ({sol.proof}); objective {sol.objective:,.1f}; bound {sol.bound:,.1f}"
    )


if __name__ == "__main__":
    main()
