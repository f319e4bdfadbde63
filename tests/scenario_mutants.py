"""Mutants of a valid scenario for fuzzing: most are mild (so a good share still loads and the
checks, the model build and the solve after loading are fuzzed too), some are wild (tags,
non-finite numbers, wrong types, deleted or unknown keys).

``outcome(text, tmp)`` runs one mutant through load -> instance -> checks -> build -> solve and
returns "loaded", "error" (a PlannerError: the project's own message) or raises anything else.
"""

from __future__ import annotations

import copy
import math
import random
from pathlib import Path
from typing import Any

import yaml

from planner.errors import PlannerError

CODES = ["30110", "30140", "30170", "30200", "30230", "36110", "11110", "99999"]
WORDS = [
    "conversion",
    "new_build",
    "basic",
    "extended",
    "welfare_team",
    "saeil",
    "employment_center",
    "jobseekers",
    "max_served",
    "min_travel",
    "cumulative",
    "x",
]
# values that stand for one another (a mild change keeps a valid scenario valid, mostly)
GROUPS = [
    ["per_phase", "cumulative"],
    ["exact", "at_least", "at_most"],
    ["max_served", "min_travel", "max_coverage"],
    ["cbc", "cpsat", "highs", "scip"],
    ["linear", "exponential", "step"],
    ["conversion", "new_build"],
    ["basic", "extended"],
    ["auto", "levels", "assignment"],
]
TAGS = [
    "!!int",
    "!!str",
    "!!float",
    "!!timestamp",
    "!!binary",
    "!!bool",
    "!!null",
    "!!set",
    "!!python/name:os.system",
    "!local",
]


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*prefix, i))
    return out


def _mild_number(rng: random.Random, x: float) -> Any:
    if isinstance(x, int) and 1900 <= x <= 2100:  # a year: other parts refer to it
        return rng.choice([x, x, x, x, x + 1])
    return rng.choice(
        [
            x + 1,
            max(0, x - 1),
            x * 2,
            x // 2 if isinstance(x, int) else x / 2,
            0,
            int(x) if isinstance(x, float) and math.isfinite(x) else x,
        ]
    )


def _mild_string(rng: random.Random, x: str) -> str:
    for group in GROUPS:
        if x in group:
            return rng.choice(group)
    if x.isdigit():
        return rng.choice(CODES[:6] + [x])
    return rng.choice([x, x + " (변경)", "다른 이름"])


def _wild(rng: random.Random) -> Any:
    return rng.choice(
        [
            -1,
            -(10**9),
            10**20,
            float("inf"),
            float("-inf"),
            float("nan"),
            1e308,
            "",
            "abc",
            "x" * 300,
            None,
            True,
            [],
            {},
            [1, 2],
            {"a": 1},
            rng.choice(CODES),
            rng.choice(WORDS),
            2014,
            3.5,
        ]
    )


def mutate(doc: dict, rng: random.Random) -> dict:
    """One or two changes to a copy of ``doc``, mostly mild (about one in seven wild)."""
    doc = copy.deepcopy(doc)
    for _ in range(rng.choice([1, 1, 2])):
        paths = _paths(doc)
        path = rng.choice(paths)
        parent: Any = doc
        for part in path[:-1]:
            parent = parent[part]
        key = path[-1]
        value = parent[key]
        mild = rng.random() < 0.85
        if mild and isinstance(value, bool):
            parent[key] = not value
        elif mild and isinstance(value, int | float):
            parent[key] = _mild_number(rng, value)
        elif mild and isinstance(value, str):
            parent[key] = _mild_string(rng, value)
        elif mild and isinstance(value, list) and value:
            if rng.random() < 0.5:
                value.pop(rng.randrange(len(value)))
            else:
                value.append(copy.deepcopy(rng.choice(value)))
        elif mild and isinstance(parent, dict) and rng.random() < 0.3:
            del parent[key]
        elif isinstance(parent, dict) and rng.random() < 0.15:
            parent[rng.choice(["extra", "Name", "targets", "drop"])] = _wild(rng)
        else:
            parent[key] = _wild(rng)
    return doc


def as_text(doc: dict, rng: random.Random) -> str:
    """YAML of ``doc``; one in ten gets a tag in front of one value."""
    text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)
    if rng.random() < 0.1:
        lines = text.splitlines()
        spots = [n for n, line in enumerate(lines) if ": " in line]
        if spots:
            n = rng.choice(spots)
            head, _, tail = lines[n].partition(": ")
            lines[n] = f"{head}: {rng.choice(TAGS)} {tail}"
            text = "\n".join(lines) + "\n"
    return text


def outcome(text: str, folder: Path, run_solver: bool = True, time_limit_s: float = 5) -> str:
    """Run a mutant through the pipeline: "loaded", or "error" for the project's own errors."""
    from planner.check import run_checks
    from planner.data.districts import load_districts
    from planner.instance import build_instance
    from planner.model.plan_model import PlanModel
    from planner.scenario import load_scenario
    from planner.solution import solve

    path = folder / "mutant.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        sc = load_scenario(path)
    except PlannerError:
        return "error"
    try:
        inst = build_instance(sc, load_districts(sc.vintage))
        findings = run_checks(inst)
        model = PlanModel(inst)
        model.build()
        if run_solver and not any(f.level == "error" for f in findings):
            sol = solve(model, time_limit_s=time_limit_s)
            if sol.has_plan and sol.hard_violations:
                raise AssertionError(f"validator rejects the plan: {sol.hard_violations[:3]}")
    except PlannerError:
        pass  # loaded; a later step stopped it with the project's own message
    return "loaded"
