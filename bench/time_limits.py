"""Benchmark: does a time limit hold? Wall clock of the solve phase against the limit.

    python bench/time_limits.py [--limits 1 3 10 30] [--repeats 3]
                                [--backends cbc cpsat highs scip] [--scenarios national emd]

For each scenario, backend and limit S, ``planner.solve(model, time_limit_s=S)`` is timed
(``repeats`` times; the model is built once per scenario and backend, outside the timing,
since the limit bounds the solve phase: start plan, LP first, k rounds, Benders and its
district-level start). Printed per cell: the median wall of the whole ``solve`` call
(decoding the plan into tables included), the median and worst of the solve phase
(``solve_s``: from the start of ``solve`` to the solver's answer, the k rounds included),
whether every run's solve phase stayed within S + 2 s, and the statuses. The 읍면동 scenario
runs its own formulation (Benders) on the MIP backends and the levels formulation on CP-SAT
(Benders needs a MIP backend).
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from planner.data.districts import load_districts
from planner.instance import build_instance
from planner.model.plan_model import PlanModel
from planner.scenario import load_scenario
from planner.solution import solve

REPO = Path(__file__).resolve().parents[1]
SCENARIOS = {
    "national": REPO / "scenarios" / "national-2014-2017.yaml",
    "emd": REPO / "scenarios" / "national-emd-2014-2017.yaml",
}
MARGIN_S = 2.0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--limits", type=float, nargs="+", default=[1, 3, 10, 30])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--backends", nargs="+", default=["cbc", "cpsat", "highs", "scip"])
    ap.add_argument("--scenarios", nargs="+", default=list(SCENARIOS))
    args = ap.parse_args()
    print(
        f"| scenario | backend | limit S | median wall with decoding (s) | median solve "
        f"phase | worst solve phase | "
        f"within S + {MARGIN_S:g} s | statuses |"
    )
    print("|---|---|---|---|---|---|---|---|", flush=True)
    for name in args.scenarios:
        sc = load_scenario(SCENARIOS[name])
        inst = build_instance(sc, load_districts(sc.vintage))
        for backend in args.backends:
            scb = sc
            if backend == "cpsat" and sc.solver.formulation == "benders":
                scb = sc.model_copy(
                    update={"solver": sc.solver.model_copy(update={"formulation": "auto"})}
                )
                inst_b = build_instance(scb, load_districts(sc.vintage))
            else:
                inst_b = inst
            model = PlanModel(inst_b)
            model.build()
            for limit in args.limits:
                walls, reported, statuses = [], [], []
                for _ in range(args.repeats):
                    t = time.perf_counter()
                    sol = solve(model, backend=backend, time_limit_s=limit, validate=False)
                    walls.append(time.perf_counter() - t)
                    reported.append(sol.solve_s)
                    statuses.append(sol.status)
                ok = all(r <= limit + MARGIN_S for r in reported)
                print(
                    f"| {name} ({model.build().v.formulation}) | {backend} | {limit:g} | "
                    f"{statistics.median(walls):.2f} | {statistics.median(reported):.2f} | "
                    f"{max(reported):.2f} | {'yes' if ok else 'NO'} | "
                    f"{', '.join(sorted(set(statuses)))} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
