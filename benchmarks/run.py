"""Road exposure and exposure zones: geokit against the naive geopandas route and PostGIS.

    python benchmarks/run.py --size quick     (make bench)
    python benchmarks/run.py --size full      (make bench-full)

Each size is timed in one process, every engine on the same data, so the
ratios compare like with like; peak memory is measured per engine in a fresh
subprocess. Results go to benchmarks/results/ (a CSV table and a log-log
plot). Never run by the tests.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parent))
import synthetic  # noqa: E402

from geokit.exposure import exposure_zones, road_exposure  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
RADIUS_KM = 10.0
SIZES = {
    "quick": [(10_000, 1_000), (40_000, 4_000), (100_000, 10_000)],
    "full": [(10_000, 1_000), (100_000, 10_000), (300_000, 30_000), (1_000_000, 100_000), (1_000_000, 200_000)],
}
NAIVE_MAX_SEGMENTS = 300_000  # the naive route at 1M segments takes long enough to skip; the trend is clear
OVERLAY_MAX_SEGMENTS = 40_000  # overlay is far slower still


def geokit_exposure(seg: gpd.GeoDataFrame, inc: gpd.GeoDataFrame) -> np.ndarray:
    return road_exposure(seg, inc, radius_km=RADIUS_KM, crs=synthetic.CRS)["n_incidents"].to_numpy()


def bare_strtree(seg: gpd.GeoDataFrame, inc: gpd.GeoDataFrame) -> np.ndarray:
    """The reference of issue #18: one STRtree query of the points against the segments, counts only
    (no dates, status, distinct incidents or ids), on one core."""
    tree = shapely.STRtree(seg.geometry.values)
    _, target = tree.query(inc.geometry.values, predicate="dwithin", distance=RADIUS_KM * 1000)
    return np.bincount(target, minlength=len(seg))


def bare_strtree_4326(seg: gpd.GeoDataFrame, inc: gpd.GeoDataFrame) -> np.ndarray:
    """The same reference on layers as geokit reads them (EPSG:4326): project both, then query."""
    return bare_strtree(seg.to_crs(synthetic.CRS), inc.to_crs(synthetic.CRS))


def naive_exposure(seg: gpd.GeoDataFrame, inc: gpd.GeoDataFrame) -> np.ndarray:
    """What an analyst writes: buffer the incidents, join the buffers to the roads, count."""
    buffers = gpd.GeoDataFrame(geometry=inc.buffer(RADIUS_KM * 1000), crs=inc.crs)
    joined = gpd.sjoin(seg, buffers, predicate="intersects")
    return joined.groupby(level=0).size().reindex(seg.index, fill_value=0).to_numpy()


def overlay_exposure(seg: gpd.GeoDataFrame, inc: gpd.GeoDataFrame) -> np.ndarray:
    """The slowest common route: overlay the roads with the incident buffers, count pieces."""
    buffers = gpd.GeoDataFrame({"inc": np.arange(len(inc))}, geometry=inc.buffer(RADIUS_KM * 1000), crs=inc.crs)
    pieces = gpd.overlay(seg[["segment_id", "geometry"]], buffers, how="intersection", keep_geom_type=True)
    return pieces.groupby("segment_id")["inc"].nunique().reindex(seg["segment_id"], fill_value=0).to_numpy()


def geokit_zones(inc: gpd.GeoDataFrame) -> int:
    return len(exposure_zones(inc, radius_km=RADIUS_KM, crs=synthetic.CRS))


def naive_zones(inc: gpd.GeoDataFrame) -> int:
    buffers = gpd.GeoDataFrame(geometry=inc.buffer(RADIUS_KM * 1000), crs=inc.crs)
    return len(buffers.dissolve().explode(index_parts=False))


def _timed(fn, *args) -> tuple[float, object]:
    t = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - t, out


def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize() / 2**20


def _peak_child(engine: str, seg_path: str, inc_path: str, queue: mp.Queue) -> None:
    import threading

    seg = gpd.read_parquet(seg_path)
    inc = gpd.read_parquet(inc_path)
    before = _rss_mb()
    peak = [before]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _rss_mb())
            time.sleep(0.005)

    sampler = threading.Thread(target=sample)
    sampler.start()
    {"geokit": geokit_exposure, "naive": naive_exposure}[engine](seg, inc)
    done.set()
    sampler.join()
    queue.put((peak[0], peak[0] - before))  # peak RSS during the run, and what the run added


def peak_mb(engine: str, seg_path: Path, inc_path: Path) -> tuple[float, float]:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_peak_child, args=(engine, str(seg_path), str(inc_path), queue))
    proc.start()
    result = queue.get()
    proc.join()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", choices=sorted(SIZES), default="quick")
    parser.add_argument("--postgis", choices=["auto", "yes", "no"], default="auto",
                        help="time PostGIS too (auto: when Debian's PostGIS is installed)")
    args = parser.parse_args(argv)
    postgis = None
    if args.postgis != "no":
        from postgis_baseline import PostGIS, available

        if available() or args.postgis == "yes":
            postgis = PostGIS.start()
    rows = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for n_seg, n_inc in SIZES[args.size]:
                seg = synthetic.roads(n_seg)
                inc = synthetic.incidents(n_inc, seg)
                seg_path, inc_path = Path(tmp) / "seg.parquet", Path(tmp) / "inc.parquet"
                seg.to_parquet(seg_path)
                inc.to_parquet(inc_path)
                row = {"segments": n_seg, "incidents": n_inc, "radius_km": RADIUS_KM}
                row["geokit_s"], counts = _timed(geokit_exposure, seg, inc)
                row["pairs"] = int(counts.sum())
                row["strtree_s"], bare_counts = _timed(bare_strtree, seg, inc)
                assert (bare_counts == counts).all()  # the same pairs
                row["time_vs_strtree"] = row["geokit_s"] / row["strtree_s"]
                seg_ll, inc_ll = seg.to_crs(4326), inc.to_crs(4326)  # as layers arrive
                row["geokit_4326_s"], _ = _timed(geokit_exposure, seg_ll, inc_ll)
                row["strtree_4326_s"], _ = _timed(bare_strtree_4326, seg_ll, inc_ll)
                row["time_vs_strtree_4326"] = row["geokit_4326_s"] / row["strtree_4326_s"]
                row["geokit_zones_s"], _ = _timed(geokit_zones, inc)
                row["geokit_peak_mb"], row["geokit_added_mb"] = peak_mb("geokit", seg_path, inc_path)
                if n_seg <= NAIVE_MAX_SEGMENTS:
                    row["naive_s"], naive_counts = _timed(naive_exposure, seg, inc)
                    row["naive_zones_s"], _ = _timed(naive_zones, inc)
                    # buffers are 64-gon approximations of the circles: counts agree almost everywhere
                    row["agree_share"] = float(np.mean(naive_counts == counts))
                    row["naive_peak_mb"], row["naive_added_mb"] = peak_mb("naive", seg_path, inc_path)
                    row["speedup_vs_naive"] = row["naive_s"] / row["geokit_s"]
                    row["zones_speedup_vs_naive"] = row["naive_zones_s"] / row["geokit_zones_s"]
                if n_seg <= OVERLAY_MAX_SEGMENTS:
                    row["overlay_s"], overlay_counts = _timed(overlay_exposure, seg, inc)
                    row["speedup_vs_overlay"] = row["overlay_s"] / row["geokit_s"]
                if postgis is not None:
                    row["postgis_load_s"] = postgis.load(seg, inc)
                    row["postgis_s"], pg_counts = _timed(postgis.exposure, RADIUS_KM)
                    row["postgis_agree_share"] = float(np.mean(pg_counts.reindex(range(n_seg), fill_value=0)
                                                               .to_numpy() == counts))
                    row["speedup_vs_postgis"] = row["postgis_s"] / row["geokit_s"]
                rows.append(row)
                print(json.dumps({k: (round(v, 3) if isinstance(v, float) else v) for k, v in row.items()}),
                      flush=True)
    finally:
        if postgis is not None:
            postgis.stop()
    table = pd.DataFrame(rows)
    table["machine"] = f"{platform.machine()} {mp.cpu_count()} cores"
    RESULTS.mkdir(exist_ok=True)
    table.to_csv(RESULTS / f"road_exposure_{args.size}.csv", index=False, float_format="%.4g")
    plot(table, RESULTS / f"road_exposure_{args.size}.png")
    print(f"wrote {RESULTS / f'road_exposure_{args.size}.csv'} and the plot")
    return 0


def plot(table: pd.DataFrame, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    table = table[table["incidents"] * 10 == table["segments"]]  # the 1:10 series; other ratios are in the CSV
    for col, label in (("geokit_s", "geokit road_exposure"), ("strtree_s", "bare STRtree query (counts only)"),
                       ("naive_s", "naive geopandas (buffer + sjoin)"),
                       ("overlay_s", "naive geopandas (buffer + overlay)"),
                       ("postgis_s", "PostGIS (GiST + ST_DWithin)")):
        if col in table and table[col].notna().any():
            part = table[table[col].notna()]
            ax.loglog(part["segments"], part[col], "o-", label=label)
    n = table["segments"].to_numpy(dtype=float)
    ref = table["geokit_s"].iloc[0] * (n * np.log(n)) / (n[0] * np.log(n[0]))
    ax.loglog(n, ref, "k:", label="n log n from the first point")
    ax.set_xlabel("road segments (incidents = segments / 10)")
    ax.set_ylabel("seconds")
    ax.set_title(f"Road exposure within {RADIUS_KM:g} km")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--plot-only"]:  # redraw the plot from an existing table
        size = sys.argv[2]
        plot(pd.read_csv(RESULTS / f"road_exposure_{size}.csv"), RESULTS / f"road_exposure_{size}.png")
        sys.exit(0)
    sys.exit(main())
