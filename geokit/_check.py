"""Type and range checks of parameter values, shared by every parameter class.

Each check raises :class:`~geokit.InputError` naming the parameter, the value
and the allowed range, so a project file, a command-line option and a Python
call get the same message (the caller adds where the value came from).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from geokit._errors import InputError

__all__ = ["number", "whole_number", "names", "physical_memory_bytes", "cores", "on_every_core", "YEARS"]


def number(name: str, value: Any, *, low: float, high: float, unit: str = "", low_open: bool = True) -> float:
    """A finite real number in ``(low, high]`` (or ``[low, high]`` with ``low_open=False``).

    Examples
    --------
    >>> number("radius_km", 10, low=0, high=500, unit="km")
    10.0
    >>> number("radius_km", float("inf"), low=0, high=500, unit="km")
    Traceback (most recent call last):
    ...
    geokit._errors.InputError: radius_km = inf must be a finite number above 0 and at most 500 km
    """
    bound = f"above {low:g}" if low_open else f"at least {low:g}"
    wanted = f"must be a finite number {bound} and at most {high:g}{' ' + unit if unit else ''}"
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(f"{name} = {value!r} {wanted}, not {type(value).__name__}")
    value = float(value)
    if not math.isfinite(value) or value > high or value < low or (low_open and value == low):
        raise InputError(f"{name} = {value:g} {wanted}")
    return value


def whole_number(name: str, value: Any, *, low: int, high: int, unit: str = "") -> int:
    """A whole number in ``[low, high]``; ``30.0`` is accepted as 30.

    Examples
    --------
    >>> whole_number("blockade_days", 30.0, low=1, high=3650, unit="days")
    30
    """
    wanted = f"must be a whole number from {low:,} to {high:,}{' ' + unit if unit else ''}"
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(f"{name} = {value!r} {wanted}, not {type(value).__name__}")
    if isinstance(value, float) and (not math.isfinite(value) or not value.is_integer()):
        raise InputError(f"{name} = {value!r} {wanted}")
    if not low <= value <= high:
        raise InputError(f"{name} = {int(value):,} {wanted}")
    return int(value)


def names(name: str, value: Any, *, example: str) -> tuple[str, ...]:
    """A list of non-empty strings (a lone string is refused: it is not a list of one).

    Examples
    --------
    >>> names("text_columns", ["notes"], example='["notes"]')
    ('notes',)
    """
    if isinstance(value, str):
        raise InputError(f"{name} = {value!r} must be a list of names, e.g. {example}, not a single string")
    if not isinstance(value, Sequence) or not all(isinstance(v, str) and v.strip() for v in value):
        raise InputError(f"{name} = {value!r} must be a list of non-empty names, e.g. {example}")
    return tuple(value)


#: Years a date of an analysis window or an incident may fall in (earlier or later is a typo).
YEARS = (1900, 2100)


def physical_memory_bytes() -> int:
    """The machine's physical memory (16 GB assumed where the system does not say).

    Examples
    --------
    >>> physical_memory_bytes() > 2**20
    True
    """
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # pragma: no cover - not POSIX
        return 16 * 2**30


def cores() -> int:
    """How many threads geokit spreads heavy work over: the machine's cores.

    Examples
    --------
    >>> cores() >= 1
    True
    """
    return os.cpu_count() or 1


_T = TypeVar("_T")
_R = TypeVar("_R")


def on_every_core(fn: Callable[[_T], _R], items: Sequence[_T]) -> list[_R]:
    """``fn`` of each item, in order, on a thread per core (GEOS, and numpy's sorts and sums, release the
    GIL); in this thread when there is one item or one core.

    Examples
    --------
    >>> on_every_core(lambda x: x * x, [1, 2, 3])
    [1, 4, 9]
    """
    if len(items) < 2 or cores() < 2:
        return [fn(item) for item in items]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=cores()) as pool:
        return list(pool.map(fn, items))
