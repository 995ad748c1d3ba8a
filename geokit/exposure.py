"""Exposure zones, road segment exposure and status, and exposed places.

Every function takes GeoDataFrames in any CRS, works in a metric CRS (chosen
for the layers with :func:`geokit.crs.common_metric_crs`, or given as
``crs=``), and returns a new GeoDataFrame in EPSG:4326. Distances are
``*_km`` parameters. Time windows are inclusive: an incident dated on ``start``
or on ``end`` is in the window.

Incidents reach a road or place within ``radius_km`` when they are located
at a place or near it (precision class 1 or 2, see :mod:`geokit.incidents`);
incidents known only to an area (class 3) reach ``imprecise_radius_km``
instead and, by default, never decide that a road is blockaded.

All joins are distance-within queries on a shapely STRtree (no buffering of
roads, no overlay), so they scale to a million segments.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from geokit._check import cores, names, number, on_every_core, whole_number
from geokit._errors import InputError
from geokit.crs import common_metric_crs, geodesic_area_km2
from geokit.incidents import NO_LOCATION, DateLike, in_window, last_day, parse_window, precision_class, time_weight
from geokit.schema import WGS84
from geokit.segments import explode_lines, split_roads
from geokit.timeline import STATUSES, day_number, segment_intervals

__all__ = [
    "StatusRules",
    "STATUSES",
    "exposure_zones",
    "road_exposure",
    "place_exposure",
    "exposed_totals",
    "incident_pairs_within",
    "blockade_relevant",
]


#: Reach (km) of an incident located only to an area (precision class 3), when nothing else is given.
IMPRECISE_RADIUS_KM = 25.0


@dataclass(frozen=True)
class StatusRules:
    """The documented, configurable rules that give each road segment a status.

    A segment is

    * ``blockaded`` when at least ``blockade_min_incidents`` blockade-relevant
      incidents of precision class ``<= blockade_max_precision`` lie within
      the radius during the last ``blockade_days`` days (an incident dated D
      counts on days D .. D + blockade_days - 1, both included);
    * ``at_risk`` when it is not blockaded and at least
      ``at_risk_min_incidents`` incidents of any kind reach it during the
      last ``at_risk_days`` days (90 by default: a quarter);
    * ``open`` otherwise.

    The look-back reaches before the start of an analysis window: an
    incident before the window can blockade a road on its first day (see
    :mod:`geokit.timeline` for the day convention and the status over time).

    An incident is blockade-relevant when the text of its ``text_columns``
    matches ``blockade_pattern`` and does not match ``exclude_pattern``
    (case-insensitive regular expressions): by default attacks on vehicles,
    convoys and tankers, ambushes, IEDs and mines, roadblocks, and explicit
    blockade declarations, but not air strikes by the army.

    Examples
    --------
    >>> StatusRules(blockade_days=14).blockade_days
    14
    """

    blockade_pattern: str = (r"ambush|convoy|tanker|truck|vehicle|\bIED\b|landmine|remote explosive"
                             r"|roadblock|checkpoint|blockade")
    exclude_pattern: str = r"air/drone strike|air ?strike|drone strike"
    text_columns: tuple[str, ...] = ("event_type", "sub_event_type", "notes")
    blockade_min_incidents: int = 1
    blockade_days: int = 30
    blockade_max_precision: int = 2
    at_risk_min_incidents: int = 1
    at_risk_days: int = 90
    imprecise_radius_km: float = IMPRECISE_RADIUS_KM

    def __post_init__(self) -> None:
        for name in ("blockade_days", "at_risk_days"):
            object.__setattr__(self, name, whole_number(name, getattr(self, name), low=1, high=3650, unit="days"))
        for name in ("blockade_min_incidents", "at_risk_min_incidents"):
            object.__setattr__(self, name, whole_number(name, getattr(self, name), low=1, high=1_000_000))
        object.__setattr__(self, "blockade_max_precision",
                           whole_number("blockade_max_precision", self.blockade_max_precision, low=1, high=3))
        object.__setattr__(self, "imprecise_radius_km", number("imprecise_radius_km", self.imprecise_radius_km,
                                                               low=0, high=1000, unit="km"))
        object.__setattr__(self, "text_columns", names("text_columns", self.text_columns,
                                                       example='["sub_event_type", "notes"]'))
        for name in ("blockade_pattern", "exclude_pattern"):
            if not isinstance(getattr(self, name), str):
                raise InputError(f"{name} must be a regular expression written as text")
            try:
                re.compile(getattr(self, name))
            except re.error as exc:
                raise InputError(f"{name} is not a valid regular expression: {exc}") from None


def blockade_relevant(incidents: pd.DataFrame, rules: StatusRules | None = None) -> np.ndarray:
    """Which incidents the rules count towards a blockade.

    Parameters
    ----------
    incidents : DataFrame
        Incidents with the rules' ``text_columns``.
    rules : StatusRules, optional
        The patterns; the defaults when omitted.

    Examples
    --------
    >>> frame = pd.DataFrame({"event_type": ["Battles", "Explosions/Remote violence", "Protests"],
    ...     "sub_event_type": ["Ambush on escorted fuel convoy", "Air/drone strike", "Peaceful protest"],
    ...     "notes": ["", "strike to cover tankers", ""]})
    >>> blockade_relevant(frame).tolist()
    [True, False, False]
    """
    rules = rules or StatusRules()
    cols = [c for c in rules.text_columns if c in incidents]
    if not cols:
        return np.zeros(len(incidents), bool)
    hit = np.zeros(len(incidents), bool)
    miss = np.zeros(len(incidents), bool)
    for col in cols:  # a handful of columns, each matched in one vectorised pass
        text = incidents[col].astype("string").fillna("")
        hit |= text.str.contains(rules.blockade_pattern, case=False, regex=True).to_numpy(dtype=bool)
        miss |= text.str.contains(rules.exclude_pattern, case=False, regex=True).to_numpy(dtype=bool)
    return hit & ~miss


#: Segments per quarter circle of an incident's buffer (shapely's default is 8; 16 keeps a 10 km zone's
#: area within 0.2 % of the circle's).
BUFFER_QUAD_SEGS = 16


def discs(points: np.ndarray, radius_m: np.ndarray) -> np.ndarray:
    """The buffers of points, ``BUFFER_QUAD_SEGS`` to a quarter circle: the very polygons of
    ``shapely.buffer(points, radius_m, quad_segs=BUFFER_QUAD_SEGS)``, built 3x faster by shifting one
    circle per distinct radius (GEOS computes each vertex as the point plus the same offset).

    Examples
    --------
    >>> pts = np.array([shapely.Point(500_000, 1_500_000), shapely.Point(0, 0)])
    >>> got = discs(pts, np.array([10_000.0, 2.5]))
    >>> bool(shapely.equals_exact(got, shapely.buffer(pts, [10_000.0, 2.5], quad_segs=BUFFER_QUAD_SEGS), 0).all())
    True
    >>> round(float(got[0].area) / (np.pi * 10_000.0**2), 4)  # a 64-gon: 0.16 % short of the circle
    0.9984
    """
    xy = shapely.get_coordinates(points)
    out = np.empty(len(xy), dtype=object)
    for r in np.unique(radius_m):
        sel = np.flatnonzero(radius_m == r)
        circle = shapely.get_coordinates(shapely.buffer(shapely.Point(0.0, 0.0), r, quad_segs=BUFFER_QUAD_SEGS))
        coords = (xy[sel, None, :] + circle[None, :, :]).reshape(-1, 2)
        rings = np.arange(len(sel) + 1) * len(circle)
        out[sel] = shapely.from_ragged_array(shapely.GeometryType.POLYGON, coords, (rings, np.arange(len(sel) + 1)))
    return out


def _check_engine(engine: str) -> None:
    if engine not in ("memory", "dask"):
        raise InputError(f"engine={engine!r}: use 'memory' or 'dask'")


def _set_up(targets: gpd.GeoDataFrame | None, incidents: gpd.GeoDataFrame, *, start: DateLike, end: DateLike,
            crs: object, engine: str, what: str) -> tuple[gpd.GeoDataFrame, CRS | None]:
    """The shared start of the exposure functions: the engine and the targets' CRS checked, the incidents
    of the window (:func:`_prepare_incidents`) and one metric CRS for both layers (None when there is
    nothing to project: no targets and no incident in the window)."""
    _check_engine(engine)
    if targets is not None and targets.crs is None:
        raise InputError(f"the {what} layer has no CRS; read it with geokit.read_{what}")
    inc = _prepare_incidents(incidents, start, end)
    frames = [f for f in (targets, inc if len(inc) else None) if f is not None]
    return inc, common_metric_crs(*frames, crs=crs) if frames else None


def _per_partition(fn: Callable[..., gpd.GeoDataFrame], targets: gpd.GeoDataFrame, inc: gpd.GeoDataFrame, *,
                   engine: str, npartitions: int | None, reach_m: float, **kwargs: Any) -> gpd.GeoDataFrame:
    """``fn(targets, inc, **kwargs)`` in memory, or on spatial partitions of the targets with dask (each with
    the incidents within ``reach_m``): the engine switch of :func:`road_exposure` and :func:`place_exposure`."""
    if engine == "dask":
        from geokit._dask import partitioned

        return partitioned(fn, targets, inc, reach_m=reach_m, npartitions=npartitions, **kwargs)
    return fn(targets, inc, **kwargs)


def _radius_m(incidents: pd.DataFrame, radius_km: float, imprecise_radius_km: float) -> np.ndarray:
    if radius_km <= 0:
        raise InputError(f"radius_km must be positive, not {radius_km}")
    prec = precision_class(incidents)
    return np.where(prec >= 3, max(imprecise_radius_km, radius_km), radius_km) * 1000.0


def incident_pairs_within(
    targets: np.ndarray, points: np.ndarray, radius_m: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(target, incident) index pairs where incident i lies within radius_m[i] of the target.

    One STRtree query per distinct radius (usually one or two).

    Parameters
    ----------
    targets : ndarray of geometries
        Segments or places, in a metric CRS.
    points : ndarray of Points
        Incidents, in the same CRS.
    radius_m : ndarray of float
        Each incident's reach in metres.

    Examples
    --------
    >>> lines = np.array([shapely.LineString([(0, 0), (100, 0)])])
    >>> pts = np.array([shapely.Point(50, 9), shapely.Point(50, 11), shapely.Point(50, 30)])
    >>> incident_pairs_within(lines, pts, np.array([10.0, 10.0, 40.0]))
    (array([0, 0]), array([0, 2]))
    """
    tree = shapely.STRtree(targets)
    # neighbours queried together (Hilbert order: 2.4x faster for 100k incidents on 1M segments), in
    # chunks on every core from _PARALLEL_QUERY_FROM incidents (GEOS releases the GIL)
    along = np.argsort(gpd.GeoSeries(points).hilbert_distance().to_numpy(), kind="stable") if len(points) > 1 \
        else np.arange(len(points))
    chunks = []
    for r in np.unique(radius_m):
        sel = along[radius_m[along] == r]
        parts = 4 * cores() if len(sel) >= _PARALLEL_QUERY_FROM else 1
        chunks += [(c, float(r)) for c in np.array_split(sel, parts) if len(c)]

    def query(chunk: tuple[np.ndarray, float]) -> tuple[np.ndarray, np.ndarray]:
        sel, r = chunk
        inc, tgt = tree.query(points[sel], predicate="dwithin", distance=r)
        return tgt, sel[inc]

    found = on_every_core(query, chunks)
    t = np.concatenate([f[0] for f in found]).astype(np.int64, copy=False) if found else np.array([], np.int64)
    i = np.concatenate([f[1] for f in found]).astype(np.int64, copy=False) if found else np.array([], np.int64)
    del found
    order = np.argsort(t * max(len(points), 1) + i)  # by target, then incident: one integer key
    return t[order], i[order]


#: From this many incidents the STRtree is queried in chunks on every core.
_PARALLEL_QUERY_FROM = 5_000


def _prepare_incidents(incidents: gpd.GeoDataFrame, start: DateLike, end: DateLike) -> gpd.GeoDataFrame:
    if incidents.crs is None:
        raise InputError("the incident layer has no CRS; read it with geokit.read_incidents")
    if "date" not in incidents:
        raise InputError("the incident layer has no 'date' column; read it with geokit.read_incidents")
    inc = in_window(incidents, start, end)
    if "counted" in inc:  # merged sources: count each probable duplicate once
        inc = inc.loc[inc["counted"].astype(bool)]
    inc = inc.loc[precision_class(inc) < NO_LOCATION]  # a country centroid says nothing of where
    return inc.reset_index(drop=True)


def exposure_zones(
    incidents: gpd.GeoDataFrame,
    *,
    radius_km: float,
    start: DateLike = None,
    end: DateLike = None,
    by_column: str | None = None,
    by_period: str | None = None,
    half_life_days: float | None = None,
    imprecise_radius_km: float = IMPRECISE_RADIUS_KM,
    crs: object = None,
    engine: Literal["memory", "dask"] = "memory",
    npartitions: int | None = None,
) -> gpd.GeoDataFrame:
    """Buffer incidents in a metric CRS and dissolve them into exposure zones.

    Parameters
    ----------
    incidents : GeoDataFrame
        Incident points with ``date`` (see :func:`geokit.read_incidents`).
    radius_km : float
        Buffer radius for incidents located at or near a place.
    start, end : date-like, optional
        Inclusive time window.
    by_column : str, optional
        One set of zones per value of this incident column (e.g. ``"event_type"``).
    by_period : str, optional
        One set of zones per calendar period: a pandas period alias (``"W"``, ``"M"``, ``"D"``).
        Give ``by_column`` or ``by_period``, not both.
    half_life_days : float, optional
        Weight recent incidents more: ``weighted_incidents`` sums
        ``0.5 ** (age_days / half_life_days)``, age counted to ``end`` (or to
        the last incident).
    imprecise_radius_km : float, default 25
        Buffer radius for incidents known only to an area (precision class 3).
    crs : optional
        Metric CRS to compute in; chosen for the incidents when omitted.
    engine : {"memory", "dask"}, default "memory"
        ``"dask"`` dissolves the buffers of spatially sorted chunks of
        incidents in parallel on the active dask scheduler, then merges the
        chunks' zones; the statistics are the same and the polygons differ
        only by floating-point noise (under 1e-9 of their area).
    npartitions : int, optional
        Number of chunks for the dask engine.

    Returns
    -------
    GeoDataFrame in EPSG:4326
        One polygon per zone: ``zone_id``, ``group`` (the column value or the period),
        ``n_incidents``, ``fatalities``, ``first_date``, ``last_date``,
        ``event_types`` (sorted, ``"; "``-joined), ``weighted_incidents``,
        ``area_km2`` (geodesic).

    Examples
    --------
    >>> import shapely
    >>> inc = gpd.GeoDataFrame({"date": pd.to_datetime(["2025-09-13", "2025-09-14", "2025-10-17"]),
    ...     "event_type": ["Battles", "Battles", "Battles"], "fatalities": [0, 3, 4]},
    ...     geometry=[shapely.Point(-8.06, 13.73), shapely.Point(-8.00, 13.75), shapely.Point(-6.89, 11.09)],
    ...     crs=4326)
    >>> zones = exposure_zones(inc, radius_km=10)
    >>> zones[["n_incidents", "fatalities", "first_date"]].astype(str).values.tolist()
    [['2', '3', '2025-09-13'], ['1', '4', '2025-10-17']]
    """
    return _zones_and_unions(incidents, radius_km=radius_km, start=start, end=end, by_column=by_column,
                             by_period=by_period, half_life_days=half_life_days,
                             imprecise_radius_km=imprecise_radius_km, crs=crs, engine=engine,
                             npartitions=npartitions)[0]


#: Consecutive inclusive day spans, first and last day (see :func:`_zones_and_unions`).
Spans = Sequence[tuple[pd.Timestamp, pd.Timestamp]]


def _zones_and_unions(
    incidents: gpd.GeoDataFrame, *, radius_km: float, start: DateLike = None, end: DateLike = None,
    by_column: str | None = None, by_period: str | None = None, half_life_days: float | None = None,
    imprecise_radius_km: float = IMPRECISE_RADIUS_KM, crs: object = None,
    engine: Literal["memory", "dask"] = "memory", npartitions: int | None = None,
    spans: Spans = (), known: Mapping | None = None,
) -> tuple[gpd.GeoDataFrame, dict]:
    """:func:`exposure_zones`, and with ``spans`` (consecutive day spans covering the incidents), the
    union of each span's discs: the zones are dissolved span by span (on every core), taking a span's
    union from ``known`` when it holds it, then merged. :func:`geokit.analysis.analyse` keeps the unions
    of its month-long map steps so that :func:`geokit.analysis.sub_window` does not dissolve them again."""
    columns = ["zone_id", "group", "n_incidents", "fatalities", "first_date", "last_date",
               "event_types", "weighted_incidents", "area_km2"]
    inc, target = _set_up(None, incidents, start=start, end=end, crs=crs, engine=engine, what="incident")
    if inc.empty:
        return gpd.GeoDataFrame({c: [] for c in columns}, geometry=[], crs=WGS84), {}
    metric = inc.to_crs(target)
    points = metric.geometry.array
    radius = _radius_m(inc, radius_km, imprecise_radius_km)
    _, hi = parse_window(start, end)
    weight = time_weight(inc["date"], half_life_days=half_life_days, reference=hi)
    groups = _groups(inc, by_column, by_period)

    frames: list[gpd.GeoDataFrame] = []
    unions: dict = {}
    for key in pd.unique(groups):
        sel = np.flatnonzero(groups == key)
        if len(spans) and by_column is None and by_period is None:
            zones, unions = _dissolve_by_span(points[sel], radius[sel], inc["date"].dt.normalize().to_numpy()[sel],
                                              spans, known or {}, engine=engine, npartitions=npartitions)
        else:
            zones = _dissolve(points[sel], radius[sel], engine=engine, npartitions=npartitions)
        owner = _zone_of(points[sel], zones)
        part = inc.iloc[sel]
        stats = pd.DataFrame({
            "zone": owner,
            "fatalities": pd.to_numeric(part.get("fatalities"), errors="coerce").to_numpy()
            if "fatalities" in part else np.nan,
            "date": part["date"].to_numpy(),
            "event_type": part["event_type"].astype("string").to_numpy() if "event_type" in part else pd.NA,
            "weight": weight[sel],
        })
        agg = stats.groupby("zone").agg(
            n_incidents=("date", "size"),
            first_date=("date", "min"),
            last_date=("date", "max"),
            weighted_incidents=("weight", "sum"),
        )
        types = stats[["zone", "event_type"]].dropna().drop_duplicates().sort_values(["zone", "event_type"])
        agg.insert(3, "event_types", types.groupby("zone")["event_type"].agg("; ".join).reindex(
            agg.index, fill_value="").astype(object))
        agg.insert(1, "fatalities", stats.groupby("zone")["fatalities"].sum(min_count=1))
        frame = gpd.GeoDataFrame(agg.reset_index(drop=True),
                                 geometry=gpd.GeoSeries(zones[agg.index.to_numpy()], crs=target).values,
                                 crs=target)
        frame.insert(0, "group", key if by_column is not None or by_period is not None else None)
        frames.append(frame)
    out = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=target).to_crs(WGS84)
    out["area_km2"] = geodesic_area_km2(out)
    rep = out.geometry.representative_point()
    out = out.assign(_x=rep.x, _y=rep.y).sort_values(
        ["group", "first_date", "_x", "_y"], kind="mergesort", na_position="first"
    ).drop(columns=["_x", "_y"]).reset_index(drop=True)
    out.insert(0, "zone_id", np.arange(len(out)))
    if by_column is None and by_period is None:
        out = out.drop(columns="group")
    return out, unions


def _dissolve_by_span(points: np.ndarray, radius_m: np.ndarray, days: np.ndarray, spans: Spans, known: Mapping, *,
                      engine: str, npartitions: int | None) -> tuple[np.ndarray, dict]:
    """The zones' polygons as the union of each span's union of discs, and each span's union (as parts);
    the spans not in ``known`` are dissolved side by side on every core."""
    within = {span: (days >= span[0].to_datetime64()) & (days <= span[1].to_datetime64()) for span in spans}
    if sum(int(sel.sum()) for sel in within.values()) != len(points):
        raise ValueError("the spans must cover every incident's day once")  # a caller's bug, never data's

    def dissolve(span: tuple[pd.Timestamp, pd.Timestamp]) -> np.ndarray:
        sel = within[span]
        return _dissolve(points[sel], radius_m[sel], engine=engine, npartitions=npartitions)

    todo = [span for span in spans if span not in known]
    found = dict(zip(todo, on_every_core(dissolve, todo)))
    unions = {span: known[span] if span in known else found[span] for span in spans}
    parts = list(unions.values())
    return (parts[0] if len(parts) == 1 else shapely.get_parts(shapely.union_all(np.concatenate(parts)))), unions


def _zone_of(points: np.ndarray, zones: np.ndarray) -> np.ndarray:
    """Index of the zone holding each point (every point lies inside one zone).

    Each zone is prepared once and tested against the points in its box;
    querying the points against the zones instead walks a whole polygon per test.
    """
    owner = np.empty(len(points), dtype=int)
    zone_idx, pt_idx = shapely.STRtree(points).query(zones, predicate="contains")
    owner[pt_idx] = zone_idx
    return owner


def _dissolve(points: np.ndarray, radius_m: np.ndarray, *, engine: str = "memory",
              npartitions: int | None = None) -> np.ndarray:
    """Polygons of the union of the points' buffers (one per connected zone)."""
    _check_engine(engine)
    if (engine == "memory" and len(points) < _PARALLEL_UNION_FROM) or len(points) < 2:
        return shapely.get_parts(shapely.union_all(discs(points, radius_m)))
    if engine == "memory":
        return shapely.get_parts(_union_in_threads(points, radius_m))
    from geokit._dask import union_of_buffers

    return shapely.get_parts(union_of_buffers(points, radius_m, npartitions=npartitions))


#: From this many incidents the buffers are dissolved in chunks on every core (GEOS releases the GIL).
_PARALLEL_UNION_FROM = 20_000


def _union_in_threads(points: np.ndarray, radius_m: np.ndarray) -> shapely.Geometry:
    """The union of the points' buffers: neighbours together (Hilbert order), in chunks on threads, then
    the chunks' unions together. 100k incidents on 2 cores: 1.6 s instead of 3.4 s, the same area."""
    order = np.argsort(gpd.GeoSeries(points).hilbert_distance(), kind="stable")
    chunks = [c for c in np.array_split(order, 4 * cores()) if len(c)]

    def dissolve(idx: np.ndarray) -> shapely.Geometry:
        return shapely.union_all(discs(points[idx], radius_m[idx]))

    parts = on_every_core(dissolve, chunks)
    return shapely.union_all(np.array(parts, dtype=object))


def _groups(inc: pd.DataFrame, by_column: str | None, by_period: str | None) -> np.ndarray:
    if by_column is not None and by_period is not None:
        raise InputError("give by_column or by_period, not both")
    if by_column is not None:
        if by_column not in inc.columns:
            raise InputError(f"by_column={by_column!r} is not an incident column; the columns are "
                             f"{', '.join(map(str, inc.columns))}")
        return inc[by_column].astype("string").fillna("(none)").to_numpy(dtype=object)
    if by_period is not None:
        try:
            return inc["date"].dt.to_period(by_period).astype(str).to_numpy(dtype=object)
        except (ValueError, TypeError):
            raise InputError(f"by_period={by_period!r} is not a period such as 'W', 'M' or 'D'") from None
    return np.zeros(len(inc), dtype=int)


def road_exposure(
    roads: gpd.GeoDataFrame,
    incidents: gpd.GeoDataFrame,
    *,
    radius_km: float,
    start: DateLike = None,
    end: DateLike = None,
    segment_km: float | None = None,
    rules: StatusRules | None = None,
    half_life_days: float | None = None,
    incident_ids: bool = False,
    crs: object = None,
    engine: Literal["memory", "dask"] = "memory",
    npartitions: int | None = None,
) -> gpd.GeoDataFrame:
    """Incidents near each road segment in a window, and the segment's status.

    Parameters
    ----------
    roads : GeoDataFrame
        Road lines, or segments already split (see :func:`geokit.segments.split_roads`).
    incidents : GeoDataFrame
        Incident points with ``date``.
    radius_km : float
        How far from a segment an incident reaches it.
    start, end : date-like, optional
        Inclusive time window; ``end`` also anchors the ``blockade_days``
        look-back (defaults to the last incident's date).
    segment_km : float, optional
        Split the roads into segments of at most this length first.
    rules : StatusRules, optional
        Status rules; :class:`StatusRules` defaults when omitted.
    half_life_days : float, optional
        Time weighting of ``risk_score``.
    incident_ids : bool, default False
        Also list the ``event_id`` of the incidents reaching each segment
        (``incident_ids``, space-separated), which lets
        :func:`geokit.corridors.corridor_status` count distinct incidents.
    crs : optional
        Metric CRS; chosen for the layers when omitted.
    engine : {"memory", "dask"}, default "memory"
        ``"dask"`` partitions the segments spatially with dask-geopandas and
        joins each partition on the active dask scheduler (see
        :mod:`geokit._dask`); the result is identical.
    npartitions : int, optional
        Number of spatial partitions for the dask engine.

    Returns
    -------
    GeoDataFrame in EPSG:4326
        The segments with ``n_incidents``, ``n_blockade_incidents`` (those
        deciding the status), ``fatalities``, ``first_incident``,
        ``last_incident``, ``blockaded_since``, ``risk_score``, ``status``, and
        ``incident_ids`` when asked for.
        ``risk_score`` sums, over incidents reaching the segment, the time
        weight times 2 for blockade-relevant incidents (1 otherwise) times
        0.5 for area-located ones.

    Examples
    --------
    >>> import shapely
    >>> road = gpd.GeoDataFrame({"ref": ["RN3"]}, crs=32629,
    ...     geometry=[shapely.LineString([(500_000, 1_400_000), (520_000, 1_400_000)])])
    >>> inc = gpd.GeoDataFrame({"date": pd.to_datetime(["2025-09-14"]), "event_type": ["Battles"],
    ...     "sub_event_type": ["Ambush on escorted fuel convoy"]}, crs=32629,
    ...     geometry=[shapely.Point(505_000, 1_403_000)])
    >>> out = road_exposure(road, inc, radius_km=5, segment_km=5, end="2025-09-30", crs=32629)
    >>> out["status"].tolist()
    ['blockaded', 'blockaded', 'open', 'open']
    """
    out, _ = _exposure_and_timeline(roads, incidents, radius_km=radius_km, start=start, end=end,
                                    segment_km=segment_km, rules=rules, half_life_days=half_life_days,
                                    incident_ids=incident_ids, crs=crs, engine=engine, npartitions=npartitions)
    return out


def _exposure_and_timeline(
    roads: gpd.GeoDataFrame,
    incidents: gpd.GeoDataFrame,
    *,
    radius_km: float,
    start: DateLike = None,
    end: DateLike = None,
    segment_km: float | None = None,
    rules: StatusRules | None = None,
    half_life_days: float | None = None,
    incident_ids: bool = False,
    crs: object = None,
    engine: Literal["memory", "dask"] = "memory",
    npartitions: int | None = None,
    timeline: bool = False,
) -> tuple[gpd.GeoDataFrame, dict | None]:
    """:func:`road_exposure`, and with ``timeline`` the segment intervals and
    (segment, incident) pairs of the same spatial join (memory engine only)."""
    rules = rules or StatusRules()
    lo, hi = parse_window(start, end)
    # every incident up to the window's end: the earlier ones feed the look-back
    inc, target = _set_up(roads, incidents, start=None, end=hi, crs=crs, engine=engine, what="roads")
    inc["_in_window"] = (last_day(inc) >= lo).to_numpy() if lo is not None else True
    if timeline:  # what every sub-window's status needs of each incident, kept with the join's incidents
        inc["_precision"], inc["_relevant"] = precision_class(inc), blockade_relevant(inc, rules)
    if segment_km is not None:
        segments = split_roads(roads, segment_km=segment_km, crs=target)
    elif "segment_id" in roads:
        segments = roads.reset_index(drop=True)
    else:
        segments = explode_lines(roads)
        segments.insert(0, "segment_id", np.arange(len(segments)))
    window_in = inc.loc[inc["_in_window"], "date"]
    reference = hi if hi is not None else (window_in.max() if len(window_in) else None)
    kwargs: dict[str, Any] = {"radius_km": radius_km, "reference": reference, "window_start": lo, "rules": rules,
              "half_life_days": half_life_days, "incident_ids": incident_ids}
    joined: dict | None = {} if timeline and engine == "memory" else None
    out = _per_partition(_segment_status, segments.to_crs(target), inc.to_crs(target), engine=engine,
                         npartitions=npartitions, reach_m=max(radius_km, rules.imprecise_radius_km) * 1000,
                         **kwargs, **({"joined": joined} if joined is not None else {}))
    if joined is not None:
        joined["incidents"] = inc
    if engine == "memory" and segments.crs is not None and segments.crs.equals(WGS84):
        # the segments as given (same rows, same order): no projection back, no rounding drift
        return out.set_geometry(segments.geometry.to_numpy(), crs=WGS84), joined
    return out.to_crs(WGS84), joined


def _segment_status(
    segments: gpd.GeoDataFrame,
    inc: gpd.GeoDataFrame,
    *,
    radius_km: float,
    reference: pd.Timestamp | None,
    window_start: pd.Timestamp | None,
    rules: StatusRules,
    half_life_days: float | None,
    incident_ids: bool,
    joined: dict | None = None,
) -> gpd.GeoDataFrame:
    """The status computation of :func:`road_exposure`, on layers already in one metric CRS.

    ``inc`` holds every incident up to ``reference``; those with ``_in_window``
    are the window's events (counts, dates, risk, ids), all of them feed the
    status look-back through :func:`geokit.timeline.segment_intervals`. When
    ``joined`` is a dict, the intervals and the pairs are stored in it.
    """
    n = len(segments)
    seg_idx, inc_idx = np.array([], int), np.array([], int)
    if len(inc) and n and reference is not None:
        radius = _radius_m(inc, radius_km, rules.imprecise_radius_km)
        seg_idx, inc_idx = incident_pairs_within(segments.geometry.array, inc.geometry.array, radius)
    result, spans, decisive, days = _status_of_pairs(
        n, inc, seg_idx, inc_idx, reference=reference, window_start=window_start, rules=rules,
        half_life_days=half_life_days, incident_ids=incident_ids)
    if joined is not None:
        joined.update(spans=spans, segment=seg_idx, incident=inc_idx, decisive=decisive, day=days)
    out = segments.reset_index(drop=True).drop(
        columns=[c for c in result.columns if c in segments.columns])
    out = pd.concat([out, result], axis=1)
    return gpd.GeoDataFrame(out, geometry=segments.geometry.name, crs=segments.crs)


def _status_of_pairs(n: int, inc: pd.DataFrame, seg_idx: np.ndarray, inc_idx: np.ndarray, *,
                     reference: pd.Timestamp | None, window_start: pd.Timestamp | None, rules: StatusRules,
                     half_life_days: float | None, incident_ids: bool
                     ) -> tuple[pd.DataFrame, dict, np.ndarray, np.ndarray]:
    """Each of ``n`` segments' status on ``reference`` and its window's counts, dates, fatalities, risk and
    ids, from the (segment, incident) pairs of a spatial join (sorted by segment); also the status
    intervals, each incident's decisiveness and day number. ``inc`` holds every incident up to
    ``reference``, ``_in_window`` marking the window's own."""
    result = pd.DataFrame({
        "n_incidents": np.zeros(n, int), "n_blockade_incidents": np.zeros(n, int),
        "fatalities": np.full(n, np.nan), "first_incident": pd.NaT, "last_incident": pd.NaT,
        "blockaded_since": pd.NaT, "blockaded_from": pd.NaT, "blockaded_until": pd.NaT,
        "risk_score": np.zeros(n),
    })
    if incident_ids:
        result["incident_ids"] = ""
    level = np.zeros(n, np.int64)
    empty_spans = {"key": np.array([], np.int64), "level": np.array([], np.int64),
                   "start": np.array([], np.int64), "stop": np.array([], np.int64)}
    spans = empty_spans
    decisive = np.zeros(len(inc), bool)
    days = np.zeros(len(inc), np.int64)
    if len(inc) and n and reference is not None:
        # computed once per analysis when the join's incidents carry them (see _exposure_and_timeline)
        prec = inc["_precision"].to_numpy() if "_precision" in inc else precision_class(inc)
        relevant = inc["_relevant"].to_numpy() if "_relevant" in inc else blockade_relevant(inc, rules)
        decisive = relevant & (prec <= rules.blockade_max_precision)
        counted = inc["_in_window"].to_numpy(dtype=bool) if "_in_window" in inc else np.ones(len(inc), bool)
        dates = inc["date"].to_numpy(dtype="datetime64[ns]")
        days = dates.astype("datetime64[D]").astype(np.int64)
        last_days = last_day(inc).to_numpy(dtype="datetime64[ns]").astype("datetime64[D]").astype(np.int64)
        ref_day = day_number(reference)
        start_day = day_number(window_start) if window_start is not None else np.iinfo(np.int64).min // 4
        # the status over time of every segment; its value on the reference day is the status
        spans = segment_intervals(seg_idx, days[inc_idx], decisive[inc_idx], rules,
                                  last_day=last_days[inc_idx])
        on = (spans["start"] <= ref_day) & (spans["stop"] > ref_day)
        level[spans["key"][on]] = spans["level"][on]
        blocked_now = on & (spans["level"] == 2)
        result.loc[spans["key"][blocked_now], "blockaded_since"] = pd.to_datetime(
            spans["start"][blocked_now].astype("datetime64[D]"))
        in_window = (spans["level"] == 2) & (spans["start"] <= ref_day) & (spans["stop"] > start_day)
        last = pd.DataFrame({"key": spans["key"][in_window], "start": spans["start"][in_window],
                             "stop": spans["stop"][in_window]}).groupby("key").last()
        result.loc[last.index, "blockaded_from"] = pd.to_datetime(last["start"].to_numpy().astype("datetime64[D]"))
        until = last["stop"].to_numpy() - 1  # blank while still blockaded on the reference day
        result.loc[last.index, "blockaded_until"] = pd.Series(
            pd.to_datetime(until.astype("datetime64[D]")), index=last.index).where(until < ref_day)
        recent = decisive & (last_days >= ref_day - rules.blockade_days + 1) & (days <= ref_day)
        if len(seg_idx):
            result.loc[:, "n_blockade_incidents"] = np.bincount(seg_idx[recent[inc_idx]], minlength=n)
        # the window's own events: counts, dates, fatalities, risk and ids
        weight = time_weight(inc["date"], half_life_days=half_life_days, reference=reference)
        fat = pd.to_numeric(inc["fatalities"], errors="coerce").to_numpy() if "fatalities" in inc else \
            np.full(len(inc), np.nan)
        keep = counted[inc_idx]
        ws, wi = seg_idx[keep], inc_idx[keep]
        if len(ws):  # pairs are sorted by segment: aggregate each run with numpy reduceat
            d = dates.astype(np.int64)[wi]
            starts = np.r_[0, np.flatnonzero(np.diff(ws)) + 1]
            segs = ws[starts]
            f = fat[wi]
            risk = (weight * np.where(relevant, 2.0, 1.0) * np.where(prec >= 3, 0.5, 1.0))[wi]
            result.loc[segs, "n_incidents"] = np.diff(np.r_[starts, len(ws)])
            result.loc[segs, "first_incident"] = pd.to_datetime(np.minimum.reduceat(d, starts))
            result.loc[segs, "last_incident"] = pd.to_datetime(np.maximum.reduceat(d, starts))
            result.loc[segs, "risk_score"] = np.add.reduceat(risk, starts)
            has_f = np.add.reduceat((~np.isnan(f)).astype(np.int64), starts) > 0
            total_f = np.add.reduceat(np.nan_to_num(f), starts)
            result.loc[segs, "fatalities"] = np.where(has_f, total_f, np.nan)
            if incident_ids:
                ids = inc["event_id"].astype(str).to_numpy() if "event_id" in inc else \
                    np.arange(len(inc)).astype(str)
                result.loc[segs, "incident_ids"] = _joined_runs(ids[wi], starts)
        result = result.astype({"n_incidents": int, "n_blockade_incidents": int})
    for col in ("first_incident", "last_incident", "blockaded_since", "blockaded_from", "blockaded_until"):
        result[col] = pd.to_datetime(result[col])
    result["status"] = pd.Categorical(np.asarray(STATUSES, dtype=object)[level], categories=list(STATUSES))
    return result, spans, decisive, days


def _joined_runs(texts: np.ndarray, starts: np.ndarray) -> list[str]:
    """Each run of ``texts`` (runs begin at ``starts``) joined with spaces, in one pass over the text.

    >>> _joined_runs(np.array(["a", "b", "c"], dtype=object), np.array([0, 2]))
    ['a b', 'c']
    """
    parts = np.full(2 * len(texts), " ", dtype=object)
    parts[0::2] = texts
    parts[2 * np.r_[starts[1:], len(texts)] - 1] = "\0"  # NUL never occurs in text geokit has read
    return "".join(parts).split("\0")[:-1]


def place_exposure(
    places: gpd.GeoDataFrame,
    incidents: gpd.GeoDataFrame,
    *,
    radius_km: float,
    start: DateLike = None,
    end: DateLike = None,
    zones: gpd.GeoDataFrame | None = None,
    imprecise_radius_km: float = IMPRECISE_RADIUS_KM,
    crs: object = None,
    engine: Literal["memory", "dask"] = "memory",
    npartitions: int | None = None,
) -> gpd.GeoDataFrame:
    """For each city or crossing: incidents within the radius and the nearest one.

    ``engine="dask"`` counts the incidents within the radius on spatial
    partitions of the places (as :func:`road_exposure` does); the nearest
    incident, which may lie anywhere, is found in memory.

    Parameters
    ----------
    places : GeoDataFrame
        Cities or crossings (:func:`geokit.read_cities`, :func:`geokit.read_crossings`).
    incidents : GeoDataFrame
        Incidents with ``date``.
    radius_km : float
        How far an incident reaches a place.
    start, end : date-like, optional
        The window, both days included.
    zones : GeoDataFrame, optional
        :func:`exposure_zones`; ``in_zone`` tests them when given.
    imprecise_radius_km : float
        The reach of area-located incidents.
    crs : optional
        The metric CRS to work in; chosen for the layers when omitted.
    engine : {"memory", "dask"}
        Where the counting runs.
    npartitions : int, optional
        Spatial partitions for the dask engine.

    Returns
    -------
    GeoDataFrame in EPSG:4326
        The places with ``incidents_within`` (count in the window),
        ``nearest_incident_km`` (missing when there is no incident) and
        ``in_zone`` (inside one of ``zones``, or when ``zones`` is omitted,
        within the radius of an incident).

    Examples
    --------
    >>> import shapely
    >>> towns = gpd.GeoDataFrame({"name": ["A", "B"]}, crs=32629,
    ...     geometry=[shapely.Point(500_000, 1_400_000), shapely.Point(530_000, 1_400_000)])
    >>> inc = gpd.GeoDataFrame({"date": pd.to_datetime(["2025-09-14"])}, crs=32629,
    ...     geometry=[shapely.Point(503_000, 1_404_000)])
    >>> out = place_exposure(towns, inc, radius_km=10, crs=32629)
    >>> out["incidents_within"].tolist(), out["nearest_incident_km"].round(2).tolist()
    ([1.0, 0.0], [5.0, 27.29])
    """
    inc, target = _set_up(places, incidents, start=start, end=end, crs=crs, engine=engine, what="cities")
    flat = places.reset_index(drop=True)
    metric_places = flat.to_crs(target)  # projected once
    pts = metric_places.geometry.array
    out = flat.copy()
    out["incidents_within"] = 0
    out["nearest_incident_km"] = np.nan
    if len(inc):
        metric_inc = inc.to_crs(target)
        ipts = metric_inc.geometry.array
        counted = _per_partition(_count_within, metric_places, metric_inc, engine=engine, npartitions=npartitions,
                                 reach_m=max(radius_km, imprecise_radius_km) * 1000, radius_km=radius_km,
                                 imprecise_radius_km=imprecise_radius_km)
        out["incidents_within"] = counted["incidents_within"].to_numpy()
        tree = shapely.STRtree(ipts)
        near_p, near_i = tree.query_nearest(pts, return_distance=False, all_matches=False)
        out.loc[near_p, "nearest_incident_km"] = shapely.distance(pts[near_p], ipts[near_i]) / 1000
    if zones is not None and len(zones):
        # in the zones' CRS: the places are projected, not the zones' thousands of vertices (straight edges in
        # degrees or in metres part by under a millimetre along a 10 km zone's 1 km edges)
        at = flat.geometry.to_crs(zones.crs).array
        _, hit = shapely.STRtree(at).query(zones.geometry.array, predicate="intersects")  # zones prepared once
        out["in_zone"] = np.isin(np.arange(len(out)), hit)
    else:
        out["in_zone"] = out["incidents_within"] > 0
    out["incidents_within"] = out["incidents_within"].astype(float)
    return gpd.GeoDataFrame(out, geometry=places.geometry.name, crs=places.crs).to_crs(WGS84)


def _count_within(places: gpd.GeoDataFrame, inc: gpd.GeoDataFrame, *, radius_km: float,
                  imprecise_radius_km: float) -> gpd.GeoDataFrame:
    """Places (metric CRS) with the number of incidents within reach."""
    out = places.copy()
    counts = np.zeros(len(places), dtype=int)
    if len(inc) and len(places):
        radius = _radius_m(inc, radius_km, imprecise_radius_km)
        p_idx, _ = incident_pairs_within(places.geometry.array, inc.geometry.array, radius)
        counts = np.bincount(p_idx, minlength=len(places))
    out["incidents_within"] = counts
    return out


def exposed_totals(
    places: gpd.GeoDataFrame, *, by: str = "country", regions: gpd.GeoDataFrame | None = None
) -> pd.DataFrame:
    """Population of exposed places (``in_zone``) totalled by country or region.

    Parameters
    ----------
    places : GeoDataFrame
        Output of :func:`place_exposure` with ``population``.
    by : str, default "country"
        Column to total by. With ``regions``, the region's ``name`` is
        joined to each place first and ``by`` defaults to it.
    regions : GeoDataFrame, optional
        Region polygons with ``name`` (e.g. from :func:`geokit.read_boundaries`).

    Examples
    --------
    >>> import shapely
    >>> p = gpd.GeoDataFrame({"country": ["MLI", "MLI", "SEN"], "population": [100.0, 50.0, 7.0],
    ...     "in_zone": [True, False, True]}, geometry=[shapely.Point(0, 0)] * 3, crs=4326)
    >>> exposed_totals(p).to_dict("records")
    [{'country': 'MLI', 'places': 2, 'places_exposed': 1, 'population_exposed': 100.0}, {'country': 'SEN', 'places': 1, 'places_exposed': 1, 'population_exposed': 7.0}]
    """
    frame = places
    if regions is not None:
        joined = gpd.sjoin(places.to_crs(regions.crs), regions[["name", regions.geometry.name]]
                           .rename(columns={"name": "region"}), how="left", predicate="within")
        frame = joined[~joined.index.duplicated()]
        by = "region" if by == "country" else by
    for column in (by, "population", "in_zone"):
        if column not in frame:
            raise InputError(f"the places have no '{column}' column; read them with geokit.read_cities and "
                             "run place_exposure first")
    pop = pd.to_numeric(frame["population"], errors="coerce").fillna(0.0)
    exposed = frame["in_zone"].astype(bool)
    table = pd.DataFrame({by: frame[by].astype("string").fillna("(unknown)"), "exposed": exposed,
                          "pop": pop.where(exposed, 0.0)})
    out = table.groupby(by, sort=True).agg(places=("exposed", "size"), places_exposed=("exposed", "sum"),
                                           population_exposed=("pop", "sum")).reset_index()
    out[by] = out[by].astype(object)
    return out.astype({"places": int, "places_exposed": int})
