"""OR-Library instances and single-phase special cases (p-median, MCLP) as planner instances.

`pmedN.txt` (Beasley 1985): "n edges p", then undirected edges "i j cost". Distances are
all-pairs shortest paths; when an edge is listed twice the last one wins (the published optima
assume it: taking the minimum gives 5718 instead of 5819 on pmed1).

`pmedcapNN.txt` (Osman & Christofides 1994): "id optimum", "n p Q", then "i x y demand";
every node is a customer and a candidate median of capacity Q, each customer is served
whole by one median (single source) and the cost is the sum of floor(Euclidean distance).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from planner.errors import DataError
from planner.instance import Instance, instance_from_matrix
from planner.scenario import scenario_from_dict
from planner.scenario.schema import RuleSetting

NO_TENANTS = [
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


def read_pmed(path: str | Path) -> tuple[int, np.ndarray]:
    """(p, all-pairs shortest-path distances) of an OR-Library pmed file."""
    path = Path(path)
    try:
        tokens = path.read_text().split()
    except FileNotFoundError as exc:
        raise DataError(f"{path}: instance file not found") from exc
    n, m, p = (int(t) for t in tokens[:3])
    edges = np.array(tokens[3 : 3 + 3 * m], dtype=np.int64).reshape(m, 3)
    d = np.full((n, n), np.inf)
    np.fill_diagonal(d, 0.0)
    for i, j, c in edges:  # in file order: a repeated edge overwrites the earlier one
        d[i - 1, j - 1] = d[j - 1, i - 1] = c
    for k in range(n):  # Floyd-Warshall
        np.minimum(d, d[:, k, None] + d[None, k, :], out=d)
    if not np.isfinite(d).all():
        raise DataError(f"{path}: graph is not connected")
    return p, d


def pmed_instance(
    path: str | Path,
    backend: str = "cbc",
    time_limit_s: float = 600.0,
    k_nearest: int | None = None,
) -> Instance:
    """The p-median as planner's min_travel special case: one phase, all sites, no tenants."""
    p, d = read_pmed(path)
    codes = [f"N{k + 1}" for k in range(len(d))]
    travel = pd.DataFrame(d, index=codes, columns=codes)
    return pmedian_instance(
        travel,
        pd.Series(1.0, index=codes),
        p,
        name=Path(path).stem,
        backend=backend,
        time_limit_s=time_limit_s,
        k_nearest=k_nearest,
    )


def _single_phase(
    name: str, p: int, objective: dict, travel: dict, backend: str, time_limit_s: float
):
    return scenario_from_dict(
        {
            "name": name,
            "vintage": 2015,
            "phases": [{"year": 2015, "target": p}],
            "targets": "per_phase",
            "kinds": {
                "conversion": {
                    "name_ko": "입지",
                    "name_en": "site",
                    "office": "any",
                    "cost_mkrw": 0,
                }
            },
            "formats": {"basic": {"name_ko": "기본형", "name_en": "basic"}},
            "agencies": {a: {"enabled": False} for a in NO_TENANTS},
            "segments": {"jobseekers": {"weight": 1.0}},
            "travel": travel,
            "objective": objective,
            "solver": {"backend": backend, "time_limit_s": time_limit_s, "workers": 1},
        },
        name,
    )


def _one_phase_demand(weights: pd.Series) -> dict[int, pd.DataFrame]:
    """The single phase's demand table: the weights as the one segment's clients."""
    return {2015: pd.DataFrame({"jobseekers": weights.to_numpy()}, index=weights.index)}


def pmedian_instance(
    cost: pd.DataFrame,
    weights: pd.Series,
    p: int,
    *,
    name: str = "p-median",
    backend: str = "cbc",
    time_limit_s: float = 600.0,
    k_nearest: int | None = None,
) -> Instance:
    """The p-median (demand points x sites ``cost``) as planner's min_travel special case."""
    sc = _single_phase(
        name,
        p,
        {"mode": "min_travel", "unserved_min": None, "k_nearest": k_nearest},
        {},
        backend,
        time_limit_s,
    )
    return instance_from_matrix(sc, cost, _one_phase_demand(weights.reindex(cost.index)))


def mclp_instance(
    cost: pd.DataFrame,
    weights: pd.Series,
    p: int,
    radius: float,
    *,
    name: str = "mclp",
    backend: str = "cbc",
    time_limit_s: float = 600.0,
) -> Instance:
    """The maximal covering location problem as planner's max_coverage special case."""
    sc = _single_phase(
        name, p, {"mode": "max_coverage"}, {"cutoff_min": radius}, backend, time_limit_s
    )
    return instance_from_matrix(sc, cost, _one_phase_demand(weights.reindex(cost.index)))


def read_pmedcap(path: str | Path) -> tuple[int, int, np.ndarray, np.ndarray]:
    """(p, capacity Q, floor-Euclidean distances, demands) of an OR-Library pmedcap file."""
    path = Path(path)
    try:
        tokens = path.read_text().split()
    except FileNotFoundError as exc:
        raise DataError(f"{path}: instance file not found") from exc
    n, p, q = (int(t) for t in tokens[2:5])
    nodes = np.array(tokens[5 : 5 + 4 * n], dtype=float).reshape(n, 4)
    xy, demand = nodes[:, 1:3], nodes[:, 3]
    d = np.floor(np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1)))
    return p, q, d, demand


def pmedcap_instance(
    path: str | Path, backend: str = "cbc", time_limit_s: float = 600.0
) -> Instance:
    """The capacitated p-median as planner's min_travel with the caseload rule.

    Demand d_i is what a center's capacity counts (center-capacity: clients_per_center = Q);
    the cost counts each customer once, so the travel "minutes" are distance / d_i
    (weighted by d_i in the objective they give the distance back exactly).
    """
    p, q, d, demand = read_pmedcap(path)
    codes = [f"N{k + 1}" for k in range(len(d))]
    travel = pd.DataFrame(d / demand[:, None], index=codes, columns=codes)
    sc = _single_phase(
        Path(path).stem, p, {"mode": "min_travel", "unserved_min": None}, {}, backend, time_limit_s
    )
    sc = sc.model_copy(
        update={
            "rules": {
                **sc.rules,
                "center-capacity": RuleSetting(active=True, params={"clients_per_center": q}),
            }
        }
    )
    return instance_from_matrix(sc, travel, _one_phase_demand(pd.Series(demand, index=codes)))


def read_cap(path: str | Path, capacity: float | None = None):
    """(capacities, fixed costs, demands, cost[customer, site]) of an OR-Library cap file.

    The cost is that of serving all of a customer's demand from the site. capa/capb/capc
    write the literal word ``capacity`` for every site: ``capacity`` gives the number.
    """
    path = Path(path)
    try:
        tokens = path.read_text().split()
    except FileNotFoundError as exc:
        raise DataError(f"{path}: instance file not found") from exc
    m, n = int(tokens[0]), int(tokens[1])
    caps, fixed = [], []
    for k in range(m):
        c, f = tokens[2 + 2 * k], tokens[3 + 2 * k]
        if c == "capacity":
            if capacity is None:
                raise DataError(
                    f"{path}: capacities are the word 'capacity'; pass capacity= "
                    f"(capa: 8000-14000, capb/capc: 5000-8000)"
                )
            c = capacity
        caps.append(float(c))
        fixed.append(float(f))
    rest = np.array(tokens[2 + 2 * m :], dtype=float).reshape(n, m + 1)
    return np.array(caps), np.array(fixed), rest[:, 0], rest[:, 1:]


def cap_instance(
    path: str | Path,
    capacity: float | None = None,
    backend: str = "cbc",
    time_limit_s: float = 600.0,
    scale: float = 100.0,
    capacitated: bool = True,
) -> Instance:
    """Capacitated facility location (multi-source) as planner's min_travel special case.

    Sites open at their fixed cost (sites.opening_cost_mkrw with objective.cost_weight), the
    caseload rule gives each site its capacity and splits a customer's demand among sites,
    and a customer's travel "minutes" are cost / demand (weighted by the demand they give
    the cost back). ``scale`` multiplies every cost (segment weight and cost weight) so that
    coefficients rounded to 1/1000 keep the published optima's decimals. ``capacitated``
    False: the uncapacitated problem on the same file (OR-Library uncapopt).
    """
    caps, fixed, demand, cost = read_cap(path, capacity if capacitated else 0.0)
    sites = [f"W{k + 1}" for k in range(len(caps))]
    points = [f"C{k + 1}" for k in range(len(demand))]
    travel = pd.DataFrame(cost / demand[:, None], index=points, columns=sites)
    sc = _single_phase(
        Path(path).stem,
        1,
        {"mode": "min_travel", "unserved_min": None, "cost_weight": scale},
        {},
        backend,
        time_limit_s,
    )
    sc = sc.model_copy(
        update={
            "target_mode": "at_least",
            "segments": {
                "jobseekers": sc.segments["jobseekers"].model_copy(update={"weight": scale})
            },
            "sites": sc.sites.model_copy(
                update={"opening_cost_mkrw": dict(zip(sites, fixed.tolist(), strict=True))}
            ),
            "rules": {
                **sc.rules,
                "center-capacity": RuleSetting(
                    active=capacitated,
                    params={
                        "clients_per_center": int(caps.max()),
                        "split": True,
                        "per_site": {j: int(c) for j, c in zip(sites, caps, strict=True)},
                    },
                ),
            },
        }
    )
    return instance_from_matrix(sc, travel, _one_phase_demand(pd.Series(demand, index=points)))


def cap_value(sol, path: str | Path, capacity: float | None = None) -> float:
    """A plan's cost in the file's own terms (not planner's rounded objective).

    Fixed costs of the open sites plus each customer's cost times the share of its demand
    each site serves.
    """
    _, fixed, _, cost = read_cap(path, capacity if capacity is not None else 0.0)
    d = sol.decisions
    total = sum(fixed[int(j[1:]) - 1] for j in d.open_sites(2015))
    for i, _, j, _ in d.serve:
        total += cost[int(i[1:]) - 1, int(j[1:]) - 1] * d.share_of((i, "jobseekers", j, 2015))
    return float(total)


def published_optima(instances_dir: str | Path) -> dict[str, float]:
    """Known optimal values by instance name (../shared/instances/optimal_values.csv)."""
    table = pd.read_csv(Path(instances_dir) / "optimal_values.csv")
    return dict(zip(table.instance, table.optimal_value.astype(float), strict=True))
