"""Folium maps of an analysis: one call for the briefing map, one function per layer.

:func:`corridor_map` draws an :class:`~geokit.analysis.Analysis`: roads
coloured by status, corridors with a halo in their worst status, the stretches
blockaded in the window (the cuts) and the detours around them, exposure zones
shaded by intensity, clustered incident markers with popups, a density layer,
cities sized by population, border crossings, a time slider, a legend of
everything drawn, a scale bar, a full-screen button, the pointer's
coordinates, a search over towns and crossings, a distance measure, a title
with the window, each blockade's period and every data source, and an offline
base drawn from country boundaries (online tiles only when asked for). Its
opening view tells the window's story (:mod:`~geokit.maps.story`). Every
feature answers a real pointer: each family of layers draws in its own pane,
and ``pointer.js`` hands each event to the topmost feature under the pointer.

Every string that comes from data (names, notes, actors, sources, the
title) passes through :func:`geokit.escape.html_text` before it reaches the
map, so a note such as ``<img src=x onerror=alert(1)>``, ``{{7*7}}`` or
``${document.title}`` shows as text and is never evaluated, neither by
branca's Jinja templates nor by the browser. Markup geokit adds itself goes
through ``_Html``, which refuses any Jinja marker. Save maps with
:func:`geokit.offline.save_html`.

The package holds one module per family of layers (:mod:`~geokit.maps.lines`,
:mod:`~geokit.maps.points`, :mod:`~geokit.maps.labels`, :mod:`~geokit.maps.base`),
the window's story (:mod:`~geokit.maps.story`), the compact transport of
their data (:mod:`~geokit.maps._compact`), the page (:mod:`~geokit.maps.page`)
and the analyst's tools (:mod:`~geokit.maps.tools`, with the Leaflet plugins
vendored in ``geokit/maps/vendor``); the page's JavaScript and CSS are files
of the package, inlined when the map is rendered. Python passes them data as
escaped JavaScript values only.
"""

from __future__ import annotations

from geokit.maps._compact import _esc, _geojson, _GeoJson, _Html, _simplified, _table  # noqa: F401
from geokit.maps.base import base_layers, boundary_layer, density_layer
from geokit.maps.forecast import forecast_map
from geokit.maps.labels import label_layer, ref_labels, town_rank
from geokit.maps.lines import (ZONE_SIMPLIFY_M, _merge_runs, corridor_layer, road_status_layer,  # noqa: F401
                               route_options_layer, zone_layer)
from geokit.maps.page import GeokitMap, add_fullscreen, add_legend, add_time_slider, add_title, corridor_map
from geokit.maps.points import INCIDENT_TYPE_COLORS, city_layer, crossing_layer, incident_layer  # noqa: F401
from geokit.maps.story import Story, window_story
from geokit.maps.tools import add_tools
from geokit.palette import STATUS_COLORS

__all__ = [
    "STATUS_COLORS",
    "GeokitMap",
    "corridor_map",
    "forecast_map",
    "road_status_layer",
    "corridor_layer",
    "route_options_layer",
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
    "add_tools",
    "window_story",
    "Story",
]
