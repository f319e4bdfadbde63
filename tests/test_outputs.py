"""Officials' outputs: offline map in a real headless Chromium, workbook, report, GeoPackage,
comparison."""

from __future__ import annotations

import os
import time
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import yaml
from click.testing import CliRunner

from planner.cli import main
from planner.report import browser
from planner.report.compare import compare_runs
from planner.report.labels import Labels
from planner.report.rundata import load_run
from planner.report.workbook import read_back_plan
from planner.run import run_scenario
from planner.runfolder import MARKER

from .test_scenario_validation import _toy_doc

needs_browser = pytest.mark.skipif(
    not browser.available() and not os.environ.get("CI"),
    reason="Debian chromium + chromium-driver not installed (CI installs them)",
)


def test_map_is_self_contained(toy_run):
    import re

    page = (toy_run / "map.html").read_text(encoding="utf-8")
    assert not re.findall(r'<script[^>]+src="https?:', page)
    assert not re.findall(r'<link[^>]+href="https?:', page)
    assert "L.map(" in page and "planner-center" in page
    assert "고용복지플러스센터" in page and "Plus Center plan" in page


@needs_browser
def test_national_map_in_headless_chromium(national_run):
    from selenium.webdriver.common.by import By

    plan = pd.read_csv(national_run / "plan.csv", dtype={"code": str})
    with browser.headless(1400, 1000) as driver:
        driver.get((national_run / "map.html").resolve().as_uri())
        time.sleep(2)
        errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        assert errors == []
        polygons = driver.find_elements(By.CSS_SELECTOR, "path.leaflet-interactive")
        filled = [p for p in polygons if p.get_attribute("fill") not in (None, "none")]
        assert len(filled) == 229
        markers = driver.find_elements(By.CSS_SELECTOR, ".planner-center")
        # at national zoom, overlapping centers (the capital area) merge into clusters that
        # show how many centers they hold; markers and cluster counts add up to the plan
        clusters = driver.find_elements(By.CSS_SELECTOR, ".planner-cluster-icon .planner-cluster")
        in_clusters = sum(int(c.text) for c in clusters if c.text.strip().isdigit())
        assert clusters and in_clusters >= 2
        assert len(markers) + in_clusters == len(plan) == 100
        shot = national_run / "map.png"
        driver.save_screenshot(str(shot))
        # a marker that nothing covers (the capital region is crowded), clicked as a user would
        target = next(
            m
            for m in markers
            if driver.execute_script(
                "var r = arguments[0].getBoundingClientRect();"
                "return document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2)"
                " === arguments[0];",
                m,
            )
        )
        code = target.get_attribute("data-code")
        target.click()
        time.sleep(0.5)
        popup = driver.find_element(By.CSS_SELECTOR, ".leaflet-popup-content").text
        name = plan.set_index("code").name_ko[code]
        assert name in popup and "입주기관 / tenants" in popup
        # the legend never covers an open popup: hidden while it is open
        legend = driver.find_element(By.ID, "planner-legend")
        assert not legend.is_displayed()
        driver.find_element(By.CSS_SELECTOR, ".leaflet-popup-close-button").click()
        time.sleep(0.3)
        assert legend.is_displayed()
        select = driver.find_element(By.ID, "planner-shade-select")
        options = select.find_elements(By.TAG_NAME, "option")
        # demand, coverage and E2SFCA access per segment
        assert len(options) == 3 * len(load_run(national_run).segments)
        options[-1].click()
        assert driver.get_log("browser") == []
    assert shot.stat().st_size > 50_000


def test_workbook_reads_back(toy_run):
    from openpyxl import load_workbook

    wb = load_workbook(toy_run / "plan.xlsx")
    assert wb.sheetnames == [
        "계획 Plan",
        "단계별 KPI By phase",
        "시도별 KPI By sido",
        "인력 Staffing",
        "형평성 Equity",
        "접근성 Access",
        "가정·추정 Assumptions",
        "시나리오 Scenario",
        "해법 Solver",
    ]
    eq = pd.read_csv(toy_run / "equity.csv")
    assert wb["형평성 Equity"].max_row == len(eq) + 1  # header + one row per (phase, segment)
    ws = wb["계획 Plan"]
    headers = [c.value for c in ws[1]]
    assert headers[:4] == [
        "코드 / code",
        "시군구 / district",
        "영문명 / English name",
        "시도 / province",
    ]
    assert ws.freeze_panes == "A2"
    csv = pd.read_csv(toy_run / "plan.csv", dtype={"code": str}, keep_default_na=False)
    back = read_back_plan(toy_run / "plan.xlsx", list(csv.columns)).astype(object).fillna("")
    shown = Labels(load_run(toy_run)).frame(csv)  # the sheet shows names where plan.csv has ids
    assert _cells(back) == _cells(shown)

    assert ws.auto_filter.ref == ws.dimensions
    assert all(c.number_format == "@" and isinstance(c.value, str) for c in ws["A"][1:])
    sources = pd.read_excel(toy_run / "plan.xlsx", sheet_name="가정·추정 Assumptions")
    text = " ".join(str(v) for v in sources.values.ravel())
    assert "estimate" in text and "KOSTAT" in text


def _cells(frame: pd.DataFrame) -> list[list[str]]:
    """Cells as text, numbers normalized (Excel reads 3.0 back as 3)."""

    def norm(v: object) -> str:
        try:
            return f"{float(str(v)):.10g}"
        except ValueError:
            return str(v)

    return [[norm(v) for v in row] for row in frame.astype(str).values.tolist()]


def test_report_is_one_file(toy_run):
    page = (toy_run / "report.html").read_text(encoding="utf-8")
    charts = sum(
        page.count(f'<img alt="{a}" src="data:image/png;base64,')
        for a in ("coverage", "staff", "sido")
    )
    assert charts == 3  # (and the map as an image for print, when Chromium drew it)
    assert "srcdoc=" in page and "가정과 추정 / assumptions and estimates" in page
    assert "<script src=" not in page and '<link rel="stylesheet" href="http' not in page


def test_geopackage(toy_run):
    layers = {name for name, _ in pyogrio.list_layers(toy_run / "plan.gpkg")}
    assert layers == {"centers", "districts"}
    centers = gpd.read_file(toy_run / "plan.gpkg", layer="centers")
    districts = gpd.read_file(toy_run / "plan.gpkg", layer="districts")
    assert len(centers) == 2 and len(districts) == 6 and districts.crs.to_epsg() == 4326


def test_compare_with_itself_and_with_a_change(toy_run, tmp_path):
    same = compare_runs(toy_run, toy_run)
    assert same.identical and same.sites.empty
    doc = _toy_doc()
    doc["sites"] = {"forbidden": ["30170"]}  # the first center of the toy plan
    path = tmp_path / "no-seogu.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True))
    other = run_scenario(path, tmp_path / "b").out
    cmp = compare_runs(toy_run, other)
    assert not cmp.identical
    changes = cmp.sites.set_index("code").change
    assert changes["30170"] == "removed"
    assert (changes == "added").sum() >= 1
    res = CliRunner().invoke(
        main, ["compare", str(toy_run), str(other), "--out", str(tmp_path / "cmp")]
    )
    assert res.exit_code == 0, res.output
    assert "removed" in res.output and "KPI deltas" in res.output
    assert {p.name for p in (tmp_path / "cmp").iterdir()} == {
        "sites_diff.csv",
        "kpi_delta.csv",
        "diff_map.html",
        MARKER,
    }
    if browser.available():
        _diff_map_in_chromium(tmp_path / "cmp" / "diff_map.html", tmp_path / "diff_map.png")


def _diff_map_in_chromium(page: Path, shot: Path) -> None:
    """The comparison map has its own legend, and a removed site is drawn on top."""
    from selenium.webdriver.common.by import By

    with browser.headless(1000, 800) as driver:
        driver.get(page.resolve().as_uri())
        time.sleep(1.5)
        assert [e for e in driver.get_log("browser") if e["level"] == "SEVERE"] == []
        legend = driver.find_element(By.ID, "planner-legend").text
        assert "제외 / removed: 1" in legend and "추가 / added" in legend
        removed = driver.find_elements(By.CSS_SELECTOR, "path.planner-removed")
        assert len(removed) == 1
        on_top = driver.execute_script(
            "var r = arguments[0].getBoundingClientRect();"
            "return document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2)"
            " === arguments[0];",
            removed[0],
        )
        driver.save_screenshot(str(shot))
    assert on_top, "the removed site is covered by another marker"


def test_cli_map_rewrites_outputs(toy_run, tmp_path):
    out = tmp_path / "m.html"
    res = CliRunner().invoke(main, ["map", str(toy_run), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert out.exists() and Path(toy_run / "report.html").exists()


@needs_browser
def test_printed_report_fits_a4_and_the_pdf_exists(national_run):
    """Laid out for print at the A4 printable width (186 mm), no element reaches beyond the
    page; the PDF beside the report has its pages; the map is an image in print."""
    from planner.report.printing import page_count

    pdf = national_run / "report.pdf"
    assert pdf.exists() and page_count(pdf) >= 5
    page = (national_run / "report.html").read_text(encoding="utf-8")
    assert 'class="print-only" alt="map" src="data:image/png;base64,' in page
    with browser.headless(703, 1000) as driver:  # 186 mm at 96 CSS px per inch
        driver.get((national_run / "report.html").resolve().as_uri())
        time.sleep(1)
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
        time.sleep(0.5)
        width, over = driver.execute_script(
            "var w = document.documentElement.clientWidth, out = [];"
            "document.querySelectorAll('body *').forEach(function(el) {"
            "  var r = el.getBoundingClientRect();"
            "  if (r.width > 0 && r.right > w + 1) out.push(el.tagName + ' ' + r.right);"
            "}); return [w, out];"
        )
        driver.save_screenshot(str(national_run / "report-print.png"))
    assert width > 600 and over == []
