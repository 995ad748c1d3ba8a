"""Published incident layouts mapped to geokit's incident schema.

Two layouts are recognised natively from their column names:

``acled``
    ACLED exports (``event_id_cnty``, ``event_date``, ``event_type``,
    ``sub_event_type``, ``actor1``, ``actor2``, ``fatalities``,
    ``geo_precision``, ``latitude``, ``longitude``, ``notes``, ...).
``ucdp_ged``
    UCDP Georeferenced Event Dataset (``id``, ``date_start``, ``date_end``,
    ``type_of_violence``, ``side_a``, ``side_b``, ``best``, ``where_prec``,
    ``latitude``, ``longitude``, ``where_coordinates``, ...).

Anything else is ``generic``: canonical names or the aliases in
:data:`geokit.schema.COLUMN_ALIASES` (``event_date``, ``actor1``, ...).

The source columns are always kept beside the canonical ones, so
``sub_event_type``, ``actor2``, ``side_b``, ``date_end`` and the rest stay
available.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

__all__ = ["IncidentFormat", "FORMAT_COLUMNS", "UCDP_VIOLENCE_TYPES", "detect_format"]

IncidentFormat = Literal["acled", "ucdp_ged", "generic"]

#: canonical column <- source column, per recognised layout.
FORMAT_COLUMNS: dict[str, dict[str, str]] = {
    "acled": {
        "event_id": "event_id_cnty",
        "date": "event_date",
        "event_type": "event_type",
        "actor": "actor1",
        "fatalities": "fatalities",
        "notes": "notes",
        "geo_precision": "geo_precision",
    },
    "ucdp_ged": {
        "event_id": "id",
        "date": "date_start",
        "date_end": "date_end",
        "event_type": "type_of_violence",
        "actor": "side_a",
        "fatalities": "best",
        "notes": "source_headline",
        "geo_precision": "where_prec",
    },
}

#: UCDP's ``type_of_violence`` codes, as the GED codebook names them.
UCDP_VIOLENCE_TYPES: dict[int, str] = {
    1: "State-based conflict",
    2: "Non-state conflict",
    3: "One-sided violence",
}

_SIGNATURES: dict[str, frozenset[str]] = {
    "acled": frozenset({"event_id_cnty", "event_date", "actor1"}),
    "ucdp_ged": frozenset({"date_start", "type_of_violence", "side_a", "best"}),
}


def detect_format(columns: Iterable[str]) -> IncidentFormat:
    """Name the incident layout a table's columns follow.

    Parameters
    ----------
    columns : iterable of str
        The table's column names (compared case-insensitively).

    Returns
    -------
    {"acled", "ucdp_ged", "generic"}

    Examples
    --------
    >>> detect_format(["event_id_cnty", "event_date", "actor1", "latitude"])
    'acled'
    >>> detect_format(["id", "date_start", "type_of_violence", "side_a", "best"])
    'ucdp_ged'
    >>> detect_format(["date", "latitude", "longitude"])
    'generic'
    """
    lowered = {str(c).lower() for c in columns}
    for name, signature in _SIGNATURES.items():
        if signature <= lowered:
            return name  # type: ignore[return-value]
    return "generic"
