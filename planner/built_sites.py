"""Turn a scenario's ``sites.as_built`` into forced sites, and read ``sites.frozen``.

The centers actually built up to ``through_year`` become fixed decisions: open at their
unit from their year, of their kind. A site the scenario forces itself keeps the scenario's
entry (it is the more specific statement).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from planner.data.districts import DistrictData
from planner.data.history import load_plus_centers
from planner.domain import ANCHOR
from planner.errors import ScenarioError, did_you_mean
from planner.scenario.schema import ForcedSite, Scenario


def as_built_sites(scenario: Scenario, districts: DistrictData) -> list[ForcedSite]:
    """The forced sites the scenario's as-built table adds (empty without one)."""
    ab = scenario.sites.as_built
    if ab is None:
        return []
    table = load_plus_centers(districts.units)
    rows = table[(table.year <= ab.through_year) & table.status.isin(ab.statuses)]
    years = [p.year for p in scenario.phases]
    own = {f.code for f in scenario.sites.forced}
    problems, out = [], []
    for r in rows.itertuples():
        if r.code in own:
            continue
        kind = ab.kinds.get(r.kind, r.kind)
        if kind not in scenario.kinds:
            problems.append(
                f"sites.as_built.kinds: the table's kind {r.kind!r} ({r.name_ko}) maps to "
                f"{kind!r}, not a kind of this scenario; " + did_you_mean(kind, scenario.kinds)
            )
            continue
        if r.year not in years:
            problems.append(
                f"sites.as_built: {r.name_ko} opened in {r.year}, not a phase year {years}"
            )
            continue
        out.append(ForcedSite(code=r.code, year=r.year, kind=kind))
    if problems:
        raise ScenarioError(scenario.source, sorted(set(problems)))
    return out


@dataclass(frozen=True)
class FrozenCenter:
    """One center of a frozen plan: its opening year, kind, format and tenants' years."""

    code: str
    year: int
    kind: str
    format: str
    tenants: dict[str, int]  # agency -> the year it is in from (the anchor is implied)


@dataclass(frozen=True)
class Frozen:
    """The centers of the phases up to ``through_year`` (sites.frozen), exactly as given."""

    through_year: int
    centers: dict[str, FrozenCenter]
    file: str


def frozen_path(scenario: Scenario) -> Path:
    """sites.frozen.file, a relative path read from the scenario file's folder."""
    path = Path(scenario.sites.frozen.file).expanduser()
    if not path.is_absolute() and scenario.source_files:
        path = Path(scenario.source_files[-1]).parent / path
    return path


def _tenant_years(
    cell: str, year: int, agencies: dict, where: str, problems: list[str]
) -> dict[str, int]:
    out: dict[str, int] = {}
    for item in filter(None, (t.strip() for t in cell.split(";"))):
        a, _, y = item.partition("@")
        if a not in agencies:
            problems.append(f"{where}: tenant {a!r} is no agency; " + did_you_mean(a, agencies))
            continue
        if a == ANCHOR:
            continue
        try:
            out[a] = int(y) if y else year
        except ValueError:
            problems.append(f"{where}: tenant {item!r}: the year {y!r} is not a year")
    return out


def frozen_plan(scenario: Scenario, districts: DistrictData) -> Frozen | None:
    """Read sites.frozen's table (None without one); a bad row raises ScenarioError.

    Rows of centers opened after ``through_year`` are ignored, and so are the tenants that
    join after it: those decisions are the replan's to make.
    """
    fr = scenario.sites.frozen
    if fr is None:
        return None
    path = frozen_path(scenario)
    key = "sites.frozen.file"
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
    except FileNotFoundError:
        raise ScenarioError(scenario.source, [f"{key}: {path} does not exist"]) from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise ScenarioError(scenario.source, [f"{key}: {path} is not a CSV table: {exc}"]) from None
    year_col = "year" if "year" in table.columns else "phase_opened"
    missing = [c for c in ("code", year_col, "kind", "format") if c not in table.columns]
    if missing:
        raise ScenarioError(
            scenario.source,
            [
                f"{key}: {path} lacks the column(s) {missing}; needed: code, year (or "
                "phase_opened), kind, format and optionally tenants"
            ],
        )
    years = [p.year for p in scenario.phases]
    if fr.through_year not in years:
        raise ScenarioError(
            scenario.source,
            [f"sites.frozen.through_year: {fr.through_year} is not a phase year {years}"],
        )
    agencies = districts.catalog.agencies
    problems: list[str] = []
    centers: dict[str, FrozenCenter] = {}
    for n, r in enumerate(table.to_dict("records"), start=2):  # line 1 is the header
        where = f"{path}, line {n}"
        code = str(r["code"]).strip()
        try:  # a run's plan.csv marks centers open before the horizon "existing"
            cell = str(r[year_col]).strip()
            year = years[0] if cell == "existing" else int(cell)
        except ValueError:
            problems.append(f"{where}: {year_col} {r[year_col]!r} is not a year")
            continue
        if year > fr.through_year:
            continue
        if code not in districts.units.index:
            problems.append(f"{where}: code {code!r} is no unit of vintage {scenario.vintage}")
            continue
        if year not in years:
            problems.append(f"{where}: {year_col} {year} is not a phase year {years}")
            continue
        if r["kind"] not in scenario.kinds:
            problems.append(
                f"{where}: kind {r['kind']!r}; " + did_you_mean(r["kind"], scenario.kinds)
            )
            continue
        if r["format"] not in scenario.formats:
            problems.append(
                f"{where}: format {r['format']!r}; " + did_you_mean(r["format"], scenario.formats)
            )
            continue
        if code in centers:
            problems.append(f"{where}: code {code} appears twice")
            continue
        tenants = _tenant_years(str(r.get("tenants", "")), year, agencies, where, problems)
        tenants = {a: y for a, y in tenants.items() if y <= fr.through_year}
        centers[code] = FrozenCenter(code, year, r["kind"], r["format"], tenants)
    if problems:
        raise ScenarioError(scenario.source, problems)
    return Frozen(fr.through_year, centers, str(path))
