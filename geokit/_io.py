"""Atomic output: one file (a temporary name, then a rename) and a whole build folder (a lock, a staging
folder, a manifest and an atomic exchange)."""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from geokit._errors import GeokitError

__all__ = ["atomic_path", "build_lock", "staged_folder", "check_out_folder", "foreign_files", "write_manifest",
           "manifest_path", "MANIFEST", "PRODUCTS", "OPTIONAL_PRODUCTS"]


@contextlib.contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path; on success it replaces ``target`` in one rename.

    On any error the temporary file is removed and ``target`` is untouched,
    so a failed or killed write never leaves a half-written output.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> with atomic_path(d / "a.txt") as tmp:
    ...     _ = tmp.write_text("done")
    >>> (d / "a.txt").read_text()
    'done'
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    tmp.unlink()  # writers such as GDAL want to create the file themselves
    try:
        yield tmp
        os.replace(tmp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


# --- build folders: one lock, one staging folder, one atomic swap ---------------------------------------------

#: The file that marks a folder as a geokit build: every product's size and SHA-256, written last.
MANIFEST = "geokit-build.json"

#: Files every build writes.
PRODUCTS = ("layers.gpkg", "incident_density.tif", "map.html", "summary.csv", "status_timeline.csv",
            "status_chart.png", "summary.json", "build.log", "brief.html")
#: Files some builds write (population by region, the PDF brief, changes against the previous build), and
#: those a batch writes beside its window folders.
OPTIONAL_PRODUCTS = ("population_exposed.csv", "route_options.csv", "places_timeline.csv", "brief.pdf",
                     "changes.csv", "changes.md", "timeline.csv", "timeline_map.html", "index.html")

#: Names geokit writes into a build folder (older builds have no manifest: they are recognised by these):
#: the products, layers in the --format formats, and a batch's window folders.
_PRODUCT_NAME = re.compile("|".join(map(re.escape, PRODUCTS + OPTIONAL_PRODUCTS))
                           + r"|[a-z_]+\.(parquet|geojson|kml)|\d{4}-\d{2}-\d{2}_\d{4}-\d{2}-\d{2}")


def manifest_path(path: str | Path) -> Path:
    """The manifest beside a file :mod:`geokit.sources` fetched.

    Parameters
    ----------
    path : path
        The fetched file.

    Examples
    --------
    >>> manifest_path("data/acled.csv").name
    'acled.csv.manifest.json'
    """
    path = Path(path)
    return path.with_name(path.name + ".manifest.json")


def foreign_files(folder: Path) -> list[str]:
    """Entries of ``folder`` that geokit did not write (its manifest lists what it did).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "map.html").write_text("x"); _ = (d / "notes.txt").write_text("mine")
    >>> foreign_files(d)
    ['notes.txt']
    """
    listed: set[str] = set()
    manifest = folder / MANIFEST
    if manifest.is_file():
        with contextlib.suppress(ValueError, OSError):
            listed = {name.split("/")[0] for name in json.loads(manifest.read_text(encoding="utf-8"))["files"]}
    return sorted(p.name for p in folder.iterdir()
                  if p.name != MANIFEST and p.name not in listed and not _PRODUCT_NAME.fullmatch(p.name))


def check_out_folder(out: Path, *, overwrite: bool) -> None:
    """Refuse, before any work, an output folder geokit cannot or must not replace.

    A build replaces the whole folder, so it must be new, empty, or an earlier
    geokit build (with ``overwrite``); a file, a path under a file, or a
    folder holding files geokit did not write is refused.
    """
    for parent in [out, *out.parents]:
        if parent.exists() and not parent.is_dir():
            where = "is a file" if parent == out else f"lies under {parent}, which is a file"
            raise GeokitError(f"--out {out} {where}; give a folder path")
    if not out.is_dir() or not any(out.iterdir()):
        return
    foreign = foreign_files(out)
    if foreign:
        shown = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
        raise GeokitError(f"{out} holds files geokit did not write ({shown}); a build replaces the whole folder, "
                          "so choose a new or empty --out folder, or move those files")
    if not overwrite:
        raise GeokitError(f"{out} already holds a geokit build; pass --overwrite (overwrite=True) to replace it, "
                          "or choose another folder")


def _hidden(out: Path, what: str) -> str:
    return f".{out.name}.geokit-{what}"


@contextlib.contextmanager
def build_lock(out: Path) -> Iterator[None]:
    """Hold the lock of one output folder for a whole build; a second build into it is refused.

    The lock is a file beside the folder, locked with ``flock``: the system
    releases it when the process ends, even when it is killed. Staging folders
    that a killed build left are removed once the lock is held.
    """
    out = out.absolute()
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        handle = open(out.parent / _hidden(out, "lock"), "a+", encoding="utf-8")  # noqa: SIM115
    except OSError as exc:
        raise _cannot_write(out.parent, exc) from None
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise GeokitError(f"another geokit build ({holder}) is writing {out}; wait for it to finish or "
                              "choose another --out folder") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"process {os.getpid()}")
        handle.flush()
        _recover(out)
        yield
    finally:
        handle.close()


def _recover(out: Path) -> None:
    """Put back what a killed swap left: the previous build (fallback swap only) and stray staging folders."""
    old = sorted(out.parent.glob(_hidden(out, "old-*")))
    if old and not out.exists():
        os.rename(old[-1], out)  # killed between the two renames of the fallback swap: the last build
    for stray in [*out.parent.glob(_hidden(out, "stage-*")), *out.parent.glob(_hidden(out, "old-*")),
                  *(out.glob(".geokit-build-*") if out.is_dir() else [])]:
        shutil.rmtree(stray, ignore_errors=True)


def pause_point(name: str) -> None:
    """Wait here when ``GEOKIT_PAUSE_AT=name:seconds`` is set (tests kill a build at this moment)."""
    point, _, seconds = os.environ.get("GEOKIT_PAUSE_AT", "").partition(":")
    if point == name:
        print(f"geokit: paused at {name}", file=sys.stderr, flush=True)
        time.sleep(float(seconds or 60))


@contextlib.contextmanager
def staged_folder(out: Path) -> Iterator[Path]:
    """Yield an empty staging folder beside ``out``; on success it becomes ``out`` in one step.

    Products are written into the staging folder, a manifest (:data:`MANIFEST`)
    is added, and the staging folder and ``out`` are exchanged atomically
    (``renameat2(RENAME_EXCHANGE)`` on Linux): a reader, or a kill at any
    moment, sees the whole previous build or the whole new one, never a mix.
    Where the system cannot exchange two folders, two renames are used and a
    kill between them is repaired by the next build (:func:`build_lock`).
    Hold :func:`build_lock` around it.
    """
    out = out.absolute()
    try:
        stage = Path(tempfile.mkdtemp(prefix=_hidden(out, "stage-"), dir=out.parent))
    except OSError as exc:
        raise _cannot_write(out.parent, exc) from None
    write_errors = _write_errors()
    try:
        yield stage
        write_manifest(stage)
        pause_point("swap")
        if out.exists():
            _exchange(stage, out)  # the staging path now holds the previous build
        else:
            os.rename(stage, out)
        pause_point("swapped")
    except write_errors as exc:
        raise GeokitError(f"could not write the products of {out}: {_why(exc, stage)}; the previous products, "
                          "if any, are unchanged") from None
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _write_errors() -> tuple[type[BaseException], ...]:
    """What writing a product raises when the disk or the folder fails: OSError from Python, and the
    errors GDAL's writers raise instead (a full disk fails a GeoPackage's commit as a DataSourceError)."""
    from pyogrio.errors import DataLayerError, DataSourceError
    from rasterio.errors import RasterioIOError

    return (OSError, DataSourceError, DataLayerError, RasterioIOError)


def _cannot_write(folder: Path, exc: OSError) -> GeokitError:
    return GeokitError(f"cannot write into {folder}: {exc.strerror}; choose an --out folder you can write to")


def _why(exc: BaseException, stage: Path) -> str:
    """The reason of a failed write, saying when the disk is full (GDAL does not)."""
    reason = (exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)).strip() or type(exc).__name__
    if isinstance(exc, OSError) and exc.filename:
        reason += f" ({exc.filename})"
    with contextlib.suppress(OSError):
        free = shutil.disk_usage(stage.parent).free
        if free < 50 * 2**20 and "space" not in reason:
            reason += f"; the disk has {free / 2**20:.1f} MB free: it is full"
    return reason


def _exchange(a: Path, b: Path) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is not None:
        at_fdcwd, rename_exchange = -100, 2
        if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
            return
        err = ctypes.get_errno()
        if err not in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
            raise OSError(err, os.strerror(err), str(b))
    old = b.parent / f"{_hidden(b, 'old-')}{os.getpid()}"
    os.rename(b, old)
    os.rename(a, b)
    os.rename(old, a)


def write_manifest(folder: Path) -> dict[str, Any]:
    """Write :data:`MANIFEST` into ``folder``: the size and SHA-256 of every file under it.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "a.txt").write_text("done")
    >>> write_manifest(d)["files"]["a.txt"]["bytes"]
    4
    """
    from geokit import __version__

    files = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.name != MANIFEST):
        files[path.relative_to(folder).as_posix()] = {
            "bytes": path.stat().st_size, "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}
    manifest = {"written_by": f"geokit {__version__}", "files": files}
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    return manifest
