"""The brief: one printable, self-contained page an analyst can send.

:func:`brief_html` lays out an analysis for a meeting: a static map of the
corridors (matplotlib, :func:`brief_map`), the corridor status chart, a table
per corridor (status at the window's end, worst status, blockaded periods,
detour, the towns behind the blockade and their people, :func:`people_behind`),
the border crossings, people exposed by region, what changed since the previous
build, and the sourced incident list with links. Images are inlined as data
URIs, so the file opens offline. The page is printed on A4 (``paper="a4"``,
the default) or Letter through CSS ``@page`` alone: two A4 pages for the Mali
September build, three on Letter. On a phone its tables stack as cards (no
sideways scroll). Dates read one way throughout: ``13 Sep 2025``.

Every text from data goes through :func:`geokit.escape.html_text`; only
``http``/``https`` sources become links (:func:`geokit.escape.safe_url`).
No template engine is involved: the page is assembled from escaped strings.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd

from geokit._errors import GeokitError
from geokit.chart import chart_data_uri
from geokit.escape import html_text, plain_text, safe_url
from geokit.palette import AT_RISK, BLOCKADED, DETOUR_COLOR, INCIDENT_COLOR, OPEN, STATUS_COLORS, STATUS_LABELS

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from geokit.analysis import Analysis

__all__ = ["brief_html", "brief_map", "route_options_html", "batch_index_html", "find_chromium", "require_chromium", "print_pdf"]

#: The paper sizes of :func:`brief_html` (CSS ``@page`` size names).
PAPERS = {"a4": "A4", "letter": "letter"}

_CSS = """
*{box-sizing:border-box}
body{font:13px/1.4 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#222;margin:24px auto;max-width:980px;
padding:0 16px;overflow-wrap:break-word}a{overflow-wrap:anywhere}
h1{font-size:20px;margin:0 0 4px}h2{font-size:15px;margin:18px 0 6px;border-bottom:1px solid #ccc;padding-bottom:2px}
.meta{color:#555;font-size:12px;margin-bottom:10px}
table{border-collapse:collapse;width:100%;font-size:12px;margin:4px 0}
th,td{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top}th{background:#f3f3f3}
td.num{text-align:right;white-space:nowrap}
.status{color:#fff;font-weight:600;white-space:nowrap;border-radius:3px;padding:1px 6px;display:inline-block}
img{max-width:100%;height:auto}.figs img{display:block;width:100%;border:1px solid #ddd;margin:6px 0}
.small{font-size:11px;color:#555}ul.changes{margin:4px 0 4px 18px;padding:0}.nofig{color:#777;font-style:italic}
@media screen and (max-width:640px){
 body{margin:8px auto;padding:0 8px}
 table,tbody,tr,td{display:block;width:100%}tr.head{display:none}
 tr{border:1px solid #ccc;margin:0 0 8px;padding:2px 0}td{border:0;padding:2px 6px}
 td.num{text-align:left;white-space:normal}
 td[data-label]::before{content:attr(data-label) ": ";font-weight:600;color:#555}
}
@media print{body{margin:0;max-width:none;padding:0;font-size:9px}h1{font-size:15px}h2{font-size:11px;
 margin:8px 0 3px;break-after:avoid}table{font-size:8.5px}th,td{padding:1px 4px}tr,img{break-inside:avoid}
 a{color:#222;text-decoration:none}.noprint{display:none}.small{font-size:8px}
 .incidents table{font-size:8px}.incidents td .small{display:inline;margin-left:3px}
 .figs img.map{max-height:128mm;width:auto;max-width:100%;margin:4px auto}
 .figs img.chart{max-height:45mm;width:auto;max-width:100%;margin:4px auto}}
"""


def brief_map(analysis: Analysis, *, base: Mapping[str, gpd.GeoDataFrame] | None = None,
              width_in: float = 7.2) -> Figure:
    """A static map of an analysis for print: roads by status, corridors, detours, incidents, crossings
    and the corridor towns, over countries, lakes and rivers, with a scale bar, a north arrow and, when
    the corridors span far more than the blockaded stretches, an inset of the cut area.

    Blockaded stretches are drawn thick with a dark casing, detours as a bold dashed line; the towns
    behind a blockade (:func:`people_behind`) are labelled in bold. Labels are 8 pt at the figure's
    size, which is the printed size on A4 or Letter (7.2 in wide).

    Parameters
    ----------
    analysis : geokit.analysis.Analysis
    base : mapping, optional
        ``boundaries``, ``lakes``, ``rivers`` (as for :func:`geokit.maps.corridor_map`).
    width_in : float, default 7.2
        Figure width in inches (the printable width of A4 and Letter).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = brief_map(result)
    >>> len(fig.axes) >= 1
    True
    """
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    roads = analysis.segments.to_crs(4326)
    frame = analysis.corridors.to_crs(4326) if len(analysis.corridors) else roads
    x0, y0, x1, y1 = frame.total_bounds
    pad_x, pad_y = (x1 - x0) * 0.04 + 0.2, (y1 - y0) * 0.04 + 0.2
    box = (x0 - pad_x, y0 - pad_y, x1 + pad_x, y1 + pad_y)
    stretch = 1.0 / max(0.2, abs(math.cos(math.radians((y0 + y1) / 2))))  # lon/lat drawn to scale
    aspect = (box[3] - box[1]) * stretch / max(box[2] - box[0], 1e-9)
    fig = Figure(figsize=(width_in, max(3.5, min(width_in * aspect, 8.0))), layout="constrained")
    ax = fig.add_subplot()
    behind = people_behind(analysis)
    marked = {t for towns in behind["towns"] for t in towns}
    _draw_layers(ax, analysis, base or {}, box, marked, minor=False)
    ax.set_xlim(box[0], box[2])
    ax.set_ylim(box[1], box[3])
    ax.set_aspect(stretch)
    _scale_bar(ax, box)
    handles = [Line2D([], [], color=STATUS_COLORS[s], linewidth=w, label=STATUS_LABELS[s])
               for s, w in ((OPEN, 1), (AT_RISK, 2), (BLOCKADED, 3.5))]
    handles += [Line2D([], [], color=DETOUR_COLOR, linewidth=2, linestyle=(0, (4, 2)), label="detour"),
                Line2D([], [], marker="o", linestyle="", color=INCIDENT_COLOR, label="incident"),
                Line2D([], [], marker="D", linestyle="", color="#1f4e9c", label="crossing (grey: cut off)"),
                Line2D([], [], marker="o", linestyle="", color="white", markeredgecolor=STATUS_COLORS[BLOCKADED],
                       markeredgewidth=1.5, label="town behind a blockade")]
    ax.legend(handles=handles, loc="lower left", fontsize=7.5, framealpha=0.92)
    cut = _cut_area(analysis, roads)
    corner = None
    if cut is not None and (cut[2] - cut[0]) < 0.25 * (box[2] - box[0]):
        ends = set(analysis.corridors.get("origin", pd.Series(dtype=str)).astype(str)) | set(
            analysis.corridors.get("destination", pd.Series(dtype=str)).astype(str))
        keep = analysis.cities[analysis.cities["name"].isin(ends)] if analysis.cities is not None else None
        corner = _emptiest_corner(roads, box, keep.to_crs(4326).geometry if keep is not None else None)
        inset = ax.inset_axes(corner, zorder=20)  # above the main map's labels (zorder 8-9)
        _draw_layers(inset, analysis, base or {}, cut, marked, minor=True)
        inset.set_xlim(cut[0], cut[2])
        inset.set_ylim(cut[1], cut[3])
        inset.set_aspect(stretch)
        inset.set_title("the cut area", fontsize=8, pad=2)
        ax.indicate_inset_zoom(inset, edgecolor="#333", linewidth=0.8)
        _scale_bar(inset, cut)
        inset.set_xticks([])
        inset.set_yticks([])
        inset.set_xlabel("")
        inset.set_ylabel("")
    _north_arrow(ax, top=corner is not None and corner[1] < 0.5)  # clear of an inset at the lower right
    for axes in fig.axes:
        axes.set_xticks([])
        axes.set_yticks([])
        axes.set_xlabel("")
        axes.set_ylabel("")
    return fig


def _draw_layers(ax: Axes, analysis: Analysis, base: Mapping[str, gpd.GeoDataFrame],
                 box: tuple[float, float, float, float], marked: set[str], *, minor: bool) -> None:
    """Base, roads by status, detours, incidents, crossings and towns on one axes (the map or its inset).

    ``marked`` towns (behind a blockade) are circled in red and labelled in bold; with ``minor``, every
    town in ``box`` is labelled, else the corridors' ends, the towns of 100,000 people or more and the
    marked ones.
    """
    from matplotlib import patheffects

    halo = [patheffects.withStroke(linewidth=2.5, foreground="white")]
    ax.set_facecolor("#dfe9f2")
    if base.get("boundaries") is not None:
        base["boundaries"].to_crs(4326).plot(ax=ax, color="#f4f1ea", edgecolor="#888", linewidth=0.6)
    if base.get("lakes") is not None:
        base["lakes"].to_crs(4326).plot(ax=ax, color="#b3d1ea", edgecolor="#6a9fc9", linewidth=0.3)
    if base.get("rivers") is not None:
        base["rivers"].to_crs(4326).plot(ax=ax, color="#8fb5d6", linewidth=0.5)
    roads = analysis.segments.to_crs(4326)
    status = roads["status"].astype(str)
    scale = 1.4 if minor else 1.0
    for name, width in ((OPEN, 0.6), (AT_RISK, 1.8), (BLOCKADED, 3.4)):
        part = roads[status == name]
        if not len(part):
            continue
        effects = [patheffects.Stroke(linewidth=width * scale + 1.6, foreground="#3a0000"), patheffects.Normal()] \
            if name == BLOCKADED else None
        part.plot(ax=ax, color=STATUS_COLORS[name], linewidth=width * scale, zorder=3, path_effects=effects)
    if analysis.detours is not None and len(analysis.detours):
        analysis.detours.to_crs(4326).plot(ax=ax, color=DETOUR_COLOR, linewidth=1.3 * scale,
                                           linestyle=(0, (4, 2)), zorder=2.5, alpha=0.9)
    if len(analysis.incidents):
        inc = analysis.incidents.to_crs(4326)
        ax.scatter(inc.geometry.x, inc.geometry.y, s=12 * scale, color=INCIDENT_COLOR, edgecolor="#67000d",
                   linewidth=0.3, zorder=5, alpha=0.85)
    if analysis.crossings is not None and len(analysis.crossings):
        cr = analysis.crossings.to_crs(4326)
        reaches = cr["reaches_destination"] if "reaches_destination" in cr else pd.Series(True, index=cr.index)
        ax.scatter(cr.geometry.x, cr.geometry.y, marker="D", s=28, zorder=6,
                   color=["#1f4e9c" if r is not False else "#7f7f7f" for r in reaches], edgecolor="white")
    if analysis.cities is None or not len(analysis.cities):
        return
    towns = analysis.cities.to_crs(4326).drop_duplicates(subset=["name"])
    towns = towns[towns.geometry.x.between(box[0], box[2]) & towns.geometry.y.between(box[1], box[3])]
    ends: set[str] = set()
    for col in ("origin", "destination"):
        if col in analysis.corridors:
            ends |= set(analysis.corridors[col].astype(str))
    pop = pd.to_numeric(towns.get("population"), errors="coerce").fillna(0)
    is_marked = towns["name"].isin(marked)
    keep = towns if minor else towns[towns["name"].isin(ends) | (pop >= 100_000) | is_marked]
    if minor:
        keep = keep[keep["name"].isin(marked) | keep["name"].isin(ends) | (pop >= 50_000)]
    ax.scatter(keep.geometry.x, keep.geometry.y, s=18, color="white", zorder=7,
               edgecolor=[STATUS_COLORS[BLOCKADED] if m else "#333" for m in keep["name"].isin(marked)],
               linewidth=[1.6 if m else 0.8 for m in keep["name"].isin(marked)])
    for _, town in keep.iterrows():
        bold = town["name"] in marked
        right = town.geometry.x > box[0] + (box[2] - box[0]) * 0.85  # near the right edge: label to the left
        label = ax.annotate(_short(town["name"], 30), (town.geometry.x, town.geometry.y),
                            xytext=(-4 if right else 4, -11 if bold else 3), ha="right" if right else "left",
                            textcoords="offset points", fontsize=8, zorder=9 if bold else 8,
                            color="#7a0000" if bold else "#1a1a1a", fontweight="bold" if bold else "normal",
                            annotation_clip=True, path_effects=halo)
        label.set_parse_math(False)  # a town's name is text, never mathtext
        label.set_in_layout(False)


def _cut_area(analysis: Analysis, roads: gpd.GeoDataFrame) -> tuple[float, float, float, float] | None:
    """The bounds of the blockaded stretches on the corridors (padded), or None when nothing is blockaded."""
    on_routes: set = set()
    if analysis.routes is not None:
        for ids in analysis.routes["edge_ids"]:
            on_routes |= set(ids)
    cut = roads[(roads["status"].astype(str) == BLOCKADED) & roads["edge_id"].isin(on_routes)]
    if not len(cut):
        return None
    x0, y0, x1, y1 = cut.total_bounds
    pad = max(x1 - x0, y1 - y0) * 0.15 + 0.25
    return (x0 - pad, y0 - pad, x1 + pad, y1 + pad)


def _emptiest_corner(roads: gpd.GeoDataFrame, box: tuple[float, float, float, float],
                     keep: gpd.GeoSeries | None = None) -> tuple[float, float, float, float]:
    """The inset's place (axes fraction: x, y, width, height): the corner (upper left, upper right, lower
    right above the scale bar) crossed by the fewest roads,
    a corridor's end (``keep``) weighing as much as a hundred roads."""
    size = 0.36

    def inside(points: gpd.GeoSeries, cx: float, cy: float) -> int:
        fx = (points.x - box[0]) / (box[2] - box[0])
        fy = (points.y - box[1]) / (box[3] - box[1])
        return int(((fx >= cx) & (fx <= cx + size) & (fy >= cy) & (fy <= cy + size)).sum())

    mid = roads.geometry.representative_point()
    corners = [(0.01, 1 - size - 0.01), (1 - size - 0.01, 1 - size - 0.01), (1 - size - 0.01, 0.1)]
    counts = [inside(mid, cx, cy) + (100 * inside(keep, cx, cy) if keep is not None else 0) for cx, cy in corners]
    cx, cy = corners[counts.index(min(counts))]
    return (cx, cy, size, size)


def _nice_km(span_km: float) -> float:
    """A round length for a scale bar about a fifth of ``span_km``.

    Examples
    --------
    >>> _nice_km(1500), _nice_km(90)
    (250, 10)
    """
    target = span_km / 5
    return max([n for n in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000) if n <= target] or [1])


def _scale_bar(ax: Axes, box: tuple[float, float, float, float]) -> None:
    """A scale bar in km at the bottom of a map in degrees (true at the map's middle latitude)."""
    from matplotlib import patheffects

    lat = (box[1] + box[3]) / 2
    km_per_deg = 111.32 * max(0.2, math.cos(math.radians(lat)))
    km = _nice_km((box[2] - box[0]) * km_per_deg)
    length = km / km_per_deg
    x_end = box[0] + (box[2] - box[0]) * 0.66  # clear of the legend (left) and the north arrow (right)
    y = box[1] + (box[3] - box[1]) * 0.04
    halo = [patheffects.withStroke(linewidth=2.5, foreground="white")]
    ax.plot([x_end - length, x_end], [y, y], color="#111", linewidth=3, solid_capstyle="butt", zorder=9,
            path_effects=halo)
    ax.annotate(f"{km:g} km", ((x_end - length / 2), y), xytext=(0, 4), textcoords="offset points",
                ha="center", fontsize=8, zorder=9, path_effects=halo)


def _north_arrow(ax: Axes, *, top: bool = False) -> None:
    """An arrow marked N at the map's right edge, low (above the scale bar's line) or with ``top`` high
    (north is up: the map is in longitude and latitude)."""
    y = 0.86 if top else 0.1
    ax.annotate("N", xy=(0.965, y + 0.1), xytext=(0.965, y), xycoords="axes fraction", ha="center", va="center",
                fontsize=10, fontweight="bold", zorder=9,
                arrowprops={"arrowstyle": "-|>", "color": "#111", "linewidth": 1.5},
                bbox={"boxstyle": "circle,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.8})


def people_behind(analysis: Analysis) -> pd.DataFrame:
    """Per corridor, the people behind its blockade on the window's last day.

    The towns counted are the corridor's towns that are cut off from its
    destination (``towns_cut_off``) or that lie on a blockaded stretch of its
    route (at either end of a blockaded segment); its origin and destination
    never count (Bamako is every corridor's end: counting it would give each
    corridor the capital's population). Each town counts once, with its
    census or estimate figure from the towns layer; towns without a figure are
    named in ``no_figure``, never counted as 0.

    Parameters
    ----------
    analysis : geokit.analysis.Analysis

    Returns
    -------
    DataFrame
        One row per corridor: ``corridor``, ``towns`` (list of names, route
        order), ``people`` (the sum of the known figures; 0 when no town is
        behind a blockade, NaN when none of its towns has a figure),
        ``no_figure`` (list of names).

    Examples
    --------
    >>> table = people_behind(result)
    >>> table.columns.tolist()
    ['corridor', 'towns', 'people', 'no_figure']
    """
    columns = ["corridor", "towns", "people", "no_figure"]
    routes = analysis.routes
    if routes is None or not len(routes):
        return pd.DataFrame({c: [] for c in columns})
    figures = _town_figures(analysis)
    status = analysis.segments.set_index("edge_id")["status"].astype(str)
    blocked = set(status.index[status.to_numpy() == BLOCKADED])
    edges = analysis.network.edges.set_index("edge_id")[["u", "v"]]
    cut = analysis.corridors.set_index("name")["towns_cut_off"] if "towns_cut_off" in analysis.corridors else \
        pd.Series(dtype=object)
    rows = []
    for _, route in routes.iterrows():
        ends = {name for node in (route["nodes"][0], route["nodes"][-1])
                for name, _kind in analysis.network.places_at.get(int(node), ())}
        nodes = [int(n) for e in route["edge_ids"] if e in blocked for n in edges.loc[e]]
        towns = dict.fromkeys(name for node in nodes for name, kind in analysis.network.places_at.get(node, ())
                              if kind == "city")
        towns.update(dict.fromkeys(t for t in plain_text(cut.get(route["name"], "")).split("; ") if t))
        order = {name: i for i, name in enumerate(plain_text(route.get("towns")).split("; "))}
        named = sorted((t for t in towns if t not in ends), key=lambda t: order.get(t, len(order)))
        known = [figures[t] for t in named if t in figures]
        people = float(sum(known)) if known else np.nan if named else 0.0  # towns without a figure: unknown
        rows.append({"corridor": route["name"], "towns": named, "people": people,
                     "no_figure": [t for t in named if t not in figures]})
    return pd.DataFrame(rows, columns=columns)


def _town_figures(analysis: Analysis) -> dict[str, float]:
    """Each town's census or estimate figure, by name (towns without one are left out)."""
    if analysis.cities is None or "population" not in analysis.cities:
        return {}
    towns = analysis.cities.drop_duplicates(subset=["name"])
    pop = pd.to_numeric(towns["population"], errors="coerce")
    return {str(n): float(p) for n, p in zip(towns["name"], pop, strict=True) if pd.notna(p)}


def _status(value: object) -> str:
    key = str(value)
    return (f"<span class='status' style='background:{STATUS_COLORS.get(key, '#777')}'>"
            f"{html_text(STATUS_LABELS.get(key, key))}</span>")


def _num(value: object, digits: int = 0) -> str:
    number = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]
    return "" if pd.isna(number) else f"{number:,.{digits}f}"


def _date(value: object) -> str:
    stamp = pd.to_datetime(pd.Series([value]), errors="coerce").iloc[0]
    return "" if pd.isna(stamp) else f"{stamp:%d %b %Y}"


def _periods(periods: str) -> str:
    """Blockaded periods in the brief's one date form.

    Examples
    --------
    >>> _periods("2025-09-13..2025-10-12; 2025-10-20..")
    '13 Sep 2025 to 12 Oct 2025; 20 Oct 2025 to (still on)'
    """
    out = []
    for period in [p for p in periods.split("; ") if p]:
        first, _, last = period.partition("..")
        out.append(f"{_date(first) or first} to {(_date(last) or last) if last else '(still on)'}")
    return "; ".join(out)


def _readable_dates(text: object) -> str:
    """ISO dates and periods in a text (the changes' details) in the brief's one date form.

    Examples
    --------
    >>> _readable_dates("blockaded 2025-09-13..2025-10-13, reopened on 2025-10-14; since 2025-10-06..")
    'blockaded 13 Sep 2025 to 13 Oct 2025, reopened on 14 Oct 2025; since 06 Oct 2025 to (still on)'
    """
    line = re.sub(r"\b(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})?",
                  lambda m: _periods(m.group(0)), plain_text(text))
    return re.sub(r"\b\d{4}-\d{2}-\d{2}\b", lambda m: _date(m.group(0)) or m.group(0), line)


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], numeric: Sequence[int] = ()) -> str:
    """An HTML table of cells already escaped; each cell carries its header as ``data-label`` so that on a
    phone the rows stack as cards (no sideways scroll).

    Examples
    --------
    >>> _table(["town", "people"], [["Kayes", "127,368"]], numeric=[1])
    "<table><tr class='head'><th>town</th><th>people</th></tr><tr><td data-label='town'>Kayes</td><td class='num' data-label='people'>127,368</td></tr></table>"
    """
    head = "".join(f"<th>{h}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td{' class=' + chr(39) + 'num' + chr(39) if i in numeric else ''} "
                         f"data-label='{html_text(plain_text(h))}'>{cell}</td>"
                         for i, (h, cell) in enumerate(zip(headers, row, strict=True))) + "</tr>"
        for row in rows)
    return f"<table><tr class='head'>{head}</tr>{body}</table>"


def _people_cell(towns: Sequence[str], people: float, no_figure: Sequence[str]) -> str:
    """The people behind a corridor's blockade: the known figure, and the towns without one named.

    Examples
    --------
    >>> _people_cell(["Ségala", "Koniakary"], float("nan"), ["Ségala", "Koniakary"])
    "<span class='nofig'>no census figure</span><div class='small'>Ségala, Koniakary: no census figure</div>"
    >>> _people_cell([], float("nan"), [])
    '0'
    """
    if not towns:
        return "0"
    text = _num(people) if pd.notna(people) else "<span class='nofig'>no census figure</span>"
    if no_figure:
        text += f"<div class='small'>{html_text(', '.join(no_figure))}: no census figure</div>"
    return text


def _new_towns(row: pd.Series) -> str:
    """The detour's towns that the corridor itself does not pass, else a short list of its towns."""
    towns = [t for t in plain_text(row.get("detour_towns")).split("; ") if t]
    own = set(plain_text(row.get("towns")).split("; "))
    new = [t for t in towns if t not in own]
    if new:
        return "; ".join(new)
    return "; ".join(towns) if len(towns) <= 5 else f"{towns[0]} ... {'; '.join(towns[-3:])}"


def _corridor_rows(summary: pd.DataFrame, behind: pd.DataFrame) -> str:
    """The corridor table: status, blockades, detour, and the towns and people behind the blockade."""
    people = behind.set_index("corridor") if len(behind) else None
    rows = []
    for _, r in summary.iterrows():
        since = _date(r.get("blockaded_since"))
        periods = plain_text(r.get("blockaded_periods"))
        detour = plain_text(r.get("detour"))
        if detour == "ok":
            detour = (f"{_num(r.get('detour_km'))} km (+{_num(r.get('detour_extra_km'))} km)"
                      + (f"<div class='small'>through {html_text(_new_towns(r))}</div>"
                         if r.get("detour_towns") else "")
                      + (f"<div class='small'>skips {html_text(r.get('detour_skips'))}</div>"
                         if r.get("detour_skips") else ""))
        else:
            detour = html_text(detour)
        mine = people.loc[r["corridor"]] if people is not None and r["corridor"] in people.index else None
        towns = list(mine["towns"]) if mine is not None else []
        reopened = _date(r.get("reopened_on"))
        rows.append([
            f"<b>{html_text(r['corridor'])}</b><div class='small'>{_num(r.get('length_km'))} km</div>",
            _status(r.get("status")) + (f"<div class='small'>since {since}</div>" if since else ""),
            _status(r.get("worst_status")),
            (html_text(_periods(periods)) or "-") + (f"<div class='small'>reopened {reopened}</div>" if reopened
                                                      else ""),
            _num(r.get("days_blockaded")), detour,
            html_text("; ".join(towns)) or "-",
            _people_cell(towns, mine["people"] if mine is not None else np.nan,
                         list(mine["no_figure"]) if mine is not None else []),
        ])
    return _table(["corridor", "status at the end", "worst", "blockaded (first to last day)", "days blockaded",
                   "detour", "towns behind the blockade", "people there"], rows, numeric=[4, 7])


def _people_note(behind: pd.DataFrame, figures: Mapping[str, float]) -> str:
    """What the people column counts, and its total over all corridors with each town once."""
    towns = list(dict.fromkeys(t for names in behind["towns"] for t in names)) if len(behind) else []
    known = [figures[t] for t in towns if t in figures]
    total = (f"All corridors together: {len(towns)} town{'s' if len(towns) != 1 else ''}"
             + (f", {_num(sum(known))} people with a census figure" if known else "")
             + (f" ({len(towns) - len(known)} without one)" if len(known) < len(towns) else "") + ". ") \
        if towns else "No town is behind a blockade on the window's last day. "
    return ("<p class='small'><b>Towns behind the blockade</b>: on the window's last day, the corridor's towns "
            "cut off from its destination or on a blockaded stretch of its road; the corridor's own origin and "
            "destination never count. <b>People there</b>: the census or estimate figure of those towns, each "
            "town once; a town without a figure is named, not counted as 0. " + total + "</p>")


def _short(text: object, width: int = 170) -> str:
    """A note cut at a word before ``width`` characters (the full text is in the GeoPackage and the map)."""
    line = " ".join(plain_text(text).split())
    return line if len(line) <= width else line[:width].rsplit(" ", 1)[0] + " ..."


def _incident_rows(incidents: pd.DataFrame, limit: int) -> str:
    if incidents is None or not len(incidents):
        return "<p>No incident in the window.</p>"
    acled = incidents["source_format"].astype(str).eq("acled") if "source_format" in incidents else \
        pd.Series(False, index=incidents.index)
    summary = _acled_summary(incidents[acled]) if acled.any() else ""
    if acled.all():
        return summary
    return summary + _listed(incidents[~acled], limit)


def _acled_summary(events: pd.DataFrame) -> str:
    """ACLED's events counted, not listed: its terms forbid re-publishing its rows."""
    kinds = events["event_type"].astype("string").fillna("other") if "event_type" in events else \
        pd.Series("event", index=events.index)
    counts = kinds.value_counts()
    killed = pd.to_numeric(events["fatalities"], errors="coerce").sum() if "fatalities" in events else 0
    cells = _table(["ACLED event type", "events"], [[html_text(k), f"{int(n):,}"] for k, n in counts.items()],
                   numeric=[1])
    return (f"<p>{len(events):,} ACLED events in the window, {_num(killed)} people reported killed. ACLED's "
            "terms of use forbid re-publishing its rows, so they are counted here, not listed; they are in "
            "the analysis for your own use (ACLED, https://acleddata.com).</p>"
            + cells)


def _listed(incidents: pd.DataFrame, limit: int) -> str:
    """The incidents as a table (date, type, place, notes, killed, sources), the first ``limit`` of them."""
    table = incidents.sort_values("date", kind="mergesort")
    rows = []
    for _, r in table.head(limit).iterrows():
        sources = []
        for part in plain_text(r.get("source")).split(" ; "):
            url = safe_url(part.strip())
            sources.append(f"<a href='{html_text(url)}'>{html_text(url.split('/')[2])}</a>" if url
                           else html_text(part))
        rows.append([_date(r.get("date")), html_text(r.get("event_type"))
                     + f"<div class='small'>{html_text(r.get('sub_event_type'))}</div>",
                     html_text(r.get("location")), html_text(_short(r.get("notes"))), _num(r.get("fatalities")),
                     " ".join(sources)])
    more = (f"<p class='small'>... and {len(table) - limit} more in layers.gpkg (incidents).</p>"
            if len(table) > limit else "")
    return ("<div class='incidents'>" + _table(["date", "type", "where", "what the source says", "killed", "source"],
                                                rows, numeric=[4]) + more + "</div>")


def _cut_off_line(analysis: Analysis) -> str:
    """One sentence: the towns cut off at some point in the window, when, and the most people cut off at once."""
    ep = analysis.places_episodes
    ep = ep[(ep["state"] == "cut_off") & (ep["kind"] == "city")]
    if ep.empty:
        return ""
    day = lambda d: f"{d.day} {d:%b}"  # noqa: E731
    towns = "; ".join(f"{html_text(r.place)} ({day(r.start)}–{'' if pd.isna(r.end) else day(r.end)})"
                      for r in ep.itertuples())
    people = analysis.timeline.people if analysis.timeline is not None else None
    most = people.loc[people["people"].idxmax()] if people is not None and len(people) else None
    at_once = (f" At most {most['people']:,.0f} people (census figures, each town once) were cut off at once, "
               f"from {day(most['start'])}." if most is not None and most["people"] > 0 else "")
    return f"<p>Towns cut off from {html_text(analysis.destination)} in the window: {towns}.{at_once}</p>"


def route_options_html(options: pd.DataFrame, *, on: object = None) -> str:
    """The route options of one day (:func:`geokit.routing.corridor_route_options`) as the brief's table.

    Parameters
    ----------
    options : DataFrame
        :func:`geokit.routing.route_options` or :func:`geokit.routing.corridor_route_options`.
    on : date-like, optional
        The day; the latest of ``options`` when omitted.

    Returns
    -------
    str
        A heading, a note on the units and a table (every text escaped), or ``""`` without options.

    Examples
    --------
    >>> from geokit.routing import corridor_route_options
    >>> page = route_options_html(corridor_route_options(result))
    >>> "<table>" in page, "Bafoulabe" in page
    (True, True)
    """
    from geokit.routing import EXPOSURE_UNIT

    if options is None or not len(options):
        return ""
    day = pd.Timestamp(on) if on is not None else pd.Timestamp(options["on"].max())
    part = options[pd.to_datetime(options["on"]) == day]
    if not len(part):
        return ""
    headers = ["corridor", "option", "km", "extra km", "km at risk", f"exposure ({EXPOSURE_UNIT})", "incidents",
               "killed", "through"]
    cells = [[html_text(r["corridor"]),
              f"{int(r['option'])} ({html_text(r['kind'])})" if r["option"] > 0 else html_text(r["kind"]),
              _num(r["length_km"]), _num(r["extra_km"]), _num(r["at_risk_km"]), _num(r["exposure_incident_km"]),
              _num(r["incidents"]), _num(r["fatalities"]), html_text(r["not_on_shortest"] or r["towns"])]
             for _, r in part.iterrows()]
    return (f"<h2>Route options on {html_text(_date(day))}</h2>"
            + _table(headers, cells, numeric=[2, 3, 4, 5, 6, 7])
            + f"<p class='small'>Every option avoids the roads blockaded that day. Exposure in {EXPOSURE_UNIT}: "
              "the km of the route within reach of each incident of the look-back, a km counted once per incident "
              "(20 km within reach of one ambush is 20 incident-km). \"through\": the towns the option passes "
              "that the shortest does not.</p>")


def brief_html(
    analysis: Analysis,
    *,
    title: str,
    base: Mapping[str, gpd.GeoDataFrame] | None = None,
    population: pd.DataFrame | None = None,
    changes: pd.DataFrame | None = None,
    sources: Sequence[str] = (),
    incident_limit: int = 80,
    paper: str = "a4",
    route_options: pd.DataFrame | None = None,
) -> str:
    """The brief of an analysis: one self-contained, printable HTML page.

    Parameters
    ----------
    analysis : geokit.analysis.Analysis
    title : str
        The page's title (escaped).
    base : mapping, optional
        Base layers for the static map (see :func:`brief_map`).
    population : DataFrame, optional
        :func:`geokit.analysis.population_by_region`.
    changes : DataFrame, optional
        The table of :func:`geokit.diff.diff_builds` (corridor and road rows are listed).
    sources : sequence of str
        Attribution of every data source.
    incident_limit : int, default 80
        Incidents listed (the rest are in the GeoPackage).
    paper : {"a4", "letter"}, default "a4"
        The printed page's size (CSS ``@page``, which Chromium's PDF follows).
    route_options : DataFrame, optional
        :func:`geokit.routing.corridor_route_options`: the options of the window's last day are listed.

    Returns
    -------
    str
        The HTML page.

    Examples
    --------
    >>> page = brief_html(result, title="Example <world>")
    >>> page.startswith("<!doctype html>"), "Example &lt;world&gt;" in page, "Kayes-Bamako" in page
    (True, True, True)
    """
    if paper not in PAPERS:
        raise GeokitError(f"unknown paper {paper!r}; use {' or '.join(PAPERS)}")
    summary = analysis.summary()
    behind = people_behind(analysis)
    if "towns" in analysis.corridors:  # the corridor's own towns, to tell which towns a detour adds
        summary["towns"] = analysis.corridors["towns"].to_numpy()
    p = analysis.params
    figures = [f"<img class='map' alt='Map of the corridors by status' "
               f"src='{chart_data_uri(brief_map(analysis, base=base), dpi=150)}'>"]
    if analysis.timeline is not None and not analysis.episodes.empty:
        figures.append("<img class='chart' alt='Corridor status over time' "
                       f"src='{chart_data_uri(analysis.status_chart(title=None, width_in=7.2), dpi=150)}'>")
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>{html_text(title)}</title><style>{_CSS}@page{{size:{PAPERS[paper]};margin:12mm}}</style>"
        "</head><body>",
        f"<h1>{html_text(title)}</h1>",
        f"<div class='meta'>Window {html_text(_date(p.start) or 'first report')} to "
        f"{html_text(_date(p.end) or 'last report')}"
        f" (both days included); status on the last day; incidents reach roads within {p.radius_km:g} km; "
        f"a blockade-relevant incident blockades its roads for {p.rules.blockade_days} days. Brief made "
        f"{date.today():%d %b %Y} with geokit.</div>",
        "<h2>Corridors</h2>", _corridor_rows(summary, behind), _people_note(behind, _town_figures(analysis)),
        _cut_off_line(analysis),
        f"<div class='figs'>{''.join(figures)}</div>",
    ]
    if analysis.crossings is not None and len(analysis.crossings):
        cells = [[html_text(r.get("name")), f"{html_text(r.get('country_a'))} / {html_text(r.get('country_b'))}",
                  "yes" if r.get("reaches_destination", True) is not False else "<b>no: cut off</b>",
                  _num(r.get("before_km")), _num(r.get("after_km"))] for _, r in analysis.crossings.iterrows()]
        parts += [f"<h2>Border crossings: road to {html_text(analysis.destination)}</h2>",
                  _table(["crossing", "countries", "still reaches", "km before", "km now"], cells, numeric=[3, 4])]
    if route_options is not None and len(route_options):
        parts.append(route_options_html(route_options, on=p.end))
    if population is not None and len(population):
        headers = ["region", "towns in exposure zones", "their population (census or estimate)"]
        if "grid_population_in_zones" in population:
            headers.append("everyone in the zones (population grid, coarse)")
        cells = [[html_text(r["region"]), _num(r.get("towns_exposed")), _region_people(r)]
                 + ([_num(r.get("grid_population_in_zones"))] if len(headers) == 4 else [])
                 for _, r in population.iterrows()]
        parts += ["<h2>People exposed, by region</h2>", _table(headers, cells, numeric=[1, 2, 3][:len(headers) - 1]),
                  "<p class='small'>Two figures from two sources: never add them.</p>"]
    if changes is not None and len(changes):
        shown = changes[changes["kind"].isin(["corridor", "road"])]
        items = "".join(f"<li>{html_text(r['name'] or r['id'])}: {html_text(STATUS_LABELS.get(r['old'], r['old']))}"
                        f" &rarr; {html_text(STATUS_LABELS.get(r['new'], r['new']))}"
                        + (f" ({html_text(_readable_dates(r['detail']))})" if r["detail"] else "") + "</li>"
                        for _, r in shown.head(30).iterrows())
        parts += ["<h2>What changed since the previous build</h2>",
                  f"<ul class='changes'>{items or '<li>No corridor or road changed status.</li>'}</ul>"]
    parts += ["<h2>Incidents in the window</h2>", _incident_rows(analysis.incidents, incident_limit),
              "<p class='small'>Sources: " + "; ".join(html_text(s) for s in sources) + "</p>",
              "</body></html>\n"]
    return "".join(parts)


def _region_people(row: pd.Series) -> str:
    """A region's town population: "no census figure" when its exposed towns have none (never 0), and the
    towns without a figure counted when only some have one.

    Examples
    --------
    >>> _region_people(pd.Series({"towns_exposed": 2, "town_population_exposed": 0,
    ...                           "towns_exposed_without_figure": 2}))
    "<span class='nofig'>no census figure</span>"
    """
    towns = int(pd.to_numeric(row.get("towns_exposed"), errors="coerce") or 0)
    missing = int(pd.to_numeric(row.get("towns_exposed_without_figure"), errors="coerce") or 0)
    if towns and missing >= towns:
        return "<span class='nofig'>no census figure</span>"
    text = _num(row.get("town_population_exposed"))
    return text + (f" <span class='small'>(+{missing} town{'s' if missing > 1 else ''} without a figure)</span>"
                   if missing else "")


def find_chromium() -> str | None:
    """The headless browser that prints PDFs: ``$GEOKIT_CHROMIUM``, else chromium or Chrome on the PATH.

    Examples
    --------
    >>> find_chromium()  # doctest: +SKIP
    '/usr/bin/chromium'
    """
    named = os.environ.get("GEOKIT_CHROMIUM")
    if named:
        return named
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def require_chromium() -> str:
    """The headless browser's path, or a :class:`~geokit.GeokitError` that says how to get one.

    Examples
    --------
    >>> require_chromium()  # doctest: +SKIP
    '/usr/bin/chromium'
    """
    browser = find_chromium()
    if browser is None:
        raise GeokitError("--pdf needs Chromium and none was found: install it (apt-get install chromium) "
                          "or set GEOKIT_CHROMIUM to its path, or build without --pdf (brief.html is "
                          "written anyway)")
    return browser


def print_pdf(html_path: str | Path, pdf_path: str | Path, *, timeout_s: float = 120.0) -> Path:
    """Print a brief to PDF with headless Chromium (A4, or Letter per the page's CSS).

    The page is a local file with every asset inlined; Chromium runs without
    network access to anything but that file. Raises a
    :class:`~geokit.GeokitError` that says how to install Chromium when none is found.

    Parameters
    ----------
    html_path : str or Path
        The page to print (``brief.html``).
    pdf_path : str or Path
        The PDF to write (atomically).
    timeout_s : float, default 120
        How long Chromium may take.

    Examples
    --------
    >>> print_pdf("out/brief.html", "out/brief.pdf")  # doctest: +SKIP
    """
    browser = require_chromium()
    source, target = Path(html_path).resolve(), Path(pdf_path)
    with tempfile.TemporaryDirectory(prefix="geokit-chromium-") as profile:
        done = subprocess.run(
            [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
             "--disable-background-networking", f"--user-data-dir={profile}", "--no-pdf-header-footer",
             f"--print-to-pdf={target.resolve()}", source.as_uri()],
            capture_output=True, text=True, timeout=timeout_s, check=False)
    if done.returncode != 0 or not target.is_file():
        raise GeokitError(f"Chromium could not print {source} to PDF (exit {done.returncode}): "
                          f"{done.stderr.strip()[-300:]}")
    return target


def _index_cell(row: pd.Series | None) -> str:
    """A window's cell: the status at its end, and the days blockaded within it when there were any."""
    if row is None:
        return "<td></td>"
    status = str(row.get("status", ""))
    text = STATUS_LABELS.get(status, html_text(status))
    days = row.get("days_blockaded", 0)
    if status != BLOCKADED and pd.notna(days) and int(days) > 0:
        text += f"<br><small>blockaded {int(days)} d in the window</small>"
    return f"<td style='background:{STATUS_COLORS.get(status, '#eee')};color:#fff'>{text}</td>"


def batch_index_html(title: str, timeline: pd.DataFrame, *, chart: str | None = None, pdf: bool = False) -> str:
    """The ``index.html`` of a batch build: the status chart, then per window (a row) and corridor (a column)
    the status at the window's end, each window linking to its map, brief (and its PDF) and summary.

    Parameters
    ----------
    title : str
        The project's name (escaped).
    timeline : DataFrame
        ``timeline.csv``: ``window_start``, ``window_end``, ``corridor``, ``status``, ``days_blockaded``.
    chart : str, optional
        The status chart as a ``data:`` URI (:func:`geokit.chart.chart_data_uri`).
    pdf : bool, default False
        Each window has a ``brief.pdf`` to link.

    Returns
    -------
    str

    Examples
    --------
    >>> t = pd.DataFrame({"window_start": ["2025-09-01"], "window_end": ["2025-09-30"], "corridor": ["K"],
    ...                   "status": ["at_risk"], "days_blockaded": [12]})
    >>> page = batch_index_html("Mali", t, pdf=True)
    >>> "blockaded 12 d in the window" in page, "2025-09-01_2025-09-30/brief.pdf" in page
    (True, True)
    """
    esc = html_text
    corridors = sorted(timeline["corridor"].unique())
    head = "".join(f"<th>{esc(c)}</th>" for c in corridors)
    body = []
    for (a, b), part in timeline.groupby(["window_start", "window_end"], sort=True):
        label = f"{a}_{b}"
        rows = part.set_index("corridor")
        cells = "".join(_index_cell(rows.loc[c] if c in rows.index else None) for c in corridors)
        brief = f"<a href='{esc(label)}/brief.html'>brief</a>" + (
            f" (<a href='{esc(label)}/brief.pdf'>PDF</a>)" if pdf else "")
        body.append(f"<tr><td><a href='{esc(label)}/map.html'>{esc(a)} to {esc(b)}</a></td>{cells}"
                    f"<td>{brief}</td><td><a href='{esc(label)}/summary.csv'>summary</a></td></tr>")
    return ("<!doctype html><html lang='en'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'><title>" + esc(title) + "</title>"
            "<style>body{font:14px sans-serif;margin:20px}td,th{padding:4px 8px;border:1px solid #ccc}"
            "table{border-collapse:collapse}.wide{overflow-x:auto;max-width:100%}"
            "@media (max-width:640px){body{margin:8px}}</style></head><body>"
            f"<h1>{esc(title)}</h1><p>Corridor status at the end of each window; each window links to its "
            f"offline map and its brief. <a href='timeline_map.html'>One map with a slider through the windows</a>.</p>"
            + (f"<p><img src='{chart}' alt='Corridor status over time: one strip per corridor' "
               "style='max-width:100%'></p>" if chart else "")
            + f"<div class='wide'><table><tr><th>window</th>{head}<th></th><th></th></tr>{''.join(body)}"
            "</table></div>"
            "</body></html>\n")
