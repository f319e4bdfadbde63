"""No catalog id reaches a person where a name exists: the map, the report and the workbook of
the national run show segments, agencies, kinds and formats by their Korean and English names.

An id is looked for as a whole word when it cannot be an ordinary English word: ids with an
underscore (welfare_team, self_support, new_build, ...) and the coined ones (saeil,
jobseekers). YAML key paths ("pools.welfare_team", "scenario: kinds.new_build.cost_mkrw") are
references into the scenario file for reproducing the run, and the resolved-scenario sheet is
that file as a table; both keep the ids on purpose and are not counted.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import pytest
from openpyxl import load_workbook

from planner.data.districts import cached_districts

KEY_PATH = re.compile(r"^(scenario: )?[a-z_]+(\[\d+\])?(\.[\w\-\[\]]+)+$")


def _ids(run_dir) -> set[str]:
    import yaml

    catalog = cached_districts(2015).catalog
    sc = yaml.safe_load((run_dir / "scenario.resolved.yaml").read_text(encoding="utf-8"))
    ids = set(catalog.agencies) | set(catalog.segments) | set(sc["kinds"]) | set(sc["formats"])
    return {i for i in ids if "_" in i} | ({"saeil", "jobseekers"} & ids)


def _found(texts: list[str], ids: set[str]) -> list[str]:
    pattern = re.compile(r"(?<![\w\-.])(" + "|".join(sorted(ids)) + r")(?![\w\-])")
    return sorted(
        {
            f"{m.group(1)} in {t[:80]!r}"
            for t in texts
            for m in pattern.finditer(t)
            if not KEY_PATH.match(t.strip())
        }
    )


class _Text(HTMLParser):
    """Visible text of a page: text nodes outside script and style."""

    def __init__(self):
        super().__init__()
        self.out: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("script", "style")

    def handle_endtag(self, tag):
        self._skip -= tag in ("script", "style") and self._skip > 0

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.out.append(data.strip())


def _page_text(page: str) -> list[str]:
    parser = _Text()
    parser.feed(page)
    texts = list(parser.out)
    # popups, tooltips and layer names live in the map's script as HTML strings
    for chunk in re.findall(r"`([^`]*)`", page) + re.findall(r'"name": "([^"]*)"', page):
        inner = _Text()
        inner.feed(html.unescape(chunk))
        texts += inner.out
    return texts


@pytest.mark.parametrize("name", ["map.html", "report.html"])
def test_pages_show_names_not_ids(national_run, name):
    page = (national_run / name).read_text(encoding="utf-8")
    assert _found(_page_text(page), _ids(national_run)) == []


def test_workbook_shows_names_not_ids(national_run):
    wb = load_workbook(national_run / "plan.xlsx")
    texts = [
        str(c.value)
        for ws in wb.worksheets
        if ws.title != "시나리오 Scenario"
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str)
    ]
    assert _found(texts, _ids(national_run)) == []
