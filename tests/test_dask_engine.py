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
