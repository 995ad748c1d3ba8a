"""Exposure zones at scale: geokit against a bare dissolve, and where the time goes.

    python benchmarks/zones_scale.py --size quick     (make bench: 10k, 50k incidents)
    python benchmarks/zones_scale.py --size full      (make bench-full: up to 200k)

For each size, in one process and on the same synthetic incidents:

- ``geokit_s``: ``exposure_zones`` (buffer, dissolve, per-zone statistics,
  geodesic areas);
- ``dissolve_s``: the bare geopandas route, ``buffer`` then ``dissolve``;
- ``assign_points_s`` / ``assign_zones_s``: the two ways to find each
  incident's zone, querying the points against an STRtree of the zones (the
  old code) or the zones against an STRtree of the points (each zone is
  prepared once; geokit's ``_zone_of``, timed here as it runs). Both must give the same owners.

Results go to benchmarks/results/zones_scale_{quick,full}.csv. Never run by the tests.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parent))
import synthetic  # noqa: E402

from geokit.exposure import _zone_of, exposure_zones  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
RADIUS_KM = 10.0
SIZES = {"quick": [10_000, 50_000], "full": [10_000, 50_000, 100_000, 200_000]}


def _timed(fn, *args):
    t = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - t, out


def _owners_by_points(points: np.ndarray, zones: np.ndarray) -> np.ndarray:
    pt, zone = shapely.STRtree(zones).query(points, predicate="within")
    owner = np.empty(len(points), dtype=int)
    owner[pt] = zone
    return owner


def run(n_incidents: int) -> dict:
    inc = synthetic.incidents(n_incidents, synthetic.roads(max(5 * n_incidents, 10_000)))
    row = {"incidents": n_incidents}
    row["geokit_s"], zones = _timed(lambda: exposure_zones(inc, radius_km=RADIUS_KM, crs=synthetic.CRS))
    row["zones"] = len(zones)
    row["dissolve_s"], parts = _timed(
        lambda: shapely.get_parts(gpd.GeoSeries(inc.buffer(RADIUS_KM * 1000)).union_all()))
    points = inc.geometry.array
    row["assign_points_s"], by_points = _timed(_owners_by_points, points, parts)
    row["assign_zones_s"], by_zones = _timed(_zone_of, points, parts)
    if not np.array_equal(by_points, by_zones):
        raise SystemExit(f"{n_incidents}: the two assignments disagree")
    row["assign_speedup"] = row["assign_points_s"] / row["assign_zones_s"]
    row["geokit_vs_dissolve"] = row["dissolve_s"] / row["geokit_s"]
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", choices=sorted(SIZES), default="quick")
    args = parser.parse_args()
    rows = []
    for n in SIZES[args.size]:
        rows.append(run(n))
        print(", ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}" for k, v in rows[-1].items()),
              flush=True)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"zones_scale_{args.size}.csv"
    tmp = out.with_suffix(".csv.tmp")
    pd.DataFrame(rows).round(4).to_csv(tmp, index=False)
    tmp.replace(out)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
