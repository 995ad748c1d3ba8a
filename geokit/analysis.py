"""One call from layers to every analysis product, and the sensitivity table.

:func:`analyse` runs the whole chain a briefing needs: network, segment
status, exposure zones, corridors with detours, exposed cities and crossings,
isolation from the destination and population totals. It is what
``geokit build`` and the notebooks call; each step is also a public function
of its own module for analysts who compose their own.
"""

from __future__ import annotations

from collections import Counter
import datetime as dt
import difflib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geokit._check import cores, names, number, on_every_core
from geokit._errors import InputError
from geokit.corridors import (CorridorSpec, _place_names, check_corridor_places, corridor_status, detour_for,
                              detours, isolation, isolation_periods, towns_along)
from geokit.escape import plain_text
from geokit.exposure import (StatusRules, _exposure_and_timeline, _radius_m, _status_of_pairs, _zones_and_unions,
                             exposed_totals, incident_pairs_within, place_exposure)
from geokit.incidents import DateLike, in_window, last_day, parse_window
from geokit.network import PLACE_SNAP_KM, SNAP_TOLERANCE_M, RoadNetwork, build_network, named_places
from geokit.timeline import (CUT_OFF, EXPOSED, PLACE_COLUMNS, Timeline, corridor_intervals, day_date, day_number, day_of, episodes,
                             exposure_intervals, people_cut_off, place_episodes, place_periods, state_runs,
                             value_periods, windows)
from geokit.palette import BLOCKADED

__all__ = ["AnalysisParams", "parameter_names", "sub_window", "PLACE_RESULT_COLUMNS", "check_build_fits",
           "incidents_far_from_roads", "FAR_FROM_ROADS_KM", "Analysis", "analyse", "sensitivity", "population_by_region", "SUMMARY_COLUMNS", "SUMMARY_DEFINITIONS",
           "DAY_CONVENTION"]

#: Columns of :meth:`Analysis.summary` (``summary.csv``); README's "Products" says what each means.
SUMMARY_COLUMNS = ["corridor", "status", "worst_status", "blockaded_since", "blockaded_periods", "reopened_on",
                   "days_blockaded", "days_at_risk", "length_km", "blockaded_km", "at_risk_km",
                   "first_incident", "last_incident", "n_incidents", "detour", "detour_km", "detour_extra_km",
                   "detour_skips", "detour_towns", "crossings", "detour_crossings", "towns_cut_off",
                   "population_exposed", "towns_cut_off_in_window"]


#: The day convention of every date in geokit's products (see :mod:`geokit.timeline`).
DAY_CONVENTION = (
    "Dates are calendar days, the local date of each event as its source gives it. Windows and episodes "
    "include their first and last day. An incident dated D counts towards a blockade on days D to "
    "D + blockade_days - 1 and towards 'at risk' on days D to D + at_risk_days - 1; incidents before the "
    "window's start count for this look-back but are not events of the window.")

#: What each summary column means (written into summary.json; README repeats it).
SUMMARY_DEFINITIONS = {
    "corridor": "the corridor's name from the project file",
    "status": "status on the window's last day: the worst status of the road segments along the route",
    "worst_status": "the worst status on any day of the window",
    "blockaded_since": "first day of the blockade still in force on the window's last day (blank if not "
                       "blockaded then); it can precede the window",
    "blockaded_periods": "each blockaded episode overlapping the window as first..last day, '; '-separated; "
                         "'first..' while still blockaded on the window's last day",
    "reopened_on": "first day no longer blockaded after the last blockaded episode of the window; blank when "
                   "never blockaded in the window or still blockaded at its end",
    "days_blockaded": "days of the window on which the corridor was blockaded",
    "days_at_risk": "days of the window on which the corridor was at risk (and not blockaded)",
    "length_km": "length of the corridor's route through its via places",
    "blockaded_km": "km of the route blockaded on the window's last day",
    "at_risk_km": "km of the route at risk on the window's last day",
    "first_incident": "date of the first incident of the window reaching the route",
    "last_incident": "date of the last incident of the window reaching the route",
    "n_incidents": "distinct incidents of the window reaching the route",
    "detour": "on the window's last day: 'not needed' (route not blockaded), 'ok' or 'no alternative'",
    "detour_km": "length of the detour avoiding every blockaded segment (blank when not needed or none)",
    "detour_extra_km": "km the detour adds to the same trip on the open network (never negative)",
    "detour_skips": "via places the detour cannot pass any more",
    "detour_towns": "towns the detour passes, in order",
    "crossings": "border crossings on the route, in order",
    "detour_crossings": "border crossings on the detour",
    "towns_cut_off": "towns on the route, other than its origin, with no open road left to the destination",
    "population_exposed": "people (census or estimate of cities.geojson) in the route's towns that lie in an "
                          "exposure zone of the window",
    "towns_cut_off_in_window": "towns on the route, other than its origin, left with no open road to the "
                               "destination on at least one day of the window (places_timeline.csv says when)",
}


@dataclass(frozen=True)
class AnalysisParams:
    """Parameters of an analysis, with units in their names; every value is checked.

    One set of parameters serves Python, the project file's ``[analysis]``
    table and the command line's options (:meth:`from_table`). The status
    rules (``blockade_days``, ...) are in ``rules``; ``cell_km`` and
    ``bandwidth_km`` shape the incident density raster of a build.

    Examples
    --------
    >>> AnalysisParams(radius_km=5).segment_km
    5.0
    >>> AnalysisParams(rules=StatusRules(imprecise_radius_km=40.0)).imprecise_radius_km
    40.0
    >>> AnalysisParams.from_table({"radius_km": 15, "blockade_days": 14}).rules.blockade_days
    14
    """

    radius_km: float = 10.0
    segment_km: float = 5.0
    start: DateLike = None
    end: DateLike = None
    half_life_days: float | None = None
    snap_tolerance_m: float = SNAP_TOLERANCE_M
    place_snap_km: float = PLACE_SNAP_KM
    #: Reach of area-located incidents; None takes ``rules.imprecise_radius_km`` (one home: the rules).
    imprecise_radius_km: float | None = None
    rules: StatusRules = field(default_factory=StatusRules)
    #: Event types that mark the timeline but expose nothing (ACLED's
    #: "Strategic developments": declarations, closures, advisories). They are
    #: kept in ``Analysis.incidents`` and left out of zones, status and places.
    non_exposure_types: tuple[str, ...] = ("Strategic developments",)
    #: Cell size and kernel bandwidth of the incident density raster (km).
    cell_km: float = 2.0
    bandwidth_km: float = 10.0

    def __post_init__(self) -> None:
        if not isinstance(self.rules, StatusRules):
            raise InputError(f"rules must be a StatusRules, not {type(self.rules).__name__}")
        if self.imprecise_radius_km is None:
            object.__setattr__(self, "imprecise_radius_km", self.rules.imprecise_radius_km)
        elif self.rules.imprecise_radius_km != self.imprecise_radius_km:
            if self.rules.imprecise_radius_km != StatusRules().imprecise_radius_km:
                raise InputError(f"imprecise_radius_km is {self.imprecise_radius_km} here but "
                                 f"{self.rules.imprecise_radius_km} in the rules; give it once")
            object.__setattr__(self, "rules", replace(self.rules, imprecise_radius_km=self.imprecise_radius_km))
        for name, (low, high, unit, low_open) in _LIMITS.items():
            value = getattr(self, name)
            if value is not None or name != "half_life_days":
                object.__setattr__(self, name, number(name, value, low=low, high=high, unit=unit,
                                                      low_open=low_open))
        object.__setattr__(self, "non_exposure_types", names("non_exposure_types", self.non_exposure_types,
                                                             example='["Strategic developments"]'))
        parse_window(self.start, self.end)  # ISO dates, plausible years, start before end

    @classmethod
    def from_table(cls, table: Mapping[str, Any], *, base: AnalysisParams | None = None,
                   source: str = "[analysis]") -> AnalysisParams:
        """Parameters from a table of names and values: a project file's ``[analysis]`` table, command-line
        options or a plain dict.

        Keys are the fields of this class and of :class:`~geokit.exposure.StatusRules`, flat
        (``blockade_days`` rather than ``rules.blockade_days``). Unknown keys and values of the wrong
        type or out of range are refused with an :class:`~geokit.InputError` that names ``source`` and
        the key; ``None`` values are ignored.

        Parameters
        ----------
        table : mapping
            Parameter names and values, as TOML gives them (numbers, strings, lists, dates).
        base : AnalysisParams, optional
            Parameters the table changes (e.g. the project file's, changed by command-line options);
            defaults apply otherwise.
        source : str, default "[analysis]"
            Where the table came from, for the error messages (a file and its table, or "the command line").

        Returns
        -------
        AnalysisParams

        Examples
        --------
        >>> p = AnalysisParams.from_table({"radius_km": 15, "blockade_days": 14, "start": "2025-09-01"})
        >>> p.radius_km, p.rules.blockade_days, p.start
        (15.0, 14, '2025-09-01')
        >>> AnalysisParams.from_table({"radius_kms": 3})
        Traceback (most recent call last):
        ...
        geokit._errors.InputError: [analysis] has an unknown key radius_kms (did you mean radius_km?); ...
        """
        table = {k: v for k, v in table.items() if v is not None}
        own, rules = parameter_names()
        unknown = sorted(set(table) - own - rules)
        if unknown:
            hints = [difflib.get_close_matches(k, sorted(own | rules), n=1) for k in unknown]
            said = ", ".join(k + (f" (did you mean {h[0]}?)" if h else "") for k, h in zip(unknown, hints))
            raise InputError(f"{source} has an unknown key{'s' if len(unknown) > 1 else ''} {said}; "
                             f"the keys are {', '.join(sorted(own | rules))}")
        base = base if base is not None else cls()
        for key in ("start", "end"):
            if isinstance(table.get(key), dt.date):
                table[key] = table[key].isoformat()[:10]
        for key in ("non_exposure_types", "text_columns"):
            if isinstance(table.get(key), list):
                table[key] = tuple(table[key])
        try:
            rule_values = {k: v for k, v in table.items() if k in rules}
            own_values = {k: v for k, v in table.items() if k in own}
            if "imprecise_radius_km" in own_values:  # one home: the rules
                rule_values["imprecise_radius_km"] = own_values.pop("imprecise_radius_km")
            new_rules = replace(base.rules, **rule_values)
            return replace(base, rules=new_rules, imprecise_radius_km=new_rules.imprecise_radius_km, **own_values)
        except InputError as exc:
            raise InputError(f"{source}: {exc}") from None


#: Allowed ranges of the numeric parameters: (low, high, unit, low bound excluded).
_LIMITS = {
    "radius_km": (0, 500, "km", True),
    "segment_km": (0.1, 1000, "km", False),
    "half_life_days": (0, 36_500, "days", True),
    "snap_tolerance_m": (0, 10_000, "m", False),
    "place_snap_km": (0, 500, "km", True),
    "imprecise_radius_km": (0, 1000, "km", True),
    "cell_km": (0.05, 500, "km", False),
    "bandwidth_km": (0, 5000, "km", True),
}


#: Incidents farther than this (km) from every road are reported: a probable location error.
FAR_FROM_ROADS_KM = 50.0


def incidents_far_from_roads(analysis: Analysis, *, km: float = FAR_FROM_ROADS_KM) -> gpd.GeoDataFrame:
    """The analysis's incidents farther than ``km`` from every road of its network.

    Many such incidents usually mean a location error the map would not show: latitude and longitude
    swapped yet still on land, or coordinates in the wrong UTM zone. A build warns with their number.

    Parameters
    ----------
    analysis : Analysis
        From :func:`analyse`.
    km : float, default 50
        The distance from every road beyond which an incident is listed.

    Examples
    --------
    >>> len(incidents_far_from_roads(result, km=50)), len(incidents_far_from_roads(result, km=0.001))  # 1 m
    (0, 1)
    """
    incidents = analysis.incidents
    if incidents.empty:
        return incidents
    crs = analysis.network.crs
    tree = shapely.STRtree(analysis.network.edges.to_crs(crs).geometry.array)
    points = incidents.to_crs(crs).geometry.array
    # the nearest road within km is enough (a dwithin query lists every road within km: 3x slower at 100k)
    near = on_every_core(lambda c: c[tree.query_nearest(points[c], max_distance=km * 1000)[0]],
                         np.array_split(np.arange(len(points)), cores()))
    far = np.ones(len(incidents), bool)
    far[np.concatenate(near)] = False
    return incidents.loc[far]


#: Peak memory of a build, measured with ``/usr/bin/time`` on the Mali layer set with 25k and 100k
#: generated incidents (0.53 and 0.78 GB, 2026-11-25): a base plus a share per incident, and per road
#: segment (networkx edges, the map's lines); rounded up.
BUILD_BYTES = {"base": 400e6, "incident": 6_000, "segment": 3_000}


def check_build_fits(roads: gpd.GeoDataFrame, incidents: gpd.GeoDataFrame, params: AnalysisParams, *,
                     memory_bytes: int | None = None) -> float:
    """Estimate a build's peak memory before any work, and refuse it with the numbers and a fix when it
    exceeds what this machine holds (80 % of its memory); return the estimate in bytes.

    The work grows with the incidents up to the window's end (earlier ones feed the status look-back) and
    with the road segments (road length / ``segment_km``).

    Parameters
    ----------
    roads, incidents : GeoDataFrame
        The layers of the build.
    params : AnalysisParams
        Its parameters (the window's end and ``segment_km`` count).
    memory_bytes : int, optional
        The machine's memory; measured when omitted.

    Examples
    --------
    >>> round(check_build_fits(roads, incidents, AnalysisParams(segment_km=5)) / 1e6)  # MB
    400
    >>> check_build_fits(roads, incidents, AnalysisParams(), memory_bytes=2**28)
    Traceback (most recent call last):
    ...
    geokit._errors.InputError: this build would need about 0.4 GB for 1 incidents ...
    """
    from geokit._check import physical_memory_bytes
    from geokit.crs import geodesic_length_km

    _, hi = parse_window(params.start, params.end)
    n_incidents = int(len(incidents) if hi is None else (incidents["date"] <= hi).sum())
    n_segments = int(np.ceil(geodesic_length_km(roads).sum() / params.segment_km)) + len(roads)
    need = BUILD_BYTES["base"] + BUILD_BYTES["incident"] * n_incidents + BUILD_BYTES["segment"] * n_segments
    memory = memory_bytes if memory_bytes is not None else physical_memory_bytes()
    if need > 0.8 * memory:
        raise InputError(
            f"this build would need about {need / 2**30:.1f} GB for {n_incidents:,} incidents up to the window's "
            f"end and about {n_segments:,} road segments of {params.segment_km:g} km, more than this machine's "
            f"{memory / 2**30:.1f} GB can hold: keep the incidents of the years you study (a file of earlier "
            "ones only lengthens the look-back), clip the roads to the area, or raise --segment-km")
    return need


def parameter_names() -> tuple[set[str], set[str]]:
    """The keys :meth:`AnalysisParams.from_table` takes: the analysis's own and the status rules'.

    Examples
    --------
    >>> own, rules = parameter_names()
    >>> "radius_km" in own, "blockade_days" in rules
    (True, True)
    """
    return ({f.name for f in fields(AnalysisParams)} - {"rules"},
            {f.name for f in fields(StatusRules)} - {"imprecise_radius_km"})


@dataclass(frozen=True)
class Analysis:
    """Everything :func:`analyse` computed. Every frame is in EPSG:4326.

    Examples
    --------
    >>> result.summary().loc[0, ["corridor", "status", "detour"]].tolist()
    ['Kayes-Bamako', 'blockaded', 'ok']
    >>> str(result.summary().loc[0, "blockaded_since"].date())
    '2025-09-13'
    """

    params: AnalysisParams
    network: RoadNetwork
    segments: gpd.GeoDataFrame
    zones: gpd.GeoDataFrame
    corridors: gpd.GeoDataFrame
    detours: gpd.GeoDataFrame
    cities: gpd.GeoDataFrame | None
    crossings: gpd.GeoDataFrame | None
    incidents: gpd.GeoDataFrame
    totals: pd.DataFrame | None
    destination: str | None
    timeline: Timeline | None = None
    #: Each corridor's route (:func:`geokit.corridors.route_corridors`: ``nodes``, ``stops``, ``edge_ids``
    #: as lists), and the spatial join's pairs and incidents behind the timeline: what
    #: :func:`sub_window` reuses.
    routes: gpd.GeoDataFrame | None = field(default=None, repr=False)
    join: dict | None = field(default=None, repr=False)
    #: The union of each map step's incident discs (:data:`MAP_STEP` spans of the window, metric CRS),
    #: which :func:`sub_window` reuses for its zones.
    zone_unions: dict | None = field(default=None, repr=False)

    def summary(self) -> pd.DataFrame:
        """One row per corridor: status at the window's end and over the window
        (worst status, days blockaded, periods, reopening), km blockaded,
        detour, incident dates, people exposed (:data:`SUMMARY_COLUMNS`)."""
        table = self.corridors.rename(columns={"name": "corridor"})
        return pd.DataFrame(table[[c for c in SUMMARY_COLUMNS if c in table]]).reset_index(drop=True)

    @property
    def episodes(self) -> pd.DataFrame:
        """Every corridor's episodes of constant status over the window (see :mod:`geokit.timeline`)."""
        if self.timeline is None:
            return pd.DataFrame()
        return self.timeline.episodes

    @property
    def places_episodes(self) -> pd.DataFrame:
        """When each town and crossing was cut off and exposed in the window (:data:`~geokit.timeline.PLACE_COLUMNS`,
        ``places_timeline.csv``): empty without a timeline.

        Examples
        --------
        >>> result.places_episodes.columns.tolist()[:4]
        ['place', 'kind', 'state', 'start']
        """
        if self.timeline is None or self.timeline.places is None:
            return pd.DataFrame(columns=PLACE_COLUMNS)
        return self.timeline.places

    def status_chart(self, *, title: str | None = None, width_in: float = 10.0):
        """The corridor status chart of the window (:func:`geokit.chart.status_chart`); shows inline in Jupyter.

        Examples
        --------
        >>> result.status_chart(title="Mali, September-November 2025")  # doctest: +SKIP
        """
        from geokit.chart import status_chart

        if self.timeline is None:
            raise InputError("this analysis has no timeline: give it corridors and a window with incidents")
        return status_chart(self.episodes, incidents=self.incidents, start=day_date(self.timeline.start),
                            end=day_date(self.timeline.end), title=title, order=self.timeline.corridor_names,
                            width_in=width_in, people=self.timeline.people)

    def _repr_html_(self) -> str:  # pragma: no cover - display only
        return self.summary()._repr_html_()


def analyse(
    roads: gpd.GeoDataFrame,
    incidents: gpd.GeoDataFrame,
    *,
    cities: gpd.GeoDataFrame | None = None,
    crossings: gpd.GeoDataFrame | None = None,
    corridors: Sequence[CorridorSpec] = (),
    destination: str | None = None,
    params: AnalysisParams | None = None,
    network: RoadNetwork | None = None,
    progress: Callable[[str], None] | None = None,
) -> Analysis:
    """Run the corridor analysis on canonical layers.

    Parameters
    ----------
    roads, incidents : GeoDataFrame
        From :func:`geokit.read_roads` and :func:`geokit.read_incidents`.
    cities, crossings : GeoDataFrame, optional
        Named places, inserted into the network as nodes.
    corridors : sequence of CorridorSpec
        The corridors to route and assess.
    destination : str, optional
        Place that isolation is measured from; defaults to the most common
        corridor destination.
    params : AnalysisParams, optional
    network : RoadNetwork, optional
        Reuse a network built earlier with the same parameters.
    progress : callable, optional
        Called with the name of each step as it starts (the CLI's progress bar).

    Returns
    -------
    Analysis

    Examples
    --------
    >>> import geokit
    >>> a = analyse(geokit.read_roads("layers/mali_2025/roads.geojson"),
    ...             geokit.read_incidents("layers/mali_2025/incidents.csv"))  # doctest: +SKIP
    """
    params = params or AnalysisParams()
    step = progress or (lambda name: None)
    step("building the road network")
    if network is None:
        places = named_places(cities, crossings)
        check_corridor_places(corridors, places, roads, place_snap_km=params.place_snap_km)
        network = build_network(roads, places=places,
                                snap_tolerance_m=params.snap_tolerance_m, place_snap_km=params.place_snap_km,
                                segment_km=params.segment_km)
    incidents = incidents.reset_index(drop=True)  # one label per row: the window is picked from the history
    window = in_window(incidents, params.start, params.end)
    end = params.end if params.end is not None else (window["date"].max() if len(window) else None)
    lo, _ = parse_window(params.start, None)
    start = lo if lo is not None else (window["date"].min() if len(window) else end)
    # earlier incidents feed the status look-back; projected once for the join, zones, towns and crossings
    history = in_window(incidents, None, end).to_crs(network.crs)
    exposing = _exposing(history.loc[window.index], params)
    history = _exposing(history, params)
    step("segment exposure (spatial join)")
    segments, joined = _exposure_and_timeline(
        network.edges, history, radius_km=params.radius_km, start=start, end=end, rules=params.rules,
        half_life_days=params.half_life_days, incident_ids=True, crs=network.crs, timeline=True)
    step("exposure zones")
    zones, unions = _zones(exposing, params, start, end, network.crs)
    corridor_specs = list(corridors)
    if destination is None and corridor_specs:
        destination = str(Counter(str(c.destination) for c in corridor_specs).most_common(1)[0][0])
    step("towns and crossings")
    exposed_cities, exposed_crossings, totals = _places(cities, crossings, exposing, zones, network, segments,
                                                        destination, params)
    step("routing corridors and detours")
    routes = timeline = None
    if corridor_specs:
        status, detour_lines, routes, timeline = _corridors(network, segments, corridor_specs, exposed_cities,
                                                            joined or {}, start=start, end=end,
                                                            place_snap_km=params.place_snap_km)
        if timeline is not None and joined is not None:
            step("towns and crossings in time")
            joined["place_pairs"] = _place_pairs(cities, crossings, joined["incidents"], network, params)
            exposed_cities, exposed_crossings, status, timeline = _places_in_time(
                network, segments, joined, exposed_cities, exposed_crossings, status, routes, timeline,
                destination, params)
    else:
        status = gpd.GeoDataFrame(columns=["name", "geometry"], geometry="geometry", crs=4326)
        detour_lines = gpd.GeoDataFrame(columns=["name", "geometry"], geometry="geometry", crs=4326)
    return Analysis(params=params, network=network, segments=segments, zones=zones, corridors=status,
                    detours=detour_lines, cities=exposed_cities, crossings=exposed_crossings,
                    incidents=window.reset_index(drop=True), totals=totals, destination=destination,
                    timeline=timeline, routes=routes, join=joined if timeline is not None else None,
                    zone_unions=unions)


#: The map steps of a build: month-long windows from the window's start (:func:`geokit.timeline.windows`).
MAP_STEP = "1M"


def _zones(exposing: gpd.GeoDataFrame, params: AnalysisParams, start: object, end: object, crs: object,
           known: dict | None = None) -> tuple[gpd.GeoDataFrame, dict]:
    """The exposure zones of a window, dissolved map step by map step (those in ``known`` reused), with
    each step's union: the polygons of one dissolve up to the noding of crossing edges (under a
    millimetre), the same counts and dates. At 100k incidents over a year this costs analyse 0.4 s more
    than one dissolve and spares a build's twelve monthly steps 1.5 s."""
    spans = windows(f"{pd.Timestamp(start):%Y-%m-%d}", f"{pd.Timestamp(end):%Y-%m-%d}", MAP_STEP) \
        if start is not None and end is not None else []
    return _zones_and_unions(exposing, radius_km=params.radius_km, end=end, half_life_days=params.half_life_days,
                             imprecise_radius_km=params.rules.imprecise_radius_km, crs=crs, spans=spans,
                             known=known)


#: Columns :func:`analyse` adds to cities and crossings.
PLACE_RESULT_COLUMNS = ("incidents_within", "nearest_incident_km", "in_zone", "before_km", "after_km",
                        "isolation", "increase_share", "reaches_destination", "cut_off_periods", "days_cut_off",
                        "cut_off_since", "km_to_destination_periods")


def sub_window(analysis: Analysis, start: DateLike, end: DateLike, *, episode_detours: bool = False) -> Analysis:
    """The analysis of a window inside ``analysis``'s, from its spatial join and timeline.

    The result equals :func:`analyse` run again on the same layers and
    network with ``start`` and ``end`` (segment status and counts, zones,
    towns, crossings, corridors, detours), without a second spatial join or
    routing the corridors again: the slider steps of a build's map and the
    windows of a batch build are computed this way. Its timeline covers the
    sub-window.

    Parameters
    ----------
    analysis : Analysis
        An analysis with corridors and a timeline.
    start, end : date-like
        The sub-window, both days included, within the analysis's window.
    episode_detours : bool, default False
        Also route the detour in force when each blockaded episode began, as
        :func:`analyse` does (left out by default: ``corridors`` has the
        detour at the sub-window's end).

    Returns
    -------
    Analysis

    Examples
    --------
    >>> september = sub_window(result, "2025-09-01", "2025-09-30")
    >>> september.corridors.loc[0, ["name", "status", "detour"]].tolist(), len(september.incidents)
    (['Kayes-Bamako', 'blockaded', 'ok'], 1)
    """
    t, join, params, network = analysis.timeline, analysis.join, analysis.params, analysis.network
    if t is None or join is None or analysis.routes is None:
        raise InputError("sub_window needs an analysis with corridors and a timeline")
    lo, hi = day_number(start), day_number(end)
    if lo > hi or lo < t.start or hi > t.end:
        raise InputError(f"the sub-window {day_date(lo):%Y-%m-%d} to {day_date(hi):%Y-%m-%d} is not within the "
                         f"analysis's {day_date(t.start):%Y-%m-%d} to {day_date(t.end):%Y-%m-%d}")
    first, last = day_date(lo), day_date(hi)
    window = in_window(analysis.incidents, first, last).reset_index(drop=True)
    exposing = _exposing(window, params).to_crs(network.crs)  # projected once for the zones, towns and crossings
    # the segments: the same pairs, up to the sub-window's end
    inc = join["incidents"]
    upto = (inc["date"].dt.normalize() <= last).to_numpy()
    keep = np.flatnonzero(upto)
    renumber = np.full(len(inc), -1)
    renumber[keep] = np.arange(len(keep))
    pairs = upto[join["incident"]]
    history = inc.iloc[keep].reset_index(drop=True)
    history["_in_window"] = (last_day(history) >= first).to_numpy()
    step_join = {"segment": join["segment"][pairs], "incident": renumber[join["incident"][pairs]],
                 "incidents": history}
    result, step_join["spans"], step_join["decisive"], step_join["day"] = _status_of_pairs(
        len(analysis.segments), history, step_join["segment"], step_join["incident"], reference=last,
        window_start=first, rules=params.rules, half_life_days=params.half_life_days, incident_ids=True)
    segments = analysis.segments.drop(columns=list(result.columns))
    segments = gpd.GeoDataFrame(pd.concat([segments, result], axis=1), geometry="geometry", crs=segments.crs)
    zones, unions = _zones(exposing, params, first, last, network.crs, known=analysis.zone_unions)

    def raw(frame: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame | None:  # the places as read, without results
        return None if frame is None else frame.drop(columns=[c for c in PLACE_RESULT_COLUMNS if c in frame])

    cities, crossings, totals = _places(raw(analysis.cities), raw(analysis.crossings), exposing, zones, network,
                                        segments, analysis.destination, params)
    status, detour_lines, _, timeline = _corridors(network, segments, analysis.routes, cities, step_join,
                                                   start=first, end=last, with_detours=episode_detours,
                                                   place_snap_km=params.place_snap_km)
    if timeline is not None and "place_pairs" in join:  # the same (place, incident) pairs, up to the end
        places, incidents = join["place_pairs"]
        mine = upto[incidents]
        step_join["place_pairs"] = (places[mine], renumber[incidents[mine]])
        step_join["isolation_cache"] = join.setdefault("isolation_cache", {})  # routing shared by the windows
        cities, crossings, status, timeline = _places_in_time(network, segments, step_join, cities, crossings,
                                                              status, analysis.routes, timeline,
                                                              analysis.destination, params)
    return Analysis(params=replace(params, start=f"{first:%Y-%m-%d}", end=f"{last:%Y-%m-%d}"), network=network,
                    segments=segments, zones=zones, corridors=status, detours=detour_lines, cities=cities,
                    crossings=crossings, incidents=window, totals=totals, destination=analysis.destination,
                    timeline=timeline, routes=analysis.routes, join=step_join, zone_unions=unions)


def _place_frames(cities: gpd.GeoDataFrame | None, crossings: gpd.GeoDataFrame | None
                  ) -> list[tuple[str, gpd.GeoDataFrame]]:
    """The places of an analysis by kind, towns first: their rows, in order, number the places in time."""
    return [(kind, frame) for kind, frame in (("city", cities), ("crossing", crossings))
            if frame is not None and len(frame)]


def _place_pairs(cities: gpd.GeoDataFrame | None, crossings: gpd.GeoDataFrame | None, incidents: gpd.GeoDataFrame,
                 network: RoadNetwork, params: AnalysisParams) -> tuple[np.ndarray, np.ndarray]:
    """(place, incident) pairs within reach, as :func:`~geokit.exposure.place_exposure` counts them (radius_km,
    or imprecise_radius_km for area-located incidents): places numbered towns first, then crossings."""
    frames = _place_frames(cities, crossings)
    if not frames or not len(incidents):
        return np.array([], np.int64), np.array([], np.int64)
    points = pd.concat([frame.geometry.to_crs(network.crs) for _, frame in frames], ignore_index=True)
    metric = incidents.to_crs(network.crs)
    radius = _radius_m(metric, params.radius_km, params.rules.imprecise_radius_km)
    place, incident = incident_pairs_within(points.array, metric.geometry.array, radius)
    return np.asarray(place, np.int64), np.asarray(incident, np.int64)


def _places_in_time(network: RoadNetwork, segments: gpd.GeoDataFrame, join: dict, cities: gpd.GeoDataFrame | None,
                    crossings: gpd.GeoDataFrame | None, status: gpd.GeoDataFrame, routes: gpd.GeoDataFrame | None,
                    timeline: Timeline, destination: str | None, params: AnalysisParams
                    ) -> tuple[gpd.GeoDataFrame | None, gpd.GeoDataFrame | None, gpd.GeoDataFrame, Timeline]:
    """When each town and crossing was cut off and exposed over the timeline's window, from the same change
    points as the corridors: the towns' and crossings' periods, the corridors' towns cut off in the window,
    and the timeline with its places and people cut off."""
    frames = _place_frames(cities, crossings)
    names = np.concatenate([f["name"].astype(str).to_numpy() for _, f in frames]) if frames else np.array([], str)
    kinds = np.concatenate([np.full(len(f), k, dtype=object) for k, f in frames]) if frames else np.array([], str)
    inc = join["incidents"]
    ids = inc["event_id"].astype(str).to_numpy() if "event_id" in inc else np.arange(len(inc)).astype(str)
    day = np.asarray(join["day"], np.int64)
    runs: dict[str, dict[str, np.ndarray]] = {}
    openers = []
    periods = None
    if destination is not None and len(names):
        iso = isolation_periods(network, segments["edge_id"].to_numpy(), join["spans"], destination,
                                cache=join.setdefault("isolation_cache", {}))
        net = network.places
        where = pd.Series(np.arange(len(net)), index=pd.MultiIndex.from_arrays(
            [net["name"].astype(str), net["kind"].astype(str)]))
        row = where[~where.index.duplicated()].reindex(pd.MultiIndex.from_arrays([names, kinds.astype(str)])) \
            .fillna(-1).to_numpy(np.int64)  # each place's row of network.places (-1: not on the network)
        attached = row >= 0
        km = np.where(attached, iso["km"][:, np.maximum(row, 0)], np.nan)
        label = np.where(attached, iso["label"][:, np.maximum(row, 0)], -1)
        runs[CUT_OFF] = state_runs(iso["days"], iso["which"], np.isnan(km) & np.isfinite(km[0]))  # set 0: none
        # opened by the blockade-relevant incidents dated on the first day that reach a blockaded segment at the
        # edge of the place's component (those whose blockade cut it off)
        first = runs[CUT_OFF]["start"]
        held = iso["which"][np.searchsorted(iso["days"], first, side="right") - 1]
        starts = pd.DataFrame({"key": runs[CUT_OFF]["key"], "day": first, "set": held,
                               "label": label[held, runs[CUT_OFF]["key"]]})
        hits = starts.merge(iso["boundary"], on=["set", "label"]).merge(
            pd.DataFrame({"segment": join["segment"], "incident": join["incident"]}), on="segment")
        hits = hits[(day[hits["incident"]] == hits["day"].to_numpy()) & join["decisive"][hits["incident"]]]
        openers.append(pd.DataFrame({"key": hits["key"].to_numpy(), "state": CUT_OFF, "day": hits["day"].to_numpy(),
                                     "event_id": ids[hits["incident"]]}))
        crossing = np.flatnonzero(kinds == "crossing")
        periods = value_periods(iso["days"], iso["which"], km[:, crossing], start=timeline.start, end=timeline.end)
        periods["key"] = crossing[periods["key"].to_numpy()]
    place, incident = join.get("place_pairs", (np.array([], np.int64),) * 2)
    if len(place):
        last = day_of(last_day(inc))
        runs[EXPOSED] = exposure_intervals(place, day[incident], last[incident], params.rules.at_risk_days)
        openers.append(pd.DataFrame({"key": place, "state": EXPOSED, "day": day[incident],
                                     "event_id": ids[incident]}))
    table = place_episodes(runs, names, kinds, start=timeline.start, end=timeline.end,
                           openers=pd.concat(openers, ignore_index=True) if openers else None)
    cut = place_periods(table).rename(columns={"periods": "cut_off_periods", "days": "days_cut_off",
                                               "since": "cut_off_since"})
    out = []
    for kind, frame in (("city", cities), ("crossing", crossings)):
        if frame is None or not len(frame):
            out.append(frame)
            continue
        mine = cut[cut["kind"] == kind].drop(columns="kind").rename(columns={"place": "name"})
        merged = frame.merge(mine, left_on=frame["name"].astype(str), right_on="name", how="left",
                             suffixes=("", "_")).drop(columns=["key_0", "name_"], errors="ignore")
        merged = merged.fillna({"cut_off_periods": "", "days_cut_off": 0}).astype({"days_cut_off": int})
        merged["cut_off_since"] = pd.to_datetime(merged["cut_off_since"]).astype("datetime64[ns]")
        if kind == "crossing":
            merged["km_to_destination_periods"] = _km_periods(periods, frame, names, kinds)
        out.append(gpd.GeoDataFrame(merged, geometry=frame.geometry.name, crs=frame.crs))
    towns = set(table.loc[(table["state"] == CUT_OFF) & (table["kind"] == "city"), "place"])
    status = status.copy()
    origins = [set(_place_names(network, nodes[:1])) for nodes in routes["nodes"]] if routes is not None \
        else [set()] * len(status)
    status["towns_cut_off_in_window"] = ["; ".join(t for t in str(route_towns).split("; ") if t in towns
                                                   and t not in origin)
                                         for route_towns, origin in zip(status["towns"], origins)]
    people = None
    if cities is not None and "population" in cities:
        population = pd.Series(pd.to_numeric(cities["population"], errors="coerce").to_numpy(),
                               index=cities["name"].astype(str))
        people = people_cut_off(table, population, start=timeline.start, end=timeline.end)
    return out[0], out[1], status, replace(timeline, places=table, people=people)


def _km_periods(periods: pd.DataFrame | None, crossings: gpd.GeoDataFrame, names: np.ndarray, kinds: np.ndarray
                ) -> pd.Series:
    """Each crossing's road km to the destination in each period of the window, as text."""
    if periods is None:
        return pd.Series("", index=crossings.index)
    as_date = lambda d: pd.Series(pd.to_datetime(d.to_numpy().astype("datetime64[D]"))).dt.strftime("%Y-%m-%d")  # noqa: E731
    km = periods["value"].round(1)
    text = (as_date(periods["start"]) + ".." + as_date(periods["end"]) + ": "
            + km.map("{:.1f} km".format).where(km.notna(), "cut off").reset_index(drop=True))
    joined = text.groupby(periods["key"].to_numpy()).agg("; ".join)
    offset = int(np.flatnonzero(kinds == "crossing")[0]) if (kinds == "crossing").any() else 0
    return pd.Series(joined.reindex(offset + np.arange(len(crossings))).fillna("").to_numpy(), index=crossings.index)


def _exposing(incidents: gpd.GeoDataFrame, params: AnalysisParams) -> gpd.GeoDataFrame:
    """The incidents that expose roads and places: all but ``params.non_exposure_types``."""
    if "event_type" not in incidents or not params.non_exposure_types:
        return incidents
    return incidents[~incidents["event_type"].isin(params.non_exposure_types)]


def _places(cities: gpd.GeoDataFrame | None, crossings: gpd.GeoDataFrame | None, exposing: gpd.GeoDataFrame,
            zones: gpd.GeoDataFrame, network: RoadNetwork, segments: gpd.GeoDataFrame, destination: str | None,
            params: AnalysisParams) -> tuple[gpd.GeoDataFrame | None, gpd.GeoDataFrame | None, pd.DataFrame | None]:
    """Towns and crossings with their exposure and their road to the destination, and people exposed by
    country."""
    roads_to = _roads_to(network, segments, destination, cities, crossings)
    exposed_cities = _exposed_places(cities, "city", exposing, zones, network, roads_to, params)
    exposed_crossings = _exposed_places(crossings, "crossing", exposing, zones, network, roads_to, params)
    totals = None
    if exposed_cities is not None and {"population", "country"} <= set(exposed_cities.columns):
        totals = exposed_totals(exposed_cities, by="country")
    if exposed_crossings is not None and "after_km" in exposed_crossings:
        exposed_crossings["reaches_destination"] = exposed_crossings["after_km"].notna()
    return exposed_cities, exposed_crossings, totals


#: The columns of a routed corridor that :func:`sub_window` routes from again (``Analysis.routes``).
_ROUTE_COLUMNS = ["name", "origin", "destination", "via", "length_km", "crossings", "towns", "edge_ids", "nodes",
                  "stops", "geometry"]


def _corridors(network: RoadNetwork, segments: gpd.GeoDataFrame, corridors: Sequence[CorridorSpec] | pd.DataFrame,
               cities: gpd.GeoDataFrame | None, joined: dict, *, start: object, end: object,
               with_detours: bool = True, place_snap_km: float = PLACE_SNAP_KM
               ) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame, Timeline | None]:
    """Each corridor's status at the end (with the timeline's view of the window when there is one), the
    detour lines, the routes and the timeline. A detour's towns are those within ``place_snap_km`` of its
    line (:func:`geokit.corridors.towns_along`), not only those attached to its nodes."""
    status = corridor_status(network, segments, corridors)
    routes = status[_ROUTE_COLUMNS].copy()
    detour_lines = detours(network, segments, status)
    if cities is not None and len(cities) and len(detour_lines):
        along = {name: "; ".join(towns_along(line, cities, within_km=place_snap_km, crs=network.crs,
                                             first=[t for t in plain_text(towns).split("; ") if t]))
                 for name, line, towns in zip(detour_lines["name"], detour_lines.geometry,
                                              detour_lines["detour_towns"], strict=True)}
        detour_lines["detour_towns"] = detour_lines["name"].map(along)
        status["detour_towns"] = [along.get(n, t) for n, t in zip(status["name"], status["detour_towns"],
                                                                      strict=True)]
    status["population_exposed"] = _population_on_routes(status, cities)
    timeline = None
    if start is not None and end is not None:
        timeline = _timeline(network, segments, status, joined, start=start, end=end, with_detours=with_detours,
                             cities=cities, place_snap_km=place_snap_km)
        status = _with_timeline(status, timeline)
    status = status.drop(columns=["nodes", "stops"])
    status["edge_ids"] = status["edge_ids"].map(lambda ids: " ".join(map(str, ids)))
    return status, detour_lines, routes, timeline


def _timeline(network: RoadNetwork, segments: gpd.GeoDataFrame, status: gpd.GeoDataFrame, joined: dict, *,
              start: object, end: object, with_detours: bool = True, cities: gpd.GeoDataFrame | None = None,
              place_snap_km: float = PLACE_SNAP_KM) -> Timeline:
    """Corridor episodes from the segment intervals of the analysis's one spatial join (and with
    ``with_detours``, the detour in force when each blockaded episode began)."""
    position = pd.Series(np.arange(len(segments)), index=segments["edge_id"].to_numpy())
    routes = [position.loc[list(ids)].to_numpy() for ids in status["edge_ids"]]
    spans = corridor_intervals(joined["spans"], routes, segments["length_km"].to_numpy())
    inc = joined["incidents"]
    ids = inc["event_id"].astype(str).to_numpy() if "event_id" in inc else np.arange(len(inc)).astype(str)
    days = joined["day"]  # each incident's day number, from the same join
    membership = pd.DataFrame({"corridor": np.repeat(np.arange(len(routes)), [len(r) for r in routes]),
                               "segment": np.concatenate(routes) if routes else np.array([], int)})
    pairs = pd.DataFrame({"segment": joined["segment"], "incident": joined["incident"]})
    reach = membership.merge(pairs, on="segment").drop_duplicates(["corridor", "incident"])
    reach = reach.assign(day=days[reach["incident"]], event_id=ids[reach["incident"]],
                         decisive=joined["decisive"][reach["incident"]])
    first, last = day_number(start), day_number(end)
    table = episodes(spans, list(status["name"]), start=first, end=last, incidents=reach)
    if with_detours:
        table = _episode_detours(network, segments, status, joined["spans"], table, cities=cities,
                                 place_snap_km=place_snap_km)
    return Timeline(segments=joined["spans"], corridors=spans, corridor_names=tuple(status["name"]),
                    n_segments=len(segments), start=first, end=last, episodes=table)


def _episode_detours(network: RoadNetwork, segments: gpd.GeoDataFrame, status: gpd.GeoDataFrame,
                     spans: dict, table: pd.DataFrame, *, cities: gpd.GeoDataFrame | None = None,
                     place_snap_km: float = PLACE_SNAP_KM) -> pd.DataFrame:
    """The detour in force when each blockaded episode began (routing around what was blockaded that day); its
    towns are those within ``place_snap_km`` of its line, as for the window's detours."""
    edge_ids = segments["edge_id"].to_numpy()
    rows = status.set_index("name")
    fields = []
    for rec in table.itertuples():
        if rec.status != BLOCKADED:
            fields.append({"detour": "", "detour_km": np.nan, "detour_extra_km": np.nan, "detour_towns": "",
                           "detour_skips": ""})
            continue
        day = day_number(rec.start)
        on = (spans["start"] <= day) & (spans["stop"] > day) & (spans["level"] == 2)
        blocked = set(int(e) for e in edge_ids[spans["key"][on]])
        found, alt = detour_for(network, rows.loc[rec.corridor], blocked)
        if alt is not None and cities is not None and len(cities):
            found["detour_towns"] = "; ".join(towns_along(
                alt.geometry, cities, within_km=place_snap_km, crs=network.crs,
                first=[t for t in found["detour_towns"].split("; ") if t]))
        fields.append({k: found[k] for k in ("detour", "detour_km", "detour_extra_km", "detour_towns",
                                             "detour_skips")})
    return pd.concat([table.reset_index(drop=True), pd.DataFrame(fields, index=range(len(table)))], axis=1)


def _with_timeline(status: gpd.GeoDataFrame, timeline: Timeline) -> gpd.GeoDataFrame:
    """Corridor status at the window's end, with the timeline's view of the whole window."""
    over = timeline.summary()
    ongoing = timeline.episodes[(timeline.episodes["status"] == BLOCKADED) & timeline.episodes["end"].isna()]
    over = over.merge(ongoing[["corridor", "start"]].rename(columns={"start": "blockaded_since"}),
                      on="corridor", how="left")
    out = status.drop(columns=[c for c in over.columns if c in status and c != "name"])
    out = out.merge(over.rename(columns={"corridor": "name"}), on="name", how="left")
    out = gpd.GeoDataFrame(out, geometry="geometry", crs=status.crs)
    # the status at the end is the same fact as the timeline's last day
    assert (out["status"].astype(str).to_numpy()
            == timeline.corridor_status_on(timeline.end).loc[out["name"]].to_numpy()).all()
    return out


def _roads_to(network: RoadNetwork, segments: gpd.GeoDataFrame, destination: str | None,
              *places: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame | None:
    """Every place's road distance to the destination before and after the blockade (one routing for towns
    and crossings alike); None without a destination or places."""
    if destination is None or not any(p is not None and len(p) for p in places):
        return None
    return isolation(network, segments, destination)


def _exposed_places(places: gpd.GeoDataFrame | None, kind: str, incidents: gpd.GeoDataFrame,
                    zones: gpd.GeoDataFrame, network: RoadNetwork, roads_to: gpd.GeoDataFrame | None,
                    params: AnalysisParams) -> gpd.GeoDataFrame | None:
    """Place exposure, plus road distance to the destination before and after the blockade."""
    if places is None or not len(places):
        return None
    out = place_exposure(places, incidents, radius_km=params.radius_km, zones=zones,
                         imprecise_radius_km=params.rules.imprecise_radius_km, crs=network.crs)
    if roads_to is not None:
        iso = roads_to[roads_to["place_kind"] == kind]
        out = out.merge(iso[["place", "before_km", "after_km", "isolation"]].drop_duplicates("place"),
                        left_on="name", right_on="place", how="left").drop(columns="place")
    return out


def _population_on_routes(status: gpd.GeoDataFrame, cities: gpd.GeoDataFrame | None) -> list[float]:
    """People in the towns on each corridor that lie in an exposure zone."""
    if cities is None or "population" not in cities:
        return [np.nan] * len(status)
    exposed = cities[cities["in_zone"].astype(bool)]
    pop = pd.to_numeric(exposed["population"], errors="coerce").fillna(0).groupby(exposed["name"]).max()
    return [float(sum(pop.get(t, 0.0) for t in str(towns).split("; ") if t)) for towns in status["towns"]]


def population_by_region(analysis: Analysis, regions: gpd.GeoDataFrame, raster: str | Path | None = None
                         ) -> pd.DataFrame:
    """People exposed, region by region, from the two figures geokit has, never added together.

    Parameters
    ----------
    analysis : Analysis
    regions : GeoDataFrame
        Region polygons with ``name`` (e.g. Mali's regions).
    raster : path, optional
        A population-count grid (people per cell, e.g. GPW v4 2020).

    Returns
    -------
    DataFrame
        One row per region and a last row ``(all regions)``:
        ``towns_exposed`` and ``town_population_exposed`` (the sum of the
        population figures of the towns layer, census or estimate, for the
        towns in an exposure zone; each town counted once, whatever the
        corridors it lies on) and, with ``raster``, ``grid_population_in_zones``
        (people of the grid inside the union of the exposure zones, each cell
        weighted by the share of its area inside: a coarse estimate of everyone
        exposed, not only town dwellers), and ``towns_exposed_without_figure`` (exposed towns that have no
        population figure: a region whose exposed towns all lack one has no figure, not 0 people).
        Totals over corridors would count a town on two corridors twice; these do not.

    Examples
    --------
    >>> kayes = gpd.GeoDataFrame({"name": ["Kayes"]}, crs=4326, geometry=[shapely.box(-12.3, 13.0, -8.5, 15.5)])
    >>> people = population_by_region(result, kayes, "layers/mali_2025/population_gpw4_2020_30min.tif")
    >>> people.columns.tolist()[:3]
    ['region', 'towns_exposed', 'town_population_exposed']
    """
    from geokit.raster import population_by_area

    names = regions[["name"]].copy()
    out = pd.DataFrame({"region": sorted(names["name"].astype(str).unique())})
    if analysis.cities is not None and len(analysis.cities):
        towns = analysis.cities.drop_duplicates(subset=["name"]).copy()
        towns["population"] = pd.to_numeric(towns.get("population"), errors="coerce")
        totals = exposed_totals(towns, regions=regions[["name", regions.geometry.name]])
        totals = totals.rename(columns={"places_exposed": "towns_exposed",
                                        "population_exposed": "town_population_exposed"})
        out = out.merge(totals[["region", "towns_exposed", "town_population_exposed"]], on="region", how="left")
        # the exposed towns with no figure, so that a region with exposed towns but no census reads as such
        missing = exposed_totals(towns.assign(population=towns["population"].isna().astype(float)),
                                 regions=regions[["name", regions.geometry.name]])
        out = out.merge(missing[["region", "population_exposed"]].rename(
            columns={"population_exposed": "towns_exposed_without_figure"}), on="region", how="left")
    out = out.fillna({"towns_exposed": 0, "town_population_exposed": 0.0, "towns_exposed_without_figure": 0})
    if raster is not None:
        if len(analysis.zones):
            grid = population_by_area(raster, analysis.zones, regions, name_column="name", weighting="area")
            grid = grid.rename(columns={"name": "region", "population": "grid_population_in_zones"})
            out = out.merge(grid, on="region", how="left")
        out["grid_population_in_zones"] = out.get("grid_population_in_zones", 0.0)
        out["grid_population_in_zones"] = out["grid_population_in_zones"].fillna(0.0).round(0)
    total = out.drop(columns="region").sum(numeric_only=True).to_dict()
    out = pd.concat([out, pd.DataFrame([{"region": "(all regions)", **total}])], ignore_index=True)
    counts = {c: "int64" for c in ("towns_exposed", "towns_exposed_without_figure", "town_population_exposed",
                                   "grid_population_in_zones") if c in out}
    return out.round({"town_population_exposed": 0, "grid_population_in_zones": 0}).astype(counts)  # people: whole


def sensitivity(
    roads: gpd.GeoDataFrame,
    incidents: gpd.GeoDataFrame,
    *,
    radii_km: Sequence[float] = (1, 2, 5, 10),
    cities: gpd.GeoDataFrame | None = None,
    crossings: gpd.GeoDataFrame | None = None,
    corridors: Sequence[CorridorSpec] = (),
    params: AnalysisParams | None = None,
) -> pd.DataFrame:
    """Corridor status and people exposed for several radii at once.

    The network is built once; the exposure steps run per radius.

    Parameters
    ----------
    roads, incidents : GeoDataFrame
        From :func:`geokit.read_roads` and :func:`geokit.read_incidents`.
    radii_km : sequence of float
        The radii to compare.
    cities, crossings : GeoDataFrame, optional
        Named places.
    corridors : sequence of CorridorSpec
        The corridors to assess.
    params : AnalysisParams, optional
        Every other parameter (its ``radius_km`` is replaced by each radius).

    Returns
    -------
    DataFrame
        One row per radius and corridor: ``radius_km``, ``corridor``,
        ``status``, ``blockaded_km``, ``detour_extra_km``,
        ``population_exposed``.

    Examples
    --------
    >>> table = sensitivity(roads, incidents, radii_km=(1, 10), cities=towns, corridors=specs, params=params)
    >>> table[["radius_km", "status"]].values.tolist()
    [[1.0, 'blockaded'], [10.0, 'blockaded']]
    """
    params = params or AnalysisParams()
    network = None
    rows = []
    for radius in radii_km:
        p = replace(params, radius_km=float(radius))
        result = analyse(roads, incidents, cities=cities, crossings=crossings, corridors=corridors,
                         params=p, network=network)
        network = result.network
        summary = result.summary()
        summary.insert(0, "radius_km", float(radius))
        rows.append(summary[["radius_km", "corridor", "status", "blockaded_km", "detour_extra_km",
                             "population_exposed"]])
    return pd.concat(rows, ignore_index=True)
