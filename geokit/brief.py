"""The brief: one printable, self-contained page an analyst can send.

:func:`brief_html` lays out an analysis for a meeting: a static map of the
corridors (matplotlib, :func:`brief_map`), the corridor status chart, a table
per corridor (status at the window's end, worst status, blockaded periods,
detour, towns cut off, people exposed), the border crossings, people exposed
by region, what changed since the previous build, and the sourced incident
list with links. Images are inlined as data URIs, so the file opens offline;
print CSS fits it on A4 or Letter (two pages at most for a few corridors).

Every text from data goes through :func:`geokit.escape.html_text`; only
``http``/``https`` sources become links (:func:`geokit.escape.safe_url`).
No template engine is involved: the page is assembled from escaped strings.
"""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd

from geokit._errors import GeokitError
from geokit.chart import chart_data_uri
from geokit.escape import html_text, plain_text, safe_url
from geokit.palette import AT_RISK, BLOCKADED, DETOUR_COLOR, INCIDENT_COLOR, OPEN, STATUS_COLORS, STATUS_LABELS

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from geokit.analysis import Analysis

__all__ = ["brief_html", "brief_map", "batch_index_html", "find_chromium", "require_chromium", "print_pdf"]

_CSS = """
body{font:13px/1.4 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#222;margin:24px auto;max-width:980px;
padding:0 16px}
h1{font-size:20px;margin:0 0 4px}h2{font-size:15px;margin:18px 0 6px;border-bottom:1px solid #ccc;padding-bottom:2px}
.meta{color:#555;font-size:12px;margin-bottom:10px}
table{border-collapse:collapse;width:100%;font-size:12px;margin:4px 0}
th,td{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top}th{background:#f3f3f3}
td.num{text-align:right;white-space:nowrap}
.status{color:#fff;font-weight:600;white-space:nowrap;border-radius:3px;padding:1px 6px;display:inline-block}
img{max-width:100%}.figs{display:flex;flex-wrap:wrap;gap:8px;align-items:flex-start}.figs img{border:1px solid #ddd;width:calc(50% - 6px)}
.small{font-size:11px;color:#555}ul.changes{margin:4px 0 4px 18px;padding:0}
@page{size:A4;margin:12mm}
@media print{body{margin:0;max-width:none;padding:0;font-size:9px}h1{font-size:15px}h2{font-size:11px;
 margin:8px 0 3px;break-after:avoid}table{font-size:8.5px}th,td{padding:1px 4px}tr,img{break-inside:avoid}
 a{color:#222;text-decoration:none}.noprint{display:none}.small{font-size:8px}}
@media print and (max-width:8.6in){@page{size:letter}}
"""


def brief_map(analysis: Analysis, *, base: Mapping[str, gpd.GeoDataFrame] | None = None,
              width_in: float = 9.0) -> Figure:
    """A static map of an analysis for print: roads by status, corridors, detours, incidents, crossings
    and the corridor towns, over countries, lakes and rivers.

    Parameters
    ----------
    analysis : geokit.analysis.Analysis
    base : mapping, optional
        ``boundaries``, ``lakes``, ``rivers`` (as for :func:`geokit.maps.corridor_map`).
    width_in : float, default 9
        Figure width in inches.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = brief_map(result)
    >>> len(fig.axes)
    1
    """
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    base = base or {}
    roads = analysis.segments.to_crs(4326)
    frame = analysis.corridors.to_crs(4326) if len(analysis.corridors) else roads
    x0, y0, x1, y1 = frame.total_bounds
    pad_x, pad_y = (x1 - x0) * 0.04 + 0.2, (y1 - y0) * 0.04 + 0.2
    aspect = (y1 - y0 + 2 * pad_y) / max(x1 - x0 + 2 * pad_x, 1e-9)
    fig = Figure(figsize=(width_in, max(3.5, min(width_in * aspect, 9.0))), layout="constrained")
    ax = fig.add_subplot()
    ax.set_facecolor("#dfe9f2")
    if base.get("boundaries") is not None:
        base["boundaries"].to_crs(4326).plot(ax=ax, color="#f4f1ea", edgecolor="#999", linewidth=0.5)
    if base.get("lakes") is not None:
        base["lakes"].to_crs(4326).plot(ax=ax, color="#b3d1ea", edgecolor="#6a9fc9", linewidth=0.3)
    if base.get("rivers") is not None:
        base["rivers"].to_crs(4326).plot(ax=ax, color="#6a9fc9", linewidth=0.6)
    status = roads["status"].astype(str)
    for name, width in ((OPEN, 0.5), (AT_RISK, 1.4), (BLOCKADED, 2.6)):
        part = roads[status == name]
        if len(part):
            part.plot(ax=ax, color=STATUS_COLORS[name], linewidth=width, zorder=3)
    if analysis.detours is not None and len(analysis.detours):
        analysis.detours.to_crs(4326).plot(ax=ax, color=DETOUR_COLOR, linewidth=1.6, linestyle=(0, (4, 3)),
                                           zorder=4)
    if len(analysis.incidents):
        inc = analysis.incidents.to_crs(4326)
        ax.scatter(inc.geometry.x, inc.geometry.y, s=10, color=INCIDENT_COLOR, edgecolor="#67000d",
                   linewidth=0.3, zorder=5)
    if analysis.crossings is not None and len(analysis.crossings):
        cr = analysis.crossings.to_crs(4326)
        reaches = cr["reaches_destination"] if "reaches_destination" in cr else pd.Series(True, index=cr.index)
        ax.scatter(cr.geometry.x, cr.geometry.y, marker="D", s=26, zorder=6,
                   color=["#1f4e9c" if r is not False else "#7f7f7f" for r in reaches], edgecolor="white")
    if analysis.cities is not None and len(analysis.cities):
        towns = analysis.cities.to_crs(4326)
        ends = set()
        for col in ("origin", "destination"):
            if col in analysis.corridors:
                ends |= set(analysis.corridors[col].astype(str))
        pop = pd.to_numeric(towns.get("population"), errors="coerce").fillna(0)
        keep = towns[towns["name"].isin(ends) | (pop >= 100_000)]
        keep = keep[(keep.geometry.x.between(x0 - pad_x, x1 + pad_x)) & (keep.geometry.y.between(y0 - pad_y,
                                                                                                   y1 + pad_y))]
        ax.scatter(keep.geometry.x, keep.geometry.y, s=14, color="white", edgecolor="#333", linewidth=0.8,
                   zorder=7)
        for _, town in keep.iterrows():
            label = ax.annotate(_short(town["name"], 30), (town.geometry.x, town.geometry.y), xytext=(3, 3),
                                textcoords="offset points", fontsize=7, zorder=8, color="#222",
                                annotation_clip=True)
            label.set_parse_math(False)  # a town's name is text, never mathtext
            label.set_in_layout(False)
    ax.set_xlim(x0 - pad_x, x1 + pad_x)
    ax.set_ylim(y0 - pad_y, y1 + pad_y)
    ax.set_aspect(1.0 / max(0.2, abs(math.cos(math.radians((y0 + y1) / 2)))))  # lon/lat drawn to scale
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    handles = [Line2D([], [], color=STATUS_COLORS[s], linewidth=w, label=STATUS_LABELS[s])
               for s, w in ((OPEN, 1), (AT_RISK, 1.6), (BLOCKADED, 2.6))]
    handles += [Line2D([], [], color=DETOUR_COLOR, linestyle=(0, (4, 3)), label="detour"),
                Line2D([], [], marker="o", linestyle="", color=INCIDENT_COLOR, label="incident"),
                Line2D([], [], marker="D", linestyle="", color="#1f4e9c", label="crossing (grey: cut off)")]
    ax.legend(handles=handles, loc="lower left", fontsize=7, framealpha=0.9)
    return fig


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
    """``2025-09-13..2025-10-12; 2025-10-20..`` as ``2025-09-13 to 2025-10-12; 2025-10-20 to (still on)``."""
    out = []
    for period in [p for p in periods.split("; ") if p]:
        first, _, last = period.partition("..")
        out.append(f"{first} to {last or '(still on)'}")
    return "; ".join(out)


def _new_towns(row: pd.Series) -> str:
    """The detour's towns that the corridor itself does not pass, else a short list of its towns."""
    towns = [t for t in plain_text(row.get("detour_towns")).split("; ") if t]
    own = set(plain_text(row.get("towns")).split("; "))
    new = [t for t in towns if t not in own]
    if new:
        return "; ".join(new)
    return "; ".join(towns) if len(towns) <= 5 else f"{towns[0]} ... {'; '.join(towns[-3:])}"


def _corridor_rows(summary: pd.DataFrame) -> str:
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
        rows.append(
            f"<tr><td><b>{html_text(r['corridor'])}</b><div class='small'>{_num(r.get('length_km'))} km</div></td>"
            f"<td>{_status(r.get('status'))}" + (f"<div class='small'>since {since}</div>" if since else "")
            + f"</td><td>{_status(r.get('worst_status'))}</td>"
            f"<td>{html_text(_periods(periods)) or '-'}"
            + (f"<div class='small'>reopened {_date(r.get('reopened_on'))}</div>" if _date(r.get('reopened_on'))
               else "")
            + f"</td><td class='num'>{_num(r.get('days_blockaded'))}</td><td>{detour}</td>"
            f"<td>{html_text(r.get('towns_cut_off')) or '-'}</td>"
            f"<td class='num'>{_num(r.get('population_exposed'))}</td></tr>")
    return ("<table><tr><th>corridor</th><th>status at the end</th><th>worst</th><th>blockaded (first to last "
            "day)</th><th>days blockaded</th><th>detour</th><th>towns cut off</th><th>people in exposed towns"
            "</th></tr>" + "".join(rows) + "</table>")


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
    cells = "".join(f"<tr><td>{html_text(k)}</td><td class='num'>{int(n):,}</td></tr>" for k, n in counts.items())
    return (f"<p>{len(events):,} ACLED events in the window, {_num(killed)} people reported killed. ACLED's "
            "terms of use forbid re-publishing its rows, so they are counted here, not listed; they are in "
            "the analysis for your own use (ACLED, https://acleddata.com).</p>"
            f"<table><tr><th>ACLED event type</th><th>events</th></tr>{cells}</table>")


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
        rows.append(f"<tr><td>{_date(r.get('date'))}</td><td>{html_text(r.get('event_type'))}"
                    f"<div class='small'>{html_text(r.get('sub_event_type'))}</div></td>"
                    f"<td>{html_text(r.get('location'))}</td>"
                    f"<td>{html_text(_short(r.get('notes')))}</td><td class='num'>{_num(r.get('fatalities'))}</td>"
                    f"<td>{' '.join(sources)}</td></tr>")
    more = (f"<p class='small'>... and {len(table) - limit} more in layers.gpkg (incidents).</p>"
            if len(table) > limit else "")
    return ("<table><tr><th>date</th><th>type</th><th>where</th><th>what the source says</th><th>killed</th>"
            "<th>source</th></tr>" + "".join(rows) + "</table>" + more)


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


def brief_html(
    analysis: Analysis,
    *,
    title: str,
    base: Mapping[str, gpd.GeoDataFrame] | None = None,
    population: pd.DataFrame | None = None,
    changes: pd.DataFrame | None = None,
    sources: Sequence[str] = (),
    incident_limit: int = 80,
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
    summary = analysis.summary()
    if "towns" in analysis.corridors:  # the corridor's own towns, to tell which towns a detour adds
        summary["towns"] = analysis.corridors["towns"].to_numpy()
    p = analysis.params
    figures = [f"<img alt='Map of the corridors by status' src='{chart_data_uri(brief_map(analysis, base=base))}'>"]
    if analysis.timeline is not None and not analysis.episodes.empty:
        figures.append("<img alt='Corridor status over time' "
                       f"src='{chart_data_uri(analysis.status_chart(title=None, width_in=9.0))}'>")
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>{html_text(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{html_text(title)}</h1>",
        f"<div class='meta'>Window {html_text(p.start or 'first report')} to {html_text(p.end or 'last report')}"
        f" (both days included); status on the last day; incidents reach roads within {p.radius_km:g} km; "
        f"a blockade-relevant incident blockades its roads for {p.rules.blockade_days} days. Brief made "
        f"{date.today():%d %b %Y} with geokit.</div>",
        "<h2>Corridors</h2>", _corridor_rows(summary), _cut_off_line(analysis),
        f"<div class='figs'>{''.join(figures)}</div>",
    ]
    if analysis.crossings is not None and len(analysis.crossings):
        rows = "".join(
            f"<tr><td>{html_text(r.get('name'))}</td><td>{html_text(r.get('country_a'))} / "
            f"{html_text(r.get('country_b'))}</td><td>"
            + ("yes" if r.get("reaches_destination", True) is not False else "<b>no: cut off</b>")
            + f"</td><td class='num'>{_num(r.get('before_km'))}</td><td class='num'>{_num(r.get('after_km'))}</td>"
            "</tr>" for _, r in analysis.crossings.iterrows())
        parts += [f"<h2>Border crossings: road to {html_text(analysis.destination)}</h2>",
                  "<table><tr><th>crossing</th><th>countries</th><th>still reaches</th><th>km before</th>"
                  f"<th>km now</th></tr>{rows}</table>"]
    if population is not None and len(population):
        rows = "".join(
            f"<tr><td>{html_text(r['region'])}</td><td class='num'>{_num(r.get('towns_exposed'))}</td>"
            f"<td class='num'>{_num(r.get('town_population_exposed'))}</td>"
            f"<td class='num'>{_num(r.get('grid_population_in_zones'))}</td></tr>"
            for _, r in population.iterrows())
        parts += ["<h2>People exposed, by region</h2>",
                  "<table><tr><th>region</th><th>towns in exposure zones</th><th>their population (census or "
                  "estimate)</th><th>everyone in the zones (population grid, coarse)</th></tr>" + rows
                  + "</table><p class='small'>Two figures from two sources: never add them.</p>"]
    if changes is not None and len(changes):
        shown = changes[changes["kind"].isin(["corridor", "road"])]
        items = "".join(f"<li>{html_text(r['name'] or r['id'])}: {html_text(STATUS_LABELS.get(r['old'], r['old']))}"
                        f" &rarr; {html_text(STATUS_LABELS.get(r['new'], r['new']))}"
                        + (f" ({html_text(r['detail'])})" if r["detail"] else "") + "</li>"
                        for _, r in shown.head(30).iterrows())
        parts += ["<h2>What changed since the previous build</h2>",
                  f"<ul class='changes'>{items or '<li>No corridor or road changed status.</li>'}</ul>"]
    parts += ["<h2>Incidents in the window</h2>", _incident_rows(analysis.incidents, incident_limit),
              "<p class='small'>Sources: " + "; ".join(html_text(s) for s in sources) + "</p>",
              "</body></html>\n"]
    return "".join(parts)


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


def batch_index_html(title: str, timeline: pd.DataFrame, *, chart: str | None = None) -> str:
    """The ``index.html`` of a batch build: the status chart, then per window (a row) and corridor (a column)
    the status at the window's end, each window linking to its map and summary.

    Parameters
    ----------
    title : str
        The project's name (escaped).
    timeline : DataFrame
        ``timeline.csv``: ``window_start``, ``window_end``, ``corridor``, ``status``, ``days_blockaded``.
    chart : str, optional
        The status chart as a ``data:`` URI (:func:`geokit.chart.chart_data_uri`).

    Returns
    -------
    str

    Examples
    --------
    >>> t = pd.DataFrame({"window_start": ["2025-09-01"], "window_end": ["2025-09-30"], "corridor": ["K"],
    ...                   "status": ["at_risk"], "days_blockaded": [12]})
    >>> "blockaded 12 d in the window" in batch_index_html("Mali", t)
    True
    """
    esc = html_text
    corridors = sorted(timeline["corridor"].unique())
    head = "".join(f"<th>{esc(c)}</th>" for c in corridors)
    body = []
    for (a, b), part in timeline.groupby(["window_start", "window_end"], sort=True):
        label = f"{a}_{b}"
        rows = part.set_index("corridor")
        cells = "".join(_index_cell(rows.loc[c] if c in rows.index else None) for c in corridors)
        body.append(f"<tr><td><a href='{esc(label)}/map.html'>{esc(a)} to {esc(b)}</a></td>{cells}"
                    f"<td><a href='{esc(label)}/summary.csv'>summary</a></td></tr>")
    return ("<!doctype html><html><head><meta charset='utf-8'><title>" + esc(title) + "</title>"
            "<style>body{font:14px sans-serif;margin:20px}td,th{padding:4px 8px;border:1px solid #ccc}"
            "table{border-collapse:collapse}</style></head><body>"
            f"<h1>{esc(title)}</h1><p>Corridor status at the end of each window; each window links to its "
            f"offline map. <a href='timeline_map.html'>One map with a slider through the windows</a>.</p>"
            + (f"<p><img src='{chart}' alt='Corridor status over time: one strip per corridor' "
               "style='max-width:100%'></p>" if chart else "")
            + f"<table><tr><th>window</th>{head}<th></th></tr>{''.join(body)}</table>"
            "</body></html>\n")
