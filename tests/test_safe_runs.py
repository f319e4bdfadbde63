"""Safe runs: a user's folders survive, limits and interrupts hold, statuses claim only proofs."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from planner.cli import main
from planner.model import backends
from planner.model.backends import RawResult, checked_bound
from planner.model.guard import GRACE_S, _honest, run_guarded
from planner.model.linear import LinearModel
from planner.runfolder import MARKER, TMP_OWNER, is_planner_output

from .conftest import SCENARIOS

TOY = SCENARIOS / "toy.yaml"
NATIONAL = SCENARIOS / "national-2014-2017.yaml"


def _victim(tmp_path: Path) -> Path:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "thesis.txt").write_text("four years of work")
    return folder


def _scenario(tmp_path: Path, **keys) -> Path:
    p = tmp_path / "s.yaml"
    p.write_text(yaml.safe_dump({"extends": str(TOY), **keys}, allow_unicode=True))
    return p


# --- output safety ------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["ABS", "../../x", "", ".", "..", "a/b", "runs/../x"])
def test_a_scenario_name_that_is_a_path_is_refused(tmp_path, monkeypatch, name):
    victim = _victim(tmp_path)
    monkeypatch.chdir(tmp_path)
    path = _scenario(tmp_path, name=str(victim) if name == "ABS" else name)
    res = CliRunner().invoke(main, ["run", str(path)])
    assert res.exit_code == 2, res.output
    assert "name" in res.output and "slug" in res.output
    assert (victim / "thesis.txt").read_text() == "four years of work"
    assert not (tmp_path / "runs").exists()


def test_force_over_a_folder_that_is_not_a_run_is_refused_before_solving(tmp_path):
    victim = _victim(tmp_path)
    res = CliRunner().invoke(main, ["run", str(TOY), "--out", str(victim), "--force"])
    assert res.exit_code == 2
    assert "not a planner run folder" in res.output and str(victim) in res.output
    assert "solving with" not in res.output  # refused before anything was solved
    assert sorted(p.name for p in victim.iterdir()) == ["thesis.txt"]


@pytest.mark.parametrize("case", ["exists", "under_file", "unwritable", "is_file"])
def test_bad_destinations_are_refused_before_solving(tmp_path, case):
    (tmp_path / "afile").write_text("x")
    out = {
        "exists": _victim(tmp_path),
        "under_file": tmp_path / "afile" / "run",
        "unwritable": Path("/proc/planner-test/run"),
        "is_file": tmp_path / "afile",
    }[case]
    res = CliRunner().invoke(main, ["run", str(TOY), "--out", str(out)])
    assert res.exit_code == 2, res.output
    assert str(out) in res.output and "Traceback" not in res.output
    assert "solving with" not in res.output
    assert (tmp_path / "afile").read_text() == "x"


def test_force_replaces_a_run_folder_and_cleans_stale_temporaries(tmp_path):
    out = tmp_path / "toy"
    assert CliRunner().invoke(main, ["run", str(TOY), "--out", str(out)]).exit_code == 0
    assert is_planner_output(out) and (out / MARKER).is_file()
    # left by a run killed mid-write (its process is gone), by a run writing now (this
    # process), and a folder of the user's that only looks alike
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    ).stdout.strip()
    stale, live, users = (
        tmp_path / ".toy.aaa.tmp",
        tmp_path / ".toy.bbb.tmp",
        tmp_path / ".toy.ccc.tmp",
    )
    for folder, pid in ((stale, dead), (live, str(os.getpid())), (users, None)):
        folder.mkdir()
        if pid:
            (folder / TMP_OWNER).write_text(pid)
    (users / "notes.txt").write_text("mine")
    res = CliRunner().invoke(main, ["run", str(TOY), "--out", str(out), "--force"])
    assert res.exit_code == 0, res.output
    assert not stale.exists() and live.exists() and (users / "notes.txt").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["toy", ".toy.bbb.tmp", ".toy.ccc.tmp", "s.yaml"]
        if (tmp_path / "s.yaml").exists()
        else ["toy", ".toy.bbb.tmp", ".toy.ccc.tmp"]
    )


# --- the guard: limits, interrupts, honest statuses -----------------------------------------
def _lm_one_var() -> LinearModel:
    """max x, x binary, x <= 1: the plan x = 1 satisfies every row."""
    lm = LinearModel()
    x = lm.var("x")
    lm.add_row({x: 1}, "<=", 1, "r", "r")
    lm.add_objective({x: 5})
    return lm


def _sleeper(seconds: float):
    def work(control):
        time.sleep(seconds)  # a solver that neither stops on request nor keeps its limit
        return RawResult("cbc", "OPTIMAL", [1], 5.0, 5.0, seconds, [])

    return work


def test_a_solver_that_ignores_its_limit_is_ended_and_the_start_plan_kept():
    lm = _lm_one_var()
    start = time.perf_counter()
    raw = run_guarded(_sleeper(120), lm, 0.5, "cbc", hint={0: 1})
    assert time.perf_counter() - start < 60  # ended, not waited for (timing lives in bench/)
    assert raw.status == "FEASIBLE" and raw.values == [1] and raw.bound is None
    assert not raw.interrupted
    assert any("ended" in line for line in raw.log)


def test_the_best_start_plan_that_satisfies_every_row_is_kept():
    """A what-if gives its base plan (here breaking a row) and the greedy plan (satisfying)."""
    lm = _lm_one_var()
    y = lm.var("y")
    lm.add_row({0: 1, y: 1}, "<=", 1, "one", "one")
    lm.add_objective({y: 3})

    def work(control):
        control.start_plan({0: 1, 1: 1}, {0: 0, 1: 1}, {0: 1, 1: 0})
        time.sleep(120)

    raw = run_guarded(work, lm, 0.3, "cbc")
    assert raw.status == "FEASIBLE" and raw.values == [1, 0] and raw.objective == 5


def test_no_plan_when_the_start_plan_breaks_a_row():
    lm = _lm_one_var()
    lm.add_row({0: 1}, "<=", 0, "none", "none")  # x must be 0: the start plan x = 1 breaks it
    raw = run_guarded(_sleeper(120), lm, 0.3, "cbc", hint={0: 1})
    assert raw.status == "UNKNOWN" and raw.values is None


def test_sigint_stops_the_solve_and_keeps_the_best_reported_plan():
    lm = _lm_one_var()

    def work(control):
        control.incumbent([1], 5.0, 7.0)
        time.sleep(120)
        return RawResult("cbc", "OPTIMAL", [1], 5.0, 5.0, 120, [])

    timer = threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    raw = run_guarded(work, lm, 300, "cbc", hint=None)
    timer.join()
    assert raw.interrupted and raw.status == "FEASIBLE"
    assert raw.values == [1] and raw.objective == 5.0 and raw.bound == 7.0


def test_a_stop_request_reaches_a_backend_that_can_stop():
    lm = _lm_one_var()

    def work(control):
        stopped = threading.Event()
        control.stop = stopped.set
        stopped.wait(120)
        return RawResult("scip", "FEASIBLE", [1], 5.0, 6.0, 0.0, ["stopped on request"])

    raw = run_guarded(work, lm, 0.3, "scip")
    assert raw.status == "FEASIBLE" and raw.log == ["stopped on request"]
    assert raw.time_s < 0.3 + GRACE_S + 30  # returned by itself, not killed


def test_errors_in_the_child_reach_the_caller():
    def work(control):
        raise ValueError("broken model")

    with pytest.raises(ValueError, match="broken model"):
        run_guarded(work, _lm_one_var(), 5, "cbc")


def _infeasible(time_s: float, backend: str = "cbc") -> RawResult:
    return RawResult(backend, "INFEASIBLE", None, None, None, time_s, [])


def test_infeasible_is_kept_only_when_proven():
    lm = _lm_one_var()
    assert _honest(_infeasible(1.0), lm, 60, False, False).status == "INFEASIBLE"
    # at the time limit, or after a stop: not a proof
    assert _honest(_infeasible(60.0), lm, 60, False, False).status == "UNKNOWN"
    assert _honest(_infeasible(1.0), lm, 60, True, False).status == "UNKNOWN"
    # CP-SAT's infeasible is always a proof
    assert _honest(_infeasible(60.0, "cpsat"), lm, 60, False, True).status == "INFEASIBLE"
    # a start plan that satisfies every row disproves it: that plan is the answer
    raw = _honest(_infeasible(1.0), lm, 60, False, False, start=[1])
    assert raw.status == "FEASIBLE" and raw.values == [1] and raw.bound is None


def test_a_sentinel_bound_is_no_bound():
    lm = _lm_one_var()
    assert checked_bound(lm, 1e17) is None  # SCIP's "no bound"
    assert checked_bound(lm, float("inf")) is None
    assert checked_bound(lm, 5.0) == 5.0
    assert backends.trivial_bound(lm) == 5.0


# --- the CLI end to end: time limit, SIGINT, SIGTERM ----------------------------------------
def test_a_one_second_limit_gives_a_plan_without_a_bound_and_every_output(tmp_path):
    out = tmp_path / "r"
    res = CliRunner().invoke(main, ["run", str(NATIONAL), "--out", str(out), "--time-limit", "1"])
    assert res.exit_code == 0, res.output
    assert "bound no bound" in res.output and "not proven optimal" in res.output
    facts = json.loads((out / "solution.json").read_text())["facts"]
    assert facts["status"] == "feasible" and facts["best_bound"] is None
    assert facts["gap"] is None and facts["violations"] == []
    for f in ("map.html", "report.html", "plan.xlsx", "plan.gpkg"):
        assert (out / f).stat().st_size > 0


def _national_until(out: Path, until: str, *args: str) -> tuple[subprocess.Popen, list[str]]:
    """`planner run` of the national scenario in a process, read until a line has ``until``."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "planner.cli", "run", str(NATIONAL), "--out", str(out), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    seen = []
    for line in proc.stderr:
        seen.append(line)
        if until in line:
            break
    return proc, seen


def _run_and_signal(tmp_path: Path, backend: str, sig: int, after_s: float = 2.0):
    out = tmp_path / f"{backend}-{sig}"
    proc, seen = _national_until(out, "solving with", "--backend", backend, "--time-limit", "300")
    time.sleep(after_s)
    sent = time.perf_counter()
    proc.send_signal(sig)
    stopped_at = None
    for line in proc.stderr:
        seen.append(line)
        if stopped_at is None and ("writing" in line or "interrupted before" in line):
            stopped_at = time.perf_counter()
    proc.wait(timeout=120)
    stdout = proc.stdout.read()
    return proc.returncode, out, stdout, "".join(seen), (stopped_at or time.perf_counter()) - sent


@pytest.mark.parametrize("backend", ["cbc", "highs", "scip", "cpsat"])
def test_sigint_on_the_national_run_keeps_the_best_plan(tmp_path, backend):
    rc, out, stdout, stderr, took = _run_and_signal(tmp_path, backend, signal.SIGINT)
    assert "Traceback" not in stderr
    assert took < 5, f"solve went on {took:.1f}s after SIGINT\n{stderr}"
    if rc == 0:  # the solve had finished before the signal: a proven plan
        assert "status optimal" in stdout
        return
    assert rc == 4, stderr
    facts = json.loads((out / "solution.json").read_text())["facts"]
    assert facts["status"] == "interrupted" and facts["interrupted"] is True
    assert facts["violations"] == []
    assert is_planner_output(out)


def test_sigterm_is_handled_like_ctrl_c(tmp_path):
    rc, out, stdout, stderr, took = _run_and_signal(tmp_path, "cbc", signal.SIGTERM)
    assert took < 5 and rc in (0, 4), stderr
    assert json.loads((out / "solution.json").read_text())["facts"]["violations"] == []


def test_ctrl_c_before_any_plan_writes_nothing(tmp_path):
    out = tmp_path / "early"
    proc, _ = _national_until(out, "loading scenario")
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, stderr
    assert "nothing written" in stderr and "Traceback" not in stderr
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_a_run_killed_mid_write_leaves_nothing_the_next_run_does_not_clean(tmp_path):
    out = tmp_path / "national"
    # the hidden folder is being filled (a 20 s limit: the plan need not be proven)
    proc, _ = _national_until(out, "writing map", "--time-limit", "20")
    proc.kill()
    proc.wait(timeout=60)
    left = [p for p in tmp_path.iterdir() if p.name.startswith(".national.")]
    assert not out.exists() and left and all((p / TMP_OWNER).is_file() for p in left)
    res = CliRunner().invoke(main, ["run", str(TOY), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["national"]
