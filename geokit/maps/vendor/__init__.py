"""Leaflet plugins geokit maps inline (see README.md here): the files as their npm packages ship them.

``BASE_DIR`` lets :mod:`geokit.offline` read them as it reads the xstatic packages' files.
"""

from pathlib import Path

BASE_DIR = str(Path(__file__).parent)
