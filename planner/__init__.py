"""planner: rollout planning and siting for Korea's Employment-Welfare Plus Centers.

The notebook API (imported on first use, so that `import planner` stays light)::

    import planner as pl
    sc = pl.load_scenario("scenarios/toy.yaml")
    m = pl.build_model(pl.modify(sc, travel={"cutoff_min": 30}))
    m.disable("phase-budget")
    sol = pl.solve(m)
    pl.explore(sol)

See `planner.api` for each function.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from planner.errors import DataError, PlannerError, ScenarioError

__version__ = "0.1.0"

_API = {
    "districts": "planner.api",
    "as_built": "planner.api",
    "districts_gdf": "planner.api",
    "modify": "planner.api",
    "resolve": "planner.api",
    "build_model": "planner.api",
    "rules": "planner.api",
    "explore": "planner.api",
    "write": "planner.api",
    "load_scenario": "planner.scenario",
    "scenario_from_dict": "planner.scenario",
    "Scenario": "planner.scenario",
    "PlanModel": "planner.model.plan_model",
    "RuleContext": "planner.model.registry",
    "Solution": "planner.solution",
    "solve": "planner.solution",
    "run_scenario": "planner.run",
    "replan_scenario": "planner.replan",
    "sweep": "planner.sweep",
    "run_robust": "planner.robust",
}
__all__ = ["DataError", "PlannerError", "ScenarioError", "__version__", *_API]


# ``pl.instance`` would be shadowed by the submodule ``planner.instance`` as soon as anything
# imports it, so the API function that resolves a scenario on its data is ``pl.resolve``.


def __getattr__(name: str) -> Any:
    if name in _API:
        return getattr(import_module(_API[name]), name)
    raise AttributeError(f"module 'planner' has no attribute {name!r}")
