"""Equity of access: who is left behind by a plan, and how unequal access is.

For each phase and segment, with the scenario's own travel cutoff and decay:
- an accessibility score per demand point, the enhanced two-stage floating catchment area
  (E2SFCA, Luo and Qi 2009) of PySAL ``access``: each center hosting the segment's agency
  is one unit of supply, divided among the segment's people within its catchment (weighted by
  the decay); a point's score sums the ratios of the centers it reaches, weighted again.
  Reported per 100,000 people of the segment;
- the share of the segment's people with no such center within the cutoff;
- inequality of the scores (PySAL ``inequality``): Gini across districts, Gini across
  people (each district's score repeated once per ``PERSONS_PER_COPY`` people, at least
  once), Theil's T across districts and its decomposition between and within 시도.
Why: coverage alone says how many are served, not whether the unserved cluster in a few
regions; a ministry planning office is asked both.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from planner.domain import ANCHOR, Decisions, decay_matrix, decay_of
from planner.instance import Instance

PER_PEOPLE = 100_000  # scores are centers per this many people of the segment
PERSONS_PER_COPY = 1_000  # resolution of the per-person Gini


def _hosting(d: Decisions, agency: str, y: int) -> list[str]:
    if agency == ANCHOR:
        return sorted(d.open_sites(y))
    return sorted({j for (j, a, yy) in d.host if a == agency and yy == y})


def e2sfca(
    demand: pd.Series,
    supply: pd.Series,
    minutes: pd.DataFrame,
    kind: str,
    cutoff: float,
    half_life: float = 30.0,
) -> pd.Series:
    """E2SFCA scores of the demand points (index of ``demand``), through PySAL access.

    ``minutes``: demand points x sites; ``supply``: units of supply per site; the weight of a
    pair is the scenario's decay (0 beyond the cutoff).
    """
    from access import Access

    sites = [j for j in supply.index if supply[j] > 0]
    if not sites or demand.sum() <= 0:
        return pd.Series(0.0, index=demand.index)
    mat = minutes.reindex(index=demand.index, columns=sites).to_numpy(dtype=float)
    w = decay_matrix(mat, kind, cutoff, half_life)
    ii, jj = np.nonzero(w > 0)
    cost = pd.DataFrame(
        {
            "origin": demand.index.to_numpy()[ii],
            "dest": np.asarray(sites, dtype=object)[jj],
            "cost": w[ii, jj],  # the weight itself: weight_fn is the identity
        }
    )
    dem = pd.DataFrame({"origin": demand.index, "demand": demand.to_numpy(dtype=float)})
    sup = pd.DataFrame({"dest": sites, "supply": supply[sites].to_numpy(dtype=float)})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        acc = Access(
            demand_df=dem,
            demand_index="origin",
            demand_value="demand",
            supply_df=sup,
            supply_index="dest",
            supply_value="supply",
            cost_df=cost,
            cost_origin="origin",
            cost_dest="dest",
            cost_name="cost",
        )
        out = acc.enhanced_two_stage_fca(
            name="e2sfca", cost="cost", max_cost=2.0, weight_fn=lambda x: x
        )
    score = out.iloc[:, 0] if isinstance(out, pd.DataFrame) else out
    return score.reindex(demand.index).fillna(0.0).astype(float)


def gini(values: np.ndarray) -> float:
    """Gini of the values (PySAL inequality); 0 when all are 0."""
    from inequality.gini import Gini

    v = np.asarray(values, dtype=float)
    if len(v) < 2 or not v.any():
        return 0.0
    return float(Gini(v).g)


def theil(values: np.ndarray, groups: np.ndarray) -> tuple[float, float, float]:
    """(Theil's T, between-group part, within-group part) of the values (PySAL inequality)."""
    from inequality.theil import TheilD

    v = np.asarray(values, dtype=float)
    if len(v) < 2 or not v.any():
        return 0.0, 0.0, 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        td = TheilD(v, np.asarray(groups))
    return float(np.squeeze(td.T)), float(np.squeeze(td.bg)), float(np.squeeze(td.wg))


def person_copies(values: np.ndarray, people: np.ndarray) -> np.ndarray:
    """Each value repeated once per PERSONS_PER_COPY people (at least once where any live)."""
    n = np.where(people > 0, np.maximum(1, np.round(people / PERSONS_PER_COPY)), 0)
    return np.repeat(np.asarray(values, dtype=float), n.astype(int))


def district_access(inst: Instance, d: Decisions, segments: dict[str, str], y: int) -> pd.DataFrame:
    """Per district in phase y: each segment's score and its people beyond the cutoff."""
    sc = inst.scenario
    kind, cutoff = decay_of(sc.objective.mode, sc.travel.cutoff_min, sc.travel.decay.kind)
    table = inst.demand[y].table
    unit = pd.Series(inst.unit_of).reindex(table.index)
    out = pd.DataFrame(index=inst.units.index)
    for s, a in segments.items():
        dem = table[s].astype(float)
        sites = _hosting(d, a, y)
        supply = pd.Series(1.0, index=sites)
        score = e2sfca(dem, supply, inst.travel_min, kind, cutoff, sc.travel.decay.half_life_min)
        mat = inst.travel_min.reindex(index=dem.index, columns=sites).to_numpy(dtype=float)
        near = (np.isfinite(mat) & (mat <= cutoff)).any(axis=1) if sites else np.zeros(len(dem))
        people = dem.groupby(unit).sum()
        weighted = (score * dem).groupby(unit).sum()
        out[f"access_{s}"] = (weighted / people.where(people > 0)).fillna(0.0) * PER_PEOPLE
        out[f"beyond_cutoff_{s}"] = dem[~near.astype(bool)].groupby(unit[~near.astype(bool)]).sum()
        out[f"people_{s}"] = people
    return out.fillna(0.0)


def equity_tables(
    inst: Instance, d: Decisions, segments: dict[str, str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(equity by phase, access by district in the last phase), each phase's access once.

    Equity: one row per (phase, segment), the beyond-cutoff share, Gini (districts, people)
    and Theil. Access: per district, code, 시도, each segment's score, people, people beyond.
    """
    rows = []
    sido = inst.units.sido
    acc = pd.DataFrame()
    for y in inst.years:
        acc = district_access(inst, d, segments, y)
        for s in segments:
            people = acc[f"people_{s}"].to_numpy()
            score = acc[f"access_{s}"].to_numpy()
            live = people > 0
            t, bg, wg = theil(score[live], sido.reindex(acc.index).to_numpy()[live])
            total = people.sum()
            rows.append(
                {
                    "year": y,
                    "segment": s,
                    "mean_access": float((score * people).sum() / total) if total else 0.0,
                    "share_beyond_cutoff": float(acc[f"beyond_cutoff_{s}"].sum() / total)
                    if total
                    else 0.0,
                    "gini_districts": gini(score[live]),
                    "gini_people": gini(person_copies(score, people)),
                    "theil": t,
                    "theil_between_sido": bg,
                    "theil_within_sido": wg,
                }
            )
    last = acc.copy()
    last.insert(0, "sido", sido.reindex(last.index).to_numpy())
    last.insert(0, "year", inst.years[-1])
    return pd.DataFrame(rows).round(6), last.rename_axis("code").reset_index().round(4)
