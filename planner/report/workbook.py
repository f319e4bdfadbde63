"""The plan as an Excel workbook for officials: Korean headers with English beside them.

Sheets: plan, KPIs per phase, KPIs per 시도, staffing vs pools, assumptions and estimates (with
sources), and the resolved scenario. Header rows are frozen, widths fitted, numbers formatted.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from planner.atomic import atomic_path
from planner.paths import districts_dir
from planner.report.rundata import RunData, load_run

HEADERS_KO = {
    "code": "코드",
    "name_ko": "시군구",
    "name_en": "영문명",
    "sido": "시도",
    "phase_opened": "개소 연도",
    "kind": "유형",
    "format": "형태",
    "tenants": "입주기관(연도)",
    "guest_welfare_teams": "파견 복지팀",
    "mean_travel_min": "평균 이동시간(분)",
    "year": "연도",
    "centers_open": "운영 센터",
    "centers_new": "신규 센터",
    "cost_mkrw": "사업비(백만원)",
    "budget_mkrw": "예산(백만원)",
    "demand_data_year": "수요 자료 연도",
    "units": "시군구 수",
    "centers": "센터 수",
    "agency": "기관",
    "placed": "신규 배치 인력",
    "cumulative": "누적 인력",
    "pool": "인력 풀",
    "pool_basis": "풀 기준",
    "item": "항목",
    "kind_of_item": "구분",
    "detail": "내용",
    "source": "출처",
    "key": "키",
    "value": "값",
    "column": "열",
    "type": "종류",
    "years": "연도",
}
PREFIX_KO = {
    "staff_": "인력 ",
    "served_": "이용자 ",
    "coverage_": "충족률 ",
    "reach_weighted_": "거리가중 충족률 ",
    "open_": "운영 ",
}


def header(col: str) -> str:
    """'한글 / english' header for a column name."""
    ko = HEADERS_KO.get(col)
    if ko is None:
        for p, k in PREFIX_KO.items():
            if col.startswith(p):
                ko = k + col.removeprefix(p)
                break
    return f"{ko} / {col}" if ko else col


def _sheet(wb: Workbook, title: str, df: pd.DataFrame, percent: tuple[str, ...] = ()) -> None:
    ws = wb.create_sheet(title)
    cols = list(df.columns)
    ws.append([header(c) for c in cols])
    for row in df.itertuples(index=False):
        ws.append([None if (isinstance(v, float) and pd.isna(v)) else v for v in row])
    fill = PatternFill("solid", fgColor="DDEBF7")
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    for k, c in enumerate(cols, start=1):
        letter = get_column_letter(k)
        values = [str(header(c))] + [str(v) for v in df[c].head(200)]
        ws.column_dimensions[letter].width = min(60, max(8, max(len(v) for v in values) * 1.1))
        is_pct = c.startswith(percent)
        if pd.api.types.is_numeric_dtype(df[c]):
            fmt = (
                "0.0%" if is_pct else ("#,##0.0" if pd.api.types.is_float_dtype(df[c]) else "#,##0")
            )
            for cell in ws[letter][1:]:
                cell.number_format = fmt
    ws.row_dimensions[1].height = 32


def assumptions_table(run: RunData) -> pd.DataFrame:
    """Assumptions, estimates and data notes of the run, with their sources."""
    doc = run.document
    if "assumptions_table" in doc:  # the values the scenario was solved with
        rows = [
            {
                "kind_of_item": "가정 / assumption",
                "item": r["item"],
                "detail": r["value"],
                "source": f"scenario: {r['key']}",
            }
            for r in doc["assumptions_table"]
        ]
        rows += [
            {
                "kind_of_item": "메모 / note",
                "item": "scenario",
                "detail": a,
                "source": "scenario file (free text)",
            }
            for a in doc.get("scenario_notes", [])
        ]
    else:  # a run folder written before the values were listed
        rows = [
            {
                "kind_of_item": "가정 / assumption",
                "item": "scenario",
                "detail": a,
                "source": "scenario file",
            }
            for a in doc.get("assumptions", [])
        ]
    rows += [
        {
            "kind_of_item": "추정 / estimate",
            "item": s,
            "detail": note,
            "source": "data/agencies.yaml; data/districts/PROVENANCE.md",
        }
        for s, note in doc.get("estimates", {}).items()
    ]
    rows += [
        {
            "kind_of_item": "자료 / data note",
            "item": "demand",
            "detail": n,
            "source": "data/districts/figures.csv",
        }
        for n in doc.get("notes", [])
    ]
    src = districts_dir() / "sources.csv"
    if src.exists():
        for r in pd.read_csv(src).itertuples():
            rows.append(
                {
                    "kind_of_item": f"자료 출처 / source ({r.type})",
                    "item": r.column,
                    "detail": r.years,
                    "source": r.source,
                }
            )
    return pd.DataFrame(rows, columns=["kind_of_item", "item", "detail", "source"])


def scenario_table(run: RunData) -> pd.DataFrame:
    """The resolved scenario flattened to key / value rows."""
    rows = []

    def walk(node, prefix):
        if isinstance(node, dict) and node:
            for k, v in node.items():
                walk(v, f"{prefix}.{k}" if prefix else str(k))
        elif isinstance(node, list) and node and all(isinstance(x, dict) for x in node):
            for i, v in enumerate(node):
                walk(v, f"{prefix}[{i}]")
        else:
            rows.append(
                {
                    "key": prefix,
                    "value": json.dumps(node, ensure_ascii=False)
                    if isinstance(node, (list, dict))
                    else node,
                }
            )

    walk(run.scenario, "")
    return pd.DataFrame(rows, columns=["key", "value"])


def write_workbook(run_dir: str | Path, out: str | Path | None = None) -> Path:
    """Write ``plan.xlsx`` for the run folder."""
    run = load_run(run_dir)
    out = Path(out) if out else Path(run_dir) / "plan.xlsx"
    wb = Workbook()
    wb.remove(wb.active)
    _sheet(wb, "계획 Plan", run.plan)
    _sheet(wb, "단계별 KPI By phase", run.kpis, percent=("coverage_", "reach_weighted_"))
    _sheet(wb, "시도별 KPI By sido", run.kpis_sido, percent=("coverage_",))
    _sheet(wb, "인력 Staffing", run.staffing)
    _sheet(wb, "가정·추정 Assumptions", assumptions_table(run))
    _sheet(wb, "시나리오 Scenario", scenario_table(run))
    facts = pd.DataFrame(
        [
            {
                "key": k,
                "value": json.dumps(v, ensure_ascii=False) if isinstance(v, (list, dict)) else v,
            }
            for k, v in run.facts.items()
        ]
    )
    _sheet(wb, "해법 Solver", facts)
    with atomic_path(out) as tmp:
        wb.save(tmp)
    return out


def read_back_plan(path: str | Path) -> pd.DataFrame:
    """The plan sheet as a DataFrame with the original column names (for checks)."""
    df = pd.read_excel(path, sheet_name="계획 Plan", dtype={"코드 / code": str})
    df.columns = [c.split(" / ")[-1] for c in df.columns]
    return df
