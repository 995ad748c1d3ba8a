"""Blockades in time (issue #14): segment intervals, corridor episodes, look-back across windows.

Every expected date is computed by hand from the day convention: an incident dated D blockades
on days D .. D + blockade_days - 1 and puts at risk on days D .. D + at_risk_days - 1, both
ends included.
"""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from conftest import MAP
from geokit.analysis import AnalysisParams, analyse
from geokit.build import build_batch
from geokit.exposure import StatusRules
from geokit.project import CorridorSpec
from geokit.timeline import _sweep, segment_intervals

UTM = 32629
X0, Y0 = 500_000, 1_400_000
RULES = StatusRules(blockade_days=30, at_risk_days=90)


def pt(x_km: float, y_km: float) -> shapely.Point:
    return shapely.Point(X0 + x_km * 1000, Y0 + y_km * 1000)


@pytest.fixture(scope="module")
def layers():
    """A (0 km) - M (50 km) - B (100 km) on one road; C hangs 30 km north of M on a branch, with the
    border crossing X at its far end. Corridors A-B and C-B share the road M-B."""
    roads = gpd.GeoDataFrame({"name": ["trunk", "branch"], "ref": ["RN1", "RN2"]}, crs=UTM, geometry=[
        shapely.LineString([pt(0, 0), pt(50, 0), pt(100, 0)]), shapely.LineString([pt(50, 0), pt(50, 30)])])
    cities = gpd.GeoDataFrame({"name": ["A", "M", "B", "C"], "country": ["MLI"] * 4,
                               "population": [10_000, 20_000, 1_000_000, 5_000]}, crs=UTM,
                              geometry=[pt(0, 0), pt(50, 0), pt(100, 0), pt(50, 29)])
    crossings = gpd.GeoDataFrame({"name": ["X"], "country_a": ["MLI"], "country_b": ["SEN"]}, crs=UTM,
                                 geometry=[pt(50, 30)])
    return {"roads": roads.to_crs(4326), "cities": cities.to_crs(4326), "crossings": crossings.to_crs(4326)}


CORRIDORS = [CorridorSpec("A-B", "A", "B"), CorridorSpec("C-B", "C", "B")]


def attacks(*rows: tuple[str, float, float, str]) -> gpd.GeoDataFrame:
    """Incidents (id, x km, y km, date) ambushing convoys, located to the place (precision 1)."""
    frame = gpd.GeoDataFrame({
        "event_id": [r[0] for r in rows], "date": pd.to_datetime([r[3] for r in rows]),
        "event_type": ["Battles"] * len(rows), "sub_event_type": ["Ambush on fuel convoy"] * len(rows),
        "geo_precision": [1] * len(rows), "fatalities": [0] * len(rows)},
        geometry=[pt(r[1], r[2]) for r in rows], crs=UTM)
    return frame.to_crs(4326)


def run(layers, incidents, start, end, corridors=CORRIDORS):
    return analyse(layers["roads"], incidents, cities=layers["cities"], crossings=layers["crossings"],
                   corridors=corridors, params=AnalysisParams(start=start, end=end, radius_km=2, segment_km=5,
                                                              rules=RULES))


def episodes_of(result, corridor):
    ep = result.episodes[result.episodes["corridor"] == corridor]
    return [(r.status, f"{r.start:%Y-%m-%d}", "" if pd.isna(r.end) else f"{r.end:%Y-%m-%d}")
            for r in ep.itertuples()]


# --- the sweep and segment intervals ------------------------------------------------------------

def test_sweep_sums_overlapping_intervals_per_key():
    keys, days, sums = _sweep(np.array([0, 0, 1]), np.array([10, 15, 10]), np.array([20, 30, 12]),
                              np.array([[1.0], [2.0], [5.0]]))
    assert keys.tolist() == [0, 0, 0, 0, 1, 1]
    assert days.tolist() == [10, 15, 20, 30, 10, 12]
    assert sums[:, 0].tolist() == [1.0, 3.0, 2.0, 0.0, 5.0, 0.0]


def test_min_incidents_counts_overlapping_look_backs():
    rules = StatusRules(blockade_days=10, at_risk_days=10, blockade_min_incidents=2)
    spans = segment_intervals(np.array([0, 0]), np.array([100, 105]), np.array([True, True]), rules)
    # two blockade look-backs overlap on days 105..109: blockaded then, at risk before and after
    assert list(zip(spans["level"].tolist(), spans["start"].tolist(), spans["stop"].tolist())) == [
        (1, 100, 105), (2, 105, 110), (1, 110, 115)]


# --- corridor episodes, hand-computed -----------------------------------------------------------

def test_attacks_on_10_and_17_sep_blockade_through_16_oct_then_at_risk(layers):
    inc = attacks(("E1", 75, 0, "2025-09-10"), ("E2", 75, 0, "2025-09-17"))
    result = run(layers, inc, "2025-09-01", "2025-12-31")
    # 17 Sep + 29 days = 16 Oct; then at risk until 17 Sep + 89 days = 15 Dec
    assert episodes_of(result, "A-B") == [("open", "2025-09-01", "2025-09-09"),
                                          ("blockaded", "2025-09-10", "2025-10-16"),
                                          ("at_risk", "2025-10-17", "2025-12-15"),
                                          ("open", "2025-12-16", "")]
    blockade = result.episodes[(result.episodes["corridor"] == "A-B")
                               & (result.episodes["status"] == "blockaded")].iloc[0]
    assert blockade["days"] == 37 and blockade["opened_by"] == "E1" and blockade["extended_by"] == "E2"
    # the most km blockaded at once: the 5-km segments within 2 km of x = 75 km are 70-75 and 75-80
    assert blockade["max_blockaded_km"] == pytest.approx(10.0, rel=0.01)
    assert blockade["detour"] == "no alternative"
    row = result.summary().set_index("corridor").loc["A-B"]
    assert row["status"] == "open" and row["worst_status"] == "blockaded"
    assert row["days_blockaded"] == 37 and row["days_at_risk"] == 60
    assert row["blockaded_periods"] == "2025-09-10..2025-10-16"
    assert row["reopened_on"] == pd.Timestamp("2025-10-17") and pd.isna(row["blockaded_since"])
    segments = result.segments
    hit = segments[segments["blockaded_from"].notna()]
    assert len(hit) == 2
    assert (hit["blockaded_from"] == pd.Timestamp("2025-09-10")).all()
    assert (hit["blockaded_until"] == pd.Timestamp("2025-10-16")).all()


def test_an_incident_before_the_start_still_blockades_on_the_start(layers):
    inc = attacks(("E0", 75, 0, "2025-08-20"))
    result = run(layers, inc, "2025-09-01", "2025-09-10")
    row = result.summary().set_index("corridor").loc["A-B"]
    assert row["status"] == "blockaded" and row["blockaded_since"] == pd.Timestamp("2025-08-20")
    assert row["n_incidents"] == 0  # read for the look-back, not an event of the window
    assert row["days_blockaded"] == 10 and row["blockaded_periods"] == "2025-08-20.."
    first = result.episodes[result.episodes["corridor"] == "A-B"].iloc[0]
    assert first["status"] == "blockaded" and pd.isna(first["end"])
    assert first["lapses"] == pd.Timestamp("2025-09-18")  # 20 Aug + 29 days, if nothing else happens
    assert len(result.incidents) == 0


def test_a_second_attack_extends_the_episode_and_shared_roads_share_it(layers):
    inc = attacks(("E1", 75, 0, "2025-09-10"), ("E2", 75, 0, "2025-10-01"))
    result = run(layers, inc, "2025-09-01", "2025-11-30")
    # one episode, 10 Sep .. 1 Oct + 29 = 30 Oct, on both corridors (the attack is on M-B, which both use)
    for corridor in ("A-B", "C-B"):
        assert ("blockaded", "2025-09-10", "2025-10-30") in episodes_of(result, corridor)
        assert [s for s, _, _ in episodes_of(result, corridor)].count("blockaded") == 1


def test_status_at_any_day_and_blockaded_segments(layers):
    inc = attacks(("E1", 75, 0, "2025-09-10"))
    result = run(layers, inc, "2025-09-01", "2025-10-31")
    tl = result.timeline
    assert tl.corridor_status_on("2025-09-09").to_dict() == {"A-B": "open", "C-B": "open"}
    assert tl.corridor_status_on("2025-10-09").to_dict() == {"A-B": "blockaded", "C-B": "blockaded"}
    assert tl.corridor_status_on("2025-10-10").to_dict() == {"A-B": "at_risk", "C-B": "at_risk"}
    assert len(tl.blockaded_segments_on("2025-09-10")) == 2
    # the status at the end of the analysis is the timeline's status on its last day
    assert (result.segments["status"].astype(str).to_numpy() == tl.segment_status_on("2025-10-31")).all()
    windows = tl.windows([("2025-09-01", "2025-09-30"), ("2025-10-01", "2025-10-31")])
    ab = windows[windows["corridor"] == "A-B"]
    assert ab["status_at_end"].tolist() == ["blockaded", "at_risk"]
    assert ab["worst_status"].tolist() == ["blockaded", "blockaded"]
    assert ab["days_blockaded"].tolist() == [21, 9]  # 10-30 Sep and 1-9 Oct


def test_air_strikes_do_not_blockade(layers):
    inc = attacks(("S1", 75, 0, "2025-09-10"))
    inc["sub_event_type"] = "Air/drone strike"
    result = run(layers, inc, "2025-09-01", "2025-09-30")
    assert episodes_of(result, "A-B") == [("open", "2025-09-01", "2025-09-09"), ("at_risk", "2025-09-10", "")]


def test_detours_are_never_negative_and_name_skipped_via_places():
    from geokit.corridors import corridor_status
    from geokit.exposure import road_exposure
    from geokit.network import build_network

    def line(*xy):
        return shapely.LineString([pt(x, y) for x, y in xy])

    roads = gpd.GeoDataFrame({"name": ["north", "south", "bridge"]}, crs=UTM, geometry=[
        line((0, 0), (50, 30), (100, 0)), line((0, 0), (50, -40), (100, 0)), line((100, 0), (120, 0))])
    places = gpd.GeoDataFrame({"name": ["A", "B", "D", "S"], "kind": ["city"] * 4}, crs=UTM,
                              geometry=[pt(0, 0), pt(100, 0), pt(120, 0), pt(50, -40)])
    net = build_network(roads, places=places, segment_km=10, crs=UTM)
    length = {name: gpd.GeoSeries([g], crs=UTM).to_crs(4326).iloc[0] for name, g in zip(roads["name"],
                                                                                        roads.geometry)}
    from pyproj import Geod

    geod = Geod(ellps="WGS84")
    north, south, bridge = (geod.geometry_length(length[n]) / 1000 for n in ("north", "south", "bridge"))
    # the corridor is forced along the (longer) south road through S; an ambush cuts S-B
    inc = attacks(("E1", 75, -20, "2025-09-10")).to_crs(UTM)
    seg = road_exposure(net.edges, inc, radius_km=1, end="2025-09-30", crs=UTM)
    row = corridor_status(net, seg, [CorridorSpec("A-B via S", "A", "B", via=("S",))]).iloc[0]
    assert row["length_km"] == pytest.approx(south, rel=1e-6)
    # the detour still serves S: back from S to A, then the north road (the old rule gave north - south < 0)
    assert row["detour"] == "ok" and row["detour_skips"] == ""
    assert row["detour_km"] == pytest.approx(south + north, rel=1e-4)
    assert row["detour_extra_km"] == pytest.approx(north, rel=1e-4)
    # a via place cut off entirely (D, behind a cut bridge) is skipped and named
    inc = attacks(("E2", 110, 0, "2025-09-10")).to_crs(UTM)
    seg = road_exposure(net.edges, inc, radius_km=1, end="2025-09-30", crs=UTM)
    row = corridor_status(net, seg, [CorridorSpec("A-B via D", "A", "B", via=("D",))]).iloc[0]
    assert row["length_km"] == pytest.approx(north + 2 * bridge, rel=1e-6)
    assert row["detour"] == "ok" and row["detour_skips"] == "D"
    assert row["detour_km"] == pytest.approx(north, rel=1e-6) and row["detour_extra_km"] == pytest.approx(0)
    assert row["towns_cut_off"] == "D"
    # no detour needed: the columns stay empty instead of repeating the corridor
    row = corridor_status(net, seg, [CorridorSpec("A-B", "A", "B")]).iloc[0]
    assert row["detour"] == "not needed" and np.isnan(row["detour_km"]) and np.isnan(row["detour_extra_km"])


# --- batch windows and the timeline map -----------------------------------------------------------

@pytest.fixture(scope="module")
def weekly(layers, tmp_path_factory):
    """A project of the hand-made layers, attacked on M-B on 10 and 17 Sep, built week by week."""
    folder = tmp_path_factory.mktemp("weekly")
    for kind in ("roads", "cities", "crossings"):
        (folder / f"{kind}.geojson").write_text(layers[kind].to_json(), encoding="utf-8")
    inc = attacks(("E1", 75, 0, "2025-09-10"), ("E2", 75, 0, "2025-09-17"))
    table = pd.DataFrame({"event_id": inc["event_id"], "event_date": inc["date"].dt.strftime("%Y-%m-%d"),
                          "event_type": inc["event_type"], "sub_event_type": inc["sub_event_type"],
                          "latitude": inc.geometry.y.round(6), "longitude": inc.geometry.x.round(6),
                          "geo_precision": 1, "notes": "ambush on a tanker convoy", "source": "test"})
    table.to_csv(folder / "incidents.csv", index=False)
    (folder / "project.toml").write_text("\n".join([
        '[project]', 'name = "weekly test"', '[layers]', 'roads = "roads.geojson"',
        'cities = "cities.geojson"', 'crossings = "crossings.geojson"', 'incidents = "incidents.csv"',
        '[[corridors]]', 'name = "A-B"', 'origin = "A"', 'destination = "B"',
        '[[corridors]]', 'name = "C-B"', 'origin = "C"', 'destination = "B"',
        '[analysis]', 'radius_km = 2', 'segment_km = 5', 'blockade_days = 30', 'at_risk_days = 90']),
        encoding="utf-8")
    out = folder / "out"
    build_batch(folder / "project.toml", out, every="1W", start="2025-09-01", end="2025-10-26")
    return out


def test_weekly_batch_keeps_the_blockade_through_the_look_back(weekly):
    timeline = pd.read_csv(weekly / "timeline.csv")
    ab = timeline[timeline["corridor"] == "A-B"].set_index("window_end")["status"]
    assert ab.to_dict() == {
        "2025-09-07": "open",
        "2025-09-14": "blockaded", "2025-09-21": "blockaded", "2025-09-28": "blockaded",
        "2025-10-05": "blockaded", "2025-10-12": "blockaded",  # 5 consecutive weeks, through 16 Oct
        "2025-10-19": "at_risk", "2025-10-26": "at_risk"}
    worst = timeline[timeline["corridor"] == "A-B"].set_index("window_end")["worst_status"]
    assert worst["2025-10-19"] == "blockaded"  # blockaded on 13-16 Oct, at risk at the week's end
    # each window's own build agrees with the one timeline
    for folder in sorted(p for p in weekly.iterdir() if p.is_dir()):
        own = pd.read_csv(folder / "summary.csv").set_index("corridor")["status"]
        end = folder.name.split("_")[1]
        assert own["A-B"] == ab[end], folder.name
    assert (weekly / "status_chart.png").stat().st_size > 5_000
    assert "data:image/png;base64," in (weekly / "index.html").read_text()


def test_status_timeline_csv_and_gpkg_layer(weekly):
    folder = weekly / "2025-10-13_2025-10-19"
    episodes = pd.read_csv(folder / "status_timeline.csv", keep_default_na=False)
    ab = episodes[episodes["corridor"] == "A-B"]
    assert ab[["status", "start", "end"]].values.tolist() == [
        ["blockaded", "2025-09-10", "2025-10-16"], ["at_risk", "2025-10-17", ""]]
    layer = gpd.read_file(folder / "layers.gpkg", layer="corridor_episodes")
    assert len(layer) == len(episodes) and layer.geometry.notna().all()
    summary = json.loads((folder / "summary.json").read_text())
    assert "D + blockade_days - 1" in summary["day_convention"]
    assert set(summary["columns"]) >= {"worst_status", "blockaded_periods", "reopened_on"}


def test_timeline_map_steps_change_roads_and_crossings(weekly, page_of):
    page, log = page_of(weekly / "timeline_map.html")
    red_roads = f"""() => {{ let n = 0; {MAP}.eachLayer(l => {{
        if (l instanceof L.Polyline && !(l instanceof L.Polygon) && l.options.weight === 4
            && l.options.color === '#d73027') n += 1; }}); return n; }}"""
    grey_crossings = """() => Array.from(document.querySelectorAll('.geokit-crossing'))
        .filter(e => e.offsetParent !== null && e.style.background.includes('127, 127, 127')).length"""
    blue_crossings = """() => Array.from(document.querySelectorAll('.geokit-crossing'))
        .filter(e => e.offsetParent !== null && e.style.background.includes('31, 78, 156')).length"""
    page.evaluate("geokitShowPeriod('2025-09-01 to 2025-09-07')")
    assert page.evaluate(red_roads) == 0
    assert (page.evaluate(grey_crossings), page.evaluate(blue_crossings)) == (0, 1)
    assert "2025-09-01 to 2025-09-07" in page.locator("#geokit-title").inner_text()
    page.evaluate("geokitShowPeriod('2025-09-08 to 2025-09-14')")
    assert page.evaluate(red_roads) >= 1  # the blockaded stretch of M-B
    assert (page.evaluate(grey_crossings), page.evaluate(blue_crossings)) == (1, 0)  # X lost its road to B
    assert "2025-09-08 to 2025-09-14" in page.locator("#geokit-title").inner_text()
    page.evaluate("geokitShowPeriod('2025-10-20 to 2025-10-26')")
    assert page.evaluate(red_roads) == 0
    assert log["errors"] == [] and log["external"] == []


def test_cli_timeline_prints_the_same_episodes_a_build_writes(tmp_path):
    import subprocess
    import sys

    from conftest import MALI
    from geokit.build import build_project

    done = subprocess.run([sys.executable, "-m", "geokit", "timeline", str(MALI / "project.toml"), "--status",
                           "blockaded", "--csv", str(tmp_path / "episodes.csv")], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    lines = [line.split() for line in done.stdout.strip().splitlines()]
    rows = {line[0]: line[1:5] for line in lines[1:]}
    assert rows["Dakar-Bamako"] == ["blockaded", "2025-09-13", "2025-10-13", "31"]
    assert rows["Nouakchott-Bamako"] == ["blockaded", "2025-09-13", "2025-10-12", "30"]
    assert rows["Bamako-Mopti"] == ["blockaded", "2025-09-06", "2025-10-05", "30"]
    build_project(MALI / "project.toml", tmp_path / "build")
    built = pd.read_csv(tmp_path / "build" / "status_timeline.csv", keep_default_na=False)
    printed = pd.read_csv(tmp_path / "episodes.csv", keep_default_na=False)
    pd.testing.assert_frame_equal(printed.reset_index(drop=True).astype(str),
                                  built[built["status"] == "blockaded"].reset_index(drop=True).astype(str))


def test_weekly_mali_build_keeps_the_western_corridors_blockaded(tmp_path):
    """The shipped project, week by week: the 13-14 Sep ambushes hold through 12-13 Oct."""
    from conftest import MALI

    build_batch(MALI / "project.toml", tmp_path, every="1W", start="2025-09-01", end="2025-10-19")
    timeline = pd.read_csv(tmp_path / "timeline.csv")
    status = timeline.pivot(index="window_end", columns="corridor", values="status")
    blockaded = ["2025-09-14", "2025-09-21", "2025-09-28", "2025-10-05", "2025-10-12"]
    assert (status.loc[blockaded, ["Dakar-Bamako", "Nouakchott-Bamako"]] == "blockaded").all().all()
    assert status.loc["2025-09-07", "Dakar-Bamako"] == "at_risk"  # before the ambushes: earlier attacks
    assert status.loc["2025-10-19", "Dakar-Bamako"] == "at_risk"  # lapsed on 14 Oct
    days = timeline.pivot(index="window_end", columns="corridor", values="days_blockaded")
    assert days.loc["2025-10-19", "Dakar-Bamako"] == 1 and days.loc["2025-10-19", "Nouakchott-Bamako"] == 0


def test_people_are_counted_once_in_regional_totals(layers):
    """M (20,000 people) lies on both corridors: each corridor counts it, the region's total once."""
    from geokit.analysis import population_by_region

    result = run(layers, attacks(("E1", 50, 0, "2025-09-10")), "2025-09-01", "2025-09-30")
    per_corridor = result.summary().set_index("corridor")["population_exposed"]
    assert per_corridor.to_dict() == {"A-B": 20_000, "C-B": 20_000}
    region = gpd.GeoDataFrame({"name": ["R1"]}, geometry=[shapely.box(-10, 10, -7, 14)], crs=4326)
    table = population_by_region(result, region).set_index("region")
    assert table.loc["R1", "towns_exposed"] == 1 and table.loc["R1", "town_population_exposed"] == 20_000
    assert table.loc["(all regions)", "town_population_exposed"] == 20_000


def test_sweep_on_every_core_equals_one_sweep(monkeypatch):
    """Pairs sorted by segment are swept in whole-segment chunks on threads: the same intervals."""
    import geokit.timeline as timeline

    rng = np.random.default_rng(11)
    segment = np.sort(rng.integers(0, 300, 20_000))
    day = rng.integers(20_300, 20_500, 20_000)
    decisive = rng.random(20_000) < 0.1
    rules = StatusRules(blockade_min_incidents=2, at_risk_min_incidents=3)
    one = segment_intervals(segment, day, decisive, rules)
    monkeypatch.setattr(timeline, "_PARALLEL_SWEEP_FROM", 1_000)
    monkeypatch.setattr("os.cpu_count", lambda: 3)  # three chunks whatever the machine
    threaded = segment_intervals(segment, day, decisive, rules)
    assert len(one["key"]) > 500 and set(one["level"].tolist()) == {1, 2}
    for name in one:
        assert threaded[name].tolist() == one[name].tolist(), name
