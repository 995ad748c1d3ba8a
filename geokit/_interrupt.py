"""Ctrl-C in the ``geokit`` command: one line ("geokit: interrupted") and exit status 130, whenever it comes.

Python answers Ctrl-C by raising :class:`KeyboardInterrupt` wherever the program is, which prints a
traceback unless something catches it. :func:`geokit.cli.main` catches it while a command runs (the
build's staging folder and lock are released on the way out), but Ctrl-C may also come while the
command starts (Python imports geokit and its libraries) or while the process ends. So when geokit
runs as the command (``geokit ...`` or ``python -m geokit ...``, see :func:`is_command`), the package's
``__init__`` calls :func:`exit_on_interrupt` before anything else is imported, and :func:`geokit.cli.main`
lets Ctrl-C raise only while the command itself runs. Imported as a library, geokit leaves Ctrl-C alone.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path
from types import FrameType

__all__ = ["is_command", "exit_on_interrupt", "raise_on_interrupt", "INTERRUPTED", "STATUS"]

#: What the command prints on Ctrl-C, and its exit status (128 + SIGINT, as a shell reports it).
INTERRUPTED = "geokit: interrupted"
STATUS = 130


def is_command() -> bool:
    """Whether this process is the ``geokit`` command: ``python -m geokit`` or the console script.

    Returns
    -------
    bool

    Examples
    --------
    >>> is_command()  # pytest is not the geokit command
    False
    """
    args = list(getattr(sys, "orig_argv", []))
    if any(a == "-m" and b == "geokit" for a, b in zip(args, args[1:])):
        return True
    main = sys.modules.get("__main__")
    script = getattr(main, "__file__", None) or ""
    return bool(sys.argv) and Path(sys.argv[0]).name in ("geokit", "geokit.exe") and \
        Path(script).name in ("geokit", "geokit.exe")


def _exit(signum: int, frame: FrameType | None) -> None:
    try:
        sys.stdout.flush()
    except Exception:  # noqa: BLE001  (interrupted in the middle of a write: nothing more to save)
        pass
    os.write(2, (INTERRUPTED + "\n").encode())
    os._exit(STATUS)


def exit_on_interrupt(moment: str) -> None:
    """From now on Ctrl-C prints :data:`INTERRUPTED` and ends the process with :data:`STATUS` at once.

    For the moments nothing is left to clean up: while the command starts and while it ends.

    Parameters
    ----------
    moment : str
        ``"import"`` or ``"exit"``: ``GEOKIT_PAUSE_AT=<moment>:SECONDS`` waits here then (tests
        interrupt the command at that moment).
    """
    signal.signal(signal.SIGINT, _exit)
    point, _, seconds = os.environ.get("GEOKIT_PAUSE_AT", "").partition(":")
    if point == moment:
        print(f"geokit: paused at {moment}", file=sys.stderr, flush=True)
        time.sleep(float(seconds or 60))


def raise_on_interrupt() -> None:
    """From now on Ctrl-C raises :class:`KeyboardInterrupt` (Python's default): while a command runs,
    so that ``finally`` blocks and context managers clean up."""
    signal.signal(signal.SIGINT, signal.default_int_handler)
