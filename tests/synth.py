"""Small synthetic instances for model tests (solvable by hand or by enumeration)."""

from __future__ import annotations

import copy
import itertools

import numpy as np
import pandas as pd

from planner.instance import instance_from_matrix
from planner.model import dispatch
from planner.model.plan_model import PlanModel
from planner.scenario import scenario_from_dict
from planner.scenario.load import deep_merge
from planner.scenario.schema import Solver

ALL_AGENCIES = [
    "welfare_team",
    "local_job_center",
    "saeil",
    "self_sufficiency",
    "veterans",
    "microfinance",
    "senior_jobs",
    "legal_aid",
    "culture",
    "creative",
]

BASE = {
    "name": "synthetic",
    "vintage": 2015,
    "phases": [{"year": 2015, "target": 1}],
    "targets": "per_phase",
    "kinds": {
        "conversion": {
            "name_ko": "전환형",
            "name_en": "conversion",
            "office": "required",
            "cost_mkrw": 0,
        },
        "new_build": {
            "name_ko": "신설형",
            "name_en": "new build",
            "office": "any",
            "cost_mkrw": 0,
        },
    },
    "formats": {
        "basic": {"name_ko": "기본형", "name_en": "basic"},
        "extended": {"name_ko": "확장형", "name_en": "extended", "extended": True},
    },
    "agencies": {a: {"enabled": False} for a in ALL_AGENCIES},
    "segments": {"jobseekers": {"weight": 1.0}},
    "travel": {"cutoff_min": 100, "decay": {"kind": "step"}},
    "solver": {"backend": "cbc", "time_limit_s": 30, "workers": 1, "seed": 0},
}


def scenario(**overrides):
    return scenario_from_dict(deep_merge(copy.deepcopy(BASE), overrides), "synthetic")


def line_matrix(positions: list[float]) -> pd.DataFrame:
    codes = [f"S{i}" for i in range(len(positions))]
    p = np.array(positions, dtype=float)
    return pd.DataFrame(np.abs(p[:, None] - p[None, :]), index=codes, columns=codes)


def demand_table(codes, years, **segments) -> dict[int, pd.DataFrame]:
    """segments: name -> list (same every year) or dict year -> list."""
    out = {}
    for y in years:
        cols = {}
        for s, vals in segments.items():
            vals = vals[y] if isinstance(vals, dict) else vals
            cols[s] = list(vals)
        out[y] = pd.DataFrame(cols, index=codes)
    return out


def make(sc, travel: pd.DataFrame, has_ec=None, sido=None, existing=None, **segments):
    codes = list(travel.index)
    years = [p.year for p in sc.phases]
    if not segments:
        segments = {"jobseekers": [100] * len(codes)}
    has = pd.Series(has_ec, index=codes) if has_ec is not None else None
    sd = pd.Series(sido, index=codes) if sido is not None else None
    return instance_from_matrix(
        sc, travel, demand_table(codes, years, **segments), has_ec=has, sido=sd, existing=existing
    )


def for_pins(inst, pins):
    """Pinned serve variables need the assignment formulation (auto builds levels)."""
    if not any(family == "serve" for family, _, _ in pins):
        return inst
    sc = inst.scenario
    inst = copy.copy(inst)
    inst.scenario = sc.model_copy(
        update={"solver": sc.solver.model_copy(update={"formulation": "assignment"})}
    )
    return inst


def status_with(inst, pins=(), disable=(), soft=(), backend="cbc"):
    """Solve with variables pinned: pins are (family, key, value), family in PlanVariables."""
    m = PlanModel(for_pins(inst, pins))
    for r in disable:
        m.disable(r)
    for r in soft:
        m.make_soft(r, penalty=1.0)
    b = m.build()
    for family, key, value in pins:
        b.lm.fix(getattr(b.v, family)[key], value)
    raw = dispatch.solve(b.lm, Solver(backend=backend, time_limit_s=30))
    return raw.status


def brute_force(inst, reach_fn) -> float:
    """Best objective over every nested sequence of site sets meeting the phase targets.

    No tenants, no kinds restrictions beyond conversion-only-where-EC being irrelevant (all
    sites eligible); value per phase = sum_i,s w d max_{j in S} reach(i, j) (max modes) or
    min travel (min_travel). reach_fn(i, j) returns the per-unit value (or None: unreachable).
    """
    codes = inst.codes
    sc = inst.scenario
    mode = sc.objective.mode
    weights = {s: st.weight for s, st in sc.segments.items()}
    best = None

    def value(sites, y):
        total = 0.0
        for i in codes:
            vals = [reach_fn(i, j) for j in sites]
            vals = [v for v in vals if v is not None]
            for s, w in weights.items():
                d = float(inst.demand[y].table.at[i, s])
                if mode == "min_travel":
                    total += w * d * (min(vals) if vals else sc.objective.unserved_min)
                else:
                    total += w * d * (max(vals) if vals else 0.0)
        return total

    def extend(prefix, year_idx, acc):
        nonlocal best
        if year_idx == len(inst.years):
            if best is None or (acc < best if mode == "min_travel" else acc > best):
                best = acc
            return
        y = inst.years[year_idx]
        need = inst.cumulative[y] - len(prefix)
        rest = [c for c in codes if c not in prefix]
        for add in itertools.combinations(rest, need):
            sites = prefix | set(add)
            extend(sites, year_idx + 1, acc + value(sites, y))

    extend(frozenset(), 0, 0.0)
    return best
