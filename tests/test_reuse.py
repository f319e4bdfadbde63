"""A what-if that only tightens a proven base model reuses its optimum (model.reuse).

The claim "optimal without a solve" must never be more than is proven, so the condition is
checked against brute force on small random models (every 0/1 point of the what-if model
must be a point of the base), and on the toy scenario against cold solves.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import planner as pl
from planner.model.linear import LinearModel
from planner.model.reuse import is_tightening, tightened_optimum
from planner.solution import solve

TOY = Path(__file__).resolve().parents[1] / "scenarios" / "toy.yaml"


def _model(rows: list[tuple[dict[int, int], str, int]], obj: dict[int, int], n: int = 3):
    lm = LinearModel()
    for k in range(n):
        lm.var(f"x{k}")
    for terms, sense, rhs in rows:
        lm.add_row(terms, sense, rhs, "r", "row")
    lm.add_objective(obj)
    return lm


def test_tightening_by_hand() -> None:
    base = _model([({0: 1, 1: 1}, "<=", 2)], {0: 3, 1: 2})
    # a tighter right-hand side, plus a new row: a tightening
    assert is_tightening(base, _model([({0: 1, 1: 1}, "<=", 1), ({2: 1}, "==", 0)], {0: 3, 1: 2}))
    # a looser right-hand side, a changed coefficient, a dropped row, a changed objective
    assert not is_tightening(base, _model([({0: 1, 1: 1}, "<=", 3)], {0: 3, 1: 2}))
    assert not is_tightening(base, _model([({0: 1, 1: 2}, "<=", 2)], {0: 3, 1: 2}))
    assert not is_tightening(base, _model([], {0: 3, 1: 2}))
    assert not is_tightening(base, _model([({0: 1, 1: 1}, "<=", 2)], {0: 3, 1: 3}))
    # the same variables in another order are still the same model
    other = LinearModel()
    for k in (2, 1, 0):
        other.var(f"x{k}")
    other.add_row({2: 1, 1: 1}, "<=", 2, "r", "row")
    other.add_objective({2: 3, 1: 2})
    assert is_tightening(base, other)
    # integrality: a variable made continuous allows more plans
    relaxed = _model([({0: 1, 1: 1}, "<=", 2)], {0: 3, 1: 2})
    relaxed.continuous.add(0)
    assert not is_tightening(base, relaxed)
    # a plan the what-if forbids is not returned
    assert (
        tightened_optimum(base, {"x0": 1, "x1": 1}, _model([({0: 1, 1: 1}, "<=", 1)], {})) is None
    )


ROW = st.tuples(
    st.dictionaries(st.integers(0, 2), st.integers(-2, 2), min_size=1, max_size=3),
    st.sampled_from(["<=", ">=", "=="]),
    st.integers(-2, 3),
)


def _points(lm: LinearModel) -> set[tuple[int, ...]]:
    out = set()
    for x in itertools.product(*(range(lo, hi + 1) for lo, hi in zip(lm.lb, lm.ub, strict=True))):
        if not lm.violated_rows(list(x)):
            out.add(x)
    return out


@settings(max_examples=300, deadline=None)
@given(
    base_rows=st.lists(ROW, max_size=3),
    extra=st.lists(ROW, max_size=2),
    shifts=st.lists(st.integers(-2, 2), min_size=3, max_size=3),
    fixes=st.lists(st.sampled_from([None, 0, 1]), min_size=3, max_size=3),
    obj=st.dictionaries(st.integers(0, 2), st.integers(-3, 3)),
    new_obj=st.booleans(),
)
def test_tightening_is_sound(base_rows, extra, shifts, fixes, obj, new_obj) -> None:
    """Whenever is_tightening says so, every point of the new model is a point of the base
    with the same objective, and then the base's optimum, if allowed, is the new optimum."""
    base = _model(base_rows, obj)
    rows = [(t, s, r + d) for (t, s, r), d in zip(base_rows, shifts, strict=False)] + extra
    new = _model(rows, {0: 1} if new_obj else obj)
    for k, f in enumerate(fixes):
        if f is not None:
            new.fix(k, f)
    if not is_tightening(base, new):
        return
    new_points, base_points = _points(new), _points(base)
    assert new_points <= base_points
    assert all(new.evaluate(list(p)) == base.evaluate(list(p)) for p in new_points)
    if not base_points:
        return
    best = max(base_points, key=lambda p: (base.evaluate(list(p)), p))
    got = tightened_optimum(base, {f"x{k}": v for k, v in enumerate(best)}, new)
    if best in new_points:
        assert got == list(best)
        assert new.evaluate(got) == max(new.evaluate(list(p)) for p in new_points)
    else:
        assert got is None


@pytest.fixture(scope="module")
def toy_base():
    sc = pl.load_scenario(TOY)
    base = solve(pl.build_model(sc), backend="cbc")
    assert base.optimal and base.proven_model is not None
    return sc, base


@pytest.mark.parametrize(
    "pools, reused",
    [
        # the toy plan places no new Employment Center: cutting that pool to 0 changes nothing
        ({"employment_center": {2015: 0, 2016: 0}}, True),
        # the welfare pool binds (2 of 2 in 2015): one fewer needs a new solve
        ({"welfare_team": {2015: 1, 2016: 2}}, False),
        # a looser pool may allow a better plan: never reused
        ({"welfare_team": {2015: 3, 2016: 3}}, False),
    ],
)
def test_toy_what_ifs_match_cold_solves(toy_base, pools, reused) -> None:
    sc, base = toy_base
    variant = pl.modify(sc, pools=pools)
    warm = solve(pl.build_model(variant), backend="cbc", warm_start=base)
    cold = solve(pl.build_model(variant), backend="cbc")
    assert (warm.proof == "base_optimum_tightened") == reused
    assert warm.status == cold.status
    if cold.optimal:
        assert warm.objective == pytest.approx(cold.objective, abs=1e-6)
        assert not warm.violations


def test_not_pickled(toy_base) -> None:
    import pickle

    _, base = toy_base
    assert pickle.loads(pickle.dumps(base)).proven_model is None
