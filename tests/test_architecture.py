"""The pipeline runs one way: scenario + data -> instance -> model -> solution -> run folder ->
reports. Checked on the source (every import, at module level or inside a function, so that no
lazy import can hide a cycle) and in fresh interpreters."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import planner.model.rules  # noqa: F401  (registers the rules)
from planner.model.registry import REGISTRY, rule
from planner.validate import RULE_CHECKS, check

PACKAGE = Path(__file__).resolve().parents[1] / "planner"

# Layers, bottom first: a module may import its own layer and those below, never above.
LAYERS: list[tuple[str, ...]] = [
    ("planner.errors", "planner.paths", "planner.domain", "planner.atomic"),
    ("planner.data",),
    ("planner.scenario",),
    (
        "planner.references",
        "planner.built_sites",
        "planner.demand_scenarios",
        "planner.instance",
        "planner.orlib",
    ),
    ("planner.validate", "planner.check"),
    ("planner.model",),
    ("planner.equity", "planner.solution"),
    ("planner.runfolder",),
    ("planner.report",),
    ("planner.run", "planner.replan"),
    ("planner.sweep", "planner.robust", "planner.api", "planner.cli", "planner"),
]


def _modules() -> dict[str, Path]:
    out = {}
    for p in sorted(PACKAGE.rglob("*.py")):
        parts = p.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = p
    return out


def _resolve(name: str, mods: dict[str, Path]) -> str:
    while name not in mods and "." in name:
        name = name.rsplit(".", 1)[0]
    return name


def import_graph() -> dict[str, set[str]]:
    """Module -> the planner modules it imports anywhere in its source (and their packages)."""
    mods = _modules()
    graph: dict[str, set[str]] = {}
    for m, path in mods.items():
        deps: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.ImportFrom)
                and node.module
                and node.module.startswith("planner")
            ):
                for a in node.names:
                    full = f"{node.module}.{a.name}"
                    deps.add(full if full in mods else _resolve(node.module, mods))
            elif isinstance(node, ast.Import):
                deps |= {_resolve(a.name, mods) for a in node.names if a.name.startswith("planner")}
        for d in list(deps):  # importing a.b.c runs the packages a.b first
            parts = d.split(".")
            deps |= {".".join(parts[:k]) for k in range(2, len(parts))}
        graph[m] = {d for d in deps if d != m and not m.startswith(d + ".")}
    return graph


def layer_of(module: str) -> int:
    best, level = -1, None
    for n, names in enumerate(LAYERS):
        for prefix in names:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best:
                best, level = len(prefix), n
    assert level is not None, f"{module}: add it to a layer in tests/test_architecture.py"
    return level


def test_every_import_points_down_the_pipeline():
    upward = [
        f"{m} (layer {layer_of(m)}) imports {d} (layer {layer_of(d)})"
        for m, deps in import_graph().items()
        for d in sorted(deps)
        if layer_of(d) > layer_of(m)
    ]
    assert upward == []


def test_no_import_cycle():
    graph = import_graph()
    state: dict[str, int] = {}
    cycles = []

    def visit(m: str, path: list[str]) -> None:
        state[m] = 1
        for d in sorted(graph.get(m, ())):
            if state.get(d) == 1:
                cycles.append([*path[path.index(d) :], d])
            elif d not in state:
                visit(d, [*path, d])
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m, [m])
    assert cycles == []


def test_the_validator_imports_nothing_of_the_model():
    deps = import_graph()["planner.validate"]
    assert not [d for d in deps if d.startswith("planner.model")]
    assert "planner.model" not in (PACKAGE / "validate.py").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("module", "absent"),
    [
        ("planner.domain", "planner."),
        ("planner.scenario", "planner.data"),  # loading a scenario reads no data
        ("planner.validate", "planner.model"),
        ("planner.model.plan_model", "planner.solution"),
        ("planner.solution", "planner.report"),
    ],
)
def test_fresh_interpreter_imports_stay_below(module, absent):
    code = (
        f"import sys, {module}\n"
        f"bad = sorted(m for m in sys.modules if m.startswith({absent!r}) "
        f"and m != {module!r} and not {module!r}.startswith(m + '.') "
        f"and m not in ('planner', 'planner.errors'))\n"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stdout + res.stderr


def test_a_built_in_rule_without_a_check_fails_naming_the_rule():
    def trial(ctx):
        """Trial rule."""

    with pytest.raises(ValueError, match="rule trial-no_check has no validator check"):
        rule("trial-no_check")(trial)
    assert "trial-no_check" not in REGISTRY


def test_a_check_without_its_rule_fails_at_import(tmp_path):
    """The other direction: a validator check whose rule is not registered."""
    check("trial-no_rule")(lambda inst, d, reach, params: [])
    try:
        code = (
            "import planner.validate as v\n"
            "v.check('trial-no_rule')(lambda *a: [])\n"
            "import planner.model.rules\n"
        )
        res = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
        )
        assert res.returncode != 0 and "trial-no_rule" in res.stderr
    finally:
        del RULE_CHECKS["trial-no_rule"]


def test_rule_needs_are_declared_not_named():
    """The formulation choice reads RuleSpec.needs; the caseload rule and the 시도 floor need
    serve variables."""
    assert {n for n, s in REGISTRY.items() if "serve" in s.needs} == {
        "center-capacity",
        "region-coverage_floor",
    }
    assert "mip" in REGISTRY["center-capacity"].needs_of({"split": True})
    assert "mip" not in REGISTRY["center-capacity"].needs_of({"split": False})
