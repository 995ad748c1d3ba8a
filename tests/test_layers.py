"""Reading every supported format into the canonical schemas."""

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geokit import InputError, read_cities, read_incidents, read_roads
from geokit.layers import describe_layer, guess_kind

ROAD = shapely.LineString([(-8.0, 12.65), (-8.2, 12.9), (-8.5, 13.1)])


def _roads_frame(**cols):
    base = {"highway": ["trunk"], "ref": ["RN3"], "name": ["Route de Kati"]}
    base.update(cols)
    return gpd.GeoDataFrame(base, geometry=[ROAD], crs=4326)


@pytest.mark.parametrize("suffix,driver", [(".gpkg", "GPKG"), (".shp", "ESRI Shapefile"),
                                           (".geojson", "GeoJSON"), (".fgb", "FlatGeobuf")])
def test_roads_from_every_vector_format(tmp_path, suffix, driver):
    path = tmp_path / f"roads{suffix}"
    _roads_frame().to_file(path, driver=driver)
    roads = read_roads(path, **({"layer": "roads"} if suffix == ".gpkg" else {}))
    assert list(roads.columns[:3]) == ["name", "ref", "road_class"]
    assert roads.loc[0, "ref"] == "RN3" and roads.loc[0, "road_class"] == "trunk"
    assert "highway" in roads.columns  # the source column is kept
    assert roads.crs.to_epsg() == 4326
    assert shapely.equals_exact(roads.geometry.iloc[0], ROAD, tolerance=1e-9)


def test_geoparquet_and_reprojection(tmp_path):
    path = tmp_path / "roads.parquet"
    _roads_frame().to_crs(32629).to_parquet(path)
    roads = read_roads(path)
    assert roads.crs.to_epsg() == 4326
    np.testing.assert_allclose(shapely.get_coordinates(roads.geometry), shapely.get_coordinates(ROAD), atol=1e-7)


def test_geopackage_with_several_layers_needs_a_layer_name(tmp_path):
    path = tmp_path / "mixed.gpkg"
    _roads_frame().to_file(path, layer="roads")
    gpd.GeoDataFrame({"name": ["Kati"]}, geometry=[shapely.Point(-8.07, 12.74)], crs=4326).to_file(path, layer="towns")
    with pytest.raises(InputError, match=r"holds 2 layers \(roads, towns\); name one with layer="):
        read_roads(path)
    assert read_cities(path, layer="towns").loc[0, "name"] == "Kati"


def test_natural_earth_and_user_mapping():
    ne = gpd.GeoDataFrame({"type": ["Major Highway"], "name": ["1"], "label": ["N1"], "sov_a3": ["SEN"]},
                          geometry=[ROAD], crs=4326)
    roads = read_roads(ne)
    assert roads.loc[0, ["name", "ref", "road_class"]].tolist() == ["1", "N1", "Major Highway"]
    custom = gpd.GeoDataFrame({"route_no": ["RN5"], "kind": ["primary"]}, geometry=[ROAD], crs=4326)
    roads = read_roads(custom, columns={"ref": "route_no", "road_class": "kind"})
    assert roads.loc[0, ["ref", "road_class"]].tolist() == ["RN5", "primary"]
    assert pd.isna(roads.loc[0, "name"])


def test_mapping_to_a_column_that_is_not_there_names_the_columns():
    with pytest.raises(InputError, match=r"maps 'ref' to 'route'.*it has route_no, kind"):
        read_roads(gpd.GeoDataFrame({"route_no": ["RN5"], "kind": ["x"]}, geometry=[ROAD], crs=4326),
                   columns={"ref": "route"})


def test_cities_from_natural_earth_and_osm_columns():
    ne = gpd.GeoDataFrame({"name": ["Kayes"], "pop_max": [127368], "adm0name": ["Mali"]},
                          geometry=[shapely.Point(-11.44, 14.45)], crs=4326)
    assert read_cities(ne).loc[0, ["population", "country"]].tolist() == [127368.0, "Mali"]
    osm = gpd.GeoDataFrame({"name": ["Kita"], "population": ["49043"], "place": ["town"]},
                           geometry=[shapely.Point(-9.49, 13.04)], crs=4326)
    assert read_cities(osm).loc[0, "population"] == 49043.0


ACLED_CSV = '''event_id_cnty,event_date,year,event_type,sub_event_type,actor1,actor2,admin1,location,latitude,longitude,geo_precision,source,notes,fatalities
MLI36001,14 September 2025,2025,Violence against civilians,Attack,JNIM: Group for Support of Islam and Muslims,Civilians (Mali),Kayes,Kayes,14.4469,-11.4443,1,Reuters,"Fuel trucks set on fire, drivers ""kidnapped""",0
MLI36002,2025-09-16,2025,Battles,Armed clash,JNIM: Group for Support of Islam and Muslims,Military Forces of Mali (2021-),Kayes,Diema,14.5419,-9.1873,2,AFP,Convoy escort attacked,3
'''

GED_CSV = """id,relid,year,type_of_violence,side_a,side_b,where_prec,where_coordinates,latitude,longitude,country,date_start,date_end,best,source_headline
512345,MLI-2025-1-1,2025,3,JNIM,Civilians,1,Kati town,12.7441,-8.0726,Mali,2025-09-03 00:00:00.000,2025-09-03 00:00:00.000,4,"Attack near Kati"
512346,MLI-2025-1-2,2025,1,Government of Mali,JNIM,4,Koulikoro region,13.0,-7.5,Mali,2025-10-01 00:00:00.000,2025-10-02 00:00:00.000,12,"Clashes"
"""


def test_acled_export_maps_to_canonical_incidents(tmp_path):
    path = tmp_path / "acled.csv"
    path.write_text(ACLED_CSV, encoding="utf-8")
    inc = read_incidents(path)
    assert inc["source_format"].tolist() == ["acled", "acled"]
    assert inc["event_id"].tolist() == ["MLI36001", "MLI36002"]
    assert inc["date"].dt.strftime("%Y-%m-%d").tolist() == ["2025-09-14", "2025-09-16"]
    assert inc.loc[1, "actor"].startswith("JNIM")
    assert inc["fatalities"].tolist() == [0.0, 3.0]
    assert inc["geo_precision"].tolist() == [1.0, 2.0]
    assert inc.loc[0, "notes"] == 'Fuel trucks set on fire, drivers "kidnapped"'
    assert "sub_event_type" in inc and "actor2" in inc
    assert inc.geometry.iloc[0].equals(shapely.Point(-11.4443, 14.4469))


def test_ucdp_ged_maps_to_canonical_incidents(tmp_path):
    path = tmp_path / "ged.csv"
    path.write_text(GED_CSV, encoding="utf-8")
    inc = read_incidents(path)
    assert inc["source_format"].unique().tolist() == ["ucdp_ged"]
    assert inc["event_id"].tolist() == ["512345", "512346"]
    assert inc["event_type"].tolist() == ["One-sided violence", "State-based conflict"]
    assert inc["actor"].tolist() == ["JNIM", "Government of Mali"]
    assert inc["fatalities"].tolist() == [4.0, 12.0]
    assert inc["geo_precision"].tolist() == [1.0, 4.0]
    assert inc["date"].dt.strftime("%Y-%m-%d").tolist() == ["2025-09-03", "2025-10-01"]
    assert "date_end" in inc and "side_b" in inc


def test_csv_with_semicolons_and_bom(tmp_path):
    path = tmp_path / "towns.csv"
    path.write_bytes("\ufeffname;population;lat;lon\nSégou;133501;13.4317;-6.2157\n".encode())
    towns = read_cities(path)
    assert towns.loc[0, "name"] == "Ségou"
    assert towns.geometry.iloc[0].equals(shapely.Point(-6.2157, 13.4317))


def test_latin1_csv_needs_its_encoding_named(tmp_path):
    path = tmp_path / "towns.csv"
    path.write_bytes("name,population,lat,lon\nSégou,133501,13.4317,-6.2157\n".encode("latin-1"))
    with pytest.raises(InputError, match="not valid utf-8-sig text.*encoding='latin-1'"):
        read_cities(path)
    assert read_cities(path, encoding="latin-1").loc[0, "name"] == "Ségou"


OSM_XML = """<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="geokit-tests">
  <node id="1" lat="12.6392" lon="-8.0029" version="1"/>
  <node id="2" lat="12.7441" lon="-8.0726" version="1"/>
  <node id="3" lat="13.0400" lon="-9.4900" version="1"/>
  <node id="4" lat="12.6500" lon="-8.0100" version="1"/>
  <node id="5" lat="12.6600" lon="-8.0200" version="1"/>
  <way id="10" version="1"><nd ref="1"/><nd ref="2"/><nd ref="3"/>
    <tag k="highway" v="trunk"/><tag k="ref" v="RN3"/><tag k="name" v="Route de Kati"/></way>
  <way id="11" version="1"><nd ref="4"/><nd ref="5"/>
    <tag k="highway" v="residential"/><tag k="name" v="Rue 12"/></way>
</osm>
"""


def test_osm_extract_keeps_the_requested_highway_classes(tmp_path):
    path = tmp_path / "extract.osm"
    path.write_text(OSM_XML, encoding="utf-8")
    roads = read_roads(path)
    assert len(roads) == 1
    assert roads.loc[0, ["name", "ref", "road_class"]].tolist() == ["Route de Kati", "RN3", "trunk"]
    assert len(roads.geometry.iloc[0].coords) == 3
    both = read_roads(path, road_classes=["trunk", "residential"])
    assert sorted(both["road_class"]) == ["residential", "trunk"]


def test_guess_kind_and_describe(tmp_path):
    path = tmp_path / "acled.csv"
    path.write_text(ACLED_CSV, encoding="utf-8")
    text = describe_layer(path)
    assert "kind:     incidents (guessed" in text
    assert "dates:    2025-09-14 .. 2025-09-16 (acled layout)" in text
    assert "features: 2 read, 2 valid" in text
    assert guess_kind(_roads_frame()) == "roads"


def test_reading_never_modifies_the_callers_frame():
    frame = _roads_frame()
    before = frame.copy()
    with warnings.catch_warnings():
        read_roads(frame)
    pd.testing.assert_frame_equal(frame, before)
