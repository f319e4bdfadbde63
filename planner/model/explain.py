"""Explain an infeasible model: which rules conflict, with their parameters and numbers.

The model is solved again by CP-SAT as a feasibility problem with one enforcement literal per
rule group, all passed as assumptions; on INFEASIBLE, CP-SAT returns a sufficient subset of
them, which is then shrunk by deletion (drop a group, re-solve, keep it dropped if still
infeasible) while there are few enough groups. Small rules (pools, targets, budgets, balance)
are grouped row by row, so the answer names the pool and phase; large ones form one group.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from planner.model.backends import cpsat_model, cpsat_row
from planner.model.linear import LinearModel, Row

ROWS_PER_GROUP_LIMIT = 64  # a rule with at most this many rows is explained row by row
SHRINK_LIMIT = 24  # shrink cores of at most this many groups
SHRINK_TIME_S = 10.0


@dataclass(frozen=True)
class Conflict:
    """One member of an infeasible core."""

    rule: str
    label: str | None  # the row's label, or None when the whole rule is one group
    rows: tuple[Row, ...]

    def describe(self, doc: str = "") -> str:
        if self.label is None:
            return f"{self.rule} (all {len(self.rows)} rows){': ' + doc if doc else ''}"
        row = self.rows[0]
        return f"{self.rule} [{self.label}]: must be {row.sense} {row.rhs}" + (
            f" ({doc})" if doc else ""
        )


def _groups(lm: LinearModel) -> list[tuple[str, str | None, list[Row]]]:
    by_rule: dict[str, list[Row]] = {}
    for row in lm.rows:
        by_rule.setdefault(row.rule, []).append(row)
    out = []
    for rule, rows in by_rule.items():
        if len(rows) <= ROWS_PER_GROUP_LIMIT:
            out += [(rule, r.label, [r]) for r in rows]
        else:
            out.append((rule, None, rows))
    return out


def _feasible(lm: LinearModel, groups, active: list[int], time_s: float) -> tuple[str, list[int]]:
    """Status of the ``active`` groups' rows (others dropped), and a core when infeasible."""
    from ortools.sat.python import cp_model

    model, xs = cpsat_model(lm)
    lits = []
    for g in active:
        lit = model.new_bool_var(f"g{g}")
        lits.append(lit)
        for row in groups[g][2]:
            cpsat_row(model, xs, row).only_enforce_if(lit)
    model.add_assumptions(lits)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = time_s
    code = solver.solve(model)
    core: list[int] = []
    if code == cp_model.INFEASIBLE:
        index = {lit.index: g for lit, g in zip(lits, active, strict=True)}
        core = [index[i] for i in solver.sufficient_assumptions_for_infeasibility()]
    return solver.status_name(code), core


def explain_infeasibility(lm: LinearModel, time_s: float = 60.0) -> list[Conflict] | None:
    """A small set of rule groups that cannot hold together, or None if none was found.

    ``time_s`` bounds the whole explanation (the core and every shrinking step); a core not
    shrunk in time is returned as found (still sufficient, perhaps not minimal).
    """
    end = time.perf_counter() + time_s
    groups = _groups(lm)
    everything = list(range(len(groups)))
    status, core = _feasible(lm, groups, everything, time_s)
    if status != "INFEASIBLE":
        return None
    if len(core) <= SHRINK_LIMIT:
        for g in list(core):
            left = min(SHRINK_TIME_S, end - time.perf_counter())
            if left < 0.05:
                break
            trial = [c for c in core if c != g]
            if trial and _feasible(lm, groups, trial, left)[0] == "INFEASIBLE":
                core = trial
    return [Conflict(groups[g][0], groups[g][1], tuple(groups[g][2])) for g in sorted(core)]
