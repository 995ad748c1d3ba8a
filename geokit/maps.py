"""Folium maps of an analysis: one call for the briefing map, one function per layer.

:func:`corridor_map` draws an :class:`~geokit.analysis.Analysis` (it never
computes anything): roads coloured by status, corridors and their detours
(dashed), exposure zones shaded by intensity, clustered incident markers with
popups, a density heat layer, cities sized by population, border crossings,
a month-by-month (or week-by-week) time slider, a legend, a scale bar, a
full-screen button, a title with the window and every data source, and two
base layers: OpenStreetMap tiles, and an offline base drawn from country
boundaries with no tiles at all.

Every string that comes from data (names, notes, actors, sources, the
title) passes through :func:`geokit.escape.html_text` before it reaches the
map, so a note such as ``<img src=x onerror=alert(1)>``, ``{{7*7}}`` or
``${document.title}`` shows as text and is never evaluated, neither by
branca's Jinja templates nor by the browser. Markup geokit adds itself goes
through ``_Html``, which refuses any Jinja marker. Save maps with
:func:`geokit.offline.save_html`.
"""

from __future__ import annotations

import base64
import json
import warnings
from collections.abc import Collection, Mapping, Sequence
from typing import Any, TYPE_CHECKING

import folium
import folium.plugins
import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import shapely
from branca.element import Element, Figure, MacroElement
from jinja2 import Template

from geokit._errors import GeokitError
from geokit.crs import choose_metric_crs
from geokit.escape import TEMPLATE_MARKERS, html_text, js_array, js_string, safe_url
from geokit.palette import OPEN, STATUS_COLORS, STATUSES
from geokit.timeline import day_number

if TYPE_CHECKING:
    from geokit.analysis import Analysis
    from geokit.raster import DensityRaster

__all__ = [
    "STATUS_COLORS",
    "GeokitMap",
    "corridor_map",
    "road_status_layer",
    "corridor_layer",
    "zone_layer",
    "incident_layer",
    "city_layer",
    "crossing_layer",
    "boundary_layer",
    "base_layers",
    "label_layer",
    "ref_labels",
    "town_rank",
    "density_layer",
    "add_legend",
    "add_title",
    "add_fullscreen",
    "add_time_slider",
]

_OSM_ATTRIBUTION = "&copy; OpenStreetMap contributors"


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
_DECODER = """
(function() {
  function decode(g, scale) {
    if (g.type === 'GeometryCollection') {
      return {type: g.type, geometries: g.geometries.map(function(p) { return decode(p, scale); })};
    }
    var k = 0, x = 0, y = 0, d = g.d;
    function line(n) {
      var out = new Array(n);
      for (var i = 0; i < n; i++) { x += d[k++]; y += d[k++]; out[i] = [x / scale, y / scale]; }
      return out;
    }
    function build(s) { return typeof s === 'number' ? line(s) : s.map(build); }
    var coordinates = build(g.n);
    return {type: g.type, coordinates: g.type === 'Point' ? coordinates[0] : coordinates};
  }
  var addData = L.GeoJSON.prototype.addData;
  L.GeoJSON.prototype.addData = function(data) {
    if (data && data.geokitScale) {
      var scale = data.geokitScale;
      data = {type: 'FeatureCollection', features: data.features.map(function(f) {
        return {type: 'Feature', id: f.id, properties: f.properties, geometry: decode(f.geometry, scale)};
      })};
    }
    return addData.call(this, data);
  };
})();
"""


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
    """:class:`folium.GeoJson` of a :func:`_geojson` collection: puts the decoder in the page once."""

    def render(self, **kwargs: Any) -> None:  # type: ignore[override]  # folium's GeoJson returns nothing
        root = self.get_root()
        if isinstance(root, Figure):
            root.header.add_child(_Verbatim(f"<script>{_DECODER}</script>"), name="geokit_decoder")
        super().render(**kwargs)


def _rounded(value: object) -> object:
    """Floats as people read them: whole numbers without decimals, others to one decimal."""
    if isinstance(value, float) and not np.isnan(value):
        return int(value) if value.is_integer() else round(value, 1)
    return value


def _merge_runs(segments: gpd.GeoDataFrame, by: str = "status") -> gpd.GeoDataFrame:
    """Join consecutive segments of one road that share a status (or another ``by`` column) into one line
    (fewer features)."""
    keys = [k for k in ("road_index", "part") if k in segments]
    if not keys:
        return segments
    frame = segments.assign(**{by: segments[by].astype(str)})
    agg = {c: f for c, f in (("name", "first"), ("ref", "first"), ("n_incidents", "sum"),
                             ("last_incident", "max")) if c in frame}
    merged = frame.dissolve(by=[*keys, by], aggfunc=agg, as_index=False)
    merged["geometry"] = shapely.line_merge(merged.geometry.array)
    return merged


def road_status_layer(segments: gpd.GeoDataFrame, *, name: str = "Roads by status", precision: int = 5,
                      simplify_m: float | None = None, merge: bool = True) -> folium.FeatureGroup:
    """Road segments coloured by status, with a tooltip of name, ref, status and incidents.

    With ``merge`` (the default), consecutive segments of a road with the
    same status are drawn as one line, which keeps large maps small; the
    tooltip then sums their incidents.

    Parameters
    ----------
    segments : GeoDataFrame
        Road segments with ``status`` (:func:`geokit.exposure.road_exposure`, ``Analysis.segments``).
    name : str
        The layer's name in the layer control.
    precision : int, default 5
        Decimals kept in the coordinates (5 is about 1 m).
    simplify_m : float, optional
        Simplify lines to this tolerance (metres) first; None keeps every vertex.
    merge : bool, default True
        Draw contiguous segments of one status as one line (a smaller file).

    Examples
    --------
    >>> g = road_status_layer(result.segments)
    >>> g.layer_name
    'Roads by status'
    """
    group = folium.FeatureGroup(name=html_text(name))
    frame = _merge_runs(segments) if merge else segments
    frame = frame.assign(status=frame["status"].astype(str))
    fields = [("name", "Road"), ("ref", "Ref"), ("status", "Status"), ("n_incidents", "Incidents"),
              ("last_incident", "Last incident")]
    data = _geojson(frame, [k for k, _ in fields], precision=precision, simplify_m=simplify_m)
    present = [(k, label) for k, label in fields if k in frame]
    _GeoJson(
        data, name=html_text(name),
        style_function=lambda f: {"color": STATUS_COLORS.get(f["properties"].get("status"), "#777"),
                                  "weight": 4 if f["properties"].get("status") != OPEN else 2,
                                  "opacity": 0.9},
        tooltip=folium.GeoJsonTooltip(fields=[k for k, _ in present], aliases=[a for _, a in present]),
    ).add_to(group)
    return group


def corridor_layer(corridors: gpd.GeoDataFrame, detours: gpd.GeoDataFrame | None = None, *,
                   name: str = "Corridors", precision: int = 5, simplify_m: float | None = None,
                   show_detours: bool = True) -> list[folium.FeatureGroup]:
    """Corridors as wide lines coloured by status, and detours dashed.

    Parameters
    ----------
    corridors : GeoDataFrame
        ``Analysis.corridors`` (status, history, detour per corridor).
    detours : GeoDataFrame, optional
        ``Analysis.detours``, drawn dashed.
    name : str
        The layer's name.
    precision : int, default 5
        Decimals kept in the coordinates (5 is about 1 m).
    simplify_m : float, optional
        Simplify lines to this tolerance (metres) first; None keeps every vertex.
    show_detours : bool, default True
        Add the detour layer.

    Examples
    --------
    >>> [g.layer_name for g in corridor_layer(result.corridors, result.detours)]
    ['Corridors', 'Detours']
    """
    groups = []
    group = folium.FeatureGroup(name=html_text(name))
    frame = corridors.assign(status=corridors["status"].astype(str))
    props = ["name", "status", "worst_status", "blockaded_since", "blockaded_periods", "reopened_on",
             "days_blockaded", "length_km", "blockaded_km", "last_incident", "detour", "detour_extra_km",
             "detour_skips", "crossings", "towns_cut_off"]
    data = _geojson(frame, props, precision=precision, simplify_m=simplify_m)
    aliases = {"name": "Corridor", "status": "Status", "worst_status": "Worst in the window",
               "blockaded_periods": "Blockaded (first..last day)", "reopened_on": "Reopened on",
               "days_blockaded": "Days blockaded", "length_km": "Length (km)",
               "blockaded_km": "Blockaded (km)", "blockaded_since": "Blockaded since",
               "last_incident": "Last incident", "detour": "Detour", "detour_extra_km": "Detour extra (km)",
               "crossings": "Border crossings", "towns_cut_off": "Towns cut off", "detour_skips": "Detour skips"}
    present = [p for p in props if p in frame]
    _GeoJson(
        data, name=html_text(name),
        style_function=lambda f: {"color": STATUS_COLORS.get(f["properties"].get("status"), "#555"),
                                  "weight": 8, "opacity": 0.55},
        tooltip=folium.GeoJsonTooltip(fields=present[:4], aliases=[aliases[p] for p in present[:4]]),
        popup=folium.GeoJsonPopup(fields=present, aliases=[aliases[p] for p in present]),  # a click: history
    ).add_to(group)
    groups.append(group)
    if show_detours and detours is not None and len(detours):
        dgroup = folium.FeatureGroup(name="Detours")
        ddata = _geojson(detours, ["name", "detour_km", "detour_extra_km", "detour_crossings", "detour_towns"],
                         precision=precision, simplify_m=simplify_m)
        _GeoJson(
            ddata, name="Detours",
            style_function=lambda f: {"color": "#3b5bdb", "weight": 4, "dashArray": "8 8", "opacity": 0.9},
            tooltip=folium.GeoJsonTooltip(fields=["name", "detour_km", "detour_extra_km", "detour_crossings",
                                                  "detour_towns"],
                                          aliases=["Detour of", "Length (km)", "Extra (km)", "Crossings", "Through"]),
        ).add_to(dgroup)
        groups.append(dgroup)
    return groups


def zone_layer(zones: gpd.GeoDataFrame, *, name: str = "Exposure zones", precision: int = 5,
               simplify_m: float | None = None) -> folium.FeatureGroup:
    """Exposure zones, more opaque where more incidents (or more weight) fall.

    Parameters
    ----------
    zones : GeoDataFrame
        :func:`geokit.exposure.exposure_zones`.
    name : str
        The layer's name.
    precision : int, default 5
        Decimals kept in the coordinates (5 is about 1 m).
    simplify_m : float, optional
        Simplify lines to this tolerance (metres) first; None keeps every vertex.

    Examples
    --------
    >>> zone_layer(result.zones).layer_name
    'Exposure zones'
    """
    group = folium.FeatureGroup(name=html_text(name))
    if zones is None or zones.empty:
        return group
    key = "weighted_incidents" if "weighted_incidents" in zones else "n_incidents"
    top = float(zones[key].max()) or 1.0
    frame = zones.assign(_opacity=(0.15 + 0.45 * zones[key] / top).round(3))
    props = ["n_incidents", "fatalities", "first_date", "last_date", "event_types", "_opacity"]
    data = _geojson(frame, props, precision=precision, simplify_m=simplify_m)
    _GeoJson(
        data, name=html_text(name),
        style_function=lambda f: {"color": "#99000d", "weight": 1, "fillColor": "#ef3b2c",
                                  "fillOpacity": f["properties"].get("_opacity", 0.3)},
        tooltip=folium.GeoJsonTooltip(fields=props[:-1], aliases=["Incidents", "Fatalities", "First", "Last",
                                                                  "Types"]),
    ).add_to(group)
    return group


#: Incident marker colour by ACLED event type (others red).
INCIDENT_TYPE_COLORS = {"Battles": "#cb181d", "Violence against civilians": "#6a3d9a",
                        "Explosions/Remote violence": "#e6550d", "Strategic developments": "#636363",
                        "Riots": "#d4a017", "Protests": "#d4a017"}


def _link(text: str) -> str:
    """An escaped link for an http(s) URL (named by its host), escaped text otherwise."""
    url = safe_url(text.strip())
    if url is None:
        return html_text(text)
    return f"<a href='{html_text(url)}' target='_blank' rel='noopener noreferrer'>{html_text(url.split('/')[2])}</a>"


_INCIDENT_FIELDS = [("date", "Date"), ("event_type", "Type"), ("sub_event_type", "Sub-type"),
                    ("actor", "Actor"), ("fatalities", "Fatalities"), ("notes", "Notes"), ("source", "Source"),
                    ("event_id", "Event id")]


def incident_layer(incidents: gpd.GeoDataFrame, *, name: str = "Incidents", cluster: bool = True,
                   show: bool = True, control: bool = True) -> folium.FeatureGroup:
    """Incident markers (clustered) with a popup of date, type, actor, fatalities, notes, source, event id.

    The incidents travel as columns (coordinates and day numbers as integers,
    repeated text such as types, actors and sources stored once), about 30
    bytes per incident instead of 300 for GeoJSON features; the markers are
    drawn on a canvas and each popup and tooltip is built when it is first
    opened. A time slider (:func:`add_time_slider`) filters the same layer by
    date, so a map holds each incident once. Text is HTML-escaped, and
    sources are links only when they are http(s) URLs.

    Parameters
    ----------
    incidents : GeoDataFrame
        Incidents (``Analysis.incidents``), coloured by event type; text is escaped.
    name : str
        The layer's name.
    cluster : bool, default True
        Cluster nearby markers at low zoom.
    show : bool, default True
        Shown when the map opens.
    control : bool, default True
        Listed in the layer control.

    Examples
    --------
    >>> incident_layer(result.incidents).layer_name
    'Incidents'
    """
    group = folium.FeatureGroup(name=html_text(name), show=show, control=control)
    target = folium.plugins.MarkerCluster(name=html_text(name), control=False, options={"chunkedLoading": True}
                                          ).add_to(group) if cluster else group
    _Html(script=_incident_script(incidents, target=target.get_name(), group=group.get_name())).add_to(target)
    return group


def _columns(incidents: gpd.GeoDataFrame) -> tuple[dict[str, str], list[list[str]]]:
    """The incidents as JavaScript array literals (sorted by date), and the popup's rows."""
    inc = incidents.to_crs(4326) if incidents.crs is not None else incidents
    inc = inc[~(inc.geometry.isna() | inc.geometry.is_empty)]
    if "date" in inc:
        inc = inc.iloc[np.argsort(inc["date"].to_numpy(), kind="stable")]
    cols: dict[str, str] = {
        "x": js_array(np.round(inc.geometry.x.to_numpy() * 1e5).astype(np.int64)),
        "y": js_array(np.round(inc.geometry.y.to_numpy() * 1e5).astype(np.int64)),
    }
    if "date" in inc and len(inc):
        day = (inc["date"].to_numpy().astype("datetime64[D]").astype(np.int64))
        cols["day"] = js_array(np.diff(day, prepend=0))  # day numbers since 1970, as differences
    rows = [[key, label] for key, label in _INCIDENT_FIELDS if key in inc and key != "date"]
    for key, _ in rows:
        cols.update(_column(key, inc[key], coded=key == "event_type"))
    kinds = pd.factorize(inc["event_type"].astype("string").fillna(""))[1] if "event_type" in inc else [""]
    cols["colors"] = js_array([INCIDENT_TYPE_COLORS.get(str(k), "#cb181d") for k in kinds] or ["#cb181d"])
    if "date" in inc:
        rows.insert(0, ["date", "Date"])
    return cols, rows


def _column(key: str, values: pd.Series, *, coded: bool = False) -> dict[str, str]:
    """One incident column as JavaScript arrays: numbers as they are; text escaped, stored once per
    distinct value with a code per incident when values repeat (``key_values``), once when there is one
    value, and ``prefix`` + integers for identifiers such as ACLED's ``MLI12345``. ``coded`` text always
    has codes (the event type, which also picks the marker's colour)."""
    if pd.api.types.is_numeric_dtype(values):
        numbers = values.to_numpy(dtype=float)
        if np.isfinite(numbers).all() and (numbers == np.trunc(numbers)).all():  # counts: whole numbers
            return {key: js_array(numbers.astype(np.int64))}
        return {key: js_array([_rounded(float(v)) for v in numbers])}
    text = values.astype("string").fillna("")
    codes, uniques = pd.factorize(text)
    repeated = coded or len(uniques) <= 1 or len(uniques) < len(values) / 2
    if not repeated:  # identifiers first (in Arrow's regex engine: 10x pandas'): no need to escape 100k of them
        parts = pc.extract_regex(pa.array(text.to_numpy(dtype=object), pa.string()),
                                 r"^(?P<prefix>\D*)(?P<number>0|[1-9]\d{0,14})$")
        if parts.null_count == 0 and len(pc.unique(pc.struct_field(parts, [0]))) == 1:
            return {key: js_array(pc.cast(pc.struct_field(parts, [1]), pa.int64()).to_numpy()),
                    key + "_prefix": js_array([html_text(pc.struct_field(parts, [0])[0].as_py())])}
    if key == "source":  # http(s) links named by their host; everything else as text
        shown = [" ".join(_link(part) for part in str(u).split(" ; ")) for u in uniques]
    else:
        shown = [html_text(u) for u in uniques]
    if len(uniques) <= 1 and not coded:
        return {key + "_values": js_array(shown or [""])}
    if repeated:
        return {key: js_array(codes), key + "_values": js_array(shown)}
    return {key: js_array([shown[c] for c in codes])}


def _incident_script(incidents: gpd.GeoDataFrame, *, target: str, group: str) -> str:
    """The script that draws :func:`incident_layer`'s markers from columns into a cluster (or group)."""
    cols, rows = _columns(incidents)
    columns = "{" + ", ".join(f"{json.dumps(k)}: {v}" for k, v in cols.items()) + "}"
    return f"""
    (function() {{
      var c = {columns};
      var rows = {js_array([r[0] for r in rows])}, labels = {js_array([r[1] for r in rows])};
      var n = c.x.length, days = new Array(n), d = 0;
      for (var i = 0; i < n; i++) {{ d += c.day ? c.day[i] : 0; days[i] = d; }}
      function value(i, key) {{
        if (key === 'date') {{ return c.day ? new Date(days[i] * 864e5).toISOString().slice(0, 10) : ''; }}
        var values = c[key + '_values'], v;
        if (values) {{ v = c[key] ? values[c[key][i]] : values[0]; }}
        else {{ v = c[key + '_prefix'] ? c[key + '_prefix'][0] + c[key][i] : c[key][i]; }}
        return v === null || v === undefined ? '' : v;
      }}
      function properties(i) {{
        var p = {{}};
        rows.forEach(function(k) {{
          if (c[k] !== undefined || c[k + '_values'] !== undefined || k === 'date') p[k] = value(i, k); }});
        return p;
      }}
      function popup(layer) {{
        var i = layer.geokitIndex, html = '<table style="font-size:12px">';
        rows.forEach(function(k, j) {{
          html += '<tr><th style="text-align:left;padding-right:6px">' + labels[j] + '</th><td>'
               + value(i, k) + '</td></tr>';
        }});
        return html + '</table>';
      }}
      function tooltip(layer) {{
        var i = layer.geokitIndex;
        return value(i, 'date') + ' ' + (c.event_type_values ? value(i, 'event_type') : '');
      }}
      var Marker = L.CircleMarker.extend({{
        getPopup: function() {{ this.geokitBind(); return this._popup; }},
        openPopup: function(latlng) {{
          this.geokitBind(); return L.CircleMarker.prototype.openPopup.call(this, latlng); }},
        geokitBind: function() {{ if (!this._popup) {{ this.bindPopup(popup, {{maxWidth: 360}}); }} }}
      }});
      Object.defineProperty(Marker.prototype, 'feature', {{  // GeoJSON-like access, built on demand
        get: function() {{ return {{type: 'Feature', properties: properties(this.geokitIndex)}}; }}
      }});
      var renderer = L.canvas({{padding: 0.5}}), markers = new Array(n);
      for (var i = 0; i < n; i++) {{
        var m = new Marker([c.y[i] / 1e5, c.x[i] / 1e5], {{renderer: renderer, radius: 6, color: '#67000d',
          weight: 1, fill: true, fillColor: c.colors[c.event_type ? c.event_type[i] : 0], fillOpacity: 0.85}});
        m.geokitIndex = i;
        markers[i] = m;
      }}
      var target = {target};
      target.on('click', function(e) {{
        if (e.layer && e.layer.geokitBind && !e.layer._popup) {{ e.layer.openPopup(e.latlng); }} }});
      target.on('mouseover', function(e) {{
        var m = e.layer;
        if (m && m.geokitBind && !m._tooltip) {{ m.bindTooltip(tooltip); if (m._map) m.openTooltip(e.latlng); }}
      }});
      var pending = null;  // markers to show once the layer is on the map (a cluster off the map adds in O(n^2))
      function fill(chosen) {{
        if (!target._map) {{ pending = chosen; return; }}
        pending = null;
        if (target.clearLayers) target.clearLayers();
        if (target.addLayers) {{ target.addLayers(chosen); }} else {{ chosen.forEach(function(m) {{ target.addLayer(m); }}); }}
      }}
      target.on('add', function() {{ if (pending) {{ fill(pending); }} }});
      // the time slider shows the incidents of days first..last (day numbers since 1970), or all with null
      {group}.geokitShow = function(first, last) {{
        fill(first === null ? markers : markers.filter(function(m) {{
          var day = days[m.geokitIndex]; return day >= first && day <= last; }}));
      }};
      fill(markers);
    }})();"""


def city_layer(cities: gpd.GeoDataFrame, *, name: str = "Cities") -> folium.FeatureGroup:
    """Cities as circles sized by population, red when exposed, ringed black when cut off.

    Parameters
    ----------
    cities : GeoDataFrame
        ``Analysis.cities`` (``in_zone``, ``isolation``, ``population``).
    name : str
        The layer's name.

    Examples
    --------
    >>> data = next(iter(city_layer(result.cities)._children.values())).data
    >>> len(data["features"])  # one marker per town
    4
    """
    group = folium.FeatureGroup(name=html_text(name))
    frame = cities.to_crs(4326)
    pop = pd.to_numeric(frame["population"], errors="coerce") if "population" in frame else \
        pd.Series(np.nan, index=frame.index)
    exposed = frame["in_zone"].fillna(False).astype(bool) if "in_zone" in frame else pd.Series(False, frame.index)
    cut = frame["isolation"].astype(str).eq("cut off") if "isolation" in frame else pd.Series(False, frame.index)
    big = pop.gt(1000) & pop.notna()
    style = pd.DataFrame({  # the marker of each town, as properties the page reads
        "_radius": np.where(big, 3 + (np.log10(pop.where(big, 1000.0)) - 3) * 2.5, 3.0).round(1),
        "_weight": np.where(cut, 3, 1), "_color": np.where(cut, "#000000", "#444444"),
        "_fill": np.where(exposed, "#e31a1c", "#ffffff")}, index=frame.index)
    fields = [(k, label) for k, label in (("name", "Town"), ("country", "Country"), ("population", "Population"),
                                          ("population_year", "Census year"),
                                          ("incidents_within", "Incidents nearby"),
                                          ("isolation", "Road to destination")) if k in frame]
    shown = frame.assign(**style)
    if "population" in shown:  # with thousands separators, as people read it
        shown["population"] = [_esc(v) for v in pop]
    data = _geojson(shown, [k for k, _ in fields] + list(style.columns), precision=5, simplify_m=None)
    _GeoJson(data, name=html_text(name),
             marker=folium.CircleMarker(radius=3, fill=True, fill_opacity=0.9),
             style_function=lambda f: {"radius": f["properties"]["_radius"], "weight": f["properties"]["_weight"],
                                       "color": f["properties"]["_color"],
                                       "fillColor": f["properties"]["_fill"]},
             tooltip=folium.GeoJsonTooltip(fields=[k for k, _ in fields], aliases=[a for _, a in fields])
             ).add_to(group)
    return group


def crossing_layer(crossings: gpd.GeoDataFrame, *, name: str = "Border crossings") -> folium.FeatureGroup:
    """Border crossings as squares: blue when they still reach the destination, grey when cut off.

    Parameters
    ----------
    crossings : GeoDataFrame
        ``Analysis.crossings`` (``reaches_destination``).
    name : str
        The layer's name.

    Examples
    --------
    >>> posts = gpd.GeoDataFrame({"name": ["Diboli"], "reaches_destination": [False]}, crs=4326,
    ...                          geometry=[shapely.Point(-12.2, 14.5)])
    >>> "#7f7f7f" in str(next(iter(next(iter(crossing_layer(posts)._children.values()))._children.values())).options)
    True
    """
    group = folium.FeatureGroup(name=html_text(name))
    frame = crossings.to_crs(4326)
    for (_, row), geom in zip(frame.iterrows(), frame.geometry.array):
        reaches = row.get("reaches_destination", True)
        color = "#1f4e9c" if reaches is not False else "#7f7f7f"
        icon = folium.DivIcon(html=f"<div class='geokit-crossing' style='width:12px;height:12px;"
                                   f"background:{color};border:2px solid #fff;transform:rotate(45deg)'></div>",
                              icon_size=(14, 14), icon_anchor=(7, 7))
        folium.Marker(location=[geom.y, geom.x], icon=icon,
                      tooltip=_table(row, [("name", "Crossing"), ("country_a", "Country"), ("country_b", "Country"),
                                           ("isolation", "Road to destination"),
                                           ("after_km", "km to destination")])).add_to(group)
    return group


def label_layer(cities: gpd.GeoDataFrame | None, crossings: gpd.GeoDataFrame | None = None, *,
                important: Collection[str] = (), min_population: float = 100_000,
                name: str = "Labels") -> list[folium.FeatureGroup]:
    """Town and crossing labels, by importance: the towns named in ``important`` (corridor ends),
    capitals and towns of ``min_population`` or more always, other towns from zoom 8 on.

    Returns two groups, major and minor labels; the minor group is shown by the map's zoom
    (see :func:`corridor_map`). Label text is escaped.

    Parameters
    ----------
    cities, crossings : GeoDataFrame or None
        The towns and crossings to label.
    important : collection of str
        Names always labelled first (the corridors' ends).
    min_population : float, default 100000
        Towns this large are labelled at country zoom.
    name : str
        The name of the first layer.

    Examples
    --------
    >>> major, minor = label_layer(result.cities, important=["Bamako", "Kayes"])
    >>> major.layer_name
    'Labels'
    """
    major = folium.FeatureGroup(name=html_text(name), control=True)
    minor = folium.FeatureGroup(name=html_text(f"{name} (zoom in)"), control=False)

    def label(lon: float, lat: float, text: object, css: str, rank: int = 3, people: float = 0) -> folium.Marker:
        width = min(12 + 7 * len(str(text)), 260)
        html = (f"<div class='geokit-label {css}' data-rank='{rank}' data-people='{int(people)}' "
                "style='font:11px sans-serif;white-space:nowrap;"
                "color:#222;text-shadow:0 0 2px #fff,0 0 2px #fff,0 0 3px #fff;pointer-events:none'>"
                f"{html_text(text)}</div>")
        return folium.Marker(location=[lat, lon], icon=folium.DivIcon(html=html, icon_size=(width, 14),
                                                                      icon_anchor=(-5, 14)))

    if cities is not None and len(cities):
        towns = cities.to_crs(4326)
        people = pd.to_numeric(towns.get("population"), errors="coerce").fillna(0) if "population" in towns \
            else pd.Series(0, index=towns.index)
        for (_, row), geom, rank, p in zip(towns.iterrows(), towns.geometry.array,
                                           town_rank(towns, important, min_population), people):
            label(geom.x, geom.y, row.get("name"), "geokit-label-major" if rank <= 2 else "geokit-label-minor",
                  rank, p).add_to(major if rank <= 2 else minor)
    if crossings is not None and len(crossings):
        frame = crossings.to_crs(4326)
        for (_, row), geom in zip(frame.iterrows(), frame.geometry.array):
            label(geom.x, geom.y, row.get("name"), "geokit-label-crossing", 2).add_to(major)
    return [major, minor]


def town_rank(towns: pd.DataFrame, important: Collection[str] = (), min_population: float = 100_000) -> np.ndarray:
    """How important each town is on a map: 0 the largest (a million people or more), 1 a corridor's end
    (``important``), 2 a town of ``min_population`` or more, exposed or cut off, 3 the others.

    Parameters
    ----------
    towns : DataFrame
        Towns with ``name``, ``population`` and, after an analysis, ``in_zone`` and ``isolation``.
    important : collection of str
        The corridors' ends.
    min_population : float, default 100000
        The population of a rank-2 town.

    Examples
    --------
    >>> t = pd.DataFrame({"name": ["Bamako", "Kayes", "Kati", "Didiéni"],
    ...                   "population": [1_809_106, 127_368, 114_983, None]})
    >>> town_rank(t, important=["Kayes"]).tolist()
    [0, 1, 2, 3]
    """
    pop = pd.to_numeric(towns["population"], errors="coerce").fillna(0).to_numpy() if "population" in towns \
        else np.zeros(len(towns))
    names = towns["name"].astype(str).to_numpy()
    exposed = towns["in_zone"].fillna(False).astype(bool).to_numpy() if "in_zone" in towns else \
        np.zeros(len(towns), bool)
    cut = (towns["isolation"] == "cut off").to_numpy() if "isolation" in towns else np.zeros(len(towns), bool)
    rank = np.full(len(towns), 3)
    rank[(pop >= min_population) | exposed | cut] = 2
    rank[np.isin(names, list(map(str, important)))] = 1
    rank[pop >= 1_000_000] = 0
    return rank


def ref_labels(segments: gpd.GeoDataFrame, *, every_km: float = 150.0,
               name: str = "Road numbers") -> folium.FeatureGroup:
    """Road numbers (RN3, N1, ...) as small shields along each named road, one every ``every_km``.

    Parameters
    ----------
    segments : GeoDataFrame
        Road segments with ``ref``.
    every_km : float, default 150
        The distance between two shields of one road.
    name : str
        The layer's name.

    Examples
    --------
    >>> ref_labels(result.segments).layer_name
    'Road numbers'
    """
    group = folium.FeatureGroup(name=html_text(name), control=False)
    if "ref" not in segments:
        return group
    named = segments[segments["ref"].notna() & (segments["ref"].astype(str) != "")]
    if named.empty:
        return group
    metric = named.to_crs(choose_metric_crs(named))
    for ref, part in metric.groupby(metric["ref"].astype(str)):
        line = shapely.line_merge(shapely.union_all(part.geometry.array))
        for piece in shapely.get_parts(line):
            steps = max(int(piece.length // (every_km * 1000)), 0)
            for k in range(steps + 1):
                point = piece.interpolate((k + 0.5) * piece.length / (steps + 1))
                lonlat = gpd.GeoSeries([point], crs=metric.crs).to_crs(4326).iloc[0]
                html = (f"<div class='geokit-label geokit-ref' data-rank='4' style='font:bold 10px sans-serif;"
                        "background:#fff;border:1px solid #555;border-radius:3px;padding:0 2px;"
                        f"white-space:nowrap;pointer-events:none'>{html_text(ref)}</div>")
                folium.Marker([lonlat.y, lonlat.x], icon=folium.DivIcon(html=html, icon_size=(8 + 7 * len(ref), 14),
                                                                          icon_anchor=(4, 7))).add_to(group)
    return group


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
    _GeoJson(data, name=html_text(name), style_function=lambda f: {"color": "#888", "weight": 1, "fillColor": "#f4f1ea",
                                                             "fillOpacity": 1.0},
                   tooltip=folium.GeoJsonTooltip(fields=["name"], aliases=["Country"])).add_to(group)
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
        _GeoJson(_geojson(frame, ["name"], **geo), name=title,
                       style_function=lambda f, style=_BASE_STYLES[kind]: style,
                       tooltip=folium.GeoJsonTooltip(fields=["name"], aliases=[label])).add_to(group)
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


def add_legend(m: folium.Map) -> folium.Map:
    """A legend of statuses and symbols, bottom right.

    Parameters
    ----------
    m : folium.Map
        The map; returned with its legend.

    Examples
    --------
    >>> import folium
    >>> m = add_legend(folium.Map())
    >>> "geokit-legend" in m.get_root().render()
    True
    """
    rows = "".join(f"<div><span style='display:inline-block;width:18px;height:4px;background:{c};"
                   f"vertical-align:middle;margin-right:6px'></span>{s.replace('_', ' ')}</div>"
                   for s, c in STATUS_COLORS.items())
    box = (
        "<style>@media print{.leaflet-control-container,#geokit-slider,.geokit-fullscreen{display:none}}"
        "#geokit-legend summary{cursor:pointer;font-weight:bold}</style>"
        "<details id='geokit-legend' open style='position:fixed;bottom:30px;right:10px;z-index:1000;"
        "background:#fff;padding:6px 10px;border:1px solid #999;border-radius:4px;font:12px sans-serif;"
        "max-width:70vw'><summary>Legend</summary>"
        f"<b>Road status</b>{rows}"
        "<div><span style='display:inline-block;width:18px;border-top:3px dashed #3b5bdb;margin-right:6px'>"
        "</span>detour</div>"
        "<div><span style='display:inline-block;width:12px;height:12px;background:#ef3b2c;opacity:.5;"
        "margin-right:6px'></span>exposure zone</div>"
        "<div><span style='display:inline-block;width:10px;height:10px;border-radius:5px;background:#cb181d;"
        "margin-right:6px'></span>incident</div>"
        "<div><span style='display:inline-block;width:10px;height:10px;border-radius:5px;background:#e31a1c;"
        "border:1px solid #444;margin-right:6px'></span>exposed town (ringed: cut off)</div>"
        "<div><span style='display:inline-block;width:9px;height:9px;background:#1f4e9c;transform:rotate(45deg);"
        "margin-right:8px'></span>border crossing (grey: no road to destination)</div></details>")
    # on a phone the legend starts folded (tap "Legend" to open it); print hides the controls
    script = ("(function() { var d = document.getElementById('geokit-legend');"
              " if (d && window.innerWidth < 600) { d.removeAttribute('open'); } })();")
    m.add_child(_Html(markup=box, script=script))
    return m


def add_title(m: folium.Map, title: str, subtitle: str = "", sources: Sequence[str] = ()) -> folium.Map:
    """A title box with the time window and the attribution of every data source (all escaped).

    Parameters
    ----------
    m : folium.Map
        The map; returned with its title.
    title : str
        The title (escaped).
    subtitle : str
        A second line, e.g. the window.
    sources : sequence of str
        Source credits shown under the title.

    Examples
    --------
    >>> import folium
    >>> "Mali &lt;2025&gt;" in add_title(folium.Map(), "Mali <2025>").get_root().render()
    True
    """
    src = "; ".join(html_text(s) for s in sources)
    box = ("<div id='geokit-title' style='position:fixed;top:10px;left:60px;z-index:1000;background:#fff;"
           "padding:6px 10px;border:1px solid #999;border-radius:4px;font:13px sans-serif;max-width:60%'>"
           f"<b>{html_text(title)}</b><div id='geokit-title-period'>{html_text(subtitle)}</div>"
           f"<div style='font-size:10px;color:#555'>Sources: {src}</div></div>")
    m.add_child(_Html(markup=box))
    return m


def add_fullscreen(m: folium.Map) -> folium.Map:
    """A full-screen button using the browser's Fullscreen API (no plugin to download).

    Parameters
    ----------
    m : folium.Map
        The map; returned with a full-screen button.

    Examples
    --------
    >>> import folium
    >>> "fullscreen" in add_fullscreen(folium.Map()).get_root().render().lower()
    True
    """
    name = m.get_name()
    script = f"""
    (function() {{
      var Full = L.Control.extend({{
        options: {{position: 'topleft'}},
        onAdd: function(map) {{
          var a = L.DomUtil.create('a', 'leaflet-bar geokit-fullscreen');
          a.href = '#'; a.title = 'Full screen';
          a.innerHTML = '<svg width="16" height="16" viewBox="0 0 16 16" style="vertical-align:middle">'
            + '<path d="M1 6V1h5M10 1h5v5M15 10v5h-5M6 15H1v-5" fill="none" stroke="#333" stroke-width="2"/></svg>';
          a.style.cssText = 'display:block;width:30px;height:30px;line-height:30px;text-align:center;'
                          + 'background:#fff;font-size:18px;text-decoration:none;color:#333';
          L.DomEvent.on(a, 'click', function(e) {{
            L.DomEvent.preventDefault(e);
            var el = map.getContainer();
            if (document.fullscreenElement) {{ document.exitFullscreen(); }}
            else if (el.requestFullscreen) {{ el.requestFullscreen(); }}
          }});
          return a;
        }}
      }});
      new Full().addTo({name});
    }})();"""
    m.add_child(_Html(script=script))
    return m


def add_time_slider(m: folium.Map, groups: Mapping[str, Sequence[folium.FeatureGroup]],
                    *, label: str = "Period", only_in_step: Sequence[folium.FeatureGroup] = (),
                    only_in_all: Sequence[folium.FeatureGroup] = (),
                    incidents: Sequence[folium.FeatureGroup] = (),
                    days: Mapping[str, tuple[object, object]] | None = None,
                    restyled: Sequence[folium.FeatureGroup] = ()) -> folium.Map:
    """A slider that shows the layers of one period at a time (or all periods).

    ``groups`` maps a period label (``"2025-09"``) to the feature groups
    shown in that period; they must already be on the map. Groups in
    ``only_in_step`` are hidden at "all" (e.g. per-period corridor status,
    which would overlap); groups in ``only_in_all`` are hidden while one
    period is shown (e.g. the status of the whole window). Layers of
    :func:`incident_layer` in ``incidents`` stay on the map and show the
    incidents of the period's days (``days``: label -> first and last day).

    Parameters
    ----------
    m : folium.Map
        The map holding the groups.
    groups : mapping of str to sequence of FeatureGroup
        Each step's label and its groups.
    label : str
        The slider's label.
    only_in_step : sequence of FeatureGroup
        Groups hidden at "all".
    only_in_all : sequence of FeatureGroup
        Groups hidden while one step is shown.
    incidents : sequence of FeatureGroup
        :func:`incident_layer` groups filtered by each step's days.
    days : mapping of str to (date, date), optional
        Each step's first and last day (both included), for ``incidents``.
    restyled : sequence of FeatureGroup
        Groups with a ``geokitStep(i)`` script method, called with the step
        shown (0 for the first, -1 for all).

    Examples
    --------
    >>> import folium
    >>> m = folium.Map()
    >>> sept, octo = folium.FeatureGroup("Sep").add_to(m), folium.FeatureGroup("Oct").add_to(m)
    >>> "geokit-slider" in add_time_slider(m, {"2025-09": [sept], "2025-10": [octo]}).get_root().render()
    True
    """
    periods = list(groups)
    mapping = ", ".join(f"{js_string(p)}: [{', '.join(g.get_name() for g in groups[p])}]" for p in periods)
    ranges = ", ".join(f"{js_string(p)}: {js_array([day_number(a), day_number(b)])}"
                       for p, (a, b) in (days or {}).items())
    filtered = ", ".join(g.get_name() for g in incidents)
    stepped = ", ".join(g.get_name() for g in restyled)
    step_only = ", ".join(g.get_name() for g in only_in_step)
    all_only = ", ".join(g.get_name() for g in only_in_all)
    labels = "[" + ", ".join(js_string(p) for p in ["all", *periods]) + "]"
    name = m.get_name()
    box = (f"<div id='geokit-slider' style='position:fixed;bottom:62px;left:10px;z-index:1000;background:#fff;"
           f"padding:6px 10px;border:1px solid #999;border-radius:4px;font:12px sans-serif'>"
           f"{html_text(label)}: <b id='geokit-slider-label'>all</b><br>"
           f"<input id='geokit-slider-input' type='range' min='0' max='{len(periods)}' value='0' step='1' "
           f"style='width:220px'></div>")
    m.add_child(_Html(markup=box))
    script = f"""
    (function() {{
      var groups = {{{mapping}}};
      var stepOnly = [{step_only}];
      var allOnly = [{all_only}];
      var labels = {labels};
      var ranges = {{{ranges}}}, filtered = [{filtered}], stepped = [{stepped}];
      var input = document.getElementById('geokit-slider-input');
      var period = document.getElementById('geokit-title-period');
      var whole = period ? period.textContent : '';
      function show(i) {{
        var chosen = labels[i];
        document.getElementById('geokit-slider-label').textContent = chosen;
        if (period) {{ period.textContent = chosen === 'all' ? whole : {js_string(label)} + ' ' + chosen
                                                                      + ': status at its end'; }}
        var on = new Set(), every = new Set();
        Object.keys(groups).forEach(function(p) {{
          groups[p].forEach(function(g) {{
            every.add(g);
            if (chosen === p || (chosen === 'all' && stepOnly.indexOf(g) < 0)) {{ on.add(g); }}
          }});
        }});
        allOnly.forEach(function(g) {{ every.add(g); if (chosen === 'all') {{ on.add(g); }} }});
        filtered.forEach(function(g) {{
          var r = ranges[chosen]; if (r) {{ g.geokitShow(r[0], r[1]); }} else {{ g.geokitShow(null, null); }} }});
        stepped.forEach(function(g) {{ g.geokitStep(chosen === 'all' ? -1 : i - 1); }});
        every.forEach(function(g) {{  // each layer once, in the order they were drawn
          if (on.has(g)) {{ {name}.addLayer(g); }} else {{ {name}.removeLayer(g); }}
        }});
      }}
      input.addEventListener('input', function() {{ show(parseInt(input.value, 10)); }});
      window.geokitShowPeriod = function(label) {{
        var i = labels.indexOf(label); input.value = i; show(i);
      }};
      show(0);
    }})();"""
    m.add_child(_Html(script=script))
    return m


class GeokitMap(folium.Map):
    """A :class:`folium.Map` that shows inline in Jupyter with no network: its Leaflet, jQuery
    and MarkerCluster are inlined from the installed packages (:func:`geokit.offline.offline_page`),
    tiles kept for when a network is there.

    Examples
    --------
    >>> m = corridor_map(result, tiles=False)
    >>> isinstance(m, GeokitMap), "<iframe" in m._repr_html_()
    (True, True)
    """

    def _repr_html_(self, **kwargs) -> str:
        import html as stdlib_html

        from geokit.offline import offline_page

        page = offline_page(self, tiles=True)
        return ("<div style='width:100%;height:600px'><iframe srcdoc=\"" + stdlib_html.escape(page, quote=True)
                + "\" style='width:100%;height:100%;border:none' allowfullscreen></iframe></div>")


def corridor_map(
    analysis: Analysis,
    *,
    base: Mapping[str, gpd.GeoDataFrame] | None = None,
    boundaries: gpd.GeoDataFrame | None = None,
    density: DensityRaster | None = None,
    title: str | None = None,
    sources: Sequence[str] = (),
    period: str = "M",
    steps: Mapping[str, Analysis] | None = None,
    tiles: bool | str = True,
    precision: int = 5,
    simplify_m: float | None = None,
) -> folium.Map:
    """The briefing map of an analysis.

    Parameters
    ----------
    analysis : geokit.analysis.Analysis
    base : mapping, optional
        The offline base, by kind (see :func:`base_layers`): ``boundaries``,
        ``lakes``, ``rivers``, ``regions``.
    boundaries : GeoDataFrame, optional
        Country polygons with ``name`` (the same as ``base={"boundaries": ...}``).
    density : geokit.raster.DensityRaster, optional
        Shown as the "Incident density" layer (off by default).
    title : str, optional
    sources : sequence of str
        Attribution of every data source, shown under the title.
    period : str, default "M"
        Without ``steps``: the time slider shows the incidents of one
        period at a time ("M" month, "W" week).
    steps : mapping of str to Analysis, optional
        Slider steps, e.g. the windows of a ``--every`` build: label -> the
        analysis of that window. Each step shows that window's road status,
        corridors, exposure zones, towns, crossings' access and incidents,
        all at the window's end, and the title names the step; "all" shows
        ``analysis`` (the whole span).
    tiles : bool or str, default True
        Online tiles as an extra base layer: ``True`` for OpenStreetMap, or
        an xyzservices provider name (``"Esri.WorldImagery"``,
        ``"OpenTopoMap"``). They load only with a network and are dropped by
        ``save_html(..., offline=True)``; the offline base draws either way.
    precision : int, default 5
        Decimal places of coordinates (5 is about 1 m).
    simplify_m : float, optional
        Simplify lines and polygons with this tolerance in metres. Exposure
        zones are always drawn simplified to at least :data:`ZONE_SIMPLIFY_M`
        (100 m) with 4 decimals; the GeoPackage keeps them exact.

    Returns
    -------
    GeokitMap
        A :class:`folium.Map` that Jupyter shows inline with every asset inlined (no network needed).

    Examples
    --------
    >>> m = corridor_map(result, title="Example world", tiles=False)
    >>> "Example world" in m.get_root().render()
    True
    >>> m  # shows inline in Jupyter  # doctest: +SKIP
    """
    bounds = analysis.segments.to_crs(4326).total_bounds
    m = GeokitMap(location=[(bounds[1] + bounds[3]) / 2, (bounds[0] + bounds[2]) / 2], zoom_start=6,
                  tiles=None, control_scale=True, prefer_canvas=True)
    m.options["maxZoom"] = 18  # with no tile layer the map itself must bound the zoom (MarkerCluster needs it)
    m.options["minZoom"] = 3
    if tiles is True:
        folium.TileLayer("OpenStreetMap", name="OpenStreetMap (online)", attr=_OSM_ATTRIBUTION,
                         overlay=False).add_to(m)
    elif tiles:
        import xyzservices

        try:
            provider = xyzservices.providers.query_name(str(tiles))
        except ValueError:
            raise ValueError(f"tiles={tiles!r} is no xyzservices provider; e.g. 'OpenTopoMap', "
                             "'Esri.WorldImagery' (xyzservices.providers lists them)") from None
        folium.TileLayer(tiles=provider.build_url(), attr=provider.html_attribution,
                         name=html_text(f"{provider.name} (online)"), overlay=False,
                         max_zoom=provider.get("max_zoom", 18)).add_to(m)
    layers = dict(base or {})
    if boundaries is not None:
        layers.setdefault("boundaries", boundaries)
    for group in base_layers(layers):
        group.add_to(m)
    geo: dict[str, Any] = {"precision": precision, "simplify_m": simplify_m}
    whole: list[Any] = []  # the whole window's layers (folium groups): hidden while one step is shown
    slider: dict[str, list[Any]] = {}
    per_step: list[Any] = []
    restyled: list[Any] = []  # layers drawn once and restyled for each step
    if steps:
        # one layer of the network, coloured by each step's status when the slider shows the step
        network = _stepped_roads(analysis.segments, [step.segments for step in steps.values()], **geo)
        network.add_to(m)
        for label in steps:
            slider.setdefault(label, []).append(network)
        per_step.append(network)
        restyled.append(network)
    whole.append(road_status_layer(analysis.segments, **geo).add_to(m))
    whole.append(zone_layer(analysis.zones, **_zone_geo(geo)).add_to(m))
    if len(analysis.corridors):
        for group in corridor_layer(analysis.corridors, analysis.detours, **geo):
            whole.append(group.add_to(m))
    if density is not None:
        density_layer(density).add_to(m)
    incidents = analysis.incidents
    filtered: list[Any] = []  # the one incident layer, filtered by the slider's days
    days: dict[str, tuple[object, object]] = {}
    if len(incidents):
        filtered.append(incident_layer(incidents, name="Incidents").add_to(m))
    if steps:
        days = {label: (step.params.start or step.incidents["date"].min(),
                        step.params.end or step.incidents["date"].max()) for label, step in steps.items()}
    elif len(incidents):
        for p in sorted(incidents["date"].dt.to_period(period).unique()):
            days[str(p)] = (p.start_time, p.end_time)
            slider[str(p)] = []
    ends = {str(v) for col in ("origin", "destination") if col in analysis.corridors for v in analysis.corridors[col]}
    close_up: list[Any] = []  # shown from zoom 8 on: the minor towns, their labels, road numbers
    if analysis.cities is not None and len(analysis.cities):
        important = town_rank(analysis.cities, ends) <= 2
        whole.append(city_layer(analysis.cities[important]).add_to(m))
        if (~important).any():
            minor_towns = city_layer(analysis.cities[~important], name="Cities (zoom in)")
            minor_towns.control = False
            close_up.append(minor_towns.add_to(m))
    if analysis.crossings is not None and len(analysis.crossings):
        whole.append(crossing_layer(analysis.crossings).add_to(m))
    major, minor = label_layer(analysis.cities, analysis.crossings, important=ends)
    major.add_to(m)
    close_up += [minor.add_to(m), ref_labels(analysis.segments).add_to(m)]
    name = m.get_name()
    close_up_names = ", ".join(g.get_name() for g in close_up)
    m.add_child(_Html(script=f"""
    (function() {{
      var closeUp = [{close_up_names}];
      function declutter() {{  // hide a label that overlaps a more important one already shown
        var labels = Array.from(document.querySelectorAll('.geokit-label'));
        labels.forEach(function(l) {{ l.style.visibility = ''; }});
        labels.sort(function(a, b) {{  // more important first; among equals, more people first
          return (+a.dataset.rank) - (+b.dataset.rank) || (+b.dataset.people || 0) - (+a.dataset.people || 0); }});
        var placed = [];
        labels.forEach(function(l) {{
          var r = l.getBoundingClientRect();
          if (!r.width) {{ return; }}
          var hit = placed.some(function(p) {{
            return r.left < p.right && r.right > p.left && r.top < p.bottom && r.bottom > p.top; }});
          if (hit) {{ l.style.visibility = 'hidden'; }} else {{ placed.push(r); }}
        }});
      }}
      function toggle() {{
        closeUp.forEach(function(g) {{ if ({name}.getZoom() >= 8) {{ {name}.addLayer(g); }}
                                       else {{ {name}.removeLayer(g); }} }});
        setTimeout(declutter, 0);
      }}
      {name}.on('zoomend', toggle); {name}.on('moveend', function() {{ setTimeout(declutter, 0); }});
      toggle();
    }})();"""))
    for label, step in (steps or {}).items():
        step_groups = _step_layers(step, label, geo)
        for group in step_groups:
            group.control = False
            group.show = False
            group.add_to(m)
        slider.setdefault(label, []).extend(step_groups)
        per_step.extend(step_groups)
    if slider:
        add_time_slider(m, slider, label="Window" if steps else "Period", only_in_step=per_step,
                        only_in_all=whole if steps else (), incidents=filtered, days=days, restyled=restyled)
    folium.LayerControl(collapsed=True).add_to(m)
    p = analysis.params
    window = f"{p.start or 'first report'} to {p.end or 'last report'}"
    add_title(m, title or "Corridor status", f"Window {window}; radius {p.radius_km:g} km; "
              f"status as of the end of the window",
              list(sources) + ([_OSM_ATTRIBUTION.replace('&copy;', '©')] if tiles else []))
    add_legend(m)
    add_fullscreen(m)
    m.fit_bounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]])
    return m


def _stepped_roads(segments: gpd.GeoDataFrame, steps: Sequence[gpd.GeoDataFrame], *, precision: int,
                   simplify_m: float | None) -> folium.FeatureGroup:
    """The network drawn once, each line with its status in every step (one character per step:
    0 open, 1 at risk, 2 blockaded), restyled by the slider through ``geokitStep(i)``; consecutive
    segments with the same statuses in every step are one line."""
    group = folium.FeatureGroup(name="Roads (network)", show=False, control=False)
    codes = {status: str(i) for i, status in enumerate(STATUSES)}
    by_edge = [step.set_index("edge_id")["status"].astype(str).reindex(segments["edge_id"]).map(codes).fillna("0")
               .to_numpy() for step in steps]
    frame = segments.assign(s=["".join(chars) for chars in zip(*by_edge)] if by_edge else "")
    frame = _merge_runs(frame, by="s").assign(status=OPEN)  # the tooltip's status until a step is shown
    fields = [("name", "Road"), ("ref", "Ref"), ("status", "Status")]
    data = _geojson(frame, ["s", *[k for k, _ in fields]], precision=precision, simplify_m=simplify_m)
    present = [(k, label) for k, label in fields if k in frame]
    lines = _GeoJson(data, name="Roads (network)", style_function=lambda f: {
        "color": STATUS_COLORS[OPEN], "weight": 2, "opacity": 0.9},
        tooltip=folium.GeoJsonTooltip(fields=[k for k, _ in present], aliases=[a for _, a in present]))
    lines.add_to(group)
    colors = js_array([STATUS_COLORS[s] for s in STATUSES])
    group.add_child(_Html(script=f"""
    {group.get_name()}.geokitStep = function(i) {{  // i: the step shown, -1 for all
      var colors = {colors}, names = {js_array(list(STATUSES))};
      {lines.get_name()}.eachLayer(function(l) {{
        var code = i < 0 ? 0 : +l.feature.properties.s.charAt(i);
        l.feature.properties.status = names[code];
        l.setStyle({{color: colors[code], weight: code ? 4 : 2}});
      }});
    }};"""))
    return group


#: The map draws exposure zones simplified to this tolerance, with 4 decimals (about 11 m): a third of the
#: bytes, and under a pixel below zoom 10; the GeoPackage keeps the zones exact.
ZONE_SIMPLIFY_M = 100.0


def _zone_geo(geo: dict) -> dict:
    """The drawing options of exposure zones: at most 4 decimals, simplified to at least ZONE_SIMPLIFY_M."""
    return {"precision": min(geo["precision"], 4), "simplify_m": max(geo["simplify_m"] or 0.0, ZONE_SIMPLIFY_M)}


def _step_layers(step, label: str, geo: dict) -> list[folium.FeatureGroup]:
    """One slider step's layers: its zones, corridors, towns and crossings (the roads and incidents are
    one layer each, restyled and filtered by the slider)."""
    layers = []
    layers.append(zone_layer(step.zones, name=f"Exposure zones {label}", **_zone_geo(geo)))
    if len(step.corridors):
        layers += corridor_layer(step.corridors, step.detours, name=f"Corridors {label}", **geo)
    if step.cities is not None and len(step.cities):
        layers.append(city_layer(step.cities, name=f"Cities {label}"))
    if step.crossings is not None and len(step.crossings):
        layers.append(crossing_layer(step.crossings, name=f"Border crossings {label}"))
    return layers
