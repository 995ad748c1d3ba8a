"""The ``engine="dask"`` path of the exposure functions (dask-geopandas).

Targets (road segments or places) are spatially partitioned along a Hilbert
curve with dask-geopandas; each partition is joined with the incidents that
can reach it (those within the largest radius of the partition's bounds) by
the same in-memory code, on whatever dask scheduler is active. Every target's
result depends only on the incidents near it, so the output is identical to
the in-memory engine's, row for row.

When to use it: when the targets no longer fit comfortably in one process's
memory (tens of millions of segments), or to spread a continent-scale join
over several machines. To use a real cluster, connect a client before calling
(``distributed.Client("tcp://scheduler:8786")``); geokit uses the active one.
On a single machine the in-memory engine is faster below a few million
segments (see ``benchmarks/``).
"""

from __future__ import annotations

from collections.abc import Callable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geokit._errors import GeokitError

__all__ = ["partitioned", "union_of_buffers"]


def _require():
    try:
        import dask_geopandas  # noqa: F401
    except ImportError:
        raise GeokitError("engine='dask' needs dask-geopandas and distributed: "
                          "pip install 'geokit[dask]' (or pip install dask-geopandas distributed)") from None
    import dask_geopandas

    return dask_geopandas


def _near(incidents_metric: gpd.GeoDataFrame, bounds: np.ndarray, reach_m: float) -> gpd.GeoDataFrame:
    minx, miny, maxx, maxy = bounds
    box = shapely.box(minx - reach_m, miny - reach_m, maxx + reach_m, maxy + reach_m)
    return incidents_metric[shapely.intersects(incidents_metric.geometry.array, box)]


def partitioned(
    fn: Callable[..., gpd.GeoDataFrame],
    targets_metric: gpd.GeoDataFrame,
    incidents_metric: gpd.GeoDataFrame,
    *,
    reach_m: float,
    npartitions: int | None = None,
    **kwargs: object,
) -> gpd.GeoDataFrame:
    """Run ``fn(part, incidents_near_part, **kwargs)`` on spatial partitions and reassemble.

    ``targets_metric`` and ``incidents_metric`` must share a metric CRS;
    ``reach_m`` is the farthest an incident can reach (the largest radius).
    The result has the rows of ``fn(targets, incidents)`` in the same order.
    """
    dask_geopandas = _require()
    import dask

    frame = targets_metric.reset_index(drop=True).assign(_geokit_row=np.arange(len(targets_metric)))
    n = npartitions or max(1, min(64, len(frame) // 50_000 + 1))
    dframe = dask_geopandas.from_geopandas(frame, npartitions=n).spatial_shuffle(by="hilbert")

    def run(part: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        if part.empty:
            return fn(part, incidents_metric.iloc[:0], **kwargs)
        near = _near(incidents_metric, part.total_bounds, reach_m)
        return fn(part, near, **kwargs)

    meta = fn(frame.iloc[:0], incidents_metric.iloc[:0], **kwargs)
    parts = dframe.map_partitions(run, meta=meta, align_dataframes=False)
    with dask.config.set({"dataframe.convert-string": False}):
        out = parts.compute()
    out = out.sort_values("_geokit_row", kind="mergesort").drop(columns="_geokit_row").reset_index(drop=True)
    return gpd.GeoDataFrame(pd.DataFrame(out), geometry=meta.geometry.name, crs=meta.crs)


def union_of_buffers(points: np.ndarray, radius_m: np.ndarray, *, npartitions: int | None = None
                     ) -> shapely.Geometry:
    """Union of the points' buffers: chunks along a Hilbert curve are dissolved in
    parallel on the active dask scheduler, then merged."""
    _require()
    import dask

    from geokit.exposure import discs

    series = gpd.GeoSeries(points)
    order = np.argsort(series.hilbert_distance(), kind="stable")
    n = npartitions or max(1, min(64, len(points) // 20_000 + 1))
    chunks = [c for c in np.array_split(order, n) if len(c)]

    def dissolve(idx: np.ndarray) -> shapely.Geometry:
        return shapely.union_all(discs(points[idx], radius_m[idx]))

    parts = dask.compute(*[dask.delayed(dissolve)(c) for c in chunks])
    return shapely.union_all(np.array(parts, dtype=object))
