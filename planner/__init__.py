"""planner: rollout planning and siting for Korea's Employment-Welfare Plus Centers."""

from planner.errors import DataError, PlannerError, ScenarioError

__version__ = "0.1.0"
__all__ = ["DataError", "PlannerError", "ScenarioError", "__version__"]
