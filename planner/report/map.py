"""The plan as one self-contained HTML map (folium) that works with no network.

Leaflet's JavaScript and CSS and jQuery (folium's popups use it) are inlined, from the
`folium-offline` package's copies, so no CDN is contacted; folium's other default assets
(Bootstrap, Font Awesome, awesome-markers) are dropped, as the map uses none of them: markers
are CSS-drawn DivIcons, so no image or font is fetched.
Web tiles exist only as an optional layer, off by default. Labels are Korean and English.
"""

from __future__ import annotations

import json
import re

import branca
import folium
import numpy as np
import pandas as pd

from planner.report.rundata import RunData, gap_text
from planner.report.templating import render

PHASE_COLORS = [
    "#1b9e77",
    "#d95f02",
    "#7570b3",
    "#e7298a",
    "#66a61e",
    "#e6ab02",
    "#a6761d",
    "#666666",
]
EXISTING_COLOR = "#444444"
SHADES = ["#f7fbff", "#c6dbef", "#6baed6", "#2171b5", "#08306b"]
LEAFLET_JS = "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js"
LEAFLET_CSS = "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css"
JQUERY_JS = "https://code.jquery.com/jquery-3.7.1.min.js"  # folium's popups build HTML with $
SEGMENT_LABEL = {
    "jobseekers": "구직자(추정) / job seekers (est.)",
    "welfare": "기초생활수급자 / welfare recipients",
    "self_support": "자활 대상 / self-support (proxy)",
    "women": "경력단절여성(대리) / women 25-54 (proxy)",
    "seniors": "중장년(대리) / 50-64 (proxy)",
}


def _assets() -> dict[str, str]:
    try:
        from offlinefolium.elements import _res
    except ImportError as exc:  # pragma: no cover - a dependency of the package
        raise RuntimeError("folium-offline is needed for offline Leaflet assets") from exc
    return {url: _res[url] for url in (LEAFLET_JS, LEAFLET_CSS, JQUERY_JS)}


def inline_assets(page: str) -> str:
    """Replace Leaflet's CDN links by inline copies; fail if any remote asset remains."""
    res = _assets()
    for js in (LEAFLET_JS, JQUERY_JS):
        page = page.replace(f'<script src="{js}"></script>', f"<script>{res[js]}</script>")
    page = re.sub(
        r'<link rel="stylesheet" href="' + re.escape(LEAFLET_CSS) + r'"\s*/>',
        lambda _: f"<style>{res[LEAFLET_CSS]}</style>",
        page,
    )
    left = re.findall(r'<(?:script|link)[^>]+(?:src|href)="(https?://[^"]+)"', page)
    if left:
        raise RuntimeError(f"remote assets left in the map: {left}")
    return page


def _bins(values: pd.Series, is_share: bool) -> list[float]:
    if is_share:
        return [0.0, 0.2, 0.4, 0.6, 0.8, 1.0001]
    qs = np.unique(np.quantile(values.to_numpy(dtype=float), [0, 0.2, 0.4, 0.6, 0.8, 1.0]))
    if len(qs) < 2:
        qs = np.array([0.0, max(1.0, float(values.max()))])
    qs[-1] += 1e-9
    return [float(q) for q in qs]


def _color(v: float, bins: list[float]) -> str:
    for k in range(len(bins) - 1):
        if v < bins[k + 1]:
            return SHADES[min(k, len(SHADES) - 1)]
    return SHADES[-1]


def _popup(run: RunData, row: pd.Series) -> str:
    served = [(s, row.get(f"served_{s}")) for s in run.segments]
    tenants = [t.split("@") for t in str(row.tenants).split(";") if t]
    staff = {
        c.removeprefix("staff_"): row[c]
        for c in row.index
        if c.startswith("staff_") and str(row[c]) not in ("", "0", "nan")
    }
    phase = row.phase_opened
    return render(
        "popup.html.j2",
        name_ko=str(row.name_ko),
        name_en=str(row.name_en),
        sido=str(row.sido),
        opened="기존 / existing" if str(phase) == "existing" else str(phase),
        kind=run.kind_label(row.kind),
        format=run.format_label(str(row.format)),
        tenants=[f"{run.agency_name_ko(a)} {a} ({y})" for a, y in tenants],
        staff=", ".join(f"{a} {v}" for a, v in staff.items()),
        served=[
            f"{SEGMENT_LABEL.get(s, s)}: {int(float(v)):,}"
            for s, v in served
            if v not in (None, "")
        ],
        mean_travel=row.mean_travel_min,
        guest_teams=str(row.get("guest_welfare_teams", "") or ""),
    )


def _marker_html(color: str, kind: str, fmt: str, code: str) -> str:
    return render(
        "marker.html.j2",
        code=code,
        color=color,
        shape="50%" if kind == "conversion" else "2px",
        border="3px double #111" if fmt == "extended" else "2px solid #fff",
    )


def build_map(run: RunData) -> folium.Map:
    """Districts (shading chosen by segment), centers per phase, catchments, legend, title."""
    gdf = run.district_frame()
    bounds = gdf.total_bounds
    m = folium.Map(
        location=[(bounds[1] + bounds[3]) / 2, (bounds[0] + bounds[2]) / 2],
        zoom_start=7,
        tiles=None,
        control_scale=True,
        prefer_canvas=False,
    )
    m.default_js = [("leaflet", LEAFLET_JS), ("jquery", JQUERY_JS)]
    m.default_css = [("leaflet_css", LEAFLET_CSS)]
    m.fit_bounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]])
    folium.TileLayer(
        "OpenStreetMap", name="웹 지도 (온라인) / web tiles (online)", overlay=True, show=False
    ).add_to(m)

    keys, breaks = [], {}
    for s in run.segments:
        for metric, is_share in (("demand", False), ("coverage", True)):
            key = f"{metric}_{s}"
            b = _bins(gdf[key], is_share)
            breaks[key] = b
            gdf[f"col_{key}"] = [_color(v, b) for v in gdf[key]]
            keys.append(key)
    first = keys[0] if keys else None
    gdf["fill"] = gdf[f"col_{first}"] if first else SHADES[0]
    districts = folium.FeatureGroup(name="시군구 / districts", overlay=True, show=True)
    geo = folium.GeoJson(
        gdf.reset_index().to_json(),
        name="districts",
        style_function=lambda f: {
            "fillColor": f["properties"]["fill"],
            "color": "#555",
            "weight": 0.6,
            "fillOpacity": 0.7,
        },
        tooltip=folium.GeoJsonTooltip(
            fields=["name_ko", "name_en", "sido"], aliases=["시군구", "district", "시도"]
        ),
    )
    geo.add_to(districts)
    districts.add_to(m)

    years = run.years
    color_of = {y: PHASE_COLORS[k % len(PHASE_COLORS)] for k, y in enumerate(years)}
    pts = gdf[["point_lat", "point_lon"]]
    catch = folium.FeatureGroup(name="이용권역 / catchments", overlay=True, show=True)
    last = years[-1]
    seg = run.segments[0] if run.segments else None
    a = run.assignment[(run.assignment.year == last) & (run.assignment.segment == seg)]
    a = a[a.district != a.site]
    if len(a):  # one line per (district, site); at 읍면동 resolution several points share it
        a = (
            a.assign(wmin=a.demand * a.travel_min)
            .groupby(["district", "site"], as_index=False)
            .agg(demand=("demand", "sum"), wmin=("wmin", "sum"))
        )
        a["travel_min"] = a.wmin / a.demand.where(a.demand > 0, 1)
    for _, r in a.iterrows():
        if r.district in pts.index and r.site in run.districts.units.index:
            p1 = pts.loc[r.district]
            p2 = run.districts.units.loc[r.site, ["point_lat", "point_lon"]]
            folium.PolyLine(
                [[p1.point_lat, p1.point_lon], [p2.point_lat, p2.point_lon]],
                color="#7a0177",
                weight=1.5,
                opacity=0.8,
                tooltip=f"{r.district} → {r.site} ({r.travel_min:.0f} min)",
            ).add_to(catch)
    catch.add_to(m)
    groups = {}
    for y in ["existing", *years]:
        rows = run.plan[run.plan.phase_opened.astype(str) == str(y)]
        if rows.empty:
            continue
        label = "기존 센터 / existing centers" if y == "existing" else f"{y} 개소 / opened {y}"
        groups[str(y)] = folium.FeatureGroup(name=label, overlay=True, show=True)
        for _, row in rows.iterrows():
            color = EXISTING_COLOR if y == "existing" else color_of[int(y)]
            lat, lon = run.districts.units.loc[row.code, ["point_lat", "point_lon"]]
            folium.Marker(
                [lat, lon],
                icon=folium.DivIcon(
                    html=_marker_html(color, row.kind, str(row.format), row.code),
                    icon_size=(16, 16),
                    icon_anchor=(8, 8),
                ),
                popup=folium.Popup(_popup(run, row), max_width=360),
                tooltip=f"{row.name_ko} ({row.name_en})",
            ).add_to(groups[str(y)])
        groups[str(y)].add_to(m)

    folium.LayerControl(collapsed=False, position="topright").add_to(m)
    _add_panels(m, run, color_of, keys)
    _add_shading_script(m, geo.get_name(), breaks)
    return m


def _add_panels(m: folium.Map, run: RunData, color_of: dict, keys: list[str]) -> None:
    """Title, legend and the shading selector (map_panels.html.j2)."""
    f = run.facts
    proven = (
        "최적 (증명) / optimal (proven)"
        if f.get("proven_optimal")
        else f"{f.get('status', '?')} (최적 미증명 / not proven optimal, gap {gap_text(f)})"
    )
    shading = [
        (
            k,
            f"{'수요' if k.startswith('demand') else '충족률'} / "
            f"{'demand' if k.startswith('demand') else 'coverage'}: "
            f"{SEGMENT_LABEL.get(k.split('_', 1)[1], k)}",
        )
        for k in keys
    ]
    existing = (run.plan.phase_opened.astype(str) == "existing").any()
    panels = render(
        "map_panels.html.j2",
        name=run.name,
        proven=proven,
        n_centers=len(run.plan),
        phases=list(color_of.items()),
        existing_color=EXISTING_COLOR if existing else None,
        catchment_year=run.years[-1],
        shading=shading,
    )
    m.get_root().html.add_child(branca.element.Element(panels))


def _add_shading_script(m: folium.Map, geo_name: str, breaks: dict[str, list[float]]) -> None:
    # runs on load: folium writes the GeoJSON layer's own script after this one
    script = f"""
    window.addEventListener('load', function() {{
      var breaks = {json.dumps(breaks)};
      var shades = {json.dumps(SHADES)};
      function legend(key) {{
        var b = breaks[key], share = key.indexOf('coverage') === 0, out = '';
        for (var k = 0; k + 1 < b.length; k++) {{
          var lo = share ? Math.round(b[k] * 100) + '%' : Math.round(b[k]).toLocaleString();
          var hi = share ? Math.min(100, Math.round(b[k + 1] * 100)) + '%'
                         : Math.round(b[k + 1]).toLocaleString();
          out += '<div><span style="display:inline-block;width:14px;height:10px;background:'
               + shades[Math.min(k, shades.length - 1)] + ';border:1px solid #999"></span> '
               + lo + ' – ' + hi + '</div>';
        }}
        document.getElementById('planner-shade-legend').innerHTML = out;
      }}
      function restyle(key) {{
        {geo_name}.eachLayer(function(layer) {{
          layer.setStyle({{fillColor: layer.feature.properties['col_' + key]}});
        }});
        legend(key);
      }}
      var select = document.getElementById('planner-shade-select');
      if (select && select.value) {{
        select.addEventListener('change', function() {{ restyle(select.value); }});
        restyle(select.value);
      }}
    }});
    """
    m.get_root().script.add_child(branca.element.Element(script))


def render_map(run: RunData) -> str:
    """The map's HTML, self-contained."""
    return inline_assets(build_map(run).get_root().render())
