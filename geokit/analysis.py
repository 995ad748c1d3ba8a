"""One call from layers to every analysis product, and the sensitivity table.

:func:`analyse` runs the whole chain a briefing needs: network, segment
status, exposure zones, corridors with detours, exposed cities and crossings,
isolation from the destination and population totals. It is what
``geokit build`` and the notebooks call; each step is also a public function
of its own module for analysts who compose their own.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import geopandas as gpd
import numpy as np
import pandas as pd

from geokit._errors import InputError
from geokit.corridors import corridor_status, detours, isolation
from geokit.exposure import StatusRules, exposed_totals, exposure_zones, place_exposure, road_exposure
from geokit.incidents import DateLike, in_window
from geokit.network import RoadNetwork, build_network, named_places
from geokit.project import CorridorSpec

__all__ = ["AnalysisParams", "Analysis", "analyse", "sensitivity", "SUMMARY_COLUMNS"]

SUMMARY_COLUMNS = ["corridor", "status", "length_km", "blockaded_km", "at_risk_km", "blockaded_since",
                   "first_incident", "last_incident", "n_incidents", "detour", "detour_km", "detour_extra_km",
                   "crossings", "detour_crossings", "cut_off", "population_exposed"]


@dataclass(frozen=True)
class AnalysisParams:
    """Parameters of an analysis, with units in their names.

    Examples
    --------
    >>> AnalysisParams(radius_km=5).segment_km
    5.0
    """

    radius_km: float = 10.0
    segment_km: float = 5.0
    start: DateLike = None
    end: DateLike = None
    half_life_days: float | None = None
    snap_tolerance_m: float = 50.0
    place_snap_km: float = 5.0
    imprecise_radius_km: float = 25.0
    rules: StatusRules = field(default_factory=StatusRules)
    #: Event types that mark the timeline but expose nothing (ACLED's
    #: "Strategic developments": declarations, closures, advisories). They are
    #: kept in ``Analysis.incidents`` and left out of zones, status and places.
    non_exposure_types: tuple[str, ...] = ("Strategic developments",)

    def __post_init__(self) -> None:
        for name in ("radius_km", "segment_km", "place_snap_km", "imprecise_radius_km"):
            if getattr(self, name) <= 0:
                raise InputError(f"{name} must be positive, not {getattr(self, name)}")
        if self.rules.imprecise_radius_km != self.imprecise_radius_km:
            object.__setattr__(self, "rules", replace(self.rules, imprecise_radius_km=self.imprecise_radius_km))


@dataclass(frozen=True)
class Analysis:
    """Everything :func:`analyse` computed. Every frame is in EPSG:4326."""

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

    def summary(self) -> pd.DataFrame:
        """One row per corridor: status, km blockaded, detour, incident dates, people exposed."""
        table = self.corridors.rename(columns={"name": "corridor"})
        return pd.DataFrame(table[[c for c in SUMMARY_COLUMNS if c in table]]).reset_index(drop=True)

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
        network = build_network(roads, places=named_places(cities, crossings),
                                snap_tolerance_m=params.snap_tolerance_m, place_snap_km=params.place_snap_km,
                                segment_km=params.segment_km)
    window = in_window(incidents, params.start, params.end)
    end = params.end if params.end is not None else (window["date"].max() if len(window) else None)
    exposing = window
    if "event_type" in window and params.non_exposure_types:
        exposing = window[~window["event_type"].isin(params.non_exposure_types)]
    step("segment exposure (spatial join)")
    segments = road_exposure(network.edges, exposing, radius_km=params.radius_km, end=end, rules=params.rules,
                             half_life_days=params.half_life_days, incident_ids=True, crs=network.crs)
    step("exposure zones")
    zones = exposure_zones(exposing, radius_km=params.radius_km, end=end, half_life_days=params.half_life_days,
                           imprecise_radius_km=params.imprecise_radius_km, crs=network.crs)
    corridor_specs = list(corridors)
    if destination is None and corridor_specs:
        destination = str(Counter(str(c.destination) for c in corridor_specs).most_common(1)[0][0])
    step("towns and crossings")
    exposed_cities = _exposed_places(cities, "city", exposing, zones, network, segments, destination, params)
    exposed_crossings = _exposed_places(crossings, "crossing", exposing, zones, network, segments, destination,
                                        params)
    totals = None
    if exposed_cities is not None and "population" in exposed_cities:
        totals = exposed_totals(exposed_cities, by="country")
    if exposed_crossings is not None and "after_km" in exposed_crossings:
        exposed_crossings["reaches_destination"] = exposed_crossings["after_km"].notna()
    step("routing corridors and detours")
    status = detour_lines = None
    if corridor_specs:
        status = corridor_status(network, segments, corridor_specs)
        detour_lines = detours(network, status, segments)
        status["population_exposed"] = _population_on_routes(status, exposed_cities)
        status = status.drop(columns=["nodes"])
        status["edge_ids"] = status["edge_ids"].map(lambda ids: " ".join(map(str, ids)))
    else:
        status = gpd.GeoDataFrame(columns=["name", "geometry"], geometry="geometry", crs=4326)
        detour_lines = gpd.GeoDataFrame(columns=["name", "geometry"], geometry="geometry", crs=4326)
    return Analysis(params=params, network=network, segments=segments, zones=zones, corridors=status,
                    detours=detour_lines, cities=exposed_cities, crossings=exposed_crossings,
                    incidents=window.reset_index(drop=True), totals=totals, destination=destination)


def _exposed_places(places: gpd.GeoDataFrame | None, kind: str, incidents: gpd.GeoDataFrame,
                    zones: gpd.GeoDataFrame, network: RoadNetwork, segments: gpd.GeoDataFrame,
                    destination: str | None, params: AnalysisParams) -> gpd.GeoDataFrame | None:
    """Place exposure, plus road distance to the destination before and after the blockade."""
    if places is None or not len(places):
        return None
    out = place_exposure(places, incidents, radius_km=params.radius_km, zones=zones,
                         imprecise_radius_km=params.imprecise_radius_km, crs=network.crs)
    if destination is not None:
        iso = isolation(network, segments, destination, kind=kind)
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

    Returns
    -------
    DataFrame
        One row per radius and corridor: ``radius_km``, ``corridor``,
        ``status``, ``blockaded_km``, ``detour_extra_km``,
        ``population_exposed``.
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
