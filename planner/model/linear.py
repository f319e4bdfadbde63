"""A small solver-neutral integer linear model: the rules write rows here, backends translate.

Keeping our own representation lets one rule set feed CP-SAT (which can name the rules in an
infeasible core through enforcement literals) and a MIP solver (CBC / SCIP through OR-Tools'
linear solver wrapper), and lets tests read the rows a rule wrote.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

from planner.domain import ROW_TOL, holds

Sense = Literal["<=", ">=", "=="]


@dataclass
class Row:
    """``sum(coef * var) <sense> rhs``, written by rule ``rule``."""

    terms: dict[int, int]
    sense: Sense
    rhs: int
    rule: str
    label: str

    def bounds(self, inf: float = math.inf) -> tuple[float, float]:
        """(lower, upper) of the row's left-hand side, ``inf`` where it is open."""
        lo = self.rhs if self.sense in (">=", "==") else -inf
        hi = self.rhs if self.sense in ("<=", "==") else inf
        return lo, hi


@dataclass
class LinearModel:
    """Integer variables with bounds, linear rows tagged by rule, a maximized objective."""

    names: list[str] = field(default_factory=list)
    lb: list[int] = field(default_factory=list)
    ub: list[int] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    objective: dict[int, int] = field(default_factory=dict)
    penalties: dict[int, tuple[str, str]] = field(default_factory=dict)  # slack -> (rule, row)
    offset: int = 0  # constant term of the objective
    # variables whose value is integral at every optimum given the others (MIP backends make
    # them continuous; CP-SAT keeps them integer)
    continuous: set[int] = field(default_factory=set)

    def var(self, name: str, lb: int = 0, ub: int = 1, continuous: bool = False) -> int:
        """A new integer variable (Boolean by default); returns its index."""
        self.names.append(name)
        self.lb.append(lb)
        self.ub.append(ub)
        if continuous:
            self.continuous.add(len(self.names) - 1)
        return len(self.names) - 1

    def add_row(self, terms: dict[int, int], sense: Sense, rhs: int, rule: str, label: str) -> Row:
        row = Row({v: c for v, c in terms.items() if c != 0}, sense, rhs, rule, label)
        self.rows.append(row)
        return row

    def add_objective(self, terms: dict[int, int]) -> None:
        for v, c in terms.items():
            self.objective[v] = self.objective.get(v, 0) + c

    def fix(self, var: int, value: int) -> None:
        """Pin a variable (tests use this to force a plan and expect infeasibility)."""
        self.lb[var] = self.ub[var] = value

    @property
    def n_vars(self) -> int:
        return len(self.names)

    def rows_of(self, rule: str) -> list[Row]:
        return [r for r in self.rows if r.rule == rule]

    def evaluate(self, values: list[int]) -> int:
        """Objective value of an assignment."""
        return self.offset + sum(c * values[v] for v, c in self.objective.items())

    def violated_rows(self, values: list[int] | list[float]) -> list[Row]:
        """Rows an assignment breaks (used to double-check backends).

        Continuous values (split demand) are held to a ROW_TOL relative tolerance.
        """
        bad = []
        for r in self.rows:
            lhs = sum(c * values[v] for v, c in r.terms.items())
            tol = ROW_TOL * max(1.0, abs(r.rhs)) if self.continuous else 0
            if not holds(lhs, r.sense, r.rhs, tol):
                bad.append(r)
        return bad
