"""Benchmark: every shipped scenario and the what-if and growth variants, each in its own process.

    python bench/scenarios.py [--repeat 3] [--limit 300] [--only national,fourtype]
                              [--backend highs]

For each case: the method (backend, and the formulation the solve ended on: auto hands a
fractional LP to Benders), status, how it was proven, build
and solve seconds (median of --repeat runs; "solve" is the solver's phase, "with decoding"
adds turning the plan into tables and validating it), the objective, the bound and the peak resident
memory of the solving process (children included: CBC runs in a forked child of the guard).
Each run is a fresh `python` process so that memory and caches are its own.

Cases:
- every file in scenarios/ but base.yaml, as shipped (its own solver settings; --limit caps
  the time limit);
- national, with `solver.formulation: benders`, and national and forward with
  `assignment` (HiGHS's branch-and-cut; the method comparison of bench/README.md);
- national, 8 phases (2014-2021): the growth goal; the phases after 2017 add 10 centers a
  year and repeat the 2017 pools (an assumed extension, only for timing); on the assignment
  model and with Benders (which proves it);
- the three pool what-ifs of bench/whatif.py, solved cold.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SCENARIOS = REPO / "scenarios"

CHILD = r"""
import json, resource, sys, time
import planner as pl
from planner.solution import solve
path, changes, limit = sys.argv[1], json.loads(sys.argv[2]), float(sys.argv[3])
sc = pl.load_scenario(path)
if changes.get("phases_8"):
    changes.pop("phases_8")
    years = list(range(2014, 2022))
    targets = [10, 30, 30, 30, 10, 10, 10, 10]
    changes["phases"] = [{"year": y, "target": t} for y, t in zip(years, targets)]
    changes["pools"] = {a: {**{int(k): v for k, v in p.items()},
                            **{y: p[2017] for y in years[4:]}}
                        for a, p in sc.pools.items() if 2017 in p}
if changes.get("pool_scale"):
    f = changes.pop("pool_scale")
    changes["pools"] = {a: {y: int(n * f) for y, n in p.items()}
                        for a, p in sc.pools.items() if a == "welfare_team"}
if changes:
    sc = pl.modify(sc, **changes)
limit = min(limit, sc.solver.time_limit_s)
t = time.perf_counter()
m = pl.build_model(sc)
b = m.build()
build_s = time.perf_counter() - t
t = time.perf_counter()
sol = solve(m, time_limit_s=limit)
wall_s = time.perf_counter() - t
peak = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
           resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
print(json.dumps({"status": sol.status, "proof": sol.proof, "objective": sol.objective,
                  "bound": sol.bound, "build_s": build_s, "solve_s": sol.solve_s, "wall_s": wall_s,
                  "peak_mb": peak, "backend": sc.solver.backend,
                  "formulation": m.build().v.formulation, "variables": b.lm.n_vars,
                  "limit": limit}))
"""


def cases() -> dict[str, tuple[Path, dict]]:
    """Name -> (scenario file, changes)."""
    out: dict[str, tuple[Path, dict]] = {}
    for path in sorted(SCENARIOS.glob("*.yaml")):
        if path.name != "base.yaml":
            out[path.stem] = (path, {})
    national = SCENARIOS / "national-2014-2017.yaml"
    out["national, benders"] = (national, {"solver": {"formulation": "benders"}})
    # the method auto replaced for fractional LPs: HiGHS's branch-and-cut on the full model
    out["national, assignment (HiGHS MIP)"] = (national, {"solver": {"formulation": "assignment"}})
    out["forward, assignment (HiGHS MIP)"] = (
        SCENARIOS / "forward-2026-2030.yaml",
        {"solver": {"formulation": "assignment"}},
    )
    out["national, 8 phases"] = (national, {"phases_8": True})
    out["national, 8 phases, benders"] = (
        national,
        {"phases_8": True, "solver": {"formulation": "benders"}},
    )
    out["what-if: saeil pool 2015 30 -> 20"] = (national, {"pools": {"saeil": {2015: 20}}})
    out["what-if: welfare pool 2015 70 -> 62"] = (
        national,
        {"pools": {"welfare_team": {2015: 62}}},
    )
    out["what-if: welfare pools x 0.9"] = (national, {"pool_scale": 0.9})
    return out


def run_once(path: Path, changes: dict, limit: float) -> dict:
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), json.dumps(changes), str(limit)],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        return {"status": f"error (exit {proc.returncode}): {proc.stderr.strip()[-200:]}"}
    return json.loads(lines[-1])


def fmt(x: float | None, digits: int = 1) -> str:
    return "-" if x is None else f"{x:,.{digits}f}"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--limit", type=float, default=300.0)
    ap.add_argument("--only", default="", help="comma-separated substrings of case names")
    ap.add_argument(
        "--backend", default="", help="solve every case with this backend (cbc, highs, scip)"
    )
    args = ap.parse_args()
    wanted = [w for w in args.only.split(",") if w]
    print(
        "| case | backend / formulation | variables | status | proof | build s | solve s "
        "(median) | with decoding s | objective | bound | peak MB |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for name, (path, changes) in cases().items():
        if wanted and not any(w in name for w in wanted):
            continue
        if args.backend:
            changes = {**changes, "solver": {**changes.get("solver", {}), "backend": args.backend}}
        runs = [run_once(path, changes, args.limit) for _ in range(args.repeat)]
        ok = [r for r in runs if "solve_s" in r]
        if not ok:
            print(f"| {name} | | | {runs[0]['status']} | | | | | | | |", flush=True)
            continue
        r = ok[0]
        statuses = "/".join(sorted({x["status"] for x in ok}))
        solve_s = statistics.median(x["solve_s"] for x in ok)
        build_s = statistics.median(x["build_s"] for x in ok)
        wall_s = statistics.median(x["wall_s"] for x in ok)
        peak = max(x["peak_mb"] for x in ok)
        print(
            f"| {name} | {r['backend']} / {r['formulation']} | {r['variables']:,} | "
            f"{statuses} | {r['proof']} | {build_s:.2f} | {solve_s:.2f} "
            f"(n={len(ok)}, limit {r['limit']:g}) | {wall_s:.2f} | {fmt(r['objective'])} | "
            f"{fmt(r['bound'])} | {peak:,.0f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
