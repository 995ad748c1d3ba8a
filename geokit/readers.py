"""Reading layer files into raw GeoDataFrames, before any canonical mapping or check.

One place for what depends on the file, once :func:`geokit.trust.check_layer_file`
has accepted it (and with GDAL kept offline): the vector formats (with
the layer to take from a multi-layer file, and text that is not UTF-8),
GeoParquet, CSV with coordinate columns (the delimiter sniffed, truncated rows
and NUL bytes refused), OpenStreetMap extracts (``.osm`` / ``.osm.pbf``: the
road classes kept) and a file too large for the machine. :mod:`geokit.layers`
turns what these return into canonical layers and checks them.

"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyogrio.raw
import shapely
from pyogrio.errors import DataLayerError, DataSourceError

from geokit._check import physical_memory_bytes as _physical_memory_bytes
from geokit._errors import InputError
from geokit.schema import WGS84
from geokit.trust import check_gpkg_layer, check_layer_file, check_text_encoding, gdal_offline, layer_format
from geokit.validate import ValidationReport, describe_rows

__all__ = ["read_source", "check_size", "is_osm", "DEFAULT_HIGHWAY_CLASSES", "CSV_SUFFIXES", "MAX_FILE_SHARE_OF_RAM",
           "MISSING_WORDS"]

#: OpenStreetMap ``highway`` values kept from ``.osm`` / ``.osm.pbf`` extracts
#: unless the caller names others: the inter-city network.
DEFAULT_HIGHWAY_CLASSES: tuple[str, ...] = (
    "motorway",
    "trunk",
    "primary",
    "secondary",
    "motorway_link",
    "trunk_link",
    "primary_link",
)

CSV_SUFFIXES = (".csv", ".tsv", ".txt")
#: Words that stand for a missing value in a number, date or coordinate column (a text column keeps them:
#: an incident id "NA" is an id).
MISSING_WORDS = frozenset({"NA", "N/A", "NaN", "nan", "null", "NULL", "None"})
_PARQUET_SUFFIXES = (".parquet", ".geoparquet")
_GEOGRAPHIC_XY = (("longitude", "latitude"), ("lon", "lat"), ("lng", "lat"), ("long", "lat"))
_SNIFF_DELIMITERS = ",;\t|"


#: Share of the machine's memory a single input file may take on disk; a
#: layer in memory is several times larger than its file.
MAX_FILE_SHARE_OF_RAM = 0.25


def check_size(path: Path, *, limit_bytes: int | None = None) -> None:
    """Refuse a file too large to read whole on this machine, with what to do instead.

    Parameters
    ----------
    path : Path
        A file or a folder (a Shapefile's folder, a FileGDB).
    limit_bytes : int, optional
        The largest size accepted; a quarter of the machine's memory by default.

    Examples
    --------
    >>> check_size(Path("layers/mali_2025/roads.geojson"), limit_bytes=1000)
    Traceback (most recent call last):
    ...
    geokit._errors.InputError: layers/mali_2025/roads.geojson is 0.0 GB, more than geokit reads whole ...
    """
    if path.is_dir():
        size = sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    else:
        size = path.stat().st_size
    limit = limit_bytes if limit_bytes is not None else int(_physical_memory_bytes() * MAX_FILE_SHARE_OF_RAM)
    if size > limit:
        raise InputError(
            f"{path} is {size / 2**30:.1f} GB, more than geokit reads whole on this machine "
            f"({limit / 2**30:.1f} GB, a quarter of its memory): clip it to the area of interest first "
            "(ogr2ogr -spat ..., or osmium extract for .osm.pbf), or split it by country")



def is_osm(path: Path) -> bool:
    """True for an OpenStreetMap extract (``.osm``, ``.osm.pbf``): read with GDAL's OSM driver.

    Parameters
    ----------
    path : Path
        A file name.

    Examples
    --------
    >>> is_osm(Path("mali-latest.osm.pbf")), is_osm(Path("roads.geojson"))
    (True, False)
    """
    name = path.name.lower()
    return name.endswith(".osm") or name.endswith(".osm.pbf") or name.endswith(".pbf")


def read_source(
    path: Path,
    *,
    layer: str | None,
    columns: dict[str, str],
    encoding: str | None,
    road_classes: Sequence[str] | None,
    report: ValidationReport,
) -> tuple[gpd.GeoDataFrame, Any, tuple[str, str]]:
    """Read a layer file as it is: the raw frame, the CRS its format implies and its coordinate columns.

    Parameters
    ----------
    path : Path
        The file: GeoJSON, GeoPackage, Shapefile or FlatGeobuf (checked by :mod:`geokit.trust`), GeoParquet, CSV (``.csv``, ``.tsv``, ``.txt``) with
        coordinate columns, or an OpenStreetMap extract (``.osm``, ``.osm.pbf``).
    layer : str or None
        The layer of a multi-layer file; refused as missing when the file holds several.
    columns : dict
        Canonical -> source column names; for a CSV, ``"x"`` and ``"y"`` (taken out of the dict) name
        the coordinate columns.
    encoding : str or None
        The text encoding, UTF-8 by default.
    road_classes : sequence of str or None
        For an OpenStreetMap extract, the ``highway`` values to keep (:data:`DEFAULT_HIGHWAY_CLASSES`).
    report : ValidationReport
        Told how rows are counted (CSV lines from 2) and of geometries that cannot be built.

    Returns
    -------
    (GeoDataFrame, str or None, (str, str))
        The frame, the CRS the format implies (EPSG:4326 for longitude/latitude CSV columns and
        OpenStreetMap), and the coordinate column names (for messages).

    Examples
    --------
    >>> raw, crs, xy = read_source(Path("layers/mali_2025/incidents.csv"), layer=None, columns={},
    ...                            encoding=None, road_classes=None,
    ...                            report=ValidationReport("incidents.csv", "incidents"))
    >>> len(raw) > 50, crs, xy
    (True, 'EPSG:4326', ('longitude', 'latitude'))
    """
    real = check_layer_file(path)
    check_size(real)
    if encoding is not None:
        check_text_encoding(encoding)
    fmt = layer_format(path) or layer_format(real)
    if fmt == "CSV":
        report.row_noun, report.row_offset = "CSV line", 2
        return _read_csv(real, columns=columns, encoding=encoding, name=path)
    if fmt == "GeoParquet":
        try:
            return gpd.read_parquet(real), None, ("x", "y")
        except (ValueError, OSError) as exc:
            raise InputError(f"{path}: cannot read it as GeoParquet ({exc}); write it with "
                             "GeoDataFrame.to_parquet") from None
    if fmt == "GeoPackage":
        check_gpkg_layer(real, layer)
    with gdal_offline():
        if fmt == "OpenStreetMap":
            return (_read_osm(real, road_classes=road_classes or DEFAULT_HIGHWAY_CLASSES, name=path), WGS84,
                    ("x", "y"))
        return _read_vector(path, real, layer=layer, encoding=encoding, report=report), None, ("x", "y")


def _read_vector(path: Path, real: Path, *, layer: str | None, encoding: str | None,
                 report: ValidationReport) -> gpd.GeoDataFrame:
    """A vector file through pyogrio (``real``, its absolute path; ``path`` as the user gave it, for messages)."""
    try:
        if layer is None:
            layers = pyogrio.list_layers(real)
            if len(layers) > 1:
                names = ", ".join(str(n) for n in layers[:, 0])
                raise InputError(f"{path} holds {len(layers)} layers ({names}); name one with layer='<name>'")
        return gpd.read_file(real, layer=layer, engine="pyogrio", encoding=encoding)
    except (DataSourceError, DataLayerError) as exc:
        raise InputError(f"{path}: cannot read it as a vector layer: {str(exc).replace(str(real), str(path))}") \
            from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{path} holds text that is not valid UTF-8 (byte {exc.object[exc.start:exc.start + 1]!r}); "
                         "pass encoding='latin-1' (or the file's real encoding), or re-save it as UTF-8") from None
    except shapely.errors.GEOSException:
        return _read_unbuildable(real, layer=layer, encoding=encoding, report=report)


def _read_unbuildable(path: Path, *, layer: str | None, encoding: str | None,
                      report: ValidationReport) -> gpd.GeoDataFrame:
    """Read a file in which some geometries cannot be built (a line with one vertex): those rows keep no
    geometry and are reported, the others are read as usual."""
    meta, _, wkb, _ = pyogrio.raw.read(path, layer=layer, encoding=encoding, read_geometry=True)
    attributes = pyogrio.read_dataframe(path, layer=layer, encoding=encoding, read_geometry=False)
    geoms = shapely.from_wkb(wkb, on_invalid="ignore")
    broken = np.asarray([g is None for g in geoms]) & np.asarray([w is not None for w in wkb])
    report.add("warning", f"{int(broken.sum())} geometries cannot be built (e.g. a line with a single vertex) "
               "and are read as null", rows=np.flatnonzero(broken), fix="correct or remove those features")
    return gpd.GeoDataFrame(attributes, geometry=geoms, crs=meta["crs"])


def _read_csv(
    real: Path, *, columns: dict[str, str], encoding: str | None, name: Path | None = None
) -> tuple[gpd.GeoDataFrame, Any, tuple[str, str]]:
    """A CSV with coordinate columns; ``name`` is the file as the user gave it (for messages)."""
    path = name if name is not None else real
    enc = encoding or "utf-8-sig"
    try:
        with open(real, encoding=enc, newline="") as fh:
            sample = fh.read(64 * 1024)
        sep = _sniff_delimiter(sample)
        # text is text: an id or a name "NA" or "None" stays as written; only an empty cell is missing
        table = pd.read_csv(real, sep=sep, encoding=enc, dtype=str, keep_default_na=False, na_values=[""],
                            compression=None)
    except UnicodeDecodeError as exc:
        raise InputError(f"{path} is not valid {enc} text ({exc.reason} at byte {exc.start}); "
                         "pass encoding='latin-1' (or the file's real encoding)") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(f"{path}: cannot parse it as CSV ({str(exc).strip()}); check the "
                         "delimiter and quoting") from None
    _check_ragged_rows(real, enc, sep, len(table.columns), name=path)
    _check_nul_bytes(real, name=path)
    lower = {c.lower(): c for c in table.columns}
    xcol, ycol, implied = columns.pop("x", None), columns.pop("y", None), None
    if xcol is None or ycol is None:
        for lon, lat in _GEOGRAPHIC_XY:
            if lon in lower and lat in lower:
                xcol, ycol, implied = lower[lon], lower[lat], WGS84
                break
        else:
            if "x" in lower and "y" in lower:
                xcol, ycol = lower["x"], lower["y"]
    if xcol not in table or ycol not in table:
        raise InputError(
            f"{path}: no coordinate columns found (looked for longitude/latitude, lon/lat, x/y); "
            f"the columns are {', '.join(map(str, table.columns))}; name them with "
            "columns={'x': ..., 'y': ...}"
        )
    table[xcol], table[ycol] = (table[c].mask(table[c].str.strip().isin(MISSING_WORDS)) for c in (xcol, ycol))
    x = pd.to_numeric(table[xcol], errors="coerce")
    y = pd.to_numeric(table[ycol], errors="coerce")
    not_numbers = (x.isna() & table[xcol].notna()) | (y.isna() & table[ycol].notna())
    if not_numbers.any():
        rows = np.flatnonzero(not_numbers.to_numpy())
        from geokit.validate import describe_rows

        raise InputError(
            f"{path}: coordinates in '{xcol}'/'{ycol}' are not numbers "
            f"({describe_rows(rows, noun='CSV line', offset=2)}, e.g. "
            f"{table.loc[rows[0], xcol]!r}, {table.loc[rows[0], ycol]!r}); use a dot as the "
            "decimal separator and plain decimal degrees"
        )
    geometry = gpd.points_from_xy(x, y)
    geometry[(x.isna() | y.isna()).to_numpy()] = None
    frame = gpd.GeoDataFrame(table, geometry=geometry)
    return frame, implied, (str(xcol), str(ycol))


def _check_ragged_rows(real: Path, encoding: str, sep: str, n_columns: int, *, name: Path) -> None:
    """Refuse rows with fewer or more fields than the header (truncated or mis-quoted lines)."""
    path = name
    limit = csv.field_size_limit()
    csv.field_size_limit(max(limit, os.path.getsize(real) + 1))  # a long notes field is text, not an error
    try:
        with open(real, encoding=encoding, newline="") as fh:
            reader = csv.reader(fh, delimiter=sep)
            next(reader, None)
            bad = [(i, len(row)) for i, row in enumerate(reader) if row and len(row) != n_columns]
    finally:
        csv.field_size_limit(limit)
    if bad:
        rows = [i for i, _ in bad]
        raise InputError(
            f"{path}: {len(bad)} rows do not have the header's {n_columns} fields "
            f"({describe_rows(rows, noun='CSV line', offset=2)}; e.g. {bad[0][1]} fields): the file looks "
            "truncated, or a field holds an unquoted delimiter; fix those lines (quote text fields)")


def _check_nul_bytes(real: Path, *, name: Path) -> None:
    """Refuse a text file holding a NUL byte: a binary or corrupted export, whose text cannot be trusted."""
    import mmap

    path = name
    with open(real, "rb") as fh:
        if os.fstat(fh.fileno()).st_size == 0:
            return
        with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
            at = data.find(b"\x00")
            if at >= 0:
                line = data[:at].count(b"\n") + 1
                raise InputError(f"{path} holds a NUL byte (line {line}): it is binary or corrupted, not CSV text; "
                                 "export it again as CSV")


def _sniff_delimiter(sample: str) -> str:
    header = sample.splitlines()[0] if sample else ""
    try:
        return csv.Sniffer().sniff(sample, delimiters=_SNIFF_DELIMITERS).delimiter
    except csv.Error:
        counts = {d: header.count(d) for d in _SNIFF_DELIMITERS}
        best = max(counts, key=counts.__getitem__)
        return best if counts[best] else ","


def _read_osm(real: Path, *, road_classes: Sequence[str], name: Path) -> gpd.GeoDataFrame:
    path = name
    for value in road_classes:
        if not re.fullmatch(r"[a-z_]+", value):
            raise InputError(f"highway class {value!r} is not an OpenStreetMap highway value")
    where = "highway IN ({})".format(", ".join(f"'{v}'" for v in road_classes))
    try:
        frame = gpd.read_file(real, layer="lines", where=where, engine="pyogrio")
    except (DataSourceError, DataLayerError) as exc:
        raise InputError(f"{path}: cannot read it as an OpenStreetMap extract: {exc}") from None
    if "other_tags" in frame:
        ref = frame["other_tags"].str.extract(r'"ref"=>"([^"]*)"', expand=False)
        frame.insert(0, "ref", ref)
    return frame


