"""Read a run folder back (plan, KPIs, assignment, facts) with the districts it was run on.

Outputs are built from the folder alone, so `planner map RUN_DIR` and `planner compare` work
on any run, today's or last month's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely
import yaml

from planner.data.districts import DistrictData, cached_districts
from planner.errors import PlannerError
from planner.report.labels import Labels
from planner.runfolder import RUN_FILES
from planner.scenario.schema import Caseload

# equity tables: run folders written before them still load
OPTIONAL = ("equity.csv", "access.csv")
# the run files a report reads (the solver log is for people)
NEEDED = tuple(f for f in RUN_FILES if f not in ("solver.log", *OPTIONAL))


@dataclass
class RunData:
    """A run folder's tables and facts."""

    path: Path
    plan: pd.DataFrame
    kpis: pd.DataFrame
    kpis_sido: pd.DataFrame
    staffing: pd.DataFrame
    assignment: pd.DataFrame
    document: dict
    scenario: dict
    equity: pd.DataFrame = field(default_factory=pd.DataFrame)
    access: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def name(self) -> str:
        return self.scenario.get("name", self.path.name)

    @property
    def facts(self) -> dict:
        return self.document.get("facts", {})

    @property
    def vintage(self) -> int:
        return int(self.scenario.get("vintage", 2015))

    @property
    def years(self) -> list[int]:
        return [int(p["year"]) for p in self.scenario.get("phases", [])]

    @property
    def segments(self) -> list[str]:
        return [c.removeprefix("coverage_") for c in self.kpis.columns if c.startswith("coverage_")]

    @cached_property
    def districts(self) -> DistrictData:
        """The units of the run's vintage, read once per process (every output needs them)."""
        return cached_districts(self.vintage)

    @property
    def access_last(self) -> pd.DataFrame:
        """access.csv's last phase by district code (empty for older run folders)."""
        acc = self.access
        if acc.empty or "code" not in acc:
            return pd.DataFrame()
        return acc[acc.year == acc.year.max()].set_index("code")

    @cached_property
    def caseload(self) -> Caseload:
        """The run's caseload section, with the schema's defaults (older runs have none)."""
        return Caseload.model_validate(self.scenario.get("caseload") or {})

    @cached_property
    def labels(self) -> Labels:
        """Display names of this run's ids (one per run: the map, report and workbook share it)."""
        return Labels(self)

    def district_frame(self, simplify_m: float = 250.0) -> gpd.GeoDataFrame:
        """Units of the study area (EPSG:4326) with last-phase demand and coverage per segment.

        The study area is the list of units solution.json records (a folder written before
        it was recorded shows every unit of its vintage).
        """
        d = self.districts
        last = self.years[-1]
        units = d.units
        area = self.document.get("study_area")  # as the instance resolved it
        if area is not None:
            units = units[units.index.isin(area)]
        frame = units[["name_ko", "name_en", "sido", "point_lon", "point_lat"]].copy()
        dem = d.demand(last).table.reindex(frame.index)
        acc = self.access_last.reindex(frame.index)
        a = self.assignment[self.assignment.year == last]
        for s in self.segments:
            if f"people_{s}" in acc:  # the demand planned for (a demand scenario's, if any)
                frame[f"demand_{s}"] = acc[f"people_{s}"].fillna(0).round().astype(int)
            else:  # a run folder written before access.csv: the data's figures
                frame[f"demand_{s}"] = dem[s].fillna(0).astype(int) if s in dem else 0
            if f"access_{s}" in acc:
                frame[f"access_{s}"] = acc[f"access_{s}"].fillna(0).round(4)
            got = a[a.segment == s].groupby("district").demand.sum()
            frame[f"coverage_{s}"] = got.reindex(frame.index).fillna(0) / frame[
                f"demand_{s}"
            ].where(frame[f"demand_{s}"] > 0)
            frame[f"coverage_{s}"] = frame[f"coverage_{s}"].fillna(0).round(4)
        first = a[a.segment == self.segments[0]] if self.segments else a.iloc[0:0]
        # the site serving most of a district's demand (its 읍면동 may go to several)
        served_at = (
            first.groupby(["district", "site"])
            .demand.sum()
            .reset_index()
            .sort_values(["district", "demand", "site"], ascending=[True, False, True])
            .drop_duplicates("district")
            .set_index("district")
            .site
        )
        frame["served_at"] = served_at.reindex(frame.index).fillna("")
        geom = d.geometry().reindex(frame.index)
        if simplify_m > 0:  # shared borders simplified once for both sides: no slivers
            geom = gpd.GeoSeries(
                shapely.coverage_simplify(geom.values, simplify_m), index=geom.index, crs=geom.crs
            )
        gdf = gpd.GeoDataFrame(frame, geometry=geom, crs="EPSG:5179").to_crs("EPSG:4326")
        gdf.index.name = "code"
        return gdf


def gap_text(facts: dict) -> str:
    """The run's relative gap to its bound for people (a percentage, or 'unknown')."""
    gap = facts.get("gap")
    return f"{gap:.2%}" if isinstance(gap, int | float) else "unknown"


def load_run(path: str | Path) -> RunData:
    """Read a run folder written by `planner run`."""
    path = Path(path)
    missing = [n for n in NEEDED if not (path / n).exists()]
    if missing:
        raise PlannerError(f"{path}: not a complete run folder; missing {', '.join(missing)}")
    str_code = {"code": str, "district": str, "site": str, "point": str}
    return RunData(
        path=path,
        plan=pd.read_csv(path / "plan.csv", dtype=str_code, keep_default_na=False),
        kpis=pd.read_csv(path / "kpis.csv"),
        kpis_sido=pd.read_csv(path / "kpis_sido.csv"),
        staffing=pd.read_csv(path / "staffing.csv"),
        assignment=pd.read_csv(path / "assignment.csv", dtype=str_code),
        document=json.loads((path / "solution.json").read_text(encoding="utf-8")),
        scenario=yaml.safe_load((path / "scenario.resolved.yaml").read_text(encoding="utf-8")),
        equity=_optional_csv(path / "equity.csv"),
        access=_optional_csv(path / "access.csv", dtype=str_code),
    )


def _optional_csv(path: Path, **kw) -> pd.DataFrame:
    """A table of run folders written before it existed (or empty): an empty frame."""
    try:
        return pd.read_csv(path, **kw)
    except (FileNotFoundError, pd.errors.EmptyDataError):
        return pd.DataFrame()
