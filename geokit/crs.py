"""Choose the metric CRS an analysis runs in, and measure in real units.

Every buffer, distance and length in geokit is computed in metres in a
projected CRS chosen for the area of interest (or given by the caller), and
every distance parameter says its unit in its name (``radius_km``,
``tolerance_m``). Geometry operations on layers in degrees are refused.

The choice (:func:`choose_metric_crs`):

* an extent that fits in one UTM zone's width (6 degrees of longitude by
  default) gets the WGS 84 / UTM zone of its centre: scale error under 0.1%;
* a wider extent, such as Mali and its neighbours (about 25 degrees of
  longitude), gets an azimuthal equidistant projection centred on the extent:
  distances from the centre are exact, and the scale error across it grows
  as about (d/R)^2 / 6 at distance d from the centre, 0.2% at 700 km and 0.5%
  at 1,100 km (see :func:`max_scale_error`).

Road lengths are geodesic (:func:`geodesic_length_km`), on the WGS 84
ellipsoid, so they do not depend on the projection at all.
"""

from __future__ import annotations

from typing import TypeAlias

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS, Geod, Proj

from geokit._errors import CRSError

__all__ = [
    "choose_metric_crs",
    "common_metric_crs",
    "to_metric",
    "require_projected",
    "geodesic_length_km",
    "geodesic_area_km2",
    "max_scale_error",
    "UTM_ZONE_WIDTH_DEG",
]

#: Width of a UTM zone; extents up to this width get a UTM CRS.
UTM_ZONE_WIDTH_DEG = 6.0
_GEOD = Geod(ellps="WGS84")

Area: TypeAlias = gpd.GeoDataFrame | gpd.GeoSeries | Sequence[float]


def _lonlat_bounds(area: Area) -> tuple[float, float, float, float]:
    if isinstance(area, gpd.GeoDataFrame | gpd.GeoSeries):
        if area.crs is None:
            raise CRSError("cannot choose a metric CRS for a layer without a CRS; set one with "
                           "set_crs() or read it with geokit.layers")
        bounds = area.to_crs(4326).total_bounds
    else:
        bounds = np.asarray(area, dtype=float)
    if bounds.shape != (4,) or not np.isfinite(bounds).all():
        raise CRSError(f"area bounds {bounds!r} are not four finite numbers "
                       "(min_lon, min_lat, max_lon, max_lat)")
    minx, miny, maxx, maxy = (float(v) for v in bounds)
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise CRSError(f"area bounds {tuple(bounds)} are not longitude/latitude "
                       "(min_lon, min_lat, max_lon, max_lat)")
    return minx, miny, maxx, maxy


def choose_metric_crs(area: Area, *, utm_max_width_deg: float = UTM_ZONE_WIDTH_DEG) -> CRS:
    """Pick a projected CRS in metres suited to an area of interest.

    Parameters
    ----------
    area : GeoDataFrame, GeoSeries or (min_lon, min_lat, max_lon, max_lat)
        The layers (any CRS) or the lon/lat bounds of the area analysed.
    utm_max_width_deg : float, default 6
        Widest extent, in degrees of longitude, that still gets a UTM zone.

    Returns
    -------
    pyproj.CRS
        WGS 84 / UTM for narrow extents (north or south by the centre's
        hemisphere), otherwise an azimuthal equidistant CRS centred on the
        extent.

    Examples
    --------
    >>> choose_metric_crs((-8.1, 12.5, -7.9, 12.7)).to_epsg()  # Bamako
    32629
    >>> crs = choose_metric_crs((-17.5, 12.6, -7.9, 14.8))       # Dakar to Bamako
    >>> crs.coordinate_operation.method_name
    'Azimuthal Equidistant'
    """
    minx, miny, maxx, maxy = _lonlat_bounds(area)
    lon0, lat0 = (minx + maxx) / 2, (miny + maxy) / 2
    if maxx - minx <= utm_max_width_deg and -80 <= lat0 <= 84:
        zone = min(int((lon0 + 180) // 6) + 1, 60)
        return CRS.from_epsg((32600 if lat0 >= 0 else 32700) + zone)
    # EPSG method 1125 (the full ellipsoidal azimuthal equidistant), not
    # pyproj's AzimuthalEquidistantConversion, which is method 9832 ("Modified
    # Azimuthal Equidistant"), an approximation meant for small islands.
    return CRS.from_proj4(
        f"+proj=aeqd +lat_0={lat0:.4f} +lon_0={lon0:.4f} +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs"
    )


def common_metric_crs(*frames: gpd.GeoDataFrame | gpd.GeoSeries | None, crs: object = None) -> CRS:
    """The metric CRS for several layers analysed together: ``crs`` if given,
    else one chosen for the union of their extents.

    Parameters
    ----------
    *frames : GeoDataFrame, GeoSeries or None
        The layers to cover together (None is skipped).
    crs : optional
        A projected CRS to use instead; a geographic one is refused.

    Examples
    --------
    >>> import shapely
    >>> a = gpd.GeoSeries([shapely.Point(-17.4, 14.7)], crs=4326)
    >>> b = gpd.GeoSeries([shapely.Point(-8.0, 12.6)], crs=4326)
    >>> common_metric_crs(a, b).is_projected
    True
    """
    if crs is not None:
        target = CRS.from_user_input(crs)
        if not target.is_projected:
            raise CRSError(f"{target.to_string()} is not a projected CRS in metres; pass a "
                           "projected CRS or leave crs=None to choose one")
        return target
    boxes = [_lonlat_bounds(f) for f in frames if f is not None and len(f)]
    if not boxes:
        raise CRSError("cannot choose a metric CRS: every layer is empty")
    b = np.array(boxes)
    return choose_metric_crs((b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max()))


def max_scale_error(crs: CRS, area: Area, *, samples: int = 25) -> float:
    """Largest relative distance error of ``crs`` over an area.

    Samples a ``samples`` x ``samples`` grid over the area's bounds and
    returns max |k - 1| over the meridional and parallel scale factors.

    Parameters
    ----------
    crs : CRS
        A projected CRS.
    area : bounds, GeoDataFrame or GeoSeries
        The area to sample (lon/lat bounds or a layer).
    samples : int, default 25
        Sample points per side of the area.

    Examples
    --------
    >>> bounds = (-17.5, 12.6, -7.9, 14.8)
    >>> round(max_scale_error(choose_metric_crs(bounds), bounds), 4) < 0.005
    True
    """
    minx, miny, maxx, maxy = _lonlat_bounds(area)
    lon, lat = np.meshgrid(np.linspace(minx, maxx, samples), np.linspace(miny, maxy, samples))
    factors = Proj(crs).get_factors(lon.ravel(), lat.ravel())
    k = np.concatenate([factors.meridional_scale, factors.parallel_scale])
    return float(np.nanmax(np.abs(k - 1)))


def require_projected(frame: gpd.GeoDataFrame | gpd.GeoSeries, what: str = "this layer") -> None:
    """Refuse geometry operations on a layer whose coordinates are degrees.

    Parameters
    ----------
    frame : GeoDataFrame or GeoSeries
        The layer to check.
    what : str
        How the layer is named in the message.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> require_projected(gpd.GeoSeries([shapely.Point(0, 0)], crs=4326), "incidents")
    Traceback (most recent call last):
    ...
    geokit._errors.CRSError: incidents is in EPSG:4326, whose units are degrees; ...
    """
    if frame.crs is None:
        raise CRSError(f"{what} has no CRS; read it with geokit.layers or call set_crs()")
    if not frame.crs.is_projected:
        raise CRSError(
            f"{what} is in {frame.crs.to_string()}, whose units are degrees; "
            "distances and buffers need metres: project it first with geokit.to_metric()"
        )


def to_metric(frame: gpd.GeoDataFrame, crs: CRS | str | int | None = None) -> gpd.GeoDataFrame:
    """Return a copy of ``frame`` in a metric CRS (chosen for it if not given).

    Parameters
    ----------
    frame : GeoDataFrame
        Any layer with a CRS.
    crs : optional
        The projected CRS; chosen for the layer (:func:`choose_metric_crs`) when omitted.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> g = gpd.GeoDataFrame(geometry=[shapely.Point(-8.0, 12.65)], crs=4326)
    >>> to_metric(g).crs.to_epsg()
    32629
    """
    if frame.crs is None:
        raise CRSError("the layer has no CRS; read it with geokit.layers or call set_crs()")
    target = CRS.from_user_input(crs) if crs is not None else choose_metric_crs(frame)
    if not target.is_projected:
        raise CRSError(f"{target.to_string()} is not a projected CRS in metres; "
                       "pass a projected CRS or leave crs=None to choose one")
    return frame.to_crs(target)


def geodesic_length_km(geoms: gpd.GeoSeries | gpd.GeoDataFrame) -> np.ndarray:
    """Length of each line on the WGS 84 ellipsoid, in kilometres.

    Vectorised: all vertex pairs go through one ``Geod.inv`` call.

    Parameters
    ----------
    geoms : GeoSeries or GeoDataFrame
        Lines in any CRS (measured on the WGS84 ellipsoid).

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> line = gpd.GeoSeries([shapely.LineString([(0, 0), (1, 0)])], crs=4326)
    >>> geodesic_length_km(line).round(3).tolist()  # one degree along the equator
    [111.319]
    """
    series = geoms.geometry if isinstance(geoms, gpd.GeoDataFrame) else geoms
    if series.crs is None:
        raise CRSError("cannot measure lines without a CRS; call set_crs() first")
    lonlat = series.to_crs(4326).array
    parts = shapely.get_parts(lonlat, return_index=True)
    coords, owner = shapely.get_coordinates(parts[0], return_index=True)
    same = owner[1:] == owner[:-1]
    _, _, dist = _GEOD.inv(coords[:-1, 0][same], coords[:-1, 1][same],
                           coords[1:, 0][same], coords[1:, 1][same])
    per_part = np.bincount(owner[1:][same], weights=dist, minlength=len(parts[0]))
    return np.bincount(parts[1], weights=per_part, minlength=len(series)) / 1000.0


def geodesic_area_km2(geoms: gpd.GeoSeries | gpd.GeoDataFrame) -> np.ndarray:
    """Area of each polygon on the WGS 84 ellipsoid, in square kilometres (holes subtracted).

    The figures of ``Geod.geometry_area_perimeter``, from numpy coordinates ring by ring instead of
    through shapely's Python coordinate sequences (a third faster on exposure zones).

    Parameters
    ----------
    geoms : GeoSeries or GeoDataFrame
        Polygons or multipolygons in any CRS; other geometries measure 0.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> square = shapely.Polygon([(0, 0), (1, 0), (1, 1), (0, 1)], [[(0.5, 0.5), (0.6, 0.5), (0.6, 0.6)]])
    >>> geodesic_area_km2(gpd.GeoSeries([square, shapely.Point(0, 0)], crs=4326)).round(1).tolist()
    [12247.2, 0.0]
    """
    series = geoms.geometry if isinstance(geoms, gpd.GeoDataFrame) else geoms
    if series.crs is None:
        raise CRSError("cannot measure polygons without a CRS; call set_crs() first")
    parts, owner = shapely.get_parts(series.to_crs(4326).array, return_index=True)
    polygons = shapely.get_type_id(parts) == shapely.GeometryType.POLYGON
    parts, owner = parts[polygons], owner[polygons]
    rings, ring_owner = shapely.get_rings(parts, return_index=True)
    hole = np.ones(len(rings), bool)
    hole[np.searchsorted(ring_owner, np.arange(len(parts)))] = False  # each polygon's first ring: its shell
    coords, of_ring = shapely.get_coordinates(rings, return_index=True)
    bounds = np.searchsorted(of_ring, np.arange(len(rings) + 1))
    area = np.array([abs(_GEOD.polygon_area_perimeter(coords[a:b, 0], coords[a:b, 1])[0])
                     for a, b in zip(bounds[:-1], bounds[1:])])
    per_part = np.bincount(ring_owner, weights=np.where(hole, -area, area) if len(area) else area,
                           minlength=len(parts))
    return np.bincount(owner, weights=per_part, minlength=len(series)) / 1e6
