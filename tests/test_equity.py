"""Equity KPIs by hand on a 3-district toy: E2SFCA (PySAL access), Gini and Theil (PySAL
inequality), and the people beyond the cutoff.

Districts A, B, C with 100, 300 and 600 people; one center at A; travel to A 0, 10 and 40
minutes; cutoff 30. Linear decay: weights 1, 2/3 and 0, so the center's ratio is
1 / (100 x 1 + 300 x 2/3) = 1/300 and the scores are A 1/300, B (2/3)/300 = 1/450, C 0."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from planner.equity import e2sfca, gini, person_copies, theil

DEMAND = pd.Series([100.0, 300.0, 600.0], index=["A", "B", "C"])
MINUTES = pd.DataFrame({"A": [0.0, 10.0, 40.0]}, index=["A", "B", "C"])


def test_e2sfca_linear_by_hand():
    score = e2sfca(DEMAND, pd.Series({"A": 1.0}), MINUTES, "linear", 30.0)
    assert score.to_dict() == pytest.approx({"A": 1 / 300, "B": 1 / 450, "C": 0.0})


def test_e2sfca_step_by_hand():
    # step: A and B share the center equally, 1 / 400 each; C is beyond the cutoff
    score = e2sfca(DEMAND, pd.Series({"A": 1.0}), MINUTES, "step", 30.0)
    assert score.to_dict() == pytest.approx({"A": 1 / 400, "B": 1 / 400, "C": 0.0})


def test_e2sfca_two_centers_by_hand():
    # a second center at C (C 0 min, B 20 min to it): ratio_C = 1 / (600 + 300 x 1/3) = 1/700
    minutes = MINUTES.assign(C=[40.0, 20.0, 0.0])
    score = e2sfca(DEMAND, pd.Series({"A": 1.0, "C": 1.0}), minutes, "linear", 30.0)
    ra, rc = 1 / (100 + 300 * 2 / 3), 1 / (600 + 300 / 3)
    assert score.to_dict() == pytest.approx({"A": ra, "B": ra * 2 / 3 + rc / 3, "C": rc})


def test_gini_by_hand():
    x = np.array([1 / 300, 1 / 450, 0.0]) * 1e5
    # sum_ij |x_i - x_j| / (2 n^2 mean) = 1333.3 / 3333.3
    assert gini(x) == pytest.approx(0.4, abs=1e-9)
    assert gini(np.array([5.0, 5.0, 5.0])) == pytest.approx(0.0)


def test_gini_across_people_by_hand():
    # step scores: 250 for A and B's 400 people, 0 for C's 600: weights 0.4 and 0.6, mean
    # 100, G = 2 x 0.4 x 0.6 x 250 / (2 x 100) = 0.6
    people = person_copies(np.array([250.0, 250.0, 0.0]), np.array([100e3, 300e3, 600e3]))
    assert len(people) == 1000
    assert gini(people) == pytest.approx(0.6, abs=1e-9)


def test_theil_and_its_decomposition_by_hand():
    x = np.array([1 / 300, 1 / 450, 0.0]) * 1e5
    t, bg, wg = theil(x, np.array(["X", "X", "Y"]))
    # shares 0.6, 0.4, 0: T = 0.6 ln 1.8 + 0.4 ln 1.2; between: X holds everything with 2 of 3
    # districts, ln(3/2); within = the rest
    assert t == pytest.approx(0.6 * math.log(1.8) + 0.4 * math.log(1.2), abs=1e-6)
    assert bg == pytest.approx(math.log(1.5), abs=1e-6)
    assert wg == pytest.approx(t - bg, abs=1e-6)
