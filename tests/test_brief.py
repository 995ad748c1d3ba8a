"""Issue #27 (the brief): paper sizes, the people figure, the phone layout and briefs of a batch."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from geokit.brief import batch_index_html, find_chromium, people_behind

ROOT = Path(__file__).resolve().parents[1]
MALI = ROOT / "layers" / "mali_2025"

needs_chromium = pytest.mark.skipif(find_chromium() is None, reason="no Chromium to print with")


def _page_sizes(pdf: bytes) -> list[tuple[float, float]]:
    """Each page's MediaBox (width, height) in points."""
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    return [(round(float(w)), round(float(h))) for w, h in boxes]


@pytest.fixture(scope="module")
def september():
    """The shipped Mali project over September 2025: the analysis, its base layers and its project."""
    from geokit.build import _analyse, _map_base, load_project, load_project_layers, params_from_project

    project = load_project(MALI / "project.toml")
    layers, log = load_project_layers(project)
    base, sources = _map_base(project, layers, None, log)
    analysis = _analyse(project, layers, params_from_project(project, start="2025-09-01", end="2025-09-30"))
    return analysis, base, sources, project


def test_people_behind_the_blockade_count_each_town_once_and_never_the_destination(september):
    """The Mali September build, checked by hand: on 30 Sep Dakar-Bamako is cut between Kayes and Diéma;
    Ségala and Koniakary (no census figure in cities.geojson) are cut off from Bamako; Bamako-Mopti is cut
    at Kassela (no figure). Bamako (1,809,106) is every corridor's end and never counts: the never-blockaded
    Conakry-Bamako has nobody behind a blockade (it showed 1,809,106 before)."""
    analysis = september[0]
    table = people_behind(analysis).set_index("corridor")
    assert table.loc["Dakar-Bamako", "towns"] == ["Ségala", "Koniakary"]
    assert table.loc["Dakar-Bamako", "no_figure"] == ["Ségala", "Koniakary"]
    assert pd.isna(table.loc["Dakar-Bamako", "people"])
    assert table.loc["Bamako-Mopti", "towns"] == ["Kassela"]
    for corridor in ("Conakry-Bamako", "Abidjan-Bamako", "Bobo-Dioulasso-Bamako", "Nouakchott-Bamako"):
        assert table.loc[corridor, "towns"] == [] and table.loc[corridor, "people"] == 0
    assert not any("Bamako" in towns for towns in table["towns"])


def test_people_behind_sums_known_figures_once(september):
    """A town with a figure on a blockaded stretch is counted once, with its census figure."""
    from dataclasses import replace

    cities = september[0].cities.copy()
    cities.loc[cities["name"] == "Koniakary", "population"] = 12_345
    analysis = replace(september[0], cities=cities)
    row = people_behind(analysis).set_index("corridor").loc["Dakar-Bamako"]
    assert row["people"] == 12_345 and row["no_figure"] == ["Ségala"]


def test_brief_says_no_census_figure_and_never_counts_bamako_in_a_row(september):
    from geokit.analysis import population_by_region
    from geokit.brief import brief_html

    analysis, base, sources, project = september
    people = population_by_region(analysis, base["regions"], project.population)
    mopti = people.set_index("region").loc["Mopti"]
    assert mopti["towns_exposed"] == 2 and mopti["towns_exposed_without_figure"] == 2
    assert people["town_population_exposed"].dtype.kind == "i"  # whole people, no "2051457.0"
    page = brief_html(analysis, title="Mali", base=base, population=people, sources=sources)
    assert "1,809,106" not in page.split("<h2>People exposed, by region</h2>")[0]  # not in the corridor rows
    region_rows = page.split("<h2>People exposed, by region</h2>")[1].split("<h2>")[0]
    assert re.search(r"data-label='region'>Mopti</td>.*?no census figure", region_rows)
    assert "Ségala, Koniakary: no census figure" in page
    assert "@page{size:A4;" in page and "max-width:8.6in" not in page
    assert "@page{size:letter;" in brief_html(analysis, title="Mali", paper="letter")
    with pytest.raises(Exception, match="paper"):
        brief_html(analysis, title="Mali", paper="a3")


def test_brief_map_has_a_scale_bar_and_a_north_arrow(september):
    from geokit.brief import brief_map

    analysis, base, _, _ = september
    fig = brief_map(analysis, base=base)
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert "N" in texts and any(re.fullmatch(r"\d+ km", t) for t in texts)
    assert {"Koniakary", "Kassela", "Bamako", "Kayes"} <= set(texts)
    assert all(t.get_fontsize() >= 7.5 for ax in fig.axes for t in ax.texts)
    assert fig.get_size_inches()[0] == pytest.approx(7.2)


@needs_chromium
def test_brief_pdf_is_a4_by_default_and_letter_on_request(tmp_path):
    from geokit.cli import main

    for paper, size, most in ((None, (595, 842), 3), ("letter", (612, 792), 4)):  # Letter is 18 mm shorter
        out = tmp_path / (paper or "default")
        args = ["build", str(MALI / "project.toml"), "--out", str(out), "--start", "2025-09-01",
                "--end", "2025-09-30", "--pdf", "-q"] + (["--paper", paper] if paper else [])
        assert main(args) == 0
        sizes = _page_sizes((out / "brief.pdf").read_bytes())
        assert sizes and set(sizes) == {size}, (paper, sizes)
        assert 1 <= len(sizes) <= most


def test_brief_has_no_sideways_scroll_on_a_phone(page_of, september, tmp_path):
    from geokit.analysis import population_by_region
    from geokit.brief import brief_html

    analysis, base, sources, project = september
    people = population_by_region(analysis, base["regions"], project.population)
    path = tmp_path / "brief.html"
    path.write_text(brief_html(analysis, title="Mali", base=base, population=people, sources=sources),
                    encoding="utf-8")
    page, log = page_of(path, leaflet=False)
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert log["errors"] == []


@needs_chromium
def test_a_batch_with_pdf_prints_every_window_and_the_index_links_them(tmp_path):
    from geokit.build import build_batch

    out = tmp_path / "monthly"
    written = build_batch(MALI / "project.toml", out, every="1M", start="2025-09-01", end="2025-10-31", pdf=True)
    windows = ["2025-09-01_2025-09-30", "2025-10-01_2025-10-31"]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "name='viewport'" in index
    for window in windows:
        assert out / window / "brief.pdf" in written
        assert _page_sizes((out / window / "brief.pdf").read_bytes())[0] == (595, 842)
        assert f"href='{window}/brief.pdf'" in index and f"href='{window}/brief.html'" in index


def test_index_links_the_html_brief_without_pdf():
    t = pd.DataFrame({"window_start": ["2025-09-01"], "window_end": ["2025-09-30"], "corridor": ["K"],
                      "status": ["open"], "days_blockaded": [0]})
    page = batch_index_html("Mali", t)
    assert "2025-09-01_2025-09-30/brief.html" in page and "brief.pdf" not in page


def test_csv_people_are_whole_numbers_and_the_summary_counts_people_behind_the_blockade(tmp_path):
    """Issue #27 (tables): populations are written as integers ("2051457", never "2051457.0"), and
    summary.csv has the people behind each blockade beside the older population_exposed."""
    from geokit.build import build_project

    build_project(MALI / "project.toml", tmp_path, start="2025-09-01", end="2025-09-30")
    summary = (tmp_path / "summary.csv").read_text(encoding="utf-8")
    people = (tmp_path / "population_exposed.csv").read_text(encoding="utf-8")
    assert not re.search(r"\d\.0(,|\n)", people)
    table = pd.read_csv(tmp_path / "summary.csv").set_index("corridor")
    assert table["population_exposed"].dtype.kind == "i" and ",2051457," in summary
    assert table.loc["Conakry-Bamako", "people_behind_blockade"] == 0
    assert table.loc["Dakar-Bamako", "towns_behind_blockade"] == "Ségala; Koniakary"
    assert pd.isna(table.loc["Dakar-Bamako", "people_behind_blockade"])  # no census figure: not 0
    episodes = pd.read_csv(tmp_path / "status_timeline.csv")
    assert episodes["days"].dtype.kind == "i"
    assert episodes["start"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()


def test_build_says_what_to_open_names_the_previous_build_and_keeps_bars_out_of_logs(tmp_path):
    """Issue #27 (smaller items): --help lists map.html and brief.html; a build ends with the path of the map
    to open (not with -q); progress bars stay out of a redirected stderr; a rebuild's changes.md names the
    builds by window and time, not "out to out"; geokit.offline is an attribute after ``import geokit``."""
    import subprocess
    import sys

    import geokit

    assert callable(geokit.offline.save_html)
    run = [sys.executable, "-m", "geokit", "build"]
    helped = subprocess.run([*run, "--help"], capture_output=True, text=True, check=True).stdout
    assert "map.html" in helped and "brief.html" in helped
    args = [*run, str(MALI / "project.toml"), "--out", str(tmp_path), "--start", "2025-09-01", "--end", "2025-09-30"]
    done = subprocess.run(args, capture_output=True, text=True)  # stderr is a pipe, not a terminal
    assert done.returncode == 0, done.stderr
    assert f"open {tmp_path / 'map.html'}" in done.stdout
    assert "it/s" not in done.stderr and "step/s" not in done.stderr and "%|" not in done.stderr
    again = subprocess.run([*args[:-4], "--start", "2025-10-01", "--end", "2025-10-31", "--overwrite", "-q"],
                           capture_output=True, text=True)
    assert again.returncode == 0 and again.stdout == "", again.stderr
    title = (tmp_path / "changes.md").read_text(encoding="utf-8").splitlines()[0]
    assert "2025-09-01 to 2025-09-30" in title and "2025-10-01 to 2025-10-31" in title and "UTC" in title
    assert str(tmp_path) not in title


def test_a_detour_passes_the_towns_near_its_road(september):
    """Issue #27: Dakar-Bamako's September detour passes 2.4 km from Kita (attached to another road): Kita is
    one of its detour towns, between Kayes and Kati, in the summary and on the detour line alike; so is
    every town within place_snap_km of the detour's line."""
    analysis = september[0]
    towns = analysis.corridors.set_index("name").loc["Dakar-Bamako", "detour_towns"].split("; ")
    assert towns.index("Kayes") < towns.index("Kita") < towns.index("Kati")
    assert analysis.detours.set_index("name").loc["Dakar-Bamako", "detour_towns"].split("; ") == towns
    line = analysis.detours.set_index("name").loc[["Dakar-Bamako"]].to_crs(analysis.network.crs).geometry.iloc[0]
    points = analysis.cities.to_crs(analysis.network.crs)
    near = set(points.loc[points.distance(line) <= analysis.params.place_snap_km * 1000, "name"])
    assert near <= set(towns)
    episodes = analysis.episodes[(analysis.episodes["corridor"] == "Dakar-Bamako")
                                 & (analysis.episodes["status"] == "blockaded")]
    assert all("Kita" in t.split("; ") for t in episodes["detour_towns"])  # status_timeline.csv agrees
