"""Demo boundaries: the real country, provinces and kabupaten/kota, and illustrative desa and kecamatan cells
built inside the real kabupaten shape around the real desa points (`geo/cells.py`).

The country, the 38 provinces and the 514 kabupaten/kota are the real shapes (geoBoundaries CGAZ ADM2, CC BY 4.0;
provinces dissolved from them; see geo/real.py and docs/geography.md). Desa points just off the (coarse) coast are
moved onto land, and every posyandu is moved into its desa cell, so the map never shows a posyandu in the wrong
desa. Deterministic: the same store gives the same cells, byte for byte.
"""

from __future__ import annotations

import duckdb

from geo import boundary_store as store_boundaries
from geo import real
from geo.boundary_store import BoundaryRow
from geo.cells import kabupaten_cells, posyandu_into_cells


def build_demo_boundaries(con: duckdb.DuckDBPyConnection) -> None:
    """Store the real country, provinces and kabupaten, and illustrative kecamatan/desa cells inside each
    kabupaten that has posyandu."""
    rows: list[BoundaryRow] = []
    # The real shapes go in as the committed WKB, with their precomputed national version (closer zooms use the
    # full shape, which is already coarse): no geometry work at build time.
    for code, level, source, blob, nasional in real.boundaries().select(
            "code", "level", "source", "geometry", "nasional").iter_rows():
        rows.append(BoundaryRow(code, level, source, False, blob, {"nasional": nasional}))
    posyandu = store_boundaries.posyandu_points(con)
    kab_codes = sorted({c[:5] for c in posyandu["desa_code"].drop_nulls().to_list()})
    cell_rows, moved_desa, cells = kabupaten_cells(store_boundaries.region_points(con), kab_codes)
    drawn = {r.code for r in rows}
    rows += [r for r in cell_rows if r.code not in drawn]
    store_boundaries.move_points(con, moved_desa, posyandu_into_cells(posyandu, cells))
    store_boundaries.write_boundaries(con, rows)
