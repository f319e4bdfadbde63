"""Where the project's compiled tables and the shared raw data live."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def data_dir() -> Path:
    """The compiled tables (``data/`` of the repository, or ``$PLANNER_DATA``)."""
    return Path(os.environ.get("PLANNER_DATA", REPO_ROOT / "data"))


def districts_dir() -> Path:
    """The compiled district tables."""
    return data_dir() / "districts"


def history_dir() -> Path:
    """The project's compiled history: office openings, the Plus Centers of 2014-2015."""
    return data_dir() / "history"


def shared_data_dir() -> Path:
    """The raw public data kept outside the repository (``../shared/data``)."""
    return Path(os.environ.get("PLANNER_SHARED_DATA", REPO_ROOT.parent / "shared" / "data"))
