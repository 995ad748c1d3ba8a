"""Early warning: which road stretches are likely to be hit next, and how good that guess is.

The model
---------
A self-exciting (Hawkes, ETAS-type) point process on the road network, the
model of Mohler et al. (2011), *Self-exciting point process modeling of
crime*, JASA 106(493), discretised to road segments and days. Its events are
the blockade-relevant incidents (:func:`geokit.exposure.blockade_relevant`,
precision class up to ``blockade_max_precision``) lying within ``radius_km``
of a road, each placed on its nearest segment. The expected number of events
on segment *s* on day *t* is

.. math::

    \\lambda_s(t) = \\mu \\frac{\\ell_s}{L}
        + \\theta \\sum_{j:\\, t_j < t} g(t - t_j)\\, k(s \\mid j)

* ``mu_per_day`` (:math:`\\mu`): the background, events per day on the whole
  network, spread along the roads in proportion to length
  (:math:`\\ell_s` km of :math:`L`);
* ``branching`` (:math:`\\theta`, 0 to 1): how many later road incidents one
  incident triggers on average;
* ``decay_per_day`` (:math:`\\omega`): the triggering in time,
  :math:`g(\\tau) = (1 - e^{-\\omega}) e^{-\\omega (\\tau - 1)}` for
  :math:`\\tau = 1, 2, ...` days after the incident (it sums to 1; the mean
  delay is :math:`1 / (1 - e^{-\\omega})` days; an incident never triggers on
  its own day);
* ``sigma_km`` (:math:`\\sigma`): the triggering in space,
  :math:`k(s \\mid j) \\propto \\ell_s \\exp(-d_{sj}^2 / 2\\sigma^2)`, a
  Gaussian of the distance from the segment's midpoint to the incident,
  normalised over the segments within :math:`4\\sigma` so that it sums to 1:
  offspring fall on roads, near their parent.

The four parameters are fitted by maximum likelihood (the Poisson
log-likelihood of the daily counts, :func:`fit`, with
``scipy.optimize.minimize``) on the events before the forecast day, from
several starting points, on the most recent ``max_events`` (5,000) events,
triggered by the events of the ``max_lag_days`` (365) before each.

What the fit approximates (so that it scales to 1M segments x 200k incidents,
issue #31): the kernel's normalisation
:math:`Z_j(\\sigma) = \\sum_s \\ell_s \\exp(-d_{sj}^2 / 2\\sigma^2)` of each
trigger is tabulated at sigmas 1.2 apart: summed over the segments (within at
least 5 sigma) up to 4 km, and above when that takes fewer pairs than a grid has
cells (few triggers: a backtest's early origins); otherwise read from the
road km dealt onto a grid of :math:`\\sigma / 6` cells and smoothed by a
Gaussian (corrected for the spread of dealing and reading back). Between
the tabulated sigmas, :math:`\\log Z` is a cubic spline in :math:`-1/\\sigma^2`. It is within
1 % of the sum over every segment (0.8 % at worst, 0.3-0.7 % typically, on
the tests' network), and the likelihood's gradient is exact for it. While
fitting, pairs of incidents farther apart than :math:`8\\sigma` are skipped
(their kernel is below :math:`e^{-32}` of a near pair's). In the fit the
normalisation runs out to 200 km; in the forecast, over the segments within
:math:`4\\sigma` (the two differ by less than :math:`e^{-8}` of the kernel's
mass on evenly spread roads).

A forecast on day ``D`` with a horizon of ``h``
days is, for every segment, the expected number of events within
``radius_km`` of it on days ``D`` to ``D + h - 1`` (the events expected on
the segments within ``radius_km`` of it, added up), from the incidents dated
before ``D`` only.

Limits: a handful of incidents fits little (the Mali 2025 layer has a few
dozen road incidents: the standard errors are wide, and :attr:`Fit.n_events`
says on how many events a fit rests); the forecast counts only the first
generation of triggered events (an expected offspring's own offspring within
the horizon is left out, which underestimates by a factor up to
``1 / (1 - branching)`` on long horizons); the background is uniform along the
roads (no road class, border or junction covariates); the kernel is
isotropic in the plane, not along the network; events of one day do not
trigger each other.

Scores (:func:`score`, :func:`backtest`)
---------------------------------------
* **hit rate**: the share of the incidents of the horizon (those within
  ``radius_km`` of some road) that lie within ``radius_km`` of the
  segments ranked highest, taken until they make ``top_share`` (10 %) of the
  network's km;
* **PAI** (predictive accuracy index, Chainey et al. 2008): hit rate divided
  by the share of road km flagged;
* **Brier score**: the mean over segments of :math:`(p_s - y_s)^2`, where
  :math:`p_s = 1 - e^{-E_s}` is the chance of at least one incident near the
  segment and :math:`y_s` whether one came (lower is better);
* **log-likelihood**: the Poisson log-likelihood of each segment's count,
  per segment, with expectations floored at :data:`FLOOR` (higher is better).

Two baselines are scored the same way: **persistence** (the rate of the last
``at_risk_days`` of incidents near each segment, what the status already
says) and a **region-month rate** (the incidents of the last 30 days in each
region, spread over its road km: the resolution of ACLED's CAST forecasts).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.interpolate
import scipy.ndimage
import scipy.optimize
import scipy.sparse
import scipy.sparse.csgraph
import shapely
from scipy.spatial import cKDTree

from geokit._errors import InputError
from geokit.exposure import StatusRules, blockade_relevant
from geokit.incidents import precision_class
from geokit.network import RoadNetwork
from geokit.timeline import day_date, day_number

__all__ = ["HawkesParams", "Fit", "road_events", "fit", "fit_events", "expected_counts", "forecast", "score",
           "backtest", "backtest_events", "backtest_summary", "persistence", "region_month_rate", "segment_regions", "simulate", "top_stretches", "FLOOR",
           "METHODS", "DRIVERS_FOR"]

#: Expectations below this are raised to it in the log-likelihood (a baseline that expects nothing where an
#: incident came would otherwise score minus infinity).
FLOOR = 1e-4

#: The methods a backtest compares, in its table's order.
METHODS = ("hawkes", "persistence", "region_month")

_SIGMA_KM = (0.5, 50.0)  # the range sigma_km is fitted in
_REACH_KM = 4.0 * _SIGMA_KM[1]  # segments this far from an incident are in its kernel while fitting
_DECAY = (1e-3, 10.0)


@dataclass(frozen=True)
class HawkesParams:
    """The parameters of the road-network Hawkes model (see the module's docstring).

    Examples
    --------
    >>> p = HawkesParams(mu_per_day=0.2, branching=0.5, decay_per_day=0.1, sigma_km=10.0)
    >>> round(p.mean_delay_days, 2)
    10.51
    """

    mu_per_day: float
    branching: float
    decay_per_day: float
    sigma_km: float

    @property
    def mean_delay_days(self) -> float:
        """The mean delay between an incident and one it triggers, in days."""
        return float(1.0 / -np.expm1(-self.decay_per_day))


@dataclass(frozen=True)
class Fit:
    """A fitted model: its parameters, the log-likelihood and the events it rests on.

    Attributes
    ----------
    params : HawkesParams
    log_likelihood : float
        At the fitted parameters (Poisson, daily counts per segment, without the constant ``log n!``).
    n_events : int
        Road events the fit used (blockade-relevant incidents near a road, before ``on``).
    first_day, last_day : pandas.Timestamp
        The days fitted.
    converged : bool
        Whether the optimiser reported success.

    Examples
    --------
    >>> truth = HawkesParams(mu_per_day=0.3, branching=0.4, decay_per_day=0.2, sigma_km=20.0)
    >>> f = fit_events(network, simulate(network, truth, first_day="2024-01-01", days=200, seed=3),
    ...                on="2024-07-20")
    >>> sorted(f.as_dict())[:3]
    ['branching', 'converged', 'decay_per_day']
    """

    params: HawkesParams
    log_likelihood: float
    n_events: int
    first_day: pd.Timestamp
    last_day: pd.Timestamp
    converged: bool

    def as_dict(self) -> dict[str, object]:
        """The fit as plain values (``model.json``)."""
        return {**asdict(self.params), "mean_delay_days": self.params.mean_delay_days,
                "log_likelihood": self.log_likelihood, "n_events": self.n_events,
                "first_day": str(self.first_day.date()), "last_day": str(self.last_day.date()),
                "converged": self.converged}


@dataclass(frozen=True)
class _Roads:
    """The network's segments in its metric CRS, as the model needs them."""

    segment_id: np.ndarray
    length_km: np.ndarray
    mid_km: np.ndarray  # (n, 2) segment midpoints, km
    geometry: np.ndarray  # metric lines
    tree: cKDTree = field(repr=False)

    @classmethod
    def of(cls, network: RoadNetwork) -> _Roads:
        edges = network.edges.to_crs(network.crs)
        geoms = np.asarray(edges.geometry.values)
        mid = shapely.get_coordinates(shapely.line_interpolate_point(geoms, 0.5, normalized=True)) / 1000.0
        return cls(edges["segment_id"].to_numpy() if "segment_id" in edges else edges["edge_id"].to_numpy(),
                   edges["length_km"].to_numpy(float), mid, geoms, cKDTree(mid))


def _days(dates: pd.Series) -> np.ndarray:
    return (pd.to_datetime(dates).dt.normalize().to_numpy().astype("datetime64[D]").astype(np.int64))


def road_events(network: RoadNetwork, incidents: gpd.GeoDataFrame, *, radius_km: float = 10.0,
                rules: StatusRules | None = None) -> pd.DataFrame:
    """The model's events: blockade-relevant incidents within ``radius_km`` of a road, on their nearest segment.

    Parameters
    ----------
    network : RoadNetwork
        From :func:`geokit.network.build_network`.
    incidents : GeoDataFrame
        From :func:`geokit.read_incidents` (``date`` and the rules' text columns).
    radius_km : float
        Incidents farther from every road are not road events.
    rules : StatusRules, optional
        Which incidents are blockade-relevant, and the precision they need.

    Returns
    -------
    DataFrame
        ``incident_id``, ``segment`` (row of ``network.edges``), ``day`` (day number), ``x_km``, ``y_km``
        (the incident in the network's metric CRS), sorted by day.

    Examples
    --------
    >>> events = road_events(network, incidents, radius_km=10)
    >>> sorted(events.columns)
    ['day', 'incident_id', 'segment', 'x_km', 'y_km']
    """
    rules = rules or StatusRules()
    keep = blockade_relevant(incidents, rules) & (precision_class(incidents) <= rules.blockade_max_precision)
    chosen = incidents[keep & incidents.geometry.notna().to_numpy()]
    empty = pd.DataFrame({"incident_id": pd.Series(dtype=str), "segment": pd.Series(dtype=np.int64),
                          "day": pd.Series(dtype=np.int64), "x_km": pd.Series(dtype=float),
                          "y_km": pd.Series(dtype=float)})
    if chosen.empty or network.edges.empty:
        return empty
    points = np.asarray(chosen.to_crs(network.crs).geometry.values)
    lines = np.asarray(network.edges.to_crs(network.crs).geometry.values)
    tree = shapely.STRtree(lines)
    which, segment = tree.query_nearest(points, max_distance=radius_km * 1000.0, all_matches=False)
    xy = shapely.get_coordinates(points[which]) / 1000.0
    ids = (chosen["event_id"] if "event_id" in chosen else pd.Series(chosen.index)).astype(str).to_numpy()
    out = pd.DataFrame({"incident_id": ids[which], "segment": segment.astype(np.int64),
                        "day": _days(chosen["date"].iloc[which]), "x_km": xy[:, 0], "y_km": xy[:, 1]})
    return out.sort_values(["day", "segment"], kind="stable").reset_index(drop=True)


# --- the kernel ------------------------------------------------------------------------------------------------

def _pairs(tree_a: cKDTree, tree_b: cKDTree, cutoff_km: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Index pairs (a, b) within ``cutoff_km`` and their distances."""
    found = tree_a.sparse_distance_matrix(tree_b, cutoff_km, output_type="ndarray")  # zero distances kept
    return found["i"].astype(np.int64), found["j"].astype(np.int64), found["v"].astype(float)


@dataclass(frozen=True)
class _Kernel:
    """Segments near each trigger, with distances: the spatial kernel for any sigma up to ``cutoff / 4``."""

    segment: np.ndarray
    trigger: np.ndarray
    d2: np.ndarray
    n_triggers: int

    @classmethod
    def of(cls, roads: _Roads, xy: np.ndarray, cutoff_km: float) -> _Kernel:
        if len(xy) == 0:
            return cls(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0), 0)
        seg, trig, d = _pairs(roads.tree, cKDTree(xy), cutoff_km)
        return cls(seg, trig, d * d, len(xy))

    def weights(self, roads: _Roads, sigma_km: float) -> np.ndarray:
        """k(s | j) for each pair: length-weighted Gaussian, normalised over the segments within 4 sigma."""
        w = roads.length_km[self.segment] * np.exp(-self.d2 / (2.0 * sigma_km**2))
        w[self.d2 > (4.0 * sigma_km) ** 2] = 0.0
        z = np.bincount(self.trigger, weights=w, minlength=self.n_triggers)
        with np.errstate(invalid="ignore", divide="ignore"):
            out = np.where(z[self.trigger] > 0, w / z[self.trigger], 0.0)
        return out


# --- fitting ---------------------------------------------------------------------------------------------------

def _unpack(x: np.ndarray) -> HawkesParams:
    return HawkesParams(mu_per_day=float(np.exp(x[0])), branching=float(1.0 / (1.0 + np.exp(-x[1]))),
                        decay_per_day=float(np.exp(x[2])), sigma_km=float(np.exp(x[3])))


#: The kernel's normalisation while fitting is tabulated at these sigmas (ratio 1.2, a step beyond each end
#: of :data:`_SIGMA_KM`) and interpolated between them (:class:`_Normalisation`).
_SIGMA_TABLE = _SIGMA_KM[0] / 1.2 * 1.2 ** np.arange(int(np.ceil(np.log(_SIGMA_KM[1] / _SIGMA_KM[0]) / np.log(1.2))) + 3)
#: The fit's likelihood skips pairs farther apart than this many sigmas (their kernel is below e^-32 of a
#: near pair's).
_CUT = 8.0
#: Up to this sigma the normalisation is summed over the segments themselves; above it, on a grid (unless
#: the sums take fewer pairs than the grid has cells).
_EXACT_SIGMA_KM = 4.0
#: Grid cells per sigma above :data:`_EXACT_SIGMA_KM`; no grid has more than ``_GRID_MAX`` cells a side
#: (a sigma whose grid would have more is summed over the segments too).
_CELLS_PER_SIGMA = 6.0
_GRID_MAX = 6000
#: Normalisations below this (a trigger with no road within several sigmas) are raised to it.
_Z_FLOOR = 1e-300


def _log_road_km_near(roads: _Roads, xy: np.ndarray, sigma_km: np.ndarray, *, grid: bool | None = None
                      ) -> np.ndarray:
    """log Z(p, sigma), Z = sum over segments of l_s exp(-d^2 / 2 sigma^2) (d from the segment's midpoint to
    p), for every point and sigma, one row per sigma: exactly over the segments within 5 sigma (at least 20
    km) for sigmas up to :data:`_EXACT_SIGMA_KM`, and for those whose sum would take fewer pairs than the
    grid has cells (a few points: a backtest's early origins), scaled by the nearest midpoint's term so
    nothing underflows; else from the road km dealt onto a grid of sigma / 6 cells (bilinear, cloud in cell),
    smoothed by a Gaussian narrower by the spread that dealing and reading back add (c^2 / 3), and read
    back bilinearly. ``grid`` True or False forces the grid (above :data:`_EXACT_SIGMA_KM`) or the sums."""
    out = np.zeros((len(sigma_km), len(xy)))
    lo = np.minimum(roads.mid_km.min(axis=0), xy.min(axis=0))
    extent = float(np.max(np.maximum(roads.mid_km.max(axis=0), xy.max(axis=0)) - lo))
    cells = (extent / (sigma_km / _CELLS_PER_SIGMA)) ** 2
    # the pairs a sum over the segments would take (roads spread evenly), against the grid's cells
    pairs = len(xy) * len(roads.length_km) * np.minimum(1.0, np.pi * (5.0 * sigma_km) ** 2 / max(extent, 1e-9) ** 2)
    on_grid = (sigma_km > _EXACT_SIGMA_KM) & (cells < _GRID_MAX**2) & (pairs > cells if grid is None else grid)
    exact = np.flatnonzero(~on_grid)
    if len(exact):
        reach = 5.0 * max(float(sigma_km[exact].max()), _EXACT_SIGMA_KM)
        nearest2 = roads.tree.query(xy)[0] ** 2
        for start in range(0, len(xy), 4096):  # bounded memory: one block of points' pairs at a time
            part = slice(start, start + 4096)
            n_part = len(xy[part])
            seg, point, d = _pairs(roads.tree, cKDTree(xy[part]), reach)
            km, excess = roads.length_km[seg], d * d - nearest2[part][point]
            for i in exact:
                a = 1.0 / (2.0 * sigma_km[i] ** 2)
                z = np.bincount(point, weights=km * np.exp(-excess * a), minlength=n_part)
                out[i, part] = np.log(np.maximum(z, _Z_FLOOR)) - nearest2[part] * a
    for i in np.flatnonzero(on_grid):
        c = sigma_km[i] / _CELLS_PER_SIGMA
        shape = (int(extent / c) + 3, int(extent / c) + 3)
        u = (roads.mid_km - lo) / c + 1.0
        base = np.floor(u).astype(np.int64)
        f = u - base
        mass = np.zeros(shape[0] * shape[1])
        for dx in (0, 1):
            for dy in (0, 1):
                w = roads.length_km * (f[:, 0] if dx else 1 - f[:, 0]) * (f[:, 1] if dy else 1 - f[:, 1])
                mass += np.bincount((base[:, 0] + dx) * shape[1] + base[:, 1] + dy, weights=w,
                                    minlength=len(mass))
        spread = np.sqrt(sigma_km[i] ** 2 / c**2 - 1.0 / 3.0)
        smooth = scipy.ndimage.gaussian_filter(mass.reshape(shape), spread, mode="constant", truncate=4.5)
        z = scipy.ndimage.map_coordinates(smooth, ((xy - lo) / c + 1.0).T, order=1)
        out[i] = np.log(np.maximum(z * 2.0 * np.pi * sigma_km[i] ** 2 / c**2, _Z_FLOOR))
    return out


@dataclass(frozen=True)
class _Normalisation:
    """Z of each trigger for any sigma, and d log Z / d sigma: log Z as a cubic spline in -1 / sigma^2
    through :data:`_SIGMA_TABLE` (in that variable log Z is a log-sum-exp of lines, exactly one line when
    a single segment dominates, so the spline is close at small sigmas as at large). Within 1 % of the sum
    over the segments (tested); the gradient is exact for the spline."""

    spline: scipy.interpolate.CubicSpline

    @classmethod
    def of(cls, roads: _Roads, xy: np.ndarray, *, grid: bool | None = None) -> _Normalisation:
        table = _log_road_km_near(roads, xy, _SIGMA_TABLE, grid=grid)
        return cls(scipy.interpolate.CubicSpline(-1.0 / _SIGMA_TABLE**2, table, axis=0))

    def __call__(self, sigma_km: float) -> tuple[np.ndarray, np.ndarray]:
        """Z of each trigger at sigma, and d log Z / d sigma."""
        v = -1.0 / sigma_km**2
        return np.exp(self.spline(v)), self.spline(v, 1) * 2.0 / sigma_km**3


@dataclass(frozen=True)
class _Likelihood:
    """The log-likelihood of the model on fixed events, and its gradient in the fitted coordinates
    (``log mu``, ``logit branching``, ``log decay``, ``log sigma``).

    The spatial kernel of a pair is exact (the distance from the target's segment to the trigger); its
    normalisation Z (the road km around the trigger, Gaussian-weighted) is interpolated in sigma
    (:class:`_Normalisation`, within 1 % of the sum over the segments; tested), so that one evaluation
    costs no pass over the segments.
    """

    background: np.ndarray  # l_s / L of each target event's segment
    target_km: np.ndarray  # l_s of each target event's segment
    lag: np.ndarray  # days from trigger to target, per pair (1 to the lag); pairs nearest first
    pair_target: np.ndarray  # the target of each pair, 0..n_targets-1
    pair_trigger: np.ndarray  # the trigger of each pair, 0..n_triggers-1
    pair_d2: np.ndarray  # squared distance from the target's segment to the trigger, km2, increasing
    norm: _Normalisation  # Z of each trigger (of some pair)
    before: np.ndarray  # per event that can trigger: days before the first fitted day it lies (0 if within)
    until: np.ndarray  # per event that can trigger: days from it to the last fitted day, at most the lag
    n_days: int

    def __call__(self, x: np.ndarray) -> tuple[float, np.ndarray]:
        mu, theta, omega, sigma = np.exp(x[0]), 1.0 / (1.0 + np.exp(-x[1])), np.exp(x[2]), np.exp(x[3])
        # per pair: w = g(lag) e^(-d2 / 2 s2) / Z_trigger, the kernel k = l_target w / g; the temporal kernel
        # g(lag) = (1 - e^-w) e^(-w (lag - 1)) tabulated by lag
        # g(lag) = (1 - e^-w) e^(-w (lag - 1)) tabulated by lag. Pairs farther than _CUT sigmas add less than
        # e^(-32) of a near pair's share and are skipped (they come last).
        z, dlogz = self.norm(sigma)
        one = -np.expm1(-omega)
        g_of_lag = one * np.exp(-omega * (np.arange(int(self.lag.max(initial=1)) + 1) - 1.0))
        m = int(np.searchsorted(self.pair_d2, (_CUT * sigma) ** 2, "right"))
        d2, lag, target, trigger = self.pair_d2[:m], self.lag[:m], self.pair_target[:m], self.pair_trigger[:m]
        w = np.exp(d2 * (-0.5 / sigma**2))
        w *= (1.0 / z)[trigger]
        w *= g_of_lag[lag]
        n = len(self.background)
        trig = self.target_km * np.bincount(target, weights=w, minlength=n)
        lam = np.maximum(mu * self.background + theta * trig, 1e-300)
        inv = 1.0 / lam
        eb, eu = np.exp(-omega * self.before), np.exp(-omega * self.until)
        value = np.sum(np.log(lam)) - mu * self.n_days - theta * np.sum(eb - eu)
        d_mu = np.sum(self.background * inv) - self.n_days
        d_theta = np.sum(trig * inv) - np.sum(eb - eu)
        # the pairs' share of the derivatives: iw = w l_target / lambda_target; dg/dw = g (e^-w / (1 - e^-w)
        # - (lag - 1)), dk/ds = k (d2 / s3 - dlogZ/ds)
        w *= (inv * self.target_km)[target]
        total = np.sum(w)
        d_omega = theta * (np.exp(-omega) / one * total - (w @ lag - total)) \
            - theta * np.sum(-self.before * eb + self.until * eu)
        d_sigma = theta * ((w @ d2) / sigma**3 - np.bincount(trigger, weights=w, minlength=len(z)) @ dlogz)
        grad = np.array([d_mu * mu, d_theta * theta * (1 - theta), d_omega * omega, d_sigma * sigma])
        return float(value), grad


def _likelihood(roads: _Roads, events: pd.DataFrame, *, first_target: int, last: int, max_lag_days: int
                ) -> _Likelihood:
    """Pairs (target, earlier trigger) within the kernel's reach and lag, for events sorted by day."""
    day = events["day"].to_numpy(np.int64)
    seg = events["segment"].to_numpy(np.int64)
    xy = events[["x_km", "y_km"]].to_numpy()
    first = int(day[first_target])
    # the triggers any target can reach: within the lag of the first target, and not after the last
    earliest = int(np.searchsorted(day, first - max_lag_days, "left"))
    target_mid = roads.mid_km[seg[first_target:]]
    pair_target, pair_local, d = _pairs(cKDTree(target_mid), cKDTree(xy[earliest:]), _REACH_KM)
    pair_trigger = earliest + pair_local
    lag = day[first_target + pair_target] - day[pair_trigger]
    keep = (lag >= 1) & (lag <= max_lag_days)
    order = np.argsort(d[keep], kind="stable")  # nearest first: an evaluation reads the pairs within its reach
    pair_target, pair_trigger = pair_target[keep][order], pair_trigger[keep][order]
    lag, d2 = lag[keep][order], (d[keep] ** 2)[order]
    used, pair_trigger = np.unique(pair_trigger, return_inverse=True)  # only triggers of some pair
    norm = _Normalisation.of(roads, xy[used])
    # each trigger's share of the fitted days' integral: lags from max(1, first - t) to min(last - t, max lag)
    day_t = day[earliest:]
    before = np.maximum(0, first - day_t - 1).astype(float)
    until = np.maximum(np.minimum(last - day_t, max_lag_days), before).astype(float)
    target_km = roads.length_km[seg[first_target:]]
    return _Likelihood(
        background=target_km / roads.length_km.sum(), target_km=target_km, lag=lag.astype(np.int64),
        pair_target=pair_target, pair_trigger=pair_trigger, pair_d2=d2, norm=norm, before=before, until=until,
        n_days=last - first + 1)


def fit(network: RoadNetwork, incidents: gpd.GeoDataFrame, *, on: object, radius_km: float = 10.0,
        rules: StatusRules | None = None, max_events: int = 5000, max_lag_days: int = 365) -> Fit:
    """Fit the road-network Hawkes model on the incidents dated before ``on``.

    Parameters
    ----------
    network : RoadNetwork
        From :func:`geokit.network.build_network`.
    incidents : GeoDataFrame
        From :func:`geokit.read_incidents`; those dated ``on`` or later are ignored.
    on : date-like
        The forecast day: the fit uses only what happened before it.
    radius_km : float
        Incidents within it of a road are road events.
    rules : StatusRules, optional
        Which incidents are blockade-relevant.
    max_events : int
        The most recent events fitted (earlier ones still trigger them): bounds the work on long feeds.
    max_lag_days : int
        An incident triggers nothing after this many days (the kernel is negligible long before).

    Returns
    -------
    Fit

    Examples
    --------
    One incident fits nothing:

    >>> fit(network, incidents, on="2025-10-01")
    Traceback (most recent call last):
    ...
    geokit._errors.InputError: 1 road incident(s) before 2025-10-01: the model needs at least 2 ...
    """
    events = road_events(network, incidents, radius_km=radius_km, rules=rules)
    return fit_events(network, events, on=on, max_events=max_events, max_lag_days=max_lag_days)


def fit_events(network: RoadNetwork, events: pd.DataFrame, *, on: object, max_events: int = 5000,
               max_lag_days: int = 365) -> Fit:
    """Fit the model on road events (:func:`road_events` or :func:`simulate`) dated before ``on``.

    Parameters
    ----------
    network : RoadNetwork
    events : DataFrame
        ``incident_id``, ``segment``, ``day``, ``x_km``, ``y_km``.
    on : date-like
        The forecast day; later events are ignored.
    max_events, max_lag_days : int
        As :func:`fit`.

    Returns
    -------
    Fit

    Examples
    --------
    >>> truth = HawkesParams(mu_per_day=0.3, branching=0.4, decay_per_day=0.2, sigma_km=20.0)
    >>> events = simulate(network, truth, first_day="2024-01-01", days=365, seed=3)
    >>> f = fit_events(network, events, on="2025-01-01")
    >>> f.n_events == len(events), 0 <= f.params.branching < 1
    (True, True)
    """
    day = day_number(on)
    return _fit_events(_Roads.of(network), events[events["day"] < day], last=day - 1, max_events=max_events,
                       max_lag_days=max_lag_days)


_STARTS = ((0.3, 0.1, 10.0), (0.6, 0.05, 30.0), (0.2, 0.5, 3.0), (0.05, 0.02, 50.0))  # branching, decay, sigma


def _fit_events(roads: _Roads, events: pd.DataFrame, *, last: int, max_events: int = 5000,
                max_lag_days: int = 365, warm: HawkesParams | None = None) -> Fit:
    """Maximise the likelihood from several starting points (or from ``warm``, an earlier fit, and one)."""
    if len(events) < 2:
        raise InputError(f"{len(events)} road incident(s) before {day_date(last + 1).date()}: the model needs at "
                         "least 2 blockade-relevant incidents within radius_km of a road; choose a later --on "
                         "date or a longer incident history")
    events = events.sort_values("day", kind="stable").reset_index(drop=True)
    first_target = max(0, len(events) - max_events)
    objective = _likelihood(roads, events, first_target=first_target, last=last, max_lag_days=max_lag_days)

    def negative(x: np.ndarray) -> tuple[float, np.ndarray]:
        value, grad = objective(x)
        return -value, -grad

    n_days = objective.n_days
    rate = (len(events) - first_target) / max(n_days, 1)
    bounds = [(np.log(rate * 1e-3), np.log(rate * 10)), (-9.0, 6.0), tuple(np.log(_DECAY)),
              tuple(np.log(_SIGMA_KM))]
    best = None
    starts = [np.array([np.log(rate * (1 - b)), np.log(b / (1 - b)), np.log(d), np.log(s)]) for b, d, s in _STARTS]
    if warm is not None:
        starts = [np.clip(np.array([np.log(warm.mu_per_day), np.log(warm.branching / (1 - warm.branching)),
                                    np.log(warm.decay_per_day), np.log(warm.sigma_km)]),
                          [lo for lo, _ in bounds], [hi for _, hi in bounds]), starts[0]]
    for x0 in starts:
        res = scipy.optimize.minimize(negative, x0, jac=True, method="L-BFGS-B", bounds=bounds)
        if best is None or res.fun < best.fun:
            best = res
    assert best is not None
    return Fit(params=_unpack(best.x), log_likelihood=float(-best.fun), n_events=len(events) - first_target,
               first_day=day_date(last - n_days + 1), last_day=day_date(last), converged=bool(best.success))


# --- forecasting -----------------------------------------------------------------------------------------------

def _neighbours(roads: _Roads, radius_km: float, *, chunk: int = 20_000) -> scipy.sparse.csr_matrix:
    """Segments within ``radius_km`` of each segment (itself included), as a 0/1 sparse matrix.

    Exactly the pairs of ``shapely.STRtree.query(..., predicate="dwithin")`` (tested), found faster:
    candidates are the pairs whose midpoints lie within ``radius + (len_a + len_b) / 2`` (no point of a
    line is farther than half its length from its midpoint), from KD-trees on the midpoints of each
    length class; pairs whose midpoints lie within the radius are in; two-point lines are measured
    in numpy (the distance of their closest ends to the other line) and only those within a millimetre
    of the radius, or longer than it, go to GEOS (``shapely.dwithin``), like every other line.
    """
    geoms = roads.geometry
    n = len(geoms)
    r = radius_km * 1000.0
    coords = shapely.get_coordinates(geoms)
    n_coords = shapely.get_num_coordinates(geoms)
    start = np.concatenate([[0], np.cumsum(n_coords)[:-1]])
    a0, a1 = coords[start], coords[start + n_coords - 1]
    mid = roads.mid_km * 1000.0
    half = shapely.length(geoms) / 2.0
    simple = (n_coords == 2) & (half <= r / 2)  # crossing lines then have an end within r of the other
    # length classes (powers of two of the half-length): each class's tree is searched with its longest
    klass = np.ceil(np.log2(np.maximum(half, 1.0))).astype(np.int64)
    trees = [(members, cKDTree(mid[members]), float(half[members].max()))
             for members in (np.flatnonzero(klass == k) for k in np.unique(klass))]
    slack = 1e-3  # metres: closer calls than this to the radius are GEOS's
    indptr = np.zeros(n + 1, np.int64)
    indices = []
    for lo in range(0, n, chunk):
        rows = np.arange(lo, min(n, lo + chunk))
        here = cKDTree(mid[rows])
        ia_parts, ib_parts = [], []
        for members, tree, hmax in trees:
            ia, ib, d = _pairs(here, tree, r + float(half[rows].max()) + hmax)
            ia, ib = rows[ia], members[ib]
            keep = d <= r + half[ia] + half[ib] + slack
            ia, ib, d = ia[keep], ib[keep], d[keep]
            sure = d <= r - slack
            open_ = np.flatnonzero(~sure)
            both = simple[ia[open_]] & simple[ib[open_]]
            s = open_[both]
            dist = _segment_distance(a0[ia[s]], a1[ia[s]], a0[ib[s]], a1[ib[s]])
            sure[s[dist <= r - slack]] = True
            ask = np.concatenate([s[np.abs(dist - r) < slack], open_[~both]])
            sure[ask] = shapely.dwithin(geoms[ia[ask]], geoms[ib[ask]], r)
            ia_parts.append(ia[sure])
            ib_parts.append(ib[sure])
        key = np.sort(np.concatenate([(ia - lo) * n + ib for ia, ib in zip(ia_parts, ib_parts)]))
        indices.append((key % n).astype(np.int32))  # by row, then column
        indptr[rows + 1] = np.bincount(key // n, minlength=len(rows))
    all_indices = np.concatenate(indices) if indices else np.zeros(0, np.int32)
    return scipy.sparse.csr_matrix((np.ones(len(all_indices)), all_indices, np.cumsum(indptr)), shape=(n, n))


def _segment_distance(a0: np.ndarray, a1: np.ndarray, b0: np.ndarray, b1: np.ndarray) -> np.ndarray:
    """Distance between line segments a0-a1 and b0-b1 (rows), as the least of each end's distance to the
    other segment: exact unless they cross (then it is at most the shorter one's length, not 0)."""

    def point(p: np.ndarray, q0: np.ndarray, q1: np.ndarray) -> np.ndarray:
        v = q1 - q0
        vv = np.einsum("ij,ij->i", v, v)
        t = np.clip(np.einsum("ij,ij->i", p - q0, v) / np.where(vv > 0, vv, 1.0), 0.0, 1.0)
        return np.hypot(*(p - q0 - t[:, None] * v).T)

    return np.minimum(np.minimum(point(a0, b0, b1), point(a1, b0, b1)),
                      np.minimum(point(b0, a0, a1), point(b1, a0, a1)))


def expected_counts(network: RoadNetwork, events: pd.DataFrame, params: HawkesParams, *, on: object,
                    horizon_days: int = 14, radius_km: float = 10.0, drivers: int = 3
                    ) -> pd.DataFrame:
    """Expected road incidents within ``radius_km`` of each segment on days ``on`` to ``on + horizon_days - 1``.

    Parameters
    ----------
    network : RoadNetwork
    events : DataFrame
        From :func:`road_events`; those dated ``on`` or later are ignored.
    params : HawkesParams
        The model's parameters (from :func:`fit`, or chosen).
    on : date-like
        The first day forecast.
    horizon_days : int
        How many days are forecast.
    radius_km : float
        The reach of a segment: events on segments within it are counted.
    drivers : int
        How many of the incidents that add most to each segment's expectation to name.

    Returns
    -------
    DataFrame
        One row per segment of ``network.edges``: ``expected_incidents``, ``background`` (its part from
        the background rate), ``drivers`` (incident ids, ``"; "``-joined, largest first).

    Examples
    --------
    >>> p = HawkesParams(mu_per_day=0.0, branching=0.5, decay_per_day=0.1, sigma_km=10.0)
    >>> ev = road_events(network, incidents)
    >>> out = expected_counts(network, ev, p, on="2025-10-01", horizon_days=7)
    >>> bool((out["expected_incidents"] >= 0).all())
    True
    """
    if horizon_days < 1:
        raise InputError(f"horizon_days is {horizon_days}; give at least 1 day")
    roads = _Roads.of(network)
    return _expected(roads, _neighbours(roads, radius_km), events, params, on=day_number(on),
                     horizon_days=horizon_days, drivers=drivers)


#: How many segments, those expecting most, get their driving incidents named.
DRIVERS_FOR = 1000


def _expected(roads: _Roads, near: scipy.sparse.csr_matrix, events: pd.DataFrame, params: HawkesParams, *,
              on: int, horizon_days: int, drivers: int = 3, drivers_for: int = DRIVERS_FOR) -> pd.DataFrame:
    n = len(roads.length_km)
    past = events[events["day"] < on].reset_index(drop=True)
    decay = params.decay_per_day
    lag = on - past["day"].to_numpy()  # >= 1
    weight = np.exp(-decay * (lag - 1)) - np.exp(-decay * (lag - 1 + horizon_days))  # sum of g over the horizon
    keep = weight > 1e-9
    past, weight = past[keep].reset_index(drop=True), weight[keep]
    background = params.mu_per_day * horizon_days * roads.length_km / roads.length_km.sum()
    per_segment = background.copy()
    contribution = None
    if len(past) and params.branching > 0:
        kernel = _Kernel.of(roads, past[["x_km", "y_km"]].to_numpy(), 4.0 * params.sigma_km)
        c = params.branching * weight[kernel.trigger] * kernel.weights(roads, params.sigma_km)
        per_segment += np.bincount(kernel.segment, weights=c, minlength=n)
        contribution = scipy.sparse.csr_matrix((c, (kernel.segment, kernel.trigger)), shape=(n, len(past)))
    expected = near @ per_segment
    named = np.full(n, "", dtype=object)
    if drivers and contribution is not None and contribution.nnz:
        top = np.lexsort((np.arange(n), -expected))[:drivers_for]
        per_trigger = (near[top] @ contribution).tocsr()  # what each recent incident adds near each top segment
        ids = past["incident_id"].to_numpy(str)
        for row, s in enumerate(top):
            lo, hi = per_trigger.indptr[row], per_trigger.indptr[row + 1]
            if hi > lo:
                values, cols = per_trigger.data[lo:hi], per_trigger.indices[lo:hi]
                named[s] = "; ".join(dict.fromkeys(ids[cols[np.argsort(-values, kind="stable")[:drivers]]]))
    return pd.DataFrame({"expected_incidents": expected, "background": near @ background, "drivers": named})


def forecast(network: RoadNetwork, incidents: gpd.GeoDataFrame, *, on: object, horizon_days: int = 14,
             radius_km: float = 10.0, rules: StatusRules | None = None,
             model: Fit | HawkesParams | None = None) -> gpd.GeoDataFrame:
    """Every road segment's expected blockade-relevant incidents within ``radius_km`` in the days after ``on``.

    Fits the model on the incidents dated before ``on`` (unless ``model`` is given) and forecasts days
    ``on`` to ``on + horizon_days - 1``. Incidents dated ``on`` or later are never read.

    Parameters
    ----------
    network : RoadNetwork
        From :func:`geokit.network.build_network`.
    incidents : GeoDataFrame
        From :func:`geokit.read_incidents`.
    on : date-like
        The first day forecast.
    horizon_days : int
        Days forecast.
    radius_km : float
        The reach of a segment (and of a road event).
    rules : StatusRules, optional
        Which incidents are blockade-relevant.
    model : Fit or HawkesParams, optional
        A fit, or parameters, to use instead of fitting.

    Returns
    -------
    GeoDataFrame in EPSG:4326
        One row per segment: ``segment_id``, ``name``, ``ref``, ``from_km``, ``to_km``, ``length_km``,
        ``expected_incidents``, ``rank`` (1 = highest), ``drivers`` (the incidents adding most, named for the
        :data:`DRIVERS_FOR` segments ranked highest),
        ``geometry``; sorted by rank. ``attrs["fit"]`` holds the :class:`Fit` (or the parameters given).

    Examples
    --------
    >>> chosen = HawkesParams(mu_per_day=0.0, branching=0.5, decay_per_day=0.1, sigma_km=10.0)
    >>> out = forecast(network, incidents, on="2025-09-20", horizon_days=14, model=chosen)
    >>> int(out.loc[0, "rank"]), out.loc[0, "ref"], out.loc[0, "drivers"]
    (1, 'RN3', 'E1')
    """
    if horizon_days < 1:
        raise InputError(f"horizon_days is {horizon_days}; give at least 1 day")
    day = day_number(on)
    events = road_events(network, incidents, radius_km=radius_km, rules=rules)
    events = events[events["day"] < day]
    roads = _Roads.of(network)
    if model is None:
        model = _fit_events(roads, events, last=day - 1)
    params = model if isinstance(model, HawkesParams) else model.params
    table = _expected(roads, _neighbours(roads, radius_km), events, params, on=day,
                      horizon_days=horizon_days)
    edges = network.edges
    out = gpd.GeoDataFrame({
        "segment_id": roads.segment_id,
        "name": edges["name"].to_numpy() if "name" in edges else None,
        "ref": edges["ref"].to_numpy() if "ref" in edges else None,
        "from_km": edges["from_km"].to_numpy(float).round(1) if "from_km" in edges else np.nan,
        "to_km": edges["to_km"].to_numpy(float).round(1) if "to_km" in edges else np.nan,
        "length_km": roads.length_km.round(2),
        "expected_incidents": table["expected_incidents"].to_numpy(),
        "drivers": table["drivers"].to_numpy(),
    }, geometry=edges.geometry.to_numpy(), crs=edges.crs)
    out = out.sort_values(["expected_incidents", "segment_id"], ascending=[False, True], kind="stable")
    out.insert(out.columns.get_loc("expected_incidents") + 1, "rank", np.arange(1, len(out) + 1))
    out = out.reset_index(drop=True)
    out.attrs["fit"] = model
    return out


def top_stretches(forecast: gpd.GeoDataFrame, network: RoadNetwork, *, n: int = 10, near_km: float = 60.0
                  ) -> gpd.GeoDataFrame:
    """The ``n`` road stretches expecting most incidents: top segments joined where they touch on one road.

    Parameters
    ----------
    forecast : GeoDataFrame
        From :func:`forecast`.
    network : RoadNetwork
        The network forecast (its named places name the stretches).
    n : int
        Stretches returned.
    near_km : float
        A stretch is named after the nearest town or crossing within this distance of its middle.

    Returns
    -------
    GeoDataFrame in EPSG:4326
        ``rank``, ``road`` (ref, else name, else "unnamed road"), ``near`` (the nearest place, with its distance),
        ``length_km``, ``expected_incidents`` (the highest of its segments), ``segments``, ``label``,
        ``geometry``.

    Examples
    --------
    >>> chosen = HawkesParams(mu_per_day=0.0, branching=0.5, decay_per_day=0.1, sigma_km=10.0)
    >>> out = forecast(network, incidents, on="2025-09-20", horizon_days=14, model=chosen)
    >>> top_stretches(out, network, n=1).loc[0, "road"]
    'RN3'
    """
    ranked = forecast[forecast["expected_incidents"] > 0].head(max(3 * n, n))
    columns = ["rank", "road", "near", "length_km", "expected_incidents", "segments", "label", "geometry"]
    if ranked.empty:
        return gpd.GeoDataFrame(columns=columns, geometry="geometry", crs=4326)
    ranked = ranked.reset_index(drop=True)
    road = ranked["ref"].fillna(ranked["name"]).fillna("unnamed road").astype(str).to_numpy() \
        if "ref" in ranked else np.full(len(ranked), "unnamed road")
    geoms = np.asarray(ranked.geometry.values)
    a, b = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    same = road[a] == road[b]
    graph = scipy.sparse.csr_matrix((np.ones(same.sum()), (a[same], b[same])), shape=(len(ranked),) * 2)
    _, label = scipy.sparse.csgraph.connected_components(graph, directed=False)
    groups = pd.DataFrame({"group": label, "road": road, "km": ranked["length_km"].to_numpy(float),
                           "expected": ranked["expected_incidents"].to_numpy(float)})
    agg = groups.groupby("group", sort=False).agg(road=("road", "first"), length_km=("km", "sum"),
                                                  expected_incidents=("expected", "max"),
                                                  segments=("road", "size"))
    lines = [shapely.line_merge(shapely.multilinestrings(geoms[label == g])) for g in agg.index]
    out = gpd.GeoDataFrame(agg.reset_index(drop=True), geometry=lines, crs=forecast.crs)
    out = out.sort_values("expected_incidents", ascending=False, kind="stable").head(n).reset_index(drop=True)
    out["near"] = _nearest_places(out, network, near_km)
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    out["length_km"] = out["length_km"].round(1)
    out["label"] = [f"{r} {('near ' + w) if w else ''} ({e:.2f} expected)".replace("  ", " ")
                    for r, w, e in zip(out["road"], out["near"], out["expected_incidents"])]
    return out[columns]


def _nearest_places(stretches: gpd.GeoDataFrame, network: RoadNetwork, near_km: float) -> list[str]:
    """The nearest named place to each stretch's middle, with its distance in km."""
    places = network.places
    if places.empty:
        return [""] * len(stretches)
    nodes = network.nodes.set_index("node_id").loc[places["node_id"]].geometry
    at = np.asarray(gpd.GeoSeries(nodes.values, crs=network.nodes.crs).to_crs(network.crs).values)
    mids = np.asarray(stretches.to_crs(network.crs).geometry.values)
    mids = shapely.line_interpolate_point(mids, 0.5, normalized=True)
    which, place = shapely.STRtree(at).query_nearest(mids, max_distance=near_km * 1000.0, all_matches=False)
    out = [""] * len(stretches)
    for i, j in zip(which, place):
        km = shapely.distance(mids[i], at[j]) / 1000.0
        out[i] = f"{places['name'].iloc[j]}" + (f" ({km:.0f} km)" if km >= 1 else "")
    return out


# --- baselines -------------------------------------------------------------------------------------------------

def persistence(roads_near: scipy.sparse.csr_matrix, events: pd.DataFrame, *, on: int, horizon_days: int,
                lookback_days: int = 90) -> np.ndarray:
    """The persistence baseline: each segment's rate of the last ``lookback_days`` of events near it.

    Parameters
    ----------
    roads_near : sparse matrix
        Segments within ``radius_km`` of each segment (:func:`_neighbours`).
    events : DataFrame
        From :func:`road_events`.
    on, horizon_days : int
        The first day forecast (a day number) and the days forecast.
    lookback_days : int
        The look-back (the status's ``at_risk_days``).

    Examples
    --------
    >>> near = scipy.sparse.identity(2, format="csr")
    >>> ev = pd.DataFrame({"segment": [0, 0, 1], "day": [5, 9, 1]})
    >>> persistence(near, ev, on=10, horizon_days=3, lookback_days=6).tolist()
    [1.0, 0.0]
    """
    recent = events[(events["day"] < on) & (events["day"] >= on - lookback_days)]
    counts = np.bincount(recent["segment"].to_numpy(np.int64), minlength=roads_near.shape[0]).astype(float)
    return np.asarray(roads_near @ counts).ravel() * horizon_days / lookback_days


def region_month_rate(roads_near: scipy.sparse.csr_matrix, length_km: np.ndarray, region: np.ndarray,
                      events: pd.DataFrame, *, on: int, horizon_days: int, lookback_days: int = 30
                      ) -> np.ndarray:
    """The region-month baseline: a region's events of the last ``lookback_days``, spread over its road km.

    Parameters
    ----------
    roads_near : sparse matrix
        Segments within ``radius_km`` of each segment.
    length_km : array
        Each segment's length.
    region : array
        Each segment's region (any labels).
    events : DataFrame
        From :func:`road_events`.
    on, horizon_days : int
        The first day forecast and the days forecast.
    lookback_days : int
        The month looked back on.

    Examples
    --------
    >>> near = scipy.sparse.identity(3, format="csr")
    >>> ev = pd.DataFrame({"segment": [0], "day": [20]})
    >>> region_month_rate(near, np.array([1.0, 3.0, 2.0]), np.array(["a", "a", "b"]), ev, on=25,
    ...                   horizon_days=30).tolist()
    [0.25, 0.75, 0.0]
    """
    codes, labels = pd.factorize(pd.Series(region), use_na_sentinel=False)
    recent = events[(events["day"] < on) & (events["day"] >= on - lookback_days)]
    per_region = np.bincount(codes[recent["segment"].to_numpy(np.int64)], minlength=len(labels)).astype(float)
    km = np.bincount(codes, weights=length_km, minlength=len(labels))
    rate = np.divide(per_region, km, out=np.zeros_like(per_region), where=km > 0)  # events per road km
    per_segment = rate[codes] * length_km * horizon_days / lookback_days
    return np.asarray(roads_near @ per_segment).ravel()


def segment_regions(network: RoadNetwork, regions: gpd.GeoDataFrame | None, *, cell_deg: float = 0.5
                    ) -> np.ndarray:
    """Each segment's region: the polygon of ``regions`` its midpoint falls in, else its 0.5-degree cell.

    Parameters
    ----------
    network : RoadNetwork
    regions : GeoDataFrame, optional
        Admin areas (their ``name``); segments outside them, or all when omitted, get the grid cell
        (PRIO-GRID's resolution) of their midpoint.
    cell_deg : float
        The grid's cell size in degrees.

    Examples
    --------
    >>> segment_regions(network, None)[:1].tolist()[0].startswith("cell ")
    True
    """
    mid = shapely.line_interpolate_point(np.asarray(network.edges.geometry.values), 0.5, normalized=True)
    xy = shapely.get_coordinates(mid)
    cells = np.char.add(np.char.add("cell ", np.floor(xy[:, 0] / cell_deg).astype(int).astype(str)),
                        np.char.add(",", np.floor(xy[:, 1] / cell_deg).astype(int).astype(str)))
    out = cells.astype(object)
    if regions is not None and len(regions):
        polys = regions.to_crs(4326)
        names = (polys["name"] if "name" in polys else pd.Series(polys.index)).astype(str).to_numpy()
        p, r = shapely.STRtree(np.asarray(polys.geometry.values)).query(mid, predicate="within")
        first = pd.Series(r).groupby(p).first()
        out[first.index.to_numpy()] = np.char.add("region ", names[first.to_numpy()])
    return out.astype(str)


# --- scoring ---------------------------------------------------------------------------------------------------

def score(expected: np.ndarray, outcome: np.ndarray, *, length_km: np.ndarray, caught: np.ndarray,
          n_next: int, top_share: float = 0.10) -> dict[str, float]:
    """Hit rate, PAI, Brier score and log-likelihood of one forecast against what followed.

    Parameters
    ----------
    expected : array
        Each segment's expected incidents.
    outcome : array
        Each segment's incidents within ``radius_km`` in the horizon.
    length_km : array
        Each segment's length.
    caught : sparse matrix or callable
        Segments x next incidents, 1 where the incident lies within ``radius_km`` of the segment.
    n_next : int
        The incidents of the horizon near some road (the hit rate's denominator).
    top_share : float
        The share of road km flagged.

    Returns
    -------
    dict
        ``hit_rate`` (NaN when no incident came), ``pai``, ``brier``, ``log_likelihood`` (per segment),
        ``flagged_km``.

    Examples
    --------
    >>> caught = scipy.sparse.csr_matrix(np.array([[1], [0], [0], [0]]))
    >>> s = score(np.array([2.0, 0.1, 0.0, 0.0]), np.array([1, 0, 0, 0]), length_km=np.ones(4),
    ...           caught=caught, n_next=1, top_share=0.25)
    >>> float(s["hit_rate"]), float(s["pai"])
    (1.0, 4.0)
    """
    order = np.lexsort((np.arange(len(expected)), -expected))
    cum = np.cumsum(length_km[order])
    total = length_km.sum()
    flagged = order[: int(np.searchsorted(cum, top_share * total - 1e-9)) + 1]
    share = length_km[flagged].sum() / total
    if n_next:
        hit_incidents = np.asarray(caught[flagged].sum(axis=0)).ravel() > 0
        hit_rate = float(hit_incidents.sum() / n_next)
    else:
        hit_rate = float("nan")
    p = -np.expm1(-expected)
    brier = float(np.mean((p - (outcome > 0)) ** 2))
    mean = np.maximum(expected, FLOOR)
    from scipy.special import gammaln

    ll = float(np.mean(outcome * np.log(mean) - mean - gammaln(outcome + 1)))
    return {"hit_rate": hit_rate, "pai": hit_rate / share if n_next else float("nan"), "brier": brier,
            "log_likelihood": ll, "flagged_km": float(length_km[flagged].sum())}


def backtest(network: RoadNetwork, incidents: gpd.GeoDataFrame, *, start: object, end: object,
             every_days: int = 7, horizon_days: int = 14, radius_km: float = 10.0,
             rules: StatusRules | None = None, regions: gpd.GeoDataFrame | None = None,
             top_share: float = 0.10, progress: bool = False) -> pd.DataFrame:
    """Score the model and both baselines on a rolling origin, each forecast using only the past.

    Parameters
    ----------
    network : RoadNetwork
    incidents : GeoDataFrame
    start, end : date-like
        The first and last forecast days (origins every ``every_days`` from ``start``).
    every_days, horizon_days : int
        Days between origins, and days each forecast covers.
    radius_km : float
    rules : StatusRules, optional
    regions : GeoDataFrame, optional
        Areas of the region-month baseline (:func:`segment_regions`).
    top_share : float
        Share of road km flagged for the hit rate.
    progress : bool
        Show a progress bar.

    Returns
    -------
    DataFrame
        One row per origin and method (:data:`METHODS`): ``origin``, ``method``, ``n_past``, ``n_next``,
        ``hit_rate``, ``pai``, ``brier``, ``log_likelihood``, ``flagged_km``; the model's rows add its
        fitted ``branching``, ``decay_per_day``, ``sigma_km``, ``mu_per_day``. An origin with fewer
        than 2 past events has no model row.

    Examples
    --------
    With one past incident only the baselines are scored:

    >>> table = backtest(network, incidents, start="2025-09-01", end="2025-10-01", every_days=14)
    >>> table[["origin", "method", "n_past", "n_next"]].astype(str).values.tolist()[:3]
    [['2025-09-01', 'persistence', '0', '1'], ['2025-09-01', 'region_month', '0', '1'], ['2025-09-15', 'persistence', '1', '0']]
    """
    rules = rules or StatusRules()
    events = road_events(network, incidents, radius_km=radius_km, rules=rules)
    return backtest_events(network, events, start=start, end=end, every_days=every_days,
                           horizon_days=horizon_days, radius_km=radius_km, lookback_days=rules.at_risk_days,
                           regions=regions, top_share=top_share, progress=progress)


def backtest_events(network: RoadNetwork, events: pd.DataFrame, *, start: object, end: object,
                    every_days: int = 7, horizon_days: int = 14, radius_km: float = 10.0,
                    lookback_days: int = 90, regions: gpd.GeoDataFrame | None = None, top_share: float = 0.10,
                    progress: bool = False, max_events: int = 5000) -> pd.DataFrame:
    """:func:`backtest` on road events (:func:`road_events` or :func:`simulate`).

    Parameters
    ----------
    network : RoadNetwork
    events : DataFrame
    start, end : date-like
    every_days, horizon_days : int
    radius_km : float
    lookback_days : int
        The persistence baseline's look-back (the status's ``at_risk_days``).
    regions : GeoDataFrame, optional
    top_share : float
    progress : bool
    max_events : int
        As :func:`fit`.

    Returns
    -------
    DataFrame
        As :func:`backtest`.

    Examples
    --------
    >>> truth = HawkesParams(mu_per_day=0.3, branching=0.4, decay_per_day=0.2, sigma_km=20.0)
    >>> events = simulate(network, truth, first_day="2024-01-01", days=400, seed=3)
    >>> table = backtest_events(network, events, start="2025-01-01", end="2025-01-15", every_days=14)
    >>> table["method"].tolist()
    ['hawkes', 'persistence', 'region_month', 'hawkes', 'persistence', 'region_month']
    """
    from tqdm import tqdm

    first, last = day_number(start), day_number(end)
    if last < first:
        raise InputError(f"the backtest ends ({end}) before it starts ({start}); give --from before --to")
    if every_days < 1 or horizon_days < 1:
        raise InputError("every_days and horizon_days must be at least 1")
    events = events.sort_values("day", kind="stable").reset_index(drop=True)
    roads = _Roads.of(network)
    near = _neighbours(roads, radius_km)
    region = segment_regions(network, regions)
    # every road event's segments within radius_km (for the hit rate: an incident is caught by a flagged
    # segment within radius_km of it)
    points = shapely.points(events[["x_km", "y_km"]].to_numpy() * 1000.0)
    ev_idx, seg_idx = shapely.STRtree(roads.geometry).query(points, predicate="dwithin",
                                                            distance=radius_km * 1000.0)
    reach = scipy.sparse.csc_matrix((np.ones(len(ev_idx)), (seg_idx, ev_idx)),
                                    shape=(len(roads.length_km), len(events)))
    rows: list[dict[str, object]] = []
    origins = range(first, last + 1, every_days)
    warm: HawkesParams | None = None
    for on in tqdm(origins, desc="backtest", unit="origin", disable=not progress):
        past = events[events["day"] < on]
        nxt = np.flatnonzero((events["day"].to_numpy() >= on) & (events["day"].to_numpy() < on + horizon_days))
        caught = reach[:, nxt].tocsr()
        outcome = np.asarray(caught.sum(axis=1)).ravel()
        common = {"origin": day_date(on), "n_past": len(past), "n_next": len(nxt)}
        forecasts: dict[str, tuple[np.ndarray, dict[str, object]]] = {
            "persistence": (persistence(near, past, on=on, horizon_days=horizon_days,
                                        lookback_days=lookback_days), {}),
            "region_month": (region_month_rate(near, roads.length_km, region, past, on=on,
                                               horizon_days=horizon_days), {})}
        if len(past) >= 2:
            fitted = _fit_events(roads, past, last=on - 1, max_events=max_events, warm=warm)
            warm = fitted.params
            expected = _expected(roads, near, past, fitted.params, on=on, horizon_days=horizon_days, drivers=0)
            forecasts = {"hawkes": (expected["expected_incidents"].to_numpy(), asdict(fitted.params)),
                         **forecasts}
        for method, (values, extra) in forecasts.items():
            rows.append({**common, "method": method,
                         **score(values, outcome, length_km=roads.length_km, caught=caught, n_next=len(nxt),
                                 top_share=top_share), **extra})
    table = pd.DataFrame(rows)
    table["method"] = pd.Categorical(table["method"], categories=list(METHODS), ordered=True)
    return table.sort_values(["origin", "method"], kind="stable").reset_index(drop=True).astype(
        {"method": str})


def backtest_summary(table: pd.DataFrame) -> pd.DataFrame:
    """Each method's scores over a backtest: origins scored, incidents, pooled hit rate, mean PAI and scores.

    Only origins that every method scored are compared (the model needs two past events). The pooled hit
    rate adds the hits of every origin and divides by all the incidents that came (origins with none count
    for the Brier score and the log-likelihood only).

    Parameters
    ----------
    table : DataFrame
        From :func:`backtest`.

    Examples
    --------
    >>> t = pd.DataFrame({"origin": [1, 2], "method": ["a", "a"], "n_next": [2, 0], "hit_rate": [0.5, float("nan")],
    ...                   "pai": [5.0, float("nan")], "brier": [0.1, 0.3], "log_likelihood": [-1.0, -2.0]})
    >>> backtest_summary(t).loc[0, ["origins", "incidents", "hit_rate", "brier"]].astype(float).tolist()
    [2.0, 2.0, 0.5, 0.2]
    """
    methods = table["method"].nunique()
    scored = table.groupby("origin")["method"].transform("nunique") == methods
    table = table[scored]
    hits = table["hit_rate"].fillna(0) * table["n_next"]
    grouped = table.assign(hits=hits).groupby("method", sort=False)
    out = pd.DataFrame({
        "origins": grouped.size(),
        "incidents": grouped["n_next"].sum(),
        "hit_rate": grouped["hits"].sum() / grouped["n_next"].sum().replace(0, np.nan),
        "pai": grouped["pai"].mean(),
        "brier": grouped["brier"].mean(),
        "log_likelihood": grouped["log_likelihood"].mean(),
    })
    return out.reset_index()


def simulate(network: RoadNetwork, params: HawkesParams, *, first_day: object, days: int,
             seed: int = 0, incident_prefix: str = "sim") -> pd.DataFrame:
    """Draw road events from the model (its branching structure), for tests and benchmarks.

    Parameters
    ----------
    network : RoadNetwork
    params : HawkesParams
    first_day : date-like
    days : int
        Days simulated; events triggered later are dropped.
    seed : int
    incident_prefix : str

    Returns
    -------
    DataFrame
        As :func:`road_events` (events located at their segment's midpoint).

    Examples
    --------
    >>> p = HawkesParams(mu_per_day=0.5, branching=0.5, decay_per_day=0.2, sigma_km=20.0)
    >>> ev = simulate(network, p, first_day="2025-01-01", days=60, seed=1)
    >>> bool((ev["day"].diff().dropna() >= 0).all())
    True
    """
    rng = np.random.default_rng(seed)
    roads = _Roads.of(network)
    start = day_number(first_day)
    share = roads.length_km / roads.length_km.sum()
    n0 = rng.poisson(params.mu_per_day * days)
    seg = list(rng.choice(len(share), size=n0, p=share))
    day = list(start + rng.integers(0, days, size=n0))
    frontier = list(range(n0))
    kernel_cutoff = 4.0 * params.sigma_km
    while frontier:
        children_seg: list[int] = []
        children_day: list[int] = []
        for j in frontier:
            n = rng.poisson(params.branching)
            if not n:
                continue
            xy = roads.mid_km[seg[j]][None, :]
            kernel = _Kernel.of(roads, xy, kernel_cutoff)
            w = kernel.weights(roads, params.sigma_km)
            p = w / w.sum()
            delays = rng.geometric(-np.expm1(-params.decay_per_day), size=n)  # 1, 2, ... days
            children_seg.extend(kernel.segment[rng.choice(len(p), size=n, p=p)])
            children_day.extend(day[j] + delays)
        frontier = []
        for s, d in zip(children_seg, children_day):
            if d < start + days:
                seg.append(int(s))
                day.append(int(d))
                frontier.append(len(seg) - 1)
    seg_a, day_a = np.asarray(seg, np.int64), np.asarray(day, np.int64)
    out = pd.DataFrame({"incident_id": [f"{incident_prefix}-{i}" for i in range(len(seg_a))], "segment": seg_a,
                        "day": day_a, "x_km": roads.mid_km[seg_a, 0], "y_km": roads.mid_km[seg_a, 1]})
    return out.sort_values(["day", "segment"], kind="stable").reset_index(drop=True)
