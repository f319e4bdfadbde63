"""Plans that hold up under uncertain demand: `planner robust SCENARIO`.

The scenario names demand scenarios with probabilities (``demand_scenarios``). Solved, as
variants of the scenario on dask workers (the sweep machinery):

1. the best plan for each demand scenario (``demand.scenario: <name>``);
2. one plan for all by expected objective (``demand.scenario: expected``, the
   probability-weighted mean demand: with the centers fixed each client's best center does
   not depend on how many clients there are, so the mean demand's plan maximizes the
   expected objective; with a rule that depends on the number of clients, the caseload
   limit or a 시도 floor, it is the mean demand's plan only);
3. the plan of least maximum regret (``objective.regret_to``: O3, against the optima of 1),
   then the most expected objective among those; its solve starts from the plan of 1-2 with
   the least largest regret, so that it is never worse than those even when not proven.

Then every plan is evaluated under every demand scenario: the same scenario with the plan's
centers, kinds, formats and tenants frozen in every phase (``sites.frozen``; the clients'
assignment and any guest welfare teams are re-optimized). Regret = the best value known
for that demand scenario (its own optimum, or a better evaluation where the optimum was not
proven) minus the plan's value. Written: ``regret.csv`` (plan x demand scenario),
``plans.csv`` (one row per plan) and a run folder per plan and per evaluation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from planner.atomic import atomic_path
from planner.errors import PlannerError, ScenarioError
from planner.runfolder import check_destination, mark
from planner.scenario import load_scenario
from planner.scenario.load import resolve_extends
from planner.sweep import dask_client, solve_on

EXPECTED = "expected"
MIN_REGRET = "min-regret"


@dataclass
class RobustResult:
    """What `planner robust` produced: the regret table and the plans' summary."""

    regret: pd.DataFrame  # plan, demand_scenario, status, objective, best_known, regret...
    plans: pd.DataFrame  # plan, status, expected objective, max regret...
    out: Path
    best_proven: dict[str, bool]


def plan_names(scenarios: list[str]) -> list[str]:
    """The plans compared: best-<s> for each demand scenario, expected, min-regret."""
    return [f"best-{s}" for s in scenarios] + [EXPECTED, MIN_REGRET]


def _prepare_out(out: Path, force: bool) -> None:
    """Check the output folder as a run folder is checked (an empty real folder may be used)."""
    if not (out.is_dir() and not out.is_symlink() and not any(out.iterdir())):
        check_destination(out, force)
    out.mkdir(parents=True, exist_ok=True)
    mark(out, "robust")


def _base_doc(path: Path) -> tuple[dict, Any]:
    """The scenario's merged document (relative paths made absolute) and the scenario."""
    sc = load_scenario(path)
    names = list(sc.demand_scenarios)
    problems = []
    if len(names) < 2:
        problems.append(f"demand_scenarios: {len(names)} given; planner robust needs at least two")
    if sc.objective.regret_to is not None:
        problems.append("objective.regret_to: planner robust sets it; allowed: leave it out")
    if sc.demand.scenario is not None:
        problems.append("demand.scenario: planner robust sets it; allowed: leave it out")
    if problems:
        raise ScenarioError(str(path), problems)
    doc, _ = resolve_extends(Path(path))
    if sc.travel.od_matrix is not None:
        doc.setdefault("travel", {})["od_matrix"] = str(sc.travel.od_matrix)
    return doc, sc


def _need(rows: dict[str, dict], what: str) -> None:
    bad = {k: r for k, r in rows.items() if r.get("objective") is None}
    if bad:
        lines = [f"{k}: {r['status']} {r.get('reason', '')}".strip() for k, r in bad.items()]
        raise PlannerError(
            f"{what} failed, so no regret can be measured:\n  - " + "\n  - ".join(lines)
        )


def run_robust(
    path: str | Path,
    out: str | Path | None = None,
    *,
    force: bool = False,
    time_limit_s: float | None = None,
    scheduler: str | None = None,
    workers: int = 2,
    outputs: bool = False,
    progress: Callable[[str], None] | None = None,
    client: Any = None,
) -> RobustResult:
    """Solve and cross-evaluate the plans of the scenario at ``path`` (see the module doc)."""
    path = Path(path)
    doc, sc = _base_doc(path)
    names = list(sc.demand_scenarios)
    out = Path(out) if out is not None else Path("runs") / f"{sc.name}-robust"
    _prepare_out(out, force)
    solver = {"time_limit_s": time_limit_s} if time_limit_s else {}
    say = progress or (lambda _m: None)
    last = sc.phases[-1].year
    folder = {p: str(out / "plans" / p) for p in plan_names(names)}

    def evaluations(plans: list[str]) -> list[tuple[Any, dict, str]]:
        return [
            (
                (p, s),
                {
                    "demand.scenario": s,
                    "sites.frozen": {
                        "file": str((Path(folder[p]) / "plan.csv").resolve()),
                        "through_year": last,
                    },
                },
                str(out / "evaluations" / f"{p}@{s}"),
            )
            for p in plans
            for s in names
        ]

    probability = {s: sc.demand_scenarios[s].probability for s in names}
    with dask_client(client, scheduler, workers) as cl:
        say(f"1/4: the best plan for each of {len(names)} demand scenarios, and the expected one")
        first = [(f"best-{s}", {"demand.scenario": s}, folder[f"best-{s}"]) for s in names]
        first.append((EXPECTED, {"demand.scenario": EXPECTED}, folder[EXPECTED]))
        rows = solve_on(cl, doc, first, solver, outputs, say)
        _need(rows, "the per-scenario solves")
        best = {s: float(rows[f"best-{s}"]["objective"]) for s in names}
        say("2/4: each of these plans under every demand scenario")
        done = solve_on(cl, doc, evaluations(list(rows)), solver, False, say)
        # the min-max-regret solve starts from the plan of least largest regret so far
        so_far = plans_table(regret_table(names, rows, done, probability), rows, probability)
        start = so_far.sort_values("max_regret", kind="stable").plan.iloc[0]
        say(f"3/4: the min-max-regret plan, from {start}'s")
        regret_job = (
            MIN_REGRET,
            {"demand.scenario": EXPECTED, "objective.regret_to": best},
            folder[MIN_REGRET],
            str((Path(folder[start]) / "plan.csv").resolve()),
        )
        rows.update(solve_on(cl, doc, [regret_job], solver, outputs, say))
        _need({MIN_REGRET: rows[MIN_REGRET]}, "the min-max-regret solve")
        say("4/4: the min-max-regret plan under every demand scenario")
        done.update(solve_on(cl, doc, evaluations([MIN_REGRET]), solver, False, say))
    regret = regret_table(names, rows, done, probability)
    proven = {s: rows[f"best-{s}"]["status"] == "optimal" for s in names}
    plans = plans_table(regret, rows, probability)
    with atomic_path(out / "regret.csv") as tmp:
        regret.round(6).to_csv(tmp, index=False)
    with atomic_path(out / "plans.csv") as tmp:
        plans.round(6).to_csv(tmp, index=False)
    return RobustResult(regret, plans, out, proven)


def regret_table(
    names: list[str],
    rows: dict[str, dict],
    evals: dict[tuple[str, str], dict],
    probability: dict[str, float],
) -> pd.DataFrame:
    """Plan x demand scenario: the evaluation's objective, the best known, the regret.

    best_known: the scenario's own optimum, or a plan's evaluation if that is higher (the
    optimum was then not proven). A plan whose evaluation failed (infeasible: a rule that
    depends on demand) has no value and no regret.
    """
    recs = []
    for (p, s), r in sorted(evals.items()):
        recs.append(
            {
                "plan": p,
                "demand_scenario": s,
                "probability": probability[s],
                "status": r["status"],
                "objective": r.get("objective"),
            }
        )
    table = pd.DataFrame(recs)
    own = {s: float(rows[f"best-{s}"]["objective"]) for s in names}
    best = table.groupby("demand_scenario").objective.max()
    table["best_known"] = [max(own[s], best.get(s, own[s])) for s in table.demand_scenario]
    table["own_optimum"] = [own[s] for s in table.demand_scenario]
    table["regret"] = table.best_known - table.objective
    table["regret_pct"] = 100 * table.regret / table.best_known.abs()
    rank = {p: k for k, p in enumerate(plan_names(names))}
    table["_p"] = table.plan.map(rank)
    table["_s"] = table.demand_scenario.map({s: k for k, s in enumerate(names)})
    table = table.sort_values(["_p", "_s"]).drop(columns=["_p", "_s"])
    return table.reset_index(drop=True)


def plans_table(
    regret: pd.DataFrame, rows: dict[str, dict], probability: dict[str, float]
) -> pd.DataFrame:
    """One row per plan: its own solve's status, expected objective, max and expected regret."""
    recs = []
    for p, grp in regret.groupby("plan", sort=False):
        complete = grp.objective.notna().all()
        recs.append(
            {
                "plan": p,
                "solve_status": rows[p]["status"],
                "centers": rows[p].get("centers"),
                "expected_objective": (grp.probability * grp.objective).sum() if complete else None,
                "max_regret": grp.regret.max() if complete else None,
                "max_regret_pct": grp.regret_pct.max() if complete else None,
                "expected_regret": (grp.probability * grp.regret).sum() if complete else None,
                "worst_scenario": grp.loc[grp.regret.idxmax(), "demand_scenario"]
                if complete
                else None,
            }
        )
    return pd.DataFrame(recs)
