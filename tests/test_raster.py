"""Density surfaces and population sums on small rasters with known answers."""

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
import shapely
from rasterio.transform import Affine
from scipy.special import erf

from geokit import InputError
from geokit.raster import (gaussian_cell_kernel, incident_density, population_by_area, population_within,
                           zonal_sums)

UTM = 32629


def one_incident(x=500_000.5, y=1_400_000.5, date="2025-09-14"):
    return gpd.GeoDataFrame({"date": pd.to_datetime([date])}, geometry=[shapely.Point(x, y)], crs=UTM)


def test_density_integrates_to_the_number_of_incidents(tmp_path):
    inc = pd.concat([one_incident(), one_incident(520_000, 1_410_000)], ignore_index=True)
    inc = gpd.GeoDataFrame(inc, crs=UTM)
    grid = incident_density(inc, cell_km=1, bandwidth_km=3, path=tmp_path / "d.tif", crs=UTM)
    assert grid.total() == pytest.approx(2.0, rel=0.01)
    with rasterio.open(tmp_path / "d.tif") as src:
        assert src.crs.to_epsg() == UTM
        assert src.nodata == -9999.0
        assert src.tags()["units"] == "incidents per km2"
        assert src.tags()["bandwidth_km"] == "3"
        assert src.res == (1000.0, 1000.0)
        data = src.read(1)
        assert data.sum() * 1.0 == pytest.approx(2.0, rel=0.01)


def test_a_cell_holds_the_integral_of_the_kernel_over_it(tmp_path):
    # the incident sits at a cell centre; the cell 2 km east of it holds the Gaussian's mass over
    # [1.5, 2.5] x [-0.5, 0.5] km, divided by the cell area
    sigma, cell = 2.0, 1.0
    incident_density(one_incident(500_500, 1_400_500), cell_km=cell, bandwidth_km=sigma,
                     path=tmp_path / "d.tif", crs=UTM)
    with rasterio.open(tmp_path / "d.tif") as src:
        row, col = src.index(500_500, 1_400_500)
        centre, east2 = src.read(1)[row, col], src.read(1)[row, col + 2]

    def mass(a, b):
        return 0.5 * (erf(b / (sigma * math.sqrt(2))) - erf(a / (sigma * math.sqrt(2))))

    assert centre == pytest.approx(mass(-0.5, 0.5) ** 2, rel=1e-5)
    assert east2 == pytest.approx(mass(1.5, 2.5) * mass(-0.5, 0.5), rel=1e-5)
    assert gaussian_cell_kernel(1.0, 2.0).sum() == pytest.approx(1.0, abs=1e-4)


def test_density_respects_the_window_and_refuses_an_empty_one():
    inc = one_incident(date="2025-08-01")
    with pytest.raises(InputError, match="no incidents in the window"):
        incident_density(inc, cell_km=1, bandwidth_km=2, start="2025-09-01")


def _write(path, data, transform, crs, nodata=None):
    with rasterio.open(path, "w", driver="GTiff", width=data.shape[1], height=data.shape[0], count=1,
                       dtype="float32", crs=crs, transform=transform, nodata=nodata) as dst:
        dst.write(data.astype("float32"), 1)


def test_population_in_a_geographic_raster(tmp_path):
    # 0.01-degree cells of 1 person each over lon -8.10..-8.00, lat 12.60..12.70
    path = tmp_path / "pop4326.tif"
    data = np.ones((10, 10))
    data[0, 0] = -1  # nodata, outside the box anyway
    _write(path, data, Affine(0.01, 0, -8.10, 0, -0.01, 12.70), "EPSG:4326", nodata=-1)
    box = gpd.GeoDataFrame(geometry=[shapely.box(-8.07, 12.62, -8.03, 12.65)], crs=4326)  # 4 x 3 cells
    assert population_within(path, box).tolist() == [12.0]
    assert population_within(path, box.to_crs(UTM)).tolist() == pytest.approx([12.0])  # any CRS in


def test_population_in_a_projected_raster_within_a_radius(tmp_path):
    # 1 km cells of 2 people; a 3 km zone around a cell centre takes the cells whose centres are within
    # 3 km: offsets (i, j) with i^2 + j^2 <= 9, i.e. 29 cells, so 58 people
    path = tmp_path / "popUTM.tif"
    _write(path, np.full((21, 21), 2.0), Affine(1000, 0, 490_000, 0, -1000, 1_411_000), f"EPSG:{UTM}")
    centre = gpd.GeoDataFrame(geometry=[shapely.Point(500_500, 1_400_500)], crs=UTM)
    assert population_within(path, centre, buffer_km=3.0001, crs=UTM).tolist() == [58.0]


def test_zonal_sums_of_density(tmp_path):
    grid = incident_density(one_incident(), cell_km=1, bandwidth_km=2, path=tmp_path / "d.tif", crs=UTM)
    big = gpd.GeoDataFrame(geometry=[shapely.Point(500_000, 1_400_000)], crs=UTM)
    assert zonal_sums(grid, big, buffer_km=10).iloc[0] == pytest.approx(1.0, rel=0.01)
    far = gpd.GeoDataFrame(geometry=[shapely.Point(600_000, 1_400_000)], crs=UTM)
    assert zonal_sums(grid, far, buffer_km=10).iloc[0] == 0.0


def test_missing_raster_is_a_clear_error(tmp_path):
    with pytest.raises(InputError, match="no such population raster"):
        population_within(tmp_path / "nope.tif", gpd.GeoDataFrame(geometry=[shapely.Point(0, 0)], crs=4326))


def test_population_by_country_inside_zones(tmp_path):
    path = tmp_path / "pop.tif"
    _write(path, np.ones((10, 10)), Affine(0.01, 0, -8.10, 0, -0.01, 12.70), "EPSG:4326")
    countries = gpd.GeoDataFrame({"name": ["West", "East"]}, crs=4326, geometry=[
        shapely.box(-8.10, 12.60, -8.05, 12.70), shapely.box(-8.05, 12.60, -8.00, 12.70)])
    # a zone of 4 x 3 cells straddling the border, and a second zone overlapping it (counted once)
    zones = gpd.GeoDataFrame(geometry=[shapely.box(-8.07, 12.62, -8.03, 12.65),
                                       shapely.box(-8.06, 12.62, -8.04, 12.65)], crs=4326)
    table = population_by_area(path, zones, countries)
    assert table.to_dict("records") == [{"name": "East", "population": 6.0}, {"name": "West", "population": 6.0}]


def test_area_weighting_shares_a_coarse_cell(tmp_path):
    """A 2 x 2 grid of 1-degree cells (100, 200 / 300, 400 people): a box over the east half of the
    north-west cell and the west quarter of the north-east cell holds 50 + 50 people by area, and
    none by cell centre (it contains no centre)."""
    path = tmp_path / "grid.tif"
    with rasterio.open(path, "w", driver="GTiff", width=2, height=2, count=1, dtype="float32", crs="EPSG:4326",
                       transform=Affine(1.0, 0, 0.0, 0, -1.0, 2.0)) as dst:
        dst.write(np.array([[100, 200], [300, 400]], dtype="float32"), 1)
    box = gpd.GeoDataFrame(geometry=[shapely.box(0.5, 1.0, 1.25, 2.0)], crs=4326)
    assert population_within(path, box, weighting="area").iloc[0] == pytest.approx(50 + 50)
    assert population_within(path, box).iloc[0] == 0.0
    with pytest.raises(InputError, match="weighting"):
        population_within(path, box, weighting="mean")


def test_zonal_sums_refuses_a_lon_lat_raster(tmp_path):
    """Issue #17 (bug): buffer_km=1 on a lon/lat raster used to buffer by one degree and sum it all."""
    path = tmp_path / "density4326.tif"
    _write(path, np.ones((10, 10)), Affine(0.01, 0, -8.10, 0, -0.01, 12.70), "EPSG:4326")
    point = gpd.GeoDataFrame(geometry=[shapely.Point(-8.05, 12.65)], crs=4326)
    with pytest.raises(InputError, match="projected CRS in metres"):
        zonal_sums(path, point, buffer_km=1)
