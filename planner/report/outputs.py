"""Write every officials' output of a run folder: map, workbook, report (+ PDF), GeoPackage."""

from __future__ import annotations

from pathlib import Path

from planner.atomic import write_text
from planner.report import printing
from planner.report.gis import write_geopackage
from planner.report.html_report import write_report
from planner.report.map import render_map
from planner.report.rundata import load_run
from planner.report.workbook import write_workbook

OUTPUT_FILES = ("map.html", "plan.xlsx", "report.html", "plan.gpkg")
PDF = "report.pdf"  # written beside report.html when headless Chromium is present


def write_outputs(run_dir: str | Path, notes: list[str] | None = None) -> list[Path]:
    """Map, workbook, report, report.pdf and GeoPackage of ``run_dir`` (the map rendered once).

    ``notes`` receives a line when the PDF was skipped, and why.
    """
    run_dir = Path(run_dir)
    map_html = render_map(load_run(run_dir))
    map_path = write_text(run_dir / "map.html", map_html)
    report, pdf, why = printing.print_report(
        map_path, lambda png: write_report(run_dir, map_html=map_html, map_png=png), run_dir / PDF
    )
    if why and notes is not None:
        notes.append(f"report.pdf: {why}")
    paths = [map_path, write_workbook(run_dir), report, write_geopackage(run_dir)]
    return paths + ([pdf] if pdf else [])
