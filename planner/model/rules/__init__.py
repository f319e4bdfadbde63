"""The rules of the model, one function each, registered by name on import.

Every validator check must have its rule too (the registry checks the other direction).
"""

from typing import Any

from planner.errors import ScenarioError
from planner.model.registry import REGISTRY, rule_problems
from planner.model.rules import agency, phase, region, serve, site  # noqa: F401
from planner.validate import RULE_CHECKS

_unruled = sorted(set(RULE_CHECKS) - set(REGISTRY))
if _unruled:
    raise ImportError(f"validator checks without a rule: {_unruled}")


def check_rule_settings(scenario: Any) -> None:
    """Raise ScenarioError (naming the scenario's file) for bad ``rules:`` settings."""
    problems = rule_problems(scenario.rules, REGISTRY)
    if problems:
        raise ScenarioError(scenario.source, problems)
