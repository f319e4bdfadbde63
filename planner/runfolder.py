"""Write a run folder atomically: everything appears at once, or nothing does.

Files are written into a hidden sibling folder, which is renamed into place at the end; a
failure or Ctrl-C while writing removes it. An existing folder is replaced only with
``force`` (the old one is moved aside first and deleted after the rename).
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from planner.errors import PlannerError
from planner.solution import Solution

RUN_FILES = ("scenario.resolved.yaml", "plan.csv", "kpis.csv", "kpis_sido.csv",
             "staffing.csv", "assignment.csv", "solution.json", "solver.log")


def solution_document(sol: Solution, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """The JSON summary of a run: solver facts, rules used, estimates and assumptions."""
    inst = sol.instance
    doc: dict[str, Any] = {"facts": sol.facts()}
    if sol.rules is not None:
        doc["rules"] = {n: {"active": bool(r.active), "soft": bool(r.soft),
                            "params": r.params} for n, r in sol.rules.iterrows()}
    if inst is not None:
        doc["assumptions"] = list(inst.scenario.assumptions)
        doc["notes"] = list(inst.notes)
        doc["estimates"] = {s: seg.note for s, seg in inst.catalog.segments.items()
                            if seg.estimate}
    doc.update(extra or {})
    return doc


def write_run(sol: Solution, out: Path, force: bool = False,
              extra: dict[str, Any] | None = None,
              finish: Callable[[Path], Any] | None = None) -> Path:
    """Write the run folder ``out`` for ``sol``; returns ``out``.

    ``finish(tmp_folder)`` runs before the folder is moved into place (outputs derived from
    the run's files, such as the map and report, are written there, so they land together).
    """
    out = Path(out)
    if out.exists() and not force:
        raise PlannerError(f"{out}: run folder exists; choose another --out or use --force")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent))
    tmp.chmod(0o755)
    try:
        inst = sol.instance
        if inst is not None:
            resolved = inst.scenario.model_dump(mode="json")
            (tmp / "scenario.resolved.yaml").write_text(
                yaml.safe_dump(resolved, allow_unicode=True, sort_keys=False), encoding="utf-8")
        sol.plan.to_csv(tmp / "plan.csv", index=False)
        sol.kpis_phase.to_csv(tmp / "kpis.csv", index=False)
        sol.kpis_sido.to_csv(tmp / "kpis_sido.csv", index=False)
        sol.staffing.to_csv(tmp / "staffing.csv", index=False)
        sol.assignment.to_csv(tmp / "assignment.csv", index=False)
        (tmp / "solution.json").write_text(json.dumps(
            solution_document(sol, extra), ensure_ascii=False, indent=2, default=str),
            encoding="utf-8")
        (tmp / "solver.log").write_text("\n".join(sol.log) + "\n", encoding="utf-8")
        if finish is not None:
            finish(tmp)
        old = None
        if out.exists():
            old = out.with_name(f".{out.name}.old")
            if old.exists():
                shutil.rmtree(old)
            out.rename(old)
        tmp.rename(out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out
