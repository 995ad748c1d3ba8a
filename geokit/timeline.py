"""Status over time: segment intervals, corridor episodes, and windows.

A blockade is a process: a road is cut from the day of an attack until the
look-back of :class:`~geokit.exposure.StatusRules` lapses, longer when new
attacks extend it. This module turns the incidents reaching each road segment
into intervals of constant status, and the intervals of a corridor's segments
into the corridor's **episodes**, in one vectorised pass over change points
(incident dates and expiry dates), never one analysis per day.

**Day convention** (used everywhere in geokit). Dates are calendar days, the
local date of the event as the source gives it. A window runs from its start
day to its end day, both included. An incident dated D counts towards a
blockade on days D .. D + ``blockade_days`` - 1 and towards "at risk" on days
D .. D + ``at_risk_days`` - 1, both ends included: with ``blockade_days = 30``
an ambush on 13 September blockades its segments from 13 September through
12 October, and they are no longer blockaded on 13 October. Incidents dated
before the window's start are read for this look-back (they can make a
segment blockaded on the start day) but are never counted as events of the
window. In tables, ``start`` and ``end`` are both included days; ``end`` is
blank while the status still holds at the window's end, and ``lapses`` then
says the last day it holds if no new incident comes.

A segment's status on a day is ``blockaded`` when at least
``blockade_min_incidents`` blockade-relevant, precisely located incidents
reach it within the last ``blockade_days``, else ``at_risk`` when at least
``at_risk_min_incidents`` incidents of any kind reach it within the last
``at_risk_days``, else ``open``. A corridor's status on a day is the worst
status along its route.

Examples
--------
>>> import numpy as np
>>> from geokit.exposure import StatusRules
>>> day = lambda s: int(np.datetime64(s, "D").astype(np.int64))
>>> spans = segment_intervals(np.array([0, 0]), np.array([day("2025-09-10"), day("2025-09-17")]),
...                           np.array([True, True]), StatusRules(blockade_days=30, at_risk_days=60))
>>> [(STATUSES[lv], f"{day_date(a):%Y-%m-%d}", f"{day_date(b - 1):%Y-%m-%d}") for lv, a, b in
...  zip(spans["level"], spans["start"], spans["stop"])]
[('blockaded', '2025-09-10', '2025-10-16'), ('at_risk', '2025-10-17', '2025-11-15')]
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from geokit._check import cores, on_every_core
from geokit._errors import InputError
from geokit.palette import AT_RISK, BLOCKADED, STATUSES

if TYPE_CHECKING:
    from geokit.exposure import StatusRules

__all__ = ["STATUSES", "Timeline", "windows", "segment_intervals", "corridor_intervals", "episodes", "day_number",
           "day_date", "EPISODE_COLUMNS", "PLACE_COLUMNS", "CUT_OFF", "EXPOSED", "blockade_sets",
           "exposure_intervals", "place_episodes", "place_periods", "people_cut_off", "day_of", "state_runs", "value_periods"]

_FOREVER = np.iinfo(np.int64).max // 2

#: The statuses of a road segment or corridor, from best to worst (their level is the position).

#: Columns of :attr:`Timeline.episodes` (and of ``status_timeline.csv``).
EPISODE_COLUMNS = ["corridor", "status", "start", "end", "lapses", "days", "days_in_window", "max_blockaded_km",
                   "opened_by", "extended_by"]


def day_number(value: object) -> int:
    """A date as a day number (days since 1970-01-01).

    Parameters
    ----------
    value : date-like
        A date, timestamp or ``YYYY-MM-DD`` text.

    Examples
    --------
    >>> day_number("2025-09-13")
    20344
    """
    return int(np.datetime64(pd.Timestamp(value).normalize().date(), "D").astype(np.int64))


def day_date(number: int) -> pd.Timestamp:
    """A day number as a date (the inverse of :func:`day_number`).

    Parameters
    ----------
    number : int
        A day number of :func:`day_number` (days since 1970-01-01).

    Examples
    --------
    >>> day_date(20344)
    Timestamp('2025-09-13 00:00:00')
    """
    return pd.Timestamp(np.datetime64(int(number), "D"))


def _sweep(keys: np.ndarray, starts: np.ndarray, stops: np.ndarray, weights: np.ndarray
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sums of the weights of the intervals [start, stop) active from each change point of each key.

    Returns the keys and days of the change points (sorted by key, then day)
    and the summed weights (one row per change point) that hold from that day
    until the key's next change point. Each key's last change point sums to 0.
    """
    weights = np.asarray(weights)
    weights = weights.reshape(len(keys), -1) if weights.ndim < 2 else weights
    exact = np.issubdtype(weights.dtype, np.integer)
    if not len(keys):
        return np.array([], np.int64), np.array([], np.int64), np.zeros((0, weights.shape[1]), weights.dtype)
    d0 = int(min(np.min(starts), np.min(stops)))
    span = int(max(np.max(starts), np.max(stops))) - d0 + 1
    # one integer per (key, day): one sort instead of a lexsort; 32 bits when they fit (half the memory)
    dtype = np.int32 if (int(np.max(keys)) + 1) * span < 2**31 else np.int64
    code = np.empty(2 * len(keys), dtype)
    base = np.multiply(keys, span, dtype=dtype)
    np.add(base, np.subtract(starts, d0, dtype=dtype), out=code[:len(keys)])
    np.add(base, np.subtract(stops, d0, dtype=dtype), out=code[len(keys):])
    del base
    order = np.argsort(code)
    code = code[order]
    first = np.flatnonzero(np.r_[True, code[1:] != code[:-1]])
    ks = (code[first] // span).astype(np.int64)
    ds = (code[first] % span).astype(np.int64) + d0
    del code
    last = np.r_[first[1:] - 1, 2 * len(keys) - 1]
    del first
    # the running sum of each weight column after each (key, day)'s last event (1-D: contiguous and fast)
    acc = np.int32 if exact and 2 * len(keys) < 2**31 else None  # counts: 32 bits hold any running total
    total = np.column_stack([np.cumsum(np.concatenate([col, -col])[order], dtype=acc)[last] for col in weights.T])
    del order
    if exact:  # integer weights: each key's deltas sum to exactly 0, so the running total restarts by itself
        return ks, ds, total
    key_start = np.flatnonzero(np.r_[True, ks[1:] != ks[:-1]])
    before = np.vstack([np.zeros((1, total.shape[1])), total[key_start[1:] - 1]])  # running total before each key
    sums = total - np.repeat(before, np.diff(np.r_[key_start, len(ks)]), axis=0)
    sums[np.abs(sums) < 1e-9] = 0.0
    return ks, ds, sums


def _runs(keys: np.ndarray, days: np.ndarray, level: np.ndarray, extra: np.ndarray | None = None
          ) -> dict[str, np.ndarray]:
    """Merge consecutive change points of equal level; keep runs of level > 0.

    ``extra`` (one value per change point) is reduced to its maximum per run.
    """
    if not len(keys):
        empty = np.array([], np.int64)
        out = {"key": empty, "level": empty, "start": empty, "stop": empty}
        if extra is not None:
            out["max"] = np.array([], float)
        return out
    new_key = np.r_[True, keys[1:] != keys[:-1]]
    keep = new_key | (level != np.r_[-1, level[:-1]])
    k, d, lv = keys[keep], days[keep], level[keep]
    same_next = np.r_[k[1:] == k[:-1], False]
    stop = np.where(same_next, np.r_[d[1:], 0], _FOREVER)
    out = {"key": k, "level": lv, "start": d, "stop": stop}
    if extra is not None:
        out["max"] = np.maximum.reduceat(extra, np.flatnonzero(keep)) if len(extra) else extra
    live = lv > 0
    return {name: values[live] for name, values in out.items()}


def segment_intervals(segment: np.ndarray, day: np.ndarray, decisive: np.ndarray, rules: StatusRules, *,
                      last_day: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Intervals of constant non-open status of each segment, from (segment, incident) pairs.

    Parameters
    ----------
    segment : ndarray of int
        The segment of each pair (an incident reaching a segment).
    day : ndarray of int
        The incident's day number (:func:`day_number`).
    decisive : ndarray of bool
        Whether the incident counts towards a blockade (blockade-relevant and
        precise enough, see :class:`~geokit.exposure.StatusRules`).
    rules : StatusRules
    last_day : ndarray of int, optional
        The incident's last day number, for events spanning several days (UCDP GED's ``date_end``):
        it counts from ``day`` to ``last_day + blockade_days - 1``. Defaults to ``day``.

    Returns
    -------
    dict of ndarray
        ``key`` (the segment), ``level`` (1 at risk, 2 blockaded), ``start``
        and ``stop`` (day numbers, half-open ``[start, stop)``), sorted by
        segment and start. Days outside every interval are open.

    Examples
    --------
    >>> from geokit.exposure import StatusRules
    >>> spans = segment_intervals(np.array([3]), np.array([100]), np.array([True]),
    ...                           StatusRules(blockade_days=30, at_risk_days=90))
    >>> {k: v.tolist() for k, v in spans.items()}
    {'key': [3, 3], 'level': [2, 1], 'start': [100, 130], 'stop': [130, 190]}
    """
    segment = np.asarray(segment, np.int64)
    day = np.asarray(day, np.int64)
    last = day if last_day is None else np.maximum(np.asarray(last_day, np.int64), day)
    decisive = np.asarray(decisive, bool)
    reach = max(rules.blockade_days, rules.at_risk_days)
    if len(segment) and segment.max() < 2**31 and 0 <= day.min() and last.max() + reach < 2**31:
        segment, day, last = segment.astype(np.int32), day.astype(np.int32), last.astype(np.int32)  # half the memory
    workers = cores()
    if len(segment) >= _PARALLEL_SWEEP_FROM and workers > 1 and bool(np.all(segment[1:] >= segment[:-1])):
        # pairs sorted by segment: whole segments to each core
        cuts = np.searchsorted(segment, segment[np.linspace(0, len(segment) - 1, workers + 1).astype(int)[1:-1]])
        bounds = [(a, b) for a, b in zip(np.r_[0, cuts], np.r_[cuts, len(segment)]) if b > a]
        parts = on_every_core(lambda b: _segment_runs(segment[b[0]:b[1]], day[b[0]:b[1]], last[b[0]:b[1]],
                                                      decisive[b[0]:b[1]], rules), bounds)
        return {name: np.concatenate([part[name] for part in parts]) for name in parts[0]}
    return _segment_runs(segment, day, last, decisive, rules)


#: From this many (segment, incident) pairs sorted by segment, the sweep runs on every core.
_PARALLEL_SWEEP_FROM = 1_000_000


def _segment_runs(segment: np.ndarray, day: np.ndarray, last: np.ndarray, decisive: np.ndarray,
                  rules: StatusRules) -> dict[str, np.ndarray]:
    """:func:`segment_intervals` on one set of pairs."""
    hit = np.flatnonzero(decisive)
    keys = np.concatenate([segment[hit], segment])
    starts = np.concatenate([day[hit], day])
    stops = np.concatenate([last[hit] + rules.blockade_days, last + rules.at_risk_days])
    weights = np.zeros((len(keys), 2), np.int8)  # counts of +1/-1: the sweep sums them in 32 bits
    weights[: len(hit), 0] = 1
    weights[len(hit):, 1] = 1
    ks, ds, sums = _sweep(keys, starts, stops, weights)
    level = np.where(sums[:, 0] >= rules.blockade_min_incidents, 2,
                     np.where(sums[:, 1] >= rules.at_risk_min_incidents, 1, 0))
    return _runs(ks, ds, level)


def corridor_intervals(spans: dict[str, np.ndarray], routes: Sequence[Sequence[int]],
                       length_km: np.ndarray) -> dict[str, np.ndarray]:
    """Intervals of each corridor's worst status along its route.

    Parameters
    ----------
    spans : dict of ndarray
        :func:`segment_intervals` (keys are segment positions).
    routes : sequence of sequences of int
        The segment positions of each corridor's route.
    length_km : ndarray
        Length of each segment, for ``max`` (the most km blockaded at once).

    Returns
    -------
    dict of ndarray
        ``key`` (the corridor's position), ``level``, ``start``, ``stop`` and
        ``max`` (km blockaded at once, at most, within the interval).

    Examples
    --------
    >>> spans = {"key": np.array([0, 1]), "level": np.array([2, 1]), "start": np.array([10, 12]),
    ...          "stop": np.array([20, 30])}
    >>> out = corridor_intervals(spans, [[0, 1]], np.array([5.0, 7.0]))
    >>> out["level"].tolist(), out["start"].tolist(), out["stop"].tolist()
    ([2, 1], [10, 20], [20, 30])
    """
    corridor = np.repeat(np.arange(len(routes)), [len(r) for r in routes])
    member = np.concatenate([np.asarray(r, np.int64) for r in routes]) if len(routes) else np.array([], np.int64)
    pairs = pd.DataFrame({"corridor": corridor, "segment": member}).drop_duplicates()
    table = pd.DataFrame({"segment": spans["key"], "level": spans["level"], "start": spans["start"],
                          "stop": spans["stop"]})
    joined = pairs.merge(table, on="segment", how="inner")
    blocked = (joined["level"].to_numpy() == 2).astype(float)
    weights = np.column_stack([blocked, blocked * np.asarray(length_km, float)[joined["segment"].to_numpy()],
                               (joined["level"].to_numpy() == 1).astype(float)])
    ks, ds, sums = _sweep(joined["corridor"].to_numpy(), joined["start"].to_numpy(), joined["stop"].to_numpy(),
                          weights)
    level = np.where(sums[:, 0] > 0.5, 2, np.where(sums[:, 2] > 0.5, 1, 0))
    return _runs(ks, ds, level, extra=sums[:, 1] if len(ks) else np.array([], float))


def _level_on(spans: dict[str, np.ndarray], n: int, day: int) -> np.ndarray:
    """The level (0 open, 1 at risk, 2 blockaded) of keys 0..n-1 on a day."""
    out = np.zeros(n, np.int64)
    on = (spans["start"] <= day) & (spans["stop"] > day)
    out[spans["key"][on]] = spans["level"][on]
    return out


def episodes(spans: dict[str, np.ndarray], names: Sequence[str], *, start: int, end: int,
             incidents: pd.DataFrame | None = None) -> pd.DataFrame:
    """Each corridor's episodes of constant status over a window.

    Parameters
    ----------
    spans : dict of ndarray
        :func:`corridor_intervals`.
    names : sequence of str
        Corridor names, by position.
    start, end : int
        The window's first and last day (day numbers, both included).
    incidents : DataFrame, optional
        Incidents reaching each corridor: ``corridor`` (position), ``day``,
        ``event_id`` and ``decisive``; fills ``opened_by`` (incidents dated
        on the episode's first day) and ``extended_by`` (dated later within
        it): blockade-relevant ones for blockaded episodes, any for at-risk ones.

    Returns
    -------
    DataFrame
        :data:`EPISODE_COLUMNS`, one row per episode that overlaps the window,
        in order, covering every day of it (open periods included). ``start``
        is the episode's true first day, which can precede the window when
        incidents before it still count; ``end`` is blank while ongoing at
        the window's end, and ``lapses`` is then the last day it holds
        without new incidents.

    Examples
    --------
    >>> spans = {"key": np.array([0]), "level": np.array([2]), "start": np.array([day_number("2025-09-13")]),
    ...          "stop": np.array([day_number("2025-10-13")]), "blockaded_km": np.array([12.0])}
    >>> ep = episodes(spans, ["Dakar-Bamako"], start=day_number("2025-09-01"), end=day_number("2025-09-30"))
    >>> ep.loc[1, "status"], str(ep.loc[1, "start"].date()), pd.isna(ep.loc[1, "end"])  # still blockaded
    ('blockaded', '2025-09-13', True)
    """
    rows = []
    reach = _Reach(incidents)
    for position, name in enumerate(names):
        mine = spans["key"] == position
        s, t, lv = spans["start"][mine], spans["stop"][mine], spans["level"][mine]
        mx = spans["max"][mine] if "max" in spans else np.zeros(mine.sum())
        # open gaps between the non-open runs, so that the episodes tile the window
        gap_start = np.r_[np.iinfo(np.int64).min // 4, t]
        gap_stop = np.r_[s, _FOREVER]
        all_s = np.r_[s, gap_start]
        all_t = np.r_[t, gap_stop]
        all_lv = np.r_[lv, np.zeros(len(gap_start), np.int64)]
        all_mx = np.r_[mx, np.zeros(len(gap_start))]
        keep = (all_t > all_s) & (all_t > start) & (all_s <= end)
        order = np.argsort(all_s[keep], kind="stable")
        for a, b, level, km in zip(all_s[keep][order], all_t[keep][order], all_lv[keep][order],
                                   all_mx[keep][order]):
            first = max(a, start) if level == 0 else a  # an open period's start before the window is unknown
            ongoing = b > end  # the status still holds on the last day of the window
            last = end if ongoing else b - 1
            opened, extended = reach.openers(position, level, a, last)
            rows.append({
                "corridor": name, "status": STATUSES[level], "start": day_date(first),
                "end": pd.NaT if ongoing else day_date(last),
                "lapses": day_date(b - 1) if ongoing and level > 0 and b < _FOREVER else pd.NaT,
                "days": int(last - first + 1), "days_in_window": int(last - max(first, start) + 1),
                "max_blockaded_km": float(round(km, 3)) if level == 2 else 0.0,
                "opened_by": opened, "extended_by": extended,
            })
    return pd.DataFrame(rows, columns=EPISODE_COLUMNS)


class _Reach:
    """Incidents reaching each corridor, sorted by corridor and day for slicing by episode."""

    def __init__(self, incidents: pd.DataFrame | None) -> None:
        if incidents is None or incidents.empty:
            self.corridor = np.array([], np.int64)
            return
        table = incidents.sort_values(["corridor", "day", "event_id"], kind="mergesort")
        self.corridor = table["corridor"].to_numpy(np.int64)
        self.day = table["day"].to_numpy(np.int64)
        self.ids = table["event_id"].astype(str).to_numpy()
        self.decisive = table["decisive"].to_numpy(bool)

    def openers(self, corridor: int, level: int, first: int, last: int) -> tuple[str, str]:
        """Ids of the incidents dated on the first day of an episode, and of those dated later in it."""
        if level == 0 or not len(self.corridor):
            return "", ""
        lo, hi = np.searchsorted(self.corridor, [corridor, corridor + 1])
        a = lo + np.searchsorted(self.day[lo:hi], first)
        b = lo + np.searchsorted(self.day[lo:hi], last, side="right")
        keep = self.decisive[a:b] if level == 2 else np.ones(b - a, bool)
        days, ids = self.day[a:b][keep], self.ids[a:b][keep]
        opened = list(dict.fromkeys(ids[days == first]))
        extended = [i for i in dict.fromkeys(ids[days > first]) if i not in opened]
        return " ".join(opened), " ".join(extended)


@dataclass(frozen=True)
class Timeline:
    """The status of every road segment and corridor over time.

    Built by :func:`geokit.analysis.analyse` (``Analysis.timeline``) from
    one spatial join of the segments with every incident up to the window's
    end. Day numbers are those of :func:`day_number`.

    Attributes
    ----------
    segments : dict of ndarray
        :func:`segment_intervals`, keyed by segment position.
    corridors : dict of ndarray
        :func:`corridor_intervals`, keyed by corridor position.
    corridor_names : tuple of str
    n_segments : int
    start, end : int
        The analysis window (day numbers, both included).
    episodes : DataFrame
        :func:`episodes` over the window.
    places : DataFrame, optional
        :func:`place_episodes` over the window: when each town and crossing was cut off and exposed.
    people : DataFrame, optional
        :func:`people_cut_off` over the window.

    Examples
    --------
    >>> from geokit.exposure import StatusRules
    >>> seg = segment_intervals(np.array([0]), np.array([day_number("2025-09-13")]), np.array([True]),
    ...                         StatusRules())
    >>> lo, hi = day_number("2025-09-01"), day_number("2025-11-30")
    >>> cor = corridor_intervals(seg, [[0]], np.array([5.0]))
    >>> t = Timeline(segments=seg, corridors=cor, corridor_names=("K",), n_segments=1, start=lo, end=hi,
    ...              episodes=episodes(cor, ["K"], start=lo, end=hi))
    >>> t.corridor_status_on("2025-09-20").tolist(), t.corridor_status_on("2025-10-13").tolist()
    (['blockaded'], ['at_risk'])
    """

    segments: dict[str, np.ndarray]
    corridors: dict[str, np.ndarray]
    corridor_names: tuple[str, ...]
    n_segments: int
    start: int
    end: int
    episodes: pd.DataFrame
    places: pd.DataFrame | None = None
    people: pd.DataFrame | None = None

    def segment_status_on(self, day: object) -> np.ndarray:
        """Each segment's status on a day (a date or a day number), by position.

        Examples
        --------
        >>> analysis.timeline.segment_status_on("2025-09-30")  # doctest: +SKIP
        """
        n = day if isinstance(day, int | np.integer) else day_number(day)
        return np.asarray(STATUSES, dtype=object)[_level_on(self.segments, self.n_segments, int(n))]

    def corridor_status_on(self, day: object) -> pd.Series:
        """Each corridor's status on a day, indexed by corridor name."""
        n = day if isinstance(day, int | np.integer) else day_number(day)
        levels = _level_on(self.corridors, len(self.corridor_names), int(n))
        return pd.Series(np.asarray(STATUSES, dtype=object)[levels], index=list(self.corridor_names),
                         name="status")

    def blockaded_segments_on(self, day: object) -> np.ndarray:
        """Positions of the segments blockaded on a day."""
        return np.flatnonzero(self.segment_status_on(day) == BLOCKADED)

    def windows(self, spans: Sequence[tuple[object, object]]) -> pd.DataFrame:
        """Per window and corridor: the status at the window's end, the worst
        status within it and the days blockaded and at risk in it.

        Parameters
        ----------
        spans : sequence of (start, end)
            Inclusive windows (dates), e.g. :func:`windows`.

        Returns
        -------
        DataFrame
            ``window_start``, ``window_end``, ``corridor``, ``status_at_end``,
            ``worst_status``, ``days_blockaded``, ``days_at_risk``.
        """
        rows = []
        c = self.corridors
        for a, b in spans:
            lo, hi = day_number(a), day_number(b)
            at_end = self.corridor_status_on(hi)
            for position, name in enumerate(self.corridor_names):
                mine = (c["key"] == position) & (c["start"] <= hi) & (c["stop"] > lo)
                overlap = np.minimum(c["stop"][mine], hi + 1) - np.maximum(c["start"][mine], lo)
                levels = c["level"][mine]
                rows.append({"window_start": day_date(lo), "window_end": day_date(hi), "corridor": name,
                             "status_at_end": at_end[name],
                             "worst_status": STATUSES[int(levels.max()) if len(levels) else 0],
                             "days_blockaded": int(overlap[levels == 2].sum()),
                             "days_at_risk": int(overlap[levels == 1].sum())})
        return pd.DataFrame(rows)

    def summary(self) -> pd.DataFrame:
        """Per corridor over the window: ``worst_status``, ``days_blockaded``,
        ``days_at_risk``, ``blockaded_periods`` and ``reopened_on``.

        ``blockaded_periods`` lists each blockaded episode as
        ``first..last`` (both days included; ``first..`` while ongoing at the
        window's end), ``; ``-separated. ``reopened_on`` is the first day the
        corridor was no longer blockaded after its last blockaded episode in
        the window, blank when it was never blockaded or still is at the end.
        """
        ep = self.episodes
        rows = []
        for name in self.corridor_names:
            mine = ep[ep["corridor"] == name]
            blocked = mine[mine["status"] == BLOCKADED]
            levels = mine["status"].map({s: i for i, s in enumerate(STATUSES)})
            periods = "; ".join(f"{r.start:%Y-%m-%d}..{'' if pd.isna(r.end) else f'{r.end:%Y-%m-%d}'}"
                                for r in blocked.itertuples())
            last = blocked.iloc[-1] if len(blocked) else None
            reopened = (last["end"] + pd.Timedelta(days=1)) if last is not None and pd.notna(last["end"]) \
                else pd.NaT
            rows.append({"corridor": name, "worst_status": STATUSES[int(levels.max()) if len(levels) else 0],
                         "days_blockaded": int(blocked["days_in_window"].sum()),
                         "days_at_risk": int(mine.loc[mine["status"] == AT_RISK, "days_in_window"].sum()),
                         "blockaded_periods": periods, "reopened_on": reopened})
        return pd.DataFrame(rows)


def windows(start: str, end: str, every: str) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """Consecutive inclusive windows from ``start`` to ``end``: ``every`` is
    ``Nd`` (days), ``NW`` (weeks) or ``NM`` (calendar months from ``start``).

    Parameters
    ----------
    start, end : str
        The first and last day, ``YYYY-MM-DD``.
    every : str
        The step: ``7d``, ``2W``, ``1M`` (``geokit build --every``).

    Returns
    -------
    list of (Timestamp, Timestamp)
        Each window's first and last day; the last window ends on ``end``.

    Examples
    --------
    >>> [(a.strftime("%m-%d"), b.strftime("%m-%d")) for a, b in windows("2025-09-01", "2025-11-30", "1M")]
    [('09-01', '09-30'), ('10-01', '10-31'), ('11-01', '11-30')]
    >>> len(windows("2025-09-01", "2025-09-30", "7d"))
    5
    """
    match = re.fullmatch(r"(\d+)\s*([dDwWmM])", str(every).strip())
    if not match:
        raise InputError(f"--every {every!r} is not a step like 7d, 2W or 1M")
    n, unit = int(match.group(1)), match.group(2).lower()
    if n < 1:
        raise InputError("--every needs a step of at least 1")
    if n > {"d": 36_500, "w": 5_200, "m": 1_200}[unit]:
        raise InputError(f"--every {every!r} is longer than a century; one build without --every covers the window")
    lo, hi = pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize()
    if lo > hi:
        raise InputError(f"start {lo:%Y-%m-%d} is after end {hi:%Y-%m-%d}")
    step = {"d": pd.DateOffset(days=n), "w": pd.DateOffset(weeks=n), "m": pd.DateOffset(months=n)}[unit]
    out, a, i = [], lo, 0
    while a <= hi:
        i += 1
        b = min(lo + step * i - pd.Timedelta(days=1), hi)
        out.append((a, b))
        a = b + pd.Timedelta(days=1)
        if len(out) > 1000:
            raise InputError("more than 1000 windows: choose a longer --every step")
    return out


# --- places in time: cut off and exposed ---------------------------------------------------------

#: The states of a town or crossing over time (the ``state`` of :func:`place_episodes`).
CUT_OFF, EXPOSED = "cut_off", "exposed"

#: Columns of :func:`place_episodes` (and of ``places_timeline.csv``).
PLACE_COLUMNS = ["place", "kind", "state", "start", "end", "lapses", "days", "days_in_window", "opened_by"]

#: The first day of time, for the blockaded set in force before any blockade (the empty set).
_BEFORE = np.iinfo(np.int64).min // 4


def blockade_sets(spans: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    """The days on which the set of blockaded segments changes, and the distinct sets.

    The set changes only on the first day and the day after the last of a
    blockaded interval, so a network question asked once per distinct set
    (who still reaches the destination?) answers it for every day.

    Parameters
    ----------
    spans : dict of ndarray
        :func:`segment_intervals` (level 2 is blockaded).

    Returns
    -------
    days : ndarray of int
        The change days, in order; the first is a day before all time, when
        nothing is blockaded. The set of ``days[i]`` holds until ``days[i + 1]``
        (excluded), the last one for ever.
    which : ndarray of int
        The index of the set in force from each change day (into ``sets``).
    sets : list of ndarray
        The distinct sets, as sorted segment positions; ``sets[0]`` is empty.

    Examples
    --------
    >>> spans = {"key": np.array([4, 7, 4]), "level": np.array([2, 2, 1]), "start": np.array([10, 12, 20]),
    ...          "stop": np.array([20, 20, 50])}
    >>> days, which, sets = blockade_sets(spans)
    >>> days[1:].tolist(), which.tolist(), [s.tolist() for s in sets]
    ([10, 12, 20], [0, 1, 2, 0], [[], [4], [4, 7]])
    """
    on = np.asarray(spans["level"]) == 2
    key = np.asarray(spans["key"], np.int64)[on]
    start, stop = np.asarray(spans["start"], np.int64)[on], np.asarray(spans["stop"], np.int64)[on]
    if not len(key):
        return np.array([_BEFORE], np.int64), np.array([0], np.int64), [np.array([], np.int64)]
    # each set's fingerprint: the sum (mod 2**64) of its members' random 64-bit codes, swept over the days
    code = np.random.default_rng(20251).integers(1, 2**63, size=int(key.max()) + 1, dtype=np.uint64)
    days = np.concatenate([start, stop])
    delta = np.concatenate([code[key], np.uint64(0) - code[key]])
    order = np.argsort(days, kind="stable")
    days, total = days[order], np.cumsum(delta[order], dtype=np.uint64)
    last = np.r_[days[1:] != days[:-1], True]  # each day's value after its last change
    days = np.r_[_BEFORE, days[last]]
    prints = np.r_[np.uint64(0), total[last]]
    _, first, which = np.unique(prints, return_index=True, return_inverse=True)
    rank = np.argsort(first, kind="stable")  # the sets in the order they first hold (the empty set first)
    which = np.argsort(rank)[which.ravel()]
    sets = [np.unique(key[(start <= days[i]) & (stop > days[i])]) for i in first[rank]]
    return days, which.astype(np.int64), sets


def exposure_intervals(place: np.ndarray, day: np.ndarray, last: np.ndarray, days: int) -> dict[str, np.ndarray]:
    """Intervals in which each place is exposed: an incident within its reach dated D exposes it on days
    D .. D + ``days`` - 1 (``last`` + ``days`` - 1 for an event spanning days).

    Parameters
    ----------
    place : ndarray of int
        The place of each (place, incident) pair within reach.
    day, last : ndarray of int
        The incident's first and last day numbers.
    days : int
        How long an incident exposes (``at_risk_days``, as for a road segment's "at risk").

    Returns
    -------
    dict of ndarray
        ``key`` (the place), ``level`` (1), ``start`` and ``stop`` (half-open).

    Examples
    --------
    >>> out = exposure_intervals(np.array([0, 0, 1]), np.array([10, 50, 10]), np.array([10, 50, 10]), 30)
    >>> out["key"].tolist(), out["start"].tolist(), out["stop"].tolist()
    ([0, 0, 1], [10, 50, 10], [40, 80, 40])
    """
    place = np.asarray(place, np.int64)
    ks, ds, sums = _sweep(place, np.asarray(day, np.int64), np.asarray(last, np.int64) + days,
                          np.ones((len(place), 1), np.int64))
    return _runs(ks, ds, (sums[:, 0] > 0).astype(np.int64) if len(ks) else np.array([], np.int64))


def place_episodes(runs: dict[str, dict[str, np.ndarray]], names: Sequence[str] | np.ndarray,
                   kinds: Sequence[str] | np.ndarray, *,
                   start: int, end: int, openers: pd.DataFrame | None = None) -> pd.DataFrame:
    """The places' episodes of each state that overlap a window.

    Parameters
    ----------
    runs : dict
        For each state (:data:`CUT_OFF`, :data:`EXPOSED`), intervals ``key`` (the place's position),
        ``start`` and ``stop`` (half-open day numbers) in which it holds.
    names, kinds : sequence of str
        Each place's name and kind (``city``, ``crossing``), by position.
    start, end : int
        The window's first and last day (both included).
    openers : DataFrame, optional
        ``key``, ``state``, ``day`` and ``event_id``: the incidents that can open an episode of a place on
        a day; those dated on an episode's first day fill ``opened_by``.

    Returns
    -------
    DataFrame
        :data:`PLACE_COLUMNS`, by place (in position order), state and start. ``start`` is the true first
        day (it can precede the window); ``end`` is blank while it still holds on the window's last day,
        ``lapses`` then the last day it holds if no new incident comes.

    Examples
    --------
    >>> runs = {CUT_OFF: {"key": np.array([0]), "start": np.array([day_number("2025-09-10")]),
    ...                   "stop": np.array([day_number("2025-10-17")])}}
    >>> ep = place_episodes(runs, ["Koniakary"], ["city"], start=day_number("2025-09-01"),
    ...                     end=day_number("2025-11-30"))
    >>> ep.loc[0, "state"], int(ep.loc[0, "days"]), f"{ep.loc[0, 'end']:%Y-%m-%d}"
    ('cut_off', 37, '2025-10-16')
    """
    parts = []
    for state, r in runs.items():
        key, a, b = (np.asarray(r[c], np.int64) for c in ("key", "start", "stop"))
        keep = (b > start) & (a <= end)
        key, a, b = key[keep], a[keep], b[keep]
        ongoing = b > end
        last = np.where(ongoing, end, b - 1)
        lapses = np.where(ongoing & (b < _FOREVER), b - 1, np.iinfo(np.int64).min)
        parts.append(pd.DataFrame({"key": key, "state": state, "first": a, "ongoing": ongoing, "last": last,
                                   "lapse": lapses}))
    table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        {"key": [], "state": [], "first": [], "ongoing": [], "last": [], "lapse": []})
    table = table.astype({"key": np.int64, "first": np.int64, "last": np.int64, "lapse": np.int64,
                          "ongoing": bool, "state": object})
    table = table.sort_values(["key", "state", "first"], kind="mergesort").reset_index(drop=True)
    as_date = lambda d: pd.to_datetime(np.asarray(d, np.int64).astype("datetime64[D]"))  # noqa: E731
    out = pd.DataFrame({
        "place": np.asarray(names, dtype=object)[table["key"].to_numpy()] if len(table) else [],
        "kind": np.asarray(kinds, dtype=object)[table["key"].to_numpy()] if len(table) else [],
        "state": table["state"].to_numpy(),
        "start": as_date(table["first"]),
        "end": as_date(table["last"]).where(~table["ongoing"].to_numpy()),
        "lapses": as_date(np.maximum(table["lapse"], 0)).where(table["lapse"].to_numpy() >= 0),
        "days": (table["last"] - table["first"] + 1).to_numpy(),
        "days_in_window": (table["last"] - np.maximum(table["first"], start) + 1).to_numpy(),
        "opened_by": "",
    })
    if openers is not None and len(openers) and len(table):
        hits = table.reset_index().merge(openers.rename(columns={"day": "first"}),
                                         on=["key", "state", "first"])
        ids = hits.sort_values(["index", "event_id"]).drop_duplicates(["index", "event_id"]) \
            .groupby("index")["event_id"].agg(" ".join)
        out.loc[ids.index, "opened_by"] = ids.to_numpy()
    return out[PLACE_COLUMNS]


def place_periods(episodes: pd.DataFrame, state: str = CUT_OFF) -> pd.DataFrame:
    """Per place: its periods in a state as ``first..last`` (``first..`` while ongoing), ``'; '``-separated,
    the days of the window in that state, and since when when it still holds at the window's end.

    Parameters
    ----------
    episodes : DataFrame
        :func:`place_episodes`.
    state : str, default "cut_off"

    Returns
    -------
    DataFrame
        ``place``, ``kind``, ``periods``, ``days`` and ``since`` (blank unless ongoing at the end).

    Examples
    --------
    >>> ep = pd.DataFrame({"place": ["Kayes"], "kind": ["city"], "state": ["cut_off"],
    ...     "start": pd.to_datetime(["2025-09-14"]), "end": pd.to_datetime([None]), "days_in_window": [17]})
    >>> place_periods(ep).loc[0, "periods"], int(place_periods(ep).loc[0, "days"])
    ('2025-09-14..', 17)
    """
    mine = episodes[episodes["state"] == state]
    text = mine["start"].dt.strftime("%Y-%m-%d") + ".." + mine["end"].dt.strftime("%Y-%m-%d").fillna("")
    table = mine.assign(text=text, since=mine["start"].where(mine["end"].isna()))
    out = table.groupby(["place", "kind"], sort=False).agg(periods=("text", "; ".join), days=("days_in_window", "sum"),
                                                          since=("since", "max")).reset_index()
    return out.astype({"days": int})


def people_cut_off(episodes: pd.DataFrame, population: pd.Series, *, start: int, end: int) -> pd.DataFrame:
    """People in the towns cut off, day by day, as steps: each town once (by name), whatever its points.

    Parameters
    ----------
    episodes : DataFrame
        :func:`place_episodes` (its ``cut_off`` rows of kind ``city`` count).
    population : Series
        People of each town, indexed by name (the towns layer's census or estimate).
    start, end : int
        The window (day numbers, both included).

    Returns
    -------
    DataFrame
        ``start``, ``end`` (dates, both included) and ``people``, steps tiling the window, and ``towns``
        (how many towns then).

    Examples
    --------
    >>> ep = pd.DataFrame({"place": ["A", "B"], "kind": ["city", "city"], "state": ["cut_off", "cut_off"],
    ...     "start": pd.to_datetime(["2025-09-10", "2025-09-12"]), "end": pd.to_datetime(["2025-09-20", None])})
    >>> steps = people_cut_off(ep, pd.Series({"A": 100.0, "B": 50.0}), start=day_number("2025-09-01"),
    ...                        end=day_number("2025-09-30"))
    >>> steps["people"].tolist(), steps["start"].dt.day.tolist()
    ([0.0, 100.0, 150.0, 50.0], [1, 10, 12, 21])
    """
    towns = episodes[(episodes["state"] == CUT_OFF) & (episodes["kind"] == "city")]
    code, names = pd.factorize(towns["place"])
    first = np.maximum(day_of(towns["start"]), start)
    stop = np.where(towns["end"].isna(), end + 1, day_of(towns["end"].fillna(towns["start"])) + 1)
    # a town named twice (two points) is cut off when either is: merge its runs first, then add people
    ks, ds, sums = _sweep(code.astype(np.int64), first, stop, np.ones((len(code), 1), np.int64))
    runs = _runs(ks, ds, (sums[:, 0] > 0).astype(np.int64) if len(ks) else np.array([], np.int64))
    people = pd.to_numeric(population.groupby(level=0).max().reindex(names), errors="coerce").fillna(0.0)
    weights = np.column_stack([people.to_numpy(float)[runs["key"]], np.ones(len(runs["key"]))])
    _, ds, total = _sweep(np.zeros(len(runs["key"]), np.int64), runs["start"], runs["stop"], weights)
    cuts = np.unique(np.r_[start, ds[(ds > start) & (ds <= end)]])
    at = np.searchsorted(ds, cuts, side="right") - 1  # the change in force on each cut (-1: none yet)
    value = np.where((at >= 0)[:, None], total[np.maximum(at, 0)], 0.0) if len(ds) else np.zeros((len(cuts), 2))
    keep = np.r_[True, (value[1:] != value[:-1]).any(axis=1)]  # equal neighbours merged
    cuts, value = cuts[keep], value[keep]
    as_date = lambda d: pd.to_datetime(np.asarray(d, np.int64).astype("datetime64[D]"))  # noqa: E731
    return pd.DataFrame({"start": as_date(cuts), "end": as_date(np.r_[cuts[1:], end + 1] - 1),
                         "people": value[:, 0].round(3), "towns": value[:, 1].astype(int)})


def day_of(dates: pd.Series) -> np.ndarray:
    """Day numbers of a column of dates (:func:`day_number` of each).

    Parameters
    ----------
    dates : Series of datetime
        Dates (times of day are dropped).

    Examples
    --------
    >>> day_of(pd.Series(pd.to_datetime(["2025-09-13"]))).tolist()
    [20344]
    """
    return pd.to_datetime(dates).to_numpy(dtype="datetime64[ns]").astype("datetime64[D]").astype(np.int64)


def state_runs(days: np.ndarray, which: np.ndarray, holds: np.ndarray) -> dict[str, np.ndarray]:
    """Intervals in which each place is in a state, from the days a network changes, the network in force
    from each and whether the state holds for each place on each network.

    Parameters
    ----------
    days, which : ndarray of int
        :func:`blockade_sets`: the change days and the set in force from each.
    holds : ndarray of bool
        One row per set, one column per place.

    Returns
    -------
    dict of ndarray
        ``key`` (the place), ``level`` (1), ``start`` and ``stop`` (half-open), by place and start.

    Examples
    --------
    >>> out = state_runs(np.array([0, 10, 20]), np.array([0, 1, 0]), np.array([[False, False], [True, False]]))
    >>> out["key"].tolist(), out["start"].tolist(), out["stop"].tolist()
    ([0], [10], [20])
    """
    n = holds.shape[1]
    level = np.asarray(holds, bool)[which].T.ravel().astype(np.int64)  # place by place, day by day
    return _runs(np.repeat(np.arange(n, dtype=np.int64), len(days)), np.tile(np.asarray(days, np.int64), n), level)


def value_periods(days: np.ndarray, which: np.ndarray, values: np.ndarray, *, start: int, end: int
                  ) -> pd.DataFrame:
    """Periods of constant value of each place within a window (e.g. its km to the destination).

    Parameters
    ----------
    days, which : ndarray of int
        :func:`blockade_sets`.
    values : ndarray of float
        One row per set, one column per place (NaN: no value).
    start, end : int
        The window (day numbers, both included).

    Returns
    -------
    DataFrame
        ``key``, ``start``, ``end`` (day numbers, both included) and ``value``, tiling the window per place.

    Examples
    --------
    >>> value_periods(np.array([0, 10, 20]), np.array([0, 1, 0]), np.array([[5.0], [np.nan]]), start=1,
    ...               end=30).values.tolist()
    [[0.0, 1.0, 9.0, 5.0], [0.0, 10.0, 19.0, nan], [0.0, 20.0, 30.0, 5.0]]
    """
    days = np.asarray(days, np.int64)
    cuts = np.unique(np.r_[start, days[(days > start) & (days <= end)]])
    at = np.searchsorted(days, cuts, side="right") - 1
    grid = np.asarray(values, float)[np.asarray(which)[at]]  # cuts x places
    n = grid.shape[1]
    if not n:
        return pd.DataFrame({"key": np.array([], np.int64), "start": np.array([], np.int64),
                             "end": np.array([], np.int64), "value": np.array([], float)})
    key = np.repeat(np.arange(n), len(cuts))
    first = np.tile(cuts, n)
    stop = np.tile(np.r_[cuts[1:], end + 1], n)
    value = grid.T.ravel()
    same = np.r_[False, (key[1:] == key[:-1]) & ((value[1:] == value[:-1]) | (np.isnan(value[1:])
                                                                              & np.isnan(value[:-1])))]
    group = np.cumsum(~same) - 1
    last = np.zeros(int(group[-1]) + 1 if len(group) else 0, np.int64)
    np.maximum.at(last, group, stop - 1)
    return pd.DataFrame({"key": key[~same], "start": first[~same], "end": last, "value": value[~same]})
