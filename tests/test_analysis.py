"""The whole chain on the shipped Mali layers and on the real data: results an analyst can check."""

import pandas as pd
import pytest

import geokit
from conftest import MALI
from geokit import InputError
from geokit.analysis import AnalysisParams, analyse, sensitivity, sub_window
from geokit.project import CorridorSpec, load_project


@pytest.fixture(scope="module")
def mali():
    project = load_project(MALI / "project.toml")
    return {
        "roads": geokit.read_roads(MALI / "roads.geojson"),
        "cities": geokit.read_cities(MALI / "cities.geojson"),
        "crossings": geokit.read_crossings(MALI / "border_crossings.geojson"),
        "incidents": geokit.read_incidents(MALI / "incidents.csv"),
        "corridors": project.corridors,
    }


def run(mali, start, end, **kw):
    return analyse(mali["roads"], mali["incidents"], cities=mali["cities"], crossings=mali["crossings"],
                   corridors=mali["corridors"], params=AnalysisParams(start=start, end=end, **kw))


def test_september_2025_cuts_the_western_corridors(mali):
    a = run(mali, "2025-09-01", "2025-09-30")
    status = a.summary().set_index("corridor")
    # 13 Sept: ambush between Didiéni and Kolokani on the RN3, shared by the Dakar and Nouakchott corridors
    assert status.loc["Dakar-Bamako", "status"] == "blockaded"
    assert status.loc["Nouakchott-Bamako", "status"] == "blockaded"
    assert status.loc["Dakar-Bamako", "blockaded_since"] == pd.Timestamp("2025-09-13")
    # a real detour remains on the shipped (OpenStreetMap-derived) network: from Kayes south through
    # Kita to Kati, away from both ambushes (Didiéni-Kolokani, and Ségala on the RN3 east of Kayes)
    dakar = status.loc["Dakar-Bamako"]
    assert dakar["detour"] == "ok" and dakar["detour_extra_km"] > 0
    assert dakar["detour_km"] == pytest.approx(dakar["length_km"] + dakar["detour_extra_km"])
    line = a.detours.set_index("name").loc[["Dakar-Bamako"]].to_crs(a.network.crs).geometry.iloc[0]
    towns = mali["cities"].to_crs(a.network.crs).set_index("name").geometry
    assert line.distance(towns["Kita"]) < 3_000
    assert line.distance(towns["Didiéni"]) > 50_000 and line.distance(towns["Ségala"]) > 50_000
    # the towns inside the blockaded stretch around the Ségala ambush lose their road to Bamako
    assert set(dakar["towns_cut_off"].split("; ")) == {"Ségala", "Koniakary"}
    nouakchott = status.loc["Nouakchott-Bamako"]
    assert nouakchott["detour"] == "ok" and "Kita" in nouakchott["detour_towns"].split("; ")
    # the Guinea corridor: no attack on its road, but the 19 Sep attack "about 40 km from Kati", located
    # to the area only (25 km reach), puts its last stretch into Bamako at risk
    assert status.loc["Conakry-Bamako", "status"] == "at_risk" and status.loc["Conakry-Bamako", "blockaded_km"] == 0
    crossings = a.crossings.set_index("name")
    assert crossings["reaches_destination"].all()  # every crossing still reaches Bamako, by the detours
    assert crossings.loc["Diboli-Kidira", "after_km"] > crossings.loc["Diboli-Kidira", "before_km"]
    assert a.destination == "Bamako"


def test_september_to_november_says_since_when_and_until_when(mali):
    """The demo window: the ambushes of 13 Sep (Didiéni-Kolokani, RN3, both corridors) and 14 Sep
    (Ségala, Kayes-Bamako road, Dakar only) blockade for 30 days, both ends included. The 19 Sep attack
    about 40 km from Kati names no road, so it is located to the area only and blockades nothing."""
    a = run(mali, "2025-09-01", "2025-11-30")
    s = a.summary().set_index("corridor")
    assert s.loc["Dakar-Bamako", "blockaded_periods"] == "2025-09-13..2025-10-13"  # 14 Sep + 29 days
    assert s.loc["Nouakchott-Bamako", "blockaded_periods"] == "2025-09-13..2025-10-12"  # 13 Sep + 29 days
    assert s.loc["Dakar-Bamako", "days_blockaded"] == 31 and s.loc["Nouakchott-Bamako", "days_blockaded"] == 30
    assert s.loc["Dakar-Bamako", "reopened_on"] == pd.Timestamp("2025-10-14")
    # the tanker burned near Sikasso on 6 Oct cuts both southern corridors through 4 Nov; the armed
    # roadblock between Kassela and Zantiguila on 6 Sep cuts the Ségou road through 5 Oct
    for corridor in ("Abidjan-Bamako", "Bobo-Dioulasso-Bamako"):
        assert s.loc[corridor, "blockaded_periods"] == "2025-10-06..2025-11-04"
    assert s.loc["Bamako-Mopti", "blockaded_periods"] == "2025-09-06..2025-10-05"
    assert s.loc["Dakar-Bamako", "worst_status"] == "blockaded"
    assert s.loc["Dakar-Bamako", "status"] == "at_risk"  # on 30 Nov, within 90 days of the ambushes
    ep = a.episodes.set_index(["corridor", "status"])
    dakar = ep.loc[("Dakar-Bamako", "blockaded")]
    assert dakar["opened_by"] == "GK25-09-13" and dakar["extended_by"] == "GK25-09-14-1"
    # when it began (only the Didiéni-Kolokani cut), the detour left the RN3 at Sandaré for Kita
    assert dakar["detour"] == "ok" and {"Sandaré", "Kita"} <= set(dakar["detour_towns"].split("; "))
    assert s.loc["Conakry-Bamako", "worst_status"] == "at_risk" and s.loc["Conakry-Bamako", "days_blockaded"] == 0


def test_november_2025_lull_leaves_no_corridor_blockaded(mali):
    a = run(mali, "2025-11-01", "2025-11-30")
    # only army air strikes in November: they never blockade a road
    assert not (a.summary()["status"] == "blockaded").any()


def test_strategic_developments_expose_nothing(mali):
    a = run(mali, "2025-10-29", "2025-10-31")  # fuel stock, embassy departures, the escorted convoy
    assert len(a.incidents) == 4 and (a.incidents["event_type"] == "Strategic developments").all()
    assert a.zones.empty
    assert not a.cities["in_zone"].any()


def test_sensitivity_grows_blockaded_km_with_radius(mali):
    table = sensitivity(mali["roads"], mali["incidents"], radii_km=(1, 5, 10), cities=mali["cities"],
                        crossings=mali["crossings"], corridors=mali["corridors"],
                        params=AnalysisParams(start="2025-09-01", end="2025-09-30"))
    dakar = table[table["corridor"] == "Dakar-Bamako"].set_index("radius_km")["blockaded_km"]
    assert dakar.is_monotonic_increasing and dakar.loc[1.0] > 0
    assert set(table["radius_km"]) == {1.0, 5.0, 10.0}


@pytest.mark.shared_data
def test_real_network_dakar_bamako(shared_data, mali):
    roads = geokit.read_roads(shared_data / "roads_major_routes_osm_osrm.geojson")
    towns = geokit.read_cities(shared_data / "osm_places_city_town_2019.geojson").drop_duplicates("name")
    crossings = geokit.read_crossings(shared_data / "border_crossings_derived.geojson")
    corridors = [CorridorSpec("Dakar-Bamako", "Dakar", "Bamako", via=("Kayes",))]
    a = analyse(roads, mali["incidents"], cities=towns, crossings=crossings, corridors=corridors,
                params=AnalysisParams(start="2025-09-01", end="2025-09-30"))
    row = a.summary().iloc[0]
    # on real alignments the corridor is within 10% of the published 1,382 km
    assert row["length_km"] == pytest.approx(1382, rel=0.10)
    assert row["crossings"] == "Kidira"
    assert row["status"] == "blockaded"
    # the real network has the southern corridor through Kéniéba (Moussala) as a detour
    assert row["detour"] == "ok" and "Kéniéba" in row["detour_crossings"]
    assert a.network.n_components <= 4


def test_the_reach_of_area_located_incidents_has_one_home():
    """Issue #17 (bug): the rules' imprecise_radius_km is no longer overwritten by the default."""
    from geokit import InputError
    from geokit.exposure import StatusRules

    assert AnalysisParams(rules=StatusRules(imprecise_radius_km=40)).rules.imprecise_radius_km == 40
    assert AnalysisParams(rules=StatusRules(imprecise_radius_km=40)).imprecise_radius_km == 40
    assert AnalysisParams(imprecise_radius_km=30).rules.imprecise_radius_km == 30
    assert AnalysisParams().imprecise_radius_km == 25  # StatusRules' default, written once
    with pytest.raises(InputError, match="give it once"):
        AnalysisParams(imprecise_radius_km=30, rules=StatusRules(imprecise_radius_km=40))


#: The flow of data, upstream first: a module imports only from its own level or upstream (issue #17).
FLOW = [
    {"_errors", "_interrupt", "_check", "escape", "palette", "schema", "formats", "trust", "i18n", "locale"},
    {"readers", "validate", "crs", "_io", "sources"},
    {"layers", "incidents", "segments"},
    {"timeline", "exposure", "network", "corridors", "raster", "_dask"},
    {"analysis", "routing", "forecast"},
    {"maps", "offline", "chart", "brief", "styles", "diff", "kml"},
    {"project", "datasets"},
    {"build"},
    {"cli", "__init__", "__main__"},
]


#: Imports downstream allowed on purpose: Analysis.status_chart() draws its own chart in a notebook (a lazy
#: import inside the method; the analysis itself never depends on it).
_DISPLAY = {("analysis", "chart")}


def _runtime_imports(tree):
    """geokit modules imported at run time (anything under ``if TYPE_CHECKING:`` is left out)."""
    import ast

    skip = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip |= {id(n) for n in ast.walk(node)}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and id(node) not in skip and (node.module or "").startswith("geokit"):
            if node.module == "geokit" and {a.name for a in node.names} == {"__version__"}:
                continue  # the version string, not the package's API
            yield node.module.split(".")[1] if "." in node.module else "__init__"


def test_no_module_imports_downstream():
    import ast

    from conftest import ROOT

    level = {name: i for i, names in enumerate(FLOW) for name in names}
    for name, path in _modules(ROOT):
        assert name in level, f"{name} has no place in FLOW"
        for imported in _runtime_imports(ast.parse(path.read_text(encoding="utf-8"))):
            if imported in level and name not in ("__init__",) and (name, imported) not in _DISPLAY:
                assert level[imported] <= level[name], f"{path} imports {imported}, downstream of it"


def _modules(root):
    """Each module file of geokit with the name FLOW knows it by: a subpackage's files (geokit/maps/...) are
    the subpackage."""
    for path in sorted((root / "geokit").rglob("*.py")):
        if path.stem == "conftest" or "vendor" in path.parts:
            continue
        yield path.relative_to(root / "geokit").parts[0].removesuffix(".py"), path


def test_analysis_and_corridors_never_import_the_project_file_module():
    """Issue #17: data flows one way; the corridor model lives in geokit.corridors."""
    import ast

    from conftest import ROOT

    for module, path in _modules(ROOT):
        if module not in ("analysis", "corridors", "exposure", "timeline", "network", "maps", "chart", "brief",
                          "routing", "forecast"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        assert "geokit.project" not in imported and "geokit.build" not in imported, path


@pytest.mark.parametrize("start, end", [("2025-09-01", "2025-09-30"), ("2025-10-01", "2025-10-31"),
                                        ("2025-11-01", "2025-11-30"), ("2025-06-01", "2025-06-01")])
def test_sub_window_equals_analysing_the_window_again(mali, start, end):
    """A build's monthly map steps come from the whole window's join and timeline: every table of a
    month (segments, zones, towns, crossings, corridors, detours, episodes) is the one a second
    analysis of that month gives."""
    whole = run(mali, "2025-06-01", "2025-11-30")
    part = sub_window(whole, start, end, episode_detours=start == "2025-10-01")
    again = analyse(mali["roads"], mali["incidents"], cities=mali["cities"], crossings=mali["crossings"],
                    corridors=mali["corridors"], params=AnalysisParams(start=start, end=end), network=whole.network)
    for name in ("segments", "zones", "corridors", "detours", "cities", "crossings", "incidents", "totals"):
        got, want = getattr(part, name), getattr(again, name)
        assert list(got.columns) == list(want.columns), name
        pd.testing.assert_frame_equal(pd.DataFrame(got).reset_index(drop=True),
                                      pd.DataFrame(want).reset_index(drop=True), check_dtype=False, obj=name)
    want = again.timeline.episodes
    if start != "2025-10-01":  # without episode_detours, the same episodes less the detour of each
        assert "detour" not in part.episodes
        want = want.drop(columns=[c for c in want if c not in part.episodes])
    pd.testing.assert_frame_equal(part.episodes, want)
    # not a copy of the whole window's: the month's own counts and status
    if start == "2025-09-01":
        assert part.corridors.set_index("name").loc["Dakar-Bamako", "status"] == "blockaded"
        assert part.incidents["date"].between(start, end).all() and len(part.incidents) < len(whole.incidents)
    if start == "2025-11-01":
        assert (part.corridors["status"].astype(str) != "blockaded").all()


def test_sub_window_outside_the_window_is_refused(mali):
    whole = run(mali, "2025-09-01", "2025-10-31")
    with pytest.raises(InputError, match="is not within the analysis's 2025-09-01 to 2025-10-31"):
        sub_window(whole, "2025-08-01", "2025-09-30")
