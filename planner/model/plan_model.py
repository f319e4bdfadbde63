"""The model facade: build, switch rules off/on, make them soft, add your own, solve.

Example::

    m = PlanModel(instance)
    m.disable("region-balance")
    m.make_soft("agency-staff_pool", penalty=50_000)
    m.configure("serve-welfare_linkage", guest_teams=False)
    m.add_rule("my-rule", fn)          # fn(ctx) writes rows with ctx.add(...)
    solution = planner.solve(m)        # the Solution: plan, KPIs, validation

``PlanModel.solve`` returns the solver's raw result (values by variable index); the
``Solution`` is built one layer up (``planner.solution.solve``), so that this module never
imports the validator or the outputs.
"""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from planner.check import run_checks
from planner.domain import ANCHOR, SHARE_UNITS
from planner.errors import PlannerError, did_you_mean
from planner.instance import Instance
from planner.model import backends, dispatch
from planner.model.decode import assign_best, decode
from planner.model.greedy import greedy_hint
from planner.model.linear import LinearModel
from planner.model.objective import objective_coefficients, regret_rows
from planner.model.reach import ReachTable, build_reach
from planner.model.registry import (
    DEMAND_SCALE,
    REGISTRY,
    SOFT_PENALTY_DEFAULT,
    RuleContext,
    RuleSpec,
)
from planner.model.reuse import tightened_optimum
from planner.model.rules import check_rule_settings
from planner.model.rules.region import worst_share_rows
from planner.model.variables import PlanVariables, make_variables
from planner.scenario.schema import Solver

# share of the time limit for the district-level start plan of a 읍면동 Benders run: since
# the RENS step on the master finds better plans than the district optimum, the LP rounds
# gain more from the time (national-emd at 120 s: gap 0.07% with 0.5, 0.004% with 0.25)
DISTRICT_SHARE = 0.25
# auto picks levels only while their terms stay within this many per (point, site) pair
# (coverage: 1; k-nearest with k <= 11; national max_served without k: 15)
LEVELS_MAX_TERMS_PER_PAIR = 6


@dataclass
class RuleState:
    """How a rule is used in this model (from the registry default and the scenario)."""

    active: bool
    soft: bool = False
    penalty: float | None = None
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class BuiltModel:
    """A built model: the rows, the variables and what each rule wrote."""

    lm: LinearModel
    v: PlanVariables
    reach: ReachTable
    rows_per_rule: dict[str, int]
    build_s: float
    # a goal solved first and then kept (O2's worst 시도 share, O3's minus the max regret):
    # (kind, variable), kind "max_min" or "regret"
    first_goal: tuple[str, int] | None = None


class PlanModel:
    """One instance's model; edits to rules apply at the next build or solve."""

    def __init__(self, instance: Instance):
        self.instance = instance
        self.specs: dict[str, RuleSpec] = dict(REGISTRY)
        self.states: dict[str, RuleState] = {
            n: RuleState(s.default_active, params=dict(s.params)) for n, s in self.specs.items()
        }
        check_rule_settings(instance.scenario)
        for name, setting in instance.scenario.rules.items():
            st = self.states[name]
            st.active, st.soft, st.penalty = setting.active, setting.soft, setting.penalty
            st.params.update(setting.params)
        self._as_stated = copy.deepcopy(self.states)  # the rules as the scenario states them
        self._built: BuiltModel | None = None
        self._benders_after_lp = False  # auto: the LP was fractional, the MIP goes to Benders
        self._cut_points: list[list[float]] = []  # points Benders cuts at before its rounds
        self._lp_built: BuiltModel | None = None  # the model LP-then-Benders started from
        k = instance.scenario.objective.k_nearest
        self._k: dict[str, int] | None = dict.fromkeys(instance.point_codes, k) if k else None

    # --- editing rules -------------------------------------------------------------------
    def _check_name(self, name: str) -> None:
        if name not in self.specs:
            raise PlannerError(f"unknown rule {name!r}; " + did_you_mean(name, self.specs))

    def _edit(self, name: str) -> RuleState:
        self._check_name(name)
        self._built = None
        self._benders_after_lp = False
        return self.states[name]

    def disable(self, name: str) -> PlanModel:
        """Switch rule ``name`` off."""
        self._edit(name).active = False
        return self

    def enable(self, name: str) -> PlanModel:
        """Switch rule ``name`` on."""
        self._edit(name).active = True
        return self

    def make_soft(self, name: str, penalty: float | None = None) -> PlanModel:
        """Let rule ``name`` be violated at ``penalty`` objective units per unit of slack."""
        st = self._edit(name)
        st.soft, st.active = True, True
        st.penalty = penalty
        return self

    def configure(self, name: str, **params: Any) -> PlanModel:
        """Set parameters of rule ``name`` (see ``rules()`` for each rule's parameters)."""
        st = self._edit(name)
        unknown = set(params) - set(self.specs[name].params)
        if unknown:
            raise PlannerError(
                f"rule {name}: unknown parameter(s) {sorted(unknown)}; "
                f"allowed: {sorted(self.specs[name].params) or 'none'}"
            )
        st.params.update(params)
        return self

    def add_rule(
        self,
        name: str,
        fn: Callable[[RuleContext], None],
        doc: str | None = None,
        params: dict[str, Any] | None = None,
    ) -> PlanModel:
        """Add a custom rule ``fn(ctx)``; it is named ``name`` in reports and violations."""
        if name in self.specs:
            raise PlannerError(f"rule {name!r} exists already")
        self.specs[name] = RuleSpec(name, fn, doc or fn.__doc__ or "", True, dict(params or {}))
        self.states[name] = RuleState(True, params=dict(params or {}))
        self._built = None
        return self

    def rules(self) -> pd.DataFrame:
        """The rules with their state, parameters and one-line documentation."""
        rows = []
        for n, spec in self.specs.items():
            st = self.states[n]
            rows.append(
                {
                    "rule": n,
                    "name_ko": spec.name_ko,
                    "active": st.active,
                    "soft": st.soft,
                    "penalty": st.penalty if st.soft else None,
                    "params": dict(st.params),
                    "doc": spec.summary,
                }
            )
        return pd.DataFrame(rows).set_index("rule")

    # --- building and solving ------------------------------------------------------------
    @property
    def formulation(self) -> str:
        """Levels, assignment or Benders: what ``solver.formulation`` asks for.

        auto: levels unless a rule needs serve variables (the caseload limit, min_travel with
        unserved clients) or a custom rule was added (it may read them); ``build`` then
        falls back to assignment where the site lists are long (nested sets cost about k/2
        terms per point-site pair: the national max_served scenario has 15 per pair and its
        LP takes Clp 17.3 s with levels against 3.6 s with assignment). A p-median-shaped
        model (``_pmedian_shaped``) is built for Benders, whose p-median method proves it.
        The model's ``built.v.formulation`` says which was built.
        """
        asked = self.instance.scenario.solver.formulation
        obj = self.instance.scenario.objective
        if asked == "levels" and obj.mode == "min_travel" and obj.unserved_min is not None:
            raise PlannerError(
                "solver.formulation: 'levels' cannot charge objective."
                "unserved_min; allowed here: 'auto' or 'assignment'"
            )
        if asked == "benders" and (
            (obj.mode == "min_travel" and obj.unserved_min is not None)
            or obj.regret_to is not None
            or self.instance.scenario.solver.backend == "cpsat"
        ):
            raise PlannerError(
                "solver.formulation: 'benders' needs a MIP backend (cbc, highs, "
                "scip), no objective.regret_to and, in min_travel, "
                "objective.unserved_min: null; allowed otherwise: 'auto', 'levels', "
                "'assignment'"
            )
        serve_rules = self.rules_needing("serve")
        if obj.equity != "none":
            serve_rules.append(f"objective.equity: {obj.equity}")
        if asked in ("levels", "benders") and serve_rules:
            raise PlannerError(
                f"solver.formulation: {asked!r} has no serve variables, which "
                f"rule(s) {serve_rules} need; allowed with them: 'auto' or "
                "'assignment'"
            )
        if asked != "auto":
            return asked
        if self._benders_after_lp:
            return "benders"
        custom = any(n not in REGISTRY for n in self.specs)
        needs_serve = (
            bool(serve_rules)
            or custom
            or (obj.mode == "min_travel" and obj.unserved_min is not None)
        )
        if needs_serve:
            return "assignment"
        return "benders" if self._pmedian_shaped() else "levels"

    def _pmedian_shaped(self) -> bool:
        """One phase of min_travel with every client served, no tenants and no fixed sites.

        Such a model is (almost always) a p-median, which ``pmedian_model`` proves far faster
        than either the levels or the assignment model; its structural test has the last
        word, and a model that fails it is solved by the general Benders loop, also exactly.
        """
        inst = self.instance
        sc, obj = inst.scenario, inst.scenario.objective
        return (
            obj.mode == "min_travel"
            and obj.unserved_min is None
            and obj.k_nearest is None
            and obj.regret_to is None
            and len(inst.years) == 1
            and sc.solver.backend != "cpsat"
            and all(a == ANCHOR for a in inst.agencies)
            and not inst.existing
            and not inst.forced
            and not sc.sites.forbidden
        )

    def rules_needing(self, what: str) -> list[str]:
        """The active rules that need ``what`` of the model (RuleSpec.needs)."""
        return [
            n
            for n, st in self.states.items()
            if st.active and what in self.specs[n].needs_of(st.params)
        ]

    @property
    def split_demand(self) -> bool:
        """An active rule lets a demand point's clients be divided among centers."""
        return bool(self.rules_needing("split"))

    def build(self) -> BuiltModel:
        """Create variables, run every active rule, set the objective."""
        if self._built is not None:
            return self._built
        start = time.perf_counter()
        lm = LinearModel()
        formulation = self.formulation
        # Benders needs no k-nearest: its cuts only ever name the sites that matter
        reach = build_reach(self.instance, self._k if formulation != "benders" else None)
        mode = self.instance.scenario.objective.mode
        if (
            formulation == "levels"
            and self.instance.scenario.solver.formulation == "auto"
            and reach.level_terms(mode) > LEVELS_MAX_TERMS_PER_PAIR * len(reach.reach)
        ):
            formulation = "assignment"  # long site lists: nested sets would be too many terms
        v = make_variables(self.instance, reach, lm, formulation, split=self.split_demand)
        rows: dict[str, int] = {}
        for name, spec in self.specs.items():
            st = self.states[name]
            if not st.active:
                continue
            ctx = RuleContext(
                self.instance,
                v,
                reach,
                lm,
                name,
                st.params,
                st.soft,
                st.penalty if st.penalty is not None else SOFT_PENALTY_DEFAULT,
            )
            spec.fn(ctx)
            rows[name] = ctx.n_rows
        obj_ctx = RuleContext(self.instance, v, reach, lm, "objective", {})
        lm.add_objective(objective_coefficients(obj_ctx))
        first = None
        objective = self.instance.scenario.objective
        if objective.equity == "max_min_sido":
            y = objective.equity_year or v.years[-1]
            eq_ctx = RuleContext(self.instance, v, reach, lm, "objective-max_min", {})
            first = ("max_min", worst_share_rows(eq_ctx, y))
            rows["objective-max_min"] = eq_ctx.n_rows
        elif objective.regret_to is not None:
            rg_ctx = RuleContext(self.instance, v, reach, lm, "objective-regret", {})
            first = ("regret", regret_rows(rg_ctx, objective.regret_to))
            rows["objective-regret"] = rg_ctx.n_rows
        self._built = BuiltModel(lm, v, reach, rows, time.perf_counter() - start, first)
        return self._built

    def solver_options(self, **overrides: Any) -> Solver:
        opts = self.instance.scenario.solver
        clean = {k: v for k, v in overrides.items() if v is not None}
        return opts.model_copy(update=clean) if clean else opts

    def solve(
        self,
        *,
        backend: str | None = None,
        time_limit_s: float | None = None,
        workers: int | None = None,
        seed: int | None = None,
        lp_first: bool | None = None,
        hint: bool = True,
        progress: Callable[[str], None] | None = None,
        warm_start: dict[str, int] | None = None,
        proven_base: LinearModel | None = None,
    ) -> backends.RawResult:
        """Build if needed and solve; returns the raw result of the model as last built.

        ``warm_start``: values by variable name of a similar model (a what-if's base run),
        the hint instead of the greedy plan (variables it does not name start at 0). The
        solver may still reject it if infeasible here. ``proven_base``: the base run's model
        when ``warm_start`` is its proven optimum; a what-if that only tightens that model
        and still allows the plan is then proven without a solve (``model.reuse``).
        """
        built = self.build()
        opts = self.solver_options(
            backend=backend,
            time_limit_s=time_limit_s,
            workers=workers,
            seed=seed,
            lp_first=lp_first,
        )
        self._check_backend(opts)
        answered = self._checked_infeasible(opts.backend)
        if answered is None and built.first_goal is not None:
            return self._solve_lexicographic(built, opts, hint, progress, warm_start)
        if answered is None and warm_start is not None and proven_base is not None:
            answered = self._reuse(built, proven_base, warm_start, opts.backend)
        if answered is not None:
            return answered
        if self._lp_then_benders(built, opts):
            return self._solve_lp_then_benders(built, opts, hint, progress, warm_start)
        # one deadline for the whole solve phase: start plan, every k-nearest round, and
        # Benders with its district-level start
        started = time.perf_counter()
        rounds = 0
        while True:

            def start_plans(built: BuiltModel = built) -> list[dict[int, int]]:
                return self._start_plans(built, hint, warm_start)

            left = opts.time_limit_s - (time.perf_counter() - started)
            round_opts = opts.model_copy(update={"time_limit_s": max(0.05, left)})
            raw = self._solve_guarded(built, round_opts, start_plans, progress)
            rounds += 1
            used = self._far_points(built, raw.values)
            left = opts.time_limit_s - (time.perf_counter() - started)
            if used and (raw.interrupted or left <= 0.05):
                # the k-nearest restriction still bit: the plan stands, the proof does not
                raw.log.append(
                    f"k-nearest: {len(used)} demand points still limited by k "
                    f"when the solve stopped; not proven optimal"
                )
                if raw.status == "OPTIMAL":
                    raw.status = "FEASIBLE"
                used = []
            if not used:
                break
            # the k-nearest restriction bit: widen it where it did, and solve again
            assert self._k is not None
            for i in used:
                self._k[i] *= 2
            if progress:
                progress(f"k-nearest: {len(used)} demand points need more sites; k doubled there")
            self._built = None
            built = self.build()
        raw.time_s = time.perf_counter() - started
        if rounds > 1:  # time and log cover every k-nearest round, not only the last
            raw.log.append(f"k-nearest: {rounds} rounds, {raw.time_s:.2f}s in all")
        return raw

    def _start_plans(
        self, built: BuiltModel, hint: bool, warm_start: dict[str, int] | None
    ) -> list[dict[int, int]]:
        """The hint first (a what-if's base plan, else the greedy plan), then greedy.

        The greedy plan is the fallback where a what-if's base plan breaks a rule.
        """
        if not hint:
            return []
        greedy = greedy_hint(self.instance, built, self.states)
        if warm_start is None:
            return [greedy]
        return [{k: warm_start.get(n, 0) for k, n in enumerate(built.lm.names)}, greedy]

    def _check_backend(self, opts: Solver) -> None:
        mip_rules = self.rules_needing("mip")
        if mip_rules and opts.backend == "cpsat":
            raise PlannerError(
                f"rules {mip_rules}: with these parameters (e.g. split: true, "
                "divided demand) they need a MIP backend; allowed: cbc, highs, "
                "scip"
            )

    def _lp_then_benders(self, built: BuiltModel, opts: Solver) -> bool:
        """``auto`` on a district model that HiGHS would solve and Benders may: LP first.

        An integral LP is the proof (seconds); a fractional one hands its optimum to Benders
        (cuts there first), which proves the national scenario in about 60% of HiGHS's
        branch-and-cut time (bench/README.md, session 11).
        """
        sc = self.instance.scenario
        obj = sc.objective
        return (
            sc.solver.formulation == "auto"
            and built.v.formulation in ("levels", "assignment")
            and opts.backend == "highs"
            and opts.lp_first
            and not self.instance.fine_grained
            and self._k is None
            and built.first_goal is None
            and obj.regret_to is None
            and obj.equity == "none"
            and not (obj.mode == "min_travel" and obj.unserved_min is not None)
            and not self.rules_needing("serve")
            and all(n in REGISTRY for n in self.specs)
        )

    def _solve_lp_then_benders(
        self,
        built: BuiltModel,
        opts: Solver,
        hint: bool,
        progress: Callable[[str], None] | None,
        warm_start: dict[str, int] | None,
    ) -> backends.RawResult:
        """The LP relaxation, then, where it is fractional, Benders from the LP optimum's cuts.

        Both run guarded under one deadline. Benders starts from the start plan the LP step
        kept (the hint or the greedy plan), so its first incumbent is never worse; where it
        ends without a plan (stopped at once) that plan stands, in the model that made it.
        """
        started = time.perf_counter()
        raw = self._solve_guarded(
            built, opts, lambda: self._start_plans(built, hint, warm_start), progress, lp_only=True
        )
        left = opts.time_limit_s - (time.perf_counter() - started)
        if raw.status in ("OPTIMAL", "INFEASIBLE") or raw.interrupted or left < 1.0:
            return raw
        start = values_by_name(built.lm, raw.values)
        point = dict(zip(built.lm.names, raw.lp_point or [], strict=False))
        self._benders_after_lp, self._built, self._lp_built = True, None, built
        benders = self.build()
        # Benders cuts at the LP optimum first (names shared by both models)
        self._cut_points = [[float(point.get(n, 0.0)) for n in benders.lm.names]] if point else []
        if progress:
            progress("LP relaxation fractional: the MIP by Benders")

        def benders_start() -> list[dict[int, int]]:
            return [{k: start.get(n, 0) for k, n in enumerate(benders.lm.names)}] if start else []

        sub = opts.model_copy(update={"time_limit_s": left})
        second = self._solve_guarded(benders, sub, benders_start, progress)
        if second.values is None and second.status != "INFEASIBLE":
            self._benders_after_lp, self._built = False, built
            raw.interrupted = raw.interrupted or second.interrupted
            raw.log += second.log
            return raw
        second.time_s = time.perf_counter() - started
        second.log = raw.log + second.log
        return second

    def first_model_plan(self, values: list) -> tuple[LinearModel, list] | None:
        """A Benders plan of LP-then-Benders in the levels or assignment model it started from.

        Shared variables by name; serve: each client to its best available center (what
        the Benders value counts); a level variable: as high as its rows allow given the
        sites (what the objective takes). None unless the plan then holds every row of that
        model. What-ifs reuse the proof on that model (``model.reuse``): the same rules, and
        the demand in its objective.
        """
        first = self._lp_built
        if not self._benders_after_lp or first is None:
            return None
        built = self.build()
        by_name = values_by_name(built.lm, values)
        lm = first.lm
        out: list = [by_name.get(n, 0) for n in lm.names]
        if first.v.serve:
            d = decode(built.v, values)
            mode = self.instance.scenario.objective.mode
            assign_best(d, built.v, built.reach, mode, self.linkage_year())
            for key in d.serve:
                if key not in first.v.serve:
                    return None
                out[first.v.serve[key]] = 1
        levels = set(first.v.level.values())
        room = {k: lm.ub[k] for k in levels}
        for row in lm.rows if levels else ():  # level <= its sites' hosts (and guest service)
            mine = [k for k, c in row.terms.items() if k in levels and c == 1]
            if len(mine) == 1 and row.sense == "<=":
                rest = sum(c * out[k] for k, c in row.terms.items() if k != mine[0])
                room[mine[0]] = min(room[mine[0]], row.rhs - rest)
        for k, r in room.items():
            out[k] = max(lm.lb[k], r)
        return None if lm.violated_rows(out) else (lm, out)

    def rules_as_stated(self) -> set[str]:
        """Rules active and hard with the parameters the scenario gave them (none edited since)."""
        return {
            n
            for n, st in self.states.items()
            if st.active and not st.soft and st == self._as_stated.get(n)
        }

    def _checked_infeasible(self, backend: str) -> backends.RawResult | None:
        """Infeasible by the pre-solve checks' arithmetic (``planner.check``), or None.

        A finding counts only where it says which rules its arithmetic uses and each of them
        (and its own) is in ``rules_as_stated``: a rule switched off, made soft or
        reconfigured in this model voids the argument.
        """
        started = time.perf_counter()
        stated = self.rules_as_stated()
        proofs = [
            f
            for f in run_checks(self.instance)
            if f.level == "error" and f.relies_on is not None and f.holds_under(stated)
        ]
        if not proofs:
            return None
        elapsed = time.perf_counter() - started
        return backends.RawResult(
            backend,
            "INFEASIBLE",
            None,
            None,
            None,
            elapsed,
            [f"pre-solve check, no solver run ({elapsed:.2f}s): {f}" for f in proofs],
            proof="presolve_check",
        )

    def reusable(self, built: BuiltModel) -> bool:
        """Whether a proven optimum of this model's rows is a proven optimum of the plan.

        Not under Benders (demand is in cuts, not rows), a lexicographic objective (two
        solves) or k-nearest (the rows are a restriction, widened between rounds).
        """
        return built.v.formulation != "benders" and built.first_goal is None and self._k is None

    def _reuse(
        self, built: BuiltModel, base: LinearModel, plan: dict[str, int], backend: str
    ) -> backends.RawResult | None:
        """The base's proven optimum, when this model only tightens the base's (a proof)."""
        if not self.reusable(built):
            return None
        started = time.perf_counter()
        values = tightened_optimum(base, plan, built.lm)
        if values is None:
            return None
        value = float(built.lm.evaluate(values))
        elapsed = time.perf_counter() - started
        return backends.RawResult(
            backend,
            "OPTIMAL",
            values,
            value,
            value,
            elapsed,
            [
                "what-if only tightens the base model and the base's proven optimum still "
                f"holds: proven optimal without a solve in {elapsed:.2f}s"
            ],
            proof="base_optimum_tightened",
        )

    def _solve_lexicographic(
        self,
        built: BuiltModel,
        opts: Solver,
        hint: bool,
        progress: Callable[[str], None] | None,
        warm_start: dict[str, int] | None,
    ) -> backends.RawResult:
        """O2 and O3: the first goal z (half the time), then O1 with z kept at its best.

        The plan is optimal only when both solves are proven; the bound is O1's with z at
        least the first solve's value. Stopped (time, Ctrl-C) in the first solve, its plan is
        returned valued by O1, not proven.
        """
        assert built.first_goal is not None
        lm, (goal, z) = built.lm, built.first_goal
        started = time.perf_counter()

        def plans(first: dict[int, int] | None) -> Callable[[], list[dict[int, int]]]:
            def start_plans() -> list[dict[int, int]]:
                if not hint:
                    return []
                greedy = greedy_hint(self.instance, built, self.states)
                out = [greedy] if first is None else [first, greedy]
                return [goal_value(built, p) for p in out]

            return start_plans

        warm = {k: warm_start.get(n, 0) for k, n in enumerate(lm.names)} if warm_start else None
        objective, offset = lm.objective, lm.offset
        lm.objective, lm.offset = {z: 1}, 0
        try:
            first_opts = opts.model_copy(update={"time_limit_s": opts.time_limit_s / 2})
            raw1 = self._solve_guarded(built, first_opts, plans(warm), progress)
        finally:
            lm.objective, lm.offset = objective, offset
        if warm is not None:  # a solver may end on a worse plan than the one it was given
            start = goal_value(built, warm)
            dense = [start.get(k, 0) for k in range(lm.n_vars)]
            worse = raw1.values is None or raw1.values[z] < start[z] - 1e-6
            if worse and not lm.violated_rows(dense):
                raw1.values, raw1.status = dense, "FEASIBLE"
        z1 = int(math.floor(raw1.values[z] + 1e-6)) if raw1.values is not None else None
        if z1 is None:
            note = f"{goal}: no plan in the first solve ({raw1.status.lower()})"
        elif goal == "max_min":
            note = f"max-min: worst 시도 share {z1 / SHARE_UNITS:.6%}"
        else:
            note = f"regret: largest regret {-z1 / DEMAND_SCALE:,.3f}"
        if z1 is not None:
            note += f" ({raw1.status.lower()}, {raw1.time_s:.2f}s)"
        if progress:
            progress(note)
        if z1 is None or raw1.interrupted:
            raw1.log.append(note)
            if raw1.values is not None:
                better = self._best_served(built, raw1.values)
                if better is not None:
                    raw1.values = [better[k] for k in range(lm.n_vars)]
                raw1.objective, raw1.bound = float(lm.evaluate(raw1.values)), None
                raw1.status = "FEASIBLE"
            return raw1
        lb_z = lm.lb[z]
        lm.lb[z] = z1
        try:
            left = opts.time_limit_s - (time.perf_counter() - started)
            second_opts = opts.model_copy(update={"time_limit_s": max(0.05, left)})
            first = self._best_served(built, raw1.values) or {
                k: int(round(x)) for k, x in enumerate(raw1.values)
            }
            raw2 = self._solve_guarded(built, second_opts, plans(first), progress)
        finally:
            lm.lb[z] = lb_z
        dense = [first.get(k, 0) for k in range(lm.n_vars)]
        behind = raw2.status != "OPTIMAL" and (raw2.objective or 0) < lm.evaluate(dense) - 0.5
        if raw2.values is None or behind:
            # nothing better in time: the first solve's plan (every client at its best
            # center), valued by O1
            raw2.values, raw2.status = dense, "FEASIBLE"
            raw2.objective = float(lm.evaluate(dense))
        elif raw1.status != "OPTIMAL" and raw2.status == "OPTIMAL":
            raw2.status = "FEASIBLE"  # the worst share itself was not proven
        raw2.log = [*raw1.log, note, *raw2.log]
        raw2.time_s = time.perf_counter() - started
        return raw2

    def _best_served(self, built: BuiltModel, values: list) -> dict[int, int] | None:
        """A plan's values with every client at its best available center (same centers).

        The first solve of O2/O3 values only its goal, so its serve variables may leave
        clients unserved where that goal does not need them; serving them at their best
        center never lowers a share or a scenario's value. None where the model has no
        serve variables, has divided demand, or the repaired plan would break a row (the
        caseload limit).
        """
        v = built.v
        if not v.serve or built.lm.continuous & set(v.serve.values()):
            return None
        from planner.model.decode import assign_best, decode

        d = decode(v, values)
        d.serve, d.share = set(), {}
        assign_best(d, v, built.reach, self.instance.scenario.objective.mode, self.linkage_year())
        out = {k: int(round(x)) for k, x in enumerate(values)}
        for key, var in v.serve.items():
            out[var] = 1 if key in d.serve else 0
        dense = [out[k] for k in range(built.lm.n_vars)]
        return None if built.lm.violated_rows(dense) else out

    def _solve_guarded(
        self,
        built: BuiltModel,
        opts: Solver,
        start_plans: Callable[[], list[dict[int, int]]],
        progress: Callable[[str], None] | None,
        lp_only: bool = False,
    ) -> backends.RawResult:
        """One solver call in a child process that the time limit and Ctrl-C can end.

        ``lp_only``: the LP relaxation only (proven when integral, else its point, no plan).

        The start plan is made in the child too (on 읍면동 models it takes seconds), so the
        limit covers it; the child reports it to this process as the fallback plan, except
        under Benders, whose model lacks the demand terms to value it (Benders reports its
        start plan, valued exactly, as its first incumbent instead).
        """
        from planner.model.guard import run_guarded

        benders = built.v.formulation == "benders"

        def work(control):
            plans = start_plans()
            start = plans[0] if plans else None
            if benders:
                return self._solve_benders(built, opts, start, control)
            control.start_plan(*plans)
            if lp_only:
                return _lp_step(built.lm, opts, control)
            return dispatch.solve(
                built.lm, opts, start, control.progress, control, scale=DEMAND_SCALE
            )

        return run_guarded(
            work,
            built.lm,
            opts.time_limit_s,
            opts.backend,
            None,
            progress,
            proves_infeasible_at_limit=opts.backend == "cpsat",
            scale=DEMAND_SCALE,
        )

    def _solve_benders(
        self, built: BuiltModel, opts: Solver, hint: dict[int, int] | None, control: Any
    ) -> backends.RawResult:
        """Benders; at 읍면동 resolution the district-level optimum is the first plan."""
        from planner.model.benders import make_groups, solve_benders
        from planner.model.pmedian_model import pmedian_form, solve_pmedian_model

        started = time.perf_counter()

        def district_start() -> dict[int, int] | None:
            coarse = self._district_plan(opts, control.progress, started)
            return {k: coarse.get(n, 0) for k, n in enumerate(built.lm.names)} if coarse else None

        # guest service wherever avail is 1: the linkage rule ties avail to team (fixed at 0
        # where no team may sit), so Benders need not read the rule's parameters
        guests = bool(built.v.avail)
        groups = make_groups(self.instance, built.v, built.reach, DEMAND_SCALE, self.linkage_year())
        form = pmedian_form(built.lm, built.v, groups, DEMAND_SCALE)
        if form is not None:  # the p-median special case: proven on arrays
            return solve_pmedian_model(built.lm, *form, opts, DEMAND_SCALE, control, started, hint)
        return solve_benders(
            built.lm,
            built.v,
            groups,
            opts,
            guests,
            [hint] if hint else [],
            DEMAND_SCALE,
            aggregate=self.instance.fine_grained,
            control=control,
            started=started,
            late_start=district_start,
            cut_points=self._cut_points,
        )

    def _district_plan(
        self, opts: Solver, progress: Callable[[str], None] | None, started: float
    ) -> dict[str, int] | None:
        """The same scenario with district demand, solved briefly: values by variable name.

        Its share of the time limit counts from ``started`` (the start of the Benders call).
        """
        inst = self.instance
        if not inst.fine_grained or inst.districts is None:
            return None
        from planner.instance import build_instance

        sc = inst.scenario
        sc = sc.model_copy(
            update={
                "demand": sc.demand.model_copy(update={"resolution": "district"}),
                "objective": sc.objective.model_copy(update={"k_nearest": None}),
                "solver": sc.solver.model_copy(update={"formulation": "auto"}),
            }
        )
        sub = PlanModel(build_instance(sc, inst.districts))
        sub.specs, sub.states = dict(self.specs), copy.deepcopy(self.states)
        sub.build()
        share = DISTRICT_SHARE * opts.time_limit_s - (time.perf_counter() - started)
        if share <= 0.05:
            if progress:
                progress("benders: no time left for the district-level plan")
            return None
        raw = sub.solve(time_limit_s=share, backend="cbc")
        if progress:
            progress(f"benders: district-level plan {raw.status.lower()} in {raw.time_s:.1f}s")
        return values_by_name(sub.build().lm, raw.values) or None

    def linkage_year(self) -> int | None:
        """The welfare linkage year when its rule is on (None: no team is ever needed)."""
        return (
            self.instance.scenario.welfare_linkage_year
            if self.states["serve-welfare_linkage"].active
            else None
        )

    def _far_points(self, built: BuiltModel, values: list[int] | None) -> list[str]:
        """Demand points where the k-nearest bound may have chosen the plan (k must grow)."""
        if values is None or not built.reach.far_value:
            return []
        if not built.v.level:
            return sorted({i for (i, _, _), var in built.v.far.items() if values[var]})
        from planner.model.decode import assign_best, decode, far_used

        d = decode(built.v, values)
        mode = self.instance.scenario.objective.mode
        assign_best(d, built.v, built.reach, mode, self.linkage_year())
        return far_used(d, built.v, built.reach, mode)


def goal_value(built: BuiltModel, plan: dict[int, int]) -> dict[int, int]:
    """``plan`` with the first goal's variable z at the best its rows allow (a start plan).

    A start plan made without z (the greedy plan) has z = 0, which breaks O3's rows
    (every regret is positive): the plan would be refused as a fallback.
    """
    assert built.first_goal is not None
    _, z = built.first_goal
    rows = [r for r in built.lm.rows if z in r.terms]
    assert all(r.sense == ">=" and r.terms[z] < 0 for r in rows)  # terms - z >= rhs
    best = min(
        (
            (sum(c * plan.get(k, 0) for k, c in r.terms.items() if k != z) - r.rhs) // -r.terms[z]
            for r in rows
        ),
        default=0,
    )
    return {**plan, z: max(built.lm.lb[z], min(built.lm.ub[z], best))}


def _lp_step(lm: LinearModel, opts: Solver, control: Any) -> backends.RawResult:
    """The LP relaxation alone: the proven optimum where integral, else its point (no plan).

    No RENS here: Benders runs its own on its LP point, and cuts at this point first.
    """
    started = time.perf_counter()
    lp = backends.solve_lp_relaxation(lm, opts, bool(control.verbose))
    if lp.proven is not None:
        return lp.proven
    return backends.RawResult(
        opts.backend,
        "UNKNOWN",
        None,
        None,
        None,
        time.perf_counter() - started,
        ["LP relaxation fractional" if lp.raw is not None else "LP relaxation unsolved"],
        lp_point=lp.raw,
    )


def values_by_name(lm: LinearModel, values: list | None) -> dict[str, int]:
    """Variable name -> value where nonzero: a warm start for a similar model."""
    return {lm.names[k]: x for k, x in enumerate(values or []) if x}
