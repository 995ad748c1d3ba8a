"""Self-contained HTML maps: every asset inlined from installed packages.

:func:`save_html` with ``offline=True`` (the default) writes one HTML file
that opens with no network at all:

- Leaflet 1.9.3 (JS, CSS and its images) comes from ``xstatic-leaflet``,
  jQuery from ``xstatic-jquery`` and Leaflet.markercluster from
  ``xstatic-leaflet-markercluster``; their files are read from the installed
  packages and inlined, images as data URIs. No third-party code is copied
  into geokit.
- folium's default Bootstrap, Font Awesome and awesome-markers assets are
  left out: geokit maps do not use them (markers are circles and CSS
  shapes). A map that does use them (an icon or plugin in its element tree,
  not a word in its text) is refused with the list of assets.
- Tile layers are removed (they would fetch tiles); the offline base is the
  country boundary layer drawn by :func:`geokit.maps.corridor_map`.

File size: coordinates are rounded and geometry simplified when the map is
built (``precision`` and ``simplify_m`` of :func:`geokit.maps.corridor_map`);
a :class:`~geokit.GeokitWarning` is raised when the file passes
``warn_mb`` (10 MB by default), the size a field laptop's browser opens in
about a second.
"""

from __future__ import annotations

from typing import cast

import base64
import copy
import importlib
import re
import warnings
from collections.abc import Iterator
from pathlib import Path

import folium
from branca.element import Element

from geokit._errors import GeokitError, GeokitWarning
from geokit._io import atomic_path

__all__ = ["save_html", "offline_page", "uses_dropped_assets", "ASSETS", "DROPPED_ASSETS", "WARN_MB"]

WARN_MB = 10.0

#: URL pattern -> (xstatic package, file in its data folder)
ASSETS: dict[str, tuple[str, str]] = {
    r"/leaflet@1\.9\.3/dist/leaflet\.js$": ("xstatic.pkg.leaflet", "leaflet.js"),
    r"/leaflet@1\.9\.3/dist/leaflet\.css$": ("xstatic.pkg.leaflet", "leaflet.css"),
    r"/jquery-3\.7\.1\.min\.js$": ("xstatic.pkg.jquery", "jquery.min.js"),
    r"/leaflet\.markercluster\.js$": ("xstatic.pkg.leaflet_markercluster", "leaflet.markercluster.js"),
    r"/MarkerCluster\.css$": ("xstatic.pkg.leaflet_markercluster", "MarkerCluster.css"),
    r"/MarkerCluster\.Default\.css$": ("xstatic.pkg.leaflet_markercluster", "MarkerCluster.Default.css"),
    # the plugins of geokit.maps.tools, vendored with their licences in geokit/maps/vendor
    r"/leaflet-search@4\.0\.0/dist/leaflet-search\.min\.js$": ("geokit.maps.vendor",
                                                              "leaflet-search/dist/leaflet-search.min.js"),
    r"/leaflet-search@4\.0\.0/dist/leaflet-search\.min\.css$": ("geokit.maps.vendor",
                                                               "leaflet-search/dist/leaflet-search.min.css"),
    r"/leaflet\.polylinemeasure@3\.0\.0/Leaflet\.PolylineMeasure\.js$": (
        "geokit.maps.vendor", "leaflet.polylinemeasure/Leaflet.PolylineMeasure.js"),
    r"/leaflet\.polylinemeasure@3\.0\.0/Leaflet\.PolylineMeasure\.css$": (
        "geokit.maps.vendor", "leaflet.polylinemeasure/Leaflet.PolylineMeasure.css"),
}

#: folium defaults that geokit maps do not use, left out of offline files.
DROPPED_ASSETS = ("bootstrap", "glyphicons", "fontawesome", "awesome-markers", "awesome.rotate")
#: Markup that needs a dropped stylesheet, as geokit's own markup writes it: ``class="`` with a literal
#: double quote, which text from data never has on a page (html_text writes it ``&quot;``, js_string ``\\"``).
_DROPPED_MARKUP = re.compile(r"class=\"(?:fa[srb]?|glyphicon) ")

_TAG = re.compile(r"<script[^>]*\bsrc=\"(https?://[^\"]+)\"[^>]*>\s*</script>|"
                  r"<link[^>]*\bhref=\"(https?://[^\"]+)\"[^>]*/?>")


def _asset_text(module: str, name: str) -> str:
    try:
        pkg = importlib.import_module(module)
    except ImportError:
        dist = module.replace("xstatic.pkg.", "xstatic-").replace("_", "-")
        raise GeokitError(f"offline maps need the package {dist}; install it with pip install {dist}") from None
    path = Path(pkg.BASE_DIR) / name
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"//# sourceMappingURL=\S+", "", text)
    text = re.sub(r"/\*# sourceMappingURL=\S+ \*/", "", text)
    if name.endswith(".css"):
        def inline(match: re.Match) -> str:
            ref = match.group(1).strip("'\"")
            if ref.startswith("data:"):
                return match.group(0)
            data = (path.parent / ref).read_bytes()
            return f"url(data:image/png;base64,{base64.b64encode(data).decode()})"

        text = re.sub(r"url\(([^)]+\.png)\)", inline, text)
    return text


def _inline(page: str) -> str:
    missing = []

    def replace(match: re.Match) -> str:
        url = match.group(1) or match.group(2)
        for pattern, (module, name) in ASSETS.items():
            if re.search(pattern, url):
                text = _asset_text(module, name)
                if name.endswith(".js"):
                    return f"<script>{text}</script>"
                return f"<style>{text}</style>"
        if any(d in url for d in DROPPED_ASSETS):
            return ""
        missing.append(url)
        return match.group(0)

    page = _TAG.sub(replace, page)
    if missing:
        raise GeokitError("these map assets have no offline copy in an installed package: "
                          + ", ".join(missing) + "; remove the plugin that needs them or save with offline=False")
    return page


def _without_tiles(m: folium.Map) -> folium.Map:
    """A copy of the map without its tile layers, nor what an earlier render left of them on the page; the
    map itself when it has none (copying a map of 100,000 incidents takes seconds)."""
    if not any(isinstance(child, folium.TileLayer) for child in m._children.values()):
        return m
    copied = copy.deepcopy(m)
    root = cast(folium.Figure, copied.get_root())
    for key, child in list(copied._children.items()):
        if isinstance(child, folium.TileLayer):
            del copied._children[key]
            for part in (root.header, root.html, root.script):  # a render before this one keeps its output
                part._children.pop(child.get_name(), None)
    return copied


def offline_page(m: folium.Map, *, tiles: bool = False) -> str:
    """The map as one HTML page with every asset inlined (what :func:`save_html` writes).

    Parameters
    ----------
    m : folium.Map
    tiles : bool, default False
        Keep the tile layers (they load only with a network; the offline base
        layers draw either way).

    Returns
    -------
    str

    Examples
    --------
    >>> from geokit.maps import corridor_map
    >>> "<script src='http" in offline_page(corridor_map(result)).replace('"', "'")  # every asset inlined
    False
    """
    target = m if tiles else _without_tiles(m)
    used = uses_dropped_assets(target)
    page = target.get_root().render()
    if used or _DROPPED_MARKUP.search(_TAG.sub("", page)):
        raise GeokitError("this map uses Bootstrap, Font Awesome or awesome-markers icons, which have no "
                          f"offline copy{' (' + ', '.join(used) + ')' if used else ''}; use circle markers or "
                          "save with offline=False")
    return _inline(page)


def _elements(root: Element) -> Iterator[Element]:
    stack = [root]
    while stack:
        element = stack.pop()
        yield element
        stack.extend(getattr(element, "_children", {}).values())


def uses_dropped_assets(m: folium.Map) -> list[str]:
    """What in a map needs an asset the offline file leaves out (:data:`DROPPED_ASSETS`), found in the
    map's element tree (its icons, plugins and their scripts), never in the text the page shows: a note
    that mentions "glyphicon" or "L.AwesomeMarkers" is data, and data never selects assets.

    Parameters
    ----------
    m : folium.Map

    Returns
    -------
    list of str
        One entry per element that needs a dropped asset (empty for geokit's maps).

    Examples
    --------
    >>> m = folium.Map(tiles=None)
    >>> _ = folium.Marker([12.6, -8.0], tooltip="glyphicon L.AwesomeMarkers").add_to(m)
    >>> uses_dropped_assets(m)
    []
    >>> _ = folium.Marker([12.6, -8.0], icon=folium.Icon(icon="info-sign")).add_to(m)
    >>> uses_dropped_assets(m)  # doctest: +ELLIPSIS
    ['icon_...: awesome-markers icon']
    """
    found = []
    for element in _elements(m.get_root()):
        if isinstance(element, folium.Icon):
            found.append(f"{element.get_name()}: awesome-markers icon")
        elif isinstance(element, folium.DivIcon) and re.search(r"\b(fa[srb]?|glyphicon)\b",
                                                                str(element.options.get("className", ""))):
            found.append(f"{element.get_name()}: Font Awesome or glyphicon class")
        if isinstance(element, folium.Map):  # its default assets are the ones dropped on purpose
            continue
        links = [*getattr(element, "default_js", []), *getattr(element, "default_css", [])]
        found += [f"{element.get_name()}: {url}" for _, url in links
                  if any(d in url.lower().replace("font-awesome", "fontawesome") for d in DROPPED_ASSETS)]
    return found


def save_html(m: folium.Map, path: str | Path, *, offline: bool = True, warn_mb: float = WARN_MB,
              final_path: str | Path | None = None) -> Path:
    """Write a map to one HTML file, atomically.

    Parameters
    ----------
    m : folium.Map
    path : str or Path
    offline : bool, default True
        Inline every asset and drop tile layers, so the file opens with no
        network. ``False`` keeps folium's CDN links and the tiles.
    warn_mb : float, default 10
        Warn when the file is larger than this.
    final_path : str or Path, optional
        Where the file will end up, named by the size warning, when ``path`` is in a staging folder.

    Returns
    -------
    Path of the file written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from geokit.maps import corridor_map
    >>> path = save_html(corridor_map(result), pathlib.Path(tempfile.mkdtemp()) / "map.html")
    >>> path.stat().st_size > 100_000
    True
    """
    page = offline_page(m) if offline else m.get_root().render()
    out = Path(path)
    with atomic_path(out) as tmp:
        tmp.write_text(page, encoding="utf-8")
    size_mb = out.stat().st_size / 1e6
    if size_mb > warn_mb:
        warnings.warn(f"{final_path or out} is {size_mb:.1f} MB (over {warn_mb:g} MB): browsers on field laptops "
                      "will be slow; build the map with a larger simplify_m or fewer decimals (precision)",
                      GeokitWarning, stacklevel=2)
    return out
