"""#26 "A layer can read only what the project may read": files, links, GDAL paths, views, rasters and text
from others. Each case is refused with a message naming the file or key and the fix (exit 1, no traceback), or
handled and reported. Would-hang cases run in a subprocess with a timeout; "no request leaves" cases run a
127.0.0.1 server and assert it received nothing."""

import http.server
import json
import os
import re
import sqlite3
import subprocess
import sys
import threading

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import rasterio
import shapely
from rasterio.transform import from_origin

from conftest import KAYES_PROJECT, copy_mali_layers

import geokit
from geokit import GeokitError, InputError, load_layer
from geokit.cli import main
from geokit.raster import population_within
from geokit.trust import GDAL_OFFLINE_OPTIONS, gdal_offline

HANG = 60  # seconds a would-hang case may take in its subprocess before it counts as a hang


@pytest.fixture
def server():
    """A 127.0.0.1 HTTP server recording every request it gets (none should arrive)."""
    hits = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(404)
            self.end_headers()

        do_HEAD = do_GET

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    httpd.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.hits = hits
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def _roads(path, **kw):
    path.parent.mkdir(parents=True, exist_ok=True)
    gpd.GeoDataFrame({"ref": ["RN1"]}, geometry=[shapely.LineString([(-8, 12.6), (-7, 12.7)])],
                     crs=4326).to_file(path, **kw)
    return path


def _write(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8")
    return path


def _ogr_vrt(source):
    return (f'<OGRVRTDataSource><OGRVRTLayer name="roads"><SrcDataSource>{source}</SrcDataSource>'
            "</OGRVRTLayer></OGRVRTDataSource>")


def _secret(t):
    return _roads(t.parent / f"{t.name}_elsewhere" / "secret.geojson")


def _shp_with_link(t, ext):
    shp = _roads(t / "roads.shp")
    target = _write(t.parent / f"{t.name}_elsewhere" / f"other{ext}", (t / f"roads{ext}").read_bytes())
    (t / f"roads{ext}").unlink()
    (t / f"roads{ext}").symlink_to(target)
    return shp


def _gpkg_view(t, named, view="loop"):
    path = _roads(t / "v.gpkg", layer="roads")
    with sqlite3.connect(path) as db:
        db.executescript("""
            CREATE VIEW loop AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c)
                SELECT x AS fid, NULL AS geom, x AS ref FROM c;
            INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id) VALUES ('loop', 'features', 'loop', 4326);
            INSERT INTO gpkg_geometry_columns VALUES ('loop', 'geom', 'LINESTRING', 4326, 0, 0);""".replace(
            "loop", view))
        if not named:  # the view as the file's only layer
            db.executescript("DELETE FROM gpkg_contents WHERE table_name = 'roads';"
                             "DELETE FROM gpkg_geometry_columns WHERE table_name = 'roads';")
    return path


def _shp_cpg(t, value):
    shp = _roads(t / "roads.shp")
    (t / "roads.cpg").write_text(value)
    return shp


def _deep_geojson(t):
    depth = 100_000
    props = '{"a": ' + "[" * depth + "]" * depth + "}"
    return _write(t / "deep.geojson", '{"type": "FeatureCollection", "features": [{"type": "Feature", '
                  f'"properties": {props}, "geometry": {{"type": "Point", "coordinates": [-8, 12.6]}}}}]}}')


def _crs_geojson(t, crs):
    return _write(t / "roads.geojson", json.dumps({"type": "FeatureCollection", "crs": crs, "features": [
        {"type": "Feature", "properties": {"ref": "RN1"},
         "geometry": {"type": "LineString", "coordinates": [[-8, 12.6], [-7, 12.7]]}}]}))


def _symlink(t, name, target):
    (t / name).symlink_to(target)
    return t / name


# (case, file maker (tmp_path, server url) -> path, kind, what the message must say); every one is refused by
# load_layer with an InputError and by `geokit validate` with exit 1 and no traceback
REFUSED = [
    ("OGR VRT naming a file elsewhere", lambda t, u: _write(t / "roads.vrt", _ogr_vrt(_secret(t))), "roads",
     r"roads\.vrt: geokit does not read \.vrt files.*export it to GeoPackage first: ogr2ogr -f GPKG roads\.gpkg roads\.vrt"),
    ("OGR VRT with a /vsicurl/ source", lambda t, u: _write(t / "roads.vrt", _ogr_vrt(f"/vsicurl/{u}/r.geojson")),
     "roads", r"does not read \.vrt files"),
    ("OGR VRT with SrcSQL", lambda t, u: _write(t / "roads.vrt", _ogr_vrt(_secret(t)).replace(
        "</SrcDataSource>", "</SrcDataSource><SrcSQL>SELECT * FROM secret</SrcSQL>")), "roads", r"does not read \.vrt"),
    ("VRT named .geojson", lambda t, u: _write(t / "roads.geojson", _ogr_vrt(_secret(t))), "roads",
     r"roads\.geojson: cannot read it as GeoJSON: its content is not GeoJSON \(it is an XML file: a VRT"),
    ("VRT named .gpkg", lambda t, u: _write(t / "roads.gpkg", _ogr_vrt(_secret(t))), "roads",
     r"roads\.gpkg: cannot read it as GeoPackage: its content is not GeoPackage"),
    ("VRT named .shp", lambda t, u: _write(t / "roads.shp", _ogr_vrt(_secret(t))), "roads",
     r"cannot read it as Shapefile"),
    ("VRT named .fgb", lambda t, u: _write(t / "roads.fgb", _ogr_vrt(_secret(t))), "roads",
     r"cannot read it as FlatGeobuf"),
    ("VRT named .osm.pbf", lambda t, u: _write(t / "roads.osm.pbf", _ogr_vrt(_secret(t))), "roads",
     r"cannot read it as OpenStreetMap"),
    ("/vsicurl/ path", lambda t, u: f"/vsicurl/{u}/roads.geojson", "roads",
     r"/vsicurl/http:/+127\.0\.0\.1:\d+/roads\.geojson is a GDAL virtual path or connection string.*export"),
    ("/vsizip/ path", lambda t, u: "/vsizip/roads.zip/roads.shp", "roads", r"is a GDAL virtual path"),
    ("/VSIGZIP/ in capitals", lambda t, u: "/VSIGZIP/roads.geojson.gz", "roads", r"is a GDAL virtual path"),
    ("http address as a path", lambda t, u: f"{u}/roads.geojson", "roads", r"is a GDAL virtual path or connection"),
    ("PG: connection string", lambda t, u: "PG:host=127.0.0.1 dbname=x", "roads", r"is a GDAL virtual path or conn"),
    ("GPKG:file:layer", lambda t, u: f"GPKG:{_roads(t / 'r.gpkg', layer='roads')}:roads", "roads",
     r"is a GDAL virtual path or connection string"),
    ("WFS: connection string", lambda t, u: f"WFS:{u}/wfs", "roads", r"is a GDAL virtual path or connection"),
    ("NUL in the path", lambda t, u: str(t / "roads\x00.geojson"), "roads", r"holds a NUL character"),
    ("zip archive", lambda t, u: _write(t / "roads.zip", b"PK\x03\x04junk"), "roads",
     r"roads\.zip: geokit does not read \.zip files"),
    ("gzip file", lambda t, u: _write(t / "roads.geojson.gz", b"\x1f\x8bjunk"), "roads",
     r"does not read \.geojson\.gz files"),
    ("KML with a network link", lambda t, u: _write(t / "roads.kml", f'<kml><NetworkLink><Link><href>{u}/x.kml'
                                                    "</href></Link></NetworkLink></kml>"), "roads",
     r"does not read \.kml files"),
    ("GML with an xlink", lambda t, u: _write(t / "roads.gml", f'<gml:FeatureCollection xlink:href="{u}/x.gml"/>'),
     "roads", r"does not read \.gml files"),
    ("file without a suffix", lambda t, u: _roads(t / "roads", driver="GeoJSON"), "roads",
     r"does not read 'roads' \(no suffix\) files"),
    ("directory named like a layer", lambda t, u: (t / "roads.geojson").mkdir() or t / "roads.geojson", "roads",
     r"roads\.geojson: cannot read it: it is a directory, not a layer file"),
    ("symlink to a device", lambda t, u: _symlink(t, "roads.geojson", "/dev/zero"), "roads",
     r"roads\.geojson: cannot read it: it is a device, not a regular file"),
    ("the null device itself", lambda t, u: "/dev/null", "roads", r"/dev/null: cannot read it: it is a device"),
    ("symlink into /proc", lambda t, u: _symlink(t, "incidents.csv", "/proc/self/environ"), "incidents",
     r"incidents\.csv leads to /proc/\d+/environ, a system file, not a layer"),
    ("missing file", lambda t, u: t / "nope.geojson", "roads", r"nope\.geojson: no such file"),
    ("empty GeoPackage", lambda t, u: _write(t / "roads.gpkg", b""), "roads",
     r"cannot read it as GeoPackage: the file is empty"),
    ("Shapefile .dbf linked elsewhere", lambda t, u: _shp_with_link(t, ".dbf"), "roads",
     r"roads\.shp: its sidecar roads\.dbf is not a regular file beside it \(it leads to .*other\.dbf\); copy"),
    ("Shapefile .prj linked elsewhere", lambda t, u: _shp_with_link(t, ".prj"), "roads",
     r"its sidecar roads\.prj is not a regular file beside it"),
    ("Shapefile .cpg naming a byte codec", lambda t, u: _shp_cpg(t, "base64"), "roads",
     r"roads\.shp: its roads\.cpg names 'base64', which is not a text encoding.*write the file's real encoding"),
    ("GeoJSON crs link", lambda t, u: _crs_geojson(t, {"type": "link", "properties": {"href": f"{u}/crs.wkt",
                                                                                      "type": "ogcwkt"}}),
     "roads", r"roads\.geojson: its \"crs\" member links to another file or address.*write the CRS by name"),
    ("GeoJSON crs named by an address", lambda t, u: _crs_geojson(t, {"type": "name", "properties": {
        "name": f"{u}/crs.wkt"}}), "roads", r"its \"crs\" member links to another file or address"),
    ("GeoJSON nested 100,000 deep", lambda t, u: _deep_geojson(t), "cities",
     r"deep\.geojson: cannot read it as a vector layer: .*Too many nested"),
    ("a .csv link to a gzip file", lambda t, u: _symlink(t, "incidents.csv", _write(t / "bomb.gz", b"\x1f\x8b")),
     "incidents", r"incidents\.csv leads to .*bomb\.gz, whose name is not that of a CSV file"),
    ("a .geojson link to a zip", lambda t, u: _symlink(t, "roads.geojson", _write(t / "r.zip", b"PK\x03\x04")),
     "roads", r"roads\.geojson leads to .*r\.zip, whose name is not that of a GeoJSON file"),
    ("symlink loop", lambda t, u: _symlink(t, "roads.geojson", "roads.geojson"), "roads",
     r"roads\.geojson: cannot read it \(Too many levels of symbolic links\)"),
    ("GeoPackage -wal linked elsewhere", lambda t, u: _roads(t / "r.gpkg", layer="roads") and _symlink(
        t, "r.gpkg-wal", _secret(t)).with_name("r.gpkg"), "roads", r"r\.gpkg: its SQLite sidecar r\.gpkg-wal is not a regular file"),
    ("CSV named .parquet", lambda t, u: _write(t / "roads.parquet", "a,b\n1,2\n"), "roads",
     r"cannot read it as GeoParquet: its content is not GeoParquet"),
]


@pytest.mark.parametrize("case,make,kind,message", REFUSED, ids=[c[0] for c in REFUSED])
def test_a_file_geokit_must_not_follow_is_refused_and_nothing_leaves(tmp_path, capsys, server, case, make, kind,
                                                                      message, recwarn):
    path = make(tmp_path, server.url)
    with pytest.raises(InputError) as err:
        load_layer(path, kind)
    assert re.search(message, str(err.value), re.S), str(err.value)
    code = main(["validate", str(path), "--kind", kind])
    out = capsys.readouterr()
    assert code == 1 and "Traceback" not in out.err, out
    assert server.hits == []


@pytest.mark.parametrize("case,make,args,message", [
    ("FIFO named .csv", lambda t: os.mkfifo(t / "incidents.csv") or t / "incidents.csv", ("--kind", "incidents"),
     r"incidents\.csv: cannot read it: it is a FIFO \(named pipe\), not a regular file"),
    ("FIFO named .geojson", lambda t: os.mkfifo(t / "roads.geojson") or t / "roads.geojson", ("--kind", "roads"),
     r"it is a FIFO \(named pipe\)"),
    ("GeoPackage recursive view by name", lambda t: _gpkg_view(t, True), ("--kind", "roads", "--layer", "loop"),
     r"v\.gpkg: layer 'loop' is an SQL view, which geokit does not read.*ogr2ogr -f GPKG v_table\.gpkg v\.gpkg loop"),
    ("GeoPackage whose only layer is a recursive view", lambda t: _gpkg_view(t, False), ("--kind", "roads"),
     r"layer 'loop' is an SQL view"),
])
def test_a_file_that_would_hang_is_refused_at_once(tmp_path, case, make, args, message):
    path = make(tmp_path)
    done = subprocess.run([sys.executable, "-m", "geokit", "validate", str(path), *args], capture_output=True,
                          text=True, timeout=HANG)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done
    assert re.search(message, done.stdout + done.stderr, re.S), done


def test_gdal_itself_sends_no_request_while_offline(tmp_path, server, monkeypatch):
    # the GDAL options alone, without geokit's checks: a GeoJSON crs link is fetched by GDAL otherwise, even
    # when NO_PROXY exempts the address
    path = _crs_geojson(tmp_path, {"type": "link", "properties": {"href": f"{server.url}/crs.wkt", "type": "ogcwkt"}})
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    before = pyogrio.get_gdal_config_option("GDAL_HTTP_PROXY")
    with gdal_offline():
        assert "NO_PROXY" not in os.environ
        pyogrio.read_dataframe(path)
        with pytest.raises(Exception):
            pyogrio.read_dataframe(f"/vsicurl/{server.url}/roads.geojson")
        assert rasterio.env.getenv()["GDAL_HTTP_PROXY"] == GDAL_OFFLINE_OPTIONS["GDAL_HTTP_PROXY"]
    assert server.hits == []
    assert pyogrio.get_gdal_config_option("GDAL_HTTP_PROXY") == before and os.environ["NO_PROXY"] == "127.0.0.1,localhost"


@pytest.mark.parametrize("encoding,said", [
    ("base64", r"encoding='base64' is not a text encoding \(base64 turns bytes into bytes\); pass encoding='utf-8'"),
    ("hex", r"encoding='hex' is not a text encoding \(hex turns bytes into bytes\)"),
    ("rot13", r"encoding='rot13' is not a text encoding"),
    ("zlib", r"encoding='zlib' is not a text encoding"),
    ("klingon", r"encoding='klingon' is not a text encoding Python knows"),
])
def test_a_byte_codec_is_refused_as_an_encoding(tmp_path, capsys, encoding, said):
    path = _write(tmp_path / "i.csv", "event_date,latitude,longitude\n2025-09-14,13.4,-6.2\n")
    with pytest.raises(InputError, match=said):
        load_layer(path, "incidents", encoding=encoding)
    code = main(["validate", str(path), "--kind", "incidents", "--encoding", encoding])
    out = capsys.readouterr()
    assert code == 1 and "Traceback" not in out.err and f"--encoding {encoding!r}" in out.err, out


# --- projects --------------------------------------------------------------------------------------------------


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "project").mkdir()
    return copy_mali_layers(tmp_path / "project")


def _build(folder, capsys, text, *extra):
    (folder / "project.toml").write_text(text, encoding="utf-8")
    code = main(["build", str(folder / "project.toml"), "--out", str(folder / "out"), "-q", *extra])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err


def _outside(folder):
    return _roads(folder.parent / "elsewhere" / "secret.geojson")


PROJECTS = [
    ("/vsicurl/ layer", lambda f, u: ("roads = \"roads.geojson\"", f'roads = "/vsicurl/{u}/roads.geojson"'),
     ("--allow-outside",), r"layers\.roads = '/vsicurl/http://127\.0\.0\.1:\d+/roads\.geojson' is a GDAL virtual "
     r"path or connection string, not a file name"),
    ("PG: layer", lambda f, u: ("roads = \"roads.geojson\"", 'roads = "PG:dbname=x"'), (),
     r"layers\.roads = 'PG:dbname=x' is a GDAL virtual path"),
    ("NUL in a layer path", lambda f, u: ("roads = \"roads.geojson\"", 'roads = "roads\\u0000.geojson"'), (),
     r"layers\.roads = 'roads\\x00\.geojson' holds a NUL character"),
    ("layer that is a symlink out", lambda f, u: (f / "link.geojson").symlink_to(_outside(f)) or (
        "roads = \"roads.geojson\"", 'roads = "link.geojson"'), (),
     r"layers\.roads = 'link\.geojson' points outside the project folder"),
    ("dot-dot layer path", lambda f, u: _outside(f) and ("roads = \"roads.geojson\"",
                                                         'roads = "../elsewhere/secret.geojson"'), (),
     r"layers\.roads = '\.\./elsewhere/secret\.geojson' points outside the project folder"),
    ("layer that is a folder", lambda f, u: (f / "sub.geojson").mkdir() or (
        "roads = \"roads.geojson\"", 'roads = "sub.geojson"'), (),
     r"layers\.roads = 'sub\.geojson' is not a regular file"),
    ("VRT layer in the folder", lambda f, u: _write(f / "roads.vrt", _ogr_vrt(_outside(f))) and (
        "roads = \"roads.geojson\"", 'roads = "roads.vrt"'), (), r"roads\.vrt: geokit does not read \.vrt files"),
    ("symlink loop in a project", lambda f, u: (f / "loop.geojson").symlink_to("loop.geojson") or (
        "roads = \"roads.geojson\"", 'roads = "loop.geojson"'), (),
     r"layers\.roads = 'loop\.geojson' cannot be used as a path \(a symbolic link that leads back to itself\)"),
    ("layer name too long", lambda f, u: ("roads = \"roads.geojson\"", f'roads = "{"a" * 5000}.geojson"'), (),
     r"layers\.roads = 'a{77}\.\.\.' cannot be used as a path \(File name too long\)"),
    ("encoding base64", lambda f, u: ('incidents = "incidents.csv"',
                                      'incidents = { path = "incidents.csv", encoding = "base64" }'), (),
     r"layers\.incidents\.encoding = 'base64' is not a text encoding \(it turns bytes into bytes\)"),
    ("encoding hex", lambda f, u: ('incidents = "incidents.csv"',
                                   'incidents = { path = "incidents.csv", encoding = "hex" }'), (),
     r"layers\.incidents\.encoding = 'hex' is not a text encoding"),
    ("population raster VRT", lambda f, u: _write(f / "pop.vrt", _raster_vrt(_outside_raster(f))) and (
        'incidents = "incidents.csv"', 'incidents = "incidents.csv"\npopulation = "pop.vrt"'), (),
     r"pop\.vrt: a population raster must be a GeoTIFF|pop\.vrt: geokit does not read \.vrt files"),
    ("population .tif holding a VRT", lambda f, u: _write(f / "pop.tif", _raster_vrt(_outside_raster(f))) and (
        'incidents = "incidents.csv"', 'incidents = "incidents.csv"\npopulation = "pop.tif"'), (),
     r"pop\.tif: cannot read it as GeoTIFF: its content is not GeoTIFF \(it is an XML file"),
    ("population .tif holding a /vsicurl/ VRT", lambda f, u: _write(f / "pop.tif", _raster_vrt(
        f"/vsicurl/{u}/pop.tif")) and ('incidents = "incidents.csv"',
                                       'incidents = "incidents.csv"\npopulation = "pop.tif"'), (),
     r"pop\.tif: cannot read it as GeoTIFF"),
]


def _outside_raster(folder):
    path = folder.parent / "elsewhere" / "secret.tif"
    path.parent.mkdir(parents=True, exist_ok=True)
    with rasterio.open(path, "w", driver="GTiff", width=4, height=4, count=1, dtype="float32", crs="EPSG:4326",
                       transform=from_origin(-12, 15, 1, 1)) as dst:
        dst.write(np.ones((1, 4, 4), dtype="float32"))
    return path


def _raster_vrt(source):
    return ('<VRTDataset rasterXSize="4" rasterYSize="4"><SRS>EPSG:4326</SRS>'
            "<GeoTransform>-12, 1, 0, 15, 0, -1</GeoTransform><VRTRasterBand dataType=\"Float32\" band=\"1\">"
            f'<SimpleSource><SourceFilename relativeToVRT="0">{source}</SourceFilename><SourceBand>1</SourceBand>'
            "</SimpleSource></VRTRasterBand></VRTDataset>")


@pytest.mark.parametrize("case,change,extra,message", PROJECTS, ids=[c[0] for c in PROJECTS])
def test_a_project_reads_only_its_own_regular_files(folder, capsys, server, case, change, extra, message):
    text = KAYES_PROJECT.replace(*change(folder, server.url))
    assert text != KAYES_PROJECT
    code, err = _build(folder, capsys, text, *extra)
    assert code == 1 and re.search(message, err), err
    assert not (folder / "out").exists() and server.hits == []


def test_a_project_naming_a_fifo_is_refused_without_opening_it(folder):
    os.mkfifo(folder / "pipe.geojson")
    (folder / "project.toml").write_text(KAYES_PROJECT.replace('roads = "roads.geojson"', 'roads = "pipe.geojson"'))
    done = subprocess.run([sys.executable, "-m", "geokit", "build", str(folder / "project.toml"), "--out",
                           str(folder / "out"), "-q"], capture_output=True, text=True, timeout=HANG)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "layers.roads = 'pipe.geojson' is not a regular file" in done.stderr, done.stderr


# --- rasters ---------------------------------------------------------------------------------------------------

ZONE = gpd.GeoDataFrame(geometry=[shapely.box(-11.5, 13.0, -7.0, 15.0)], crs=4326)


def _sparse(path, size, dtype="float64"):
    with rasterio.open(path, "w", driver="GTiff", width=size, height=size, count=1, dtype=dtype, crs="EPSG:4326",
                       transform=from_origin(-20, 30, 40 / size, 40 / size), tiled=True, blockxsize=1024,
                       blockysize=1024, sparse_ok=True, compress="deflate"):
        pass
    return path


@pytest.mark.parametrize("weighting,size", [("centre", 400_000), ("area", 400_000), ("area", 20_000)])
def test_a_raster_window_too_large_is_refused_with_the_numbers(tmp_path, weighting, size):
    path = _sparse(tmp_path / "pop.tif", size)
    assert path.stat().st_size < 10e6  # sparse: a few MB on disk
    with pytest.raises(InputError) as err:
        population_within(path, ZONE, weighting=weighting, max_bytes=None if size > 100_000 else 2**20)
    text = str(err.value)
    w, h = round(4.5 / 40 * size), round(2 / 40 * size)
    said = (rf"pop\.tif: the population raster needs a {w:,} x {h:,} window \({w * h:,} cells of float64, about "
            rf"[\d.,]+ [TGM]B to read and weigh by {weighting}\); at most [\d.,]+ [TGM]B is allowed on this machine "
            r"\(an eighth of its memory\): crop it to the area first, gdal_translate -projwin -11\.5 15 -7 13 "
            r"pop\.tif pop_cropped\.tif")
    assert re.search(said, text), text


def test_a_raster_window_that_fits_is_read(tmp_path):
    path = tmp_path / "pop.tif"
    with rasterio.open(path, "w", driver="GTiff", width=40, height=40, count=1, dtype="float32", crs="EPSG:4326",
                       transform=from_origin(-20, 30, 1, 1)) as dst:
        dst.write(np.ones((1, 40, 40), dtype="float32"))
    assert population_within(path, ZONE, weighting="centre").iloc[0] == 8.0  # the 4 x 2 cells whose centre is in


@pytest.mark.parametrize("make,said", [
    (lambda t: _write(t / "pop.tif", _raster_vrt("/etc/hostname")), r"cannot read it as GeoTIFF.*XML file"),
    (lambda t: _write(t / "pop.vrt", _raster_vrt("/etc/hostname")), r"must be a GeoTIFF"),
    (lambda t: _write(t / "pop.asc", "ncols 1\nnrows 1\n"), r"must be a GeoTIFF"),
])
def test_a_raster_that_is_not_a_geotiff_is_refused(tmp_path, make, said):
    with pytest.raises(InputError, match=said):
        population_within(make(tmp_path), ZONE)


# --- text is text; columns a GeoPackage can hold ------------------------------------------------------------------

H = "event_id_cnty,event_date,event_type,actor1,latitude,longitude,fatalities,notes\n"


@pytest.mark.parametrize("word", ["NA", "null", "NaN", "None", "NULL", "N/A"])
def test_an_id_or_text_that_reads_like_missing_stays_as_written(tmp_path, word, recwarn):
    path = _write(tmp_path / "i.csv", H + f"{word},2025-09-14,Battles,{word},13.4,-6.2,{word},{word}\n")
    frame = geokit.read_incidents(path)
    assert frame.loc[0, ["event_id", "actor", "notes"]].tolist() == [word, word, word]  # not row-0, not None
    assert np.isnan(frame.loc[0, "fatalities"])  # a number column: the word means no number


def test_only_an_empty_cell_is_missing_in_text(tmp_path):
    path = _write(tmp_path / "i.csv", H + "MLI1,2025-09-14,Battles,,13.4,-6.2,,\n")
    frame = geokit.read_incidents(path)
    assert frame.loc[0, "actor"] is None and frame.loc[0, "notes"] is None


def test_name_and_NAME_are_refused_as_ambiguous_then_read_when_mapped(tmp_path, capsys, recwarn):
    path = _write(tmp_path / "towns.csv", "name,NAME,population,latitude,longitude\nKayes,KAYES,5,14.4,-11.4\n")
    with pytest.raises(InputError, match=r"the columns 'name' and 'NAME' differ only by case, and either could be "
                       r"the name column.*columns=\{'name': 'name'\}"):
        load_layer(path, "cities")
    assert main(["validate", str(path), "--kind", "cities"]) == 1
    assert "--column name=name" in capsys.readouterr().out
    frame, _ = load_layer(path, "cities", columns={"name": "NAME"})
    assert frame.loc[0, "name"] == "KAYES" and frame.loc[0, "src_name"] == "Kayes"


def test_a_qgis_csv_with_fid_and_case_twins_builds(folder, capsys):
    table = pd.read_csv(folder / "incidents.csv", dtype=str, keep_default_na=False)
    table.insert(0, "fid", [str(i % 3) for i in range(len(table))])  # QGIS's integer fid, not unique
    table["Region"], table["REGION"] = "Kayes", "KAYES"
    table.to_csv(folder / "incidents.csv", index=False)
    _, report = geokit.layers.validate_layer(folder / "incidents.csv", "incidents")
    assert re.search(r"source columns renamed so that the GeoPackage can hold them \(fid -> src_fid, REGION -> "
                     r"src_REGION\)", report.format()), report.format()
    code, err = _build(folder, capsys, KAYES_PROJECT)
    assert code == 0, err
    written = pyogrio.read_dataframe(folder / "out" / "layers.gpkg", layer="incidents")
    assert {"src_fid", "Region", "src_REGION"} <= set(written.columns)


def test_every_refusal_is_a_geokit_error():
    assert issubclass(InputError, GeokitError)


def test_a_geotiff_external_overview_is_not_followed(tmp_path, server):
    # pop.tif.ovr is a VRT whose source is an address: plain GDAL opens it for any decimated read
    path = tmp_path / "pop.tif"
    with rasterio.open(path, "w", driver="GTiff", width=40, height=40, count=1, dtype="float32", crs="EPSG:4326",
                       transform=from_origin(-20, 30, 1, 1)) as dst:
        dst.write(np.ones((1, 40, 40), dtype="float32"))
    (tmp_path / "pop.tif.ovr").write_text(
        '<VRTDataset rasterXSize="20" rasterYSize="20"><VRTRasterBand dataType="Float32" band="1"><SimpleSource>'
        f"<SourceFilename>/vsicurl/{server.url}/o.tif</SourceFilename><SourceBand>1</SourceBand></SimpleSource>"
        "</VRTRasterBand></VRTDataset>")
    assert population_within(path, ZONE).iloc[0] == 8.0
    with gdal_offline(), geokit.raster._open_raster(path) as src:
        assert src.overviews(1) == []  # the sidecar is not even looked for
        assert src.read(1, out_shape=(10, 10)).shape == (10, 10)
    assert server.hits == []


@pytest.mark.parametrize("field", [200_000, 2_000_000])
def test_a_csv_with_a_very_long_text_field_is_read(tmp_path, field):
    path = _write(tmp_path / "i.csv", H + "MLI1,2025-09-14,Battles,JNIM,13.4,-6.2,0," + "x" * field + "\n")
    assert len(geokit.read_incidents(path).loc[0, "notes"]) == field  # it was a csv.Error traceback


def test_a_build_folder_from_elsewhere_is_read_like_a_layer(tmp_path, capsys):
    for name in ("old", "new"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "summary.csv").write_text("corridor,status\nK,open\n")
    _write(tmp_path / "old" / "layers.gpkg", _ogr_vrt("/etc/hostname"))
    _gpkg_view(tmp_path / "new", True, view="incidents").rename(tmp_path / "new" / "layers.gpkg")
    assert main(["diff", str(tmp_path / "old"), str(tmp_path / "new")]) == 1
    err = capsys.readouterr().err
    assert "layers.gpkg is not a GeoPackage (it does not start with the SQLite header)" in err  # a VRT, refused
    assert "Traceback" not in err
    done = subprocess.run([sys.executable, "-m", "geokit", "diff", str(tmp_path / "new"), str(tmp_path / "new")],
                          capture_output=True, text=True, timeout=HANG)  # a recursive view: it would never end
    assert done.returncode == 1 and "layer 'incidents' is an SQL view" in done.stderr, done.stderr


def test_a_property_named_crs_with_an_address_beside_it_is_read(tmp_path, recwarn):
    path = _write(tmp_path / "towns.geojson", json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "Kayes", "crs": "EPSG:4326", "source": "https://example.org/k"},
         "geometry": {"type": "Point", "coordinates": [-11.44, 14.45]}}]}))
    assert geokit.read_cities(path).loc[0, "source"] == "https://example.org/k"


@pytest.mark.parametrize("network", ["OFF", "ON"])
@pytest.mark.parametrize("where", ["geojson crs", "prj", "crs key"])
def test_a_crs_naming_a_grid_or_a_url_is_refused_and_proj_fetches_nothing(tmp_path, server, monkeypatch, capsys,
                                                                          where, network):
    """``+nadgrids=http://...`` in a layer's CRS made PROJ fetch from a host the sender chose (with
    PROJ_NETWORK=ON) or crash (without): refused at validation, with no request and no traceback."""
    from geokit.cli import main

    monkeypatch.setenv("PROJ_NETWORK", network)
    grid = f"+proj=longlat +ellps=WGS84 +nadgrids={server.url}/grid.tif +no_defs"
    towns = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "Kayes"}, "geometry": {"type": "Point", "coordinates": [-11.4, 14.4]}}]}
    args = []
    if where == "geojson crs":
        towns["crs"] = {"type": "name", "properties": {"name": grid + " +type=crs"}}
        path = _write(tmp_path / "towns.geojson", json.dumps(towns))
    elif where == "prj":
        import geopandas as gpd
        import shapely

        path = tmp_path / "towns.shp"
        gpd.GeoDataFrame({"name": ["Kayes"]}, geometry=[shapely.Point(-11.4, 14.4)], crs=4326).to_file(path)
        (tmp_path / "towns.prj").write_text(f'GEOGCS["x",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563]],'
                                            f'PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433],'
                                            f'EXTENSION["PROJ4","{grid}"]]')
    else:
        path = _write(tmp_path / "towns.geojson", json.dumps(towns))
        args = ["--crs", grid + " +type=crs"]
    code = main(["validate", str(path), "--kind", "cities", *args])
    out = capsys.readouterr()
    assert server.hits == [] and "Traceback" not in out.err
    assert code == 1 and "names a grid or a file ('nadgrids')" in out.out + out.err


@pytest.mark.parametrize("text, message", [
    ("a = " + "[" * 100_000 + "]" * 100_000 + "\n", "values nested too deeply to be a project file"),
    ("\ufeff[project]\nname = 'x'\n", "byte-order mark (BOM)"),
])
def test_project_files_that_tomllib_cannot_take_are_one_line(tmp_path, capsys, text, message):
    from geokit.cli import main

    path = tmp_path / "project.toml"
    path.write_text(text, encoding="utf-8")
    assert main(["timeline", str(path), "-q"]) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
