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

#: Submodules reachable as attributes after ``import geokit`` (``geokit.offline.save_html(...)``), imported on
#: first use so that ``import geokit`` stays light.
_SUBMODULES = ("analysis", "brief", "build", "chart", "corridors", "diff", "exposure", "incidents", "kml", "maps",
               "network", "offline", "palette", "project", "raster", "sources", "timeline")


def __getattr__(name: str) -> object:
    """Import a submodule on first use as an attribute.

    Examples
    --------
    >>> import geokit
    >>> callable(geokit.offline.save_html)
    True
    """
    if name in _SUBMODULES:
        import importlib

        return importlib.import_module(f"geokit.{name}")
    raise AttributeError(f"module 'geokit' has no attribute {name!r}")
