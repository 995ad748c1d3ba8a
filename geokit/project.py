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

    [sources.acled]           # fetched by ``geokit build --refresh`` into its out file
    countries = ["Mali", "Burkina Faso"]
    start = "2025-01-01"
    end = "2025-12-31"
    out = "acled.csv"         # a layer above names the same file to use it (default: sources/acled.csv)

Every mistake raises :class:`~geokit.ProjectError` naming the file and key.
"""

from __future__ import annotations

import codecs
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyproj import CRS
from pyproj.exceptions import CRSError as PyprojCRSError

from geokit._errors import InputError, ProjectError
from geokit.analysis import AnalysisParams
from geokit.corridors import CorridorSpec  # the corridor model lives with the corridor analysis
from geokit.schema import LAYER_KINDS
from geokit.trust import check_layer_file, check_raster_file, is_gdal_path

__all__ = ["LayerSpec", "CorridorSpec", "SourceSpec", "Project", "load_project", "SOURCE_KEYS"]

_PROJECT_KEYS = {"name"}
_LAYER_KEYS = {"path", "layer", "columns", "crs", "date_format", "encoding"}
_CORRIDOR_KEYS = {"name", "origin", "destination", "via"}
#: The keys of each ``[sources.<name>]`` table: what :mod:`geokit.sources` fetches (all required but
#: ``highway``, ``api_url`` (a mirror's address) and ``out``, which defaults to the project's cache folder:
#: ``sources/acled.csv``, ``sources/ucdp.csv``, ``sources/osm.geojson``).
SOURCE_KEYS = {"acled": {"countries", "start", "end", "out", "api_url"},
               "ucdp": {"countries", "start", "end", "versions", "out", "api_url"},
               "osm": {"bbox", "highway", "out", "api_url"}}
_OPTIONAL_SOURCE_KEYS = {"highway", "api_url", "out"}
_SOURCE_FILES = {"acled": "sources/acled.csv", "ucdp": "sources/ucdp.csv", "osm": "sources/osm.geojson"}


@dataclass(frozen=True)
class LayerSpec:
    """One layer source: a path and how to read it.

    Examples
    --------
    >>> spec = load_project("layers/mali_2025/project.toml").layers["incidents"][0]
    >>> spec.path.name, spec.read_kwargs()["encoding"]
    ('incidents.csv', None)
    """

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
class SourceSpec:
    """One live source of a project (``[sources.acled]``, ``[sources.ucdp]``, ``[sources.osm]``): where its
    file goes and what to fetch.

    Parameters
    ----------
    kind : str
        ``"acled"``, ``"ucdp"`` or ``"osm"``.
    out : Path
        The file it writes, inside the project folder.
    options : mapping
        The table's other keys, checked (countries, start, end, versions, bbox, highway).

    Examples
    --------
    >>> SourceSpec("osm", Path("roads.geojson"), {"bbox": [-12.5, 10.0, 4.5, 25.0]}).kind
    'osm'
    """

    kind: str
    out: Path
    options: Mapping[str, Any]


@dataclass(frozen=True)
class Project:
    """A parsed, checked project file.

    Examples
    --------
    >>> p = load_project("layers/mali_2025/project.toml")
    >>> p.name, len(p.corridors), p.params.rules.blockade_days
    ('Mali fuel blockade 2025', 6, 30)
    """

    path: Path
    name: str
    layers: Mapping[str, tuple[LayerSpec, ...]]
    corridors: tuple[CorridorSpec, ...]
    #: The ``[analysis]`` table as written (checked: :attr:`params` is made from it).
    analysis: Mapping[str, Any]
    params: AnalysisParams
    #: A population-count raster (GeoTIFF, people per cell): ``[layers] population``.
    population: Path | None = None
    #: The ``[sources]`` tables: what ``geokit build --refresh`` fetches, in file order.
    sources: tuple[SourceSpec, ...] = ()


def load_project(path: str | Path, *, allow_outside: bool = False, fetching: bool = False) -> Project:
    """Read and check a project file.

    Parameters
    ----------
    path : str or Path
        The TOML project file.
    allow_outside : bool, default False
        Allow layer paths outside the project file's folder (``../``).
        Refused by default so that a project file received from someone else
        cannot read files elsewhere on the machine.
    fetching : bool, default False
        The project is read to fetch its ``[sources]``: a layer file that a
        source writes may be missing yet.

    Returns
    -------
    Project

    Examples
    --------
    >>> p = load_project("layers/mali_2025/project.toml")
    >>> p.corridors[0].name, p.params.radius_km
    ('Dakar-Bamako', 10.0)
    """
    path = Path(path)
    if not path.is_file():
        raise ProjectError(f"{path}: no such project file")
    try:
        text = path.read_text(encoding="utf-8")
        if text.startswith("\ufeff"):
            raise ProjectError(f"{path}: starts with a byte-order mark (BOM), which TOML does not allow: save it "
                               "as UTF-8 without BOM")
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ProjectError(f"{path}: not valid TOML ({exc})") from None
    except RecursionError:
        raise ProjectError(f"{path}: values nested too deeply to be a project file") from None
    unknown = set(data) - {"project", "layers", "corridors", "analysis", "sources"}
    if unknown:
        raise ProjectError(f"{path}: unknown section(s) {', '.join(sorted(unknown))}; "
                           "use [project], [layers], [[corridors]], [analysis] and [sources]")
    base = path.resolve().parent
    sources = _parse_sources(_table(data, "sources", path), base, path, allow_outside)
    fetched = {source.out: source.kind for source in sources}
    project_table = _table(data, "project", path)
    unknown = set(project_table) - _PROJECT_KEYS
    if unknown:
        raise ProjectError(f"{path}: [project] has unknown key(s) {', '.join(sorted(unknown))}; "
                           f"allowed: {', '.join(sorted(_PROJECT_KEYS))}")
    name = project_table.get("name", path.stem)
    if not isinstance(name, str) or not name.strip():
        raise ProjectError(f"{path}: [project] name = {name!r} must be a non-empty text, e.g. name = \"Mali 2025\"")
    layer_table = dict(_table(data, "layers", path))
    population = None
    if "population" in layer_table:
        population = _parse_layer("population", layer_table.pop("population"), "layers.population", base, path,
                                  allow_outside).path
    layers = _parse_layers(layer_table, base, path, allow_outside, fetched, fetching)
    corridors = tuple(_parse_corridor(c, i, path) for i, c in enumerate(data.get("corridors", [])))
    names = [c.name for c in corridors]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ProjectError(f"{path}: [[corridors]] name {', '.join(dupes)} is used twice")
    analysis = dict(_table(data, "analysis", path))
    try:
        params = AnalysisParams.from_table(analysis, source=f"{path}: [analysis]")
    except InputError as exc:
        raise ProjectError(str(exc)) from None
    return Project(path=path, name=name.strip(), layers=layers, corridors=corridors, analysis=analysis,
                   params=params, population=population, sources=sources)


def _table(data: Mapping[str, Any], key: str, path: Path) -> Mapping[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, Mapping):
        raise ProjectError(f"{path}: [{key}] must be a table")
    return value


def _parse_layers(table: Mapping[str, Any], base: Path, path: Path, allow_outside: bool,
                  fetched: Mapping[Path, str] | None = None, fetching: bool = False
                  ) -> dict[str, tuple[LayerSpec, ...]]:
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
            specs.append(_parse_layer(kind, item, key, base, path, allow_outside, fetched, fetching))
        layers[kind] = tuple(specs)
    return layers


def _parse_layer(kind: str, item: Any, key: str, base: Path, path: Path, allow_outside: bool,
                 fetched: Mapping[Path, str] | None = None, fetching: bool = False) -> LayerSpec:
    if isinstance(item, str):
        item = {"path": item}
    if not isinstance(item, Mapping) or "path" not in item:
        raise ProjectError(f"{path}: {key} must be a path or a table with a 'path' key")
    unknown = set(item) - _LAYER_KEYS
    if unknown:
        raise ProjectError(f"{path}: {key} has unknown key(s) {', '.join(sorted(unknown))}; "
                           f"allowed: {', '.join(sorted(_LAYER_KEYS))}")
    text = str(item["path"])
    if "\x00" in text or is_gdal_path(text):
        what = "holds a NUL character" if "\x00" in text else "is a GDAL virtual path or connection string"
        raise ProjectError(f"{path}: {key} = {text!r} {what}, not a file name; name a file in the project folder "
                           "(download or export the data to a GeoPackage there first)")
    try:
        file = (base / text).resolve()
        file.exists()
    except (OSError, RuntimeError) as exc:  # a symlink loop, a name too long for the system
        shown = text if len(text) <= 80 else text[:77] + "..."
        reason = getattr(exc, "strerror", None) or "a symbolic link that leads back to itself"
        raise ProjectError(f"{path}: {key} = {shown!r} cannot be used as a path ({reason}); name the layer file "
                           "itself") from None
    if not allow_outside and not file.is_relative_to(base):
        raise ProjectError(f"{path}: {key} = {item['path']!r} points outside the project folder "
                           f"{base}; move the file inside it or allow outside paths "
                           "(--allow-outside)")
    source = (fetched or {}).get(file)
    if not file.exists() and not (fetching and source):
        later = f"; [sources.{source}] writes it: run geokit build --refresh" if source else ""
        raise ProjectError(f"{path}: {key} = {item['path']!r}: no such file ({file}){later}")
    if file.exists() and not file.is_file():
        raise ProjectError(f"{path}: {key} = {item['path']!r} is not a regular file (a folder, a FIFO or a "
                           "device); name the layer file itself")
    if file.exists():  # what a layer may read, checked before the build opens anything (geokit.trust)
        try:
            (check_raster_file if kind == "population" else check_layer_file)(file)
        except InputError as exc:
            raise ProjectError(f"{path}: {key}: {exc}") from None
    columns = item.get("columns", {})
    if not isinstance(columns, Mapping) or not all(isinstance(v, str) for v in columns.values()):
        raise ProjectError(f"{path}: {key}.columns must be a table of canonical = \"source\" names")
    for option in ("layer", "crs", "date_format", "encoding"):
        if option in item and (not isinstance(item[option], str) or not item[option].strip()):
            raise ProjectError(f"{path}: {key}.{option} = {item[option]!r} must be a non-empty text")
    _check_read_options(item, key, path)
    return LayerSpec(kind=kind, path=file, layer=item.get("layer"), columns=dict(columns),
                     crs=item.get("crs"), date_format=item.get("date_format"),
                     encoding=item.get("encoding"))


def _check_read_options(item: Mapping[str, Any], key: str, path: Path) -> None:
    """A layer's crs, date_format and encoding are checked when the project is read, not when the layer is."""
    if "crs" in item:
        try:
            CRS.from_user_input(item["crs"])
        except PyprojCRSError:
            raise ProjectError(f"{path}: {key}.crs = {item['crs']!r} is not a coordinate reference system "
                               "pyproj knows; write it like \"EPSG:4326\" or \"EPSG:32629\"") from None
    if "date_format" in item and "%" not in item["date_format"]:
        raise ProjectError(f"{path}: {key}.date_format = {item['date_format']!r} has no strftime field; "
                           "write it like \"%d/%m/%Y\"")
    if "encoding" in item:
        try:
            text_encoding = codecs.lookup(item["encoding"])._is_text_encoding
        except LookupError:
            raise ProjectError(f"{path}: {key}.encoding = {item['encoding']!r} is not a text encoding Python "
                               "knows; e.g. \"utf-8\", \"latin-1\" or \"cp1252\"") from None
        if not text_encoding:
            raise ProjectError(f"{path}: {key}.encoding = {item['encoding']!r} is not a text encoding (it turns "
                               "bytes into bytes); write the file's text encoding, e.g. \"utf-8\", \"latin-1\" or "
                               "\"cp1252\"")


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
    if origin == destination:
        raise ProjectError(f"{path}: {key} runs from {origin!r} to itself; give it another destination")
    name = item.get("name") or f"{origin}-{destination}"
    if not isinstance(name, str):
        raise ProjectError(f"{path}: {key}.name = {name!r} must be a text")
    return CorridorSpec(name=str(name), origin=origin, destination=destination, via=vias)


def _parse_sources(table: Mapping[str, Any], base: Path, path: Path, allow_outside: bool
                   ) -> tuple[SourceSpec, ...]:
    """The ``[sources.<name>]`` tables, every key checked (the values again by the fetch itself)."""
    specs = []
    for kind, item in table.items():
        key = f"sources.{kind}"
        if kind not in SOURCE_KEYS:
            raise ProjectError(f"{path}: [{key}] is not a source geokit fetches; use "
                               f"{', '.join(f'[sources.{k}]' for k in SOURCE_KEYS)}")
        if not isinstance(item, Mapping):
            raise ProjectError(f"{path}: [{key}] must be a table")
        unknown = set(item) - SOURCE_KEYS[kind]
        missing = SOURCE_KEYS[kind] - set(item) - _OPTIONAL_SOURCE_KEYS
        if unknown or missing:
            raise ProjectError(f"{path}: [{key}] " + (f"has unknown key(s) {', '.join(sorted(unknown))}; "
                                                      if unknown else f"needs {', '.join(sorted(missing))}; ")
                               + f"its keys are {', '.join(sorted(SOURCE_KEYS[kind]))}")
        for name in ("countries", "versions", "highway"):
            value = item.get(name, [])
            if not isinstance(value, list) or not value and name in item or \
                    not all(isinstance(v, str | int) and not isinstance(v, bool) for v in value):
                raise ProjectError(f"{path}: {key}.{name} must be a list, e.g. {name} = "
                                   + {"countries": '["Mali", "Burkina Faso"]', "versions": '["25.1"]',
                                      "highway": '["trunk", "primary"]'}[name])
        for name in ("start", "end"):
            if name in item and not isinstance(item[name], str):
                raise ProjectError(f"{path}: {key}.{name} must be a date in quotes, e.g. {name} = \"2025-01-01\"")
        if "api_url" in item and not (isinstance(item["api_url"], str) and item["api_url"].startswith(
                ("https://", "http://"))):
            raise ProjectError(f"{path}: {key}.api_url must be an http(s) address")
        if "bbox" in item and not (isinstance(item["bbox"], list) and len(item["bbox"]) == 4 and all(
                isinstance(v, int | float) and not isinstance(v, bool) for v in item["bbox"])):
            raise ProjectError(f"{path}: {key}.bbox must be [west, south, east, north] in degrees")
        target = item.get("out", _SOURCE_FILES[kind])
        if not isinstance(target, str) or not target.strip():
            raise ProjectError(f"{path}: {key}.out must be a file name in the project folder, e.g. out = \"acled.csv\"")
        out = (base / target).resolve()
        if not allow_outside and not out.is_relative_to(base):
            raise ProjectError(f"{path}: {key}.out = {target!r} points outside the project folder {base}")
        specs.append(SourceSpec(kind=kind, out=out, options={k: v for k, v in item.items() if k != "out"}))
    outs = [s.out for s in specs]
    if len(set(outs)) < len(outs):
        raise ProjectError(f"{path}: two [sources] tables write the same file")
    return tuple(specs)
