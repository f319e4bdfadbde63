"""Load the compiled district tables for one vintage of units.

Tables are keyed by today's MOIS code; a vintage re-keys them: ``2015`` uses the codes, names
and 시도 of 2015 (강원 42xxx, 전북 45xxx, 군위 in 경북, 인천 남구 28170), ``2025`` today's. The
229 units are the same in both, so figures carry over unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd

from planner.data import geometry
from planner.data.catalog import Catalog, load_catalog
from planner.errors import DataError, did_you_mean
from planner.paths import districts_dir

VINTAGES = geometry.VINTAGES
N_UNITS = 229
_UNIT_COLUMNS = ["name_en", "sido_en", "kind", "island_group", "point_lon", "point_lat",
                 "point_x_5179", "point_y_5179", "point_method", "area_km2", "code_change"]


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
            cache = {(i, s): float(v) for s in self.table.columns
                     for i, v in self.table[s].items()}
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
            emd = _read(path).set_index("emd_code")
            emd["unit"] = emd.unit.map(to_vintage)
            if emd.unit.isna().any():
                raise DataError(f"{path}: 읍면동 of unknown units: "
                                f"{list(emd.index[emd.unit.isna()][:5])}")
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
        emd = self.emd()
        d = self.demand(year)
        unit_pop = emd.groupby("unit").pop2015_census.sum()
        share = (emd.pop2015_census / unit_pop.reindex(emd.unit).to_numpy()).fillna(0.0)
        table = d.table.reindex(emd.unit).mul(share.to_numpy(), axis=0)
        table.index = emd.index
        methods = dict(d.methods)
        methods["emd_split"] = ["estimate_2015_census_population_share"]
        return DemandYear(year, d.data_year, table, methods)

    def has_employment_center(self) -> pd.Series:
        """Whether each unit hosts an Employment Center (main or branch) in the 2026 list."""
        return pd.Series(self.units.index.isin(self.centers.host_code), index=self.units.index)

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
        gdf = gpd.GeoDataFrame(frame, geometry=self.geometry().reindex(frame.index),
                               crs=geometry.KOREA_CRS)
        return gdf.to_crs(geometry.WGS84)

    def check_codes(self, codes: list[str], where: str) -> list[str]:
        """Messages for codes that are not units of this vintage."""
        known = set(self.units.index)
        return [f"{where}: unknown district code {c!r} for vintage {self.vintage}; "
                + did_you_mean(c, sorted(known)) for c in codes if c not in known]


def _read(path: Path) -> pd.DataFrame:
    if not path.exists():
        raise DataError(f"{path}: table missing; rebuild with `python -m planner.data.build`")
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def load_districts(vintage: int = 2015, directory: Path | None = None) -> DistrictData:
    """Load the 229 units of ``vintage`` (2015 or 2025) with figures and agencies."""
    if vintage not in VINTAGES:
        raise DataError(f"vintage {vintage!r} unknown; allowed: {', '.join(map(str, VINTAGES))}")
    d = directory or districts_dir()
    raw = _read(d / "units.csv")
    if vintage == 2015:
        key, names = raw.code_2015, {"name_ko": raw.name_ko_2015, "sido": raw.sido_2015,
                                     "sido_code": raw.sido_code_2015}
    else:
        key, names = raw.code, {"name_ko": raw.name_ko, "sido": raw.sido,
                                "sido_code": raw.sido_code}
    to_vintage = dict(zip(raw.code, key, strict=True))
    units = pd.DataFrame({"code": key, "code_current": raw.code, **names})
    units = units.join(raw[_UNIT_COLUMNS]).set_index("code")
    for col in ("point_lon", "point_lat", "point_x_5179", "point_y_5179", "area_km2"):
        units[col] = units[col].astype(float)
    if len(units) != N_UNITS or not units.index.is_unique:
        raise DataError(f"{d / 'units.csv'}: expected {N_UNITS} unique units, got {len(units)}")

    figures = _read(d / "figures.csv")
    for col in figures.columns:
        if col not in ("code", "recipients_method", "age_method"):
            figures[col] = pd.to_numeric(figures[col], errors="raise").astype("int64")
    figures["code"] = figures.code.map(to_vintage)

    centers = _read(d / "employment_centers.csv")
    centers["is_branch"] = centers.is_branch == "True"
    centers["host_code"] = centers.host_code.map(to_vintage)
    centers["jurisdiction_codes"] = centers.jurisdiction_codes.map(
        lambda s: ";".join(to_vintage[c] for c in s.split(";") if c))
    juris = _read(d / "ec_jurisdiction.csv")
    juris["code"] = juris.code.map(to_vintage)
    units = units.join(juris.set_index("code")[["center_id", "method", "km_to_center"]]
                       .rename(columns={"center_id": "ec_center_id", "method": "ec_assignment"}))
    presence = _read(d / "agency_presence.csv")
    presence["code"] = presence.code.map(lambda c: to_vintage.get(c, ""))
    return DistrictData(vintage, units, figures, centers, presence, load_catalog(),
                        directory=directory)
