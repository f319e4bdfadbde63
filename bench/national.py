"""Benchmark: the national 2014-2017 scenario on each backend, and against a greedy plan.

    python bench/national.py [--repeat 3] [--backends cbc,highs,cpsat,cbc-nolp]

Each backend runs in its own process (so peak memory is its own); times are medians over
--repeat runs. The greedy plan opens, phase by phase, the allowed sites with the largest
weighted demand of their own (largest demand first); its objective is evaluated in the same
model with those sites pinned (tenants and assignment then chosen optimally).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SCENARIO = REPO / "scenarios" / "national-2014-2017.yaml"


def one(backend: str) -> dict:
    from planner.data.districts import load_districts
    from planner.instance import build_instance
    from planner.model.plan_model import PlanModel
    from planner.scenario import load_scenario
    from planner.solution import solve

    t0 = time.perf_counter()
    sc = load_scenario(SCENARIO)
    inst = build_instance(sc, load_districts(sc.vintage))
    load_s = time.perf_counter() - t0
    m = PlanModel(inst)
    lp_first = not backend.endswith("-nolp")
    name = "cbc" if backend == "analysis" else backend.removesuffix("-nolp")
    b = m.build()
    sol = solve(m, backend=name, time_limit_s=600, lp_first=lp_first)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out = {
        "backend": backend,
        "load_s": load_s,
        "build_s": b.build_s,
        "solve_s": sol.solve_s,
        "status": sol.status,
        "gap": sol.gap,
        "objective": sol.objective,
        "bound": sol.bound,
        "peak_mb": peak_mb,
        "variables": b.lm.n_vars,
        "constraints": len(b.lm.rows),
        "violations": len(sol.violations),
    }
    if backend == "analysis":
        out["greedy"] = greedy_objective(inst)
        out["plan_summary"] = summarize(sol)
        out["binding"] = binding(inst, sol.objective)
    return out


BINDING_CANDIDATES = (
    "agency-staff_pool",
    "serve-welfare_linkage",
    "region-balance",
    "site-earliest_year",
    "site-kind_eligibility",
    "site-forced",
)


def binding(inst, optimum: float) -> dict:
    """Objective with each rule switched off: a rise means the rule binds."""
    from planner.model.plan_model import PlanModel
    from planner.solution import solve

    out = {}
    for rule in BINDING_CANDIDATES:
        start = time.perf_counter()
        sol = solve(PlanModel(inst).disable(rule), backend="cbc", time_limit_s=600)
        out[rule] = {
            "status": sol.status,
            "objective": sol.objective,
            "proof": sol.proof,
            "seconds": time.perf_counter() - start,
            "gain_pct": None if sol.objective is None else 100 * (sol.objective / optimum - 1),
        }
    return out


def greedy_plan(inst) -> dict[str, tuple[int, str]]:
    """Largest own demand first, phase by phase, kept feasible where it can be.

    A site opens only with a kind allowed there and then, new builds only as far as the
    Employment Center staff pool pays for them, 시도 without a center first in the last
    phase of the regional-balance rule, forced sites in their phase.
    """
    from planner.model.greedy import _kind_for

    sc = inst.scenario
    seg = [s for s, st in sc.segments.items() if st.weight > 0]
    forbidden = set(sc.sites.forbidden)
    chosen: dict[str, tuple[int, str]] = {}
    rb = sc.regional_balance
    for y in inst.years:
        own = inst.demand[y].table[seg].mul([sc.segments[s].weight for s in seg], axis=1)
        order = list(own.sum(axis=1).sort_values(ascending=False, kind="stable").index)
        nb_left = None
        for kind in sc.kinds.values():
            need = kind.staff.get("employment_center", 0)
            pool = inst.pools.get("employment_center", {}).get(y)
            if need and pool is not None and not kind.requires_employment_center:
                nb_left = pool // need

        def take(code, kind_hint=None, year=y):
            nonlocal nb_left
            kind = kind_hint or _kind_for(inst, code, year)
            if kind is None or code in chosen or code in forbidden:
                return False
            if not sc.kinds[kind].requires_employment_center:
                if nb_left is not None and nb_left <= 0:
                    return False
                nb_left = None if nb_left is None else nb_left - 1
            chosen[code] = (year, kind)
            return True

        for f in sc.sites.forced:
            if (f.year or inst.years[-1]) == y:
                take(f.code, f.kind)
        if rb is not None and y == max(yy for yy in inst.years if yy <= rb.by_year):
            for _sido, grp in inst.units.groupby("sido"):
                have = sum(1 for c in grp.index if c in chosen)
                for c in [c for c in order if c in grp.index]:
                    if have >= rb.min_per_sido or len(chosen) >= inst.cumulative[y]:
                        break
                    have += take(c)
        for c in order:
            if len(chosen) >= inst.cumulative[y]:
                break
            take(c)
    return chosen


def greedy_objective(inst) -> dict:
    """The greedy plan evaluated in the full model with its sites and kinds pinned."""
    from planner.domain import DEMAND_SCALE
    from planner.model import backends
    from planner.model.plan_model import PlanModel
    from planner.scenario.schema import Solver

    chosen = greedy_plan(inst)
    b = PlanModel(inst).build()
    for j in inst.codes:
        for y in inst.years:
            oy, ok = chosen.get(j, (None, None))
            for k in b.v.kinds:
                b.lm.fix(b.v.open[(j, y, k)], int(oy is not None and y >= oy and k == ok))
    raw = backends.solve(b.lm, Solver(backend="cbc", time_limit_s=600))
    obj = None if raw.objective is None else raw.objective / DEMAND_SCALE
    return {"status": raw.status, "objective": obj, "sites": len(chosen)}


def summarize(sol) -> dict:
    plan = sol.plan
    by_phase = plan.groupby(["phase_opened", "kind"]).size().unstack(fill_value=0)
    tenants = {}
    for t in plan.tenants:
        for item in t.split(";"):
            a = item.split("@")[0]
            tenants[a] = tenants.get(a, 0) + 1
    return {
        "kinds_by_phase": by_phase.to_dict(orient="index"),
        "tenants": tenants,
        "staffing": sol.staffing.to_dict(orient="records"),
        "kpis": sol.kpis_phase.to_dict(orient="records"),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--one")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--backends", default="cbc,highs,cbc-nolp,cpsat")
    args = ap.parse_args()
    if args.one:
        print(json.dumps(one(args.one), default=str))
        return
    rows = []
    for backend in args.backends.split(","):
        reps = 1 if backend == "cpsat" else args.repeat
        runs = []
        for _ in range(reps):
            res = subprocess.run(
                [sys.executable, __file__, "--one", backend],
                capture_output=True,
                text=True,
                check=True,
            )
            runs.append(json.loads(res.stdout.strip().splitlines()[-1]))
        med = {
            k: statistics.median(r[k] for r in runs)
            for k in ("load_s", "build_s", "solve_s", "peak_mb")
        }
        rows.append({**runs[0], **med, "runs": reps})
    res = subprocess.run(
        [sys.executable, __file__, "--one", "analysis"], capture_output=True, text=True, check=True
    )
    analysis = json.loads(res.stdout.strip().splitlines()[-1])
    print(
        f"national-2014-2017 on {sys.platform}, python {sys.version.split()[0]}; "
        f"medians of repeated runs, each backend in its own process\n"
    )
    print(
        f"{'backend':10s} {'runs':>4s} {'build s':>8s} {'solve s':>8s} {'status':>9s} "
        f"{'gap':>8s} {'objective':>14s} {'peak MB':>8s} {'vars':>7s} {'rows':>7s}"
    )
    for r in rows:
        gap = "-" if r["gap"] is None else f"{r['gap']:.2e}"
        print(
            f"{r['backend']:10s} {r['runs']:>4d} {r['build_s']:8.2f} {r['solve_s']:8.2f} "
            f"{r['status']:>9s} {gap:>8s} {r['objective']:14,.1f} {r['peak_mb']:8.0f} "
            f"{r['variables']:7,d} {r['constraints']:7,d}"
        )
    base = analysis
    if base:
        g = base["greedy"]
        if g["objective"]:
            print(
                f"\ngreedy (largest demand first, sites pinned): {g['objective']:,.1f} "
                f"({g['status']}); optimizer / greedy = {base['objective'] / g['objective']:.4f}"
            )
        else:
            print(f"\ngreedy plan: {g['status']} under the scenario's rules")
        print(
            "\nplan: centers opened by phase and kind:",
            json.dumps(base["plan_summary"]["kinds_by_phase"]),
        )
        print("tenants (centers hosting each):", json.dumps(base["plan_summary"]["tenants"]))
        print("staff placed vs pools:")
        for s in base["plan_summary"]["staffing"]:
            pool = s["pool"]
            pool = "-" if pool is None or pool != pool else f"{pool:.0f}"
            print(f"  {s['agency']:20s} {s['year']}  placed {s['placed']:4d}  pool {pool}")
        print("objective with one rule switched off (a gain means the rule binds), cbc:")
        for rule, r in base["binding"].items():
            gain = "-" if r["gain_pct"] is None else f"{r['gain_pct']:+.3f}%"
            print(
                f"  {rule:30s} {r['status']:>9s}  {gain:>9s}  {r['seconds']:6.1f}s  "
                f"proof: {r['proof']}"
            )


if __name__ == "__main__":
    main()
