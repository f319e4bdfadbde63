"""Replan a rollout from a run folder: freeze its first phases, plan the rest anew.

A ministry replans every year with the centers already built. ``replan_scenario`` turns a
run folder (its scenario.resolved.yaml and plan.csv) into a scenario whose phases up to the
freeze year are that plan exactly (``sites.frozen``, rule site-frozen) and whose later
phases are optimized under the same scenario, or under it with ``changes`` merged in (a
YAML file of the same keys: a pool cut, a new target...).
"""

from __future__ import annotations

from pathlib import Path

from planner.data.districts import cached_districts
from planner.errors import ScenarioError
from planner.instance import build_instance
from planner.model.plan_model import PlanModel
from planner.scenario.load import _read_mapping, deep_merge, parse_yaml, scenario_from_dict
from planner.scenario.schema import FrozenPlan, Scenario
from planner.solution import Solution, solve

RESOLVED = "scenario.resolved.yaml"
PLAN = "plan.csv"


def replan_scenario(
    run_dir: str | Path, freeze_through: int, changes: str | Path | dict | None = None
) -> Scenario:
    """The scenario of ``run_dir`` with its plan frozen through ``freeze_through``.

    ``changes``: a YAML file or a mapping merged into the run's scenario (mappings merge,
    lists replace, ``{drop: true}`` removes a key). The new scenario is named
    ``<name>-replan-<year>``. Bad input raises ScenarioError naming the file and key.
    """
    run_dir = Path(run_dir)
    resolved, plan = run_dir / RESOLVED, run_dir / PLAN
    for f in (resolved, plan):
        if not f.is_file():
            raise ScenarioError(
                str(run_dir), [f"not a planner run folder with a plan: {f.name} is missing"]
            )
    doc = parse_yaml(resolved.read_text(encoding="utf-8"), str(resolved))
    for key in ("source_files", "entry_sources"):
        doc.pop(key, None)
    source = str(resolved)
    if changes is not None:
        if isinstance(changes, dict):
            extra = changes
        else:
            source = str(changes)
            extra = _read_mapping(Path(changes))
        doc = deep_merge(doc, extra, keyed=True, source=source)
    sites = dict(doc.get("sites") or {})
    sites["frozen"] = {"file": str(plan.resolve()), "through_year": freeze_through}
    doc["sites"] = sites
    doc["name"] = f"{doc.get('name', 'run')}-replan-{freeze_through}"
    return scenario_from_dict(doc, source)


def plan_start(
    scenario: Scenario, plan_csv: str | Path, time_limit_s: float | None = None
) -> Solution | None:
    """A whole earlier plan under ``scenario``: the start plan of a replan or a variant.

    The plan's centers, kinds, formats and tenants are frozen in every phase (the clients'
    assignment and guest teams re-optimized), with the scenario's own goals other than O1
    dropped for it. None where the plan breaks the scenario's rules (a cut pool, a new
    target): the solve then starts from its own greedy plan.
    """
    last = scenario.phases[-1].year
    frozen = scenario.model_copy(
        update={
            "sites": scenario.sites.model_copy(
                update={"frozen": FrozenPlan(file=str(Path(plan_csv).resolve()), through_year=last)}
            ),
            "objective": scenario.objective.model_copy(
                update={"regret_to": None, "equity": "none"}
            ),
        }
    )
    try:
        inst = build_instance(frozen, cached_districts(frozen.vintage))
    except ScenarioError:
        return None
    sol = solve(PlanModel(inst), time_limit_s=time_limit_s)
    return sol if sol.has_plan and not sol.hard_violations else None
