"""Incident helpers shared by the analyses: time windows, location precision, weights.

Location precision
------------------
Every incident gets a ``precision_class``:

===== ============================================ ====================================
class meaning                                      source values
===== ============================================ ====================================
1     at the named place                           ACLED / geokit ``geo_precision`` 1;
                                                   UCDP GED ``where_prec`` 1
2     near a place (within about 25 km), or on a   ACLED / geokit 2; GED 2 and 5
      stretch of road between two places
3     only an area is known: a district or region  ACLED / geokit 3; GED 3, 4
      centroid
4     only the country (or a sea) is known         GED 6, 7
===== ============================================ ====================================

Incidents with no precision are taken as class 1 (the analyst's own points).
By default class 3 incidents never decide that a road is blockaded, and where
they are counted they reach ``imprecise_radius_km`` (25 km by default) instead
of the analysis radius. Class 4 incidents mark the timeline and the counts of
the window but expose no road, zone or place: a country centroid says nothing
of where. GED's ``where_prec`` 5 is read as class 2: the UCDP GED codebook
uses it when the source places the event between two named locations (the
road from A to B, a representative point in between) or in a part of a
country larger than a region; for events on a corridor it is the former.
Lower ``blockade_max_precision`` to 1 to count only exactly located events.

UCDP GED events may span several days (``date_start`` to ``date_end``): an
event belongs to every window it overlaps and counts towards a road's status
from its first day to its last day plus ``blockade_days`` - 1.

Time weighting
--------------
With a half-life h days, an incident d days before the reference date (the end
of the window) weighs ``w = 0.5 ** (d / h)``: 1 on the reference date, 0.5 at
h days, 0.25 at 2h. Without a half-life every incident weighs 1.
"""

from __future__ import annotations

from typing import TypeAlias

import datetime as dt
import re

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from geokit._check import YEARS
from geokit._errors import InputError
from geokit.crs import choose_metric_crs

__all__ = [
    "DateLike",
    "parse_window",
    "in_window",
    "precision_class",
    "last_day",
    "NO_LOCATION",
    "ACLED_UCDP_CROSSWALK",
    "time_weight",
    "merge_incidents",
    "GED_PRECISION",
]

DateLike: TypeAlias = str | dt.date | dt.datetime | pd.Timestamp | np.datetime64 | None

#: The precision class of an incident located only to a country or a sea: it exposes no road, zone or place.
NO_LOCATION = 4

#: UCDP GED ``where_prec`` -> geokit precision class (see the module's table).
GED_PRECISION = {1: 1, 2: 2, 3: 3, 4: 3, 5: 2, 6: NO_LOCATION, 7: NO_LOCATION}


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?")


def _timestamp(value: DateLike, name: str) -> pd.Timestamp | None:
    """A day from a date object or an ISO ``YYYY-MM-DD`` string; other strings (01/10/2025: January or
    October?) are refused rather than guessed."""
    if value is None:
        return None
    if isinstance(value, str) and not _ISO_DATE.fullmatch(value.strip()):
        raise InputError(f"{name}={value!r} is not an ISO date; write it as YYYY-MM-DD (e.g. 2025-10-01), "
                         "so that 01/10/2025 cannot be read as January or October")
    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError, OverflowError):
        raise InputError(f"{name}={value!r} is not a date between {YEARS[0]} and {YEARS[1]}; "
                         "write it like 2025-09-01") from None
    if pd.isna(stamp):
        return None
    if not YEARS[0] <= stamp.year <= YEARS[1]:
        raise InputError(f"{name}={value!r} lies outside the years {YEARS[0]}-{YEARS[1]}; check the year")
    return stamp.tz_localize(None).normalize() if stamp.tzinfo else stamp.normalize()


def parse_window(start: DateLike, end: DateLike) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    """Turn ``start`` / ``end`` into day timestamps; both ends are inclusive.

    Parameters
    ----------
    start, end : date-like or None
        The first and last day: ``YYYY-MM-DD`` text, a date or a timestamp (other text is refused, never
        guessed); None leaves that side open.

    Examples
    --------
    >>> parse_window("2025-09-01", "2025-09-30")
    (Timestamp('2025-09-01 00:00:00'), Timestamp('2025-09-30 00:00:00'))
    """
    lo, hi = _timestamp(start, "start"), _timestamp(end, "end")
    if lo is not None and hi is not None and lo > hi:
        raise InputError(f"start {lo:%Y-%m-%d} is after end {hi:%Y-%m-%d}")
    return lo, hi


def in_window(incidents: pd.DataFrame, start: DateLike = None, end: DateLike = None) -> pd.DataFrame:
    """Incidents dated from ``start`` to ``end``, both days included.

    Parameters
    ----------
    incidents : DataFrame
        Incidents with ``date`` (and ``date_end`` for events spanning days).
    start, end : date-like, optional
        The window's first and last day, both included.

    Examples
    --------
    >>> frame = pd.DataFrame({"date": pd.to_datetime(["2025-08-31", "2025-09-01", "2025-09-30", "2025-10-01"])})
    >>> in_window(frame, "2025-09-01", "2025-09-30")["date"].dt.day.tolist()
    [1, 30]
    >>> spans = frame.assign(date_end=pd.to_datetime(["2025-09-02", None, None, None]))  # 31 Aug - 2 Sep
    >>> in_window(spans, "2025-09-01", "2025-09-30")["date"].dt.day.tolist()
    [31, 1, 30]
    """
    lo, hi = parse_window(start, end)
    mask = pd.Series(True, index=incidents.index)
    if lo is not None:  # an event spanning several days belongs to every window it overlaps
        mask &= last_day(incidents) >= lo
    if hi is not None:
        mask &= incidents["date"].dt.normalize() <= hi
    return incidents.loc[mask]


def last_day(incidents: pd.DataFrame) -> pd.Series:
    """Each incident's last day: ``date_end`` (UCDP GED's events may span days), else its ``date``.

    Parameters
    ----------
    incidents : DataFrame
        Incidents with ``date`` and, for events spanning days, ``date_end``.

    Examples
    --------
    >>> frame = pd.DataFrame({"date": pd.to_datetime(["2025-09-01", "2025-09-03"]),
    ...                       "date_end": pd.to_datetime(["2025-09-05", None])})
    >>> last_day(frame).dt.day.tolist()
    [5, 3]
    """
    day = incidents["date"].dt.normalize()
    if "date_end" not in incidents:
        return day
    return incidents["date_end"].dt.normalize().fillna(day).where(lambda d: d >= day, day)


def precision_class(incidents: pd.DataFrame) -> np.ndarray:
    """Each incident's precision class, 1 (exact) to 3 (area centroid), 4 (country or sea only).

    Parameters
    ----------
    incidents : DataFrame
        Incidents with ``geo_precision`` and ``source_format`` (:func:`geokit.read_incidents` gives both).

    Examples
    --------
    >>> frame = pd.DataFrame({"geo_precision": [1, 2, 3, 4, 5, 6, None],
    ...     "source_format": ["acled", "acled", "acled", "ucdp_ged", "ucdp_ged", "ucdp_ged", "generic"]})
    >>> precision_class(frame).tolist()
    [1, 2, 3, 3, 2, 4, 1]
    """
    raw = pd.to_numeric(incidents.get("geo_precision"), errors="coerce")
    if raw is None:
        return np.ones(len(incidents), dtype=int)
    raw = pd.Series(raw, index=incidents.index)
    fmt = incidents.get("source_format", pd.Series("generic", index=incidents.index))
    ged = (fmt == "ucdp_ged").to_numpy()
    out = np.array(raw.to_numpy(dtype=float, na_value=np.nan), copy=True)
    out[ged] = pd.Series(out[ged]).map(GED_PRECISION).to_numpy(dtype=float, na_value=np.nan)
    out = np.where(np.isnan(out), 1, np.clip(out, 1, NO_LOCATION))
    return out.astype(int)


def time_weight(dates: pd.Series, *, half_life_days: float | None, reference: DateLike) -> np.ndarray:
    """Weights ``0.5 ** (age_days / half_life_days)``; all 1 without a half-life.

    Incidents after the reference date weigh 1 (they are not discounted).

    Parameters
    ----------
    dates : Series of datetime64
        The incidents' dates.
    half_life_days : float or None
        Days after which an incident weighs half; None weighs every incident 1.
    reference : date-like
        The day ages are counted to (the window's end); the latest date when None.

    Examples
    --------
    >>> d = pd.Series(pd.to_datetime(["2025-09-30", "2025-09-23", "2025-09-16"]))
    >>> time_weight(d, half_life_days=7, reference="2025-09-30").tolist()
    [1.0, 0.5, 0.25]
    """
    if half_life_days is None:
        return np.ones(len(dates))
    if half_life_days <= 0:
        raise InputError(f"half_life_days must be positive, not {half_life_days}")
    ref = _timestamp(reference, "reference") if reference is not None else dates.max()
    age = ((ref - dates.dt.normalize()).dt.days).to_numpy(dtype=float)
    return 0.5 ** (np.clip(age, 0, None) / half_life_days)


def merge_incidents(
    *layers: gpd.GeoDataFrame,
    within_km: float = 10.0,
    within_days: int = 1,
    type_compatible: bool = True,
) -> gpd.GeoDataFrame:
    """Combine incident sources and mark probable duplicates instead of double counting.

    Two incidents from *different* layers are probable duplicates when their
    dates differ by at most ``within_days`` days, they lie within
    ``within_km`` of each other and (with ``type_compatible``) their event
    types can name one event: between ACLED and UCDP GED rows by the
    documented :data:`ACLED_UCDP_CROSSWALK` (Battles and State-based
    conflict, Violence against civilians and One-sided violence, ...), between
    other sources when the types share a word; or either has no type. Each
    group of duplicates keeps one representative: the most precisely located,
    then the earliest layer given. Nothing is dropped.

    Parameters
    ----------
    *layers : GeoDataFrame
        Incident layers from :func:`geokit.read_incidents`, one per source (ACLED, UCDP GED, your own).
    within_km : float, default 10
        Largest distance between two reports of one event.
    within_days : int, default 1
        Largest difference of their dates, in days.
    type_compatible : bool, default True
        Also require event types that can name one event (:data:`ACLED_UCDP_CROSSWALK` between ACLED and
        UCDP GED, a shared word otherwise).

    Returns
    -------
    GeoDataFrame
        All incidents, with ``layer`` (position of its layer among the
        arguments), ``duplicate_of`` (the representative's ``uid``, or missing),
        ``uid`` (``"{layer}:{event_id}"``), ``source_ids`` (on representatives:
        every uid of the group, joined by ``;``) and ``counted`` (False for
        duplicates). Count rows where ``counted`` is True.

    Examples
    --------
    >>> import shapely
    >>> a = gpd.GeoDataFrame({"event_id": ["A1"], "date": pd.to_datetime(["2025-09-14"]),
    ...     "event_type": ["Battles"], "geo_precision": [2]}, geometry=[shapely.Point(-10.97, 14.56)], crs=4326)
    >>> b = gpd.GeoDataFrame({"event_id": ["G7"], "date": pd.to_datetime(["2025-09-15"]),
    ...     "event_type": ["Battles"], "geo_precision": [1]}, geometry=[shapely.Point(-10.93, 14.57)], crs=4326)
    >>> m = merge_incidents(a, b, within_km=10, within_days=1)
    >>> m["counted"].tolist(), m.loc[0, "duplicate_of"], m.loc[1, "source_ids"]
    ([False, True], '1:G7', '0:A1;1:G7')
    """
    if not layers:
        raise InputError("merge_incidents needs at least one incident layer")
    frames = []
    for i, layer in enumerate(layers):
        if layer.crs is None:
            raise InputError(f"incident layer {i} has no CRS; read it with geokit.read_incidents")
        frame = layer.to_crs(4326).copy()
        frame["layer"] = i
        frames.append(frame)
    merged = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=4326)
    merged["uid"] = merged["layer"].astype(str) + ":" + merged["event_id"].astype(str)
    metric = merged.to_crs(choose_metric_crs(merged))
    tree = shapely.STRtree(metric.geometry.array)
    left, right = tree.query(metric.geometry.array, predicate="dwithin", distance=within_km * 1000)
    keep = left < right
    left, right = left[keep], right[keep]
    dates = merged["date"].to_numpy()
    close_in_time = np.abs((dates[left] - dates[right]) / np.timedelta64(1, "D")) <= within_days
    other_layer = merged["layer"].to_numpy()[left] != merged["layer"].to_numpy()[right]
    ok = close_in_time & other_layer
    if type_compatible and "event_type" in merged:
        formats = merged.get("source_format", pd.Series("generic", index=merged.index))
        ok &= _types_compatible(merged["event_type"], formats, left, right)
    left, right = left[ok], right[ok]
    graph = coo_matrix((np.ones(len(left)), (left, right)), shape=(len(merged), len(merged)))
    group = connected_components(graph, directed=False)[1]
    prec = precision_class(merged)
    order = np.lexsort((merged["layer"].to_numpy(), prec, group))
    _, first = np.unique(group[order], return_index=True)  # representative: first of each group
    rep_of_group = np.empty(group.max() + 1, dtype=int)
    rep_of_group[group[order][first]] = order[first]
    rep = rep_of_group[group]
    merged["counted"] = rep == np.arange(len(merged))
    uids = merged["uid"].to_numpy()
    merged["duplicate_of"] = np.where(merged["counted"], None, uids[rep])
    members = pd.Series(uids).groupby(rep).agg(lambda s: ";".join(sorted(s)))
    sizes = np.bincount(rep, minlength=len(merged))
    merged["source_ids"] = [members[i] if merged["counted"].iat[i] and sizes[i] > 1 else None
                            for i in range(len(merged))]
    return merged


#: ACLED event types and the UCDP GED violence types that can name the same event. ACLED's codebook
#: (2023) defines Battles as armed clashes between organised groups, Violence against civilians as attacks on
#: unarmed people and Explosions/Remote violence by the weapon; the UCDP GED codebook defines State-based
#: conflict (a government is a side), Non-state conflict (two organised groups) and One-sided violence
#: (against civilians). Riots, Protests and Strategic developments have no UCDP counterpart.
ACLED_UCDP_CROSSWALK: dict[str, frozenset[str]] = {
    "Battles": frozenset({"State-based conflict", "Non-state conflict"}),
    "Violence against civilians": frozenset({"One-sided violence"}),
    "Explosions/Remote violence": frozenset({"State-based conflict", "Non-state conflict", "One-sided violence"}),
}


def _types_compatible(types: pd.Series, formats: pd.Series, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """True where two event types can name one event: by :data:`ACLED_UCDP_CROSSWALK` between an ACLED and
    a UCDP GED row, otherwise when they share a word; or where either is missing."""
    fmt = formats.astype(str).to_numpy()
    text = types.fillna("").astype(str).to_numpy()
    acled_ucdp = (fmt[left] == "acled") & (fmt[right] == "ucdp_ged")
    ucdp_acled = (fmt[left] == "ucdp_ged") & (fmt[right] == "acled")
    cross = acled_ucdp | ucdp_acled
    a = np.where(acled_ucdp, text[left], text[right])  # the ACLED type of a cross-source pair
    u = np.where(acled_ucdp, text[right], text[left])
    allowed = {f"{k}|{v}" for k, vs in ACLED_UCDP_CROSSWALK.items() for v in vs}
    crosswalk = np.isin(np.char.add(np.char.add(a.astype(str), "|"), u.astype(str)), list(allowed))
    return np.where(cross, crosswalk, _share_a_word(types, left, right))


def _share_a_word(types: pd.Series, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """True where the two event types share a word, or either is missing."""
    words = types.fillna("").astype(str).str.lower().str.findall(r"[a-z]+")
    codes = pd.Series([w for ws in words for w in set(ws)]).astype("category")
    owner = np.repeat(np.arange(len(words)), [len(set(ws)) for ws in words])
    n_words = len(codes.cat.categories)
    # a sparse incidence matrix row per incident; shared words = (A A^T)[left, right] > 0
    incidence = coo_matrix((np.ones(len(owner)), (owner, codes.cat.codes.to_numpy())),
                           shape=(len(words), max(n_words, 1))).tocsr()
    shared = np.asarray(incidence[left].multiply(incidence[right]).sum(axis=1)).ravel() > 0
    empty = np.bincount(owner, minlength=len(words)) == 0
    return shared | empty[left] | empty[right]
