"""Project file -> products, written atomically into an output folder.

This first version loads and validates every layer of a project and writes
them, canonical and in EPSG:4326, to ``layers.gpkg`` with a validation log
and a JSON summary. The analysis products join it as the analysis engine
lands.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import geopandas as gpd
import pandas as pd
from tqdm.auto import tqdm

from geokit._errors import GeokitError
from geokit._io import atomic_path
from geokit.layers import load_layer
from geokit.project import Project, load_project

__all__ = ["build_project", "load_project_layers", "default_project_path"]

log = logging.getLogger(__name__)


def default_project_path() -> Path:
    """The shipped Mali 2025 project file (in a source checkout of geokit)."""
    path = Path(__file__).resolve().parents[1] / "layers" / "mali_2025" / "project.toml"
    if not path.is_file():
        raise GeokitError(f"the shipped project {path} is not there; geokit demo needs a source "
                          "checkout (pip install -e .), or pass --project")
    return path


def load_project_layers(project: Project, *, progress: bool = False
                        ) -> tuple[dict[str, gpd.GeoDataFrame], list[str]]:
    """Load every layer of a project; several incident sources are concatenated.

    Returns the layers by kind and the lines of the validation log.
    """
    layers: dict[str, gpd.GeoDataFrame] = {}
    log_lines: list[str] = []
    specs = [s for kind in project.layers for s in project.layers[kind]]
    for spec in tqdm(specs, desc="loading layers", disable=not progress, unit="layer"):
        frame, report = load_layer(spec.path, spec.kind, **spec.read_kwargs())
        log_lines.append(report.format())
        if spec.kind in layers:
            frame = pd.concat([layers[spec.kind], frame], ignore_index=True)
        layers[spec.kind] = frame
    return layers, log_lines


def build_project(project_path: str | Path, out_dir: str | Path, *, progress: bool = False
                  ) -> list[Path]:
    """Build a project's products into ``out_dir``; return the files written.

    Examples
    --------
    >>> build_project("layers/mali_2025/project.toml", "out/doc")  # doctest: +SKIP
    """
    project = load_project(project_path)
    layers, log_lines = load_project_layers(project, progress=progress)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with atomic_path(out / "layers.gpkg") as tmp:
        for kind in sorted(layers):
            layers[kind].to_file(tmp, layer=kind, driver="GPKG", engine="pyogrio")
    written.append(out / "layers.gpkg")
    summary = {
        "project": project.name,
        "layers": {kind: int(len(frame)) for kind, frame in sorted(layers.items())},
        "corridors": [c.name for c in project.corridors],
    }
    if "incidents" in layers:
        dates = layers["incidents"]["date"]
        summary["incident_dates"] = [f"{dates.min():%Y-%m-%d}", f"{dates.max():%Y-%m-%d}"]
    with atomic_path(out / "summary.json") as tmp:
        tmp.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    written.append(out / "summary.json")
    with atomic_path(out / "build.log") as tmp:
        tmp.write_text("\n".join(log_lines) + "\n", encoding="utf-8")
    written.append(out / "build.log")
    log.info("built %s into %s", project.name, out)
    return written
