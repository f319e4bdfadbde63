"""The compiled district tables: official totals, codes, geometry and flags."""

from __future__ import annotations

import shapely

from planner.data import build

KOREA_BBOX = (124.5, 33.0, 132.0, 38.7)  # lon/lat box around South Korea incl. 울릉, 독도 aside


def test_official_2015_totals(d2015):
    f = d2015.figures[d2015.figures.year == 2015]
    assert len(f) == 229
    assert f.pop_total.sum() == 51_529_338  # MOIS year-end 2015
    assert f.recipients.sum() == 1_646_363  # MOHW 2015 basic-livelihood recipients
    assert set(f.recipients_method) == {"census"}


def test_229_unique_units_in_both_vintages(d2015, d2025):
    for d in (d2015, d2025):
        assert len(d.units) == 229
        assert d.units.index.is_unique
        assert d.units.index.str.fullmatch(r"\d{5}").all()
    assert set(d2015.figures.code) == set(d2015.units.index)
    assert set(d2025.figures.code) == set(d2025.units.index)


def test_code_crosswalk(d2015, d2025):
    cur = d2015.units.code_current
    assert cur["42110"] == "51110"  # 춘천: 강원 42 -> 51
    assert cur["45110"] == "52110"  # 전주: 전북 45 -> 52
    assert cur["47720"] == "27720"  # 군위: 경북 -> 대구
    assert cur["28170"] == "28177"  # 인천 남구 -> 미추홀구
    assert d2015.units.sido["47720"] == "경상북도"
    assert d2025.units.sido["27720"] == "대구광역시"
    assert d2015.units.name_ko["28170"] == "남구"
    assert d2025.units.name_ko["28177"] == "미추홀구"
    changed = (d2015.units.index != d2015.units.code_current).sum()
    assert changed == 18 + 14 + 2  # 강원 18, 전북 14, 군위, 미추홀


def test_every_unit_has_geometry_and_a_point_inside_it(d2015, d2025):
    for d in (d2015, d2025):
        geom = d.geometry()
        assert set(geom.index) == set(d.units.index)
        assert not geom.is_empty.any()
        assert geom.is_valid.all()
        pts = shapely.points(d.units.point_x_5179, d.units.point_y_5179)
        polys = geom.reindex(d.units.index).to_numpy()
        inside = shapely.contains(polys, pts) | (shapely.distance(polys, pts) < 1.0)
        assert inside.all(), list(d.units.index[~inside])
        lon, lat = d.units.point_lon, d.units.point_lat
        assert lon.between(KOREA_BBOX[0], KOREA_BBOX[2]).all()
        assert lat.between(KOREA_BBOX[1], KOREA_BBOX[3]).all()


def test_vintages_cover_the_same_land(d2015, d2025):
    a15 = d2015.geometry().area.sum() / 1e6
    a25 = d2025.geometry().area.sum() / 1e6
    assert 99_000 < a15 < 101_500  # South Korea's land area is about 100,400 km2
    assert abs(a15 - a25) / a15 < 0.03


def test_no_negative_or_missing_figure_without_flag(d2015):
    f = d2015.figures
    numeric = [
        "pop_total",
        "pop_15_64",
        "pop_65p",
        "pop_50_64",
        "women_25_54",
        "recipients",
        "jobseekers_est",
    ]
    assert not f[numeric].isna().any().any()
    assert (f[numeric] >= 0).all().all()
    assert set(f.recipients_method) == {"census", "interpolated_2015_2020", "estimated_2020_rate"}
    assert set(f.age_method) <= {"reported", "estimated_2023_shares", "estimated_2018_shares"}
    est = f[f.age_method != "reported"]
    assert sorted(est.code.unique()) == ["28170", "47720"]  # 미추홀 (2015 code), 군위
    assert (f.pop_15_64 <= f.pop_total).all()
    assert (f.women_25_54 < f.pop_total).all()


def test_recipients_interpolation_is_linear(d2015):
    f = d2015.figures.set_index(["code", "year"])
    r15, r20 = f.recipients[("11110", 2015)], f.recipients[("11110", 2020)]
    assert abs(f.recipients[("11110", 2017)] - (r15 + (r20 - r15) * 2 / 5)) <= 1


def test_jobseeker_estimate_is_labelled_and_reproducible(d2015):
    f = d2015.figures
    assert ((f.pop_15_64 * build.JOBSEEKER_RATE).round() == f.jobseekers_est).all()
    seg = d2015.catalog.segments["jobseekers"]
    assert seg.estimate and "estimate" in seg.name_en


def test_employment_centers(d2015, d2025):
    c = d2025.centers
    assert len(c) == 133 and c.is_branch.sum() == 31
    assert c.host_code.isin(d2025.units.index).all()
    assert c.center_name[c.host_code == "41360"].tolist() == ["남양주고용센터"]
    # every unit has an assigned center; the unlisted ones are flagged as nearest
    u = d2015.units
    assert u.ec_center_id.notna().all()
    assert set(u.ec_assignment) == {"hosts", "listed", "nearest"}
    nearest = set(u.name_ko[u.ec_assignment == "nearest"])
    assert {"진도군", "철원군"} <= nearest
    assert d2015.has_employment_center().sum() == 132  # 창원 hosts two centers


def test_veterans_presence_where_known(d2025):
    p = d2025.presence
    assert set(p.basis) == {"listed_unit", "listed_sido_only"}
    assert set(p.code[p.basis == "listed_unit"]) == {"11650", "41280", "28245"}
