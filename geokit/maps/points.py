"""Point layers: incidents (clustered, from columns), towns and border crossings."""

from __future__ import annotations

import json

import folium
import folium.plugins
import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from geokit.escape import html_text, js_array, safe_url

from geokit.maps._compact import _GeoJson, _Html, _esc, _geojson, _rounded, _table

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
