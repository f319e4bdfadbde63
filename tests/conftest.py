from __future__ import annotations

from pathlib import Path

import pytest

from planner.data.districts import load_districts
from planner.run import run_scenario

REPO = Path(__file__).resolve().parents[1]
SCENARIOS = REPO / "scenarios"


@pytest.fixture(scope="session")
def d2015():
    return load_districts(2015)


@pytest.fixture(scope="session")
def d2025():
    return load_districts(2025)


# the toy and national runs with every output, shared by the output tests
@pytest.fixture(scope="session")
def toy_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "toy"
    return run_scenario(SCENARIOS / "toy.yaml", out).out


@pytest.fixture(scope="session")
def national_run():
    # kept in the work tree (runs/ is git-ignored) so that people can look at the screenshot;
    # the output tests read names and pages, not the proof: 60 s give a feasible plan (the
    # proof takes about two minutes more on 2 cores)
    out = REPO / "runs" / "test-national"
    return run_scenario(SCENARIOS / "national-2014-2017.yaml", out, force=True, time_limit_s=60).out
