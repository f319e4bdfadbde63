"""The rule registry: one name per rule, used everywhere the rule is named.

The name is the registry key, YAML key, log label and violation code; this registry is the
one list of rule names (the scenario's ``rules:`` keys are checked against it by
``rule_problems``). A rule is one function ``fn(ctx)`` that writes rows through ``ctx.add``,
which makes the row soft (slack with a penalty) when the scenario says so. A built-in rule
must have its validator check (``planner.validate.RULE_CHECKS``): registering one without is
an error at import. Its equation is numbered in docs/formulation.md under the same name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from planner.domain import DEMAND_SCALE
from planner.errors import did_you_mean
from planner.instance import Instance
from planner.model.linear import LinearModel, Sense
from planner.model.reach import ReachTable
from planner.model.variables import PlanVariables, Terms
from planner.validate import RULE_CHECKS

# What a rule may need of the model (RuleSpec.needs): serve variables (the assignment
# formulation), a MIP backend (continuous variables), split demand (continuous serve shares).
NEEDS = frozenset({"serve", "mip", "split"})

# Default price of one unit of slack in a soft rule, in persons served (scenario: penalty).
SOFT_PENALTY_DEFAULT = 1_000_000
SLACK_UB = 10**7


@dataclass(frozen=True)
class RuleSpec:
    """A registered rule: its name, one-line doc, function, default state and parameters.

    ``needs``: what the rule needs of the model whenever it is active (see NEEDS);
    ``needs_when``: more needs while a parameter is true (center-capacity's ``split``).
    The formulation choice and the backend check read these, not rule names.
    """

    name: str
    fn: Callable[[RuleContext], None]
    doc: str
    default_active: bool = True
    params: dict[str, Any] = field(default_factory=dict)
    needs: frozenset[str] = frozenset()
    needs_when: dict[str, frozenset[str]] = field(default_factory=dict)
    name_ko: str = ""  # the rule's Korean name, for officials' outputs

    @property
    def summary(self) -> str:
        return (self.doc or "").strip().splitlines()[0] if self.doc else ""

    def needs_of(self, params: dict[str, Any]) -> frozenset[str]:
        """What the rule needs with these parameters."""
        out = set(self.needs)
        for p, more in self.needs_when.items():
            if params.get(p):
                out |= more
        return frozenset(out)


REGISTRY: dict[str, RuleSpec] = {}


def rule(
    name: str,
    *,
    default_active: bool = True,
    params: dict[str, Any] | None = None,
    needs: frozenset[str] | set[str] = frozenset(),
    needs_when: dict[str, set[str]] | None = None,
    name_ko: str = "",
) -> Callable:
    """Register ``fn`` as built-in rule ``name`` (decorator); its validator check must exist.

    ``name_ko``: the rule's Korean name in officials' outputs (the id stays beside it).
    """

    def deco(fn: Callable[[RuleContext], None]) -> Callable[[RuleContext], None]:
        if name in REGISTRY:
            raise ValueError(f"rule {name} registered twice")
        if name not in RULE_CHECKS:
            raise ValueError(
                f"rule {name} has no validator check: add @check({name!r}) in "
                "planner/validate.py (the specification the plan is checked "
                "against) and its equation to docs/formulation.md"
            )
        when = {p: frozenset(n) for p, n in (needs_when or {}).items()}
        unknown = (set(needs) | set().union(*when.values())) - NEEDS
        if unknown:
            raise ValueError(
                f"rule {name}: unknown needs {sorted(unknown)}; allowed: {sorted(NEEDS)}"
            )
        REGISTRY[name] = RuleSpec(
            name,
            fn,
            fn.__doc__ or "",
            default_active,
            dict(params or {}),
            frozenset(needs),
            when,
            name_ko,
        )
        return fn

    return deco


def rule_problems(rules: dict[str, Any], specs: dict[str, RuleSpec]) -> list[str]:
    """Scenario ``rules:`` settings that name no rule or a parameter the rule lacks."""
    out = []
    for name, setting in rules.items():
        if name not in specs:
            out.append(f"rules.{name}: unknown rule; " + did_you_mean(name, specs))
            continue
        unknown = set(setting.params) - set(specs[name].params)
        if unknown:
            out.append(
                f"rules.{name}.params: unknown parameter(s) {sorted(unknown)}; "
                f"allowed: {sorted(specs[name].params) or 'none'}"
            )
    return out


@dataclass
class RuleContext:
    """What a rule function sees: the instance, variables, reach, and how to add rows."""

    inst: Instance
    v: PlanVariables
    reach: ReachTable
    lm: LinearModel
    name: str
    params: dict[str, Any]
    soft: bool = False
    penalty: float = SOFT_PENALTY_DEFAULT
    n_rows: int = 0

    def add(
        self,
        terms: Terms,
        sense: Sense,
        rhs: int,
        label: str,
        const: int = 0,
        slack_unit: int = 1,
    ) -> None:
        """Add ``terms + const <sense> rhs``; with a soft rule, slack absorbs violations.

        ``slack_unit``: the row's units in one unit of slack (the penalty is per unit of
        slack), for rows not counted in the unit the penalty is priced in.
        """
        terms = dict(terms)
        rhs = rhs - const
        if self.soft:
            coef = -int(round(self.penalty * DEMAND_SCALE))
            if sense in ("<=", "=="):
                s = self.lm.var(f"slack_over[{self.name}:{label}]", 0, SLACK_UB)
                terms[s] = terms.get(s, 0) - slack_unit
                self.lm.penalties[s] = (self.name, label)
                self.lm.add_objective({s: coef})
            if sense in (">=", "=="):
                s = self.lm.var(f"slack_under[{self.name}:{label}]", 0, SLACK_UB)
                terms[s] = terms.get(s, 0) + slack_unit
                self.lm.penalties[s] = (self.name, label)
                self.lm.add_objective({s: coef})
        self.lm.add_row(terms, sense, rhs, self.name, label)
        self.n_rows += 1

    # --- queries for rule authors (custom rules in notebooks) -------------------------
    @property
    def sites(self) -> list[str]:
        """Candidate sites (unit codes of the study area)."""
        return self.v.sites

    @property
    def years(self) -> list[int]:
        return self.v.years

    @property
    def units(self):
        """The study area's units (name_ko, name_en, sido, ...), indexed by code."""
        return self.inst.units

    def is_open(self, site: str, year: int) -> Terms:
        """Terms of 'a center operates at ``site`` in ``year``' (0 or 1)."""
        return self.v.is_open(site, year)

    def hosts(self, site: str, agency: str, year: int) -> Terms:
        """Terms of 'agency is a tenant at ``site`` in ``year``' (0 or 1)."""
        return self.v.hosts(site, agency, year)

    def travel_min(self, origin: str, destination: str) -> float:
        return float(self.inst.travel_min.at[origin, destination])

    def fix_zero(self, var: int, label: str) -> None:
        """Forbid a variable (a row, not a bound, so that switching the rule off frees it)."""
        self.add({var: 1}, "<=", 0, label)


def sum_terms(*parts: Terms) -> Terms:
    """Add term dictionaries."""
    out: Terms = {}
    for p in parts:
        add_into(out, p)
    return out


def add_into(acc: Terms, terms: Terms, factor: int = 1) -> Terms:
    """Add ``factor * terms`` into ``acc`` in place (linear time over many small pieces)."""
    for k, c in terms.items():
        acc[k] = acc.get(k, 0) + c * factor
    return acc


def scale(terms: Terms, factor: int) -> Terms:
    """Multiply every coefficient."""
    return {k: c * factor for k, c in terms.items()}
