"""Text from data is never evaluated: not by Python/Jinja while building, not by the browser
when a product opens, not by a spreadsheet when a CSV opens (issue #13).

A copy of the shipped Mali project gets hostile text in every text field that reaches a
product: the project name, a corridor name, a town's name and country, a crossing's name and
country, a road's name and ref, and an incident's id, sub-type, actor, notes, location and
source. A single build and a monthly batch build are made from it and every HTML product is
opened in headless Chromium with the network blocked.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

import geokit
from conftest import MALI, MAP
from geokit.analysis import AnalysisParams, analyse
from geokit.build import build_batch, build_project
from geokit.escape import csv_cell, html_text, js_string, markdown_text, safe_url, terminal_text
from geokit.maps import corridor_map
from geokit.project import load_project

#: Jinja code that runs a shell command (``touch PWNED`` in the working folder) when evaluated;
#: written without quotes, which HTML escaping alone would have broken.
JINJA_RCE = "{{ cycler.__init__.__globals__.os.system(dict(touch=1,PWNED=2)|join(cycler.__doc__[5])) }}"
PAYLOADS = [
    JINJA_RCE,
    "{{7*7}}",
    "{% for i in range(3) %}LOOP{% endfor %}",
    "{# hidden #}",
    "${document.title='PWNED'}",
    "`+(window.__pwned=1)+`",
    "<img src=x onerror=\"window.__pwned=1\">",
    "</script><script>window.__pwned=1</script>",
    "javascript:window.__pwned=1",
    "\"'><svg onload=window.__pwned=1>",
    "C:\\temp\\u0041\\",
]
TAIL = " ".join(PAYLOADS)


def hostile(field: str, lead: str = "") -> str:
    """The text planted in one field: an optional leading formula, a tag naming the field, every payload."""
    return f"{lead}[{field}] {TAIL}"


FORMULA = '=HYPERLINK("http://127.0.0.1/x","click")'
PROJECT = hostile("project")
CORRIDOR = hostile("corridor", FORMULA)
TOWN = hostile("town", "@SUM(1+1)")
TOWN_COUNTRY = hostile("country")
CROSSING = hostile("crossing", "+1+1")
CROSSING_COUNTRY = hostile("crossing-country")
ROAD_NAME = hostile("road-name")
ROAD_REF = hostile("road-ref")
INCIDENT = {"event_id": hostile("event-id"), "sub_event_type": hostile("sub-type"),
            "actor1": hostile("actor"), "notes": hostile("notes"), "location": hostile("location"),
            "source": "javascript:window.__pwned=1 " + hostile("source")}


def _toml(value: object) -> str:
    return json.dumps(value, ensure_ascii=True)  # a JSON string is a TOML basic string


@pytest.fixture(scope="module")
def hostile_project(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("hostile") / "project"
    shutil.copytree(MALI, folder)
    cities = json.loads((folder / "cities.geojson").read_text(encoding="utf-8"))
    for feature in cities["features"]:
        props = feature["properties"]
        if props["name"] == "Dakar":
            props["name"] = TOWN
        if props["name"] == "Kayes":
            props["country"] = TOWN_COUNTRY
    (folder / "cities.geojson").write_text(json.dumps(cities), encoding="utf-8")
    crossings = json.loads((folder / "border_crossings.geojson").read_text(encoding="utf-8"))
    for feature in crossings["features"]:
        if feature["properties"]["name"] == "Diboli-Kidira":
            feature["properties"].update(name=CROSSING, country_a=CROSSING_COUNTRY)
    (folder / "border_crossings.geojson").write_text(json.dumps(crossings), encoding="utf-8")
    roads = json.loads((folder / "roads.geojson").read_text(encoding="utf-8"))
    for feature in roads["features"]:
        if feature["properties"]["ref"] == "RN3":  # every line of the RN3
            feature["properties"].update(name=ROAD_NAME, ref=ROAD_REF)
    (folder / "roads.geojson").write_text(json.dumps(roads), encoding="utf-8")
    incidents = pd.read_csv(folder / "incidents.csv", dtype=str, keep_default_na=False)
    row = incidents[incidents["event_date"] == "2025-09-14"].iloc[[0]].copy()
    for key, value in INCIDENT.items():
        row[key] = value
    pd.concat([incidents, row]).to_csv(folder / "incidents.csv", index=False)
    text = (folder / "project.toml").read_text(encoding="utf-8")
    text = text.replace('name = "Mali fuel blockade 2025"', f"name = {_toml(PROJECT)}")
    text = text.replace('name = "Dakar-Bamako"\norigin = "Dakar"', f"name = {_toml(CORRIDOR)}\norigin = {_toml(TOWN)}")
    text = text.replace('via = ["Diboli-Kidira",', f"via = [{_toml(CROSSING)},")
    (folder / "project.toml").write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def builds(hostile_project, tmp_path_factory):
    """One build of September and a monthly batch over September and October, run in an empty
    working folder so that a template that ran ``touch PWNED`` would leave a file there."""
    work = tmp_path_factory.mktemp("work")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(work)
        single = work / "september"
        build_project(hostile_project / "project.toml", single, start="2025-09-01", end="2025-09-30")
        batch = work / "monthly"
        build_batch(hostile_project / "project.toml", batch, every="1M", start="2025-09-01", end="2025-10-31")
        # a second build into the same folder writes changes.md / changes.csv
        build_project(hostile_project / "project.toml", single, start="2025-09-01", end="2025-10-31",
                      overwrite=True)
    return {"work": work, "single": single, "batch": batch, "project": hostile_project}


def test_the_hostile_project_really_carries_the_payloads(hostile_project):
    """The fixture is not vacuous: each planted field is read back by geokit's readers."""
    cities = geokit.read_cities(hostile_project / "cities.geojson")
    assert TOWN in set(cities["name"]) and TOWN_COUNTRY in set(cities["country"])
    crossings = geokit.read_crossings(hostile_project / "border_crossings.geojson")
    assert CROSSING in set(crossings["name"])
    roads = geokit.read_roads(hostile_project / "roads.geojson")
    assert ROAD_NAME in set(roads["name"]) and ROAD_REF in set(roads["ref"])
    incidents = geokit.read_incidents(hostile_project / "incidents.csv")
    assert INCIDENT["notes"] in set(incidents["notes"]) and INCIDENT["actor1"] in set(incidents["actor"])
    project = load_project(hostile_project / "project.toml")
    assert project.name == PROJECT and project.corridors[0].name == CORRIDOR


def test_no_template_ran_during_the_builds(builds):
    assert not list(builds["work"].rglob("PWNED")), "a Jinja template from data ran a shell command"
    assert not list(builds["project"].rglob("PWNED"))
    for page in [*builds["work"].rglob("*.html"), *builds["work"].rglob("*.md")]:
        text = page.read_text(encoding="utf-8")
        assert "LOOPLOOPLOOP" not in text, page  # the {% for %} loop did not run
        assert "] 49 " not in text, page          # {{7*7}} was not evaluated


def _html_products(builds) -> list[Path]:
    batch = builds["batch"]
    pages = [builds["single"] / "map.html", builds["single"] / "brief.html", batch / "timeline_map.html",
             batch / "index.html", *sorted(batch.glob("*/map.html")), *sorted(batch.glob("*/brief.html"))]
    assert len(pages) == 8
    return pages


_OPEN_EVERYTHING = f"""async () => {{
    // hover every feature as a user would (tooltips) and open every incident popup; return their text
    const map = {MAP}, texts = [], leaves = [];
    const tooltips = () => document.querySelectorAll('.leaflet-tooltip').forEach(t => texts.push(t.textContent));
    const walk = l => {{
        if (l instanceof L.MarkerClusterGroup) {{
            l.getLayers().forEach(m => {{
                const popup = m.getPopup();
                if (!popup) return;
                popup.setLatLng(m.getLatLng()).openOn(map);  // into the page's DOM, as a click would
                texts.push(popup.getElement().textContent);
                map.closePopup(popup);
                m.fire('mouseover', {{latlng: m.getLatLng()}}, true);
                tooltips();
                m.fire('mouseout', {{latlng: m.getLatLng()}}, true);
            }});
        }} else if (l.getLayers) {{
            l.getLayers().forEach(walk);
        }} else {{
            leaves.push(l);
        }}
    }};
    map.eachLayer(l => {{ if (!l._eventParents || !Object.keys(l._eventParents).length) walk(l); }});
    for (const l of leaves) {{
        const at = l.getLatLng ? l.getLatLng() : l.getBounds ? l.getBounds().getCenter() : map.getCenter();
        l.fire('mouseover', {{latlng: at}}, true);
        tooltips();
        l.fire('mouseout', {{latlng: at}}, true);
    }}
    return texts;
}}"""


def test_every_html_product_shows_the_text_and_runs_nothing(builds, page_of):
    for path in _html_products(builds):
        is_map = path.name not in ("index.html", "brief.html")
        page, log = page_of(path, leaflet=is_map)
        texts = [page.evaluate("document.body.innerText")]
        if is_map:
            texts += page.evaluate(_OPEN_EVERYTHING)
            page.wait_for_timeout(200)
        shown = "\n".join(texts)
        assert log["errors"] == [] and log["dialogs"] == [], (path, log)
        assert log["external"] == [] and log["failed"] == [], (path, log)
        assert page.evaluate("window.__pwned") is None, path
        title = page.evaluate("document.title")
        assert "PWNED" not in title or title == PROJECT, (path, title)
        assert page.evaluate("document.querySelectorAll('body svg[onload], body img[onerror], "
                             ".leaflet-pane img:not(.leaflet-marker-icon)').length") == 0, path
        expected = [PROJECT, CORRIDOR]
        september = path.parent.name.startswith("2025-09") or path.parent == builds["single"]
        if is_map:
            expected += [TOWN, TOWN_COUNTRY, CROSSING, CROSSING_COUNTRY, ROAD_NAME, ROAD_REF]
            if september:
                expected += [INCIDENT["notes"], INCIDENT["actor1"], INCIDENT["sub_event_type"], INCIDENT["source"]]
        elif path.name == "brief.html":  # the brief lists crossings and incidents (notes shortened)
            expected += [CROSSING, CROSSING_COUNTRY]
            if september:
                expected += [INCIDENT["notes"][:60], INCIDENT["sub_event_type"]]
        for text in expected:
            assert text in shown, (path, text[:20])
        if is_map:  # the map still works: its layers and controls are there
            assert page.evaluate(f"(() => {{ let n = 0; {MAP}.eachLayer(() => n++); return n; }})()") > 20
            assert page.locator("#geokit-legend").is_visible()


def _cells(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8") as f:
        return [cell for row in csv.reader(f) for cell in row]


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize("name", ["single/summary.csv", "single/changes.csv", "batch/timeline.csv",
                                  "batch/2025-10-01_2025-10-31/changes.csv"])
def test_csv_products_neutralise_formula_cells(builds, name):
    folder, file = name.split("/", 1)
    path = builds[folder] / file
    cells = _cells(path)
    formulas = [c for c in cells if c.lstrip(" ").startswith(("=", "+", "-", "@", "\t", "\r"))
                and not _is_number(c)]
    assert formulas == [], formulas[:3]
    if "changes" not in file:
        assert "'" + CORRIDOR in cells  # kept readable: the apostrophe only tells the spreadsheet "text"
    else:
        assert any(c.startswith("'") for c in cells)


def test_changes_markdown_keeps_the_text_inert(builds):
    text = (builds["single"] / "changes.md").read_text(encoding="utf-8")
    assert "<img" not in text and "<script" not in text and "<svg" not in text
    assert "&lt;img src=x onerror" in text


def test_jupyter_representation_is_inert(hostile_project, tmp_path, monkeypatch):
    """corridor_map(...) in a notebook: the iframe srcdoc branca builds evaluates no template either."""
    monkeypatch.chdir(tmp_path)
    project = load_project(hostile_project / "project.toml")
    result = analyse(geokit.read_roads(hostile_project / "roads.geojson"),
                     geokit.read_incidents(hostile_project / "incidents.csv"),
                     cities=geokit.read_cities(hostile_project / "cities.geojson"),
                     crossings=geokit.read_crossings(hostile_project / "border_crossings.geojson"),
                     corridors=project.corridors, params=AnalysisParams(start="2025-09-01", end="2025-09-30"))
    page = corridor_map(result, title=PROJECT, sources=[INCIDENT["source"]])._repr_html_()
    assert not (tmp_path / "PWNED").exists()
    assert "LOOPLOOPLOOP" not in page and "] 49 " not in page


def test_geokit_markup_refuses_template_markers():
    """The last guard: markup geokit adds to a map must arrive escaped, or the map is refused."""
    from geokit.maps import _Html

    with pytest.raises(ValueError, match="template marker"):
        _Html(markup="<b>{{ 7*7 }}</b>")
    assert "{" not in html_text("{{ 7*7 }}")


# --- the escaping functions, each against its context --------------------------------------------

@pytest.mark.parametrize("payload", PAYLOADS)
def test_html_text_leaves_no_marker(payload):
    out = html_text(payload)
    for marker in ("{{", "{%", "{#", "${", "`", "<", ">", '"', "'", "\\"):
        assert marker not in out
    import html as stdlib_html

    assert stdlib_html.unescape(out) == payload  # and the browser shows exactly the original


@pytest.mark.parametrize("payload", PAYLOADS)
def test_js_string_round_trips(payload):
    out = js_string(payload)
    for marker in ("{{", "{%", "{#", "${", "`", "<", ">"):
        assert marker not in out
    assert json.loads(out) == payload


@pytest.mark.parametrize("url, ok", [
    ("https://www.jeuneafrique.com/1711240/", True), ("http://127.0.0.1:8080/x", True),
    ("javascript:alert(1)", False), ("JAVASCRIPT:alert(1)", False), ("java\tscript:alert(1)", False),
    ("data:text/html,<script>", False), ("file:///etc/passwd", False), ("//evil.example/x", False),
    ("vbscript:x", False), ("https://", False), ("", False), (None, False),
])
def test_safe_url_allows_only_http_links(url, ok):
    assert (safe_url(url) is not None) is ok


@pytest.mark.parametrize("cell, expected", [
    ("=1+1", "'=1+1"), ("+33 6", "'+33 6"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t'=1"), ("\r=1", "'\r'=1"), ("  =1", "'  =1"), ("Kayes", "Kayes"), ("", ""),
    ("2025-09-13..2025-10-12", "2025-09-13..2025-10-12"), (-12.5, -12.5), (3, 3),
])
def test_csv_cell_follows_owasp(cell, expected):
    assert csv_cell(cell) == expected


def test_markdown_and_terminal_text():
    assert markdown_text("[x](javascript:y)\n# title <b>") == "\\[x\\](javascript:y) # title &lt;b&gt;"
    assert terminal_text("Kayes\x1b]0;PWNED\x07") == "Kayes\\x1b]0;PWNED\\x07"
    assert terminal_text("line\nnext\ttab") == "line\nnext\ttab"


def test_cli_error_does_not_pass_terminal_escapes(tmp_path, capsys):
    from geokit.cli import main

    bad = tmp_path / "roads\x1b[2J.geojson"
    bad.write_text("{not json", encoding="utf-8")
    assert main(["validate", str(bad), "--kind", "roads"]) == 1
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\\x1b[2J" in err


def test_kml_text_is_escaped_for_google_earth():
    """Google Earth renders descriptions as HTML: --format kml escapes their values as HTML, and the XML
    writer escapes names and descriptions once (a name reads back exactly as the data has it)."""
    import xml.etree.ElementTree as ET

    import geopandas as gpd
    import shapely

    from geokit.kml import kml_text

    frame = gpd.GeoDataFrame({"name": [TOWN], "country": [INCIDENT["notes"]]}, geometry=[shapely.Point(-8, 12.6)],
                             crs=4326)
    placemark = ET.fromstring(kml_text(frame, "cities").split("\n", 1)[1]).find(".//{*}Placemark")
    assert placemark.find("{*}name").text == " ".join(TOWN.split())
    description = placemark.find("{*}description").text  # HTML: the data in it is escaped
    assert "<script" not in description and "{{" not in description and "`" not in description
