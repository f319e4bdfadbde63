"""Sweeps: many variants of one scenario, solved on dask.distributed workers.

A sweep file::

    base: national-2014-2017.yaml        # relative to the sweep file
    grid:                                # every combination (or `random: {samples, seed}`)
      pools.welfare_team.2015: [50, 60, 70]
      kinds.new_build.cost_mkrw: [1500, 2500]
    solver: {time_limit_s: 60}           # applied to every variant
    outputs: false                       # write map/report into each variant's run folder
    out: ../runs/sweeps/welfare          # results.csv and one run folder per variant

Parameter names are dotted paths into the scenario (numbers index lists and year keys).
Each variant is validated like a scenario file; one that cannot be solved is recorded with
its status and reason, and the sweep goes on. A variant whose folder already holds its result
(same parameters) is not solved again, so an interrupted sweep resumes where it stopped.
"""

from __future__ import annotations

import copy
import itertools
import json
import random
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from planner.atomic import atomic_path
from planner.errors import PlannerError, ScenarioError
from planner.model.solverlog import Live
from planner.runfolder import MARKER, OutputError, check_destination, is_planner_output, mark
from planner.scenario.load import describe_validation_error, resolve_extends


class RandomSpec(BaseModel):
    """Sample this many grid points instead of all (reproducible with ``seed``)."""

    model_config = ConfigDict(extra="forbid")
    samples: int = Field(gt=0)
    seed: int = 0


class SweepSpec(BaseModel):
    """A sweep file."""

    model_config = ConfigDict(extra="forbid")
    base: str
    grid: dict[str, list[Any]] = Field(min_length=1)
    random: RandomSpec | None = None
    solver: dict[str, Any] = Field(default_factory=dict)
    outputs: bool = False
    out: str | None = None


def set_path(doc: dict, path: str, value: Any) -> None:
    """Set ``a.b.0.c`` in nested dicts/lists; numeric parts index lists or int keys."""
    parts = path.split(".")
    node: Any = doc
    for k, part in enumerate(parts):
        last = k == len(parts) - 1
        if isinstance(node, list):
            idx = int(part)
            if last:
                node[idx] = value
            else:
                node = node[idx]
            continue
        key: Any = int(part) if part.isdigit() else part
        if last:
            node[key] = value
        else:
            node = node.setdefault(key, {})


def variants(spec: SweepSpec) -> list[dict[str, Any]]:
    """The parameter sets of the sweep, in a fixed order."""
    names = list(spec.grid)
    combos = [
        dict(zip(names, vals, strict=True))
        for vals in itertools.product(*(spec.grid[n] for n in names))
    ]
    if spec.random is not None:
        rng = random.Random(spec.random.seed)
        combos = rng.sample(combos, min(spec.random.samples, len(combos)))
    return combos


def load_sweep(path: str | Path) -> tuple[SweepSpec, dict, Path]:
    """The sweep spec, the base scenario document (extends resolved) and the out folder."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        spec = SweepSpec.model_validate(raw)
    except FileNotFoundError as exc:
        raise ScenarioError(str(path), ["file not found"]) from exc
    except ValidationError as exc:
        raise ScenarioError(str(path), describe_validation_error(exc)) from None
    except yaml.YAMLError as exc:
        raise ScenarioError(str(path), [f"YAML syntax error: {exc}"]) from None
    base_doc, _ = resolve_extends(path.parent / spec.base)
    base_path = (path.parent / spec.base).resolve()
    od = base_doc.get("travel", {}).get("od_matrix")
    if od:
        base_doc["travel"]["od_matrix"] = str((base_path.parent / od).resolve())
    out = (path.parent / spec.out) if spec.out else Path("runs") / "sweeps" / path.stem
    return spec, base_doc, out


def solve_variant(
    base_doc: dict,
    params: dict[str, Any],
    solver: dict[str, Any],
    folder: str,
    outputs: bool,
    start_from: str | None = None,
) -> dict[str, Any]:
    """Solve one variant (runs on a dask worker); never raises, records the failure instead.

    ``start_from``: a plan.csv whose centers (frozen, the rest re-optimized) are the start
    plan.
    """
    from planner.data.districts import cached_districts as districts
    from planner.references import reference_problems
    from planner.replan import plan_start
    from planner.run import InfeasibleScenario, run_loaded
    from planner.scenario import scenario_from_dict

    start = time.perf_counter()
    row: dict[str, Any] = {"folder": folder, **{f"param:{k}": v for k, v in params.items()}}
    try:
        doc = copy.deepcopy(base_doc)
        for k, v in params.items():
            set_path(doc, k, v)
        doc.setdefault("solver", {}).update(solver)
        sc = scenario_from_dict(doc, f"variant {Path(folder).name}")
        problems = reference_problems(sc, districts(sc.vintage))
        if problems:
            raise ScenarioError(f"variant {Path(folder).name}", problems)
        warm = plan_start(sc, start_from) if start_from else None
        res = run_loaded(sc, folder, force=True, outputs=outputs, warm_start=warm)
        sol = res.solution
        last = sol.kpis_phase.iloc[-1]
        row.update(
            {
                "status": sol.status,
                "objective": sol.objective,
                "bound": sol.bound,
                "gap": sol.gap,
                "solve_s": round(sol.solve_s, 3),
                "centers": int(last.centers_open),
                "new_builds": int((sol.plan.kind == "new_build").sum()),
                **{c: last[c] for c in sol.kpis_phase.columns if c.startswith("coverage_")},
                "mean_travel_min": last.mean_travel_min,
                "reason": "",
            }
        )
    except InfeasibleScenario as exc:
        row.update({"status": "infeasible", "reason": str(exc).replace("\n", " ")})
    except PlannerError as exc:
        row.update({"status": "error", "reason": str(exc).replace("\n", " ")})
    except Exception as exc:  # a worker must report, not crash the sweep
        row.update({"status": "error", "reason": f"{type(exc).__name__}: {exc}"})
    row["seconds"] = round(time.perf_counter() - start, 3)
    Path(folder).mkdir(parents=True, exist_ok=True)
    if not (Path(folder) / MARKER).exists():  # a variant that wrote no run folder
        mark(Path(folder), "sweep-variant")
    (Path(folder) / "variant.json").write_text(
        json.dumps({"params": params, "result": row}, default=str, indent=1), encoding="utf-8"
    )
    return row


def _done(folder: Path, params: dict[str, Any]) -> dict | None:
    f = folder / "variant.json"
    if not f.exists():
        return None
    rec = json.loads(f.read_text(encoding="utf-8"))
    return rec["result"] if rec.get("params") == json.loads(json.dumps(params)) else None


def run_sweep(
    path: str | Path,
    scheduler: str | None = None,
    workers: int = 2,
    progress: Callable[[str], None] | None = None,
    client: Any = None,
) -> pd.DataFrame:
    """Run the sweep at ``path``; returns (and writes) the results table.

    Uses ``client`` if given, else connects to ``scheduler``, else starts a LocalCluster with
    ``workers`` single-threaded worker processes.
    """
    spec, base_doc, out = load_sweep(path)
    if out.exists() and any(out.iterdir()) and not is_planner_output(out):
        raise OutputError(
            f"{out}: sweep folder exists, is not empty and was not written by "
            f"planner (no {MARKER}); choose another `out:`"
        )
    if not out.exists():
        check_destination(out, force=False)  # not under a file, and writable
    out.mkdir(parents=True, exist_ok=True)
    mark(out, "sweep")
    todo, rows = [], {}
    for k, params in enumerate(variants(spec)):
        folder = out / f"v{k:03d}"
        done = _done(folder, params)
        if done is not None:
            rows[k] = {**done, "resumed": True}
        else:
            todo.append((k, params, folder))
    say = progress or (lambda _m: None)
    say(f"{len(rows) + len(todo)} variants: {len(rows)} already done, {len(todo)} to solve")
    if todo:
        with dask_client(client, scheduler, workers) as cl:
            jobs = [(k, params, str(folder)) for k, params, folder in todo]
            done = solve_on(cl, base_doc, jobs, spec.solver, spec.outputs, say)
        rows.update({k: {**row, "resumed": False} for k, row in done.items()})
    table = pd.DataFrame([{"variant": f"v{k:03d}", **rows[k]} for k in sorted(rows)])
    with atomic_path(out / "results.csv") as tmp:
        table.to_csv(tmp, index=False)
    return table


@contextmanager
def dask_client(client: Any = None, scheduler: str | None = None, workers: int = 2):
    """The dask client to use: ``client``, one connected to ``scheduler``, or a LocalCluster.

    The LocalCluster has ``workers`` single-threaded worker processes; a client or cluster
    made here is closed on leaving.
    """
    from dask.distributed import Client, LocalCluster

    if client is not None:
        yield client
        return
    if scheduler:
        own = Client(scheduler)
    else:
        cluster = LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        )
        own = Client(cluster)
    try:
        yield own
    finally:
        cluster = getattr(own, "cluster", None)
        own.close()
        if cluster is not None:
            cluster.close()


def solve_on(
    client: Any,
    base_doc: dict,
    jobs: list[tuple],
    solver: dict[str, Any],
    outputs: bool,
    say: Callable[[str], None],
) -> dict[Any, dict[str, Any]]:
    """Solve each job (key, params, folder[, start plan.csv]) as a variant: key -> row."""
    from dask.distributed import as_completed

    futures = {
        client.submit(
            solve_variant, base_doc, params, solver, folder, outputs, *start, pure=False
        ): (key, folder)
        for key, params, folder, *start in jobs
    }
    rows: dict[Any, dict[str, Any]] = {}
    started = time.perf_counter()
    for n, fut in enumerate(as_completed(futures), start=1):
        key, folder = futures[fut]
        rows[key] = fut.result()
        filled = round(20 * n / len(jobs))
        say(
            Live(
                f"[{'#' * filled}{'.' * (20 - filled)}] {n}/{len(jobs)}  "
                f"{time.perf_counter() - started:.0f}s  {Path(folder).name} "
                f"{rows[key]['status']} ({rows[key]['seconds']:.1f}s)"
            )
        )
    return rows


def sweep(path: str | Path, **kw: Any) -> pd.DataFrame:
    """Notebook alias of ``run_sweep``."""
    return run_sweep(path, **kw)
