"""GeoPackage of a run for GIS users: centers (points) and districts (polygons)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd

from planner.atomic import atomic_path
from planner.report.rundata import RunData, load_run


def centers_frame(run: RunData) -> gpd.GeoDataFrame:
    """Plan rows as points at their unit's representative point (EPSG:4326)."""
    units = run.districts.units
    plan = run.plan.copy()
    pts = units.loc[plan.code, ["point_lon", "point_lat"]]
    return gpd.GeoDataFrame(
        plan, geometry=gpd.points_from_xy(pts.point_lon, pts.point_lat), crs="EPSG:4326"
    )


def write_geopackage(run_dir: str | Path, out: str | Path | None = None) -> Path:
    """Write ``plan.gpkg`` with layers ``centers`` and ``districts``."""
    run = load_run(run_dir)
    out = Path(out) if out else Path(run_dir) / "plan.gpkg"
    with atomic_path(out) as tmp:
        tmp.unlink()  # the GPKG driver creates the file itself
        centers_frame(run).to_file(tmp, layer="centers", driver="GPKG")
        run.district_frame(simplify_m=0).reset_index().to_file(
            tmp, layer="districts", driver="GPKG", mode="a"
        )
    return out
