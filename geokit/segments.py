"""Cut road lines into pieces: fixed-length segments, or at given points.

One vectorised primitive, :func:`cut_lines`, serves both the segmenting of
roads (:func:`split_roads`) and the insertion of nodes into a road network
(:mod:`geokit.network`): it interpolates every cut point on every line in a
single pass over the coordinate arrays, with no Python loop over rows.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from geokit.crs import choose_metric_crs, geodesic_length_km, require_projected
from geokit.schema import WGS84

__all__ = ["cut_lines", "split_roads", "explode_lines"]


def explode_lines(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """One LineString per row; ``road_index`` and ``part`` name where it came from.

    Parameters
    ----------
    frame : GeoDataFrame
        Lines or multi-lines in any CRS.

    Examples
    --------
    >>> import shapely
    >>> g = gpd.GeoDataFrame(geometry=[shapely.MultiLineString([[(0, 0), (1, 0)], [(2, 0), (3, 0)]])])
    >>> explode_lines(g)[["road_index", "part"]].values.tolist()
    [[0, 0], [0, 1]]
    """
    frame = frame.reset_index(drop=True)
    parts, owner = shapely.get_parts(frame.geometry.array, return_index=True)
    out = frame.drop(columns=frame.geometry.name).iloc[owner].reset_index(drop=True)
    out.insert(0, "road_index", owner)
    out.insert(1, "part", out.groupby("road_index").cumcount().to_numpy())
    return gpd.GeoDataFrame(out, geometry=gpd.GeoSeries(parts, crs=frame.crs).values, crs=frame.crs)


def cut_lines(
    lines: np.ndarray, cut_line: np.ndarray, cut_at_m: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Cut LineStrings at distances along them.

    Parameters
    ----------
    lines : array of LineString
        In a projected CRS (distances in its units, metres).
    cut_line, cut_at_m : arrays of int and float
        Cut ``lines[cut_line[i]]`` at ``cut_at_m[i]`` from its start. Cuts at
        or beyond a line's ends, and repeated cuts, are ignored.

    Returns
    -------
    pieces, piece_line, piece_from_m, piece_to_m : arrays
        The pieces in order along each line, which line each came from, and
        where it starts and ends along that line.

    Examples
    --------
    >>> import shapely
    >>> pieces, owner, start, end = cut_lines(
    ...     np.array([shapely.LineString([(0, 0), (10, 0)])]), np.array([0, 0]), np.array([2.5, 7.0]))
    >>> [p.wkt for p in pieces]
    ['LINESTRING (0 0, 2.5 0)', 'LINESTRING (2.5 0, 7 0)', 'LINESTRING (7 0, 10 0)']
    >>> start.tolist(), end.tolist()
    ([0.0, 2.5, 7.0], [2.5, 7.0, 10.0])
    """
    lines = np.asarray(lines, dtype=object)
    coords, owner = shapely.get_coordinates(lines, return_index=True)
    n = len(lines)
    step = np.zeros(len(coords))
    same = owner[1:] == owner[:-1]
    step[1:][same] = np.hypot(*(coords[1:] - coords[:-1]).T)[same]
    cum = np.cumsum(step)
    first = np.r_[0, np.flatnonzero(~same) + 1]
    cum -= np.repeat(cum[first], np.diff(np.r_[first, len(coords)]))  # restart at each line
    length = np.zeros(n)
    np.maximum.at(length, owner, cum)

    cut_line = np.asarray(cut_line, dtype=np.int64)
    cut_at = np.asarray(cut_at_m, dtype=float)
    eps = 1e-6  # a micrometre: cuts closer than this to a line's end are no cuts
    keep = (cut_at > eps) & (cut_at < length[cut_line] - eps)
    cut_line, cut_at = cut_line[keep], cut_at[keep]
    order = np.lexsort((cut_at, cut_line))
    cut_line, cut_at = cut_line[order], cut_at[order]
    dup = np.zeros(len(cut_line), bool)
    dup[1:] = (cut_line[1:] == cut_line[:-1]) & np.isclose(cut_at[1:], cut_at[:-1])
    cut_line, cut_at = cut_line[~dup], cut_at[~dup]

    # interpolate the cut points on their segments
    big = (length.max() if n else 0) * 2 + 1
    key_v = owner * big + cum
    key_c = cut_line * big + cut_at
    after = np.searchsorted(key_v, key_c, side="right")  # first vertex beyond the cut
    last_vertex = np.r_[first[1:] - 1, len(coords) - 1]
    line_first = np.full(n, -1)
    line_first[owner[first]] = first
    line_last = np.full(n, -1)
    line_last[owner[first]] = last_vertex
    after = np.clip(after, line_first[cut_line] + 1, line_last[cut_line])  # guard float ties
    before = after - 1
    span = cum[after] - cum[before]
    t = np.where(span > 0, (cut_at - cum[before]) / np.where(span > 0, span, 1), 0.0)
    cut_xy = coords[before] + (coords[after] - coords[before]) * t[:, None]

    # piece number of each vertex and cut point within its line
    cuts_per_line = np.bincount(cut_line, minlength=n)
    line_offset = np.r_[0, np.cumsum(cuts_per_line + 1)[:-1]]
    # number of cuts at or before each vertex along its line:
    cuts_before_vertex = np.searchsorted(key_c, key_v, side="right") - np.r_[0, np.cumsum(cuts_per_line)][owner]
    vertex_piece = line_offset[owner] + cuts_before_vertex
    rank_in_line = np.arange(len(cut_line)) - np.r_[0, np.cumsum(cuts_per_line)][cut_line]
    cut_piece_end = line_offset[cut_line] + rank_in_line          # the piece the cut closes
    cut_piece_start = cut_piece_end + 1                           # the piece it opens

    # a vertex lying exactly on a cut belongs to the later piece; it is replaced by the cut point
    on_cut = np.zeros(len(coords), bool)
    exact = np.isclose(cum[before], cut_at) & (before >= 0)
    on_cut[before[exact]] = True
    xs = np.concatenate([coords[~on_cut], cut_xy, cut_xy])
    piece = np.concatenate([vertex_piece[~on_cut], cut_piece_end, cut_piece_start])
    pos = np.concatenate([cum[~on_cut], cut_at, cut_at])
    tie = np.concatenate([np.ones((~on_cut).sum()), np.full(len(cut_at), 2), np.zeros(len(cut_at))])
    order = np.lexsort((tie, pos, piece))
    xs, piece, pos = xs[order], piece[order], pos[order]

    n_pieces = int(line_offset[-1] + cuts_per_line[-1] + 1) if n else 0
    counts = np.bincount(piece, minlength=n_pieces)
    pieces = shapely.linestrings(xs, indices=piece)
    piece_line = np.repeat(np.arange(n), cuts_per_line + 1)
    starts = np.r_[0, np.cumsum(counts)[:-1]]
    piece_from = pos[starts]
    piece_to = pos[starts + counts - 1]
    return pieces, piece_line, piece_from, piece_to


def split_roads(
    roads: gpd.GeoDataFrame, *, segment_km: float, crs: object | None = None
) -> gpd.GeoDataFrame:
    """Split roads into segments of at most ``segment_km``, of equal length per road.

    Parameters
    ----------
    roads : GeoDataFrame
        Lines in any CRS (a road layer from :func:`geokit.read_roads`).
    segment_km : float
        Longest segment, in kilometres. A road of length L becomes
        ceil(L / segment_km) segments of equal length.
    crs : optional
        Metric CRS to cut in; chosen for the layer when omitted.

    Returns
    -------
    GeoDataFrame in EPSG:4326
        One row per segment with the road's attributes, ``segment_id``,
        ``road_index`` (row of ``roads``), ``part`` (of a MultiLineString),
        ``from_km`` / ``to_km`` (position along the road part, metric CRS) and
        ``length_km`` (geodesic).

    Examples
    --------
    >>> import shapely
    >>> road = gpd.GeoDataFrame({"ref": ["RN1"]},
    ...     geometry=[shapely.LineString([(0, 0), (0.5, 0)])], crs=4326)   # 55.7 km
    >>> seg = split_roads(road, segment_km=20)
    >>> len(seg), seg["length_km"].round(1).tolist()
    (3, [18.6, 18.6, 18.6])
    """
    if segment_km <= 0:
        raise ValueError(f"segment_km must be positive, not {segment_km}")
    target = crs if crs is not None else choose_metric_crs(roads)
    lines = explode_lines(roads.to_crs(target))
    require_projected(lines, "the roads")
    geoms = lines.geometry.array
    length_m = shapely.length(geoms)
    n_pieces = np.maximum(np.ceil(length_m / (segment_km * 1000) - 1e-9), 1).astype(int)
    cut_line = np.repeat(np.arange(len(lines)), n_pieces - 1)
    rank = np.arange(len(cut_line)) - np.repeat(np.r_[0, np.cumsum(n_pieces - 1)[:-1]], n_pieces - 1)
    cut_at = (rank + 1) * (length_m / n_pieces)[cut_line]
    pieces, owner, start, end = cut_lines(geoms, cut_line, cut_at)
    out = lines.drop(columns=lines.geometry.name).iloc[owner].reset_index(drop=True)
    out["from_km"] = start / 1000
    out["to_km"] = end / 1000
    seg = gpd.GeoDataFrame(out, geometry=gpd.GeoSeries(pieces, crs=lines.crs).values, crs=lines.crs)
    seg = seg.to_crs(WGS84)
    seg["length_km"] = geodesic_length_km(seg)
    seg.insert(0, "segment_id", np.arange(len(seg)))
    return seg
