"""The plan as one self-contained HTML map (folium) that works with no network.

Leaflet's and Leaflet.markercluster's JavaScript and CSS are inlined, from the
`folium-offline` package's copies, so no CDN is contacted; folium's other default assets
(jQuery, Bootstrap, Font Awesome, awesome-markers) are dropped, as the map uses none of them:
markers are CSS-drawn DivIcons built in the page from one array per phase, so no image or
font is fetched.
Web tiles exist only as an optional layer, off by default. Labels are Korean and English.
"""

from __future__ import annotations

import json
import re

import branca
import folium
import numpy as np
import pandas as pd
from folium.plugins import MarkerCluster

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
# jQuery is what folium's own popups need; the map builds its popups itself and leaves it out
JQUERY_JS = "https://code.jquery.com/jquery-3.7.1.min.js"
_CLUSTER = "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/"
CLUSTER_JS = _CLUSTER + "leaflet.markercluster.js"
CLUSTER_CSS = (_CLUSTER + "MarkerCluster.css", _CLUSTER + "MarkerCluster.Default.css")
# markers closer than this many pixels merge below the zoom where clustering stops
CLUSTER_RADIUS_PX = 28
CLUSTER_UNTIL_ZOOM = 10
COORD_DECIMALS = 4  # about 10 m: the GeoJSON's coordinates are rounded to this
# shared borders simplified to this tolerance (m): about the vertex count of the old per-polygon
# 250 m simplification, without its slivers
MAP_SIMPLIFY_M = 700.0
MAX_ZOOM = 14


def _assets() -> dict[str, str]:
    try:
        from offlinefolium.elements import _res
    except ImportError as exc:  # pragma: no cover - a dependency of the package
        raise RuntimeError("folium-offline is needed for offline Leaflet assets") from exc
    return {
        url: _res[url] for url in (LEAFLET_JS, LEAFLET_CSS, JQUERY_JS, CLUSTER_JS, *CLUSTER_CSS)
    }


def inline_assets(page: str) -> str:
    """Replace Leaflet's CDN links by inline copies; fail if any remote asset remains."""
    res = _assets()
    for js in (LEAFLET_JS, JQUERY_JS, CLUSTER_JS):
        page = page.replace(f'<script src="{js}"></script>', f"<script>{res[js]}</script>")
    for css in (LEAFLET_CSS, *CLUSTER_CSS):
        page = re.sub(
            r'<link rel="stylesheet" href="' + re.escape(css) + r'"\s*/>',
            lambda _, css=css: f"<style>{res[css]}</style>",
            page,
        )
    left = re.findall(r'<(?:script|link)[^>]+(?:src|href)="(https?://[^"]+)"', page)
    if left:
        raise RuntimeError(f"remote assets left in the map: {left}")
    return page


SHADING_NAMES = {
    "demand": "수요 / demand",
    "coverage": "충족률 / coverage",
    "access": "접근성 E2SFCA (10만 명당) / access (per 100,000)",
}


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
    """The center's popup: names, not ids; the year its figures are for; proxies as such."""
    labels = run.labels
    year = run.years[-1]
    catalog = run.districts.catalog.segments
    served = [
        (labels.segment_ko(s), int(float(v)), bool(catalog[s].estimate) if s in catalog else False)
        for s in run.segments
        if (v := row.get(f"served_{s}")) not in (None, "")
    ]
    staff = [
        f"{labels.agency_ko(c.removeprefix('staff_'))} {row[c]}"
        for c in row.index
        if c.startswith("staff_") and str(row[c]) not in ("", "0", "nan")
    ]
    teams = [c for c in str(row.get("guest_welfare_teams", "") or "").split(";") if c]
    per_team = run.document.get("team_staff")
    if teams:
        staff.append(
            f"파견 복지팀 {len(teams)}곳 / guest welfare teams: {len(teams)}"
            + (f" × {per_team}" if per_team else "")
        )
    caseload = [
        f"{labels.agency_ko(c.removeprefix('cases_per_day_'))} {float(row[c]):,.1f}"
        for c in row.index
        if c.startswith("cases_per_day_") and str(row[c]) not in ("", "nan", "None")
    ]
    phase = row.phase_opened
    return render(
        "popup.html.j2",
        caseload=", ".join(caseload),
        name_ko=str(row.name_ko),
        name_en=str(row.name_en),
        sido=labels.sido(str(row.sido)),
        opened="기존 / existing" if str(phase) == "existing" else str(phase),
        kind=labels.kind(row.kind),
        format=labels.format(str(row.format)),
        tenants=[labels.tenants(t) for t in str(row.tenants).split(";") if t],
        staff=", ".join(staff),
        year=year,
        served=served,
        mean_travel=row.mean_travel_min,
        guest_teams=labels.districts(";".join(teams)),
    )


def _marker_html(color: str, kind: str, fmt: str, code: str) -> str:
    return render(
        "marker.html.j2",
        code=code,
        color=color,
        shape="50%" if kind == "conversion" else "2px",
        border="3px double #111" if fmt == "extended" else "2px solid #fff",
    )


CLUSTER_STYLE = (
    "<style>.planner-cluster{width:26px;height:26px;border-radius:50%;color:#fff;"
    "font:bold 12px/26px sans-serif;text-align:center;border:2px solid #fff;"
    "box-shadow:0 0 3px #000}.planner-cluster-icon{background:none}"
    ".planner-popup{font-size:12px}.planner-popup th{text-align:left;padding-right:6px;"
    "vertical-align:top}</style>"
)


def _cluster_icon(color: str) -> str:
    """A cluster drawn in its phase's color with the number of centers in it."""
    return (
        'function(cluster) { return L.divIcon({html: \'<div class="planner-cluster" '
        f"style=\"background:{color}\">' + cluster.getChildCount() + '</div>', "
        "className: 'planner-cluster-icon', iconSize: L.point(26, 26)}); }"
    )


def _rounded(geojson: object) -> object:
    """Coordinates rounded to COORD_DECIMALS (the file is about half as large)."""

    def walk(x):
        if isinstance(x, float):
            return round(x, COORD_DECIMALS)
        if isinstance(x, list):
            return [walk(v) for v in x]
        return x

    if isinstance(geojson, dict):
        for f in geojson.get("features", []):
            g = f.get("geometry") or {}
            if "coordinates" in g:
                g["coordinates"] = walk(g["coordinates"])
    return geojson


def build_map(run: RunData) -> folium.Map:
    """Districts (shading chosen by segment), centers per phase, catchments, legend, title.

    Centers of a phase merge into a cluster of its color where they would overlap (below
    zoom CLUSTER_UNTIL_ZOOM), so the capital area reads at national zoom.
    """
    labels = run.labels
    gdf = run.district_frame(simplify_m=MAP_SIMPLIFY_M)
    bounds = gdf.total_bounds
    m = folium.Map(
        location=[(bounds[1] + bounds[3]) / 2, (bounds[0] + bounds[2]) / 2],
        zoom_start=7,
        tiles=None,
        control_scale=True,
        prefer_canvas=False,
    )
    m.options["maxZoom"] = MAX_ZOOM  # marker clustering needs one; there is no tile layer
    m.default_js = [("leaflet", LEAFLET_JS)]  # no jQuery: popups are built in the page
    m.default_css = [("leaflet_css", LEAFLET_CSS)]
    m.get_root().header.add_child(branca.element.Element(CLUSTER_STYLE))
    m.fit_bounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]])
    folium.TileLayer(
        "OpenStreetMap", name="웹 지도 (온라인) / web tiles (online)", overlay=True, show=False
    ).add_to(m)

    keys, breaks = [], {}
    for s in run.segments:
        for metric, is_share in (("demand", False), ("coverage", True), ("access", False)):
            key = f"{metric}_{s}"
            if key not in gdf:  # access: run folders written before access.csv
                continue
            b = _bins(gdf[key], is_share)
            breaks[key] = b
            keys.append(key)
    first = keys[0] if keys else None
    gdf["fill"] = [_color(v, breaks[first]) for v in gdf[first]] if first else SHADES[0]

    districts = folium.FeatureGroup(name="시군구 / districts", overlay=True, show=True)
    shown = gdf.drop(columns=["point_lat", "point_lon", "served_at"], errors="ignore")
    geo = folium.GeoJson(
        shown.reset_index().to_json(),
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
    geo.data = _rounded(geo.data)
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
    lines = []  # one GeoJSON layer of lines: far smaller than one Leaflet object per line
    for _, r in a.iterrows():
        if r.district in pts.index and r.site in run.districts.units.index:
            p1 = pts.loc[r.district]
            p2 = run.districts.units.loc[r.site, ["point_lat", "point_lon"]]
            lines.append(
                {
                    "type": "Feature",
                    "properties": {
                        "tip": f"{labels.district_ko(r.district)} → "
                        f"{labels.district_ko(r.site)} ({r.travel_min:.0f}분 / min)"
                    },
                    "geometry": {
                        "type": "LineString",
                        "coordinates": [
                            [
                                round(float(p1.point_lon), COORD_DECIMALS),
                                round(float(p1.point_lat), COORD_DECIMALS),
                            ],
                            [
                                round(float(p2.point_lon), COORD_DECIMALS),
                                round(float(p2.point_lat), COORD_DECIMALS),
                            ],
                        ],
                    },
                }
            )
    if lines:
        folium.GeoJson(
            {"type": "FeatureCollection", "features": lines},
            name="catchment lines",
            style_function=lambda f: {"color": "#7a0177", "weight": 1.5, "opacity": 0.8},
            tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False),
        ).add_to(catch)
    catch.add_to(m)
    groups = {}
    for y in ["existing", *years]:
        rows = run.plan[run.plan.phase_opened.astype(str) == str(y)]
        if rows.empty:
            continue
        label = "기존 센터 / existing centers" if y == "existing" else f"{y} 개소 / opened {y}"
        color = EXISTING_COLOR if y == "existing" else color_of[int(y)]
        groups[str(y)] = MarkerCluster(
            name=label,
            overlay=True,
            show=True,
            options={
                "maxClusterRadius": CLUSTER_RADIUS_PX,
                "disableClusteringAtZoom": CLUSTER_UNTIL_ZOOM,
                "showCoverageOnHover": False,
                "spiderfyOnMaxZoom": True,
            },
            icon_create_function=_cluster_icon(color),
        )
        centers = []
        for _, row in rows.iterrows():
            lat, lon = run.districts.units.loc[row.code, ["point_lat", "point_lon"]]
            centers.append(
                [
                    round(float(lat), COORD_DECIMALS),
                    round(float(lon), COORD_DECIMALS),
                    _marker_html(color, row.kind, str(row.format), row.code),
                    _popup(run, row),
                    f"{row.name_ko} ({row.name_en})",
                ]
            )
        groups[str(y)].add_to(m)
        _add_centers(m, groups[str(y)].get_name(), centers)

    folium.LayerControl(collapsed=False, position="topright").add_to(m)
    _add_panels(m, run, color_of, keys)
    _add_shading_script(m, geo.get_name(), breaks)
    _hide_panels_under_popups(m)
    return m


def _add_centers(m: folium.Map, group: str, centers: list[list]) -> None:
    """Center markers of one phase, built in the page from one array.

    Each entry holds the marker, popup and tooltip HTML: a fifth of the size of one block
    of folium code per marker, and no jQuery needed.
    """
    data = json.dumps(centers, ensure_ascii=False).replace("</", "<\\/")
    # on load: folium writes the cluster layer's own script after this one
    script = f"""
    window.addEventListener('load', function() {{
      {data}.forEach(function(c) {{
        L.marker([c[0], c[1]], {{icon: L.divIcon({{html: c[2], iconSize: [16, 16],
          iconAnchor: [8, 8], className: 'empty'}})}})
          .bindPopup(c[3], {{maxWidth: 380}})
          .bindTooltip(c[4], {{sticky: true}})
          .addTo({group});
      }});
    }});
    """
    m.get_root().script.add_child(branca.element.Element(script))


def _add_panels(m: folium.Map, run: RunData, color_of: dict, keys: list[str]) -> None:
    """Title, legend and the shading selector (map_panels.html.j2)."""
    f = run.facts
    labels = run.labels
    proven = labels.status(f.get("status")) + (
        "" if f.get("proven_optimal") else f", gap {gap_text(f)}"
    )
    shading = [
        (k, f"{SHADING_NAMES[k.split('_', 1)[0]]}: {labels.segment(k.split('_', 1)[1])}")
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
        clusters=True,
    )
    m.get_root().html.add_child(branca.element.Element(panels))


def _hide_panels_under_popups(m: folium.Map) -> None:
    """Hide the legend and shading panels while a popup is open, so they never cover it.

    They sit above the map's panes (Leaflet's map pane is its own stacking context).
    """
    script = f"""
    window.addEventListener('load', function() {{
      var ids = ['planner-legend', 'planner-shade', 'planner-title'];
      function show(on) {{
        ids.forEach(function(id) {{
          var el = document.getElementById(id);
          if (el) el.style.visibility = on ? 'visible' : 'hidden';
        }});
      }}
      {m.get_name()}.on('popupopen', function() {{ show(false); }});
      {m.get_name()}.on('popupclose', function() {{ show(true); }});
    }});
    """
    m.get_root().script.add_child(branca.element.Element(script))


def _add_shading_script(m: folium.Map, geo_name: str, breaks: dict[str, list[float]]) -> None:
    # runs on load: folium writes the GeoJSON layer's own script after this one
    script = f"""
    window.addEventListener('load', function() {{
      var breaks = {json.dumps(breaks)};
      var shades = {json.dumps(SHADES)};
      function shade(v, b) {{  // as _color in map.py: the bin of v among the breaks
        for (var k = 0; k + 1 < b.length; k++) {{
          if (v < b[k + 1]) return shades[Math.min(k, shades.length - 1)];
        }}
        return shades[shades.length - 1];
      }}
      function legend(key) {{
        var b = breaks[key], share = key.indexOf('coverage') === 0, out = '';
        var fine = key.indexOf('access') === 0;  // centers per 100,000: two decimals
        function num(v) {{
          return fine ? v.toFixed(2) : Math.round(v).toLocaleString();
        }}
        for (var k = 0; k + 1 < b.length; k++) {{
          var lo = share ? Math.round(b[k] * 100) + '%' : num(b[k]);
          var hi = share ? Math.min(100, Math.round(b[k + 1] * 100)) + '%' : num(b[k + 1]);
          out += '<div><span style="display:inline-block;width:14px;height:10px;background:'
               + shades[Math.min(k, shades.length - 1)] + ';border:1px solid #999"></span> '
               + lo + ' – ' + hi + '</div>';
        }}
        document.getElementById('planner-shade-legend').innerHTML = out;
      }}
      function restyle(key) {{
        {geo_name}.eachLayer(function(layer) {{
          layer.setStyle({{fillColor: shade(layer.feature.properties[key], breaks[key])}});
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
