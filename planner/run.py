"""Run a scenario end to end: load, check, build, solve, explain, validate, write.

Used by ``planner run`` and by notebooks; each step reports through ``progress``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from planner.check import Finding, run_checks
from planner.data.districts import load_districts
from planner.errors import PlannerError
from planner.instance import Instance, build_instance
from planner.model.explain import Conflict, explain_infeasibility
from planner.model.plan_model import PlanModel
from planner.model.registry import REGISTRY
from planner.runfolder import OutputError, check_destination, write_run
from planner.scenario import Scenario, load_scenario
from planner.solution import Solution, solve


class InfeasibleScenario(PlannerError):
    """The scenario cannot be met; ``findings`` (pre-solve) or ``conflicts`` say why."""

    def __init__(
        self,
        findings: list[Finding],
        conflicts: list[Conflict] | None,
        docs: dict[str, str] | None = None,
    ):
        self.findings, self.conflicts = findings, conflicts
        lines = [str(f) for f in findings if f.level == "error"]
        docs = docs or {}
        for c in conflicts or []:
            lines.append(c.describe(docs.get(c.rule, "")))
        if not lines:
            lines.append("the solver proved infeasibility but no small set of rules was found")
        super().__init__(
            "the scenario is infeasible; these rules conflict:\n"
            + "\n".join(f"  - {x}" for x in lines)
        )


class NoPlanError(PlannerError):
    """The solve ended (time limit or interrupt) without any plan; nothing was written."""


@dataclass
class RunResult:
    """What a run produced."""

    instance: Instance
    model: PlanModel
    solution: Solution
    findings: list[Finding]
    out: Path | None


def _say(progress: Callable[[str], None] | None, msg: str) -> None:
    if progress:
        progress(msg)


def run_scenario(
    path: str | Path,
    out: str | Path | None = None,
    *,
    force: bool = False,
    backend: str | None = None,
    time_limit_s: float | None = None,
    workers: int | None = None,
    seed: int | None = None,
    progress: Callable[[str], None] | None = None,
    outputs: bool = True,
) -> RunResult:
    """Solve the scenario at ``path``; write the run folder ``out`` when given."""
    _say(progress, "loading scenario and data")
    sc = load_scenario(path)
    return run_loaded(
        sc,
        out,
        force=force,
        backend=backend,
        time_limit_s=time_limit_s,
        workers=workers,
        seed=seed,
        progress=progress,
        outputs=outputs,
    )


def run_loaded(
    sc: Scenario,
    out: str | Path | None = None,
    *,
    force: bool = False,
    backend: str | None = None,
    time_limit_s: float | None = None,
    workers: int | None = None,
    seed: int | None = None,
    progress: Callable[[str], None] | None = None,
    outputs: bool = True,
    warm_start: Solution | None = None,
) -> RunResult:
    """Solve an already validated scenario (see ``run_scenario``).

    The output folder is checked first: nothing is solved for a folder that could not or
    must not be written. ``warm_start``: a Solution of a similar model, the start plan.
    """
    if out is not None:
        check_destination(Path(out), force)
    inst = build_instance(sc, load_districts(sc.vintage))
    _say(progress, "pre-solve checks")
    findings = run_checks(inst)
    model = PlanModel(inst)
    stated = model.rules_as_stated()  # a rule the scenario switches off or softens binds not
    findings = [
        f for f in findings if f.level != "error" or f.holds_under(stated) or f.rule not in REGISTRY
    ]
    if any(f.level == "error" for f in findings):
        raise InfeasibleScenario(findings, None)
    built = model.build()
    _say(
        progress,
        f"model built: {built.lm.n_vars:,} variables, {len(built.lm.rows):,} rows "
        f"in {built.build_s:.1f}s",
    )
    opts = model.solver_options(
        backend=backend, time_limit_s=time_limit_s, workers=workers, seed=seed
    )
    _say(
        progress,
        f"solving with {opts.backend} (limit {opts.time_limit_s:g}s, "
        f"{opts.workers} worker(s), seed {opts.seed})",
    )
    sol = solve(
        model,
        backend=backend,
        time_limit_s=time_limit_s,
        workers=workers,
        seed=seed,
        progress=progress,
        warm_start=warm_start,
    )
    if sol.status == "infeasible":
        left = opts.time_limit_s - sol.solve_s  # the explanation shares the solve's limit
        conflicts = None
        if left >= 0.5:
            _say(progress, "infeasible: looking for the conflicting rules")
            conflicts = explain_infeasibility(built.lm, left)
        docs = {n: s.summary for n, s in model.specs.items()}
        raise InfeasibleScenario(findings, conflicts, docs)
    if not sol.has_plan:
        if sol.interrupted:
            raise KeyboardInterrupt
        raise NoPlanError(
            f"no plan found within {opts.time_limit_s:g}s (status "
            f"{sol.status}); nothing written; raise solver.time_limit_s or try "
            f"another backend"
        )
    if sol.hard_violations:
        raise PlannerError(
            "the validator rejects the solver's plan (a bug):\n"
            + "\n".join(f"  - {v}" for v in sol.hard_violations[:20])
        )
    written = None
    if out is not None:
        _say(progress, f"writing {out}")
        finish = None
        if outputs:
            from planner.report.outputs import write_outputs

            def finish(tmp: Path) -> None:
                _say(progress, "writing map, workbook, report (and its PDF) and GeoPackage")
                skipped: list[str] = []
                write_outputs(tmp, skipped)
                for line in skipped:
                    _say(progress, f"skipped {line}")

        try:
            written = write_run(
                sol,
                Path(out),
                force=force,
                finish=finish,
                extra={"pre_solve_findings": [str(f) for f in findings]},
            )
        except OSError as exc:  # disk full, permissions changed meanwhile...
            raise OutputError(
                f"{out}: writing the run folder failed ({exc.strerror or exc}); nothing written"
            ) from None
    return RunResult(inst, model, sol, findings, written)
