"""One vocabulary for statuses on every product: their colours and labels.

Examples
--------
>>> STATUS_COLORS["blockaded"], STATUS_LABELS["at_risk"]
('#d73027', 'at risk')
"""

from __future__ import annotations

from typing import Literal

from geokit.i18n import N_

__all__ = ["OPEN", "AT_RISK", "BLOCKADED", "STATUSES", "Status", "STATUS_COLORS", "STATUS_LABELS", "DETOUR_COLOR",
           "ZONE_COLOR", "INCIDENT_COLOR"]

#: The statuses of a road segment or a corridor on a day, from best to worst (their order is their level).
OPEN, AT_RISK, BLOCKADED = "open", "at_risk", "blockaded"
STATUSES = (OPEN, AT_RISK, BLOCKADED)
Status = Literal["open", "at_risk", "blockaded"]

#: Colour of each status (ColorBrewer RdYlGn ends and an orange that reads in print).
STATUS_COLORS = {OPEN: "#1a9850", AT_RISK: "#f28e2b", BLOCKADED: "#d73027"}
#: How each status reads in a legend or a table.
STATUS_LABELS = {OPEN: N_("open"), AT_RISK: N_("at risk"), BLOCKADED: N_("blockaded")}
DETOUR_COLOR = "#3b5bdb"
ZONE_COLOR = "#ef3b2c"
INCIDENT_COLOR = "#cb181d"

