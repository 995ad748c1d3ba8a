"""Canonical layer schemas: the one place that names geokit's columns.

Every reader in :mod:`geokit.layers` returns a GeoDataFrame in EPSG:4326 whose
first columns are the canonical ones below, followed by the source's own
columns (kept unchanged, except that a source column whose name clashes with
a canonical one is renamed with a ``src_`` prefix).

========== ================================ ======================================
kind       geometry                          canonical columns
========== ================================ ======================================
roads      LineString, MultiLineString      ``name``, ``ref``, ``road_class``
crossings  Point                            ``name``, ``country_a``, ``country_b``
cities     Point                            ``name``, ``population``, ``country``
boundaries Polygon, MultiPolygon            ``name``, ``iso_a3``
borders    LineString, MultiLineString      ``name``, ``country_a``, ``country_b``
regions    Polygon, MultiPolygon            ``name``, ``iso_a3``
rivers     LineString, MultiLineString      ``name``
lakes      Polygon, MultiPolygon            ``name``
facilities Point                            ``name``, ``category``
incidents  Point                            ``event_id``, ``date``, ``event_type``,
                                            ``actor``, ``fatalities``, ``notes``,
                                            ``geo_precision``, ``source_format``
========== ================================ ======================================

Required columns (a layer without them is refused): ``name`` for cities and
``date`` for incidents. Borders are international boundary lines (used to place and check border
crossings); regions are a country's administrative regions (population
totals by region, the map's base); rivers and lakes draw the map's base;
facilities are points of interest such as fuel stations. The
others are filled with missing values when the
source has no such column.
"""

from __future__ import annotations

from typing import Literal, get_args

__all__ = [
    "LayerKind",
    "LAYER_KINDS",
    "CANONICAL_COLUMNS",
    "REQUIRED_COLUMNS",
    "GEOMETRY_TYPES",
    "ID_COLUMNS",
    "COLUMN_ALIASES",
    "WGS84",
]

LayerKind = Literal["roads", "crossings", "cities", "boundaries", "borders", "regions", "rivers", "lakes",
                    "facilities", "incidents"]
LAYER_KINDS: tuple[str, ...] = get_args(LayerKind)

#: The CRS of every layer geokit returns.
WGS84 = "EPSG:4326"

CANONICAL_COLUMNS: dict[str, tuple[str, ...]] = {
    "roads": ("name", "ref", "road_class"),
    "crossings": ("name", "country_a", "country_b"),
    "cities": ("name", "population", "country"),
    "boundaries": ("name", "iso_a3"),
    "borders": ("name", "country_a", "country_b"),
    "regions": ("name", "iso_a3"),
    "rivers": ("name",),
    "lakes": ("name",),
    "facilities": ("name", "category"),
    "incidents": (
        "event_id",
        "date",
        "date_end",
        "event_type",
        "actor",
        "fatalities",
        "notes",
        "geo_precision",
        "source_format",
    ),
}

REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "roads": (),
    "crossings": (),
    "cities": ("name",),
    "boundaries": (),
    "borders": (),
    "regions": (),
    "rivers": (),
    "lakes": (),
    "facilities": (),
    "incidents": ("date",),
}

GEOMETRY_TYPES: dict[str, tuple[str, ...]] = {
    "roads": ("LineString", "MultiLineString"),
    "crossings": ("Point",),
    "cities": ("Point",),
    "boundaries": ("Polygon", "MultiPolygon"),
    "borders": ("LineString", "MultiLineString"),
    "regions": ("Polygon", "MultiPolygon"),
    "rivers": ("LineString", "MultiLineString"),
    "lakes": ("Polygon", "MultiPolygon"),
    "facilities": ("Point",),
    "incidents": ("Point",),
}

#: Columns whose values must be unique within a layer, when present.
ID_COLUMNS: dict[str, tuple[str, ...]] = {
    "roads": (),
    "crossings": (),
    "cities": (),
    "boundaries": (),
    "borders": (),
    "regions": (),
    "rivers": (),
    "lakes": (),
    "facilities": (),
    "incidents": ("event_id",),
}

#: Source attributes recognised for each canonical column, tried in order
#: (case-insensitively) after a caller's explicit mapping and the canonical
#: name itself. They cover OpenStreetMap / HOT exports (``highway``, ``ref``,
#: ``name``, ``place``), Natural Earth (``type``, ``label``, ``sov_a3``,
#: ``pop_max``, ``adm0name``, ``ADMIN``, ``ISO_A3``) and the shapes of the
#: real layers geokit is tested on.
COLUMN_ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "roads": {
        "name": ("name", "name_en"),
        "ref": ("ref", "label", "route_ref"),
        "road_class": ("road_class", "highway", "type", "fclass", "class"),
    },
    "crossings": {
        "name": ("name", "name_en", "nearest_osm_town"),
        "country_a": ("country_a", "country_from"),
        "country_b": ("country_b", "country_to"),
    },
    "cities": {
        "name": ("name", "nameascii", "name_en"),
        "population": ("population", "pop_max", "pop"),
        "country": ("country", "adm0name", "admin", "iso_a3", "adm0_a3"),
    },
    "boundaries": {
        "name": ("name", "admin", "name_long", "shapename"),
        "iso_a3": ("iso_a3", "adm0_a3", "shapegroup", "iso3"),
    },
    "borders": {
        "name": ("name",),
        "country_a": ("country_a", "adm0_a3_l"),
        "country_b": ("country_b", "adm0_a3_r"),
    },
    "regions": {
        "name": ("name", "shapename", "admin1name", "name_en"),
        "iso_a3": ("iso_a3", "shapegroup", "adm0_a3", "iso3"),
    },
    "rivers": {"name": ("name", "name_en", "name_fr")},
    "lakes": {"name": ("name", "name_en", "name_fr")},
    "facilities": {
        "name": ("name", "name_en"),
        "category": ("category", "amenity", "value", "type"),
    },
    "incidents": {
        "event_id": ("event_id", "id"),
        "date": ("date", "event_date"),
        "date_end": ("date_end", "end_date"),
        "event_type": ("event_type", "type"),
        "actor": ("actor", "actor1"),
        "fatalities": ("fatalities", "deaths"),
        "notes": ("notes", "description"),
        "geo_precision": ("geo_precision",),
    },
}
