"""The printed report: a PNG of the map for print, and report.pdf, by headless Chromium.

Both need Debian's chromium and chromedriver (``planner.report.browser``). Without them, or
when Chromium fails, the report is written without them and the reason is returned, so that
a run never fails for want of a PDF.
"""

from __future__ import annotations

import base64
import re
import time
from collections.abc import Callable
from pathlib import Path

from planner.atomic import atomic_path
from planner.report import browser

A4_CM = (21.0, 29.7)
MARGIN_CM = 1.2
LOAD_WAIT_S = 1.5
NO_BROWSER = (
    "no headless Chromium: needs Debian's chromium and chromium-driver, and selenium "
    "(pip install -e '.[test]')"
)


def print_report(
    map_html: Path, write_report: Callable[[str | None], Path], out: Path
) -> tuple[Path, Path | None, str | None]:
    """Draw the map for print, write the report with it, print the report to ``out`` (A4).

    One Chromium session does both. ``write_report(png)`` writes the report with the map's
    base64 PNG (None without one) and returns its path. Returns (report, the PDF or None,
    why there is no PDF or None); the report is always written.
    """
    if not browser.available():
        return write_report(None), None, NO_BROWSER
    report: Path | None = None
    try:
        from selenium.webdriver.common.print_page_options import PrintOptions

        with browser.headless(1200, 1500) as driver:
            driver.get(map_html.resolve().as_uri())
            time.sleep(LOAD_WAIT_S)
            report = write_report(driver.get_screenshot_as_base64())
            driver.get(report.resolve().as_uri())
            time.sleep(LOAD_WAIT_S)
            opts = PrintOptions()
            opts.page_width, opts.page_height = A4_CM
            opts.margin_top = opts.margin_bottom = MARGIN_CM
            opts.margin_left = opts.margin_right = MARGIN_CM
            opts.background = True
            pdf = base64.b64decode(driver.print_page(opts))
        with atomic_path(out) as tmp:
            tmp.write_bytes(pdf)
        return report, out, None
    except Exception as exc:
        why = f"Chromium failed: {type(exc).__name__}: {str(exc)[:200]}"
        return report or write_report(None), None, why


def page_count(pdf: Path) -> int:
    """Pages of a PDF written by Chromium (its page objects)."""
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes()))
