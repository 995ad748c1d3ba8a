"""The map's JavaScript and CSS, shipped as files beside this module and inlined into the page."""

from __future__ import annotations

from functools import cache
from importlib.resources import files


@cache
def asset(name: str) -> str:
    """The text of a JavaScript or CSS file of :mod:`geokit.maps` (package data).

    Examples
    --------
    >>> "geokitScale" in asset("decoder.js")
    True
    """
    return (files("geokit.maps") / name).read_text(encoding="utf-8")
