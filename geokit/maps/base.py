"""The offline base (countries, lakes, rivers, regions) and the density overlay."""

from __future__ import annotations

import base64
import warnings
from collections.abc import Mapping
from typing import Any, TYPE_CHECKING

import folium
import geopandas as gpd
import numpy as np
import shapely  # noqa: F401  (the examples draw shapes)

from geokit.escape import html_text

if TYPE_CHECKING:
    from geokit.raster import DensityRaster

from geokit.maps._compact import _GeoJson, _geojson

def boundary_layer(boundaries: gpd.GeoDataFrame, *, name: str = "Countries (offline base)",
                   precision: int = 4, simplify_m: float | None = 500.0) -> folium.FeatureGroup:
    """Country or region outlines: the map's base when there are no tiles.

    Parameters
    ----------
    boundaries : GeoDataFrame
        Country polygons (:func:`geokit.read_boundaries`).
    name : str
        The layer's name.
    precision : int, default 4
        Decimals kept in the coordinates (5 is about 1 m).
    simplify_m : float, optional
        Simplify lines to this tolerance (metres) first; 500 m by default.

    Examples
    --------
    >>> countries = gpd.GeoDataFrame({"name": ["Mali"]}, crs=4326, geometry=[shapely.box(-12, 10, 4, 25)])
    >>> boundary_layer(countries).layer_name
    'Countries (offline base)'
    """
    group = folium.FeatureGroup(name=html_text(name), overlay=True, control=True)
    data = _geojson(boundaries, ["name"], precision=precision, simplify_m=simplify_m)
    _GeoJson(data, name=html_text(name), pane="geokitBase", interactive=False, style_function=lambda f: {"color": "#888", "weight": 1, "fillColor": "#f4f1ea",
                                                             "fillOpacity": 1.0}).add_to(group)
    return group


def base_layers(base: Mapping[str, gpd.GeoDataFrame], *, precision: int = 4,
                simplify_m: float | None = 500.0) -> list[folium.FeatureGroup]:
    """The offline base beneath the analysis: countries, lakes, rivers and regions.

    Parameters
    ----------
    base : mapping
        Layers by kind: ``boundaries`` (country polygons), ``lakes``,
        ``rivers`` and ``regions`` (any of them may be missing).
    precision : int, default 4
        Decimal places of coordinates (4 is about 10 m).
    simplify_m : float, default 500
        Simplification tolerance in metres (the base is context, not analysis).

    Returns
    -------
    list of folium.FeatureGroup
        In drawing order.

    Examples
    --------
    >>> countries = gpd.GeoDataFrame({"name": ["Mali"]}, crs=4326, geometry=[shapely.box(-12, 10, 4, 25)])
    >>> [g.layer_name for g in base_layers({"boundaries": countries})]
    ['Countries (offline base)']
    """
    groups = []
    geo: dict[str, Any] = {"precision": precision, "simplify_m": simplify_m}
    if base.get("boundaries") is not None and len(base["boundaries"]):
        groups.append(boundary_layer(base["boundaries"], **geo))
    for kind, title, label in (("lakes", "Lakes", "Lake"), ("rivers", "Rivers", "River"),
                               ("regions", "Regions", "Region")):
        frame = base.get(kind)
        if frame is None or not len(frame):
            continue
        group = folium.FeatureGroup(name=title)
        _GeoJson(_geojson(frame, ["name"], **geo), name=title, pane="geokitBase", interactive=False,
                       style_function=lambda f, style=_BASE_STYLES[kind]: style).add_to(group)
        groups.append(group)
    return groups


_BASE_STYLES = {
    "lakes": {"color": "#6a9fc9", "weight": 0.5, "fillColor": "#b3d1ea", "fillOpacity": 1.0},
    "rivers": {"color": "#6a9fc9", "weight": 1.5, "opacity": 0.9},
    "regions": {"color": "#8c7b6b", "weight": 1, "dashArray": "4 4", "fillOpacity": 0.0},
}


def density_layer(density: DensityRaster, *, name: str = "Incident density",
                  opacity: float = 0.6) -> folium.FeatureGroup:
    """A density surface (:class:`geokit.raster.DensityRaster`) as a coloured image overlay.

    Parameters
    ----------
    density : DensityRaster
        :func:`geokit.raster.incident_density`.
    name : str
        The layer's name.
    opacity : float, default 0.6
        The overlay's opacity.

    Examples
    --------
    >>> from geokit.raster import incident_density
    >>> density_layer(incident_density(incidents, cell_km=2, bandwidth_km=10)).layer_name
    'Incident density'
    """
    from rasterio.warp import Resampling, calculate_default_transform, reproject

    group = folium.FeatureGroup(name=html_text(name), show=False)
    values = density.values
    height, width = values.shape
    left, top = density.transform.c, density.transform.f
    right, bottom = left + width * density.transform.a, top + height * density.transform.e
    dst_transform, w, h = calculate_default_transform(density.crs, "EPSG:3857", width, height,
                                                      left, bottom, right, top)
    merc = np.zeros((h, w), dtype="float64")
    reproject(values, merc, src_transform=density.transform, src_crs=density.crs, dst_transform=dst_transform,
              dst_crs="EPSG:3857", resampling=Resampling.bilinear)
    x0, y0 = dst_transform.c, dst_transform.f
    x1, y1 = x0 + w * dst_transform.a, y0 + h * dst_transform.e
    from pyproj import Transformer

    to_ll = Transformer.from_crs(3857, 4326, always_xy=True)
    (lon0, lat0), (lon1, lat1) = to_ll.transform(x0, y1), to_ll.transform(x1, y0)
    folium.raster_layers.ImageOverlay(image=_png_data_uri(merc), bounds=[[lat0, lon0], [lat1, lon1]],
                                      opacity=opacity, name=html_text(name), mercator_project=False).add_to(group)
    return group


def _png_data_uri(values: np.ndarray) -> str:
    """Yellow-orange-red colour ramp, transparent where the value is 0."""
    from rasterio.io import MemoryFile

    top = values.max() if values.max() > 0 else 1.0
    t = np.clip(values / top, 0, 1)
    stops = np.array([[255, 255, 178], [254, 204, 92], [253, 141, 60], [240, 59, 32], [189, 0, 38]], float)
    pos = np.linspace(0, 1, 256) * (len(stops) - 1)  # the ramp in 256 steps, looked up per cell
    lo = np.floor(pos).astype(int).clip(0, len(stops) - 2)
    frac = (pos - lo)[:, None]
    ramp = (stops[lo] * (1 - frac) + stops[lo + 1] * frac).astype("uint8")
    rgba = np.empty((4, *t.shape), dtype="uint8")
    rgba[:3] = ramp[np.round(t * 255).astype(np.uint8)].transpose(2, 0, 1)
    rgba[3] = np.where(t > 0.02, 200, 0)
    from rasterio.errors import NotGeoreferencedWarning

    with warnings.catch_warnings(), MemoryFile() as mem:
        warnings.simplefilter("ignore", NotGeoreferencedWarning)  # a plain PNG has no georeference
        with mem.open(driver="PNG", width=rgba.shape[2], height=rgba.shape[1], count=4, dtype="uint8") as dst:
            dst.write(rgba)
        data = mem.read()
    return "data:image/png;base64," + base64.b64encode(data).decode()
