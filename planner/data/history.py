"""The project's compiled history: the Plus Centers opened (or selected) in 2014-2015.

``data/history/plus_centers_2014_2015.csv`` lists each center with its unit, year, month
where known, kind, status (``opened``: an opening is confirmed by a dated source;
``selected``: chosen in 2015-03 for a 2015 opening that no source used confirms) and its
sources. Only 2014 and 2015 are compiled: the 2016-2017 openings are held out for an
out-of-sample check and appear nowhere in the project (data/history/PROVENANCE.md).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from planner.data.tables import read_table
from planner.errors import DataError
from planner.paths import history_dir

PLUS_CENTERS_FILE = "plus_centers_2014_2015.csv"
STATUSES = ("opened", "selected")
KINDS = ("conversion", "new_build")
HISTORY_YEARS = (2014, 2015)


def load_plus_centers(units: pd.DataFrame, path: Path | None = None) -> pd.DataFrame:
    """The as-built table keyed by the units' codes (``units``: a vintage's units table).

    Columns: code, name_ko, year, month (Int64, missing where unknown), kind, status,
    source, note. Every row is checked; a bad one is a DataError naming the row.
    """
    path = path or history_dir() / PLUS_CENTERS_FILE
    cols = ("name_ko", "code", "year", "month", "kind", "status", "source", "note")
    t = read_table(path, "as-built Plus Centers", cols).fillna("")
    to_vintage = dict(zip(units.code_current, units.index, strict=True))
    rows = []
    for n, r in enumerate(t.itertuples(), start=2):
        where = f"{path}: row {n} ({r.name_ko})"
        if r.code not in to_vintage:
            raise DataError(f"{where}: column 'code': unknown unit code {r.code[:12]!r}")
        if not (r.year.isdigit() and int(r.year) in HISTORY_YEARS):
            raise DataError(f"{where}: column 'year': {r.year[:8]!r}; allowed: 2014, 2015")
        if r.month and not (r.month.isdigit() and 1 <= int(r.month) <= 12):
            raise DataError(f"{where}: column 'month': {r.month[:8]!r}; allowed: 1-12 or empty")
        if r.kind not in KINDS:
            raise DataError(f"{where}: column 'kind': {r.kind[:20]!r}; allowed: {', '.join(KINDS)}")
        if r.status not in STATUSES:
            raise DataError(
                f"{where}: column 'status': {r.status[:20]!r}; allowed: {', '.join(STATUSES)}"
            )
        rows.append(
            {
                "code": to_vintage[r.code],
                "name_ko": r.name_ko,
                "year": int(r.year),
                "month": int(r.month) if r.month else pd.NA,
                "kind": r.kind,
                "status": r.status,
                "source": r.source,
                "note": r.note,
            }
        )
    out = pd.DataFrame(rows)
    dup = out.code[out.code.duplicated()]
    if len(dup):
        raise DataError(f"{path}: unit {dup.iloc[0]} is listed twice")
    out["month"] = out.month.astype("Int64")
    return out
