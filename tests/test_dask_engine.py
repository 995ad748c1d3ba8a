"""engine="dask" gives the in-memory engine's results, row for row, on a LocalCluster."""

import sys
from pathlib import Path

import pandas as pd
import pytest

from geokit.exposure import road_exposure

pytest.importorskip("dask_geopandas")
distributed = pytest.importorskip("distributed")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import synthetic  # noqa: E402


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=None, silence_logs=40)
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()


@pytest.mark.slow
def test_dask_engine_equals_memory_engine(client):
    seg = synthetic.roads(20_000)
    inc = synthetic.incidents(2_000, seg)
    kwargs = dict(radius_km=10, end="2025-12-31", crs=synthetic.CRS, incident_ids=True)
    memory = road_exposure(seg, inc, **kwargs)
    spread = road_exposure(seg, inc, engine="dask", npartitions=8, **kwargs)
    assert len(client.scheduler_info()["workers"]) == 2
    pd.testing.assert_frame_equal(spread.drop(columns="geometry"), memory.drop(columns="geometry"),
                                  check_dtype=False, check_categorical=False)
    assert spread.geometry.geom_equals_exact(memory.geometry, tolerance=0).all()
    assert (memory["status"] == "blockaded").sum() > 0  # a meaningful comparison, not all-open


def test_unknown_engine_is_refused():
    seg = synthetic.roads(10)
    inc = synthetic.incidents(5, seg)
    with pytest.raises(ValueError, match="engine='spark': use 'memory' or 'dask'"):
        road_exposure(seg, inc, radius_km=1, engine="spark", crs=synthetic.CRS)


@pytest.mark.slow
def test_dask_zones_and_places_equal_memory(client):
    import geopandas as gpd
    import numpy as np
    import shapely

    from geokit.exposure import exposure_zones, place_exposure

    seg = synthetic.roads(20_000)
    inc = synthetic.incidents(3_000, seg)
    memory = exposure_zones(inc, radius_km=10, crs=synthetic.CRS)
    spread = exposure_zones(inc, radius_km=10, crs=synthetic.CRS, engine="dask", npartitions=6)
    cols = ["zone_id", "n_incidents", "fatalities", "first_date", "last_date", "event_types"]
    pd.testing.assert_frame_equal(spread[cols], memory[cols])
    np.testing.assert_allclose(spread["area_km2"], memory["area_km2"], rtol=1e-9)
    # the same polygons up to floating-point noise from the order of the unions
    a, b = spread.to_crs(synthetic.CRS).geometry.array, memory.to_crs(synthetic.CRS).geometry.array
    assert (shapely.area(shapely.symmetric_difference(a, b)) / shapely.area(b) < 1e-9).all()
    towns = gpd.GeoDataFrame({"name": [f"T{i}" for i in range(500)]}, crs=synthetic.CRS,
                             geometry=shapely.get_point(seg.geometry.array[::40], 0))
    a = place_exposure(towns, inc, radius_km=10, crs=synthetic.CRS)
    b = place_exposure(towns, inc, radius_km=10, crs=synthetic.CRS, engine="dask", npartitions=4)
    pd.testing.assert_frame_equal(a.drop(columns="geometry"), b.drop(columns="geometry"))
