from __future__ import annotations

from pathlib import Path

import pytest

from planner.data.districts import load_districts

REPO = Path(__file__).resolve().parents[1]
SCENARIOS = REPO / "scenarios"


@pytest.fixture(scope="session")
def d2015():
    return load_districts(2015)


@pytest.fixture(scope="session")
def d2025():
    return load_districts(2025)
