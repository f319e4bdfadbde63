"""jinja2 templates of the HTML outputs (report, map popups and panels, comparison).

Autoescape is on for every template: values are text, and markup lives in the templates.
StrictUndefined makes a missing value an error instead of an empty cell.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import jinja2

TEMPLATES = Path(__file__).resolve().parent / "templates"


@cache
def environment() -> jinja2.Environment:
    """The one template environment (autoescaped, strict)."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )


def render(template: str, /, **context: Any) -> str:
    """Render ``template`` (a file of planner/report/templates) with ``context``."""
    return environment().get_template(template).render(**context)
