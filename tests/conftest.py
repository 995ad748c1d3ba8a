"""Shared fixtures: the real data beside the project, and small hand-made layers."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from geokit.conftest import no_network  # noqa: F401  (autouse: no test reaches past this machine)

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"
MALI = ROOT / "layers" / "mali_2025"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real layers in ../shared/data: skipped where absent, a failure when CI=true."""
    if not (SHARED_DATA / "PROVENANCE.md").is_file():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true but the real data folder {SHARED_DATA} is missing")
        pytest.skip(f"the real data folder {SHARED_DATA} is absent (it lies beside the project root)")
    return SHARED_DATA


# --- a small project on the shipped layers ---------------------------------------------------------------

#: One corridor (Kayes-Bamako) over September 2025, on a copy of the shipped Mali layers.
KAYES_PROJECT = """
[project]
name = "test"
[layers]
roads = "roads.geojson"
cities = "cities.geojson"
incidents = "incidents.csv"
[[corridors]]
name = "K"
origin = "Kayes"
destination = "Bamako"
[analysis]
start = "2025-09-01"
end = "2025-09-30"
radius_km = 10
"""


def copy_mali_layers(folder: Path, *, text: str | None = None) -> Path:
    """Copy the shipped roads, towns, crossings and incidents into ``folder``; with ``text``, write it as
    ``project.toml`` there and return its path (else the folder)."""
    for name in ("roads.geojson", "cities.geojson", "border_crossings.geojson", "incidents.csv"):
        shutil.copy(MALI / name, folder / name)
    if text is None:
        return folder
    (folder / "project.toml").write_text(text, encoding="utf-8")
    return folder / "project.toml"


# --- a real browser -----------------------------------------------------------------------------

#: JavaScript expression for the page's Leaflet map object (folium names it map_<id>).
MAP = "window[Object.keys(window).find(k => k.startsWith('map_') && window[k] instanceof L.Map)]"


def _chromium():
    path = os.environ.get("GEOKIT_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI=true but no chromium: make test installs Debian's chromium (apt-get install chromium)")
        pytest.skip("no chromium on this machine; make test installs it (apt-get install chromium)")
    return path


@pytest.fixture(scope="module")
def page_of():
    playwright = pytest.importorskip("playwright.sync_api")
    exe = _chromium()
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])

        def open_page(path, *, leaflet=True):
            page = browser.new_page(viewport={"width": 1200, "height": 800})
            log = {"errors": [], "failed": [], "external": [], "dialogs": []}
            page.on("console", lambda msg: log["errors"].append(msg.text) if msg.type == "error" else None)
            page.on("pageerror", lambda exc: log["errors"].append(str(exc)))
            page.on("requestfailed", lambda req: log["failed"].append(req.url))
            page.on("dialog", lambda d: (log["dialogs"].append(d.message), d.dismiss()))

            def guard(route):
                if route.request.url.startswith(("file:", "data:")):
                    route.continue_()
                else:
                    log["external"].append(route.request.url)
                    route.abort()

            page.route("**/*", guard)
            page.goto(path.as_uri())
            if leaflet:
                page.wait_for_function("typeof L !== 'undefined'")
            page.wait_for_timeout(500)
            return page, log

        yield open_page
        browser.close()


