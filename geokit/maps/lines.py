"""Line and area layers: roads by status, corridors and their detours, exposure zones."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import folium
import geopandas as gpd
import pandas as pd
import shapely
from branca.element import Element

from geokit.escape import html_text, js_array
from geokit.maps._compact import _GeoJson, _Html, _geojson, js_value
from geokit.palette import BLOCKADED, DETOUR_COLOR, OPEN, STATUS_COLORS, STATUS_LABELS, STATUSES, ZONE_COLOR


def _merge_runs(segments: gpd.GeoDataFrame, by: str = "status") -> gpd.GeoDataFrame:
    """Join consecutive segments of one road that share a status (or another ``by`` column) into one line
    (fewer features)."""
    keys = [k for k in ("road_index", "part") if k in segments]
    if not keys:
        return segments
    frame = segments.assign(**{by: segments[by].astype(str)})
    agg = {c: f for c, f in (("name", "first"), ("ref", "first"), ("n_incidents", "sum"), ("fatalities", "sum"),
                             ("first_incident", "min"), ("last_incident", "max"), ("blockaded_from", "min"),
                             ("blockaded_until", "max"), ("length_km", "sum")) if c in frame}
    merged = frame.dissolve(by=[*keys, by], aggfunc=agg, as_index=False)
    merged["geometry"] = shapely.line_merge(merged.geometry.array)
    return merged


#: A road's fields on the map: the tooltip shows the first four, a click all of them.
_ROAD_FIELDS = [("name", "Road"), ("ref", "Ref"), ("status_text", "Status"), ("n_incidents", "Incidents"),
                ("blockaded_from", "Blockaded from"), ("blockaded_until", "Blockaded until"),
                ("first_incident", "First incident"), ("last_incident", "Last incident"),
                ("fatalities", "Fatalities"), ("length_km", "Length (km)")]


def _status_text(values: pd.Series) -> list[str]:
    """Statuses as a legend reads them ("at risk", not "at_risk")."""
    return [STATUS_LABELS.get(v, v) for v in values.astype(str)]


def road_status_layer(segments: gpd.GeoDataFrame, *, name: str = "Roads by status", precision: int = 5,
                      simplify_m: float | None = None, merge: bool = True,
                      status_label: str = "Status") -> folium.FeatureGroup:
    """Road segments coloured by status: a tooltip of name, ref, status and incidents on hover, and on a
    click also when the road was blockaded (from, until) and its first and last incident.

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
    status_label : str, default "Status"
        What the status means, in the tooltip (e.g. "Worst in the window").

    Examples
    --------
    >>> g = road_status_layer(result.segments)
    >>> g.layer_name
    'Roads by status'
    """
    group = folium.FeatureGroup(name=html_text(name))
    pane = "geokitRoads"
    frame = _merge_runs(segments) if merge else segments
    frame = frame.assign(status=frame["status"].astype(str))
    frame["status_text"] = _status_text(frame["status"])
    fields = [(k, status_label if k == "status_text" else label) for k, label in _ROAD_FIELDS if k in frame]
    data = _geojson(frame, ["status", *[k for k, _ in fields]], precision=precision, simplify_m=simplify_m)
    _GeoJson(
        data, name=html_text(name), pane=pane,
        style_function=lambda f: {"color": STATUS_COLORS.get(f["properties"].get("status"), "#777"),
                                  "weight": 4 if f["properties"].get("status") != OPEN else 2,
                                  "opacity": 0.9},
        tooltip=_tooltip(fields[:4]), popup=_popup(fields),
    ).add_to(group)
    return group


def _tooltip(fields: Sequence[tuple[str, str]]) -> folium.GeoJsonTooltip:
    """A hover tooltip of some fields (key, label)."""
    return folium.GeoJsonTooltip(fields=[k for k, _ in fields], aliases=[html_text(a) for _, a in fields])


def _popup(fields: Sequence[tuple[str, str]]) -> folium.GeoJsonPopup:
    """A click popup of fields (key, label)."""
    return folium.GeoJsonPopup(fields=[k for k, _ in fields], aliases=[html_text(a) for _, a in fields],
                               max_width=420)


#: A corridor's fields on the map (the tooltip shows the first four, a click all of them).
_CORRIDOR_FIELDS = [("name", "Corridor"), ("worst_text", "Worst in the period"), ("status_text", "Status at its end"),
                    ("blockaded_periods", "Blockaded (first..last day)"), ("history", "Status history"),
                    ("cuts", "Blockaded stretches"), ("blockaded_since", "Blockaded since"),
                    ("reopened_on", "Reopened on"), ("days_blockaded", "Days blockaded"),
                    ("length_km", "Length (km)"), ("blockaded_km", "Blockaded at the end (km)"),
                    ("last_incident", "Last incident"), ("detour", "Detour"),
                    ("detour_extra_km", "Detour extra (km)"), ("detour_skips", "Detour skips"),
                    ("crossings", "Border crossings"), ("towns_cut_off", "Towns cut off")]

#: The corridor's thin line, beneath its halo in its worst status's colour.
CORRIDOR_LINE = "#3a3a3a"


def corridor_layer(corridors: gpd.GeoDataFrame, detours: gpd.GeoDataFrame | None = None, *,
                   cuts: gpd.GeoDataFrame | None = None, history: Mapping[str, str] | None = None,
                   name: str = "Corridors", precision: int = 5, simplify_m: float | None = None,
                   show_detours: bool = True) -> list[folium.FeatureGroup]:
    """Corridors as a thin line with a halo in their worst status's colour, the stretches that were
    blockaded thick red on top, and detours dashed blue.

    A corridor blockaded on 54 of its 1,300 km is told apart from one blockaded end to end: the halo says
    how bad the corridor got in the period, the cut says where. Hover a corridor for its worst status,
    status at the end and blockaded periods; click it for its status history and its cut stretches.

    Parameters
    ----------
    corridors : GeoDataFrame
        ``Analysis.corridors`` (status, worst status, history, detour per corridor).
    detours : GeoDataFrame, optional
        Detours, drawn dashed: ``Analysis.detours`` (``name``) or :attr:`geokit.maps.story.Story.detours`
        (``corridor`` and ``period``).
    cuts : GeoDataFrame, optional
        :attr:`geokit.maps.story.Story.cuts`: the blockaded stretches, drawn thick red in their own layer.
    history : mapping of str to str, optional
        Each corridor's status history (:attr:`geokit.maps.story.Story.history`), shown on a click.
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
    >>> from geokit.maps.story import window_story
    >>> story = window_story(result)
    >>> [g.layer_name for g in corridor_layer(result.corridors, story.detours, cuts=story.cuts)]
    ['Corridors', 'Blockaded stretches', 'Detours']
    """
    groups = []
    group = folium.FeatureGroup(name=html_text(name))
    pane = "geokitCorridors"
    frame = corridors.assign(status=corridors["status"].astype(str))
    frame["worst"] = frame["worst_status"].astype(str) if "worst_status" in frame else frame["status"]
    frame["status_text"], frame["worst_text"] = _status_text(frame["status"]), _status_text(frame["worst"])
    if history:
        frame["history"] = frame["name"].map(dict(history)).fillna("")
    if cuts is not None and len(cuts):
        listed = cuts.groupby("corridor")[["period", "km"]].apply(
            lambda c: "; ".join(f"{p}: {k:,.1f} km" for p, k in zip(c["period"], c["km"])))
        frame["cuts"] = frame["name"].map(listed).fillna("")
    fields = [(k, label) for k, label in _CORRIDOR_FIELDS if k in frame]
    data = _geojson(frame, ["worst", *[k for k, _ in fields]], precision=precision, simplify_m=simplify_m)
    halo = _GeoJson(  # the halo: the corridor's worst status in the period, wide and pale
        data, name=html_text(name), pane=pane,
        style_function=lambda f: {"color": STATUS_COLORS.get(f["properties"].get("worst"), "#555"),
                                  "weight": 12, "opacity": 0.35, "lineCap": "round"},
        tooltip=_tooltip(fields[:4]), popup=_popup(fields),
    ).add_to(group)
    # the corridor itself: a thin neutral line the halo and the cuts are read against (the halo's lines again)
    _redraw(_copy_layer(group, pane), halo, group, {"color": CORRIDOR_LINE, "weight": 1.5, "opacity": 0.9})
    groups.append(group)
    if cuts is not None and len(cuts):
        groups.append(_cut_layer(cuts, name=f"Blockaded stretches{name[len('Corridors'):]}", precision=precision,
                                 simplify_m=simplify_m))
    if show_detours and detours is not None and len(detours):
        groups.append(_detour_layer(detours, precision=precision, simplify_m=simplify_m))
    return groups


def _cut_layer(cuts: gpd.GeoDataFrame, *, name: str, precision: int, simplify_m: float | None
               ) -> folium.FeatureGroup:
    """The blockaded stretches of the corridors: thick red, above the corridors."""
    group = folium.FeatureGroup(name=html_text(name))
    pane = "geokitCuts"
    fields = [("corridor", "Blockaded stretch of"), ("period", "Blockaded"), ("days", "Days"), ("km", "Length (km)"),
              ("roads", "Roads")]
    data = _geojson(cuts, [k for k, _ in fields], precision=precision, simplify_m=simplify_m)
    casing = _copy_layer(group, pane)  # a white casing beneath (added to the group first): the cut stands out
    cut = _GeoJson(data, name=html_text(name), pane=pane,
             style_function=lambda f: {"color": STATUS_COLORS[BLOCKADED], "weight": 7, "opacity": 1.0,
                                       "lineCap": "butt", "className": "geokit-cut"},
             tooltip=_tooltip(fields[:4]), popup=_popup(fields)).add_to(group)
    _redraw(casing, cut, group, {"color": "#ffffff", "weight": 11, "opacity": 0.9, "lineCap": "butt"})
    return group


class _Redrawn(_Html):
    """Another drawing of a :class:`_GeoJson`'s lines in a style of its own, never interactive (a halo's core
    line, a casing): the lines travel once, and are copied in the page."""

    def __init__(self, target: Element, source: Element, style: dict) -> None:
        super().__init__()
        self.target, self.source, self.style = target, source, style

    def render(self, **kwargs: Any) -> None:  # type: ignore[override]
        name = self.target.get_name()
        self.script = f"{name}.addData({self.source.get_name()}.toGeoJSON()); {name}.setStyle({js_value(self.style)});"
        super().render(**kwargs)


def _copy_layer(group: folium.FeatureGroup, pane: str) -> Element:
    """An empty layer in ``group`` for :func:`_redraw`: drawn below what is added to the group after it."""
    return _GeoJson({"type": "FeatureCollection", "features": []}, pane=pane, interactive=False).add_to(group)


def _redraw(target: Element, source: Element, group: folium.FeatureGroup, style: dict) -> None:
    """Fills ``target`` (:func:`_copy_layer`) with ``source``'s lines in ``style``."""
    group.add_child(_Redrawn(target, source, style))


def _detour_layer(detours: gpd.GeoDataFrame, *, precision: int, simplify_m: float | None) -> folium.FeatureGroup:
    """Detours, dashed blue above the cuts."""
    group = folium.FeatureGroup(name="Detours")
    pane = "geokitDetours"
    frame = detours.rename(columns={"name": "corridor"})
    fields = [(k, label) for k, label in (("corridor", "Detour of"), ("period", "While blockaded"),
                                          ("detour_km", "Length (km)"), ("detour_extra_km", "Extra (km)"),
                                          ("detour_crossings", "Crossings"), ("detour_towns", "Through"),
                                          ("detour_skips", "Skips")) if k in frame]
    data = _geojson(frame, [k for k, _ in fields], precision=precision, simplify_m=simplify_m)
    _GeoJson(data, name="Detours", pane=pane,
             style_function=lambda f: {"color": DETOUR_COLOR, "weight": 3, "dashArray": "8 6", "opacity": 0.95},
             tooltip=_tooltip(fields[:4]), popup=_popup(fields)).add_to(group)
    return group


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
    pane = "geokitZones"
    key = "weighted_incidents" if "weighted_incidents" in zones else "n_incidents"
    top = float(zones[key].max()) or 1.0
    frame = zones.assign(_opacity=(0.15 + 0.45 * zones[key] / top).round(3))
    fields = [(k, label) for k, label in (("n_incidents", "Incidents"), ("fatalities", "Fatalities"),
                                          ("first_date", "First"), ("last_date", "Last"),
                                          ("event_types", "Types"), ("area_km2", "Area (km²)")) if k in frame]
    data = _geojson(frame, [k for k, _ in fields] + ["_opacity"], precision=precision, simplify_m=simplify_m)
    _GeoJson(
        data, name=html_text(name), pane=pane,
        style_function=lambda f: {"color": "#99000d", "weight": 1, "fillColor": ZONE_COLOR,
                                  "fillOpacity": f["properties"].get("_opacity", 0.3)},
        tooltip=_tooltip(fields[:4]), popup=_popup(fields),
    ).add_to(group)
    return group


def _stepped_roads(segments: gpd.GeoDataFrame, steps: Sequence[gpd.GeoDataFrame], *, precision: int,
                   simplify_m: float | None) -> folium.FeatureGroup:
    """The network drawn once, each line with its status in every step (one character per step:
    0 open, 1 at risk, 2 blockaded), restyled by the slider through ``geokitStep(i)``; consecutive
    segments with the same statuses in every step are one line."""
    group = folium.FeatureGroup(name="Roads (network)", show=False, control=False)
    pane = "geokitRoads"
    codes = {status: str(i) for i, status in enumerate(STATUSES)}
    by_edge = [step.set_index("edge_id")["status"].astype(str).reindex(segments["edge_id"]).map(codes).fillna("0")
               .to_numpy() for step in steps]
    frame = segments.assign(s=["".join(chars) for chars in zip(*by_edge)] if by_edge else "")
    frame = _merge_runs(frame, by="s").assign(status=STATUS_LABELS[OPEN])  # the status until a step is shown
    fields = [(k, label) for k, label in (("name", "Road"), ("ref", "Ref"), ("status", "Status at the end"),
                                          ("length_km", "Length (km)")) if k in frame]
    data = _geojson(frame, ["s", *[k for k, _ in fields]], precision=precision, simplify_m=simplify_m)
    lines = _GeoJson(data, name="Roads (network)", pane=pane, style_function=lambda f: {
        "color": STATUS_COLORS[OPEN], "weight": 2, "opacity": 0.9}, tooltip=_tooltip(fields[:3]),
        popup=_popup(fields))
    lines.add_to(group)
    colors = js_array([STATUS_COLORS[s] for s in STATUSES])
    group.add_child(_Html(script=f"""
    {group.get_name()}.geokitStep = function(i) {{  // i: the step shown, -1 for all
      var colors = {colors}, names = {js_array([STATUS_LABELS[s] for s in STATUSES])};
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


#: Line colours of route options 1, 2, ... (colour-blind-safe, none of the status colours).
OPTION_COLOURS = ("#1f78b4", "#6a3d9a", "#b15928", "#33a02c", "#a6cee3", "#cab2d6")


def route_options_layer(options: gpd.GeoDataFrame, *, on: object = None, name: str = "Route options",
                        show: bool = False, precision: int = 5, simplify_m: float | None = None
                        ) -> folium.FeatureGroup:
    """Route options of one day (:func:`geokit.routing.route_options`), off by default, each line with its
    numbers in the tooltip and the popup.

    Parameters
    ----------
    options : GeoDataFrame
        :func:`geokit.routing.route_options` or :func:`geokit.routing.corridor_route_options`.
    on : date-like, optional
        The day to show; the latest day of ``options`` when omitted.
    name : str
        The layer's name in the layer control.
    show : bool, default False
        Shown when the map opens.
    precision : int, default 5
        Decimals kept in the coordinates.
    simplify_m : float, optional
        Simplify the lines to this tolerance (metres) first.

    Returns
    -------
    folium.FeatureGroup

    Examples
    --------
    >>> from geokit.routing import corridor_route_options
    >>> layer = route_options_layer(corridor_route_options(result))
    >>> layer.layer_name, layer.show, len(layer._children)
    ('Route options', False, 1)
    """
    group = folium.FeatureGroup(name=html_text(name), show=show)
    if not len(options):
        return group
    day = pd.Timestamp(on) if on is not None else pd.Timestamp(options["on"].max())
    chosen = options[(pd.to_datetime(options["on"]) == day) & (options["option"] > 0)]
    if not len(chosen):
        return group
    frame = gpd.GeoDataFrame(chosen.assign(
        day=f"{day:%Y-%m-%d}", option_kind=[f"{int(o)} ({k})" for o, k in zip(chosen["option"], chosen["kind"])],
        colour=[OPTION_COLOURS[(int(o) - 1) % len(OPTION_COLOURS)] for o in chosen["option"]],
        killed=chosen["fatalities"].astype(float), through=chosen["towns"]), geometry="geometry",
        crs=options.crs)
    fields = [("corridor", "Corridor"), ("option_kind", "Option"), ("day", "On"), ("length_km", "Length (km)"),
              ("extra_km", "Extra (km)"), ("at_risk_km", "At risk (km)"), ("exposure_incident_km", "Exposure "
              "(incident-km)"), ("incidents", "Incidents"), ("killed", "Killed"), ("through", "Through")]
    data = _geojson(frame, [k for k, _ in fields] + ["colour"], precision=precision, simplify_m=simplify_m)
    _GeoJson(data, name=html_text(name), pane="geokitDetours",
             style_function=lambda f: {"color": f["properties"]["colour"], "weight": 4, "opacity": 0.85},
             tooltip=_tooltip(fields[:8]), popup=_popup(fields)).add_to(group)
    return group
