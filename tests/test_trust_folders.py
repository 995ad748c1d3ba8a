"""Issue #26, folders: geokit deletes or changes nothing of the user's.

A build replaces only a folder whose manifest (geokit-build.json) says geokit wrote it, and only when every
entry in it is a file the manifest lists, unchanged; anything else is refused before any work, with the path
and the fix, and the user's files stay byte-identical. Paths are literals (no glob), links are never followed
when deleting, folders keep their mode (or follow the umask), ``diff`` writes only into a build and updates
its manifest, and kills at any moment (single builds, ``--every`` batches, ``diff``) leave a whole folder.
"""

import hashlib
import json
import os
import random
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from conftest import KAYES_PROJECT, copy_mali_layers

from geokit import GeokitError, GeokitWarning
from geokit._io import MANIFEST, build_lock, check_out_folder, foreign_files, staged_folder, write_manifest
from geokit.cli import main
from geokit.diff import diff_builds


def _cli(*args, env=None, cwd=None, umask=0o022):
    return subprocess.run([sys.executable, "-m", "geokit", *args], capture_output=True, text=True,
                          env=env, cwd=cwd, preexec_fn=lambda: os.umask(umask))


def _run(capsys, *args):
    """``geokit ARGS`` in this process: (exit status, stderr)."""
    code = main(list(args))
    return code, capsys.readouterr().err


def _snapshot(folder):
    """Every entry under ``folder`` (links as their target text, not followed), with its bytes."""
    out = {}
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            path = Path(root, name)
            rel = path.relative_to(folder).as_posix()
            out[rel] = ("link", os.readlink(path)) if path.is_symlink() else \
                ("dir", None) if path.is_dir() else ("file", path.read_bytes())
    return out


def _consistent(folder):
    """Every file is the one the manifest lists (size and SHA-256), and nothing else is there."""
    manifest = json.loads((folder / MANIFEST).read_text())["files"]
    files = {k: v[1] for k, v in _snapshot(folder).items() if v[0] == "file" and k != MANIFEST}
    assert set(files) == set(manifest), set(files) ^ set(manifest)
    for name, data in files.items():
        assert hashlib.sha256(data).hexdigest() == manifest[name]["sha256"], name
        assert len(data) == manifest[name]["bytes"], name
    return files


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    return copy_mali_layers(tmp_path_factory.mktemp("project"), text=KAYES_PROJECT)


@pytest.fixture(scope="module")
def built(project, tmp_path_factory):
    """One finished build of September (into a new folder, umask 022); tests copy it."""
    out = tmp_path_factory.mktemp("built") / "out"
    done = _cli("build", str(project), "--out", str(out), "-q")
    assert done.returncode == 0, done.stderr
    return out


@pytest.fixture(scope="module")
def batch(project, tmp_path_factory):
    """One finished --every batch (two windows of September)."""
    out = tmp_path_factory.mktemp("batch") / "out"
    done = _cli("build", str(project), "--out", str(out), "--every", "15d", "-q")
    assert done.returncode == 0, done.stderr
    return out


def _copy(folder, to):
    shutil.copytree(folder, to, symlinks=True)
    return to


# --- folders geokit did not write: refused, byte-identical ------------------------------------------------

def _issue_folder(root):
    """The folder of the issue: entries that merely look like products."""
    root.mkdir()
    (root / "index.html").write_text("<h1>my trips</h1>")
    (root / "2025-09-01_2025-09-30").mkdir()
    (root / "2025-09-01_2025-09-30" / "notes.txt").write_text("met the convoy at Kati")
    (root / "my_trip.geojson").write_text('{"type": "FeatureCollection", "features": []}')
    (root / "places.kml").write_text("<kml/>")
    return root


@pytest.mark.parametrize("command", [["build", "{project}", "--out", "{out}", "--overwrite"],
                                     ["build", "{project}", "--out", "{out}", "--overwrite", "--every", "7d"],
                                     ["demo", "--out", "{out}"]], ids=["build", "every", "demo"])
def test_a_folder_that_only_looks_like_products_is_refused(project, tmp_path, capsys, command):
    out = _issue_folder(tmp_path / "mine")
    before = _snapshot(out)
    code, err = _run(capsys, *[a.format(project=project, out=out) for a in command])
    assert code == 1
    assert f"{out} is not empty and has no {MANIFEST}, so geokit did not write it (it holds " \
           "2025-09-01_2025-09-30/, index.html, my_trip.geojson, places.kml); a build replaces the whole " \
           "folder, so choose a new or empty folder, or move those files away" in err
    assert _snapshot(out) == before


def _listed_elsewhere(folder, entry):
    data = json.loads((folder / MANIFEST).read_text())
    data["files"][entry] = {"bytes": 1, "sha256": "0" * 64}
    (folder / MANIFEST).write_text(json.dumps(data))


def _no_manifest(folder):
    (folder / MANIFEST).unlink()


def _bad_manifest(text):
    def spoil(folder):
        (folder / MANIFEST).write_text(text)
    return spoil


def _manifest_link(folder):
    (folder / "elsewhere.json").write_text((folder / MANIFEST).read_text())
    (folder / MANIFEST).unlink()
    (folder / MANIFEST).symlink_to(folder / "elsewhere.json")


def _resaved_summary(folder):
    table = pd.read_csv(folder / "summary.csv")
    table.to_csv(folder / "summary.csv", sep=";", index=False)


def _same_size_edit(folder):
    data = bytearray((folder / "build.log").read_bytes())
    data[0] ^= 1
    (folder / "build.log").write_bytes(bytes(data))


def _link_to_outside(folder):
    (folder / "latest").symlink_to(folder.parent / "outside")


def _product_is_a_link(folder):
    (folder / "map.html").unlink()
    (folder / "map.html").symlink_to(folder.parent / "outside" / "precious.txt")


def _folder_link(folder):
    (folder / "archive").symlink_to(folder.parent / "outside", target_is_directory=True)


@pytest.mark.parametrize("spoil,message", [
    (lambda f: (f / "notes.txt").write_text("mine"), "holds files geokit did not write (notes.txt)"),
    (lambda f: (f / "sub").mkdir(), "holds files geokit did not write (sub/)"),
    (lambda f: ((f / "sub").mkdir(), (f / "sub" / "x.csv").write_text("1")), "(sub/)"),
    (_no_manifest, f"is not empty and has no {MANIFEST}, so geokit did not write it"),
    (_resaved_summary, "holds files geokit did not write (summary.csv (changed since geokit wrote it))"),
    (_same_size_edit, "(build.log (changed since geokit wrote it))"),
    (_link_to_outside, "holds files geokit did not write (latest (a symbolic link))"),
    (_product_is_a_link, "(map.html (a symbolic link))"),
    (_folder_link, "(archive (a symbolic link))"),
    (_manifest_link, "is not a manifest geokit wrote (it is a symbolic link or not a regular file)"),
    (_bad_manifest("{not json"), "is not a manifest geokit wrote (not JSON"),
    (_bad_manifest("[1, 2]"), 'is not a manifest geokit wrote (no "files" object)'),
    (_bad_manifest('{"files": ["map.html"]}'), 'is not a manifest geokit wrote (no "files" object)'),
    (_bad_manifest('{"files": {"../../outside/precious.txt": {"bytes": 8, "sha256": "' + "a" * 64 + '"}}}'),
     "it lists '../../outside/precious.txt', which is not a plain path inside the folder"),
    (_bad_manifest('{"files": {"/etc/passwd": {"bytes": 8, "sha256": "' + "a" * 64 + '"}}}'),
     "it lists '/etc/passwd', which is not a plain path inside the folder"),
    (_bad_manifest('{"files": {"./map.html": {"bytes": 8, "sha256": "' + "a" * 64 + '"}}}'),
     "it lists './map.html'"),
    (_bad_manifest('{"files": {"map.html": {"bytes": "8", "sha256": "x"}}}'),
     "the entry of 'map.html' has no size and SHA-256"),
    (_bad_manifest('{"files": {"map.html": true}}'), "the entry of 'map.html' has no size and SHA-256"),
    (lambda f: _listed_elsewhere(f, "../outside/precious.txt"), "which is not a plain path inside the folder"),
    (_bad_manifest("[" * 100_000), "is not a manifest geokit wrote (not JSON"),
    (lambda f: _listed_elsewhere(f, MANIFEST), "(it lists itself)"),
], ids=["unlisted-file", "empty-folder", "user-folder", "no-manifest", "summary-resaved", "same-size-edit",
        "link-outside", "product-link", "folder-link", "manifest-link", "manifest-not-json", "manifest-list",
        "files-list", "dotdot", "absolute", "dot-part", "bad-entry", "entry-not-object", "added-dotdot",
        "deep-json", "lists-itself"])
def test_a_build_holding_what_geokit_did_not_write_is_refused(built, project, tmp_path, capsys, spoil, message):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "precious.txt").write_text("precious")
    out = _copy(built, tmp_path / "out")
    spoil(out)
    before, kept = _snapshot(out), _snapshot(outside)
    for args in (["build", str(project), "--out", str(out), "--overwrite"], ["demo", "--out", str(out)]):
        code, err = _run(capsys, *args)
        assert code == 1 and message in err, err
        assert f"{out}" in err and ("move those files away" in err or "move its files away" in err)
    assert _snapshot(out) == before and _snapshot(outside) == kept


def test_a_batch_window_holding_a_user_file_is_refused(batch, project, tmp_path, capsys):
    out = _copy(batch, tmp_path / "out")
    window = sorted(p for p in out.iterdir() if p.is_dir())[0]
    assert stat.S_IMODE(window.stat().st_mode) == 0o755  # a window folder follows the umask too
    (window / "notes.txt").write_text("mine")
    before = _snapshot(out)
    code, err = _run(capsys, "build", str(project), "--out", str(out), "--overwrite", "--every", "15d")
    assert code == 1 and f"holds files geokit did not write ({window.name}/notes.txt)" in err
    assert _snapshot(out) == before


# --- dangerous --out folders -----------------------------------------------------------------------------

@pytest.mark.parametrize("where,message", [
    ("project", "holds {project}, which the project reads;"),
    ("project-parent", "holds {project}, which the project reads;"),
    ("cwd", "is the current folder;"),
    ("cwd-parent", "holds the current folder;"),
    ("root", "is the root folder;"),
    ("home", "is the home folder;"),
    ("inside-build", "lies inside the geokit build"),
])
def test_folders_that_must_never_be_replaced_are_refused(built, project, tmp_path, monkeypatch, capsys,
                                                         where, message):
    work = tmp_path / "work"
    (work / "here").mkdir(parents=True)
    monkeypatch.chdir(work / "here")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    inside = _copy(built, tmp_path / "build")
    out = {"project": project.parent, "project-parent": project.parent.parent, "cwd": work / "here",
           "cwd-parent": work, "root": Path("/"), "home": tmp_path / "home", "inside-build": inside / "sub"}[where]
    before = _snapshot(tmp_path)
    code, err = _run(capsys, "build", str(project), "--out", str(out), "--overwrite")
    assert code == 1 and message.format(project=project) in err and f"--out {out}" in err, err
    assert "give a new folder" in err or "choose a folder outside it" in err
    assert _snapshot(tmp_path) == before


def test_the_cwd_is_refused_even_when_empty(project, tmp_path, capsys):
    here = tmp_path / "empty"
    here.mkdir()
    done = _cli("build", str(project), "--out", ".", "--overwrite", cwd=here)
    assert done.returncode == 1 and "--out . is the current folder" in done.stderr
    assert list(here.iterdir()) == []


def test_a_dangling_link_as_out_is_refused(project, tmp_path, capsys):
    link = tmp_path / "out"
    link.symlink_to(tmp_path / "nowhere")
    code, err = _run(capsys, "build", str(project), "--out", str(link))
    assert code == 1
    assert f"--out {link} is a symbolic link to {tmp_path / 'nowhere'}, which does not exist; create that " \
           "folder, or give a real folder as --out" in err
    assert link.is_symlink() and not (tmp_path / "nowhere").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_link_to_a_non_geokit_folder_is_refused(project, tmp_path, capsys):
    mine = _issue_folder(tmp_path / "mine")
    (tmp_path / "out").symlink_to(mine)
    before = _snapshot(mine)
    code, err = _run(capsys, "build", str(project), "--out", str(tmp_path / "out"), "--overwrite")
    assert code == 1 and f"{mine} is not empty and has no {MANIFEST}" in err
    assert _snapshot(mine) == before and (tmp_path / "out").is_symlink()


# --- links, literal names, modes ---------------------------------------------------------------------------

def test_a_linked_out_builds_into_its_target_keeps_its_mode_and_leaves_nothing(built, project, tmp_path):
    real = _copy(built, tmp_path / "www" / "weekly")
    real.chmod(0o750)
    link = tmp_path / "weekly"
    link.symlink_to(real)
    done = _cli("build", str(project), "--out", str(link), "--overwrite", "-q", "--start", "2025-09-10")
    assert done.returncode == 0, done.stderr
    assert link.is_symlink() and os.readlink(link) == str(real)  # the link stays, pointing at the new build
    files = _consistent(real)
    assert "changes.md" in files and pd.read_csv(real / "summary.csv").loc[0, "first_incident"] >= "2025-09-10"
    assert stat.S_IMODE(real.stat().st_mode) == 0o750  # the folder's mode is kept
    assert all(stat.S_IMODE((real / name).stat().st_mode) == 0o644 for name in files)  # umask 022
    assert sorted(p.name for p in tmp_path.iterdir()) == ["weekly", "www"]
    assert sorted(p.name for p in real.parent.iterdir()) == [".weekly.geokit-lock", "weekly"]


def test_a_new_build_folder_follows_the_umask(built):
    assert stat.S_IMODE(built.stat().st_mode) == 0o755  # built with umask 022 (mkdtemp alone gives 700)
    assert {stat.S_IMODE(p.stat().st_mode) for p in built.iterdir()} == {0o644}


@pytest.mark.parametrize("umask,existing,expected", [(0o022, None, 0o755), (0o077, None, 0o700),
                                                     (0o002, None, 0o775), (0o077, 0o755, 0o755),
                                                     (0o022, 0o711, 0o711)])
def test_staged_folders_follow_the_umask_or_keep_the_mode(tmp_path, umask, existing, expected):
    out = tmp_path / "out"
    if existing is not None:
        out.mkdir(mode=0o700)
        out.chmod(existing)
    old = os.umask(umask)
    try:
        with build_lock(out), staged_folder(out) as stage:
            (stage / "summary.csv").write_text("corridor,status\n")
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == expected
    assert stat.S_IMODE((out / "summary.csv").stat().st_mode) == 0o666 & ~umask
    _consistent(out)


@pytest.mark.parametrize("name,other", [("a*", "ab"), ("[ab]", "a"), ("x?", "xy"), ("o.geokit", "o")])
def test_out_names_are_literals_not_patterns(tmp_path, name, other):
    """A build into ``a*`` must not take another build's staging folder for its own."""
    theirs = tmp_path / f".{other}.geokit-stage-abcd1234"
    theirs.mkdir()
    (theirs / "layers.gpkg").write_text("their half-written build")
    old_theirs = tmp_path / f".{other}.geokit-old-4242"
    old_theirs.mkdir()
    mine = tmp_path / f".{name}.geokit-stage-zzzz9999"
    mine.mkdir()  # a stray staging folder of this very folder: removed
    with build_lock(tmp_path / name):
        pass
    assert (theirs / "layers.gpkg").read_text() == "their half-written build" and old_theirs.is_dir()
    assert not mine.exists()


def test_a_stray_staging_folder_is_removed_without_following_its_links(tmp_path):
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.txt").write_text("years of work")
    stray = tmp_path / ".out.geokit-stage-k1ll3d00"
    stray.mkdir()
    (stray / "layers.gpkg").write_text("x")
    (stray / "link").symlink_to(precious, target_is_directory=True)
    linked = tmp_path / ".out.geokit-stage-l1nk0000"
    linked.symlink_to(precious, target_is_directory=True)  # a planted link with a staging folder's name
    with build_lock(tmp_path / "out"):
        pass
    assert not os.path.lexists(stray) and not os.path.lexists(linked)
    assert (precious / "thesis.txt").read_text() == "years of work"


def test_a_planted_old_folder_link_is_not_taken_for_the_previous_build(tmp_path):
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.txt").write_text("years of work")
    (tmp_path / ".out.geokit-old-123").symlink_to(precious, target_is_directory=True)
    with build_lock(tmp_path / "out"):
        pass
    assert not os.path.lexists(tmp_path / "out") and not os.path.lexists(tmp_path / ".out.geokit-old-123")
    assert (precious / "thesis.txt").read_text() == "years of work"


@pytest.mark.parametrize("planted", ["link", "fifo"])
def test_a_planted_lock_file_is_refused(project, tmp_path, capsys, planted):
    lock = tmp_path / ".out.geokit-lock"
    victim = tmp_path / "victim.txt"
    victim.write_text("do not truncate me")
    if planted == "link":
        lock.symlink_to(victim)
        message = f"{lock} is a symbolic link, not geokit's lock file (geokit never follows it); remove it"
    else:
        os.mkfifo(lock)
        message = f"{lock} is not a regular file, so not geokit's lock file; remove it"
    code, err = _run(capsys, "build", str(project), "--out", str(tmp_path / "out"))
    assert code == 1 and message in err, err
    assert victim.read_text() == "do not truncate me" and not (tmp_path / "out").exists()


def test_a_file_added_during_the_build_is_kept_and_the_swap_refused(built, tmp_path):
    out = _copy(built, tmp_path / "out")
    before = _snapshot(out)
    with pytest.raises(GeokitError, match=f"{out} holds files geokit did not write \\(notes.txt\\), added during "
                                          "the build; nothing was replaced"):
        with build_lock(out), staged_folder(out) as stage:
            (stage / "summary.csv").write_text("corridor,status\n")
            (out / "notes.txt").write_text("written while the build ran")
    assert (out / "notes.txt").read_text() == "written while the build ran"
    assert {k: v for k, v in _snapshot(out).items() if k != "notes.txt"} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.geokit-lock", "out"]


def test_a_file_added_in_the_instant_before_the_exchange_is_kept_beside(built, tmp_path, monkeypatch):
    import geokit._io

    out = _copy(built, tmp_path / "out")
    real = geokit._io._exchange

    def racing(a, b):
        (b / "notes.txt").write_text("saved just now")  # after the last check, before the exchange
        real(a, b)

    monkeypatch.setattr(geokit._io, "_exchange", racing)
    with pytest.warns(GeokitWarning, match=f"files added to {out} during the build were kept in {out}.kept-"):
        with build_lock(out), staged_folder(out) as stage:
            (stage / "summary.csv").write_text("corridor,status\n")
    _consistent(out)
    kept = [p for p in tmp_path.iterdir() if p.name.startswith("out.kept-")]
    assert len(kept) == 1 and _snapshot(kept[0]) == {"notes.txt": ("file", b"saved just now")}


def test_foreign_files_trusts_no_manifest_to_widen_what_is_deleted(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "map.html").write_text("x")
    write_manifest(out)
    assert foreign_files(out) == []
    (out / "notes.txt").write_text("mine")
    assert foreign_files(out) == ["notes.txt"]
    check_out_folder(tmp_path / "new", overwrite=False)  # a new folder, and an empty one, are fine
    (tmp_path / "empty").mkdir()
    check_out_folder(tmp_path / "empty", overwrite=False)


# --- diff ----------------------------------------------------------------------------------------------------

def test_diff_adds_its_changes_to_the_manifest(built, tmp_path):
    old, new = _copy(built, tmp_path / "old"), _copy(built, tmp_path / "new")
    done = _cli("diff", str(old), str(new), "-q")
    assert done.returncode == 0, done.stderr
    files = _consistent(new)  # the manifest lists changes.csv and changes.md, with their sizes and hashes
    assert {"changes.csv", "changes.md"} <= set(files)
    assert files["summary.csv"] == (built / "summary.csv").read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == [".new.geokit-lock", "new", "old"]
    assert stat.S_IMODE(new.stat().st_mode) == stat.S_IMODE(built.stat().st_mode)


def test_diff_into_a_new_folder_gives_it_a_manifest(built, tmp_path, capsys):
    code, err = _run(capsys, "diff", str(built), str(built), "--out", str(tmp_path / "reports" / "w1"), "-q")
    assert code == 0, err
    assert sorted(_consistent(tmp_path / "reports" / "w1")) == ["changes.csv", "changes.md"]
    code, err = _run(capsys, "diff", str(built), str(built), "--out", str(tmp_path / "reports" / "w1"), "-q")
    assert code == 0, err  # and again: it is now a geokit folder


def _user_copy(built, folder):
    """A folder with a build's files but no manifest: not geokit's to write into."""
    _copy(built, folder)
    (folder / MANIFEST).unlink()
    (folder / "notes.txt").write_text("mine")
    return folder


@pytest.mark.parametrize("case,message", [
    ("new-not-a-build", "is not empty and has no geokit-build.json, so geokit did not write it"),
    ("out-user-folder", "is not empty and has no geokit-build.json, so geokit did not write it"),
    ("new-has-user-file", "holds files geokit did not write (notes.txt)"),
    ("gpkg-is-geojson", "layers.gpkg is not a GeoPackage (it does not start with the SQLite header); geokit build "
                        "writes one: give the folder of a geokit build, or rebuild it"),
    ("empty-summary", "summary.csv is empty; give the folder of a geokit build, or rebuild it with geokit build"),
    ("no-corridor-column", "summary.csv has no corridor and status columns (it has: name, status); give the "
                           "folder of a geokit build"),
    ("binary-summary", "summary.csv is not a CSV geokit can read"),
])
def test_diff_refuses_with_the_path_and_the_fix(built, tmp_path, capsys, case, message):
    old, new = _copy(built, tmp_path / "old"), _copy(built, tmp_path / "new")
    out = []
    if case == "new-not-a-build":
        new = _user_copy(built, tmp_path / "user")
    elif case == "out-user-folder":
        target = tmp_path / "reports"
        target.mkdir()
        (target / "notes.txt").write_text("mine")
        out = ["--out", str(target)]
    elif case == "new-has-user-file":
        (new / "notes.txt").write_text("mine")
    elif case == "gpkg-is-geojson":
        (old / "layers.gpkg").write_text('{"type": "FeatureCollection", "features": []}')
    elif case == "empty-summary":
        (old / "summary.csv").write_bytes(b"")
    elif case == "no-corridor-column":
        (old / "summary.csv").write_text("name,status\nK,open\n")
    elif case == "binary-summary":
        (old / "summary.csv").write_bytes(b"corridor,status\n\xff\xfe\x00K,open\n")
    before = _snapshot(tmp_path)
    code, err = _run(capsys, "diff", str(old), str(new), *out)
    assert code == 1 and message in err, err
    assert "Traceback" not in err and _snapshot(tmp_path) == before


def _summary(folder, rows, sep=","):
    pd.DataFrame(rows, columns=["corridor", "status", "population_exposed"]).to_csv(
        folder / "summary.csv", sep=sep, index=False)


def test_diff_reads_corridor_names_as_text_and_semicolon_summaries(built, tmp_path):
    old, new = _copy(built, tmp_path / "old"), _copy(built, tmp_path / "new")
    _summary(old, [["1", "open", "10"], ["1.0", "blockaded", ""], ["01", "at_risk", "5"]], sep=";")
    _summary(new, [["1", "blockaded", "12"], ["1.0", "blockaded", ""], ["01", "at_risk", "5"]])
    table = diff_builds(old, new).table
    corridors = table[table["kind"] == "corridor"]
    assert corridors[["id", "old", "new"]].values.tolist() == [["1", "open", "blockaded"]]
    assert table[table["kind"] == "population"][["id", "old", "new"]].values.tolist() == [["1", "10", "12"]]


def test_a_rebuild_over_an_unreadable_previous_summary_succeeds_and_says_so(built, project, tmp_path):
    """A previous summary.csv geokit cannot compare (re-written along with its manifest) must not fail every
    later build (a weekly cron job): the build succeeds and build.log says why there are no changes."""
    out = _copy(built, tmp_path / "out")
    (out / "summary.csv").write_bytes(b"")
    write_manifest(out)
    done = _cli("build", str(project), "--out", str(out), "--overwrite", "-q")
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    files = _consistent(out)
    assert "changes.md" not in files
    log = (out / "build.log").read_text()
    assert f"changes: the previous build could not be compared ({out / 'summary.csv'} is empty" in log


# --- kills: old or new, never mixed --------------------------------------------------------------------------

def _killed(args, *, point=None, after=None, env=None):
    """Run ``geokit ARGS``; kill it at the pause point, or after ``after`` seconds. True if it was killed."""
    env = {**os.environ, **(env or {})}
    if point:
        env["GEOKIT_PAUSE_AT"] = f"{point}:120"
    proc = subprocess.Popen([sys.executable, "-m", "geokit", *args], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE if point else subprocess.DEVNULL, text=True, env=env)
    if point:
        for line in proc.stderr:
            if f"paused at {point}" in line:
                break
    else:
        try:
            proc.wait(timeout=after)
        except subprocess.TimeoutExpired:
            pass
    killed = proc.poll() is None
    if killed:
        proc.send_signal(signal.SIGKILL)
    proc.wait()
    if proc.stderr:
        proc.stderr.close()
    return killed


def _whole(folder, before, *, new):
    """The folder is whole: exactly its manifest's files, and either as before or a complete new one."""
    files = _consistent(folder)
    now = {k: v for k, v in _snapshot(folder).items()}
    assert now == before or new(folder, files), "a mix of two builds"
    return now


def test_forty_random_kills_never_leave_a_mixed_build(built, project, tmp_path):
    out = _copy(built, tmp_path / "out")
    before = _snapshot(out)
    args = ["build", str(project), "--out", str(out), "--overwrite", "-q", "--start", "2025-09-15"]

    def october_half(folder, files):
        return pd.read_csv(folder / "summary.csv").loc[0, "first_incident"] >= "2025-09-15"

    started = time.monotonic()
    assert _killed(args, after=600) is False  # one whole build: how long the kills are spread over
    took = time.monotonic() - started
    before = _whole(out, before, new=october_half)
    rng = random.Random(26)
    kills = attempts = replaced = 0
    while kills < 40 and attempts < 80:
        attempts += 1  # half anywhere in the build, half in its last third (the writes and the swap)
        killed = _killed(args, after=rng.uniform(0.3, 1.05 * took) if attempts % 2 else
                         rng.uniform(0.65 * took, 1.05 * took))
        kills += killed
        now = _whole(out, before, new=october_half)
        replaced += now != before
        before = now
        assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.geokit-old")]
    print(f"\nrandom kills: {kills} of {attempts} builds of {took:.1f} s; the folder changed {replaced} times")
    assert kills >= 40


@pytest.mark.parametrize("point", ["write", "swap", "swapped", 1.5, 3.0, 4.5, 6.0, 7.5])
def test_a_killed_batch_leaves_a_whole_batch(batch, project, tmp_path, point):
    out = _copy(batch, tmp_path / "out")
    before = _snapshot(out)
    args = ["build", str(project), "--out", str(out), "--overwrite", "-q", "--every", "10d"]
    if isinstance(point, str):
        assert _killed(args, point=point)
    else:
        _killed(args, after=point)

    def ten_day_windows(folder, files):
        return "2025-09-01_2025-09-10/summary.csv" in files

    _whole(out, before, new=ten_day_windows)
    if point == "swapped":
        assert _snapshot(out) != before
    with build_lock(out):  # what the next build does first: the killed build's staging folder is removed
        pass
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.geokit-lock", "out"]
    _whole(out, _snapshot(out), new=ten_day_windows)


@pytest.mark.parametrize("point", ["swap", "swapped", 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0])
def test_a_killed_diff_leaves_the_build_whole(built, tmp_path, point):
    old, new = _copy(built, tmp_path / "old"), _copy(built, tmp_path / "new")
    before = _snapshot(new)
    args = ["diff", str(old), str(new), "-q"]
    if isinstance(point, str):
        assert _killed(args, point=point)
    else:
        _killed(args, after=point)

    def with_changes(folder, files):
        return {"changes.csv", "changes.md"} <= set(files) and files["map.html"] == before["map.html"][1]

    _whole(new, before, new=with_changes)
    if point == "swap":  # the next diff cleans up and adds its changes
        assert _cli("diff", str(old), str(new), "-q").returncode == 0
        assert {"changes.csv", "changes.md"} <= set(_consistent(new))
    else:
        with build_lock(new):
            pass
    assert sorted(p.name for p in tmp_path.iterdir()) == [".new.geokit-lock", "new", "old"]


# --- tables asked for with --csv never replace the project's files or a build's ---------------------------------

@pytest.mark.parametrize("target, message", [
    ("project.toml", "is a file of the project"),
    ("incidents.csv", "is a file of the project"),
    ("roads.geojson", "is a file of the project"),
    ("build/summary.csv", "lies inside a geokit build"),
    ("a_folder", "is a folder"),
    ("notes.txt/x.csv", "which is a file"),
])
@pytest.mark.parametrize("command", ["timeline", "route"])
def test_csv_tables_never_replace_the_project_or_a_build(tmp_path, capsys, command, target, message):
    (tmp_path / "p").mkdir()
    project = copy_mali_layers(tmp_path / "p", text=KAYES_PROJECT)
    folder = project.parent
    (folder / "build").mkdir()
    (folder / "build" / "summary.csv").write_text("corridor,status\nK,open\n")
    write_manifest(folder / "build")
    (folder / "a_folder").mkdir()
    (folder / "notes.txt").write_text("mine")
    before = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    args = [command, str(project), "--csv", str(folder / target), "-q"]
    if command == "route":
        args += ["--from", "Kayes", "--to", "Bamako"]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()} == before


def test_a_csv_table_that_cannot_be_written_is_one_line(tmp_path, capsys):
    (tmp_path / "p").mkdir()
    project = copy_mali_layers(tmp_path / "p", text=KAYES_PROJECT)
    assert main(["timeline", str(project), "--csv", "/proc/geokit-test/x.csv", "-q"]) == 1
    err = capsys.readouterr().err
    assert "cannot write /proc/geokit-test/x.csv" in err and "Traceback" not in err


@pytest.mark.parametrize("kind", ["link outside", "huge"])
def test_a_fetch_manifest_beside_a_layer_is_read_only_when_small_and_regular(tmp_path, kind):
    """A received project's ``incidents.csv.manifest.json`` must not make a build read elsewhere or 6 GB."""
    from geokit.build import _fetch_manifests
    from geokit.project import load_project

    (tmp_path / "p").mkdir()
    project = copy_mali_layers(tmp_path / "p", text=KAYES_PROJECT)
    manifest = project.parent / "incidents.csv.manifest.json"
    secret = tmp_path / "secret.json"
    secret.write_text(json.dumps({"file": "s", "source": "SECRET", "api_url": "x", "fetched_at": "t", "rows": 1,
                                  "terms": "t"}))
    if kind == "link outside":
        manifest.symlink_to(secret)
    else:
        with open(manifest, "wb") as handle:
            handle.truncate(6 * 2**30)  # sparse: no disk used
    assert _fetch_manifests(load_project(project)) == []


def test_a_planted_old_build_beside_a_new_out_is_never_adopted(built, project, tmp_path, capsys):
    """A received project folder with ``.o.geokit-old-1/`` (a build whose summary says Abidjan was open) must
    not become "the previous build" of ``--out o``: changes.md would report a change that never happened."""
    planted = tmp_path / ".o.geokit-old-1"
    shutil.copytree(built, planted, symlinks=True)
    before = {p: p.read_bytes() for p in planted.rglob("*") if p.is_file()}
    assert main(["build", str(project), "--out", str(tmp_path / "o"), "-q"]) == 1
    err = capsys.readouterr().err
    assert "looks like a build left by an interrupted swap" in err and "rename it to" in err
    assert not (tmp_path / "o").exists()
    assert {p: p.read_bytes() for p in planted.rglob("*") if p.is_file()} == before
