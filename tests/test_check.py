"""Pre-solve checks state the numbers; `planner check` exits 0 when sound, 1 when infeasible."""

from __future__ import annotations

import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.check import run_checks
from planner.cli import main
from planner.instance import build_instance
from planner.model.plan_model import PlanModel
from planner.scenario import scenario_from_dict
from planner.scenario.load import deep_merge
from planner.solution import solve

from .conftest import SCENARIOS
from .test_scenario_validation import _toy_doc


def _national_doc() -> dict:
    base = yaml.safe_load((SCENARIOS / "base.yaml").read_text())
    nat = yaml.safe_load((SCENARIOS / "national-2014-2017.yaml").read_text())
    nat.pop("extends")
    return deep_merge(base, nat)


def _errors(doc, districts):
    inst = build_instance(scenario_from_dict(doc), districts)
    return [str(f) for f in run_checks(inst) if f.level == "error"]


def test_shipped_scenarios_pass(d2015):
    assert _errors(_national_doc(), d2015) == []
    assert _errors(_toy_doc(), d2015) == []


def test_small_welfare_pool_names_phase_and_numbers(d2015):
    doc = _national_doc()
    doc["pools"]["welfare_team"][2015] = 50
    errs = _errors(doc, d2015)
    assert errs == [
        "[error] agency-staff_pool: 2015 needs 30 new centers x 2 welfare_team "
        "staff + 3 arranged guest teams x 2 welfare_team staff = 66; pool is 50"
    ]


def test_arranged_guest_teams_count_in_the_pool_check(d2015):
    # 서울동부 (from 2015) places 광진's, 성동's and 강동's teams in 송파: 30 x 2 + 3 x 2 = 66
    # officers at least in 2015, so 64 cannot work (CBC needed 48 s to prove it) and 66 may
    doc = _national_doc()
    doc["pools"]["welfare_team"][2015] = 64
    assert _errors(doc, d2015) == [
        "[error] agency-staff_pool: 2015 needs 30 new centers x 2 welfare_team "
        "staff + 3 arranged guest teams x 2 welfare_team staff = 66; pool is 64"
    ]
    doc["pools"]["welfare_team"][2015] = 66
    assert _errors(doc, d2015) == []
    doc["welfare_arrangements"] = []
    doc["pools"]["welfare_team"][2015] = 64
    assert _errors(doc, d2015) == []


def test_cumulative_pool_basis(d2015):
    doc = _national_doc()
    doc["pools_basis"] = "cumulative"
    # by hand: 10 x 2 in 2014, then 30 x 2 + 3 arranged guest teams x 2 in 2015: 86 by 2015,
    # then 146 and 206
    doc["pools"]["welfare_team"] = {2014: 20, 2015: 70, 2016: 200, 2017: 206}
    errs = _errors(doc, d2015)
    assert errs == [
        "[error] agency-staff_pool: by 2015 at least 86 welfare_team staff are "
        "needed; the cumulative pool is 70"
    ]


def test_too_many_centers_for_the_study_area(d2015):
    doc = _toy_doc()
    doc["phases"] = [{"year": 2015, "target": 4}, {"year": 2016, "target": 3}]
    doc["pools"] = {}
    errs = _errors(doc, d2015)
    assert any("by 2016 the targets call for 7 new centers, but only 6 sites" in e for e in errs)


def test_no_new_builds_allowed_yet(d2015):
    # 대전+세종 have 2 units with an Employment Center; 3 centers in 2015 need a new build
    doc = _toy_doc()
    doc["kinds"]["new_build"]["earliest_year"] = 2016
    doc["phases"] = [{"year": 2015, "target": 3}, {"year": 2016, "target": 1}]
    doc["pools"] = {}
    errs = _errors(doc, d2015)
    assert any(
        "site-earliest_year: by 2015 the targets call for 3 new centers" in e
        and "only 2 conversion-eligible sites" in e
        for e in errs
    )


def test_new_build_staff_needed(d2015):
    # 3 centers, 2 conversion sites: at least one new build needing 10 Employment Center staff
    doc = _toy_doc()
    doc["phases"] = [{"year": 2015, "target": 3}, {"year": 2016, "target": 0}]
    doc["pools"] = {"employment_center": {2015: 5}}
    errs = _errors(doc, d2015)
    assert errs == [
        "[error] agency-staff_pool: 2015 needs 1 new builds (too few conversion "
        "sites) x 10 employment_center staff = 10; pool is 5"
    ]


def test_budget_too_small(d2015):
    doc = _toy_doc()
    doc["phases"][0]["budget_mkrw"] = 400
    errs = _errors(doc, d2015)
    assert errs == [
        "[error] phase-budget: 2015 needs at least 500 million KRW "
        "(1 conversions, 0 new builds); budget is 400"
    ]


def test_regional_balance(d2015):
    doc = _national_doc()
    doc["phases"] = [{"year": 2014, "target": 10}]
    doc["pools"] = {}
    doc["sites"] = {}
    doc["regional_balance"] = {"min_per_sido": 1, "by_year": 2014}
    errs = _errors(doc, d2015)
    assert errs == [
        "[error] region-balance: 17 시도 x 1 = 17 centers needed by 2014; the targets give 10"
    ]


def test_forced_conversion_without_center(d2015):
    doc = _toy_doc()
    doc["sites"] = {"forced": [{"code": "30110", "year": 2015, "kind": "conversion"}]}
    errs = _errors(doc, d2015)
    assert errs == [
        "[error] site-kind_eligibility: sites.forced[0] (30110) is forced as conversion, "
        "but conversion may not open in 동구 (needs an Employment Center office (2015 network))"
    ]


def test_cli_check_exit_codes(tmp_path):
    runner = CliRunner()
    ok = runner.invoke(main, ["check", str(SCENARIOS / "toy.yaml")])
    assert ok.exit_code == 0, ok.output
    assert "passes the pre-solve checks" in ok.output and "== pools" in ok.output
    doc = _toy_doc()
    doc["pools"]["welfare_team"][2016] = 1
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(doc, allow_unicode=True))
    res = runner.invoke(main, ["check", str(bad)])
    assert res.exit_code == 1
    assert "2016 needs 1 new centers x 2 welfare_team staff = 2; pool is 1" in res.output
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: [\n")
    res = runner.invoke(main, ["check", str(broken)])
    assert res.exit_code == 2 and "YAML syntax error" in res.output
    assert "Traceback" not in res.output


def _toy_model(d2015, mode: str, welfare: dict, basis: str = "per_phase", targets=(1, 1)):
    doc = _toy_doc()
    doc["target_mode"] = mode
    doc["pools_basis"] = basis
    doc["pools"]["welfare_team"] = welfare
    doc["phases"] = [{"year": y, "target": t} for y, t in zip((2015, 2016), targets, strict=True)]
    return PlanModel(build_instance(scenario_from_dict(doc), d2015))


def _new_in(sol, year: int) -> int:
    return int((sol.plan.phase_opened == year).sum())


def test_only_exact_targets_fix_each_phase_s_openings(d2015):
    # welfare pool 4 in 2015 and 0 in 2016, 2 officers a center, targets 1 then 1 more:
    # exact forces a center in 2016 (infeasible, by the check and by the solver alike);
    # at_least lets both open in 2015, at_most lets 2016 open none: no claim, and a plan
    welfare = {2015: 4, 2016: 0}
    exact = solve(_toy_model(d2015, "exact", welfare))
    assert (exact.status, exact.proof) == ("infeasible", "presolve_check")
    assert "2016 needs 1 new centers x 2 welfare_team staff = 2; pool is 0" in exact.log[0]
    unchecked = _toy_model(d2015, "exact", welfare)
    unchecked._as_stated = {}  # the solver's own answer, without the check's
    assert solve(unchecked).status == "infeasible"
    at_least = solve(_toy_model(d2015, "at_least", welfare))
    assert at_least.optimal and (_new_in(at_least, 2015), _new_in(at_least, 2016)) == (2, 0)
    at_most = solve(_toy_model(d2015, "at_most", welfare))
    assert at_most.optimal and (_new_in(at_most, 2015), _new_in(at_most, 2016)) == (1, 0)
    for mode in ("at_least", "at_most"):
        assert _errors_of(_toy_model(d2015, mode, welfare)) == []


def _errors_of(model) -> list[str]:
    return [str(f) for f in run_checks(model.instance) if f.level == "error"]


def test_a_rule_switched_off_or_softened_voids_the_check_s_proof(d2015):
    welfare = {2015: 4, 2016: 0}
    off = _toy_model(d2015, "exact", welfare).disable("agency-staff_pool")
    assert solve(off).optimal
    soft = solve(_toy_model(d2015, "exact", welfare).make_soft("agency-staff_pool", 1.0))
    assert soft.status != "infeasible" and soft.proof != "presolve_check"
    # a rule the arithmetic uses (every center hosts the welfare team) switched off: the
    # solver decides, and here a center without the team is allowed
    no_mandatory = _toy_model(d2015, "exact", welfare).disable("agency-mandatory")
    assert solve(no_mandatory).proof != "presolve_check"


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    mode=st.sampled_from(["exact", "at_least", "at_most"]),
    basis=st.sampled_from(["per_phase", "cumulative"]),
    w15=st.integers(0, 5),
    w16=st.integers(0, 5),
    targets=st.tuples(st.integers(0, 2), st.integers(0, 2)),
)
def test_the_check_claims_infeasible_only_where_the_solver_proves_it(
    d2015, mode, basis, w15, w16, targets
):
    welfare = {2015: w15, 2016: w16}
    checked = solve(_toy_model(d2015, mode, welfare, basis, targets))
    unchecked = _toy_model(d2015, mode, welfare, basis, targets)
    unchecked._as_stated = {}
    alone = solve(unchecked)
    assert alone.status in ("optimal", "infeasible")  # the toy is always proven
    if checked.proof == "presolve_check":
        assert checked.status == "infeasible" and alone.status == "infeasible"
    else:
        assert checked.status == alone.status
