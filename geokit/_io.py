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
import stat
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from geokit._errors import GeokitError

__all__ = ["atomic_path", "build_lock", "staged_folder", "check_out_folder", "foreign_files", "write_manifest",
           "read_manifest", "resolve_out", "copy_build", "manifest_path", "MANIFEST", "PRODUCTS", "OPTIONAL_PRODUCTS"]


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
    if target.is_dir():
        raise GeokitError(f"{target} is a folder; give a file name")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise GeokitError(f"cannot write {target}: {exc.strerror or exc}; choose a file in a folder you can "
                          "write to") from None
    os.close(fd)
    tmp = Path(name)
    tmp.unlink()  # writers such as GDAL want to create the file themselves
    try:
        yield tmp
        try:
            os.replace(tmp, target)
        except IsADirectoryError:
            raise GeokitError(f"{target} is a folder; give a file name") from None
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


def read_manifest(folder: Path) -> dict[str, dict[str, Any]]:
    """The files :data:`MANIFEST` of ``folder`` lists, checked: ``{relative path: {"bytes", "sha256"}}``.

    The manifest is read as untrusted text: it must be a regular file (not a
    link) holding a JSON object whose ``files`` maps plain relative paths
    (no ``..``, no absolute path, no empty or ``.`` part) to a size and a
    SHA-256. Anything else is a :class:`GeokitError` naming the manifest.

    Parameters
    ----------
    folder : path
        A folder holding a manifest.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "a.txt").write_text("done"); _ = write_manifest(d)
    >>> read_manifest(d)["a.txt"]["bytes"]
    4
    """
    path = Path(folder) / MANIFEST
    why = _manifest_problem(path)
    if isinstance(why, str):
        raise GeokitError(f"{path} is not a manifest geokit wrote ({why}), so geokit will not replace or write "
                          f"into {folder}: choose a new or empty folder, or move its files away")
    return why


def _manifest_problem(path: Path) -> str | dict[str, dict[str, Any]]:
    """The manifest's files, or why it cannot be trusted."""
    try:
        info = path.lstat()
    except OSError as exc:
        return exc.strerror or "unreadable"
    if not stat.S_ISREG(info.st_mode):
        return "it is a symbolic link or not a regular file"
    if info.st_size > _MANIFEST_MAX:
        return f"{info.st_size:,} bytes, more than a manifest holds"
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except (OSError, ValueError, RecursionError) as exc:
        return f"not JSON: {exc}"[:200]
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, dict):
        return 'no "files" object'
    for name, entry in files.items():
        if not _plain_relative(name):
            return f"it lists {name!r}, which is not a plain path inside the folder"[:200]
        if not (isinstance(entry, dict) and type(entry.get("bytes")) is int and entry["bytes"] >= 0
                and isinstance(entry.get("sha256"), str) and _SHA256.fullmatch(entry["sha256"])):
            return f"the entry of {name!r} has no size and SHA-256"[:200]
        if name == MANIFEST:
            return "it lists itself"
    return files


#: The largest manifest read (a batch of a thousand windows lists some 15 000 files: about 2 MB).
_MANIFEST_MAX = 64 * 2**20
_SHA256 = re.compile(r"[0-9a-f]{64}")


def _plain_relative(name: object) -> bool:
    """A path that stays inside its folder: relative, '/'-separated, no empty, '.' or '..' part."""
    return (isinstance(name, str) and 0 < len(name) < 4096 and "\\" not in name and "\0" not in name
            and all(part not in ("", ".", "..") for part in name.split("/")))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(2**20), b""):
            digest.update(block)
    return digest.hexdigest()


def foreign_files(folder: Path, files: dict[str, dict[str, Any]] | None = None) -> list[str]:
    """Entries of ``folder`` geokit did not write, or changed since: what a build must not delete.

    ``files`` is what the folder's manifest lists (:func:`read_manifest`).
    An entry is foreign when the manifest does not list it, when it is a
    symbolic link (geokit writes none), a folder holding no listed file, or a
    listed file whose size or SHA-256 differs ("changed since geokit wrote
    it"). Links are never followed. A listed file that is missing is not
    foreign: there is nothing of anyone's to lose.

    Parameters
    ----------
    folder : path
        The folder to check.
    files : dict, optional
        The manifest's files; read from ``folder`` when omitted (an untrusted
        manifest is refused, see :func:`read_manifest`).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "map.html").write_text("x"); _ = write_manifest(d)
    >>> _ = (d / "notes.txt").write_text("mine")
    >>> foreign_files(d)
    ['notes.txt']
    """
    folder = Path(folder)
    files = read_manifest(folder) if files is None else files
    folders = {"/".join(name.split("/")[:i]) for name in files for i in range(1, name.count("/") + 1)}
    found: list[str] = []
    for root, dirs, names in os.walk(folder):  # never follows links
        rel = Path(root).relative_to(folder).as_posix()
        prefix = "" if rel == "." else rel + "/"
        for name in sorted(dirs):
            if os.path.islink(os.path.join(root, name)):
                found.append(prefix + name + " (a symbolic link)")
            elif prefix + name not in folders:
                found.append(prefix + name + "/")
        dirs[:] = sorted(d for d in dirs if prefix + d in folders and not os.path.islink(os.path.join(root, d)))
        for name in sorted(names):
            key = prefix + name
            if key == MANIFEST:
                continue
            found += _foreign_entry(Path(root, name), key, files)
    return found


def _foreign_entry(path: Path, key: str, files: dict[str, dict[str, Any]]) -> list[str]:
    """``[key and why]`` when the entry at ``path`` is not the file the manifest lists, else ``[]``."""
    try:
        info = path.lstat()
        if stat.S_ISLNK(info.st_mode):
            return [key + " (a symbolic link)"]
        if key not in files:
            return [key]
        if not stat.S_ISREG(info.st_mode):
            return [key + " (not a regular file)"]
        if info.st_size != files[key]["bytes"] or _sha256(path) != files[key]["sha256"]:
            return [key + " (changed since geokit wrote it)"]
    except FileNotFoundError:
        return []  # gone since it was listed: nothing to keep
    except OSError as exc:
        return [f"{key} (unreadable: {exc.strerror})"]
    return []


def resolve_out(out: str | Path) -> Path:
    """The folder a build writes: ``out`` itself, or the folder it links to when it is a symbolic link.

    A build exchanges the whole folder, so a link is resolved first (the link
    stays, pointing at the new build); a link to nothing is refused.

    Parameters
    ----------
    out : path
        The ``--out`` folder as given.

    Examples
    --------
    >>> import tempfile, pathlib, os
    >>> d = pathlib.Path(tempfile.mkdtemp()); (d / "real").mkdir(); os.symlink(d / "real", d / "link")
    >>> resolve_out(d / "link") == (d / "real").resolve()
    True
    """
    out = Path(out)
    if not os.path.islink(out):
        return out
    target = Path(os.path.realpath(out))
    if not target.exists() or os.path.islink(target):
        raise GeokitError(f"--out {out} is a symbolic link to {os.readlink(out)}, which does not exist; create "
                          "that folder, or give a real folder as --out")
    return target


def check_out_folder(out: Path, *, overwrite: bool, protected: tuple[Path, ...] = (), what: str = "--out") -> None:
    """Refuse, before any work, an output folder geokit cannot or must not replace.

    A build replaces the whole folder, so it must be new, empty, or a geokit
    build (its manifest lists every file in it, unchanged) and then only with
    ``overwrite``. Refused: a file or a path under a file; the root, the home
    folder, the current folder or a folder holding it, and a folder holding
    any of ``protected`` (the project file and its layers); a folder inside a
    geokit build; a non-empty folder without a valid manifest; a build holding
    anything its manifest does not list, or a listed file changed since.

    Parameters
    ----------
    out : path
        The output folder (:func:`resolve_out` first).
    overwrite : bool
        Whether an earlier build may be replaced.
    protected : tuple of path, optional
        Paths the folder must not be or hold.
    what : str, default "--out"
        How the folder is named in messages.

    Examples
    --------
    >>> check_out_folder(Path("/"), overwrite=True)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    geokit._errors.GeokitError: --out / is the root folder; a build replaces the whole folder...
    """
    for parent in [out, *out.parents]:
        if parent.exists() and not parent.is_dir():
            where = "is a file" if parent == out else f"lies under {parent}, which is a file"
            raise GeokitError(f"{what} {out} {where}; give a folder path")
    _refuse_precious(out, protected, what)
    real = out.resolve()
    for parent in real.parents:
        if (parent / MANIFEST).is_file():
            raise GeokitError(f"{what} {out} lies inside the geokit build {parent}, which a build replaces whole; "
                              "choose a folder outside it")
    if not out.is_dir() or not any(out.iterdir()):
        return
    if not os.path.lexists(out / MANIFEST):
        entries = sorted(p.name + ("/" if p.is_dir() and not p.is_symlink() else "") for p in out.iterdir())
        raise GeokitError(f"{out} is not empty and has no {MANIFEST}, so geokit did not write it "
                          f"(it holds {_shown(entries)}); a build replaces the whole folder, so choose a new or "
                          "empty folder, or move those files away")
    foreign = foreign_files(out, read_manifest(out))
    if foreign:
        raise GeokitError(f"{out} holds files geokit did not write ({_shown(foreign)}); a build replaces the whole "
                          "folder, so choose a new or empty folder, or move those files away")
    if not overwrite:
        raise GeokitError(f"{out} already holds a geokit build; pass --overwrite (overwrite=True) to replace it, "
                          "or choose another folder")


def _shown(names: list[str]) -> str:
    return ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")


def _refuse_precious(out: Path, protected: tuple[Path, ...], what: str) -> None:
    """Refuse an output folder that is, or holds, the root, a protected path, the current folder or home."""
    real = out.resolve()
    named = [(Path("/"), "the root folder"), *((p, f"{p}, which the project reads") for p in protected),
             (Path.cwd(), "the current folder")]
    with contextlib.suppress(RuntimeError, KeyError):
        named.append((Path.home(), "the home folder"))
    for path, name in named:
        path = path.resolve()
        if real == path or real in path.parents:
            verb = "is" if real == path else "holds"
            raise GeokitError(f"{what} {out} {verb} {name}; a build replaces the whole folder, so give a new "
                              "folder for the products, such as out/NAME")


def _hidden(out: Path, what: str) -> str:
    return f".{out.name}.geokit-{what}"


@contextlib.contextmanager
def build_lock(out: Path) -> Iterator[None]:
    """Hold the lock of one output folder for a whole build; a second build into it is refused.

    The lock is a file beside the folder, locked with ``flock``: the system
    releases it when the process ends, even when it is killed. It is opened
    without following links (a link planted in its place is refused). Staging
    folders that a killed build left are removed once the lock is held.
    """
    out = out.absolute()
    lock = out.parent / _hidden(out, "lock")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, 0o666)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise GeokitError(f"{lock} is a symbolic link, not geokit's lock file (geokit never follows it); "
                              "remove it and build again") from None
        raise _cannot_write(out.parent, exc) from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise GeokitError(f"{lock} is not a regular file, so not geokit's lock file; remove it and build again")
    handle = os.fdopen(fd, "r+", encoding="utf-8")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read(200).strip() or "another process"
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


def _strays(out: Path, what: str) -> list[Path]:
    """What killed builds into ``out`` left beside it (``what``: "stage" or "old"), matched by exact name:
    ``out``'s name is a literal, never a pattern."""
    tail = r"[a-z0-9_]{8}" if what == "stage" else r"\d+"
    pattern = re.compile(re.escape(_hidden(out, f"{what}-")) + tail)
    with os.scandir(out.parent) as entries:
        return sorted(out.parent / e.name for e in entries if pattern.fullmatch(e.name))


def _recover(out: Path) -> None:
    """Put back what a killed swap left: the previous build (fallback swap only) and stray staging folders."""
    old = [p for p in _strays(out, "old") if p.is_dir() and not p.is_symlink()]
    if old and not os.path.lexists(out):
        # a build killed between the two renames of the fallback swap (systems without renameat2) leaves the
        # previous build here; but a folder of that name may also come with a received project: it is never
        # adopted as "the previous build" (its summary would drive changes.md), nor deleted
        raise GeokitError(f"{old[-1]} looks like a build left by an interrupted swap, and {out} does not exist: "
                          f"if it is yours, rename it to {out} (or remove it), then build again")
    for stray in [*_strays(out, "stage"), *_strays(out, "old")]:
        _remove(stray)


def _remove(path: Path) -> None:
    """Remove a staging folder geokit made (never following a link: a link is removed, not its target)."""
    if path.is_symlink() or not path.is_dir():
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
    else:
        shutil.rmtree(path, ignore_errors=True)  # rmtree removes links inside, never what they point at


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
    Just before the exchange ``out`` is checked again (:func:`foreign_files`),
    and afterwards only the files the previous build's manifest lists are
    deleted. The new folder gets the mode of the folder it replaces, or the
    umask's for a new one. Hold :func:`build_lock` around it.
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
        replaced = _check_replaceable(out)
        os.chmod(stage, stat.S_IMODE(os.lstat(out).st_mode) if replaced is not None else 0o777 & ~_umask())
        if replaced is not None:
            _exchange(stage, out)  # the staging path now holds the previous build
        else:
            os.rename(stage, out)
        pause_point("swapped")
        if replaced is not None:
            _discard(stage, replaced, out)
    except write_errors as exc:
        raise GeokitError(f"could not write the products of {out}: {_why(exc, stage)}; the previous products, "
                          "if any, are unchanged") from None
    finally:
        _remove(stage)


def _check_replaceable(out: Path) -> dict[str, dict[str, Any]] | None:
    """What ``out``'s manifest lists (``{}`` for an empty folder), or None when ``out`` does not exist;
    refused when something appeared in it since the build began."""
    if not os.path.lexists(out):
        return None
    if out.is_symlink() or not out.is_dir():
        raise GeokitError(f"{out} became a link or a file during the build; nothing was replaced: move it away "
                          "and build again")
    if not any(out.iterdir()):
        return {}
    files = read_manifest(out)
    foreign = foreign_files(out, files)
    if foreign:
        raise GeokitError(f"{out} holds files geokit did not write ({_shown(foreign)}), added during the build; "
                          "nothing was replaced: move those files away and build again")
    return files


def _discard(old: Path, files: dict[str, dict[str, Any]], out: Path) -> None:
    """Delete the previous build ``old`` (exchanged out of ``out``): only the files its manifest lists, then
    the folders left empty. Anything else (added in the instant before the exchange) is kept, moved beside
    ``out`` and named in a warning."""
    inside = old.resolve()
    for name in [*files, MANIFEST]:
        path = old / name
        if path.parent.resolve().is_relative_to(inside) and not path.is_symlink():  # no link is followed
            with contextlib.suppress(FileNotFoundError, IsADirectoryError, NotADirectoryError):
                path.unlink()
    for root, _dirs, _names in sorted(os.walk(old, topdown=False), key=lambda t: -len(t[0])):
        with contextlib.suppress(OSError):
            os.rmdir(root)
    if os.path.lexists(old):
        kept = out.parent / f"{out.name}.kept-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}"
        os.rename(old, kept)
        import warnings

        from geokit._errors import GeokitWarning

        warnings.warn(f"files added to {out} during the build were kept in {kept}", GeokitWarning, stacklevel=3)


def _umask() -> int:
    """The process's umask (read without changing it where /proc tells it)."""
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def copy_build(folder: Path, stage: Path) -> None:
    """Put the files of the geokit build ``folder`` into the empty ``stage`` (hard links where the file
    system allows, else copies), so that a change to a build is staged and swapped like a build.

    Parameters
    ----------
    folder : path
        A build that :func:`check_out_folder` accepted.
    stage : path
        An empty folder from :func:`staged_folder`.
    """
    for name in read_manifest(folder):
        source, target = folder / name, stage / name
        if not source.is_file() or source.is_symlink():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(source, target, follow_symlinks=False)
        except OSError:
            shutil.copyfile(source, target, follow_symlinks=False)


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
