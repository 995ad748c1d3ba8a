"""Every real layer in ../shared/data loads and validates through geokit."""

import subprocess
import sys
import warnings

import pytest

from geokit import load_layer

pytestmark = pytest.mark.shared_data

# file -> (kind, rows PROVENANCE.md gives, a value a reader can check)
REAL_LAYERS = {
    "admin0_countries_ne50m.geojson": ("boundaries", 18),
    "admin0_boundary_lines_ne10m.geojson": ("borders", 32),
    "admin1_label_points_ne10m.geojson": ("cities", 178),
    "populated_places_ne10m.geojson": ("cities", 169),
    "osm_places_city_town_2019.geojson": ("cities", 1240),
    "osm_customs_posts_2019.geojson": ("crossings", 22),
    "osm_fuel_stations_2019.geojson": ("facilities", 1488),
    "border_crossings_derived.geojson": ("crossings", 85),
    "roads_major_routes_osm_osrm.geojson": ("roads", 584),
    "roads_major_routes_osrm_edges.geojson": ("roads", 380),
}


@pytest.mark.parametrize("name", sorted(REAL_LAYERS))
def test_real_layer_loads_and_validates(shared_data, name):
    kind, rows = REAL_LAYERS[name]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frame, report = load_layer(shared_data / name, kind)
    assert report.ok
    assert report.n_read == rows
    if name == "roads_major_routes_osrm_edges.geojson":
        # 9 edges repeat another edge's line exactly (same vertices, another edge_id): kept once, reported
        assert len(frame) == rows - 9
        assert "9 roads repeat an earlier road's line exactly" in report.format()
    else:
        assert len(frame) == rows  # nothing dropped from the other real layers
    assert frame.crs.to_epsg() == 4326
    minx, miny, maxx, maxy = frame.total_bounds
    assert -18.01 <= minx and maxx <= 5.01 and 7.99 <= miny and maxy <= 26.01  # PROVENANCE's box
    assert not [w for w in caught if "geokit" in str(w.filename) and "repeat an earlier" not in str(w.message)]


def test_real_values_map_to_canonical_columns(shared_data):
    countries, _ = load_layer(shared_data / "admin0_countries_ne50m.geojson", "boundaries")
    assert countries.set_index("iso_a3").loc["MLI", "name"] == "Mali"
    places, _ = load_layer(shared_data / "populated_places_ne10m.geojson", "cities")
    bamako = places.loc[places["name"] == "Bamako"].iloc[0]
    assert bamako["country"] == "Mali"
    assert bamako["population"] > 1_000_000
    assert bamako.geometry.x == pytest.approx(-8.0, abs=0.1)
    borders, _ = load_layer(shared_data / "admin0_boundary_lines_ne10m.geojson", "borders")
    pairs = {frozenset(p) for p in zip(borders["country_a"], borders["country_b"])}
    assert frozenset({"MLI", "SEN"}) in pairs
    crossings, _ = load_layer(shared_data / "border_crossings_derived.geojson", "crossings")
    mli_sen = crossings[(crossings["country_a"] == "MLI") & (crossings["country_b"] == "SEN")]
    assert len(mli_sen) >= 1
    fuel, _ = load_layer(shared_data / "osm_fuel_stations_2019.geojson", "facilities")
    assert set(fuel["category"]) == {"fuel"}
    roads, _ = load_layer(shared_data / "roads_major_routes_osm_osrm.geojson", "roads")
    assert roads["length_km"].sum() == pytest.approx(37_200, rel=0.01)


@pytest.mark.parametrize("name", sorted(REAL_LAYERS))
def test_real_layer_through_the_cli(shared_data, name):
    kind, rows = REAL_LAYERS[name]
    done = subprocess.run([sys.executable, "-m", "geokit", "validate", str(shared_data / name), "--kind", kind],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    kept = rows - 9 if name == "roads_major_routes_osrm_edges.geojson" else rows  # 9 exact duplicate lines
    assert f"{rows} rows read, {kept} kept" in done.stdout
    assert "OK: no problems found." in done.stdout or kept < rows
