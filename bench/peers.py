"""Benchmark: planner against spopt (PuLP + CBC) on the same p-median and MCLP instances.

    pip install -e ".[bench]"
    python bench/peers.py [--instances national,emd] [--repeat 3] [--p 100] [--radius 20]

Instances (demand points x candidate sites, weights = 2015 census population):
- ``national``: the 229 district points (each its own demand point and candidate site);
- ``emd``: the 3,496 census 읍면동 of 2015 as demand points, the 229 district points as sites.
The cost is the straight-line distance in km between EPSG:5179 points, for every method: spopt's
KNearestPMedian computes Euclidean distances from coordinates itself, so all use that metric.

Methods (each run in a fresh process; time = model build + solve, data loading excluded; peak
memory = the largest sum of resident memory over the process and its children, sampled every
20 ms, so that PuLP's CBC subprocess counts):
- ``spopt-pmedian``: spopt PMedian.from_cost_matrix (a variable per demand-site pair);
- ``spopt-knearest``: spopt KNearestPMedian.from_geodataframe (k = 5 nearest, grown until no
  placeholder is used; spopt's default);
- ``planner-pmedian``: planner's model in min_travel mode with objective.k_nearest (the k
  nearest sites plus a 'farther' bound charged the (k+1)-th distance; k doubles where it is
  used, so the optimum is exact), CBC through OR-Tools; ``--formulation``: auto (the levels
  formulation at 읍면동: one variable per distinct nested set of sites, shared by the points
  that have it; assignment for the national instance), levels or assignment;
- ``spopt-mclp`` / ``planner-mclp``: maximal covering within ``--radius`` km.
Objectives are compared in the same unit (person-km, or persons covered); ``ratio`` is the
fastest spopt variant's median time over planner's.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
METHODS = ("planner-pmedian", "spopt-knearest", "spopt-pmedian", "planner-mclp", "spopt-mclp")


def instance_data(name: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(demand points with x, y (EPSG:5179 m) and weight, sites with x, y), indexed by code."""
    import geopandas as gpd

    from planner.data.districts import load_districts

    d = load_districts(2015)
    units = d.units
    sites = pd.DataFrame({"x": units.point_x_5179, "y": units.point_y_5179})
    emd = d.emd()
    if name == "national":
        pop = emd.groupby("unit").pop2015_census.sum().reindex(sites.index).astype(float)
        return sites.assign(weight=pop), sites
    if name == "emd":
        pts = gpd.GeoSeries(gpd.points_from_xy(emd.point_lon, emd.point_lat), crs="EPSG:4326")
        pts = pts.to_crs("EPSG:5179")
        demand = pd.DataFrame(
            {
                "x": pts.x.to_numpy(),
                "y": pts.y.to_numpy(),
                "weight": emd.pop2015_census.astype(float).to_numpy(),
            },
            index=emd.index,
        )
        return demand, sites
    raise SystemExit(f"unknown instance {name!r}; allowed: national, emd")


def cost_km(demand: pd.DataFrame, sites: pd.DataFrame) -> pd.DataFrame:
    dx = demand.x.to_numpy()[:, None] - sites.x.to_numpy()[None, :]
    dy = demand.y.to_numpy()[:, None] - sites.y.to_numpy()[None, :]
    return pd.DataFrame(np.hypot(dx, dy) / 1000.0, index=demand.index, columns=sites.index)


def run_one(
    method: str, name: str, p: int, radius: float, k: int, formulation: str = "auto"
) -> dict:
    """Solve one instance with one method in this process."""
    demand, sites = instance_data(name)
    cost = cost_km(demand, sites)
    w = demand.weight
    if method.startswith("planner"):
        from planner.model.plan_model import PlanModel
        from planner.orlib import mclp_instance, pmedian_instance
        from planner.solution import solve

        t = time.perf_counter()
        if method == "planner-pmedian":
            inst = pmedian_instance(cost, w, p, name=name, k_nearest=k, time_limit_s=600)
        else:
            inst = mclp_instance(cost, w, p, radius, name=name, time_limit_s=600)
        inst.scenario = inst.scenario.model_copy(
            update={"solver": inst.scenario.solver.model_copy(update={"formulation": formulation})}
        )
        sol = solve(PlanModel(inst))
        elapsed = time.perf_counter() - t
        chosen = sorted(sol.plan.code)
        return {
            "time_s": elapsed,
            "objective": true_value(method, cost, w, chosen, radius),
            "status": sol.status,
            "solver_objective": sol.objective,
            "variables": sol.n_vars,
            "sites": chosen,
        }
    import pulp
    from spopt.locate import MCLP, KNearestPMedian, PMedian

    solver = pulp.PULP_CBC_CMD(msg=False)
    t = time.perf_counter()
    if method == "spopt-pmedian":
        model = PMedian.from_cost_matrix(cost.to_numpy(), w.to_numpy(), p_facilities=p)
        model = model.solve(solver)
    elif method == "spopt-knearest":
        import geopandas as gpd

        gd = gpd.GeoDataFrame(
            {"w": w.to_numpy()}, geometry=gpd.points_from_xy(demand.x, demand.y), crs="EPSG:5179"
        )
        gf = gpd.GeoDataFrame(geometry=gpd.points_from_xy(sites.x, sites.y), crs="EPSG:5179")
        model = KNearestPMedian.from_geodataframe(
            gd, gf, "geometry", "geometry", "w", p_facilities=p
        )
        model = model.solve(solver)
    else:
        model = MCLP.from_cost_matrix(cost.to_numpy(), w.to_numpy(), radius, p_facilities=p)
        model = model.solve(solver)
    elapsed = time.perf_counter() - t
    chosen = sorted(sites.index[j] for j, v in enumerate(model.fac_vars) if v.value() > 0.5)
    return {
        "time_s": elapsed,
        "objective": true_value(method, cost, w, chosen, radius),
        "status": pulp.LpStatus[model.problem.status],
        "sites": chosen,
        "solver_objective": float(pulp.value(model.problem.objective)),
        "variables": len(model.problem.variables()),
    }


def true_value(
    method: str, cost: pd.DataFrame, w: pd.Series, chosen: list[str], radius: float
) -> float:
    """The objective of the chosen sites, recomputed from the same cost matrix for every
    method: person-km to the nearest chosen site, or persons within the radius of one."""
    c = cost[chosen].to_numpy()
    if method.endswith("mclp"):
        return float((w.to_numpy() * (c <= radius).any(axis=1)).sum())
    return float((w.to_numpy() * c.min(axis=1)).sum())


def tree_rss_mb(pid: int) -> float:
    import psutil

    try:
        proc = psutil.Process(pid)
        procs = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return 0.0
    total = 0
    for q in procs:
        try:
            total += q.memory_info().rss
        except psutil.Error:
            pass
    return total / 2**20


def measure(
    method: str, name: str, p: int, radius: float, k: int, timeout: float, formulation: str = "auto"
) -> dict:
    """Run one method in a child process; its result plus the peak memory of its tree."""
    cmd = [
        sys.executable,
        __file__,
        "--one",
        method,
        "--instances",
        name,
        "--p",
        str(p),
        "--radius",
        str(radius),
        "--k",
        str(k),
        "--formulation",
        formulation,
    ]
    child = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = [0.0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], tree_rss_mb(child.pid))
            time.sleep(0.02)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    try:
        out, err = child.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        import psutil

        for q in psutil.Process(child.pid).children(recursive=True):
            q.kill()
        child.kill()
        child.communicate()
        done.set()
        return {"method": method, "status": f"killed at {timeout:.0f} s", "peak_mb": peak[0]}
    done.set()
    th.join()
    if child.returncode != 0:
        return {
            "method": method,
            "status": f"failed: {err.strip().splitlines()[-1:]}",
            "peak_mb": peak[0],
        }
    res = json.loads(out.strip().splitlines()[-1])
    res.update(method=method, peak_mb=peak[0])
    return res


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--instances", default="national,emd")
    ap.add_argument("--methods", default=",".join(METHODS))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--p", type=int, default=100)
    ap.add_argument("--radius", type=float, default=20.0, help="MCLP service radius, km")
    ap.add_argument("--k", type=int, default=5, help="planner's starting k (k-nearest)")
    ap.add_argument("--timeout", type=float, default=600.0)
    ap.add_argument(
        "--formulation",
        default="auto",
        choices=["auto", "levels", "assignment"],
        help="planner's formulation (auto: levels at 읍면동, assignment else)",
    )
    ap.add_argument("--one", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(
            json.dumps(
                run_one(args.one, args.instances, args.p, args.radius, args.k, args.formulation)
            )
        )
        return
    for name in args.instances.split(","):
        print(
            f"\n## {name}: p = {args.p}, MCLP radius {args.radius:g} km, "
            f"{args.repeat} runs each (medians)"
        )
        print(
            f"{'method':16s} {'time s':>8s} {'peak MB':>8s} {'objective':>18s} "
            f"{'status':>12s} {'vars':>8s}"
        )
        med: dict[str, dict] = {}
        for method in args.methods.split(","):
            runs = [
                measure(method, name, args.p, args.radius, args.k, args.timeout, args.formulation)
                for _ in range(args.repeat)
            ]
            ok = [r for r in runs if "time_s" in r]
            if not ok:
                print(f"{method:16s} {runs[0]['status']} (peak {runs[0]['peak_mb']:.0f} MB)")
                continue
            m = {
                "time_s": statistics.median(r["time_s"] for r in ok),
                "peak_mb": statistics.median(r["peak_mb"] for r in ok),
                "objective": ok[0]["objective"],
                "status": ok[0]["status"],
                "variables": ok[0].get("variables", 0),
                "sites": ok[0]["sites"],
            }
            med[method] = m
            print(
                f"{method:16s} {m['time_s']:8.2f} {m['peak_mb']:8.0f} {m['objective']:18.3f} "
                f"{m['status']:>12s} {m['variables']:8d}",
                flush=True,
            )
        for kind in ("pmedian", "mclp"):
            ours = med.get(f"planner-{kind}")
            peers = {
                k: v
                for k, v in med.items()
                if k.startswith("spopt") and (kind == "mclp") == k.endswith("mclp")
            }
            if not ours or not peers:
                continue
            best = min(peers, key=lambda k: peers[k]["time_s"])
            b = peers[best]
            rel = abs(ours["objective"] - b["objective"]) / max(1.0, abs(b["objective"]))
            print(
                f"{kind}: fastest peer {best} {b['time_s']:.2f} s / planner "
                f"{ours['time_s']:.2f} s = {b['time_s'] / ours['time_s']:.2f}x; memory "
                f"{b['peak_mb']:.0f} MB vs {ours['peak_mb']:.0f} MB; objectives differ by "
                f"{rel:.1e} (relative); same sites: {ours['sites'] == b['sites']}"
            )


if __name__ == "__main__":
    main()
