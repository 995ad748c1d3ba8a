"""Project file -> products, written atomically into an output folder.

``build_project`` loads and validates every layer of a project, runs
:func:`geokit.analysis.analyse`, and writes:

- ``layers.gpkg`` with the layers ``roads_status``, ``corridors``, ``detours``,
  ``exposure_zones``, ``cities``, ``crossings`` and ``incidents`` (EPSG:4326);
- ``incident_density.tif`` (incidents per km^2, see :mod:`geokit.raster`);
- ``map.html``: the offline briefing map (:func:`geokit.maps.corridor_map`);
- ``summary.csv`` and ``summary.json``: one row per corridor;
- ``status_timeline.csv``: every corridor's episodes of constant status
  (also the ``corridor_episodes`` layer of layers.gpkg, with the corridor line);
- ``route_options.csv``: each corridor's route options (shortest open, least exposed, trade-offs) on the
  window's last day, each map step's last day and the first day of each blockaded episode
  (:func:`geokit.routing.corridor_route_options`; also the ``route_options`` layer of layers.gpkg);
- ``places_timeline.csv``: when each town and crossing was cut off and exposed
  (also the ``places_episodes`` layer of layers.gpkg, with the place's point);
- ``status_chart.png``: the corridor status chart (:mod:`geokit.chart`);
- ``build.log``: what validation repaired or dropped, and the parameters;
- ``brief.html``: the printable brief (:mod:`geokit.brief`), and ``brief.pdf``
  with ``pdf=True`` (headless Chromium).

Every product is first written under a temporary name in the output folder
and renamed into place only once all of them are complete, so a build that
fails or is killed leaves the previous outputs as they were. Rows are sorted
and ids are stable, so the same inputs give byte-identical ``summary.csv``.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
import logging
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
from tqdm import tqdm

from geokit._check import on_every_core
from geokit._errors import GeokitError, InputError, ProjectError, hints_for
from geokit._io import (PRODUCTS, build_lock, check_out_folder, manifest_path, pause_point, resolve_out,
                        staged_folder)
from geokit.escape import csv_safe, plain_text, terminal_text
from geokit.brief import batch_index_html
from geokit.analysis import (DAY_CONVENTION, FAR_FROM_ROADS_KM, MAP_STEP, SUMMARY_DEFINITIONS, Analysis, AnalysisParams,
                             analyse, check_build_fits, incidents_far_from_roads, population_by_region,
                             sub_window)
from geokit.incidents import merge_incidents, parse_window
from geokit.kml import write_kml
from geokit.layers import load_layer
from geokit.project import Project, load_project
from geokit.raster import incident_density
from geokit.styles import write_qgis_styles
from geokit.timeline import day_date, windows

__all__ = ["build_project", "build_batch", "project_timeline", "load_project_layers", "default_project_path",
           "params_from_project", "PRODUCTS", "FORMATS", "write_products"]

log = logging.getLogger(__name__)

#: What the population figures of a build are (written into summary.json).
POPULATION_NOTE = (
    "population_exposed (per corridor) and town_population_exposed (per region) add up the population "
    "figures of the towns layer (a census count or an estimate, see its population_source column) for the "
    "towns that lie in an exposure zone; a town on two corridors appears under both corridors but once in "
    "every regional or country total. grid_population_in_zones is the population grid's count of everyone "
    "inside the exposure zones (each cell once), a coarse estimate that includes the towns: never add the "
    "two figures.")

#: Extra layer formats ``--format`` can add beside layers.gpkg.
FORMATS = ("gpkg", "geoparquet", "geojson", "kml")

#: Layers written as KML with ``--format kml`` (GPS units, Google Earth, OsmAnd): the ones a field team uses.
KML_LAYERS = ("corridors", "corridor_episodes", "detours", "incidents", "crossings", "cities")


def default_project_path() -> Path:
    """The shipped Mali 2025 project file (installed with geokit: :mod:`geokit.datasets`).

    Examples
    --------
    >>> default_project_path().name
    'project.toml'
    """
    from geokit.datasets import project_path

    return project_path("mali_2025")


def params_from_project(project: Project, **overrides: Any) -> AnalysisParams:
    """A project's analysis parameters, changed by ``overrides`` (command-line options; ``None`` ignored).

    Parameters
    ----------
    project : Project
        From :func:`geokit.project.load_project` (its ``[analysis]`` table is already checked).
    **overrides
        Parameter names and values (``start``, ``radius_km``, ``blockade_days``, ...), checked like the
        file's and refused with the option's name.

    Returns
    -------
    AnalysisParams

    Examples
    --------
    >>> params_from_project(load_project(project_file), radius_km=15).radius_km
    15.0
    """
    given = {k: v for k, v in overrides.items() if v is not None}
    if not given:
        return project.params
    try:
        return AnalysisParams.from_table(given, base=project.params, source="the command line")
    except InputError as exc:
        raise InputError(re.sub(r"\b([a-z_]+) = ", lambda m: f"--{m.group(1).replace('_', '-')} ", str(exc),
                                count=1)) from None


def load_project_layers(project: Project, *, progress: bool = False
                        ) -> tuple[dict[str, gpd.GeoDataFrame], list[str]]:
    """Load every layer of a project; several incident sources are merged.

    Probable duplicates across incident sources are marked (``counted`` is
    False) by :func:`geokit.incidents.merge_incidents`, not dropped.
    Returns the layers by kind and the lines of the validation log.

    Parameters
    ----------
    project : Project
        From :func:`geokit.project.load_project`.
    progress : bool, default False
        Show a progress bar.

    Examples
    --------
    >>> layers, log_lines = load_project_layers(load_project(project_file))
    >>> sorted(layers), log_lines[0].splitlines()[0].split(": ")[-1]
    (['cities', 'incidents', 'roads'], '4 rows read, 4 kept')
    """
    layers: dict[str, gpd.GeoDataFrame] = {}
    sources: dict[str, list[gpd.GeoDataFrame]] = {}
    log_lines: list[str] = []
    specs = [s for kind in project.layers for s in project.layers[kind]]
    for spec in tqdm(specs, desc="loading layers", disable=not progress, unit="layer"):
        try:
            frame, report = load_layer(spec.path, spec.kind, **spec.read_kwargs())
        except InputError as exc:  # the fix is a key of the layer's table in the project file
            raise ProjectError(f"{project.path}: [layers] {spec.kind}: {hints_for(str(exc), 'toml')}") from None
        log_lines.append(report.format())
        sources.setdefault(spec.kind, []).append(frame)
    for kind, frames in sources.items():
        if kind == "incidents" and len(frames) > 1:
            layers[kind] = merge_incidents(*frames)
        else:
            layers[kind] = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
    return layers, log_lines


def _for_file(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Columns GDAL can write: categories and lists as text, booleans kept."""
    out = frame.copy()
    for col in out.columns:
        if col == out.geometry.name:
            continue
        if isinstance(out[col].dtype, pd.CategoricalDtype):
            out[col] = out[col].astype(str)
        elif out[col].dtype == object and pd.api.types.infer_dtype(out[col], skipna=True) != "string" \
                and out[col].map(lambda v: isinstance(v, list | tuple | set)).any():  # text: one C pass
            out[col] = out[col].map(lambda v: " ".join(map(str, v)) if isinstance(v, list | tuple | set) else v)
    return out


#: The summary's columns about the people behind each blockade (:func:`geokit.brief.people_behind`).
BEHIND_DEFINITIONS = {
    "towns_behind_blockade": "towns of the corridor cut off from its destination or on a blockaded stretch of its "
                             "road on the window's last day; its own origin and destination never count",
    "people_behind_blockade": "census or estimate figure of those towns, each once (0 without such towns, "
                              "empty when none of them has a figure)",
}


def _summary_table(analysis: Analysis) -> pd.DataFrame:
    from geokit.brief import people_behind

    table = analysis.summary()
    behind = people_behind(analysis)
    if len(behind):
        table = table.merge(pd.DataFrame({"corridor": behind["corridor"],
                                          "towns_behind_blockade": behind["towns"].map("; ".join),
                                          "people_behind_blockade": behind["people"]}), on="corridor", how="left")
    return _for_csv(table.sort_values("corridor", kind="mergesort").reset_index(drop=True))


def _episode_table(analysis: Analysis) -> pd.DataFrame:
    """The corridors' episodes, in corridor order then time, as written to status_timeline.csv."""
    table = analysis.episodes
    if table.empty:
        return table
    order = {name: i for i, name in enumerate(sorted(table["corridor"].unique()))}
    return table.sort_values(["corridor", "start"], key=lambda c: c.map(order) if c.name == "corridor" else c,
                             kind="mergesort").reset_index(drop=True)


def _place_layer(analysis: Analysis, table: pd.DataFrame) -> gpd.GeoDataFrame | None:
    """The places' episodes with each place's point (the first of its name and kind), for QGIS's temporal
    controller; None without any."""
    if table.empty:
        return None
    points = pd.concat([pd.DataFrame({"place": frame["name"].astype(str).to_numpy(), "kind": kind,
                                      "geometry": frame.geometry.to_crs(4326).array})
                        for kind, frame in (("city", analysis.cities), ("crossing", analysis.crossings))
                        if frame is not None and len(frame)], ignore_index=True)
    points = points.drop_duplicates(["place", "kind"])
    return gpd.GeoDataFrame(table.merge(points, on=["place", "kind"], how="left"), geometry="geometry", crs=4326)


def _is_count(column: str) -> bool:
    """Whether a column holds whole numbers (people, days, incidents): written without ".0"."""
    return "population" in column or "people" in column or column.startswith(("days", "n_", "towns_exposed")) or \
        column in ("fatalities", "lapses")


def _for_csv(table: pd.DataFrame) -> pd.DataFrame:
    """A table as the CSV products write it: dates YYYY-MM-DD, counts and people whole, decimals to 3 places."""
    table = table.copy()
    for col in table.columns:
        if pd.api.types.is_datetime64_any_dtype(table[col]):
            table[col] = table[col].dt.strftime("%Y-%m-%d").fillna("")
        elif pd.api.types.is_float_dtype(table[col]) and _is_count(str(col)):
            table[col] = table[col].round(0).astype("Int64")  # 2051457, not 2051457.0; missing stays empty
        elif pd.api.types.is_float_dtype(table[col]):
            table[col] = table[col].round(3)
        elif isinstance(table[col].dtype, pd.CategoricalDtype):
            table[col] = table[col].astype(str)
    return table


def write_products(analysis: Analysis, stage: Path, *, log_lines: list[str],
                   project_name: str, base: dict[str, gpd.GeoDataFrame] | None = None,
                   sources: list[str] | None = None, formats: tuple[str, ...] = ("gpkg",),
                   progress: bool = False, steps: dict[str, Analysis] | None = None,
                   people: pd.DataFrame | None = None, final_folder: Path | None = None,
                   route_options: gpd.GeoDataFrame | None = None) -> list[str]:
    """Write every product of an analysis into ``stage``; return the file names.

    ``steps`` (label -> the analysis of a part of the window) become the
    map's slider steps (see :func:`geokit.maps.corridor_map`); ``people``
    (:func:`geokit.analysis.population_by_region`) is written as population_exposed.csv;
    ``final_folder`` is where the products will end up (messages name it rather than ``stage``).

    Parameters
    ----------
    analysis : Analysis
        :func:`geokit.analysis.analyse`.
    stage : Path
        The folder to write into (a build's staging folder).
    log_lines : list of str
        The lines of ``build.log`` so far (layer reports, network).
    project_name : str
        The title of the map, chart and brief.
    base : dict, optional
        The map's base layers (countries, regions, rivers, lakes).
    sources : list of str, optional
        Source credits for the map.
    formats : tuple of str
        ``"gpkg"`` and optionally ``"geoparquet"``, ``"geojson"``, ``"kml"``.
    progress : bool, default False
        Show progress bars.
    steps : dict, optional
        The map's slider steps.
    people : DataFrame, optional
        :func:`geokit.analysis.population_by_region`.
    final_folder : Path, optional
        Where the products will end up.
    route_options : GeoDataFrame, optional
        :func:`geokit.routing.corridor_route_options` of the analysis, when already computed.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> names = write_products(result, pathlib.Path(tempfile.mkdtemp()), log_lines=[], project_name="World")
    >>> names[-3:]
    ['status_chart.png', 'summary.json', 'build.log']
    """
    names = []
    clock = _Stopwatch()
    episodes = _episode_table(analysis)
    episode_layer = None
    if not episodes.empty:
        lines = analysis.corridors[["name", "geometry"]].rename(columns={"name": "corridor"})
        episode_layer = gpd.GeoDataFrame(episodes.merge(lines, on="corridor", how="left"), geometry="geometry",
                                         crs=analysis.corridors.crs)
    options = route_options if route_options is not None else _route_options(analysis, steps)
    clock.lap("route options")
    places = analysis.places_episodes
    layers = {
        "roads_status": analysis.segments,
        "corridors": analysis.corridors,
        "corridor_episodes": episode_layer,
        "places_episodes": _place_layer(analysis, places),
        "detours": analysis.detours,
        "route_options": options,
        "exposure_zones": analysis.zones,
        "cities": analysis.cities,
        "crossings": analysis.crossings,
        "incidents": analysis.incidents,
    }
    gpkg = stage / "layers.gpkg"
    for name, frame in tqdm(list(layers.items()), desc="writing layers", disable=not progress, unit="layer"):
        if frame is None:
            continue
        ready = _for_file(frame)
        ready.to_file(gpkg, layer=name, driver="GPKG", engine="pyogrio", use_arrow=True)
        if "geoparquet" in formats:
            ready.to_parquet(stage / f"{name}.parquet")
            names.append(f"{name}.parquet")
        if "geojson" in formats:
            ready.to_file(stage / f"{name}.geojson", driver="GeoJSON", engine="pyogrio", use_arrow=True)
            names.append(f"{name}.geojson")
        if "kml" in formats and name in KML_LAYERS and len(ready):
            write_kml(frame, stage / f"{name}.kml", name, title=f"{project_name}: {name.replace('_', ' ')}")
            names.append(f"{name}.kml")
    write_qgis_styles(gpkg)
    names.append("layers.gpkg")
    clock.lap("layers" + "".join(f" + {f}" for f in formats if f != "gpkg"))
    bar = tqdm(total=3, desc="density raster", disable=not progress, unit="step")
    density = incident_density(analysis.incidents, cell_km=analysis.params.cell_km,
                               bandwidth_km=analysis.params.bandwidth_km, path=stage / "incident_density.tif",
                               crs=analysis.network.crs, extent=analysis.network.edges)
    names.append("incident_density.tif")
    clock.lap("density raster")
    from geokit.maps import corridor_map
    from geokit.offline import save_html

    bar.update(1)
    bar.set_description("offline map")
    figure = corridor_map(analysis, base=base, density=density, title=project_name, sources=sources or [],
                          steps=steps, tiles=False, route_options=options)  # offline: no tiles to strip
    save_html(figure, stage / "map.html", offline=True, final_path=(final_folder or stage) / "map.html")
    names.append("map.html")
    clock.lap("map")
    bar.update(1)
    bar.set_description("summary")
    table = _summary_table(analysis)
    csv_safe(table).to_csv(stage / "summary.csv", index=False, lineterminator="\n")
    names.append("summary.csv")
    csv_safe(_for_csv(episodes)).to_csv(stage / "status_timeline.csv", index=False, lineterminator="\n")
    names.append("status_timeline.csv")
    if options is not None:
        csv_safe(_for_csv(options.drop(columns=["edge_ids", "geometry"]))).to_csv(
            stage / "route_options.csv", index=False, lineterminator="\n")
        names.append("route_options.csv")
    if analysis.timeline is not None and analysis.timeline.places is not None:
        csv_safe(_for_csv(places)).to_csv(stage / "places_timeline.csv", index=False, lineterminator="\n")
        names.append("places_timeline.csv")
    if people is not None:
        csv_safe(_for_csv(people)).to_csv(stage / "population_exposed.csv", index=False, lineterminator="\n")
        names.append("population_exposed.csv")
    if analysis.timeline is not None and not episodes.empty:
        from geokit.chart import save_chart

        save_chart(analysis.status_chart(title=f"{project_name}: corridor status"), stage / "status_chart.png")
        names.append("status_chart.png")
    p = analysis.params
    summary = {
        "project": project_name,
        "window": {"start": str(p.start) if p.start is not None else None,
                   "end": str(p.end) if p.end is not None else None},
        "parameters": {"radius_km": p.radius_km, "segment_km": p.segment_km,
                       "half_life_days": p.half_life_days, "imprecise_radius_km": p.imprecise_radius_km,
                       "blockade_days": p.rules.blockade_days, "at_risk_days": p.rules.at_risk_days,
                       "blockade_min_incidents": p.rules.blockade_min_incidents,
                       "at_risk_min_incidents": p.rules.at_risk_min_incidents, "cell_km": p.cell_km,
                       "bandwidth_km": p.bandwidth_km},
        "destination": analysis.destination,
        "network": analysis.network.summary(),
        "incidents_in_window": int(len(analysis.incidents)),
        "day_convention": DAY_CONVENTION,
        "columns": {**SUMMARY_DEFINITIONS, **BEHIND_DEFINITIONS},
        "corridors": json.loads(table.to_json(orient="records", force_ascii=False)),
        "episodes": json.loads(_for_csv(episodes).to_json(orient="records", force_ascii=False)),
        "people_cut_off": (json.loads(_for_csv(analysis.timeline.people).to_json(orient="records"))
                           if analysis.timeline is not None and analysis.timeline.people is not None else None),
        "population_exposed_by_country": (
            json.loads(analysis.totals.to_json(orient="records", force_ascii=False))
            if analysis.totals is not None else None),
        "population_exposed_by_region": (
            json.loads(people.to_json(orient="records", force_ascii=False)) if people is not None else None),
        "population_figures": POPULATION_NOTE,
    }
    (stage / "summary.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n",
                                        encoding="utf-8")
    names.append("summary.json")
    clock.lap("tables and chart")
    # data text (names, ids, file names in the layer reports) shown, never obeyed by a terminal or editor
    (stage / "build.log").write_text("\n".join(terminal_text(line) for line in [*log_lines, clock.line()]) + "\n",
                                     encoding="utf-8")
    names.append("build.log")
    bar.update(1)
    bar.close()
    return names


def build_project(
    project_path: str | Path,
    out_dir: str | Path,
    *,
    start: str | None = None,
    end: str | None = None,
    overwrite: bool = False,
    allow_outside: bool = False,
    boundaries: str | Path | None = None,
    formats: tuple[str, ...] = ("gpkg",),
    progress: bool = False,
    pdf: bool = False,
    overrides: Mapping[str, Any] | None = None,
    paper: str = "a4",
) -> list[Path]:
    """Build a project's products into ``out_dir``; return the files written.

    Parameters
    ----------
    project_path : path
        The TOML project file.
    out_dir : path
        Output folder. If it already holds products, ``overwrite=True`` is
        needed to replace them.
    start, end : str, optional
        Override the project's window (``YYYY-MM-DD``).
    overwrite : bool, default False
    allow_outside : bool, default False
        Allow layer paths outside the project folder.
    boundaries : path, optional
        Country polygons for the map's offline base, when the project has no
        ``boundaries`` layer.
    formats : tuple of str, default ("gpkg",)
        Also write each layer as GeoParquet (``"geoparquet"``) or GeoJSON
        (``"geojson"``) files beside layers.gpkg.
    progress : bool, default False
        Show progress bars (the CLI turns them on).
    pdf : bool, default False
        Also print brief.html to brief.pdf with headless Chromium (refused up
        front, with the fix, when Chromium is missing).
    overrides : mapping, optional
        Analysis parameters that replace the project file's (``{"radius_km": 15}``), checked the same way.
    paper : {"a4", "letter"}, default "a4"
        The brief's paper size.

    Examples
    --------
    >>> written = build_project(project_file, out / "doc", start="2025-09-01", end="2025-09-30")
    >>> sorted(p.name for p in written)[:3]
    ['brief.html', 'build.log', 'incident_density.tif']
    """
    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise GeokitError(f"unknown format(s) {', '.join(sorted(unknown))}; use {', '.join(FORMATS)}")
    project = load_project(project_path, allow_outside=allow_outside)
    out = resolve_out(out_dir)
    check_out_folder(out, overwrite=overwrite, protected=_project_paths(project))
    _check_pdf(pdf, paper)
    params = params_from_project(project, start=start, end=end, **(overrides or {}))
    with build_lock(out):
        clock = _Stopwatch()
        layers, log_lines = load_project_layers(project, progress=progress)
        _require_roads_and_incidents(project, layers, "to build products")
        check_build_fits(layers["roads"], layers["incidents"], params)
        base, sources = _map_base(project, layers, boundaries, log_lines)
        clock.lap("loading layers")
        analysis = _analyse(project, layers, params, progress=progress)
        log_lines += _network_log(analysis, params)
        clock.lap("analysis")
        steps = _month_steps(analysis)
        clock.lap("monthly map steps")
        log_lines.append(clock.line())
        with staged_folder(out) as stage:
            names = _write_build(stage, analysis, log_lines=log_lines, project=project, base=base,
                                 sources=sources, formats=formats, progress=progress, steps=steps, pdf=pdf,
                                 previous=out, label=str(out), paper=paper)
    log.info("built %s into %s", project.name, out)
    return [out / name for name in names]


def project_timeline(project_path: str | Path, *, start: str | None = None, end: str | None = None,
                     allow_outside: bool = False, progress: bool = False,
                     overrides: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """Every corridor's episodes over a project's window: ``geokit timeline`` and
    the ``status_timeline.csv`` of a build, without writing anything.

    Parameters
    ----------
    project_path : path
        The TOML project file.
    start, end : str, optional
        Override the project's window.
    allow_outside : bool, default False
        Allow layer paths outside the project folder.
    progress : bool, default False
        Show progress bars.
    overrides : mapping, optional
        Analysis parameters that replace the project file's.

    Examples
    --------
    >>> t = project_timeline(project_file, start="2025-09-01", end="2025-11-30")
    >>> t[["status", "start", "days"]].astype(str).values.tolist()
    [['open', '2025-09-01', '12'], ['blockaded', '2025-09-13', '30'], ['at_risk', '2025-10-13', '49']]
    """
    project = load_project(project_path, allow_outside=allow_outside)
    params = params_from_project(project, start=start, end=end, **(overrides or {}))
    layers, _ = load_project_layers(project, progress=progress)
    _require_roads_and_incidents(project, layers, "for a timeline")
    if not project.corridors:
        raise ProjectError(f"{project.path}: a timeline needs at least one [[corridors]] table")
    return _episode_table(_analyse(project, layers, params, progress=progress))


def _require_roads_and_incidents(project: Project, layers: dict, purpose: str) -> None:
    if "roads" not in layers or "incidents" not in layers:
        raise ProjectError(f"{project.path}: [layers] needs roads and incidents {purpose}")


class _Stopwatch:
    """Seconds spent in each stage of a build, for build.log (``timings (s): ...``) and the benchmarks."""

    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.laps[stage] = now - self._last
        self._last = now
        log.debug("%s: %.2f s", stage, self.laps[stage])

    def line(self) -> str:
        return "timings (s): " + ", ".join(f"{k} {v:.2f}" for k, v in self.laps.items())


def _write_brief(analysis: Analysis, stage: Path, *, project: Project, base: dict, sources: list[str],
                 people: pd.DataFrame | None, changes: pd.DataFrame | None, pdf: bool,
                 paper: str = "a4", route_options: gpd.GeoDataFrame | None = None) -> list[str]:
    """brief.html (and brief.pdf with ``pdf``) in the staging folder; return the file names."""
    from geokit.brief import brief_html, print_pdf

    page = brief_html(analysis, title=project.name, base=base, population=people, changes=changes,
                      sources=sources, paper=paper, route_options=route_options)
    (stage / "brief.html").write_text(page, encoding="utf-8")
    if not pdf:
        return ["brief.html"]
    print_pdf(stage / "brief.html", stage / "brief.pdf")
    return ["brief.html", "brief.pdf"]


def _month_steps(analysis: Analysis) -> dict[str, Analysis] | None:
    """The map's slider steps of a single build: the calendar months of its window, each the analysis of
    that month (:func:`geokit.analysis.sub_window`: from the whole window's join and timeline, months side
    by side on every core). None for a window within one month."""
    if analysis.timeline is None:
        return None
    lo, hi = day_date(analysis.timeline.start), day_date(analysis.timeline.end)
    spans = windows(f"{lo:%Y-%m-%d}", f"{hi:%Y-%m-%d}", MAP_STEP)
    if len(spans) < 2:
        return None
    steps = on_every_core(lambda span: sub_window(analysis, span[0], span[1]), spans)
    return {f"{a:%Y-%m-%d} to {b:%Y-%m-%d}": step for (a, b), step in zip(spans, steps)}


def _route_options(analysis: Analysis, steps: dict[str, Analysis] | None) -> gpd.GeoDataFrame | None:
    """Every corridor's route options (:func:`geokit.routing.corridor_route_options`) on the window's last day,
    each map step's last day and each blockaded episode's first day; None without corridors or timeline."""
    from geokit.routing import corridor_route_options

    if analysis.timeline is None or analysis.routes is None:
        return None
    spans = [(step.params.start, step.params.end) for step in (steps or {}).values()]
    return corridor_route_options(analysis, steps=spans)


def project_route_options(project_path: str | Path, origin: str | tuple[float, float],
                          destination: str | tuple[float, float], *, on: str | None = None,
                          via: tuple[str | tuple[float, float], ...] = (), start: str | None = None,
                          end: str | None = None, allow_outside: bool = False, progress: bool = False,
                          overrides: Mapping[str, Any] | None = None, **options: Any) -> gpd.GeoDataFrame:
    """Route options between two places of a project on a day: ``geokit route``
    (:func:`geokit.routing.route_options` on the project's analysis).

    The analysis covers the project's window (or ``start`` to ``end``), stretched to contain ``on``.

    Parameters
    ----------
    project_path : path
        The TOML project file.
    origin, destination : str or (lon, lat)
        Place names of the project's cities and crossings, or points.
    on : str, optional
        The day (YYYY-MM-DD); the window's last day when omitted.
    via : tuple of places, optional
        Places every option passes.
    start, end : str, optional
        Override the project's window.
    allow_outside : bool, default False
        Allow layer paths outside the project folder.
    progress : bool, default False
        Show progress bars.
    overrides : mapping, optional
        Analysis parameters that replace the project file's.
    **options
        ``max_extra_km``, ``max_extra_ratio``, ``max_options``, ``max_shared`` of
        :func:`geokit.routing.route_options`.

    Examples
    --------
    >>> table = project_route_options(project_file, "Kayes", "Bamako", on="2025-09-30")
    >>> table[["option", "kind", "towns"]].values.tolist()
    [[1, 'shortest, least exposed', 'Kayes; Bafoulabe; Kita; Bamako']]
    """
    from geokit.routing import route_options

    project = load_project(project_path, allow_outside=allow_outside)
    params = params_from_project(project, start=start, end=end, **(overrides or {}))
    if on is not None:
        day = pd.Timestamp(parse_window(on, None)[0])
        if params.end is not None and day > pd.Timestamp(params.end):
            params = replace(params, end=f"{day:%Y-%m-%d}")
        if params.start is not None and day < pd.Timestamp(params.start):
            params = replace(params, start=f"{day:%Y-%m-%d}")
    layers, _ = load_project_layers(project, progress=progress)
    _require_roads_and_incidents(project, layers, "for route options")
    if not project.corridors:
        raise ProjectError(f"{project.path}: route options need at least one [[corridors]] table (the analysis "
                           "of a window needs corridors for its timeline)")
    analysis = _analyse(project, layers, params, progress=progress)
    return route_options(analysis, origin, destination, on=on, via=via, **options)


def _check_pdf(pdf: bool, paper: str = "a4") -> None:
    """Refuse --pdf before any work when there is no Chromium to print with, and an unknown paper size."""
    from geokit.brief import PAPERS

    if paper not in PAPERS:
        raise GeokitError(f"unknown paper size {paper!r}; use {' or '.join(PAPERS)}")
    if pdf:
        from geokit.brief import require_chromium

        require_chromium()


#: Base layers of the map, drawn beneath the analysis, and the sources they credit.
BASE_KINDS = {"boundaries": "Natural Earth (countries)", "regions": "geoBoundaries (regions, CC BY 4.0)",
              "rivers": "Natural Earth (rivers)", "lakes": "Natural Earth (lakes)"}


def _map_base(project: Project, layers: dict, boundaries: str | Path | None, log_lines: list[str]
              ) -> tuple[dict[str, gpd.GeoDataFrame], list[str]]:
    """The project's base layers (countries, regions, rivers, lakes) and the map's source line."""
    base = {kind: layers[kind] for kind in BASE_KINDS if kind in layers}
    if "boundaries" not in base and boundaries is not None:
        base["boundaries"], report = load_layer(boundaries, "boundaries")
        log_lines.append(report.format())
    if not base and "roads" in layers:
        base = _shipped_base(layers["roads"], log_lines)
    sources = [f"layers of {project.name} (see their source columns)"]
    sources += [BASE_KINDS[kind] for kind in base]
    for manifest in _fetch_manifests(project):  # what geokit fetch wrote: its terms, and a line in build.log
        log_lines.append(f"{manifest['file']}: fetched from {manifest['source']} ({manifest['api_url']}) at "
                         f"{manifest['fetched_at']}, {manifest['rows']} rows")
        if manifest["terms"] not in sources:
            sources.append(manifest["terms"])
    roads = layers.get("roads")
    if roads is not None and "source" in roads and roads["source"].astype(str).str.contains("OpenStreetMap").any():
        sources.append("roads © OpenStreetMap contributors (ODbL)")
    return base, sources


#: The largest fetch manifest a build reads (geokit's own are a few kB).
_MANIFEST_MAX_BYTES = 1_000_000


def _fetch_manifests(project: Project) -> list[dict]:
    """The manifests :mod:`geokit.sources` wrote beside the project's layer files (unreadable ones skipped).

    A manifest is read only when it is a regular file (not a link, which could lead anywhere) of at most
    :data:`_MANIFEST_MAX_BYTES`, so a project from others cannot make a build read elsewhere or blow memory.
    """
    import stat

    found = []
    for spec in (s for specs in project.layers.values() for s in specs):
        path = manifest_path(spec.path)
        try:
            info = path.lstat()
            regular = stat.S_ISREG(info.st_mode) and info.st_size <= _MANIFEST_MAX_BYTES
            manifest = json.loads(path.read_text(encoding="utf-8")) if regular else None
        except (OSError, ValueError, RecursionError):
            manifest = None
        if isinstance(manifest, dict) and {"file", "source", "api_url", "fetched_at", "rows", "terms"} <= set(manifest):
            found.append({k: plain_text(manifest[k]) for k in ("file", "source", "api_url", "fetched_at", "rows",
                                                               "terms")})
    return found


def refresh_sources(project_path: str | Path, *, allow_outside: bool = False,
                    trust_api_urls: Sequence[str] = ()) -> list[dict]:
    """Fetch every ``[sources]`` table of a project into its file (``geokit build --refresh``).

    Each fetch is atomic and incremental where its source allows
    (:mod:`geokit.sources`); a failure stops before the build, leaving every
    file as complete as its last good fetch.

    Parameters
    ----------
    project_path : path
        The TOML project file, with ``[sources.acled]``, ``[sources.ucdp]`` or ``[sources.osm]`` tables.
    allow_outside : bool, default False
        As for :func:`build_project`.
    trust_api_urls : sequence of str
        Addresses the user trusts with credentials (``--trust-api-url``): a
        project's ``api_url`` for ACLED or UCDP is refused, before any
        request, unless it is the official API or one of these
        (:func:`geokit.sources.trusted_source_options`).

    Returns
    -------
    list of dict
        The manifests written, in the project file's order.

    Examples
    --------
    >>> refresh_sources("weekly/project.toml")  # doctest: +SKIP
    >>> try:
    ...     refresh_sources(project_file)  # the example project has no [sources]
    ... except ProjectError as exc:
    ...     print(str(exc).split(": ", 1)[1][:33])
    --refresh needs a [sources] table
    """
    from geokit.sources import FetchError, fetch_acled, fetch_osm, fetch_ucdp, trusted_source_options

    project = load_project(project_path, allow_outside=allow_outside, fetching=True)
    if not project.sources:
        raise ProjectError(f"{project.path}: --refresh needs a [sources] table, e.g. [sources.acled] with countries, "
                           "start, end and out (README: Live sources)")
    fetchers: dict[str, Callable[..., dict]] = {"acled": fetch_acled, "ucdp": fetch_ucdp,
                                                "osm": fetch_osm}  # the keys of project.SOURCE_KEYS
    options, refused = [], []
    for s in project.sources:  # every table is checked before any request, and every refusal is said at once:
        try:  # trusting an address for one source must not send another source's credentials there unseen
            options.append(trusted_source_options(s.kind, dict(s.options), trust_api_urls))
        except FetchError as exc:
            refused.append(str(exc))
    if refused:
        raise FetchError("; and ".join(refused) if len(refused) > 1 else refused[0])
    manifests = []
    for source, kwargs in zip(project.sources, options, strict=True):
        log.info("fetching [sources.%s] into %s", source.kind, source.out.name)
        manifests.append(fetchers[source.kind](source.out, **kwargs))
    return manifests


def _shipped_base(roads: gpd.GeoDataFrame, log_lines: list[str]) -> dict[str, gpd.GeoDataFrame]:
    """geokit's own West Africa base (Natural Earth countries, rivers, lakes shipped with the package) for a
    project that names none, when its roads lie in that area; empty otherwise."""
    import shapely

    from geokit.datasets import project_path

    folder = project_path("mali_2025").parent
    countries = load_layer(folder / "countries.geojson", "boundaries")[0]
    if not shapely.box(*countries.total_bounds).intersects(shapely.box(*roads.to_crs(4326).total_bounds)):
        return {}
    log_lines.append("map base: geokit's shipped West Africa base (Natural Earth countries, rivers, lakes)")
    return {"boundaries": countries, "rivers": load_layer(folder / "rivers.geojson", "rivers")[0],
            "lakes": load_layer(folder / "lakes.geojson", "lakes")[0]}


def _analyse(project: Project, layers: dict, params: AnalysisParams, *, network=None,
             progress: bool = False) -> Analysis:
    bar = tqdm(total=5, desc="analysing", disable=not progress, unit="step")

    def step(name: str) -> None:
        if bar.n or name != "building the road network":
            bar.update(1)
        bar.set_description(name)

    analysis = analyse(layers["roads"], layers["incidents"], cities=layers.get("cities"),
                       crossings=layers.get("crossings"), corridors=project.corridors, params=params,
                       network=network, progress=step)
    bar.update(bar.total - bar.n)
    bar.close()
    return analysis


def _network_log(analysis: Analysis, params: AnalysisParams, *, warn: bool = True) -> list[str]:
    """The build.log lines of the parameters and the network; incidents far from every road are also
    a console warning when ``warn`` (once per build: the whole span of a batch)."""
    lines = [f"parameters: {params}", f"network: {analysis.network.summary()}"]
    far = incidents_far_from_roads(analysis)
    if len(far):
        ids = ", ".join(map(str, far["event_id"].head(3))) + (", ..." if len(far) > 3 else "")
        warning = (f"{len(far)} of {len(analysis.incidents)} incidents lie farther than {FAR_FROM_ROADS_KM:g} km "
                   f"from every road ({ids}) and expose none: if that is unexpected, check their coordinates "
                   "(latitude and longitude swapped, or the wrong UTM zone) or add the roads they are near")
        if warn:
            log.warning(warning)
        lines.append("WARNING: " + warning)
    if analysis.network.unattached_places:
        lines.append("places farther than place_snap_km from every road (not routable): "
                     + ", ".join(analysis.network.unattached_places))
    return lines


def check_table_file(path: str | Path, project_path: str | Path, *, allow_outside: bool = False) -> Path:
    """Refuse, before any work, a ``--csv`` file that would replace something not geokit's to replace.

    The project file, its layers, its population raster, its fetched files, a file inside a geokit build
    (its manifest would no longer match), a folder or a path under a file are refused with the path and
    the fix; any other file is written atomically (a new file, or a table the user asked for before).

    Parameters
    ----------
    path : path
        The ``--csv`` file.
    project_path : path
        The project whose files must not be replaced.
    allow_outside : bool
        As :func:`geokit.project.load_project`.

    Returns
    -------
    Path
        ``path``.

    Examples
    --------
    >>> check_table_file(project_file, project_file)
    Traceback (most recent call last):
    ...
    geokit._errors.GeokitError: --csv ... is a file of the project (its project file or a layer); ...
    """
    from geokit._io import MANIFEST

    target = Path(path)
    project = load_project(project_path, allow_outside=allow_outside)
    resolved = target.resolve()
    if resolved in {p.resolve() for p in _project_paths(project)}:
        raise GeokitError(f"--csv {target} is a file of the project (its project file or a layer); geokit would "
                          "replace it: give another file name")
    if target.is_dir():
        raise GeokitError(f"--csv {target} is a folder; give a file name, e.g. {target / 'table.csv'}")
    for parent in resolved.parents:
        if parent.exists() and not parent.is_dir():
            raise GeokitError(f"--csv {target} lies under {parent}, which is a file; give a file in a folder")
    if (resolved.parent / MANIFEST).is_file():
        raise GeokitError(f"--csv {target} lies inside a geokit build ({resolved.parent}); writing there would "
                          "change the build: give a file outside it")
    return target


def _project_paths(project: Project) -> tuple[Path, ...]:
    """The files a project reads (its file, layers, population raster and fetched sources): an output folder
    must not be or hold any of them."""
    paths = [project.path, *(spec.path for specs in project.layers.values() for spec in specs),
             *(source.out for source in project.sources)]
    if project.population is not None:
        paths.append(project.population)
    return tuple(Path(p) for p in paths)


def _write_build(folder: Path, analysis: Analysis, *, log_lines: list[str], project: Project,
                 base: dict[str, gpd.GeoDataFrame], sources: list[str], formats: tuple[str, ...],
                 progress: bool, previous: Path, label: str,
                 steps: dict[str, Analysis] | None = None, pdf: bool = False, paper: str = "a4") -> list[str]:
    """Write every product of one build into ``folder`` (a staging folder), with the changes against
    the ``previous`` build when there is one, and the brief; return the file names."""
    from geokit.diff import diff_builds, write_changes

    folder.mkdir(exist_ok=True)
    people = (population_by_region(analysis, base["regions"], project.population)
              if base.get("regions") is not None else None)  # one computation for the CSV, JSON and brief
    options = _route_options(analysis, steps)  # one computation for the CSV, the layer, the map and the brief
    names = write_products(analysis, folder, log_lines=log_lines, project_name=project.name,
                           base=base, sources=sources, formats=formats, progress=progress,
                           steps=steps, people=people, final_folder=Path(label), route_options=options)
    pause_point("write")
    changes = None
    if (previous / "summary.csv").is_file() and (previous / "layers.gpkg").is_file():
        try:
            changes = replace(diff_builds(previous, folder, new_label=label), old=_build_label(previous),
                              new=_build_label(folder))  # a rebuild into its own folder: "out/demo to out/demo"
        except GeokitError as exc:  # a previous build that cannot be read must not fail every later build
            note = f"changes: the previous build could not be compared ({exc}); no changes.md this time"
            log.warning("%s", note)
            with open(folder / "build.log", "a", encoding="utf-8") as handle:
                handle.write(note + "\n")
        else:
            write_changes(changes, folder)
            names += ["changes.csv", "changes.md"]
    names += _write_brief(analysis, folder, project=project, base=base, sources=sources, people=people,
                          changes=changes.table if changes is not None else None, pdf=pdf, paper=paper,
                          route_options=options)
    return names


def _build_label(folder: Path) -> str:
    """How changes.md names a build: its window and when it was written (on a rebuild both builds have the
    same folder name).

    Examples
    --------
    >>> _build_label(Path("no-such-folder"))
    'the build in no-such-folder'
    """
    try:
        window = json.loads((folder / "summary.json").read_text(encoding="utf-8")).get("window") or {}
        written = datetime.fromtimestamp((folder / "summary.json").stat().st_mtime, tz=timezone.utc)
    except (OSError, ValueError, AttributeError):
        return f"the build in {folder}"
    return (f"the build of {window.get('start') or 'the first report'} to {window.get('end') or 'the last report'}"
            f" (written {written:%Y-%m-%d %H:%M} UTC)")


def build_batch(
    project_path: str | Path,
    out_dir: str | Path,
    *,
    every: str,
    start: str | None = None,
    end: str | None = None,
    overwrite: bool = False,
    allow_outside: bool = False,
    boundaries: str | Path | None = None,
    formats: tuple[str, ...] = ("gpkg",),
    progress: bool = False,
    overrides: Mapping[str, Any] | None = None,
    pdf: bool = False,
    paper: str = "a4",
) -> list[Path]:
    """One build per window in ``out_dir/<start>_<end>/``, with changes
    between consecutive windows, ``timeline.csv``, ``timeline_map.html`` (one
    offline map whose slider steps through the windows: each step shows that
    window's incidents and corridor status) and an ``index.html``.

    The network is built once and reused for every window.

    Parameters
    ----------
    project_path : path
        The TOML project file.
    out_dir : path
        The batch's folder (replaced whole: it must be new, empty or an earlier geokit build with ``overwrite``).
    every : str
        The windows' step: ``7d``, ``2W``, ``1M`` (:func:`geokit.timeline.windows`).
    start, end : str, optional
        Override the project's window.
    overwrite, allow_outside, boundaries, formats, progress, overrides, paper
        As for :func:`build_project`.
    pdf : bool, default False
        Also print each window's brief to its ``brief.pdf`` (index.html links each window's brief).

    Examples
    --------
    >>> written = build_batch(project_file, out / "monthly", every="1M", start="2025-09-01", end="2025-10-31")
    >>> sorted({p.parent.name for p in written if p.parent.name != "monthly"})
    ['2025-09-01_2025-09-30', '2025-10-01_2025-10-31']
    """
    project = load_project(project_path, allow_outside=allow_outside)
    out = resolve_out(out_dir)
    check_out_folder(out, overwrite=overwrite, protected=_project_paths(project))
    _check_pdf(pdf, paper)
    params = params_from_project(project, start=start, end=end, **(overrides or {}))
    if params.start is not None and params.end is not None:
        windows(str(params.start), str(params.end), every)  # a bad or too fine step is refused before any work
    with build_lock(out):
        layers, log_lines = load_project_layers(project, progress=progress)
        _require_roads_and_incidents(project, layers, "to build products")
        check_build_fits(layers["roads"], layers["incidents"], params)
        with staged_folder(out) as stage:
            names = _write_batch(stage, out, project=project, layers=layers, log_lines=log_lines, params=params,
                                 every=every, boundaries=boundaries, formats=formats, progress=progress,
                                 pdf=pdf, paper=paper)
    return [out / name for name in names]


def _write_batch(stage: Path, out: Path, *, project: Project, layers: dict, log_lines: list[str],
                 params: AnalysisParams, every: str, boundaries: str | Path | None, formats: tuple[str, ...],
                 progress: bool, pdf: bool = False, paper: str = "a4") -> list[str]:
    """Every window's build into ``stage/<start>_<end>/``, then the batch's own files; return the names
    relative to ``stage``."""
    lo = params.start if params.start is not None else layers["incidents"]["date"].min()
    hi = params.end if params.end is not None else layers["incidents"]["date"].max()
    spans = windows(str(lo), str(hi), every)
    base, sources = _map_base(project, layers, boundaries, log_lines)
    # the timeline of the whole span, computed once: every window's status at its end reads it
    whole = _analyse(project, layers, replace(params, start=f"{spans[0][0]:%Y-%m-%d}",
                                              end=f"{spans[-1][1]:%Y-%m-%d}"), progress=progress)
    _network_log(whole, params)  # the console hears of location errors once
    network = whole.network
    rows: list[pd.DataFrame] = []
    written: list[str] = []
    previous = out / f"{spans[0][0]:%Y-%m-%d}_{spans[0][1]:%Y-%m-%d}"  # the first window's earlier build
    steps: dict[str, Analysis] = {}  # window label -> the window's analysis (its incidents, zones, places)
    for a, b in tqdm(spans, desc="windows", disable=not progress, unit="window"):
        label = f"{a:%Y-%m-%d}_{b:%Y-%m-%d}"
        # each window from the whole span's join and timeline: the same tables as analysing it again
        analysis = sub_window(whole, a, b, episode_detours=True) if whole.timeline is not None else \
            _analyse(project, layers, replace(params, start=f"{a:%Y-%m-%d}", end=f"{b:%Y-%m-%d}"), network=network)
        p = analysis.params
        names = _write_build(stage / label, analysis, log_lines=log_lines + _network_log(analysis, p, warn=False),
                             project=project, base=base, sources=sources, formats=formats,
                             progress=False, previous=previous, label=str(out / label), pdf=pdf, paper=paper)
        previous = stage / label
        written += [f"{label}/{n}" for n in names]
        rows.append(_summary_table(analysis).assign(window_start=a.normalize(), window_end=b.normalize()))
        steps[f"{a:%Y-%m-%d} to {b:%Y-%m-%d}"] = analysis
    timeline = _window_table(whole, spans, rows)
    csv_safe(timeline).to_csv(stage / "timeline.csv", index=False, lineterminator="\n")
    chart = None
    if whole.timeline is not None and not whole.episodes.empty:
        from geokit.chart import chart_data_uri, save_chart

        figure = whole.status_chart(title=f"{project.name}: corridor status")
        save_chart(figure, stage / "status_chart.png")
        chart = chart_data_uri(figure)
        written.append("status_chart.png")
    _timeline_map(project, whole, steps=steps, base=base, sources=sources, path=stage / "timeline_map.html",
                  final_path=out / "timeline_map.html")
    (stage / "index.html").write_text(batch_index_html(project.name, timeline, chart=chart, pdf=pdf), encoding="utf-8")
    return written + ["timeline.csv", "timeline_map.html", "index.html"]


#: The first columns of timeline.csv: status at each window's end and over it, from the one timeline.
WINDOW_COLUMNS = ["window_start", "window_end", "corridor", "status", "worst_status", "days_blockaded",
                  "days_at_risk"]


def _window_table(whole: Analysis, spans: list, rows: list[pd.DataFrame]) -> pd.DataFrame:
    """timeline.csv: per window and corridor, the timeline's status at the window's end and worst status
    within it (look-back across earlier windows included), then the rest of that window's summary."""
    per_window = pd.concat(rows, ignore_index=True)
    if whole.timeline is None:
        table = per_window
    else:
        status = whole.timeline.windows(spans).rename(columns={"status_at_end": "status"})
        rest = per_window.drop(columns=[c for c in WINDOW_COLUMNS if c in per_window and c not in
                                        ("window_start", "window_end", "corridor")])
        table = status.merge(rest, on=["window_start", "window_end", "corridor"], how="left")
    table = table.sort_values(["window_start", "corridor"], kind="mergesort").reset_index(drop=True)
    for col in ("window_start", "window_end"):
        table[col] = pd.to_datetime(table[col]).dt.strftime("%Y-%m-%d")
    return table[WINDOW_COLUMNS + [c for c in table.columns if c not in WINDOW_COLUMNS]]


def _timeline_map(project: Project, whole: Analysis, *, steps: dict[str, Analysis],
                  base: dict[str, gpd.GeoDataFrame], sources: list[str], path: Path, final_path: Path) -> None:
    """The whole span drawn once, with a slider that steps every layer through the batch windows."""
    from geokit.maps import corridor_map
    from geokit.offline import save_html

    figure = corridor_map(whole, base=base, title=f"{project.name}: corridor status by window",
                          sources=sources, steps=steps, tiles=False)
    save_html(figure, path, offline=True, final_path=final_path)


# --- early warning (geokit forecast) ---------------------------------------------------------------------------

#: Files ``geokit forecast`` writes into its folder, and those of ``geokit forecast --backtest``.
FORECAST_PRODUCTS = ("forecast.csv", "forecast.gpkg", "forecast_map.html", "model.json")
BACKTEST_PRODUCTS = ("backtest.csv", "backtest_summary.csv", "backtest.png", "model.json")


def _forecast_inputs(project: Project, *, progress: bool, overrides: Mapping[str, Any] | None
                     ) -> tuple[dict, AnalysisParams, Any, list[str]]:
    from geokit.network import build_network, named_places

    params = params_from_project(project, **(overrides or {}))
    layers, log_lines = load_project_layers(project, progress=progress)
    _require_roads_and_incidents(project, layers, "to forecast")
    places = named_places(layers.get("cities"), layers.get("crossings"))
    network = build_network(layers["roads"], places=places, snap_tolerance_m=params.snap_tolerance_m,
                            place_snap_km=params.place_snap_km, segment_km=params.segment_km)
    return layers, params, network, log_lines


def forecast_project(project_path: str | Path, out_dir: str | Path, *, on: str, horizon_days: int = 14,
                     overwrite: bool = False, allow_outside: bool = False, progress: bool = False,
                     overrides: Mapping[str, Any] | None = None, top: int = 10) -> list[Path]:
    """Forecast a project's road segments (:mod:`geokit.forecast`) and write the products into ``out_dir``.

    Writes ``forecast.csv`` (one row per segment, ranked), ``forecast.gpkg`` (layers ``forecast`` and
    ``top_stretches``), ``forecast_map.html`` (offline) and ``model.json`` (the fitted parameters), with
    the build folder's guarantees (staged, swapped in whole, a manifest).

    Parameters
    ----------
    project_path : path
        The TOML project file (its roads, incidents, towns and crossings; its ``[analysis]`` radius and rules).
    out_dir : path
        Output folder.
    on : str
        The first day forecast, ``YYYY-MM-DD``; only incidents dated before it are read.
    horizon_days : int
        Days forecast.
    overwrite, allow_outside, progress : bool
        As :func:`build_project`.
    overrides : mapping, optional
        Analysis parameters that replace the project file's.
    top : int
        Stretches named on the map.

    Examples
    --------
    >>> forecast_project(project_file, out / "fc", on="2025-10-01")
    Traceback (most recent call last):
    ...
    geokit._errors.InputError: 1 road incident(s) before 2025-10-01: the model needs at least 2 ...
    """
    from geokit.forecast import forecast, top_stretches
    from geokit.maps import forecast_map
    from geokit.offline import save_html
    from geokit.timeline import day_number

    day = day_number(_checked_date(on, "--on"))
    if horizon_days < 1:
        raise InputError(f"--horizon {horizon_days}: give at least 1 day")
    project = load_project(project_path, allow_outside=allow_outside)
    out = resolve_out(out_dir)
    check_out_folder(out, overwrite=overwrite, protected=_project_paths(project))
    layers, params, network, log_lines = _forecast_inputs(project, progress=progress, overrides=overrides)
    table = forecast(network, layers["incidents"], on=on, horizon_days=horizon_days, radius_km=params.radius_km,
                     rules=params.rules)
    fit = table.attrs["fit"]
    stretches = top_stretches(table, network, n=top)
    base, sources = _map_base(project, layers, None, log_lines)
    last = day_date(day + horizon_days - 1).date()
    with build_lock(out), staged_folder(out) as stage:
        rows = pd.DataFrame(table.drop(columns="geometry")).assign(
            expected_incidents=table["expected_incidents"].round(5))
        csv_safe(rows).to_csv(stage / "forecast.csv", index=False, lineterminator="\n")
        _for_file(table).to_file(stage / "forecast.gpkg", layer="forecast", driver="GPKG", engine="pyogrio")
        if len(stretches):
            _for_file(stretches).to_file(stage / "forecast.gpkg", layer="top_stretches", driver="GPKG",
                                         engine="pyogrio")
        m = forecast_map(table, stretches, title=f"{project.name}: expected road incidents",
                         subtitle=f"{day_date(day).date()} to {last} ({horizon_days} days), within "
                                  f"{params.radius_km:g} km; Hawkes model fitted on {fit.n_events} incidents",
                         base=base, sources=sources)
        save_html(m, stage / "forecast_map.html", final_path=out / "forecast_map.html")
        record = {"project": project.name, "on": str(day_date(day).date()), "last_day": str(last),
                  "horizon_days": horizon_days, "radius_km": params.radius_km, "model": fit.as_dict(),
                  "top_stretches": stretches.drop(columns="geometry").to_dict("records"),
                  "definitions": _FORECAST_DEFINITIONS}
        (stage / "model.json").write_text(json.dumps(record, indent=1, default=str) + "\n", encoding="utf-8")
        names = sorted(p.name for p in stage.iterdir())
    return [out / name for name in names]


#: What forecast.csv's columns mean (model.json's ``definitions``).
_FORECAST_DEFINITIONS = {
    "expected_incidents": "expected blockade-relevant incidents within radius_km of the segment over the horizon "
                          "(the Hawkes model of geokit.forecast: background along the roads plus incidents "
                          "triggered by those before the forecast day)",
    "rank": "1 = the segment expecting most incidents",
    "drivers": "the past incidents adding most to the segment's expectation, largest first",
    "from_km, to_km": "the segment's position along its road piece (km)",
}


def _checked_date(value: str, option: str) -> str:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(value)):
        raise InputError(f"{option} {value!r} is not a date YYYY-MM-DD")
    try:
        pd.Timestamp(value)
    except ValueError:
        raise InputError(f"{option} {value!r} is not a calendar date; give YYYY-MM-DD") from None
    return value


def backtest_project(project_path: str | Path, out_dir: str | Path, *, start: str, end: str, every: str = "7d",
                     horizon_days: int = 14, overwrite: bool = False, allow_outside: bool = False,
                     progress: bool = False, overrides: Mapping[str, Any] | None = None) -> list[Path]:
    """Backtest the forecast on a project (:func:`geokit.forecast.backtest`) and write its table and chart.

    Writes ``backtest.csv`` (one row per origin and method), ``backtest_summary.csv`` (each method over
    the origins all scored), ``backtest.png`` and ``model.json`` (the settings and the summary).

    Parameters
    ----------
    project_path : path
    out_dir : path
    start, end : str
        The first and last forecast origins, ``YYYY-MM-DD``.
    every : str
        Days between origins: ``7d`` or ``2W`` (days or weeks).
    horizon_days : int
    overwrite, allow_outside, progress : bool
    overrides : mapping, optional

    Examples
    --------
    >>> names = backtest_project(project_file, out / "bt", start="2025-09-01", end="2025-09-30")
    >>> sorted(p.name for p in names)
    ['backtest.csv', 'backtest.png', 'backtest_summary.csv', 'model.json']
    """
    from geokit.chart import save_chart
    from geokit.forecast import backtest, backtest_summary
    from geokit.chart import backtest_chart

    _checked_date(start, "--from")
    _checked_date(end, "--to")
    found = re.fullmatch(r"(\d+)([dDwW])", str(every))
    if not found or int(found.group(1)) < 1:
        raise InputError(f"--every {every!r}: give days or weeks, e.g. 7d or 2W")
    every_days = int(found.group(1)) * (7 if found.group(2) in "wW" else 1)
    if horizon_days < 1:
        raise InputError(f"--horizon {horizon_days}: give at least 1 day")
    project = load_project(project_path, allow_outside=allow_outside)
    out = resolve_out(out_dir)
    check_out_folder(out, overwrite=overwrite, protected=_project_paths(project))
    layers, params, network, _ = _forecast_inputs(project, progress=progress, overrides=overrides)
    table = backtest(network, layers["incidents"], start=start, end=end, every_days=every_days,
                     horizon_days=horizon_days, radius_km=params.radius_km, rules=params.rules,
                     regions=layers.get("regions"), progress=progress)
    summary = backtest_summary(table)
    with build_lock(out), staged_folder(out) as stage:
        shown = table.assign(origin=table["origin"].dt.strftime("%Y-%m-%d")).round(6)
        shown.to_csv(stage / "backtest.csv", index=False, lineterminator="\n")
        summary.round(6).to_csv(stage / "backtest_summary.csv", index=False, lineterminator="\n")
        save_chart(backtest_chart(table, title=f"{project.name}: backtest, {horizon_days}-day horizon"),
                   stage / "backtest.png")
        record = {"project": project.name, "from": start, "to": end, "every_days": every_days,
                  "horizon_days": horizon_days, "radius_km": params.radius_km,
                  "summary": summary.to_dict("records")}
        (stage / "model.json").write_text(json.dumps(record, indent=1, default=str) + "\n", encoding="utf-8")
        names = sorted(p.name for p in stage.iterdir())
    return [out / name for name in names]
