"""Synthetic layers at chosen sizes, with realistic shapes, for the benchmarks.

Roads are random walks of 1-3 km steps (each step one segment), spread over a
square whose side keeps the road density of a well-roaded Sahel country
(0.3 km of road per km^2). Incidents come in clusters (sigma 5 km) placed on
road vertices, each cluster active for a few weeks of a year.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

CRS = 32629  # UTM 29N, metres
ROAD_DENSITY_KM_PER_KM2 = 0.3


def roads(n_segments: int, *, seed: int = 0, steps_per_road: int = 50) -> gpd.GeoDataFrame:
    """``n_segments`` two-point segments, 1-3 km each, chained into roads."""
    rng = np.random.default_rng(seed)
    n_roads = max(n_segments // steps_per_road, 1)
    side_m = np.sqrt(n_segments * 2.0 / ROAD_DENSITY_KM_PER_KM2) * 1000
    start = rng.uniform(0, side_m, (n_roads, 2))
    heading = rng.uniform(0, 2 * np.pi, n_roads)
    turn = rng.normal(0, 0.25, (n_roads, steps_per_road)).cumsum(axis=1) + heading[:, None]
    step = rng.uniform(1000, 3000, (n_roads, steps_per_road))
    xy = np.concatenate([start[:, None, :], start[:, None, :] + np.stack(
        [np.cumsum(step * np.cos(turn), 1), np.cumsum(step * np.sin(turn), 1)], axis=2)], axis=1)
    a = xy[:, :-1].reshape(-1, 2)[:n_segments]
    b = xy[:, 1:].reshape(-1, 2)[:n_segments]
    lines = shapely.linestrings(np.stack([a, b], axis=1))
    return gpd.GeoDataFrame({"segment_id": np.arange(len(lines)), "ref": "S"}, geometry=lines, crs=CRS)


def incidents(n_incidents: int, road_layer: gpd.GeoDataFrame, *, seed: int = 1,
              per_cluster: int = 20) -> gpd.GeoDataFrame:
    """Clustered incidents near the roads over 2025, with ACLED-like types."""
    rng = np.random.default_rng(seed)
    n_clusters = max(n_incidents // per_cluster, 1)
    vertices = shapely.get_coordinates(road_layer.geometry.array[:: max(len(road_layer) // 50_000, 1)])
    centre = vertices[rng.integers(0, len(vertices), n_clusters)]
    owner = rng.integers(0, n_clusters, n_incidents)
    xy = centre[owner] + rng.normal(0, 5000, (n_incidents, 2))
    day0 = rng.integers(0, 330, n_clusters)
    dates = pd.Timestamp("2025-01-01") + pd.to_timedelta(day0[owner] + rng.integers(0, 35, n_incidents), "D")
    types = np.array(["Battles", "Violence against civilians", "Explosions/Remote violence", "Riots"])
    subs = np.array(["Ambush on convoy", "Attack", "Remote explosive/landmine/IED", "Mob violence"])
    kind = rng.integers(0, 4, n_incidents)
    return gpd.GeoDataFrame({
        "event_id": [f"E{i}" for i in range(n_incidents)], "date": dates, "event_type": types[kind],
        "sub_event_type": subs[kind], "fatalities": rng.poisson(1.0, n_incidents), "geo_precision": 1,
    }, geometry=shapely.points(xy), crs=CRS)
