"""The geokit command: exit codes, messages, no tracebacks for user mistakes."""

import subprocess
import sys

import geopandas as gpd
import shapely

from conftest import MALI
from geokit.cli import main


def run(*args):
    return subprocess.run([sys.executable, "-m", "geokit", *args], capture_output=True, text=True)


def test_help_lists_commands_and_examples():
    done = run("--help")
    assert done.returncode == 0
    for command in ("validate", "info", "demo"):
        assert command in done.stdout
    done = run("validate", "--help")
    assert done.returncode == 0 and "examples:" in done.stdout


def test_usage_error_exits_2():
    assert run("validate").returncode == 2
    assert run("frobnicate").returncode == 2
    assert run("validate", "x.gpkg", "--kind", "railways").returncode == 2


def test_validate_reports_problems_and_exits_1_without_traceback(tmp_path):
    path = tmp_path / "incidents.csv"
    path.write_text("event_date,longitude,latitude\n2025-09-01,-8,12.6\nnot a date,-8,95\n")
    done = run("validate", str(path), "--kind", "incidents")
    assert done.returncode == 1
    assert "ERROR:" in done.stdout and "CSV line 3" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr


def test_missing_file_exits_1_with_message(tmp_path):
    done = run("validate", str(tmp_path / "nope.gpkg"), "--kind", "roads")
    assert done.returncode == 1
    assert "no such file" in done.stderr and "Traceback" not in done.stderr


def test_column_mapping_option(tmp_path, capsys):
    path = tmp_path / "towns.gpkg"
    gpd.GeoDataFrame({"nom": ["Kita"]}, geometry=[shapely.Point(-9.49, 13.04)], crs=4326).to_file(path)
    assert main(["validate", str(path), "--kind", "cities"]) == 1
    assert "required column 'name' is missing" in capsys.readouterr().out
    assert main(["validate", str(path), "--kind", "cities", "--column", "name=nom"]) == 0
    assert main(["validate", str(path), "--kind", "cities", "--column", "name"]) == 1
    assert "is not CANONICAL=SOURCE" in capsys.readouterr().err


def test_info_describes_a_layer(tmp_path):
    path = tmp_path / "roads.geojson"
    gpd.GeoDataFrame({"highway": ["trunk"]}, geometry=[shapely.LineString([(-8, 12.6), (-9, 13)])],
                     crs=4326).to_file(path)
    done = run("info", str(path))
    assert done.returncode == 0
    assert "kind:     roads (guessed" in done.stdout
    assert "extent:   lon -9.0000 .. -8.0000, lat 12.6000 .. 13.0000" in done.stdout


def test_dates_on_the_command_line_are_iso_or_refused(tmp_path):
    """Issue #19: --start 01/10/2025 was read month-first (9 January); now it is refused with the fix."""
    done = run("build", str(MALI / "project.toml"), "--out", str(tmp_path / "out"), "--start", "01/10/2025")
    assert done.returncode == 1
    assert "is not an ISO date; write it as YYYY-MM-DD" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "out" / "summary.csv").exists()


def test_verbose_shows_geokit_debug_but_not_the_libraries(tmp_path):
    """Issue #19: -v gives geokit's own debug lines; rasterio and pyogrio stay quiet unless -vv."""
    done = run("build", str(MALI / "project.toml"), "--out", str(tmp_path / "v"), "--start", "2025-09-01",
               "--end", "2025-09-30", "-v")
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.startswith("DEBUG")]
    assert not [line for line in lines if not line.startswith("DEBUG geokit")], lines[:3]


def test_commands_run_with_fewer_garbage_collections_then_restore_them(monkeypatch):
    """A command runs with the cyclic collector's first threshold raised (a build's millions of short-lived
    objects), and the interpreter's thresholds are as they were afterwards, on success and on error."""
    import gc

    import geokit.cli as cli

    seen = []
    before = gc.get_threshold()

    def command(args):
        seen.append(gc.get_threshold())
        if len(seen) == 2:
            raise cli.GeokitError("boom")
        return 0

    monkeypatch.setitem(cli._COMMANDS, "validate", command)
    assert main(["validate", "x.geojson", "--kind", "roads"]) == 0
    assert main(["validate", "x.geojson", "--kind", "roads"]) == 1
    assert seen[0][0] == seen[1][0] == 100_000 > before[0]
    assert gc.get_threshold() == before
