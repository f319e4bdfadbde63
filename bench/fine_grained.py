"""Benchmark: the full max_served model with demand at 읍면동 resolution (4 phases).

    python bench/fine_grained.py [--scenario scenarios/national-emd-2014-2017.yaml]
                                 [--backend highs] [--limit 120] [--k 0]
                                 [--formulation benders|levels|assignment|auto]

Prints demand points, variables, rows, build and solve time, status, objective (the plan's
exact value), bound, gap at the limit and peak memory (this process: the model and the
solver run in it). The district-resolution run of the same scenario is printed first for
comparison (auto formulation, no k; --skip-district to leave it out). Benders' master adds
one theta column per district, agency and phase (4,580) to the variables printed.
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

from planner.data.districts import load_districts
from planner.instance import build_instance
from planner.model.plan_model import PlanModel
from planner.scenario import load_scenario
from planner.solution import solve

REPO = Path(__file__).resolve().parents[1]


def run(sc, districts, backend: str, limit: float) -> None:
    t = time.perf_counter()
    inst = build_instance(sc, districts)
    load_s = time.perf_counter() - t
    m = PlanModel(inst)
    b = m.build()
    sol = solve(
        m,
        backend=backend,
        time_limit_s=limit,
        progress=lambda s: None if "still solving" in s else print("  ", s),
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    gap = "-" if sol.gap is None else f"{sol.gap:.3%}"
    obj = "-" if sol.objective is None else f"{sol.objective:,.1f}"
    bound = "-" if sol.bound is None else f"{sol.bound:,.1f}"
    print(
        f"{sc.demand.resolution:9s} {b.v.formulation:10s} points {len(inst.point_codes):5d} "
        f"vars {b.lm.n_vars:8,d} rows {len(b.lm.rows):8,d} load {load_s:5.2f} s build "
        f"{b.build_s:6.2f} s solve {sol.solve_s:7.2f} s {sol.status:9s} objective {obj} "
        f"bound {bound} gap {gap} peak {peak:,.0f} MB",
        flush=True,
    )
    print("  ", sol.log[-3:])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scenario", default=str(REPO / "scenarios" / "national-emd-2014-2017.yaml"))
    ap.add_argument("--backend", default="highs")
    ap.add_argument("--limit", type=float, default=120.0)
    ap.add_argument("--k", type=int, default=0, help="objective.k_nearest (0: none)")
    ap.add_argument(
        "--formulation", default="benders", choices=["benders", "levels", "assignment", "auto"]
    )
    ap.add_argument("--skip-district", action="store_true")
    args = ap.parse_args()
    sc = load_scenario(args.scenario)
    sc = sc.model_copy(
        update={
            "objective": sc.objective.model_copy(update={"k_nearest": args.k or None}),
            "solver": sc.solver.model_copy(update={"formulation": args.formulation}),
        }
    )
    districts = load_districts(sc.vintage)
    if not args.skip_district:
        # the district run in the formulation auto picks there (assignment, no k)
        run(
            sc.model_copy(
                update={
                    "demand": sc.demand.model_copy(update={"resolution": "district"}),
                    "objective": sc.objective.model_copy(update={"k_nearest": None}),
                    "solver": sc.solver.model_copy(update={"formulation": "auto"}),
                }
            ),
            districts,
            args.backend,
            args.limit,
        )
    run(sc, districts, args.backend, args.limit)


if __name__ == "__main__":
    main()
