"""The shipped uncertain forward scenario's demand, checked by hand against the figures."""

from __future__ import annotations

from pathlib import Path

import pytest

from planner.data.districts import load_districts
from planner.instance import build_instance
from planner.scenario import load_scenario

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
CODE = "46110"  # 목포시 (전라남도): a district whose figures move between 2015 and 2025


@pytest.fixture(scope="module")
def setup():
    sc = load_scenario(SCENARIOS / "forward-2026-2030-uncertain.yaml")
    d = load_districts(sc.vintage)
    return sc, d, build_instance(sc, d)


def test_the_four_scenarios_and_their_probabilities(setup):
    sc, _, inst = setup
    assert {n: s.probability for n, s in sc.demand_scenarios.items()} == {
        "flat": 0.3,
        "trend": 0.4,
        "fast_trend": 0.15,
        "downturn": 0.15,
    }
    assert set(inst.demand_by_scenario) == set(sc.demand_scenarios)
    # no demand.scenario: the instance plans for the data's figures (2025 for 2026-2030)
    f25 = load_districts(sc.vintage).demand(2025).table
    assert inst.demand[2030].table.loc[CODE, "welfare"] == f25.loc[CODE, "welfare"]


def test_trend_rate_and_expected_by_hand(setup):
    sc, d, inst = setup
    f15, f25 = d.demand(2015).table.loc[CODE], d.demand(2025).table.loc[CODE]
    per_year = (f25 - f15) / 10
    by = inst.demand_by_scenario
    for s in ("jobseekers", "welfare", "seniors"):
        trend = max(0.0, f25[s] + 5 * per_year[s])  # 2030 is 5 years after the data's 2025
        fast = max(0.0, f25[s] + 2 * 5 * per_year[s])
        assert by["flat"][2030].value(CODE, s) == pytest.approx(f25[s])
        assert by["trend"][2030].value(CODE, s) == pytest.approx(trend)
        assert by["fast_trend"][2030].value(CODE, s) == pytest.approx(fast)
        rate = 0.045 / 0.036 if s == "jobseekers" else 1.0
        assert by["downturn"][2030].value(CODE, s) == pytest.approx(trend * rate)
        assert by["trend"][2026].value(CODE, s) == pytest.approx(max(0.0, f25[s] + per_year[s]))
    exp = build_instance(
        sc.model_copy(update={"demand": sc.demand.model_copy(update={"scenario": "expected"})}),
        d,
    )
    mean = sum(
        sc.demand_scenarios[n].probability * by[n][2030].value(CODE, "jobseekers") for n in by
    )
    assert exp.demand[2030].value(CODE, "jobseekers") == pytest.approx(mean)
    assert any("probability-weighted mean" in n and "not forecasts" in n for n in exp.notes)
