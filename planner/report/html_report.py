"""One printable HTML file per run: summary, KPIs, map, charts, plan, solver facts, estimates."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from planner.atomic import write_text
from planner.report import charts
from planner.report.labels import Labels
from planner.report.map import render_map
from planner.report.rundata import RunData, gap_text, load_run
from planner.report.templating import render
from planner.report.workbook import assumptions_table

CSS = """
body{font-family:'Noto Sans CJK KR','NanumGothic','Malgun Gothic',sans-serif;margin:24px;
color:#222;max-width:1200px}
h1{font-size:22px}h2{font-size:17px;border-bottom:2px solid #2171b5;padding-bottom:3px;
margin-top:28px}
.wrap{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;font-size:12px;margin:6px 0}
th,td{border:1px solid #bbb;padding:3px 6px;text-align:right;vertical-align:top}
th{background:#ddebf7}td.t,th.t{text-align:left}
.kpi{display:inline-block;border:1px solid #bbb;padding:8px 14px;margin:4px;min-width:150px;
vertical-align:top}
.kpi b{font-size:20px;display:block}.kpi small{display:block;color:#555}.warn{color:#a50f15}
iframe{width:100%;height:720px;border:1px solid #999}
img{max-width:100%}.print-only{display:none}
@page{size:A4;margin:12mm}
@media print{
 body{margin:0;max-width:none;font-size:10px}
 h1{font-size:16px}h2{font-size:13px;break-before:page;break-after:avoid}
 h2.first{break-before:auto}
 .wrap{overflow:visible}
 table{width:100%;font-size:7.5px;break-inside:auto}
 tr{break-inside:avoid}
 th,td{padding:1px 2px;overflow-wrap:anywhere;word-break:break-word}
 .kpi{min-width:0;padding:4px 8px;margin:2px}.kpi b{font-size:13px}
 iframe{display:none}.print-only{display:block}
}
"""


def _cell(c: str, v: object) -> str:
    """A table cell's text: shares as percentages, indices to 3 decimals, others to one."""
    if isinstance(v, float):
        if pd.isna(v):
            return ""
        if c.startswith(("coverage_", "reach_weighted_", "share_")):
            return f"{v:.1%}"
        return f"{v:.3f}" if c.startswith(("gini_", "theil")) else f"{v:,.1f}"
    if isinstance(v, int) and c not in ("year", "demand_data_year", "phase_opened"):
        return f"{v:,}"
    return str(v)


def _table(labels: Labels, df: pd.DataFrame, text_cols: tuple[str, ...] = ()) -> dict:
    """A DataFrame as the template's table: named headers and cells, (text, left-aligned)."""
    shown = labels.frame(df)
    return {
        "head": [(labels.header(c), c in text_cols) for c in df.columns],
        "rows": [
            [(_cell(c, v), c in text_cols) for c, v in zip(df.columns, row, strict=True)]
            for row in shown.itertuples(index=False)
        ],
    }


EQUITY_NOTE = (
    "접근성은 향상된 2단계 유동 집수구역법(E2SFCA, PySAL access)으로 계산: 해당 기관이 입주한 "
    "센터 1곳을 공급 1단위로 보고, 시나리오의 이동시간 한계와 거리 감쇠를 적용해 이용자 10만 명당 "
    "센터 수로 나타냄. 지니·타일 지수는 PySAL inequality로 계산(인구 간 지니는 1,000명 단위). "
    "정보연계 이전 복지 이용 제한은 반영하지 않은 지리적 접근성임. / Access is the enhanced "
    "two-step floating catchment area (E2SFCA, PySAL access): each center hosting the segment's "
    "agency is one unit of supply, with the scenario's cutoff and decay, in centers per 100,000 "
    "people of the segment. Gini and Theil by PySAL inequality (Gini across people at a "
    "resolution of 1,000 people). Geographic access: the welfare rule before the linkage is not "
    "applied."
)


def equity_frame(run: RunData) -> pd.DataFrame:
    """The last phase's equity KPIs per segment (empty for runs written before them)."""
    if not len(run.equity):
        return pd.DataFrame()
    eq = run.equity[run.equity.year == run.equity.year.max()]
    return eq.drop(columns=["year"]).reset_index(drop=True)


def render_report(run: RunData, map_html: str | None = None, map_png: str | None = None) -> str:
    """The report's HTML (self-contained: charts inline, the map in an iframe srcdoc).

    ``map_png``: a base64 PNG of the map, printed in place of the interactive map.
    """
    labels = run.labels
    f = run.facts
    last = run.kpis.iloc[-1]
    kpis = [("센터 / centers", f"{int(last.centers_open)}", "")]
    kpis += [
        (f"충족률 / coverage: {labels.segment(s)}", f"{last[f'coverage_{s}']:.1%}", "")
        for s in run.segments
    ]
    kpis.append(("평균 이동 / mean travel", f"{last.mean_travel_min:.1f}분 / min", ""))
    kinds = run.plan.kind.value_counts()
    kpis += [(labels.kind(k), f"{n}", "") for k, n in kinds.items()]
    if f.get("objective") is not None:
        kpis.append(("목적함수 / objective", f"{f['objective']:,.1f}", labels.objective_unit()))
    plan_cols = [
        c
        for c in (
            "code",
            "name_ko",
            "name_en",
            "sido",
            "phase_opened",
            "kind",
            "format",
            "tenants",
            "guest_welfare_teams",
            "mean_travel_min",
        )
        if c in run.plan.columns
    ]
    text = (
        "code",
        "name_ko",
        "name_en",
        "sido",
        "kind",
        "format",
        "tenants",
        "guest_welfare_teams",
    )
    return render(
        "report.html.j2",
        name=run.name,
        css=CSS,
        description_ko=str(run.scenario.get("description_ko", "") or ""),
        description=str(run.scenario.get("description", "")),
        proven=bool(f.get("proven_optimal")),
        status=labels.status(f.get("status")),
        gap=gap_text(f),
        year=int(last.year),
        kpis=kpis,
        map_html=map_html if map_html is not None else render_map(run),
        map_png=map_png,
        charts={
            "coverage": charts.coverage_chart(run),
            "staff": charts.staff_chart(run),
            "sido": charts.sido_chart(run),
            "caseload": charts.caseload_chart(run),
            "lorenz": charts.lorenz_chart(run),
        },
        equity_table=_table(labels, equity_frame(run), ("segment",)),
        equity_note=EQUITY_NOTE,
        caseload_table=_table(labels, caseload_frame(run), ("code", "name_ko", "sido")),
        caseload_note=caseload_note(run),
        kpis_table=_table(labels, run.kpis),
        sido_table=_table(labels, run.kpis_sido, ("sido",)),
        plan_table=_table(labels, run.plan[plan_cols], text),
        staffing_table=_table(labels, run.staffing, ("agency", "pool_basis")),
        facts_table=_table(labels, labels.facts(f), ("key", "value")),
        assumptions_table=_table(
            labels, assumptions_table(run), ("kind_of_item", "item", "detail", "source")
        ),
    )


# the report's caseload table (plan.csv and the workbook hold every agency's three figures)
CASELOAD_COLUMNS = (
    "counsellors_employment_center",
    "cases_per_day_employment_center",
    "counsellors_self_sufficiency",
    "clients_per_counsellor_self_sufficiency",
    "cases_per_day_welfare_team",
    "cases_per_day_saeil",
)


def caseload_frame(run: RunData) -> pd.DataFrame:
    """Per center: the caseloads the seed has references for, and two more tenants'."""
    cols = [c for c in CASELOAD_COLUMNS if c in run.plan.columns]
    return run.plan[["code", "name_ko", "sido", *cols]]


def caseload_note(run: RunData) -> str:
    """How the caseload figures are made, with the scenario's assumed numbers."""
    cl = run.caseload
    visits = cl.visits_per_client
    shown = ", ".join(f"{run.labels.segment_ko(s)} {v:g}" for s, v in visits.items()) or "1"
    lo, hi = cl.reference_cases_per_day
    return (
        f"건수 = 이용자 × 연간 방문 ({shown}) ÷ ({cl.working_days}일 × 상담 인력); "
        f"기존 고용센터 상담 인력 {cl.office_counsellors}명 (가정). 참고선: 서산 "
        f"{lo:g}~{hi:g}건/일, 천안 자활 상담사 1인당 {cl.reference_clients_per_counsellor:g}명 "
        "(seed 표 9). / cases = clients x visits a year / (working days x counsellors); every "
        "number but the seed's references is an assumption, and the clients are the model's "
        "demand figures (estimates and proxies), so these are orders of magnitude, not "
        "statistics."
    )


def write_report(
    run_dir: str | Path,
    out: str | Path | None = None,
    map_html: str | None = None,
    map_png: str | None = None,
) -> Path:
    """Write ``report.html`` for the run folder (``map_png``: the map for print, base64)."""
    run = load_run(run_dir)
    out = Path(out) if out else Path(run_dir) / "report.html"
    return write_text(out, render_report(run, map_html, map_png))
