"""Route options (issue #28): hand-built networks with hand-computed answers, and the shipped Mali layers."""

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
import shapely

import geokit
from conftest import MALI
from geokit import InputError
from geokit.analysis import AnalysisParams, analyse
from geokit.cli import main
from geokit.project import CorridorSpec, load_project
from geokit.brief import route_options_html
from geokit.maps import route_options_layer
from geokit.routing import ROUTE_OPTION_COLUMNS, corridor_route_options, day_exposure, route_options

UTM = 32629
X0, Y0 = 500_000, 1_400_000


def line(*xy):
    return shapely.LineString([(X0 + x * 1000, Y0 + y * 1000) for x, y in xy])


def point(x, y):
    return shapely.Point(X0 + x * 1000, Y0 + y * 1000)


def world(roads, towns, incidents, *, radius_km=10.0, corridor=("A", "B"), **params):
    """Analyse hand-built layers (km offsets in UTM 29N) over September to November 2025."""
    roads = geokit.read_roads(gpd.GeoDataFrame({"ref": [f"R{i}" for i in range(len(roads))]}, crs=UTM,
                                               geometry=roads).to_crs(4326))
    cities = geokit.read_cities(gpd.GeoDataFrame({"name": list(towns)}, crs=UTM,
                                                 geometry=list(towns.values())).to_crs(4326))
    inc = geokit.read_incidents(gpd.GeoDataFrame({
        "event_id": [f"E{i}" for i in range(len(incidents))], "date": [d for d, _, _ in incidents],
        "event_type": "Battles", "sub_event_type": "Ambush on fuel convoy", "geo_precision": 1,
        "fatalities": [f for _, _, f in incidents]}, crs=UTM, geometry=[p for _, p, _ in incidents]).to_crs(4326))
    return analyse(roads, inc, cities=cities, corridors=[CorridorSpec("A-B", *corridor)],
                   params=AnalysisParams(radius_km=radius_km, start="2025-09-01", end="2025-11-30", **params))


@pytest.fixture(scope="module")
def two_roads():
    """A direct road A-B (100 km) and a longer one by C (2 x 64 km); town T on a spur off C. One ambush
    3 km south of the direct road's middle on 13 September: blockaded to 12 October, at risk to 11 December."""
    roads = [line((0, 0), (100, 0)), line((0, 0), (50, 40)), line((50, 40), (100, 0)), line((50, 40), (50, 60))]
    towns = {"A": point(0, 0), "B": point(100, 0), "C": point(50, 40), "T": point(50, 60)}
    return world(roads, towns, [("2025-09-13", point(50, -3), 4)])


def lengths(network, avoid=()):
    """Shortest A-B length (km) by networkx on the network's own graph, without the edges ``avoid``."""
    graph = nx.Graph()
    for u, v, key, km in network.graph.edges(keys=True, data="length_km"):
        if key not in avoid and (not graph.has_edge(u, v) or graph[u][v]["w"] > km):
            graph.add_edge(u, v, w=km)
    return graph


def reached(network, incident, radius_km):
    """Edge ids within radius_km of a point (UTM 29N): the direct distance query."""
    edges = network.edges.to_crs(UTM)
    return set(edges.loc[edges.distance(incident) <= radius_km * 1000, "edge_id"])


def test_two_roads_in_november(two_roads):
    net = two_roads.network
    options = route_options(two_roads, "A", "B", on="2025-11-15")
    assert options.columns.tolist()[:len(ROUTE_OPTION_COLUMNS)] == ROUTE_OPTION_COLUMNS
    assert options["kind"].tolist() == ["shortest", "least exposed"]
    direct, other = options.iloc[0], options.iloc[1]
    a, b, c = (int(net.places.set_index("name").loc[p, "node_id"]) for p in "ABC")
    # lengths checked by networkx on the same graph: the direct road, and the road by C
    graph = lengths(net)
    assert direct["length_km"] == pytest.approx(nx.shortest_path_length(graph, a, b, weight="w"))
    by_c = nx.shortest_path_length(graph, a, c, weight="w") + nx.shortest_path_length(graph, c, b, weight="w")
    assert other["length_km"] == pytest.approx(by_c)
    assert direct["length_km"] == pytest.approx(100, rel=0.002) and other["length_km"] == pytest.approx(128.06, rel=0.002)
    assert other["extra_km"] == pytest.approx(by_c - direct["length_km"])
    # the ambush reaches the direct road's segments within 10 km: 40-45, 45-50, 50-55 and 55-60 km (20 km)
    hit = reached(net, point(50, -3), 10)
    km_hit = net.edges.set_index("edge_id").loc[sorted(hit), "length_km"].sum()
    assert km_hit == pytest.approx(20, rel=0.002)
    assert (direct["at_risk_km"], direct["blockaded_km"], direct["incidents"], direct["fatalities"]) == \
        (pytest.approx(km_hit), 0.0, 1, 4.0)
    assert direct["exposure_incident_km"] == pytest.approx(km_hit)  # 20 km x 1 incident = 20 incident-km
    assert (other["exposure_incident_km"], other["at_risk_km"], other["incidents"]) == (0.0, 0.0, 0)
    assert np.isnan(other["fatalities"])
    assert direct["towns"] == "A; B" and other["towns"] == "A; C; B" and other["not_on_shortest"] == "C"
    assert "T" not in " ".join(options["towns"])  # the spur is not driven


def test_a_cap_on_the_extra_distance_keeps_the_direct_road(two_roads):
    for cap in ({"max_extra_km": 20}, {"max_extra_ratio": 0.2}):
        options = route_options(two_roads, "A", "B", on="2025-11-15", **cap)
        # within the cap, the direct road is also the least exposed
        assert options["kind"].tolist() == ["shortest, least exposed"] and options.loc[0, "towns"] == "A; B"
    assert len(route_options(two_roads, "A", "B", on="2025-11-15", max_extra_km=30)) == 2


def test_via_places_are_passed_in_order(two_roads):
    options = route_options(two_roads, "A", "B", on="2025-11-15", via=["C"])
    assert options[["kind", "towns", "incidents"]].values.tolist() == [["shortest, least exposed", "A; C; B", 0]]
    assert options.loc[0, "corridor"] == "A - B"


def test_while_blockaded_the_only_option_is_the_other_road(two_roads):
    options = route_options(two_roads, "A", "B", on="2025-09-30")
    assert options[["kind", "towns", "blockaded_km", "incidents"]].values.tolist() == \
        [["shortest, least exposed", "A; C; B", 0.0, 0]]


def test_a_corridor_without_open_road_says_so():
    """One road A-B, ambushed on 13 September: blockaded to 12 October, then at risk."""
    layers = world([line((0, 0), (100, 0))], {"A": point(0, 0), "B": point(100, 0)},
                   [("2025-09-13", point(50, -3), 4)])
    assert route_options(layers, "A", "B", on="2025-09-20").empty
    table = corridor_route_options(layers).set_index("on")
    assert table.loc["2025-09-13", ["option", "kind"]].tolist() == [0, "no open route"]
    assert pd.isna(table.loc["2025-09-13", "incidents"]) and np.isnan(table.loc["2025-09-13", "length_km"])
    assert table.loc["2025-11-30", ["option", "kind", "incidents"]].tolist() == [1, "shortest, least exposed", 1]
    assert "no open route" in route_options_html(table.reset_index(), on="2025-09-13")
    assert len(route_options_layer(table.reset_index(), on="2025-09-13")._children) == 0


def test_half_life_decays_the_exposure():
    roads = [line((0, 0), (100, 0)), line((0, 0), (50, 40)), line((50, 40), (100, 0))]
    towns = {"A": point(0, 0), "B": point(100, 0), "C": point(50, 40)}
    incidents = [("2025-09-13", point(50, -3), 4)]
    plain = route_options(world(roads, towns, incidents), "A", "B", on="2025-11-12").iloc[0]
    half = route_options(world(roads, towns, incidents, half_life_days=30), "A", "B", on="2025-11-12").iloc[0]
    assert half["exposure_incident_km"] == pytest.approx(plain["exposure_incident_km"] / 4)  # 60 days: two half-lives
    assert half["incidents"] == plain["incidents"] == 1


def test_options_sharing_all_but_one_km_are_one_option():
    """A 100 km road with a 1.2 km bypass of its km 49-50, where an incident 100 m off the road lies."""
    roads = [line((0, 0), (100, 0)), line((49, 0), (49.5, 0.35), (50, 0))]
    towns = {"A": point(0, 0), "B": point(100, 0)}
    layers = world(roads, towns, [("2025-09-13", point(49.5, -0.1), 1)], radius_km=0.2)
    options = route_options(layers, "A", "B", on="2025-11-15")
    assert options["kind"].tolist() == ["shortest"] and options.loc[0, "exposure_incident_km"] > 0
    # they are two options on the front: shown when any overlap is allowed
    both = route_options(layers, "A", "B", on="2025-11-15", max_shared=1.0)
    assert both["kind"].tolist() == ["shortest", "least exposed"]
    assert both.loc[1, "exposure_incident_km"] == 0 and 0 < both.loc[1, "extra_km"] < 0.3


def test_bad_options_and_places_are_refused(two_roads):
    with pytest.raises(InputError, match="did you mean A"):
        route_options(two_roads, "AA", "B")
    with pytest.raises(InputError, match="max_extra_km"):
        route_options(two_roads, "A", "B", max_extra_km=-1)
    with pytest.raises(InputError, match="outside the analysis's window"):
        route_options(two_roads, "A", "B", on="2026-01-01")


@pytest.fixture(scope="module")
def mali_september():
    project = load_project(MALI / "project.toml")
    return analyse(geokit.read_roads(MALI / "roads.geojson"), geokit.read_incidents(MALI / "incidents.csv"),
                   cities=geokit.read_cities(MALI / "cities.geojson"),
                   crossings=geokit.read_crossings(MALI / "border_crossings.geojson"),
                   corridors=project.corridors, params=AnalysisParams(start="2025-09-01", end="2025-09-30"))


def test_mali_dakar_bamako_in_september(mali_september):
    a = mali_september
    options = route_options(a, "Dakar", "Bamako")
    assert options["on"].iat[0] == pd.Timestamp("2025-09-30")
    # two options: the shortest open road (by Tambacounda and Kédougou... into Mali south of the blockade) and
    # a much longer one through Guinea that passes fewer incident-km
    assert options["kind"].tolist() == ["shortest", "least exposed"]
    assert options["length_km"].round(1).tolist() == [1236.2, 1768.1]
    assert options["exposure_incident_km"].round(1).tolist() == [46.5, 14.6]
    assert options["incidents"].tolist() == [1, 1]
    assert (options["blockaded_km"] == 0).all()
    # lengths: networkx on the same graph without the segments blockaded that day
    blocked = set(a.segments.loc[a.segments["status"].astype(str) == "blockaded", "edge_id"])
    net = a.network
    dakar, bamako = (int(net.places.set_index("name").loc[p, "node_id"]) for p in ("Dakar", "Bamako"))
    assert options.loc[0, "length_km"] == pytest.approx(
        nx.shortest_path_length(lengths(net, blocked), dakar, bamako, weight="w"))
    for _, option in options.iterrows():
        edges = net.edges.set_index("edge_id").loc[option["edge_ids"]]
        assert edges["length_km"].sum() == pytest.approx(option["length_km"])
        assert not blocked & set(option["edge_ids"])
        # incidents by a direct distance query: the look-back (90 days to 30 September) within 10 km
        # (25 km for area-located ones), Strategic developments left out as for the status
        inc = geokit.read_incidents(MALI / "incidents.csv")
        inc = inc[(inc["date"] <= "2025-09-30") & (inc["date"] >= "2025-07-03")
                  & (inc["event_type"] != "Strategic developments")].to_crs(net.crs)
        reach = np.where(geokit.incidents.precision_class(inc) >= 3, 25_000, 10_000)
        lines = edges.to_crs(net.crs).geometry.array
        dist = shapely.distance(np.asarray(inc.geometry)[:, None], np.asarray(lines)[None, :])  # metres
        near = dist <= reach[:, None]
        assert option["incidents"] == int(near.any(axis=1).sum())
        assert option["exposure_incident_km"] == pytest.approx(float((near.sum(axis=0) * edges["length_km"].to_numpy()).sum()))
    # the least exposed really is: no route of the network is less exposed (a Dijkstra on exposure alone)
    day = day_exposure(a)
    graph = nx.Graph()
    for e, u, v in zip(net.edges["edge_id"], net.edges["u"], net.edges["v"]):
        if e not in blocked and (not graph.has_edge(u, v) or graph[u][v]["w"] > day.exposure[e]):
            graph.add_edge(u, v, w=day.exposure[e])
    assert options.loc[1, "exposure_incident_km"] == pytest.approx(nx.shortest_path_length(graph, dakar, bamako, weight="w"))


def test_build_table_has_every_corridor_on_its_days(mali_september):
    table = corridor_route_options(mali_september)
    assert set(table["corridor"]) == {c.name for c in load_project(MALI / "project.toml").corridors}
    dakar = table[table["corridor"] == "Dakar-Bamako"]
    assert sorted(set(dakar["occasion"])) == ["blockade began", "window end"]
    assert dakar.loc[dakar["occasion"] == "blockade began", "on"].iat[0] == pd.Timestamp("2025-09-13")
    end = dakar[dakar["occasion"] == "window end"]
    assert end["length_km"].round(1).tolist() == [1236.2, 1768.1]
    # non-dominated: each longer option is less exposed
    for _, group in table.groupby(["corridor", "on"]):
        assert group["length_km"].is_monotonic_increasing and group["exposure_incident_km"].is_monotonic_decreasing
        exposure = group["exposure_incident_km"].to_numpy()
        assert (exposure[1:] <= 0.95 * exposure[:-1]).all()  # each longer option saves at least 5 %
        assert group["extra_km"].iat[0] == 0
    layer = route_options_layer(table)
    (lines,) = layer._children.values()  # one layer of lines, one feature per option of the last day
    assert not layer.show and len(lines.data["features"]) == len(table[table["on"] == table["on"].max()])
    html = route_options_html(table)
    assert html.count("<tr>") == len(table[table["on"] == table["on"].max()])  # and the heading row


def test_map_layer_and_brief_table_escape_names():
    rows = pd.DataFrame({"corridor": ["<script>x</script>"], "on": [pd.Timestamp("2025-09-30")], "option": [1],
                         "kind": ["shortest"], "length_km": [10.0], "extra_km": [0.0], "exposure_incident_km": [0.0],
                         "at_risk_km": [0.0], "incidents": [0], "fatalities": [np.nan], "towns": ["{{ a }}"],
                         "not_on_shortest": [""]})
    table = gpd.GeoDataFrame(rows, geometry=[line((0, 0), (10, 0))], crs=UTM).to_crs(4326)
    html = route_options_html(table)
    assert "<script>" not in html and "&lt;script&gt;" in html and "{{" not in html
    import folium

    page = folium.Map()
    route_options_layer(table).add_to(page)
    assert "<script>x" not in page.get_root().render()


def test_cli_prints_the_python_numbers(mali_september, tmp_path, capsys):
    code = main(["route", str(MALI / "project.toml"), "--from", "Dakar", "--to", "-7.99,12.65", "--start",
                 "2025-09-01", "--end", "2025-09-30", "--csv", str(tmp_path / "o.csv"), "-q"])
    assert code == 0
    written = pd.read_csv(tmp_path / "o.csv", keep_default_na=False)
    python = route_options(mali_september, "Dakar", (-7.99, 12.65))
    assert written["length_km"].tolist() == python["length_km"].round(3).tolist()
    assert written["exposure_incident_km"].tolist() == python["exposure_incident_km"].round(3).tolist()
    assert written["incidents"].tolist() == python["incidents"].tolist()
    assert written["towns"].tolist() == python["towns"].tolist()
    code = main(["route", str(MALI / "project.toml"), "--from", "Dakar", "--to", "Bamako", "--start",
                 "2025-09-01", "--end", "2025-09-30", "--max-extra-km", "300"])
    out = capsys.readouterr().out
    assert code == 0 and "1,236.2" in out and "1,768.1" not in out
    assert main(["route", str(MALI / "project.toml"), "--from", "Kayse", "--to", "Bamako"]) == 1
    assert "did you mean Kayes" in capsys.readouterr().err


def test_demo_build_writes_route_options(tmp_path):
    """The Mali build of September to November: every corridor's options on 30 November, at the end of each
    month (the map's steps) and on the first day of each blockade, in the CSV and the GeoPackage alike."""
    from geokit.build import build_project

    build_project(MALI / "project.toml", tmp_path / "out")
    table = pd.read_csv(tmp_path / "out" / "route_options.csv", keep_default_na=False)
    assert table.columns.tolist() == ROUTE_OPTION_COLUMNS
    layer = gpd.read_file(tmp_path / "out" / "layers.gpkg", layer="route_options")
    assert len(layer) == len(table) and layer.crs.to_epsg() == 4326
    assert layer["length_km"].round(3).tolist() == table["length_km"].tolist()
    dakar = table[table["corridor"] == "Dakar-Bamako"]
    assert sorted(set(dakar["on"])) == ["2025-09-13", "2025-09-30", "2025-10-31", "2025-11-30"]
    assert set(dakar.loc[dakar["on"] == "2025-11-30", "occasion"]) == {"window end; map step end"}
    assert (table["blockaded_km"] == 0).all()
