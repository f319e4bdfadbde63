"""Scenario schema and loading."""

from planner.scenario.load import load_scenario, scenario_from_dict
from planner.scenario.schema import Scenario

__all__ = ["Scenario", "load_scenario", "scenario_from_dict"]
