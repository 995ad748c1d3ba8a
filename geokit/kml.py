"""KML for field teams: styled by status, with time, and short descriptions people can read.

GDAL's KML driver writes neither ``<TimeStamp>`` nor styles, so geokit
writes KML itself with :mod:`xml.etree.ElementTree`: every text goes into
the tree as it is and the XML writer escapes it once (a name such as
``N'Djamena`` reads back as ``N'Djamena`` in Google Earth and QGIS, not
``N&#x27;Djamena``). Descriptions are small HTML tables (Google Earth shows
them as HTML), so their values are HTML-escaped (:func:`geokit.escape.html_text`)
before the XML writer escapes the whole once more, as KML requires.

- corridors, detours and status episodes are lines coloured by status
  (:mod:`geokit.palette`); episodes carry a ``<TimeSpan>`` (Google Earth's time
  slider steps through them);
- incidents carry a ``<TimeStamp>`` of their day and a red style;
- towns and crossings are styled (towns in an exposure zone, crossings cut off).

Examples
--------
>>> import shapely
>>> frame = gpd.GeoDataFrame({"name": ["N'Djamena"], "population": [1_500_000.0]},
...                          geometry=[shapely.Point(15.04, 12.11)], crs=4326)
>>> text = kml_text(frame, "cities")
>>> "<name>N'Djamena</name>" in text, "1,500,000" in text
(True, True)
"""

from __future__ import annotations

import re

import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geokit._io import atomic_path
from geokit.escape import html_text, plain_text
from geokit.palette import (AT_RISK, BLOCKADED, DETOUR_COLOR, INCIDENT_COLOR, OPEN, STATUS_COLORS, STATUS_LABELS)

__all__ = ["KML_FIELDS", "kml_color", "kml_value", "kml_text", "write_kml"]

KML_NS = "http://www.opengis.net/kml/2.2"

#: Per layer, the fields a description shows (column, label), in order. Other columns (internal ids such
#: as ``edge_ids``, coordinates, provenance) stay in layers.gpkg.
KML_FIELDS: dict[str, Sequence[tuple[str, str]]] = {
    "corridors": [("status", "status at the end"), ("worst_status", "worst in the window"),
                  ("blockaded_since", "blockaded since"), ("blockaded_periods", "blockaded"),
                  ("reopened_on", "reopened on"), ("days_blockaded", "days blockaded"),
                  ("length_km", "length (km)"), ("blockaded_km", "blockaded (km)"), ("at_risk_km", "at risk (km)"),
                  ("towns_cut_off", "towns cut off"), ("detour", "detour"), ("detour_km", "detour (km)"),
                  ("detour_extra_km", "detour adds (km)"), ("detour_towns", "detour through"),
                  ("detour_skips", "detour skips"), ("crossings", "border crossings"),
                  ("n_incidents", "incidents"), ("first_incident", "first incident"),
                  ("last_incident", "last incident")],
    "detours": [("detour_km", "detour (km)"), ("detour_extra_km", "detour adds (km)"),
                ("detour_towns", "through"), ("detour_crossings", "border crossings")],
    "corridor_episodes": [("corridor", "corridor"), ("status", "status"), ("start", "from"), ("end", "to"),
                          ("days", "days"), ("max_blockaded_km", "blockaded (km, at most)"),
                          ("detour", "detour"), ("detour_km", "detour (km)"), ("detour_extra_km", "detour adds (km)"),
                          ("detour_towns", "detour through"), ("detour_skips", "detour skips")],
    "incidents": [("date", "date"), ("event_type", "type"), ("sub_event_type", "what"), ("location", "where"),
                  ("actor1", "actor"), ("fatalities", "killed"), ("notes", "what the source says"),
                  ("source", "source"), ("event_id", "reference")],
    "crossings": [("country_a", "country"), ("country_b", "other country"), ("road_ref", "road"),
                  ("reaches_destination", "still reaches the destination"), ("before_km", "km to destination before"),
                  ("after_km", "km to destination now"), ("in_zone", "in an exposure zone"),
                  ("incidents_within", "incidents nearby"), ("nearest_incident_km", "nearest incident (km)")],
    "cities": [("population", "population"), ("population_year", "figure of"), ("country", "country"),
               ("in_zone", "in an exposure zone"), ("incidents_within", "incidents nearby"),
               ("nearest_incident_km", "nearest incident (km)"), ("before_km", "km to destination before"),
               ("after_km", "km to destination now"), ("isolation", "road to the destination")],
}

#: Whole numbers (counts of people, days, incidents): printed with thousands separators, no decimals.
_WHOLE = ("population", "population_year", "fatalities", "days", "days_blockaded", "n_incidents",
          "incidents_within")
_STATUS_FIELDS = ("status", "worst_status")


def kml_color(hex_color: str, alpha: float = 1.0) -> str:
    """A ``#rrggbb`` colour as KML's ``aabbggrr``.

    Parameters
    ----------
    hex_color : str
        ``#rrggbb`` (:mod:`geokit.palette`).
    alpha : float, default 1
        Opacity from 0 to 1.

    Returns
    -------
    str

    Examples
    --------
    >>> kml_color("#d73027")
    'ff2730d7'
    >>> kml_color("#3b5bdb", 0.5)
    '80db5b3b'
    """
    r, g, b = hex_color[1:3], hex_color[3:5], hex_color[5:7]
    return f"{round(alpha * 255):02x}{b}{g}{r}".lower()


def kml_value(column: str, value: object) -> str:
    """A field as a person reads it: "" when missing, dates as YYYY-MM-DD, km to one decimal, counts whole,
    statuses by their label, booleans as yes/no.

    Parameters
    ----------
    column : str
        The field's column (``*_km`` and other decimals get one decimal; counts and people none).
    value : object
        The value.

    Returns
    -------
    str

    Examples
    --------
    >>> kml_value("detour_km", 1444.9561), kml_value("population", 127368.0), kml_value("notes", float("nan"))
    ('1,445.0', '127,368', '')
    >>> kml_value("date", pd.Timestamp("2025-09-14 13:00")), kml_value("status", "at_risk")
    ('2025-09-14', 'at risk')
    """
    if value is None or value is pd.NaT or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, pd.Timestamp | np.datetime64):
        stamp = pd.Timestamp(value)
        return "" if pd.isna(stamp) else f"{stamp:%Y-%m-%d}"
    if column in _STATUS_FIELDS:
        return STATUS_LABELS.get(str(value), plain_text(value))
    if isinstance(value, int | float | np.integer | np.floating):
        number = float(value)
        if column in _WHOLE or column.startswith("n_"):
            return f"{number:,.0f}"
        return f"{number:,.1f}"
    text = " ".join(plain_text(value).split())
    if text in ("nan", "NaT", "None", "<NA>"):
        return ""
    if column == "blockaded_periods":
        return text.replace("..", " to ")
    return text


def _description(row: pd.Series, fields: Iterable[tuple[str, str]]) -> str:
    """A short HTML table of the row's human fields (values HTML-escaped; the XML writer escapes it again)."""
    cells = []
    for column, label in fields:
        text = kml_value(column, row.get(column))
        if len(text) > 400:  # a long note is cut at a word (the full text is in layers.gpkg)
            text = text[:400].rsplit(" ", 1)[0] + " ..."
        if text:
            cells.append(f"<tr><th align='left'>{html_text(label)}</th><td>{html_text(text)}</td></tr>")
    return f"<table>{''.join(cells)}</table>" if cells else ""


def _coordinates(geom: shapely.Geometry) -> str:
    return " ".join(f"{x:.6f},{y:.6f}" for x, y in np.asarray(shapely.get_coordinates(geom)))


def _geometry(parent: ET.Element, geom: shapely.Geometry) -> None:
    """The KML geometry of a shapely geometry (points, lines, polygons and their collections)."""
    kind = geom.geom_type
    if kind == "Point":
        ET.SubElement(ET.SubElement(parent, "Point"), "coordinates").text = _coordinates(geom)
    elif kind in ("LineString", "LinearRing"):
        line = ET.SubElement(parent, "LineString")
        ET.SubElement(line, "tessellate").text = "1"
        ET.SubElement(line, "coordinates").text = _coordinates(geom)
    elif kind == "Polygon":
        poly = ET.SubElement(parent, "Polygon")
        ring = ET.SubElement(ET.SubElement(poly, "outerBoundaryIs"), "LinearRing")
        ET.SubElement(ring, "coordinates").text = _coordinates(geom.exterior)
        for hole in geom.interiors:
            inner = ET.SubElement(ET.SubElement(poly, "innerBoundaryIs"), "LinearRing")
            ET.SubElement(inner, "coordinates").text = _coordinates(hole)
    else:  # Multi* and collections
        multi = ET.SubElement(parent, "MultiGeometry")
        for part in getattr(geom, "geoms", []):
            _geometry(multi, part)


def _styles(document: ET.Element) -> None:
    """The shared styles: a line style per status and for detours, icons for incidents, towns and crossings."""
    def line(style_id: str, color: str, width: float, alpha: float = 1.0) -> None:
        style = ET.SubElement(document, "Style", id=style_id)
        line_style = ET.SubElement(style, "LineStyle")
        ET.SubElement(line_style, "color").text = kml_color(color, alpha)
        ET.SubElement(line_style, "width").text = f"{width:g}"

    def icon(style_id: str, color: str, scale: float) -> None:
        style = ET.SubElement(document, "Style", id=style_id)
        icon_style = ET.SubElement(style, "IconStyle")
        ET.SubElement(icon_style, "color").text = kml_color(color)
        ET.SubElement(icon_style, "scale").text = f"{scale:g}"
        ET.SubElement(ET.SubElement(style, "LabelStyle"), "scale").text = "0.8"

    for status, width in ((OPEN, 2), (AT_RISK, 4), (BLOCKADED, 6)):
        line(f"status-{status}", STATUS_COLORS[status], width)
    line("detour", DETOUR_COLOR, 4, 0.9)
    icon("incident", INCIDENT_COLOR, 0.9)
    icon("town", "#ffffff", 0.8)
    icon("town-exposed", STATUS_COLORS[AT_RISK], 1.0)
    icon("crossing", "#1f4e9c", 1.0)
    icon("crossing-cut", "#7f7f7f", 1.0)


def _style_of(layer: str, row: pd.Series) -> str:
    """The style a placemark uses."""
    if layer in ("corridors", "corridor_episodes"):
        status = str(row.get("status"))
        return f"#status-{status if status in STATUS_COLORS else OPEN}"
    if layer == "detours":
        return "#detour"
    if layer == "incidents":
        return "#incident"
    if layer == "crossings":
        return "#crossing-cut" if row.get("reaches_destination") is False else "#crossing"
    return "#town-exposed" if bool(row.get("in_zone", False)) else "#town"


def _name_of(layer: str, row: pd.Series) -> str:
    """A placemark's name, as plain text (the XML writer escapes it once)."""
    if layer == "incidents":
        when = kml_value("date", row.get("date"))
        what = kml_value("event_type", row.get("event_type"))
        where = kml_value("location", row.get("location"))
        return " ".join(p for p in (when, what + (f", {where}" if where else "")) if p) or \
            kml_value("event_id", row.get("event_id"))
    if layer == "corridor_episodes":
        return f"{kml_value('corridor', row.get('corridor'))}: {kml_value('status', row.get('status'))}"
    if layer == "detours":
        return f"detour: {kml_value('name', row.get('name'))}"
    return kml_value("name", row.get("name"))


def _time(placemark: ET.Element, layer: str, row: pd.Series) -> None:
    """``<TimeStamp>`` of an incident's day, ``<TimeSpan>`` of an episode (no end while it lasts)."""
    if layer == "incidents":
        when = kml_value("date", row.get("date"))
        if when:
            ET.SubElement(ET.SubElement(placemark, "TimeStamp"), "when").text = when
    elif layer == "corridor_episodes":
        begin, end = kml_value("start", row.get("start")), kml_value("end", row.get("end"))
        if begin or end:
            span = ET.SubElement(placemark, "TimeSpan")
            if begin:
                ET.SubElement(span, "begin").text = begin
            if end:
                ET.SubElement(span, "end").text = end


def kml_text(frame: gpd.GeoDataFrame, layer: str, *, title: str | None = None) -> str:
    """A layer as a KML document (text): styled placemarks with names, descriptions and time.

    Parameters
    ----------
    frame : GeoDataFrame
        A layer of an analysis (``corridors``, ``detours``, ``corridor_episodes``, ``incidents``,
        ``crossings`` or ``cities``), in any CRS.
    layer : str
        Which layer it is (its fields, style and time come from it).
    title : str, optional
        The document's name (default: the layer's).

    Returns
    -------
    str
        The KML, UTF-8 text with its XML declaration.

    Examples
    --------
    >>> import shapely
    >>> inc = gpd.GeoDataFrame({"event_id": ["A1"], "date": [pd.Timestamp("2025-09-14")],
    ...                         "event_type": ["Battles"], "location": ["<b>&amp;"]},
    ...                        geometry=[shapely.Point(-10.9, 14.6)], crs=4326)
    >>> text = kml_text(inc, "incidents")
    >>> "<when>2025-09-14</when>" in text, "<name>2025-09-14 Battles, &lt;b&gt;&amp;amp;</name>" in text
    (True, True)
    """
    root = ET.Element("kml", xmlns=KML_NS)  # the default namespace, declared once on the root
    document = ET.SubElement(root, "Document")
    ET.SubElement(document, "name").text = plain_text(title or layer)
    _styles(document)
    fields = KML_FIELDS.get(layer, [])
    data = frame.to_crs(4326) if frame.crs is not None else frame
    for _, row in data.iterrows():
        geom = row[data.geometry.name]
        if geom is None or geom.is_empty:
            continue
        placemark = ET.SubElement(document, "Placemark")
        ET.SubElement(placemark, "name").text = _name_of(layer, row)
        description = _description(row, fields)
        if description:
            ET.SubElement(placemark, "description").text = description
        _time(placemark, layer, row)
        ET.SubElement(placemark, "styleUrl").text = _style_of(layer, row)
        _geometry(placemark, geom)
    ET.indent(root, space=" ")
    for element in root.iter():  # text from data may hold characters XML forbids, or bidi controls
        if element.text:
            element.text = _xml_text(element.text)
        for key, value in element.attrib.items():
            element.attrib[key] = _xml_text(value)
    return "<?xml version='1.0' encoding='UTF-8'?>\n" + ET.tostring(root, encoding="unicode") + "\n"


def write_kml(frame: gpd.GeoDataFrame, path: str | Path, layer: str, *, title: str | None = None) -> Path:
    """Write a layer as KML (:func:`kml_text`), atomically.

    Parameters
    ----------
    frame : GeoDataFrame
        The layer.
    path : str or Path
        The ``.kml`` file to write.
    layer : str
        Which layer it is (see :func:`kml_text`).
    title : str, optional
        The document's name.

    Returns
    -------
    Path

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = write_kml(result.corridors, pathlib.Path(tempfile.mkdtemp()) / "corridors.kml", "corridors")
    >>> out.read_text(encoding="utf-8").count("<Placemark>") == len(result.corridors)
    True
    """
    out = Path(path)
    with atomic_path(out) as tmp:
        Path(tmp).write_text(kml_text(frame, layer, title=title), encoding="utf-8")
    return out


#: Characters XML 1.0 forbids (C0 controls but tab and line breaks, lone surrogates, U+FFFE/FFFF) and the
#: bidi embeddings, overrides and isolates (which would reverse what a reader sees in Google Earth).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff\u202a-\u202e\u2066-\u2069]")


def _xml_text(value: str) -> str:
    r"""Text for a KML element: each forbidden or bidi character written as a visible escape (``\x07``).

    Examples
    --------
    >>> _xml_text("Bamako-Mopti\x07 \u202etxt.exe")
    'Bamako-Mopti\\x07 \\u202etxt.exe'
    """
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group(0)):02x}" if ord(m.group(0)) < 0x100
                        else f"\\u{ord(m.group(0)):04x}", value)
