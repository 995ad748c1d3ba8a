"""Read the layer kinds geokit works with into canonical GeoDataFrames.

Readers accept the vector formats of :data:`geokit.trust.FORMATS` (GeoPackage
with a layer name, Shapefile, GeoJSON, FlatGeobuf; a VRT, KML or archive is
refused, see :mod:`geokit.trust`), GeoParquet, CSV with coordinate
columns (ACLED and UCDP GED exports are recognised natively, see
:mod:`geokit.formats`) and OpenStreetMap extracts (``.osm`` / ``.osm.pbf``,
through GDAL's OSM driver). Each returns a new GeoDataFrame in EPSG:4326 with
the canonical columns of :mod:`geokit.schema` first and the source's own
columns after them, or raises one :class:`~geokit.InputError` that lists every
problem found (see :mod:`geokit.validate`).

Examples
--------
>>> import geokit
>>> cities = geokit.read_cities("layers/mali_2025/cities.geojson")
>>> cities.loc[cities["name"] == "Bamako", ["population", "country"]].values.tolist()  # doctest: +ELLIPSIS
[[..., 'MLI']]
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geokit._check import YEARS
from geokit._errors import GeokitWarning, InputError
from geokit.formats import FORMAT_COLUMNS, UCDP_VIOLENCE_TYPES, detect_format
from geokit.schema import (
    CANONICAL_COLUMNS,
    COLUMN_ALIASES,
    LAYER_KINDS,
    REQUIRED_COLUMNS,
    WGS84,
    LayerKind,
)
from geokit.validate import (
    ValidationReport,
    check_antimeridian,
    check_incident_dates,
    check_negative_counts,
    drop_duplicate_rows,
    drop_placeholder_points,
    check_coordinates,
    check_crs,
    check_duplicate_ids,
    check_geometry_types,
    drop_missing_geometries,
    repair_geometries,
)
from geokit.readers import MISSING_WORDS, is_osm, read_source

__all__ = [
    "load_layer",
    "validate_layer",
    "describe_layer",
    "guess_kind",
    "read_roads",
    "read_crossings",
    "read_cities",
    "read_boundaries",
    "read_incidents",
]

log = logging.getLogger(__name__)

_NUMERIC = {"population", "fatalities", "geo_precision"}

Source = "str | Path | gpd.GeoDataFrame"


def load_layer(
    source: str | Path | gpd.GeoDataFrame,
    kind: LayerKind,
    *,
    layer: str | None = None,
    columns: Mapping[str, str] | None = None,
    crs: Any = None,
    strict: bool = False,
    date_format: str | None = None,
    encoding: str | None = None,
    road_classes: Sequence[str] | None = None,
    bounds: tuple[float, float, float, float] | None = None,
) -> tuple[gpd.GeoDataFrame, ValidationReport]:
    """Read and check a layer; return it with the report of what was fixed.

    Parameters
    ----------
    source : str, Path or GeoDataFrame
        A file, or a frame already in memory (it is not modified).
    kind : {"roads", "crossings", "cities", "boundaries", "incidents"}
        What the layer holds; decides the canonical columns and checks.
    layer : str, optional
        The layer to read from a multi-layer source such as a GeoPackage.
    columns : mapping, optional
        Canonical column -> source column, e.g. ``{"ref": "route_no"}``, for
        attributes geokit does not recognise by itself. For CSV files the keys
        ``"x"`` and ``"y"`` name the coordinate columns.
    crs : optional
        The CRS of a source that declares none (anything pyproj accepts).
        Refused when it contradicts the CRS the file declares.
    strict : bool, default False
        Refuse invalid geometries instead of repairing them.
    date_format : str, optional
        strftime format of incident dates that are neither ISO 8601 nor
        ACLED's ``"14 September 2025"``, e.g. ``"%d/%m/%Y"``.
    encoding : str, optional
        Text encoding of a CSV file; UTF-8 (with or without BOM) by default.
    road_classes : sequence of str, optional
        Keep only the roads of these classes: the canonical ``road_class``
        (OpenStreetMap ``highway`` values such as ``"trunk"``, or the file's own
        classes). OpenStreetMap extracts keep
        :data:`geokit.readers.DEFAULT_HIGHWAY_CLASSES` unless given; other
        files keep every road.
    bounds : (min_lon, min_lat, max_lon, max_lat), optional
        Area the layer should cover; points outside it that fit once their
        coordinates are exchanged are reported as swapped.

    Returns
    -------
    (GeoDataFrame, ValidationReport)
        The canonical layer in EPSG:4326 with a fresh 0..n-1 index, and the
        report of what was repaired or dropped.

    Raises
    ------
    InputError
        With every problem found, naming the file, the rows and the fix.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> frame = gpd.GeoDataFrame({"name": ["Kayes"], "pop_max": [127368]},
    ...                          geometry=[shapely.Point(-11.44, 14.45)], crs=4326)
    >>> cities, report = load_layer(frame, "cities")
    >>> cities[["name", "population"]].to_dict("records")
    [{'name': 'Kayes', 'population': 127368.0}]
    >>> report.ok
    True
    """
    frame, report = validate_layer(
        source,
        kind,
        layer=layer,
        columns=columns,
        crs=crs,
        strict=strict,
        date_format=date_format,
        encoding=encoding,
        road_classes=road_classes,
        bounds=bounds,
    )
    report.raise_if_errors()
    for problem in report.problems:
        warnings.warn(f"{report.source}: {problem.message}", GeokitWarning, stacklevel=3)
    return frame, report


def validate_layer(
    source: str | Path | gpd.GeoDataFrame,
    kind: LayerKind,
    *,
    layer: str | None = None,
    columns: Mapping[str, str] | None = None,
    crs: Any = None,
    strict: bool = False,
    date_format: str | None = None,
    encoding: str | None = None,
    road_classes: Sequence[str] | None = None,
    bounds: tuple[float, float, float, float] | None = None,
) -> tuple[gpd.GeoDataFrame, ValidationReport]:
    """Read a layer and run every check, without raising for data problems.

    Same parameters as :func:`load_layer`. Returns the (possibly partial)
    frame and the full report; the frame is only fit for use when
    ``report.ok``. A file that cannot be opened at all still raises
    :class:`~geokit.InputError`.

    Parameters
    ----------
    source : str, Path or GeoDataFrame
        A file, or a frame in memory (not modified).
    kind : str
        The layer kind (:data:`geokit.schema.LAYER_KINDS`).
    layer, columns, crs, strict, date_format, encoding, road_classes, bounds
        As for :func:`load_layer`.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> frame = gpd.GeoDataFrame({"name": ["x"]}, geometry=[shapely.Point(0, 0)])
    >>> _, report = validate_layer(frame, "cities")
    >>> report.ok, "no coordinate reference system" in report.format()
    (False, True)
    """
    if kind not in LAYER_KINDS:
        raise InputError(f"unknown layer kind {kind!r}; use one of {', '.join(LAYER_KINDS)}")
    columns = dict(columns or {})
    raw, implied_crs, xy, report = _read(source, kind, layer=layer, columns=columns, encoding=encoding,
                                         road_classes=road_classes)
    return _check(raw, report, columns=columns, crs=crs if crs is not None else implied_crs, xy=xy,
                  strict=strict, date_format=date_format, bounds=bounds,
                  road_classes=None if is_osm(Path(report.source)) else road_classes)


def _read(source: str | Path | gpd.GeoDataFrame, kind: str, *, layer: str | None, columns: dict[str, str],
          encoding: str | None, road_classes: Sequence[str] | None
          ) -> tuple[gpd.GeoDataFrame, Any, tuple[str, str], ValidationReport]:
    """The raw frame of a source (a file read once, or a copy of a frame), the CRS its format implies, its
    coordinate columns and a fresh report."""
    if isinstance(source, gpd.GeoDataFrame):
        report = ValidationReport("<GeoDataFrame>", kind, row_noun="row")
        return source.copy(), None, ("x", "y"), report
    path = Path(source)  # checked by read_source before anything opens it (geokit.trust)
    report = ValidationReport(str(path), kind)
    raw, implied_crs, xy = read_source(path, layer=layer, columns=columns, encoding=encoding,
                                       road_classes=road_classes, report=report)
    return raw, implied_crs, xy, report


def _check(raw: gpd.GeoDataFrame, report: ValidationReport, *, columns: dict[str, str], crs: Any,
           xy: tuple[str, str], strict: bool, date_format: str | None,
           bounds: tuple[float, float, float, float] | None,
           road_classes: Sequence[str] | None) -> tuple[gpd.GeoDataFrame, ValidationReport]:
    """Every check of :func:`validate_layer` on a raw frame of the kind ``report.kind``."""
    kind = report.kind
    raw = raw.reset_index(drop=True)
    report.n_read = len(raw)
    if raw.empty:
        report.add("error", "the layer is empty (no rows)", fix="check the file, or the layer name")
        return raw, report
    frame = _to_canonical(raw, kind, columns, report, date_format=date_format)
    frame = check_crs(frame, report, crs=crs)
    report.source_crs = frame.crs.to_string() if frame.crs is not None else None
    frame = drop_missing_geometries(frame, report)
    frame = drop_placeholder_points(frame, report)
    if frame.empty and report.ok:
        report.add("error", "no row has a usable geometry (all were null or empty)",
                   fix="check the coordinate columns or the geometry of the file")
    check_geometry_types(frame, report)
    check_coordinates(frame, report, xy_columns=xy, bounds=bounds)
    check_antimeridian(frame, report)
    check_negative_counts(frame, report)
    if report.ok:
        frame = repair_geometries(frame, report, strict=strict)
        frame = drop_duplicate_rows(frame, report)
    if kind == "incidents":
        frame = check_incident_dates(frame, report)
    check_duplicate_ids(frame, report)
    if road_classes is not None and kind == "roads":
        frame = frame.loc[frame["road_class"].isin(list(road_classes))]
    if report.ok and frame.crs is not None and not frame.crs.equals(WGS84):
        frame = frame.to_crs(WGS84)
    frame = frame.reset_index(drop=True)
    report.n_kept = len(frame)
    return frame, report


def read_roads(
    path: str | Path | gpd.GeoDataFrame,
    *,
    layer: str | None = None,
    columns: Mapping[str, str] | None = None,
    crs: Any = None,
    strict: bool = False,
    encoding: str | None = None,
    bounds: tuple[float, float, float, float] | None = None,
    road_classes: Sequence[str] | None = None,
) -> gpd.GeoDataFrame:
    """Read a road layer: lines with ``name``, ``ref`` and ``road_class``.

    Recognises OpenStreetMap / HOT attributes (``highway``, ``ref``, ``name``)
    and Natural Earth roads (``type``, ``name``, ``label``).

    Parameters
    ----------
    path : str, Path or GeoDataFrame
        The file (GeoJSON, GeoPackage, Shapefile, FlatGeobuf, GeoParquet, CSV with coordinates, .osm/.osm.pbf) or a frame in memory.
    layer, columns, crs, strict, encoding, bounds
        As for :func:`load_layer`: the layer of a multi-layer file, a canonical -> source column mapping,
        the CRS of a file that declares none, refusing invalid geometries, a CSV's text encoding, the area
        used to spot swapped coordinates.
    road_classes : sequence of str, optional
        Keep only these road classes (see :func:`load_layer`).

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> frame = gpd.GeoDataFrame({"highway": ["trunk"], "ref": ["RN1"]},
    ...     geometry=[shapely.LineString([(-8.0, 12.6), (-8.2, 12.8)])], crs=4326)
    >>> read_roads(frame)[["ref", "road_class"]].to_dict("records")
    [{'ref': 'RN1', 'road_class': 'trunk'}]
    """
    return load_layer(path, "roads", layer=layer, columns=columns, crs=crs, strict=strict, encoding=encoding,
                      bounds=bounds, road_classes=road_classes)[0]


def read_crossings(
    path: str | Path | gpd.GeoDataFrame,
    *,
    layer: str | None = None,
    columns: Mapping[str, str] | None = None,
    crs: Any = None,
    strict: bool = False,
    encoding: str | None = None,
    bounds: tuple[float, float, float, float] | None = None,
) -> gpd.GeoDataFrame:
    """Read border crossings: points with ``name``, ``country_a``, ``country_b``.

    Parameters
    ----------
    path : str, Path or GeoDataFrame
        The file (GeoJSON, GeoPackage, Shapefile, FlatGeobuf, GeoParquet, CSV with coordinates) or a frame in memory.
    layer, columns, crs, strict, encoding, bounds
        As for :func:`load_layer`: the layer of a multi-layer file, a canonical -> source column mapping,
        the CRS of a file that declares none, refusing invalid geometries, a CSV's text encoding, the area
        used to spot swapped coordinates.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> frame = gpd.GeoDataFrame({"name": ["Diboli"], "country_a": ["MLI"], "country_b": ["SEN"]},
    ...     geometry=[shapely.Point(-12.30, 14.66)], crs=4326)
    >>> read_crossings(frame).loc[0, "country_b"]
    'SEN'
    """
    return load_layer(path, "crossings", layer=layer, columns=columns, crs=crs, strict=strict, encoding=encoding,
                      bounds=bounds)[0]


def read_cities(
    path: str | Path | gpd.GeoDataFrame,
    *,
    layer: str | None = None,
    columns: Mapping[str, str] | None = None,
    crs: Any = None,
    strict: bool = False,
    encoding: str | None = None,
    bounds: tuple[float, float, float, float] | None = None,
) -> gpd.GeoDataFrame:
    """Read populated places: points with ``name``, ``population``, ``country``.

    Recognises Natural Earth populated places (``name``, ``pop_max``,
    ``adm0name``) and OpenStreetMap place nodes (``name``, ``population``).

    Parameters
    ----------
    path : str, Path or GeoDataFrame
        The file (GeoJSON, GeoPackage, Shapefile, FlatGeobuf, GeoParquet, CSV with coordinates) or a frame in memory.
    layer, columns, crs, strict, encoding, bounds
        As for :func:`load_layer`: the layer of a multi-layer file, a canonical -> source column mapping,
        the CRS of a file that declares none, refusing invalid geometries, a CSV's text encoding, the area
        used to spot swapped coordinates.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> frame = gpd.GeoDataFrame({"name": ["Kita"], "population": ["49043"]},
    ...     geometry=[shapely.Point(-9.49, 13.04)], crs=4326)
    >>> float(read_cities(frame).loc[0, "population"])
    49043.0
    """
    return load_layer(path, "cities", layer=layer, columns=columns, crs=crs, strict=strict, encoding=encoding,
                      bounds=bounds)[0]


def read_boundaries(
    path: str | Path | gpd.GeoDataFrame,
    *,
    layer: str | None = None,
    columns: Mapping[str, str] | None = None,
    crs: Any = None,
    strict: bool = False,
    encoding: str | None = None,
    bounds: tuple[float, float, float, float] | None = None,
) -> gpd.GeoDataFrame:
    """Read country or region polygons with ``name`` and ``iso_a3``.

    Recognises Natural Earth admin-0 (``ADMIN``, ``ISO_A3``).

    Parameters
    ----------
    path : str, Path or GeoDataFrame
        The file (GeoJSON, GeoPackage, Shapefile, FlatGeobuf, GeoParquet, CSV with coordinates) or a frame in memory.
    layer, columns, crs, strict, encoding, bounds
        As for :func:`load_layer`: the layer of a multi-layer file, a canonical -> source column mapping,
        the CRS of a file that declares none, refusing invalid geometries, a CSV's text encoding, the area
        used to spot swapped coordinates.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> frame = gpd.GeoDataFrame({"ADMIN": ["Mali"], "ISO_A3": ["MLI"]},
    ...     geometry=[shapely.box(-12, 10, 4, 25)], crs=4326)
    >>> read_boundaries(frame)[["name", "iso_a3"]].to_dict("records")
    [{'name': 'Mali', 'iso_a3': 'MLI'}]
    """
    return load_layer(path, "boundaries", layer=layer, columns=columns, crs=crs, strict=strict, encoding=encoding,
                      bounds=bounds)[0]


def read_incidents(
    path: str | Path | gpd.GeoDataFrame,
    *,
    layer: str | None = None,
    columns: Mapping[str, str] | None = None,
    crs: Any = None,
    strict: bool = False,
    encoding: str | None = None,
    bounds: tuple[float, float, float, float] | None = None,
    date_format: str | None = None,
) -> gpd.GeoDataFrame:
    """Read dated incident points, mapping ACLED and UCDP GED layouts.

    Returns ``event_id``, ``date`` (datetime64), ``event_type``, ``actor``,
    ``fatalities``, ``notes``, ``geo_precision`` and ``source_format``
    (``"acled"``, ``"ucdp_ged"`` or ``"generic"``), then the source columns.

    Parameters
    ----------
    path : str, Path or GeoDataFrame
        The file (GeoJSON, GeoPackage, Shapefile, FlatGeobuf, GeoParquet, CSV with coordinates) or a frame in memory.
    layer, columns, crs, strict, encoding, bounds
        As for :func:`load_layer`: the layer of a multi-layer file, a canonical -> source column mapping,
        the CRS of a file that declares none, refusing invalid geometries, a CSV's text encoding, the area
        used to spot swapped coordinates.
    date_format : str, optional
        The strftime layout of dates that are neither ISO 8601 nor ACLED's, e.g. ``"%d/%m/%Y"``.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> frame = gpd.GeoDataFrame({"event_date": ["2025-09-14"], "actor1": ["JNIM"]},
    ...     geometry=[shapely.Point(-9.49, 13.04)], crs=4326)
    >>> inc = read_incidents(frame)
    >>> str(inc.loc[0, "date"].date()), inc.loc[0, "actor"]
    ('2025-09-14', 'JNIM')
    """
    return load_layer(path, "incidents", layer=layer, columns=columns, crs=crs, strict=strict, encoding=encoding,
                      bounds=bounds, date_format=date_format)[0]


def guess_kind(frame: gpd.GeoDataFrame) -> LayerKind:
    """Guess a layer's kind from its geometry and columns (for ``geokit info``).

    Lines are roads, polygons boundaries; points are incidents when they have
    a date column or a recognised incident layout, cities when they have a
    population or place column, otherwise crossings.

    Parameters
    ----------
    frame : GeoDataFrame
        A layer as read.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> guess_kind(gpd.GeoDataFrame({"event_date": ["2025-01-01"]}, geometry=[shapely.Point(0, 0)]))
    'incidents'
    """
    types = set(frame.geom_type.dropna())
    if types and types <= {"LineString", "MultiLineString"}:
        return "roads"
    if types and types <= {"Polygon", "MultiPolygon"}:
        return "boundaries"
    lower = {str(c).lower() for c in frame.columns}
    if detect_format(lower) != "generic" or lower & {"date", "event_date", "date_start"}:
        return "incidents"
    if lower & {"population", "pop_max", "place", "pop"}:
        return "cities"
    return "crossings"


def describe_layer(
    path: str | Path,
    *,
    kind: LayerKind | None = None,
    layer: str | None = None,
    columns: Mapping[str, str] | None = None,
    crs: Any = None,
    date_format: str | None = None,
    encoding: str | None = None,
) -> str:
    """A short text description of a layer file: kind, CRS, extent, count, dates (``geokit info``).

    The file is read once; without ``kind`` it is guessed from the geometry and columns
    (:func:`guess_kind`).

    Parameters
    ----------
    path : str or Path
        The layer file.
    kind : str, optional
        The layer kind; guessed when omitted.
    layer, columns, crs, date_format, encoding
        As for :func:`load_layer`.

    Returns
    -------
    str

    Examples
    --------
    >>> print(describe_layer("layers/mali_2025/border_crossings.geojson").splitlines()[1])
    kind:     crossings (guessed; pass --kind to set it)
    """
    columns = dict(columns or {})
    raw, implied_crs, xy, report = _read(path, kind or "roads", layer=layer, columns=columns, encoding=encoding,
                                         road_classes=None)
    guessed = ""
    if kind is None:
        kind = guess_kind(raw)
        guessed = " (guessed; pass --kind to set it)"
        report.kind = kind
    frame, report = _check(raw, report, columns=columns, crs=crs if crs is not None else implied_crs, xy=xy,
                           strict=False, date_format=date_format, bounds=None, road_classes=None)
    lines = [f"file:     {path}", f"kind:     {kind}{guessed}",
             f"CRS:      {report.source_crs or 'none declared'}",
             f"features: {report.n_read} read, {report.n_kept} valid"]
    if report.ok and not frame.empty:
        minx, miny, maxx, maxy = frame.total_bounds
        lines.append(f"extent:   lon {minx:.4f} .. {maxx:.4f}, lat {miny:.4f} .. {maxy:.4f} (EPSG:4326)")
        types = frame.geom_type.value_counts()
        lines.append("geometry: " + ", ".join(f"{n} {t}" for t, n in types.items()))
        if kind == "incidents":
            lines.append(f"dates:    {frame['date'].min():%Y-%m-%d} .. {frame['date'].max():%Y-%m-%d}"
                         f" ({frame['source_format'].iloc[0]} layout)")
    lines.append(f"problems: {len(report.errors)} errors, {len(report.problems) - len(report.errors)} "
                 "repairs/drops" + ("" if report.ok else " (run geokit validate for details)"))
    return "\n".join(lines)


# --- canonical columns -----------------------------------------------------


def _resolve_columns(
    frame: pd.DataFrame, kind: str, columns: dict[str, str], fmt: str, report: ValidationReport
) -> dict[str, str]:
    """canonical -> source column, from the caller's mapping, the format and aliases."""
    canonical = CANONICAL_COLUMNS[kind]
    available = [c for c in frame.columns if c != frame.geometry.name]
    lower = {str(c).lower(): c for c in available}
    unknown = sorted(set(columns) - set(canonical))
    if unknown:
        report.add("error", f"columns= names {', '.join(unknown)}, which is not a canonical "
                   f"{kind} column", fix=f"use keys among {', '.join(canonical)}")
    mapping: dict[str, str] = {}
    for canon in canonical:
        if canon in columns:
            if columns[canon] in frame.columns:
                mapping[canon] = columns[canon]
            else:
                report.add("error", f"columns= maps '{canon}' to '{columns[canon]}', which the "
                           f"file does not have (it has {', '.join(map(str, available))})",
                           fix="correct the column name")
            continue
        candidates = [FORMAT_COLUMNS.get(fmt, {}).get(canon)] + list(
            COLUMN_ALIASES[kind].get(canon, ()))
        for cand in candidates:
            if cand and cand.lower() in lower and lower[cand.lower()] not in mapping.values():
                same = [str(c) for c in available if str(c).lower() == cand.lower()]
                if len(same) > 1:  # "name" and "NAME": which one is meant is the user's to say
                    report.add("error", f"the columns {' and '.join(repr(c) for c in same)} differ only by case, "
                               f"and either could be the {canon} column", fix=f"name the one to use with "
                               f"columns={{'{canon}': '{same[0]}'}} (the other is kept as src_...)")
                mapping[canon] = lower[cand.lower()]
                break
    return mapping


#: Column names a GeoPackage reserves or geokit's products use: a source column of that name is renamed.
_RESERVED = {"fid", "geom", "geometry", "ogc_fid"}


def _source_column_names(columns: Sequence[Any], kind: str, report: ValidationReport) -> dict[Any, str]:
    """The name each kept source column gets in the canonical layer: its own, or ``src_<name>`` when that is a
    canonical column, a name a GeoPackage reserves (``fid``) or differs only by case from a name already taken
    (a GeoPackage's column names ignore case; writing the products would fail)."""
    taken = {c.lower() for c in CANONICAL_COLUMNS[kind]} | {"source_format"}
    names: dict[Any, str] = {}
    renamed = []
    for col in columns:
        name = str(col)
        if name.lower() in taken or name.lower() in _RESERVED:
            name = f"src_{col}"
            n = 2
            while name.lower() in taken:
                name, n = f"src_{col}_{n}", n + 1
            if str(col).lower() not in {c.lower() for c in CANONICAL_COLUMNS[kind]}:
                renamed.append(f"{col} -> {name}")
        taken.add(name.lower())
        names[col] = name
    if renamed:
        report.add("repaired", f"source columns renamed so that the GeoPackage can hold them ({', '.join(renamed)}): "
                   "a GeoPackage reserves 'fid' for its row id and its column names ignore case",
                   fix="rename those columns in the file to silence this")
    return names


def _to_canonical(
    raw: gpd.GeoDataFrame,
    kind: str,
    columns: dict[str, str],
    report: ValidationReport,
    *,
    date_format: str | None,
) -> gpd.GeoDataFrame:
    fmt = detect_format(raw.columns) if kind == "incidents" else "generic"
    mapping = _resolve_columns(raw, kind, columns, fmt, report)
    available = [str(c) for c in raw.columns if c != raw.geometry.name]
    for req in REQUIRED_COLUMNS[kind]:
        if req not in mapping:
            report.add("error", f"the required column '{req}' is missing; the columns are "
                       f"{', '.join(available)}",
                       fix=f"map one with columns={{'{req}': '<column>'}}")
    out = pd.DataFrame(index=raw.index)
    for canon in CANONICAL_COLUMNS[kind]:
        src = mapping.get(canon)
        values = raw[src] if src is not None else pd.Series(pd.NA, index=raw.index, dtype=object)
        out[canon] = _coerce(canon, values, src, fmt, report, date_format=date_format)
    if kind == "incidents":
        out["source_format"] = fmt
        _check_date_span(out, mapping, report)
        missing_id = out["event_id"].isna()
        if missing_id.any():
            out.loc[missing_id, "event_id"] = [f"row-{i}" for i in np.flatnonzero(missing_id)]
    keep = [col for col in raw.columns
            if not (col == raw.geometry.name or col in mapping.values() and col in CANONICAL_COLUMNS[kind])]
    kept = {name: raw[col] for col, name in _source_column_names(keep, kind, report).items()}
    source_cols = pd.DataFrame(kept, index=raw.index)
    frame = pd.concat([out, source_cols], axis=1)
    return gpd.GeoDataFrame(frame, geometry=raw.geometry.rename("geometry"), crs=raw.crs)


def _check_date_span(out: pd.DataFrame, mapping: dict[str, str], report: ValidationReport) -> None:
    """``date_end`` (the last day of an event that spans several, as UCDP GED gives it) is the event's day
    when not given, and may not come before ``date``."""
    if not pd.api.types.is_datetime64_any_dtype(out["date_end"]):
        out["date_end"] = pd.Series(pd.NaT, index=out.index, dtype="datetime64[ns]")
    if not pd.api.types.is_datetime64_any_dtype(out["date"]):
        return  # no date column: reported as missing
    out["date_end"] = out["date_end"].fillna(out["date"])
    before = (out["date_end"] < out["date"]).to_numpy()
    if before.any():
        report.add("error", f"{int(before.sum())} incidents end before they start ('{mapping.get('date_end')}' is "
                   f"before '{mapping.get('date')}')", rows=out.index[before],
                   fix="exchange the two dates in those rows")


def _coerce(
    canon: str,
    values: pd.Series,
    src: str | None,
    fmt: str,
    report: ValidationReport,
    *,
    date_format: str | None,
) -> pd.Series:
    if src is None:
        return values
    if canon in ("date", "date_end") or canon in _NUMERIC or canon == "event_type" and fmt == "ucdp_ged":
        values = values.mask(values.astype(str).str.strip().isin(MISSING_WORDS))  # "NA" is no number or date
    if canon in ("date", "date_end"):
        return _parse_dates(values, src, report, date_format=date_format, required=canon == "date")
    if canon == "event_type" and fmt == "ucdp_ged":
        codes = pd.to_numeric(values, errors="coerce")
        return codes.map(UCDP_VIOLENCE_TYPES).fillna(values.astype(str)).astype(object)
    if canon in _NUMERIC:
        numbers = pd.to_numeric(values, errors="coerce")
        bad = numbers.isna() & values.notna() & (values.astype(str).str.strip() != "")
        if bad.any():
            example = values[bad].iloc[0]
            report.add("error", f"'{src}' (mapped to {canon}) holds values that are not numbers, "
                       f"e.g. {example!r}", rows=values.index[bad],
                       fix="write plain numbers (no thousands separators or text)")
        return numbers.astype(float)
    if canon == "event_id":  # " MLI1 " is MLI1: ids differing only by spaces are the same id
        return values.astype(object).where(values.notna(), None).map(
            lambda v: None if v is None or not str(v).strip() else str(v).strip())
    return values.astype(object).where(values.notna(), None)


#: Date layouts tried, in order, when no ``date_format`` is given: ISO 8601
#: (``2025-09-14``, ``2025-09-14 00:00:00.000``) and ACLED's long form.
DATE_FORMATS: tuple[str, ...] = ("ISO8601", "%d %B %Y")

#: An ISO date at the start of a timestamp; only the date is kept (the event's local date as given).
_LOCAL_DATE = r"^(\d{4}-\d{2}-\d{2})(?:[ T]\d{2}:\d{2}.*)?$"


def _parse_dates(
    values: pd.Series, src: str, report: ValidationReport, *, date_format: str | None, required: bool = True
) -> pd.Series:
    text = values.astype(object).where(values.notna(), None)
    text = text.map(lambda v: v if v is None else str(v).strip())
    # the local date of the event as written: "2025-09-14T23:30-05:00" is 14 September, not 15 in UTC
    local = text.str.extract(_LOCAL_DATE, expand=False)
    text = local.where(local.notna(), text) if not date_format else text
    year = pd.to_numeric(text.str.extract(r"(?<!\d)(\d{4})(?!\d)", expand=False), errors="coerce")
    odd_year = ((year < YEARS[0]) | (year > YEARS[1])).fillna(False)
    if odd_year.any():
        report.add("error", f"{int(odd_year.sum())} dates in '{src}' lie outside the years {YEARS[0]}-{YEARS[1]}, "
                   f"e.g. {text[odd_year].iloc[0]!r}", rows=values.index[odd_year], fix="correct the year")
    parsed = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    for fmt in (date_format,) if date_format else DATE_FORMATS:
        todo = parsed.isna() & text.notna() & ~odd_year
        if not todo.any():
            break
        try:
            attempt = pd.to_datetime(text[todo], format=fmt, errors="coerce")
        except (ValueError, OverflowError):  # a layout pandas cannot use at all
            attempt = pd.Series(pd.NaT, index=text[todo].index, dtype="datetime64[ns]")
        if getattr(attempt.dt, "tz", None) is not None:
            attempt = attempt.dt.tz_localize(None)  # keep the local wall-clock date
        parsed[todo] = attempt.astype("datetime64[ns]")
    missing = text.isna()
    bad = parsed.isna() & ~missing & ~odd_year
    if missing.any() and required:
        report.add("error", f"{int(missing.sum())} incidents have no date in '{src}'",
                   rows=values.index[missing], fix="fill in the dates or remove those rows")
    if bad.any():
        tried = date_format or " or ".join(DATE_FORMATS)
        report.add("error", f"{int(bad.sum())} dates in '{src}' could not be read as {tried}, "
                   f"e.g. {text[bad].iloc[0]!r}", rows=values.index[bad],
                   fix="give their layout, e.g. date_format='%d/%m/%Y'")
    return parsed.dt.normalize()
