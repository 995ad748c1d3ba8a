"""Rasters: incident density surfaces, zonal sums, and people from population grids.

Density
-------
:func:`incident_density` bins incidents (weighted, optionally by a half-life)
onto a grid of ``cell_km`` cells in a metric CRS and convolves the counts with
a Gaussian kernel of standard deviation ``bandwidth_km``. The kernel is the
exact integral of the Gaussian over each cell (differences of ``erf``), so
each incident contributes its full weight to the grid (the kernel and the grid
reach 4 bandwidths beyond each incident, which keeps over 99.98% of the mass).
Values are incidents per km^2: summing value x cell area over any area gives
the expected number of incidents in it. Binning moves an incident to its cell
centre, so keep ``cell_km`` at or below half the bandwidth.

Population
----------
:func:`population_within` sums a population-count grid (WorldPop, GHSL
POP, in any CRS) over polygons, reading only the window each polygon covers.
A cell counts when its centre lies inside the polygon.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio
import rasterio.features
import rasterio.windows
import shapely
from pyproj import CRS
from affine import Affine
from scipy.ndimage import convolve1d
from scipy.special import erf

from geokit._check import physical_memory_bytes
from geokit._errors import InputError
from geokit._io import atomic_path
from geokit.crs import common_metric_crs
from geokit.incidents import DateLike, in_window, parse_window, time_weight
from geokit.trust import check_raster_file, gdal_offline

__all__ = ["DensityRaster", "incident_density", "gaussian_cell_kernel", "zonal_sums", "population_within",
           "population_by_area", "DENSITY_NODATA"]

DENSITY_NODATA = -9999.0

#: Share of the machine's memory one raster window may take while it is read and summed.
MAX_WINDOW_SHARE_OF_RAM = 0.125
#: Bytes of memory per cell of a window, besides the cell values: the masks for centre weighting, the
#: cell polygons and their intersections for area weighting.
_BYTES_PER_CELL = {"centre": 4, "area": 480}


def _size(n: float) -> str:
    """A byte count for messages: 1.2 TB, 3.4 GB, 56 MB."""
    for unit, scale in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6)):
        if n >= scale or unit == "MB":
            return f"{n / scale:,.1f} {unit}"
    return f"{n:,.0f} bytes"  # pragma: no cover


def _check_window(src: rasterio.io.DatasetReader, window: rasterio.windows.Window, *, path: Path, weighting: str,
                  limit: int, bounds: tuple[float, float, float, float]) -> None:
    """Refuse a window that would not fit in ``limit`` bytes once read and weighted, with the numbers and the fix
    (crop the raster to ``bounds``, the areas' extent in the raster's CRS)."""
    cells = int(window.width) * int(window.height)
    need = cells * (np.dtype(src.dtypes[0]).itemsize * 2 + _BYTES_PER_CELL[weighting])
    if need <= limit:
        return
    west, south, east, north = (f"{v:.6g}" for v in bounds)
    raise InputError(
        f"{path}: the population raster needs a {int(window.width):,} x {int(window.height):,} window "
        f"({cells:,} cells of {src.dtypes[0]}, about {_size(need)} to read and weigh by {weighting}); at most "
        f"{_size(limit)} is allowed on this machine (an eighth of its memory): crop it to the area first, "
        f"gdal_translate -projwin {west} {north} {east} {south} {path.name} {path.stem}_cropped.tif")


def _open_raster(path: Path) -> rasterio.io.DatasetReader:
    """Open a GeoTIFF checked by :func:`geokit.trust.check_raster_file` (call inside :func:`gdal_offline`)."""
    real = check_raster_file(path)
    try:
        return rasterio.open(real, driver="GTiff")
    except rasterio.errors.RasterioIOError as exc:
        raise InputError(f"{path}: cannot read it as a GeoTIFF ({str(exc).replace(str(real), str(path))}); "
                         "export it again with gdal_translate -of GTiff") from None


@dataclass(frozen=True)
class DensityRaster:
    """A density grid and where it was written.

    Examples
    --------
    >>> grid = incident_density(incidents, cell_km=2, bandwidth_km=10)
    >>> grid.cell_area_km2, grid.n_incidents, round(grid.total(), 3)
    (4, 1, 1.0)
    """

    values: np.ndarray
    transform: rasterio.Affine
    crs: CRS
    cell_km: float
    bandwidth_km: float
    n_incidents: int
    path: Path | None

    @property
    def cell_area_km2(self) -> float:
        """Area of one cell in km^2 (in the metric CRS)."""
        return self.cell_km**2

    def total(self) -> float:
        """Sum of value x cell area: the (weighted) number of incidents on the grid."""
        return float(self.values.sum() * self.cell_area_km2)


def gaussian_cell_kernel(cell_km: float, bandwidth_km: float, *, reach: float = 4.0) -> np.ndarray:
    """Share of a unit Gaussian's mass falling in each cell around its centre cell.

    Parameters
    ----------
    cell_km : float
        The cell size.
    bandwidth_km : float
        The Gaussian's standard deviation.
    reach : float, default 4
        How many standard deviations the kernel spans on each side.

    Examples
    --------
    >>> k = gaussian_cell_kernel(1.0, 2.0)
    >>> k.shape, round(float(k.sum()), 6)
    ((17, 17), 0.999957)
    """
    mass = _cell_mass(cell_km, bandwidth_km, reach=reach)
    return np.outer(mass, mass)


def _cell_mass(cell_km: float, bandwidth_km: float, *, reach: float = 4.0) -> np.ndarray:
    """The 1-D Gaussian mass per cell whose outer product is :func:`gaussian_cell_kernel` (an odd length)."""
    half = int(math.ceil(reach * bandwidth_km / cell_km))
    edges = (np.arange(-half, half + 2) - 0.5) * cell_km
    cdf = 0.5 * (1 + erf(edges / (bandwidth_km * math.sqrt(2))))
    return np.diff(cdf)


def incident_density(
    incidents: gpd.GeoDataFrame,
    *,
    cell_km: float,
    bandwidth_km: float,
    start: DateLike = None,
    end: DateLike = None,
    half_life_days: float | None = None,
    path: str | Path | None = None,
    crs: object = None,
    extent: gpd.GeoDataFrame | None = None,
) -> DensityRaster:
    """Kernel density of incidents (per km^2), optionally written as a GeoTIFF.

    Parameters
    ----------
    incidents : GeoDataFrame
        Incident points with ``date``.
    cell_km, bandwidth_km : float
        Cell size and Gaussian standard deviation, in kilometres.
    start, end : date-like, optional
        Inclusive window.
    half_life_days : float, optional
        Weight incidents by age (see :mod:`geokit.incidents`).
    path : str or Path, optional
        Write a single-band float32 GeoTIFF there (atomically), with CRS,
        transform, nodata and the units and parameters in its tags.
    crs : optional
        Metric CRS of the grid; chosen for the incidents when omitted.
    extent : GeoDataFrame, optional
        What the grid must cover when the window has no incident (e.g. the roads): the surface is then
        all zeros over it, so a weekly build always writes its raster. Without it, an empty window is refused.

    Examples
    --------
    >>> import shapely
    >>> inc = gpd.GeoDataFrame({"date": pd.to_datetime(["2025-09-14"])},
    ...     geometry=[shapely.Point(-10.97, 14.56)], crs=4326)
    >>> grid = incident_density(inc, cell_km=1, bandwidth_km=5)
    >>> round(grid.total(), 3)
    1.0
    """
    if cell_km <= 0 or bandwidth_km <= 0:
        raise InputError("cell_km and bandwidth_km must be positive")
    inc = in_window(incidents, start, end)
    if inc.empty and extent is None:
        raise InputError("no incidents in the window: nothing to make a density surface of")
    target = common_metric_crs(inc if len(inc) else extent, crs=crs)
    xy = shapely.get_coordinates(inc.to_crs(target).geometry.array)
    if inc.empty and extent is not None:  # all zeros over the extent's bounds
        xy = np.asarray(extent.to_crs(target).total_bounds, dtype=np.float64).reshape(2, 2)
    _, hi = parse_window(start, end)
    weights = time_weight(inc["date"], half_life_days=half_life_days, reference=hi)
    cell = cell_km * 1000.0
    pad = 4 * bandwidth_km * 1000.0
    x0 = math.floor((xy[:, 0].min() - pad) / cell) * cell
    y1 = math.ceil((xy[:, 1].max() + pad) / cell) * cell
    ncols = int(math.ceil((xy[:, 0].max() + pad - x0) / cell)) + 1
    nrows = int(math.ceil((y1 - (xy[:, 1].min() - pad)) / cell)) + 1
    if ncols * nrows > 50_000_000:
        raise InputError(f"the density grid would have {ncols * nrows:,} cells; use a larger cell_km "
                         "or a shorter window")
    col = np.floor((xy[:, 0] - x0) / cell).astype(int)
    row = np.floor((y1 - xy[:, 1]) / cell).astype(int)
    counts = np.zeros((nrows, ncols))
    if len(inc):
        np.add.at(counts, (row, col), weights)
    # the kernel is separable: two 1-D convolutions along rows and columns, zero beyond the grid
    mass = _cell_mass(cell_km, bandwidth_km)
    density = convolve1d(convolve1d(counts, mass, axis=0, mode="constant"), mass, axis=1, mode="constant")
    density /= cell_km**2
    transform = Affine(cell, 0.0, x0, 0.0, -cell, y1)
    out_path = Path(path) if path is not None else None
    if out_path is not None:
        lo, _ = parse_window(start, end)
        tags = {"units": "incidents per km2", "kernel": "gaussian (cell-integrated)",
                "bandwidth_km": str(bandwidth_km), "cell_km": str(cell_km), "n_incidents": str(len(inc)),
                "window_start": f"{lo:%Y-%m-%d}" if lo is not None else "",
                "window_end": f"{hi:%Y-%m-%d}" if hi is not None else "",
                "half_life_days": "" if half_life_days is None else str(half_life_days)}
        with atomic_path(out_path) as tmp:
            with rasterio.open(tmp, "w", driver="GTiff", width=ncols, height=nrows, count=1,
                               dtype="float32", crs=target.to_wkt(), transform=transform,
                               nodata=DENSITY_NODATA, compress="deflate") as dst:
                dst.write(density.astype("float32"), 1)
                dst.update_tags(**tags)
                dst.update_tags(1, units="incidents per km2")
                dst.set_band_description(1, "incident density")
    return DensityRaster(values=density, transform=transform, crs=target, cell_km=cell_km,
                         bandwidth_km=bandwidth_km, n_incidents=len(inc), path=out_path)


def _window_of(src: rasterio.io.DatasetReader, geometry: shapely.Geometry) -> rasterio.windows.Window | None:
    """The raster window covering a geometry's bounds (raster CRS), or None when they do not meet."""
    if geometry.is_empty:
        return None
    w = rasterio.windows.from_bounds(*geometry.bounds, transform=src.transform)
    col0, row0 = max(math.floor(w.col_off), 0), max(math.floor(w.row_off), 0)
    col1 = min(math.ceil(w.col_off + w.width), src.width)
    row1 = min(math.ceil(w.row_off + w.height), src.height)
    if col1 <= col0 or row1 <= row0:
        return None
    return rasterio.windows.Window(col0, row0, col1 - col0, row1 - row0)


def _sum_over(src: rasterio.io.DatasetReader, geometry: shapely.Geometry, *, scale: float) -> float:
    """Sum of cell values (times ``scale``) whose centres lie inside ``geometry`` (raster CRS)."""
    window = _window_of(src, geometry)
    if window is None:
        return 0.0
    data = src.read(1, window=window, masked=True)
    transform = src.window_transform(window)
    inside = rasterio.features.geometry_mask([geometry], out_shape=data.shape, transform=transform,
                                             invert=True, all_touched=False)
    values = np.ma.masked_array(data, mask=np.ma.getmaskarray(data) | ~inside)
    return float(values.sum() * scale) if values.count() else 0.0


def _share_over(src: rasterio.io.DatasetReader, geometry: shapely.Geometry) -> float:
    """Sum of cell values weighted by the share of each cell's area inside ``geometry`` (raster CRS).

    The areal weighting a coarse grid needs: a 10 km zone inside a 55 km cell
    holds a share of its people, not all or none of them.
    """
    window = _window_of(src, geometry)
    if window is None:
        return 0.0
    data = src.read(1, window=window, masked=True)
    t = src.window_transform(window)
    rows, cols = np.mgrid[0:data.shape[0], 0:data.shape[1]]
    x0, y0 = t.c + cols * t.a, t.f + rows * t.e
    cells = shapely.box(x0, y0 + t.e, x0 + t.a, y0)
    share = shapely.area(shapely.intersection(cells, geometry)) / abs(t.a * t.e)
    values = np.ma.filled(data.astype(float), 0.0)
    return float((values * share).sum())


def population_within(
    raster: str | Path,
    areas: gpd.GeoDataFrame,
    *,
    buffer_km: float | None = None,
    crs: object = None,
    weighting: str = "centre",
    max_bytes: int | None = None,
) -> pd.Series:
    """People in each area, from a population-count raster.

    Parameters
    ----------
    raster : path
        A GeoTIFF of people per cell, in any CRS.
    areas : GeoDataFrame
        Polygons (exposure zones, regions) or, with ``buffer_km``, lines or
        points to buffer first (a corridor and a distance).
    buffer_km : float, optional
        Buffer the areas by this distance in a metric CRS before summing.
    weighting : {"centre", "area"}, default "centre"
        ``"centre"`` counts the cells whose centre lies inside an area (for
        fine grids); ``"area"`` weights each cell by the share of its area
        inside (for coarse grids, where a small area holds no cell centre).
    max_bytes : int, optional
        The most memory one area's window may take once read and weighted (an
        eighth of the machine's memory by default); a larger window is refused
        with its size and the ``gdal_translate`` command that crops the raster.

    Returns
    -------
    Series
        People in each area, indexed like ``areas``. Areas that overlap are
        each counted in full.

    Examples
    --------
    >>> people = population_within("layers/mali_2025/population_gpw4_2020_30min.tif", result.zones,
    ...                            weighting="area")
    >>> len(people) == len(result.zones), bool(people.iloc[0] > 0)
    (True, True)
    """
    path = Path(raster)
    if not path.is_file() and not path.is_symlink():
        raise InputError(f"{path}: no such population raster")
    if areas.crs is None:
        raise InputError("the areas have no CRS")
    if weighting not in ("centre", "area"):
        raise InputError(f"weighting={weighting!r}: use 'centre' or 'area'")
    limit = max_bytes if max_bytes is not None else int(physical_memory_bytes() * MAX_WINDOW_SHARE_OF_RAM)
    shapes = areas
    if buffer_km is not None:
        target = common_metric_crs(areas, crs=crs)
        shapes = gpd.GeoDataFrame(geometry=areas.to_crs(target).buffer(buffer_km * 1000, quad_segs=16),
                                  crs=target, index=areas.index)
    with gdal_offline(), _open_raster(path) as src:
        if src.crs is None:
            raise InputError(f"{path}: the raster has no CRS; assign one (gdal_edit.py -a_srs EPSG:4326)")
        in_raster = shapes.to_crs(src.crs)
        west, south, east, north = (float(v) for v in in_raster.total_bounds)
        bounds = (west, south, east, north)
        for g in in_raster.geometry.array:  # every window checked before any is read
            window = _window_of(src, g)
            if window is not None:
                _check_window(src, window, path=path, weighting=weighting, limit=limit, bounds=bounds)
        if weighting == "area":
            sums = [_share_over(src, g) for g in in_raster.geometry.array]
        else:
            sums = [_sum_over(src, g, scale=1.0) for g in in_raster.geometry.array]
    return pd.Series(sums, index=areas.index, name="population")


def population_by_area(
    raster: str | Path,
    areas: gpd.GeoDataFrame,
    boundaries: gpd.GeoDataFrame,
    *,
    buffer_km: float | None = None,
    name_column: str = "name",
    crs: object = None,
    weighting: str = "centre",
) -> pd.DataFrame:
    """People inside the union of ``areas``, split by country or region.

    Use it with exposure zones (people in exposure zones by country) or with
    corridor lines and ``buffer_km`` (people within a distance of the
    corridors, by region). Overlapping areas count their people once.

    Parameters
    ----------
    raster : str or Path
        A population-count raster (people per cell).
    areas : GeoDataFrame
        The areas whose people are counted (exposure zones, buffered corridors).
    boundaries : GeoDataFrame
        The polygons to total by (countries, regions), with ``name_column``.
    buffer_km : float, optional
        Buffer the areas first.
    name_column : str, default "name"
        The boundaries' name column.
    crs : optional
        The metric CRS to work in; chosen for the layers when omitted.
    weighting : {"centre", "area"}
        Count a cell whose centre lies inside, or its share of area inside.

    Returns
    -------
    DataFrame
        ``name_column`` and ``population``, one row per boundary polygon,
        sorted by name.

    Examples
    --------
    >>> mali = gpd.GeoDataFrame({"name": ["Mali"]}, crs=4326, geometry=[shapely.box(-12.3, 10.1, 4.3, 25.0)])
    >>> people = population_by_area("layers/mali_2025/population_gpw4_2020_30min.tif", result.zones, mali,
    ...                             weighting="area")  # the 10 km zone is smaller than a 0.5 degree cell
    >>> people.columns.tolist(), bool(people.loc[0, "population"] > 0)
    (['name', 'population'], True)
    """
    if name_column not in boundaries:
        raise InputError(f"the boundaries have no '{name_column}' column; pass name_column=")
    target = common_metric_crs(areas, boundaries, crs=crs)
    shapes = areas.to_crs(target).geometry
    if buffer_km is not None:
        shapes = shapes.buffer(buffer_km * 1000, quad_segs=16)
    union = shapely.union_all(shapes.array)
    bounds = boundaries.to_crs(target)
    pieces = shapely.intersection(bounds.geometry.array, union)
    frame = gpd.GeoDataFrame({name_column: boundaries[name_column].to_numpy()}, geometry=pieces, crs=target)
    frame["population"] = population_within(raster, frame, weighting=weighting).to_numpy()
    out = pd.DataFrame(frame[[name_column, "population"]])
    return out.groupby(name_column, as_index=False)["population"].sum()


def zonal_sums(density: DensityRaster | str | Path, areas: gpd.GeoDataFrame, *,
               buffer_km: float | None = None) -> pd.Series:
    """Expected incidents in each area from a density surface (value x cell area).

    The surface must be in a projected CRS in metres (as
    :func:`incident_density` writes it): a lon/lat raster has no cell area in
    km2 and buffering in degrees would be meaningless, so it is refused.

    Parameters
    ----------
    density : DensityRaster, str or Path
        :func:`incident_density`, or the GeoTIFF it wrote.
    areas : GeoDataFrame
        The areas to sum over.
    buffer_km : float, optional
        Buffer the areas first (e.g. corridors as lines).

    Examples
    --------
    >>> import tempfile
    >>> grid = incident_density(incidents, cell_km=1, bandwidth_km=10, path=tempfile.mkdtemp() + "/d.tif")
    >>> circle = gpd.GeoDataFrame(geometry=incidents.to_crs(grid.crs).buffer(10_000), crs=grid.crs)
    >>> round(float(zonal_sums(grid, circle).iloc[0]), 2)  # a 2-D Gaussian's mass within 1 sigma: 1 - e^-0.5
    0.39
    """
    path = density.path if isinstance(density, DensityRaster) else Path(density)
    if path is None:
        raise InputError("the density surface was not written to a file; pass path= to incident_density")
    with gdal_offline(), _open_raster(path) as src:
        if src.crs is None or src.crs.is_geographic or (src.crs.linear_units or "").lower() not in (
                "metre", "meter", "m"):
            raise InputError(f"{path}: zonal_sums needs a density raster in a projected CRS in metres, not "
                             f"{src.crs}; geokit.raster.incident_density writes one, or reproject it "
                             "(gdalwarp -t_srs EPSG:32629 in.tif out.tif)")
        cell_area_km2 = abs(src.transform.a * src.transform.e) / 1e6
        shapes = areas.to_crs(src.crs)
        if buffer_km is not None:
            shapes = shapes.buffer(buffer_km * 1000, quad_segs=16)
        sums = [_sum_over(src, g, scale=cell_area_km2) for g in shapes.geometry.array]
    return pd.Series(sums, index=areas.index, name="expected_incidents")
