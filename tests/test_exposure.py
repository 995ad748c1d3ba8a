"""Exposure zones and road status on hand-built layers with hand-computed answers."""

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Geod

from geokit.exposure import (StatusRules, blockade_relevant, exposed_totals, exposure_zones, incident_pairs_within,
                             place_exposure, road_exposure)

UTM = 32629  # zone 29N; x = 500 000 is its central meridian (9 W)
Y0 = 1_400_000


def incidents(rows):
    """rows: (x, y_offset, date, sub_event_type, precision)."""
    x, dy, date, sub, prec = zip(*rows)
    return gpd.GeoDataFrame({
        "event_id": [f"E{i}" for i in range(len(rows))],
        "date": pd.to_datetime(list(date)),
        "event_type": ["Battles"] * len(rows),
        "sub_event_type": list(sub),
        "geo_precision": list(prec),
        "fatalities": [1] * len(rows),
    }, geometry=[shapely.Point(a, Y0 + b) for a, b in zip(x, dy)], crs=UTM)


@pytest.fixture
def straight_road():
    return gpd.GeoDataFrame({"ref": ["T1"]}, crs=UTM,
                            geometry=[shapely.LineString([(500_000, Y0), (600_000, Y0)])])


def test_ten_km_zone_has_the_area_of_a_circle():
    one = incidents([(550_000, 0, "2025-09-14", "Armed clash", 1)])
    zones = exposure_zones(one, radius_km=10, crs=UTM)
    assert len(zones) == 1
    assert zones.loc[0, "area_km2"] == pytest.approx(np.pi * 10**2, rel=0.005)
    # and measured independently on the ellipsoid
    area, _ = Geod(ellps="WGS84").geometry_area_perimeter(zones.geometry.iloc[0])
    assert abs(area) / 1e6 == pytest.approx(np.pi * 100, rel=0.005)


def test_zones_dissolve_overlapping_buffers_and_aggregate():
    inc = incidents([
        (500_000, 0, "2025-09-14", "Ambush", 1),
        (515_000, 0, "2025-09-20", "Armed clash", 1),   # 15 km away: overlaps with r = 10 km
        (560_000, 0, "2025-10-02", "Ambush", 1),        # alone
    ])
    zones = exposure_zones(inc, radius_km=10, crs=UTM)
    assert zones["n_incidents"].tolist() == [2, 1]
    assert zones["fatalities"].tolist() == [2, 1]
    assert zones["first_date"].dt.strftime("%m-%d").tolist() == ["09-14", "10-02"]
    assert zones["last_date"].dt.strftime("%m-%d").tolist() == ["09-20", "10-02"]
    assert zones["event_types"].tolist() == ["Battles", "Battles"]
    # by month: one zone per month
    monthly = exposure_zones(inc, radius_km=10, by_period="M", crs=UTM)
    assert monthly["group"].tolist() == ["2025-09", "2025-10"]
    by_type = exposure_zones(inc, radius_km=10, by_column="sub_event_type", crs=UTM)
    assert sorted(by_type["group"]) == ["Ambush", "Ambush", "Armed clash"]


def test_half_life_weights_recent_incidents_more():
    inc = incidents([(500_000, 0, "2025-09-30", "Ambush", 1), (500_000, 5_000, "2025-09-16", "Ambush", 1)])
    zones = exposure_zones(inc, radius_km=10, end="2025-09-30", half_life_days=7, crs=UTM)
    assert zones.loc[0, "weighted_incidents"] == pytest.approx(1.0 + 0.25)


def test_area_located_incidents_get_the_wider_radius():
    inc = incidents([(550_000, 0, "2025-09-14", "Ambush", 3)])
    zones = exposure_zones(inc, radius_km=10, imprecise_radius_km=25, crs=UTM)
    assert zones.loc[0, "area_km2"] == pytest.approx(np.pi * 25**2, rel=0.005)


def test_exactly_the_expected_segments_change_status(straight_road):
    inc = incidents([
        (512_000, 3_000, "2025-09-20", "Ambush on fuel convoy", 1),   # reaches segments 1, 2, 3
        (560_000, -4_000, "2025-09-22", "Peaceful protest", 1),      # not blockade-relevant: 11, 12 at risk
        (580_000, 6_000, "2025-09-25", "Ambush on fuel convoy", 1),   # 6 km away: reaches nothing
        (592_000, 0, "2025-08-10", "Ambush on fuel convoy", 1),       # too old to blockade: 17, 18, 19 at risk
    ])
    out = road_exposure(straight_road, inc, radius_km=5, segment_km=5, start="2025-08-01",
                        end="2025-09-30", crs=UTM)
    assert len(out) == 20
    expected = ["open"] * 20
    for i in (1, 2, 3):
        expected[i] = "blockaded"
    for i in (11, 12, 17, 18, 19):
        expected[i] = "at_risk"
    assert out["status"].astype(str).tolist() == expected
    assert out.loc[2, "blockaded_since"] == pd.Timestamp("2025-09-20")
    assert out.loc[2, "n_blockade_incidents"] == 1
    assert out.loc[18, "last_incident"] == pd.Timestamp("2025-08-10")
    assert pd.isna(out.loc[18, "blockaded_since"])
    assert out.crs.to_epsg() == 4326


def test_window_boundaries_are_inclusive(straight_road):
    inc = incidents([
        (502_000, 0, "2025-09-01", "Ambush", 1),  # on the start day
        (522_000, 0, "2025-09-30", "Ambush", 1),  # on the end day
        (542_000, 0, "2025-08-31", "Ambush", 1),  # the day before: not an event of the window
        (562_000, 0, "2025-10-01", "Ambush", 1),  # the day after: out
    ])
    out = road_exposure(straight_road, inc, radius_km=1, segment_km=10, start="2025-09-01",
                        end="2025-09-30", crs=UTM)
    # 31 Aug + 30 days of blockade look-back = blockaded 31 Aug .. 29 Sep, so at risk on 30 Sep
    assert out["status"].astype(str).tolist() == (
        ["blockaded", "open", "blockaded", "open", "at_risk"] + ["open"] * 5)
    assert out["n_incidents"].tolist() == [1, 0, 1] + [0] * 7  # the August ambush is no event of September
    assert out.loc[4, "blockaded_from"] == pd.Timestamp("2025-08-31")
    assert out.loc[4, "blockaded_until"] == pd.Timestamp("2025-09-29")
    assert out.loc[0, "blockaded_since"] == pd.Timestamp("2025-09-01") and pd.isna(out.loc[0, "blockaded_until"])


def test_blockade_look_back_counts_the_end_day_and_days_before(straight_road):
    inc = incidents([(502_000, 0, "2025-09-01", "Ambush", 1), (522_000, 0, "2025-08-31", "Ambush", 1)])
    rules = StatusRules(blockade_days=30)  # 30 days ending 2025-09-30 start on 2025-09-01
    out = road_exposure(straight_road, inc, radius_km=1, segment_km=10, end="2025-09-30", rules=rules, crs=UTM)
    assert out["status"].astype(str).tolist()[:3] == ["blockaded", "open", "at_risk"]


def test_area_located_incidents_never_blockade_by_default(straight_road):
    inc = incidents([(550_000, 20_000, "2025-09-20", "Ambush on fuel convoy", 3)])  # 20 km off the road
    out = road_exposure(straight_road, inc, radius_km=5, segment_km=10, end="2025-09-30", crs=UTM)
    status = out["status"].astype(str)
    # within 25 km of (50 km, 20 km): segments 30-40 and 60-70 (their near ends are
    # sqrt(10^2 + 20^2) = 22.4 km away), 40-50 and 50-60; not 20-30 (28.3 km)
    assert status.tolist() == ["open"] * 3 + ["at_risk"] * 4 + ["open"] * 3
    looser = StatusRules(blockade_max_precision=3)
    out = road_exposure(straight_road, inc, radius_km=5, segment_km=10, end="2025-09-30", rules=looser, crs=UTM)
    assert out["status"].astype(str).tolist() == ["open"] * 3 + ["blockaded"] * 4 + ["open"] * 3


def test_rules_text_matching_and_validation():
    frame = pd.DataFrame({"event_type": ["Strategic developments", "Battles"],
                          "sub_event_type": ["Blockade declared", "Armed clash"], "notes": ["", "army post"]})
    assert blockade_relevant(frame).tolist() == [True, False]
    with pytest.raises(ValueError, match="blockade_days = 0 must be a whole number from 1 to 3,650 days"):
        StatusRules(blockade_days=0)
    with pytest.raises(ValueError, match="not a valid regular expression"):
        StatusRules(blockade_pattern="(")


def test_places_and_exposed_population():
    towns = gpd.GeoDataFrame({"name": ["A", "B", "C"], "country": ["MLI", "MLI", "SEN"],
                              "population": [1000, 500, 200]}, crs=UTM,
                             geometry=[shapely.Point(500_000, Y0), shapely.Point(530_000, Y0),
                                       shapely.Point(506_000, Y0 + 8_000)])
    inc = incidents([(503_000, 4_000, "2025-09-20", "Ambush", 1)])
    zones = exposure_zones(inc, radius_km=10, crs=UTM)
    out = place_exposure(towns, inc, radius_km=10, zones=zones, crs=UTM)
    assert out["in_zone"].tolist() == [True, False, True]
    assert out["nearest_incident_km"].round(3).tolist() == [5.0, 27.295, 5.0]
    totals = exposed_totals(out)
    assert totals.to_dict("records") == [
        {"country": "MLI", "places": 2, "places_exposed": 1, "population_exposed": 1000.0},
        {"country": "SEN", "places": 1, "places_exposed": 1, "population_exposed": 200.0}]


def test_no_incidents_in_window_gives_open_roads_and_no_zones(straight_road):
    inc = incidents([(502_000, 0, "2024-01-01", "Ambush", 1)])
    assert exposure_zones(inc, radius_km=5, start="2025-01-01").empty
    out = road_exposure(straight_road, inc, radius_km=5, segment_km=50, start="2025-01-01", crs=UTM)
    assert out["status"].astype(str).tolist() == ["open", "open"]


def test_exposed_totals_by_region():
    towns = gpd.GeoDataFrame({"name": ["A", "B", "C"], "country": ["MLI"] * 3, "population": [1000, 500, 200],
                              "in_zone": [True, True, False]}, crs=UTM,
                             geometry=[shapely.Point(500_000, Y0), shapely.Point(530_000, Y0),
                                       shapely.Point(560_000, Y0)])
    regions = gpd.GeoDataFrame({"name": ["Kayes", "Koulikoro"]}, crs=UTM, geometry=[
        shapely.box(490_000, Y0 - 10_000, 520_000, Y0 + 10_000), shapely.box(520_000, Y0 - 10_000, 600_000, Y0 + 10_000)])
    totals = exposed_totals(towns, regions=regions)
    assert totals.to_dict("records") == [
        {"region": "Kayes", "places": 1, "places_exposed": 1, "population_exposed": 1000.0},
        {"region": "Koulikoro", "places": 2, "places_exposed": 1, "population_exposed": 500.0}]


def test_merge_incidents_marks_cross_source_duplicates():
    from geokit.incidents import merge_incidents

    def layer(ids, dates, xs, types, prec):
        return gpd.GeoDataFrame({"event_id": ids, "date": pd.to_datetime(dates), "event_type": types,
                                 "geo_precision": prec}, crs=UTM,
                                geometry=[shapely.Point(x, Y0) for x in xs])

    acled = layer(["A1", "A2"], ["2025-09-14", "2025-09-20"], [500_000, 600_000], ["Battles", "Riots"], [2, 1])
    ged = layer(["G1", "G2"], ["2025-09-15", "2025-09-20"], [505_000, 600_500], ["Battles", "One-sided violence"],
                [1, 1])
    merged = merge_incidents(acled, ged, within_km=10, within_days=1)
    by_uid = merged.set_index("uid")
    # A1 and G1: one day and 5 km apart, both battles -> one event, G1 (better located) represents it
    assert by_uid.loc["0:A1", "duplicate_of"] == "1:G1" and not by_uid.loc["0:A1", "counted"]
    assert by_uid.loc["1:G1", "source_ids"] == "0:A1;1:G1"
    # A2 and G2: same day, 500 m apart, but riots vs one-sided violence -> kept apart
    assert by_uid.loc["0:A2", "counted"] and by_uid.loc["1:G2", "counted"]
    assert int(merged["counted"].sum()) == 3
    # a duplicate is not counted twice by the exposure functions
    zones = exposure_zones(merged, radius_km=10, crs=UTM)
    assert zones["n_incidents"].sum() == 3


def test_risk_score_and_count_thresholds_are_pinned(straight_road):
    # segment 2 (10-15 km along the road) is reached by three incidents of the window:
    # an ambush at the place (weight 1 x 2 relevant x 1 precise = 2), a protest (1 x 1 x 1 = 1) and an
    # area-located ambush (1 x 2 x 0.5 = 1): risk 4; with a 7-day half-life to 30 Sep the ambush of 16 Sep
    # weighs 0.25, so 0.25 x 2 + 1 + 1 = 2.5
    inc = incidents([
        (512_000, 0, "2025-09-16", "Ambush on fuel convoy", 1),
        (513_000, 0, "2025-09-30", "Peaceful protest", 1),
        (512_500, 0, "2025-09-30", "Ambush on fuel convoy", 3),
    ])
    plain = road_exposure(straight_road, inc, radius_km=1, segment_km=5, start="2025-09-01", end="2025-09-30",
                          crs=UTM)
    assert plain.loc[2, "risk_score"] == pytest.approx(4.0)
    weighted = road_exposure(straight_road, inc, radius_km=1, segment_km=5, start="2025-09-01",
                             end="2025-09-30", half_life_days=7, crs=UTM)
    assert weighted.loc[2, "risk_score"] == pytest.approx(2.5)
    # one precise blockade-relevant incident blockades at the default threshold; two are needed at 2
    assert plain.loc[2, "status"] == "blockaded"
    two = road_exposure(straight_road, inc, radius_km=1, segment_km=5, start="2025-09-01", end="2025-09-30",
                        rules=StatusRules(blockade_min_incidents=2), crs=UTM)
    assert two.loc[2, "status"] == "at_risk"  # the area-located ambush does not count towards a blockade
    three = road_exposure(straight_road, inc, radius_km=1, segment_km=5, start="2025-09-01",
                          end="2025-09-30", rules=StatusRules(blockade_min_incidents=2, at_risk_min_incidents=4),
                          crs=UTM)
    assert three.loc[2, "status"] == "open"  # 3 incidents reach it, fewer than 4


def test_zones_dissolved_on_threads_equal_the_plain_union(monkeypatch):
    import geokit.exposure as exposure

    rng = np.random.default_rng(3)
    xy = rng.normal(0, 30_000, (400, 2)) + [500_000, 1_400_000]
    inc = gpd.GeoDataFrame({"date": [pd.Timestamp("2025-09-14")] * 400, "event_type": "Battles"}, crs=UTM,
                           geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]))
    plain = exposure_zones(inc, radius_km=5, crs=UTM)
    monkeypatch.setattr(exposure, "_PARALLEL_UNION_FROM", 10)  # take the threaded path
    threaded = exposure_zones(inc, radius_km=5, crs=UTM)
    assert len(threaded) == len(plain) > 1
    assert threaded["n_incidents"].tolist() == plain["n_incidents"].tolist()
    assert threaded["area_km2"].to_numpy() == pytest.approx(plain["area_km2"].to_numpy(), rel=1e-9)


def test_pairs_queried_in_chunks_on_threads_equal_one_plain_query(monkeypatch):
    """The chunked, Hilbert-ordered query on every core finds exactly the pairs of one STRtree query,
    in the same order (by segment, then incident), with two radii as area-located incidents have."""
    import geokit.exposure as exposure

    rng = np.random.default_rng(5)
    starts = rng.uniform(0, 200_000, (3000, 2))
    lines = shapely.linestrings(np.stack([starts, starts + rng.normal(0, 2_000, (3000, 2))], axis=1))
    points = shapely.points(rng.uniform(0, 200_000, (5000, 2)))
    radius = np.where(rng.random(5000) < 0.2, 25_000.0, 10_000.0)
    want_t, want_i = [], []
    tree = shapely.STRtree(lines)
    for r in (10_000.0, 25_000.0):
        sel = np.flatnonzero(radius == r)
        i, t = tree.query(points[sel], predicate="dwithin", distance=r)
        want_t.append(t)
        want_i.append(sel[i])
    want = sorted(zip(np.concatenate(want_t).tolist(), np.concatenate(want_i).tolist()))
    monkeypatch.setattr(exposure, "_PARALLEL_QUERY_FROM", 100)  # take the threaded path
    got_t, got_i = incident_pairs_within(lines, points, radius)
    assert len(want) > 50_000
    assert list(zip(got_t.tolist(), got_i.tolist())) == want


def test_discs_are_the_very_polygons_of_shapely_buffer():
    """Zones are unions of discs built by shifting one circle per radius: vertex for vertex the polygons
    of GEOS's buffer, at UTM and geographic magnitudes, with mixed radii and repeated points."""
    from geokit.exposure import BUFFER_QUAD_SEGS, discs

    rng = np.random.default_rng(11)
    xy = np.concatenate([rng.uniform([166_000, 0], [834_000, 9_300_000], (500, 2)),
                         rng.uniform([-17, 4], [4, 25], (500, 2)), [[500_000.0, Y0]] * 3])
    points = shapely.points(xy)
    radius = rng.choice([10_000.0, 25_000.0, 0.05, 1.0], len(points))
    got = discs(points, radius)
    want = shapely.buffer(points, radius, quad_segs=BUFFER_QUAD_SEGS)
    assert shapely.get_num_coordinates(got).tolist() == [4 * BUFFER_QUAD_SEGS + 1] * len(points)
    assert np.array_equal(shapely.get_coordinates(got), shapely.get_coordinates(want))
    assert shapely.is_valid(got).all()


def test_zones_dissolved_month_by_month_are_the_zones_of_one_dissolve():
    """analyse dissolves its zones map step by map step (month-long spans from the window's start) and
    keeps each step's union for sub_window: the merged zones are the polygons of one dissolve (up to
    floating-point noding), with the same counts and dates, and a step's kept union gives that month's
    zones vertex for vertex."""
    from geokit.exposure import _zones_and_unions
    from geokit.timeline import windows

    rng = np.random.default_rng(21)
    n = 3000
    centres = rng.uniform([300_000, 1_100_000], [900_000, 1_700_000], (12, 2))
    xy = centres[rng.integers(0, 12, n)] + rng.normal(0, 8_000, (n, 2))  # discs overlap across months
    inc = gpd.GeoDataFrame({"date": pd.Timestamp("2025-09-13") + pd.to_timedelta(rng.integers(0, 99, n), "D"),
                            "event_type": rng.choice(["Battles", "Riots"], n), "fatalities": rng.integers(0, 5, n),
                            "geo_precision": rng.choice([1, 1, 1, 3], n)},
                           geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=UTM)
    spans = windows("2025-09-13", "2025-12-20", "1M")
    assert [f"{a:%m-%d}" for a, _ in spans] == ["09-13", "10-13", "11-13", "12-13"]
    one = exposure_zones(inc, radius_km=10, crs=UTM)
    merged, unions = _zones_and_unions(inc, radius_km=10, crs=UTM, spans=spans)
    assert len(one) == len(merged) > 3 and list(unions) == spans
    pd.testing.assert_frame_equal(pd.DataFrame(merged.drop(columns="geometry")),
                                  pd.DataFrame(one.drop(columns=["geometry", "area_km2"])).assign(
                                      area_km2=merged["area_km2"]), check_exact=True)
    assert merged["area_km2"].to_numpy() == pytest.approx(one["area_km2"].to_numpy(), rel=1e-9)
    # the same polygons up to the noding of crossing edges, computed in another order: under a millimetre
    gap = shapely.hausdorff_distance(merged.to_crs(UTM).geometry.array, one.to_crs(UTM).geometry.array)
    assert (gap < 1e-3).all()
    a, b = spans[1]
    month = inc[inc["date"].between(a, b)]
    again = exposure_zones(month, radius_km=10, crs=UTM)
    with pytest.raises(ValueError, match="cover every incident"):  # spans missing incidents lose nothing silently
        _zones_and_unions(inc, radius_km=10, crs=UTM, spans=spans[:2])
    reused, _ = _zones_and_unions(month, radius_km=10, crs=UTM, spans=[spans[1]], known=unions)
    pd.testing.assert_frame_equal(pd.DataFrame(reused), pd.DataFrame(again))
    assert shapely.equals_exact(reused.geometry.array, again.geometry.array, 0).all()
