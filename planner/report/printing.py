"""The printed report: a PNG of the map for print, and report.pdf, by headless Chromium.

Both need Debian's chromium and chromedriver (``planner.report.browser``). Without them, or
when Chromium fails, the report is written without them and the reason is returned, so that
a run never fails for want of a PDF.
"""

from __future__ import annotations

import base64
import re
import time
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


def map_png(map_html: Path) -> tuple[str | None, str | None]:
    """(base64 PNG of the map at national zoom, or None; why not, or None)."""
    if not browser.available():
        return None, NO_BROWSER
    try:
        with browser.headless(1200, 1500) as driver:
            driver.get(map_html.resolve().as_uri())
            time.sleep(LOAD_WAIT_S)
            return driver.get_screenshot_as_base64(), None
    except Exception as exc:
        return None, f"Chromium failed: {type(exc).__name__}: {str(exc)[:200]}"


def print_pdf(report_html: Path, out: Path) -> tuple[Path | None, str | None]:
    """Print ``report_html`` to ``out`` (A4) with headless Chromium; (path or None, why not)."""
    if not browser.available():
        return None, NO_BROWSER
    try:
        from selenium.webdriver.common.print_page_options import PrintOptions

        with browser.headless() as driver:
            driver.get(report_html.resolve().as_uri())
            time.sleep(LOAD_WAIT_S)
            opts = PrintOptions()
            opts.page_width, opts.page_height = A4_CM
            opts.margin_top = opts.margin_bottom = MARGIN_CM
            opts.margin_left = opts.margin_right = MARGIN_CM
            opts.background = True
            pdf = base64.b64decode(driver.print_page(opts))
        with atomic_path(out) as tmp:
            tmp.write_bytes(pdf)
        return out, None
    except Exception as exc:
        return None, f"Chromium failed: {type(exc).__name__}: {str(exc)[:200]}"


def page_count(pdf: Path) -> int:
    """Pages of a PDF written by Chromium (its page objects)."""
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes()))
