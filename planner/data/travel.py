"""Travel minutes between unit points, or a user-supplied OD matrix.

No 시군구 road travel-time source is public, so the default is a documented proxy: great-circle
km x a circuity factor / an average speed. Pairs that cross the sea between island groups (제주,
울릉, 옹진, 신안) are unreachable unless a scenario allows sea crossings, in which case a ferry
time is added.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from planner.data.tables import read_table
from planner.errors import DataError

EARTH_RADIUS_KM = 6371.0088  # IUGG mean radius
UNREACHABLE = np.inf
MAX_OD_MINUTES = 10_000  # a week of travel: anything larger in an OD matrix is a mistake


@dataclass(frozen=True)
class TravelModel:
    """Parameters of the distance-based travel proxy (all named, all overridable)."""

    circuity: float = 1.3  # road km per straight km; a common proxy (../shared PROVENANCE)
    speed_kmh: float = 40.0  # assumed door-to-door average, not a measured figure
    allow_sea_crossing: bool = False
    ferry_min: float = 120.0  # added to a sea crossing when allowed (assumption)


def great_circle_km(
    lon: np.ndarray, lat: np.ndarray, lon2: np.ndarray | None = None, lat2: np.ndarray | None = None
) -> np.ndarray:
    """Haversine distances in km, all pairs (or each first point to each second point)."""
    lon2 = lon if lon2 is None else lon2
    lat2 = lat if lat2 is None else lat2
    lo, la, lo2, la2 = (np.radians(np.asarray(x, dtype=float)) for x in (lon, lat, lon2, lat2))
    dlo = lo[:, None] - lo2[None, :]
    dla = la[:, None] - la2[None, :]
    a = np.sin(dla / 2) ** 2 + np.cos(la[:, None]) * np.cos(la2[None, :]) * np.sin(dlo / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def sea_crossing(origin_group: pd.Series, site_group: pd.Series) -> np.ndarray:
    """True where origin and site lie in different island groups (mainland is the group '')."""
    g1 = origin_group.fillna("").to_numpy()
    g2 = site_group.fillna("").to_numpy()
    return g1[:, None] != g2[None, :]


def travel_minutes(units: pd.DataFrame, model: TravelModel | None = None) -> pd.DataFrame:
    """Minutes from each unit (rows) to each unit (columns); 0 on the diagonal."""
    minutes = travel_minutes_between(units, units, model).to_numpy(copy=True)
    np.fill_diagonal(minutes, 0.0)
    return pd.DataFrame(minutes, index=units.index, columns=units.index)


def travel_minutes_between(
    origins: pd.DataFrame, sites: pd.DataFrame, model: TravelModel | None = None
) -> pd.DataFrame:
    """Minutes from each origin (rows, e.g. 읍면동) to each site (columns), same proxy.

    Both frames carry ``point_lon``, ``point_lat`` and ``island_group``.
    """
    model = model or TravelModel()
    km = great_circle_km(
        origins.point_lon.to_numpy(),
        origins.point_lat.to_numpy(),
        sites.point_lon.to_numpy(),
        sites.point_lat.to_numpy(),
    )
    minutes = km * model.circuity / model.speed_kmh * 60.0
    sea = sea_crossing(origins.island_group, sites.island_group)
    minutes = np.where(
        sea, minutes + model.ferry_min if model.allow_sea_crossing else UNREACHABLE, minutes
    )
    return pd.DataFrame(minutes, index=origins.index, columns=sites.index)


def load_od_matrix(path: Path, codes: list[str]) -> pd.DataFrame:
    """Read an OD CSV (columns origin, destination, minutes) covering every pair of ``codes``.

    Missing pairs are an error naming the first few; a pair listed twice is an error too.
    The diagonal may be omitted (taken as 0).
    """
    path = Path(path)
    if path.suffix.lower() != ".csv":
        raise DataError(f"{path}: an OD matrix must be a .csv file (origin,destination,minutes)")
    od = read_table(
        path,
        "OD matrix",
        ("origin", "destination", "minutes"),
        dtype={"origin": str, "destination": str},
    )
    minutes = pd.to_numeric(od.minutes, errors="coerce")
    bad = od[
        minutes.isna()
        | ~np.isfinite(minutes)
        | (minutes < 0)
        | (minutes > MAX_OD_MINUTES)
        | od.origin.isna()
        | od.destination.isna()
    ]
    if len(bad):
        r = bad.iloc[0]
        raise DataError(
            f"{path}: row {bad.index[0] + 2} ({str(r.origin)[:12]} -> "
            f"{str(r.destination)[:12]}): 'minutes' must be a finite number from 0 "
            f"to {MAX_OD_MINUTES:,}, and origin and destination given; got "
            f"{str(r.minutes)[:20]!r}"
        )
    dup = od[od.duplicated(["origin", "destination"])]
    if len(dup):
        r = dup.iloc[0]
        raise DataError(f"{path}: pair {r.origin} -> {r.destination} is listed more than once")
    mat = od.pivot(index="origin", columns="destination", values="minutes").astype(float)
    values = mat.reindex(index=codes, columns=codes).to_numpy(copy=True)
    diag = np.diag(values)
    np.fill_diagonal(values, np.where(np.isnan(diag), 0.0, diag))
    mat = pd.DataFrame(values, index=codes, columns=codes)
    missing = np.argwhere(np.isnan(values))
    if len(missing):
        pairs = ", ".join(f"{codes[i]}->{codes[j]}" for i, j in missing[:5])
        raise DataError(
            f"{path}: OD matrix lacks {len(missing)} of the {len(codes) ** 2} pairs "
            f"needed, e.g. {pairs}"
        )
    return mat
