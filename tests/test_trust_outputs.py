"""Text that others wrote, in every product and on the terminal (issue #26): shown, never obeyed.

A copy of the shipped Mali project carries, in the fields that reach each product:

- terminal and editor escapes (ESC sequences, bidi overrides and isolates, zero-width characters) in a
  layer's file name, an incident id (far from every road: a console warning) and a town name (far from
  every road: a build.log line);
- spreadsheet formulas after a list separator (``Kayes;=1+1``) in a corridor name;
- mathtext (``$\\frac{1}{2}$``) in a corridor name and the project name (the status chart);
- Markdown links, images and autolinks in a corridor name (changes.md);
- "glyphicon", "L.AwesomeMarkers" and ``class="fa ...`` in an incident's notes and the project name
  (which once made every build refuse the map).

The project is built twice with ``python -m geokit build`` (September, then September-October into the
same folder, which writes changes.csv/.md); every check reads those two builds.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import unicodedata
from pathlib import Path

import pandas as pd
import pytest

from conftest import MALI
from geokit.escape import csv_cell, markdown_text, terminal_text

ESC_CLEAR = "\x1b[2J"
BIDI = "\u202e"                      # RIGHT-TO-LEFT OVERRIDE: the rest of the line shows reversed
ISOLATE = "\u2066x\u2069"            # LEFT-TO-RIGHT ISOLATE ... POP DIRECTIONAL ISOLATE
ZERO_WIDTH = "\u200b"
INVISIBLE = ESC_CLEAR + BIDI + ISOLATE + ZERO_WIDTH
SHOWN = "\\x1b[2J\\u202e\\u2066x\\u2069\\u200b"   # what terminal_text makes of INVISIBLE

FILE_NAME = "incidents" + "\x1b[1m" + BIDI + ".csv"
FAR_EVENT = "GK-far" + INVISIBLE
FAR_TOWN = "Taoudenni" + INVISIBLE
CORRIDOR = "Kayes;=1+1|@SUM(A1) $\\frac{1}{2}$"
MD_CORRIDOR = "![i](http://127.0.0.1/t.png) [x](https://evil.example) www.evil.example a@b.example <b>b</b>"
PROJECT = "Mali $\\sqrt{2}$ glyphicon L.AwesomeMarkers"
NOTES = 'glyphicon L.AwesomeMarkers class="fa fa-bomb" <i class="glyphicon glyphicon-fire"></i>'
RTL_NOTE = " \u202edesolc si daor eht"   # would show as "the road is closed" (and reorder what follows)
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200b\u200e\u200f\ufeff]")


def _toml(value: str) -> str:
    return json.dumps(value, ensure_ascii=True)  # a JSON string is a TOML basic string


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("trust") / "project"
    shutil.copytree(MALI, folder)
    cities = json.loads((folder / "cities.geojson").read_text(encoding="utf-8"))
    cities["features"].append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [-3.98, 22.68]},
                               "properties": {"name": FAR_TOWN, "country": "MLI", "population": 3000}})
    (folder / "cities.geojson").write_text(json.dumps(cities), encoding="utf-8")
    incidents = pd.read_csv(folder / "incidents.csv", dtype=str, keep_default_na=False)
    row = incidents[incidents["event_date"] == "2025-09-14"].iloc[[0]].copy()
    far = row.copy()
    row["event_id"], row["notes"] = "GK-notes", NOTES + RTL_NOTE
    far["event_id"], far["latitude"], far["longitude"] = FAR_EVENT, "22.5", "-4.2"
    nowhere = row.copy()  # dropped with a warning that names the file
    nowhere["event_id"], nowhere["latitude"] = "GK-nowhere", ""
    pd.concat([incidents, row, far, nowhere]).to_csv(folder / FILE_NAME, index=False)
    (folder / "incidents.csv").unlink()
    text = (folder / "project.toml").read_text(encoding="utf-8")
    for old, new in [('name = "Mali fuel blockade 2025"', f"name = {_toml(PROJECT)}"),
                     ('incidents = "incidents.csv"', f"incidents = {_toml(FILE_NAME)}"),
                     ('name = "Dakar-Bamako"', f"name = {_toml(CORRIDOR)}"),
                     ('name = "Nouakchott-Bamako"', f"name = {_toml(MD_CORRIDOR)}")]:
        assert old in text
        text = text.replace(old, new)
    (folder / "project.toml").write_text(text, encoding="utf-8")
    return folder


def _geokit(*args: str, env: dict | None = None, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "geokit", *args], capture_output=True, text=True,
                          encoding="utf-8", errors="surrogateescape", env={**os.environ, **(env or {})},
                          timeout=600, **kwargs)


@pytest.fixture(scope="module")
def built(project, tmp_path_factory) -> dict:
    """September, then September-October into the same folder (changes.csv/.md against September)."""
    out = tmp_path_factory.mktemp("trust-out") / "out"
    first = _geokit("build", str(project / "project.toml"), "--out", str(out), "--start", "2025-09-01",
                    "--end", "2025-09-30")
    september_log = (out / "build.log").read_text(encoding="utf-8") if first.returncode == 0 else ""
    second = _geokit("build", str(project / "project.toml"), "--out", str(out), "--start", "2025-09-01",
                     "--end", "2025-10-31", "--overwrite")
    return {"out": out, "runs": [first, second], "september_log": september_log}


# --- the builds succeed, and the terminal and build.log show escapes --------------------------------------

def test_the_project_really_carries_the_payloads(project):
    from geokit.project import load_project

    loaded = load_project(project / "project.toml")
    assert loaded.name == PROJECT and [c.name for c in loaded.corridors][:2] == [CORRIDOR, MD_CORRIDOR]
    assert FAR_EVENT in (project / FILE_NAME).read_text(encoding="utf-8")


@pytest.mark.parametrize("run", [0, 1], ids=["first-build", "second-build"])
def test_the_builds_succeed(built, run):
    """A note saying glyphicon / L.AwesomeMarkers / class="fa ..." no longer makes the map refused."""
    done = built["runs"][run]
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Bootstrap" not in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("where", ["stderr-first", "stderr-second", "build.log-september", "build.log"])
def test_no_raw_control_or_bidi_character_reaches_the_terminal_or_the_log(built, where):
    text = {"stderr-first": built["runs"][0].stderr, "stderr-second": built["runs"][1].stderr,
            "build.log-september": built["september_log"],
            "build.log": (built["out"] / "build.log").read_text(encoding="utf-8")}[where]
    if where.startswith("stderr"):
        text = re.sub(r"\r|\x1b\[A", "", text)  # tqdm's own progress bars redraw with CR and cursor-up
    assert RAW.findall(text) == []


@pytest.mark.parametrize("what, shown", [
    ("the incident far from roads (console warning)", "GK-far" + SHOWN),
    ("the layer's file name (validation warning)", "incidents\\x1b[1m\\u202e.csv"),
])
def test_the_terminal_shows_data_text_escaped(built, what, shown):
    assert shown in built["runs"][0].stderr, what


@pytest.mark.parametrize("what, shown", [
    ("the layer report's file name", "incidents\\x1b[1m\\u202e.csv"),
    ("the far incident's WARNING line", "GK-far" + SHOWN),
    ("the town far from every road", "Taoudenni" + SHOWN),
])
def test_build_log_shows_data_text_escaped(built, what, shown):
    assert shown in (built["out"] / "build.log").read_text(encoding="utf-8"), what


def test_an_error_quoting_a_cell_is_escaped(tmp_path):
    """geokit validate (and every error message) quotes the bad cell with its escapes shown."""
    incidents = pd.read_csv(MALI / "incidents.csv", dtype=str, keep_default_na=False).head(3)
    incidents.loc[1, "event_date"] = "2025" + INVISIBLE
    path = tmp_path / "incidents.csv"
    incidents.to_csv(path, index=False)
    done = _geokit("validate", str(path), "--kind", "incidents")
    assert done.returncode == 1
    assert RAW.findall(done.stdout + done.stderr) == [] and "2025" + SHOWN in done.stdout + done.stderr


def test_a_usage_error_quoting_an_argument_is_escaped(capsys):
    """argparse echoes unrecognised arguments as they are (a script may pass a name it read from data)."""
    from geokit.cli import main

    with pytest.raises(SystemExit) as exit_:
        main(["validate", "roads.geojson", "--kind", "roads", "extra" + INVISIBLE])
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and RAW.findall(err) == [] and "unrecognized arguments: extra" + SHOWN in err


def test_a_library_warning_quoting_data_is_escaped(capsys):
    from geokit.cli import _show_warning

    _show_warning(UserWarning("field 'x" + INVISIBLE + "'"), UserWarning, "pyogrio/raw.py", 1)
    err = capsys.readouterr().err
    assert RAW.findall(err) == [] and "field 'x" + SHOWN + "'" in err


# --- spreadsheets -----------------------------------------------------------------------------------------

CSV_FILES = ["summary.csv", "status_timeline.csv", "changes.csv", "population_exposed.csv"]


def _rows(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _formula_pieces(cell: str, separator: str) -> list[str]:
    """The cells a spreadsheet splitting on ``separator`` (ignoring quotes) makes of ``cell`` that it
    would read as a formula."""
    pieces = cell.split(separator) if separator != "\n" else re.split(r"\r\n|\r|\n", cell)
    return [p for p in pieces if p.lstrip(' "').startswith(("=", "+", "-", "@")) and not _number(p.strip(' "'))]


@pytest.mark.parametrize("separator", [",", ";", "\t", "|", "\n"], ids=["comma", "semicolon", "tab", "pipe", "newline"])
@pytest.mark.parametrize("name", CSV_FILES)
def test_no_csv_cell_splits_into_a_formula(built, name, separator):
    path = built["out"] / name
    assert path.is_file()
    cells = [c for row in _rows(path) for c in row.values()]
    assert [p for c in cells for p in _formula_pieces(c, separator)] == []


def test_the_corridor_name_stays_readable_in_summary_csv(built):
    corridors = [row["corridor"] for row in _rows(built["out"] / "summary.csv")]
    assert "Kayes;'=1+1|'@SUM(A1) $\\frac{1}{2}$" in corridors  # apostrophes only where a formula would start


def test_numbers_stay_numbers_in_csv(built):
    """Numeric columns are written as plain numbers, never given an apostrophe."""
    table = pd.read_csv(built["out"] / "summary.csv")
    for column in ("days_blockaded", "length_km", "blockaded_km", "n_incidents", "population_exposed"):
        assert pd.api.types.is_numeric_dtype(table[column]), column


def test_negative_numbers_stay_numbers():
    from geokit.escape import csv_safe

    frame = pd.DataFrame({"corridor": ["Kayes;=1+1", "-2+3"], "delta_km": [-3.5, 2.0], "days": [-1, 4]})
    text = csv_safe(frame).to_csv(index=False, lineterminator="\n")
    assert text == "corridor,delta_km,days\nKayes;'=1+1,-3.5,-1\n'-2+3,2.0,4\n"


def test_summary_json_keeps_the_exact_text(built):
    """JSON is data for programs: the names are kept exactly, escaped only by JSON itself."""
    summary = json.loads((built["out"] / "summary.json").read_text(encoding="utf-8"))
    assert summary["project"] == PROJECT
    assert {CORRIDOR, MD_CORRIDOR} <= {c["corridor"] for c in summary["corridors"]}


# --- Markdown ----------------------------------------------------------------------------------------------

def test_changes_md_makes_no_link_image_or_html(built):
    text = (built["out"] / "changes.md").read_text(encoding="utf-8")
    assert "evil" in text  # the corridor's changes are listed
    assert not re.search(r"(?<!\\)[\[\]]", text.split("\n", 1)[1])  # every bracket escaped: no link, no image
    assert "://" not in text.split("\n", 1)[1] and "www." not in text and "a@b" not in text and "<b>" not in text


@pytest.mark.parametrize("payload, expected", [
    ("![i](http://x/t.png)", "\\!\\[i\\](http&#58;//x/t.png)"),
    ("[x](javascript:alert(1))", "\\[x\\](javascript:alert(1))"),
    ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;"),
    ("www.evil.example", "www&#46;evil.example"),
    ("mail a@b.example", "mail a&#64;b.example"),
    ("~~struck~~ **bold** `code`", "\\~\\~struck\\~\\~ \\*\\*bold\\*\\* \\`code\\`"),
    ("a | b\n# h", "a \\| b # h"),
    ("&copy;", "&amp;copy;"),
])
def test_markdown_text(payload, expected):
    assert markdown_text(payload) == expected


# --- the status chart: mathtext and TeX never run on data ---------------------------------------------------

@pytest.mark.parametrize("name", [
    "$\\frac{1}{2}$", "a $x^2$ b", "$$", "\\$5 and $6", "$\\input{/etc/passwd}$", "$\\sqrt{2}$ glyphicon",
])
def test_status_chart_shows_mathtext_literally(name, monkeypatch):
    import matplotlib
    from matplotlib import mathtext, texmanager

    from geokit.chart import status_chart

    def refuse(*args, **kwargs):
        raise AssertionError("matplotlib parsed text from data as mathtext or TeX")

    monkeypatch.setattr(mathtext.MathTextParser, "parse", refuse)
    monkeypatch.setattr(texmanager.TexManager, "get_text_width_height_descent", refuse)
    monkeypatch.setattr(texmanager.TexManager, "make_dvi", refuse)
    episodes = pd.DataFrame({"corridor": [name], "status": ["blockaded"], "start": pd.to_datetime(["2025-09-01"]),
                             "end": pd.to_datetime(["2025-09-20"]), "opened_by": [""], "extended_by": [""]})
    with matplotlib.rc_context({"text.usetex": True}):  # a matplotlibrc that asks for TeX changes nothing
        fig = status_chart(episodes, end="2025-09-30", title=name)
        fig.canvas.draw()
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == [name]
    assert fig._suptitle.get_text() == name


def test_the_built_chart_has_the_literal_names(built):
    """status_chart.png was drawn (with the mathtext names) and is a PNG."""
    assert (built["out"] / "status_chart.png").read_bytes()[:4] == b"\x89PNG"


# --- the map and the brief in a real browser ---------------------------------------------------------------

@pytest.mark.parametrize("name", ["map.html", "brief.html"])
def test_html_products_show_the_text_and_run_nothing(built, page_of, name):
    from test_untrusted_text import _OPEN_EVERYTHING

    is_map = name == "map.html"
    page, log = page_of(built["out"] / name, leaflet=is_map)
    shown = [page.evaluate("document.body.innerText")]
    if is_map:
        shown += page.evaluate(_OPEN_EVERYTHING)
    shown_text = "\n".join(shown)
    assert log["errors"] == [] and log["dialogs"] == [] and log["external"] == [] and log["failed"] == [], log
    assert PROJECT in shown_text and CORRIDOR in shown_text
    assert re.findall("[\u202a-\u202e\u2066-\u2069]", shown_text) == []  # nothing reorders what one reads
    if is_map:
        assert NOTES + " \\u202edesolc si daor eht" in shown_text  # literally: no icon font, no reordering
        assert page.evaluate("document.querySelectorAll('.glyphicon, .fa, .awesome-marker').length") == 0
    assert page.evaluate("document.querySelectorAll('body img[src^=\"http\"], a[href*=\"evil\"]').length") == 0


def test_offline_still_refuses_a_map_that_does_use_awesome_markers():
    import folium

    from geokit._errors import GeokitError
    from geokit.offline import offline_page

    m = folium.Map(tiles=None)
    folium.Marker([12.6, -8.0], icon=folium.Icon(icon="info-sign", prefix="glyphicon")).add_to(m)
    with pytest.raises(GeokitError, match="awesome-markers icon"):
        offline_page(m)


def test_offline_accepts_the_words_in_data():
    import folium

    from geokit.escape import html_text
    from geokit.offline import offline_page

    m = folium.Map(tiles=None)
    folium.CircleMarker([12.6, -8.0], tooltip=html_text(NOTES), popup=html_text(NOTES)).add_to(m)
    assert "L.AwesomeMarkers" in offline_page(m)


# --- the escaping functions ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text, shown", [
    ("\x1b[2J", "\\x1b[2J"),                     # CSI: clear the screen
    ("\x1b]0;PWNED\x07", "\\x1b]0;PWNED\\x07"),  # OSC: retitle the window
    ("\x1b]8;;http://x\x1b\\y", "\\x1b]8;;http://x\\x1b\\y"),  # OSC 8 hyperlink
    ("\x9b31m", "\\x9b31m"),                     # C1 CSI
    ("\x85", "\\x85"),                           # C1 next line
    ("ab\rXY", "ab\\x0dXY"),                     # carriage return overwrites the line
    ("ab\x08\x08XY", "ab\\x08\\x08XY"),          # backspaces
    ("\x00\x7f", "\\x00\\x7f"),                  # NUL, DEL
    ("\u202e", "\\u202e"), ("\u202a\u202b\u202c\u202d", "\\u202a\\u202b\\u202c\\u202d"),
    ("\u2066\u2067\u2068\u2069", "\\u2066\\u2067\\u2068\\u2069"),
    ("\u200e\u200f\u061c", "\\u200e\\u200f\\u061c"),   # direction marks
    ("\u200b\u2060\ufeff", "\\u200b\\u2060\\ufeff"),   # zero-width space, word joiner, BOM
    ("\u2028\u2029", "\\u2028\\u2029"),                # line and paragraph separators
    ("\U000e0041\U000e007f", "\\U000e0041\\U000e007f"),  # tag characters (invisible ASCII)
    ("\ud800", "\\ud800"),                             # a lone surrogate: no UTF-8 file takes it
])
def test_terminal_text_shows_escapes(text, shown):
    out = terminal_text(text)
    assert out == shown
    out.encode("utf-8")  # writable to build.log and any terminal


@pytest.mark.parametrize("text, html, markdown", [
    ("a\u202eb", "a&#92;u202eb", "a\\\\u202eb"),
    ("\u2067x\u2069", "&#92;u2067x&#92;u2069", "\\\\u2067x\\\\u2069"),
    ("تمبكتو", "تمبكتو", "تمبكتو"),  # right-to-left letters are text, kept as they are
])
def test_bidi_controls_show_as_escapes_in_html_and_markdown(text, html, markdown):
    import html as stdlib_html

    from geokit.escape import html_text

    assert html_text(text) == html and markdown_text(text) == markdown
    assert stdlib_html.unescape(html_text(text)) == terminal_text(text)  # what the page shows: the terminal's


@pytest.mark.parametrize("text", ["Ségou", "تمبكتو", "ⵜⵉⵏⴱⵓⴽⵜⵓ", "👩\u200d🚒 and می\u200cخواهم", "a\tb\nc", "C:\\temp"])
def test_terminal_text_keeps_ordinary_text(text):
    assert terminal_text(text) == text


def test_terminal_text_escapes_every_invisible_format_character():
    """Every character of Unicode category Cf (format) but the zero-width (non-)joiners, and every Cc but
    tab and line feed, is escaped (checked against this Python's Unicode database)."""
    kept = {"\t", "\n", "\u200c", "\u200d"}
    missed = [f"U+{cp:04X}" for cp in range(sys.maxunicode + 1)
              if unicodedata.category(chr(cp)) in ("Cc", "Cf") and chr(cp) not in kept
              and terminal_text(chr(cp)) == chr(cp)]
    assert missed == []


@pytest.mark.parametrize("cell, expected", [
    ("Kayes;=1+1", "Kayes;'=1+1"),
    ("a|@SUM(1)", "a|'@SUM(1)"),
    ("a,+1+1", "a,'+1+1"),
    ("a\n=1", "a\n'=1"),
    ("a\r\n-1+1", "a\r\n'-1+1"),
    ('x;"=1+1"', "x;'\"=1+1\""),
    ("x; =cmd|' /C calc'!A0", "x;' =cmd|' /C calc'!A0"),
    ("12.6,-8.0", "12.6,-8.0"),
    ("x;-3.5;y", "x;-3.5;y"),
    ("=1;=2", "'=1;'=2"),
    ("Dakar - Bamako, 3 km", "Dakar - Bamako, 3 km"),
    (-3.5, -3.5),
])
def test_csv_cell_neutralises_formulas_after_separators(cell, expected):
    assert csv_cell(cell) == expected


# --- Ctrl-C: one line, exit status 130, whenever it comes ----------------------------------------------------

def _interrupt(args: list[str], *, pause: str | None, delay: float = 0.0, cwd: Path | None = None) -> tuple[int, str]:
    env = {**os.environ, "GEOKIT_PAUSE_AT": f"{pause}:30" if pause else "import:0.3"}
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=cwd)
    try:
        first = proc.stderr.readline()  # "geokit: paused at ...": geokit's code is running
        assert first.startswith("geokit: paused at"), first
        if not pause:
            import time

            time.sleep(0.3 + delay)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=120)
    finally:
        proc.kill()
    return proc.returncode, first + err


@pytest.mark.parametrize("pause, delay", [
    ("import", 0.0),    # while the package starts, before geokit.cli is imported
    (None, 0.05),       # while the command's modules and libraries are imported
    (None, 0.5),        # pandas, GDAL, the layers
    (None, 1.5),        # the analysis
    ("write", 0.0),     # products written into the staging folder
    ("exit", 0.0),      # the command has returned: the process is ending
], ids=["import", "imports+0.05s", "imports+0.5s", "running+1.5s", "writing", "exiting"])
def test_ctrl_c_prints_one_line_and_exits_130(tmp_path, pause, delay):
    out = tmp_path / "out"
    code, err = _interrupt([sys.executable, "-m", "geokit", "build", str(MALI / "project.toml"), "--out", str(out),
                            "--start", "2025-09-01", "--end", "2025-09-30", "-q"], pause=pause, delay=delay)
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    lines = err.splitlines()
    assert code == 130 and lines[-1] == "geokit: interrupted" and len(lines) == 2, err
    assert [p.name for p in tmp_path.iterdir() if "stage" in p.name] == []  # the staging folder was removed


def test_ctrl_c_in_the_console_script(tmp_path):
    script = Path(sys.executable).with_name("geokit")
    if not script.is_file():
        pytest.skip("no geokit console script beside this Python")
    code, err = _interrupt([str(script), "validate", str(MALI / "roads.geojson"), "--kind", "roads"],
                           pause="import")
    assert (code, err) == (130, "geokit: paused at import\ngeokit: interrupted\n")


def test_importing_geokit_as_a_library_leaves_ctrl_c_alone():
    """Only the geokit command takes Ctrl-C over; a notebook or script that imports geokit keeps Python's."""
    code = ("import signal, geokit, geokit.cli, geokit.layers; "
            "print(signal.getsignal(signal.SIGINT) is signal.default_int_handler)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "True", done.stderr
