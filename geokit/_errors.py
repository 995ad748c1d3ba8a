"""The few errors geokit raises for mistakes a user can make.

Every error a user can cause is a :class:`GeokitError`; its message names the
file, key or rows concerned and the fix. The command line prints these
messages and exits with status 1, while any other exception is a bug and keeps
its traceback.
"""

from __future__ import annotations

__all__ = [
    "GeokitError",
    "InputError",
    "CRSError",
    "ProjectError",
    "GeokitWarning",
]


class GeokitError(Exception):
    """Base class of every error a user can cause."""


class InputError(GeokitError, ValueError):
    """A layer file or frame that cannot be used as it is."""


class CRSError(InputError):
    """A missing, unusable or inconsistent coordinate reference system."""


class ProjectError(GeokitError, ValueError):
    """A project file with a missing or invalid key."""


class GeokitWarning(UserWarning):
    """Something was repaired or dropped; the message says what and how many."""
