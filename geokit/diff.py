"""What changed between two builds: corridors and segments whose status
changed, new incidents, and people exposed up or down.

``geokit diff OLD_DIR NEW_DIR`` and the end of every build into a folder that
already holds one write ``changes.md`` (for a briefing) and ``changes.csv``
(one row per change: ``kind``, ``id``, ``name``, ``old``, ``new``, ``detail``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from geokit._errors import InputError
from geokit._io import atomic_path
from geokit.escape import csv_safe, markdown_text

__all__ = ["Changes", "diff_builds", "write_changes"]

_COLUMNS = ["kind", "id", "name", "old", "new", "detail"]


@dataclass(frozen=True)
class Changes:
    """Changes between two builds, one row each (see module docstring)."""

    table: pd.DataFrame
    old: str
    new: str

    def markdown(self) -> str:
        """A short briefing of the changes."""
        t = self.table
        lines = [f"# Changes from {markdown_text(self.old)} to {markdown_text(self.new)}", ""]
        if t.empty:
            lines.append("No corridor, segment, incident or exposure changed.")
            return "\n".join(lines) + "\n"
        sections = [("corridor", "Corridors whose status changed"),
                    ("population", "People exposed along corridors"),
                    ("segment", "Road segments whose status changed"),
                    ("incident", "New incidents")]
        for kind, heading in sections:
            part = t[t["kind"] == kind]
            if part.empty:
                continue
            lines += [f"## {heading} ({len(part)})", ""]
            for _, r in part.head(50).iterrows():
                detail = f" ({markdown_text(r['detail'])})" if r["detail"] else ""
                lines.append(f"- {markdown_text(r['name'] or r['id'])}: {markdown_text(r['old'] or '-')} -> "
                             f"{markdown_text(r['new'] or '-')}{detail}")
            if len(part) > 50:
                lines.append(f"- ... and {len(part) - 50} more (see changes.csv)")
            lines.append("")
        return "\n".join(lines)


def _read_build(folder: Path) -> dict[str, pd.DataFrame]:
    if not (folder / "summary.csv").is_file() or not (folder / "layers.gpkg").is_file():
        raise InputError(f"{folder} is not a geokit build (no summary.csv and layers.gpkg)")
    layers = set(pyogrio.list_layers(folder / "layers.gpkg")[:, 0])
    out = {"summary": pd.read_csv(folder / "summary.csv", keep_default_na=False)}
    for name in ("roads_status", "incidents"):
        out[name] = (pd.DataFrame(gpd.read_file(folder / "layers.gpkg", layer=name, ignore_geometry=True))
                     if name in layers else pd.DataFrame())
    return out


def diff_builds(old_dir: str | Path, new_dir: str | Path, *, new_label: str | None = None) -> Changes:
    """Compare two build folders (``new_label`` names the new one in the report).

    Examples
    --------
    >>> diff_builds("out/september", "out/october").table  # doctest: +SKIP
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
            detail = ""
            if name in b.index and b.loc[name, "status"] == "blockaded":
                detail = f"blockaded since {b.loc[name, 'blockaded_since']}, detour: {b.loc[name, 'detour']}"
            rows.append({"kind": "corridor", "id": name, "name": name, "old": sa, "new": sb, "detail": detail})
        if name in a.index and name in b.index and "population_exposed" in b:
            pa = pd.to_numeric(a.loc[name, "population_exposed"], errors="coerce")
            pb = pd.to_numeric(b.loc[name, "population_exposed"], errors="coerce")
            if pd.notna(pa) and pd.notna(pb) and pa != pb:
                rows.append({"kind": "population", "id": name, "name": name, "old": f"{pa:,.0f}",
                             "new": f"{pb:,.0f}", "detail": "up" if pb > pa else "down"})
    ra, rb = old["roads_status"], new["roads_status"]
    if len(ra) and len(rb) and "segment_id" in ra and "segment_id" in rb:
        extra = [c for c in ("name", "ref", "from_km", "to_km") if c in rb]
        merged = ra[["segment_id", "status"]].merge(rb[["segment_id", "status", *extra]], on="segment_id",
                                                    suffixes=("_old", "_new"))
        changed = merged[merged["status_old"] != merged["status_new"]]
        for _, r in changed.sort_values("segment_id").iterrows():
            label = " ".join(str(r.get(c)) for c in ("ref", "name") if pd.notna(r.get(c)) and r.get(c))
            where = (f"km {r['from_km']:.0f}-{r['to_km']:.0f} of the road part"
                     if "from_km" in r and pd.notna(r.get("from_km")) else "")
            rows.append({"kind": "segment", "id": str(r["segment_id"]), "name": label,
                         "old": r["status_old"], "new": r["status_new"], "detail": where})
    ia, ib = old["incidents"], new["incidents"]
    if len(ib) and "event_id" in ib:
        known = set(ia["event_id"].astype(str)) if len(ia) and "event_id" in ia else set()
        fresh = ib[~ib["event_id"].astype(str).isin(known)]
        for _, r in fresh.sort_values(["date", "event_id"]).iterrows():
            rows.append({"kind": "incident", "id": str(r["event_id"]), "name": str(r.get("event_type") or ""),
                         "old": "", "new": str(r["date"])[:10], "detail": str(r.get("notes") or "")[:120]})
    table = pd.DataFrame(rows, columns=_COLUMNS)
    return Changes(table=table, old=str(old_dir), new=new_label or str(new_dir))


def write_changes(changes: Changes, folder: str | Path) -> list[Path]:
    """Write ``changes.md`` and ``changes.csv`` into ``folder`` (atomically)."""
    folder = Path(folder)
    with atomic_path(folder / "changes.csv") as tmp:
        csv_safe(changes.table).to_csv(tmp, index=False, lineterminator="\n")
    with atomic_path(folder / "changes.md") as tmp:
        tmp.write_text(changes.markdown(), encoding="utf-8")
    return [folder / "changes.csv", folder / "changes.md"]
