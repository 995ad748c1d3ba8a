"""README.md stays true: its Python example runs and its commands succeed."""

import os
import re
import shlex
import subprocess
import sys

import pytest

from conftest import ROOT, SHARED_DATA

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_python_example_runs(monkeypatch):
    code = re.search(r"```python\n(.*?)```", README, re.S).group(1)
    monkeypatch.chdir(ROOT)
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)
    summary = namespace["result"].summary().set_index("corridor")
    assert summary.loc["Dakar-Bamako", "status"] == "blockaded"  # as the README says


COMMANDS = [line.strip() for line in re.search(r"## Command line\n\n```sh\n(.*?)```", README, re.S)
            .group(1).splitlines() if line.strip()]


@pytest.mark.parametrize("command", COMMANDS)
def test_cli_commands_in_readme_work(command, tmp_path):
    if "../shared/data" in command and not SHARED_DATA.is_dir():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true but {SHARED_DATA} is missing")
        pytest.skip(f"{SHARED_DATA} is absent")
    argv = shlex.split(command)
    assert argv[0] == ".venv/bin/geokit"
    argv = [sys.executable, "-m", "geokit"] + [str(tmp_path / a) if a.startswith("out/") else a for a in argv[1:]]
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_project_file_example_uses_only_known_keys():
    import tomllib

    from geokit.analysis import AnalysisParams
    from geokit.project import _CORRIDOR_KEYS, _LAYER_KEYS

    block = re.search(r"## Project files.*?```toml\n(.*?)```", README, re.S).group(1)
    data = tomllib.loads(block)
    AnalysisParams.from_table(data["analysis"])  # refuses unknown keys and bad values
    for corridor in data["corridors"]:
        assert set(corridor) <= _CORRIDOR_KEYS
    for entry in data["layers"].values():
        for item in entry if isinstance(entry, list) else [entry]:
            if isinstance(item, dict):
                assert set(item) <= _LAYER_KEYS
    mentioned = set(re.findall(r"(\w+) = ", re.search(r"# a layer table also takes (.*)", block).group(1)))
    assert mentioned <= _LAYER_KEYS
    from geokit.project import SOURCE_KEYS

    for kind, table in data.get("sources", {}).items():
        assert set(table) <= SOURCE_KEYS[kind], kind
    for kind, keys in re.findall(r"\[sources\.(\w+)\] (?:takes )?([\w, ]+?)(?:;|$)", block, re.M):
        assert set(re.findall(r"\w+", keys.replace("and", ""))) - {"each"} <= SOURCE_KEYS[kind], kind
