"""geokit build and demo as a user runs them: a subprocess, real files, exit codes."""

import hashlib
import re
import subprocess
import sys

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import rasterio

from conftest import KAYES_PROJECT, MALI, copy_mali_layers


LAYERS = {"roads_status", "corridors", "corridor_episodes", "detours", "route_options", "places_episodes",
          "exposure_zones", "cities",
          "crossings", "incidents", "layer_styles"}


def geokit_cli(*args, **kw):
    return subprocess.run([sys.executable, "-m", "geokit", *args], capture_output=True, text=True, **kw)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    done = geokit_cli("demo", "--out", str(out))
    assert done.returncode == 0, done.stderr
    return out, done


def test_demo_writes_every_product(demo):
    out, done = demo
    for name in ("layers.gpkg", "incident_density.tif", "map.html", "summary.csv", "status_timeline.csv",
                 "route_options.csv", "places_timeline.csv", "status_chart.png", "summary.json", "build.log"):
        assert (out / name).is_file(), name
        assert name in done.stdout  # the final table of what was written
    assert set(pyogrio.list_layers(out / "layers.gpkg")[:, 0]) == LAYERS
    corridors = gpd.read_file(out / "layers.gpkg", layer="corridors")
    assert len(corridors) == 6 and corridors.crs.to_epsg() == 4326
    roads = gpd.read_file(out / "layers.gpkg", layer="roads_status")
    assert set(roads["status"]) <= {"open", "at_risk", "blockaded"}
    with rasterio.open(out / "incident_density.tif") as src:
        assert src.crs is not None and src.count == 1
        assert src.tags()["units"] == "incidents per km2"
        cell_km2 = abs(src.transform.a * src.transform.e) / 1e6
        assert src.read(1).sum() * cell_km2 == pytest.approx(int(src.tags()["n_incidents"]), rel=0.01)
    assert "rows read" in (out / "build.log").read_text()


def test_summary_holds_the_hand_derived_story(demo):
    """The demo window (Sep-Nov) read by hand from incidents.csv, with 30 blockade days (D .. D+29):
    Kassela roadblock 6 Sep (RN6) -> Bamako-Mopti blockaded 6 Sep - 5 Oct; Didieni-Kolokani ambush 13 Sep
    -> Nouakchott-Bamako 13 Sep - 12 Oct, Dakar-Bamako too and extended by Segala 14 Sep to 13 Oct;
    Sikasso tanker 6 Oct -> Abidjan-Bamako and Bobo-Dioulasso-Bamako 6 Oct - 4 Nov; Conakry-Bamako never."""
    out, _ = demo
    csv = pd.read_csv(out / "summary.csv").set_index("corridor")
    expected = {"Bamako-Mopti": ("2025-09-06..2025-10-05", "2025-10-06", 30),
                "Nouakchott-Bamako": ("2025-09-13..2025-10-12", "2025-10-13", 30),
                "Dakar-Bamako": ("2025-09-13..2025-10-13", "2025-10-14", 31),
                "Abidjan-Bamako": ("2025-10-06..2025-11-04", "2025-11-05", 30),
                "Bobo-Dioulasso-Bamako": ("2025-10-06..2025-11-04", "2025-11-05", 30)}
    for name, (periods, reopened, days) in expected.items():
        row = csv.loc[name]
        assert (row["blockaded_periods"], row["reopened_on"], row["days_blockaded"]) == (periods, reopened, days)
        assert row["worst_status"] == "blockaded" and row["status"] == "at_risk"  # 90-day look-back at 30 Nov
    assert csv.loc["Conakry-Bamako", "worst_status"] == "at_risk" and csv.loc["Conakry-Bamako", "days_blockaded"] == 0


def test_rebuild_is_byte_identical_and_needs_overwrite(demo, tmp_path):
    out, _ = demo
    again = tmp_path / "again"
    assert geokit_cli("build", str(MALI / "project.toml"), "--out", str(again)).returncode == 0
    digest = lambda p: hashlib.sha256(p.read_bytes()).hexdigest()  # noqa: E731
    assert digest(again / "summary.csv") == digest(out / "summary.csv")
    assert digest(again / "route_options.csv") == digest(out / "route_options.csv")
    for layer in ("corridors", "roads_status", "route_options"):
        a = gpd.read_file(again / "layers.gpkg", layer=layer)
        b = gpd.read_file(out / "layers.gpkg", layer=layer)
        pd.testing.assert_frame_equal(a, b)
    refused = geokit_cli("build", str(MALI / "project.toml"), "--out", str(again))
    assert refused.returncode == 1
    assert "already holds a geokit build" in refused.stderr and "--overwrite" in refused.stderr
    assert "Traceback" not in refused.stderr


def test_window_override_changes_the_result(tmp_path):
    done = geokit_cli("build", str(MALI / "project.toml"), "--out", str(tmp_path), "--start", "2025-09-01",
                      "--end", "2025-09-30", "-q")
    assert done.returncode == 0, done.stderr
    summary = pd.read_csv(tmp_path / "summary.csv").set_index("corridor")
    assert summary.loc["Dakar-Bamako", "status"] == "blockaded"
    assert summary.loc["Dakar-Bamako", "blockaded_since"] == "2025-09-13"


def _project(tmp_path, text):
    return copy_mali_layers(tmp_path, text=text)


GOOD = KAYES_PROJECT


@pytest.mark.parametrize("broken,message", [
    (GOOD.replace('roads = "roads.geojson"', 'roads = "nope.geojson"'), "layers.roads = 'nope.geojson': no such file"),
    (GOOD.replace('origin = "Kayes"', 'origin = "Kayez"'),
     "corridor 'K': origin = 'Kayez': no place of that name in the cities or crossings layers; did you mean Kayes"),
    (GOOD.replace("radius_km = 10", "radius_km = -3"),
     r"\[analysis\]: radius_km = -3 must be a finite number above 0 and at most 500 km"),
    (GOOD.replace("radius_km = 10", "radius_kms = 3"),
     r"\[analysis\] has an unknown key radius_kms \(did you mean radius_km\?\)"),
    (GOOD.replace('roads = "roads.geojson"', 'roads = "../../etc/passwd"'), "points outside the project folder"),
    (GOOD + "[[corridors]]\nname = 'K'\norigin = 'Kati'\ndestination = 'Bamako'\n", "name K is used twice"),
    ("[project\nname = 1", "not valid TOML"),
])
def test_bad_project_files_exit_1_naming_the_key(tmp_path, broken, message):
    path = _project(tmp_path, broken)
    done = geokit_cli("build", str(path), "--out", str(tmp_path / "out"))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert __import__("re").search(message, done.stderr), done.stderr


def test_build_help_and_usage():
    done = geokit_cli("build", "--help")
    assert done.returncode == 0 and "--overwrite" in done.stdout and "examples:" in done.stdout
    assert geokit_cli("build").returncode == 2


def test_batch_build_by_month_with_timeline_index_and_changes(tmp_path):
    done = geokit_cli("build", str(MALI / "project.toml"), "--out", str(tmp_path), "--every", "1M",
                      "--format", "geoparquet", "-q")
    assert done.returncode == 0, done.stderr
    folders = sorted(p.name for p in tmp_path.iterdir() if p.is_dir())
    assert folders == ["2025-09-01_2025-09-30", "2025-10-01_2025-10-31", "2025-11-01_2025-11-30"]
    timeline = pd.read_csv(tmp_path / "timeline.csv")
    dakar = timeline[timeline["corridor"] == "Dakar-Bamako"].set_index("window_start")["status"]
    # the ambushes of 13 and 14 Sep blockade Dakar-Bamako through 13 Oct (30-day look-back, both ends
    # included); the 90-day at-risk look-back then keeps it at risk at the end of October and November
    assert dakar.to_dict() == {"2025-09-01": "blockaded", "2025-10-01": "at_risk", "2025-11-01": "at_risk"}
    worst = timeline[timeline["corridor"] == "Dakar-Bamako"].set_index("window_start")["worst_status"]
    assert worst.to_dict() == {"2025-09-01": "blockaded", "2025-10-01": "blockaded", "2025-11-01": "at_risk"}
    days = timeline[timeline["corridor"] == "Dakar-Bamako"].set_index("window_start")["days_blockaded"]
    assert days.to_dict() == {"2025-09-01": 18, "2025-10-01": 13, "2025-11-01": 0}  # 13-30 Sep, 1-13 Oct
    index = (tmp_path / "index.html").read_text()
    for folder in folders:
        assert f"{folder}/map.html" in index and (tmp_path / folder / "map.html").is_file()
    assert (tmp_path / folders[0] / "corridors.parquet").is_file()
    assert not (tmp_path / folders[0] / "changes.csv").exists()  # nothing before the first window
    changes = pd.read_csv(tmp_path / folders[1] / "changes.csv", keep_default_na=False)
    corridor = changes[(changes["kind"] == "corridor") & (changes["id"] == "Dakar-Bamako")].iloc[0]
    assert (corridor["old"], corridor["new"]) == ("blockaded", "at_risk")
    assert corridor["detail"] == "blockaded 2025-09-13..2025-10-13, reopened on 2025-10-14"
    new_ids = set(changes.loc[changes["kind"] == "incident", "id"])
    assert "GK25-10-17" in new_ids and "GK25-09-13" not in new_ids
    md = (tmp_path / folders[1] / "changes.md").read_text()
    assert "Dakar-Bamako: blockaded -> at risk (blockaded 2025-09-13..2025-10-13, reopened on 2025-10-14)" in md
    assert ".geokit-build" not in md
    assert "status_chart.png" in (tmp_path / "index.html").read_text() or "data:image/png" in index


def test_diff_command_and_automatic_diff_on_overwrite(tmp_path):
    sept, octo = tmp_path / "sept", tmp_path / "oct"
    for folder, (a, b) in ((sept, ("2025-09-01", "2025-09-30")), (octo, ("2025-10-01", "2025-10-31"))):
        assert geokit_cli("build", str(MALI / "project.toml"), "--out", str(folder), "--start", a, "--end", b,
                          "-q").returncode == 0
    # --out: a new folder (diff writes only into a geokit build, or a new or empty folder: issue #26)
    done = geokit_cli("diff", str(sept), str(octo), "--out", str(tmp_path / "changes"))
    assert done.returncode == 0, done.stderr
    assert "Nouakchott-Bamako: blockaded -> at risk (blockaded 2025-09-13..2025-10-12, reopened on 2025-10-13)" \
        in done.stdout
    assert (tmp_path / "changes" / "changes.csv").is_file()
    # rebuilding September over October writes the changes back the other way
    assert geokit_cli("build", str(MALI / "project.toml"), "--out", str(octo), "--start", "2025-09-01",
                      "--end", "2025-09-30", "--overwrite", "-q").returncode == 0
    md = (octo / "changes.md").read_text()
    assert re.search(r"Nouakchott-Bamako: at risk -> blockaded \(blockaded since 2025-09-13, 18 days in the "
                     r"window; detour [\d,]+ km \(\+[\d,]+ km\)\)", md), md
    bad = geokit_cli("diff", str(sept), str(tmp_path / "nope"))
    assert bad.returncode == 1 and "is not a geokit build" in bad.stderr


def test_bad_every_is_a_clear_error(tmp_path):
    done = geokit_cli("build", str(MALI / "project.toml"), "--out", str(tmp_path), "--every", "fortnight")
    assert done.returncode == 1 and "is not a step like 7d, 2W or 1M" in done.stderr


@pytest.mark.shared_data
def test_build_on_the_real_data(shared_data, tmp_path):
    project = tmp_path / "real.toml"
    project.write_text(f"""
[project]
name = "Real network, Mali incidents"
[layers]
roads = "{shared_data / 'roads_major_routes_osm_osrm.geojson'}"
cities = "{shared_data / 'osm_places_city_town_2019.geojson'}"
crossings = "{shared_data / 'border_crossings_derived.geojson'}"
boundaries = "{shared_data / 'admin0_countries_ne50m.geojson'}"
incidents = "{MALI / 'incidents.csv'}"
[[corridors]]
name = "Dakar-Bamako"
origin = "Dakar"
destination = "Bamako"
via = ["Kayes"]
[analysis]
start = "2025-09-01"
end = "2025-09-30"
radius_km = 10
""", encoding="utf-8")
    refused = geokit_cli("build", str(project), "--out", str(tmp_path / "out"))
    assert refused.returncode == 1 and "outside the project folder" in refused.stderr
    done = geokit_cli("build", str(project), "--out", str(tmp_path / "out"), "--allow-outside", "-q")
    assert done.returncode == 0, done.stderr
    out = tmp_path / "out"
    for name in ("layers.gpkg", "incident_density.tif", "map.html", "summary.csv", "summary.json", "build.log"):
        assert (out / name).is_file()
    row = pd.read_csv(out / "summary.csv").iloc[0]
    assert row["status"] == "blockaded" and row["detour"] == "ok"
    assert row["length_km"] == pytest.approx(1382, rel=0.10)
    assert "Countries (offline base)" in (out / "map.html").read_text()


def test_geopackage_carries_qgis_styles_and_kml_reads_back(tmp_path):
    """Issue #16: layers.gpkg opens in QGIS styled by status (a layer_styles table of QML), and
    --format kml writes KML that a KML reader (GDAL's) reads back with every corridor."""
    import sqlite3
    import xml.etree.ElementTree as ET

    from geokit.palette import STATUS_COLORS

    done = geokit_cli("build", str(MALI / "project.toml"), "--out", str(tmp_path), "--start", "2025-09-01",
                      "--end", "2025-09-30", "--format", "kml", "-q")
    assert done.returncode == 0, done.stderr
    with sqlite3.connect(tmp_path / "layers.gpkg") as db:
        styles = dict(db.execute("SELECT f_table_name, styleQML FROM layer_styles WHERE useAsDefault"))
    assert {"roads_status", "corridors", "exposure_zones", "incidents", "crossings"} <= set(styles)
    root = ET.fromstring(styles["roads_status"].split("\n", 1)[1])  # after the DOCTYPE line
    renderer = root.find("renderer-v2")
    assert renderer.get("type") == "categorizedSymbol" and renderer.get("attr") == "status"
    cats = {c.get("value"): c.get("symbol") for c in renderer.iter("category")}
    assert set(cats) == {"open", "at_risk", "blockaded"}
    colours = {s.get("name"): s.find(".//Option[@name='line_color']").get("value") for s in renderer.iter("symbol")}
    r, g, b = (int(STATUS_COLORS["blockaded"][i:i + 2], 16) for i in (1, 3, 5))
    assert colours[cats["blockaded"]] == f"{r},{g},{b},255"
    kml = gpd.read_file(tmp_path / "corridors.kml")
    assert set(kml["Name"]) == {"Dakar-Bamako", "Nouakchott-Bamako", "Conakry-Bamako", "Abidjan-Bamako",
                                "Bobo-Dioulasso-Bamako", "Bamako-Mopti"}
    assert "<th align='left'>status at the end</th><td>blockaded</td>" in \
        kml.set_index("Name").loc["Dakar-Bamako", "description"]
    assert len(gpd.read_file(tmp_path / "incidents.kml")) == len(
        gpd.read_file(tmp_path / "layers.gpkg", layer="incidents"))


def test_missing_text_is_null_in_the_geopackage_not_the_text_na(tmp_path):
    """Incidents without notes, actor or precision (columns the file does not have, as in a bare export)
    have NULL there in layers.gpkg, as GIS software expects; the writer before Arrow stored pandas'
    missing marker as the text '<NA>'."""
    import sqlite3

    from geokit.build import build_project

    project = copy_mali_layers(tmp_path, text=KAYES_PROJECT)
    table = pd.read_csv(tmp_path / "incidents.csv", dtype=str, keep_default_na=False)
    table.drop(columns=["notes", "actor1", "geo_precision"]).to_csv(tmp_path / "incidents.csv", index=False)
    build_project(project, tmp_path / "out")
    with sqlite3.connect(tmp_path / "out" / "layers.gpkg") as db:
        nulls = db.execute("SELECT count(*) FROM incidents WHERE notes IS NULL AND actor IS NULL "
                           "AND geo_precision IS NULL").fetchone()[0]
        texts = db.execute("SELECT count(*) FROM incidents WHERE notes = '<NA>' OR actor = '<NA>' "
                           "OR geo_precision = '<NA>'").fetchone()[0]
        rows = db.execute("SELECT count(*) FROM incidents").fetchone()[0]
    assert texts == 0 and nulls == rows > 10
