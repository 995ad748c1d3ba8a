"""Networks, corridors, detours and isolation on hand-built layers with hand-computed answers."""

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Geod

from geokit import InputError
from geokit.corridors import (NO_ALTERNATIVE, alternative_routes, corridor_status, crossing_access, detours,
                              isolation, route_corridors)
from geokit.exposure import road_exposure
from geokit.network import build_network, find_node, route_between
from geokit.project import CorridorSpec

UTM = 32629
X0, Y0 = 500_000, 1_400_000
GEOD = Geod(ellps="WGS84")


def km(*xy):
    """Geodesic length (km) of a polyline given in UTM offsets from (X0, Y0), in km."""
    line = gpd.GeoSeries([shapely.LineString([(X0 + x * 1000, Y0 + y * 1000) for x, y in xy])], crs=UTM)
    return GEOD.geometry_length(line.to_crs(4326).iloc[0]) / 1000


def line(*xy):
    return shapely.LineString([(X0 + x * 1000, Y0 + y * 1000) for x, y in xy])


def point(x, y):
    return shapely.Point(X0 + x * 1000, Y0 + y * 1000)


@pytest.fixture
def two_routes():
    """A and B joined by a northern road via N (with border crossing X) and a southern one via S;
    D hangs off B on a single bridge road."""
    roads = gpd.GeoDataFrame({"name": ["north", "south", "bridge"]}, crs=UTM, geometry=[
        line((0, 0), (50, 30), (100, 0)), line((0, 0), (50, -40), (100, 0)), line((100, 0), (120, 0))])
    places = gpd.GeoDataFrame({"name": ["A", "B", "D", "X", "N"],
                               "kind": ["city", "city", "city", "crossing", "city"]}, crs=UTM,
                              geometry=[point(0, 0), point(100, 0), point(120, 0), point(25, 15), point(50, 30)])
    return build_network(roads, places=places, segment_km=10, crs=UTM)


def incident_at(x, y, date="2025-09-20"):
    return gpd.GeoDataFrame({"event_id": ["I1"], "date": pd.to_datetime([date]), "event_type": ["Battles"],
                             "sub_event_type": ["Ambush on fuel convoy"], "geo_precision": [1]},
                            geometry=[point(x, y)], crs=UTM)


def test_network_structure(two_routes):
    net = two_routes
    assert net.n_components == 1
    assert net.unattached_places == []
    assert net.edges["length_km"].sum() == pytest.approx(km((0, 0), (50, 30), (100, 0)) + km(
        (0, 0), (50, -40), (100, 0)) + km((100, 0), (120, 0)), rel=1e-9)
    assert (net.edges["length_km"] <= 10.0 / 0.9996 + 1e-6).all()  # segment_km = 10 in the UTM plane
    # the only dead end is D
    assert net.dangling["place"].tolist() == ["D"]
    assert not net.dangling["near_miss"].any()


def test_corridor_takes_the_shorter_route_and_names_its_crossing(two_routes):
    out = route_corridors(two_routes, [CorridorSpec("A-B", "A", "B")])
    assert out.loc[0, "length_km"] == pytest.approx(km((0, 0), (50, 30), (100, 0)), rel=1e-9)
    assert out.loc[0, "crossings"] == "X"
    assert out.loc[0, "towns"] == "A; N; B"
    # a [lon, lat] waypoint on the southern road forces that road
    s_lonlat = gpd.GeoSeries([point(50, -40)], crs=UTM).to_crs(4326).iloc[0]
    forced = route_corridors(two_routes, [CorridorSpec("A-B south", "A", "B", via=((s_lonlat.x, s_lonlat.y),))])
    assert forced.loc[0, "length_km"] == pytest.approx(km((0, 0), (50, -40), (100, 0)), rel=1e-6)


def test_blockading_one_route_gives_the_other_as_detour(two_routes):
    net = two_routes
    seg = road_exposure(net.edges, incident_at(75, 15), radius_km=2, end="2025-09-30", crs=UTM)
    blocked = seg[seg["status"] == "blockaded"]
    assert len(blocked) >= 1 and set(blocked["name"]) == {"north"}
    status = corridor_status(net, seg, [CorridorSpec("A-B", "A", "B")])
    row = status.iloc[0]
    north, south = km((0, 0), (50, 30), (100, 0)), km((0, 0), (50, -40), (100, 0))
    assert row["status"] == "blockaded"
    assert row["blockaded_km"] == pytest.approx(blocked["length_km"].sum())
    assert row["detour"] == "ok"
    assert row["detour_km"] == pytest.approx(south, rel=1e-9)
    assert row["detour_extra_km"] == pytest.approx(south - north, rel=1e-9)
    assert row["detour_crossings"] == ""  # the southern road crosses no border
    assert row["towns_cut_off"] == "" and row["detour_skips"] == ""
    assert row["blockaded_since"] == pd.Timestamp("2025-09-20")
    lines = detours(net, seg, status)
    assert lines.loc[0, "detour_km"] == pytest.approx(south, rel=1e-9)


def test_a_single_road_cut_leaves_no_alternative(two_routes):
    net = two_routes
    seg = road_exposure(net.edges, incident_at(110, 0), radius_km=1, end="2025-09-30", crs=UTM)
    row = corridor_status(net, seg, [CorridorSpec("A-D", "A", "D")]).iloc[0]
    assert row["status"] == "blockaded"
    assert row["detour"] == NO_ALTERNATIVE
    assert np.isnan(row["detour_km"])
    assert row["towns_cut_off"] == "N; B"  # every town before the cut loses D; A is the origin itself


def test_open_corridor_needs_no_detour(two_routes):
    seg = road_exposure(two_routes.edges, incident_at(50, -40, "2024-01-01"), radius_km=1,
                        start="2025-09-01", end="2025-09-30", crs=UTM)
    row = corridor_status(two_routes, seg, [CorridorSpec("A-B", "A", "B")]).iloc[0]
    assert row["status"] == "open" and row["detour"] == "not needed" and row["blockaded_km"] == 0


def test_isolation_and_crossing_access(two_routes):
    net = two_routes
    seg = road_exposure(net.edges, incident_at(75, 15), radius_km=2, end="2025-09-30", crs=UTM)
    iso = isolation(net, seg, "B").set_index("place")
    x_before = km((25, 15), (50, 30), (100, 0))
    x_after = km((25, 15), (0, 0)) + km((0, 0), (50, -40), (100, 0))
    assert iso.loc["X", "before_km"] == pytest.approx(x_before, rel=1e-6)
    assert iso.loc["X", "after_km"] == pytest.approx(x_after, rel=1e-6)
    assert iso.loc["X", "isolation"] == "longer"
    # A: 116.6 -> 128.1 km is +9.8%, under the 25% threshold
    assert iso.loc["A", "increase_share"] == pytest.approx(km((0, 0), (50, -40), (100, 0)) / km((0, 0), (50, 30), (100, 0)) - 1)
    assert iso.loc["A", "isolation"] == "unchanged"
    access = crossing_access(net, seg, "B")
    assert access["place"].tolist() == ["X"] and access["reaches_destination"].tolist() == [True]


def test_alternative_routes_are_ranked(two_routes):
    alts = alternative_routes(two_routes, "A", "B", k=3)
    north, south = km((0, 0), (50, 30), (100, 0)), km((0, 0), (50, -40), (100, 0))
    assert alts["rank"].tolist() == [1, 2]
    assert alts["length_km"].tolist() == pytest.approx([north, south], rel=1e-9)
    assert alts["extra_km"].tolist() == pytest.approx([0, south - north], rel=1e-9)


def test_snapping_joins_near_ends_and_reports_near_misses():
    roads = gpd.GeoDataFrame(crs=UTM, geometry=[line((0, 0), (10, 0)), line((10.03, 0), (20, 0))])  # 30 m gap
    assert build_network(roads, snap_tolerance_m=50, crs=UTM).n_components == 1
    loose = build_network(roads, snap_tolerance_m=10, crs=UTM)
    assert loose.n_components == 2
    near = loose.dangling[loose.dangling["near_miss"]]
    assert len(near) == 2 and near["gap_m"].round(1).tolist() == [30.0, 30.0]


def test_t_junction_within_tolerance_is_joined():
    roads = gpd.GeoDataFrame(crs=UTM, geometry=[line((0, 0), (20, 0)), line((10, 0.02), (10, 10))])  # 20 m short
    net = build_network(roads, snap_tolerance_m=50, crs=UTM)
    assert net.n_components == 1
    assert len(net.edges) == 3  # the through road is split at the junction
    assert sorted(net.nodes["degree"].tolist()) == [1, 1, 1, 3]


def test_unknown_place_names_suggest_close_matches(two_routes):
    with pytest.raises(InputError, match=r"no place named 'Bb' .*did you mean B"):
        find_node(two_routes, "Bb")
    with pytest.raises(InputError, match="km from the nearest road node"):
        find_node(two_routes, (0.0, 0.0))


def test_places_far_from_roads_are_listed():
    roads = gpd.GeoDataFrame(crs=UTM, geometry=[line((0, 0), (10, 0))])
    places = gpd.GeoDataFrame({"name": ["near", "far"]}, crs=UTM, geometry=[point(5, 1), point(5, 40)])
    net = build_network(roads, places=places, crs=UTM)
    assert net.unattached_places == ["far"]
    assert route_between(net, "near", (net.nodes.geometry.x.iloc[0], net.nodes.geometry.y.iloc[0])) is not None


def test_places_are_a_table_so_a_name_with_a_semicolon_keeps_its_kind():
    from geokit.corridors import _place_names

    roads = gpd.GeoDataFrame(geometry=[shapely.LineString([(-8.0, 12.65), (-7.0, 12.65)])], crs=4326)
    places = gpd.GeoDataFrame({"name": ["Kassa; Nord", "Kassa post", "Far end"],
                               "kind": ["city", "crossing", "city"]}, crs=4326,
                              geometry=[shapely.Point(-8.0, 12.65), shapely.Point(-8.0, 12.65),
                                        shapely.Point(-7.0, 12.65)])
    net = build_network(roads, places=places)
    start = find_node(net, "Kassa; Nord")
    assert find_node(net, "kassa post") == start  # one node carries two places
    assert _place_names(net, [start], "city") == ["Kassa; Nord"]  # the "; " in the name is not a separator
    assert _place_names(net, [start], "crossing") == ["Kassa post"]
    assert net.places["node_id"].tolist() == [start, start, find_node(net, "Far end")]


def test_router_finds_networkx_shortest_distances_with_parallel_edges_and_avoided_ones():
    """route and distances_from run scipy's Dijkstra on sparse matrices: on a random multigraph with
    parallel edges, loops and avoided edges they find the lengths networkx finds, over edges that exist and
    are not avoided, taking the shortest of parallel edges; an unreachable stop gives None."""
    import networkx as nx
    import shapely

    from geokit.network import RoadNetwork, component_labels, distances_from, route

    rng = np.random.default_rng(7)
    n, m = 60, 150
    u, v = rng.integers(0, n, m), rng.integers(0, n, m)
    length = np.round(rng.uniform(0.5, 20, m), 1)  # rounded: equal lengths (ties) happen
    graph = nx.MultiGraph()
    graph.add_nodes_from(range(n + 1))  # node n has no road
    graph.add_edges_from((int(a), int(b), k, {"length_km": float(w)}) for k, (a, b, w) in enumerate(zip(u, v, length)))
    edges = gpd.GeoDataFrame({"edge_id": np.arange(m), "length_km": length}, crs=4326,
                             geometry=[shapely.LineString([(a * 0.01, 0), (b * 0.01, 0.001)]) for a, b in zip(u, v)])
    net = RoadNetwork(graph=graph, edges=edges, nodes=gpd.GeoDataFrame(geometry=[], crs=4326),
                      dangling=gpd.GeoDataFrame(geometry=[], crs=4326), crs=None, snap_tolerance_m=1.0)
    avoid = set(rng.choice(m, 30, replace=False).tolist())
    open_graph = nx.subgraph_view(graph, filter_edge=lambda a, b, k: k not in avoid)
    for source in range(0, n, 7):
        want = nx.single_source_dijkstra_path_length(open_graph, source, weight="length_km")
        got = distances_from(net, source, avoid_edges=avoid)
        assert got.keys() == want.keys() and all(abs(got[k] - want[k]) < 1e-9 for k in want)
        labels = component_labels(net, avoid_edges=avoid)
        assert {k for k in range(n + 1) if labels[k] == labels[source]} == set(want)
        for target in range(1, n + 1, 5):
            found = route(net, [source, target], avoid_edges=avoid)
            if target not in want:
                assert found is None
                continue
            assert found.length_km == pytest.approx(want[target], abs=1e-9)
            assert found.nodes[0] == source and found.nodes[-1] == target and not avoid & set(found.edge_ids)
            for a, b, k in zip(found.nodes, found.nodes[1:], found.edge_ids):
                options = {key: d["length_km"] for key, d in graph.get_edge_data(a, b).items() if key not in avoid}
                assert k in options and options[k] == min(options.values())
    via = route(net, [0, 30, 59])
    legs = [nx.shortest_path_length(graph, a, b, weight="length_km") for a, b in ((0, 30), (30, 59))]
    assert via is not None and via.length_km == pytest.approx(sum(legs)) and 30 in via.nodes
