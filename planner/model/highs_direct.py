"""The HiGHS MIP through highspy itself rather than OR-Tools' wrapper.

Why not pywraplp's HIGHS: OR-Tools 9.15 crashes when given a hint for HiGHS, ignores a stop
request and hands over no plan before the end. Through highspy the start plan (RENS, a
what-if's base plan, the greedy plan) is HiGHS's first incumbent, every better plan reaches
the guard as it is found (so a time limit or Ctrl-C keeps HiGHS's best plan, not only the
start plan), a stop request ends the search, and the model is loaded in bulk.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from planner.model.backends import RawResult, checked_bound, lp_first_start, read_values
from planner.model.linear import LinearModel
from planner.scenario.schema import Solver


def load(lm: LinearModel, integer: bool = True) -> Any:
    """A highspy model of ``lm`` (maximized), integer variables as integers if ``integer``."""
    import highspy

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    n = lm.n_vars
    h.addVars(n, np.array(lm.lb, dtype=float), np.array(lm.ub, dtype=float))
    inf = highspy.kHighsInf
    starts = np.zeros(len(lm.rows), dtype=np.int32)
    lo = np.empty(len(lm.rows))
    hi = np.empty(len(lm.rows))
    idx: list[int] = []
    val: list[int] = []
    for r, row in enumerate(lm.rows):
        starts[r] = len(idx)
        idx.extend(row.terms)
        val.extend(row.terms.values())
        lo[r], hi[r] = row.bounds(inf)
    if lm.rows:
        h.addRows(
            len(lm.rows),
            lo,
            hi,
            len(idx),
            starts,
            np.array(idx, dtype=np.int32),
            np.array(val, dtype=float),
        )
    cost = np.zeros(n)
    for v, c in lm.objective.items():
        cost[v] = c
    h.changeColsCost(n, np.arange(n, dtype=np.int32), cost)
    h.changeObjectiveOffset(float(lm.offset))
    h.changeObjectiveSense(highspy.ObjSense.kMaximize)
    ints = np.array([k for k in range(n) if k not in lm.continuous], dtype=np.int32)
    if integer and len(ints):
        h.changeColsIntegrality(
            len(ints), ints, np.array([highspy.HighsVarType.kInteger] * len(ints))
        )
    return h


def clock_limit(h: Any, seconds: float, integer: bool = False) -> float:
    """The ``time_limit`` option that gives the next run of ``h`` ``seconds`` more.

    HiGHS 1.16 holds an LP's time limit against the object's run time summed over every run
    (checked: a second LP run with a 4 s limit after a 2.3 s one stopped after 1.7 s), so a
    model solved round after round (Benders masters) must add the time already spent. A MIP
    run's limit counts from its own start (checked: 4 s runs after 4 and 13 s of earlier
    runs took about 6.5 s each, presolve included, not none), so it is given as is.
    """
    spent = 0.0 if integer else float(h.getRunTime())
    return spent + max(0.05, float(seconds))


def run(h: Any, time_limit: float, integer: bool) -> tuple[str, np.ndarray | None, float | None]:
    """Run a highspy model within ``time_limit`` s: (status, column values, dual bound).

    The bound is the MIP's dual bound, or for an LP its objective when proven optimal (a
    stopped LP's objective bounds nothing).
    """
    import highspy

    h.setOptionValue("time_limit", clock_limit(h, time_limit, integer))
    h.run()
    st = h.getModelStatus()
    info = h.getInfo()
    has = info.primal_solution_status == 2  # kSolutionStatusFeasible
    x = np.array(h.getSolution().col_value) if has else None
    if st == highspy.HighsModelStatus.kOptimal:
        status = "OPTIMAL"
    elif st == highspy.HighsModelStatus.kInfeasible:
        status = "INFEASIBLE"
    else:
        status = "FEASIBLE" if has else "UNKNOWN"
    if integer and x is not None and status == "OPTIMAL" and not _consistent(h, x, info):
        return "FEASIBLE", x, None  # the reported optimum is not its own point's value
    if integer:
        bound = info.mip_dual_bound
    else:
        bound = info.objective_function_value if status == "OPTIMAL" else None
    return status, x, (bound if bound is not None and np.isfinite(bound) else None)


# presolve of the MIP runs whose bound is a proof (Benders and p-median masters, the full
# model's MIP). HiGHS 1.16 with presolve on proved a wrong optimum on a national Benders
# master (47,198,543.5 persons "optimal" where a plan worth 47,199,113.7 holds every row;
# bench/README.md, session 13); off, the same model ran honestly. Off was no slower on the
# national master and faster on the full national model (36 s against 90-112 s).
PROOF_PRESOLVE = "off"
REFUTE_REL = 1e-6  # relative: what a MIP's tolerances may leave between bound and plan


def refuted(bound: float | None, value: float | None, absolute: float, maximize: bool) -> bool:
    """Whether a MIP's dual bound is contradicted by a plan known to be feasible.

    A maximizing MIP's bound can never be below the exact value of a plan that satisfies
    every row; a shortfall beyond the tolerances (``absolute`` plus REFUTE_REL relative) means
    the run's claim, optimal or not, is wrong. HiGHS 1.16 was seen to make one: a Benders
    master "optimal" at 47,198,543.5 persons while a plan worth 47,199,113.7 satisfied every
    row (presolve on; right with presolve off; bench/README.md, session 13).
    """
    if bound is None or value is None:
        return False
    slack = absolute + REFUTE_REL * max(1.0, abs(value))
    return bound < value - slack if maximize else bound > value + slack


def reseed(h: Any) -> None:
    """The next random seed: a refuted MIP run is tried once more on another search path."""
    h.setOptionValue("random_seed", int(h.getOptionValue("random_seed")[1]) + 1)


def _consistent(h: Any, x: np.ndarray, info: Any) -> bool:
    """Whether HiGHS's reported objective is the value of the point it returns.

    HiGHS 1.16 was seen to report "optimal" with an objective its point does not have (a
    Benders master given a start with theta at 0, see benders.Master.set_start).
    """
    lp = h.getLp()
    own = float(np.dot(np.asarray(lp.col_cost_), x) + lp.offset_)
    reported = float(info.objective_function_value)
    return abs(own - reported) <= 1e-6 * max(1.0, abs(own))


def _plan(lm: LinearModel, raw: Any) -> list[int | float] | None:
    """A solver point as a plan, or None when it breaks a row once rounded."""
    values = read_values(lm, [float(x) for x in raw])
    return None if lm.violated_rows(values) else values


def _start(
    lm: LinearModel, opts: Solver, hint: dict[int, int] | None, control: Any, verbose: bool
) -> tuple[RawResult | None, list | None]:
    """(the proven LP optimum if integral, else None; the best start plan or None).

    The start is the better of the RENS plan (LP-first) and the hint, where each holds.
    """
    proven, start_plan = lp_first_start(lm, opts, control, verbose)
    if proven is not None:
        return proven, None
    if hint:  # a what-if's base plan or the greedy plan: the start where it is better
        dense = [hint.get(k, 0) for k in range(lm.n_vars)]
        better = start_plan is None or lm.evaluate(dense) > lm.evaluate(start_plan)
        if better and not lm.violated_rows(dense):
            start_plan = dense
    return None, start_plan


def solve_highs(
    lm: LinearModel, opts: Solver, hint: dict[int, int] | None = None, control: Any = None
) -> RawResult:
    """LP first (Clp; an integral optimum is proven), RENS, then the HiGHS MIP from the start."""
    import highspy

    started = time.perf_counter()
    verbose = bool(getattr(control, "verbose", False))
    proven, start_plan = _start(lm, opts, hint, control, verbose)
    if proven is not None:
        return proven
    start_value = float(lm.evaluate(start_plan)) if start_plan is not None else None
    h = load(lm)
    h.setOptionValue("output_flag", verbose)
    h.setOptionValue("mip_rel_gap", 0.0)  # "optimal" must mean proven
    # no "threads": HiGHS's scheduler is global, and a process that ran HiGHS before with
    # another count (a test, a notebook) would make run() fail before it starts
    h.setOptionValue("random_seed", int(opts.seed))
    h.setOptionValue("presolve", PROOF_PRESOLVE)  # its bound is the proof; faster off, too
    left = max(0.1, opts.time_limit_s - (time.perf_counter() - started))
    h.setOptionValue("time_limit", clock_limit(h, left, integer=True))
    if start_plan is not None:
        sol = highspy.HighsSolution()
        sol.col_value = [float(x) for x in start_plan]
        h.setSolution(sol)
    best: dict[str, Any] = {"value": start_value}

    def improved(event: Any) -> None:
        value = float(event.data_out.objective_function_value)
        if control is None or (best["value"] is not None and value <= best["value"]):
            return
        plan = _plan(lm, event.data_out.mip_solution)
        if plan is not None:
            best["value"] = value
            bound = checked_bound(lm, float(event.data_out.mip_dual_bound))
            control.incumbent(plan, float(lm.evaluate(plan)), bound)

    h.cbMipImprovingSolution.subscribe(improved)
    if control is not None:
        h.HandleUserInterrupt = True
        control.stop = h.cancelSolve
    run_status = h.run()
    elapsed = time.perf_counter() - started
    st = h.getModelStatus()
    info = h.getInfo()
    values = None
    if info.primal_solution_status == 2:  # kSolutionStatusFeasible
        values = _plan(lm, h.getSolution().col_value)
    if run_status == highspy.HighsStatus.kError and control is not None:
        control.progress(f"highs: run failed ({h.modelStatusToString(st)})")
    if st == highspy.HighsModelStatus.kOptimal and values is not None:
        status = "OPTIMAL"
    elif st == highspy.HighsModelStatus.kInfeasible:
        status = "INFEASIBLE"
    else:
        status = "FEASIBLE" if values is not None else "UNKNOWN"
    if start_plan is not None and (values is None or lm.evaluate(values) < start_value):
        values = start_plan  # the search ended (at its limit) without beating the start
        status = "FEASIBLE" if status != "OPTIMAL" else status
    log = [f"highs (highspy): status {status} in {elapsed:.2f}s"]
    value = float(lm.evaluate(values)) if values is not None else None
    bound = checked_bound(lm, info.mip_dual_bound) if values is not None else None
    if refuted(bound, value, 0.5, maximize=True):  # the plan kept beats HiGHS's bound
        log.append(
            f"highs: bound {bound} below a plan worth {value} that satisfies every row: "
            f"refuted; status feasible, no bound"
        )
        status, bound = "FEASIBLE", None
    return RawResult(opts.backend, status, values, value, bound, elapsed, log)
