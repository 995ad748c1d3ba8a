"""The forecast map (:mod:`geokit.forecast`): road segments coloured by expected incidents, the top stretches
named."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import folium
import geopandas as gpd
import numpy as np
import shapely
from branca.element import Figure

from geokit.escape import html_text
from geokit.maps.base import base_layers
from geokit.maps.page import add_title

__all__ = ["forecast_map", "CLASSES_EXPECTED", "CLASS_COLOURS"]

#: Class breaks of the map, in expected incidents within radius_km over the horizon.
CLASSES_EXPECTED = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0)
#: Their colours (ColorBrewer YlOrRd, 7 classes), lowest first.
CLASS_COLOURS = ("#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c", "#b10026")


def _class_labels() -> list[str]:
    edges = ("0",) + tuple(f"{b:g}" for b in CLASSES_EXPECTED)
    return [f"{lo} to {hi}" for lo, hi in zip(edges[:-1], edges[1:])] + [f"{CLASSES_EXPECTED[-1]:g} or more"]


def forecast_map(forecast: gpd.GeoDataFrame, stretches: gpd.GeoDataFrame, *, title: str, subtitle: str = "",
                 base: Mapping[str, gpd.GeoDataFrame] | None = None, sources: Sequence[str] = (),
                 precision: int = 4) -> folium.Map:
    """An offline map of a forecast: road segments coloured by expected incidents, the top stretches named.

    Segments of one class are drawn as one feature (the map stays small on a continent's roads); each top
    stretch is its own line with its numbers in the tooltip and a label.

    Parameters
    ----------
    forecast : GeoDataFrame
        From :func:`geokit.forecast.forecast`.
    stretches : GeoDataFrame
        From :func:`geokit.forecast.top_stretches`.
    title, subtitle : str
        Shown in the title box (escaped).
    base : mapping, optional
        The offline base (:func:`geokit.maps.base_layers`).
    sources : sequence of str
        Source credits.
    precision : int
        Decimal places of coordinates.

    Returns
    -------
    folium.Map

    Examples
    --------
    >>> from geokit.forecast import HawkesParams, forecast, top_stretches
    >>> chosen = HawkesParams(mu_per_day=0.0, branching=0.5, decay_per_day=0.1, sigma_km=10.0)
    >>> out = forecast(network, incidents, on="2025-09-20", horizon_days=14, model=chosen)
    >>> m = forecast_map(out, top_stretches(out, network), title="Forecast <test>")
    >>> "Forecast &lt;test&gt;" in m.get_root().render()
    True
    """
    west, south, east, north = forecast.total_bounds
    m = folium.Map(location=[(south + north) / 2, (west + east) / 2], tiles=None, zoom_start=6,
                   control_scale=True)
    for group in base_layers(base or {}):
        group.add_to(m)
    classes = np.searchsorted(np.asarray(CLASSES_EXPECTED), forecast["expected_incidents"].to_numpy(), "right")
    labels = _class_labels()
    roads = folium.FeatureGroup(name="Roads by expected incidents")
    geoms = np.asarray(forecast.geometry.values)
    for c in range(len(CLASS_COLOURS)):
        chosen = geoms[classes == c]
        if not len(chosen):
            continue
        line = shapely.set_precision(shapely.multilinestrings(shapely.get_parts(chosen)), 10.0**-precision)
        folium.GeoJson(
            shapely.geometry.mapping(line),
            style_function=lambda _f, colour=CLASS_COLOURS[c], w=1.5 + c * 0.6: {"color": colour, "weight": w,
                                                                                 "opacity": 0.9},
            tooltip=html_text(f"{labels[c]} expected incidents"),
        ).add_to(roads)
    roads.add_to(m)
    top = folium.FeatureGroup(name="Top stretches")
    for row in stretches.itertuples():
        tip = (f"<b>{int(row.rank)}. {html_text(row.road)}</b> {html_text(row.near)}<br>"
               f"{row.expected_incidents:.2f} expected incidents (highest segment)<br>"
               f"{row.length_km:.1f} km, {int(row.segments)} segment(s)")
        folium.GeoJson(shapely.geometry.mapping(row.geometry),
                       style_function=lambda _f: {"color": "#000", "weight": 7, "opacity": 0.35},
                       tooltip=folium.Tooltip(tip)).add_to(top)
        mid = shapely.line_interpolate_point(row.geometry, 0.5, normalized=True)
        folium.Marker([mid.y, mid.x], icon=folium.DivIcon(
            html=f"<div style='font:bold 11px sans-serif;background:#fff;border:1px solid #333;"
                 f"padding:0 3px;white-space:nowrap;display:inline-block'>{int(row.rank)}. {html_text(row.road)}"
                 "</div>", icon_size=(0, 0))).add_to(top)
    top.add_to(m)
    legend = "".join(f"<div><span style='display:inline-block;width:18px;height:4px;background:{c};"
                     f"margin-right:4px;vertical-align:middle'></span>{html_text(t)}</div>"
                     for c, t in zip(CLASS_COLOURS, labels))
    root = m.get_root()
    assert isinstance(root, Figure)
    root.html.add_child(folium.Element(
        "<div style='position:fixed;bottom:24px;right:10px;z-index:1000;background:#fff;padding:6px 8px;"
        "border:1px solid #999;border-radius:4px;font:12px sans-serif'><b>Expected incidents</b><br>"
        f"<span style='font-size:10px'>within the radius, over the horizon</span>{legend}</div>"))
    add_title(m, title, subtitle, sources)
    folium.LayerControl(collapsed=True).add_to(m)
    m.fit_bounds([[south, west], [north, east]])
    return m
