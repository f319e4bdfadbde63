"""The solver's own log, captured from the guarded child, and the progress read from it.

CBC, HiGHS and Clp (through OR-Tools) print their log to the process's standard output. The
guarded child sends its stdout and stderr to a file; the parent reads it as it grows, keeps
every line for solver.log, and reads the best plan so far, the bound and the gap from the lines
each solver prints, for a progress line a planner can watch.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

NUM = r"(-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?|-?inf)"
NO_SOLUTION = 1e49  # CBC prints 1e+50 for "no solution yet"
CBC_INCUMBENT = re.compile(rf"Integer solution of {NUM} found")
CBC_NODES = re.compile(rf"After \d+ nodes, \d+ on tree, {NUM} best solution, best possible {NUM}")
CBC_ROOT = re.compile(rf"Continuous objective value is {NUM}")
CBC_DONE = re.compile(rf"Search completed - best objective {NUM}")
CLP_ITER = re.compile(rf"Clp0006I\s+(\d+)\s+Obj\s+{NUM}")
CLP_OPTIMAL = re.compile(rf"Clp0000I Optimal - objective value {NUM}")
# HiGHS MIP table: Src Proc. InQueue | Leaves Expl. | BestBound BestSol Gap | ...
HIGHS_ROW = re.compile(rf"^\s*[A-Z]?\s+\d+\s+\d+\s+\d+\s+[\d.]+%\s+{NUM}\s+{NUM}\s+")


class Live(str):
    """A progress message that replaces the previous one (updated in place on a terminal)."""


@dataclass
class SolveProgress:
    """Best plan so far and bound (solver units), as read from the log."""

    incumbent: float | None = None
    bound: float | None = None
    lp_iterations: int | None = None  # the LP relaxation (Clp) is still running

    def read(self, line: str) -> bool:
        """Update from one log line; whether anything changed."""
        before = (self.incumbent, self.bound)
        if m := CBC_NODES.search(line):
            self._incumbent(m.group(1))
            self._bound(m.group(2))
        elif m := CBC_INCUMBENT.search(line) or CBC_DONE.search(line):
            self._incumbent(m.group(1))
        elif m := CBC_ROOT.search(line):
            self._bound(m.group(1))
        elif m := CLP_ITER.search(line):
            self.lp_iterations = int(m.group(1))
            return True
        elif m := CLP_OPTIMAL.search(line):
            self._bound(m.group(1))
            self.lp_iterations = None
        elif m := HIGHS_ROW.match(line):
            self._bound(m.group(1))
            self._incumbent(m.group(2))
        return (self.incumbent, self.bound) != before

    def _incumbent(self, text: str) -> None:
        x = float(text)
        if math.isfinite(x) and abs(x) < NO_SOLUTION:
            self.incumbent = x

    def _bound(self, text: str) -> None:
        x = float(text)
        if math.isfinite(x) and abs(x) < NO_SOLUTION:
            self.bound = x

    def line(self, backend: str, elapsed_s: float, scale: float) -> Live:
        """'cbc 12s  best 43,228,957.2  bound 43,229,100.0  gap 0.00%' (persons)."""
        parts = [f"{backend} {elapsed_s:.0f}s"]
        if self.incumbent is not None:
            parts.append(f"best {abs(self.incumbent) / scale:,.1f}")
        elif self.lp_iterations is not None:
            parts.append(f"LP relaxation, {self.lp_iterations:,} iterations")
        else:
            parts.append("no plan yet")
        if self.bound is not None:
            parts.append(f"bound {abs(self.bound) / scale:,.1f}")
        if self.incumbent is not None and self.bound is not None:
            gap = abs(self.bound - self.incumbent) / max(1.0, abs(self.incumbent))
            parts.append(f"gap {gap:.2%}")
        return Live("  ".join(parts))


class LogTail:
    """Lines appended to a file since the last read (the child writes, the parent reads)."""

    def __init__(self, path: Path):
        self.path = path
        self._offset = 0
        self._rest = ""
        self.lines: list[str] = []

    def read(self) -> list[str]:
        try:
            with open(self.path, "rb") as fh:
                fh.seek(self._offset)
                data = fh.read()
        except OSError:
            return []
        self._offset += len(data)
        text = self._rest + data.decode("utf-8", errors="replace")
        *new, self._rest = text.split("\n")
        new = [ln.rstrip("\r") for ln in new if ln.strip()]
        self.lines += new
        return new

    def finish(self) -> list[str]:
        new = self.read()
        if self._rest.strip():
            self.lines.append(self._rest)
            new.append(self._rest)
            self._rest = ""
        return new
