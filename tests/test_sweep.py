"""A small sweep on a 2-worker LocalCluster equals solving the variants one by one."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from planner.model.plan_model import PlanModel
from planner.solution import solve
from planner.sweep import load_sweep, run_sweep, set_path, variants

FIXTURE = Path(__file__).parent / "fixtures" / "toy-sweep.yaml"


def test_set_path():
    doc = {"a": {"b": [{"c": 1}, {"c": 2}]}, "pools": {}}
    set_path(doc, "a.b.1.c", 5)
    set_path(doc, "pools.welfare_team.2015", 3)
    assert doc["a"]["b"][1]["c"] == 5 and doc["pools"]["welfare_team"][2015] == 3


def test_sweep_matches_sequential_and_resumes(tmp_path):
    import shutil

    sweep_file = tmp_path / "s.yaml"
    text = FIXTURE.read_text().replace(
        "../../scenarios/toy.yaml", str(Path(__file__).parents[1] / "scenarios/toy.yaml")
    )
    sweep_file.write_text(text + f"out: {tmp_path / 'out'}\n")
    table = run_sweep(sweep_file, workers=2)
    assert len(table) == 4 and (tmp_path / "out" / "results.csv").exists()
    spec, base_doc, _ = load_sweep(sweep_file)
    for row, params in zip(table.itertuples(), variants(spec), strict=True):
        doc = copy.deepcopy(base_doc)
        for k, v in params.items():
            set_path(doc, k, v)
        from planner.api import resolve as instance
        from planner.scenario import scenario_from_dict

        sc = scenario_from_dict(doc)
        if params["pools.welfare_team.2016"] == 0:
            assert row.status == "infeasible"
            assert "welfare_team" in row.reason and "pool is 0" in row.reason
            continue
        sol = solve(PlanModel(instance(sc)))
        assert row.status == sol.status == "optimal"
        assert row.objective == pytest.approx(sol.objective)
    again = run_sweep(sweep_file, workers=2)
    assert again.resumed.all()
    assert again.drop(columns="resumed").equals(table.drop(columns="resumed"))
    shutil.rmtree(tmp_path / "out")


def test_sweep_on_an_existing_scheduler(tmp_path):
    from dask.distributed import LocalCluster

    sweep_file = tmp_path / "s.yaml"
    toy = Path(__file__).parents[1] / "scenarios/toy.yaml"
    sweep_file.write_text(
        f"base: {toy}\ngrid:\n  travel.cutoff_min: [30]\nout: {tmp_path / 'out'}\n"
    )
    messages = []
    with LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        table = run_sweep(sweep_file, scheduler=cluster.scheduler_address, progress=messages.append)
    assert table.status.tolist() == ["optimal"]
    assert any("1/1" in m and "#" in m for m in messages)
