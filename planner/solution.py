"""The solution as a value object: solver facts, the plan and KPIs as DataFrames.

Status is honest: ``optimal`` only when the solver proved it (objective = bound); a time limit
gives ``feasible`` with its gap (or no bound), Ctrl-C or SIGTERM ``interrupted``; no plan
gives ``infeasible`` (proven) or ``unknown``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from planner.domain import ANCHOR, DEMAND_SCALE, Decisions
from planner.equity import equity_tables
from planner.instance import Instance
from planner.model.decode import assign_best, decode
from planner.model.linear import LinearModel
from planner.model.plan_model import PlanModel, values_by_name
from planner.validate import (
    RULE_CHECKS,
    SpecReach,
    Violation,
    objective_value,
    phase_costs,
    sido_served_share,
    staff_placed,
)
from planner.validate import validate as run_validator

STATUS = {"OPTIMAL": "optimal", "FEASIBLE": "feasible", "INFEASIBLE": "infeasible"}


@dataclass
class Solution:
    """One solve's outcome. DataFrames are empty when there is no plan."""

    scenario: str
    status: str
    backend: str
    objective: float | None
    bound: float | None
    gap: float | None
    solve_s: float
    build_s: float
    n_vars: int
    n_rows: int
    decisions: Decisions | None
    plan: pd.DataFrame
    kpis_phase: pd.DataFrame
    kpis_sido: pd.DataFrame
    staffing: pd.DataFrame
    assignment: pd.DataFrame
    violations: list[Violation] = field(default_factory=list)
    soft_penalty: float = 0.0
    objective_recomputed: float | None = None
    log: list[str] = field(default_factory=list)
    rules: pd.DataFrame | None = None
    instance: Instance | None = field(default=None, repr=False)
    interrupted: bool = False
    proof: str = "solver"
    checked_rules: list[str] = field(default_factory=list)  # what the validator checked
    # custom rules: checked only by evaluating the rows they wrote (no specification)
    checked_by_own_rows: list[str] = field(default_factory=list)
    # variable name -> value where nonzero: a warm start for a what-if (PlanModel.solve)
    values_by_name: dict[str, int] = field(default_factory=dict, repr=False)
    # modelled segment -> agency serving it (what the equity tables are computed for)
    segments: dict[str, str] = field(default_factory=dict, repr=False)
    # the model this plan is a proven optimum of (a what-if may reuse the proof, see
    # model.reuse); kept in this process only, not pickled
    proven_model: LinearModel | None = field(default=None, repr=False)
    _equity: tuple[pd.DataFrame, pd.DataFrame] | None = field(default=None, repr=False)

    def _equity_tables(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The equity tables, computed on first use (a few seconds nationally).

        A solve that is only looked at in a notebook, or stopped by Ctrl-C, does not wait.
        """
        if self._equity is None:
            if self.decisions is None or self.instance is None or not self.segments:
                self._equity = (pd.DataFrame(), pd.DataFrame())
            else:
                self._equity = equity_tables(self.instance, self.decisions, self.segments)
        return self._equity

    @property
    def equity(self) -> pd.DataFrame:
        """Equity of access per (phase, segment) (planner.equity)."""
        return self._equity_tables()[0]

    @property
    def access(self) -> pd.DataFrame:
        """Access per district and segment in the last phase (planner.equity)."""
        return self._equity_tables()[1]

    @property
    def optimal(self) -> bool:
        return self.status == "optimal"

    def __getstate__(self) -> dict[str, Any]:
        """Pickled without ``proven_model`` (tens of MB nationally; reuse is in-process)."""
        state = dict(self.__dict__)
        state["proven_model"] = None
        return state

    @property
    def has_plan(self) -> bool:
        return self.decisions is not None

    @property
    def hard_violations(self) -> list[Violation]:
        return [v for v in self.violations if not v.soft]

    def facts(self) -> dict[str, Any]:
        """Solver facts for solution.json and reports."""
        return {
            "scenario": self.scenario,
            "status": self.status,
            "backend": self.backend,
            "objective": self.objective,
            "best_bound": self.bound,
            "gap": self.gap,
            "proven_optimal": self.optimal,
            "solve_s": round(self.solve_s, 3),
            "build_s": round(self.build_s, 3),
            "variables": self.n_vars,
            "constraints": self.n_rows,
            "objective_recomputed": self.objective_recomputed,
            "soft_penalty": self.soft_penalty,
            "interrupted": self.interrupted,
            "proof": self.proof if self.optimal or self.status == "infeasible" else None,
            "violations": [str(v) for v in self.violations],
            "checked_rules": list(self.checked_rules),
            "checked_by_own_rows": list(self.checked_by_own_rows),
            "worst_sido": self.worst_sido(),
        }

    def worst_sido(self) -> dict[str, Any] | None:
        """The 시도 with the smallest served share in the last phase (what O2 raises)."""
        tab = self.kpis_sido
        if tab is None or "served_share" not in tab or tab.served_share.isna().all():
            return None
        row = tab.loc[tab.served_share.idxmin()]
        return {"sido": str(row.sido), "year": int(row.year), "served_share": row.served_share}


def _natural(mode: str, scaled: float | None) -> float | None:
    """Solver units -> persons served (min_travel: person-minutes, positive)."""
    if scaled is None:
        return None
    val = scaled / DEMAND_SCALE
    return -val if mode == "min_travel" else val


def solve(
    model: PlanModel, *, validate: bool = True, warm_start: Solution | None = None, **options: Any
) -> Solution:
    """Solve ``model`` (options as ``PlanModel.solve``), decode and validate the plan.

    ``warm_start``: a Solution of a similar model (a what-if's base run); its values,
    matched by variable name, are the hint.
    A proven optimal ``warm_start`` whose model this one only tightens is reused as the
    proven optimum when it still holds (``model.reuse``).
    """
    base = warm_start.proven_model if warm_start is not None else None
    raw = model.solve(
        warm_start=warm_start.values_by_name if warm_start is not None else None,
        proven_base=base,
        **options,
    )
    return decode_solution(model, model.build(), raw, validate=validate)


def decode_solution(model: PlanModel, built: Any, raw: Any, validate: bool = True) -> Solution:
    """Turn a backend result into a Solution (and run the validator on it)."""
    inst: Instance = model.instance
    mode = inst.scenario.objective.mode
    status = STATUS.get(raw.status, raw.status.lower())
    empty = pd.DataFrame()
    if not raw.has_solution:
        return Solution(
            inst.scenario.name,
            status,
            raw.backend,
            None,
            None,
            None,
            raw.time_s,
            built.build_s,
            built.lm.n_vars,
            len(built.lm.rows),
            None,
            empty,
            empty,
            empty,
            empty,
            empty,
            log=raw.log,
            rules=model.rules(),
            instance=inst,
            interrupted=raw.interrupted,
            proof=raw.proof,
        )
    d = decode(built.v, raw.values)
    if built.v.formulation != "assignment":
        assign_best(d, built.v, built.reach, mode, model.linkage_year())
    obj = _natural(mode, raw.objective)
    bound = _natural(mode, raw.bound)
    gap = None
    if obj is not None and bound is not None:
        gap = abs(bound - obj) / max(1.0, abs(obj))
    if status == "optimal" and gap is not None and gap > 1e-9:
        status = "feasible"  # a solver's "optimal" within a tolerance is not proven here
    if raw.interrupted and status != "optimal":
        status = "interrupted"  # stopped by Ctrl-C or SIGTERM: a plan, not a proof
    penalty = (
        sum(-built.lm.objective.get(s, 0) * raw.values[s] for s in built.lm.penalties)
        / DEMAND_SCALE
    )
    sol = Solution(
        inst.scenario.name,
        status,
        raw.backend,
        obj,
        bound,
        gap,
        raw.time_s,
        built.build_s,
        built.lm.n_vars,
        len(built.lm.rows),
        d,
        plan_table(inst, d, built.reach),
        kpis_by_phase(inst, d, built.reach),
        kpis_by_sido(inst, d, built.reach),
        staffing_table(inst, d),
        assignment_table(inst, d, built.reach),
        soft_penalty=float(penalty),
        log=raw.log,
        rules=model.rules(),
        instance=inst,
        interrupted=raw.interrupted,
        proof=raw.proof,
    )
    sol.objective_recomputed = objective_value(inst, d)
    sol.segments = dict(built.v.segments)
    sol.values_by_name = values_by_name(built.lm, raw.values)
    if validate:
        own = [n for n, st in model.states.items() if st.active and n not in RULE_CHECKS]
        custom: dict[str, list[str]] = {n: [] for n in own}
        for row in built.lm.violated_rows(raw.values) if own else []:
            if row.rule in custom:
                lhs = sum(c * raw.values[k] for k, c in row.terms.items())
                custom[row.rule].append(f"{row.label}: {lhs:g} {row.sense} {row.rhs} fails")
        sol.violations = run_validator(inst, d, model.states, custom)
        sol.checked_rules = [n for n, st in model.states.items() if st.active and n in RULE_CHECKS]
        sol.checked_by_own_rows = own
    if sol.optimal and validate and not sol.violations and model.reusable(built):
        sol.proven_model = built.lm  # a checked proof only
    elif sol.optimal and validate and not sol.violations:
        first = model.first_model_plan(raw.values)  # LP-then-Benders: the model it began on
        if first is not None:
            sol.proven_model, first_values = first
            sol.values_by_name = values_by_name(sol.proven_model, first_values)
    return sol


def _served(inst: Instance, d: Decisions, reach: Any, y: int) -> pd.DataFrame:
    unit = inst.unit_of
    rows = [
        (
            i,
            unit[i],
            s,
            j,
            inst.demand[y].value(i, s) * d.share_of((i, s, j, yy)),
            reach.minutes[(i, j)],
            reach.reach[(i, j)],
        )
        for (i, s, j, yy) in d.serve
        if yy == y
    ]
    return pd.DataFrame(
        rows, columns=["point", "district", "segment", "site", "demand", "minutes", "reach"]
    )


def counsellors(inst: Instance, kind: str, agency: str) -> int:
    """Counsellors of ``agency`` at a center of ``kind`` (scenario caseload section)."""
    k = inst.scenario.kinds[kind]
    if agency == ANCHOR:
        office = inst.scenario.caseload.office_counsellors if k.office == "required" else 0
        return office + k.staff.get(ANCHOR, 0)
    return inst.agencies[agency].staff + k.staff.get(agency, 0)


def caseload_kpis(
    inst: Instance, kind: str, tenants: set[str], row: dict, segments: dict[str, str]
) -> dict[str, float | None]:
    """Caseload KPIs of each agency serving a segment at this center (the last phase).

    Counsellors, cases per counsellor per day and clients per counsellor; None without
    counsellors (scenario section ``caseload``; docs/formulation.md, caseload KPIs).
    """
    cl = inst.scenario.caseload
    out: dict[str, float | None] = {}
    for s, a in segments.items():
        if a != ANCHOR and a not in tenants:
            continue
        n = counsellors(inst, kind, a)
        clients = float(row.get(f"served_{s}", 0))
        visits = cl.visits_per_client.get(s, 1.0)
        out[f"counsellors_{a}"] = n
        out[f"cases_per_day_{a}"] = (
            round(clients * visits / (cl.working_days * n), 1) if n else None
        )
        out[f"clients_per_counsellor_{a}"] = round(clients / n, 1) if n else None
    return out


def plan_table(inst: Instance, d: Decisions, reach: Any) -> pd.DataFrame:
    """One row per center: where, when, kind, format, tenants, staff, demand served."""
    first = d.first_open()
    entry = d.tenant_entry()
    last = inst.years[-1]
    served = _served(inst, d, reach, last)
    sc = inst.scenario
    # guest welfare teams a center hosts (as of the last phase that has teams)
    team_year = {j: yy for (_, j, yy) in sorted(d.team, key=lambda t: t[2])}
    guests: dict[str, list[str]] = {}
    for i, j, yy in d.team:
        if yy == team_year[j]:
            guests.setdefault(j, []).append(i)
    rows = []
    for j, (y, k) in sorted(first.items(), key=lambda t: (t[1][0], t[0])):
        u = inst.units.loc[j]
        tenants = sorted(
            ((a, ey) for (jj, a), ey in entry.items() if jj == j), key=lambda t: (t[1], t[0])
        )
        staff = {f"staff_{a}": inst.agencies[a].staff for a, _ in tenants}
        for a, n in sc.kinds[k].staff.items():
            staff[f"staff_{a}"] = staff.get(f"staff_{a}", 0) + n
        teams = sorted(guests.get(j, []))
        mine = served[served.site == j]
        row = {
            "code": j,
            "name_ko": u.name_ko,
            "name_en": u.name_en,
            "sido": u.sido,
            "phase_opened": y if j not in inst.existing else "existing",
            "kind": k,
            "format": d.format_of(j),
            "tenants": ";".join(f"{a}@{ey}" for a, ey in tenants),
            "guest_welfare_teams": ";".join(teams),
            **staff,
        }
        for s in reach.segments:
            row[f"served_{s}"] = int(round(mine.demand[mine.segment == s].sum()))
        row.update(caseload_kpis(inst, k, {a for a, _ in tenants}, row, reach.segments))
        dem = mine.demand.sum()
        row["mean_travel_min"] = (
            round(float((mine.demand * mine.minutes).sum() / dem), 1) if dem > 0 else 0.0
        )
        rows.append(row)
    df = pd.DataFrame(rows)
    staff_cols = sorted(c for c in df.columns if c.startswith("staff_"))
    if staff_cols:
        df[staff_cols] = df[staff_cols].fillna(0).astype(int)
    return df


def kpis_by_phase(inst: Instance, d: Decisions, reach: Any) -> pd.DataFrame:
    """Per phase: centers, coverage of each segment, mean travel, budget used."""
    costs = phase_costs(inst, d)
    rows = []
    for y in inst.years:
        served = _served(inst, d, reach, y)
        opened = d.open_sites(y)
        kinds = pd.Series([k for (_, yy, k) in d.open if yy == y]).value_counts()
        row: dict[str, Any] = {
            "year": y,
            "centers_open": len(opened),
            "centers_new": len(opened)
            - (
                len(d.open_sites(inst.years[inst.years.index(y) - 1]))
                if y != inst.years[0]
                else len(inst.existing)
            ),
        }
        for k in inst.scenario.kinds:
            row[f"open_{k}"] = int(kinds.get(k, 0))
        for s in reach.segments:
            total = float(inst.demand[y].table[s].sum())
            got = served[served.segment == s]
            row[f"coverage_{s}"] = round(float(got.demand.sum()) / total, 4) if total else 0.0
            row[f"reach_weighted_{s}"] = (
                round(float((got.demand * got.reach).sum()) / total, 4) if total else 0.0
            )
        dem = served.demand.sum()
        row["mean_travel_min"] = (
            round(float((served.demand * served.minutes).sum() / dem), 2) if dem > 0 else None
        )
        budget = next(p.budget_mkrw for p in inst.scenario.phases if p.year == y)
        row["cost_mkrw"] = costs[y]
        row["budget_mkrw"] = budget
        row["demand_data_year"] = inst.demand[y].data_year
        rows.append(row)
    return pd.DataFrame(rows)


def kpis_by_sido(inst: Instance, d: Decisions, reach: Any) -> pd.DataFrame:
    """Per 시도 in the last phase: centers, served share, coverage per segment, mean travel.

    served_share: the 시도's weighted demand served, reach-weighted (R24, O2).
    """
    y = inst.years[-1]
    served = _served(inst, d, reach, y)
    served["sido"] = inst.units.sido.reindex(served.district).to_numpy()
    opened = d.open_sites(y)
    table = inst.demand[y].table
    unit_demand = table.groupby(table.index.map(inst.unit_of)).sum()
    share = sido_served_share(inst, d, SpecReach(inst), y)
    rows = []
    for sido, grp in inst.units.groupby("sido"):
        mine = served[served.sido == sido]
        row: dict[str, Any] = {
            "sido": sido,
            "year": y,
            "centers": len(opened & set(grp.index)),
            "units": len(grp),
            "served_share": round(share[sido], 6) if sido in share else None,
        }
        for s in reach.segments:
            total = float(unit_demand[s].reindex(grp.index).fillna(0).sum())
            got = mine[mine.segment == s].demand.sum()
            row[f"coverage_{s}"] = round(float(got) / total, 4) if total else 0.0
        dem = mine.demand.sum()
        row["mean_travel_min"] = (
            round(float((mine.demand * mine.minutes).sum() / dem), 2) if dem > 0 else None
        )
        rows.append(row)
    return pd.DataFrame(rows)


def staffing_table(inst: Instance, d: Decisions) -> pd.DataFrame:
    """Per agency and phase: staff newly placed, cumulative, and the pool."""
    placed = staff_placed(inst, d)
    rows = []
    agencies = sorted({a for a, _ in placed} | set(inst.pools))
    for a in agencies:
        run = 0
        for y in inst.years:
            n = placed.get((a, y), 0)
            run += n
            rows.append(
                {
                    "agency": a,
                    "year": y,
                    "placed": n,
                    "cumulative": run,
                    "pool": inst.pools.get(a, {}).get(y),
                    "pool_basis": inst.scenario.pools_basis,
                }
            )
    return pd.DataFrame(rows)


def _shared(demand: float, share: float) -> int | float:
    """Clients served: whole numbers, unless split demand divided the group."""
    return int(demand) if share == 1.0 else round(demand * share, 3)


def assignment_table(inst: Instance, d: Decisions, reach: Any) -> pd.DataFrame:
    """Who is served where, in each phase: one row per demand point (district or 읍면동)."""
    unit = inst.unit_of
    rows = [
        {
            "district": unit[i],
            "point": i,
            "segment": s,
            "site": j,
            "year": y,
            "demand": _shared(inst.demand[y].value(i, s), d.share_of((i, s, j, y))),
            "travel_min": round(reach.minutes[(i, j)], 2),
            "reach": round(reach.reach[(i, j)], 4),
            "via": ANCHOR if reach.segments[s] == ANCHOR else reach.segments[s],
        }
        for (i, s, j, y) in sorted(d.serve)
    ]
    return pd.DataFrame(rows)
