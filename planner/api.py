"""The notebook API: a few functions that cover load, change, build, solve, look.

Example::

    import planner as pl
    sc = pl.load_scenario("scenarios/national-2014-2017.yaml")
    sc2 = pl.modify(sc, pools={"welfare_team": {2015: 50}})     # a validated copy
    m = pl.build_model(sc2)
    m.disable("region-balance")                                   # switch a rule off
    m.make_soft("agency-staff_pool", penalty=10_000)              # or make it soft
    sol = pl.solve(m)
    sol.plan, sol.kpis_phase                                      # DataFrames
    pl.explore(sol)                                               # a folium map, inline
"""

from __future__ import annotations

import copy
import tempfile
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import pandas as pd

import planner.model.rules  # noqa: F401  (registers the rules)
from planner.data.districts import DistrictData, cached_districts
from planner.data.history import load_plus_centers
from planner.errors import ScenarioError
from planner.instance import Instance, build_instance
from planner.model.plan_model import PlanModel
from planner.references import reference_problems
from planner.runfolder import write_run
from planner.scenario import load_scenario, scenario_from_dict
from planner.scenario.load import deep_merge
from planner.scenario.schema import Scenario
from planner.solution import Solution


def districts(vintage: int = 2015) -> DistrictData:
    """The 229 units of a vintage with figures, Employment Centers, agencies (cached)."""
    return cached_districts(vintage)


def as_built(vintage: int = 2015) -> pd.DataFrame:
    """The Plus Centers opened (or selected) in 2014-2015, keyed by the vintage's codes.

    From data/history/plus_centers_2014_2015.csv, with status (opened / selected), kind,
    month and sources. The 2016-2017 openings are held out and are not in the project.
    """
    return load_plus_centers(districts(vintage).units)


def districts_gdf(vintage: int = 2015, year: int | None = None) -> gpd.GeoDataFrame:
    """The units as a GeoDataFrame (EPSG:4326), with segment demand of ``year`` if given."""
    return districts(vintage).to_geodataframe(year)


def modify(scenario: Scenario, **changes: Any) -> Scenario:
    """A copy of ``scenario`` with ``changes`` merged in (mappings merge, lists replace).

    The result is validated like a file: a bad key or value raises ScenarioError (a bad
    district code or agency id when it is resolved on the data, ``instance``).
    """
    doc = scenario.model_dump(mode="python", exclude={"source_files"})
    merged = deep_merge(copy.deepcopy(doc), changes)
    out = scenario_from_dict(merged, f"{scenario.name} (modified)")
    problems = reference_problems(out, districts(out.vintage))
    if problems:
        raise ScenarioError(f"{scenario.name} (modified)", problems)
    return out


def resolve(scenario: Scenario) -> Instance:
    """The scenario resolved on its vintage's data (``pl.resolve``)."""
    return build_instance(scenario, districts(scenario.vintage))


def build_model(scenario: Scenario | str | Path) -> PlanModel:
    """A model to edit (rules) and solve; accepts a Scenario or a scenario file."""
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    return PlanModel(resolve(scenario))


def rules(model: PlanModel | None = None):
    """The rules with their state, parameters and one-line docs (of ``model`` or defaults)."""
    if model is not None:
        return model.rules()
    import pandas as pd

    from planner.model.registry import REGISTRY

    return pd.DataFrame(
        [
            {
                "rule": n,
                "active": s.default_active,
                "soft": False,
                "penalty": None,
                "params": dict(s.params),
                "doc": s.summary,
            }
            for n, s in REGISTRY.items()
        ]
    ).set_index("rule")


def explore(solution: Solution, height: int = 600) -> folium.Map:
    """The solution's map (as `planner run` draws it) for inline display in a notebook."""
    from planner.report.map import build_map
    from planner.report.rundata import load_run

    with tempfile.TemporaryDirectory() as tmp:
        folder = write_run(solution, Path(tmp) / "run")
        m = build_map(load_run(folder))
    m.get_root().height = f"{height}px"
    return m


def write(solution: Solution, out: str | Path, force: bool = False, outputs: bool = True) -> Path:
    """Write the run folder (plan, KPIs, ... and map, workbook, report) for ``solution``."""
    finish = None
    if outputs:
        from planner.report.outputs import write_outputs

        finish = write_outputs
    return write_run(solution, Path(out), force=force, finish=finish)
