"""Read a CSV table strictly: every failure is a DataError naming the file and the row.

pandas reads a ragged row without a word (extra fields become an index, or are dropped with a
warning), so the field count of every row is checked first.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from planner.errors import DataError


def read_table(
    path: Path,
    what: str,
    columns: tuple[str, ...] = (),
    dtype: type | dict | None = str,
    hint: str = "",
) -> pd.DataFrame:
    """The CSV at ``path`` (``what`` names it in messages) with its required ``columns``."""
    path = Path(path)
    if path.is_dir():
        raise DataError(f"{path}: {what} is a folder, not a .csv file")
    if not path.is_file():
        raise DataError(f"{path}: {what} not found{hint}")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise DataError(f"{path}: {what} is not UTF-8 text (a binary file?){hint}") from None
    except OSError as exc:
        raise DataError(f"{path}: {what} cannot be read ({exc.strerror or exc}){hint}") from None
    if not text.strip():
        raise DataError(f"{path}: {what} is empty; it needs a header row{hint}")
    if "\x00" in text:
        raise DataError(f"{path}: {what} holds NUL bytes (a binary file?){hint}")
    try:
        rows = csv.reader(io.StringIO(text))
        width = len(next(rows))
        for row in rows:
            if row and len(row) != width:
                raise DataError(
                    f"{path}: row {rows.line_num} of {what} has {len(row)} fields; "
                    f"the header has {width}{hint}"
                )
    except csv.Error as exc:
        raise DataError(
            f"{path}: {what} is not a well-formed CSV ({str(exc)[:80]}){hint}"
        ) from None
    try:
        frame = pd.read_csv(
            io.StringIO(text), dtype=dtype, keep_default_na=dtype is not str, index_col=False
        )
    except (pd.errors.ParserError, ValueError) as exc:
        first = str(exc).splitlines()[0][:100] if str(exc) else type(exc).__name__
        raise DataError(f"{path}: {what} is not a well-formed CSV ({first}){hint}") from None
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        shown = [str(c)[:30] for c in list(frame.columns)[:8]]
        raise DataError(f"{path}: {what} needs column(s) {missing}; found {shown}{hint}")
    return frame
