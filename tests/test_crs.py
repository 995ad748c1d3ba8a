import geopandas as gpd
import numpy as np
import pytest
import shapely
from pyproj import Geod

from geokit import CRSError, choose_metric_crs, geodesic_length_km, to_metric
from geokit.crs import max_scale_error, require_projected

GEOD = Geod(ellps="WGS84")
DAKAR, BAMAKO = (-17.4467, 14.6928), (-8.0029, 12.6392)


def test_small_extent_gets_its_utm_zone():
    assert choose_metric_crs((-8.1, 12.5, -7.9, 12.7)).to_epsg() == 32629  # Bamako
    assert choose_metric_crs((-17.5, 14.6, -17.3, 14.8)).to_epsg() == 32628  # Dakar
    assert choose_metric_crs((28.0, -26.3, 28.2, -26.1)).to_epsg() == 32735  # southern hemisphere


def test_wide_extent_gets_equidistant_projection_centred_on_it():
    crs = choose_metric_crs((-18, 8, 5, 26))
    assert crs.is_projected
    assert crs.coordinate_operation.method_name == "Azimuthal Equidistant"
    params = {p.name: p.value for p in crs.coordinate_operation.params}
    assert params["Longitude of natural origin"] == pytest.approx(-6.5)
    assert params["Latitude of natural origin"] == pytest.approx(17.0)


def test_dakar_bamako_line_length_agrees_with_geodesic():
    # a straight Dakar-Bamako line spans UTM zones 28, 29 and 30
    straight = gpd.GeoSeries([shapely.LineString([DAKAR, BAMAKO])], crs=4326)
    _, _, geodesic_m = GEOD.inv(*DAKAR, *BAMAKO)
    assert geodesic_length_km(straight)[0] == pytest.approx(geodesic_m / 1000, rel=1e-9)
    assert 1040 < geodesic_m / 1000 < 1050  # about 1,046 km as the crow flies
    # densified in lon/lat, the line follows (almost) the same path on the ground
    line = straight.segmentize(0.05)
    path_km = GEOD.geometry_length(line.iloc[0]) / 1000
    assert geodesic_length_km(line)[0] == pytest.approx(path_km, rel=1e-9)
    metric = to_metric(gpd.GeoDataFrame(geometry=line))
    assert metric.crs.coordinate_operation.method_name == "Azimuthal Equidistant"
    assert metric.length.iloc[0] / 1000 == pytest.approx(path_km, rel=0.005)
    assert metric.length.iloc[0] / 1000 == pytest.approx(geodesic_m / 1000, rel=0.005)


def test_scale_error_is_reported_and_small_over_the_corridor():
    bounds = (-17.5, 12.6, -7.9, 14.8)
    assert max_scale_error(choose_metric_crs(bounds), bounds) < 0.005
    # a single UTM zone used far outside itself is measured as worse
    assert max_scale_error(choose_metric_crs((-8.1, 12.5, -7.9, 12.7)), bounds) > 0.005


def test_ten_km_buffer_area_matches_pi_r_squared():
    point = gpd.GeoDataFrame(geometry=[shapely.Point(BAMAKO)], crs=4326)
    metric = to_metric(point)
    ring = metric.buffer(10_000, quad_segs=64).to_crs(4326).iloc[0]
    area_m2, _ = GEOD.geometry_area_perimeter(ring)
    assert abs(area_m2) == pytest.approx(np.pi * 10_000**2, rel=0.005)


def test_geodesic_length_handles_multilines_and_several_rows():
    lines = gpd.GeoSeries(
        [shapely.MultiLineString([[(0, 0), (1, 0)], [(0, 1), (0, 2)]]), shapely.LineString([(0, 0), (0, 1)])],
        crs=4326,
    )
    km = geodesic_length_km(lines)
    assert km[0] == pytest.approx(111.319 + 110.574, abs=0.01)
    assert km[1] == pytest.approx(110.574, abs=0.01)


def test_degrees_are_refused_for_geometry_operations():
    with pytest.raises(CRSError, match="units are degrees.*to_metric"):
        require_projected(gpd.GeoSeries([shapely.Point(0, 0)], crs=4326), "incidents")
    with pytest.raises(CRSError, match="no CRS"):
        to_metric(gpd.GeoDataFrame(geometry=[shapely.Point(0, 0)]))
    with pytest.raises(CRSError, match="not a projected CRS"):
        to_metric(gpd.GeoDataFrame(geometry=[shapely.Point(0, 0)], crs=4326), crs=4326)
    with pytest.raises(CRSError, match="not longitude/latitude"):
        choose_metric_crs((500000, 1000000, 600000, 1100000))


def test_geodesic_area_subtracts_holes_whatever_their_orientation():
    """Zone areas: a 1 x 1 degree square at the equator less a triangular hole, the hole given clockwise
    and counter-clockwise (pyproj's signed sum would add a hole wound like its shell)."""
    import geopandas as gpd
    import numpy as np
    import shapely
    from pyproj import Geod

    from geokit.crs import geodesic_area_km2

    geod = Geod(ellps="WGS84")
    shell = [(0, 0), (1, 0), (1, 1), (0, 1)]
    hole = [(0.5, 0.5), (0.6, 0.5), (0.6, 0.6)]
    square = abs(geod.polygon_area_perimeter([0, 1, 1, 0], [0, 0, 1, 1])[0]) / 1e6
    triangle = abs(geod.polygon_area_perimeter([0.5, 0.6, 0.6], [0.5, 0.5, 0.6])[0]) / 1e6
    assert round(square) == 12309 and round(triangle) == 62  # 111.3 km x 110.6 km; half of 11.1 x 11.1 km
    shapes = [shapely.Polygon(shell, [hole]), shapely.Polygon(shell, [hole[::-1]]),
              shapely.MultiPolygon([shapely.Polygon(shell), shapely.box(2, 2, 3, 3)]), shapely.LineString(shell)]
    got = geodesic_area_km2(gpd.GeoSeries(shapes, crs=4326))
    assert got[:2] == pytest.approx([square - triangle] * 2, rel=1e-12)
    assert got[2] == pytest.approx(square + abs(geod.geometry_area_perimeter(shapely.box(2, 2, 3, 3))[0]) / 1e6)
    assert got[3] == 0.0
    utm = gpd.GeoSeries(shapes[:1], crs=4326).to_crs(32631)  # any CRS: measured on the ellipsoid
    assert geodesic_area_km2(utm)[0] == pytest.approx(square - triangle, rel=1e-6)
    assert len(geodesic_area_km2(gpd.GeoSeries([], crs=4326))) == 0 and np.isscalar(got[0])
