"""Run one solver call in a child process, so that a time limit or Ctrl-C always ends it.

OR-Tools' CBC cannot be stopped on request (``InterruptSolve`` is a no-op for it, and it
ignores SIGINT), and neither CBC's root nor Clp keeps its time limit on a large model: a 1 s
limit ran 13 s on the national model. So each solve runs in a forked child; the parent only
waits. At the deadline, or on SIGINT/SIGTERM, the parent asks the child to stop (CP-SAT,
SCIP and Benders stop and return their best plan) and, ``GRACE_S`` later, kills the child's
process group. The plan kept then is the best one the child reported (Benders reports each
improvement) or else the start plan, when it satisfies every row; with neither there is no
plan. A solver's "infeasible" that comes after a stop or at its limit is not a proof: it is
reported as "UNKNOWN", and as a plan when the start plan is feasible.

Without ``os.fork`` (or with ``PLANNER_IN_PROCESS=1``) the call runs in this process and
only the solver's own limits apply.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, Pipe, wait
from pathlib import Path
from typing import Any

import numpy as np

from planner.errors import PlannerError
from planner.model.backends import RawResult
from planner.model.linear import LinearModel
from planner.model.solverlog import LogTail, SolveProgress

GRACE_S = 1.0  # after a stop request, how long the child may take to return its plan
CHECK_WAIT_S = 0.2  # after a kill, how long the start plan's check may still take
TICK_S = 5.0  # a progress line at least this often while solving (one per tick when piped)
LIVE_S = 1.0  # and at most this often when the solver's log shows progress
LIMIT_SLACK = 0.98  # an "infeasible" after this share of the time limit is not trusted
_DEPTH = 0  # 0 in the user's process; 1 in a solve child, 2 in a child's child...


class Interrupted(KeyboardInterrupt):
    """SIGTERM, turned into the same path as Ctrl-C (see ``terminate_as_interrupt``)."""


@contextlib.contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """While open, SIGINT and SIGTERM raise KeyboardInterrupt in the main thread.

    SIGINT explicitly too: a process started in the background of a script begins with
    SIGINT ignored, and ``kill -INT`` would then do nothing. The previous handlers return
    on exit (the CLI's commands also run inside test processes and notebooks).
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: Any) -> None:
        raise Interrupted()

    before = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, before[0])
        signal.signal(signal.SIGTERM, before[1])


@dataclass
class Control:
    """What a solver call in the child can use: a stop hook, progress and incumbents."""

    send: Callable[[tuple], None] | None = None
    stop: Callable[[], Any] | None = None  # set by the backend: ends its search
    stop_requested: bool = False
    verbose: bool = False  # the solver may print its log: the parent captures it
    best: tuple[list, float, float | None] | None = field(default=None, repr=False)
    start: list[dict[int, int]] = field(default_factory=list, repr=False)

    def progress(self, msg: str) -> None:
        if self.send is not None:
            self.send(("progress", msg))

    def start_plan(self, *plans: dict[int, int] | None) -> None:
        """Start plans, the search's hint first.

        The parent keeps the best that satisfies every row, should the solver return no
        plan or have to be ended.
        """
        self.start = [p for p in plans if p]
        if self.send is not None and self.start:
            # dense arrays: a dict of millions of entries would take the parent seconds to
            # unpickle, and its clock runs meanwhile
            n = max(max(p) for p in self.start) + 1
            dense = []
            for p in self.start:
                arr = np.zeros(n, dtype=np.int64)
                arr[np.fromiter(p.keys(), dtype=np.int64, count=len(p))] = np.fromiter(
                    p.values(), dtype=np.int64, count=len(p)
                )
                dense.append(arr)
            self.send(("start", dense))

    def incumbent(self, values: list, objective: float, bound: float | None) -> None:
        """A plan found so far (solver units); kept by the parent if the child is killed."""
        self.best = (list(values), objective, bound)
        if self.send is not None:
            self.send(("incumbent", self.best))

    def request_stop(self) -> None:
        self.stop_requested = True
        if self.stop is not None:
            self.stop()


def _in_process() -> bool:
    return not hasattr(os, "fork") or os.environ.get("PLANNER_IN_PROCESS") == "1"


def _reset_highs_threads() -> None:
    """Forget HiGHS's thread pool inherited from the parent (its threads are not forked).

    A parent that ran HiGHS itself (a notebook, a test) leaves the pool's state behind, and
    a HiGHS MIP in the child then waits forever on workers that do not exist.
    """
    import sys

    if "highspy" in sys.modules:
        sys.modules["highspy"].Highs.resetGlobalScheduler(True)


def _start_plan(lm: LinearModel, hint: dict[int, int] | np.ndarray | None) -> list[int] | None:
    """The start plan (by variable, or a dense array) as values when it satisfies every row."""
    if hint is None or len(hint) < lm.n_vars:
        return None
    if isinstance(hint, np.ndarray):
        values = hint[: lm.n_vars].tolist()
    else:
        values = [int(hint.get(k, 0)) for k in range(lm.n_vars)]
    if any(not lo <= x <= hi for x, lo, hi in zip(values, lm.lb, lm.ub, strict=True)):
        return None
    return None if lm.violated_rows(values) else values


def _child(
    work: Callable[[Control], RawResult],
    out: Connection,
    ctl: Connection,
    own_group: bool,
    log_path: Path,
) -> None:
    """In the forked child: run ``work``, send its result, never return.

    Its standard output and error go to ``log_path`` (the solver's own log).
    """
    global _DEPTH
    _DEPTH += 1
    code = 0
    try:
        if own_group:
            os.setpgid(0, 0)
        fd = os.open(log_path, os.O_WRONLY | os.O_APPEND)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        os.close(fd)
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides what Ctrl-C does
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        _reset_highs_threads()
        lock = threading.Lock()

        def send(msg: tuple) -> None:
            with lock:
                out.send(msg)

        control = Control(send, verbose=True)

        def listen() -> None:
            try:
                while True:
                    ctl.recv()
                    control.request_stop()
            except (EOFError, OSError):
                os._exit(3)  # the parent is gone: nobody wants this result

        threading.Thread(target=listen, daemon=True).start()
        result = work(control)
        send(("result", result))
    except BaseException as exc:  # sent to the parent, raised there
        code = 1
        try:
            pickle.dumps(exc)
            payload: BaseException = exc
        except Exception:
            payload = PlannerError(f"the solver process failed: {type(exc).__name__}: {exc}")
        try:
            out.send(("error", payload))
        except BaseException:
            pass
    finally:
        os._exit(code)


def _best_start(lm: LinearModel, plans: list) -> list[int] | None:
    """The best of ``plans`` that satisfies every row, as values (None if none does)."""
    good = [v for v in (_start_plan(lm, p) for p in plans) if v is not None]
    return max(good, key=lm.evaluate) if good else None


class _Checker:
    """Checks start plans against every row in a thread (the parent is idle meanwhile)."""

    def __init__(self, lm: LinearModel):
        self.lm = lm
        self.thread: threading.Thread | None = None
        self.values: list[int] | None = None

    def check(self, plans: list) -> None:
        if all(p is None for p in plans) or self.thread is not None:
            return

        def run() -> None:
            self.values = _best_start(self.lm, plans)

        self.thread = threading.Thread(target=run, name="planner-start-check", daemon=True)
        self.thread.start()

    def result(self, wait_s: float) -> list[int] | None:
        """The best start plan that satisfies every row (None if unknown within ``wait_s``)."""
        if self.thread is None:
            return None
        self.thread.join(wait_s)
        return None if self.thread.is_alive() else self.values


def _reap(pid: int) -> None:
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass


def _kill(pid: int, own_group: bool) -> None:
    try:
        if own_group:
            os.killpg(pid, signal.SIGKILL)
        else:
            os.kill(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


# long by design (one wait loop: deadline, stop request, child messages, exit)
def run_guarded(  # noqa: C901
    work: Callable[[Control], RawResult],
    lm: LinearModel,
    time_limit_s: float,
    backend: str,
    hint: dict[int, int] | None = None,
    progress: Callable[[str], None] | None = None,
    proves_infeasible_at_limit: bool = False,
    scale: float = 1.0,
) -> RawResult:
    """Run ``work(control)`` under the wall-clock limit ``time_limit_s`` + ``GRACE_S``.

    The start plan (``hint``, or one that ``work`` reports through ``control.start_plan``) is
    checked against every row in a thread of this process while the child solves; it is the
    fallback plan when the child has to be killed or returns none.
    ``proves_infeasible_at_limit``: the backend's "infeasible" is a proof even when it comes
    at the time limit (CP-SAT never reports it otherwise).
    """
    start = time.perf_counter()
    if _in_process():
        control = Control(None)
        result = work(control)
        fallback = _best_start(lm, [hint, *control.start]) if result.values is None else None
        return _honest(result, lm, time_limit_s, False, proves_infeasible_at_limit, fallback)
    recv_out, send_out = Pipe(duplex=False)
    recv_ctl, send_ctl = Pipe(duplex=False)
    own_group = _DEPTH == 0
    fd, name = tempfile.mkstemp(prefix="planner-solver-", suffix=".log")
    os.close(fd)
    tail = LogTail(Path(name))
    seen = SolveProgress()
    last_live = 0.0
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # pragma: no cover (runs in the child; its coverage is the parent's tests)
        recv_out.close()
        send_ctl.close()
        _child(work, send_out, recv_ctl, own_group, Path(name))
    send_out.close()
    recv_ctl.close()
    if own_group:
        try:
            os.setpgid(pid, pid)  # also here: the child may not have run yet
        except (PermissionError, ProcessLookupError):
            pass
    deadline = start + time_limit_s
    best: tuple[list, float, float | None] | None = None
    result: RawResult | None = None
    error: BaseException | None = None
    interrupted = timed_out = False
    stop_at: float | None = None
    next_tick = TICK_S
    log: list[str] = []
    checker = _Checker(lm)
    checker.check([hint])

    def ask_stop() -> None:
        nonlocal stop_at
        if stop_at is None:
            stop_at = time.perf_counter()
            try:
                send_ctl.send("stop")
            except OSError:
                pass

    try:
        while result is None and error is None:
            try:
                now = time.perf_counter()
                if stop_at is None and now >= deadline:
                    timed_out = True
                    ask_stop()
                if stop_at is not None and now - stop_at >= GRACE_S:
                    break
                wake = min(
                    0.2, max(0.01, (deadline if stop_at is None else stop_at + GRACE_S) - now)
                )
                if not wait([recv_out], timeout=wake):
                    changed = any([seen.read(ln) for ln in tail.read()])
                    if (
                        progress
                        and backend != "cpsat"
                        and ((changed and now - last_live >= LIVE_S) or now - start > next_tick)
                    ):
                        progress(seen.line(backend, now - start, scale))
                        last_live = now
                        while next_tick < now - start:
                            next_tick += TICK_S
                    continue
                try:
                    kind, payload = recv_out.recv()
                except (EOFError, OSError):
                    error = PlannerError(
                        f"the {backend} solver process ended without a "
                        f"result (killed, or out of memory?)"
                    )
                    break
                if kind == "progress" and progress:
                    progress(payload)
                elif kind == "incumbent":
                    best = payload
                elif kind == "start":
                    checker.check(payload)
                elif kind == "result":
                    result = payload
                elif kind == "error":
                    error = payload
            except KeyboardInterrupt:
                if not interrupted and progress:
                    progress("interrupted: stopping the search, keeping the best plan found")
                interrupted = True
                ask_stop()
    finally:
        if result is None and error is None:
            _kill(pid, own_group)
        elif own_group:
            _kill(pid, own_group)  # grandchildren the child may have left
        # reaped in the background: freeing a large child's memory takes a while
        threading.Thread(target=_reap, args=(pid,), name="planner-reap", daemon=True).start()
        recv_out.close()
        send_ctl.close()
        tail.finish()
        Path(name).unlink(missing_ok=True)
    if error is not None:
        raise error
    elapsed = time.perf_counter() - start
    if result is None:  # killed: keep what the parent knows
        why = "interrupted" if interrupted else f"time limit {time_limit_s:.3g}s"
        log.append(
            f"{backend}: {why}; the solver did not stop within {GRACE_S:g}s and was "
            f"ended at {elapsed:.1f}s"
        )
        values = checker.result(wait_s=CHECK_WAIT_S)
        if values is not None and (best is None or lm.evaluate(values) > best[1]):
            log.append("kept the start plan (it satisfies every rule); no bound")
            result = RawResult(
                backend, "FEASIBLE", values, float(lm.evaluate(values)), None, elapsed, log
            )
        elif best is not None:
            log.append("kept the best plan it had reported")
            result = RawResult(backend, "FEASIBLE", *best, elapsed, log)
        else:
            log.append("no plan was found")
            result = RawResult(backend, "UNKNOWN", None, None, None, elapsed, log)
    else:
        result.time_s = elapsed
    if tail.lines:  # the solver's own log, whole, for solver.log
        result.log = [*result.log, f"--- {backend} log ---", *tail.lines]
    result.interrupted = interrupted
    # a result without a plan may still get the start plan, if its check ends in time
    left = max(0.0, deadline + GRACE_S - time.perf_counter()) if result.values is None else 0.0
    return _honest(
        result,
        lm,
        time_limit_s,
        interrupted or timed_out,
        proves_infeasible_at_limit,
        checker.result(wait_s=left),
    )


def _honest(
    result: RawResult,
    lm: LinearModel,
    time_limit_s: float,
    stopped: bool,
    proves_at_limit: bool,
    start: list[int] | None = None,
) -> RawResult:
    """Statuses that claim only what was proven (``start``: a start plan, checked).

    An "infeasible" after a stop or at the limit is "unknown"; a result without a plan gets
    the start plan when it satisfies every row (then "infeasible" was wrong too).
    """
    if result.status == "OPTIMAL" and result.values is None:
        result.status = "UNKNOWN"
    if result.values is not None:
        return result
    at_limit = result.time_s >= LIMIT_SLACK * time_limit_s
    if result.status == "INFEASIBLE" and (stopped or (at_limit and not proves_at_limit)):
        result.log.append(
            f"{result.backend} reported infeasible after a stop or at its "
            f"time limit ({result.time_s:.1f}s of {time_limit_s:.3g}s): not a "
            f"proof; status unknown"
        )
        result.status = "UNKNOWN"
    if start is not None:  # a plan that satisfies every row: the answer, and no infeasibility
        result.log.append(
            f"{result.backend} returned no plan (status {result.status}); kept "
            f"the start plan, which satisfies every rule (no bound)"
        )
        result.status, result.values = "FEASIBLE", start
        result.objective, result.bound = float(lm.evaluate(start)), None
    return result
