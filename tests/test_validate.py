"""Each bad-input case gives one clear error naming the file, the rows and the fix."""

import geopandas as gpd
import pytest
import shapely

from geokit import GeokitWarning, InputError, read_boundaries, read_cities, read_incidents, read_roads, validate_layer
from geokit.validate import describe_rows


def _write_csv(tmp_path, text, name="incidents.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.filterwarnings("ignore:'crs' was not provided:UserWarning")  # writing the bad file on purpose
def test_no_crs_is_refused_unless_given(tmp_path):
    path = tmp_path / "towns.shp"
    gpd.GeoDataFrame({"name": ["Kati"]}, geometry=[shapely.Point(-8.07, 12.74)]).to_file(path)
    with pytest.raises(InputError, match=r"(?s)towns\.shp: 1 problem.*no coordinate reference system.*"
                                         r"Fix: pass crs='EPSG:4326'"):
        read_cities(path)
    assert read_cities(path, crs="EPSG:4326").crs.to_epsg() == 4326


def test_a_crs_that_contradicts_the_file_is_refused(tmp_path):
    path = tmp_path / "towns.gpkg"
    gpd.GeoDataFrame({"name": ["Kati"]}, geometry=[shapely.Point(-8.07, 12.74)], crs=4326).to_file(path)
    with pytest.raises(InputError, match="crs='EPSG:32629' was passed but the file declares EPSG:4326"):
        read_cities(path, crs="EPSG:32629")


def test_swapped_latitude_longitude_columns_are_named(tmp_path):
    path = _write_csv(tmp_path, "event_date,latitude,longitude\n2025-09-01,-8.0,12.6\n"
                                "2025-09-02,-170.1,12.0\n2025-09-03,120.5,11.0\n")
    with pytest.raises(InputError) as err:
        read_incidents(path)
    msg = str(err.value)
    assert "incidents.csv" in msg
    assert "the columns 'longitude' and 'latitude' look swapped" in msg
    assert "CSV lines 3, 4" in msg  # header is line 1; the first data row (in range) is fine
    assert "Fix: exchange 'longitude' and 'latitude'" in msg


def test_swap_inside_valid_range_is_caught_with_an_area_of_interest(tmp_path):
    # Bamako written as (lat, lon) is a valid point in the Gulf of Guinea
    path = _write_csv(tmp_path, "event_date,lon,lat\n2025-09-01,12.64,-8.00\n2025-09-02,-11.44,14.45\n")
    read_incidents(path)  # valid coordinates: nothing can tell without an area
    with pytest.raises(InputError, match=r"outside the area of interest.*'lon' and 'lat' look swapped.*CSV line 2\b"):
        read_incidents(path, bounds=(-18, 8, 5, 26))


def test_out_of_range_coordinates_name_rows_and_the_fix(tmp_path):
    path = _write_csv(tmp_path, "event_date,longitude,latitude\n2025-09-01,500000,1400000\n"
                                "2025-09-02,-8.0,12.6\n")
    with pytest.raises(InputError, match=r"1 rows have coordinates outside longitude -180..180.*CSV line 2\).*"
                                         r"projected coordinates"):
        read_incidents(path)


def test_degrees_declared_as_projected_are_refused():
    frame = gpd.GeoDataFrame({"name": ["Kati"]}, geometry=[shapely.Point(-8.07, 12.74)], crs=32629)
    with pytest.raises(InputError, match="looks like degrees.*EPSG:32629.*declare the layer's CRS as EPSG:4326"):
        read_cities(frame)


def test_nan_and_infinite_coordinates_are_refused():
    frame = gpd.GeoDataFrame({"name": ["a", "b"]}, geometry=[shapely.Point(float("inf"), 1), shapely.Point(1, 1)],
                             crs=4326)
    with pytest.raises(InputError, match=r"1 rows have NaN or infinite coordinates \(row 0\)"):
        read_cities(frame)


def test_invalid_geometries_are_repaired_and_counted_or_refused_when_strict():
    bowtie = shapely.Polygon([(0, 0), (1, 1), (1, 0), (0, 1), (0, 0)])
    frame = gpd.GeoDataFrame({"ADMIN": ["A", "B"]}, geometry=[bowtie, shapely.box(2, 2, 3, 3)], crs=4326)
    with pytest.warns(GeokitWarning, match=r"1 invalid geometries were repaired with make_valid.*\(row 0\)"):
        fixed = read_boundaries(frame)
    assert fixed.geometry.is_valid.all()
    assert fixed.geometry.iloc[0].area == pytest.approx(0.5)  # the two triangles of the bow-tie
    _, report = validate_layer(frame, "boundaries", strict=True)
    assert not report.ok
    assert "1 geometries are invalid (e.g. Self-intersection" in report.format()
    assert "read with strict=False" in report.format()


def test_null_and_empty_geometries_are_dropped_with_a_count():
    frame = gpd.GeoDataFrame({"name": ["a", "b", "c"]},
                             geometry=[None, shapely.Point(-8, 12), shapely.Point()], crs=4326)
    with pytest.warns(GeokitWarning, match=r"2 rows with a null or empty geometry were dropped \(rows 0, 2\)"):
        cities = read_cities(frame)
    assert cities["name"].tolist() == ["b"]


def test_wrong_geometry_type_for_the_kind():
    frame = gpd.GeoDataFrame({"name": ["x", "y"]},
                             geometry=[shapely.Point(0, 0), shapely.LineString([(0, 0), (1, 1)])], crs=4326)
    with pytest.raises(InputError, match=r"1 geometries are Point, but a roads layer holds LineString or "
                                         r"MultiLineString \(row 0\)"):
        read_roads(frame)


def test_unparseable_and_missing_dates_list_rows(tmp_path):
    path = _write_csv(tmp_path, "event_date,longitude,latitude\n2025-09-01,-8,12.6\n"
                                "31/09/2025,-8,12.6\n,-8,12.6\nyesterday,-8,12.6\n")
    with pytest.raises(InputError) as err:
        read_incidents(path)
    msg = str(err.value)
    assert "2 problems" in msg
    assert "1 incidents have no date in 'event_date' (CSV line 4)" in msg
    assert "2 dates in 'event_date' could not be read as ISO8601 or %d %B %Y, e.g. '31/09/2025' (CSV lines 3, 5)" in msg
    assert "date_format='%d/%m/%Y'" in msg


def test_day_first_dates_with_a_format():
    frame = gpd.GeoDataFrame({"date": ["03/10/2025"]}, geometry=[shapely.Point(-8, 12.6)], crs=4326)
    inc = read_incidents(frame, date_format="%d/%m/%Y")
    assert str(inc.loc[0, "date"].date()) == "2025-10-03"


def test_duplicate_ids_are_refused():
    frame = gpd.GeoDataFrame({"event_id": ["A1", "A2", "A1"], "date": ["2025-09-01"] * 3},
                             geometry=[shapely.Point(-8, 12.6)] * 3, crs=4326)
    with pytest.raises(InputError, match=r"2 rows share a 'event_id' with another row \(values A1\) \(rows 0, 2\)"):
        read_incidents(frame)


def test_empty_layer(tmp_path):
    path = tmp_path / "empty.geojson"
    path.write_text('{"type": "FeatureCollection", "features": []}')
    with pytest.raises(InputError, match=r"(?s)empty\.geojson: 1 problem.*the layer is empty"):
        read_roads(path)


def test_missing_required_column_lists_the_columns():
    frame = gpd.GeoDataFrame({"when": ["2025-09-01"], "who": ["JNIM"]}, geometry=[shapely.Point(-8, 12.6)], crs=4326)
    with pytest.raises(InputError, match=r"required column 'date' is missing; the columns are when, who.*"
                                         r"columns=\{'date': '<column>'\}"):
        read_incidents(frame)
    assert str(read_incidents(frame, columns={"date": "when"}).loc[0, "date"].date()) == "2025-09-01"


def test_non_numeric_values_in_numeric_columns():
    frame = gpd.GeoDataFrame({"name": ["Kayes"], "population": ["127,368"]},
                             geometry=[shapely.Point(-11.44, 14.45)], crs=4326)
    with pytest.raises(InputError, match=r"'population' \(mapped to population\) holds values that are not numbers, "
                                         r"e.g. '127,368'"):
        read_cities(frame)


def test_all_problems_are_collected_before_raising(tmp_path):
    path = _write_csv(tmp_path, "event_id,event_date,longitude,latitude\nA,2025-09-01,-8,12.6\n"
                                "A,bad,-8,12.6\nB,2025-09-01,-8,95\n")
    with pytest.raises(InputError) as err:
        read_incidents(path)
    assert "3 problems" in str(err.value)


def test_describe_rows_counts_the_rest():
    assert describe_rows([1]) == "feature 1"
    assert describe_rows(list(range(10)), noun="row") == "rows 0, 1, 2, 3, 4 and 5 more, 10 in all"


def test_unknown_kind_and_missing_file(tmp_path):
    with pytest.raises(InputError, match="unknown layer kind 'railways'"):
        validate_layer(tmp_path / "x.gpkg", "railways")
    with pytest.raises(InputError, match="no such file"):
        read_roads(tmp_path / "nope.gpkg")
