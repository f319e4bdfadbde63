"""Benchmark: what-if re-solves of the national scenario, warm (previous plan) vs cold.

    python bench/whatif.py [--backends cbc] [--repeat 1] [--limit 300]

The base run solves scenarios/national-2014-2017.yaml. Each variant changes one parameter
(a staff pool) and is solved twice per backend in the same process, alternating the order:
cold (the greedy plan as hint, planner's default) and warm (the base run's values, matched by
variable name, as hint: ``planner.solve(model, warm_start=base)``). With cbc, LP-first comes before
the MIP: when the variant's LP relaxation is integral the hint plays no part. A warm variant
that only tightens the base model, when the base plan still holds, is proven by the base's
proof without a solve (``planner.model.reuse``; proof "base_optimum_tightened").
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
SCENARIO = REPO / "scenarios" / "national-2014-2017.yaml"


def variants(sc) -> dict[str, dict]:
    """Name -> changed pools (one parameter each)."""
    pools = {a: dict(v) for a, v in sc.pools.items()}
    out = {}
    p = {a: dict(v) for a, v in pools.items()}
    p["saeil"][2015] = 20
    out["saeil pool 2015: 30 -> 20"] = p
    p = {a: dict(v) for a, v in pools.items()}
    p["welfare_team"][2015] = 62
    out["welfare pool 2015: 70 -> 62"] = p
    p = {a: dict(v) for a, v in pools.items()}
    p["welfare_team"] = {y: int(n * 0.9) for y, n in p["welfare_team"].items()}
    out["welfare pools x 0.9"] = p
    # pools a planning office might cut; whether the base plan uses them up decides whether
    # the warm solve can reuse the base's proof (model.reuse) or must solve
    p = {a: dict(v) for a, v in pools.items()}
    p["employment_center"] = {y: n // 2 for y, n in p["employment_center"].items()}
    out["employment_center pools / 2"] = p
    p = {a: dict(v) for a, v in pools.items()}
    p["microfinance"][2015] = 12
    out["microfinance pool 2015: 15 -> 12"] = p
    p = {a: dict(v) for a, v in pools.items()}
    p["legal_aid"][2017] = 4
    out["legal_aid pool 2017: 5 -> 4"] = p
    p = {a: dict(v) for a, v in pools.items()}
    p["welfare_team"][2015] = 74
    out["welfare pool 2015: 70 -> 74 (looser)"] = p
    return out


def fmt(x: float | None) -> str:
    return "-" if x is None else f"{x:,.1f}"


def timed_solve(sc, districts, backend: str, limit: float, warm=None):
    inst = build_instance(sc, districts)
    t = time.perf_counter()
    sol = solve(PlanModel(inst), backend=backend, time_limit_s=limit, warm_start=warm)
    return time.perf_counter() - t, sol


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--backends", default="cbc")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--limit", type=float, default=300.0)
    args = ap.parse_args()
    base_sc = load_scenario(SCENARIO)
    districts = load_districts(base_sc.vintage)
    for backend in args.backends.split(","):
        base_s, base = timed_solve(base_sc, districts, backend, args.limit)
        print(
            f"\n## {backend}: base run {base_s:.2f} s, {base.status}, "
            f"objective {base.objective:,.1f}"
        )
        print(
            f"{'variant':32s} {'cold s':>8s} {'warm s':>8s} {'cold/warm':>9s} "
            f"{'cold objective':>16s} {'warm objective':>16s} {'status c/w':>18s} proof"
        )
        for name, pools in variants(base_sc).items():
            sc = base_sc.model_copy(update={"pools": pools})
            cold, warm = [], []
            for r in range(args.repeat):
                order = ("cold", "warm") if r % 2 == 0 else ("warm", "cold")
                for how in order:
                    s, sol = timed_solve(
                        sc, districts, backend, args.limit, base if how == "warm" else None
                    )
                    (cold if how == "cold" else warm).append((s, sol))
            c = statistics.median(s for s, _ in cold)
            w = statistics.median(s for s, _ in warm)
            cs, ws = cold[0][1], warm[0][1]
            print(
                f"{name:32s} {c:8.2f} {w:8.2f} {c / w:9.2f} {fmt(cs.objective):>16s} "
                f"{fmt(ws.objective):>16s} {cs.status + '/' + ws.status:>18s} "
                f"{cs.proof}/{ws.proof}",
                flush=True,
            )


if __name__ == "__main__":
    main()
