"""Benchmark: the equity levers and `planner robust` on the forward scenario.

    python bench/equity_robust.py [--limit 300] [--only base,floor,maxmin,robust]
        [--region]

Prints, for the forward scenario (20 more centers in 2026-2030): the base solve, a 시도 floor
one point above the base plan's worst served share, the max-min objective (two solves), and
`planner robust` on forward-2026-2030-uncertain.yaml (2 LocalCluster workers): status,
objective, worst 시도 and its share, seconds. ``--region`` runs the same on the 호남 region
only (광주, 전남, 전북; one new center a year), as notebook 06 does in FAST mode.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import yaml

import planner as pl

REPO = Path(__file__).resolve().parents[1]
FORWARD = REPO / "scenarios" / "forward-2026-2030.yaml"
UNCERTAIN = REPO / "scenarios" / "forward-2026-2030-uncertain.yaml"
HONAM = {"sido_codes": ["29", "46", "52"]}


def line(name: str, sol, seconds: float) -> None:
    w = sol.worst_sido() if sol.has_plan else None
    worst = f"{w['sido']} {w['served_share']:.4f}" if w else "-"
    obj = f"{sol.objective:,.1f}" if sol.has_plan else "-"
    print(f"{name:<10} {sol.status:<11} objective {obj:>14}  worst {worst:<16} {seconds:7.1f} s")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--limit", type=float, default=300.0)
    ap.add_argument("--only", default="base,floor,maxmin,robust")
    ap.add_argument("--region", action="store_true")
    args = ap.parse_args()
    only = set(args.only.split(","))
    sc = pl.load_scenario(FORWARD)
    small = {}
    if args.region:
        small = {
            "study_area": HONAM,
            "phases": [{"year": p.year, "target": 1} for p in sc.phases],
        }
        sc = pl.modify(sc, **small)
    t = time.perf_counter()
    base = pl.solve(pl.build_model(sc), time_limit_s=args.limit)
    line("base", base, time.perf_counter() - t)
    worst = base.worst_sido()["served_share"]
    if "floor" in only:
        floor = round(worst + 0.01, 3)
        v = pl.modify(sc, rules={"region-coverage_floor": {"params": {"min_share": floor}}})
        t = time.perf_counter()
        sol = pl.solve(pl.build_model(v), time_limit_s=args.limit)
        line(f"floor {floor}", sol, time.perf_counter() - t)
    if "maxmin" in only:
        v = pl.modify(sc, objective={"equity": "max_min_sido"})
        t = time.perf_counter()
        sol = pl.solve(pl.build_model(v), time_limit_s=2 * args.limit)
        line("max-min", sol, time.perf_counter() - t)
        print("  " + "; ".join(x for x in sol.log if x.startswith("max-min:")))
    if "robust" in only:
        with tempfile.TemporaryDirectory() as tmp:
            path = UNCERTAIN
            if small:
                path = Path(tmp) / "uncertain.yaml"
                doc = {"name": "bench-uncertain", "extends": str(UNCERTAIN), **small}
                path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
            t = time.perf_counter()
            res = pl.run_robust(
                path, Path(tmp) / "out", time_limit_s=args.limit, workers=2, force=True
            )
            took = time.perf_counter() - t
        print(f"robust: {took:.1f} s in all; best plans proven: {res.best_proven}")
        print(res.plans.round(3).to_string(index=False))


if __name__ == "__main__":
    main()
