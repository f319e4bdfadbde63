"""Scenario schema and loading."""

from planner.scenario.load import load_scenario, scenario_from_dict
from planner.scenario.schema import RULE_NAMES, Scenario

__all__ = ["RULE_NAMES", "Scenario", "load_scenario", "scenario_from_dict"]
