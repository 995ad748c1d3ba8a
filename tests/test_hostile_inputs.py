"""Hostile and broken inputs: every one gives a geokit error with a fix, never a traceback
or a silent wrong answer. The number of cases is printed (pytest -s) for the closing notes."""

import io
import json
import zipfile

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geokit import GeokitError, InputError, load_layer
from geokit.cli import main

ACLED_HEAD = "event_id_cnty,event_date,event_type,actor1,latitude,longitude,fatalities,notes\n"


def _write(tmp_path, name, data):
    path = tmp_path / name
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8")
    return path


def _gpkg_two_layers(tmp_path):
    path = tmp_path / "two.gpkg"
    gpd.GeoDataFrame({"name": ["a"]}, geometry=[shapely.Point(-8, 12.6)], crs=4326).to_file(path, layer="one")
    gpd.GeoDataFrame({"name": ["b"]}, geometry=[shapely.Point(-8, 12.7)], crs=4326).to_file(path, layer="two")
    return path


def _shp_without_prj(tmp_path):
    path = tmp_path / "noprj.shp"
    with pytest.warns(UserWarning):
        gpd.GeoDataFrame({"name": ["a"]}, geometry=[shapely.Point(-8, 12.6)]).to_file(path)
    return path


def _mixed_geojson(tmp_path):
    fc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "a"}, "geometry": {"type": "Point", "coordinates": [-8, 12.6]}},
        {"type": "Feature", "properties": {"name": "b"},
         "geometry": {"type": "LineString", "coordinates": [[-8, 12.6], [-8.1, 12.7]]}}]}
    return _write(tmp_path, "mixed.geojson", json.dumps(fc))


# (case id, file maker, kind, what the message must say)
CASES = [
    ("empty csv", lambda t: _write(t, "e.csv", ""), "incidents", "cannot parse it as CSV"),
    ("header only", lambda t: _write(t, "h.csv", ACLED_HEAD), "incidents", "the layer is empty"),
    ("truncated row", lambda t: _write(t, "t.csv", ACLED_HEAD + "MLI1,2025-09-14,Battles,JNIM,14.4\n"),
     "incidents", r"1 rows do not have the header's 8 fields \(CSV line 2; e.g. 5 fields\)"),
    ("all geometries null", lambda t: _write(t, "an.csv", "event_date,latitude,longitude\n2025-09-14,,\n"),
     "incidents", "no row has a usable geometry"),
    ("unbalanced quote", lambda t: _write(t, "q.csv", ACLED_HEAD + 'MLI1,2025-09-14,"Battles,JNIM,14.4,-11.4,0,x\n'),
     "incidents", "problem|cannot parse"),
    ("semicolons", lambda t: _write(t, "s.csv", ACLED_HEAD.replace(",", ";") + "MLI1;2025-09-14;Battles;JNIM;14.4;-11.4;0;x\n"),
     "incidents", None),  # read fine: the delimiter is sniffed
    ("tabs", lambda t: _write(t, "tab.csv", ACLED_HEAD.replace(",", "\t") + "MLI1\t2025-09-14\tBattles\tJNIM\t14.4\t-11.4\t0\tx\n"),
     "incidents", None),
    ("latin-1 names", lambda t: _write(t, "l.csv", (ACLED_HEAD + "MLI1,2025-09-14,Battles,JNIM,13.4,-6.2,0,Ségou\n").encode("latin-1")),
     "incidents", "encoding='latin-1'"),
    ("utf-8 bom", lambda t: _write(t, "b.csv", ("\ufeff" + ACLED_HEAD + "MLI1,2025-09-14,Battles,JNIM,13.4,-6.2,0,Ségou\n").encode()),
     "incidents", None),
    ("nan coordinates", lambda t: _write(t, "n.csv", ACLED_HEAD + "MLI1,2025-09-14,Battles,JNIM,nan,-6.2,0,x\nMLI2,2025-09-14,Battles,JNIM,13.4,-6.2,0,x\n"),
     "incidents", None),  # dropped with a warning, counted
    ("infinite coordinates", lambda t: _write(t, "i.csv", ACLED_HEAD + "MLI1,2025-09-14,Battles,JNIM,inf,-6.2,0,x\n"),
     "incidents", "NaN or infinite coordinates"),
    ("text coordinates", lambda t: _write(t, "x.csv", ACLED_HEAD + "MLI1,2025-09-14,Battles,JNIM,13°4'N,-6.2,0,x\n"),
     "incidents", "are not numbers"),
    ("comma decimals", lambda t: _write(t, "c.csv", "event_date;latitude;longitude\n2025-09-14;13,4;-6,2\n"),
     "incidents", "are not numbers.*decimal separator"),
    ("swapped lat/lon", lambda t: _write(t, "w.csv", ACLED_HEAD + "MLI1,2025-09-14,Battles,JNIM,-100.5,13.4,0,x\n"),
     "incidents", "look swapped"),
    ("projected numbers as degrees", lambda t: _write(t, "p.csv", ACLED_HEAD + "MLI1,2025-09-14,Battles,JNIM,1400000,500000,0,x\n"),
     "incidents", "outside longitude -180..180"),
    ("day-first dates", lambda t: _write(t, "d.csv", ACLED_HEAD + "MLI1,14/09/2025,Battles,JNIM,13.4,-6.2,0,x\n"),
     "incidents", "date_format="),
    ("US dates", lambda t: _write(t, "u.csv", ACLED_HEAD + "MLI1,09/14/2025,Battles,JNIM,13.4,-6.2,0,x\n"),
     "incidents", "date_format="),
    ("acled long dates", lambda t: _write(t, "a.csv", ACLED_HEAD + "MLI1,14 September 2025,Battles,JNIM,13.4,-6.2,0,x\n"),
     "incidents", None),
    ("excel serial dates", lambda t: _write(t, "s2.csv", ACLED_HEAD + "MLI1,45914,Battles,JNIM,13.4,-6.2,0,x\n"),
     "incidents", "could not be read"),
    ("missing dates", lambda t: _write(t, "m.csv", ACLED_HEAD + "MLI1,,Battles,JNIM,13.4,-6.2,0,x\n"),
     "incidents", "have no date"),
    ("duplicate ids", lambda t: _write(t, "dup.csv", ACLED_HEAD + "MLI1,2025-09-14,B,J,13.4,-6.2,0,x\nMLI1,2025-09-15,B,J,13.4,-6.2,0,y\n"),
     "incidents", "share a 'event_id'"),
    ("text fatalities", lambda t: _write(t, "f.csv", ACLED_HEAD + "MLI1,2025-09-14,Battles,JNIM,13.4,-6.2,many,x\n"),
     "incidents", "not numbers"),
    ("no coordinate columns", lambda t: _write(t, "nc.csv", "event_date,place\n2025-09-14,Kayes\n"),
     "incidents", "no coordinate columns found"),
    ("no date column", lambda t: _write(t, "nd.csv", "when,latitude,longitude\n2025-09-14,13.4,-6.2\n"),
     "incidents", "required column 'date' is missing"),
    ("binary junk as csv", lambda t: _write(t, "j.csv", bytes(range(256)) * 4), "incidents", "encoding|CSV"),
    ("binary junk as geojson", lambda t: _write(t, "j.geojson", b"\x00\x01\x02garbage"), "roads", "cannot read it"),
    ("truncated geojson", lambda t: _write(t, "tr.geojson", '{"type": "FeatureCollection", "features": [{"type": "Fea'),
     "roads", "cannot read it"),
    ("geojson not a feature collection", lambda t: _write(t, "nf.geojson", '{"hello": 1}'), "roads", "cannot read it"),
    ("empty geojson", lambda t: _write(t, "eg.geojson", '{"type": "FeatureCollection", "features": []}'),
     "roads", "the layer is empty"),
    ("mixed geometry types", _mixed_geojson, "roads", "geometries are Point"),
    ("points as boundaries", _mixed_geojson, "boundaries", "holds Polygon or MultiPolygon"),
    ("shapefile without .prj", _shp_without_prj, "cities", "no coordinate reference system"),
    ("geopackage with two layers", _gpkg_two_layers, "cities", r"holds 2 layers \(one, two\)"),
    ("zip that is not a dataset", lambda t: _write(t, "z.gpkg", _zip_bytes()), "roads", "cannot read it"),
    ("missing file", lambda t: t / "nope.gpkg", "roads", "no such file"),
    ("directory instead of file", lambda t: t, "roads", "cannot read it|no such|is a directory"),
    ("parquet without geometry", lambda t: _plain_parquet(t), "roads", "GeoParquet"),
    ("osm file that is not osm", lambda t: _write(t, "bad.osm", "<html>not osm</html>"), "roads", "OpenStreetMap"),
    ("unknown column mapping", lambda t: _write(t, "um.csv", "event_date,latitude,longitude\n2025-09-14,13.4,-6.2\n"),
     "incidents", None),
]


def _zip_bytes():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("readme.txt", "nothing")
    return buf.getvalue()


def _plain_parquet(tmp_path):
    path = tmp_path / "plain.parquet"
    pd.DataFrame({"a": [1, 2]}).to_parquet(path)
    return path


@pytest.mark.parametrize("case,make,kind,message", CASES, ids=[c[0] for c in CASES])
def test_bad_input_gives_a_clear_error(tmp_path, case, make, kind, message, recwarn):
    path = make(tmp_path)
    if message is None:  # inputs geokit must read correctly, not refuse
        frame, report = load_layer(path, kind)
        assert len(frame) >= 1 and report.ok
        if case == "nan coordinates":
            assert len(frame) == 1 and "dropped" in report.format()
        if case in ("latin-1 names", "utf-8 bom"):
            assert frame["notes"].iloc[0] == "Ségou"
        return
    with pytest.raises(GeokitError) as err:
        load_layer(path, kind)
    import re

    assert re.search(message, str(err.value), re.S), str(err.value)
    assert str(path.name) in str(err.value) or case in ("directory instead of file",)


@pytest.mark.parametrize("case,make,kind,message", [c for c in CASES if c[3] is not None],
                         ids=[c[0] for c in CASES if c[3] is not None])
def test_cli_validate_exits_1_without_traceback(tmp_path, capsys, case, make, kind, message, recwarn):
    path = make(tmp_path)
    code = main(["validate", str(path), "--kind", kind])
    out = capsys.readouterr()
    assert code == 1, out
    assert "Traceback" not in out.out + out.err


def test_column_mapping_names_an_unknown_canonical(tmp_path):
    path = _write(tmp_path, "um.csv", "event_date,latitude,longitude\n2025-09-14,13.4,-6.2\n")
    with pytest.raises(InputError, match="columns= names colour, which is not a canonical incidents column"):
        load_layer(path, "incidents", columns={"colour": "x"})


def test_a_file_too_large_for_the_machine_is_refused(tmp_path, monkeypatch):
    import geokit.readers as readers

    path = _write(tmp_path, "big.csv", "event_date,latitude,longitude\n" + "2025-09-14,13.4,-6.2\n" * 2000)
    monkeypatch.setattr(readers, "_physical_memory_bytes", lambda: 40_000)  # pretend a 40 kB machine
    with pytest.raises(InputError, match=r"big\.csv is 0\.0 GB, more than geokit reads whole.*clip it"):
        load_layer(path, "incidents")
