"""Compare two runs: sites, phases, kinds, formats and tenants that differ, and KPI deltas."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import branca
import folium
import pandas as pd

from planner.report.map import LEAFLET_CSS, LEAFLET_JS, MAP_SIMPLIFY_M, inline_assets
from planner.report.rundata import RunData, load_run
from planner.report.templating import render
from planner.runfolder import output_folder

FIELDS = ("phase_opened", "kind", "format", "tenants")


@dataclass
class Comparison:
    """Differences of run B against run A."""

    a: RunData
    b: RunData
    sites: pd.DataFrame  # one row per differing site: change, and A/B values
    kpi_delta: pd.DataFrame  # per phase, B - A for each numeric KPI

    @property
    def identical(self) -> bool:
        return self.sites.empty and bool(
            (self.kpi_delta.drop(columns="year").abs().fillna(0) < 1e-9).all().all()
        )


def compare_runs(run_a: str | Path | RunData, run_b: str | Path | RunData) -> Comparison:
    """Site-level and KPI differences of ``run_b`` against ``run_a``."""
    a = run_a if isinstance(run_a, RunData) else load_run(run_a)
    b = run_b if isinstance(run_b, RunData) else load_run(run_b)
    pa = a.plan.set_index("code")
    pb = b.plan.set_index("code")
    rows = []
    for code in sorted(set(pa.index) | set(pb.index)):
        ra = pa.loc[code] if code in pa.index else None
        rb = pb.loc[code] if code in pb.index else None
        base = {
            "code": code,
            "name_ko": (ra if ra is not None else rb)["name_ko"],
            "sido": (ra if ra is not None else rb)["sido"],
        }
        if ra is None or rb is None:
            change = "added" if ra is None else "removed"
            rows.append(
                {
                    **base,
                    "change": change,
                    **{f"{f}_a": (None if ra is None else str(ra[f])) for f in FIELDS},
                    **{f"{f}_b": None if rb is None else str(rb[f]) for f in FIELDS},
                }
            )
            continue
        diff = [f for f in FIELDS if str(ra[f]) != str(rb[f])]
        if diff:
            rows.append(
                {
                    **base,
                    "change": "changed: " + ", ".join(diff),
                    **{f"{f}_a": str(ra[f]) for f in FIELDS},
                    **{f"{f}_b": str(rb[f]) for f in FIELDS},
                }
            )
    cols = ["code", "name_ko", "sido", "change"] + [f"{f}_{s}" for f in FIELDS for s in "ab"]
    sites = pd.DataFrame(rows, columns=cols)
    ka, kb = a.kpis.set_index("year"), b.kpis.set_index("year")
    numeric = [
        c
        for c in ka.columns
        if c in kb.columns
        and pd.api.types.is_numeric_dtype(ka[c])
        and pd.api.types.is_numeric_dtype(kb[c])
    ]
    years = sorted(set(ka.index) | set(kb.index))
    delta = (kb.reindex(years)[numeric] - ka.reindex(years)[numeric]).reset_index()
    return Comparison(a, b, sites, delta)


CHANGE_STYLE = {  # drawn in this order: removed sites last, on top of everything
    "changed": ("#fdae61", 7, "변경 / changed"),
    "added": ("#1a9850", 8, "추가 / added"),
    "removed": ("#d73027", 10, "제외 / removed"),
}


def difference_map(cmp: Comparison) -> str:
    """HTML map of the differing sites: green added, red removed (on top), orange changed."""
    labels = cmp.b.labels
    units = cmp.b.districts.units
    m = folium.Map(location=[36.3, 127.8], zoom_start=7, tiles=None)
    m.default_js = [("leaflet", LEAFLET_JS)]
    m.default_css = [("leaflet_css", LEAFLET_CSS)]
    gdf = cmp.b.district_frame(simplify_m=MAP_SIMPLIFY_M)[["name_ko", "geometry"]]
    x0, y0, x1, y1 = gdf.total_bounds
    m.fit_bounds([[y0, x0], [y1, x1]])
    folium.GeoJson(
        gdf.reset_index().to_json(),
        name="시군구 / districts",
        style_function=lambda f: {
            "fillColor": "#eee",
            "color": "#888",
            "weight": 0.5,
            "fillOpacity": 0.6,
        },
    ).add_to(m)
    counts = cmp.sites.change.value_counts() if len(cmp.sites) else pd.Series(dtype=int)
    for change, (color, radius, label) in CHANGE_STYLE.items():
        group = folium.FeatureGroup(name=f"{label} ({int(counts.get(change, 0))})")
        for r in cmp.sites[cmp.sites.change == change].itertuples():
            if r.code not in units.index:
                continue
            what = [f for f in FIELDS if getattr(r, f"{f}_a") != getattr(r, f"{f}_b")]
            detail = ", ".join(labels.header(f) for f in what) if change == "changed" else ""
            lat, lon = units.loc[r.code, ["point_lat", "point_lon"]]
            folium.CircleMarker(
                [lat, lon],
                radius=radius,
                color="#111" if change != "removed" else "#7f0000",
                weight=1 if change != "removed" else 3,
                fill=True,
                fill_color=color,
                fill_opacity=0.95,
                className=f"planner-diff planner-{change}",
                tooltip=f"{labels.district(r.code)}: {label}" + (f" ({detail})" if detail else ""),
            ).add_to(group)
        group.add_to(m)
    folium.LayerControl(collapsed=False, position="topright").add_to(m)
    title = render(
        "compare_title.html.j2",
        a=cmp.a.name,
        b=cmp.b.name,
        n_sites=len(cmp.sites),
        legend=[
            (CHANGE_STYLE[c][0], CHANGE_STYLE[c][2], int(counts.get(c, 0)))
            for c in ("added", "removed", "changed")
        ],
    )
    m.get_root().html.add_child(branca.element.Element(title))
    return inline_assets(m.get_root().render())


def write_comparison(cmp: Comparison, out: str | Path) -> Path:
    """Write sites_diff.csv, kpi_delta.csv and diff_map.html into the folder ``out``.

    Atomically, like a run folder; an existing ``out`` is replaced only when planner wrote it.
    """
    out = Path(out)
    with output_folder(out, "comparison", force=True) as tmp:
        cmp.sites.to_csv(tmp / "sites_diff.csv", index=False)
        cmp.kpi_delta.to_csv(tmp / "kpi_delta.csv", index=False)
        (tmp / "diff_map.html").write_text(difference_map(cmp), encoding="utf-8")
    return out
