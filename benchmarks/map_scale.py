"""Size and opening time of the offline map of a country-scale result.

    python benchmarks/map_scale.py [--segments 100000]

Builds a synthetic network of long roads cut into ~2 km segments, runs the
analysis with clustered incidents, writes the offline map and opens it in
headless Chromium (no network), timing until Leaflet has drawn the layers.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import synthetic  # noqa: E402

from geokit.analysis import AnalysisParams, analyse  # noqa: E402
from geokit.maps import corridor_map  # noqa: E402
from geokit.offline import save_html  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--segments", type=int, default=100_000)
    parser.add_argument("--incidents", type=int, default=5_000)
    args = parser.parse_args(argv)
    base = synthetic.roads(args.segments, steps_per_road=50)
    # one long road per chain of 50 steps: dissolve the chains, then cut into segments again
    base["road"] = np.arange(len(base)) // 50
    long_roads = base.dissolve(by="road").reset_index()[["road", "geometry"]]
    long_roads["geometry"] = long_roads.geometry.line_merge()
    inc = synthetic.incidents(args.incidents, base)
    t = time.perf_counter()
    result = analyse(long_roads, inc, params=AnalysisParams(radius_km=10, segment_km=2, start="2025-01-01",
                                                            end="2025-12-31"))
    analyse_s = time.perf_counter() - t
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        path = save_html(corridor_map(result, title="synthetic country", simplify_m=50), Path(tmp) / "map.html")
        map_s = time.perf_counter() - t
        size_mb = path.stat().st_size / 1e6
        open_s = _open_seconds(path)
    key = f"requested={args.segments}x{args.incidents}"
    line = (f"{key} segments={len(result.segments)} incidents={len(result.incidents)} analyse_s={analyse_s:.1f} "
            f"map_write_s={map_s:.1f} size_mb={size_mb:.2f} chromium_open_s={open_s}")
    print(line)
    results = Path(__file__).resolve().parent / "results"
    results.mkdir(exist_ok=True)
    # one line per requested size: make bench and make bench-full keep each other's results
    out = results / "map_scale.txt"
    kept = [x for x in (out.read_text(encoding="utf-8").splitlines() if out.is_file() else [])
            if x.startswith("requested=") and not x.startswith(key + " ")]
    tmp = out.with_suffix(".txt.tmp")
    tmp.write_text("\n".join(sorted(kept + [line])) + "\n", encoding="utf-8")
    tmp.replace(out)
    return 0


def _open_seconds(path: Path) -> str:
    exe = shutil.which("chromium")
    if exe is None:
        return "n/a (no chromium: apt-get install chromium)"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return "n/a (playwright is not installed)"

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=["--no-sandbox", "--disable-gpu",
                                                               "--disable-background-networking"])
        page = browser.new_page(viewport={"width": 1200, "height": 800})
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:")) else r.abort())
        t = time.perf_counter()
        page.goto(path.as_uri(), wait_until="load")
        page.wait_for_function("document.querySelectorAll('.leaflet-control-layers').length > 0")
        seconds = time.perf_counter() - t
        browser.close()
    return f"{seconds:.2f}"


if __name__ == "__main__":
    sys.exit(main())
