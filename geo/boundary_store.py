"""Store reads and writes of region boundaries (EPSG:4326 WKB) and of the points the map checks against them.

Geometry stays opaque bytes here: `geo/` turns it into shapes. Every write is one `store.transaction`, so an
import that fails half-way leaves the previous boundaries in place.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import duckdb
import polars as pl
import pyarrow as pa

from data import store

Con = duckdb.DuckDBPyConnection


@dataclass(frozen=True)
class BoundaryRow:
    """One region's outline and its simplified display versions (zoom name → WKB)."""

    code: str
    level: int
    source: str
    illustrative: bool
    geometry: bytes
    display: dict[str, bytes] = field(default_factory=dict)


def write_boundaries(con: Con, rows: Iterable[BoundaryRow]) -> int:
    """Insert or replace boundaries by code, all in one transaction; returns how many were written."""
    rows = list(rows)
    if not rows:
        return 0
    codes = [r.code for r in rows]
    with store.transaction(con):
        store.touch_reference(con)
        con.execute("DELETE FROM boundaries WHERE list_contains(?, code)", [codes])
        con.execute("DELETE FROM boundary_display WHERE list_contains(?, code)", [codes])
        main = pa.table({"code": codes, "level": [r.level for r in rows], "source": [r.source for r in rows],
                         "illustrative": [r.illustrative for r in rows],
                         "geometry": pa.array([r.geometry for r in rows], pa.binary())})
        store.insert_frame(con, "boundaries", main)
        pairs = [(r.code, zoom, blob) for r in rows for zoom, blob in r.display.items()]
        if pairs:
            disp = pa.table({"code": [p[0] for p in pairs], "zoom": [p[1] for p in pairs],
                             "geometry": pa.array([p[2] for p in pairs], pa.binary())})
            store.insert_frame(con, "boundary_display", disp)
    return len(rows)




def read_boundaries(con: Con, level: int | None = None, zoom: str | None = None,
                    prefix: str | None = None) -> pl.DataFrame:
    """code, level, source, illustrative, geometry (WKB): full outlines, or the display version of `zoom`.

    `prefix` keeps the codes inside one region ("63" → Kalimantan Selatan and everything in it).
    """
    geom = "b.geometry" if zoom is None else "coalesce(d.geometry, b.geometry)"
    join = "" if zoom is None else "LEFT JOIN boundary_display d ON d.code = b.code AND d.zoom = ?"
    params: list = [] if zoom is None else [zoom]
    where = ["TRUE"]
    if level is not None:
        where.append("b.level = ?")
        params.append(level)
    if prefix:
        where.append("(b.code = ? OR b.code LIKE ? || '.%' OR b.level = 0)")
        params += [prefix, prefix]
    return con.sql(
        f"SELECT b.code, b.level, b.source, b.illustrative, {geom} AS geometry "
        f"FROM boundaries b {join} WHERE {' AND '.join(where)} ORDER BY b.level, b.code",
        params=params,
    ).pl()


def boundary_levels(con: Con) -> dict[int, bool]:
    """level → whether any boundary of that level is illustrative (the legend says so)."""
    rows = con.sql("SELECT level, bool_or(illustrative) FROM boundaries GROUP BY level").fetchall()
    return {int(level): bool(illus) for level, illus in rows}


def real_sources(con: Con, codes: Iterable[str] | None = None) -> list[str]:
    """The sources of the real (not illustrative) boundaries of `codes`, their kabupaten and their provinces (all
    when None), to credit in exports: the shipped ones say "geoBoundaries (CC BY 4.0)", one kabupaten "Natural
    Earth (public domain)"."""
    sql = "SELECT DISTINCT source FROM boundaries WHERE NOT illustrative"
    params: list = []
    if codes is not None:
        around = sorted({c[:n] for c in codes for n in (2, 5) if len(c) >= n})
        sql += " AND list_contains(?, code)"
        params.append(around)
    rows = con.sql(sql + " ORDER BY source", params=params).fetchall()
    return [r[0] for r in rows if r[0]]


def region_points(con: Con, prefix: str | None = None) -> pl.DataFrame:
    """Regions with their names, kinds, parents and lat/lon (the demo places its cells around these)."""
    sql = "SELECT code, name, level, kind, parent_code, lat, lon FROM regions"
    params: list = []
    if prefix:
        sql += " WHERE code = ? OR code LIKE ? || '.%'"
        params = [prefix, prefix]
    return con.sql(sql + " ORDER BY code", params=params).pl()


def posyandu_points(con: Con) -> pl.DataFrame:
    """posyandu_id, name, desa_code, lat, lon of every posyandu (the points the map and the checks use)."""
    return con.sql("SELECT posyandu_id, name, desa_code, lat, lon FROM posyandu ORDER BY posyandu_id").pl()


def move_points(con: Con, regions: list[tuple[str, float, float]],
                posyandu: list[tuple[str, float, float]]) -> None:
    """Set new (lat, lon) for regions and posyandu by code/id, in one transaction (the demo snaps to land)."""
    if not regions and not posyandu:
        return
    with store.transaction(con):
        store.touch_reference(con)
        for table, key, moved in (("regions", "code", regions), ("posyandu", "posyandu_id", posyandu)):
            if not moved:
                continue
            data = pa.table({"k": [m[0] for m in moved], "lat": [float(m[1]) for m in moved],
                             "lon": [float(m[2]) for m in moved]})
            with store.registered(con, "_geo_moved", data) as view:
                con.execute(f"UPDATE {table} SET lat = m.lat, lon = m.lon FROM {view} m WHERE {table}.{key} = m.k")
