"""The committed tables are exactly what the build script makes from the public sources."""

from __future__ import annotations

import filecmp

import pytest

from planner.data.build import build
from planner.paths import districts_dir, shared_data_dir


@pytest.mark.skipif(not shared_data_dir().exists(), reason="../shared/data not present")
def test_rebuild_matches_committed_tables(tmp_path):
    written = build(shared_data_dir(), tmp_path)
    for name, path in written.items():
        committed = districts_dir() / path.name
        assert committed.exists(), f"{name} not committed"
        assert filecmp.cmp(path, committed, shallow=False), f"{path.name} differs from build"
