"""QGIS styles inside the GeoPackage: open layers.gpkg in QGIS and the layers come styled.

QGIS reads a table ``layer_styles`` in a GeoPackage (the layout QGIS itself
writes when a style is saved "in the database") and applies the row marked
``useAsDefault`` to each layer. :func:`write_qgis_styles` adds that table with
one QML style per layer geokit writes: roads and corridors categorised by
status in geokit's palette, exposure zones shaded, incidents, towns and
crossings as simple markers, episodes categorised by status.

Examples
--------
>>> qml = road_status_qml()
>>> "blockaded" in qml and "215,48,39,255" in qml  # #d73027
True
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from xml.sax.saxutils import quoteattr

from geokit.palette import OPEN, DETOUR_COLOR, INCIDENT_COLOR, STATUS_COLORS, STATUS_LABELS, ZONE_COLOR

__all__ = ["write_qgis_styles", "road_status_qml", "STYLED_LAYERS"]


def _rgba(hex_color: str, alpha: int = 255) -> str:
    h = hex_color.lstrip("#")
    return f"{int(h[0:2], 16)},{int(h[2:4], 16)},{int(h[4:6], 16)},{alpha}"


def _symbol(name: str, kind: str, color: str, *, width_mm: float = 0.6, alpha: int = 255,
            shape: str = "circle", size_mm: float = 2.4, dashed: bool = False) -> str:
    if kind == "line":
        layer = ("<layer class=\"SimpleLine\" enabled=\"1\" locked=\"0\" pass=\"0\"><Option type=\"Map\">"
                 f"<Option name=\"line_color\" type=\"QString\" value=\"{_rgba(color, alpha)}\"/>"
                 f"<Option name=\"line_width\" type=\"QString\" value=\"{width_mm}\"/>"
                 "<Option name=\"line_width_unit\" type=\"QString\" value=\"MM\"/>"
                 f"<Option name=\"line_style\" type=\"QString\" value=\"{'dash' if dashed else 'solid'}\"/>"
                 "<Option name=\"capstyle\" type=\"QString\" value=\"round\"/></Option></layer>")
    elif kind == "fill":
        layer = ("<layer class=\"SimpleFill\" enabled=\"1\" locked=\"0\" pass=\"0\"><Option type=\"Map\">"
                 f"<Option name=\"color\" type=\"QString\" value=\"{_rgba(color, alpha)}\"/>"
                 f"<Option name=\"outline_color\" type=\"QString\" value=\"{_rgba(color)}\"/>"
                 "<Option name=\"outline_width\" type=\"QString\" value=\"0.26\"/>"
                 "<Option name=\"style\" type=\"QString\" value=\"solid\"/></Option></layer>")
    else:
        layer = ("<layer class=\"SimpleMarker\" enabled=\"1\" locked=\"0\" pass=\"0\"><Option type=\"Map\">"
                 f"<Option name=\"color\" type=\"QString\" value=\"{_rgba(color, alpha)}\"/>"
                 f"<Option name=\"name\" type=\"QString\" value=\"{shape}\"/>"
                 f"<Option name=\"size\" type=\"QString\" value=\"{size_mm}\"/>"
                 "<Option name=\"outline_color\" type=\"QString\" value=\"255,255,255,255\"/></Option></layer>")
    return (f"<symbol alpha=\"1\" clip_to_extent=\"1\" force_rhr=\"0\" name={quoteattr(name)} "
            f"type=\"{kind}\">{layer}</symbol>")


def _qml(renderer: str) -> str:
    return ("<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
            f"<qgis version=\"3.34\" styleCategories=\"Symbology\">{renderer}</qgis>\n")


def _categorized(field: str, kind: str, *, width_mm: float = 0.6, alpha: int = 255) -> str:
    cats = "".join(f"<category render=\"true\" symbol=\"{i}\" value=\"{status}\" "
                   f"label=\"{STATUS_LABELS[status]}\"/>" for i, status in enumerate(STATUS_COLORS))
    symbols = "".join(_symbol(str(i), kind, color, width_mm=width_mm * (1.0 if status == OPEN else 1.8),
                              alpha=alpha)
                      for i, (status, color) in enumerate(STATUS_COLORS.items()))
    return _qml(f"<renderer-v2 type=\"categorizedSymbol\" attr=\"{field}\" forceraster=\"0\" "
                f"symbollevels=\"0\" enableorderby=\"0\"><categories>{cats}</categories>"
                f"<symbols>{symbols}</symbols></renderer-v2>")


def _single(kind: str, color: str, **kwargs) -> str:
    return _qml("<renderer-v2 type=\"singleSymbol\" forceraster=\"0\" symbollevels=\"0\" enableorderby=\"0\">"
                f"<symbols>{_symbol('0', kind, color, **kwargs)}</symbols></renderer-v2>")


def road_status_qml() -> str:
    """The QML style of road segments: categorised by ``status`` in geokit's colours.

    Examples
    --------
    >>> "<categories>" in road_status_qml() and "blockaded" in road_status_qml()
    True
    """
    return _categorized("status", "line", width_mm=0.5)


#: Layer name -> (geometry column, QML) for every layer a build writes.
STYLED_LAYERS = {
    "roads_status": road_status_qml,
    "corridors": lambda: _categorized("status", "line", width_mm=1.4, alpha=150),
    "corridor_episodes": lambda: _categorized("status", "line", width_mm=1.4, alpha=150),
    "detours": lambda: _single("line", DETOUR_COLOR, width_mm=0.8, dashed=True),
    "exposure_zones": lambda: _single("fill", ZONE_COLOR, alpha=90),
    "incidents": lambda: _single("marker", INCIDENT_COLOR, size_mm=2.2),
    "cities": lambda: _single("marker", "#ffffff", size_mm=2.0),
    "crossings": lambda: _single("marker", "#1f4e9c", shape="diamond", size_mm=3.0),
}


def write_qgis_styles(gpkg: str | Path, *, geometry_column: str = "geom") -> list[str]:
    """Add QGIS default styles for geokit's layers to a GeoPackage (the ``layer_styles`` table).

    Parameters
    ----------
    gpkg : path
        A GeoPackage written by a build.
    geometry_column : str, default "geom"
        The geometry column's name (GDAL writes ``geom``).

    Returns
    -------
    list of str
        The layers that got a style.

    Examples
    --------
    >>> write_qgis_styles(september / "layers.gpkg")[:2]  # a build has them already; writing again replaces them
    ['roads_status', 'corridors']
    """
    path = Path(gpkg)
    styled = []
    with sqlite3.connect(path) as db:
        tables = {row[0] for row in db.execute("SELECT table_name FROM gpkg_contents")}
        db.execute("""CREATE TABLE IF NOT EXISTS layer_styles (
            id INTEGER PRIMARY KEY AUTOINCREMENT, f_table_catalog TEXT(256), f_table_schema TEXT(256),
            f_table_name TEXT(256), f_geometry_column TEXT(256), styleName TEXT(30), styleQML TEXT,
            styleSLD TEXT, useAsDefault BOOLEAN, description TEXT, owner TEXT(30), ui TEXT(30),
            update_time DATETIME DEFAULT CURRENT_TIMESTAMP)""")
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        for name, qml in STYLED_LAYERS.items():
            if name not in tables:
                continue
            db.execute("DELETE FROM layer_styles WHERE f_table_name = ?", (name,))
            db.execute("INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, f_geometry_column, "
                       "styleName, styleQML, styleSLD, useAsDefault, description, owner, ui, update_time) "
                       "VALUES ('', '', ?, ?, ?, ?, '', 1, ?, '', '', ?)",
                       (name, geometry_column, f"geokit {name}", qml(), "geokit default style", now))
            styled.append(name)
        # register the table as plain attributes so GeoPackage validators accept it
        db.execute("INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, last_change) "
                   "VALUES ('layer_styles', 'attributes', 'layer_styles', ?)", (now,))
    return styled
