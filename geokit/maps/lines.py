"""Line and area layers: roads by status, corridors and their detours, exposure zones."""

from __future__ import annotations

from collections.abc import Sequence

import folium
import geopandas as gpd
import shapely

from geokit.escape import html_text, js_array
from geokit.palette import OPEN, STATUS_COLORS, STATUSES

from geokit.maps._compact import _GeoJson, _Html, _geojson

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
