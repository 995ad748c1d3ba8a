"""An analyst's tools on the map, all working offline: the pointer's coordinates (own code, a few lines of
``tools.js``), a search over the map's towns and crossings (leaflet-search) and a distance-measuring tool
(Leaflet.PolylineMeasure). The two plugins are vendored in ``geokit/maps/vendor`` with their licences and
inlined by :func:`geokit.offline.save_html` (their pages link them on jsDelivr; the offline file holds the
vendored copies)."""

from __future__ import annotations

from typing import Any

import folium
import geopandas as gpd
import pandas as pd
from branca.element import Figure, MacroElement
from folium.elements import JSCSSMixin

from geokit.escape import html_text
from geokit.maps._assets import asset
from geokit.maps._compact import _Html, _Verbatim, js_value

__all__ = ["add_tools", "VENDORED"]

#: The plugins' files as the page links them (jsDelivr, as their npm packages ship them); offline saves
#: inline the copies in ``geokit/maps/vendor`` instead (:data:`geokit.offline.ASSETS`).
VENDORED = {
    "leaflet_search_js": "https://cdn.jsdelivr.net/npm/leaflet-search@4.0.0/dist/leaflet-search.min.js",
    "leaflet_search_css": "https://cdn.jsdelivr.net/npm/leaflet-search@4.0.0/dist/leaflet-search.min.css",
    "polylinemeasure_js": "https://cdn.jsdelivr.net/npm/leaflet.polylinemeasure@3.0.0/Leaflet.PolylineMeasure.js",
    "polylinemeasure_css": "https://cdn.jsdelivr.net/npm/leaflet.polylinemeasure@3.0.0/Leaflet.PolylineMeasure.css",
}


class _Plugins(JSCSSMixin, MacroElement):
    """The vendored plugins' links, in the page's head."""

    default_js = [(k, v) for k, v in VENDORED.items() if k.endswith("_js")]
    default_css = [(k, v) for k, v in VENDORED.items() if k.endswith("_css")]

    def __init__(self) -> None:
        super().__init__()
        self._name = "GeokitPlugins"


class _ToolScript(_Html):
    """The call of ``geokitTools`` (``tools.js``), with tools.js and tools.css in the page's head once."""

    def render(self, **kwargs: Any) -> None:  # type: ignore[override]
        root = self.get_root()
        if isinstance(root, Figure):
            root.header.add_child(_Verbatim(f"<script>{asset('tools.js')}</script><style>{asset('tools.css')}</style>"),
                                  name="geokit_tools")
        super().render(**kwargs)


def _places(*frames: gpd.GeoDataFrame | None) -> list[dict]:
    """The named points of some layers, as leaflet-search reads them: ``{"title", "loc": [lat, lon]}``."""
    out: list[dict] = []
    for frame in frames:
        if frame is None or not len(frame) or "name" not in frame:
            continue
        points = frame.to_crs(4326)
        for name, geom in zip(points["name"], points.geometry.array):
            if geom is None or geom.is_empty or pd.isna(name) or not str(name).strip():
                continue
            out.append({"title": html_text(name), "loc": [round(geom.y, 5), round(geom.x, 5)]})
    return sorted(out, key=lambda p: p["title"])


def add_tools(m: folium.Map, *places: gpd.GeoDataFrame | None) -> folium.Map:
    """The pointer's coordinates, a search over named places (towns, crossings) and a distance tool.

    Parameters
    ----------
    m : folium.Map
        The map; returned with its tools.
    *places : GeoDataFrame or None
        Layers of named points (``name``) the search finds.

    Examples
    --------
    >>> import folium
    >>> page = add_tools(folium.Map(tiles=None), result.cities).get_root().render()
    >>> "geokitTools(" in page, "leaflet-search@4.0.0" in page, "Bamako" in page
    (True, True, True)
    """
    m.add_child(_Plugins())
    m.add_child(_ToolScript(script=f"geokitTools({m.get_name()}, {js_value(_places(*places))});"))
    return m
