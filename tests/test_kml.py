"""Issue #27 (KML for field teams) and #26 (names escaped once): geokit's own KML writer, read back with
GDAL's KML reader (LIBKML where GDAL has it)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely

from geokit.kml import kml_color, write_kml
from geokit.palette import STATUS_COLORS

ROOT = Path(__file__).resolve().parents[1]
MALI = ROOT / "layers" / "mali_2025"
NS = {"k": "http://www.opengis.net/kml/2.2"}


def _read(path: Path) -> pd.DataFrame:
    return pyogrio.read_dataframe(path)


def test_names_round_trip_exactly_and_descriptions_hold_no_nan(tmp_path):
    towns = gpd.GeoDataFrame({"name": ["N'Djamena", "<b>&amp;"], "population": [1_532_588.0, float("nan")],
                              "country": ["TCD", None], "in_zone": [True, False]},
                             geometry=[shapely.Point(15.04, 12.11), shapely.Point(-8.0, 12.6)], crs=4326)
    path = write_kml(towns, tmp_path / "cities.kml", "cities")
    back = _read(path)
    assert back["Name"].tolist() == ["N'Djamena", "<b>&amp;"]
    first, second = back["description"].tolist()
    assert "1,532,588" in first and "1532588.0" not in first
    assert "nan" not in second.lower() and "country" not in second  # missing fields are left out
    assert back.geometry.iloc[0].equals_exact(shapely.Point(15.04, 12.11), 1e-6)


def test_incidents_and_episodes_carry_time_and_every_placemark_a_style(tmp_path):
    from geokit.cli import main

    out = tmp_path / "out"
    assert main(["build", str(MALI / "project.toml"), "--out", str(out), "--start", "2025-09-01",
                 "--end", "2025-09-30", "--format", "kml", "-q"]) == 0
    incidents = gpd.read_file(out / "layers.gpkg", layer="incidents")
    back = _read(out / "incidents.kml")
    assert len(back) == len(incidents)
    assert sorted(back["timestamp"].dt.strftime("%Y-%m-%d")) == sorted(
        pd.to_datetime(incidents["date"]).dt.strftime("%Y-%m-%d"))
    episodes = pd.read_csv(out / "status_timeline.csv")
    spans = _read(out / "corridor_episodes.kml")
    assert len(spans) == len(episodes)
    assert sorted(spans["begin"].dt.strftime("%Y-%m-%d")) == sorted(episodes["start"])
    assert spans["end"].isna().sum() == episodes["end"].isna().sum()  # the ongoing episodes have no end
    dakar = spans[spans["Name"] == "Dakar-Bamako: blockaded"]
    assert dakar["begin"].dt.strftime("%Y-%m-%d").tolist() == ["2025-09-13"] and dakar["end"].isna().all()
    for name in ("corridors", "corridor_episodes", "detours", "incidents", "crossings", "cities"):
        root = ET.parse(out / f"{name}.kml").getroot()
        styles = {s.get("id") for s in root.iterfind(".//k:Style", NS)}
        used = [u.text for u in root.iterfind(".//k:Placemark/k:styleUrl", NS)]
        assert used and all(u.startswith("#") and u[1:] in styles for u in used), name
        text = (out / f"{name}.kml").read_text(encoding="utf-8")
        assert "edge_ids" not in text and ">nan<" not in text
        names = [n.text for n in root.iterfind(".//k:Placemark/k:name", NS)]
        assert not any("&#x27;" in n or "&amp;" in n for n in names), name  # escaped once, by the XML writer
    corridors = ET.parse(out / "corridors.kml").getroot()
    line = corridors.find(".//k:Style[@id='status-blockaded']/k:LineStyle/k:color", NS)
    assert line.text == kml_color(STATUS_COLORS["blockaded"])
    dakar = next(p for p in corridors.iterfind(".//k:Placemark", NS) if p.find("k:name", NS).text == "Dakar-Bamako")
    assert dakar.find("k:styleUrl", NS).text == "#status-blockaded"
    assert re.search(r"detour \(km\)</th><td>[\d,]+\.\d</td>", dakar.find("k:description", NS).text)


@pytest.mark.parametrize("value, text", [(1444.95612, "1,445.0"), (3.04, "3.0")])
def test_km_to_one_decimal(value, text):
    from geokit.kml import kml_value

    assert kml_value("detour_km", value) == text


def test_control_and_bidi_characters_leave_the_kml_well_formed():
    """A corridor named ``Bamako-Mopti\\x07`` in a project titled with a form feed made every .kml unparsable;
    a right-to-left override in a name would reverse what Google Earth shows."""
    import xml.etree.ElementTree as ET

    import geopandas as gpd
    import shapely

    from geokit.kml import kml_text

    frame = gpd.GeoDataFrame({"name": ["Bamako-Mopti\x07", "Kati \u202eexe.txt"], "status": ["open", "open"]},
                             geometry=[shapely.LineString([(-8, 12.6), (-7, 13)])] * 2, crs=4326)
    text = kml_text(frame, "corridors", title="Mali fuel blockade\x0c2025")
    root = ET.fromstring(text.encode("utf-8"))  # well-formed
    names = [e.text for e in root.iter() if e.tag.endswith("name")]
    assert "Mali fuel blockade\\x0c2025" in names and "Bamako-Mopti\\x07" in names and "Kati \\u202eexe.txt" in names
