"""Charts for the report (matplotlib, PNG as base64), Korean labels with a bundled font."""

from __future__ import annotations

import base64
import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from planner.report.rundata import RunData


def _korean_font() -> None:
    try:
        import koreanize_matplotlib  # noqa: F401  (registers NanumGothic, bundled)
    except ImportError:  # pragma: no cover - a dependency of the package
        pass
    plt.rcParams["axes.unicode_minus"] = False


def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def coverage_chart(run: RunData) -> str:
    """Coverage of each segment by phase."""
    _korean_font()
    labels = run.labels
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    for s in run.segments:
        ax.plot(
            run.kpis.year, run.kpis[f"coverage_{s}"] * 100, marker="o", label=labels.segment_ko(s)
        )
    ax.set_xticks(run.kpis.year)
    ax.set_ylim(0, 102)
    ax.set_ylabel("충족률 / coverage (%)")
    ax.set_title("단계별 충족률 / coverage by phase and segment")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return _png(fig)


def staff_chart(run: RunData) -> str:
    """Staff placed against pools, per agency and phase."""
    _korean_font()
    labels = run.labels
    st = run.staffing[run.staffing.pool.notna()]
    agencies = list(st.agency.unique())
    fig, axes = plt.subplots(
        1, max(1, len(agencies)), figsize=(3.2 * max(1, len(agencies)), 3.2), squeeze=False
    )
    for ax, a in zip(axes[0], agencies, strict=False):
        part = st[st.agency == a]
        ax.bar(part.year.astype(str), part.placed, label="배치 / placed", color="#2171b5")
        ax.plot(part.year.astype(str), part.pool, "r_", markersize=22, mew=2, label="풀 / pool")
        ax.set_title(labels.agency_ko(a), fontsize=10)
    if agencies:
        axes[0][0].legend(fontsize=8)
    fig.suptitle("인력 배치 대 풀 / staff placed vs pools")
    return _png(fig)


def sido_chart(run: RunData) -> str:
    """Centers by 시도 and kind."""
    _korean_font()
    labels = run.labels
    tab = run.plan.groupby(["sido", "kind"]).size().unstack(fill_value=0)
    tab = tab.rename(columns=labels.kind)
    tab.columns.name = "유형 / kind"
    fig, ax = plt.subplots(figsize=(7.5, 3.8))
    tab.plot(kind="bar", stacked=True, ax=ax, color=["#1b9e77", "#d95f02", "#7570b3"])
    ax.set_xlabel("")
    ax.set_ylabel("센터 수 / centers")
    ax.set_title("시도별·유형별 센터 / centers by 시도 and kind")
    ax.tick_params(axis="x", labelsize=8)
    return _png(fig)


def caseload_chart(run: RunData) -> str | None:
    """Caseloads per center against the seed's references (seed table 9).

    Cases per Employment Center counsellor per day (60-80 in 서산) and clients per
    self-support counsellor (350 in 천안).
    """
    _korean_font()
    lo, hi = run.caseload.reference_cases_per_day
    ref = run.caseload.reference_clients_per_counsellor
    panels = [
        (
            "cases_per_day_employment_center",
            "고용센터 상담사 1인당 일 상담 건수\ncases per EC counsellor per day",
            (lo, hi),
        ),
        (
            "clients_per_counsellor_self_sufficiency",
            "자활 상담사 1인당 관리 인원\nclients per self-support counsellor",
            (ref, None),
        ),
    ]
    panels = [p for p in panels if p[0] in run.plan.columns]
    if not panels:
        return None
    fig, axes = plt.subplots(1, len(panels), figsize=(5.2 * len(panels), 3.4), squeeze=False)
    for ax, (col, title, (a, b)) in zip(axes[0], panels, strict=True):
        vals = pd.to_numeric(run.plan[col], errors="coerce").dropna()
        vals = vals.sort_values(ascending=False).to_numpy()
        ax.bar(range(len(vals)), vals, color="#6baed6", width=1.0)
        if b is None:
            ax.axhline(a, color="#d62728", lw=1.5, label=f"seed {a:g}")
        else:
            ax.axhspan(a, b, color="#d62728", alpha=0.2, label=f"seed {a:g}-{b:g}")
        ax.set_yscale("log")
        ax.set_xlabel("센터 (큰 순) / centers, largest first")
        ax.set_title(title, fontsize=9)
        ax.legend(fontsize=8)
    fig.tight_layout()
    return _png(fig)


def lorenz_chart(run: RunData) -> str | None:
    """Lorenz curves of access across people in the last phase, one per segment.

    x: people ordered from the least to the best access (cumulative share), y: their share
    of all access (score x people). The diagonal is equal access; the Gini is twice the area
    between it and the curve.
    """
    acc = run.access
    if not len(acc):
        return None
    _korean_font()
    labels = run.labels
    fig, ax = plt.subplots(figsize=(5.6, 4.6))
    ax.plot([0, 1], [0, 1], color="#999999", lw=1, ls="--", label="균등 / equal")
    eq = run.equity[run.equity.year == run.equity.year.max()].set_index("segment")
    for s in run.segments:
        if f"access_{s}" not in acc.columns:
            continue
        tab = acc[[f"access_{s}", f"people_{s}"]].astype(float).sort_values(f"access_{s}")
        people, score = tab[f"people_{s}"].to_numpy(), tab[f"access_{s}"].to_numpy()
        if people.sum() <= 0 or (score * people).sum() <= 0:
            continue
        x = np.concatenate([[0], np.cumsum(people) / people.sum()])
        y = np.concatenate([[0], np.cumsum(score * people) / (score * people).sum()])
        g = eq.gini_people.get(s)
        ax.plot(x, y, lw=1.4, label=f"{labels.segment_ko(s)} (Gini {g:.2f})")
    ax.set_xlabel("인구 누적 비율 (접근성 낮은 순) / share of people, least access first")
    ax.set_ylabel("접근성 누적 비율 / share of access")
    ax.set_title("접근성 로렌츠 곡선 / Lorenz curves of access (E2SFCA)", fontsize=10)
    ax.legend(fontsize=7)
    return _png(fig)
