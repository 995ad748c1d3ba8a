"""Places in time (issue #28, part 1): when each town and crossing was cut off and exposed.

Every expected date is computed by hand from the day convention: an incident dated D blockades its
roads on days D .. D + blockade_days - 1 and exposes the places within its reach on days
D .. D + at_risk_days - 1, both ends included.
"""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

import geokit
from conftest import MALI
from geokit.analysis import AnalysisParams, analyse, sub_window
from geokit.cli import main
from geokit.exposure import StatusRules
from geokit.project import CorridorSpec, load_project
from geokit.timeline import blockade_sets, people_cut_off, place_episodes, day_number

UTM = 32629
X0, Y0 = 500_000, 1_400_000
RULES = StatusRules(blockade_days=30, at_risk_days=90)


def pt(x_km: float, y_km: float) -> shapely.Point:
    return shapely.Point(X0 + x_km * 1000, Y0 + y_km * 1000)


@pytest.fixture(scope="module")
def spur():
    """Two routes from A (0 km) to B (100 km): the south trunk through M (50 km) and a northern loop
    through N (50 km, 40 km north). A spur hangs south of M: S at 20 km, then the village V at 40 km.
    E lies on the trunk at 75 km; F is a town 3 km off the trunk near x = 90 km. A-B and V-B are the corridors:
    V-B runs V - S - M - B."""
    roads = gpd.GeoDataFrame({"name": ["south", "north", "spur"]}, crs=UTM, geometry=[
        shapely.LineString([pt(0, 0), pt(50, 0), pt(100, 0)]),
        shapely.LineString([pt(0, 0), pt(50, 40), pt(100, 0)]),
        shapely.LineString([pt(50, 0), pt(50, -20), pt(50, -40)])])
    cities = gpd.GeoDataFrame({"name": ["A", "M", "B", "N", "S", "V", "E", "F"], "country": ["MLI"] * 8,
                               "population": [10_000, 20_000, 1_000_000, 3_000, 5_000, 700, 1_500, 900]},
                              crs=UTM, geometry=[pt(0, 0), pt(50, 0), pt(100, 0), pt(50, 40), pt(50, -20),
                                                 pt(50, -40), pt(75, 0), pt(90, 3)])
    crossings = gpd.GeoDataFrame({"name": ["X"], "country_a": ["MLI"], "country_b": ["SEN"]}, crs=UTM,
                                 geometry=[pt(50, -40)])
    return {"roads": roads.to_crs(4326), "cities": cities.to_crs(4326), "crossings": crossings.to_crs(4326)}


CORRIDORS = [CorridorSpec("A-B", "A", "B"), CorridorSpec("V-B", "V", "B")]


def incidents(*rows: tuple[str, float, float, str, str]) -> gpd.GeoDataFrame:
    """Incidents (id, x km, y km, date, sub-event type), located to the place (precision 1)."""
    frame = gpd.GeoDataFrame({
        "event_id": [r[0] for r in rows], "date": pd.to_datetime([r[3] for r in rows]),
        "event_type": ["Battles"] * len(rows), "sub_event_type": [r[4] for r in rows],
        "geo_precision": [1] * len(rows), "fatalities": [0] * len(rows)},
        geometry=[pt(r[1], r[2]) for r in rows], crs=UTM)
    return frame.to_crs(4326)


# ambushes on the spur between M and S on 10 and 17 Sep; an armed clash (not blockade-relevant) by E on 20 Sep
SPUR_ATTACKS = [("E1", 50, -10, "2025-09-10", "Ambush on fuel convoy"),
                ("E2", 50, -10, "2025-09-17", "Ambush on fuel convoy"),
                ("C1", 75, 1, "2025-09-20", "Armed clash")]


def run(layers, inc, start, end):
    return analyse(layers["roads"], inc, cities=layers["cities"], crossings=layers["crossings"],
                   corridors=CORRIDORS, params=AnalysisParams(start=start, end=end, radius_km=2, segment_km=5,
                                                              rules=RULES))


def rows(table, place, state):
    mine = table[(table["place"] == place) & (table["state"] == state)]
    return [(f"{r.start:%Y-%m-%d}", "" if pd.isna(r.end) else f"{r.end:%Y-%m-%d}") for r in mine.itertuples()]


@pytest.fixture(scope="module")
def autumn(spur):
    return run(spur, incidents(*SPUR_ATTACKS), "2025-09-01", "2025-11-30")


def test_the_spur_town_is_cut_off_from_the_first_ambush_until_the_last_lapses(autumn):
    """S and V lose their only road on 10 Sep; the 17 Sep ambush extends it to 17 Sep + 29 = 16 Oct (blockade_days
    = 30, both ends included); open again on 17 Oct, so not cut off on 30 Nov. Nothing else is cut off: the
    ambushes are on the spur, and the armed clash by E blockades nothing."""
    places = autumn.places_episodes
    cut = places[places["state"] == "cut_off"]
    assert sorted(set(cut["place"])) == ["S", "V", "X"]  # X, the crossing at V, too
    for place in ("S", "V", "X"):
        assert rows(places, place, "cut_off") == [("2025-09-10", "2025-10-16")]
    s = cut.set_index("place").loc["S"]
    assert s["days"] == 37 and s["days_in_window"] == 37 and s["opened_by"] == "E1" and pd.isna(s["lapses"])
    towns = autumn.cities.set_index("name")
    assert towns.loc["S", "cut_off_periods"] == "2025-09-10..2025-10-16"
    assert towns.loc["S", "days_cut_off"] == 37 and pd.isna(towns.loc["S", "cut_off_since"])
    assert towns.loc["S", "isolation"] == "unchanged"  # on 30 Nov: the window's last day
    assert towns.loc["A", "cut_off_periods"] == "" and towns.loc["A", "days_cut_off"] == 0
    summary = autumn.summary().set_index("corridor")
    assert summary.loc["V-B", "towns_cut_off_in_window"] == "S"  # V is the origin
    assert summary.loc["V-B", "towns_cut_off"] == "" and summary.loc["A-B", "towns_cut_off_in_window"] == ""
    # the crossing's km to B in each period: M - B is 50 km, the spur 40 km (geodesic, within 0.2 %)
    periods = autumn.crossings.set_index("name").loc["X", "km_to_destination_periods"].split("; ")
    assert [p.split(": ")[0] for p in periods] == ["2025-09-01..2025-09-09", "2025-09-10..2025-10-16",
                                                   "2025-10-17..2025-11-30"]
    assert periods[1].endswith("cut off") and float(periods[0].split(": ")[1].split()[0]) == pytest.approx(90, 0.01)
    # people cut off: S and V (5,000 + 700) from 10 Sep to 16 Oct
    people = autumn.timeline.people
    assert people[["people", "towns"]].values.tolist() == [[0, 0], [5_700, 2], [0, 0]]
    assert people["start"].dt.strftime("%m-%d").tolist() == ["09-01", "09-10", "10-17"]


def test_a_cut_off_still_holding_at_the_window_end_has_since_and_lapses(spur):
    september = run(spur, incidents(*SPUR_ATTACKS), "2025-09-01", "2025-09-30")
    towns = september.cities.set_index("name")
    assert towns.loc["S", "cut_off_since"] == pd.Timestamp("2025-09-10")
    assert towns.loc["S", "cut_off_periods"] == "2025-09-10.." and towns.loc["S", "days_cut_off"] == 21
    assert towns.loc["S", "isolation"] == "cut off"  # the end-of-window view agrees
    s = september.places_episodes.set_index(["place", "state"]).loc[("S", "cut_off")]
    assert pd.isna(s["end"]) and s["lapses"] == pd.Timestamp("2025-10-16")


def test_exposed_from_the_incident_day_for_at_risk_days(autumn):
    """E lies 1 km from the 20 Sep clash (radius 2 km): exposed from 20 Sep through 20 Sep + 89 = 18 Dec,
    so still on 30 Nov. F lies 3 km from the trunk and farther from every incident: never exposed. S lies 10 km
    from the ambushes: cut off, not exposed. in_zone (a zone of the window) agrees."""
    places = autumn.places_episodes
    assert rows(places, "E", "exposed") == [("2025-09-20", "")]
    e = places.set_index(["place", "state"]).loc[("E", "exposed")]
    assert e["lapses"] == pd.Timestamp("2025-12-18") and e["opened_by"] == "C1" and e["days_in_window"] == 72
    assert rows(places, "F", "exposed") == [] and rows(places, "S", "exposed") == []
    towns = autumn.cities.set_index("name")
    exposed = set(places.loc[places["state"] == "exposed", "place"])
    assert set(towns.index[towns["in_zone"].astype(bool)]) <= exposed  # in a zone of the window: exposed then


def test_sub_windows_read_the_one_timeline(spur, autumn):
    """A window's places are those of analysing it again (as for the corridors), and a cut-off that began
    before the window keeps its true first day."""
    october = sub_window(autumn, "2025-10-01", "2025-10-31")
    again = run(spur, incidents(*SPUR_ATTACKS), "2025-10-01", "2025-10-31")
    pd.testing.assert_frame_equal(october.places_episodes, again.places_episodes)
    pd.testing.assert_frame_equal(october.timeline.people, again.timeline.people)
    assert rows(october.places_episodes, "S", "cut_off") == [("2025-09-10", "2025-10-16")]
    assert october.cities.set_index("name").loc["S", "days_cut_off"] == 16  # 1-16 Oct


@pytest.fixture(scope="module")
def spur_project(spur, tmp_path_factory):
    """The spur layers and SPUR_ATTACKS as a project folder."""
    folder = tmp_path_factory.mktemp("spur")
    for kind in ("roads", "cities", "crossings"):
        (folder / f"{kind}.geojson").write_text(spur[kind].to_json(), encoding="utf-8")
    inc = incidents(*SPUR_ATTACKS)
    pd.DataFrame({"event_id": inc["event_id"], "event_date": inc["date"].dt.strftime("%Y-%m-%d"),
                  "event_type": inc["event_type"], "sub_event_type": inc["sub_event_type"],
                  "latitude": inc.geometry.y.round(7), "longitude": inc.geometry.x.round(7), "geo_precision": 1,
                  "source": "test"}).to_csv(folder / "incidents.csv", index=False)
    (folder / "project.toml").write_text("\n".join([
        '[project]', 'name = "spur"', '[layers]', 'roads = "roads.geojson"', 'cities = "cities.geojson"',
        'crossings = "crossings.geojson"', 'incidents = "incidents.csv"',
        '[[corridors]]', 'name = "A-B"', 'origin = "A"', 'destination = "B"',
        '[[corridors]]', 'name = "V-B"', 'origin = "V"', 'destination = "B"',
        '[analysis]', 'radius_km = 2', 'segment_km = 5', 'blockade_days = 30', 'at_risk_days = 90']),
        encoding="utf-8")
    return folder / "project.toml"


def test_the_build_writes_what_python_gives(spur_project, autumn, tmp_path):
    out = tmp_path / "out"
    assert main(["build", str(spur_project), "--out", str(out), "--start", "2025-09-01",
                 "--end", "2025-11-30"]) == 0
    written = pd.read_csv(out / "places_timeline.csv", keep_default_na=False)
    python = autumn.places_episodes
    assert written.columns.tolist() == python.columns.tolist()
    assert written[["place", "kind", "state", "days", "days_in_window", "opened_by"]].astype(str).values.tolist() \
        == python[["place", "kind", "state", "days", "days_in_window", "opened_by"]].astype(str).values.tolist()
    assert written["start"].tolist() == python["start"].dt.strftime("%Y-%m-%d").tolist()
    layer = gpd.read_file(out / "layers.gpkg", layer="places_episodes")
    assert len(layer) == len(written) and (layer.geom_type == "Point").all()
    summary = pd.read_csv(out / "summary.csv", keep_default_na=False).set_index("corridor")
    assert summary.loc["V-B", "towns_cut_off_in_window"] == "S"
    meaning = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert "towns_cut_off_in_window" in meaning["columns"]
    cities = gpd.read_file(out / "layers.gpkg", layer="cities").set_index("name")
    assert cities.loc["S", "cut_off_periods"] == "2025-09-10..2025-10-16" and cities.loc["S", "days_cut_off"] == 37


def test_each_window_of_a_batch_reads_the_one_timeline(spur_project, tmp_path):
    """Month by month: the cut-off that began on 10 Sep is ongoing at the end of September and ends on 16 Oct in
    October's tables, with its true first day; November's has none."""
    out = tmp_path / "monthly"
    assert main(["build", str(spur_project), "--out", str(out), "--start", "2025-09-01", "--end", "2025-11-30",
                 "--every", "1M"]) == 0
    months = {}
    for folder in sorted(p for p in out.iterdir() if p.is_dir()):
        table = pd.read_csv(folder / "places_timeline.csv", keep_default_na=False)
        months[folder.name[:7]] = table[(table["place"] == "S") & (table["state"] == "cut_off")][
            ["start", "end", "lapses", "days_in_window"]].values.tolist()
    assert months == {"2025-09": [["2025-09-10", "", "2025-10-16", 21]],
                      "2025-10": [["2025-09-10", "2025-10-16", "", 16]], "2025-11": []}


# --- the shipped Mali layers ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def mali():
    project = load_project(MALI / "project.toml")
    return {"roads": geokit.read_roads(MALI / "roads.geojson"), "cities": geokit.read_cities(MALI / "cities.geojson"),
            "crossings": geokit.read_crossings(MALI / "border_crossings.geojson"),
            "incidents": geokit.read_incidents(MALI / "incidents.csv"), "corridors": project.corridors}


def mali_run(mali, start, end):
    return analyse(mali["roads"], mali["incidents"], cities=mali["cities"], crossings=mali["crossings"],
                   corridors=mali["corridors"], params=AnalysisParams(start=start, end=end))


def test_mali_segala_and_koniakary_are_cut_off_from_14_september(mali):
    """GK25-09-14-1 (14 Sep, precision 2, "Ambush on escorted fuel convoy" near Ségala on the Kayes-Bamako road)
    blockades the road within 10 km of it: Ségala and Koniakary lie on that stretch, between the blockaded
    segments, and lose every road to Bamako from 14 Sep. No later blockade-relevant incident reaches that road
    (the army's air strikes around Kayes never blockade), so the cut lapses after 14 Sep + 30 - 1 = 13 Oct
    (the Dakar corridor's blockade ends the same day). The 13 Sep Didiéni-Kolokani ambush (GK25-09-13) cuts the RN3 one day earlier but
    leaves them the Kita road: it does not cut them off. The Sep-Nov demo also finds Kassela (6 Sep roadblock
    GK25-09-06 on the Ségou road: 6 Sep .. 5 Oct) and Sikasso (the tanker burned near Sikasso on 6 Oct,
    GK25-10-06-2: 6 Oct .. 4 Nov) cut off, both reopened by 30 Nov."""
    september = mali_run(mali, "2025-09-01", "2025-09-30")
    places = september.places_episodes
    for town in ("Ségala", "Koniakary"):
        episode = places.set_index(["place", "state"]).loc[(town, "cut_off")]
        assert episode["start"] == pd.Timestamp("2025-09-14") and pd.isna(episode["end"])
        assert episode["lapses"] == pd.Timestamp("2025-10-13") and episode["opened_by"] == "GK25-09-14-1"
    towns = september.cities.set_index("name")
    assert towns.loc["Ségala", "cut_off_since"] == pd.Timestamp("2025-09-14")
    assert towns.loc["Ségala", "days_cut_off"] == 17  # 14-30 Sep
    autumn = mali_run(mali, "2025-09-01", "2025-11-30")
    cut = autumn.places_episodes[autumn.places_episodes["state"] == "cut_off"]
    assert {(r.place, f"{r.start:%m-%d}", f"{r.end:%m-%d}") for r in cut.itertuples()} == {
        ("Ségala", "09-14", "10-13"), ("Koniakary", "09-14", "10-13"), ("Kassela", "09-06", "10-05"),
        ("Sikasso", "10-06", "11-04")}
    summary = autumn.summary().set_index("corridor")
    assert summary.loc["Dakar-Bamako", "towns_cut_off_in_window"] == "Ségala; Koniakary"
    assert summary.loc["Dakar-Bamako", "towns_cut_off"] == ""  # reopened by 30 Nov
    assert autumn.cities.set_index("name").loc["Ségala", "isolation"] == "unchanged"


# --- the pure functions ---------------------------------------------------------------------------------

def test_blockade_sets_route_once_per_distinct_set():
    # segment 1 blockaded on days 10-19 and again 30-39: the same set twice, one routing
    spans = {"key": np.array([1, 1, 2]), "level": np.array([2, 2, 2]), "start": np.array([10, 30, 15]),
             "stop": np.array([20, 40, 18])}
    days, which, sets = blockade_sets(spans)
    assert days[1:].tolist() == [10, 15, 18, 20, 30, 40]
    assert [s.tolist() for s in sets] == [[], [1], [1, 2]]
    assert which.tolist() == [0, 1, 2, 1, 0, 1, 0]


def test_people_are_counted_once_per_town_name():
    start, end = day_number("2025-09-01"), day_number("2025-09-30")
    runs = {"cut_off": {"key": np.array([0, 1]), "start": np.array([start + 5, start + 7]),
                        "stop": np.array([start + 10, start + 12])}}
    ep = place_episodes(runs, ["Kayes", "Kayes"], ["city", "city"], start=start, end=end)  # one town, two points
    steps = people_cut_off(ep, pd.Series({"Kayes": 1000.0}), start=start, end=end)
    assert steps[["people", "towns"]].values.tolist() == [[0, 0], [1000, 1], [0, 0]]
    assert steps["start"].dt.day.tolist() == [1, 6, 13]
