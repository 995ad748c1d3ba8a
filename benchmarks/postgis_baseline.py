"""A throwaway PostGIS server for the benchmark: Debian's PostgreSQL with PostGIS,
initialised in a temporary folder by an unprivileged user, listening only on a
Unix socket in that folder, stopped and removed afterwards."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely


def _bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(found[-1]).parent if found else None


def available() -> bool:
    """Debian's PostgreSQL and PostGIS are installed."""
    return _bin() is not None and bool(glob.glob("/usr/share/postgresql/*/extension/postgis.control"))


def _as_user(cmd: list[str]) -> list[str]:
    if os.geteuid() == 0:  # initdb refuses root: run as the postgres system user
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


@dataclass
class PostGIS:
    folder: Path
    bin: Path

    @classmethod
    def start(cls) -> PostGIS:
        bin_dir = _bin()
        if bin_dir is None:
            raise RuntimeError("PostgreSQL is not installed: apt-get install postgresql-15-postgis-3")
        folder = Path(tempfile.mkdtemp(prefix="geokit-pg-"))
        if os.geteuid() == 0:
            shutil.chown(folder, "postgres", "postgres")
        data = folder / "data"
        subprocess.run(_as_user([str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "bench"]),
                       check=True, capture_output=True)
        subprocess.run(_as_user([str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(folder / "log"), "-w",
                                 "-o", f"-k {folder} -c listen_addresses='' -c shared_buffers=512MB "
                                       f"-c work_mem=256MB -c max_parallel_workers_per_gather=2", "start"]),
                       check=True, capture_output=True)
        server = cls(folder=folder, bin=bin_dir)
        with server.connect() as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        return server

    def connect(self):
        import psycopg

        return psycopg.connect(host=str(self.folder), user="bench", dbname="postgres", autocommit=True)

    def load(self, seg: gpd.GeoDataFrame, inc: gpd.GeoDataFrame) -> float:
        """Create the tables, copy the rows in, build GiST indexes; return the seconds taken."""
        start = time.perf_counter()
        srid = seg.crs.to_epsg()
        with self.connect() as conn:
            conn.execute("DROP TABLE IF EXISTS seg; DROP TABLE IF EXISTS inc")
            conn.execute(f"CREATE TABLE seg (id bigint, geom geometry(LineString, {srid}))")
            conn.execute(f"CREATE TABLE inc (id bigint, geom geometry(Point, {srid}))")
            for table, frame in (("seg", seg), ("inc", inc)):
                wkb = shapely.to_wkb(frame.geometry.array, hex=True)
                with conn.cursor().copy(f"COPY {table} (id, geom) FROM STDIN") as copy:
                    for i, g in enumerate(wkb):
                        copy.write_row((i, g))
            conn.execute(f"UPDATE seg SET geom = ST_SetSRID(geom, {srid}) WHERE ST_SRID(geom) = 0")
            conn.execute(f"UPDATE inc SET geom = ST_SetSRID(geom, {srid}) WHERE ST_SRID(geom) = 0")
            conn.execute("CREATE INDEX seg_gix ON seg USING GIST (geom)")
            conn.execute("CREATE INDEX inc_gix ON inc USING GIST (geom)")
            conn.execute("ANALYZE seg; ANALYZE inc")
        return time.perf_counter() - start

    def exposure(self, radius_km: float) -> pd.Series:
        """Incidents within the radius of each segment (ST_DWithin on GiST indexes)."""
        with self.connect() as conn:
            rows = conn.execute(
                "SELECT s.id, count(*) FROM seg s JOIN inc i ON ST_DWithin(s.geom, i.geom, %s) GROUP BY s.id",
                (radius_km * 1000,)).fetchall()
        return pd.Series({int(a): int(b) for a, b in rows}, dtype="int64")

    def stop(self) -> None:
        subprocess.run(_as_user([str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"), "-m", "fast", "stop"]),
                       capture_output=True)
        shutil.rmtree(self.folder, ignore_errors=True)
