"""Translate a LinearModel to an OR-Tools solver, solve, and read the values back.

- ``cpsat``: CP-SAT. With one worker it runs with ``linearization_level=2`` (its default LP
  does not carry the assignment-to-open links, so it proves no bound on p-median-like models)
  and, when ``deterministic``, stops on a deterministic time limit, so the same scenario and
  seed give the same plan.
- ``cbc`` / ``scip`` / ``highs``: OR-Tools' MIP wrapper (pywraplp).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from planner.model.linear import LinearModel
from planner.scenario.schema import Solver

# CP-SAT's deterministic time is roughly seconds on a fast core; this factor maps the
# scenario's time limit onto it so that a deterministic run ends near the asked wall time.
DETERMINISTIC_PER_SECOND = 1.0


@dataclass
class RawResult:
    """What a backend returns, in the LinearModel's integer units."""

    backend: str
    status: str  # OPTIMAL, FEASIBLE, INFEASIBLE, UNKNOWN, MODEL_INVALID
    values: list[int | float] | None  # floats only for continuous variables
    objective: float | None
    bound: float | None
    time_s: float
    log: list[str]
    interrupted: bool = False
    proof: str = "solver"  # how optimality was proven: "solver" or "lp_relaxation_integral"

    @property
    def has_solution(self) -> bool:
        return self.values is not None


def solve_cpsat(lm: LinearModel, opts: Solver, hint: dict[int, int] | None = None,
                progress: Callable[[str], None] | None = None,
                control: dict[str, Any] | None = None, scale: float = 1.0) -> RawResult:
    """Solve with CP-SAT; ``control["stop"]`` is set to a function that ends the search."""
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    xs = [model.new_int_var(lo, hi, "") for lo, hi in zip(lm.lb, lm.ub, strict=True)]
    for row in lm.rows:
        expr = cp_model.LinearExpr.weighted_sum([xs[v] for v in row.terms],
                                                list(row.terms.values()))
        if row.sense == "<=":
            model.add(expr <= row.rhs)
        elif row.sense == ">=":
            model.add(expr >= row.rhs)
        else:
            model.add(expr == row.rhs)
    model.maximize(cp_model.LinearExpr.weighted_sum([xs[v] for v in lm.objective],
                                                    list(lm.objective.values())) + lm.offset)
    for v, val in (hint or {}).items():
        model.add_hint(xs[v], val)
    solver = cp_model.CpSolver()
    p = solver.parameters
    p.num_workers = opts.workers
    p.random_seed = opts.seed
    if opts.workers == 1:
        p.linearization_level = 2
    if opts.deterministic:
        p.max_deterministic_time = opts.time_limit_s * DETERMINISTIC_PER_SECOND
        p.max_time_in_seconds = opts.time_limit_s * 4  # safety net on a loaded machine
    else:
        p.max_time_in_seconds = opts.time_limit_s
    log: list[str] = []
    p.log_search_progress = True
    p.log_to_stdout = False
    p.catch_sigint_signal = False  # Ctrl-C is handled in Python (solve_interruptible)
    solver.log_callback = log.append

    class _Progress(cp_model.CpSolverSolutionCallback):
        def on_solution_callback(self) -> None:
            if progress:
                progress(f"incumbent {self.objective_value / scale:,.1f}  bound "
                         f"{self.best_objective_bound / scale:,.1f}  {self.wall_time:.1f}s")

    if control is not None:
        control["stop"] = solver.stop_search

    start = time.perf_counter()
    code = solver.solve(model, _Progress())
    elapsed = time.perf_counter() - start
    status = solver.status_name(code)
    values = None
    if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        values = [int(solver.value(x)) for x in xs]
    return RawResult("cpsat", status, values,
                     solver.objective_value if values is not None else None,
                     solver.best_objective_bound if values is not None else None,
                     elapsed, log)


MIP_IDS = {"cbc": "CBC", "scip": "SCIP", "highs": "HIGHS"}


def _load(solver: Any, lm: LinearModel, integer: bool) -> list[Any]:
    """Write the LinearModel into a pywraplp solver; returns its variables."""
    xs = [(solver.IntVar if integer and k not in lm.continuous else solver.NumVar)(lo, hi, "")
          for k, (lo, hi) in enumerate(zip(lm.lb, lm.ub, strict=True))]
    inf = solver.infinity()
    for row in lm.rows:
        lo = row.rhs if row.sense in (">=", "==") else -inf
        hi = row.rhs if row.sense in ("<=", "==") else inf
        ct = solver.Constraint(lo, hi)
        for v, c in row.terms.items():
            ct.SetCoefficient(xs[v], c)
    obj = solver.Objective()
    for v, c in lm.objective.items():
        obj.SetCoefficient(xs[v], c)
    obj.SetOffset(lm.offset)
    obj.SetMaximization()
    return xs


INTEGRAL_TOL = 1e-9


def read_values(lm: LinearModel, raw: list[float]) -> list[int | float]:
    """Solver values: integers rounded; continuous ones kept (snapped when integral)."""
    out: list[int | float] = []
    for k, x in enumerate(raw):
        r = int(round(x))
        out.append(x if k in lm.continuous and abs(x - r) > INTEGRAL_TOL else r)
    return out


def solve_lp_relaxation(lm: LinearModel, opts: Solver) -> RawResult | None:
    """Solve the LP relaxation with Clp; an integral optimum is a proven MIP optimum.

    The LP bound is valid for the integer model and an integral LP optimum is feasible for
    it, so together they prove optimality. On the national scenario the relaxation is
    integral (the serve <= host links make a tight, facility-location-like LP), which saves
    the MIP solver's preprocessing and heuristics. Returns None when the optimum is
    fractional (or the LP fails), leaving the MIP to do the work.
    """
    from ortools.linear_solver import pywraplp

    start = time.perf_counter()
    solver = pywraplp.Solver.CreateSolver("CLP")
    if solver is None:
        return None
    xs = _load(solver, lm, integer=False)
    solver.SetTimeLimit(int(opts.time_limit_s * 1000))
    code = solver.Solve()
    elapsed = time.perf_counter() - start
    if code != pywraplp.Solver.OPTIMAL:
        return None
    raw = [x.solution_value() for x in xs]
    if any(abs(v - round(v)) > INTEGRAL_TOL for k, v in enumerate(raw)
           if k not in lm.continuous):
        return None
    values = read_values(lm, raw)
    value = float(lm.evaluate(values))
    if lm.violated_rows(values):
        return None
    return RawResult(opts.backend, "OPTIMAL", values, value, value, elapsed,
                     [f"LP relaxation (Clp) integral: proven optimal in {elapsed:.2f}s"],
                     proof="lp_relaxation_integral")


def solve_mip(lm: LinearModel, opts: Solver, hint: dict[int, int] | None = None,
              control: dict[str, Any] | None = None) -> RawResult:
    """Solve with a MIP solver through pywraplp (after trying the LP relaxation)."""
    from ortools.linear_solver import pywraplp

    start_all = time.perf_counter()
    if opts.lp_first:
        lp = solve_lp_relaxation(lm, opts)
        if lp is not None:
            return lp
    solver = pywraplp.Solver.CreateSolver(MIP_IDS[opts.backend])
    if solver is None:
        return RawResult(opts.backend, "MODEL_INVALID", None, None, None, 0.0,
                         [f"{opts.backend} is not available in this OR-Tools build"])
    xs = _load(solver, lm, integer=True)
    obj = solver.Objective()
    left = max(1.0, opts.time_limit_s - (time.perf_counter() - start_all))
    solver.SetTimeLimit(int(left * 1000))
    solver.SetNumThreads(opts.workers)
    if hint and opts.backend != "highs":  # OR-Tools 9.15's HiGHS crashes on hints
        solver.SetHint([xs[v] for v in hint], [float(x) for x in hint.values()])
    if control is not None:
        control["stop"] = solver.InterruptSolve
    params = pywraplp.MPSolverParameters()
    params.SetDoubleParam(params.RELATIVE_MIP_GAP, 0.0)  # "optimal" must mean proven
    code = solver.Solve(params)
    elapsed = time.perf_counter() - start_all
    names = {pywraplp.Solver.OPTIMAL: "OPTIMAL", pywraplp.Solver.FEASIBLE: "FEASIBLE",
             pywraplp.Solver.INFEASIBLE: "INFEASIBLE", pywraplp.Solver.UNBOUNDED: "UNBOUNDED",
             pywraplp.Solver.ABNORMAL: "ABNORMAL", pywraplp.Solver.NOT_SOLVED: "UNKNOWN"}
    status = names.get(code, "UNKNOWN")
    values = None
    if code in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
        values = read_values(lm, [x.solution_value() for x in xs])
    bound = obj.BestBound() if values is not None else None
    if bound is not None and not math.isfinite(bound):
        bound = None
    return RawResult(opts.backend, status, values,
                     float(lm.evaluate(values)) if values is not None else None, bound,
                     elapsed, [f"{opts.backend}: status {status} in {elapsed:.2f}s"])


def solve(lm: LinearModel, opts: Solver, hint: dict[int, int] | None = None,
          progress: Callable[[str], None] | None = None,
          control: dict[str, Any] | None = None, scale: float = 1.0) -> RawResult:
    """Dispatch on ``opts.backend``; ``scale`` converts progress figures to objective units."""
    if opts.backend == "cpsat":
        return solve_cpsat(lm, opts, hint, progress, control, scale)
    return solve_mip(lm, opts, hint, control)


def solve_interruptible(lm: LinearModel, opts: Solver, hint: dict[int, int] | None = None,
                        progress: Callable[[str], None] | None = None,
                        tick_s: float = 10.0, scale: float = 1.0) -> RawResult:
    """Solve in a worker thread so that Ctrl-C stops the search and keeps the best plan."""
    control: dict[str, Any] = {}
    box: dict[str, Any] = {}
    done = threading.Event()

    def work() -> None:
        try:
            box["result"] = solve(lm, opts, hint, progress, control, scale)
        except BaseException as exc:  # re-raised in the caller's thread
            box["error"] = exc
        finally:
            done.set()

    # an Event, not Thread.join: a KeyboardInterrupt inside join() can leave the thread's
    # state lock released, after which join() returns while the thread still runs
    thread = threading.Thread(target=work, name="planner-solve", daemon=True)
    start = time.perf_counter()
    thread.start()
    interrupted = False
    next_tick = tick_s
    while not done.is_set():
        try:
            done.wait(0.2)
        except KeyboardInterrupt:
            if not interrupted and progress:
                progress("interrupted: stopping the search, keeping the best plan found")
            interrupted = True
            if "stop" in control:
                control["stop"]()
            continue
        if progress and opts.backend != "cpsat" and time.perf_counter() - start > next_tick:
            progress(f"{opts.backend} still solving, {next_tick:.0f}s")
            next_tick += tick_s
    if "error" in box:
        raise box["error"]
    result = box["result"]
    result.interrupted = interrupted
    return result
