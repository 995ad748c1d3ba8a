"""The ``geokit`` command: a thin layer over the functions a notebook calls.

Exit status: 0 success, 1 bad input (a clear message, no traceback),
2 usage error, 130 Ctrl-C (one line, whenever it comes: :mod:`geokit._interrupt`).
Progress and logs go to stderr; ``--quiet`` silences all but errors,
``--verbose`` adds debug logs. Every message, log line and warning that can
quote data (a file name, a cell, a name) goes through
:func:`geokit.escape.terminal_text`: control characters, escape sequences and
bidi overrides show as ``\\x1b``/``\\u202e`` escapes.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import logging
import os
import sys
import traceback
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path

from geokit._errors import GeokitError, GeokitWarning, hints_for
from geokit._interrupt import INTERRUPTED, STATUS, exit_on_interrupt, is_command, raise_on_interrupt
from geokit.escape import terminal_text
from geokit.schema import LAYER_KINDS
from geokit.palette import STATUSES

__all__ = ["main", "build_parser"]

log = logging.getLogger("geokit")

_EPILOG_VALIDATE = """examples:
  geokit validate roads.gpkg --kind roads --layer roads
  geokit validate acled_mali.csv --kind incidents
  geokit validate towns.shp --kind cities --crs EPSG:32629 --column population=POP2009
"""
_EPILOG_INFO = """examples:
  geokit info ../shared/data/populated_places_ne10m.geojson
  geokit info incidents.csv --kind incidents
"""
_EPILOG_BUILD = """examples:
  geokit build layers/mali_2025/project.toml --out out/mali
  geokit build project.toml --out out/october --start 2025-10-01 --end 2025-10-31 --overwrite
  geokit build project.toml --out out/weekly --every 7d --format geoparquet
  geokit build project.toml --out out/wider --radius-km 20 --blockade-days 14
"""
_EPILOG_TIMELINE = """examples:
  geokit timeline layers/mali_2025/project.toml
  geokit timeline project.toml --start 2025-09-01 --end 2025-11-30 --status blockaded
  geokit timeline project.toml --csv episodes.csv
"""
_EPILOG_ROUTE = """examples:
  geokit route layers/mali_2025/project.toml --from Kayes --to Bamako
  geokit route project.toml --from Dakar --to Bamako --on 2025-10-01 --max-extra-km 300
  geokit route project.toml --from -11.44,14.44 --to Bamako --csv options.csv

Every option avoids the roads blockaded on the day. exposure is in incident-km: the km of the route within
reach (radius_km) of each incident of the at-risk look-back, a km counted once per incident reaching it.
"""
_EPILOG_DIFF = """examples:
  geokit diff out/september out/october
"""
_EPILOG_FETCH = """examples:
  export ACLED_EMAIL=analyst@example.org ACLED_PASSWORD=...   # or [acled] in ~/.config/geokit/credentials.toml
  geokit fetch acled --country Mali --country "Burkina Faso" --start 2025-01-01 --end 2025-12-31 --out acled.csv
  geokit fetch acled ... --out acled.csv        # again: only what changed since, edits and deletions applied

ACLED's terms: cite ACLED in every product; do not redistribute the raw rows.
"""
_EPILOG_FETCH_UCDP = """examples:
  export UCDP_TOKEN=...                          # or [ucdp] token in ~/.config/geokit/credentials.toml
  geokit fetch ucdp --country Mali --country 439 --start 2025-01-01 --end 2025-12-31 --version 25.0.10 --out ged.csv
"""
_EPILOG_FETCH_OSM = """examples:
  geokit fetch osm --bbox -12.5,10.0,4.5,25.0 --highway trunk,primary,secondary --out roads.geojson

OpenStreetMap data: (c) OpenStreetMap contributors, ODbL 1.0; share derived databases alike.
"""
_EPILOG_FORECAST = """examples:
  geokit forecast layers/mali_2025/project.toml --on 2025-10-01 --horizon 14 --out out/forecast
  geokit forecast layers/mali_2025/project.toml --backtest --from 2025-07-01 --to 2025-12-31 --every 7d --out out/bt

A forecast reads only the incidents dated before --on. The model, its scores and its limits:
see geokit.forecast (python -c "import geokit.forecast as f; help(f)") and README.md.
"""

_EPILOG_DEMO = """examples:
  geokit demo                 # writes ./out/demo
  geokit demo --out /tmp/mali
"""


#: Analysis parameters the command line can set: (option, type, help); the key is the option's name.
_ANALYSIS_OPTIONS = [
    ("--radius-km", float, "distance from an incident that exposes a road or place"),
    ("--segment-km", float, "length of the road segments that get a status"),
    ("--blockade-days", int, "days an incident keeps a road blockaded"),
    ("--at-risk-days", int, "days an incident keeps a road at risk"),
    ("--imprecise-radius-km", float, "reach of incidents located only to an area"),
    ("--place-snap-km", float, "farthest a corridor's town may lie from a road"),
]


def _analysis_overrides(args: argparse.Namespace) -> dict:
    return {option[2:].replace("-", "_"): getattr(args, option[2:].replace("-", "_"))
            for option, _, _ in _ANALYSIS_OPTIONS}


class _Parser(argparse.ArgumentParser):
    """argparse's parser, whose usage errors (which quote the arguments, e.g. a file name a script took
    from data) are shown through :func:`~geokit.escape.terminal_text`; its sub-commands' parsers too."""

    def _print_message(self, message: str, file=None) -> None:  # noqa: ANN001
        super()._print_message(terminal_text(message) if message else message, file)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``geokit`` command.

    Examples
    --------
    >>> args = build_parser().parse_args(["build", "project.toml", "--out", "out/x", "--radius-km", "20"])
    >>> args.command, args.out, args.radius_km
    ('build', 'out/x', 20.0)
    """
    parser = _Parser(
        prog="geokit",
        description="Conflict mapping along transport corridors.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    from geokit import __version__

    parser.add_argument("--version", action="version", version=f"geokit {__version__}")
    verbosity = parser.add_mutually_exclusive_group()
    verbosity.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    verbosity.add_argument("-v", "--verbose", action="count", default=0,
                           help="print geokit's debug logs (-vv: every library's too)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    # -q / -v are accepted after the command too (geokit build ... -q)
    common = _Parser(add_help=False)
    group = common.add_mutually_exclusive_group()
    group.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS, help="print errors only")
    group.add_argument("-v", "--verbose", action="count", default=argparse.SUPPRESS,
                       help="print geokit's debug logs (-vv: every library's too)")

    def layer_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("path", help="layer file (GeoPackage, Shapefile, GeoJSON, FlatGeobuf, "
                       "GeoParquet, CSV, .osm/.osm.pbf)")
        p.add_argument("--layer", help="layer name inside a multi-layer file")
        p.add_argument("--crs", help="CRS of a file that declares none, e.g. EPSG:4326")
        p.add_argument("--column", action="append", default=[], metavar="CANONICAL=SOURCE",
                       help="map a source column to a canonical one (repeatable)")
        p.add_argument("--date-format", help="strftime layout of dates, e.g. %%d/%%m/%%Y")
        p.add_argument("--encoding", help="text encoding of a CSV file (default UTF-8)")

    def analysis_options(p: argparse.ArgumentParser) -> None:
        group = p.add_argument_group("analysis parameters (override the project file's [analysis] table)")
        for option, kind, text in _ANALYSIS_OPTIONS:
            group.add_argument(option, type=kind, metavar=option.strip("-").split("-")[-1].upper(), help=text)

    p = sub.add_parser("validate", parents=[common], help="check a layer and print a report",
                       description="Read a layer, run every check and print what was found. "
                       "Exits 1 when the layer has errors.",
                       epilog=_EPILOG_VALIDATE, formatter_class=argparse.RawDescriptionHelpFormatter)
    layer_options(p)
    p.add_argument("--kind", required=True, choices=LAYER_KINDS, help="what the layer holds")
    p.add_argument("--strict", action="store_true", help="refuse invalid geometries")

    p = sub.add_parser("info", parents=[common], help="describe a layer: kind, CRS, extent, count, dates",
                       description="Describe a layer file.", epilog=_EPILOG_INFO,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    layer_options(p)
    p.add_argument("--kind", choices=LAYER_KINDS, help="layer kind (guessed from the geometry "
                   "and columns if not given)")

    p = sub.add_parser("build", parents=[common], help="build every product of a project file",
                       description="Load a project's layers, run the corridor analysis and write into --out: "
                       "map.html (the offline map: open it first), brief.html (the printable brief; brief.pdf "
                       "with --pdf), layers.gpkg, summary.csv/json, status_timeline.csv, population_exposed.csv, "
                       "status_chart.png, incident_density.tif, build.log, and changes.csv/md against the "
                       "build already there.",
                       epilog=_EPILOG_BUILD, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("project", help="project file (TOML)")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--start", help="first day of the window, YYYY-MM-DD (overrides the project)")
    p.add_argument("--end", help="last day of the window, YYYY-MM-DD (overrides the project)")
    p.add_argument("--overwrite", action="store_true", help="replace the products already in --out")
    p.add_argument("--allow-outside", action="store_true",
                   help="allow layer paths outside the project folder")
    p.add_argument("--boundaries", help="country polygons for the offline map base (GeoPackage, GeoJSON, Shapefile, ...)")
    p.add_argument("--every", help="one build per window: 7d, 2W, 1M (sub-folders, timeline.csv, timeline_map.html, "
                   "index.html)")
    p.add_argument("--format", action="append", choices=["geoparquet", "geojson", "kml"], default=[],
                   help="also write each layer in this format (repeatable; kml: corridors, corridor_episodes, "
                   "detours, incidents, crossings, cities, styled and timed for GPS units and Google Earth)")
    p.add_argument("--pdf", action="store_true",
                   help="also print brief.html to brief.pdf with headless Chromium (with --every: each "
                   "window's brief, linked from index.html)")
    p.add_argument("--paper", choices=["a4", "letter"], default="a4",
                   help="the brief's paper size (default a4)")
    p.add_argument("--refresh", action="store_true",
                   help="first fetch the project's [sources] (ACLED, UCDP, OpenStreetMap) into their files")
    p.add_argument("--trust-api-url", action="append", default=[], metavar="URL",
                   help="with --refresh: let a [sources.acled] or [sources.ucdp] api_url of the project receive "
                   "your credentials (repeatable; without it only the official APIs do)")
    analysis_options(p)

    p = sub.add_parser("timeline", parents=[common], help="print every corridor's episodes of constant status",
                       description="Since when, until when, for how long: each corridor's episodes over "
                       "the window (the status_timeline.csv a build writes). Dates include both ends; "
                       "a blank end means the status still holds at the window's end.",
                       epilog=_EPILOG_TIMELINE, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("project", help="project file (TOML)")
    p.add_argument("--start", help="first day of the window, YYYY-MM-DD (overrides the project)")
    p.add_argument("--end", help="last day of the window, YYYY-MM-DD (overrides the project)")
    p.add_argument("--status", action="append", choices=STATUSES, default=[],
                   help="only episodes of this status (repeatable)")
    p.add_argument("--csv", help="also write the episodes to this CSV file")
    p.add_argument("--allow-outside", action="store_true",
                   help="allow layer paths outside the project folder")
    analysis_options(p)

    p = sub.add_parser("route", parents=[common], help="route options between two places: shortest open, least "
                       "exposed and the trade-offs between", description="The shortest open route, the least "
                       "exposed one and the non-dominated options between them (length against exposure) on a "
                       "day, each different from the others. Places are names of the project's cities and "
                       "crossings, or lon,lat.", epilog=_EPILOG_ROUTE,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("project", help="project file (TOML)")
    p.add_argument("--from", dest="origin", required=True, metavar="PLACE", help="origin: a name or lon,lat")
    p.add_argument("--to", dest="destination", required=True, metavar="PLACE",
                   help="destination: a name or lon,lat")
    p.add_argument("--via", action="append", default=[], metavar="PLACE",
                   help="a place every option passes (repeatable, in order)")
    p.add_argument("--on", help="the day, YYYY-MM-DD (default: the window's last day)")
    p.add_argument("--start", help="first day of the window, YYYY-MM-DD (overrides the project)")
    p.add_argument("--end", help="last day of the window, YYYY-MM-DD (overrides the project)")
    p.add_argument("--max-extra-km", type=float, metavar="KM", help="most extra km accepted over the shortest")
    p.add_argument("--max-extra-ratio", type=float, metavar="SHARE",
                   help="most extra distance accepted as a share of the shortest (0.25: 25%% longer)")
    p.add_argument("--max-options", type=int, default=4, metavar="N", help="at most N options (default 4)")
    p.add_argument("--csv", help="also write the options to this CSV file")
    p.add_argument("--allow-outside", action="store_true",
                   help="allow layer paths outside the project folder")
    analysis_options(p)

    p = sub.add_parser("diff", parents=[common], help="what changed between two builds",
                       description="Compare two build folders: corridors and segments whose status "
                       "changed, new incidents, people exposed up or down. Writes changes.md and changes.csv.",
                       epilog=_EPILOG_DIFF, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("old", help="the earlier build folder")
    p.add_argument("new", help="the later build folder")
    p.add_argument("--out", help="the geokit build (or a new folder) to add changes.md/.csv to (default: NEW)")

    p = sub.add_parser("fetch", help="fetch incidents from a live source into a file geokit reads",
                       description="Fetch incidents from a live source, recording what was fetched in "
                       "FILE.manifest.json; a second fetch asks only for what changed since.")
    sources = p.add_subparsers(dest="source", metavar="SOURCE")
    sources.required = True
    p = sources.add_parser("acled", parents=[common], help="ACLED's API (an account's email and password)",
                           description="Fetch ACLED events of some countries and dates into a CSV in ACLED's "
                           "export columns. Credentials: ACLED_EMAIL and ACLED_PASSWORD, or [acled] email and "
                           "password in ~/.config/geokit/credentials.toml (chmod 600); never printed or written.",
                           epilog=_EPILOG_FETCH, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--country", action="append", required=True, help="an ACLED country name (repeatable)")
    p.add_argument("--start", required=True, help="first event date, YYYY-MM-DD")
    p.add_argument("--end", required=True, help="last event date, YYYY-MM-DD")
    p.add_argument("--out", required=True, help="the CSV to write (its manifest goes beside it)")
    p.add_argument("--api-url", default=None, help="another server: a mirror, or a test server (https, or plain "
                   "http to this machine only: it receives your credentials)")
    p.add_argument("--full", action="store_true", help="fetch everything again, not only what changed")
    p = sources.add_parser("ucdp", parents=[common], help="UCDP's GED API (an access token)",
                           description="Fetch UCDP GED events of some countries and dates, from one or more GED "
                           "versions (a yearly release such as 25.1, a candidate release of the current year such "
                           "as 25.0.10), into a CSV in the GED's columns. The token: UCDP_TOKEN, or [ucdp] token "
                           "in ~/.config/geokit/credentials.toml (chmod 600); never printed or written.",
                           epilog=_EPILOG_FETCH_UCDP, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--country", action="append", required=True,
                   help="a country name (Mali, Burkina Faso, ...) or Gleditsch-Ward code (repeatable)")
    p.add_argument("--start", required=True, help="first event date, YYYY-MM-DD")
    p.add_argument("--end", required=True, help="last event date, YYYY-MM-DD")
    p.add_argument("--version", action="append", required=True, dest="versions",
                   help="a GED version, e.g. 25.1 or 25.0.10 (repeatable; a later one wins for an event in both)")
    p.add_argument("--out", required=True, help="the CSV to write (its manifest goes beside it)")
    p.add_argument("--api-url", default=None, help="another server: a mirror, or a test server (https, or plain "
                   "http to this machine only: it receives your credentials)")
    p.add_argument("--full", action="store_true", help="fetch again even when these versions were fetched")
    p = sources.add_parser("osm", parents=[common], help="OpenStreetMap roads from the Overpass API",
                           description="Fetch the OpenStreetMap ways of some highway classes in a bounding box "
                           "into a GeoJSON of lines with osm_id, highway, ref and name.",
                           epilog=_EPILOG_FETCH_OSM, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bbox", required=True, help="W,S,E,N in degrees, e.g. -12.5,10.0,4.5,25.0")
    p.add_argument("--highway", default="trunk,primary,secondary",
                   help="comma-separated highway values (default: trunk,primary,secondary)")
    p.add_argument("--out", required=True, help="the GeoJSON to write (its manifest goes beside it)")
    p.add_argument("--api-url", default=None, help="another Overpass instance, or a test server")

    p = sub.add_parser("forecast", parents=[common], help="expected road incidents in the days ahead, or a backtest",
                       description="Early warning: fit a self-exciting point process (Hawkes) to the project's "
                       "blockade-relevant incidents dated before --on and write, for every road segment, the "
                       "expected incidents within radius_km over --horizon days: forecast.csv, forecast.gpkg, "
                       "forecast_map.html, model.json. With --backtest, forecast from every origin between --from "
                       "and --to using only the past, score each against what followed beside persistence and a "
                       "region-month rate: backtest.csv, backtest_summary.csv, backtest.png.",
                       epilog=_EPILOG_FORECAST, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("project", help="project file (TOML)")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--on", help="the first day forecast, YYYY-MM-DD (incidents from this day on are not read)")
    p.add_argument("--horizon", type=int, default=14, metavar="DAYS", help="days forecast (default 14)")
    p.add_argument("--backtest", action="store_true", help="score forecasts from a rolling origin instead")
    p.add_argument("--from", dest="start", help="first backtest origin, YYYY-MM-DD")
    p.add_argument("--to", dest="end", help="last backtest origin, YYYY-MM-DD")
    p.add_argument("--every", default="7d", help="days between backtest origins: 7d, 2W (default 7d)")
    p.add_argument("--overwrite", action="store_true", help="replace an earlier forecast in --out")
    p.add_argument("--allow-outside", action="store_true", help="allow layer paths outside the project folder")
    analysis_options(p)

    p = sub.add_parser("demo", parents=[common], help="run the main job on the shipped Mali 2025 layer set",
                       description="Load and validate the shipped layers/mali_2025 project "
                       "and write its products.", epilog=_EPILOG_DEMO,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", default="out/demo", help="output folder (default: out/demo)")
    p.add_argument("--project", help="project file (default: the shipped Mali 2025 project)")
    p.add_argument("--boundaries", help="country polygons for the offline map base, when the project "
                   "has none (the shipped project has its own)")
    return parser


def _column_mapping(pairs: Sequence[str]) -> dict[str, str]:
    mapping = {}
    for pair in pairs:
        canon, sep, src = pair.partition("=")
        if not sep or not canon or not src:
            raise GeokitError(f"--column {pair!r} is not CANONICAL=SOURCE, e.g. --column ref=route_no")
        mapping[canon.strip()] = src.strip()
    return mapping


def _layer_kwargs(args: argparse.Namespace) -> dict:
    return {
        "layer": args.layer,
        "crs": args.crs,
        "columns": _column_mapping(args.column),
        "date_format": args.date_format,
        "encoding": args.encoding,
    }


def _cmd_validate(args: argparse.Namespace) -> int:
    from geokit.layers import validate_layer

    _, report = validate_layer(args.path, args.kind, strict=args.strict, **_layer_kwargs(args))
    print(terminal_text(hints_for(report.format(), "cli")))
    return 0 if report.ok else 1


def _cmd_info(args: argparse.Namespace) -> int:
    from geokit.layers import describe_layer

    print(terminal_text(describe_layer(args.path, kind=args.kind, **_layer_kwargs(args))))
    return 0


def _bars() -> bool:
    """Progress bars only on a terminal: a log that stderr is redirected to gets no bars."""
    return sys.stderr is not None and sys.stderr.isatty()


def _print_written(written: list[Path], out: str, quiet: bool) -> None:
    if quiet:
        return
    print(terminal_text(f"wrote {len(written)} files to {out}:"))
    for path in written:
        print(terminal_text(f"  {path.name:24} {path.stat().st_size:>12,} bytes"))
    for name, what in (("map.html", "the map"), ("brief.html", "the brief")):
        if any(p.name == name for p in written):
            print(f"open {terminal_text(Path(out) / name)} for {what}")


def _print_batch(written: list[Path], out: str, quiet: bool) -> None:
    """A batch's summary: its windows, their folders and where to start (index.html)."""
    if quiet:
        return
    root = Path(out)
    folders = sorted({p.parent.name for p in written if p.parent != root})
    size = sum(p.stat().st_size for p in written)
    lines = [f"wrote {len(folders)} windows, {len(written)} files ({size / 1e6:,.1f} MB) to {out}:"]
    if folders:
        lines.append(f"  windows  {folders[0]} ... {folders[-1]} (one folder each: map.html, brief.html, "
                     "summary.csv, ...)")
    lines += [f"  {name:17} {root / name}" for name in ("index.html", "timeline_map.html", "timeline.csv")]
    lines.append(f"open {root / 'index.html'} to start")
    print(terminal_text("\n".join(lines)))


def _cmd_build(args: argparse.Namespace) -> int:
    from geokit.build import build_batch, build_project, refresh_sources

    if args.refresh:
        for manifest in refresh_sources(args.project, allow_outside=args.allow_outside,
                                        trust_api_urls=args.trust_api_url):
            if not args.quiet:
                print(terminal_text(f"{manifest['file']}: {manifest['rows']:,} rows from {manifest['source']} "
                                    f"({manifest['mode'] if 'mode' in manifest else 'full'} fetch)"))

    kwargs = {"start": args.start, "end": args.end, "overwrite": args.overwrite,
              "allow_outside": args.allow_outside, "boundaries": args.boundaries,
              "formats": ("gpkg", *args.format), "progress": not args.quiet and _bars(),
              "overrides": _analysis_overrides(args), "pdf": args.pdf, "paper": args.paper}
    if args.every:
        written = build_batch(args.project, args.out, every=args.every, **kwargs)
        _print_batch(written, args.out, args.quiet)
        return 0
    else:
        written = build_project(args.project, args.out, **kwargs)
    _print_written(written, args.out, args.quiet)
    return 0


def _cmd_timeline(args: argparse.Namespace) -> int:
    import pandas as pd

    from geokit._io import atomic_path
    from geokit.build import _for_csv, check_table_file, project_timeline
    from geokit.escape import csv_safe

    if args.csv:
        check_table_file(args.csv, args.project, allow_outside=args.allow_outside)
    table = project_timeline(args.project, start=args.start, end=args.end, allow_outside=args.allow_outside,
                             progress=not args.quiet and _bars(), overrides=_analysis_overrides(args))
    if args.status:
        table = table[table["status"].isin(args.status)]
    shown = _for_csv(table)
    if args.csv:
        with atomic_path(Path(args.csv)) as tmp:
            csv_safe(shown).to_csv(tmp, index=False, lineterminator="\n")
    if not args.quiet:
        columns = ["corridor", "status", "start", "end", "days", "max_blockaded_km", "opened_by", "detour"]
        with pd.option_context("display.width", 160, "display.max_colwidth", 40):
            print(terminal_text(shown[[c for c in columns if c in shown]].to_string(index=False)))
    return 0


def _cmd_route(args: argparse.Namespace) -> int:
    import pandas as pd

    from geokit._io import atomic_path
    from geokit.build import _for_csv, check_table_file, project_route_options
    from geokit.escape import csv_safe
    from geokit.routing import parse_place

    if args.csv:
        check_table_file(args.csv, args.project, allow_outside=args.allow_outside)
    table = project_route_options(
        args.project, parse_place(args.origin), parse_place(args.destination), on=args.on,
        via=tuple(parse_place(v) for v in args.via), start=args.start, end=args.end,
        allow_outside=args.allow_outside, progress=not args.quiet, overrides=_analysis_overrides(args),
        max_extra_km=args.max_extra_km, max_extra_ratio=args.max_extra_ratio, max_options=args.max_options)
    shown = _for_csv(table.drop(columns=["edge_ids", "geometry"]))
    if args.csv:
        with atomic_path(Path(args.csv)) as tmp:
            csv_safe(shown).to_csv(tmp, index=False, lineterminator="\n")
    if not args.quiet:
        if not len(shown):
            print(terminal_text(f"no open road joins {args.origin} and {args.destination} on that day"))
            return 0
        columns = ["option", "kind", "length_km", "extra_km", "exposure_incident_km", "at_risk_km", "incidents",
                   "fatalities", "not_on_shortest"]
        print(terminal_text(f"route options {shown['corridor'].iat[0]} on {shown['on'].iat[0]}:"))
        with pd.option_context("display.width", 160, "display.max_colwidth", 50, "display.float_format",
                               "{:,.1f}".format):
            print(terminal_text(shown[columns].to_string(index=False, na_rep="")))
    return 0


def _cmd_diff(args: argparse.Namespace) -> int:
    from geokit.diff import add_changes, diff_builds

    changes = diff_builds(args.old, args.new)
    written = add_changes(changes, args.out or args.new)
    if not args.quiet:
        print(terminal_text(changes.markdown()))
        print(terminal_text("wrote " + ", ".join(str(p) for p in written)))
    return 0


def _cmd_forecast(args: argparse.Namespace) -> int:
    from geokit.build import backtest_project, forecast_project

    common = {"overwrite": args.overwrite, "allow_outside": args.allow_outside, "progress": not args.quiet,
              "overrides": _analysis_overrides(args), "horizon_days": args.horizon}
    if args.backtest:
        if args.on:
            raise GeokitError("--on forecasts one day; a backtest takes --from and --to: drop one of them")
        if not args.start or not args.end:
            raise GeokitError("--backtest needs --from and --to (the first and last origins, YYYY-MM-DD)")
        written = backtest_project(args.project, args.out, start=args.start, end=args.end, every=args.every,
                                   **common)
        if not args.quiet:
            import pandas as pd

            summary = pd.read_csv(Path(args.out) / "backtest_summary.csv")
            print(terminal_text(summary.round(4).to_string(index=False)))
    else:
        if not args.on:
            raise GeokitError("give --on YYYY-MM-DD (the first day forecast), or --backtest with --from and --to")
        if args.start or args.end:
            raise GeokitError("--from and --to belong to --backtest; a forecast takes --on")
        written = forecast_project(args.project, args.out, on=args.on, **common)
        if not args.quiet:
            import json

            record = json.loads((Path(args.out) / "model.json").read_text(encoding="utf-8"))
            print(f"{record['on']} to {record['last_day']}: the stretches expecting most road incidents")
            for row in record["top_stretches"]:
                print(terminal_text(f"  {row['rank']:>2}. {row['label']}"))
    _print_written(written, args.out, args.quiet)
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from geokit.build import build_project, default_project_path

    project = Path(args.project) if args.project else default_project_path()
    written = build_project(project, args.out, overwrite=True, boundaries=args.boundaries,
                            progress=not args.quiet and _bars())
    _print_written(written, args.out, args.quiet)
    return 0


def _cmd_fetch(args: argparse.Namespace) -> int:
    from geokit.sources import ACLED_URL, OVERPASS_URL, UCDP_URL, fetch_acled, fetch_osm, fetch_ucdp

    def progress(page: int, rows: int) -> None:
        if not args.quiet:
            print(f"  page {page}: {rows:,} rows so far", file=sys.stderr)

    if args.source == "acled":
        manifest = fetch_acled(args.out, countries=args.country, start=args.start, end=args.end,
                               api_url=args.api_url or ACLED_URL, full=args.full, progress=progress)
        done = f"{manifest['rows_received']:,} rows received, {manifest['deleted']} deleted"
    elif args.source == "osm":
        manifest = fetch_osm(args.out, bbox=args.bbox, highway=args.highway.split(","),
                             api_url=args.api_url or OVERPASS_URL)
        changes = manifest["changes_since_previous_file"]
        if not args.quiet:
            print(terminal_text(f"{args.out}: {manifest['rows']:,} OpenStreetMap ways (data of "
                                f"{manifest['osm_base'] or '?'}"
                                + (f"; {changes['added']} added, {changes['removed']} removed, "
                                   f"{changes['changed']} changed" if changes else "") + ")"))
            print(terminal_text(f"  {manifest['terms']}"))
        return 0
    else:
        manifest = fetch_ucdp(args.out, countries=args.country, start=args.start, end=args.end,
                              versions=args.versions, api_url=args.api_url or UCDP_URL, full=args.full,
                              progress=progress)
        done = "nothing new to fetch" if manifest["mode"] == "unchanged" else \
            f"{manifest['rows_received']:,} rows received"
    if not args.quiet:
        print(terminal_text(f"{args.out}: {manifest['rows']:,} {manifest['source']} events ({manifest['mode']} "
                            f"fetch: {done})"))
        print(terminal_text(f"  {manifest['terms']}"))
    return 0


_COMMANDS = {"validate": _cmd_validate, "info": _cmd_info, "build": _cmd_build, "timeline": _cmd_timeline,
             "route": _cmd_route, "diff": _cmd_diff, "demo": _cmd_demo, "fetch": _cmd_fetch,
             "forecast": _cmd_forecast}


class _TerminalFormatter(logging.Formatter):
    """Log lines with control characters from data shown, not obeyed by the terminal."""

    def format(self, record: logging.LogRecord) -> str:
        return terminal_text(super().format(record))


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:  # noqa: ANN001
    """geokit's warnings as one line (what was repaired or dropped, and the fix), not a source location."""
    if issubclass(category, GeokitWarning):
        print(f"geokit: warning: {terminal_text(hints_for(str(message), 'cli'))}", file=sys.stderr)
    else:  # a library's warning may quote data (a field name, a value): shown escaped too
        print(terminal_text(warnings.formatwarning(message, category, filename, lineno, line)), end="",
              file=sys.stderr)


def _joined_bbox(argv: list[str]) -> list[str]:
    """``--bbox -12.5,10,4.5,25`` as ``--bbox=-12.5,10,4.5,25``: argparse takes a value that starts with a
    minus sign and is not a plain number for an option (also the lon,lat of ``--from``, ``--to``, ``--via``).

    >>> _joined_bbox(["fetch", "osm", "--bbox", "-12.5,10,4.5,25"])
    ['fetch', 'osm', '--bbox=-12.5,10,4.5,25']
    >>> _joined_bbox(["route", "p.toml", "--from", "-11.44,14.44"])
    ['route', 'p.toml', '--from=-11.44,14.44']
    """
    out: list[str] = []
    for arg in argv:
        if out and out[-1] in ("--bbox", "--from", "--to", "--via") and arg[:2].lstrip("-")[:1].isdigit():
            out[-1] = f"{out[-1]}={arg}"
        else:
            out.append(arg)
    return out


@contextlib.contextmanager
def _fewer_collections() -> Iterator[None]:
    """Python's cyclic garbage collector run less often while a command runs, then as it was: a build makes
    millions of short-lived objects and holds a large heap, which the default thresholds walk over and
    over (a 100k-incident build: 13.3 s -> 12.2 s)."""
    before = gc.get_threshold()
    gc.set_threshold(100_000, 50, 100)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``geokit`` command; return its exit status.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments after ``geokit``; ``sys.argv[1:]`` when omitted.

    Examples
    --------
    >>> main(["validate", "layers/mali_2025/border_crossings.geojson", "--kind", "crossings", "-q"])
    ... # doctest: +ELLIPSIS
    layers/mali_2025/border_crossings.geojson (crossings): 5 rows read, 5 kept
      OK: no problems found.
    0
    """
    command = is_command()
    try:
        if command:
            raise_on_interrupt()  # while the command runs, Ctrl-C unwinds it: staging folders and locks released
        return _run(argv)
    except KeyboardInterrupt:
        if command:
            exit_on_interrupt("interrupted")  # a second Ctrl-C while this one is reported
        print(INTERRUPTED, file=sys.stderr)
        return STATUS
    except BrokenPipeError:  # geokit timeline ... | head: the reader left; say nothing more (Python's advice)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    finally:
        if command:
            exit_on_interrupt("exit")  # and Ctrl-C while the process ends


def _run(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(_joined_bbox(list(sys.argv[1:] if argv is None else argv)))
    verbose = int(args.verbose or 0)
    level = logging.WARNING if args.quiet else logging.DEBUG if verbose else logging.INFO
    handler = logging.StreamHandler()
    handler.setFormatter(_TerminalFormatter("%(levelname)s %(name)s: %(message)s"))
    # other libraries (rasterio, pyogrio, fiona, matplotlib) stay at WARNING unless -vv
    logging.basicConfig(level=logging.DEBUG if verbose >= 2 else logging.WARNING, handlers=[handler])
    logging.getLogger("geokit").setLevel(level)
    with warnings.catch_warnings():
        if args.quiet:
            warnings.simplefilter("ignore", GeokitWarning)
        warnings.showwarning = _show_warning
        try:
            with _fewer_collections():
                return _COMMANDS[args.command](args)
        except GeokitError as exc:
            print(f"geokit {args.command}: error: {terminal_text(hints_for(str(exc), 'cli'))}", file=sys.stderr)
            return 1
        except Exception:  # a bug: its traceback, with the data text it quotes shown, not obeyed
            if not is_command():
                raise
            print(terminal_text(traceback.format_exc()), end="", file=sys.stderr)
            return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
