"""The whole `geokit build` against an analyst's naive buffer-and-sjoin script, side by side.

Both run as fresh processes (start-up included) on the same layers: the shipped Mali road network
(324 lines, 24,593 km) and N generated incidents over 2025 (benchmarks/synthetic.py), with a
whole-year window. The naive script reads the layers, projects them to UTM 29N, buffers every
incident by 10 km, joins the buffers to the roads (incidents per road), dissolves the buffers into
zones and writes a GeoPackage: what geokit's build replaces, without its timeline, corridors,
detours, map or brief. geokit's own stage times come from the build's build.log.

    python benchmarks/build_scale.py --incidents 10000 30000
    python benchmarks/build_scale.py --incidents 100000

Prints a table and writes benchmarks/results/build_scale.csv (one row per size; a run replaces the
rows of the sizes it measures).
"""

from __future__ import annotations

import argparse
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
MALI = ROOT / "layers" / "mali_2025"
RESULTS = HERE / "results" / "build_scale.csv"

NAIVE = """
import sys, geopandas as gpd, pandas as pd
folder = sys.argv[1]
roads = gpd.read_file(folder + "/roads.geojson").to_crs(32629)
table = pd.read_csv(folder + "/incidents.csv")
inc = gpd.GeoDataFrame(table, geometry=gpd.points_from_xy(table.longitude, table.latitude), crs=4326).to_crs(32629)
zones = inc.copy()
zones["geometry"] = inc.buffer(10_000)
joined = gpd.sjoin(roads, zones[["geometry"]], predicate="intersects")
roads["n_incidents"] = joined.groupby(level=0).size().reindex(roads.index, fill_value=0)
dissolved = gpd.GeoDataFrame(geometry=[zones.union_all()], crs=32629).explode(index_parts=False)
roads.to_file(folder + "/naive.gpkg", layer="roads", driver="GPKG")
dissolved.to_file(folder + "/naive.gpkg", layer="zones", driver="GPKG")
"""


def make_project(folder: Path, n_incidents: int) -> Path:
    """The shipped layers and project, with N generated incidents over 2025 and a whole-year window."""
    sys.path.insert(0, str(HERE))
    import synthetic

    import geokit

    for name in ("roads.geojson", "cities.geojson", "border_crossings.geojson"):
        shutil.copy(MALI / name, folder / name)
    roads = geokit.read_roads(folder / "roads.geojson").to_crs(synthetic.CRS)
    inc = synthetic.incidents(n_incidents, roads).to_crs(4326)
    pd.DataFrame({"event_id_cnty": inc["event_id"], "event_date": inc["date"].dt.strftime("%Y-%m-%d"),
                  "event_type": inc["event_type"], "sub_event_type": inc["sub_event_type"],
                  "fatalities": inc["fatalities"], "latitude": inc.geometry.y.round(5),
                  "longitude": inc.geometry.x.round(5)}).to_csv(folder / "incidents.csv", index=False)
    text = (MALI / "project.toml").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^(boundaries|regions|rivers|lakes|population) = .*$", "", text)
    text = re.sub(r"(?m)^start = .*$", 'start = "2025-01-01"', text)
    text = re.sub(r"(?m)^end = .*$", 'end = "2025-12-31"', text)
    (folder / "project.toml").write_text(text, encoding="utf-8")
    return folder / "project.toml"


def timed(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and peak memory (GB) of a child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, max(peak, before) / 2**20  # ru_maxrss is in KB on Linux


def stages(build_log: Path) -> dict[str, float]:
    out: dict[str, float] = {}
    for line in build_log.read_text(encoding="utf-8").splitlines():
        if line.startswith("timings (s): "):
            for part in line[len("timings (s): "):].split(", "):
                name, _, value = part.rpartition(" ")
                out[name] = float(value)
    return out


def run(n_incidents: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        project = make_project(folder, n_incidents)
        naive_s, naive_gb = timed([sys.executable, "-c", NAIVE, str(folder)])
        geokit_s, geokit_gb = timed([sys.executable, "-m", "geokit", "build", str(project), "--out",
                                     str(folder / "out"), "-q"])
        parts = stages(folder / "out" / "build.log")
        map_mb = (folder / "out" / "map.html").stat().st_size / 1e6
    row = {"incidents": n_incidents, "naive_s": round(naive_s, 2), "geokit_s": round(geokit_s, 2),
           "ratio": round(geokit_s / naive_s, 2), "naive_peak_gb": round(naive_gb, 2),
           "geokit_peak_gb": round(geokit_gb, 2), "map_mb": round(map_mb, 1)}
    row.update({f"{k}_s": round(v, 2) for k, v in parts.items()})
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, nargs="+", default=[10_000, 30_000])
    args = parser.parse_args(argv)
    rows = [run(n) for n in args.incidents]
    table = pd.DataFrame(rows)
    with pd.option_context("display.width", 200, "display.max_columns", 30):
        print(table.to_string(index=False))
        for row in rows:
            shares = {k[:-2]: v / row["geokit_s"] for k, v in row.items()
                      if k.endswith("_s") and k not in ("naive_s", "geokit_s")}
            print(f"{row['incidents']:,} incidents: " + ", ".join(f"{k} {v:.0%}" for k, v in shares.items()))
    RESULTS.parent.mkdir(exist_ok=True)
    if RESULTS.exists():
        old = pd.read_csv(RESULTS)
        table = pd.concat([old[~old["incidents"].isin(table["incidents"])], table], ignore_index=True)
    table.sort_values("incidents").to_csv(RESULTS, index=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
