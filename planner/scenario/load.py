"""Read scenario YAML (with ``extends:``), validate it, and say precisely what is wrong.

Precedence: a scenario's own keys override those of the base it ``extends`` (mappings merge key
by key, recursively; scalars are replaced). Lists of records with a natural key merge by that
key (``KEYED_LISTS``: phases by year, forced sites by code, forbidden and existing site codes
by the code itself): an entry with the key of a base's entry replaces it, a new one is added,
and ``{year: 2017, drop: true}`` / ``{code: "41360", drop: true}`` / ``{drop: "41360"}`` (in a
list of codes) removes the base's entry; in a mapping, ``{drop: true}`` as a key's value
removes the base's key (``kinds: {new_build: {drop: true}}``). Every other list is replaced
whole. A list of bases
applies left to right. Paths in ``extends`` are relative to the file that names them and must
end in .yaml or .yml. Every error names the file, the key path, the bad value and what is
allowed; no message quotes more of a file than a key and a short value.
"""

from __future__ import annotations

import re
import types
import typing
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from planner.errors import ScenarioError, did_you_mean
from planner.scenario.schema import Scenario

MAX_EXTENDS_DEPTH = 16
SCENARIO_SUFFIXES = (".yaml", ".yml")
# list path -> the key of its entries (None: the entries are plain values, their own key)
KEYED_LISTS: dict[tuple[str, ...], str | None] = {
    ("phases",): "year",
    ("sites", "forced"): "code",
    ("sites", "forbidden"): None,
    ("sites", "existing", "codes"): None,
}
Origins = dict[str, dict[str, str]]  # "sites.forced" -> entry key -> file that set it


def _entry_key(item: Any, key: str | None) -> Any:
    """The natural key of a list entry, or None when it has none that can be used."""
    if key is None:
        k = item.get("drop") if isinstance(item, dict) and set(item) == {"drop"} else item
    else:
        k = item.get(key) if isinstance(item, dict) else None
    return k if isinstance(k, str | int) and not isinstance(k, bool) else None


def _is_drop(item: Any, key: str | None) -> bool:
    if not isinstance(item, dict):
        return False
    return set(item) == {"drop"} if key is None else item.get("drop") is True


def merge_keyed(base: list, override: list, key: str | None, where: str, source: str) -> list:
    """``override`` on ``base`` by natural key; ``drop`` entries remove base entries."""
    merged: dict[Any, Any] = {}
    loose: list = []  # entries without a usable key: left for the schema to report
    for item in base:
        k = _entry_key(item, key)
        if k is None:
            loose.append(item)
        else:
            merged[k] = item
    seen: set = set()
    for n, item in enumerate(override):
        k = _entry_key(item, key)
        if k is None:
            loose.append(item)
            continue
        if k in seen:
            shown = f"{key}: {k!r}" if key else repr(k)
            raise ScenarioError(
                source, [f"{where}[{n}]: {shown[:40]} is listed twice in this file"]
            )
        seen.add(k)
        if _is_drop(item, key):
            if k not in merged:
                shown = f"{key}: {k!r}" if key else repr(k)
                raise ScenarioError(
                    source, [f"{where}[{n}]: drop of {shown[:40]}, but no base file has that entry"]
                )
            del merged[k]
            continue
        merged[k] = item
    return list(merged.values()) + loose


def deep_merge(
    base: dict, override: dict, keyed: bool = False, path: tuple[str, ...] = (), source: str = ""
) -> dict:
    """``override`` on top of ``base``: mappings merge recursively, everything else replaces.

    ``keyed`` (how ``extends`` merges): the lists of ``KEYED_LISTS`` merge by their key.
    """
    out = dict(base)
    for key, value in override.items():
        here = (*path, str(key))
        if keyed and value == {"drop": True}:
            if key not in out:
                raise ScenarioError(
                    source,
                    [f"{'.'.join(here)}: drop: true, but no base file sets {str(key)[:40]!r}"],
                )
            del out[key]
            continue
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value, keyed, here, source)
        elif keyed and here in KEYED_LISTS and isinstance(value, list):
            prior = out.get(key) if isinstance(out.get(key), list) else []
            out[key] = merge_keyed(prior, value, KEYED_LISTS[here], ".".join(here), source)
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


def _plain_yaml_problem(text: str) -> str | None:
    """Why ``text`` is not plain YAML data: a tag (``!!int``...) or an anchor or alias."""
    try:
        for token in yaml.scan(text):
            if isinstance(token, yaml.TagToken | yaml.AnchorToken | yaml.AliasToken):
                where = f"line {token.start_mark.line + 1}, column {token.start_mark.column + 1}"
                what = (
                    "YAML tags (!!int, !!timestamp, !x...) are not allowed; write the plain value"
                    if isinstance(token, yaml.TagToken)
                    else "YAML anchors and aliases (&name, *name) are not allowed; write the "
                    "value out"
                )
                return f"{where}: {what}"
    except yaml.YAMLError:
        return None  # safe_load reports the syntax error with its position
    return None


def parse_yaml(text: str, source: str) -> dict:
    """Parse a YAML document that must be a mapping of plain values (no tags, no aliases)."""
    problem = _plain_yaml_problem(text)
    if problem:
        raise ScenarioError(source, [problem])
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ScenarioError(source, [f"{where}YAML syntax error: {problem}"]) from exc
    except (ValueError, TypeError, RecursionError, OverflowError) as exc:  # absurd dates...
        raise ScenarioError(source, [f"YAML could not be read: {str(exc)[:80]}"]) from None
    if doc is None:
        raise ScenarioError(source, ["the file is empty; a scenario is a mapping of keys"])
    if not isinstance(doc, dict):
        raise ScenarioError(
            source, [f"the top level must be a mapping of keys, not a {type(doc).__name__}"]
        )
    return doc


def resolve_extends(
    path: Path, chain: tuple[Path, ...] = (), origins: Origins | None = None
) -> tuple[dict, list[str]]:
    """The merged document of ``path`` and its bases, and the files applied in order.

    ``origins``, when given, is filled with the file each keyed-list entry comes from.
    """
    path = path.resolve()
    if path in chain:
        cycle = " -> ".join(p.name for p in (*chain, path))
        raise ScenarioError(str(chain[0]), [f"extends: cycle {cycle}"])
    if len(chain) >= MAX_EXTENDS_DEPTH:
        raise ScenarioError(str(chain[0]), [f"extends: deeper than {MAX_EXTENDS_DEPTH} levels"])
    doc = _read_mapping(path)
    bases = doc.pop("extends", None)
    if bases is None:
        bases = []
    if isinstance(bases, str):
        bases = [bases]
    if not isinstance(bases, list) or not all(isinstance(b, str) for b in bases):
        raise ScenarioError(
            str(path),
            [f"extends: must be a file name or a list of file names; got {str(bases)[:60]!r}"],
        )
    merged: dict = {}
    applied: list[str] = []
    for n, base in enumerate(bases):
        target = path.parent / base
        if target.suffix.lower() not in SCENARIO_SUFFIXES:
            raise ScenarioError(
                str(path),
                [
                    f"extends[{n}]: {base[:80]!r} is not a scenario "
                    f"file; allowed: a .yaml or .yml file (relative "
                    f"to {path.parent})"
                ],
            )
        base_doc, base_applied = resolve_extends(target, (*chain, path), origins)
        merged = deep_merge(merged, base_doc, True, (), str(target))
        applied += base_applied
    if origins is not None:  # the file's own entries: record where they came from
        _record(doc, str(path), origins)
    return deep_merge(merged, doc, True, (), str(path)), [*applied, str(path)]


def _record(doc: dict, source: str, origins: Origins) -> None:
    """Note ``source`` as the origin of ``doc``'s keyed-list entries (drops remove them)."""
    for lpath, key in KEYED_LISTS.items():
        node: Any = doc
        for part in lpath:
            node = node.get(part) if isinstance(node, dict) else None
        if not isinstance(node, list):
            continue
        track = origins.setdefault(".".join(lpath), {})
        for item in node:
            k = _entry_key(item, key)
            if k is None:
                continue
            if _is_drop(item, key):
                track.pop(str(k), None)
            else:
                track[str(k)] = Path(source).name


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


MAX_PROBLEMS = 20  # listed per file; the rest are counted (never a whole file's content)


def describe_validation_error(exc: ValidationError) -> list[str]:
    """One line per pydantic error: key path, what is wrong, the value, what is allowed."""
    lines = []
    errors = exc.errors()
    for err in errors[:MAX_PROBLEMS]:
        loc = tuple(str(p)[:40] if isinstance(p, str) else p for p in err["loc"])
        kind = err["type"]
        if kind == "extra_forbidden":
            owner = _model_at(loc[:-1])
            allowed = sorted(owner.model_fields) if owner else []
            lines.append(
                f"{_fmt_loc(loc)}: unknown key {loc[-1]!r}"
                + (f" in {_fmt_loc(loc[:-1])}" if loc[:-1] else "")
                + ("; " + did_you_mean(loc[-1], allowed) if allowed else "")
            )
        elif kind == "missing":
            lines.append(f"{_fmt_loc(loc)}: required key is missing")
        elif kind == "literal_error":
            expected = re.findall(r"'([^']*)'|(\d+)", err.get("ctx", {}).get("expected", ""))
            options = [a or b for a, b in expected]
            lines.append(
                f"{_fmt_loc(loc)}: got {_short(err.get('input'))}; "
                + did_you_mean(err.get("input"), options)
            )
        else:
            msg = err["msg"].removeprefix("Value error, ")
            lines.append(f"{_fmt_loc(loc)}: {msg}; got {_short(err.get('input'))}")
    if len(errors) > MAX_PROBLEMS:
        lines.append(f"... and {len(errors) - MAX_PROBLEMS} more problem(s)")
    return lines


def scenario_from_dict(doc: dict, source: str = "<scenario>") -> Scenario:
    """Validate a scenario mapping (as read from YAML, or built in Python)."""
    if not isinstance(doc, dict):
        raise ScenarioError(
            source, [f"a scenario is a mapping of keys, not a {type(doc).__name__}"]
        )
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


def load_scenario(path: str | Path) -> Scenario:
    """Load a scenario file with its ``extends`` chain; relative paths resolve from the file.

    No data is read here: district codes, agency and segment ids are checked against the
    data when the instance is built (``planner.instance.build_instance``), and rule names
    when the model is (``planner.model.registry.check_rule_settings``).
    """
    path = Path(path)
    if path.suffix.lower() not in SCENARIO_SUFFIXES:
        raise ScenarioError(str(path), ["a scenario file must end in .yaml or .yml"])
    origins: Origins = {}
    doc, applied = resolve_extends(path, (), origins)
    scenario = scenario_from_dict(doc, str(path))
    od = scenario.travel.od_matrix
    if od is not None and not od.is_absolute():
        scenario = scenario.model_copy(
            update={
                "travel": scenario.travel.model_copy(
                    update={"od_matrix": (path.parent / od).resolve()}
                )
            }
        )
    return scenario.model_copy(update={"source_files": applied, "entry_sources": origins})
