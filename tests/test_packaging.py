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
