"""The compact transport of layers to the page: escaped properties, coordinates as integer
differences (decoded in the page by ``decoder.js``), and the elements that put rendered blocks into the page."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import Element, Figure, MacroElement
from jinja2 import Template

from geokit._errors import GeokitError
from geokit.escape import TEMPLATE_MARKERS, html_text, js_string

from geokit.maps._assets import asset

def _esc(value: object) -> str:
    """A value as display text, escaped by :func:`geokit.escape.html_text`; '' for missing values.

    Dates show as ``YYYY-MM-DD``, whole floats without decimals and other
    floats with one, both with thousands separators.
    """
    if value is None or (not isinstance(value, str | list | tuple) and pd.isna(value)):
        return ""
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float | np.floating):
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
    return html_text(value)


def _table(row: Mapping[str, object], fields: Sequence[tuple[str, str]]) -> str:
    cells = "".join(f"<tr><th style='text-align:left;padding-right:6px'>{html_text(label)}</th>"
                    f"<td>{_esc(row.get(key))}</td></tr>" for key, label in fields if key in row)
    return f"<table style='font-size:12px'>{cells}</table>"


def _geojson(frame: gpd.GeoDataFrame, props: Sequence[str], *, precision: int,
             simplify_m: float | None) -> dict:
    """A compact FeatureCollection for :class:`_GeoJson`: escaped string properties, and each geometry's
    coordinates as integer differences at ``precision`` decimals (decoded by the page, see ``_DECODER``)."""
    frame = frame.to_crs(4326)
    geoms = frame.geometry.array
    if simplify_m:
        geoms = _simplified(np.asarray(geoms), simplify_m)
    geoms = shapely.set_precision(geoms, 10.0 ** -precision, mode="pointwise")  # drawn, not measured: no repair
    features = []
    records = frame[[p for p in props if p in frame]].to_dict("records")
    scale = 10 ** precision
    for geom, rec in zip(geoms, records):
        if geom is None or geom.is_empty:
            continue
        clean: dict[str, Any] = {}
        for key, value in rec.items():
            if isinstance(value, str):
                clean[key] = html_text(value)
            elif isinstance(value, pd.Timestamp):
                clean[key] = value.strftime("%Y-%m-%d")
            elif value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT:
                clean[key] = ""
            elif isinstance(value, np.generic):
                clean[key] = _rounded(value.item())
            elif isinstance(value, float):
                clean[key] = _rounded(value)
            else:
                clean[key] = value if isinstance(value, int | float | bool) else html_text(value)
        features.append({"type": "Feature", "properties": clean, "geometry": _compact(geom, scale)})
    return {"type": "FeatureCollection", "features": features, "geokitScale": scale}


#: The most metres a degree spans anywhere on the WGS84 ellipsoid (a degree of latitude at the poles).
_MAX_M_PER_DEGREE = 111_700.0


def _simplified(geoms: np.ndarray, simplify_m: float) -> np.ndarray:
    """Geometries in degrees, simplified so that no vertex moves farther than ``simplify_m`` (a degree spans
    at most ``_MAX_M_PER_DEGREE``): Douglas-Peucker (10x faster than the topology-preserving simplifier, and
    no projecting), redone with topology preserved for the shapes it erased or left invalid. (GEOS repairs
    the polygons it simplifies: a hole pushed across its boundary becomes a notch, drawn alike.)

    Examples
    --------
    >>> line = shapely.LineString([(0, 0), (0.5, 0.0008), (1, 0)])  # the middle vertex is ~89 m off
    >>> [len(g.coords) for g in _simplified(np.array([line, line]), 100.0)], len(_simplified(np.array([line]), 80.0)[0].coords)
    ([2, 2], 3)
    """
    tolerance = simplify_m / _MAX_M_PER_DEGREE
    out = shapely.simplify(geoms, tolerance, preserve_topology=False)
    bad = ~shapely.is_valid(out) | (shapely.is_empty(out) & ~shapely.is_empty(geoms))
    if bad.any():
        out[bad] = shapely.simplify(geoms[bad], tolerance, preserve_topology=True)
    return out


def _compact(geom: shapely.Geometry, scale: int) -> dict:
    """A geometry as ``{"type", "n": its parts' vertex counts (nested as its coordinates are), "d": the
    x, y differences from the previous vertex, in 1/scale degrees}``: a third of GeoJSON's bytes."""
    kind = geom.geom_type
    if kind == "GeometryCollection":
        return {"type": kind, "geometries": [_compact(g, scale) for g in geom.geoms]}

    def counts(g: shapely.Geometry) -> Any:
        if g.geom_type == "Polygon":
            return [len(r.coords) for r in (g.exterior, *g.interiors)]
        if g.geom_type in ("MultiLineString", "MultiPolygon"):
            return [counts(part) for part in g.geoms]
        return len(shapely.get_coordinates(g))  # Point (1), MultiPoint, LineString

    xy = np.round(shapely.get_coordinates(geom) * scale).astype(np.int64)
    return {"type": kind, "n": counts(geom), "d": np.diff(xy, axis=0, prepend=np.zeros((1, 2), np.int64)).ravel()
            .tolist()}



#: Decodes :func:`_compact` geometries when Leaflet adds a collection (put in the page's head once).
_DECODER = asset("decoder.js")


class _Verbatim(Element):
    """A rendered block put into the page as it is."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._text = text

    def render(self, **kwargs: Any) -> str:
        return self._text


class _RenderedOnce(MacroElement):
    """A MacroElement whose rendered header, html and script go into the page as they are: branca's own
    ``render`` compiles each as a new Jinja template and renders it again (0.6 s for a 100k-incident map,
    and text from data would be evaluated had it not been escaped)."""

    def render(self, **kwargs: Any) -> None:  # type: ignore[override]  # branca's returns nothing either
        figure = self.get_root()
        if not isinstance(figure, Figure):
            raise GeokitError("a map element can only be rendered inside a map")
        module = self._template.module.__dict__
        for part, section in (("header", figure.header), ("html", figure.html), ("script", figure.script)):
            if module.get(part) is not None:
                section.add_child(_Verbatim(module[part](self, kwargs)), name=self.get_name())
        for child in self._children.values():
            child.render(**kwargs)


class _GeoJson(folium.GeoJson, _RenderedOnce):
    """:class:`folium.GeoJson` of a :func:`_geojson` collection: puts the decoder and the pointer in the page once."""

    def render(self, **kwargs: Any) -> None:  # type: ignore[override]  # folium's GeoJson returns nothing
        root = self.get_root()
        if isinstance(root, Figure):
            _page_assets(root)
            if self.options.get("pane"):
                _ensure_pane(self, str(self.options["pane"]))
        super().render(**kwargs)


#: The map's panes, bottom to top, with their z-index (Leaflet's own: overlays 400, markers 600, tooltips
#: 650, popups 700). Each layer family draws in its pane, on a canvas of its own; ``pointer.js`` hands each
#: pointer event to the topmost one with a feature under the pointer. The cut stretches and detours lie above
#: the incident clusters (what was cut is never hidden under a bubble), towns, crossings and labels above all.
PANES = {"geokitBase": 300, "geokitZones": 350, "geokitDensity": 360, "geokitRoads": 410, "geokitCorridors": 420,
         "geokitClusters": 440, "geokitCuts": 450, "geokitDetours": 455, "geokitIncidents": 460,
         "geokitTowns": 470, "geokitCrossings": 480, "geokitLabels": 490}


def _page_assets(root: Figure) -> None:
    """geokit's scripts and styles in the page's head, once: the geometry decoder and the pointer."""
    root.header.add_child(_Verbatim(f"<script>{asset('decoder.js')}</script>"), name="geokit_decoder")
    root.header.add_child(_Verbatim(f"<script>{asset('pointer.js')}</script><style>{asset('pointer.css')}</style>"),
                          name="geokit_pointer")


def _map_of(element: Element) -> folium.Map:
    """The map an element was added to."""
    node: Any = element
    while node is not None and not isinstance(node, folium.Map):
        node = node._parent
    if node is None:
        raise GeokitError("a map layer can only be rendered inside a map")
    return node


def _rounded(value: object) -> object:
    """Floats as people read them: whole numbers without decimals, others to one decimal."""
    if isinstance(value, float) and not np.isnan(value):
        return int(value) if value.is_integer() else round(value, 1)
    return value


class _Html(_RenderedOnce):
    """A fixed block of HTML and script added to the map's page."""

    _template = Template("""
        {% macro html(this, kwargs) %}{{ this.html }}{% endmacro %}
        {% macro script(this, kwargs) %}{{ this.script }}{% endmacro %}
    """)

    def __init__(self, markup: str = "", script: str = "") -> None:
        super().__init__()
        found = [marker for marker in TEMPLATE_MARKERS[:3] if marker in markup or marker in script]
        if found:  # branca renders this output again as a Jinja template: data must arrive escaped
            raise ValueError(f"map markup contains the template marker(s) {found}; escape text from data "
                             "with geokit.escape.html_text")
        self._name = "GeokitHtml"
        self.html = markup
        self.script = script


def _ensure_pane(element: Element, pane: str) -> None:
    """Creates one of :data:`PANES` on the element's map (once, before the element's script runs)."""
    root = element.get_root()
    if not isinstance(root, Figure):
        return
    _page_assets(root)
    name = _map_of(element).get_name()
    root.script.add_child(_Verbatim(f"geokitPane({name}, {js_string(pane)}, {PANES[pane]});\n"),
                          name=f"geokit_pane_{name}_{pane}")


class _Marker(folium.Marker):
    """:class:`folium.Marker` drawn in one of :data:`PANES` (its ``pane`` option)."""

    def render(self, **kwargs: Any) -> None:  # type: ignore[override]
        if self.options.get("pane"):
            _ensure_pane(self, str(self.options["pane"]))
        super().render(**kwargs)


def js_value(value: object) -> str:
    """A JSON value (dicts, lists, strings, numbers, booleans, None) as JavaScript safe in a ``<script>``:
    every string escaped by :func:`geokit.escape.js_string`, so data never reaches the page as code.

    Examples
    --------
    >>> print(js_value({"name": "</script>", "days": [1, 2], "on": True, "none": None}))
    {"name": "\\u003c/script\\u003e", "days": [1, 2], "on": true, "none": null }
    """
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{js_string(k)}: {js_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list | tuple | np.ndarray):
        return "[" + ", ".join(js_value(v) for v in value) + "]"
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    return js_string(value)
