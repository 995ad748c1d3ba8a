import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.ops import substring

from geokit.segments import cut_lines, explode_lines, split_roads


def test_straight_100_km_road_splits_into_equal_5_km_segments():
    # 100 km along a meridian from the equator, in a local metric CRS
    road = gpd.GeoDataFrame({"ref": ["T1"]}, geometry=[shapely.LineString([(500_000, 0), (500_000, 100_000)])], crs=32631)
    seg = split_roads(road, segment_km=5, crs=32631)
    assert len(seg) == 20
    assert seg["segment_id"].tolist() == list(range(20))
    np.testing.assert_allclose(seg["from_km"], np.arange(0, 100, 5))
    np.testing.assert_allclose(seg["to_km"], np.arange(5, 105, 5))
    assert seg["ref"].eq("T1").all()
    assert seg.crs.to_epsg() == 4326
    # on the central meridian the UTM scale is 0.9996, so 5 km of grid is 5/0.9996 km on the ground
    np.testing.assert_allclose(seg["length_km"], 5 / 0.9996, rtol=2e-3)


def test_multilinestring_parts_are_kept_apart():
    road = gpd.GeoDataFrame({"ref": ["M"]}, geometry=[shapely.MultiLineString(
        [[(0, 0), (12_000, 0)], [(50_000, 0), (53_000, 0)]])], crs=32631)
    seg = split_roads(road, segment_km=5, crs=32631)
    assert seg["part"].tolist() == [0, 0, 0, 1]
    np.testing.assert_allclose(seg.to_crs(32631).length, [4000, 4000, 4000, 3000], atol=1e-6)


def test_cut_at_vertices_and_duplicates():
    lines = np.array([shapely.LineString([(0, 0), (10, 0), (10, 10)])])
    pieces, owner, start, end = cut_lines(lines, np.array([0, 0, 0, 0]), np.array([10, 10, 0, 20]))
    assert [p.wkt for p in pieces] == ["LINESTRING (0 0, 10 0)", "LINESTRING (10 0, 10 10)"]
    assert start.tolist() == [0, 10] and end.tolist() == [10, 20]


def test_explode_keeps_attributes():
    g = gpd.GeoDataFrame({"name": ["a", "b"]}, geometry=[
        shapely.MultiLineString([[(0, 0), (1, 0)], [(2, 0), (3, 0)]]), shapely.LineString([(5, 5), (6, 6)])])
    out = explode_lines(g)
    assert out["name"].tolist() == ["a", "a", "b"]
    assert out["road_index"].tolist() == [0, 0, 1]


coords = st.lists(st.tuples(st.integers(-1000, 1000), st.integers(-1000, 1000)), min_size=2, max_size=8)


@settings(max_examples=200, deadline=None)
@given(st.lists(coords, min_size=1, max_size=4), st.lists(st.floats(0.01, 0.99), max_size=6), st.data())
def test_cut_lines_matches_shapely_substring(line_coords, fractions, data):
    lines = np.array([shapely.LineString(c) for c in line_coords])
    lengths = shapely.length(lines)
    which = np.array([data.draw(st.integers(0, len(lines) - 1)) for _ in fractions], dtype=int)
    at = np.array(fractions) * lengths[which] if len(which) else np.array([])
    pieces, owner, start, end = cut_lines(lines, which, at)
    for i, line in enumerate(lines):
        mine = pieces[owner == i]
        # pieces tile the line: lengths add up, ends meet
        assert shapely.length(mine).sum() == pytest.approx(line.length, abs=1e-6)
        for piece, a, b in zip(mine, start[owner == i], end[owner == i]):
            if line.length == 0:
                continue
            expected = substring(line, a, b)
            assert piece.length == pytest.approx(b - a, abs=1e-6)
            assert shapely.hausdorff_distance(piece, expected) < 1e-6
