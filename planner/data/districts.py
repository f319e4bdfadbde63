"""Load the compiled district tables for one vintage of units.

Tables are keyed by today's MOIS code; a vintage re-keys them: ``2015`` uses the codes, names
and 시도 of 2015 (강원 42xxx, 전북 45xxx, 군위 in 경북, 인천 남구 28170), ``2025`` today's. The
229 units are the same in both, so figures carry over unchanged.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd

from planner.data import geometry
from planner.data.catalog import Catalog, load_catalog
from planner.data.tables import read_table
from planner.errors import DataError, did_you_mean
from planner.paths import districts_dir

VINTAGES = geometry.VINTAGES
N_UNITS = 229
LIST_YEAR = 2026  # the Employment Center list's basis (work24, 2026-03)
_UNIT_COLUMNS = [
    "name_en",
    "sido_en",
    "kind",
    "island_group",
    "point_lon",
    "point_lat",
    "point_x_5179",
    "point_y_5179",
    "point_method",
    "area_km2",
    "code_change",
]


@dataclass(frozen=True)
class DemandYear:
    """Demand per unit and segment for one planning year, with how it was obtained."""

    year: int
    data_year: int
    table: pd.DataFrame  # index code, one column per segment
    methods: dict[str, list[str]]  # figure -> methods used (census, interpolated, estimate...)

    @property
    def substituted(self) -> bool:
        return self.year != self.data_year

    def value(self, district: str, segment: str) -> float:
        """Demand of one district and segment (a cached dictionary lookup)."""
        cache = self.__dict__.get("_cache")
        if cache is None:
            cache = {(i, s): float(v) for s in self.table.columns for i, v in self.table[s].items()}
            object.__setattr__(self, "_cache", cache)
        return cache[(district, segment)]


@dataclass
class DistrictData:
    """The units of one vintage with their figures, Employment Centers and agency presence."""

    vintage: int
    units: pd.DataFrame
    figures: pd.DataFrame
    centers: pd.DataFrame
    presence: pd.DataFrame
    catalog: Catalog
    _geometry: gpd.GeoSeries | None = field(default=None, repr=False)
    _emd: pd.DataFrame | None = field(default=None, repr=False)
    directory: Path | None = field(default=None, repr=False)

    @property
    def codes(self) -> list[str]:
        return list(self.units.index)

    @property
    def years(self) -> tuple[int, int]:
        return int(self.figures.year.min()), int(self.figures.year.max())

    def demand(self, year: int) -> DemandYear:
        """Segment demand for ``year``; outside the data's years the nearest year stands in."""
        lo, hi = self.years
        data_year = min(max(year, lo), hi)
        rows = self.figures[self.figures.year == data_year].set_index("code")
        table = pd.DataFrame(index=self.units.index)
        for sid, seg in self.catalog.segments.items():
            table[sid] = rows[seg.column].reindex(self.units.index)
        methods = {
            "recipients": sorted(rows.recipients_method.unique()),
            "age_groups": sorted(rows.age_method.unique()),
        }
        return DemandYear(year, data_year, table, methods)

    def emd(self) -> pd.DataFrame:
        """The 2015 census 읍면동 (index emd_code) with their unit (this vintage's code).

        Columns: names, 2015 census population, a point inside it, the unit's island group.
        """
        if self._emd is None:
            path = (self.directory or districts_dir()) / "emd_2015.csv"
            to_vintage = dict(zip(self.units.code_current, self.units.index, strict=True))
            emd = _read(
                path, ("emd_code", "unit", "pop2015_census", "point_lon", "point_lat")
            ).set_index("emd_code")
            emd["unit"] = emd.unit.map(to_vintage)
            if emd.unit.isna().any():
                raise DataError(
                    f"{path}: 읍면동 of unknown units: {list(emd.index[emd.unit.isna()][:5])}"
                )
            emd["pop2015_census"] = emd.pop2015_census.astype("int64")
            for col in ("point_lon", "point_lat"):
                emd[col] = emd[col].astype(float)
            emd["sido"] = self.units.sido.reindex(emd.unit).to_numpy()
            emd["island_group"] = self.units.island_group.reindex(emd.unit).to_numpy()
            self._emd = emd
        return self._emd

    def emd_demand(self, year: int) -> DemandYear:
        """Segment demand per 읍면동: each unit's figure split by 2015 census population share.

        An estimate: no segment figure (recipients, ages) is public per 읍면동 here, only the
        2015 census head count; the split assumes each segment is spread like the population.
        """
        return self.emd_split(self.demand(year))

    def emd_split(self, d: DemandYear) -> DemandYear:
        """District demand ``d`` split over the 읍면동 by 2015 census population share."""
        emd = self.emd()
        unit_pop = emd.groupby("unit").pop2015_census.sum()
        share = (emd.pop2015_census / unit_pop.reindex(emd.unit).to_numpy()).fillna(0.0)
        table = d.table.reindex(emd.unit).mul(share.to_numpy(), axis=0)
        table.index = emd.index
        methods = dict(d.methods)
        methods["emd_split"] = ["estimate_2015_census_population_share"]
        return DemandYear(d.year, d.data_year, table, methods)

    def network(self, year: int) -> pd.DataFrame:
        """The Employment Center offices (main and branch) that stood in ``year``.

        An office counts from its ``opened_year`` (empty: it stood before 2014, from a source
        or inferred, see ``opened_basis``). Years after the 2026 list are that list; offices
        opened in 2016-2019 are not recorded (see data/history/PROVENANCE.md).
        """
        opened = self.centers.opened_year
        return self.centers[opened.isna() | (opened <= year)]

    def has_employment_center(self, year: int = LIST_YEAR) -> pd.Series:
        """Whether each unit hosts an Employment Center (main or branch) in ``year``."""
        hosts = self.network(year).host_code
        return pd.Series(self.units.index.isin(hosts), index=self.units.index)

    def geometry(self) -> gpd.GeoSeries:
        """Unit polygons (EPSG:5179), dissolved from the installed boundary package."""
        if self._geometry is None:
            raw = _read(districts_dir() / "units.csv")
            self._geometry = geometry.unit_polygons(self.vintage, raw)
        return self._geometry

    def to_geodataframe(self, year: int | None = None) -> gpd.GeoDataFrame:
        """Units as a GeoDataFrame (EPSG:4326), with the segment demand of ``year`` if given."""
        frame = self.units.copy()
        if year is not None:
            frame = frame.join(self.demand(year).table)
        gdf = gpd.GeoDataFrame(
            frame, geometry=self.geometry().reindex(frame.index), crs=geometry.KOREA_CRS
        )
        return gdf.to_crs(geometry.WGS84)

    def check_codes(self, codes: list[str], where: str) -> list[str]:
        """Messages for codes that are not units of this vintage."""
        known = set(self.units.index)
        return [
            f"{where}: unknown district code {c!r} for vintage {self.vintage}; "
            + did_you_mean(c, sorted(known))
            for c in codes
            if c not in known
        ]


REBUILD = "; rebuild with `planner build-data`"


def _read(path: Path, columns: tuple[str, ...] = ()) -> pd.DataFrame:
    """A project table as text, with the ``columns`` it must have; DataError when unreadable."""
    return read_table(path, "table", columns, hint=REBUILD)


def _numbers(frame: pd.DataFrame, col: str, path: Path, integer: bool = False) -> pd.Series:
    """Column ``col`` as numbers; DataError naming the first row and value that is not one."""
    values = pd.to_numeric(frame[col], errors="coerce")
    bad = values.isna() | ~values.map(lambda x: math.isfinite(x) if x == x else False)
    if integer:
        bad |= values.notna() & (values % 1 != 0)
    if bad.any():
        n = int(bad.to_numpy().argmax())
        raise DataError(
            f"{path}: row {n + 2}, column {col!r}: {str(frame[col].iloc[n])[:20]!r}"
            f" is not a {'whole ' if integer else ''}number"
        )
    return values.astype("int64") if integer else values.astype(float)


def _years(values: pd.Series, path: Path) -> pd.Series:
    """A column of years where empty means 'before the records' (pd.NA)."""
    for n, v in enumerate(values):
        if v and not (v.isdigit() and 1900 <= int(v) <= 2100):
            raise DataError(
                f"{path}: row {n + 2}, column 'opened_year': {v[:20]!r} is not a year "
                "(allowed: 1900-2100, or empty for an office that stood before 2014)"
            )
    return pd.Series([int(v) if v else pd.NA for v in values], index=values.index, dtype="Int64")


def _to_vintage(codes: pd.Series, to_vintage: dict[str, str], path: Path, col: str) -> pd.Series:
    unknown = ~codes.isin(to_vintage)
    if unknown.any():
        n = int(unknown.to_numpy().argmax())
        raise DataError(
            f"{path}: row {n + 2}, column {col!r}: unknown unit code {str(codes.iloc[n])[:12]!r}"
        )
    return codes.map(to_vintage)


_CACHE: dict[int, DistrictData] = {}


def cached_districts(vintage: int = 2015) -> DistrictData:
    """``load_districts(vintage)`` from the shipped data, read once per process."""
    if vintage not in _CACHE:
        _CACHE[vintage] = load_districts(vintage)
    return _CACHE[vintage]


def load_districts(vintage: int = 2015, directory: Path | None = None) -> DistrictData:
    """Load the 229 units of ``vintage`` (2015 or 2025) with figures and agencies."""
    if vintage not in VINTAGES:
        raise DataError(f"vintage {vintage!r} unknown; allowed: {', '.join(map(str, VINTAGES))}")
    d = directory or districts_dir()
    units_csv = d / "units.csv"
    raw = _read(
        units_csv,
        (
            "code",
            "code_2015",
            "name_ko",
            "name_ko_2015",
            "sido",
            "sido_2015",
            "sido_code",
            "sido_code_2015",
            *_UNIT_COLUMNS,
        ),
    )
    if len(raw) != N_UNITS or not raw.code.is_unique or not raw.code_2015.is_unique:
        raise DataError(f"{units_csv}: expected {N_UNITS} unique units, got {len(raw)} rows")
    if vintage == 2015:
        key, names = (
            raw.code_2015,
            {"name_ko": raw.name_ko_2015, "sido": raw.sido_2015, "sido_code": raw.sido_code_2015},
        )
    else:
        key, names = (
            raw.code,
            {"name_ko": raw.name_ko, "sido": raw.sido, "sido_code": raw.sido_code},
        )
    to_vintage = dict(zip(raw.code, key, strict=True))
    units = pd.DataFrame({"code": key, "code_current": raw.code, **names})
    units = units.join(raw[_UNIT_COLUMNS]).set_index("code")
    for col in ("point_lon", "point_lat", "point_x_5179", "point_y_5179", "area_km2"):
        units[col] = _numbers(raw, col, units_csv).to_numpy()

    figures_csv = d / "figures.csv"
    figures = _read(figures_csv, ("code", "year", "recipients_method", "age_method"))
    for col in figures.columns:
        if col not in ("code", "recipients_method", "age_method"):
            figures[col] = _numbers(figures, col, figures_csv, integer=True)
    figures["code"] = _to_vintage(figures.code, to_vintage, figures_csv, "code")
    per_year = figures.groupby("year").code.nunique()
    short = per_year[per_year != N_UNITS]
    if len(short) or figures.duplicated(["code", "year"]).any():
        raise DataError(
            f"{figures_csv}: every year needs one row per unit ({N_UNITS}); "
            + (
                f"year {int(short.index[0])} has {int(short.iloc[0])}"
                if len(short)
                else "a (code, year) pair is listed twice"
            )
            + " (truncated? rebuild with `planner build-data`)"
        )

    centers_csv = d / "employment_centers.csv"
    centers = _read(centers_csv, ("is_branch", "host_code", "jurisdiction_codes"))
    centers["is_branch"] = centers.is_branch == "True"
    if "opened_year" not in centers.columns:
        raise DataError(f"{centers_csv}: needs column 'opened_year'{REBUILD}")
    centers["opened_year"] = _years(centers.opened_year, centers_csv)
    centers["host_code"] = _to_vintage(centers.host_code, to_vintage, centers_csv, "host_code")
    try:
        centers["jurisdiction_codes"] = centers.jurisdiction_codes.map(
            lambda s: ";".join(to_vintage[c] for c in s.split(";") if c)
        )
    except KeyError as exc:
        raise DataError(
            f"{centers_csv}: column 'jurisdiction_codes' names unknown unit code {str(exc)[:14]}"
        ) from None
    juris_csv = d / "ec_jurisdiction.csv"
    juris = _read(juris_csv, ("code", "center_id", "method", "km_to_center"))
    juris["code"] = _to_vintage(juris.code, to_vintage, juris_csv, "code")
    units = units.join(
        juris.set_index("code")[["center_id", "method", "km_to_center"]].rename(
            columns={"center_id": "ec_center_id", "method": "ec_assignment"}
        )
    )
    presence = _read(d / "agency_presence.csv", ("code",))
    presence["code"] = presence.code.map(lambda c: to_vintage.get(c, ""))
    return DistrictData(
        vintage, units, figures, centers, presence, load_catalog(), directory=directory
    )
