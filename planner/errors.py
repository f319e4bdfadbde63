"""The project's own exceptions: every user-facing failure is one of these, never a traceback."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class PlannerError(Exception):
    """Base class; the CLI prints its message and exits non-zero."""


class DataError(PlannerError):
    """A data file is missing, malformed or inconsistent."""


class ScenarioError(PlannerError):
    """A scenario file is invalid; ``problems`` lists each finding on its own line."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{source}: invalid scenario ({len(problems)} problem(s))\n{lines}")


def did_you_mean(value: object, allowed: Iterable[object], limit: int = 8) -> str:
    """Phrase the allowed values, leading with the closest match to ``value``."""
    options = [str(a) for a in allowed]
    close = difflib.get_close_matches(str(value), options, n=1, cutoff=0.6)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    shown = ", ".join(options[:limit])
    if len(options) > limit:
        shown += f", ... ({len(options)} in all)"
    return f"allowed: {shown}.{hint}"
