"""The page: the briefing map (:func:`corridor_map`), its legend, title, full-screen button and time slider."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TYPE_CHECKING

import folium
import geopandas as gpd

from geokit.escape import html_text, js_array, js_string
from geokit.palette import STATUS_COLORS
from geokit.timeline import day_number

if TYPE_CHECKING:
    from geokit.analysis import Analysis
    from geokit.raster import DensityRaster

from geokit.maps._compact import _Html
from geokit.maps.base import base_layers, density_layer
from geokit.maps.labels import label_layer, ref_labels, town_rank
from geokit.maps.lines import _stepped_roads, _zone_geo, corridor_layer, road_status_layer, zone_layer
from geokit.maps.points import city_layer, crossing_layer, incident_layer

_OSM_ATTRIBUTION = "&copy; OpenStreetMap contributors"


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
