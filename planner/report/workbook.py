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

TEXT_COLUMNS = ("code", "district", "point", "site")  # codes stay text (leading zeros)


def _sheet(
    wb: Workbook, labels, title: str, df: pd.DataFrame, percent: tuple[str, ...] = ()
) -> None:
    """One table: named headers (Korean / English), names for ids, autofilter, frozen header."""
    ws = wb.create_sheet(title)
    cols = list(df.columns)
    heads = [labels.header(c) for c in cols]
    ws.append(heads)
    shown = labels.frame(df)
    for row in shown.itertuples(index=False):
        ws.append([None if (isinstance(v, float) and pd.isna(v)) else v for v in row])
    fill = PatternFill("solid", fgColor="DDEBF7")
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    if len(df):
        ws.auto_filter.ref = ws.dimensions
    for k, c in enumerate(cols, start=1):
        letter = get_column_letter(k)
        values = [heads[k - 1]] + [str(v) for v in shown[c].head(200)]
        ws.column_dimensions[letter].width = min(60, max(8, max(len(v) for v in values) * 1.1))
        if c in TEXT_COLUMNS:
            for cell in ws[letter][1:]:
                cell.number_format = "@"
                if cell.value is not None:
                    cell.value = str(cell.value)
            continue
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
    labels = run.labels  # generated sentences name agencies and segments by their ids
    for r in rows:
        r["item"], r["detail"] = labels.text(r["item"]), labels.text(r["detail"])
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
    labels = run.labels
    _sheet(wb, labels, "계획 Plan", run.plan)
    _sheet(wb, labels, "단계별 KPI By phase", run.kpis, percent=("coverage_", "reach_weighted_"))
    _sheet(wb, labels, "시도별 KPI By sido", run.kpis_sido, percent=("coverage_", "served_share"))
    _sheet(wb, labels, "인력 Staffing", run.staffing)
    if len(run.equity):
        _sheet(wb, labels, "형평성 Equity", run.equity, percent=("share_",))
        _sheet(wb, labels, "접근성 Access", run.access)
    _sheet(wb, labels, "가정·추정 Assumptions", assumptions_table(run))
    # the resolved scenario as written (keys are its YAML paths, for reproducing the run)
    _sheet(wb, labels, "시나리오 Scenario", scenario_table(run))
    facts = labels.facts(run.facts)
    facts["value"] = [
        json.dumps(v, ensure_ascii=False) if isinstance(v, (list, dict)) else v for v in facts.value
    ]
    _sheet(wb, labels, "해법 Solver", facts)
    with atomic_path(out) as tmp:
        wb.save(tmp)
    return out


def read_back_plan(path: str | Path, columns: list[str]) -> pd.DataFrame:
    """The plan sheet as a DataFrame under plan.csv's ``columns`` (same order; for checks)."""
    df = pd.read_excel(path, sheet_name="계획 Plan", dtype={"코드 / code": str})
    df.columns = columns
    return df
