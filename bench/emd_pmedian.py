"""Benchmark: the 읍면동 x 읍면동 p-median (every 읍면동 a demand point and a candidate site).

    python bench/emd_pmedian.py [--p 229] [--limit 1800] [--points N] [--via-model]

3,496 census 읍면동 of 2015 (population as weights, 2015 census), straight-line km between
their points (EPSG:5179), p = 229 (one center per district on average, anywhere): about 12.2
million point-site pairs. Solved by planner's p-median Benders (``planner.model.pmedian``,
the code planner's own model hands its p-median special case to) on the distance matrix
directly: building planner's model first would hold 12 million point-site pairs in Python
dicts (several GB). ``--via-model`` goes through planner's model instead (small --points
only). Prints status, objective (person-km, recomputed here from the chosen sites), bound,
gap, time and peak memory of this process. The distances are straight lines, a stand-in for
travel times (an assumption of the bench).
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from peers import cost_km, instance_data

from planner.model.plan_model import PlanModel
from planner.model.pmedian import PMedian, solve_pmedian
from planner.orlib import pmedian_instance
from planner.solution import solve


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--p", type=int, default=229)
    ap.add_argument("--limit", type=float, default=1800.0)
    ap.add_argument("--points", type=int, default=0, help="only the first N points (a smoke run)")
    ap.add_argument("--via-model", action="store_true", help="through planner's PlanModel")
    args = ap.parse_args()
    t0 = time.perf_counter()
    demand, _ = instance_data("emd")
    if args.points:
        demand = demand.iloc[: args.points]
    cost = cost_km(demand, demand)
    w = demand.weight.to_numpy()
    if args.via_model:
        inst = pmedian_instance(
            cost,
            demand.weight,
            args.p,
            name="emd-pmedian",
            backend="highs",
            time_limit_s=args.limit,
        )
        sc = inst.scenario
        inst.scenario = sc.model_copy(
            update={"solver": sc.solver.model_copy(update={"formulation": "benders"})}
        )
        prep_s = time.perf_counter() - t0
        sol = solve(PlanModel(inst))
        chosen = [cost.columns.get_loc(c) for c in sorted(sol.plan.code)] if sol.has_plan else []
        status, bound, solve_s, log = sol.status, sol.bound, sol.solve_s, sol.log[-6:]
        solver_value = None if sol.objective is None else abs(sol.objective)
        bound = None if bound is None else abs(bound)
    else:
        pm = PMedian.from_matrix(cost.to_numpy(), w, args.p)
        prep_s = time.perf_counter() - t0
        res = solve_pmedian(pm, args.limit, progress=lambda m: print(m, flush=True))
        chosen = [] if res.sites is None else res.sites.tolist()
        status, bound, solve_s, log = res.status.lower(), res.bound, res.time_s, res.log
        solver_value = res.value
    value = float((cost.to_numpy()[:, chosen].min(axis=1) * w).sum()) if chosen else None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    peak_children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    gap = None if value is None or bound is None else (value - bound) / max(1.0, value)
    print(
        json.dumps(
            {
                "points": len(demand),
                "p": args.p,
                "pairs": int(cost.size),
                "status": status,
                "objective_person_km": value,
                "solver_objective": solver_value,
                "bound": bound,
                "gap": gap,
                "sites": len(chosen),
                "prep_s": round(prep_s, 2),
                "solve_s": round(solve_s, 2),
                "peak_mb": round(max(peak, peak_children)),
                "log": log,
            },
            ensure_ascii=False,
            indent=1,
        )
    )
    if value is not None and solver_value is not None:
        rel = abs(value - solver_value) / max(1.0, value)
        print(f"recomputed vs solver objective: {rel:.2e} relative difference")


if __name__ == "__main__":
    main()
