"""The page: the briefing map (:func:`corridor_map`), its legend, title, full-screen button and time slider.

The page's behaviour is ``page.js`` and its look ``page.css`` (files of this package, inlined in the page's
head); Python passes them data only, as JavaScript values escaped by :mod:`geokit.escape`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TYPE_CHECKING

import folium
import geopandas as gpd
import pandas as pd
import numpy as np
from branca.element import Figure

from geokit.escape import html_text
from geokit.maps._assets import asset
from geokit.maps._compact import _Html, _Verbatim, js_value
from geokit.maps.base import base_layers, density_layer
from geokit.maps.labels import label_layer, ref_labels, town_rank
from geokit.maps.lines import (CORRIDOR_LINE, _stepped_roads, _zone_geo, corridor_layer, road_status_layer,
                               route_options_layer, zone_layer)
from geokit.maps.points import EXPOSED_RING, EXPOSED_TOWN, INCIDENT_TYPE_COLORS, OTHER_INCIDENT_COLOR, city_layer, crossing_layer, incident_layer
from geokit.maps.story import Story, window_story
from geokit.maps.tools import add_tools
from geokit.palette import BLOCKADED, DETOUR_COLOR, STATUS_COLORS, STATUS_LABELS, ZONE_COLOR
from geokit.timeline import day_number

if TYPE_CHECKING:
    from geokit.analysis import Analysis
    from geokit.raster import DensityRaster

_OSM_ATTRIBUTION = "&copy; OpenStreetMap contributors"

#: The slider's word for one of its steps, in every build.
SLIDER_WORD = "Period"


class _PageScript(_Html):
    """A call into ``page.js``, with ``page.js`` and ``page.css`` put in the page's head once."""

    def render(self, **kwargs: Any) -> None:  # type: ignore[override]
        root = self.get_root()
        if isinstance(root, Figure):
            root.header.add_child(_Verbatim(f"<script>{asset('page.js')}</script><style>{asset('page.css')}</style>"),
                                  name="geokit_page")
        super().render(**kwargs)


def _row(symbol: str, text: str) -> str:
    """A legend row: a symbol (markup geokit makes) and its meaning (escaped)."""
    return f"<div class='row'><span class='sym'>{symbol}</span><span>{html_text(text)}</span></div>"


def _line(color: str, weight: float, *, dash: str = "", halo: str = "") -> str:
    """A legend symbol of a line (an SVG), optionally over a pale halo."""
    under = (f"<line x1='2' y1='7' x2='24' y2='7' stroke='{halo}' stroke-opacity='0.35' stroke-width='10' "
             "stroke-linecap='round'/>") if halo else ""
    dashed = f" stroke-dasharray='{dash}'" if dash else ""
    return (f"<svg width='26' height='14'>{under}<line x1='2' y1='7' x2='24' y2='7' stroke='{color}' "
            f"stroke-width='{weight}'{dashed}/></svg>")


def _dot(fill: str, *, ring: str = "#444", ring_width: float = 1, size: int = 10, square: bool = False) -> str:
    """A legend symbol of a point."""
    shape = "transform:rotate(45deg)" if square else "border-radius:50%"
    return (f"<span style='display:inline-block;width:{size}px;height:{size}px;background:{fill};"
            f"border:{ring_width}px solid {ring};{shape}'></span>")


def add_legend(m: folium.Map, *, incident_types: Mapping[str, str] | None = None,
               density: DensityRaster | None = None, cuts: bool = True) -> folium.Map:
    """A legend of everything the map draws, bottom right: corridors (halo, cut stretches, detours), road
    statuses, incidents by type and their clusters, exposure zones, the density's units, towns and border
    crossings. It folds (a click on "Legend"); on a phone it starts folded, above the slider.

    Parameters
    ----------
    m : folium.Map
        The map; returned with its legend.
    incident_types : mapping of str to str, optional
        The incident types drawn and their colours (:data:`geokit.maps.points.INCIDENT_TYPE_COLORS` by default).
    density : geokit.raster.DensityRaster, optional
        The density layer, for its units and range.
    cuts : bool, default True
        The map draws blockaded stretches.

    Examples
    --------
    >>> import folium
    >>> m = add_legend(folium.Map())
    >>> "geokit-legend" in m.get_root().render()
    True
    """
    types = dict(incident_types if incident_types is not None else INCIDENT_TYPE_COLORS)
    halo = "".join(_row(_line(CORRIDOR_LINE, 1.5, halo=c), f"corridor, worst {STATUS_LABELS[s]} in the period")
                   for s, c in STATUS_COLORS.items())
    roads = "".join(_row(_line(c, 4 if s != "open" else 2), STATUS_LABELS[s]) for s, c in STATUS_COLORS.items())
    kinds = "".join(_row(_dot(c, ring="#fff", ring_width=1.5), k) for k, c in types.items())
    parts = [
        "<details id='geokit-legend' class='geokit-box' open><summary>Legend</summary>",
        "<h4>Corridors</h4>", halo,
        _row(_line(STATUS_COLORS[BLOCKADED], 6), "blockaded stretch (the cut), at some time in the period")
        if cuts else "",
        _row(_line(DETOUR_COLOR, 3, dash="5 3"), "detour around a cut"),
        "<h4>Roads: worst status in the window, or at a period's end</h4>", roads,
        "<h4>Incidents</h4>", kinds, _row(_dot(OTHER_INCIDENT_COLOR, ring="#fff"), "other types"),
        _row("<span class='geokit-cluster' style='display:inline-block;width:22px;height:22px'>"
             "<div style='font-size:9px'><span>12</span></div></span>",
             "a cluster of incidents, with their number (click to zoom in)"),
        _row(f"<span style='display:inline-block;width:14px;height:12px;background:{ZONE_COLOR};opacity:.5;"
             "border:1px solid #99000d'></span>", "exposure zone (darker: more incidents)"),
    ]
    if density is not None:
        top = float(np.nanmax(density.values)) * 1000 if density.values.size else 0.0
        parts.append(_row("<span style='display:inline-block;width:24px;height:10px;background:linear-gradient("
                          "90deg,#ffffb2,#fecc5c,#fd8d3c,#f03b20,#bd0026)'></span>",
                          f"incident density, 0 to {top:,.2g} incidents per 1,000 km² "
                          f"(kernel of {density.bandwidth_km:g} km; layer off at opening)"))
    parts += [
        "<h4>Towns and crossings</h4>",
        _row(_dot("#ffffff", size=12), "town (larger: more people)"),
        _row(_dot(EXPOSED_TOWN, ring=EXPOSED_RING, size=12), "exposed town (in an exposure zone)"),
        _row(_dot("#ffffff", ring="#000", ring_width=3, size=10), "cut off from the destination (ringed black)"),
        _row(_dot("#1f4e9c", ring="#fff", ring_width=2, size=9, square=True), "border crossing, reaches the destination"),
        _row(_dot("#7f7f7f", ring="#fff", ring_width=2, size=9, square=True), "border crossing, no road to it"),
        "</details>",
    ]
    m.add_child(_PageScript(markup="".join(parts), script="geokitLegend();"))
    return m


def add_title(m: folium.Map, title: str, subtitle: str = "", sources: Sequence[str] = (),
              blockades: Sequence[tuple[str, str]] = ()) -> folium.Map:
    """A title box with the time window, what was blockaded in it, and the attribution of every data
    source (all escaped).

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
    blockades : sequence of (str, str)
        Each corridor blockaded in the window and its period (:attr:`geokit.maps.story.Story.periods`).

    Examples
    --------
    >>> import folium
    >>> page = add_title(folium.Map(), "Mali <2025>", blockades=[("Dakar-Bamako", "13 Sep–13 Oct")]).get_root().render()
    >>> "Mali &lt;2025&gt;" in page, "Dakar-Bamako</b> 13 Sep–13 Oct" in page
    (True, True)
    """
    src = "; ".join(html_text(s) for s in sources)
    story = ""
    if blockades:
        story = ("<div class='geokit-story' id='geokit-title-story'>Blockaded in the window: "
                 + "; ".join(f"<b>{html_text(c)}</b> {html_text(p)}" for c, p in blockades) + "</div>")
    box = (f"<div id='geokit-title' class='geokit-box'><b>{html_text(title)}</b>"
           f"<div id='geokit-title-period'>{html_text(subtitle)}</div>{story}"
           f"<div class='geokit-sources'>Sources: {src}</div></div>")
    m.add_child(_PageScript(markup=box))
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
    m.add_child(_PageScript(script=f"geokitFullscreen({m.get_name()});"))
    return m


def _refs(groups: Sequence[folium.Element]) -> str:
    """Layers as a JavaScript array of the names folium gave them (identifiers, never data)."""
    return "[" + ", ".join(g.get_name() for g in groups) + "]"


def add_time_slider(m: folium.Map, groups: Mapping[str, Sequence[folium.FeatureGroup]],
                    *, label: str = SLIDER_WORD, only_in_step: Sequence[folium.FeatureGroup] = (),
                    only_in_all: Sequence[folium.FeatureGroup] = (),
                    incidents: Sequence[folium.FeatureGroup] = (),
                    days: Mapping[str, tuple[object, object]] | None = None,
                    restyled: Sequence[folium.FeatureGroup] = (), all_label: str = "all",
                    step_note: str = "worst status in it, cut stretches red") -> folium.Map:
    """A slider that shows the layers of one period at a time (or all periods).

    ``groups`` maps a period label (``"2025-09"``) to the feature groups
    shown in that period; they must already be on the map. Groups in
    ``only_in_step`` are hidden at "all" (e.g. per-period corridor status,
    which would overlap); groups in ``only_in_all`` are hidden while one
    period is shown (e.g. the status of the whole window). Layers of
    :func:`incident_layer` in ``incidents`` stay on the map and show the
    incidents of the period's days (``days``: label -> first and last day).
    The slider opens on "all" (the whole window).

    Parameters
    ----------
    m : folium.Map
        The map holding the groups.
    groups : mapping of str to sequence of FeatureGroup
        Each step's label and its groups.
    label : str
        The slider's word for a step (:data:`SLIDER_WORD`).
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
    all_label : str, default "all"
        How the slider names the whole window.
    step_note : str
        What the title says a step shows.

    Examples
    --------
    >>> import folium
    >>> m = folium.Map()
    >>> sept, octo = folium.FeatureGroup("Sep").add_to(m), folium.FeatureGroup("Oct").add_to(m)
    >>> "geokit-slider" in add_time_slider(m, {"2025-09": [sept], "2025-10": [octo]}).get_root().render()
    True
    """
    periods = list(groups)
    data = {"steps": periods, "word": label, "all": all_label, "stepNote": step_note,
            "ranges": {p: [day_number(a), day_number(b)] for p, (a, b) in (days or {}).items()}}
    layers = (f"{{groups: [{', '.join(_refs(groups[p]) for p in periods)}], stepOnly: {_refs(only_in_step)}, "
              f"allOnly: {_refs(only_in_all)}, filtered: {_refs(incidents)}, stepped: {_refs(restyled)} }}")
    box = (f"<div id='geokit-slider' class='geokit-box'>{html_text(label)}: <b id='geokit-slider-label'>"
           f"{html_text(all_label)}</b><br><input id='geokit-slider-input' type='range' min='0' max='{len(periods)}' "
           "value='0' step='1' aria-label='" + html_text(label) + "'></div>")
    m.add_child(_PageScript(markup=box, script=f"geokitSlider({m.get_name()}, {js_value(data)}, {layers});"))
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
    tiles: bool | str = False,
    precision: int = 5,
    simplify_m: float | None = None,
    route_options: gpd.GeoDataFrame | None = None,
) -> folium.Map:
    """The briefing map of an analysis.

    The map opens on the whole window, told at first sight: each road in its worst status of the window,
    each corridor as a thin line with a halo in its worst status, the stretches blockaded at any time in
    the window thick red on top, the detour around each dashed blue, and the title naming every blockade
    and its period; the view fits the corridors. The slider then steps through the periods (months, or
    the windows of a batch build), each showing the status at its end and the stretches cut in it.

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
        and the title names the step; "whole window" shows ``analysis``.
    tiles : bool or str, default False
        Online tiles as an extra base layer (none by default: the map, inline in Jupyter too, makes no
        remote request): ``True`` for OpenStreetMap, or
        an xyzservices provider name (``"Esri.WorldImagery"``,
        ``"OpenTopoMap"``). They load only with a network and are dropped by
        ``save_html(..., offline=True)``; the offline base draws either way.
    precision : int, default 5
        Decimal places of coordinates (5 is about 1 m).
    simplify_m : float, optional
        Simplify lines and polygons with this tolerance in metres. Exposure
        zones are always drawn simplified to at least :data:`ZONE_SIMPLIFY_M`
        (100 m) with 4 decimals; the GeoPackage keeps them exact.
    route_options : GeoDataFrame, optional
        :func:`geokit.routing.corridor_route_options`: a "Route options" layer, off by default, with the
        options of the window's last day.

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
    story = window_story(analysis)
    m = GeokitMap(location=[0, 0], zoom_start=6, tiles=None, control_scale=True, prefer_canvas=True)
    m.options["maxZoom"] = 18  # with no tile layer the map itself must bound the zoom (MarkerCluster needs it)
    m.options["minZoom"] = 3
    m.options["zoomSnap"] = 0.25  # the opening view fits the corridors closely
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
    told = analysis.timeline is not None
    roads = analysis.segments.assign(status=story.worst) if told else analysis.segments
    whole.append(road_status_layer(roads, status_label="Worst in the window" if told else "Status", **geo).add_to(m))
    whole.append(zone_layer(analysis.zones, **_zone_geo(geo)).add_to(m))
    if len(analysis.corridors):
        detours = story.detours if told else analysis.detours
        for group in corridor_layer(analysis.corridors, detours, cuts=story.cuts, history=story.history, **geo):
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
    m.add_child(_PageScript(script=f"geokitCloseUp({m.get_name()}, {_refs(close_up)});"))
    if route_options is not None and len(route_options):  # the window's last day, off until chosen
        last = analysis.params.end or route_options["on"].max()
        route_options_layer(route_options, on=last, name=f"Route options on {pd.Timestamp(last):%Y-%m-%d}",
                            **geo).add_to(m)
    for label, step in (steps or {}).items():
        step_groups = _step_layers(step, label, geo, story)
        for group in step_groups:
            group.control = False
            group.show = False
            group.add_to(m)
        slider.setdefault(label, []).extend(step_groups)
        per_step.extend(step_groups)
    p = analysis.params
    window = f"{p.start or 'first report'} to {p.end or 'last report'}"
    add_title(m, title or "Corridor status",
              f"Window {window}; radius {p.radius_km:g} km; "
              + ("worst status of each road in the window, blockaded stretches red" if told
                 else "status as of the end of the window"),
              list(sources) + ([_OSM_ATTRIBUTION.replace('&copy;', '©')] if tiles else []), blockades=story.periods)
    if slider:
        add_time_slider(m, slider, only_in_step=per_step, only_in_all=whole if steps else (), incidents=filtered,
                        days=days, restyled=restyled, all_label="whole window" if steps else "all")
    folium.LayerControl(collapsed=True).add_to(m)
    add_legend(m, density=density, cuts=len(story.cuts) > 0)
    add_fullscreen(m)
    add_tools(m, analysis.cities, analysis.crossings)
    m.add_child(_PageScript(script=f"geokitFit({m.get_name()}, {js_value(_opening_bounds(analysis))}); "
                                   f"geokitPrint({m.get_name()});"))
    return m


def _opening_bounds(analysis: Analysis) -> list[list[float]]:
    """The map opens on the corridors (or on the roads when there are none), as [[south, west], [north, east]]."""
    frame = analysis.corridors if len(analysis.corridors) else analysis.segments
    west, south, east, north = frame.to_crs(4326).total_bounds
    return [[round(float(south), 4), round(float(west), 4)], [round(float(north), 4), round(float(east), 4)]]


def _step_layers(step: Analysis, label: str, geo: dict, whole: Story) -> list[folium.FeatureGroup]:
    """One slider step's layers: its zones, corridors (with the stretches blockaded in the step and the
    detours of the window's cuts that overlap it), towns and crossings (the roads and incidents are one layer
    each, restyled and filtered by the slider)."""
    layers = []
    layers.append(zone_layer(step.zones, name=f"Exposure zones {label}", **_zone_geo(geo)))
    if len(step.corridors):
        story = window_story(step, detours=False)
        first, last = step.params.start, step.params.end
        detours = whole.detours
        if first is not None and last is not None and len(detours):
            detours = detours[(detours["first_day"] <= str(last)) & (detours["last_day"] >= str(first))]
        layers += corridor_layer(step.corridors, detours, cuts=story.cuts, history=story.history,
                                 name=f"Corridors {label}", **geo)
    if step.cities is not None and len(step.cities):
        layers.append(city_layer(step.cities, name=f"Cities {label}"))
    if step.crossings is not None and len(step.crossings):
        layers.append(crossing_layer(step.crossings, name=f"Border crossings {label}"))
    return layers
