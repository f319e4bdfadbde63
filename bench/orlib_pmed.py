"""OR-Library p-median instances through planner's own model (min_travel mode).

    python bench/orlib_pmed.py [--set pmed|pmedcap] [--names pmed1,pmed2] [--limit 60]
                               [--backend cbc] [--k K]
                               [--formulation auto|levels|assignment|benders]

pmed: the uncapacitated p-median (pmed1-30); pmedcap: the capacitated, single-source p-median
(pmedcap01-20, planner's caseload rule center-capacity with Q per median).
Prints, per instance: n, p, value found, published optimum, status, proof, build time, solve
wall time (every k-nearest round included), gap. Instances that hit the time limit are
reported with the gap reached, never as matches.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from planner.model.plan_model import PlanModel
from planner.orlib import pmed_instance, pmedcap_instance, published_optima
from planner.solution import solve

INSTANCES = Path(__file__).resolve().parents[2] / "shared" / "instances"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--set", default="pmed", choices=["pmed", "pmedcap"])
    ap.add_argument("--names", default=None)
    ap.add_argument("--limit", type=float, default=60.0)
    ap.add_argument("--backend", default="cbc")
    ap.add_argument("--k", type=int, default=None, help="k-nearest assignment (exact)")
    ap.add_argument(
        "--formulation", default="auto", choices=["auto", "levels", "assignment", "benders"]
    )
    args = ap.parse_args()
    names = args.names or ",".join(
        [f"pmed{k}" for k in range(1, 31)]
        if args.set == "pmed"
        else [f"pmedcap{k:02d}" for k in range(1, 21)]
    )
    opt = published_optima(INSTANCES)
    print(
        f"{'instance':9s} {'n':>4s} {'p':>4s} {'found':>8s} {'published':>9s} {'match':>5s} "
        f"{'status':>9s} {'proof':>22s} {'build s':>7s} {'solve s':>8s} {'gap':>8s}"
    )
    for name in names.split(","):
        if args.set == "pmed":
            inst = pmed_instance(
                INSTANCES / "orlib_pmed" / f"{name}.txt",
                backend=args.backend,
                time_limit_s=args.limit,
                k_nearest=args.k,
            )
        else:
            inst = pmedcap_instance(
                INSTANCES / "pmedcap" / f"{name}.txt", backend=args.backend, time_limit_s=args.limit
            )
        sc = inst.scenario
        inst.scenario = sc.model_copy(
            update={"solver": sc.solver.model_copy(update={"formulation": args.formulation})}
        )
        m = PlanModel(inst)
        t = time.perf_counter()
        m.build()
        build_s = time.perf_counter() - t
        t = time.perf_counter()
        sol = solve(m)
        wall = time.perf_counter() - t
        found = "-" if sol.objective is None else f"{sol.objective:.0f}"
        match = "yes" if sol.optimal and sol.objective == opt[name] else "no"
        gap = "-" if sol.gap is None else f"{sol.gap:.2e}"
        print(
            f"{name:9s} {len(inst.codes):4d} {inst.cumulative[2015]:4d} {found:>8s} "
            f"{opt[name]:9.0f} {match:>5s} {sol.status:>9s} "
            f"{(sol.proof if sol.optimal else '-'):>22s} {build_s:7.2f} {wall:8.2f} "
            f"{gap:>8s}",
            flush=True,
        )


if __name__ == "__main__":
    main()
