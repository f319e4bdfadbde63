"""The plan's vocabulary, below the model and the validator alike.

Both the model (which writes rows) and the validator (which re-checks a plan from the
specification) import this module and nothing of each other: a plan as plain sets of
decisions, the agencies every rule names, the objective's units and tie-breaks, who may serve
whom before the welfare linkage, the caseload capacity, reach decay and the best-site order.
See docs/formulation.md for the symbols.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

# The anchor agency: a center is open exactly when the Employment Center part of it is.
ANCHOR = "employment_center"
# The welfare desk's team; before the linkage year it serves its own district only.
WELFARE_AGENCY = "welfare_team"

# Objective units: DEMAND_SCALE per person served (integers for CP-SAT). Each coefficient is
# rounded to 1/DEMAND_SCALE person, so a plan is optimal for the rounded objective and within
# (number of serve variables) x 0.5/DEMAND_SCALE persons of the exact optimum.
DEMAND_SCALE = 1000
# a 시도's served share in model rows (coverage floor, max-min): whole parts per billion
SHARE_UNITS = 10**9
# Tie-breaks, in objective units (1/DEMAND_SCALE person): among plans serving the same demand,
# prefer the cheaper one and do not add tenants that serve no modelled segment. Worth less
# than one person per center, so they never outweigh a client served.
TIEBREAK_PER_MKRW = 0.01
TIEBREAK_PER_IDLE_TENANT = 1

# phase targets (scenario target_mode): how the number of centers open compares with the target
TARGET_SENSE = {"exact": "==", "at_least": ">=", "at_most": "<="}

SHARE_TOL = 1e-9  # a served share below this is solver noise
ROW_TOL = 1e-6  # relative tolerance of a row with continuous values (split demand)


@dataclass
class Decisions:
    """Which centers operate (with kind and format), who is in them, who is served where.

    The validator, the KPIs and the outputs read these sets; a plan typed in by hand (tests)
    or decoded from a solver looks the same.
    """

    open: set[tuple[str, int, str]] = field(default_factory=set)  # (site, year, kind)
    fmt: set[tuple[str, str, int]] = field(default_factory=set)  # (site, format, year)
    host: set[tuple[str, str, int]] = field(default_factory=set)  # (site, agency, year), no anchor
    serve: set[tuple[str, str, str, int]] = field(default_factory=set)  # (district, seg, site, y)
    team: set[tuple[str, str, int]] = field(default_factory=set)  # (district, site, year)
    unserved: set[tuple[str, str, int]] = field(default_factory=set)  # (district, seg, year)
    # split demand (caseload rule, split: true): the share of a served group below 1
    share: dict[tuple[str, str, str, int], float] = field(default_factory=dict)

    def share_of(self, key: tuple[str, str, str, int]) -> float:
        """The share of point i's segment s clients served at j in y (1 unless split)."""
        return self.share.get(key, 1.0)

    def hosted(self) -> set[tuple[str, str, int]]:
        """Every (site, agency, year) with the agency in the center (the anchor: open)."""
        return set(self.host) | {(j, ANCHOR, y) for (j, y, _) in self.open}

    def kind_at(self, j: str, y: int) -> list[str]:
        return [k for (jj, yy, k) in self.open if jj == j and yy == y]

    def open_sites(self, y: int) -> set[str]:
        return {j for (j, yy, _) in self.open if yy == y}

    def first_open(self) -> dict[str, tuple[int, str]]:
        """Site -> (first phase open, kind then)."""
        out: dict[str, tuple[int, str]] = {}
        for j, y, k in sorted(self.open):
            if j not in out or y < out[j][0]:
                out[j] = (y, k)
        return out

    def format_of(self, j: str) -> str | None:
        fs = {f for (jj, f, _) in self.fmt if jj == j}
        return fs.pop() if len(fs) == 1 else (";".join(sorted(fs)) or None)

    def tenant_entry(self) -> dict[tuple[str, str], int]:
        """(site, agency) -> phase it moved in."""
        out: dict[tuple[str, str], int] = {}
        for j, a, y in self.host:
            out[(j, a)] = min(y, out.get((j, a), y))
        return out


def team_needed(unit: str, agency: str, linkage_year: int | None, j: str, y: int) -> str | None:
    """The district whose welfare team must sit at j for j to serve a client of ``unit``.

    Before the information linkage, welfare demand (the segment served by WELFARE_AGENCY) of
    a point in district ``unit`` is served at that district's own center or where its team
    is; None when no team is needed (formulation rule serve-welfare_linkage).
    """
    if linkage_year is None or y >= linkage_year or agency != WELFARE_AGENCY:
        return None
    return None if j == unit else unit


def site_capacity(params: Mapping) -> Callable[[str], int]:
    """The caseload rule's capacity of each site: per_site[j], else clients_per_center."""
    per_site = dict(params.get("per_site") or {})
    default = int(params.get("clients_per_center", 0))
    return lambda j: int(per_site.get(j, default))


def counsellor_capacity(params: Mapping, caseload: object, agency: str, segment: str) -> int:
    """Clients one counsellor of ``agency`` can carry (center-capacity with basis: staff).

    clients_per_counsellor[agency] where given (a caseload: seed table 9, 350 per
    self-support counsellor), else cases_per_day x working_days / visits per client (seed
    table 9: 60-80 cases a day per counsellor), whole clients.
    """
    per = dict(params.get("clients_per_counsellor") or {})
    if agency in per:
        return int(per[agency])
    visits = float(getattr(caseload, "visits_per_client", {}).get(segment, 1.0)) or 1.0
    rate = float(params.get("cases_per_day", 70.0))
    return int(rate * int(getattr(caseload, "working_days", 250)) / visits)


def best_site_key(mode: str, minutes: float, reach: float, site: str) -> tuple:
    """Sort key of a site for a client: the best first, one order everywhere.

    Highest reach (min_travel: shortest travel), then nearest, then lowest site code.
    """
    if mode == "min_travel":
        return (minutes, site)
    return (-reach, minutes, site)


def decay(minutes: float, kind: str, cutoff: float, half_life: float) -> float:
    """Reach of a center ``minutes`` away: 1 at 0, falling to 0 at the cutoff."""
    if minutes > cutoff or not math.isfinite(minutes):
        return 0.0
    if kind == "step":
        return 1.0
    if kind == "exponential":
        return 0.5 ** (minutes / half_life)
    return 1.0 - minutes / cutoff  # linear


def decay_matrix(minutes: np.ndarray, kind: str, cutoff: float, half_life: float) -> np.ndarray:
    """``decay`` over a whole matrix (0 beyond the cutoff and where unreachable)."""
    ok = np.isfinite(minutes) & (minutes <= cutoff)
    m = np.where(ok, minutes, 0.0)
    if kind == "step":
        r = np.ones_like(m)
    elif kind == "exponential":
        r = 0.5 ** (m / half_life)
    else:
        r = 1.0 - m / cutoff
    return np.where(ok, r, 0.0)


def decay_of(mode: str, travel_cutoff: float, decay_kind: str) -> tuple[str, float]:
    """(decay kind, cutoff) an objective mode uses: max_coverage and min_travel count 1."""
    cutoff = math.inf if mode == "min_travel" else travel_cutoff
    kind = "step" if mode in ("max_coverage", "min_travel") else decay_kind
    return kind, cutoff


def holds(lhs: float, sense: str, rhs: float, tol: float = 0.0) -> bool:
    """Whether ``lhs <sense> rhs`` holds within ``tol`` (one reading of a row everywhere)."""
    if sense == "<=":
        return lhs <= rhs + tol
    if sense == ">=":
        return lhs >= rhs - tol
    if sense == "==":
        return abs(lhs - rhs) <= tol
    raise ValueError(f"unknown sense {sense!r}; allowed: <=, >=, ==")
