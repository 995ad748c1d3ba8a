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


#: Reading options whose hints are written in Python keyword form in messages (``encoding='latin-1'``).
_OPTIONS = ("encoding", "date_format", "crs", "layer")


def hints_for(text: str, where: str) -> str:
    """Rewrite the fix hints of a message, written in Python keyword form (``encoding='latin-1'``,
    ``columns={'date': 'when'}``), for where the user gives options: ``"cli"`` (``--encoding latin-1``,
    ``--column date=when``) or ``"toml"`` (a project file's layer table: ``encoding = "latin-1"``).

    Examples
    --------
    >>> hints_for("pass encoding='latin-1' or columns={'date': 'when'}", "cli")
    "pass --encoding 'latin-1' or --column date=when"
    >>> hints_for("pass encoding='latin-1' or columns={'date': 'when'}", "toml")
    'pass encoding = "latin-1" or columns = { date = "when" }'
    """
    import re

    def columns(match: re.Match) -> str:
        pairs = re.findall(r"'(\w+)':\s*('[^']*'|\.\.\.|<\w+>)", match.group(1))
        if where == "cli":
            return " ".join(f"--column {k}={v.strip(chr(39))}" for k, v in pairs)
        return "columns = { " + ", ".join(f'{k} = "{v.strip(chr(39))}"' for k, v in pairs) + " }"

    text = re.sub(r"columns=\{([^}]*)\}", columns, text)
    for option in _OPTIONS:
        flag = "--" + option.replace("_", "-")
        if where == "cli":
            text = re.sub(rf"\b{option}=('[^']*'|None)", lambda m: f"{flag} {m.group(1)}", text)
            text = re.sub(rf"\b{option}=(?=[\s),;.]|$)", flag, text)
        else:
            text = re.sub(rf"\b{option}='([^']*)'", lambda m: f'{option} = "{m.group(1)}"', text)
            text = re.sub(rf"\b{option}=(?=[\s),;.]|$)", f"{option} = ", text)
    if where == "cli":
        text = text.replace(" (overwrite=True)", "")
    return text
