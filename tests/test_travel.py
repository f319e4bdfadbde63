from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from planner.data.travel import TravelModel, great_circle_km, load_od_matrix, travel_minutes
from planner.errors import DataError


def test_great_circle_known_distance():
    # Seoul City Hall (126.9780, 37.5665) to Busan City Hall (129.0756, 35.1796): about 325 km
    km = great_circle_km(np.array([126.9780, 129.0756]), np.array([37.5665, 35.1796]))
    assert km[0, 1] == pytest.approx(325, abs=3)
    assert km[0, 0] == 0


def test_travel_minutes_properties(d2015):
    t = travel_minutes(d2015.units)
    assert (np.diag(t) == 0).all()
    finite = np.isfinite(t.to_numpy())
    assert np.allclose(t.to_numpy()[finite], t.T.to_numpy()[finite])
    # Jeju to Seoul crosses the sea: unreachable by default
    assert np.isinf(t.loc["50110", "11110"])
    assert np.isfinite(t.loc["50110", "50130"])  # 제주시 - 서귀포시, same island
    # minutes = km x circuity / speed x 60
    km = great_circle_km(d2015.units.point_lon.to_numpy(), d2015.units.point_lat.to_numpy())
    i, j = d2015.units.index.get_loc("11110"), d2015.units.index.get_loc("26110")
    assert t.iloc[i, j] == pytest.approx(km[i, j] * 1.3 / 40 * 60)


def test_sea_crossing_allowed_adds_ferry_time(d2015):
    t = travel_minutes(d2015.units, TravelModel(allow_sea_crossing=True, ferry_min=100))
    base = travel_minutes(d2015.units, TravelModel(allow_sea_crossing=False))
    assert np.isfinite(t.to_numpy()).all()
    land = travel_minutes(d2015.units.assign(island_group=""))
    assert t.loc["47940", "47130"] == pytest.approx(land.loc["47940", "47130"] + 100)
    assert np.isinf(base.loc["47940", "47130"])  # 울릉 - 경주


def _od(tmp_path, rows):
    p = tmp_path / "od.csv"
    pd.DataFrame(rows, columns=["origin", "destination", "minutes"]).to_csv(p, index=False)
    return p


def test_od_matrix_complete(tmp_path):
    p = _od(tmp_path, [("A", "B", 10), ("B", "A", 12)])
    m = load_od_matrix(p, ["A", "B"])
    assert m.loc["A", "B"] == 10 and m.loc["B", "A"] == 12 and m.loc["A", "A"] == 0


def test_od_matrix_missing_pair_named(tmp_path):
    p = _od(tmp_path, [("A", "B", 10)])
    with pytest.raises(DataError, match=r"lacks 1 of the 4 pairs.*B->A"):
        load_od_matrix(p, ["A", "B"])


def test_od_matrix_bad_value_and_duplicates(tmp_path):
    with pytest.raises(DataError, match="'minutes' must be a finite number"):
        load_od_matrix(_od(tmp_path, [("A", "B", -1), ("B", "A", 1)]), ["A", "B"])
    with pytest.raises(DataError, match="more than once"):
        load_od_matrix(_od(tmp_path, [("A", "B", 1), ("A", "B", 2)]), ["A", "B"])
    with pytest.raises(DataError, match="needs column"):
        p = tmp_path / "x.csv"
        p.write_text("from,to,min\nA,B,1\n")
        load_od_matrix(p, ["A", "B"])
