"""Labels: town and crossing names by importance, and road numbers."""

from __future__ import annotations

from collections.abc import Collection

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geokit.crs import choose_metric_crs
from geokit.escape import html_text
from geokit.maps._compact import _Marker



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

    def label(lon: float, lat: float, text: object, css: str, rank: int = 3, people: float = 0) -> _Marker:
        width = min(12 + 7 * len(str(text)), 260)
        html = (f"<div class='geokit-label {css}' data-rank='{rank}' data-people='{int(people)}' "
                "style='font:11px sans-serif;white-space:nowrap;"
                "color:#222;text-shadow:0 0 2px #fff,0 0 2px #fff,0 0 3px #fff;pointer-events:none'>"
                f"{html_text(text)}</div>")
        return _Marker(location=[lat, lon], icon=folium.DivIcon(html=html, icon_size=(width, 14), icon_anchor=(-5, 14)),
                       pane="geokitLabels", interactive=False, keyboard=False)

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
                _Marker([lonlat.y, lonlat.x], icon=folium.DivIcon(html=html, icon_size=(8 + 7 * len(ref), 14),
                                                                    icon_anchor=(4, 7)),
                        pane="geokitLabels", interactive=False, keyboard=False).add_to(group)
    return group
