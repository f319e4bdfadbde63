"""Every notebook runs top to bottom (nbclient) without error, with short solver limits."""

from __future__ import annotations

import os
import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


def test_six_notebooks_exist():
    assert [p.stem for p in NOTEBOOKS] == [
        "01-quickstart",
        "02-custom-rule",
        "03-sensitivity",
        "04-history",
        "05-backtest",
        "06-equity-and-robustness",
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs(path, monkeypatch):
    monkeypatch.setenv("PLANNER_NOTEBOOK_FAST", "1")
    nb = nbformat.read(path, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), (
        "commit notebooks with outputs stripped"
    )
    start = time.perf_counter()
    NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    elapsed = time.perf_counter() - start
    print(f"{path.stem}: {elapsed:.1f}s")
    out = os.environ.get("PLANNER_NOTEBOOK_TIMES")
    if out:
        with open(out, "a", encoding="utf-8") as f:
            f.write(f"{path.stem}\t{elapsed:.1f}\n")
