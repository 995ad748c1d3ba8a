"""Hostile and careless projects, command lines and layers: each is refused with the exact fix, or handled
and reported, never a traceback or a silent wrong answer. Run with -s for the count of cases tried."""

import json
import re
import time

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from conftest import KAYES_PROJECT, copy_mali_layers

import geokit
import geokit.exposure
import geokit.incidents
from geokit import InputError, load_layer
from geokit.cli import main
from geokit.network import build_network

GOOD = KAYES_PROJECT


@pytest.fixture
def folder(tmp_path):
    return copy_mali_layers(tmp_path)


def _run(folder, capsys, text, *extra):
    (folder / "project.toml").write_text(text, encoding="utf-8")
    code = main(["build", str(folder / "project.toml"), "--out", str(folder / "out"), "-q", *extra])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err


# (case, how the project text changes, extra command-line arguments, what the message must say)
PROJECT_CASES = [
    ("non_exposure_types as a string", ("radius_km = 10", 'non_exposure_types = "Protests"'), (),
     r"non_exposure_types = 'Protests' must be a list of names, e\.g\. \[\"Strategic developments\"\], not a single"),
    ("text_columns as a string", ("radius_km = 10", 'text_columns = "notes"'), (),
     r"text_columns = 'notes' must be a list of names"),
    ("unknown CRS", ('roads = "roads.geojson"', 'roads = { path = "roads.geojson", crs = "EPSG:99999" }'), (),
     r"layers.roads.crs = 'EPSG:99999' is not a coordinate reference system pyproj knows"),
    ("CRS as a number", ('roads = "roads.geojson"', 'roads = { path = "roads.geojson", crs = 4326 }'), (),
     r"layers.roads.crs = 4326 must be a non-empty text"),
    ("date_format without a field", ('incidents = "incidents.csv"',
                                     'incidents = { path = "incidents.csv", date_format = "dd/mm/yyyy" }'), (),
     r"layers.incidents.date_format = 'dd/mm/yyyy' has no strftime field; write it like \"%d/%m/%Y\""),
    ("unknown encoding", ('incidents = "incidents.csv"', 'incidents = { path = "incidents.csv", encoding = "klingon" }'),
     (), r"layers.incidents.encoding = 'klingon' is not a text encoding Python knows"),
    ("blockade_days = 1e12", ("radius_km = 10", "blockade_days = 1e12"), (),
     r"blockade_days = 1,000,000,000,000 must be a whole number from 1 to 3,650 days"),
    ("blockade_days = 14.5", ("radius_km = 10", "blockade_days = 14.5"), (),
     r"blockade_days = 14\.5 must be a whole number"),
    ("radius_km = inf", ("radius_km = 10", "radius_km = inf"), (),
     r"radius_km = inf must be a finite number above 0 and at most 500 km"),
    ("radius_km = nan", ("radius_km = 10", "radius_km = nan"), (), r"radius_km = nan must be a finite number"),
    ("radius_km as text", ("radius_km = 10", 'radius_km = "10"'), (), r"radius_km = '10' must be .* not str"),
    ("radius_km = true", ("radius_km = 10", "radius_km = true"), (), r"radius_km = True must be .* not bool"),
    ("segment_km = nan", ("radius_km = 10", "segment_km = nan"), (), r"segment_km = nan must be a finite number"),
    ("segment_km = 0.001", ("radius_km = 10", "segment_km = 0.001"), (),
     r"segment_km = 0\.001 must be a finite number at least 0\.1 and at most 1000 km"),
    ("at_risk_days = 0", ("radius_km = 10", "at_risk_days = 0"), (), r"at_risk_days = 0 must be a whole number from 1"),
    ("blockade_max_precision = 5", ("radius_km = 10", "blockade_max_precision = 5"), (),
     r"blockade_max_precision = 5 must be a whole number from 1 to 3"),
    ("half_life_days = 0", ("radius_km = 10", "half_life_days = 0"), (), r"half_life_days = 0 must be a finite number above 0"),
    ("imprecise_radius_km negative", ("radius_km = 10", "imprecise_radius_km = -1"), (),
     r"imprecise_radius_km = -1 must be a finite number above 0"),
    ("cell_km tiny", ("radius_km = 10", "cell_km = 0.0001"), (), r"cell_km = 0\.0001 must be a finite number at least 0\.05"),
    ("invalid regular expression", ("radius_km = 10", 'blockade_pattern = "(ambush"'), (),
     r"blockade_pattern is not a valid regular expression"),
    ("year 0025", ('start = "2025-09-01"', "start = 0025-09-01"), (), r"start='0025-09-01' lies outside the years 1900-2100"),
    ("year 2300", ('end = "2025-09-30"', 'end = "2300-09-30"'), (), r"end='2300-09-30' lies outside the years 1900-2100"),
    ("start after end", ('start = "2025-09-01"', 'start = "2025-10-01"'), (), r"start 2025-10-01 is after end 2025-09-30"),
    ("start not ISO", ('start = "2025-09-01"', 'start = "01/09/2025"'), (), r"start='01/09/2025' is not an ISO date"),
    ("[project] key typo", ('name = "test"', 'nmae = "test"'), (),
     r"\[project\] has unknown key\(s\) nmae; allowed: name"),
    ("[project] name a number", ('name = "test"', "name = 5"), (), r"\[project\] name = 5 must be a non-empty text"),
    ("[analysis] key typo", ("radius_km = 10", "radius_kms = 10"), (),
     r"\[analysis\] has an unknown key radius_kms \(did you mean radius_km\?\)"),
    ("unknown section", ("[analysis]", "[analyses]"), (), r"unknown section\(s\) analyses"),
    ("corridor to itself", ('destination = "Bamako"', 'destination = "Kayes"'), (),
     r"corridors\[0\] runs from 'Kayes' to itself; give it another destination"),
    ("corridor point out of range", ('origin = "Kayes"', "origin = [200.0, 14.4]"), (),
     r"corridors\[0\].origin = \[200\.0, 14\.4\] is not \[lon, lat\] in degrees"),
    ("corridor via not a list", ('destination = "Bamako"', 'destination = "Bamako"\nvia = "Kita"'), (),
     r"corridors\[0\].via must be a list"),
    ("corridor name a number", ('name = "K"', "name = 7"), (), r"corridors\[0\].name = 7 must be a text"),
    ("layer key typo", ('roads = "roads.geojson"', 'roads = { pth = "roads.geojson" }'), (),
     r"layers.roads must be a path or a table with a 'path' key"),
    ("columns not a table", ('incidents = "incidents.csv"', 'incidents = { path = "incidents.csv", columns = "date" }'),
     (), r"layers.incidents.columns must be a table"),
    ("population raster missing", ('incidents = "incidents.csv"', 'incidents = "incidents.csv"\npopulation = "pop.tif"'),
     (), r"layers.population = 'pop.tif': no such file"),
    ("CLI date month-first", None, ("--start", "01/10/2025"), r"start='01/10/2025' is not an ISO date"),
    ("CLI radius inf", None, ("--radius-km", "inf"), r"--radius-km inf must be a finite number above 0"),
    ("CLI blockade days 0", None, ("--blockade-days", "0"), r"--blockade-days 0 must be a whole number from 1"),
    ("CLI segment km tiny", None, ("--segment-km", "0.001"), r"--segment-km 0\.001 must be a finite number at least 0\.1"),
    ("CLI every 0d", None, ("--every", "0d"), r"--every needs a step of at least 1"),
    ("CLI every nonsense", None, ("--every", "weekly"), r"--every 'weekly' is not a step like 7d, 2W or 1M"),
    ("CLI every too fine", None, ("--every", "1d", "--start", "2000-01-01", "--end", "2025-09-30"),
     r"more than 1000 windows: choose a longer --every step"),
    ("CLI every huge count", None, ("--every", "99999999999999999999d"), r"--every .* is longer than"),
    ("place misspelt", ('origin = "Kayes"', 'origin = "Kayez"'), (),
     r"corridor 'K': origin = 'Kayez': no place of that name in the cities or crossings layers; did you mean Kayes\?"),
    ("place far from every road", ('origin = "Kayes"', "origin = [-5.0, 20.0]"), (),
     r"corridor 'K': origin = \(-5\.0, 20\.0\) lies [\d,.]+ km from the nearest road, farther than place_snap_km = 5"),
]


@pytest.mark.parametrize("case,change,extra,message", PROJECT_CASES, ids=[c[0] for c in PROJECT_CASES])
def test_a_bad_project_or_option_exits_1_with_the_fix(folder, capsys, case, change, extra, message):
    text = GOOD if change is None else GOOD.replace(*change)
    assert change is None or text != GOOD, "the case changes nothing"
    code, err = _run(folder, capsys, text, *extra)
    assert code == 1, err
    assert re.search(message, err), err
    assert not (folder / "out").exists()  # refused before anything was written


def test_an_out_path_that_is_a_file_is_refused_before_the_analysis(folder, capsys):
    (folder / "taken").write_text("x")
    (folder / "project.toml").write_text(GOOD, encoding="utf-8")
    for out, said in ((folder / "taken", "is a file"), (folder / "taken" / "sub", "which is a file")):
        started = time.perf_counter()
        code = main(["build", str(folder / "project.toml"), "--out", str(out), "-q"])
        err = capsys.readouterr().err
        assert code == 1 and said in err and time.perf_counter() - started < 2


# --- layers: refused with rows and fix, or handled and reported -------------------------------------------------

H = "event_id_cnty,event_date,event_type,sub_event_type,actor1,latitude,longitude,fatalities,notes\n"


def _csv(tmp_path, rows, name="i.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes((H + "".join(r + "\n" for r in rows)).encode(encoding))
    return path


def _geojson(tmp_path, features, name="f.geojson", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)
                     .encode(encoding))
    return path


def _line(coords, **props):
    return {"type": "Feature", "properties": props, "geometry": {"type": "LineString", "coordinates": coords}}


def _point(x, y, **props):
    return {"type": "Feature", "properties": props, "geometry": {"type": "Point", "coordinates": [x, y]}}


ROW = "MLI{i},2025-09-{d:02d},Battles,Ambush,JNIM,13.4,-6.2,{f},x"

LAYER_ERRORS = [
    ("negative fatalities", lambda t: _csv(t, [ROW.format(i=1, d=14, f=-3)]), "incidents",
     r"1 rows have a negative fatalities \(e\.g\. -3\) \(CSV line 2\)\. Fix: a fatalities count is 0 or more"),
    ("negative population", lambda t: _geojson(t, [_point(-8, 12.6, name="A", population=-5)]), "cities",
     r"1 rows have a negative population \(e\.g\. -5\) \(feature 0\)"),
    ("NUL byte", lambda t: _csv(t, [ROW.format(i=1, d=14, f=0).replace("JNIM", "JN\x00IM")]), "incidents",
     r"holds a NUL byte \(line 2\): it is binary or corrupted"),
    ("ids differing by spaces", lambda t: _csv(t, [ROW.format(i=1, d=14, f=0), " MLI1 " + ROW.format(i=1, d=15, f=0)[4:]]),
     "incidents", r"2 rows share a 'event_id' with another row \(values MLI1\)"),
    ("year 0025 in a row", lambda t: _csv(t, [ROW.format(i=1, d=14, f=0).replace("2025-09-14", "0025-09-14")]),
     "incidents", r"1 dates in 'event_date' lie outside the years 1900-2100, e\.g\. '0025-09-14' \(CSV line 2\)"),
    ("year 2300 in a row", lambda t: _csv(t, [ROW.format(i=1, d=14, f=0).replace("2025-09-14", "2300-09-14")]),
     "incidents", r"lie outside the years 1900-2100, e\.g\. '2300-09-14'"),
    ("antimeridian road", lambda t: _geojson(t, [_line([[179.5, -17], [-179.5, -17.2]])]), "roads",
     r"1 features cross the antimeridian \(180 degrees longitude\) \(feature 0\)\. Fix: split them at 180 degrees"),
    ("latin-1 GeoJSON", lambda t: _geojson(t, [_point(-6.26, 13.43, name="Ségou", population=5)], encoding="latin-1"),
     "cities", r"holds text that is not valid UTF-8 \(byte b'\\xe9'\); pass encoding='latin-1'"),
    ("day-first dates", lambda t: _csv(t, [ROW.format(i=1, d=14, f=0).replace("2025-09-14", "14/09/2025")]),
     "incidents", r"could not be read as ISO8601 or %d %B %Y, e\.g\. '14/09/2025'.*date_format='%d/%m/%Y'"),
]


@pytest.mark.parametrize("case,make,kind,message", LAYER_ERRORS, ids=[c[0] for c in LAYER_ERRORS])
def test_a_bad_layer_is_refused_with_rows_and_fix(tmp_path, capsys, case, make, kind, message):
    path = make(tmp_path)
    with pytest.raises(InputError) as err:
        load_layer(path, kind)
    assert re.search(message, str(err.value), re.S), str(err.value)
    code = main(["validate", str(path), "--kind", kind])  # the same on the command line, hints as options
    out = capsys.readouterr()
    assert code == 1 and "Traceback" not in out.err
    assert "encoding='" not in out.out + out.err and "date_format='" not in out.out + out.err


def test_hints_follow_where_the_user_gives_options(folder, capsys):
    cli = main(["validate", str(_csv(folder, [ROW.format(i=1, d=14, f=0).replace("2025-09-14", "14/09/2025")])),
                "--kind", "incidents"])
    assert cli == 1 and "--date-format '%d/%m/%Y'" in capsys.readouterr().out
    _geojson(folder, [_point(-11.44, 14.45, name="Kayes", population=5), _point(-8.0, 12.65, name="Bamako")],
             name="cities.geojson", encoding="latin-1")
    (folder / "cities.geojson").write_bytes((folder / "cities.geojson").read_bytes().replace(b"Kayes", b"K\xe9yes"))
    code, err = _run(folder, capsys, GOOD)
    assert code == 1 and "[layers] cities:" in err and 'pass encoding = "latin-1"' in err, err


def test_local_dates_stay_as_written_whatever_the_offset(tmp_path):
    path = _csv(tmp_path, [ROW.format(i=1, d=14, f=0).replace("2025-09-14", "2025-09-14T23:30:00-05:00"),
                           ROW.format(i=2, d=14, f=0).replace("2025-09-14", "2025-09-14T00:30:00+03:00")])
    frame = geokit.read_incidents(path)
    assert frame["date"].dt.strftime("%Y-%m-%d").tolist() == ["2025-09-14", "2025-09-14"]  # UTC would say 15, 13


def test_a_future_typo_is_dropped_and_cannot_move_the_window(tmp_path):
    rows = [ROW.format(i=i, d=10 + i, f=0) for i in range(1, 6)]
    path = _csv(tmp_path, rows + [ROW.format(i=9, d=14, f=0).replace("2025-09-14", "2052-09-14")])
    with pytest.warns(geokit.GeokitWarning, match=r"1 incidents dated after today \(\d{4}-\d\d-\d\d\) were dropped, "
                      r"e\.g\. 2052-09-14 \(CSV line 7\)"):
        frame = geokit.read_incidents(path)
    assert len(frame) == 5 and frame["date"].max() == pd.Timestamp("2025-09-15")


def test_a_date_years_from_the_rest_is_warned_and_kept(tmp_path):
    rows = [ROW.format(i=i, d=10 + i, f=0) for i in range(1, 8)]
    path = _csv(tmp_path, rows + [ROW.format(i=9, d=14, f=0).replace("2025-09-14", "2015-09-14")])
    with pytest.warns(geokit.GeokitWarning, match=r"1 incidents are dated more than 3 years from the others "
                      r"\(middle date 2025-09-1\d\), e\.g\. 2015-09-14 \(CSV line 9\)"):
        frame = geokit.read_incidents(path)
    assert len(frame) == 8


@pytest.mark.parametrize("case,make,kind,kept,report", [
    ("(0, 0) placeholder", lambda t: _csv(t, [ROW.format(i=1, d=14, f=0).replace("13.4,-6.2", "0,0"),
                                              ROW.format(i=2, d=14, f=0)]), "incidents", 1,
     r"DROPPED: 1 rows at exactly \(0, 0\), the placeholder for a missing location, were dropped \(CSV line 2\)"),
    ("duplicated road", lambda t: _geojson(t, [_line([[-8, 12.6], [-7, 12.7]]), _line([[-7, 12.7], [-8, 12.6]]),
                                               _line([[-7, 12.7], [-6, 13]])]), "roads", 2,
     r"DROPPED: 1 roads repeat an earlier road's line exactly \(in either direction\) and were dropped \(feature 1\)"),
    ("identical incidents without ids", lambda t: (t / "n.csv").write_text(
        "event_date,latitude,longitude,notes\n2025-09-14,13.4,-6.2,a\n2025-09-14,13.4,-6.2,a\n2025-09-14,13.4,-6.2,b\n")
     and t / "n.csv", "incidents", 2,
     r"DROPPED: 1 incidents without ids repeat an earlier row in every field and location and were dropped "
     r"\(CSV line 3\)"),
    ("a line with one vertex", lambda t: _geojson(t, [_line([[-8, 12.6]]), _line([[-8, 12.6], [-7, 12.7]])]),
     "roads", 1, r"WARNING: 1 geometries cannot be built \(e\.g\. a line with a single vertex\) and are read as null "
     r"\(feature 0\).*DROPPED: 1 rows with a null or empty geometry were dropped"),
])
def test_a_repairable_layer_is_handled_and_reported(tmp_path, case, make, kind, kept, report, recwarn):
    frame, rep = load_layer(make(tmp_path), kind)
    assert len(frame) == kept
    assert re.search(report, rep.format(), re.S), rep.format()


def test_latin1_geojson_reads_with_its_encoding(tmp_path):
    path = _geojson(tmp_path, [_point(-6.26, 13.43, name="Ségou", population=5)], encoding="latin-1")
    assert geokit.read_cities(path, encoding="latin-1")["name"].tolist() == ["Ségou"]


def test_two_places_of_one_name_are_refused_in_a_corridor(folder, capsys):
    cities = gpd.read_file(folder / "cities.geojson")
    other = cities[cities["name"] == "Kayes"].copy()
    other["geometry"] = [shapely.Point(-8.5, 13.0)]  # a second Kayes, 400 km away, near a road
    other["country"] = "XXX"
    pd.concat([cities, other]).to_file(folder / "cities.geojson", driver="GeoJSON")
    code, err = _run(folder, capsys, GOOD)
    assert code == 1
    assert re.search(r"corridor 'K': origin = 'Kayes' names 2 places 3\d\d km apart: Kayes \(MLI\) at -11\.4\d, "
                     r"14\.4\d; Kayes \(XXX\) at -8\.50, 13\.00; give the one you mean as \[lon, lat\]", err), err


def test_incidents_far_from_every_road_are_warned_in_console_and_log(folder, capsys, caplog):
    table = pd.read_csv(folder / "incidents.csv", dtype=str, keep_default_na=False)
    table.loc[:2, "latitude"], table.loc[:2, "longitude"] = "20.5", "-2.0"  # the Sahara, far from every road
    table.to_csv(folder / "incidents.csv", index=False)
    code, err = _run(folder, capsys, GOOD.replace('start = "2025-09-01"', 'start = "2025-06-01"'))
    assert code == 0, err
    # the three moved rows, and the two real ones off the major roads (Timbuktu, Yelimane), in June-September
    said = (r"5 of 34 incidents lie farther than 50 km from every road \(GK25-07-01-1, .*, \.\.\.\) and expose "
            r"none: if that is unexpected, check their coordinates \(latitude and longitude swapped")
    assert re.search(said, caplog.text), caplog.text
    assert re.search("WARNING: " + said, (folder / "out" / "build.log").read_text())


def test_a_chain_of_lines_shorter_than_the_snap_tolerance_is_not_collapsed():
    # a straight 10 km road cut into 500 pieces of 20 m (under the 50 m snap tolerance)
    x = np.linspace(0, 10_000, 501)
    lines = shapely.linestrings(np.stack([np.column_stack([x[:-1], np.zeros(500)]),
                                          np.column_stack([x[1:], np.zeros(500)])], axis=1))
    started = time.perf_counter()
    net = build_network(gpd.GeoDataFrame(geometry=lines, crs=32629), crs=32629)
    assert time.perf_counter() - started < 10  # it took over 300 s (and 22 GB) when chains were merged
    s = net.summary()
    assert (s["nodes"], s["edges"], s["components"]) == (501, 500, 1)
    whole = build_network(gpd.GeoDataFrame(geometry=[shapely.LineString([(0, 0), (10_000, 0)])], crs=32629), crs=32629)
    assert s["length_km"] == pytest.approx(whole.summary()["length_km"], abs=1e-6)  # nothing lost or doubled


def test_an_empty_window_still_writes_every_product(folder, capsys):
    code, err = _run(folder, capsys, GOOD.replace('start = "2025-09-01"', 'start = "2025-01-01"')
                     .replace('end = "2025-09-30"', 'end = "2025-01-31"'))
    assert code == 0, err
    names = {p.name for p in (folder / "out").iterdir()}
    assert {"layers.gpkg", "incident_density.tif", "map.html", "summary.csv", "status_timeline.csv",
            "status_chart.png", "summary.json", "build.log", "brief.html"} <= names
    import rasterio

    with rasterio.open(folder / "out" / "incident_density.tif") as src:
        assert src.tags()["n_incidents"] == "0" and src.read(1).max() == 0


def test_a_build_too_big_for_the_machine_is_refused_up_front_with_the_numbers(folder, capsys, monkeypatch):
    import geokit._check

    monkeypatch.setattr(geokit._check, "physical_memory_bytes", lambda: 2**28)  # pretend a 0.25 GB machine
    code, err = _run(folder, capsys, GOOD)
    assert code == 1
    found = re.search(r"this build would need about 0\.4 GB for (\d+) incidents up to the window's end and about "
                      r"([\d,]+) road segments of 5 km, more than this machine's 0\.2 GB can hold: keep", err)
    assert found, err
    dates = pd.read_csv(folder / "incidents.csv")["event_date"]
    assert int(found.group(1)) == int((pd.to_datetime(dates) <= "2025-09-30").sum())
    # the shipped network: 24,593 km in 324 lines (layers/mali_2025/README.md), cut every 5 km at most
    assert int(found.group(2).replace(",", "")) == pytest.approx(24_593 / 5 + 324, abs=10)
    assert not (folder / "out").exists()


# --- UCDP GED and ACLED together ----------------------------------------------------------------------------------

GED = "id,date_start,date_end,type_of_violence,side_a,best,where_prec,source_headline,latitude,longitude\n"
ROAD = gpd.GeoDataFrame({"ref": ["RN1"]}, geometry=[shapely.LineString([(-8.0, 12.65), (-7.0, 12.65)])], crs=4326)


def _ged(tmp_path, *rows):
    path = tmp_path / "ged.csv"
    path.write_text(GED + "".join(r + "\n" for r in rows), encoding="utf-8")
    return geokit.read_incidents(path)


def test_a_ucdp_event_spanning_days_counts_from_its_first_to_its_last_day(tmp_path):
    # an ambush reported from 28 August to 3 September, 1 km from the road
    ged = _ged(tmp_path, "7,2025-08-28,2025-09-03,1,Government of Mali,4,1,Ambush on a fuel convoy,12.66,-7.5")
    assert geokit.incidents.in_window(ged, "2025-09-01", "2025-09-30").shape[0] == 1  # it overlaps September
    seg = geokit.exposure.road_exposure(ROAD, ged, radius_km=10, start="2025-09-01", end="2025-10-02")
    assert seg["status"].tolist() == ["blockaded"]  # 3 September + 30 days - 1 = 2 October, the last day
    assert seg["blockaded_since"].dt.strftime("%Y-%m-%d").tolist() == ["2025-08-28"]
    later = geokit.exposure.road_exposure(ROAD, ged, radius_km=10, start="2025-09-01", end="2025-10-03")
    assert later["status"].tolist() == ["at_risk"]
    bad = tmp_path / "bad.csv"
    bad.write_text(GED + "8,2025-09-05,2025-09-01,1,X,0,1,Ambush,12.66,-7.5\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"1 incidents end before they start \('date_end' is before 'date_start'\)"):
        geokit.read_incidents(bad)


@pytest.mark.parametrize("where_prec,status", [(1, "blockaded"), (5, "blockaded"), (4, "at_risk"),
                                               (6, "open"), (7, "open")])
def test_ucdp_location_precision_decides_what_an_event_can_mark(tmp_path, where_prec, status):
    # 5: between two named places (a road), precise enough; 4: a region's centroid, at risk only;
    # 6 and 7: a country or a sea, nothing on the ground
    ged = _ged(tmp_path, f"7,2025-09-10,2025-09-10,1,Government of Mali,4,{where_prec},Ambush on a convoy,12.66,-7.5")
    seg = geokit.exposure.road_exposure(ROAD, ged, radius_km=10, start="2025-09-01", end="2025-09-30")
    assert seg["status"].tolist() == [status]


def test_acled_and_ucdp_reports_of_one_event_are_merged_by_the_crosswalk(tmp_path):
    acled = _csv(tmp_path, ["MLI1,2025-09-10,Battles,Armed clash,JNIM,12.66,-7.50,3,x",
                            "MLI2,2025-09-12,Protests,Peaceful protest,Civilians,12.66,-7.50,0,x"])
    ged = _ged(tmp_path, "7,2025-09-10,2025-09-10,1,Government of Mali,4,1,Clash,12.67,-7.49",
               "8,2025-09-12,2025-09-12,3,JNIM,2,1,Civilians killed,12.66,-7.50")
    merged = geokit.incidents.merge_incidents(geokit.read_incidents(acled), ged)
    dup = merged.set_index("uid")["duplicate_of"]
    # Battles and State-based conflict, the same day 1.5 km apart: one event; a protest and one-sided violence:
    # two (they share no word either way, and the crosswalk does not pair them)
    assert dup.notna().sum() == 1 and dup.dropna().index.tolist() in (["0:MLI1"], ["1:7"])
    assert merged["counted"].sum() == 3
