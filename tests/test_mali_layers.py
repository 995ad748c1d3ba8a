"""The shipped Mali 2025 layer set: it loads, validates, and agrees with facts a reader can check."""

import csv

import geopandas as gpd
import numpy as np
import pytest
import shapely

from conftest import MALI
from geokit import load_layer
from geokit.crs import to_metric
from geokit.network import build_network, named_places, route_between
from geokit.project import load_project

LAYERS = {"roads": "roads.geojson", "crossings": "border_crossings.geojson",
          "cities": "cities.geojson", "incidents": "incidents.csv"}


@pytest.fixture(scope="module")
def mali():
    return {kind: load_layer(MALI / name, kind)[0] for kind, name in LAYERS.items()}


@pytest.mark.parametrize("kind", sorted(LAYERS))
def test_layer_loads_with_no_problem_and_every_row_sourced(kind):
    frame, report = load_layer(MALI / LAYERS[kind], kind)
    assert report.ok and not report.problems
    assert frame["source"].notna().all()
    assert frame["source"].str.startswith(("http", "Natural Earth", "OpenStreetMap")).all()


def test_project_file_names_the_layers_and_six_corridors():
    project = load_project(MALI / "project.toml")
    assert [c.name for c in project.corridors] == [
        "Dakar-Bamako", "Nouakchott-Bamako", "Conakry-Bamako", "Abidjan-Bamako",
        "Bobo-Dioulasso-Bamako", "Bamako-Mopti"]
    assert project.params.radius_km == 10.0
    assert str(project.params.start) == "2025-09-01"


def test_the_files_are_small():
    assert sum(f.stat().st_size for f in MALI.iterdir()) < 5_000_000


def test_incidents_are_dated_typed_and_in_the_window(mali):
    inc = mali["incidents"]
    assert inc["date"].min() >= np.datetime64("2025-06-01")
    assert inc["date"].max() <= np.datetime64("2025-12-31")
    assert len(inc) >= 60  # issue #15: at least 60 dated, sourced events from June to December 2025
    assert set(inc["geo_precision"]) <= {1.0, 2.0, 3.0}
    assert inc["event_id"].is_unique
    # the 14 September 2025 convoy ambush on the Kayes-Bamako road (RFI, Reuters)
    sept14 = inc[(inc["date"] == "2025-09-14") & inc["notes"].str.contains("Kayes-Bamako")]
    assert len(sept14) == 1


def test_every_corridor_place_lies_on_the_shipped_network(mali, shipped):
    """Each corridor's origin, via places and destination attach to a road (within place_snap_km, 5 km)."""
    for corridor in load_project(MALI / "project.toml").corridors:
        for place in (corridor.origin, *corridor.via, corridor.destination):
            assert place not in shipped.unattached_places, (corridor.name, place)


def test_the_network_is_the_real_major_route_network(mali):
    """Issue #15: at least 150 lines and 15,000 km over the corridors' countries, most of them
    OpenStreetMap-derived, each with its source, named where a sourced line follows them."""
    roads = mali["roads"]
    km = to_metric(roads).length.sum() / 1000
    assert len(roads) >= 150 and km >= 15_000
    derived = roads["source"].str.startswith("OpenStreetMap")
    assert derived.mean() > 0.95
    named = roads[roads["ref"].notna()]
    assert {"RN1", "RN3", "RN5", "RN6", "RN7", "N1", "N3", "A3"} <= set(named["ref"])
    # the sourced lines ship only where the network has no road: south of 8 N and Bougouni-Kolondiéba
    drawn = roads[~derived]
    assert set(drawn["name"]) == {"Abidjan - Yamoussoukro - Bouaké - Ferkessédougou - Pogo", "Bougouni - Kolondiéba"}


@pytest.mark.shared_data
def test_shipped_lines_follow_their_source_within_50_m(mali, shared_data):
    """Simplified no coarser than 50 m: each derived line lies within 50 m (plus 1 m of rounding)
    of the OSM-derived line it comes from."""
    source = gpd.read_file(shared_data / "roads_major_routes_osm_osrm.geojson").set_index("seg_id")
    derived = mali["roads"][mali["roads"]["road_id"].str.startswith("OSM")]
    seg = derived["road_id"].str[3:].astype(int).to_numpy()
    shipped = to_metric(derived)
    original = source.loc[seg].to_crs(shipped.crs).geometry.array
    gap = shapely.hausdorff_distance(shipped.geometry.array, original)
    assert gap.max() <= 51.0, gap.max()


def test_bamako_population_is_the_2009_census(mali):
    bamako = mali["cities"].set_index("name").loc["Bamako"]
    assert bamako["population"] == 1_809_106 and bamako["population_year"] == 2009


@pytest.mark.shared_data
def test_incidents_lie_in_mali_or_a_neighbour(mali, shared_data):
    countries = gpd.read_file(shared_data / "admin0_countries_ne50m.geojson")
    allowed = countries[countries["ADM0_A3"].isin(["MLI", "SEN", "MRT", "GIN", "CIV", "BFA", "NER", "DZA"])]
    inside = mali["incidents"].geometry.apply(lambda p: bool(allowed.contains(p).any()))
    assert inside.all()
    # these reports are all in Mali; Gogui sits on the border, so allow the 1:50m
    # boundary's generalisation (5 km, as for the crossings)
    metric = to_metric(mali["incidents"])
    mali_shape = countries.loc[countries["ADM0_A3"] == "MLI"].to_crs(metric.crs).geometry.iloc[0]
    assert (metric.distance(mali_shape) <= 5_000).all()


@pytest.mark.shared_data
def test_crossings_lie_within_5_km_of_the_boundary_between_their_countries(mali, shared_data):
    borders, _ = load_layer(shared_data / "admin0_boundary_lines_ne10m.geojson", "borders")
    metric = to_metric(mali["crossings"])
    borders = borders.to_crs(metric.crs)
    for _, crossing in metric.iterrows():
        pair = {crossing["country_a"], crossing["country_b"]}
        lines = borders[[{a, b} == pair for a, b in zip(borders["country_a"], borders["country_b"])]]
        assert len(lines), crossing["name"]
        distance_km = lines.distance(crossing.geometry).min() / 1000
        assert distance_km <= 5.0, (crossing["name"], round(distance_km, 1))


def _published(kind: str) -> list[dict]:
    with open(MALI / "published_distances.csv", encoding="utf-8") as fh:
        return [row for row in csv.DictReader(fh) if row["kind"] == kind]


def _corridor(row: dict):
    """The project's corridor whose ends are those of a published corridor distance."""
    corridors = load_project(MALI / "project.toml").corridors
    return next(c for c in corridors if (c.origin, c.destination) == (row["from"], row["to"]))


def _network(roads, mali, **kwargs):
    places = named_places(mali["cities"], mali["crossings"])
    return build_network(roads, places=places, **kwargs)


@pytest.fixture(scope="module")
def shipped(mali):
    return _network(mali["roads"], mali)


def _ids(row: dict) -> str:
    return f"{row['from']}-{row['to']}-{row['road_km']}"


@pytest.mark.parametrize("row", _published("corridor"), ids=_ids)
def test_corridor_length_within_10_percent_of_published(shipped, row):
    assert _route(shipped, row).length_km == pytest.approx(float(row["road_km"]), rel=0.10)


def _route(network, row: dict, *, max_km: float = 5.0):
    """A published row's route: a corridor through its project ``via``, a section through its own."""
    if row["kind"] == "corridor":
        c = _corridor(row)
        return route_between(network, c.origin, c.destination, via=c.via, max_km=max_km)
    via = [v for v in row["via"].split(";") if v]
    return route_between(network, row["from"], row["to"], via=via, max_km=max_km)


@pytest.mark.parametrize("row", _published("section"), ids=_ids)
def test_section_length_within_10_percent_of_published(shipped, row):
    assert _route(shipped, row).length_km == pytest.approx(float(row["road_km"]), rel=0.10)


def test_every_corridor_has_a_published_length_or_its_sections_do():
    corridors = {(c.origin, c.destination) for c in load_project(MALI / "project.toml").corridors}
    published = {(r["from"], r["to"]) for r in _published("corridor")}
    assert corridors - published == {("Nouakchott", "Bamako")}
    assert ("Nouakchott", "Kiffa") in {(r["from"], r["to"]) for r in _published("section")}


@pytest.fixture(scope="module")
def osm_network(mali, shared_data):
    real, _ = load_layer(shared_data / "roads_major_routes_osm_osrm.geojson", "roads")
    return _network(real, mali, place_snap_km=10)


# the OSM-derived layer stops at 8 N, so Abidjan and Bouaké are not on it
_OFF_OSM_LAYER = {"Abidjan", "Bouaké"}


@pytest.mark.shared_data
@pytest.mark.parametrize("row", [r for r in _published("corridor") + _published("section")
                                 if not {r["from"], r["to"]} & _OFF_OSM_LAYER], ids=_ids)
def test_published_distance_agrees_with_the_osm_road_network(osm_network, row):
    """The sources are sound: the real road between the same ends is within 10 % of each figure.

    So where the shipped lines fall short, the lines are at fault, not the figure.
    """
    assert _route(osm_network, row, max_km=10).length_km == pytest.approx(float(row["road_km"]), rel=0.10)
