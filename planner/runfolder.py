"""Write a run folder atomically: everything appears at once, or nothing does.

Files are written into a hidden sibling folder, which is renamed into place at the end; a
failure or Ctrl-C while writing removes it, and one left by ``kill -9`` is removed by the
next run to the same place (its owner's process id is recorded in it). The destination is
checked before anything is solved (``check_destination``). An existing folder is replaced
only with ``force`` and only when it is planner's own output: it carries the marker file
``.planner-run`` (or, from before the marker, every one of ``RUN_FILES``).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import yaml

from planner.domain import WELFARE_AGENCY
from planner.errors import PlannerError
from planner.scenario.assumptions import assumption_lines, resolved_assumptions
from planner.solution import Solution

RUN_FILES = (
    "scenario.resolved.yaml",
    "plan.csv",
    "kpis.csv",
    "kpis_sido.csv",
    "staffing.csv",
    "assignment.csv",
    "equity.csv",
    "access.csv",
    "solution.json",
    "solver.log",
)
MARKER = ".planner-run"  # in every folder planner writes: what wrote it, and what kind
TMP_OWNER = ".planner-tmp-pid"  # in a folder being written: the writing process


class OutputError(PlannerError):
    """An output folder that planner will not write or replace (exit 2, before solving)."""


def is_planner_output(folder: Path) -> bool:
    """Whether ``folder`` is planner's own output (safe to replace with ``force``)."""
    folder = Path(folder)
    if not folder.is_dir() or folder.is_symlink():
        return False
    if (folder / MARKER).is_file():
        return True
    return all((folder / f).is_file() for f in RUN_FILES)


def mark(folder: Path, kind: str) -> None:
    """Mark ``folder`` as planner output of ``kind`` (run, comparison, sweep...)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        ver = version("planner")
    except PackageNotFoundError:  # pragma: no cover (run from a source tree)
        ver = "unknown"
    (Path(folder) / MARKER).write_text(
        json.dumps({"written_by": f"planner {ver}", "kind": kind}) + "\n", encoding="utf-8"
    )


def _first_existing(path: Path) -> Path:
    p = path
    while not p.exists() and p != p.parent:
        p = p.parent
    return p


def check_destination(out: Path, force: bool) -> None:
    """Refuse, before any solving, an output folder that cannot or must not be written.

    Refused: a path that is a file, lies under a file, or cannot be written; an existing
    folder without ``force``; with ``force``, a folder that is not planner's own output.
    """
    out = Path(out)
    if out.is_symlink():
        raise OutputError(
            f"{out}: is a symbolic link; planner writes only real folders (choose another --out)"
        )
    if out.exists():
        if not out.is_dir():
            raise OutputError(
                f"{out}: exists and is a file, not a run folder; choose another --out"
            )
        if not force:
            raise OutputError(
                f"{out}: exists; choose another --out, or --force to replace "
                f"it (only a planner run folder is ever replaced)"
            )
        if not is_planner_output(out):
            raise OutputError(
                f"{out}: exists and is not a planner run folder (no {MARKER} "
                f"marker); planner replaces only its own output; choose another "
                f"--out"
            )
    anchor = _first_existing(out.parent)
    if not anchor.is_dir():
        raise OutputError(f"{out}: lies under {anchor}, which is a file, not a folder")
    try:
        probe = Path(tempfile.mkdtemp(prefix=".planner-probe.", dir=anchor))
        probe.rmdir()
    except OSError as exc:
        raise OutputError(f"{out}: cannot write in {anchor} ({exc.strerror or exc})") from None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale(out: Path) -> list[Path]:
    """Remove temporary folders of ``out`` left by a run that was killed mid-write."""
    out = Path(out)
    removed = []
    if not out.parent.is_dir():
        return removed
    for p in out.parent.glob(f".{glob_escape(out.name)}.*"):
        if not p.is_dir() or p.is_symlink() or not p.name.endswith((".tmp", ".old")):
            continue
        owner = p / TMP_OWNER
        try:
            pid = int(owner.read_text(encoding="utf-8").strip()) if owner.is_file() else None
        except (OSError, ValueError):
            pid = None
        if pid is None and not is_planner_output(p):
            continue  # not recognisably ours: leave it
        if pid is not None and _alive(pid):
            continue  # another run is writing it now
        shutil.rmtree(p, ignore_errors=True)
        removed.append(p)
    return removed


def glob_escape(name: str) -> str:
    """``name`` with glob metacharacters taken literally."""
    return "".join(f"[{c}]" if c in "*?[]" else c for c in name)


def replace_folder(tmp: Path, out: Path, force: bool) -> None:
    """Move the finished ``tmp`` folder to ``out``, replacing planner's own ``out``."""
    if out.exists():
        if not force or not is_planner_output(out):  # checked before solving; again now
            raise OutputError(
                f"{out}: exists and is not a planner run folder (or --force "
                f"was not given); nothing replaced, nothing written"
            )
        old = out.with_name(f".{out.name}.{uuid.uuid4().hex[:8]}.old")
        out.rename(old)
        tmp.rename(out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        tmp.rename(out)


@contextlib.contextmanager
def output_folder(out: Path, kind: str, force: bool) -> Iterator[Path]:
    """A hidden temporary sibling of ``out`` to write into; on success it becomes ``out``.

    ``out`` is checked first (``check_destination``); an existing one is replaced only with
    ``force`` and only when planner wrote it. A failure or Ctrl-C removes the temporary.
    """
    out = Path(out)
    check_destination(out, force)
    remove_stale(out)
    tmp = new_temp_folder(out)
    try:
        yield tmp
        mark(tmp, kind)
        (tmp / TMP_OWNER).unlink()
        replace_folder(tmp, out, force)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def new_temp_folder(out: Path) -> Path:
    """A hidden sibling of ``out`` to write into, recording this process as its owner."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent))
    tmp.chmod(0o755)
    (tmp / TMP_OWNER).write_text(f"{os.getpid()}\n", encoding="utf-8")
    return tmp


def solution_document(sol: Solution, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """The JSON summary of a run: solver facts, rules used, estimates and assumptions."""
    inst = sol.instance
    doc: dict[str, Any] = {"facts": sol.facts()}
    if sol.rules is not None:
        doc["rules"] = {
            n: {
                "name_ko": r.get("name_ko", ""),
                "active": bool(r.active),
                "soft": bool(r.soft),
                "params": r.params,
            }
            for n, r in sol.rules.iterrows()
        }
    if inst is not None:
        doc["assumptions"] = assumption_lines(inst.scenario)
        doc["assumptions_table"] = resolved_assumptions(inst.scenario)
        doc["scenario_notes"] = list(inst.scenario.assumptions)
        doc["notes"] = list(inst.notes)
        doc["study_area"] = inst.codes  # the units the run covers, resolved once
        if WELFARE_AGENCY in inst.agencies:  # officers a guest welfare team brings
            doc["team_staff"] = inst.agencies[WELFARE_AGENCY].staff
        doc["estimates"] = {s: seg.note for s, seg in inst.catalog.segments.items() if seg.estimate}
    doc.update(extra or {})
    return doc


def write_run(
    sol: Solution,
    out: Path,
    force: bool = False,
    extra: dict[str, Any] | None = None,
    finish: Callable[[Path], Any] | None = None,
) -> Path:
    """Write the run folder ``out`` for ``sol``; returns ``out``.

    ``finish(tmp_folder)`` runs before the folder is moved into place (outputs derived from
    the run's files, such as the map and report, are written there, so they land together).
    """
    out = Path(out)
    with output_folder(out, "run", force) as tmp:
        inst = sol.instance
        if inst is not None:
            resolved = inst.scenario.model_dump(mode="json")
            (tmp / "scenario.resolved.yaml").write_text(
                yaml.safe_dump(resolved, allow_unicode=True, sort_keys=False), encoding="utf-8"
            )
        sol.plan.to_csv(tmp / "plan.csv", index=False)
        sol.kpis_phase.to_csv(tmp / "kpis.csv", index=False)
        sol.kpis_sido.to_csv(tmp / "kpis_sido.csv", index=False)
        sol.staffing.to_csv(tmp / "staffing.csv", index=False)
        sol.assignment.to_csv(tmp / "assignment.csv", index=False)
        sol.equity.to_csv(tmp / "equity.csv", index=False)
        sol.access.to_csv(tmp / "access.csv", index=False)
        (tmp / "solution.json").write_text(
            json.dumps(solution_document(sol, extra), ensure_ascii=False, indent=2, default=str),
            encoding="utf-8",
        )
        (tmp / "solver.log").write_text("\n".join(sol.log) + "\n", encoding="utf-8")
        if finish is not None:
            finish(tmp)
    return out
