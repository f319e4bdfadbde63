"""Write every officials' output of a run folder: map, workbook, report, GeoPackage."""

from __future__ import annotations

from pathlib import Path

from planner.report.gis import write_geopackage
from planner.report.html_report import write_report
from planner.report.map import render_map
from planner.report.rundata import load_run
from planner.report.workbook import write_workbook

OUTPUT_FILES = ("map.html", "plan.xlsx", "report.html", "plan.gpkg")


def write_outputs(run_dir: str | Path) -> list[Path]:
    """Map, workbook, report and GeoPackage of ``run_dir`` (the map is rendered once)."""
    run_dir = Path(run_dir)
    map_html = render_map(load_run(run_dir))
    (run_dir / "map.html").write_text(map_html, encoding="utf-8")
    return [
        run_dir / "map.html",
        write_workbook(run_dir),
        write_report(run_dir, map_html=map_html),
        write_geopackage(run_dir),
    ]
