"""What changed between two builds: corridors and roads whose status
changed, new incidents, and people exposed up or down.

``geokit diff OLD_DIR NEW_DIR`` and the end of every build into a folder that
already holds one write ``changes.md`` (for a briefing) and ``changes.csv``
(one row per change: ``kind``, ``id``, ``name``, ``old``, ``new``, ``detail``).
Corridor changes say since when and for how long, from the new build's
timeline ("blockaded since 2025-09-13, 18 days"); road changes come as
contiguous stretches of one road with the same change (``kind`` ``road``:
named road, km from-to, old -> new status), and one row per segment
(``kind`` ``segment``) in the CSV only.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
from pyogrio.errors import DataLayerError, DataSourceError

from geokit._errors import InputError
from geokit._io import atomic_path
from geokit.escape import csv_safe, markdown_text, plain_text
from geokit.palette import BLOCKADED
from geokit.palette import STATUS_LABELS
from geokit.trust import check_gpkg_layer, check_layer_file, gdal_offline

__all__ = ["Changes", "diff_builds", "write_changes", "add_changes"]

_COLUMNS = ["kind", "id", "name", "old", "new", "detail"]


@dataclass(frozen=True)
class Changes:
    """Changes between two builds, one row each (see module docstring).

    Examples
    --------
    >>> print(diff_builds(september, october).markdown().splitlines()[0])  # doctest: +ELLIPSIS
    # Changes ...
    """

    table: pd.DataFrame
    old: str
    new: str

    def markdown(self) -> str:
        """A short briefing of the changes."""
        t = self.table
        lines = [f"# Changes from {_code(self.old)} to {_code(self.new)}", ""]
        if t.empty:
            lines.append("No corridor, segment, incident or exposure changed.")
            return "\n".join(lines) + "\n"
        sections = [("corridor", "Corridors whose status changed"),
                    ("population", "People exposed along corridors"),
                    ("road", "Roads whose status changed (contiguous stretches)"),
                    ("incident", "New incidents")]
        for kind, heading in sections:
            part = t[t["kind"] == kind]
            if part.empty:
                continue
            lines += [f"## {heading} ({len(part)})", ""]
            for _, r in part.head(50).iterrows():
                if kind == "incident":  # date, type: what the source says
                    lines.append(f"- {markdown_text(r['new'])} {markdown_text(r['name'] or 'incident')}: "
                                 f"{markdown_text(r['detail'])}")
                    continue
                detail = f" ({markdown_text(r['detail'])})" if r["detail"] else ""
                lines.append(f"- {markdown_text(r['name'] or r['id'])}: {_label(r['old'])} -> "
                             f"{_label(r['new'])}{detail}")
            if len(part) > 50:
                lines.append(f"- ... and {len(part) - 50} more (see changes.csv)")
            lines.append("")
        return "\n".join(lines)


def _code(path: str) -> str:
    """A path as a Markdown code span (shown verbatim, never as markup)."""
    return "`" + str(path).replace("`", "'").replace("\n", " ") + "`"


def _label(value: object) -> str:
    """A status as it reads ("at risk"); anything else escaped for Markdown; '-' when empty."""
    text = plain_text(value)
    return STATUS_LABELS.get(text) or markdown_text(text) or "-"


def _read_build(folder: Path) -> dict[str, pd.DataFrame]:
    if not (folder / "summary.csv").is_file() or not (folder / "layers.gpkg").is_file():
        raise InputError(f"{folder} is not a geokit build (no summary.csv and layers.gpkg); give the folder "
                         "of a geokit build")
    gpkg = folder / "layers.gpkg"
    _check_geopackage(gpkg)
    gpkg = check_layer_file(gpkg)  # a build from elsewhere is read like any layer file
    out = {"summary": _read_summary(check_layer_file(folder / "summary.csv"))}
    try:
        with gdal_offline():
            layers = set(pyogrio.list_layers(gpkg)[:, 0])
            for name in ("roads_status", "incidents"):
                if name in layers:
                    check_gpkg_layer(gpkg, name)
                out[name] = (pd.DataFrame(gpd.read_file(gpkg, layer=name, ignore_geometry=True))
                             if name in layers else pd.DataFrame())
    except (DataSourceError, DataLayerError, OSError) as exc:
        raise InputError(f"{gpkg} cannot be read ({str(exc).strip()[:200]}); rebuild that folder with geokit "
                         "build") from None
    return out


#: The first bytes of every SQLite file, so of every GeoPackage.
_SQLITE_HEADER = b"SQLite format 3\x00"


def _check_geopackage(path: Path) -> None:
    """Refuse a layers.gpkg that is not a GeoPackage (a GeoJSON or anything else renamed)."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(len(_SQLITE_HEADER))
    except OSError as exc:
        raise InputError(f"{path} cannot be read: {exc.strerror}; rebuild that folder with geokit build") from None
    if head != _SQLITE_HEADER:
        raise InputError(f"{path} is not a GeoPackage (it does not start with the SQLite header); geokit build "
                         "writes one: give the folder of a geokit build, or rebuild it")


def _read_summary(path: Path) -> pd.DataFrame:
    """A build's summary.csv as text (corridors named "1" and "1.0" stay two), comma- or semicolon-separated;
    an empty file or one without ``corridor`` and ``status`` columns is refused with the fix."""
    fix = "give the folder of a geokit build, or rebuild it with geokit build"
    first = None
    for sep in (",", ";"):
        try:
            table = pd.read_csv(path, dtype=str, keep_default_na=False, sep=sep)
        except pd.errors.EmptyDataError:
            raise InputError(f"{path} is empty; {fix}") from None
        except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
            raise InputError(f"{path} is not a CSV geokit can read ({str(exc).strip()[:120]}); {fix}") from None
        if {"corridor", "status"} <= set(table.columns):
            return table.drop_duplicates("corridor")
        first = table if first is None else first
    columns = ", ".join(map(str, first.columns[:8])) if first is not None else ""
    raise InputError(f"{path} has no corridor and status columns (it has: {columns}); {fix}")


def diff_builds(old_dir: str | Path, new_dir: str | Path, *, new_label: str | None = None) -> Changes:
    """Compare two build folders (``new_label`` names the new one in the report).

    Parameters
    ----------
    old_dir, new_dir : str or Path
        Two build folders (``summary.csv`` and ``layers.gpkg`` each).
    new_label : str, optional
        How the new build is named in the report (its final folder, when it is compared from staging).

    Examples
    --------
    >>> changes = diff_builds(september, october)
    >>> changes.table.loc[changes.table["kind"] == "corridor", ["name", "old", "new"]].values.tolist()
    [['Kayes-Bamako', 'blockaded', 'at_risk']]
    """
    old_dir, new_dir = Path(old_dir), Path(new_dir)
    old, new = _read_build(old_dir), _read_build(new_dir)
    rows: list[dict] = []
    a = old["summary"].set_index("corridor")
    b = new["summary"].set_index("corridor")
    for name in sorted(set(a.index) | set(b.index)):
        sa = a["status"].get(name, "") if name in a.index else "(absent)"
        sb = b["status"].get(name, "") if name in b.index else "(absent)"
        if sa != sb:
            detail = _corridor_detail(b.loc[name]) if name in b.index else ""
            rows.append({"kind": "corridor", "id": name, "name": name, "old": sa, "new": sb, "detail": detail})
        if name in a.index and name in b.index and "population_exposed" in b:
            pa = pd.to_numeric(a.loc[name, "population_exposed"], errors="coerce")
            pb = pd.to_numeric(b.loc[name, "population_exposed"], errors="coerce")
            if pd.notna(pa) and pd.notna(pb) and pa != pb:
                rows.append({"kind": "population", "id": name, "name": name, "old": f"{pa:,.0f}",
                             "new": f"{pb:,.0f}", "detail": "up" if pb > pa else "down"})
    rows += _road_changes(old["roads_status"], new["roads_status"])
    ia, ib = old["incidents"], new["incidents"]
    if len(ib) and "event_id" in ib:
        known = set(ia["event_id"].astype(str)) if len(ia) and "event_id" in ia else set()
        fresh = ib[~ib["event_id"].astype(str).isin(known)]
        for _, r in fresh.sort_values(["date", "event_id"]).iterrows():
            rows.append({"kind": "incident", "id": str(r["event_id"]), "name": plain_text(r.get("event_type")),
                         "old": "", "new": str(r["date"])[:10], "detail": plain_text(r.get("notes"))[:120]})
    table = pd.DataFrame(rows, columns=_COLUMNS)
    return Changes(table=table, old=str(old_dir), new=new_label or str(new_dir))


def _corridor_detail(row: pd.Series) -> str:
    """Since when and for how long, from a build's summary row."""
    status = row.get("status", "")
    days = row.get("days_blockaded", "")
    if status == BLOCKADED:
        text = f"blockaded since {row.get('blockaded_since', '')}"
        if str(days) not in ("", "nan"):
            text += f", {days} days in the window"
        detour = row.get("detour", "")
        km, extra = (pd.to_numeric(row.get(c, ""), errors="coerce") for c in ("detour_km", "detour_extra_km"))
        if detour == "ok" and pd.notna(km) and pd.notna(extra):
            text += f"; detour {km:,.0f} km (+{extra:,.0f} km)"
        elif detour:
            text += f"; detour: {detour}"
        return text
    periods = row.get("blockaded_periods", "")
    if periods:
        reopened = row.get("reopened_on", "")
        return f"blockaded {periods}" + (f", reopened on {reopened}" if reopened else "")
    return ""


def _road_changes(ra: pd.DataFrame, rb: pd.DataFrame) -> list[dict]:
    """Segments whose status changed (kind ``segment``) and the contiguous stretches they form (``road``)."""
    if not (len(ra) and len(rb) and "segment_id" in ra and "segment_id" in rb):
        return []
    extra = [c for c in ("name", "ref", "road_index", "part", "from_km", "to_km", "blockaded_since") if c in rb]
    merged = ra[["segment_id", "status"]].merge(rb[["segment_id", "status", *extra]], on="segment_id",
                                                suffixes=("_old", "_new"))
    changed = merged[merged["status_old"] != merged["status_new"]].sort_values("segment_id")
    rows = []
    for _, r in changed.iterrows():
        rows.append({"kind": "segment", "id": str(r["segment_id"]), "name": _road_name(r),
                     "old": r["status_old"], "new": r["status_new"],
                     "detail": (f"km {r['from_km']:.0f}-{r['to_km']:.0f} of the road part"
                                if pd.notna(r.get("from_km")) else "")})
    if changed.empty or not {"road_index", "from_km", "to_km"} <= set(changed.columns):
        return rows
    keys = ["road_index", "part"] if "part" in changed else ["road_index"]
    ordered = changed.sort_values([*keys, "from_km"]).reset_index(drop=True)
    same = (ordered[keys].eq(ordered[keys].shift()).all(axis=1)
            & (ordered["status_old"] == ordered["status_old"].shift())
            & (ordered["status_new"] == ordered["status_new"].shift())
            & ((ordered["from_km"] - ordered["to_km"].shift()).abs() < 1e-6))
    stretch = (~same).cumsum()
    agg = {"from_km": "min", "to_km": "max", "segment_id": "count"}
    if "blockaded_since" in ordered:
        agg["blockaded_since"] = "min"
    groups = ordered.groupby(stretch).agg(agg)
    firsts = ordered.groupby(stretch).first()
    for key, g in groups.iterrows():
        f = firsts.loc[key]
        since = g.get("blockaded_since")
        detail = f"km {g['from_km']:.0f}-{g['to_km']:.0f}, {g['to_km'] - g['from_km']:.0f} km"
        if f["status_new"] == BLOCKADED and pd.notna(since) and str(since):
            detail += f", since {str(since)[:10]}"
        rows.append({"kind": "road", "id": f"{f['road_index']}:{g['from_km']:.3f}", "name": _road_name(f),
                     "old": f["status_old"], "new": f["status_new"], "detail": detail})
    return rows


def _road_name(r: pd.Series) -> str:
    return " ".join(str(r.get(c)) for c in ("ref", "name") if pd.notna(r.get(c)) and r.get(c))


def write_changes(changes: Changes, folder: str | Path) -> list[Path]:
    """Write ``changes.md`` and ``changes.csv`` into ``folder`` (atomically).

    Parameters
    ----------
    changes : Changes
        :func:`diff_builds`.
    folder : str or Path
        Where to write.

    Examples
    --------
    >>> import tempfile
    >>> [p.name for p in write_changes(diff_builds(september, october), tempfile.mkdtemp())]
    ['changes.csv', 'changes.md']
    """
    folder = Path(folder)
    with atomic_path(folder / "changes.csv") as tmp:
        csv_safe(changes.table).to_csv(tmp, index=False, lineterminator="\n")
    with atomic_path(folder / "changes.md") as tmp:
        tmp.write_text(changes.markdown(), encoding="utf-8")
    return [folder / "changes.csv", folder / "changes.md"]


def add_changes(changes: Changes, folder: str | Path) -> list[Path]:
    """Add ``changes.md`` and ``changes.csv`` to the geokit build ``folder`` (``geokit diff``), its manifest
    updated: the build is copied into a staging folder, the changes and a new manifest added, and the two
    exchanged in one step (a kill leaves the build as it was or with its changes, never a mix).

    ``folder`` must be a geokit build whose manifest lists every file in it, or a new or empty folder;
    any other is refused (:func:`geokit._io.check_out_folder`).

    Parameters
    ----------
    changes : Changes
        :func:`diff_builds`.
    folder : str or Path
        The build (usually the newer of the two compared).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> [p.name for p in add_changes(diff_builds(september, october), pathlib.Path(tempfile.mkdtemp()) / "c")]
    ['changes.csv', 'changes.md']
    """
    from geokit._io import build_lock, check_out_folder, copy_build, resolve_out, staged_folder

    target = resolve_out(folder)
    check_out_folder(target, overwrite=True, what="the changes' folder")
    with build_lock(target), staged_folder(target) as stage:
        if target.is_dir():
            copy_build(target, stage)
        write_changes(changes, stage)
    return [Path(folder) / "changes.csv", Path(folder) / "changes.md"]
