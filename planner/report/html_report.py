"""One printable HTML file per run: summary, KPIs, map, charts, plan, solver facts, estimates."""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from planner.atomic import write_text
from planner.report import charts
from planner.report.map import render_map
from planner.report.rundata import RunData, gap_text, load_run
from planner.report.workbook import assumptions_table, header

CSS = """
body{font-family:'Noto Sans CJK KR','NanumGothic','Malgun Gothic',sans-serif;margin:24px;
color:#222;max-width:1200px}
h1{font-size:22px}h2{font-size:17px;border-bottom:2px solid #2171b5;padding-bottom:3px;
margin-top:28px}
table{border-collapse:collapse;font-size:12px;margin:6px 0}
th,td{border:1px solid #bbb;padding:3px 6px;text-align:right}th{background:#ddebf7}
td.t,th.t{text-align:left}
.kpi{display:inline-block;border:1px solid #bbb;padding:8px 14px;margin:4px;min-width:150px}
.kpi b{font-size:20px;display:block}.warn{color:#a50f15}
iframe{width:100%;height:720px;border:1px solid #999}
@media print{iframe{height:600px}h2{page-break-after:avoid}}
"""


def _table(df: pd.DataFrame, text_cols: tuple[str, ...] = ()) -> str:
    head = "".join(f"<th class='{'t' if c in text_cols else ''}'>{html.escape(header(c))}</th>"
                   for c in df.columns)
    body = []
    for row in df.itertuples(index=False):
        cells = []
        for c, v in zip(df.columns, row, strict=True):
            if isinstance(v, float):
                v = "" if pd.isna(v) else (f"{v:.1%}" if c.startswith(("coverage_",
                                                                        "reach_weighted_"))
                                           else f"{v:,.1f}")
            elif isinstance(v, int) and c not in ("year", "demand_data_year", "phase_opened"):
                v = f"{v:,}"
            cells.append(f"<td class='{'t' if c in text_cols else ''}'>"
                         f"{html.escape(str(v))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><tr>{head}</tr>{''.join(body)}</table>"


def render_report(run: RunData, map_html: str | None = None) -> str:
    """The report's HTML (self-contained: charts inline, the map in an iframe srcdoc)."""
    f = run.facts
    last = run.kpis.iloc[-1]
    proven = f.get("proven_optimal")
    status = ("최적 (증명됨) / optimal (proven)" if proven else
              f"<span class='warn'>{html.escape(str(f.get('status')))} — 최적 미증명 / not "
              f"proven optimal (gap {gap_text(f)})</span>")
    kpis = [("센터 / centers", f"{int(last.centers_open)}")]
    kpis += [(f"충족률 / coverage {s}", f"{last[f'coverage_{s}']:.1%}") for s in run.segments]
    kpis.append(("평균 이동 / mean travel", f"{last.mean_travel_min:.1f} min"))
    kinds = run.plan.kind.value_counts()
    kpis += [(run.kind_label(k), f"{n}") for k, n in kinds.items()]
    map_html = map_html if map_html is not None else render_map(run)
    plan_cols = [c for c in ("code", "name_ko", "name_en", "sido", "phase_opened", "kind",
                             "format", "tenants", "mean_travel_min") if c in run.plan.columns]
    facts = pd.DataFrame([{"key": k, "value": v} for k, v in f.items() if k != "violations"])
    parts = [
        f"<!doctype html><html lang='ko'><head><meta charset='utf-8'>"
        f"<title>{html.escape(run.name)} — 고용복지플러스센터 배치계획</title>"
        f"<style>{CSS}</style></head><body>",
        f"<h1>고용복지플러스센터 배치계획 / Employment-Welfare Plus Center plan: "
        f"{html.escape(run.name)}</h1>",
        f"<p>{html.escape(str(run.scenario.get('description', '')))}</p>",
        f"<p>해법 상태 / solver status: {status}</p>",
        "<h2>핵심 지표 / headline KPIs (" + str(int(last.year)) + ")</h2>",
        "".join(f"<div class='kpi'>{html.escape(k)}<b>{html.escape(v)}</b></div>"
                for k, v in kpis),
        "<h2>지도 / map</h2>",
        f"<iframe title='map' srcdoc=\"{html.escape(map_html, quote=True)}\"></iframe>",
        "<h2>단계별 지표 / KPIs by phase</h2>", _table(run.kpis),
        f"<img alt='coverage' src='data:image/png;base64,{charts.coverage_chart(run)}'>",
        f"<img alt='staff' src='data:image/png;base64,{charts.staff_chart(run)}'>",
        "<h2>시도별 / by 시도</h2>", _table(run.kpis_sido, ("sido",)),
        f"<img alt='sido' src='data:image/png;base64,{charts.sido_chart(run)}'>",
        "<h2>계획 / plan</h2>",
        _table(run.plan[plan_cols], ("code", "name_ko", "name_en", "sido", "kind", "format",
                                     "tenants")),
        "<h2>인력 / staffing vs pools</h2>", _table(run.staffing, ("agency", "pool_basis")),
        "<h2>해법 / solver facts</h2>", _table(facts, ("key", "value")),
        "<h2>가정과 추정 / assumptions and estimates</h2>",
        "<p>추정치와 가정은 통계가 아닙니다 / estimates and assumptions are not statistics.</p>",
        _table(assumptions_table(run), ("kind_of_item", "item", "detail", "source")),
        "</body></html>",
    ]
    return "\n".join(parts)


def write_report(run_dir: str | Path, out: str | Path | None = None,
                 map_html: str | None = None) -> Path:
    """Write ``report.html`` for the run folder."""
    run = load_run(run_dir)
    out = Path(out) if out else Path(run_dir) / "report.html"
    return write_text(out, render_report(run, map_html))
