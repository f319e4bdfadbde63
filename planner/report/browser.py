"""Open a page in headless Chromium (Debian's chromium + chromedriver) with no network.

Used by the tests and by `planner map --screenshot` to check a map as an official would see
it: console errors, elements present, a popup on click, and a PNG of the screen.
"""

from __future__ import annotations

import importlib.util
import shutil
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


def available() -> bool:
    """Whether Debian's chromium and chromedriver are installed, and selenium to drive them.

    selenium comes with the ``test`` extra; ``pip install -e .`` alone prints no PDF.
    """
    binaries = (
        bool(shutil.which(CHROMIUM) or Path(CHROMIUM).exists()) and Path(CHROMEDRIVER).exists()
    )
    return binaries and importlib.util.find_spec("selenium") is not None


@contextmanager
def headless(width: int = 1400, height: int = 1000):
    """A Selenium driver on headless Chromium, networking disabled, fresh profile."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="planner-chromium-")
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        f"--window-size={width},{height}",
        f"--user-data-dir={profile}",
        # no network at all: every host resolves nowhere
        "--host-resolver-rules=MAP * ~NOTFOUND",
        "--proxy-server=127.0.0.1:9",
    ):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def screenshot(page: Path, png: Path, wait_s: float = 2.0) -> list[dict]:
    """Open ``page``, wait, save a PNG; returns the browser console log."""
    with headless() as driver:
        driver.get(page.resolve().as_uri())
        time.sleep(wait_s)
        driver.save_screenshot(str(png))
        return driver.get_log("browser")
