"""Early warning at scale (issue #31: a forecast for 1M segments x 200k past incidents in under 60 s).

    python benchmarks/forecast_scale.py --size quick   (100k segments x 20k incidents)
    python benchmarks/forecast_scale.py --size full    (1M segments x 200k incidents)

In one process, on the synthetic layers of ``synthetic.py`` (random-walk roads, clustered incidents over
2025), each stage of ``geokit.forecast.forecast`` on 1 December 2025 with a 14-day horizon is timed:
``events_s`` (the road events: nearest segment of each blockade-relevant incident), ``fit_s`` (maximum
likelihood on the most recent ``max_events`` events), ``neighbours_s`` (segments within radius_km of each
segment) and ``expected_s`` (the expectation of every segment and the drivers of the top 1,000), beside
``baseline_s``: the bare STRtree query of every incident within radius_km of the segments (the join every
exposure analysis starts from), run in the same process. ``peak_gb`` is the process's peak memory (the
synthetic layers included). Each stage also has its CPU seconds (``*_cpu_s``, this process's user +
system time): on a shared machine the wall-clock seconds grow with the load, the CPU seconds much less.

Results go to benchmarks/results/forecast_scale_{quick,full}.csv. Never run by the tests.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parent))
import synthetic  # noqa: E402

from geokit import forecast as fc  # noqa: E402
from geokit.crs import geodesic_length_km  # noqa: E402,F401
from geokit.network import RoadNetwork  # noqa: E402
from geokit.timeline import day_number  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
SIZES = {"quick": (100_000, 20_000), "full": (1_000_000, 200_000)}
ON = "2025-12-01"


def _network(roads: gpd.GeoDataFrame) -> RoadNetwork:
    """A network holding only the segments (the forecast reads its edges and CRS, not its graph)."""
    edges = roads.assign(edge_id=roads["segment_id"], length_km=roads.length.to_numpy() / 1000.0)
    empty = gpd.GeoDataFrame(geometry=[], crs=roads.crs)
    return RoadNetwork(graph=nx.MultiGraph(), edges=edges.to_crs(4326), nodes=empty, dangling=empty,
                       crs=roads.crs, snap_tolerance_m=50.0)


class _Stage:
    """Wall-clock and CPU seconds of a block, into ``row[name + "_s"]`` and ``row[name + "_cpu_s"]``."""

    def __init__(self, row: dict, name: str) -> None:
        self.row, self.name = row, name

    def __enter__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def __exit__(self, *exc: object) -> None:
        self.row[f"{self.name}_s"] = time.perf_counter() - self.wall
        self.row[f"{self.name}_cpu_s"] = time.process_time() - self.cpu
        print(f"{self.name}: {self.row[f'{self.name}_s']:.1f} s", file=sys.stderr, flush=True)


def run(n_segments: int, n_incidents: int) -> dict:
    roads = synthetic.roads(n_segments)
    incidents = synthetic.incidents(n_incidents, roads).to_crs(4326)
    network = _network(roads)
    row: dict = {"segments": n_segments, "incidents": n_incidents}
    with _Stage(row, "baseline"):
        tree = shapely.STRtree(np.asarray(roads.geometry.values))
        pairs = tree.query(np.asarray(incidents.to_crs(roads.crs).geometry.values), predicate="dwithin",
                           distance=10_000.0)
    row["baseline_pairs"] = pairs.shape[1]
    with _Stage(row, "forecast"):
        with _Stage(row, "events"):
            roads_m = fc._Roads.of(network)
            events = fc.road_events(network, incidents, radius_km=10)
        row["events"] = int((events["day"] < day_number(ON)).sum())
        with _Stage(row, "fit"):
            fitted = fc._fit_events(roads_m, events[events["day"] < day_number(ON)], last=day_number(ON) - 1)
        with _Stage(row, "neighbours"):
            near = fc._neighbours(roads_m, 10)
        row["neighbour_pairs"] = near.nnz
        with _Stage(row, "expected"):
            table = fc._expected(roads_m, near, events, fitted.params, on=day_number(ON), horizon_days=14)
    row["ratio_to_baseline"] = row["forecast_s"] / row["baseline_s"]
    row["cpu_ratio_to_baseline"] = row["forecast_cpu_s"] / row["baseline_cpu_s"]
    row["peak_gb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    row.update({f"fit_{k}": v for k, v in fitted.as_dict().items() if k in ("branching", "sigma_km",
                                                                            "decay_per_day", "n_events")})
    row["top_expected"] = float(table["expected_incidents"].max())
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="quick")
    args = parser.parse_args()
    row = run(*SIZES[args.size])
    table = pd.DataFrame([row])
    RESULTS.mkdir(exist_ok=True)
    table.to_csv(RESULTS / f"forecast_scale_{args.size}.csv", index=False, float_format="%.4g")
    print(table.T.to_string(header=False))


if __name__ == "__main__":
    main()
