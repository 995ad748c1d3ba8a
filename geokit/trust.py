"""What a layer file may make geokit read: the files a project names, and nothing they point to.

Projects, layers and rasters often come from others. GDAL, which reads most of
them, follows references inside files (a VRT's sources, ``/vsicurl/`` and
``/vsizip/`` paths, a GeoJSON ``crs`` link, a GeoPackage view's SQL) and guesses
a file's format from its content, whatever its name. So geokit:

- reads a positive list of formats, each checked by its first bytes before
  GDAL sees it (:data:`FORMATS`): GeoJSON, GeoPackage, Shapefile, FlatGeobuf,
  GeoParquet, CSV, OpenStreetMap (``.osm``, ``.osm.pbf``) and GeoTIFF rasters;
  a VRT, KML, GML, a zip or anything else is refused with the fix (export it
  to GeoPackage);
- reads only regular files (a FIFO, a device or a folder is refused before it
  is opened), never a GDAL path (``/vsi...``) or connection string (``PG:``,
  ``GPKG:...``, ``http://...``), and hands GDAL absolute paths only;
- refuses a Shapefile whose sidecars (``.dbf``, ``.prj``, ...) are not regular
  files in the same folder, a GeoPackage layer that is an SQL view (it can run
  forever), a GeoJSON whose ``crs`` names a link or an address;
- keeps GDAL off the network while it reads (:func:`gdal_offline`).

Examples
--------
>>> check_layer_file("layers/mali_2025/roads.geojson").name
'roads.geojson'
>>> check_text_encoding("latin-1")
'latin-1'
"""

from __future__ import annotations

import codecs
import contextlib
import mmap
import os
import re
import sqlite3
import stat
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

from geokit._errors import InputError

__all__ = ["FORMATS", "GDAL_OFFLINE_OPTIONS", "check_layer_file", "check_raster_file", "check_text_encoding",
           "check_gpkg_layer", "gdal_offline", "is_gdal_path", "layer_format"]

#: Suffix -> format name of the files geokit reads (a longer suffix wins: ``.osm.pbf`` before ``.pbf``).
FORMATS: dict[str, str] = {
    ".geojson": "GeoJSON", ".json": "GeoJSON",
    ".gpkg": "GeoPackage",
    ".shp": "Shapefile",
    ".fgb": "FlatGeobuf",
    ".parquet": "GeoParquet", ".geoparquet": "GeoParquet",
    ".csv": "CSV", ".tsv": "CSV", ".txt": "CSV",
    ".osm": "OpenStreetMap", ".osm.pbf": "OpenStreetMap", ".pbf": "OpenStreetMap",
    ".tif": "GeoTIFF", ".tiff": "GeoTIFF",
}

#: GDAL configuration options set while geokit reads (both the GDAL of pyogrio and that of rasterio):
#: no SRS fetched from an address, no /vsicurl/ file, every HTTP request sent to a closed local port (the
#: discard port; no proxy variable can exempt an address, see :func:`gdal_offline`), and no folder listed
#: to find sidecar files (a raster's external overviews or mask, which could be anything).
GDAL_OFFLINE_OPTIONS: dict[str, str] = {
    "ALLOW_NETWORK_ACCESS": "NO",
    "CPL_VSIL_CURL_ALLOWED_EXTENSIONS": ".geokit-offline",
    "GDAL_HTTP_PROXY": "127.0.0.1:9",
    "GDAL_HTTPS_PROXY": "127.0.0.1:9",
    "GDAL_HTTP_CONNECTTIMEOUT": "1",
    "GDAL_HTTP_TIMEOUT": "1",
    "GDAL_HTTP_MAX_RETRY": "0",
    "GDAL_DISABLE_READDIR_ON_OPEN": "EMPTY_DIR",
    "GML_SKIP_RESOLVE_ELEMS": "ALL",
    "GML_DOWNLOAD_SCHEMA": "NO",
    "PROJ_NETWORK": "OFF",
}

_NO_PROXY = ("NO_PROXY", "no_proxy")
_SYSTEM = (Path("/proc"), Path("/sys"), Path("/dev"))
#: A GDAL virtual path, or a connection string / address (two letters or more before the colon).
_GDAL_PATH = re.compile(r"^\s*(/vsi\w*|[A-Za-z][\w+.-]+:)", re.IGNORECASE)
_SHAPEFILE_SIDECARS = {".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx", ".qpj"}
_MAGIC_READ = 4096


def is_gdal_path(text: str) -> bool:
    """True for a GDAL virtual path (``/vsicurl/...``) or a connection string or address (``PG:``, ``http://``).

    Parameters
    ----------
    text : str
        A path as written.

    Examples
    --------
    >>> is_gdal_path("/vsizip/a.zip/b.shp"), is_gdal_path("GPKG:x.gpkg:roads"), is_gdal_path("C:/data/x.gpkg")
    (True, True, False)
    """
    return bool(_GDAL_PATH.match(text))


def layer_format(path: str | Path) -> str | None:
    """The format geokit reads a file as, from its name; None for a format it does not read.

    Parameters
    ----------
    path : str or Path
        A file name.

    Examples
    --------
    >>> layer_format("roads.osm.pbf"), layer_format("roads.vrt"), layer_format("Roads.GPKG")
    ('OpenStreetMap', None, 'GeoPackage')
    """
    name = Path(path).name.lower()
    for suffix in sorted(FORMATS, key=len, reverse=True):
        if name.endswith(suffix):
            return FORMATS[suffix]
    return None


def check_text_encoding(name: str, *, where: str = "encoding") -> str:
    """Refuse an encoding that is unknown or not a text encoding (``base64``, ``hex``, ``rot13``).

    Parameters
    ----------
    name : str
        The encoding as given.
    where : str, default "encoding"
        How the message names the option (``layers.incidents.encoding`` in a project).

    Returns
    -------
    str
        The name, unchanged.

    Examples
    --------
    >>> check_text_encoding("base64")
    Traceback (most recent call last):
    ...
    geokit._errors.InputError: encoding='base64' is not a text encoding (base64 turns bytes into bytes); ...
    """
    try:
        info = codecs.lookup(name)
    except (LookupError, TypeError, ValueError):
        raise InputError(f"{where}={name!r} is not a text encoding Python knows; pass encoding='utf-8', "
                         "'latin-1' or 'cp1252' (the file's real encoding)") from None
    if not getattr(info, "_is_text_encoding", True):
        raise InputError(f"{where}={name!r} is not a text encoding ({info.name} turns bytes into bytes); "
                         "pass encoding='utf-8', 'latin-1' or 'cp1252' (the file's real encoding)")
    return name


def check_layer_file(path: str | Path) -> Path:
    """Check that a layer file is one geokit reads, and return its absolute path for GDAL.

    Nothing is opened before the file is known to be a regular file (a FIFO would block).

    Parameters
    ----------
    path : str or Path
        The layer file as given.

    Returns
    -------
    Path
        The absolute path (symbolic links resolved): GDAL never sees a relative name it could take for a
        connection string.

    Raises
    ------
    InputError
        Naming the file, what is wrong and the fix.

    Examples
    --------
    >>> check_layer_file("/vsicurl/http://example.org/roads.geojson")
    Traceback (most recent call last):
    ...
    geokit._errors.InputError: /vsicurl/http://example.org/roads.geojson is a GDAL virtual path or connection ...
    """
    text = os.fspath(path)
    if "\x00" in text:
        raise InputError(f"{text!r} holds a NUL character: it cannot be a file name; correct the path")
    if _GDAL_PATH.match(text):
        raise InputError(f"{text} is a GDAL virtual path or connection string, not a file: geokit reads local "
                         "files only; download or export the data to a file (GeoPackage) first")
    file = Path(text)
    try:
        info = os.stat(file)  # follows links; opens nothing
    except FileNotFoundError:
        raise InputError(f"{file}: no such file; check the path (relative paths start from {Path.cwd()})") from None
    except OSError as exc:
        raise InputError(f"{file}: cannot read it ({exc.strerror}); check the path and its permissions") from None
    real = file.resolve()
    if stat.S_ISDIR(info.st_mode):
        raise InputError(f"{file}: cannot read it: it is a directory, not a layer file; name the file inside it "
                         "(a .shp, .gpkg, .geojson, ...)")
    if not stat.S_ISREG(info.st_mode):
        kind = "a FIFO (named pipe)" if stat.S_ISFIFO(info.st_mode) else \
            "a device" if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode) else "not a regular file"
        raise InputError(f"{file}: cannot read it: it is {kind}, not a regular file; geokit reads layers from "
                         "regular files only (copy the data into one)")
    if any(real.is_relative_to(root) for root in _SYSTEM):
        raise InputError(f"{file} leads to {real}, a system file, not a layer; name a layer file")
    fmt = layer_format(file)
    if fmt is not None and layer_format(real) != fmt:  # GDAL and pandas act on the real name (.zip, .gz)
        raise InputError(f"{file} leads to {real}, whose name is not that of a {fmt} file; geokit reads what "
                         "the name says: link to (or copy) a file with the right suffix")
    if fmt is None:
        raise InputError(f"{file}: geokit does not read {_suffix(file)} files: it reads GeoJSON, GeoPackage, "
                         "Shapefile, FlatGeobuf, GeoParquet, CSV and OpenStreetMap (.osm, .osm.pbf) layers, and "
                         "GeoTIFF rasters (GDAL would follow what a VRT, KML or archive names); export it to "
                         f"GeoPackage first: ogr2ogr -f GPKG {file.stem}.gpkg {file.name}")
    _check_magic(file, real, fmt)
    if fmt == "Shapefile":
        _check_sidecars(file, real)
    if fmt == "GeoPackage":
        for sidecar in (real.with_name(real.name + end) for end in ("-wal", "-shm", "-journal")):
            if os.path.lexists(sidecar) and (sidecar.is_symlink() or not sidecar.is_file()):
                raise InputError(f"{file}: its SQLite sidecar {sidecar.name} is not a regular file beside it (it "
                                 f"leads to {sidecar.resolve()}); remove it, or export the layer again")
    if fmt == "GeoJSON":
        _check_geojson_crs(file, real)
    return real


def check_raster_file(path: str | Path) -> Path:
    """Check a raster file (GeoTIFF only) as :func:`check_layer_file` checks a layer; return its absolute path.

    Parameters
    ----------
    path : str or Path
        The raster as given.

    Examples
    --------
    >>> check_raster_file("layers/mali_2025/population_gpw4_2020_30min.tif").suffix
    '.tif'
    """
    if layer_format(os.fspath(path)) != "GeoTIFF" and not _GDAL_PATH.match(os.fspath(path)):
        raise InputError(f"{path}: a population raster must be a GeoTIFF (.tif); convert it with "
                         f"gdal_translate -of GTiff {Path(path).name} {Path(path).stem}.tif")
    return check_layer_file(path)


def _suffix(file: Path) -> str:
    return "".join(file.suffixes[-2:]).lower() or f"'{file.name}' (no suffix)"


def _head(real: Path) -> bytes:
    with open(real, "rb") as fh:
        return fh.read(_MAGIC_READ)


def _looks_like(fmt: str, head: bytes) -> bool:
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if fmt == "GeoJSON":
        return text[:1] == b"{"
    if fmt == "GeoPackage":
        return head.startswith(b"SQLite format 3\x00")
    if fmt == "Shapefile":
        return head[:4] == b"\x00\x00\x27\x0a"
    if fmt == "FlatGeobuf":
        return head[:3] == b"fgb"
    if fmt == "GeoParquet":
        return head[:4] == b"PAR1"
    if fmt == "GeoTIFF":
        return head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")
    if fmt == "OpenStreetMap":
        return b"OSMHeader" in head[:64] or text[:5] in (b"<?xml", b"<osm ", b"<osm>")
    return True  # CSV: read by pandas, which follows nothing


def _check_magic(file: Path, real: Path, fmt: str) -> None:
    """Refuse a file whose content is not its name's format: GDAL would pick a driver by content (a ``.tif``
    holding a VRT)."""
    try:
        head = _head(real)
    except OSError as exc:
        raise InputError(f"{file}: cannot read it ({exc.strerror}); check its permissions") from None
    if not head and fmt != "CSV":
        raise InputError(f"{file}: cannot read it as {fmt}: the file is empty; export it again")
    if not _looks_like(fmt, head):
        other = " (it is an XML file: a VRT, KML or GML, which geokit does not read)" \
            if head.lstrip().startswith(b"<") else ""
        raise InputError(f"{file}: cannot read it as {fmt}: its content is not {fmt}{other}; "
                         "export it again in that format, or give it the suffix of its real format")


def _check_sidecars(file: Path, real: Path) -> None:
    """A Shapefile's companion files must be regular files next to it, not links elsewhere."""
    stem = real.name[: -len(real.suffix)].lower()
    for sibling in real.parent.iterdir():
        name = sibling.name.lower()
        if not name.startswith(stem + ".") or sibling == real:
            continue
        if name[len(stem):] not in _SHAPEFILE_SIDECARS | {".shp.xml"}:
            continue
        try:
            regular = stat.S_ISREG(os.stat(sibling).st_mode)
        except OSError:
            regular = False
        if not regular or sibling.resolve().parent != real.parent:
            raise InputError(f"{file}: its sidecar {sibling.name} is not a regular file beside it (it leads to "
                             f"{sibling.resolve()}); copy the real file there, or export the layer to GeoPackage")
        if name.endswith(".cpg"):
            _check_cpg(file, sibling)


def _check_cpg(file: Path, cpg: Path) -> None:
    """A ``.cpg`` must name a text encoding: GDAL silently reads the names as Latin-1 when it does not know it."""
    with open(cpg, "rb") as fh:
        value = fh.read(64).decode("ascii", "replace").strip()
    if re.fullmatch(r"(?:ANSI\s*)?\d{3,5}", value, re.IGNORECASE):
        return  # a code page number, as ArcGIS writes it
    try:
        check_text_encoding(value)
    except InputError:
        raise InputError(f"{file}: its {cpg.name} names {value!r}, which is not a text encoding, so its text would "
                         f"be read wrong; write the file's real encoding into {cpg.name} (UTF-8, or 1252)") from None


_CRS_MEMBER = re.compile(rb'"crs"\s*:\s*\{(?P<body>[^{}]*(?:\{[^{}]*\}[^{}]*)*)\}')
_ADDRESS = re.compile(rb'"(?:https?|ftp|file)://|"/vsi', re.IGNORECASE)


def _check_geojson_crs(file: Path, real: Path) -> None:
    """Refuse a GeoJSON ``crs`` of type link or url, or naming an address: GDAL would fetch it."""
    with open(real, "rb") as fh:
        if os.fstat(fh.fileno()).st_size == 0:
            return
        with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
            at = data.find(b'"crs"')
            while at >= 0:
                member = _CRS_MEMBER.match(data[at:at + 2048])
                body = member.group("body") if member else b""  # a "crs" that is not an object: a property
                if re.search(rb'"type"\s*:\s*"(?:link|url|EPSG_URL|ESRI_URL|URN_URL)"', body, re.IGNORECASE) \
                        or _ADDRESS.search(body) and b"opengis.net" not in body:
                    raise InputError(f"{file}: its \"crs\" member links to another file or address "
                                     f"({body[:120].decode('utf-8', 'replace').strip()}); geokit does not follow "
                                     "links: write the CRS by name, \"crs\": {\"type\": \"name\", \"properties\": "
                                     "{\"name\": \"EPSG:4326\"}}, or drop it (GeoJSON is in EPSG:4326)")
                at = data.find(b'"crs"', at + 5)


def check_gpkg_layer(path: Path, layer: str | None) -> None:
    """Refuse reading a GeoPackage layer that is an SQL view (a recursive view runs forever).

    The file is inspected with SQLite opened read-only, before GDAL opens it.

    Parameters
    ----------
    path : Path
        The GeoPackage (already checked by :func:`check_layer_file`).
    layer : str or None
        The layer to read; None when the file holds one layer.

    Examples
    --------
    >>> import geopandas as gpd, shapely, tempfile, pathlib
    >>> gpkg = pathlib.Path(tempfile.mkdtemp()) / "one.gpkg"
    >>> gpd.GeoDataFrame(geometry=[shapely.Point(0, 0)], crs=4326).to_file(gpkg, layer="towns")
    >>> check_gpkg_layer(gpkg, "towns")  # a table: nothing to say
    """
    uri = "file:" + urllib.parse.quote(str(path.resolve())) + "?mode=ro"
    try:
        with contextlib.closing(sqlite3.connect(uri, uri=True, timeout=1)) as db:
            views = {name.lower(): name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'view'")}
            try:
                contents = [name for (name,) in db.execute("SELECT table_name FROM gpkg_contents")]
            except sqlite3.DatabaseError:
                contents = []
    except sqlite3.DatabaseError as exc:
        raise InputError(f"{path}: cannot read it as a GeoPackage ({exc}); export it again") from None
    wanted = [layer] if layer is not None else contents if len(contents) == 1 else []
    for name in wanted:
        if str(name).lower() in views:
            raise InputError(f"{path}: layer '{name}' is an SQL view, which geokit does not read (a view can "
                             "run without end); export its rows to a table first: ogr2ogr -f GPKG "
                             f"{path.stem}_table.gpkg {path.name} {name}")


@contextlib.contextmanager
def gdal_offline() -> Iterator[None]:
    """Keep GDAL (pyogrio's and rasterio's) off the network while reading.

    Sets :data:`GDAL_OFFLINE_OPTIONS` for the duration, and hides the ``NO_PROXY`` variables, which would
    let libcurl bypass the closed proxy for some addresses. Restores everything on exit.

    Examples
    --------
    >>> import pyogrio
    >>> with gdal_offline():
    ...     pyogrio.get_gdal_config_option("GDAL_HTTP_PROXY")
    '127.0.0.1:9'
    """
    import pyogrio
    import pyproj.network
    import rasterio

    before = {key: pyogrio.get_gdal_config_option(key) for key in GDAL_OFFLINE_OPTIONS}
    hidden = {key: os.environ.pop(key) for key in _NO_PROXY if key in os.environ}
    proj_network = pyproj.network.is_network_enabled()
    pyogrio.set_gdal_config_options(GDAL_OFFLINE_OPTIONS)
    pyproj.network.set_network_enabled(False)  # pyproj's own PROJ context ignores GDAL's PROJ_NETWORK option
    try:
        with rasterio.Env(**GDAL_OFFLINE_OPTIONS):
            yield
    finally:
        pyogrio.set_gdal_config_options({key: None if value is None else str(value)
                                         for key, value in before.items()})
        pyproj.network.set_network_enabled(proj_network)
        os.environ.update(hidden)
