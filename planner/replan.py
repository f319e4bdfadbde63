"""Replan a rollout from a run folder: freeze its first phases, plan the rest anew.

A ministry replans every year with the centers already built. ``replan_scenario`` turns a
run folder (its scenario.resolved.yaml and plan.csv) into a scenario whose phases up to the
freeze year are that plan exactly (``sites.frozen``, rule site-frozen) and whose later
phases are optimized under the same scenario, or under it with ``changes`` merged in (a
YAML file of the same keys: a pool cut, a new target...).
"""

from __future__ import annotations

from pathlib import Path

from planner.errors import ScenarioError
from planner.scenario.load import _read_mapping, deep_merge, parse_yaml, scenario_from_dict
from planner.scenario.schema import Scenario

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
