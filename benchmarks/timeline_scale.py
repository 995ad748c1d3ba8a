"""What the status timeline adds to an analysis at scale (issue #14: at most 20 %).

    python benchmarks/timeline_scale.py --size quick   (make bench: 100k segments x 10k incidents)
    python benchmarks/timeline_scale.py --size full    (make bench-full: up to 1M x 200k)

For each size, in one process, on the synthetic layers of ``synthetic.py``:

- ``exposure_s``: ``road_exposure`` (spatial join, the window's aggregates and
  the status, which the timeline's segment intervals now give);
- ``zones_s``: ``exposure_zones``, the other half of an analysis's heavy work;
- ``intervals_s``: ``segment_intervals`` alone, on the pairs of the same join
  (part of ``exposure_s``);
- ``corridors_s``: ``corridor_intervals`` and ``episodes`` for 20 corridors
  of 2,000 segments each, with the incidents that opened and extended them;
- ``timeline_share``: (intervals_s + corridors_s) / (exposure_s - intervals_s
  + zones_s), what the timeline adds to the analysis without it.

- ``one_pass_s`` and ``one_pass_peak_gb``: what an analysis of that size
  needs in one go (issue #18: under 30 s and 4 GB at 1M x 200k), in a fresh
  process: the join with its timeline and incident ids, the zones and the
  20 corridors' episodes, timed once; the peak includes the layers themselves.

Results go to benchmarks/results/timeline_scale_{quick,full}.csv. Never run by the tests.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import synthetic  # noqa: E402

from geokit.exposure import (StatusRules, blockade_relevant, exposure_zones, incident_pairs_within,  # noqa: E402
                             road_exposure)
from geokit.timeline import corridor_intervals, day_number, episodes, segment_intervals  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
RADIUS_KM = 10.0
SIZES = {"quick": [(100_000, 10_000)], "full": [(100_000, 10_000), (1_000_000, 100_000), (1_000_000, 200_000)]}


def _timed(fn, repeat: int = 3):
    """Best of ``repeat`` runs (the first also warms caches)."""
    best, out = np.inf, None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def run(n_segments: int, n_incidents: int) -> dict:
    roads = synthetic.roads(n_segments)
    inc = synthetic.incidents(n_incidents, roads)
    rules = StatusRules()
    row = {"segments": n_segments, "incidents": n_incidents}
    row["exposure_s"], out = _timed(lambda: road_exposure(roads, inc, radius_km=RADIUS_KM, end="2025-12-31",
                                                          rules=rules, crs=synthetic.CRS))
    row["zones_s"], _ = _timed(lambda: exposure_zones(inc, radius_km=RADIUS_KM, crs=synthetic.CRS))
    seg, idx = incident_pairs_within(roads.geometry.array, inc.geometry.array,
                                     np.full(len(inc), RADIUS_KM * 1000))
    days = inc["date"].to_numpy(dtype="datetime64[ns]").astype("datetime64[D]").astype(np.int64)
    decisive = blockade_relevant(inc, rules)
    row["pairs"] = len(seg)
    row["intervals_s"], spans = _timed(lambda: segment_intervals(seg, days[idx], decisive[idx], rules))
    routes = [np.arange(i * 2_000, (i + 1) * 2_000) % n_segments for i in range(20)]
    length = roads.length.to_numpy() / 1000

    def corridors():
        c = corridor_intervals(spans, routes, length)
        member = pd.DataFrame({"corridor": np.repeat(np.arange(20), 2_000), "segment": np.concatenate(routes)})
        reach = member.merge(pd.DataFrame({"segment": seg, "incident": idx}), on="segment")
        reach = reach.assign(day=days[reach["incident"]], event_id=reach["incident"].astype(str),
                             decisive=decisive[reach["incident"]])
        return episodes(c, [f"C{i}" for i in range(20)], start=day_number("2025-01-01"),
                        end=day_number("2025-12-31"), incidents=reach)

    row["corridors_s"], table = _timed(corridors)
    row["episodes"] = len(table)
    row["blockaded_segments_at_end"] = int((out["status"].astype(str) == "blockaded").sum())
    row["timeline_share"] = (row["intervals_s"] + row["corridors_s"]) / (
        row["exposure_s"] - row["intervals_s"] + row["zones_s"])
    row["peak_rss_gb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
    return row


def one_pass(n_segments: int, n_incidents: int) -> dict:
    """One analysis's heavy work, once, in this (fresh) process: seconds and peak memory."""
    from geokit.exposure import _exposure_and_timeline

    roads = synthetic.roads(n_segments)
    inc = synthetic.incidents(n_incidents, roads)
    t = time.perf_counter()
    seg, joined = _exposure_and_timeline(roads, inc, radius_km=RADIUS_KM, start="2025-01-01", end="2025-12-31",
                                         rules=StatusRules(), crs=synthetic.CRS, incident_ids=True, timeline=True)
    exposure_zones(inc, radius_km=RADIUS_KM, crs=synthetic.CRS)
    routes = [np.arange(i * 2_000, (i + 1) * 2_000) % n_segments for i in range(20)]
    spans = corridor_intervals(joined["spans"], routes, roads.length.to_numpy() / 1000)
    episodes(spans, [f"C{i}" for i in range(20)], start=day_number("2025-01-01"), end=day_number("2025-12-31"))
    return {"one_pass_s": time.perf_counter() - t,
            "one_pass_peak_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="quick")
    parser.add_argument("--one-pass", nargs=2, type=int, metavar=("SEGMENTS", "INCIDENTS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one_pass:
        print(json.dumps(one_pass(*args.one_pass)))
        return
    rows = []
    for n_seg, n_inc in SIZES[args.size]:
        row = run(n_seg, n_inc)
        child = subprocess.run([sys.executable, __file__, "--one-pass", str(n_seg), str(n_inc)], check=True,
                               capture_output=True, text=True)
        row.update(json.loads(child.stdout.strip().splitlines()[-1]))
        rows.append(row)
        print(", ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}" for k, v in row.items()), flush=True)
    RESULTS.mkdir(exist_ok=True)
    pd.DataFrame(rows).round(4).to_csv(RESULTS / f"timeline_scale_{args.size}.csv", index=False)


if __name__ == "__main__":
    main()
