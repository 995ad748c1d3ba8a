"""What a map of a window tells at first sight: the worst status of every road in the window, the
stretches of each corridor that were blockaded (the cuts), and the detour around each cut.

A corridor blockaded for a month but open again by the window's end is red nowhere on a map of the
status at the end; :func:`window_story` reads the analysis's timeline for what happened *during* the
window, so that the map opens on it (see :func:`geokit.maps.corridor_map`). It draws nothing and
computes only from the analysis (its timeline, routes and network): the detours are routed as
:func:`geokit.analysis.analyse` routes the detour of an episode, around what was blockaded on the
episode's first day.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geokit.palette import BLOCKADED, STATUS_LABELS, STATUSES
from geokit.timeline import day_date, day_number

if TYPE_CHECKING:
    from geokit.analysis import Analysis

__all__ = ["Story", "window_story", "period_text"]

_CUT_COLUMNS = ["corridor", "period", "first_day", "last_day", "days", "km", "roads", "geometry"]
_DETOUR_COLUMNS = ["corridor", "period", "first_day", "last_day", "detour_km", "detour_extra_km", "detour_towns",
                   "detour_skips", "geometry"]


@dataclass
class Story:
    """The window's story, for a map.

    Attributes
    ----------
    worst : ndarray of str
        Each segment's worst status on any day of the window (by position in ``Analysis.segments``).
    cuts : GeoDataFrame
        One line per corridor and blockaded episode overlapping the window: the corridor's segments
        blockaded on some day of the episode (``corridor``, ``period``, ``first_day``, ``last_day``,
        ``days``, ``km``, ``roads``).
    detours : GeoDataFrame
        The detour of each cut, when one exists (``corridor``, ``period``, ``detour_km``, ...).
    history : dict of str to str
        Each corridor's statuses over the window, as text ("13 Sep–13 Oct blockaded; ...").
    periods : list of (str, str)
        Each blockaded (corridor, period) in the window, in time order.

    Examples
    --------
    >>> story = window_story(result)
    >>> story.periods
    [('Kayes-Bamako', '13 Sep–30 Sep')]
    """

    worst: np.ndarray
    cuts: gpd.GeoDataFrame
    detours: gpd.GeoDataFrame
    history: dict[str, str] = field(default_factory=dict)
    periods: list[tuple[str, str]] = field(default_factory=list)


def period_text(first: object, last: object) -> str:
    """Two days as a short period: ``13 Sep–13 Oct`` (the year is the window's, in the title).

    Parameters
    ----------
    first, last : date-like
        The first and last day, both included.

    Returns
    -------
    str

    Examples
    --------
    >>> period_text("2025-09-13", "2025-10-13"), period_text("2025-09-13", "2025-09-13")
    ('13 Sep–13 Oct', '13 Sep')
    """
    a, b = pd.Timestamp(first), pd.Timestamp(last)
    return f"{a.day} {a:%b}" if a == b else f"{a.day} {a:%b}–{b.day} {b:%b}"


def window_story(analysis: Analysis, *, detours: bool = True) -> Story:
    """The worst status of each road, the blockaded stretches of each corridor and their detours, over the
    analysis's window.

    Parameters
    ----------
    analysis : Analysis
        With corridors and a timeline (otherwise the story is the status at the window's end, and no cut).
    detours : bool, default True
        Route the detour of every cut (one shortest path per blockaded episode).

    Returns
    -------
    Story

    Examples
    --------
    >>> story = window_story(result)
    >>> story.cuts[["corridor", "period", "days"]].values.tolist(), story.worst.tolist().count("blockaded") > 0
    ([['Kayes-Bamako', '13 Sep–30 Sep', 18]], True)
    """
    segments, t = analysis.segments, analysis.timeline
    empty_cuts = gpd.GeoDataFrame(columns=_CUT_COLUMNS, geometry="geometry", crs=4326)
    empty_detours = gpd.GeoDataFrame(columns=_DETOUR_COLUMNS, geometry="geometry", crs=4326)
    if t is None or analysis.routes is None:
        return Story(worst=segments["status"].astype(str).to_numpy(dtype=object), cuts=empty_cuts,
                     detours=empty_detours)
    spans = t.segments
    during = (spans["start"] <= t.end) & (spans["stop"] > t.start)
    level = np.zeros(len(segments), np.int64)
    np.maximum.at(level, spans["key"][during], spans["level"][during])
    worst = np.asarray(STATUSES, dtype=object)[level]
    episodes = t.episodes
    shown = episodes[(episodes["start"] <= day_date(t.end))
                     & (episodes["end"].isna() | (episodes["end"] >= day_date(t.start)))]
    history = {name: "; ".join(f"{period_text(max(r.start, day_date(t.start)), _last(r.end, t.end))} "
                               f"{STATUS_LABELS.get(r.status, r.status)}" for r in rows.itertuples())
               for name, rows in shown.groupby("corridor", sort=False)}
    blockaded = shown[shown["status"] == BLOCKADED].sort_values(["start", "corridor"], kind="mergesort")
    position = pd.Series(np.arange(len(segments)), index=segments["edge_id"].to_numpy())
    routes = analysis.routes.set_index("name")
    seg = segments.to_crs(4326)
    cuts, lines = [], []
    for rec in blockaded.itertuples():
        first = max(day_number(rec.start), t.start)
        last = day_number(_last(rec.end, t.end))
        on_route = position.reindex(list(routes.loc[rec.corridor, "edge_ids"])).dropna().to_numpy(np.int64)
        cut = np.isin(spans["key"], on_route) & (spans["level"] == 2) & (spans["start"] <= last) & \
            (spans["stop"] > first)
        keys = np.unique(spans["key"][cut])
        if not len(keys):
            continue
        period = period_text(day_date(first), day_date(last))
        refs = seg["ref"].iloc[keys].dropna().astype(str) if "ref" in seg else pd.Series([], dtype=str)
        cuts.append({"corridor": rec.corridor, "period": period, "first_day": day_date(first),
                     "last_day": day_date(last), "days": last - first + 1,
                     "km": round(float(seg["length_km"].iloc[keys].sum()), 1) if "length_km" in seg else np.nan,
                     "roads": ", ".join(sorted(set(refs) - {""})),
                     "geometry": shapely.line_merge(shapely.union_all(seg.geometry.array[keys]))})
        if detours:
            lines += _detour(analysis, routes.loc[rec.corridor], rec.corridor, day_number(rec.start), period,
                             day_date(first), day_date(last), corridor_line=_corridor_line(analysis, rec.corridor))
    periods = [(c["corridor"], c["period"]) for c in cuts]
    return Story(worst=worst,
                 cuts=gpd.GeoDataFrame(cuts, columns=_CUT_COLUMNS, geometry="geometry", crs=4326) if cuts
                 else empty_cuts,
                 detours=gpd.GeoDataFrame(lines, columns=_DETOUR_COLUMNS, geometry="geometry", crs=4326) if lines
                 else empty_detours,
                 history=history, periods=periods)


def _last(end: object, window_end: int) -> pd.Timestamp:
    """An episode's last day within the window (an open episode runs to the window's end)."""
    last = day_date(window_end)
    return last if pd.isna(end) else min(pd.Timestamp(end), last)


#: A detour is drawn where it leaves its corridor: the parts of it farther than this from the corridor's line
#: (in degrees, about 1 km), which a map reads as the way around the cut.
_OFF_CORRIDOR_DEG = 0.01


def _corridor_line(analysis: Analysis, name: str) -> shapely.Geometry | None:
    """A corridor's line in WGS84."""
    rows = analysis.corridors[analysis.corridors["name"] == name]
    return None if rows.empty else rows.to_crs(4326).geometry.iloc[0]


def _detour(analysis: Analysis, route: pd.Series, name: str, day: int, period: str, first: pd.Timestamp,
            last: pd.Timestamp, corridor_line: shapely.Geometry | None = None) -> list[dict]:
    """The detour around what was blockaded on an episode's first day, as :func:`geokit.analysis.analyse`
    routes it: the parts of it off the corridor (the way around the cut), or all of it."""
    from geokit.corridors import detour_for

    spans, edge_ids = analysis.timeline.segments, analysis.segments["edge_id"].to_numpy()  # type: ignore[union-attr]
    on = (spans["start"] <= day) & (spans["stop"] > day) & (spans["level"] == 2)
    found, alt = detour_for(analysis.network, route, {int(e) for e in edge_ids[spans["key"][on]]})
    if alt is None or found.get("detour") != "ok":
        return []
    geometry = alt.geometry
    if corridor_line is not None:
        off = shapely.difference(geometry, shapely.buffer(corridor_line, _OFF_CORRIDOR_DEG))
        geometry = geometry if off.is_empty else shapely.line_merge(off) if off.geom_type == "MultiLineString" \
            else off
    return [{"corridor": name, "period": period, "first_day": first, "last_day": last,
             "detour_km": found.get("detour_km"), "detour_extra_km": found.get("detour_extra_km"),
             "detour_towns": found.get("detour_towns", ""), "detour_skips": found.get("detour_skips", ""),
             "geometry": geometry}]
