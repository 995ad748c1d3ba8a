"""The small world the docstring examples of geokit run on (pytest's ``doctest_namespace``).

Four towns on a made-up road: Bamako - Kita - Kayes straight, and a longer loop Kita - Bafoulabe - Kayes.
An ambush on 13 September 2025 on the straight road between Kita and Kayes blockades it, so the corridor
Kayes-Bamako detours by Bafoulabe. Names are real towns; the geometry is schematic.
"""

from __future__ import annotations

import socket

import geopandas as gpd
import pandas as pd
import pytest
import shapely


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """No test or example reaches past this machine: a name other than localhost is refused at lookup
    (the live sources are tested against servers on 127.0.0.1)."""
    lookup = socket.getaddrinfo

    def local_only(host, *args, **kwargs):
        if str(host) not in ("localhost", "127.0.0.1", "::1", "", "None"):
            raise OSError(f"the tests run without network: {host} was not looked up")
        return lookup(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", local_only)


@pytest.fixture(scope="session")
def _example_world() -> dict:
    from geokit.analysis import AnalysisParams, analyse
    from geokit.corridors import CorridorSpec
    from geokit.exposure import road_exposure
    from geokit.layers import read_cities, read_incidents, read_roads

    roads = read_roads(gpd.GeoDataFrame({"ref": ["RN3", "RN3", "RN22", "RN22"]}, crs=4326, geometry=[
        shapely.LineString([(-8.0, 12.65), (-9.5, 13.05)]),    # Bamako - Kita
        shapely.LineString([(-9.5, 13.05), (-11.4, 14.45)]),   # Kita - Kayes
        shapely.LineString([(-9.5, 13.05), (-9.9, 14.3)]),     # Kita - Bafoulabe
        shapely.LineString([(-9.9, 14.3), (-11.4, 14.45)])]))  # Bafoulabe - Kayes
    towns = read_cities(gpd.GeoDataFrame(
        {"name": ["Bamako", "Kita", "Kayes", "Bafoulabe"], "population": [2_800_000, 49_000, 127_000, 10_000],
         "country": "MLI"}, crs=4326,
        geometry=[shapely.Point(-8.0, 12.65), shapely.Point(-9.5, 13.05), shapely.Point(-11.4, 14.45),
                  shapely.Point(-9.9, 14.3)]))
    incidents = read_incidents(gpd.GeoDataFrame(
        {"event_id": ["E1"], "date": ["2025-09-13"], "event_type": ["Battles"],
         "sub_event_type": ["Ambush on fuel convoy"], "geo_precision": [1]}, crs=4326,
        geometry=[shapely.Point(-10.45, 13.75)]))
    specs = [CorridorSpec("Kayes-Bamako", "Kayes", "Bamako")]
    params = AnalysisParams(radius_km=10, start="2025-09-01", end="2025-09-30")
    result = analyse(roads, incidents, cities=towns, corridors=specs, params=params)
    network = result.network
    segments = road_exposure(network.edges, incidents, radius_km=10, start="2025-09-01", end="2025-09-30")
    return {"roads": roads, "towns": towns, "incidents": incidents, "specs": specs, "params": params,
            "result": result, "analysis": result, "network": network, "segments": segments, "pd": pd,
            "gpd": gpd, "shapely": shapely}


_PROJECT = """
[project]
name = "Example world"
[layers]
roads = "roads.geojson"
cities = "cities.geojson"
incidents = "incidents.csv"
[[corridors]]
name = "Kayes-Bamako"
origin = "Kayes"
destination = "Bamako"
[analysis]
start = "2025-09-01"
end = "2025-09-30"
"""


@pytest.fixture(scope="session")
def _example_builds(_example_world: dict, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The world as a project file, and its builds of September and October 2025."""
    from geokit.build import build_project

    folder = tmp_path_factory.mktemp("example_world")
    _example_world["roads"].to_file(folder / "roads.geojson", driver="GeoJSON")
    _example_world["towns"].to_file(folder / "cities.geojson", driver="GeoJSON")
    inc = _example_world["incidents"]
    pd.DataFrame({"event_id": inc["event_id"], "event_date": inc["date"].dt.strftime("%Y-%m-%d"),
                  "event_type": inc["event_type"], "sub_event_type": inc["sub_event_type"],
                  "geo_precision": inc["geo_precision"], "latitude": inc.geometry.y,
                  "longitude": inc.geometry.x}).to_csv(folder / "incidents.csv", index=False)
    (folder / "project.toml").write_text(_PROJECT, encoding="utf-8")
    september, october = folder / "out" / "september", folder / "out" / "october"
    build_project(folder / "project.toml", september)
    build_project(folder / "project.toml", october, start="2025-10-01", end="2025-10-31")
    return {"project_file": folder / "project.toml", "september": september, "october": october,
            "out": folder / "out"}


@pytest.fixture(autouse=True)
def _doctest_world(request: pytest.FixtureRequest, doctest_namespace: dict) -> None:
    """Only doctests that name the world build it (once per session)."""
    if not isinstance(request.node, pytest.DoctestItem):
        return
    text = request.node.dtest.docstring or ""
    if any(name in text for name in ("network", "segments", "result", "specs", "roads", "incidents", "towns",
                                     "grid")):
        doctest_namespace.update(request.getfixturevalue("_example_world"))
    if any(name in text for name in ("project_file", "september", "october", "out /")):
        doctest_namespace.update(request.getfixturevalue("_example_builds"))
