"""Maps: escaping, offline files, and the Mali map in a real headless Chromium with no network."""

import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

import geokit
from conftest import MALI, MAP, SHARED_DATA
from geokit import GeokitWarning
from geokit.analysis import AnalysisParams, analyse
from geokit.maps import corridor_map
from geokit.offline import save_html
from geokit.project import load_project
from geokit.raster import incident_density

HOSTILE = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def analysis():
    project = load_project(MALI / "project.toml")
    incidents = geokit.read_incidents(MALI / "incidents.csv")
    hostile = incidents.iloc[[0]].copy()
    hostile["event_id"] = "HOSTILE-1"
    hostile["notes"] = HOSTILE
    hostile["actor"] = "<script>alert('actor')</script>"
    hostile["date"] = pd.Timestamp("2025-10-02")
    incidents = gpd.GeoDataFrame(pd.concat([incidents, hostile], ignore_index=True), crs=4326)
    return analyse(geokit.read_roads(MALI / "roads.geojson"), incidents,
                   cities=geokit.read_cities(MALI / "cities.geojson"),
                   crossings=geokit.read_crossings(MALI / "border_crossings.geojson"),
                   corridors=project.corridors, params=AnalysisParams(start="2025-09-01", end="2025-11-30"))


@pytest.fixture(scope="module")
def boundaries():
    if not (SHARED_DATA / "admin0_countries_ne50m.geojson").is_file():
        return None
    return geokit.read_boundaries(SHARED_DATA / "admin0_countries_ne50m.geojson")


@pytest.fixture(scope="module")
def offline_map(analysis, boundaries, tmp_path_factory):
    density = incident_density(analysis.incidents, cell_km=5, bandwidth_km=20, crs=analysis.network.crs)
    m = corridor_map(analysis, boundaries=boundaries, density=density, title="Mali <fuel> blockade",
                     sources=["geokit Mali 2025 layer set", "Natural Earth"])
    path = save_html(m, tmp_path_factory.mktemp("map") / "map.html")
    return m, path


def test_data_strings_are_escaped(offline_map):
    _, path = offline_map
    page = path.read_text(encoding="utf-8")
    assert HOSTILE not in page
    assert "<script>alert('actor')" not in page
    assert re.search(r"(&lt;|\\u0026lt;)img src=x onerror=alert\(1\)(&gt;|\\u0026gt;)", page)
    assert "Mali &lt;fuel&gt; blockade" in page


def test_offline_file_has_no_external_asset_or_tiles(offline_map, analysis):
    m, path = offline_map
    page = path.read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]+src=\"https?:", page)
    assert not re.search(r"<link[^>]+href=\"https?:", page)
    assert "tile.openstreetmap.org" not in page
    assert "L.markerClusterGroup" in page and "Leaflet 1.9.3" in page  # inlined from xstatic packages
    online = save_html(m, path.with_name("online.html"), offline=False).read_text(encoding="utf-8")
    assert "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js" in online
    assert "tile.openstreetmap.org" not in online  # issue #27: no remote tiles unless asked for
    asked = save_html(corridor_map(analysis, tiles=True), path.with_name("tiles.html"), offline=False)
    assert "tile.openstreetmap.org" in asked.read_text(encoding="utf-8")


def test_size_warning(offline_map, tmp_path):
    m, _ = offline_map
    with pytest.warns(GeokitWarning, match="over 0.1 MB"):
        save_html(m, tmp_path / "big.html", warn_mb=0.1)


def test_mali_map_size_is_reported(offline_map):
    _, path = offline_map
    size_mb = path.stat().st_size / 1e6
    print(f"Mali offline map: {size_mb:.2f} MB")
    assert size_mb < 10


# --- a real browser (the page_of fixture is in conftest.py) ---------------------------------------



def test_offline_map_loads_cleanly_in_chromium(page_of, offline_map, analysis, boundaries):
    page, log = page_of(offline_map[1])
    assert log["errors"] == [] and log["failed"] == [] and log["external"] == []
    assert page.evaluate("L.version") == "1.9.3"
    counts = page.evaluate(f"""() => {{
        const map = {MAP};
        let markers = 0, paths = 0, polygons = 0, groups = 0;
        map.eachLayer(l => {{
            if (l instanceof L.MarkerClusterGroup) markers += l.getLayers().length;
            if (l instanceof L.Polygon) polygons += 1;
            else if (l instanceof L.Polyline) paths += 1;
            if (l instanceof L.FeatureGroup) groups += 1;
        }});
        return {{markers, paths, polygons, groups}};
    }}""")
    assert counts["markers"] == len(analysis.incidents)
    from geokit.maps import _merge_runs

    # consecutive segments of a road with one status are drawn as one line
    assert counts["paths"] >= len(_merge_runs(analysis.segments)) + len(analysis.corridors)
    n_boundaries = 0 if boundaries is None else len(boundaries)
    assert counts["polygons"] >= len(analysis.zones) + n_boundaries
    assert page.locator("#geokit-legend").is_visible()
    assert page.locator(".leaflet-control-scale").count() == 1
    assert page.locator(".geokit-fullscreen").count() == 1
    assert page.locator(".leaflet-control-layers").count() == 1


@pytest.mark.filterwarnings("ignore::rasterio.errors.NotGeoreferencedWarning")  # a screenshot PNG
def test_screenshot_is_not_blank(page_of, offline_map, tmp_path):
    from rasterio.io import MemoryFile

    page, _ = page_of(offline_map[1])
    png = page.screenshot()
    with MemoryFile(png) as mem, mem.open() as src:
        pixels = src.read()
    assert pixels.shape[1:] == (800, 1200)
    assert pixels[:3].std() > 20  # a blank page has (almost) no spread
    assert len(np.unique(pixels[:3].reshape(3, -1).T, axis=0)) > 50


def test_time_slider_changes_what_is_shown(page_of, offline_map, analysis):
    page, log = page_of(offline_map[1])
    count = f"() => {{ let n = 0; {MAP}.eachLayer(l => {{ if (l instanceof L.MarkerClusterGroup) n += l.getLayers().length; }}); return n; }}"
    total = page.evaluate(count)
    page.evaluate("geokitShowPeriod('2025-09')")
    september = page.evaluate(count)
    assert page.locator("#geokit-slider-label").inner_text() == "2025-09"
    expected = int((analysis.incidents["date"].dt.to_period("M").astype(str) == "2025-09").sum())
    assert september == expected < total
    page.evaluate("geokitShowPeriod('all')")
    assert page.evaluate(count) == total
    assert log["errors"] == []


def test_injected_note_does_not_execute(page_of, offline_map):
    page, log = page_of(offline_map[1])
    page.evaluate("geokitShowPeriod('2025-10')")
    opened = page.evaluate(f"""() => {{
        const map = {MAP}; let hit = null;
        map.eachLayer(l => {{
            if (l instanceof L.MarkerClusterGroup) l.getLayers().forEach(m => {{
                if (m.feature && m.feature.properties.event_id === 'HOSTILE-1') hit = m;
            }});
        }});
        if (!hit) return null;
        map.setView(hit.getLatLng(), 18);
        hit.openPopup();
        const el = document.querySelector('.leaflet-popup-content');
        return el ? el.innerText : '';
    }}""")
    page.wait_for_timeout(300)
    assert log["dialogs"] == [] and log["errors"] == []
    assert opened is not None, "the hostile incident is not on the map"
    assert HOSTILE in opened  # shown as text in the popup
    assert "<script>alert('actor')</script>" in opened
    assert page.locator(".leaflet-popup-content img").count() == 0


def test_demo_build_map_opens_offline_with_all_layers(page_of, tmp_path):
    from geokit.build import build_project, default_project_path

    base = SHARED_DATA / "admin0_countries_ne50m.geojson"
    build_project(default_project_path(), tmp_path, boundaries=base if base.is_file() else None)
    page, log = page_of(tmp_path / "map.html")
    assert log["errors"] == [] and log["failed"] == [] and log["external"] == []
    names = page.evaluate("() => Array.from(document.querySelectorAll('.leaflet-control-layers-overlays label'))"
                          ".map(l => l.textContent.trim())")
    for layer in ("Roads by status", "Exposure zones", "Corridors", "Incident density", "Cities",
                  "Border crossings"):
        assert layer in names, names
    if base.is_file():
        assert "Countries (offline base)" in names


#: Each corridor drawn (its halo): the halo's colour (its worst status in the period shown) and its status at the
#: period's end.
CORRIDORS = f"""() => {{ const out = []; {MAP}.eachLayer(l => {{
    if (l.options.pane === 'geokitCorridors' && l.options.interactive !== false && l.feature)
        out.push([l.options.color, l.feature.properties.status_text]); }});
    return out.sort(); }}"""


def test_slider_steps_corridor_status_through_a_timeline(page_of, analysis, tmp_path):
    """Steps of one analysis per month are drawn under the slider."""
    months = {}
    from dataclasses import replace

    for label, (a, b) in {"2025-09": ("2025-09-01", "2025-09-30"), "2025-10": ("2025-10-01", "2025-10-31")}.items():
        params = replace(analysis.params, start=a, end=b)
        months[label] = analyse(geokit.read_roads(MALI / "roads.geojson"), analysis.incidents,
                                corridors=load_project(MALI / "project.toml").corridors,
                                params=params, network=analysis.network)
    m = corridor_map(analysis, steps=months)
    page, log = page_of(save_html(m, tmp_path / "timeline.html"))
    page.evaluate("geokitShowPeriod('2025-09')")
    september = page.evaluate(CORRIDORS)
    page.evaluate("geokitShowPeriod('2025-10')")
    october = page.evaluate(CORRIDORS)
    assert log["errors"] == []
    # at the end of September: Dakar and Nouakchott (13-19 Sep ambushes) and Bamako-Mopti (6 Sep roadblock);
    # at the end of October: Abidjan and Bobo-Dioulasso (6 Oct, near Sikasso)
    assert [s for _, s in september].count("blockaded") == 3
    assert [s for _, s in october].count("blockaded") == 2
    # the halo is the worst status in the month: in October, the three reopened mid-month and the two cut
    assert [c for c, _ in september].count("#d73027") == 3 and [c for c, _ in october].count("#d73027") == 5


def test_batch_timeline_map_steps_through_the_windows(page_of, tmp_path):
    """``build --every 1M`` writes one offline map whose slider shows each month's incidents and status."""
    from geokit.build import build_batch, default_project_path

    build_batch(default_project_path(), tmp_path, every="1M")
    assert "timeline_map.html" in (tmp_path / "index.html").read_text()
    page, log = page_of(tmp_path / "timeline_map.html")
    markers = f"() => {{ let n = 0; {MAP}.eachLayer(l => {{ if (l instanceof L.MarkerClusterGroup) n += l.getLayers().length; }}); return n; }}"
    red = f"() => ({CORRIDORS})().filter(([c, s]) => s === 'blockaded').length"
    incidents = pd.read_csv(MALI / "incidents.csv", parse_dates=["event_date"])
    per_month = incidents["event_date"].dt.to_period("M").astype(str).value_counts()
    page.evaluate("geokitShowPeriod('2025-09-01 to 2025-09-30')")
    assert page.locator("#geokit-slider-label").inner_text() == "2025-09-01 to 2025-09-30"
    assert page.evaluate(markers) == per_month["2025-09"]
    assert page.evaluate(red) == 3  # Dakar, Nouakchott and Bamako-Mopti blockaded at the end of September
    page.evaluate("geokitShowPeriod('2025-10-01 to 2025-10-31')")
    assert page.evaluate(markers) == per_month["2025-10"]
    assert page.evaluate(red) == 2  # Abidjan and Bobo-Dioulasso at the end of October
    lines = f"() => ({CORRIDORS})().length"
    in_october = page.evaluate(lines)
    page.evaluate("geokitShowPeriod('all')")
    assert page.evaluate(lines) == in_october  # at "all", one status per corridor, not three stacked
    assert log["errors"] == [] and log["failed"] == [] and log["external"] == []


def test_a_copy_of_the_mali_folder_draws_its_own_base(page_of, tmp_path):
    """Issue #15: the layer folder alone (no ../shared) builds a map with country, region, river and
    lake outlines, and the sources of each in its title."""
    import shutil

    from geokit.build import build_project

    folder = tmp_path / "mali_copy"
    shutil.copytree(MALI, folder, ignore=shutil.ignore_patterns("make_layers.py", "__pycache__"))
    build_project(folder / "project.toml", tmp_path / "out", start="2025-09-01", end="2025-09-30")
    page, log = page_of(tmp_path / "out" / "map.html")
    assert log["errors"] == [] and log["external"] == []
    names = page.evaluate("() => Array.from(document.querySelectorAll('.leaflet-control-layers-overlays label'))"
                          ".map(l => l.textContent.trim())")
    for layer in ("Countries (offline base)", "Lakes", "Rivers", "Regions"):
        assert layer in names, names
    counts = page.evaluate(f"""() => {{ const out = {{}}; {MAP}.eachLayer(l => {{
        if (l.feature && l.options && l.options.color) {{
            const key = l.options.color + (l.options.dashArray ? ' dashed' : '');
            out[key] = (out[key] || 0) + 1; }} }}); return out; }}""")
    assert counts.get("#6a9fc9", 0) >= 30  # rivers and lakes drawn (39 river lines, 7 lakes in the folder)
    assert counts.get("#8c7b6b dashed", 0) == 9  # Mali's nine regions of geoBoundaries
    title = page.locator("#geokit-title").inner_text()
    assert "geoBoundaries" in title and "Natural Earth" in title and "OpenStreetMap" in title
    people = pd.read_csv(tmp_path / "out" / "population_exposed.csv")
    assert people["region"].iloc[-1] == "(all regions)"
    assert people["town_population_exposed"].iloc[-1] == people["town_population_exposed"].iloc[:-1].sum()


def test_brief_opens_offline_with_its_chart_map_and_every_corridor(page_of, tmp_path):
    """Issue #16 (the brief): brief.html is self-contained, names every corridor with its status, holds
    the map and the status chart, links only http(s) sources, and prints to 1-2 pages."""
    from geokit.brief import find_chromium
    from geokit.build import build_project

    written = build_project(MALI / "project.toml", tmp_path, start="2025-09-01", end="2025-09-30",
                            pdf=find_chromium() is not None)
    page, log = page_of(tmp_path / "brief.html", leaflet=False)
    assert log["errors"] == [] and log["external"] == [] and log["failed"] == []
    text = page.evaluate("document.body.innerText")
    for corridor in ("Dakar-Bamako", "Nouakchott-Bamako", "Conakry-Bamako", "Abidjan-Bamako",
                     "Bobo-Dioulasso-Bamako", "Bamako-Mopti"):
        assert corridor in text
    assert "13 Sep 2025 to (still on)" in text  # Dakar and Nouakchott, blockaded on 30 Sep
    images = page.evaluate("Array.from(document.images).map(i => [i.alt, i.naturalWidth, i.src.slice(0, 22)])")
    assert [alt for alt, _, _ in images] == ["Map of the corridors by status", "Corridor status over time"]
    assert all(width > 300 and src == "data:image/png;base64," for _, width, src in images)
    hrefs = page.evaluate("Array.from(document.links).map(a => a.href)")
    assert hrefs and all(h.startswith(("http://", "https://")) for h in hrefs)
    if tmp_path / "brief.pdf" in written:
        pdf = (tmp_path / "brief.pdf").read_bytes()
        assert pdf.startswith(b"%PDF") and 1 <= len(re.findall(rb"/Type\s*/Page[^s]", pdf)) <= 3


def test_a_map_in_jupyter_needs_no_network(analysis):
    """Issue #16: the notebook representation inlines Leaflet and the plugins, like save_html."""
    import html as stdlib_html

    shown = corridor_map(analysis)._repr_html_()
    page = stdlib_html.unescape(shown.split('srcdoc="', 1)[1].split('" style=', 1)[0])
    assert not re.search(r"<script[^>]+src=\"https?:", page) and not re.search(r"<link[^>]+href=\"https?:", page)
    assert "L.markerClusterGroup" in page and "Leaflet 1.9.3" in page


def test_labels_and_a_phone_sized_legend(page_of, offline_map, tmp_path):
    """Issue #16: Bamako and Kayes are labelled at the opening view; on a 390 x 844 phone screen the
    legend starts folded and leaves the map visible."""
    page, log = page_of(offline_map[1])
    visible = """Array.from(document.querySelectorAll('.geokit-label'))
        .filter(e => e.offsetParent && getComputedStyle(e).visibility !== 'hidden')"""
    labels = page.evaluate(f"{visible}.map(e => e.textContent)")
    assert "Bamako" in labels and "Kayes" in labels
    # decluttered: no two labels shown overlap
    boxes = page.evaluate(f"{visible}.map(e => {{ const r = e.getBoundingClientRect(); "
                          "return [r.left, r.top, r.right, r.bottom]; })")
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not (a[0] < b[2] and a[2] > b[0] and a[1] < b[3] and a[3] > b[1]), (a, b)
    # minor towns and road numbers appear from zoom 8 on
    assert page.evaluate("document.querySelectorAll('.geokit-ref').length") == 0
    page.evaluate(f"void {MAP}.setView([14.45, -11.0], 9)")
    page.wait_for_function("document.querySelectorAll('.geokit-ref').length > 0", timeout=5000)  # after zoomend
    refs = page.evaluate("Array.from(document.querySelectorAll('.geokit-ref')).map(e => e.textContent)")
    assert "RN3" in refs
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    page.wait_for_function("typeof L !== 'undefined'")
    page.wait_for_timeout(300)
    legend = page.evaluate("(() => { const d = document.getElementById('geokit-legend');"
                           " const r = d.getBoundingClientRect(); return [d.open, r.width * r.height]; })()")
    assert legend[0] is False and legend[1] < 0.05 * 390 * 844
    assert log["errors"] == []


def test_the_offline_base_adds_at_most_1_mb(analysis, tmp_path):
    """Issue #16: countries, regions, rivers and lakes drawn beneath the analysis cost at most 1 MB."""
    base = {"boundaries": geokit.read_boundaries(MALI / "countries.geojson"),
            "regions": geokit.load_layer(MALI / "mali_regions.geojson", "regions")[0],
            "rivers": geokit.load_layer(MALI / "rivers.geojson", "rivers")[0],
            "lakes": geokit.load_layer(MALI / "lakes.geojson", "lakes")[0]}
    bare = save_html(corridor_map(analysis), tmp_path / "bare.html").stat().st_size
    with_base = save_html(corridor_map(analysis, base=base), tmp_path / "base.html").stat().st_size
    print(f"\noffline base: {(with_base - bare) / 1e6:.2f} MB")
    assert 50_000 < with_base - bare <= 1_000_000


def test_online_tiles_are_an_opt_in_from_xyzservices(analysis, tmp_path):
    m = corridor_map(analysis, tiles="OpenTopoMap")
    online = save_html(m, tmp_path / "online.html", offline=False).read_text(encoding="utf-8")
    offline = save_html(m, tmp_path / "offline.html").read_text(encoding="utf-8")
    assert "tile.opentopomap.org" in online and "tile.opentopomap.org" not in offline
    with pytest.raises(ValueError, match="no xyzservices provider"):
        corridor_map(analysis, tiles="Nowhere.Tiles")


def test_a_project_without_a_base_gets_the_shipped_one(tmp_path):
    """Issue #16: a project in West Africa that names no base layers still draws countries, rivers and lakes
    from the Natural Earth extracts that ship with geokit; a click on a corridor gives its history."""
    import shutil

    from geokit.build import build_project

    for name in ("roads.geojson", "cities.geojson", "border_crossings.geojson", "incidents.csv"):
        shutil.copy(MALI / name, tmp_path / name)
    text = (MALI / "project.toml").read_text(encoding="utf-8")
    kept = [line for line in text.splitlines() if not line.startswith(("boundaries", "regions", "rivers",
                                                                       "lakes", "population"))]
    (tmp_path / "project.toml").write_text("\n".join(kept) + "\n", encoding="utf-8")
    build_project(tmp_path / "project.toml", tmp_path / "out", start="2025-09-01", end="2025-09-30")
    page = (tmp_path / "out" / "map.html").read_text(encoding="utf-8")
    assert "Countries (offline base)" in page and "\"Rivers\"" in page and "\"Lakes\"" in page
    assert "shipped West Africa base" in (tmp_path / "out" / "build.log").read_text(encoding="utf-8")
    assert "bindPopup" in page and "Blockaded (first..last day)" in page


def test_map_symbols_mean_what_the_analysis_says():
    """A cut-off town is ringed black and a crossing that no longer reaches the destination is grey, read from
    the same fields the analysis sets (isolation, reaches_destination), on a road cut between B and C."""
    import folium
    import shapely

    from geokit.analysis import AnalysisParams, analyse
    from geokit.corridors import CorridorSpec
    from geokit.maps import city_layer, crossing_layer

    roads = gpd.GeoDataFrame({"ref": ["R1"]}, crs=4326,
                             geometry=[shapely.LineString([(-8.0, 12.0), (-7.0, 12.0), (-6.0, 12.0)])])
    towns = gpd.GeoDataFrame({"name": ["A", "B", "C"], "population": [1e6, 5e4, 2e4]}, crs=4326,
                             geometry=[shapely.Point(-8.0, 12.0), shapely.Point(-7.0, 12.0), shapely.Point(-6.0, 12.0)])
    posts = gpd.GeoDataFrame({"name": ["X"], "country_a": ["MLI"], "country_b": ["BFA"]}, crs=4326,
                             geometry=[shapely.Point(-6.0, 12.0)])
    inc = gpd.GeoDataFrame({"event_id": ["E1"], "date": pd.to_datetime(["2025-09-10"]),
                            "event_type": ["Battles"], "sub_event_type": ["Ambush on fuel convoy"],
                            "geo_precision": [1]}, crs=4326, geometry=[shapely.Point(-6.5, 12.0)])
    a = analyse(roads, inc, cities=towns, crossings=posts, corridors=[CorridorSpec("A-C", "C", "A")],
                params=AnalysisParams(radius_km=5, start="2025-09-01", end="2025-09-30"))
    cut = a.cities.set_index("name")["isolation"]
    assert cut["C"] == "cut off" and cut["B"] == "unchanged"
    assert a.crossings.set_index("name").loc["X", "reaches_destination"] == False  # noqa: E712
    layer = next(iter(city_layer(a.cities)._children.values()))
    markers = {f["properties"]["name"]: layer.style_function(f) for f in layer.data["features"]}
    for name, row in a.cities.set_index("name").iterrows():
        style = markers[name]
        ringed = style["color"] == "#000000" and style["weight"] == 3  # black: cut off
        assert ringed == (row["isolation"] == "cut off"), name
        assert style["fillColor"] == ("#fcbba1" if row["in_zone"] else "#ffffff"), name
    assert markers["A"]["radius"] == 3 + 3 * 2.5  # a million people: log10 = 6
    markers_x = [c for c in crossing_layer(a.crossings)._children.values() if isinstance(c, folium.Marker)]
    assert len(markers_x) == 1
    icon = next(ch for ch in markers_x[0]._children.values() if isinstance(ch, folium.DivIcon))
    assert "background:#7f7f7f" in icon.options["html"]  # grey: X no longer reaches A
    assert len(markers) == 3


def test_compact_geometry_decodes_to_the_coordinates_drawn(page_of, tmp_path):
    """Layers travel as integer differences; the page must draw the very coordinates (to 5 decimals), holes,
    parts and points included, and the incident columns must put each marker where it was."""
    import folium
    import shapely

    from geokit.maps import _geojson, _GeoJson, incident_layer

    shapes = [shapely.LineString([(-8.123456, 12.654321), (-7.9, 12.7), (-7.5, 13.1)]),
              shapely.MultiLineString([[(-9.0, 13.0), (-9.1, 13.2)], [(-9.2, 13.3), (-9.4, 13.35)]]),
              shapely.Polygon([(-6, 11), (-5, 11), (-5, 12), (-6, 12)], [[(-5.8, 11.2), (-5.2, 11.2), (-5.5, 11.8)]]),
              shapely.MultiPolygon([shapely.box(-4, 10, -3.5, 10.5), shapely.box(-3, 10, -2.5, 10.4)]),
              shapely.Point(-10.5, 14.25)]
    frame = gpd.GeoDataFrame({"name": [f"s{i}" for i in range(len(shapes))]}, geometry=shapes, crs=4326)
    m = folium.Map(tiles=None)
    m.options["maxZoom"] = 18  # a cluster needs the map's maximum zoom
    _GeoJson(_geojson(frame, ["name"], precision=5, simplify_m=None), name="shapes",
             marker=folium.CircleMarker(radius=3)).add_to(m)  # the point as a circle: no icon image offline
    inc = gpd.GeoDataFrame({"event_id": ["A1", "A2"], "date": pd.to_datetime(["2025-09-13", "2025-10-02"]),
                            "event_type": ["Battles", "Riots"]}, crs=4326,
                           geometry=[shapely.Point(-11.41234, 14.44321), shapely.Point(-8.0, 12.65)])
    incident_layer(inc).add_to(m)
    page, log = page_of(save_html(m, tmp_path / "shapes.html"))
    drawn = page.evaluate(f"""() => {{ const out = {{}}; {MAP}.eachLayer(l => {{
        if (l.feature && l.feature.properties && l.feature.properties.name) {{
            const g = l.toGeoJSON().geometry; out[l.feature.properties.name] = g.coordinates; }} }});
        return out; }}""")
    assert log["errors"] == [], (log["errors"], log["failed"])
    for name, shape in zip(frame["name"], shapes):
        want = shapely.geometry.mapping(shapely.set_precision(shape, 1e-5, mode="pointwise"))["coordinates"]
        got = shapely.geometry.shape({"type": shape.geom_type, "coordinates": drawn[name]})
        assert got.equals_exact(shapely.geometry.shape({"type": shape.geom_type, "coordinates": want}), 1e-9), name
    markers = page.evaluate(f"""() => {{ const out = {{}}; {MAP}.eachLayer(l => {{
        if (l instanceof L.MarkerClusterGroup) l.getLayers().forEach(m => {{
            out[m.feature.properties.event_id] = [m.getLatLng().lng, m.getLatLng().lat, m.feature.properties.date]; }}); }});
        return out; }}""")
    assert markers == {"A1": [-11.41234, 14.44321, "2025-09-13"], "A2": [-8.0, 12.65, "2025-10-02"]}


@pytest.mark.parametrize("lat", [14.0, 35.0, 60.0])
def test_simplified_shapes_move_no_vertex_farther_than_simplify_m(lat):
    """The map simplifies in degrees (no projecting): measured in metres on the ellipsoid's local
    projection, no simplified shape lies farther than simplify_m from the original, at any latitude."""
    import shapely
    from pyproj import CRS, Transformer

    from geokit.maps import _simplified

    rng = np.random.default_rng(int(lat))
    angles = np.sort(rng.uniform(0, 2 * np.pi, 400))
    radius = 0.3 + rng.normal(0, 0.002, 400)  # a ring of 0.3 degrees with ~200 m wiggles
    ring = np.column_stack([-8 + radius * np.cos(angles) / np.cos(np.radians(lat)), lat + radius * np.sin(angles)])
    shapes = np.array([shapely.Polygon(ring), shapely.LineString(ring[:200])])
    metric = Transformer.from_crs(4326, CRS.from_proj4(f"+proj=aeqd +lat_0={lat} +lon_0=-8"), always_xy=True)
    for simplify_m in (50.0, 100.0, 500.0):
        simple = _simplified(shapes, simplify_m)
        assert shapely.is_valid(simple).all()
        assert (shapely.get_num_coordinates(simple) < shapely.get_num_coordinates(shapes)).all()
        before = shapely.transform(shapes, lambda xy: np.column_stack(metric.transform(xy[:, 0], xy[:, 1])))
        after = shapely.transform(simple, lambda xy: np.column_stack(metric.transform(xy[:, 0], xy[:, 1])))
        assert (shapely.hausdorff_distance(before, after) <= simplify_m).all()


def test_a_shape_simplification_would_erase_is_kept():
    """Douglas-Peucker erases a 60 m island at a 100 m tolerance; the map keeps it, simplified with its
    topology preserved, so no small zone, lake or town outline disappears from the page."""
    import shapely

    from geokit.maps import _simplified

    island = shapely.box(-8.0, 14.0, -8.0 + 0.00055, 14.00055)  # about 60 m a side
    square = shapely.box(-7.0, 14.0, -6.0, 15.0)
    assert shapely.simplify(island, 100 / 111_700, preserve_topology=False).is_empty
    simple = _simplified(np.array([island, square]), 100.0)
    assert not simple[0].is_empty and simple[0].is_valid and simple[0].intersects(island)
    assert simple[0].hausdorff_distance(island) <= 100 / 111_700 and simple[1].equals(square)
