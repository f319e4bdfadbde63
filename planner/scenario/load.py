"""Read scenario YAML (with ``extends:``), validate it, and say precisely what is wrong.

Precedence: a scenario's own keys override those of the base it ``extends`` (mappings merge key
by key, recursively; lists and scalars are replaced whole). A list of bases applies left to
right. Every error names the file, the key path, the bad value and what is allowed.
"""

from __future__ import annotations

import re
import types
import typing
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from planner.data.districts import DistrictData, load_districts
from planner.errors import ScenarioError, did_you_mean
from planner.scenario.references import reference_problems
from planner.scenario.schema import Scenario

MAX_EXTENDS_DEPTH = 16


def deep_merge(base: dict, override: dict) -> dict:
    """``override`` on top of ``base``: mappings merge recursively, everything else replaces."""
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def _read_mapping(path: Path) -> dict:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ScenarioError(str(path), ["file not found"]) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(str(path), [f"cannot read file: {exc}"]) from exc
    return parse_yaml(text, str(path))


def parse_yaml(text: str, source: str) -> dict:
    """Parse a YAML document that must be a mapping."""
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ScenarioError(source, [f"{where}YAML syntax error: {problem}"]) from exc
    except (ValueError, TypeError, RecursionError) as exc:  # e.g. absurd timestamps
        raise ScenarioError(source, [f"YAML could not be read: {exc}"]) from exc
    if doc is None:
        raise ScenarioError(source, ["the file is empty; a scenario is a mapping of keys"])
    if not isinstance(doc, dict):
        raise ScenarioError(source, [f"the top level must be a mapping of keys, "
                                     f"not a {type(doc).__name__}"])
    return doc


def resolve_extends(path: Path, chain: tuple[Path, ...] = ()) -> tuple[dict, list[str]]:
    """The merged document of ``path`` and its bases, and the files applied in order."""
    path = path.resolve()
    if path in chain:
        cycle = " -> ".join(p.name for p in (*chain, path))
        raise ScenarioError(str(chain[0]), [f"extends: cycle {cycle}"])
    if len(chain) >= MAX_EXTENDS_DEPTH:
        raise ScenarioError(str(chain[0]), [f"extends: deeper than {MAX_EXTENDS_DEPTH} levels"])
    doc = _read_mapping(path)
    bases = doc.pop("extends", None)
    if bases is None:
        return doc, [str(path)]
    if isinstance(bases, str):
        bases = [bases]
    if not isinstance(bases, list) or not all(isinstance(b, str) for b in bases):
        raise ScenarioError(str(path), [f"extends: must be a file name or a list of file "
                                        f"names; got {bases!r}"])
    merged: dict = {}
    applied: list[str] = []
    for base in bases:
        base_doc, base_applied = resolve_extends(path.parent / base, (*chain, path))
        merged = deep_merge(merged, base_doc)
        applied += base_applied
    return deep_merge(merged, doc), [*applied, str(path)]


def _fmt_loc(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _unwrap(annotation: Any) -> list[Any]:
    """The candidate types inside an annotation (Optional and unions flattened)."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return [a for arg in typing.get_args(annotation) for a in _unwrap(arg)]
    return [annotation]


def _model_at(loc: tuple) -> type[BaseModel] | None:
    """The pydantic model that owns the mapping at ``loc`` (for listing its allowed keys)."""
    current: Any = Scenario
    i = 0
    while i < len(loc):
        part = loc[i]
        models = [t for t in _unwrap(current) if isinstance(t, type) and issubclass(t, BaseModel)]
        containers = [t for t in _unwrap(current) if typing.get_origin(t) in (list, dict)]
        if models and isinstance(part, str) and part in models[0].model_fields:
            current = models[0].model_fields[part].annotation
        elif containers:
            current = typing.get_args(containers[0])[-1]
        else:
            return None
        i += 1
    models = [t for t in _unwrap(current) if isinstance(t, type) and issubclass(t, BaseModel)]
    return models[0] if models else None


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."


def describe_validation_error(exc: ValidationError) -> list[str]:
    """One line per pydantic error: key path, what is wrong, the value, what is allowed."""
    lines = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        kind = err["type"]
        if kind == "extra_forbidden":
            owner = _model_at(loc[:-1])
            allowed = sorted(owner.model_fields) if owner else []
            lines.append(f"{_fmt_loc(loc)}: unknown key {loc[-1]!r}"
                         + (f" in {_fmt_loc(loc[:-1])}" if loc[:-1] else "")
                         + ("; " + did_you_mean(loc[-1], allowed) if allowed else ""))
        elif kind == "missing":
            lines.append(f"{_fmt_loc(loc)}: required key is missing")
        elif kind == "literal_error":
            expected = re.findall(r"'([^']*)'|(\d+)", err.get("ctx", {}).get("expected", ""))
            options = [a or b for a, b in expected]
            lines.append(f"{_fmt_loc(loc)}: got {_short(err.get('input'))}; "
                         + did_you_mean(err.get("input"), options))
        else:
            lines.append(f"{_fmt_loc(loc)}: {err['msg']}; got {_short(err.get('input'))}")
    return lines


def scenario_from_dict(doc: dict, source: str = "<scenario>") -> Scenario:
    """Validate a scenario mapping (as read from YAML, or built in Python)."""
    if not isinstance(doc, dict):
        raise ScenarioError(source, [f"a scenario is a mapping of keys, not a "
                                     f"{type(doc).__name__}"])
    try:
        scenario = Scenario.model_validate(doc)
    except ValidationError as exc:
        raise ScenarioError(source, describe_validation_error(exc)) from None
    except (TypeError, ValueError, RecursionError) as exc:
        raise ScenarioError(source, [f"could not be validated: {exc}"]) from None
    problems = scenario.internal_problems()
    if problems:
        raise ScenarioError(source, problems)
    return scenario


def load_scenario(path: str | Path, districts: DistrictData | None = None) -> Scenario:
    """Load a scenario file with its ``extends`` chain; relative paths resolve from the file.

    District codes, agency and segment ids are checked against the data of the scenario's
    vintage (loaded here unless ``districts`` is given).
    """
    path = Path(path)
    doc, applied = resolve_extends(path)
    scenario = scenario_from_dict(doc, str(path))
    od = scenario.travel.od_matrix
    if od is not None and not od.is_absolute():
        scenario = scenario.model_copy(update={"travel": scenario.travel.model_copy(
            update={"od_matrix": (path.parent / od).resolve()})})
    if districts is None or districts.vintage != scenario.vintage:
        districts = load_districts(scenario.vintage)
    problems = reference_problems(scenario, districts)
    if problems:
        raise ScenarioError(str(path), problems)
    return scenario.model_copy(update={"source_files": applied})
