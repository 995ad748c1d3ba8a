"""The notebooks run top to bottom in a fresh kernel, and are committed without outputs."""

import time

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_there_are_three_notebooks():
    assert [p.name for p in NOTEBOOKS] == [
        "01_mali_fuel_blockade.ipynb", "02_your_own_data.ipynb", "03_batch_and_scale.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{path.name} has outputs: strip them"


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs(path):
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(ROOT / "notebooks")}}).execute()
    assert time.perf_counter() - start < 120
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors
    maps = [o["data"]["text/html"] for c in nb.cells if c.cell_type == "code" for o in c.outputs
            if "srcdoc" in o.get("data", {}).get("text/html", "")]
    for shown in maps:  # maps shown inline need no network: no remote script or stylesheet
        import html
        import re

        page = html.unescape(shown)
        assert not re.search(r"<script[^>]+src=\"https?:", page) and not re.search(r"<link[^>]+href=\"https?:", page)
    if path.stem.startswith("01"):  # the corridor status chart shows inline, as an image
        chart = [c for c in nb.cells if c.cell_type == "code" and "status_chart(" in c.source]
        assert chart and any("image/png" in o.get("data", {}) for o in chart[0].outputs)
