"""A build folder is replaced whole or not at all: kills at chosen moments of the write, two builds at once,
folders geokit must not replace, and write failures (a full disk, no permission)."""

import contextlib
import errno
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys

import pandas as pd
import pytest

from conftest import KAYES_PROJECT, copy_mali_layers

import geokit.build
from geokit import GeokitError
from geokit._io import MANIFEST
from geokit.build import build_project

def _cli(*args, env=None):
    return subprocess.run([sys.executable, "-m", "geokit", *args], capture_output=True, text=True, env=env)


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    return copy_mali_layers(tmp_path_factory.mktemp("project"), text=KAYES_PROJECT)


@pytest.fixture(scope="module")
def september(project, tmp_path_factory):
    """A finished build of September, copied by each test as its 'previous build'."""
    out = tmp_path_factory.mktemp("september") / "out"
    done = _cli("build", str(project), "--out", str(out), "-q")
    assert done.returncode == 0, done.stderr
    return out


def _snapshot(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _consistent(folder):
    """Every file is the one the manifest lists (size and SHA-256), and nothing else is there."""
    manifest = json.loads((folder / MANIFEST).read_text())["files"]
    files = {k: v for k, v in _snapshot(folder).items() if k != MANIFEST}
    assert set(files) == set(manifest)
    for name, data in files.items():
        assert hashlib.sha256(data).hexdigest() == manifest[name]["sha256"], name
    return files


def _paused_build(project, out, point):
    env = {**os.environ, "GEOKIT_PAUSE_AT": f"{point}:120"}
    proc = subprocess.Popen([sys.executable, "-m", "geokit", "build", str(project), "--out", str(out),
                             "--overwrite", "-q", "--start", "2025-10-01", "--end", "2025-10-31"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    for line in proc.stderr:  # wait until the build is inside the moment to kill
        if f"paused at {point}" in line:
            return proc
    proc.wait()
    pytest.fail(f"the build never reached {point} (exit {proc.returncode})")


@pytest.mark.parametrize("point,survivor", [("write", "old"), ("swap", "old"), ("swapped", "new")])
def test_a_kill_at_any_moment_of_the_write_leaves_one_whole_build(project, september, tmp_path, point, survivor):
    out = tmp_path / "out"
    shutil.copytree(september, out)
    before = _snapshot(out)
    proc = _paused_build(project, out, point)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    files = _consistent(out)  # whole: exactly the files its manifest lists, none torn
    if survivor == "old":
        assert _snapshot(out) == before
    else:
        summary = pd.read_csv(out / "summary.csv")
        assert summary.loc[0, "first_incident"] >= "2025-10-01"  # October's build, complete
        assert "changes.md" in files  # compared with September's build it replaced
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".out.geokit-stage-")]
    assert leftovers  # the killed build's staging folder (the new build, or the old one after the swap)
    again = _cli("build", str(project), "--out", str(out), "--overwrite", "-q")
    assert again.returncode == 0, again.stderr
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.geokit-stage-")]  # cleaned
    _consistent(out)


def test_a_second_build_into_the_same_folder_is_refused_while_the_first_runs(project, september, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(september, out)
    first = _paused_build(project, out, "write")
    try:
        second = _cli("build", str(project), "--out", str(out), "--overwrite", "-q")
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    assert second.returncode == 1 and "Traceback" not in second.stderr
    assert f"another geokit build (process {first.pid}) is writing {out}" in second.stderr
    assert _cli("build", str(project), "--out", str(out), "--overwrite", "-q").returncode == 0  # lock released


def test_folders_geokit_must_not_replace_are_refused_before_any_work(project, september, tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "map.html").write_text("my own map")
    (mine / "notes.txt").write_text("my notes")
    for args in (["build", str(project), "--out", str(mine), "--overwrite"], ["demo", "--out", str(mine)]):
        done = _cli(*args)
        assert done.returncode == 1 and "Traceback" not in done.stderr
        assert f"{mine} is not empty and has no {MANIFEST}, so geokit did not write it (it holds map.html, " \
            "notes.txt)" in done.stderr
    assert (mine / "map.html").read_text() == "my own map"  # untouched
    a_file = tmp_path / "a_file"
    a_file.write_text("x")
    done = _cli("build", str(project), "--out", str(a_file))
    assert done.returncode == 1 and f"--out {a_file} is a file" in done.stderr
    done = _cli("build", str(project), "--out", str(a_file / "sub"))
    assert done.returncode == 1 and f"lies under {a_file}, which is a file" in done.stderr
    # a folder without a manifest is no longer recognised by its file names (issue #26: a user's folder of
    # index.html, my_trip.geojson and a dated sub-folder was emptied): an older build is refused like any other
    legacy = tmp_path / "legacy"
    shutil.copytree(september, legacy)
    (legacy / MANIFEST).unlink()
    before = _snapshot(legacy)
    done = _cli("build", str(project), "--out", str(legacy), "--overwrite", "-q")
    assert done.returncode == 1 and f"{legacy} is not empty and has no {MANIFEST}" in done.stderr
    assert _snapshot(legacy) == before


@pytest.mark.parametrize("fault,message", [
    (OSError(errno.ENOSPC, "No space left on device"), "No space left on device"),
    (PermissionError(errno.EACCES, "Permission denied"), "Permission denied"),
])
def test_a_failed_write_keeps_the_previous_build_and_says_why(project, september, tmp_path, monkeypatch,
                                                            fault, message):
    out = tmp_path / "out"
    shutil.copytree(september, out)
    before = _snapshot(out)
    real = geokit.build.write_products

    def failing(analysis, stage, **kw):
        real(analysis, stage, **kw)  # the products are written, then the disk fills
        raise fault

    monkeypatch.setattr(geokit.build, "write_products", failing)
    with pytest.raises(GeokitError, match=f"could not write the products of {out}: {message}.*previous products"):
        build_project(project, out, overwrite=True, start="2025-10-01", end="2025-10-31")
    assert _snapshot(out) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.geokit")
                and not p.name.endswith("lock")]


def test_a_folder_that_cannot_be_written_is_a_clear_error(project, tmp_path, monkeypatch):
    import tempfile

    def denied(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(tempfile, "mkdtemp", denied)
    with pytest.raises(GeokitError, match=f"cannot write into {tmp_path}: Permission denied; choose an --out"):
        build_project(project, tmp_path / "out")


@contextlib.contextmanager
def _tmpfs(folder, options):
    """A small tmpfs mounted on ``folder`` for the test (skipped where mounting is not allowed)."""
    folder.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)],
                      capture_output=True).returncode != 0:
        pytest.skip("cannot mount a tmpfs here (not root)")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], capture_output=True)


def test_a_full_disk_keeps_the_previous_build_and_says_so(project, september, tmp_path):
    """On a real file system that fills up (a small tmpfs; needs the right to mount, as in CI's container)."""
    with _tmpfs(tmp_path / "disk", "size=24m") as disk:
        out = disk / "out"
        shutil.copytree(september, out)
        before = _snapshot(out)
        free = shutil.disk_usage(disk).free
        (disk / "filler").write_bytes(b"\0" * (free - 512 * 1024))  # leave half a megabyte
        done = _cli("build", str(project), "--out", str(out), "--overwrite", "-q", "--start", "2025-10-01",
                    "--end", "2025-10-31")
        assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
        assert f"could not write the products of {out}" in done.stderr
        assert "MB free: it is full; the previous products, if any, are unchanged" in done.stderr
        assert _snapshot(out) == before
        assert sorted(p.name for p in disk.iterdir() if p.name.startswith(".out.geokit")) == [".out.geokit-lock"]


def test_a_read_only_folder_is_a_clear_error_before_the_analysis(project, tmp_path):
    with _tmpfs(tmp_path / "ro", "size=1m,ro") as disk:
        done = _cli("build", str(project), "--out", str(disk / "out"), "-q")
        assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
        assert f"cannot write into {disk}: Read-only file system; choose an --out folder you can write to" \
            in done.stderr
