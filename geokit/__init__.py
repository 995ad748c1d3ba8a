"""geokit: conflict mapping along transport corridors.

Layers in (roads, border crossings, cities, boundaries, incidents), analysis
in a metric CRS, products out (GeoPackage, GeoTIFF, offline HTML maps).
"""

from __future__ import annotations

from geokit._errors import CRSError, GeokitError, GeokitWarning, InputError, ProjectError
from geokit.crs import choose_metric_crs, geodesic_length_km, to_metric
from geokit.layers import (
    load_layer,
    read_boundaries,
    read_cities,
    read_crossings,
    read_incidents,
    read_roads,
    validate_layer,
)
from geokit.validate import ValidationReport

__version__ = "0.1.0"

__all__ = [
    "CRSError",
    "GeokitError",
    "GeokitWarning",
    "InputError",
    "ProjectError",
    "ValidationReport",
    "choose_metric_crs",
    "geodesic_length_km",
    "load_layer",
    "read_boundaries",
    "read_cities",
    "read_crossings",
    "read_incidents",
    "read_roads",
    "to_metric",
    "validate_layer",
]
