"""The notebook API: the three five-line edits change the toy solution as expected."""

from __future__ import annotations

import planner as pl

from .conftest import SCENARIOS


def toy():
    return pl.load_scenario(SCENARIOS / "toy.yaml")


def test_switching_a_rule_off_lets_a_forbidden_plan_through():
    sc = pl.modify(toy(), sites={"forbidden": ["30170"]})
    m = pl.build_model(sc)
    assert "30170" not in set(pl.solve(m).plan.code)
    m.disable("site-forbidden")  # the five-line edit
    sol = pl.solve(m)
    assert "30170" in set(sol.plan.code)  # 대전 서구 is the best site
    assert sol.violations == []  # the rule is off: nothing to report


def test_a_soft_rule_with_a_low_penalty_is_violated_and_reported():
    sc = pl.modify(toy(), pools={"welfare_team": {2015: 0, 2016: 0}})
    m = pl.build_model(sc)
    m.make_soft("agency-staff_pool", penalty=1.0)  # the five-line edit
    sol = pl.solve(m)
    assert sol.has_plan
    soft = [v for v in sol.violations if v.soft]
    assert soft and {v.rule for v in soft} == {"agency-staff_pool"}
    assert sol.soft_penalty > 0


def test_a_custom_rule_is_respected_and_named_by_the_validator():
    m = pl.build_model(toy())
    assert "30170" in set(pl.solve(m).plan.code)

    def no_center_in_seogu(ctx):  # the five-line edit
        for y in ctx.years:
            ctx.add(ctx.is_open("30170", y), "<=", 0, f"30170@{y}")

    m.add_rule("custom-no_seogu", no_center_in_seogu)
    sol = pl.solve(m)
    assert "30170" not in set(sol.plan.code)
    assert "custom-no_seogu" in sol.rules.index and sol.rules.active["custom-no_seogu"]
    assert "custom-no_seogu" in sol.checked_by_own_rows and sol.violations == []
    assert "custom-no_seogu" not in sol.checked_rules  # no specification: its own rows only
    # a plan made without the rule is reported against it, by name, from the rule's own rows
    from planner.model.backends import RawResult
    from planner.solution import decode_solution

    m.disable("custom-no_seogu")
    plan = pl.solve(m)
    m.enable("custom-no_seogu")
    built = m.build()
    values = [plan.values_by_name.get(n, 0) for n in built.lm.names]
    raw = RawResult("cbc", "FEASIBLE", values, None, None, 0.0, [])
    found = decode_solution(m, built, raw).violations
    assert {v.rule for v in found} == {"custom-no_seogu"}
    assert any("30170@" in v.message for v in found)


def test_rules_listing_and_data_helpers():
    table = pl.rules()
    assert "phase-target" in table.index
    assert not table.loc["center-capacity", "active"] and table.loc["phase-target", "active"]
    gdf = pl.districts_gdf(2015, 2015)
    assert len(gdf) == 229 and "jobseekers" in gdf.columns and gdf.crs.to_epsg() == 4326


def test_explore_returns_a_map():
    sol = pl.solve(pl.build_model(toy()))
    m = pl.explore(sol)
    html = m.get_root().render()
    assert "planner-center" in html
