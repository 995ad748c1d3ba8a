"""Checks that collect every problem in a layer, then raise once.

The checks run on a GeoDataFrame just read from a file (see
:mod:`geokit.layers`) and record what they find in a
:class:`ValidationReport`: errors (the layer is refused), repairs (invalid
geometries made valid) and drops (null or empty geometries). A report names
the source file, the offending rows (the first few and how many in all) and
the fix, so an analyst can correct the file without reading code.
"""

from __future__ import annotations

import re

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from geokit._errors import InputError
from geokit.schema import GEOMETRY_TYPES, ID_COLUMNS

__all__ = [
    "Problem",
    "ValidationReport",
    "describe_rows",
    "check_crs",
    "drop_missing_geometries",
    "check_geometry_types",
    "check_coordinates",
    "repair_geometries",
    "check_duplicate_ids",
    "drop_placeholder_points",
    "check_negative_counts",
    "check_incident_dates",
    "drop_duplicate_rows",
    "check_antimeridian",
]

log = logging.getLogger(__name__)

Level = Literal["error", "repaired", "dropped", "warning"]

#: How many offending rows a message lists before it only counts them.
MAX_ROWS_SHOWN = 5


@dataclass(frozen=True)
class Problem:
    """One finding of a check: its level, a message, and the rows concerned.

    Examples
    --------
    >>> Problem("dropped", "1 rows with a null geometry were dropped.", (4,)).level
    'dropped'
    """

    level: Level
    message: str
    rows: tuple[int, ...] = ()


@dataclass
class ValidationReport:
    """What the checks found in one layer.

    Parameters
    ----------
    source : str
        The file (or a description of the frame) the layer came from.
    kind : str
        The layer kind, one of :data:`geokit.schema.LAYER_KINDS`.
    row_noun : str
        How rows are named in messages: ``"feature"`` for vector files
        (counted from 0, as GDAL does) or ``"CSV line"`` for CSV files.
    row_offset : int
        Added to the 0-based row position to give the number shown
        (2 for CSV: one for the header, one to count from 1).

    Examples
    --------
    >>> r = ValidationReport("roads.gpkg", "roads")
    >>> r.add("error", "2 geometries are Points", rows=[3, 8], fix="keep only lines")
    >>> print(r.format())
    roads.gpkg (roads): 0 rows read, 0 kept
      ERROR: 2 geometries are Points (features 3, 8). Fix: keep only lines.
    """

    source: str
    kind: str
    row_noun: str = "feature"
    row_offset: int = 0
    n_read: int = 0
    n_kept: int = 0
    source_crs: str | None = None
    problems: list[Problem] = field(default_factory=list)

    def add(
        self,
        level: Level,
        message: str,
        *,
        rows: Sequence[int] | np.ndarray = (),
        fix: str | None = None,
    ) -> None:
        """Record a problem; ``rows`` are 0-based positions in the source."""
        rows = tuple(int(r) for r in rows)
        text = message
        if rows:
            text += f" ({describe_rows(rows, noun=self.row_noun, offset=self.row_offset)})"
        if fix:
            text += f". Fix: {fix}"
        if not text.endswith("."):
            text += "."
        self.problems.append(Problem(level, text, rows))
        log.debug("%s: %s", self.source, text)

    @property
    def errors(self) -> list[Problem]:
        """The problems that make the layer unusable."""
        return [p for p in self.problems if p.level == "error"]

    @property
    def ok(self) -> bool:
        """True when no check found an error."""
        return not self.errors

    def format(self) -> str:
        """A readable, multi-line account of the checks."""
        lines = [f"{self.source} ({self.kind}): {self.n_read} rows read, {self.n_kept} kept"]
        if not self.problems:
            lines.append("  OK: no problems found.")
        for p in self.problems:
            lines.append(f"  {p.level.upper()}: {p.message}")
        return "\n".join(lines)

    __str__ = format

    def raise_if_errors(self) -> None:
        """Raise one :class:`~geokit.InputError` listing every error found."""
        if self.errors:
            body = "\n".join(f"  - {p.message}" for p in self.errors)
            n = len(self.errors)
            raise InputError(
                f"{self.source}: {n} problem{'s' if n > 1 else ''} in this {self.kind} layer:\n{body}"
            )


def describe_rows(rows: Sequence[int] | np.ndarray, *, noun: str = "feature", offset: int = 0) -> str:
    """Name the first few rows of a list and count the rest.

    Parameters
    ----------
    rows : sequence of int
        0-based positions in the source.
    noun : str, default "feature"
        How a row is named ("feature", "CSV line", "row").
    offset : int, default 0
        Added to each position to give the number shown (2 for CSV lines).

    Examples
    --------
    >>> describe_rows([0, 4])
    'features 0, 4'
    >>> describe_rows(range(8), noun="CSV line", offset=2)
    'CSV lines 2, 3, 4, 5, 6 and 3 more, 8 in all'
    """
    rows = list(rows)
    shown = ", ".join(str(r + offset) for r in rows[:MAX_ROWS_SHOWN])
    plural = noun if len(rows) == 1 else noun + "s"
    if len(rows) > MAX_ROWS_SHOWN:
        return f"{plural} {shown} and {len(rows) - MAX_ROWS_SHOWN} more, {len(rows)} in all"
    return f"{plural} {shown}"


#: Parameters of a CRS definition that make PROJ open a file or a server (grids, init files, URLs).
_CRS_REFERENCES = re.compile(r"nadgrids|geoidgrids|grids=|\binit=|gridshift|hgridshift|vgridshift|xy_grids|"
                             r"z_grids|https?:|ftp:|file:|/vsi|\.tif\b|\.gsb\b|\.gtx\b", re.IGNORECASE)


def crs_reference(crs: object) -> str | None:
    """What in a CRS definition would make PROJ open a file or a server, or None.

    Parameters
    ----------
    crs : object
        A CRS (pyproj), or anything pyproj accepts, or None.

    Examples
    --------
    >>> crs_reference("EPSG:4326") is None
    True
    >>> crs_reference("+proj=longlat +ellps=WGS84 +nadgrids=http://127.0.0.1/g.tif +type=crs")
    "names a grid or a file ('nadgrids'): geokit reads CRS definitions that are self-contained only"
    """
    if crs is None:
        return None
    to_wkt = getattr(crs, "to_wkt", None)
    # a CRS object is judged by its WKT (a PROJJSON source names its schema's https address, harmlessly)
    texts = [str(to_wkt())] if to_wkt is not None else [re.sub(r'"\$schema"\s*:\s*"[^"]*"', "", str(crs))]
    for t in texts:
        found = _CRS_REFERENCES.search(t)
        if found:
            return (f"names a grid or a file ({found.group(0)!r}): geokit reads CRS definitions that are "
                    "self-contained only")
    return None


def check_crs(
    frame: gpd.GeoDataFrame, report: ValidationReport, *, crs: object | None = None
) -> gpd.GeoDataFrame:
    """Give the frame a CRS, or record why it cannot have one.

    A layer without a CRS is refused unless ``crs`` is passed; a ``crs`` that
    contradicts the one the file declares is refused too (reproject the file
    instead): geokit never guesses a CRS.

    Parameters
    ----------
    frame : GeoDataFrame
        The layer, as read (positions in its index are the source rows).
    report : ValidationReport
        Where the findings are recorded.
    crs : optional
        The CRS to assume when the layer declares none (anything pyproj accepts).

    Examples
    --------
    >>> f = gpd.GeoDataFrame(geometry=[shapely.Point(-8, 12.6)])
    >>> r = ValidationReport("t.geojson", "cities")
    >>> check_crs(f, r, crs="EPSG:4326").crs.to_epsg()
    4326
    """
    for given, where in ((crs, "crs="), (frame.crs, "the file's CRS")):
        problem = crs_reference(given)
        if problem:  # a grid or a URL in a CRS makes PROJ open files or servers the project chose
            report.add("error", f"{where} {problem}",
                       fix="give the CRS as an EPSG code (e.g. EPSG:4326) or reproject the file to one with "
                           "ogr2ogr -t_srs EPSG:4326")
            return frame.set_crs(None, allow_override=True) if frame.crs is not None else frame
    if frame.crs is None:
        if crs is None:
            report.add(
                "error",
                "the layer has no coordinate reference system (CRS)",
                fix="pass crs='EPSG:4326' (or the layer's real CRS) when reading it, "
                "or add a .prj / CRS to the file",
            )
            return frame
        return frame.set_crs(crs)
    if crs is not None and CRS.from_user_input(crs) != frame.crs:
        report.add(
            "error",
            f"crs={crs!r} was passed but the file declares {frame.crs.to_string()}",
            fix="drop crs= (it is only for files without a CRS), or reproject the file",
        )
    return frame


def drop_missing_geometries(frame: gpd.GeoDataFrame, report: ValidationReport) -> gpd.GeoDataFrame:
    """Drop rows whose geometry is null or empty, recording how many.

    Parameters
    ----------
    frame : GeoDataFrame
        The layer, as read (positions in its index are the source rows).
    report : ValidationReport
        Where the findings are recorded.

    Examples
    --------
    >>> f = gpd.GeoDataFrame(geometry=[shapely.Point(-8, 12.6), None], crs=4326)
    >>> r = ValidationReport("t.geojson", "cities")
    >>> len(drop_missing_geometries(f, r)), r.problems[0].level
    (1, 'dropped')
    """
    missing = frame.geometry.isna().to_numpy() | shapely.is_empty(frame.geometry.array)
    if missing.any():
        report.add(
            "dropped",
            f"{int(missing.sum())} rows with a null or empty geometry were dropped",
            rows=np.flatnonzero(missing),
        )
    return frame.loc[~missing]


def check_geometry_types(frame: gpd.GeoDataFrame, report: ValidationReport) -> None:
    """Record rows whose geometry type does not suit the layer kind.

    Parameters
    ----------
    frame : GeoDataFrame
        The layer, as read (positions in its index are the source rows).
    report : ValidationReport
        Where the findings are recorded.

    Examples
    --------
    >>> f = gpd.GeoDataFrame(geometry=[shapely.Point(-8, 12.6)], crs=4326)
    >>> r = ValidationReport("t.geojson", "roads")
    >>> check_geometry_types(f, r); r.ok
    False
    """
    allowed = GEOMETRY_TYPES[report.kind]
    types = frame.geom_type.to_numpy(dtype=object)
    wrong = ~np.isin(types, allowed)
    if wrong.any():
        found = ", ".join(sorted(set(types[wrong])))
        report.add(
            "error",
            f"{int(wrong.sum())} geometries are {found}, but a {report.kind} layer "
            f"holds {' or '.join(allowed)}",
            rows=_positions(frame, wrong),
            fix=f"pass the right kind for this file, or keep only {'/'.join(allowed)} features",
        )


def check_coordinates(
    frame: gpd.GeoDataFrame,
    report: ValidationReport,
    *,
    xy_columns: tuple[str, str] = ("x", "y"),
    bounds: tuple[float, float, float, float] | None = None,
) -> None:
    """Record coordinates that are not finite, out of range or swapped.

    In a geographic CRS longitudes must lie in [-180, 180] and latitudes in
    [-90, 90]; a layer whose out-of-range rows would fit with x and y
    exchanged is reported as swapped. In a projected CRS, coordinates that all
    look like degrees are reported as a wrong CRS. ``bounds`` (lon/lat
    min_x, min_y, max_x, max_y) is the area the layer should cover: points
    outside it that fall inside once x and y are exchanged are reported as
    swapped too.

    Parameters
    ----------
    frame : GeoDataFrame
        The layer, as read (positions in its index are the source rows).
    report : ValidationReport
        Where the findings are recorded.
    xy_columns : (str, str), default ("x", "y")
        The source's coordinate columns, named in the messages.
    bounds : (min_lon, min_lat, max_lon, max_lat), optional
        The area the layer should cover.

    Examples
    --------
    >>> f = gpd.GeoDataFrame(geometry=[shapely.Point(12.6, -100.5)], crs=4326)
    >>> r = ValidationReport("t.csv", "incidents")
    >>> check_coordinates(f, r, xy_columns=("longitude", "latitude")); "look swapped" in r.format()
    True
    """
    if frame.crs is None or frame.empty:
        return
    xcol, ycol = xy_columns
    coords = shapely.get_coordinates(frame.geometry.array, return_index=True)
    xy, owner = coords[0], coords[1]
    finite = np.isfinite(xy).all(axis=1)
    bad_inf = np.zeros(len(frame), bool)
    bad_inf[owner[~finite]] = True
    if bad_inf.any():
        report.add(
            "error",
            f"{int(bad_inf.sum())} rows have NaN or infinite coordinates",
            rows=_positions(frame, bad_inf),
            fix="correct or remove those coordinates",
        )
    if frame.crs.is_geographic:
        x, y = xy[:, 0], xy[:, 1]
        out = finite & ((np.abs(x) > 180) | (np.abs(y) > 90))
        if out.any():
            rows = np.zeros(len(frame), bool)
            rows[owner[out]] = True
            swapped = bool(np.all((np.abs(y[out]) <= 180) & (np.abs(x[out]) <= 90)))
            if swapped:
                report.add(
                    "error",
                    f"{int(rows.sum())} rows have coordinates out of range that fit once "
                    f"exchanged: the columns '{xcol}' and '{ycol}' look swapped "
                    f"('{ycol}' holds values up to {np.abs(y[out]).max():g})",
                    rows=_positions(frame, rows),
                    fix=f"exchange '{xcol}' and '{ycol}' (longitude is x, latitude is y)",
                )
            else:
                report.add(
                    "error",
                    f"{int(rows.sum())} rows have coordinates outside longitude -180..180 / "
                    f"latitude -90..90 (the CRS is {frame.crs.to_string()})",
                    rows=_positions(frame, rows),
                    fix="if these are projected coordinates (metres), pass or declare their "
                    "real CRS; otherwise correct those rows",
                )
        if bounds is not None:
            _check_swapped_in_bounds(frame, report, xy[finite], owner[finite], bounds, xcol, ycol)
    else:
        if finite.any() and np.all(np.abs(xy[finite]) <= [180, 90]):
            report.add(
                "error",
                f"every coordinate lies within +-180/+-90, which looks like degrees, but the "
                f"CRS is the projected {frame.crs.to_string()}",
                fix="declare the layer's CRS as EPSG:4326 (or its real geographic CRS)",
            )


def _check_swapped_in_bounds(
    frame: gpd.GeoDataFrame,
    report: ValidationReport,
    xy: np.ndarray,
    owner: np.ndarray,
    bounds: tuple[float, float, float, float],
    xcol: str,
    ycol: str,
) -> None:
    minx, miny, maxx, maxy = bounds
    if frame.crs.to_epsg() != 4326:
        return

    def inside(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return (a >= minx) & (a <= maxx) & (b >= miny) & (b <= maxy)

    flipped = ~inside(xy[:, 0], xy[:, 1]) & inside(xy[:, 1], xy[:, 0])
    if flipped.any():
        rows = np.zeros(len(frame), bool)
        rows[owner[flipped]] = True
        report.add(
            "error",
            f"{int(rows.sum())} rows lie outside the area of interest {bounds} but inside it "
            f"once x and y are exchanged: '{xcol}' and '{ycol}' look swapped",
            rows=_positions(frame, rows),
            fix=f"exchange '{xcol}' and '{ycol}' for those rows (longitude is x, latitude is y)",
        )


def repair_geometries(
    frame: gpd.GeoDataFrame, report: ValidationReport, *, strict: bool = False
) -> gpd.GeoDataFrame:
    """Make invalid geometries valid, or refuse them when ``strict``.

    Parameters
    ----------
    frame : GeoDataFrame
        The layer, as read (positions in its index are the source rows).
    report : ValidationReport
        Where the findings are recorded.
    strict : bool, default False
        Refuse invalid geometries instead of repairing them.

    Examples
    --------
    >>> bow = shapely.Polygon([(0, 0), (1, 1), (1, 0), (0, 1)])  # a self-crossing bow tie
    >>> f = gpd.GeoDataFrame(geometry=[bow], crs=4326)
    >>> r = ValidationReport("t.geojson", "boundaries")
    >>> bool(repair_geometries(f, r).geometry.is_valid.all()), r.problems[0].level
    (True, 'repaired')
    """
    invalid = ~shapely.is_valid(frame.geometry.array)
    if not invalid.any():
        return frame
    reasons = shapely.is_valid_reason(frame.geometry.array[invalid])
    example = str(reasons[0])
    if strict:
        report.add(
            "error",
            f"{int(invalid.sum())} geometries are invalid (e.g. {example})",
            rows=_positions(frame, invalid),
            fix="repair them (shapely.make_valid or QGIS 'Fix geometries'), or read with strict=False",
        )
        return frame
    frame = frame.copy()
    geoms = frame.geometry.array.copy()
    fixed = shapely.make_valid(geoms[invalid])
    # make_valid may return a collection holding the fixed part plus slivers of
    # lower dimension; keep the part of the layer's own dimension.
    fixed = _keep_dimension(fixed, report.kind)
    geoms[invalid] = fixed
    frame = frame.set_geometry(gpd.GeoSeries(geoms, index=frame.index, crs=frame.crs))
    report.add(
        "repaired",
        f"{int(invalid.sum())} invalid geometries were repaired with make_valid (e.g. {example})",
        rows=_positions(frame, invalid),
    )
    return frame


def _keep_dimension(geoms: np.ndarray, kind: str) -> np.ndarray:
    wanted = {"Point": 0, "LineString": 1, "Polygon": 2}[GEOMETRY_TYPES[kind][0]]
    out = geoms.copy()
    is_collection = shapely.get_type_id(geoms) == 7
    for i in np.flatnonzero(is_collection):  # rare: only repaired collections
        parts = shapely.get_parts(geoms[i])
        keep = parts[shapely.get_dimensions(parts) == wanted]
        out[i] = shapely.union_all(keep) if len(keep) else geoms[i]
    return out


def check_duplicate_ids(frame: pd.DataFrame, report: ValidationReport) -> None:
    """Record values repeated in the layer's id columns.

    Parameters
    ----------
    frame : GeoDataFrame
        The layer, as read (positions in its index are the source rows).
    report : ValidationReport
        Where the findings are recorded.

    Examples
    --------
    >>> f = pd.DataFrame({"event_id": ["A", "A", "B"]})
    >>> r = ValidationReport("t.csv", "incidents")
    >>> check_duplicate_ids(f, r); r.ok
    False
    """
    for column in ID_COLUMNS[report.kind]:
        if column not in frame or frame[column].isna().all():
            continue
        dup = frame[column].duplicated(keep=False) & frame[column].notna()
        if dup.any():
            values = pd.unique(frame.loc[dup, column].astype(str))[:MAX_ROWS_SHOWN]
            report.add(
                "error",
                f"{int(dup.sum())} rows share a '{column}' with another row "
                f"(values {', '.join(values)})",
                rows=_positions(frame, dup.to_numpy()),
                fix=f"give each row its own '{column}', or remove the duplicated rows",
            )


def _positions(frame: pd.DataFrame, mask: np.ndarray) -> np.ndarray:
    """Source row positions (the frame's index holds them) where mask is true."""
    return np.asarray(frame.index[np.asarray(mask, bool)])


def drop_placeholder_points(frame: gpd.GeoDataFrame, report: ValidationReport) -> gpd.GeoDataFrame:
    """Drop points at exactly (0, 0) in degrees, the placeholder many exports write for a missing location.

    Parameters
    ----------
    frame : GeoDataFrame
        The layer, as read (positions in its index are the source rows).
    report : ValidationReport
        Where the findings are recorded.

    Examples
    --------
    >>> f = gpd.GeoDataFrame(geometry=[shapely.Point(0, 0), shapely.Point(-8, 12.6)], crs=4326)
    >>> r = ValidationReport("t.csv", "incidents")
    >>> len(drop_placeholder_points(f, r)), r.problems[0].level
    (1, 'dropped')
    """
    if frame.crs is None or not frame.crs.is_geographic or frame.empty or "Point" not in GEOMETRY_TYPES[report.kind]:
        return frame
    geoms = frame.geometry.array
    zero = (shapely.get_type_id(geoms) == 0) & (shapely.get_x(geoms) == 0) & (shapely.get_y(geoms) == 0)
    zero = np.asarray(zero, bool)
    if zero.any():
        report.add("dropped", f"{int(zero.sum())} rows at exactly (0, 0), the placeholder for a missing "
                   "location, were dropped", rows=_positions(frame, zero),
                   fix="give those rows their real coordinates")
    return frame.loc[~zero]


def check_negative_counts(frame: pd.DataFrame, report: ValidationReport) -> None:
    """Refuse negative fatalities or population: a count cannot be below zero.

    Parameters
    ----------
    frame : DataFrame
        The canonical layer (``fatalities`` or ``population`` are checked when present).
    report : ValidationReport
        Where the findings are recorded.

    Examples
    --------
    >>> r = ValidationReport("t.csv", "incidents")
    >>> check_negative_counts(pd.DataFrame({"fatalities": [3.0, -2.0]}), r); r.ok
    False
    """
    for column in ("fatalities", "population"):
        if column in frame and pd.api.types.is_numeric_dtype(frame[column]):
            negative = (frame[column] < 0).fillna(False).to_numpy()
            if negative.any():
                report.add("error", f"{int(negative.sum())} rows have a negative {column} "
                           f"(e.g. {frame[column][negative].iloc[0]:g})", rows=_positions(frame, negative),
                           fix=f"a {column} count is 0 or more: correct those rows, or leave them blank if unknown")


#: Dates this far (days) from the middle of the others are reported as a probable wrong year.
OUTLIER_DAYS = 3 * 365


def check_incident_dates(frame: pd.DataFrame, report: ValidationReport, *, today: dt.date | None = None
                         ) -> pd.DataFrame:
    """Drop incidents dated after ``today`` (a typo such as 2052 would otherwise move the analysis window
    and end every blockade) and warn about dates years away from all the others.

    Parameters
    ----------
    frame : DataFrame
        Incidents with a parsed ``date`` column.
    report : ValidationReport
        Where the findings are recorded.
    today : date, optional
        The day after which a date is in the future; the machine's date by default.

    Examples
    --------
    >>> f = pd.DataFrame({"date": pd.to_datetime(["2025-09-14", "2052-09-14"])})
    >>> r = ValidationReport("t.csv", "incidents")
    >>> len(check_incident_dates(f, r, today=dt.date(2026, 1, 1))), r.problems[0].level
    (1, 'dropped')
    """
    if "date" not in frame or frame.empty or not pd.api.types.is_datetime64_any_dtype(frame["date"]):
        return frame
    today = today or dt.date.today()
    future = (frame["date"] > pd.Timestamp(today)).to_numpy()
    if future.any():
        report.add("dropped", f"{int(future.sum())} incidents dated after today ({today}) were dropped, e.g. "
                   f"{frame['date'][future].min():%Y-%m-%d}", rows=_positions(frame, future),
                   fix="correct the year of those dates")
    kept = frame.loc[~future]
    if len(kept) >= 5:
        middle = kept["date"].median()
        far = ((kept["date"] - middle).abs() > pd.Timedelta(days=OUTLIER_DAYS)).to_numpy()
        if far.any() and far.sum() <= max(2, 0.05 * len(kept)):  # a few strays, not a long record
            report.add("warning", f"{int(far.sum())} incidents are dated more than {OUTLIER_DAYS // 365} years "
                       f"from the others (middle date {middle:%Y-%m-%d}), e.g. {kept['date'][far].iloc[0]:%Y-%m-%d}",
                       rows=_positions(kept, far), fix="check the year of those dates; they are kept")
    return kept


def drop_duplicate_rows(frame: gpd.GeoDataFrame, report: ValidationReport) -> gpd.GeoDataFrame:
    """Drop exact duplicates: roads with the same line (either direction), which would double the network,
    and incidents without ids whose every field and location repeat an earlier row.

    Parameters
    ----------
    frame : GeoDataFrame
        The layer, as read (positions in its index are the source rows).
    report : ValidationReport
        Where the findings are recorded.

    Examples
    --------
    >>> line = shapely.LineString([(-8, 12.6), (-7, 12.7)])
    >>> f = gpd.GeoDataFrame(geometry=[line, line.reverse()], crs=4326)
    >>> r = ValidationReport("roads.geojson", "roads")
    >>> len(drop_duplicate_rows(f, r))
    1
    """
    if frame.empty:
        return frame

    def keys() -> pd.Series:  # each geometry as bytes, drawn in one direction
        return pd.Series(shapely.to_wkb(shapely.normalize(frame.geometry.array)), index=frame.index)

    if report.kind == "roads":
        duplicated = keys().duplicated().to_numpy()
        what = "roads repeat an earlier road's line exactly (in either direction)"
        fix = "remove the duplicated features from the file"
    elif report.kind == "incidents" and "event_id" in frame and frame["event_id"].astype(str).str.startswith(
            "row-").all():
        fields = frame.drop(columns=[frame.geometry.name, "event_id"]).astype(str)
        duplicated = fields.assign(_where=keys()).duplicated().to_numpy()
        what = "incidents without ids repeat an earlier row in every field and location"
        fix = "give each incident an id (event_id) if they are distinct events"
    else:
        return frame
    if duplicated.any():
        report.add("dropped", f"{int(duplicated.sum())} {what} and were dropped",
                   rows=_positions(frame, duplicated), fix=fix)
    return frame.loc[~duplicated]


def check_antimeridian(frame: gpd.GeoDataFrame, report: ValidationReport) -> None:
    """Refuse lines and polygons with an edge longer than 180 degrees of longitude: they cross the
    antimeridian, where one metric CRS cannot hold them (and the map would draw them round the world).

    Parameters
    ----------
    frame : GeoDataFrame
        The layer, as read (positions in its index are the source rows).
    report : ValidationReport
        Where the findings are recorded.

    Examples
    --------
    >>> f = gpd.GeoDataFrame(geometry=[shapely.LineString([(179.5, -17), (-179.5, -17.2)])], crs=4326)
    >>> r = ValidationReport("roads.geojson", "roads")
    >>> check_antimeridian(f, r); r.ok
    False
    """
    if frame.crs is None or not frame.crs.is_geographic or frame.empty:
        return
    xy, owner = shapely.get_coordinates(frame.geometry.array, return_index=True)
    if len(xy) < 2:
        return
    jump = (np.abs(np.diff(xy[:, 0])) > 180) & (owner[1:] == owner[:-1])
    rows = np.zeros(len(frame), bool)
    rows[owner[1:][jump]] = True
    if rows.any():
        report.add("error", f"{int(rows.sum())} features cross the antimeridian (180 degrees longitude)",
                   rows=_positions(frame, rows),
                   fix="split them at 180 degrees (ogr2ogr -wrapdateline) or leave them out; geokit analyses "
                   "one side of it")
