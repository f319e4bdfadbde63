"""Translate a LinearModel to an OR-Tools solver, solve, and read the values back.

- ``cpsat``: CP-SAT. With one worker it runs with ``linearization_level=2`` (its default LP
  does not carry the assignment-to-open links, so it proves no bound on p-median-like models)
  and, when ``deterministic``, stops on a deterministic time limit, so the same scenario and
  seed give the same plan.
- ``cbc`` / ``scip`` / ``highs``: OR-Tools' MIP wrapper (pywraplp).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from planner.model.linear import LinearModel, Row
from planner.scenario.schema import Solver


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
    lp_point: list[float] | None = None  # a fractional LP optimum, where one was solved

    @property
    def has_solution(self) -> bool:
        return self.values is not None


def trivial_bound(lm: LinearModel) -> float:
    """The largest objective any assignment within the variable bounds could reach."""
    return lm.offset + sum(c * (lm.ub[v] if c > 0 else lm.lb[v]) for v, c in lm.objective.items())


def checked_bound(lm: LinearModel, bound: float | None) -> float | None:
    """A solver's dual bound, or None where it is infinite or a sentinel (SCIP's 1e17...).

    A bound above the trivial one (every objective term at its best) says nothing.
    """
    if bound is None or not math.isfinite(bound):
        return None
    return None if bound > trivial_bound(lm) + 1e-6 * max(1.0, abs(bound)) else bound


def cpsat_model(lm: LinearModel) -> tuple[Any, list[Any]]:
    """An empty CP-SAT model with the LinearModel's integer variables."""
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    return model, [model.new_int_var(lo, hi, "") for lo, hi in zip(lm.lb, lm.ub, strict=True)]


def cpsat_row(model: Any, xs: list[Any], row: Row) -> Any:
    """Add one row to a CP-SAT model (the one translation of a row); returns the constraint."""
    from ortools.sat.python import cp_model

    expr = cp_model.LinearExpr.weighted_sum([xs[v] for v in row.terms], list(row.terms.values()))
    if row.sense == "<=":
        return model.add(expr <= row.rhs)
    if row.sense == ">=":
        return model.add(expr >= row.rhs)
    return model.add(expr == row.rhs)


def solve_cpsat(
    lm: LinearModel,
    opts: Solver,
    hint: dict[int, int] | None = None,
    progress: Callable[[str], None] | None = None,
    control: Any = None,
    scale: float = 1.0,
) -> RawResult:
    """Solve with CP-SAT; ``control.stop`` is set to a function that ends the search."""
    from ortools.sat.python import cp_model

    model, xs = cpsat_model(lm)
    for row in lm.rows:
        cpsat_row(model, xs, row)
    model.maximize(
        cp_model.LinearExpr.weighted_sum([xs[v] for v in lm.objective], list(lm.objective.values()))
        + lm.offset
    )
    for v, val in (hint or {}).items():
        model.add_hint(xs[v], val)
    solver = cp_model.CpSolver()
    p = solver.parameters
    p.num_workers = opts.workers
    p.random_seed = opts.seed
    if opts.workers == 1:
        p.linearization_level = 2
    # the wall-clock limit always holds; with ``deterministic`` the deterministic limit
    # (about seconds on a fast core) stops the search first unless the machine is loaded,
    # and then the plan repeats
    p.max_time_in_seconds = opts.time_limit_s
    if opts.deterministic:
        p.max_deterministic_time = opts.time_limit_s
    log: list[str] = []
    p.log_search_progress = True
    p.log_to_stdout = False
    p.catch_sigint_signal = False  # Ctrl-C is handled by the parent process (guard.py)
    solver.log_callback = log.append

    class _Progress(cp_model.CpSolverSolutionCallback):
        def on_solution_callback(self) -> None:
            if progress:
                progress(
                    f"incumbent {self.objective_value / scale:,.1f}  bound "
                    f"{self.best_objective_bound / scale:,.1f}  {self.wall_time:.1f}s"
                )

    if control is not None:
        control.stop = solver.stop_search

    start = time.perf_counter()
    code = solver.solve(model, _Progress())
    elapsed = time.perf_counter() - start
    status = solver.status_name(code)
    values = None
    if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        values = [int(solver.value(x)) for x in xs]
    return RawResult(
        "cpsat",
        status,
        values,
        solver.objective_value if values is not None else None,
        checked_bound(lm, solver.best_objective_bound) if values is not None else None,
        elapsed,
        log,
    )


MIP_IDS = {"cbc": "CBC", "scip": "SCIP", "highs": "HIGHS"}


def _load(solver: Any, lm: LinearModel, integer: bool) -> list[Any]:
    """Write the LinearModel into a pywraplp solver; returns its variables."""
    xs = [
        (solver.IntVar if integer and k not in lm.continuous else solver.NumVar)(lo, hi, "")
        for k, (lo, hi) in enumerate(zip(lm.lb, lm.ub, strict=True))
    ]
    inf = solver.infinity()
    for row in lm.rows:
        ct = solver.Constraint(*row.bounds(inf))
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


@dataclass
class LpResult:
    """The LP relaxation: its values and objective, and the proof when they are integral."""

    raw: list[float] | None
    objective: float | None
    proven: RawResult | None  # the integral optimum, a proven MIP optimum


def solve_lp_relaxation(lm: LinearModel, opts: Solver, verbose: bool = False) -> LpResult:
    """Solve the LP relaxation with Clp; an integral optimum is a proven MIP optimum.

    The LP bound is valid for the integer model and an integral LP optimum is feasible for
    it, so together they prove optimality; that saves the MIP solver's preprocessing and
    heuristics. A fractional optimum is returned too (``proven`` None): its values seed the
    RENS start plan (``rens_plan``) and its objective is a bound.
    """
    from ortools.linear_solver import pywraplp

    start = time.perf_counter()
    solver = pywraplp.Solver.CreateSolver("CLP")
    if solver is None:
        return LpResult(None, None, None)
    xs = _load(solver, lm, integer=False)
    if verbose:
        solver.EnableOutput()
    solver.SetTimeLimit(int(opts.time_limit_s * 1000))
    code = solver.Solve()
    elapsed = time.perf_counter() - start
    if code != pywraplp.Solver.OPTIMAL:
        return LpResult(None, None, None)
    raw = [x.solution_value() for x in xs]
    lp_obj = solver.Objective().Value()
    if any(abs(v - round(v)) > INTEGRAL_TOL for k, v in enumerate(raw) if k not in lm.continuous):
        return LpResult(raw, lp_obj, None)
    values = read_values(lm, raw)
    value = float(lm.evaluate(values))
    if lm.violated_rows(values):
        return LpResult(raw, lp_obj, None)
    proven = RawResult(
        opts.backend,
        "OPTIMAL",
        values,
        value,
        value,
        elapsed,
        [f"LP relaxation (Clp) integral: proven optimal in {elapsed:.2f}s"],
        proof="lp_relaxation_integral",
    )
    return LpResult(raw, lp_obj, proven)


RENS_SHARE = 0.25  # at most this share of the time limit for the RENS start plan
RENS_MAX_S = 30.0


def rens_plan(lm: LinearModel, opts: Solver, raw: list[float], left_s: float) -> list | None:
    """A start plan near the LP optimum (RENS, Berthold 2014).

    Every integer variable the LP set integral is fixed there and the few fractional ones
    are searched. The restricted MIP is small, so a feasible plan comes in seconds where the
    full search may need minutes for its first one (national scenario: 2 s, 0.04% below the
    LP bound, against about 40 s for CBC's first plan). None when it finds none in its share
    of the time.
    """
    from ortools.linear_solver import pywraplp

    solver = pywraplp.Solver.CreateSolver(MIP_IDS.get(opts.backend, "CBC"))
    if solver is None:
        return None
    xs = _load(solver, lm, integer=True)
    for k, v in enumerate(raw):
        r = round(v)
        if k not in lm.continuous and abs(v - r) <= INTEGRAL_TOL:
            xs[k].SetBounds(r, r)
    solver.SetTimeLimit(int(max(0.5, min(RENS_MAX_S, RENS_SHARE * left_s)) * 1000))
    solver.SetNumThreads(opts.workers)
    code = solver.Solve()
    if code not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
        return None
    values = read_values(lm, [x.solution_value() for x in xs])
    return None if lm.violated_rows(values) else values


def lp_first_start(
    lm: LinearModel, opts: Solver, control: Any, verbose: bool
) -> tuple[RawResult | None, list | None]:
    """LP first: (the proven optimum when the LP is integral; else the RENS start plan).

    The RENS plan, when found, is reported to ``control`` as an incumbent with the LP bound.
    """
    started = time.perf_counter()
    if not opts.lp_first:
        return None, None
    lp = solve_lp_relaxation(lm, opts, verbose)
    if lp.proven is not None:
        return lp.proven, None
    if lp.raw is None:
        return None, None
    left = opts.time_limit_s - (time.perf_counter() - started)
    plan = rens_plan(lm, opts, lp.raw, left)
    if plan is not None and control is not None:
        control.incumbent(plan, float(lm.evaluate(plan)), checked_bound(lm, lp.objective))
        control.progress("start plan from the LP relaxation (RENS) found")
    return None, plan


def solve_mip(
    lm: LinearModel, opts: Solver, hint: dict[int, int] | None = None, control: Any = None
) -> RawResult:
    """Solve with a MIP solver through pywraplp (after trying the LP relaxation)."""
    from ortools.linear_solver import pywraplp

    start_all = time.perf_counter()
    verbose = bool(getattr(control, "verbose", False))  # the guard captures the log
    proven, start_plan = lp_first_start(lm, opts, control, verbose)
    if proven is not None:
        return proven
    start_value = None
    if start_plan is not None:
        start_value = float(lm.evaluate(start_plan))
        hint = {k: int(round(x)) for k, x in enumerate(start_plan) if k not in lm.continuous}
    solver = pywraplp.Solver.CreateSolver(MIP_IDS[opts.backend])
    if solver is None:
        return RawResult(
            opts.backend,
            "MODEL_INVALID",
            None,
            None,
            None,
            0.0,
            [f"{opts.backend} is not available in this OR-Tools build"],
        )
    xs = _load(solver, lm, integer=True)
    if verbose:
        solver.EnableOutput()
    obj = solver.Objective()
    left = max(0.1, opts.time_limit_s - (time.perf_counter() - start_all))
    solver.SetTimeLimit(int(left * 1000))
    solver.SetNumThreads(opts.workers)
    if hint and opts.backend != "highs":  # OR-Tools 9.15's HiGHS crashes on hints
        solver.SetHint([xs[v] for v in hint], [float(x) for x in hint.values()])
    if control is not None:  # SCIP stops; CBC and HiGHS ignore it (guard.py kills them)
        control.stop = solver.InterruptSolve
    params = pywraplp.MPSolverParameters()
    params.SetDoubleParam(params.RELATIVE_MIP_GAP, 0.0)  # "optimal" must mean proven
    code = solver.Solve(params)
    elapsed = time.perf_counter() - start_all
    names = {
        pywraplp.Solver.OPTIMAL: "OPTIMAL",
        pywraplp.Solver.FEASIBLE: "FEASIBLE",
        pywraplp.Solver.INFEASIBLE: "INFEASIBLE",
        pywraplp.Solver.UNBOUNDED: "UNBOUNDED",
        pywraplp.Solver.ABNORMAL: "ABNORMAL",
        pywraplp.Solver.NOT_SOLVED: "UNKNOWN",
    }
    status = names.get(code, "UNKNOWN")
    values = None
    if code in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
        values = read_values(lm, [x.solution_value() for x in xs])
    if start_plan is not None and (
        values is None or lm.evaluate(values) < start_value
    ):  # the search ended (at its limit) without beating the RENS plan
        values, status = start_plan, "FEASIBLE" if status != "OPTIMAL" else status
    bound = checked_bound(lm, obj.BestBound()) if values is not None else None
    return RawResult(
        opts.backend,
        status,
        values,
        float(lm.evaluate(values)) if values is not None else None,
        bound,
        elapsed,
        [f"{opts.backend}: status {status} in {elapsed:.2f}s"],
    )
