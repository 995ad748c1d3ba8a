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

from typing import Any

from branca.element import Figure

from geokit.escape import html_text, js_array, js_string, safe_url
from geokit.maps._assets import asset
from geokit.maps._compact import _ensure_pane, _GeoJson, _Marker, _Html, _Verbatim, _esc, _geojson, _rounded, _table

#: Incident marker colour by ACLED event type: none is a status colour (green, orange, red), a detour's blue
#: or a zone's red, so an incident never reads as a road's status.
INCIDENT_TYPE_COLORS = {"Battles": "#762a83", "Violence against civilians": "#1a1a1a",
                        "Explosions/Remote violence": "#e7298a", "Strategic developments": "#8c6d31",
                        "Riots": "#17becf", "Protests": "#17becf"}
#: An exposed town's fill and ring: a zone's pale red, apart from a blockaded road's red.
EXPOSED_TOWN, EXPOSED_RING = "#fcbba1", "#99000d"

#: The colour of incidents of any other type.
OTHER_INCIDENT_COLOR = "#8e8e8e"


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
    pane = "geokitIncidents"
    target = folium.plugins.MarkerCluster(
        name=html_text(name), control=False, options={"chunkedLoading": True, "clusterPane": "geokitClusters"},
        icon_create_function="geokitClusterIcon").add_to(group) if cluster else group
    _Incidents(incidents, target=target, group=group, pane=pane).add_to(target)
    return group


class _Incidents(_Html):
    """The call that draws :func:`incident_layer`'s markers from columns (``incidents.js``)."""

    def __init__(self, incidents: gpd.GeoDataFrame, *, target: folium.Element, group: folium.Element,
                 pane: str) -> None:
        super().__init__(script=_incident_script(incidents, target=target.get_name(), group=group.get_name(),
                                                 pane=pane))
        self.pane = pane

    def render(self, **kwargs: Any) -> None:  # type: ignore[override]
        root = self.get_root()
        if isinstance(root, Figure):
            _ensure_pane(self, "geokitClusters")
            _ensure_pane(self, self.pane)
            root.header.add_child(_Verbatim(f"<script>{asset('incidents.js')}</script>"
                                            f"<style>{asset('incidents.css')}</style>"), name="geokit_incidents")
        super().render(**kwargs)


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
    cols["colors"] = js_array([INCIDENT_TYPE_COLORS.get(str(k), OTHER_INCIDENT_COLOR) for k in kinds]
                              or [OTHER_INCIDENT_COLOR])
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


def _incident_script(incidents: gpd.GeoDataFrame, *, target: str, group: str, pane: str) -> str:
    """The call of ``geokitIncidents`` (``incidents.js``) that draws :func:`incident_layer`'s markers from
    columns into a cluster (or group): only data, as JavaScript values."""
    cols, rows = _columns(incidents)
    columns = "{" + ", ".join(f"{json.dumps(k)}: {v}" for k, v in cols.items()) + " }"
    return (f"geokitIncidents({target}, {group}, {columns}, {js_array([r[0] for r in rows])}, "
            f"{js_array([r[1] for r in rows])}, {js_string(pane)});")


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
        "_weight": np.where(cut, 3, np.where(exposed, 1.5, 1)),
        "_color": np.where(cut, "#000000", np.where(exposed, EXPOSED_RING, "#444444")),
        "_fill": np.where(exposed, EXPOSED_TOWN, "#ffffff")}, index=frame.index)
    shown = frame.assign(**style)
    shown["status_text"] = np.where(exposed, "exposed (in an exposure zone)", "not exposed")
    fields = [(k, label) for k, label in (("name", "Town"), ("country", "Country"), ("population", "Population"),
                                          ("status_text", "Status"), ("isolation", "Road to destination"),
                                          ("cut_off_since", "Cut off since"),
                                          ("cut_off_periods", "Cut off in the window"),
                                          ("days_cut_off", "Days cut off"),
                                          ("population_year", "Census year"),
                                          ("incidents_within", "Incidents nearby"),
                                          ("nearest_incident_km", "Nearest incident (km)"),
                                          ("before_km", "km to destination before"),
                                          ("after_km", "km to destination now")) if k in shown]
    if "population" in shown:  # with thousands separators, as people read it
        shown["population"] = [_esc(v) for v in pop]
    data = _geojson(shown, [k for k, _ in fields] + list(style.columns), precision=5, simplify_m=None)
    _GeoJson(data, name=html_text(name), pane="geokitTowns",
             marker=folium.CircleMarker(radius=3, fill=True, fill_opacity=0.9),
             style_function=lambda f: {"radius": f["properties"]["_radius"], "weight": f["properties"]["_weight"],
                                       "color": f["properties"]["_color"],
                                       "fillColor": f["properties"]["_fill"], "pane": "geokitTowns"},
             tooltip=folium.GeoJsonTooltip(fields=[k for k, _ in fields[:5]], aliases=[a for _, a in fields[:5]]),
             popup=folium.GeoJsonPopup(fields=[k for k, _ in fields], aliases=[a for _, a in fields], max_width=420)
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
    >>> marker = next(iter(crossing_layer(posts)._children.values()))
    >>> "#7f7f7f" in str(next(c for c in marker._children.values() if isinstance(c, folium.DivIcon)).options)
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
        access = ("reaches the destination" if reaches is not False else "no road to the destination") + \
            (f" ({_esc(row.get('isolation'))})" if row.get("isolation") else "")
        info = {**row.to_dict(), "access": access}
        _Marker(location=[geom.y, geom.x], icon=icon, pane="geokitCrossings",
                tooltip=_table(info, [("name", "Crossing"), ("country_a", "Country"), ("country_b", "Country"),
                                      ("access", "Access")]),
                popup=folium.Popup(_table(info, [("name", "Crossing"), ("access", "Access"), ("country_a", "Country"),
                                                 ("country_b", "Country"), ("road_ref", "Road"),
                                                 ("incidents_within", "Incidents nearby"),
                                                 ("before_km", "km to destination before"),
                                                 ("after_km", "km to destination now"),
                                                 ("cut_off_periods", "Cut off in the window"),
                                                 ("km_to_destination_periods", "km to destination by period")]),
                                   max_width=360)
                ).add_to(group)
    return group
