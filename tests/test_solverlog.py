"""The solver's own log reaches solver.log, and the progress line reads incumbent, bound and
gap from it (lines as CBC, Clp and HiGHS print them through OR-Tools)."""

from __future__ import annotations

import pytest

from planner.cli import _Progress
from planner.model.solverlog import Live, SolveProgress

CBC = [
    "Clp0006I 16146  Obj 5.3279564e+10 Primal inf 3907.9966 (3371)",
    "Continuous objective value is 504458 - 0.00 seconds",
    "Integer solution of 497278 found by feasibility pump after 0 iterations and 0 nodes",
    "After 100 nodes, 3 on tree, 497300 best solution, best possible 500000 (1.00 seconds)",
]
HIGHS = [
    " J       0       0         0   0.00%   inf             235428             Large        0"
    "      0      0         0     0.0s",
    " T       0       0         0   0.00%   679585          497278            36.66%        0"
    "      0      0        21     0.0s",
]


def test_cbc_lines_give_incumbent_bound_and_gap():
    p = SolveProgress()
    assert p.read(CBC[0]) and p.lp_iterations == 16146
    assert "LP relaxation, 16,146 iterations" in p.line("cbc", 3, 1000)
    p.read(CBC[1])
    assert p.bound == 504458
    p.read(CBC[2])
    assert p.incumbent == 497278
    p.read(CBC[3])
    assert (p.incumbent, p.bound) == (497300, 500000)
    line = p.line("cbc", 12, 1000)
    assert line == "cbc 12s  best 497.3  bound 500.0  gap 0.54%" and isinstance(line, Live)


def test_highs_table_rows():
    p = SolveProgress()
    p.read(HIGHS[0])
    assert p.incumbent == 235428 and p.bound is None  # inf is no bound
    p.read(HIGHS[1])
    assert (p.bound, p.incumbent) == (679585, 497278)


def test_piped_progress_prints_a_live_line_every_few_seconds(capsys):
    progress = _Progress()
    assert not progress.tty  # pytest's stderr is not a terminal
    for k in range(3):
        progress(Live(f"cbc {k}s"))
    progress("writing")  # the last state of the live line comes first
    lines = capsys.readouterr().err.splitlines()
    assert lines == ["  cbc 0s", "  cbc 2s", "  writing"]


def test_solver_log_holds_the_solvers_own_lines(toy_run):
    log = (toy_run / "solver.log").read_text(encoding="utf-8")
    # the toy runs on the default backend (highs); its integral LP relaxation is Clp's
    assert "--- highs log ---" in log
    assert "Clp0032I Optimal objective" in log or "Clp0000I Optimal" in log or "HiGHS" in log


@pytest.mark.parametrize("line", ["Welcome to the CBC MILP Solver", "Presolve 124 (-54) rows"])
def test_other_lines_change_nothing(line):
    p = SolveProgress()
    assert not p.read(line) and p.incumbent is None and p.bound is None
