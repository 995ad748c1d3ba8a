"""Project files: the layers, corridors and parameters of one analysis.

A project file is TOML; paths in it are relative to the file. Example::

    [project]
    name = "Mali fuel blockade 2025"

    [layers]
    roads = "roads.geojson"
    crossings = "border_crossings.geojson"
    cities = "cities.geojson"
    boundaries = { path = "../countries.gpkg", layer = "admin0", columns = { iso_a3 = "ADM0_A3" } }
    incidents = ["incidents.csv", "acled_export.csv"]

    [[corridors]]
    name = "Dakar-Bamako"
    origin = "Dakar"          # a city or crossing name, or [lon, lat]
    destination = "Bamako"
    via = ["Kidira"]

    [analysis]
    start = "2025-09-01"
    end = "2025-11-30"
    radius_km = 10
    segment_km = 5

Every mistake raises :class:`~geokit.ProjectError` naming the file and key.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from geokit._errors import ProjectError
from geokit.corridors import CorridorSpec  # the corridor model lives with the corridor analysis
from geokit.schema import LAYER_KINDS

__all__ = ["LayerSpec", "CorridorSpec", "Project", "load_project", "ANALYSIS_DEFAULTS"]

#: Parameters of ``[analysis]`` and their defaults; types are checked.
ANALYSIS_DEFAULTS: dict[str, Any] = {
    "start": None,
    "end": None,
    "radius_km": 10.0,
    "segment_km": 5.0,
}

_LAYER_KEYS = {"path", "layer", "columns", "crs", "date_format", "encoding"}
_CORRIDOR_KEYS = {"name", "origin", "destination", "via"}


@dataclass(frozen=True)
class LayerSpec:
    """One layer source: a path and how to read it."""

    kind: str
    path: Path
    layer: str | None = None
    columns: Mapping[str, str] = field(default_factory=dict)
    crs: str | None = None
    date_format: str | None = None
    encoding: str | None = None

    def read_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for :func:`geokit.layers.load_layer`."""
        return {"layer": self.layer, "columns": dict(self.columns), "crs": self.crs,
                "date_format": self.date_format, "encoding": self.encoding}


@dataclass(frozen=True)
class Project:
    """A parsed, checked project file."""

    path: Path
    name: str
    layers: Mapping[str, tuple[LayerSpec, ...]]
    corridors: tuple[CorridorSpec, ...]
    analysis: Mapping[str, Any]
    #: A population-count raster (GeoTIFF, people per cell): ``[layers] population``.
    population: Path | None = None


def load_project(path: str | Path, *, allow_outside: bool = False) -> Project:
    """Read and check a project file.

    Parameters
    ----------
    path : str or Path
        The TOML project file.
    allow_outside : bool, default False
        Allow layer paths outside the project file's folder (``../``).
        Refused by default so that a project file received from someone else
        cannot read files elsewhere on the machine.

    Returns
    -------
    Project

    Examples
    --------
    >>> p = load_project("layers/mali_2025/project.toml")  # doctest: +SKIP
    >>> p.corridors[0].name  # doctest: +SKIP
    'Dakar-Bamako'
    """
    path = Path(path)
    if not path.is_file():
        raise ProjectError(f"{path}: no such project file")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ProjectError(f"{path}: not valid TOML ({exc})") from None
    unknown = set(data) - {"project", "layers", "corridors", "analysis"}
    if unknown:
        raise ProjectError(f"{path}: unknown section(s) {', '.join(sorted(unknown))}; "
                           "use [project], [layers], [[corridors]] and [analysis]")
    base = path.resolve().parent
    name = str(_table(data, "project", path).get("name", path.stem))
    layer_table = dict(_table(data, "layers", path))
    population = None
    if "population" in layer_table:
        population = _parse_layer("population", layer_table.pop("population"), "layers.population", base, path,
                                  allow_outside).path
    layers = _parse_layers(layer_table, base, path, allow_outside)
    corridors = tuple(_parse_corridor(c, i, path) for i, c in enumerate(data.get("corridors", [])))
    names = [c.name for c in corridors]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ProjectError(f"{path}: [[corridors]] name {', '.join(dupes)} is used twice")
    analysis = _parse_analysis(_table(data, "analysis", path), path)
    return Project(path=path, name=name, layers=layers, corridors=corridors, analysis=analysis,
                   population=population)


def _table(data: Mapping[str, Any], key: str, path: Path) -> Mapping[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, Mapping):
        raise ProjectError(f"{path}: [{key}] must be a table")
    return value


def _parse_layers(table: Mapping[str, Any], base: Path, path: Path,
                  allow_outside: bool) -> dict[str, tuple[LayerSpec, ...]]:
    unknown = set(table) - set(LAYER_KINDS)
    if unknown:
        raise ProjectError(f"{path}: [layers] has unknown key(s) {', '.join(sorted(unknown))}; "
                           f"the layer kinds are {', '.join(LAYER_KINDS)} (and population, a raster)")
    for required in ("roads",):
        if required not in table:
            raise ProjectError(f"{path}: [layers] needs a '{required}' entry")
    layers = {}
    for kind, entry in table.items():
        entries = entry if isinstance(entry, list) else [entry]
        specs = []
        for i, item in enumerate(entries):
            key = f"layers.{kind}" + (f"[{i}]" if isinstance(entry, list) else "")
            specs.append(_parse_layer(kind, item, key, base, path, allow_outside))
        layers[kind] = tuple(specs)
    return layers


def _parse_layer(kind: str, item: Any, key: str, base: Path, path: Path,
                 allow_outside: bool) -> LayerSpec:
    if isinstance(item, str):
        item = {"path": item}
    if not isinstance(item, Mapping) or "path" not in item:
        raise ProjectError(f"{path}: {key} must be a path or a table with a 'path' key")
    unknown = set(item) - _LAYER_KEYS
    if unknown:
        raise ProjectError(f"{path}: {key} has unknown key(s) {', '.join(sorted(unknown))}; "
                           f"allowed: {', '.join(sorted(_LAYER_KEYS))}")
    file = (base / str(item["path"])).resolve()
    if not allow_outside and not file.is_relative_to(base):
        raise ProjectError(f"{path}: {key} = {item['path']!r} points outside the project folder "
                           f"{base}; move the file inside it or allow outside paths "
                           "(--allow-outside)")
    if not file.exists():
        raise ProjectError(f"{path}: {key} = {item['path']!r}: no such file ({file})")
    columns = item.get("columns", {})
    if not isinstance(columns, Mapping) or not all(isinstance(v, str) for v in columns.values()):
        raise ProjectError(f"{path}: {key}.columns must be a table of canonical = \"source\" names")
    return LayerSpec(kind=kind, path=file, layer=item.get("layer"), columns=dict(columns),
                     crs=item.get("crs"), date_format=item.get("date_format"),
                     encoding=item.get("encoding"))


def _place(value: Any, key: str, path: Path) -> str | tuple[float, float]:
    if isinstance(value, str) and value.strip():
        return value.strip()
    if (isinstance(value, list) and len(value) == 2
            and all(isinstance(v, int | float) for v in value)):
        lon, lat = float(value[0]), float(value[1])
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise ProjectError(f"{path}: {key} = {value} is not [lon, lat] in degrees")
        return (lon, lat)
    raise ProjectError(f"{path}: {key} must be a place name or [lon, lat], not {value!r}")


def _parse_corridor(item: Any, i: int, path: Path) -> CorridorSpec:
    key = f"corridors[{i}]"
    if not isinstance(item, Mapping):
        raise ProjectError(f"{path}: {key} must be a table")
    unknown = set(item) - _CORRIDOR_KEYS
    if unknown:
        raise ProjectError(f"{path}: {key} has unknown key(s) {', '.join(sorted(unknown))}; "
                           f"allowed: {', '.join(sorted(_CORRIDOR_KEYS))}")
    for required in ("origin", "destination"):
        if required not in item:
            raise ProjectError(f"{path}: {key} needs '{required}'")
    origin = _place(item["origin"], f"{key}.origin", path)
    destination = _place(item["destination"], f"{key}.destination", path)
    via = item.get("via", [])
    if not isinstance(via, list):
        raise ProjectError(f"{path}: {key}.via must be a list")
    vias = tuple(_place(v, f"{key}.via[{j}]", path) for j, v in enumerate(via))
    name = item.get("name") or f"{origin}-{destination}"
    return CorridorSpec(name=str(name), origin=origin, destination=destination, via=vias)


def _parse_analysis(table: Mapping[str, Any], path: Path) -> dict[str, Any]:
    out = dict(ANALYSIS_DEFAULTS)
    for key, value in table.items():
        if key in ("start", "end"):
            out[key] = _date(value, f"analysis.{key}", path)
        elif key.endswith(("_km", "_m", "_days")) or key in ANALYSIS_DEFAULTS:
            if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                raise ProjectError(f"{path}: analysis.{key} = {value!r} must be a positive number")
            out[key] = float(value)
        else:
            out[key] = value
    if out["start"] and out["end"] and out["start"] > out["end"]:
        raise ProjectError(f"{path}: analysis.start {out['start']} is after analysis.end {out['end']}")
    return out


def _date(value: Any, key: str, path: Path) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ProjectError(f"{path}: {key} = {value!r} is not a date like 2025-09-01") from None
