"""Arbitrary YAML never crashes the loader with anything but the project's ScenarioError;
mutants of a valid scenario never crash anything after loading either."""

from __future__ import annotations

import random

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.errors import ScenarioError
from planner.scenario import load_scenario, scenario_from_dict
from planner.scenario.load import parse_yaml

from .scenario_mutants import TAGS, as_text, mutate, outcome
from .test_scenario_validation import _toy_doc

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["2015", "30170", "max_served", "conversion", "-1", ""]),
)
keys = st.one_of(
    st.text(max_size=10),
    st.sampled_from(
        [
            "name",
            "phases",
            "targets",
            "kinds",
            "formats",
            "pools",
            "sites",
            "year",
            "target",
            "travel",
            "rules",
            "vintage",
            "extends",
            "agencies",
            "segments",
        ]
    ),
    st.integers(2010, 2030),
)
trees = st.recursive(
    scalars,
    lambda kids: st.one_of(st.lists(kids, max_size=4), st.dictionaries(keys, kids, max_size=5)),
    max_leaves=25,
)


def _only_scenario_errors(fn, *args):
    try:
        fn(*args)
    except ScenarioError:
        pass


@settings(max_examples=300, deadline=None)
@given(trees)
def test_arbitrary_documents(doc):
    _only_scenario_errors(scenario_from_dict, doc)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_arbitrary_text(text):
    _only_scenario_errors(parse_yaml, text, "<fuzz>")


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(TAGS), st.sampled_from(["name", "vintage", "phases", "x"]), st.text(max_size=30)
)
def test_tagged_values(tag, key, value):
    _only_scenario_errors(parse_yaml, f"{key}: {tag} {value}\n", "<fuzz>")


def test_mutants_reach_the_checks_build_and_solve(tmp_path):
    """Mutants of the toy scenario: only the project's errors, and a third or more load (so
    the instance, checks, model and solve after loading are fuzzed). `bench/fuzz.py` runs
    thousands."""
    rng = random.Random(20261201)
    doc = _toy_doc()
    counts = {"loaded": 0, "error": 0}
    for _ in range(60):
        counts[outcome(as_text(mutate(doc, rng), rng), tmp_path, time_limit_s=5)] += 1
    assert counts["loaded"] >= 60 / 3, counts


def _paths(node, prefix=()):
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, (*prefix, i))
    yield prefix


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.data())
def test_mutated_valid_scenario(tmp_path, data):
    """Replace one node of a valid scenario by anything: a clean error or a valid scenario."""
    doc = _toy_doc()
    paths = [p for p in _paths(doc) if p]
    path = data.draw(st.sampled_from(paths))
    node = doc
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = data.draw(trees)
    f = tmp_path / "m.yaml"
    f.write_text(yaml.safe_dump(doc, allow_unicode=True))
    _only_scenario_errors(load_scenario, f)
