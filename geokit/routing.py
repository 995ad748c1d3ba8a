"""Route options: the shortest open route, the least-exposed one, and the trade-offs between them.

A convoy planner chooses by distance *and* danger: an open road that passes six recent ambush sites is not
the same as a longer one that passes none. :func:`route_options` gives, between two places on a given day,
a handful of routes that avoid every segment blockaded that day:

- the **shortest open** route;
- the **least exposed** route (within the extra distance the planner accepts: ``max_extra_km`` or
  ``max_extra_ratio``);
- the non-dominated routes between them (no option is both longer and more exposed than another), each
  meaningfully different from every option kept before it.

Exposure
--------
One measure, in **incident-km**: for each road segment, its length in km times the number of look-back
incidents that reach it, summed along the route. An incident *reaches* a segment as it does for the
segment status: it lies within ``radius_km`` of it (``imprecise_radius_km`` for incidents located only to
an area). The *look-back* is the at-risk look-back of the status rules: an incident dated D counts on
days D to D + ``at_risk_days`` - 1 (90 by default). In plain words, an option's exposure is the number of
km driven within reach of a recent incident, a km within reach of two incidents counting twice: 20 km of
road within 10 km of one ambush is 20 incident-km. With ``half_life_days`` each incident counts
``0.5 ** (age / half_life_days)`` instead of 1 (age in days on the day asked for), as the risk score does.
The measure adds up along a route, so the least-exposed route is an ordinary shortest path on it.

The tables also give, per option, the distinct look-back incidents that reach it (``incidents``, each counted
once however many km it reaches) and their ``fatalities``, the km ``at_risk`` and ``blockaded`` that day (the
latter is 0: every option avoids the blockade), and the towns and crossings it passes.

Method
------
The supported Pareto set of (length, exposure) by weighted sums, each a Dijkstra run on sparse matrices
(scipy, as :mod:`geokit.network` routes): minimise ``a * length + b * exposure`` for weights chosen by the
dichotomic (non-inferior set estimation) scheme of Cohon (1978) and Aneja & Nair (1979), "Bicriteria
transportation problem", Management Science 25(1): start from the two extremes, and between two neighbouring
solutions P and Q take the weights of the line through them, ``a = E_P - E_Q`` and ``b = L_Q - L_P``; a new
solution below the line is a new supported point, recursed on both sides. This finds every *supported*
Pareto point (those on the convex hull), not the few in the front's concave parts (an exact label-setting
search, Martins 1984, would; at most ``MAX_RUNS`` Dijkstra runs per query keep the cost bounded). Within the
extra distance accepted, a longer point counts only when it saves at least ``MIN_GAIN`` (5 %) of the exposure
of the shorter one before it, so "least exposed" means least exposed to within 5 %. Options are then kept in
order (the shortest, the least exposed, then the others shortest first) only when they share less than
``max_shared`` (0.7 by default) of the shorter one's length with every option already kept: the overlap
measure of Chondrogiannis et al., "Finding k-shortest paths with limited overlap", The VLDB Journal 29
(2020), so that no option is the same road with a 1 km variant.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from geokit._errors import InputError
from geokit.network import Place, RoadNetwork, find_node
from geokit.palette import AT_RISK, BLOCKADED
from geokit.schema import WGS84
from geokit.timeline import day_date, day_number

__all__ = ["EXPOSURE_UNIT", "MAX_SHARED", "MIN_GAIN", "MAX_OPTIONS", "NO_OPEN_ROUTE", "ROUTE_OPTION_COLUMNS",
           "ROUTE_OPTION_DEFINITIONS", "DayExposure", "day_exposure", "route_options", "corridor_route_options",
           "parse_place"]

#: The unit of ``exposure_incident_km``: km of road times the (time-weighted) incidents reaching it.
EXPOSURE_UNIT = "incident-km"
#: Options sharing this share of the shorter one's length (or more) are the same option: the later is dropped.
MAX_SHARED = 0.7
#: A longer option is listed only when it is at least this share less exposed than the shorter one before it
#: (200 km more to save 0.1 of 48.7 incident-km is not an option a planner weighs).
MIN_GAIN = 0.05
#: At most this many options per origin, destination and day.
MAX_OPTIONS = 4
#: At most this many weighted-sum Dijkstra runs per origin, destination and day (the two extremes included).
MAX_RUNS = 16
#: Exposure (incident-km) and length (km) differences below these are ties.
_EPS = 1e-9

#: The columns of :func:`route_options` (``route_options.csv``), the geometry aside.
ROUTE_OPTION_COLUMNS = ["corridor", "on", "occasion", "option", "kind", "length_km", "extra_km",
                        "exposure_incident_km", "blockaded_km", "at_risk_km", "incidents", "fatalities", "towns",
                        "crossings", "not_on_shortest"]

#: What each column means (README and the brief say the same).
ROUTE_OPTION_DEFINITIONS = {
    "corridor": "the corridor (or 'origin - destination' for a route asked for by place)",
    "on": "the day the options are for: the segments blockaded that day are avoided",
    "occasion": "why that day: 'window end', 'map step end', 'blockade began' ('; '-joined when several), or "
                "'asked' (route_options, geokit route)",
    "option": "1 is the shortest open route; the others follow by length",
    "kind": "'shortest', 'least exposed' (to within 5 %, within the extra distance accepted), 'shortest, least "
            "exposed' or 'trade-off'; in a build's table, 'no open route' (option 0, no numbers) when the blockade "
            "leaves none that day",
    "length_km": "length of the route",
    "extra_km": "km more than the shortest open route",
    "exposure_incident_km": f"{EXPOSURE_UNIT}: km of the route times the look-back incidents reaching them "
                            "(decayed by half_life_days when set), the measure the least-exposed route minimises",
    "blockaded_km": "km of the route blockaded on the day (0: options avoid the blockade)",
    "at_risk_km": "km of the route at risk on the day",
    "incidents": "distinct incidents of the look-back (at_risk_days) reaching the route",
    "fatalities": "fatalities of those incidents (blank when none is known)",
    "towns": "towns the route passes, in order",
    "crossings": "border crossings the route passes, in order",
    "not_on_shortest": "towns and crossings the option passes that the shortest open route does not",
}


@dataclass(frozen=True)
class DayExposure:
    """What routing on one day needs, edge by edge (by ``edge_id``): status, exposure and the look-back pairs.

    Attributes
    ----------
    day : int
        Day number (:func:`geokit.timeline.day_number`).
    length_km, exposure : ndarray of float
        Each edge's length and exposure (incident-km).
    status : ndarray of str
        Each edge's status on the day.
    pair_edge, pair_incident : ndarray of int
        The (edge, incident) pairs of the look-back: incident positions in ``incidents``.
    incidents : DataFrame
        The incidents of the analysis's join (``event_id``, ``date``, ``fatalities``...).

    Examples
    --------
    >>> day = day_exposure(result, "2025-09-30")
    >>> int(day.blockaded.size) > 0, len(day.pair_edge) == len(day.pair_incident)
    (True, True)
    """

    day: int
    length_km: np.ndarray
    exposure: np.ndarray
    status: np.ndarray
    pair_edge: np.ndarray
    pair_incident: np.ndarray
    incidents: pd.DataFrame

    @property
    def blockaded(self) -> np.ndarray:
        """Edge ids blockaded on the day."""
        return np.flatnonzero(self.status == BLOCKADED)


def day_exposure(analysis: object, on: object = None) -> DayExposure:
    """Each edge's status and exposure (incident-km) on a day, from the analysis's spatial join and timeline.

    Parameters
    ----------
    analysis : Analysis
        :func:`geokit.analysis.analyse` with corridors and a window (it has a timeline).
    on : date-like, optional
        The day, within the analysis's window; its last day when omitted.

    Returns
    -------
    DayExposure

    Examples
    --------
    >>> day = day_exposure(result, "2025-09-30")
    >>> int((day.status == "blockaded").sum()) > 0, round(float(day.exposure.max()), 1)  # 1 incident, edges of 5 km at most
    (True, 4.9)
    """
    timeline, join = getattr(analysis, "timeline", None), getattr(analysis, "join", None)
    if timeline is None or join is None:
        raise InputError("route options need an analysis with corridors and a window (its timeline and join)")
    day = timeline.end if on is None else int(on) if isinstance(on, int | np.integer) else day_number(on)
    if not timeline.start <= day <= timeline.end:
        raise InputError(f"{day_date(day):%Y-%m-%d} is outside the analysis's window "
                         f"{day_date(timeline.start):%Y-%m-%d} to {day_date(timeline.end):%Y-%m-%d}: analyse a "
                         "window that contains it")
    params = analysis.params  # type: ignore[attr-defined]
    segments = analysis.segments  # type: ignore[attr-defined]
    network: RoadNetwork = analysis.network  # type: ignore[attr-defined]
    n = len(network.edges)
    edge_of = segments["edge_id"].to_numpy(np.int64)  # segment position -> edge id
    length = np.zeros(n)
    length[network.edges["edge_id"].to_numpy(np.int64)] = network.edges["length_km"].to_numpy(float)
    status = np.empty(n, dtype=object)
    status[edge_of] = timeline.segment_status_on(day)
    inc = join["incidents"]
    first = join["day"]  # each incident's day number
    last = inc["date_end"].dt.normalize().fillna(inc["date"].dt.normalize()).to_numpy("datetime64[D]") \
        .astype(np.int64) if "date_end" in inc else first
    last = np.maximum(last, first)
    lookback = (first <= day) & (last >= day - params.rules.at_risk_days + 1)
    weight = np.ones(len(inc))
    if params.half_life_days:
        weight = 0.5 ** (np.maximum(day - first, 0) / params.half_life_days)
    keep = lookback[join["incident"]]
    pair_edge, pair_incident = edge_of[join["segment"][keep]], join["incident"][keep]
    exposure = length * np.bincount(pair_edge, weights=weight[pair_incident], minlength=n)
    return DayExposure(day=day, length_km=length, exposure=exposure, status=status, pair_edge=pair_edge,
                       pair_incident=pair_incident, incidents=inc)


@dataclass(frozen=True)
class _Graph:
    """The open edges of a day grouped by node pair, as one sparse matrix whose weights each weighted-sum run
    replaces (the structure is built once per day, the weights in one vector operation per run)."""

    n: int
    edge: np.ndarray  # open edge ids, grouped by node pair
    starts: np.ndarray  # where each pair's group begins in ``edge``
    length: np.ndarray  # by position in ``edge``
    exposure: np.ndarray
    group_of: np.ndarray  # the pair group of each stored entry of ``matrix``
    matrix: csr_matrix
    pair: dict[tuple[int, int], int]  # (low node, high node) -> group


def _open_graph(network: RoadNetwork, day: DayExposure) -> _Graph:
    u, v, _, key = network.edges_by_length
    keep = (u != v) & (day.status[key] != BLOCKADED)  # a loop never shortens a path
    u, v, key = u[keep], v[keep], key[keep]
    n = network.graph.number_of_nodes()
    lo, hi = np.minimum(u, v), np.maximum(u, v)
    order = np.argsort(lo * n + hi, kind="stable")  # stable: in each pair, the order of edges_by_length
    code = (lo * n + hi)[order]
    starts = np.flatnonzero(np.r_[True, code[1:] != code[:-1]])
    a, b = lo[order][starts], hi[order][starts]
    group = np.arange(len(starts))
    matrix = csr_matrix((np.r_[group, group] + 1.0, (np.r_[a, b], np.r_[b, a])), shape=(n, n))
    edge = key[order]
    return _Graph(n=n, edge=edge, starts=starts, length=day.length_km[edge], exposure=day.exposure[edge],
                  group_of=matrix.data.astype(np.int64) - 1, matrix=matrix,
                  pair=dict(zip(zip(a.tolist(), b.tolist()), group.tolist())))


def _cheapest(graph: _Graph, a: float, b: float, stops: Sequence[int]) -> tuple[list[int], list[int]] | None:
    """The edge ids and nodes of the path through ``stops`` minimising ``a * length + b * exposure`` (a, b > 0;
    of parallel edges the cheapest, then the first by length), or None when there is none."""
    cost = a * graph.length + b * graph.exposure
    best = np.minimum.reduceat(cost, graph.starts) if len(cost) else cost
    weights = graph.matrix.copy()
    weights.data = best[graph.group_of]
    path = [int(stops[0])]
    for s, t in zip(stops, stops[1:]):
        _, before = dijkstra(weights, indices=int(s), return_predecessors=True)
        leg = [int(t)]
        while leg[-1] != int(s):
            if before[leg[-1]] < 0:
                return None
            leg.append(int(before[leg[-1]]))
        path.extend(reversed(leg[:-1]))
    edges = []
    ends = np.r_[graph.starts[1:], len(graph.edge)]
    for x, y in zip(path, path[1:]):
        g = graph.pair[(min(x, y), max(x, y))]
        lo, hi = graph.starts[g], ends[g]
        edges.append(int(graph.edge[lo + int(np.argmin(cost[lo:hi]))]) if hi - lo > 1 else int(graph.edge[lo]))
    return edges, path


def _supported(solve: Callable[[float, float], tuple[list[int], list[int]] | None],
               totals: Callable[[list[int]], tuple[float, float]], max_runs: int = MAX_RUNS
               ) -> dict[tuple[int, ...], list[int]]:
    """The supported Pareto paths of (length, exposure) by the dichotomic weighted-sum scheme (module doc):
    edge ids -> nodes."""
    first = solve(1.0, 1e-6)
    if first is None:
        return {}
    last = solve(1e-6, 1.0)
    assert last is not None  # the same graph and stops: reachable
    shortest, safest = tuple(first[0]), tuple(last[0])
    nodes = {shortest: first[1], safest: last[1]}
    found = {shortest: totals(first[0]), safest: totals(last[0])}
    runs = 2
    todo = [(shortest, safest)]
    while todo and runs < max_runs:
        p, q = todo.pop(0)
        (lp, ep), (lq, eq) = found[p], found[q]
        if lq - lp <= _EPS or ep - eq <= _EPS:
            continue
        a, b = ep - eq, lq - lp
        solved = solve(a, b)
        runs += 1
        if solved is None:
            continue
        r = tuple(solved[0])
        lr, er = totals(solved[0])
        if a * lr + b * er < a * lp + b * ep - 1e-9 * (a * lp + b * ep) and r not in found:
            found[r], nodes[r] = (lr, er), solved[1]
            todo += [(p, r), (r, q)]
    return nodes


def _non_dominated(points: list[tuple[float, float]]) -> list[int]:
    """Positions of the points no other point dominates (shorter or as short, and less or as exposed, one of
    them strictly), shortest first."""
    order = sorted(range(len(points)), key=lambda i: points[i])
    keep, best = [], np.inf
    for i in order:
        if points[i][1] < best - _EPS:
            keep.append(i)
            best = points[i][1]
    return keep


def _shared_km(a: np.ndarray, b: np.ndarray, length: np.ndarray) -> float:
    return float(length[np.intersect1d(a, b)].sum())


def _pick(paths: list[np.ndarray], length: np.ndarray, exposure: np.ndarray, *, cap_km: float,
          max_shared: float, max_options: int) -> list[tuple[int, str]]:
    """The options to show: (position in ``paths``, kind), shortest first (module doc)."""
    totals = [(float(length[p].sum()), float(exposure[p].sum())) for p in paths]
    front = _non_dominated(totals)
    shortest = front[0]
    within = [shortest]  # within the cap, each saving at least MIN_GAIN of the exposure of the one before
    for i in front[1:]:
        if totals[i][0] <= totals[shortest][0] + cap_km + _EPS \
                and totals[i][1] <= (1 - MIN_GAIN) * totals[within[-1]][1] - _EPS:
            within.append(i)
    safest = within[-1]
    kept: list[int] = []
    for i in [shortest, safest, *within[1:-1]]:
        if len(kept) == max_options:
            break
        if i in kept:
            continue
        if all(_shared_km(paths[i], paths[j], length) < max_shared * min(totals[i][0], totals[j][0]) for j in kept):
            kept.append(i)
    kept.sort(key=lambda i: totals[i])
    kinds = {shortest: "shortest", safest: "least exposed"}
    if shortest == safest:
        kinds = {shortest: "shortest, least exposed"}
    return [(i, kinds.get(i, "trade-off")) for i in kept]


def _names(network: RoadNetwork, nodes: Sequence[int], kind: str) -> list[str]:
    out: dict[str, None] = {}
    for node in nodes:
        for name, k in network.places_at.get(int(node), ()):
            if k == kind:
                out.setdefault(name, None)
    return list(out)


def _option_rows(network: RoadNetwork, day: DayExposure, paths: list[np.ndarray], path_nodes: list[list[int]],
                 picked: list[tuple[int, str]]) -> list[dict]:
    fatalities = pd.to_numeric(day.incidents["fatalities"], errors="coerce").to_numpy() \
        if "fatalities" in day.incidents else np.full(len(day.incidents), np.nan)
    geoms = network.edges.geometry.array
    rows = []
    base_places: set[str] = set()
    base_length = float(day.length_km[paths[picked[0][0]]].sum()) if picked else 0.0
    for rank, (i, kind) in enumerate(picked, 1):
        edges = paths[i]
        on_route = np.zeros(len(day.length_km), bool)
        on_route[edges] = True
        reached = np.unique(day.pair_incident[on_route[day.pair_edge]])
        fat = fatalities[reached]
        nodes = path_nodes[i]
        towns, crossings = _names(network, nodes, "city"), _names(network, nodes, "crossing")
        if rank == 1:
            base_places = set(towns) | set(crossings)
        length = float(day.length_km[edges].sum())
        rows.append({
            "option": rank, "kind": kind, "length_km": length, "extra_km": length - base_length,
            "exposure_incident_km": float(day.exposure[edges].sum()),
            "blockaded_km": float(day.length_km[edges][day.status[edges] == BLOCKADED].sum()),
            "at_risk_km": float(day.length_km[edges][day.status[edges] == AT_RISK].sum()),
            "incidents": int(len(reached)),
            "fatalities": float(np.nansum(fat)) if len(fat) and not np.isnan(fat).all() else np.nan,
            "towns": "; ".join(towns), "crossings": "; ".join(crossings),
            "not_on_shortest": "; ".join(p for p in towns + crossings if p not in base_places),
            "edge_ids": edges.tolist(),
            "geometry": shapely.line_merge(shapely.multilinestrings(geoms[edges])) if len(edges) else shapely.LineString(),
        })
    return rows


def _check_options(max_extra_km: float | None, max_extra_ratio: float | None, max_options: int,
                   max_shared: float) -> None:
    for name, value in (("max_extra_km", max_extra_km), ("max_extra_ratio", max_extra_ratio)):
        if value is not None and not (np.isfinite(value) and value >= 0):
            raise InputError(f"{name} must be a number >= 0, not {value!r}")
    if int(max_options) != max_options or max_options < 1:
        raise InputError(f"max_options must be a whole number >= 1, not {max_options!r}")
    if not 0 < max_shared <= 1:
        raise InputError(f"max_shared must be a share in (0, 1], not {max_shared!r}")


def _options(network: RoadNetwork, day: DayExposure, stops: Sequence[int], *, max_extra_km: float | None,
             max_extra_ratio: float | None, max_options: int, max_shared: float,
             graph: _Graph | None = None) -> list[dict]:
    graph = graph if graph is not None else _open_graph(network, day)

    def totals(path: list[int]) -> tuple[float, float]:
        return float(day.length_km[path].sum()), float(day.exposure[path].sum())

    paths = _supported(lambda a, b: _cheapest(graph, a, b, stops), totals)
    if not paths:
        return []
    arrays = [np.asarray(p, dtype=np.int64) for p in paths]
    path_nodes = list(paths.values())
    shortest_km = min(float(day.length_km[p].sum()) for p in arrays)
    cap = np.inf
    if max_extra_km is not None:
        cap = min(cap, float(max_extra_km))
    if max_extra_ratio is not None:
        cap = min(cap, float(max_extra_ratio) * shortest_km)
    picked = _pick(arrays, day.length_km, day.exposure, cap_km=cap, max_shared=max_shared,
                   max_options=max_options)
    return _option_rows(network, day, arrays, path_nodes, picked)


#: The ``kind`` of a build table's row for a corridor the blockade leaves without any open route that day.
NO_OPEN_ROUTE = "no open route"


def _frame(rows: list[dict]) -> gpd.GeoDataFrame:
    columns = [*ROUTE_OPTION_COLUMNS, "edge_ids", "geometry"]
    frame = gpd.GeoDataFrame(pd.DataFrame(rows, columns=columns), geometry="geometry", crs=WGS84)
    return frame.astype({"option": int, "incidents": "Int64"}) if len(frame) else frame


def parse_place(text: str) -> str | tuple[float, float]:
    """A place as given on the command line: ``"lon,lat"`` as a point, anything else as a name.

    Parameters
    ----------
    text : str
        A place name, or longitude and latitude separated by a comma.

    Returns
    -------
    str or (float, float)

    Examples
    --------
    >>> parse_place("-11.44,14.44"), parse_place("Kayes")
    ((-11.44, 14.44), 'Kayes')
    """
    parts = text.split(",")
    if len(parts) == 2:
        try:
            lon, lat = float(parts[0]), float(parts[1])
        except ValueError:
            return text
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise InputError(f"{text!r} is not lon,lat: longitude within -180..180, latitude within -90..90")
        return lon, lat
    return text


def route_options(analysis: object, origin: Place, destination: Place, *, on: object = None,
                  via: Sequence[Place] = (), max_extra_km: float | None = None,
                  max_extra_ratio: float | None = None, max_options: int = MAX_OPTIONS,
                  max_shared: float = MAX_SHARED, name: str | None = None) -> gpd.GeoDataFrame:
    """Route options between two places on a day: shortest open, least exposed and the trade-offs between.

    See the module's documentation for the exposure measure (incident-km) and the method.

    Parameters
    ----------
    analysis : Analysis
        :func:`geokit.analysis.analyse` with corridors and a window.
    origin, destination : str or (lon, lat)
        Place names of the network (case and accents ignored) or points.
    on : date-like, optional
        The day (within the analysis's window); its last day when omitted.
    via : sequence of places, optional
        Places every option passes, in order.
    max_extra_km, max_extra_ratio : float, optional
        The most extra distance accepted over the shortest open route, in km or as a share of it (0.25:
        25 % longer); with both, the smaller. Options beyond it are not listed.
    max_options : int, default 4
        At most this many options.
    max_shared : float, default 0.7
        An option sharing this share of the shorter one's length with an option already kept is dropped.
    name : str, optional
        The ``corridor`` column; ``"origin - destination"`` when omitted.

    Returns
    -------
    GeoDataFrame in EPSG:4326
        One row per option, shortest first (:data:`ROUTE_OPTION_COLUMNS`, ``edge_ids`` and the line); empty when
        no open road joins the places that day.

    Examples
    --------
    >>> options = route_options(result, "Kayes", "Bamako", on="2025-09-30")
    >>> options[["option", "kind", "blockaded_km", "incidents"]].values.tolist()  # the direct road is blockaded
    [[1, 'shortest, least exposed', 0.0, 0]]
    >>> options.loc[0, "towns"]
    'Kayes; Bafoulabe; Kita; Bamako'
    """
    _check_options(max_extra_km, max_extra_ratio, max_options, max_shared)
    network: RoadNetwork = analysis.network  # type: ignore[attr-defined]
    day = day_exposure(analysis, on)
    stops = [find_node(network, p) for p in (origin, *via, destination)]
    rows = _options(network, day, stops, max_extra_km=max_extra_km, max_extra_ratio=max_extra_ratio,
                    max_options=max_options, max_shared=max_shared)
    label = name if name is not None else f"{origin} - {destination}"
    for row in rows:
        row.update(corridor=label, on=day_date(day.day), occasion="asked")
    return _frame(rows)


def _corridor_days(analysis: object, steps: Sequence[tuple[object, object]] = ()) -> dict[int, dict[str, str]]:
    """The days a build gives each corridor's options for, and why: the window's end, each map step's end, and
    the first day of each of the corridor's blockaded episodes (the window's first day when it began earlier).
    Day number -> corridor -> why."""
    timeline = analysis.timeline  # type: ignore[attr-defined]
    common = {timeline.end: ["window end"]}
    for _, end in steps:
        common.setdefault(min(day_number(end), timeline.end), []).append("map step end")
    days: dict[int, dict[str, list[str]]] = {}
    for name in timeline.corridor_names:
        for d, why in common.items():
            days.setdefault(d, {}).setdefault(name, []).extend(why)
    episodes = timeline.episodes
    if len(episodes):
        blockaded = episodes[episodes["status"].astype(str) == BLOCKADED]
        for name, start in zip(blockaded["corridor"], blockaded["start"]):
            d = max(day_number(start), timeline.start)
            days.setdefault(d, {}).setdefault(name, []).append("blockade began")
    return {d: {name: "; ".join(dict.fromkeys(why)) for name, why in days[d].items()} for d in sorted(days)}


def corridor_route_options(analysis: object, *, steps: Sequence[tuple[object, object]] = (),
                           max_extra_km: float | None = None, max_extra_ratio: float | None = None,
                           max_options: int = MAX_OPTIONS, max_shared: float = MAX_SHARED
                           ) -> gpd.GeoDataFrame:
    """Every corridor's route options (origin to destination, the via places not imposed) on the window's last
    day, the last day of each map step in ``steps`` and the first day of each blockaded episode.

    A corridor's via places draw its usual road; a convoy avoiding danger need not pass them, so the options
    join its origin and destination only. The exposure of each day is computed once for all corridors.

    Parameters
    ----------
    analysis : Analysis
        With corridors and a window.
    steps : sequence of (start, end), optional
        The map's steps (their last days are added).
    max_extra_km, max_extra_ratio, max_options, max_shared
        As for :func:`route_options`.

    Returns
    -------
    GeoDataFrame in EPSG:4326
        :data:`ROUTE_OPTION_COLUMNS` with ``edge_ids`` and the line, by corridor (in the project's order), day
        and option; a corridor left without any open route on a day has one row, option 0 of kind
        ``"no open route"``, with blank numbers.

    Examples
    --------
    >>> table = corridor_route_options(result)
    >>> table[["corridor", "occasion", "option", "kind"]].values.tolist()
    [['Kayes-Bamako', 'blockade began', 1, 'shortest, least exposed'], ['Kayes-Bamako', 'window end', 1, 'shortest, least exposed']]
    """
    _check_options(max_extra_km, max_extra_ratio, max_options, max_shared)
    network: RoadNetwork = analysis.network  # type: ignore[attr-defined]
    routes = analysis.routes  # type: ignore[attr-defined]
    if routes is None or getattr(analysis, "timeline", None) is None:
        raise InputError("route options need an analysis with corridors and a window")
    rows: list[dict] = []
    ends = {name: (int(s[0]), int(s[-1])) for name, s in zip(routes["name"], routes["stops"])}
    for d, corridors in _corridor_days(analysis, steps).items():
        day = day_exposure(analysis, d)
        graph = _open_graph(network, day)
        for name, why in corridors.items():
            found = _options(network, day, ends[name], max_extra_km=max_extra_km, max_extra_ratio=max_extra_ratio,
                             max_options=max_options, max_shared=max_shared, graph=graph)
            if not found:  # the fact a planner needs most: said, not left out
                found = [{"option": 0, "kind": NO_OPEN_ROUTE, "incidents": pd.NA, "towns": "", "crossings": "",
                          "not_on_shortest": "", "edge_ids": [], "geometry": shapely.LineString()}]
            for row in found:
                row.update(corridor=name, on=day_date(d), occasion=why)
                rows.append(row)
    frame = _frame(rows)
    if len(frame):
        order = {name: i for i, name in enumerate(routes["name"])}
        frame = frame.sort_values(["corridor", "on", "option"], key=lambda s: s.map(order) if s.name == "corridor"
                                  else s, kind="stable").reset_index(drop=True)
    return frame
