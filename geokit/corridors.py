"""Corridors: routes between places, their status, detours and what they cut off.

A corridor is an origin, a destination and optional waypoints (place names or
(lon, lat) points), routed as the shortest path on a
:class:`~geokit.network.RoadNetwork`. Given the segment status of the
network's edges (from :func:`geokit.exposure.road_exposure` run on
``network.edges``), :func:`corridor_status` says for each corridor whether it
is open, at risk or blockaded, how many km are blockaded, when incidents
started and stopped, which towns on it are cut off from the destination, and
the detour: the shortest route between the same ends that avoids every
blockaded segment ("no alternative" when none exists).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely

from geokit._errors import InputError
from geokit.network import (PLACE_SNAP_KM, RoadNetwork, Route, _fold, component_labels, distances_from, find_node,
                            route)
from geokit.schema import WGS84
from geokit.palette import AT_RISK, BLOCKADED, OPEN, STATUSES

__all__ = [
    "CorridorSpec",
    "NO_ALTERNATIVE",
    "blockaded_edges",
    "towns_along",
    "route_corridors",
    "corridor_status",
    "detours",
    "detour_for",
    "crossing_access",
    "isolation",
    "isolation_periods",
    "alternative_routes",
    "check_corridor_places",
]

NO_ALTERNATIVE = "no alternative"


@dataclass(frozen=True)
class CorridorSpec:
    """A corridor to route: origin, destination, and waypoints in order.

    Places are names of towns or crossings of the network, or (lon, lat) points.

    Examples
    --------
    >>> CorridorSpec("Dakar-Bamako", "Dakar", "Bamako", via=("Kayes",)).via
    ('Kayes',)
    """

    name: str
    origin: str | tuple[float, float]
    destination: str | tuple[float, float]
    via: tuple[str | tuple[float, float], ...] = ()


#: Places of one name farther apart than this (km) are different places: the name is ambiguous.
SAME_PLACE_KM = 10.0


def check_corridor_places(corridors: Sequence[CorridorSpec], places: gpd.GeoDataFrame | None,
                          roads: gpd.GeoDataFrame, *, place_snap_km: float = PLACE_SNAP_KM) -> None:
    """Check every corridor's places before any analysis: each name names one place, near a road.

    Refused with an :class:`~geokit.InputError` naming the corridor and the key: a name no place has
    (with the closest names), a name two places far apart share (with where each lies: pick one with
    [lon, lat]), and a place or point farther than ``place_snap_km`` from every road (with its distance).

    Parameters
    ----------
    corridors : sequence of CorridorSpec
    places : GeoDataFrame or None
        Named places (:func:`geokit.network.named_places`), with ``name`` and, when known, ``country``.
    roads : GeoDataFrame
        The road lines.
    place_snap_km : float
        The largest distance from a place to a road that the network bridges.

    Examples
    --------
    >>> roads = gpd.GeoDataFrame(geometry=[shapely.LineString([(-8.0, 12.65), (-11.4, 14.4)])], crs=4326)
    >>> towns = gpd.GeoDataFrame({"name": ["Bamako", "Kayes", "Kayes"]}, crs=4326, geometry=[
    ...     shapely.Point(-8.0, 12.65), shapely.Point(-11.4, 14.4), shapely.Point(13.3, -4.2)])
    >>> check_corridor_places([CorridorSpec("K", "Kayes", "Bamako")], towns, roads)
    Traceback (most recent call last):
    ...
    geokit._errors.InputError: corridor 'K': origin = 'Kayes' names 2 places ... apart: ...
    """
    from geokit.crs import common_metric_crs

    crs = common_metric_crs(roads)
    tree = shapely.STRtree(roads.to_crs(crs).geometry.array)
    named = places if places is not None else gpd.GeoDataFrame({"name": []}, geometry=[], crs=WGS84)
    folded = named["name"].astype(str).map(_fold)
    metric = np.asarray(named.to_crs(crs).geometry, dtype=object)
    for spec in corridors:
        keys = [("origin", spec.origin), ("destination", spec.destination),
                *((f"via[{i}]", v) for i, v in enumerate(spec.via))]
        for key, place in keys:
            said = f"corridor {spec.name!r}: {key} = {place!r}"
            if isinstance(place, str):
                hits = np.flatnonzero((folded == _fold(place)).to_numpy())
                if not len(hits):
                    close = difflib.get_close_matches(place, sorted(set(named["name"].astype(str))), n=3, cutoff=0.6)
                    hint = f"did you mean {', '.join(close)}?" if close else "check the spelling"
                    raise InputError(f"{said}: no place of that name in the cities or crossings layers; {hint}")
                points = metric[hits]
                spread_km = shapely.distance(points[:, None], points[None, :]).max() / 1000
                if spread_km > SAME_PLACE_KM:
                    where = "; ".join(_where(named.iloc[i]) for i in hits[:4])
                    raise InputError(f"{said} names {len(hits)} places {spread_km:,.0f} km apart: {where}; give the "
                                     "one you mean as [lon, lat], or rename the other in its layer")
                point = points[0]
            else:
                point = gpd.GeoSeries([shapely.Point(place)], crs=WGS84).to_crs(crs).iloc[0]
            _, dist = tree.query_nearest(point, return_distance=True, all_matches=False)
            if dist[0] / 1000 > place_snap_km:
                raise InputError(f"{said} lies {dist[0] / 1000:,.1f} km from the nearest road, farther than "
                                 f"place_snap_km = {place_snap_km:g}; raise it (--place-snap-km or [analysis] "
                                 "place_snap_km) or add the road that serves it")


def _where(place: pd.Series) -> str:
    country = f" ({place['country']})" if "country" in place and pd.notna(place["country"]) else ""
    return f"{place['name']}{country} at {place.geometry.x:.2f}, {place.geometry.y:.2f}"


def _as_specs(corridors: Sequence[CorridorSpec] | pd.DataFrame) -> list[CorridorSpec]:
    if isinstance(corridors, pd.DataFrame):
        return [CorridorSpec(name=str(r["name"]), origin=r["origin"], destination=r["destination"],
                             via=tuple(r.get("via") or ())) for _, r in corridors.iterrows()]
    return list(corridors)


def blockaded_edges(segments: pd.DataFrame) -> set[int]:
    """Edge ids whose status is ``blockaded``.

    Parameters
    ----------
    segments : DataFrame
        Segments with ``edge_id`` and ``status``.

    Examples
    --------
    >>> blockaded_edges(pd.DataFrame({"edge_id": [0, 1, 2], "status": ["open", "blockaded", "at_risk"]}))
    {1}
    """
    if "status" not in segments or "edge_id" not in segments:
        raise InputError("segments need 'edge_id' and 'status': run road_exposure on network.edges")
    return set(segments.loc[segments["status"].astype(str) == BLOCKADED, "edge_id"].astype(int))


def _place_names(network: RoadNetwork, nodes: Iterable[int], kind: str | None = None) -> list[str]:
    """The names of the places at ``nodes`` (of ``kind``), in the order of the nodes, each once."""
    names: dict[str, None] = {}
    for node in dict.fromkeys(int(n) for n in nodes):  # each node once, in order
        for name, place_kind in network.places_at.get(node, ()):
            if kind is None or place_kind == kind:
                names.setdefault(name, None)
    return list(names)


def route_corridors(network: RoadNetwork, corridors: Sequence[CorridorSpec] | pd.DataFrame
                    ) -> gpd.GeoDataFrame:
    """Route each corridor as the shortest path through its waypoints.

    Parameters
    ----------
    network : RoadNetwork
        From :func:`geokit.network.build_network`.
    corridors : sequence of CorridorSpec, or DataFrame
        The corridors (a frame needs ``name``, ``origin``, ``destination`` and optionally ``via``).

    Returns
    -------
    GeoDataFrame in EPSG:4326
        ``name``, ``origin``, ``destination``, ``via``, ``length_km``,
        ``crossings`` (border crossings on the route, in order), ``towns``,
        ``edge_ids``, ``nodes``, ``stops`` (the nodes of origin, via places and
        destination) and the route geometry. A corridor whose places are not
        connected raises :class:`~geokit.InputError`.

    Examples
    --------
    >>> import shapely
    >>> roads = gpd.GeoDataFrame(geometry=[shapely.LineString([(-8.0, 12.65), (-8.07, 12.74)])], crs=4326)
    >>> towns = gpd.GeoDataFrame({"name": ["Bamako", "Kati"], "kind": ["city", "city"]}, crs=4326,
    ...     geometry=[shapely.Point(-8.0, 12.65), shapely.Point(-8.07, 12.74)])
    >>> from geokit.network import build_network
    >>> net = build_network(roads, places=towns)
    >>> out = route_corridors(net, [CorridorSpec("Kati-Bamako", "Kati", "Bamako")])
    >>> out.loc[0, "towns"], float(round(out.loc[0, "length_km"], 1))
    ('Kati; Bamako', 12.5)
    """
    rows = []
    for spec in _as_specs(corridors):
        stops = [find_node(network, p) for p in (spec.origin, *spec.via, spec.destination)]
        found = route(network, stops)
        if found is None:
            raise InputError(f"corridor {spec.name!r}: no road connects {spec.origin} to {spec.destination}"
                             f"{' via ' + ', '.join(map(str, spec.via)) if spec.via else ''} on this network "
                             f"({network.n_components} separate components); check the road layer")
        rows.append({**_route_row(network, spec, found), "stops": stops})
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=WGS84)


def _route_row(network: RoadNetwork, spec: CorridorSpec, found: Route) -> dict:
    return {
        "name": spec.name, "origin": str(spec.origin), "destination": str(spec.destination),
        "via": "; ".join(map(str, spec.via)), "length_km": float(found.length_km),
        "crossings": "; ".join(_place_names(network, found.nodes, "crossing")),
        "towns": "; ".join(_place_names(network, found.nodes, "city")),
        "edge_ids": found.edge_ids, "nodes": found.nodes, "geometry": found.geometry,
    }


def corridor_status(
    network: RoadNetwork,
    segments: pd.DataFrame,
    corridors: Sequence[CorridorSpec] | pd.DataFrame,
) -> gpd.GeoDataFrame:
    """Status, blockaded length, incident dates, cut-off towns and detour of each corridor.

    Parameters
    ----------
    network : RoadNetwork
    segments : DataFrame
        :func:`geokit.exposure.road_exposure` run on ``network.edges``
        (one row per edge with ``edge_id`` and ``status``).
    corridors : list of CorridorSpec, or a DataFrame with name/origin/destination/via
        Routed again, unless the frame is already :func:`route_corridors`'s (it has ``nodes``).

    Returns
    -------
    GeoDataFrame in EPSG:4326
        Everything :func:`route_corridors` gives, plus ``status`` (the worst
        status of its segments), ``blockaded_km``, ``at_risk_km``,
        ``blockaded_since``, ``first_incident``, ``last_incident``,
        ``n_incidents`` (distinct incidents reaching any of its segments),
        ``towns_cut_off`` (towns on the route, other than its origin, left
        with no open road to the destination: they lose their road, whatever
        the corridor's origin does) and the detour, see :func:`detour_for`:
        ``detour`` (``"ok"``, ``"not needed"`` or ``"no alternative"``),
        ``detour_km``, ``detour_extra_km``, ``detour_crossings``,
        ``detour_towns`` and ``detour_skips``; the detour's own line is in :func:`detours`.

    Examples
    --------
    >>> status = corridor_status(network, segments, specs)
    >>> status.loc[0, ["name", "status", "detour"]].tolist(), round(status.loc[0, "blockaded_km"]) > 0
    (['Kayes-Bamako', 'blockaded', 'ok'], True)
    """
    routes = corridors if isinstance(corridors, pd.DataFrame) and "nodes" in corridors else \
        route_corridors(network, corridors)
    seg = segments.set_index("edge_id")
    blocked = blockaded_edges(segments)
    label = component_labels(network, avoid_edges=blocked)  # who still reaches whom on the open roads
    out = []
    for _, row in routes.iterrows():
        ids = row["edge_ids"]
        part = seg.loc[ids]
        status = part["status"].astype(str)
        length = part["length_km"] if "length_km" in part else network.edges.set_index("edge_id").loc[ids, "length_km"]
        worst = BLOCKADED if (status == BLOCKADED).any() else AT_RISK if (status == AT_RISK).any() else OPEN
        dest = row["nodes"][-1]
        cut_nodes = [n for n in row["nodes"][1:] if label[n] != label[dest]]
        origin = set(_place_names(network, row["nodes"][:1]))
        record = dict(row)
        record.update({
            "status": worst,
            "blockaded_km": float(length[status.to_numpy() == BLOCKADED].sum()),
            "at_risk_km": float(length[status.to_numpy() == AT_RISK].sum()),
            "blockaded_since": part["blockaded_since"].min() if "blockaded_since" in part else pd.NaT,
            "first_incident": part["first_incident"].min() if "first_incident" in part else pd.NaT,
            "last_incident": part["last_incident"].max() if "last_incident" in part else pd.NaT,
            "n_incidents": len(set(" ".join(part["incident_ids"].astype(str)).split()))
            if "incident_ids" in part else int(part["n_incidents"].sum()),
            "towns_cut_off": "; ".join(t for t in _place_names(network, cut_nodes, "city") if t not in origin),
        })
        record.update(detour_for(network, row, blocked)[0])
        out.append(record)
    frame = gpd.GeoDataFrame(out, geometry="geometry", crs=WGS84)
    frame["status"] = pd.Categorical(frame["status"], categories=list(STATUSES))
    return frame


def detour_for(network: RoadNetwork, corridor: pd.Series | dict, blocked: set[int]
               ) -> tuple[dict, Route | None]:
    """The detour of one routed corridor around a set of blockaded edges.

    The detour is the shortest route through the corridor's own stops
    (origin, via places, destination) that avoids every blockaded edge; when
    the blockade cuts a via place off, the shortest route between origin and
    destination, and ``detour_skips`` names the via places it no longer passes.
    ``detour_extra_km`` compares the detour with the same trip on the open
    network (through the stops it keeps), so it is never negative.

    Parameters
    ----------
    network : RoadNetwork
    corridor : Series or dict
        A row of :func:`route_corridors` (``stops``, ``nodes``, ``edge_ids``,
        ``length_km``).
    blocked : set of int
        Edge ids to avoid.

    Returns
    -------
    (dict, Route or None)
        The fields ``detour`` (``"not needed"`` when the route crosses no
        blockaded edge, ``"ok"``, or ``"no alternative"``), ``detour_km``,
        ``detour_extra_km``, ``detour_crossings`` and ``detour_skips`` (empty
        or NaN when no detour is needed or none exists), ``detour_towns`` (the
        towns it passes, in order), and the route.

    Examples
    --------
    >>> import shapely
    >>> from geokit.network import build_network
    >>> roads = gpd.GeoDataFrame(geometry=[shapely.LineString([(-8.0, 12.65), (-8.07, 12.74)])], crs=4326)
    >>> towns = gpd.GeoDataFrame({"name": ["Bamako", "Kati"]}, crs=4326,
    ...     geometry=[shapely.Point(-8.0, 12.65), shapely.Point(-8.07, 12.74)])
    >>> net = build_network(roads, places=towns)
    >>> row = route_corridors(net, [CorridorSpec("Kati-Bamako", "Kati", "Bamako")]).iloc[0]
    >>> detour_for(net, row, set(row["edge_ids"]))[0]["detour"]
    'no alternative'
    """
    none = {"detour_km": np.nan, "detour_extra_km": np.nan, "detour_crossings": "", "detour_towns": "",
            "detour_skips": ""}
    if not blocked.intersection(corridor["edge_ids"]):
        return {"detour": "not needed", **none}, None
    stops = list(corridor["stops"]) if "stops" in corridor else [corridor["nodes"][0], corridor["nodes"][-1]]
    alt = route(network, stops, avoid_edges=blocked)
    baseline = float(corridor["length_km"])
    skips: list[str] = []
    if alt is None and len(stops) > 2:
        alt = route(network, [stops[0], stops[-1]], avoid_edges=blocked)
        if alt is not None:
            passed = set(alt.nodes)
            skips = [name for node in stops[1:-1] if node not in passed
                     for name in _place_names(network, [node])[:1]]
            open_route = route(network, [stops[0], stops[-1]])
            baseline = open_route.length_km if open_route is not None else baseline
    if alt is None:
        return {"detour": NO_ALTERNATIVE, **none}, None
    return {"detour": "ok", "detour_km": alt.length_km, "detour_extra_km": max(0.0, alt.length_km - baseline),
            "detour_crossings": "; ".join(_place_names(network, alt.nodes, "crossing")),
            "detour_towns": "; ".join(_place_names(network, alt.nodes, "city")),
            "detour_skips": "; ".join(skips)}, alt


def towns_along(line: shapely.Geometry, towns: gpd.GeoDataFrame, *, within_km: float, crs: object,
                first: Sequence[str] = ()) -> list[str]:
    """The towns a line passes: within ``within_km`` of it (the distance that attaches a place to a road,
    ``place_snap_km``), in their order along it, each once.

    A town attached to another road near the route (Kita, 2.4 km from the road a Dakar-Bamako detour takes)
    is passed all the same; the names in ``first`` (the towns at the route's nodes) are always kept.

    Parameters
    ----------
    line : shapely geometry
        The route, in EPSG:4326.
    towns : GeoDataFrame
        Towns with ``name``.
    within_km : float
        How near the line a town must lie.
    crs : CRS-like
        A metric CRS to measure in (the network's).
    first : sequence of str
        Names to keep whatever their distance (towns on the route's nodes).

    Returns
    -------
    list of str

    Examples
    --------
    >>> towns = gpd.GeoDataFrame({"name": ["B", "A", "Far"]}, crs=4326,
    ...     geometry=[shapely.Point(-7.5, 12.67), shapely.Point(-7.9, 12.65), shapely.Point(-7.5, 13.5)])
    >>> towns_along(shapely.LineString([(-8, 12.65), (-7, 12.65)]), towns, within_km=5, crs=32629)
    ['A', 'B']
    """
    if line is None or line.is_empty or towns is None or not len(towns):
        return list(dict.fromkeys(first))
    metric = gpd.GeoSeries([line], crs=WGS84).to_crs(crs).iloc[0]
    merged = shapely.line_merge(metric) if metric.geom_type == "MultiLineString" else metric
    points = towns.to_crs(crs)
    near = points[(points.distance(metric) <= within_km * 1000) | points["name"].astype(str).isin(set(first))]
    where = {str(n): float(merged.project(p)) if merged.geom_type == "LineString" else float(metric.project(p))
             for n, p in zip(near["name"], near.geometry, strict=True)}
    extras = sorted((n for n in where if n not in set(first)), key=lambda n: where[n])
    out: list[str] = []
    for name in dict.fromkeys(first):  # the route's own towns keep their order; the others slot in between
        while extras and name in where and where[extras[0]] < where[name]:
            out.append(extras.pop(0))
        out.append(name)
    return out + extras


def detours(network: RoadNetwork, segments: pd.DataFrame, status: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The detour lines of the corridors that need one and have one.

    Returns a GeoDataFrame in EPSG:4326: ``name``, ``detour_km``,
    ``detour_extra_km``, ``detour_crossings`` and the detour geometry.

    Parameters
    ----------
    network : RoadNetwork
        From :func:`geokit.network.build_network`.
    segments : DataFrame
        The network's edges with ``status`` (:func:`geokit.exposure.road_exposure` on ``network.edges``).
    status : GeoDataFrame
        :func:`corridor_status`.

    Examples
    --------
    >>> d = detours(network, segments, corridor_status(network, segments, specs))
    >>> d.loc[0, "detour_towns"], bool(d.loc[0, "detour_extra_km"] > 0)
    ('Kayes; Bafoulabe; Kita; Bamako', True)
    """
    blocked = blockaded_edges(segments)
    rows = []
    for _, row in status[status["detour"] == "ok"].iterrows():
        fields, alt = detour_for(network, row, blocked)
        if alt is None:  # "ok" means a detour was found; the status table and this call agree
            continue
        rows.append({"name": row["name"], "detour_km": fields["detour_km"],
                     "detour_extra_km": fields["detour_extra_km"],
                     "detour_crossings": fields["detour_crossings"], "detour_towns": fields["detour_towns"],
                     "geometry": alt.geometry})
    return gpd.GeoDataFrame(rows, columns=["name", "detour_km", "detour_extra_km", "detour_crossings",
                                           "detour_towns", "geometry"], geometry="geometry", crs=WGS84)


def isolation(
    network: RoadNetwork,
    segments: pd.DataFrame,
    destination: str | tuple[float, float],
    *,
    kind: str | None = None,
    max_increase_share: float = 0.25,
) -> gpd.GeoDataFrame:
    """Places whose road distance to ``destination`` grows or disappears with the blockade.

    Two Dijkstra runs from the destination (with and without the blockaded
    segments) give every place's distance before and after.

    Parameters
    ----------
    kind : str, optional
        Only places of this kind (``"city"``, ``"crossing"``).
    max_increase_share : float, default 0.25
        A place is ``"longer"`` when its distance grows by more than this
        share, ``"cut off"`` when it can no longer reach the destination.

    Returns
    -------
    GeoDataFrame in EPSG:4326
        One row per place: ``place``, ``place_kind``, ``node_id``,
        ``before_km``, ``after_km``, ``increase_share`` (the distance's growth as a share:
        0.25 is 25 % longer) and ``isolation``
        (``"cut off"``, ``"longer"``, ``"unchanged"``, or ``"unreachable"``
        when it could not reach the destination even before).

    Examples
    --------
    >>> iso = isolation(network, segments, "Bamako", kind="city", max_increase_share=0.05).set_index("place")
    >>> iso.loc["Kayes", "isolation"], iso.loc["Kita", "isolation"]  # the loop adds 12 %, over 5 %
    ('longer', 'unchanged')
    """
    dest = find_node(network, destination)
    blocked = blockaded_edges(segments)
    before = distances_from(network, dest)
    after = distances_from(network, dest, avoid_edges=blocked)
    rows = []
    geometry = network.nodes.set_index("node_id").geometry
    places = network.places if kind is None else network.places[network.places["kind"] == kind]
    for node_id, name, k in zip(places["node_id"], places["name"], places["kind"]):
        b, a = before.get(node_id, np.nan), after.get(node_id, np.nan)
        if np.isnan(b):
            state = "unreachable"
        elif np.isnan(a):
            state = "cut off"
        elif b > 0 and (a - b) / b > max_increase_share:
            state = "longer"
        else:
            state = "unchanged"
        rows.append({"place": name, "place_kind": k, "node_id": int(node_id),
                     "before_km": b, "after_km": a,
                     "increase_share": (a - b) / b if b and not np.isnan(a) else np.nan,
                     "isolation": state, "geometry": geometry.loc[node_id]})
    return gpd.GeoDataFrame(rows, columns=["place", "place_kind", "node_id", "before_km", "after_km",
                                           "increase_share", "isolation", "geometry"],
                            geometry="geometry", crs=WGS84)


def crossing_access(network: RoadNetwork, segments: pd.DataFrame, destination: str | tuple[float, float]
                    ) -> gpd.GeoDataFrame:
    """Which border crossings still reach the destination, and how far.

    The rows of :func:`isolation` for places of kind ``"crossing"``, with
    ``reaches_destination`` (True when a route avoiding blockaded segments exists; the same column
    :func:`geokit.analysis.analyse` gives its crossings).

    Parameters
    ----------
    network : RoadNetwork
        From :func:`geokit.network.build_network`.
    segments : DataFrame
        The network's edges with ``status`` (:func:`geokit.exposure.road_exposure` on ``network.edges``).
    destination : str or (lon, lat)
        The place the crossings must reach (the capital).

    Examples
    --------
    >>> crossing_access(network, segments, "Bamako").columns[-1]  # the world has no crossing
    'reaches_destination'
    """
    out = isolation(network, segments, destination, kind="crossing", max_increase_share=np.inf)
    out["reaches_destination"] = out["after_km"].notna()
    return out


def alternative_routes(network: RoadNetwork, origin: str | tuple[float, float],
                       destination: str | tuple[float, float], *, k: int = 3,
                       avoid_edges: Iterable[int] | None = None) -> gpd.GeoDataFrame:
    """Up to ``k`` loop-free routes from origin to destination, shortest first.

    Parallel edges are reduced to the shortest, so alternatives differ by the
    places they pass. Returns ``rank``, ``length_km``, ``extra_km`` (over the
    first), ``crossings`` and the geometry, in EPSG:4326.

    Parameters
    ----------
    network : RoadNetwork
        From :func:`geokit.network.build_network`.
    origin, destination : str or (lon, lat)
        Place names of the network or points.
    k : int, default 3
        How many routes, shortest first.
    avoid_edges : iterable of int, optional
        Edges no route may use (the blockaded ones: :func:`blockaded_edges`).

    Examples
    --------
    >>> routes = alternative_routes(network, "Kayes", "Bamako", k=2)
    >>> routes["rank"].tolist(), bool(routes.loc[0, "length_km"] < routes.loc[1, "length_km"])
    ([1, 2], True)
    """
    if k < 1:
        raise InputError(f"k must be at least 1, not {k}")
    a, b = find_node(network, origin), find_node(network, destination)
    avoid = set(int(e) for e in avoid_edges or ())
    simple = nx.Graph()
    for u, v, key, data in network.graph.edges(keys=True, data=True):
        if key in avoid:
            continue
        if not simple.has_edge(u, v) or simple[u][v]["length_km"] > data["length_km"]:
            simple.add_edge(u, v, length_km=data["length_km"], edge_id=key)
    rows = []
    if a in simple and b in simple and nx.has_path(simple, a, b):
        for rank, path in enumerate(nx.shortest_simple_paths(simple, a, b, weight="length_km"), 1):
            edge_ids = [simple[x][y]["edge_id"] for x, y in zip(path, path[1:])]
            length = sum(simple[x][y]["length_km"] for x, y in zip(path, path[1:]))
            geom = shapely.line_merge(shapely.union_all(network.edges.geometry.array[np.asarray(edge_ids)]))
            rows.append({"rank": rank, "length_km": length, "crossings": "; ".join(
                _place_names(network, path, "crossing")), "edge_ids": edge_ids, "geometry": geom})
            if rank == k:
                break
    out = gpd.GeoDataFrame(rows, columns=["rank", "length_km", "crossings", "edge_ids", "geometry"],
                           geometry="geometry", crs=WGS84)
    out.insert(2, "extra_km", out["length_km"] - (out["length_km"].iloc[0] if len(out) else 0))
    return out


def isolation_periods(network: RoadNetwork, edge_ids: np.ndarray, spans: dict[str, np.ndarray],
                      destination: str | tuple[float, float], *, cache: dict | None = None) -> dict:
    """Every place's road distance to ``destination`` in each period of constant blockade, routing once per
    distinct set of blockaded segments (:func:`geokit.timeline.blockade_sets`), never once per day.

    Parameters
    ----------
    network : RoadNetwork
    edge_ids : ndarray of int
        The edge id of each segment position of ``spans`` (``segments["edge_id"]``).
    spans : dict of ndarray
        :func:`geokit.timeline.segment_intervals` (level 2 is blockaded).
    destination : str or (lon, lat)
        The place every distance is measured to (the capital).
    cache : dict, optional
        Results by blockaded set, shared by the calls on one network and destination (a build's windows).

    Returns
    -------
    dict
        ``days`` and ``which`` (the change days and the set in force from each, as
        :func:`~geokit.timeline.blockade_sets`), ``km`` (one row per set, one column per row of
        ``network.places``: road km to the destination avoiding the set, NaN when none), ``label`` (per set,
        the component of each place's node without the set), and ``boundary`` (a frame of ``set``,
        ``label`` and ``segment``: the blockaded segments at the edge of each component, those whose
        blockade cuts it off).

    Examples
    --------
    >>> import shapely
    >>> from geokit.network import build_network
    >>> roads = gpd.GeoDataFrame(geometry=[shapely.LineString([(-8.0, 12.65), (-8.07, 12.74)])], crs=4326)
    >>> towns = gpd.GeoDataFrame({"name": ["Bamako", "Kati"]}, crs=4326,
    ...     geometry=[shapely.Point(-8.0, 12.65), shapely.Point(-8.07, 12.74)])
    >>> net = build_network(roads, places=towns)
    >>> spans = {"key": np.array([0]), "level": np.array([2]), "start": np.array([100]), "stop": np.array([130])}
    >>> out = isolation_periods(net, net.edges["edge_id"].to_numpy(), spans, "Bamako")
    >>> out["days"][1:].tolist(), np.isnan(out["km"][out["which"]][:, 1]).tolist()  # Kati, before/during/after
    ([100, 130], [False, True, False])
    """
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import connected_components, dijkstra

    from geokit.timeline import blockade_sets

    days, which, sets = blockade_sets(spans)
    dest = int(find_node(network, destination))
    nodes = network.places["node_id"].to_numpy(np.int64)
    edge_ids = np.asarray(edge_ids, np.int64)
    uv = network.edges.set_index("edge_id").loc[edge_ids, ["u", "v"]].to_numpy(np.int64)  # by segment position
    # the graph's edges shortest first, as network.route reads them: of parallel edges the shortest open one counts
    u, v, length, key = network.edges_by_length
    n = network.graph.number_of_nodes()
    loop = u == v
    pair = np.minimum(u, v) * n + np.maximum(u, v)
    cache = cache if cache is not None else {}
    km, label, segment, side, count = [], [], [], [], []
    for members in sets:
        blocked = edge_ids[members]
        memo = (dest, blocked.tobytes())
        if memo not in cache:
            keep = np.flatnonzero(~loop & ~np.isin(key, blocked))
            _, first = np.unique(pair[keep], return_index=True)
            pick = keep[first]
            weights = csr_matrix((np.r_[length[pick], length[pick]], (np.r_[u[pick], v[pick]], np.r_[v[pick], u[pick]])),
                                 shape=(n, n))  # one matrix for the distances and the components
            dist = dijkstra(weights, indices=dest)
            comp = connected_components(weights, directed=False)[1]
            ends = uv[members]
            split = comp[ends[:, 0]] != comp[ends[:, 1]]  # a blockaded segment between two components
            cache[memo] = (np.where(np.isfinite(dist[nodes]), dist[nodes], np.nan), comp[nodes],
                           np.r_[members[split], members[split]], np.r_[comp[ends[split, 0]], comp[ends[split, 1]]])
        dist_p, comp_p, seg, lab = cache[memo]
        km.append(dist_p)
        label.append(comp_p)
        segment.append(seg)
        side.append(lab)
        count.append(len(seg))
    boundary = pd.DataFrame({"set": np.repeat(np.arange(len(sets)), count), "label": np.concatenate(side),
                             "segment": np.concatenate(segment)})
    return {"days": days, "which": which, "km": np.vstack(km), "label": np.vstack(label), "boundary": boundary}
