"""geokit: conflict mapping along transport corridors.

Layers in (roads, border crossings, cities, boundaries, incidents), analysis
in a metric CRS, products out (GeoPackage, GeoTIFF, offline HTML maps).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from geokit import _interrupt

if _interrupt.is_command():  # Ctrl-C while the command starts: one line, exit status 130, no traceback
    _interrupt.exit_on_interrupt("import")

from geokit._errors import CRSError, GeokitError, GeokitWarning, InputError, ProjectError

if TYPE_CHECKING:
    from geokit.crs import choose_metric_crs, geodesic_length_km, to_metric
    from geokit.layers import (load_layer, read_boundaries, read_cities, read_crossings, read_incidents, read_roads,
                               validate_layer)
    from geokit.validate import ValidationReport

#: Public names imported on first use (PEP 562), so that ``import geokit`` is quick and the ``geokit``
#: command answers Ctrl-C with one line even while the heavy libraries (pandas, GDAL) load.
_LAZY = {"choose_metric_crs": "geokit.crs", "geodesic_length_km": "geokit.crs", "to_metric": "geokit.crs",
         "load_layer": "geokit.layers", "read_boundaries": "geokit.layers", "read_cities": "geokit.layers",
         "read_crossings": "geokit.layers", "read_incidents": "geokit.layers", "read_roads": "geokit.layers",
         "validate_layer": "geokit.layers", "ValidationReport": "geokit.validate"}


#: Submodules reachable as attributes after ``import geokit`` (``geokit.offline.save_html(...)``), imported on
#: first use so that ``import geokit`` stays light.
_SUBMODULES = ("analysis", "brief", "build", "chart", "corridors", "diff", "exposure", "forecast", "incidents",
               "kml", "maps", "network", "offline", "palette", "project", "raster", "routing", "sources",
               "timeline")


def __getattr__(name: str) -> object:
    """A public name or a submodule, imported on first use.

    Examples
    --------
    >>> import geokit
    >>> callable(geokit.offline.save_html), callable(geokit.read_roads)
    (True, True)
    """
    import importlib

    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    if name in _SUBMODULES:
        return importlib.import_module(f"geokit.{name}")
    raise AttributeError(f"module 'geokit' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY) | set(_SUBMODULES))


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
