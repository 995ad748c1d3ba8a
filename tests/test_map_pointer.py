"""Issue #27: the map answers a real pointer, and tells the story at first sight.

Every check here moves or clicks the mouse (``page.mouse``) at the pixel where a feature is drawn, as a
person would: the pixel is computed in the page (``map.latLngToContainerPoint`` of one of the feature's
vertices, plus the map's offset), and no event is ever dispatched from code. Pages open in headless
Chromium with the network blocked (the ``page_of`` fixture of conftest.py).
"""

import re

import pytest

from conftest import MAP, SHARED_DATA

#: The pane each kind of feature draws in, and the label its tooltip (hover) or popup (click) starts with.
KINDS = {"road": ("geokitRoads", "Road"), "corridor": ("geokitCorridors", "Corridor"),
         "cut": ("geokitCuts", "Blockaded stretch of"), "detour": ("geokitDetours", "Detour of"),
         "zone": ("geokitZones", "Incidents"), "town": ("geokitTowns", "Town"),
         "crossing": ("geokitCrossings", "Crossing")}

#: Page points (x, y) on vertices of the features drawn in a pane, in view and not under a box of the page.
CANDIDATES = f"""([pane, most]) => {{
    const map = {MAP}, box = map.getContainer().getBoundingClientRect(), out = [];
    function add(latlng) {{
        const p = map.latLngToContainerPoint(latlng), x = box.left + p.x, y = box.top + p.y;
        if (x < 5 || y < 5 || x > innerWidth - 5 || y > innerHeight - 5) return;
        const el = document.elementFromPoint(x, y);
        if (!el || !map.getContainer().contains(el) || el.closest('.leaflet-control, .geokit-box')) return;
        out.push([x, y]);
    }}
    function walk(ll) {{ if (Array.isArray(ll)) ll.forEach(walk); else add(ll); }}
    map.eachLayer(l => {{
        if (l.options.pane !== pane || l.options.interactive === false) return;
        if (l.getLatLngs) {{ const ll = l.getLatLngs().flat(3); ll.forEach((v, i) => {{
            if (i % Math.max(1, Math.floor(ll.length / 6)) === 0) walk(v); }}); }}
        else if (l.getLatLng) walk(l.getLatLng());
    }});
    return out.slice(0, most);
}}"""


def _answers(page, kind, *, click=False, most=40):
    """Moves (or clicks) the mouse on features of a kind until one answers; returns the shown text."""
    pane, word = KINDS[kind]
    page.evaluate(f"void {MAP}.eachLayer(l => {{ if (l instanceof L.Popup) l.close(); }})")
    page.wait_for_timeout(400)  # a popup's pan, if any, ended
    points = page.evaluate(CANDIDATES, [pane, most])
    assert points, f"no {kind} drawn in view"
    selector = ".leaflet-popup-content" if click else ".leaflet-tooltip"
    view = page.evaluate(f"(() => {{ const m = {MAP}; return [m.getCenter(), m.getZoom()]; }})()")
    for x, y in points:
        # the last try's popup closed and the view it panned to restored (neither is a pointer event)
        page.evaluate(f"""([c, z]) => {{ const m = {MAP};
            m.eachLayer(l => {{ if (l instanceof L.Popup) l.close(); }}); m.setView(c, z, {{animate: false}}); }}""",
                      view)
        page.mouse.move(x - 30, y - 30)
        page.wait_for_timeout(40)
        page.mouse.move(x, y, steps=3)
        if click:
            page.mouse.click(x, y)
        page.wait_for_timeout(80)
        # the open ones (a closed tooltip fades out for 200 ms at opacity 0)
        texts = page.evaluate(f"Array.from(document.querySelectorAll('{selector}'))"
                              ".filter(e => !(e.closest('.leaflet-tooltip, .leaflet-popup') || e).style.opacity"
                              " || +(e.closest('.leaflet-tooltip, .leaflet-popup') || e).style.opacity > 0.5)"
                              ".map(e => e.innerText.trim())")
        if any(re.match(re.escape(word) + r"\s", text) for text in texts):
            return " ".join(texts)
    raise AssertionError(f"no {kind} answered the pointer at {len(points)} of its vertices")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from geokit.build import build_project, default_project_path

    out = tmp_path_factory.mktemp("demo")
    base = SHARED_DATA / "admin0_countries_ne50m.geojson"
    build_project(default_project_path(), out, boundaries=base if base.is_file() else None)
    return out / "map.html"


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    from geokit.build import build_batch, default_project_path

    out = tmp_path_factory.mktemp("batch")
    build_batch(default_project_path(), out, every="1M")
    return out / "timeline_map.html"


@pytest.mark.parametrize("kind", ["road", "corridor", "cut", "detour", "zone", "town", "crossing"])
def test_every_layer_answers_a_hover_in_the_demo_map(page_of, demo, kind):
    page, log = page_of(demo)
    text = _answers(page, kind)
    assert KINDS[kind][1] in text
    assert log["errors"] == [] and log["external"] == []


def test_a_click_gives_the_history_of_a_corridor_a_town_and_a_crossing(page_of, demo):
    page, log = page_of(demo)
    corridor = _answers(page, "corridor", click=True)
    assert "Status history" in corridor and "blockaded" in corridor
    assert "Population" in _answers(page, "town", click=True)
    assert "Access" in _answers(page, "crossing", click=True)
    assert "Blockaded" in _answers(page, "cut", click=True)
    assert log["errors"] == []


@pytest.mark.parametrize("kind", ["road", "corridor", "cut", "zone", "town", "crossing"])
def test_the_batch_timeline_map_answers_the_pointer(page_of, batch, kind):
    page, log = page_of(batch)
    assert KINDS[kind][1] in _answers(page, kind)
    page.evaluate("geokitShowPeriod('2025-09-01 to 2025-09-30')")
    page.wait_for_timeout(200)
    if kind != "cut" or page.evaluate(CANDIDATES, ["geokitCuts", 1]):
        assert KINDS[kind][1] in _answers(page, kind)
    assert log["errors"] == []


def test_the_demo_opens_on_the_dakar_bamako_blockade(page_of, demo):
    """The Sep-Nov window ends with every corridor reopened; the map still opens on what happened: the title
    names each blockade with its period, and Dakar-Bamako's cut is drawn, red, inside the view."""
    page, log = page_of(demo)
    title = page.locator("#geokit-title").inner_text()
    assert re.search(r"Dakar-Bamako\s+13 Sep–13 Oct", title), title
    cut = page.evaluate(f"""() => {{ const map = {MAP}; let out = null;
        map.eachLayer(l => {{ if (l.options.pane === 'geokitCuts' && l.options.interactive !== false && l.feature
                                  && l.feature.properties.corridor === 'Dakar-Bamako') {{
            out = {{color: l.options.color, weight: l.options.weight, parts: l._parts.length,
                    inView: map.getBounds().contains(l.getBounds()), km: l.feature.properties.km}}; }} }});
        return out; }}""")
    assert cut is not None and cut["color"] == "#d73027" and cut["weight"] >= 6
    assert cut["parts"] > 0 and cut["inView"] and 40 < cut["km"] < 70
    assert log["errors"] == []


def test_a_phone_sees_the_corridors_and_an_uncovered_slider(page_of, demo):
    page, log = page_of(demo)
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    page.wait_for_function("typeof L !== 'undefined'")
    page.wait_for_timeout(400)
    boxes = page.evaluate("""() => { const r = id => { const b = document.getElementById(id)
        .getBoundingClientRect(); return [b.left, b.top, b.right, b.bottom]; };
        return {legend: r('geokit-legend'), slider: r('geokit-slider'), title: r('geokit-title'),
                open: document.getElementById('geokit-legend').open}; }""")
    legend, slider = boxes["legend"], boxes["slider"]
    assert boxes["open"] is False
    assert not (legend[0] < slider[2] and legend[2] > slider[0] and legend[1] < slider[3] and legend[3] > slider[1])
    assert slider[3] <= 844 and slider[2] <= 390
    page.locator("#geokit-legend summary").click()  # opened, it still leaves the slider free
    legend = page.evaluate("(() => { const b = document.getElementById('geokit-legend').getBoundingClientRect();"
                           " return [b.left, b.top, b.right, b.bottom]; })()")
    assert not (legend[0] < slider[2] and legend[2] > slider[0] and legend[1] < slider[3] and legend[3] > slider[1])
    shown = page.evaluate(f"""() => {{ const map = {MAP}; let all = null;
        map.eachLayer(l => {{ if (l.options.pane === 'geokitCorridors' && l.getBounds) {{
            all = all ? all.extend(l.getBounds()) : L.latLngBounds(l.getBounds().getSouthWest(),
                                                                  l.getBounds().getNorthEast()); }} }});
        return map.getBounds().pad(0.02).contains(all); }}""")
    assert shown, "the opening view on a phone does not show the corridors"
    assert log["errors"] == []


def test_print_keeps_the_scale_bar_and_fills_the_page(page_of, demo):
    page, log = page_of(demo)
    page.emulate_media(media="print")
    page.wait_for_timeout(300)
    assert page.locator(".leaflet-control-scale").is_visible()
    assert not page.locator("#geokit-slider").is_visible()
    for control in (".leaflet-control-zoom", ".leaflet-control-layers", ".leaflet-control-search", ".geokit-coords"):
        assert not page.locator(control).first.is_visible(), control
    size = page.evaluate(f"() => {{ const m = {MAP}, c = m.getContainer(); return [m.getSize().x, c.clientWidth,"
                         " m.getSize().y, c.clientHeight]; }")
    assert size[0] == size[1] and size[2] == size[3]
    pdf = page.pdf(landscape=True)
    assert pdf.startswith(b"%PDF")
    assert log["errors"] == []


def test_the_analyst_tools_work_offline_with_the_pointer_and_keyboard(page_of, demo):
    """Coordinates of the pointer and of a click, a search over towns and crossings, a distance measure: the
    plugins are inlined (no request leaves the page)."""
    page, log = page_of(demo)
    page.mouse.move(600, 450)
    page.wait_for_timeout(100)
    assert re.fullmatch(r"\d+\.\d{4}°[NS] \d+\.\d{4}°[EW]", page.locator(".geokit-coords-move").inner_text())
    page.mouse.click(600, 450)
    assert page.locator(".geokit-coords-click").inner_text().startswith("click: ")
    page.locator(".leaflet-control-search .search-button").click()
    page.keyboard.type("Kay")
    page.wait_for_function("document.querySelector('.leaflet-control-search .search-tooltip').innerText"
                           ".includes('Kayes')", timeout=5000)  # leaflet-search waits 400 ms after a key
    page.keyboard.press("Enter")
    page.wait_for_timeout(600)
    centre = page.evaluate(f"(() => {{ const c = {MAP}.getCenter(); return [c.lat, c.lng, {MAP}.getZoom()]; }})()")
    assert abs(centre[0] - 14.45) < 0.3 and abs(centre[1] + 11.44) < 0.3 and centre[2] >= 8
    page.locator(".polyline-measure-unicode-icon").first.click()  # measuring on: clicks add points
    page.mouse.click(400, 400)
    page.mouse.click(700, 400)
    page.mouse.dblclick(700, 500)
    page.wait_for_timeout(200)
    total = page.locator(".polyline-measure-tooltip-total").last.inner_text()
    assert re.search(r"\d+(\.\d+)?\s*km", total), total
    assert page.locator(".leaflet-popup-content").count() == 0  # the clicks measured, opened nothing
    assert log["errors"] == [] and log["external"] == [] and log["failed"] == []
