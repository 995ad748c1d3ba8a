"""pyproject.toml and environment.yml declare the same dependencies."""

import re
import tomllib

from conftest import ROOT


def _name_and_bound(spec: str) -> tuple[str, str]:
    match = re.fullmatch(r"\s*([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?\s*(.*?)\s*", spec)  # extras: conda has none
    return match.group(1).lower(), match.group(2).replace(" ", "")


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = dict(_name_and_bound(s) for s in project["dependencies"])
    for extra in ("test", "notebooks", "bench", "dask"):
        wanted.update(_name_and_bound(s) for s in project["optional-dependencies"][extra])
    conda = {}
    text = (ROOT / "environment.yml").read_text()
    deps = text.split("dependencies:", 1)[1]
    for line in deps.splitlines():
        item = re.match(r"\s+-\s+([^#\s]+)", line)
        if item:
            name, bound = _name_and_bound(item.group(1))
            if name not in ("python", "pip"):
                conda[name] = bound
    assert conda == wanted


def test_python_requirement_agrees():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["requires-python"] == ">=3.11"
    assert "python>=3.11" in (ROOT / "environment.yml").read_text()


def test_the_wheel_carries_the_mali_layer_set_and_runs_the_demo_alone(tmp_path):
    """pip install . (not -e) then geokit demo: the layer set ships inside the package (issue #15).

    The wheel is built offline from a copy of the sources, installed without dependencies into a
    folder of its own (the dependencies come from the test environment) and run from elsewhere.
    """
    import os
    import shutil
    import subprocess
    import sys

    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    shutil.copytree(ROOT / "geokit", src / "geokit", symlinks=True,
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "layers", src / "layers", ignore=shutil.ignore_patterns("__pycache__"))
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(tmp_path / "dist"), str(src)],
                   check=True, capture_output=True, cwd=tmp_path)
    wheel = next((tmp_path / "dist").glob("geokit-*.whl"))
    subprocess.run([*pip, "install", "--no-deps", "--target", str(tmp_path / "site"), str(wheel)],
                   check=True, capture_output=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "site")}
    where = subprocess.run([sys.executable, "-c", "import geokit; print(geokit.__file__)"], env=env,
                           cwd=elsewhere, capture_output=True, text=True, check=True).stdout
    assert where.startswith(str(tmp_path / "site"))
    done = subprocess.run([sys.executable, "-m", "geokit", "demo", "--out", "demo", "-q"], env=env, cwd=elsewhere,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    summary = (elsewhere / "demo" / "summary.csv").read_text(encoding="utf-8")
    assert "Dakar-Bamako" in summary and (elsewhere / "demo" / "map.html").stat().st_size > 100_000
