"""Benchmark: the 읍면동 x 읍면동 p-median (every 읍면동 a demand point and a candidate site).

    python bench/emd_pmedian.py [--p 229] [--limit 1800] [--formulation benders]

3,496 census 읍면동 of 2015 (population as weights, 2015 census), straight-line km between
their points (EPSG:5179), p = 229 (one center per district on average, anywhere): about 12.2
million point-site pairs. Solved through planner's own model (`min_travel`, one phase, no
tenants) with the Benders formulation on HiGHS. Prints status, objective (person-km,
recomputed here from the chosen sites), bound, gap, time and peak memory of this process.
The distances are straight lines, a stand-in for travel times (an assumption of the bench).
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
from planner.orlib import pmedian_instance
from planner.solution import solve


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--p", type=int, default=229)
    ap.add_argument("--limit", type=float, default=1800.0)
    ap.add_argument("--formulation", default="benders")
    ap.add_argument("--backend", default="highs")
    ap.add_argument("--points", type=int, default=0, help="only the first N points (a smoke run)")
    args = ap.parse_args()
    t0 = time.perf_counter()
    demand, _ = instance_data("emd")
    if args.points:
        demand = demand.iloc[: args.points]
    cost = cost_km(demand, demand)
    inst = pmedian_instance(
        cost,
        demand.weight,
        args.p,
        name="emd-pmedian",
        backend=args.backend,
        time_limit_s=args.limit,
    )
    inst.scenario = inst.scenario.model_copy(
        update={"solver": inst.scenario.solver.model_copy(update={"formulation": args.formulation})}
    )
    prep_s = time.perf_counter() - t0
    t = time.perf_counter()
    sol = solve(PlanModel(inst))
    wall_s = time.perf_counter() - t
    chosen = sorted(sol.plan.code) if sol.has_plan else []
    value = None
    if chosen:
        w = demand.weight.to_numpy()
        value = float((cost[chosen].to_numpy().min(axis=1) * w).sum())
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    peak_children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "points": len(demand),
                "p": args.p,
                "pairs": int(cost.size),
                "status": sol.status,
                "objective_person_km": value,
                "solver_objective": sol.objective,
                "bound": sol.bound,
                "gap": sol.gap,
                "sites": len(chosen),
                "prep_s": round(prep_s, 2),
                "solve_s": round(sol.solve_s, 2),
                "wall_s": round(wall_s, 2),
                "peak_mb": round(max(peak, peak_children)),
                "log": sol.log[-6:],
            },
            ensure_ascii=False,
            indent=1,
        )
    )
    if value is not None and sol.objective is not None:
        rel = abs(value - abs(sol.objective)) / max(1.0, value)
        print(f"recomputed vs solver objective: {rel:.2e} relative difference")


if __name__ == "__main__":
    main()
