"""Early warning (geokit.forecast): the model recovers known parameters, its kernel is what the docs say,
it never reads the future, and it is scored against persistence and a region-month rate."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geokit import forecast as fc
from geokit._errors import InputError
from geokit.layers import read_incidents, read_roads
from geokit.network import build_network
from geokit.timeline import day_number


def _grid_network(n: int = 6, spacing_deg: float = 0.5, length_deg: float = 3.0):
    """n east-west and n north-south roads crossing over western Mali (about 330 km each)."""
    lines = []
    for i in range(n):
        lines.append(shapely.LineString([(-10.0, 12.0 + i * spacing_deg), (-10.0 + length_deg, 12.0 + i * spacing_deg)]))
        lines.append(shapely.LineString([(-10.0 + i * spacing_deg, 12.0), (-10.0 + i * spacing_deg, 12.0 + length_deg)]))
    roads = read_roads(gpd.GeoDataFrame({"ref": [f"R{i}" for i in range(len(lines))]}, geometry=lines, crs=4326))
    return build_network(roads, segment_km=5)


@pytest.fixture(scope="module")
def grid():
    return _grid_network()


TRUTH = fc.HawkesParams(mu_per_day=0.5, branching=0.5, decay_per_day=0.15, sigma_km=15.0)


@pytest.fixture(scope="module")
def simulated(grid):
    return fc.simulate(grid, TRUTH, first_day="2023-01-01", days=730, seed=7)


def test_the_fit_recovers_the_parameters_of_a_known_process(grid, simulated):
    """Two years of a known process (about 730 events): each parameter within its stated tolerance."""
    assert 600 < len(simulated) < 900  # mu * days / (1 - branching) = 730 expected
    fit = fc.fit_events(grid, simulated, on="2025-01-01")
    p = fit.params
    assert fit.converged and fit.n_events == len(simulated)
    assert p.mu_per_day == pytest.approx(TRUTH.mu_per_day, rel=0.15)
    assert p.branching == pytest.approx(TRUTH.branching, abs=0.1)
    assert p.decay_per_day == pytest.approx(TRUTH.decay_per_day, rel=0.3)
    assert p.sigma_km == pytest.approx(TRUTH.sigma_km, rel=0.25)


def test_the_analytic_gradient_is_the_numerical_one(grid, simulated):
    import scipy.optimize

    roads = fc._Roads.of(grid)
    objective = fc._likelihood(roads, simulated, first_target=50, last=day_number("2024-12-31"),
                               max_lag_days=365)
    for x in (np.array([np.log(0.4), 0.2, np.log(0.1), np.log(12.0)]),
              np.array([np.log(0.7), -0.5, np.log(0.3), np.log(30.0)])):
        numeric = scipy.optimize.approx_fprime(x, lambda y: objective(y)[0], 1e-6)
        np.testing.assert_allclose(objective(x)[1], numeric, rtol=1e-4, atol=1e-3)


def test_the_forecast_beats_persistence_on_held_back_weeks(grid):
    """Fitted on the past only, each week: a better log-likelihood and Brier score than persistence."""
    events = fc.simulate(grid, TRUTH, first_day="2024-01-01", days=450, seed=11)
    table = fc.backtest_events(grid, events, start="2025-01-01", end="2025-03-04", every_days=7,
                               horizon_days=7, radius_km=10)
    summary = fc.backtest_summary(table).set_index("method")
    assert summary.loc["hawkes", "origins"] == 9  # 1 Jan to 26 Feb, weekly
    assert summary.loc["hawkes", "log_likelihood"] > summary.loc["persistence", "log_likelihood"]
    assert summary.loc["hawkes", "brier"] < summary.loc["persistence", "brier"]


def _parallel_roads():
    """Four separate north-south roads 4.4 km long, 10 km apart (one segment each), and an ambush on the
    first one's midpoint on 1 September 2025."""
    xs = [-8.0 + i * 10 / (111.32 * math.cos(math.radians(12.0))) for i in range(4)]  # about 10 km apart
    roads = read_roads(gpd.GeoDataFrame(
        {"ref": ["A", "B", "C", "D"]}, crs=4326,
        geometry=[shapely.LineString([(x, 11.98), (x, 12.02)]) for x in xs]))
    network = build_network(roads, segment_km=5)
    incidents = read_incidents(gpd.GeoDataFrame(
        {"event_id": ["E1"], "date": ["2025-09-01"], "event_type": ["Battles"],
         "sub_event_type": ["Ambush on fuel convoy"], "geo_precision": [1]}, crs=4326,
        geometry=[shapely.Point(xs[0], 12.0)]))
    return network, incidents


def test_one_incident_no_background_falls_with_distance_and_time_as_documented():
    """theta = 0.5, omega = 0.1, sigma = 10 km, mu = 0. On 2 Sep, over 7 days, the expected events add up to
    theta * (1 - e^(-0.7)) = 0.25171 (the four roads hold the whole kernel); the road 10 km away expects
    e^(-1/2) = 0.60653 times the first road's, 20 km away e^(-2) = 0.13534 times; a forecast made three days
    later expects e^(-0.3) = 0.74082 times as much."""
    network, incidents = _parallel_roads()
    p = fc.HawkesParams(mu_per_day=0.0, branching=0.5, decay_per_day=0.1, sigma_km=10.0)
    events = fc.road_events(network, incidents, radius_km=1)
    assert events[["incident_id", "segment"]].values.tolist() == [["E1", 0]]
    by_road = network.edges["ref"].to_numpy()
    e = fc.expected_counts(network, events, p, on="2025-09-02", horizon_days=7, radius_km=1)
    e = pd.Series(e["expected_incidents"].to_numpy(), index=by_road)
    # the roads are not exactly 10 km apart nor equally long on the ellipsoid: the ratios use the distances
    # from the incident to each road's midpoint and the lengths, as measured in the network's CRS
    mid = shapely.get_coordinates(shapely.line_interpolate_point(
        network.edges.to_crs(network.crs).geometry.values, 0.5, normalized=True)) / 1000
    at = shapely.get_coordinates(incidents.to_crs(network.crs).geometry.values) / 1000
    d = np.hypot(*(mid - at[0]).T)
    length = network.edges["length_km"].to_numpy()
    assert d[1] == pytest.approx(10.0, abs=0.05) and d[2] == pytest.approx(20.0, abs=0.1)
    assert e.sum() == pytest.approx(0.5 * (1 - math.exp(-0.7)), rel=1e-9)
    assert e.sum() == pytest.approx(0.25171, abs=1e-5)
    for road, i in (("B", 1), ("C", 2), ("D", 3)):
        assert e[road] / e["A"] == pytest.approx(length[i] / length[0] * math.exp(-(d[i] ** 2 - d[0] ** 2) / 200),
                                                 rel=1e-9)
    assert e["B"] / e["A"] == pytest.approx(0.60653, abs=2e-3)
    assert e["C"] / e["A"] == pytest.approx(0.13534, abs=1e-3)
    later = fc.expected_counts(network, events, p, on="2025-09-05", horizon_days=7, radius_km=1)
    assert later["expected_incidents"].sum() / e.sum() == pytest.approx(math.exp(-0.3), rel=1e-9)
    # the incident's own day is not forecast: nothing is expected before it
    before = fc.expected_counts(network, events, p, on="2025-09-01", horizon_days=7, radius_km=1)
    assert before["expected_incidents"].sum() == 0.0


def test_background_spreads_along_the_roads_by_length():
    network, incidents = _parallel_roads()
    p = fc.HawkesParams(mu_per_day=2.0, branching=0.0, decay_per_day=0.1, sigma_km=10.0)
    e = fc.expected_counts(network, fc.road_events(network, incidents), p, on="2025-09-10", horizon_days=5,
                           radius_km=1)
    assert e["expected_incidents"].sum() == pytest.approx(10.0)  # 2 a day for 5 days, four equal roads
    np.testing.assert_allclose(e["expected_incidents"], 2.5, rtol=1e-3)


@pytest.fixture(scope="module")
def grid_incidents(grid, simulated):
    """The simulated events as incidents of a feed (ambushes at their segments' midpoints)."""
    points = gpd.GeoSeries(shapely.points(simulated[["x_km", "y_km"]].to_numpy() * 1000), crs=grid.crs)
    return read_incidents(gpd.GeoDataFrame(
        {"event_id": simulated["incident_id"], "date": pd.to_datetime(simulated["day"], unit="D"),
         "event_type": "Battles", "sub_event_type": "Ambush on fuel convoy", "geo_precision": 1},
        geometry=points.to_crs(4326).values, crs=4326))


def test_no_future_leaks(grid, grid_incidents):
    """A forecast made on day D is the same whatever happens on D and after."""
    on = pd.Timestamp("2024-07-01")
    past = grid_incidents[grid_incidents["date"] < on]
    a = fc.forecast(grid, past, on=on, horizon_days=14)
    b = fc.forecast(grid, grid_incidents, on=on, horizon_days=14)
    assert (grid_incidents["date"] >= on).sum() > 100
    pd.testing.assert_frame_equal(pd.DataFrame(a.drop(columns="geometry")),
                                  pd.DataFrame(b.drop(columns="geometry")))
    assert a.attrs["fit"] == b.attrs["fit"]


def test_forecast_table_names_roads_ranks_and_drivers(grid, grid_incidents):
    out = fc.forecast(grid, grid_incidents, on="2024-07-01", horizon_days=14)
    assert out["rank"].tolist() == list(range(1, len(out) + 1))
    assert out["expected_incidents"].is_monotonic_decreasing
    top = out.iloc[0]
    assert top["ref"].startswith("R") and top["drivers"]
    # the drivers are past incidents near the top segment
    driver_ids = top["drivers"].split("; ")
    drivers = grid_incidents[grid_incidents["event_id"].isin(driver_ids)]
    assert (drivers["date"] < pd.Timestamp("2024-07-01")).all() and len(drivers) == len(driver_ids)
    # the expected count is the background plus the triggered part: all add up to mu * h * (reach) + ...
    assert (out["expected_incidents"] > 0).all()


def test_hit_rate_and_pai_by_hand():
    """Four 1 km segments; the top 25 % of km is segment 0, which catches one of the two incidents."""
    import scipy.sparse

    caught = scipy.sparse.csr_matrix(np.array([[1, 0], [0, 0], [0, 1], [0, 0]]))
    s = fc.score(np.array([3.0, 1.0, 0.5, 0.0]), np.array([1, 0, 1, 0]), length_km=np.ones(4), caught=caught,
                 n_next=2, top_share=0.25)
    assert s["hit_rate"] == 0.5 and s["pai"] == 2.0 and s["flagged_km"] == 1.0
    p = 1 - np.exp(-np.array([3.0, 1.0, 0.5, 0.0]))
    assert s["brier"] == pytest.approx(np.mean((p - [1, 0, 1, 0]) ** 2))
    mean = np.array([3.0, 1.0, 0.5, fc.FLOOR])
    assert s["log_likelihood"] == pytest.approx(np.mean([1, 0, 1, 0] * np.log(mean) - mean))


def test_too_few_incidents_and_bad_horizons_are_refused(grid, grid_incidents):
    with pytest.raises(InputError, match="at least 2 blockade-relevant incidents"):
        fc.forecast(grid, grid_incidents, on="2023-01-01")
    with pytest.raises(InputError, match="horizon_days is 0"):
        fc.forecast(grid, grid_incidents, on="2024-07-01", horizon_days=0)
    with pytest.raises(InputError, match="before it starts"):
        fc.backtest(grid, grid_incidents, start="2024-07-01", end="2024-06-01")


# --- the command line and its products, on the shipped Mali project ------------------------------------------

import subprocess  # noqa: E402
import sys  # noqa: E402

from conftest import ROOT  # noqa: E402

MALI = ROOT / "layers" / "mali_2025" / "project.toml"


def _geokit(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "geokit", *args], capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def mali_forecast(tmp_path_factory):
    out = tmp_path_factory.mktemp("forecast") / "october"
    proc = _geokit("forecast", str(MALI), "--on", "2025-10-01", "--horizon", "14", "--out", str(out), "-q")
    assert proc.returncode == 0, proc.stderr
    return out


def test_cli_forecast_writes_its_products_with_the_numbers_of_python(mali_forecast):
    from geokit.build import _forecast_inputs
    from geokit.project import load_project

    assert sorted(p.name for p in mali_forecast.iterdir()) == [
        "forecast.csv", "forecast.gpkg", "forecast_map.html", "geokit-build.json", "model.json"]
    table = pd.read_csv(mali_forecast / "forecast.csv")
    layers, params, network, _ = _forecast_inputs(load_project(MALI), progress=False, overrides=None)
    python = fc.forecast(network, layers["incidents"], on="2025-10-01", horizon_days=14,
                         radius_km=params.radius_km, rules=params.rules)
    assert len(table) == len(python) == len(network.edges)
    np.testing.assert_allclose(table["expected_incidents"], python["expected_incidents"].round(5))
    assert table["segment_id"].tolist() == python["segment_id"].tolist()
    import json

    record = json.loads((mali_forecast / "model.json").read_text(encoding="utf-8"))
    fit = python.attrs["fit"]
    # the Mali layer set has four blockade-relevant road incidents before 1 October (6, 13, 13 and 14 Sep)
    assert record["model"]["n_events"] == fit.n_events == 4
    assert record["model"]["branching"] == pytest.approx(fit.params.branching)
    layers_written = gpd.list_layers(mali_forecast / "forecast.gpkg")["name"].tolist()
    assert layers_written == ["forecast", "top_stretches"]
    page = (mali_forecast / "forecast_map.html").read_text(encoding="utf-8")
    assert "<script src=\"http" not in page and "expected road incidents" in page


def test_cli_backtest_writes_the_table_the_summary_and_the_chart(tmp_path):
    out = tmp_path / "bt"
    proc = _geokit("forecast", str(MALI), "--backtest", "--from", "2025-09-01", "--to", "2025-10-27",
                   "--every", "2W", "--horizon", "14", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    table = pd.read_csv(out / "backtest.csv")
    assert table["origin"].drop_duplicates().tolist() == ["2025-09-01", "2025-09-15", "2025-09-29",
                                                          "2025-10-13", "2025-10-27"]
    # on 1 Sep no road incident lies in the past: only the baselines are scored
    assert table.loc[table["origin"] == "2025-09-01", "method"].tolist() == ["persistence", "region_month"]
    # 13-14 Sep: the Didiéni-Kolokani and Ségala ambushes fall in the first fortnight
    first = table[(table["origin"] == "2025-09-01")].iloc[0]
    assert first["n_next"] == 4  # 6 Sep roadblock, 13 Sep (two), 14 Sep
    summary = pd.read_csv(out / "backtest_summary.csv")
    assert summary["method"].tolist() == ["hawkes", "persistence", "region_month"]
    assert (out / "backtest.png").stat().st_size > 10_000
    assert "hawkes" in proc.stdout and "persistence" in proc.stdout


@pytest.mark.parametrize("args, message", [
    (["--on", "01/10/2025"], "is not a date YYYY-MM-DD"),
    (["--on", "2025-02-30"], "is not a calendar date"),
    ([], "give --on YYYY-MM-DD"),
    (["--on", "2025-10-01", "--horizon", "0"], "give at least 1 day"),
    (["--backtest", "--from", "2025-09-01"], "needs --from and --to"),
    (["--backtest", "--on", "2025-09-01", "--from", "2025-09-01", "--to", "2025-09-30"], "drop one of them"),
    (["--backtest", "--from", "2025-09-01", "--to", "2025-09-30", "--every", "1M"], "give days or weeks"),
    (["--on", "2025-07-01"], "at least 2 blockade-relevant incidents"),
])
def test_cli_forecast_mistakes_exit_1_with_the_fix(tmp_path, args, message):
    proc = _geokit("forecast", str(MALI), "--out", str(tmp_path / "x"), *args)
    assert proc.returncode == 1, proc.stderr
    assert message in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "x").exists()


def test_neighbours_are_exactly_the_strtree_dwithin_pairs():
    """KD-tree candidates on midpoints, numpy for two-point lines, GEOS for the rest and close calls: the
    same pairs as shapely's STRtree dwithin query, on random lines of 2-6 vertices, a few far longer than
    the radius, some crossing, and pairs placed exactly at the radius."""
    from scipy.spatial import cKDTree

    rng = np.random.default_rng(5)
    n = 3000
    start = rng.uniform(0, 150_000, (n, 2))
    lines = []
    for i in range(n):
        k = int(rng.choice([2, 2, 2, 3, 6]))
        step = rng.uniform(200, 3000 if i % 97 else 40_000)
        lines.append(shapely.LineString(start[i] + np.cumsum(rng.normal(0, step, (k, 2)), axis=0)))
    # two-point lines exactly 10 km apart (parallel) and exactly 10 km end to end
    lines += [shapely.LineString([(0, 0), (0, 1000)]), shapely.LineString([(10_000, 0), (10_000, 1000)]),
              shapely.LineString([(0, 20_000), (1000, 20_000)]), shapely.LineString([(11_000, 20_000), (12_500, 20_000)])]
    geoms = np.array(lines, dtype=object)
    mid = shapely.get_coordinates(shapely.line_interpolate_point(geoms, 0.5, normalized=True)) / 1000
    roads = fc._Roads(np.arange(len(geoms)), shapely.length(geoms) / 1000, mid, geoms, cKDTree(mid))
    near = fc._neighbours(roads, 10, chunk=700)
    a, b = shapely.STRtree(geoms).query(geoms, predicate="dwithin", distance=10_000.0)
    expected = {(int(i), int(j)) for i, j in zip(a, b)}
    got = set(zip(*(x.tolist() for x in near.nonzero())))
    assert got == expected and near.nnz == len(expected) and (near.data == 1).all()
    assert (n, n + 1) in got and (n + 2, n + 3) in got


@pytest.mark.parametrize("on_grid", [True, None])
def test_the_fits_kernel_normalisation_is_within_one_percent_of_the_sum_over_the_segments(grid, on_grid):
    """Z(sigma) = sum of l_s exp(-d^2 / 2 sigma^2) over every segment, for 300 points scattered around the
    roads and 57 sigmas across the fitted range (between and on the tabulated ones): the interpolated
    normalisation and its derivative in sigma, with the tabulated values above 4 km from the smoothed grid
    (forced) and as chosen (here the sums over the segments: 300 points need fewer pairs than cells)."""
    roads = fc._Roads.of(grid)
    rng = np.random.default_rng(0)
    xy = roads.mid_km[rng.integers(0, len(roads.mid_km), 300)] + rng.normal(0, 3, (300, 2))
    norm = fc._Normalisation.of(roads, xy, grid=on_grid)
    d2 = ((roads.mid_km[None] - xy[:, None]) ** 2).sum(-1)
    for s in np.exp(np.linspace(np.log(fc._SIGMA_KM[0]), np.log(fc._SIGMA_KM[1]), 57)):
        exact = (roads.length_km * np.exp(-d2 / (2 * s * s))).sum(1)
        exact_dlog = (roads.length_km * np.exp(-d2 / (2 * s * s)) * d2).sum(1) / s**3 / exact
        z, dlog = norm(s)
        np.testing.assert_allclose(z, exact, rtol=0.01)
        np.testing.assert_allclose(dlog, exact_dlog, rtol=0.05, atol=0.01 / s)
