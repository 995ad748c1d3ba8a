"""One vocabulary for statuses on every product: their colours and labels.

Examples
--------
>>> STATUS_COLORS["blockaded"], STATUS_LABELS["at_risk"]
('#d73027', 'at risk')
"""

from __future__ import annotations

from geokit.timeline import STATUSES

__all__ = ["STATUSES", "STATUS_COLORS", "STATUS_LABELS", "DETOUR_COLOR", "ZONE_COLOR", "INCIDENT_COLOR"]

#: Colour of each status (ColorBrewer RdYlGn ends and an orange that reads in print).
STATUS_COLORS = {"open": "#1a9850", "at_risk": "#f28e2b", "blockaded": "#d73027"}
#: How each status reads in a legend or a table.
STATUS_LABELS = {"open": "open", "at_risk": "at risk", "blockaded": "blockaded"}
DETOUR_COLOR = "#3b5bdb"
ZONE_COLOR = "#ef3b2c"
INCIDENT_COLOR = "#cb181d"

assert set(STATUS_COLORS) == set(STATUSES) == set(STATUS_LABELS)
