"""Demo geography on a small synthetic store: the real country, provinces and kabupaten, illustrative cells that
nest inside the real kabupaten shape, every posyandu inside its own desa cell, points in the sea moved to land,
and the same cells every time."""

from __future__ import annotations

import shapely

from data import store
from demo.geography import build_demo_boundaries
from geo.shapes import from_wkb
from geo.validate import flag_points, flag_posyandu

# Four real desa of Kec. Tempilang (Bangka Barat) and two of Kec. Cibadak (Lebak); one desa point in the sea.
DESA = [
    ("19.05.05.2001", "Tempilang", 105.40, -2.03), ("19.05.05.2002", "Sinar Surya", 105.45, -2.00),
    ("19.05.05.2003", "Air Lintang", 105.50, -2.05), ("19.05.05.2004", "Buyan Kelumbi", 105.30, -2.25),
    ("36.02.18.2010", "Pasar Keong", 106.25, -6.45), ("36.02.18.2011", "Tambakbaya", 106.30, -6.40),
]
SEA_DESA = "19.05.05.2004"       # 105.30, -2.25 lies in the Bangka Strait


def _seed(con) -> None:
    with store.transaction(con):
        rows = [("19", "Kepulauan Bangka Belitung", 1, "provinsi", None), ("19.05", "Kabupaten Bangka Barat", 2,
                 "kabupaten", "19"), ("19.05.05", "Tempilang", 3, "kecamatan", "19.05"),
                ("36", "Banten", 1, "provinsi", None), ("36.02", "Kabupaten Lebak", 2, "kabupaten", "36"),
                ("36.02.18", "Cibadak", 3, "kecamatan", "36.02")]
        for code, name, level, kind, parent in rows:
            con.execute("INSERT INTO regions VALUES (?, ?, ?, ?, ?, NULL, NULL)", [code, name, level, kind, parent])
        for code, name, lon, lat in DESA:
            con.execute("INSERT INTO regions VALUES (?, ?, 4, 'desa', ?, ?, ?)", [code, name, code[:8], lat, lon])
        for i, (code, _name, lon, lat) in enumerate(DESA):
            for j in range(2):
                # The second posyandu of each desa is placed far off, in the neighbour's area.
                dx = 0.0 if j == 0 else 0.2
                con.execute("INSERT INTO posyandu (posyandu_id, name, desa_code, lat, lon) VALUES (?, ?, ?, ?, ?)",
                            [f"P{i}{j}", f"Melati {i}{j}", code, lat + 0.004, lon + 0.003 + dx])


def _cells(con, level: int) -> dict:
    return {c: from_wkb(g) for c, g in con.sql("SELECT code, geometry FROM boundaries WHERE level = ?",
                                               params=[level]).fetchall()}


def test_every_posyandu_ends_inside_its_desa_cell(con) -> None:
    _seed(con)
    build_demo_boundaries(con)
    desa = _cells(con, 4)
    assert set(desa) == {c for c, *_ in DESA}
    for pid, code, lat, lon in con.sql("SELECT posyandu_id, desa_code, lat, lon FROM posyandu").fetchall():
        assert desa[code].contains(shapely.Point(lon, lat)), pid
    assert flag_posyandu(con).height == 0


def test_desa_in_the_sea_is_moved_to_land_and_cells_nest(con) -> None:
    _seed(con)
    build_demo_boundaries(con)
    lat, lon = con.sql("SELECT lat, lon FROM regions WHERE code = ?", params=[SEA_DESA]).fetchone()
    assert (lon, lat) != (105.30, -2.25)
    land = from_wkb(con.sql("SELECT geometry FROM boundaries WHERE level = 0").fetchone()[0])
    assert land.contains(shapely.Point(lon, lat))
    kec, kab = _cells(con, 3), _cells(con, 2)
    desa = _cells(con, 4)
    assert kec["19.05.05"].buffer(1e-9).contains(shapely.union_all([desa[c] for c in desa if c.startswith("19.")]))
    # Every kabupaten/kota has its real shape; the illustrative cells lie inside the real kabupaten.
    assert len(kab) == 514 and len(_cells(con, 1)) == 38
    for code, cell in {**kec, **desa}.items():
        assert kab[code[:5]].buffer(1e-9).contains(cell), code
    flags = dict(((lv, illus), src) for lv, illus, src in con.sql(
        "SELECT level, illustrative, any_value(source) FROM boundaries GROUP BY ALL").fetchall())
    assert set(flags) == {(0, False), (1, False), (2, False), (3, True), (4, True)}
    assert "geoBoundaries" in flags[(0, False)] and "geoBoundaries" in flags[(2, False)]


def test_demo_geography_is_deterministic(tmp_path) -> None:
    digests = []
    for n in range(2):
        c = store.connect(tmp_path / f"d{n}.duckdb")
        _seed(c)
        build_demo_boundaries(c)
        digests.append(c.sql("SELECT sum(hash(code, geometry)) FROM boundaries").fetchone()[0])
        c.close()
    assert digests[0] == digests[1]


def test_flag_points_names_each_reason() -> None:
    import polars as pl

    cell = shapely.box(106.0, -6.6, 106.1, -6.5)
    land = shapely.box(100.0, -8.0, 110.0, -5.0)
    points = pl.DataFrame({"posyandu_id": ["a", "b", "c", "d", "e"], "name": ["A", "B", "C", "D", "E"],
                           "desa_code": ["36.02.18.2010"] * 5,
                           "lat": [-6.55, None, 40.0, -9.5, -6.3], "lon": [106.05, None, 10.0, 106.0, 106.05]})
    flags = flag_points(points, {"36.02.18.2010": cell}, land)
    assert dict(zip(flags["posyandu_id"], flags["reason"], strict=True)) == {
        "b": "geo_point_missing", "c": "geo_point_outside_indonesia", "d": "geo_point_outside_land",
        "e": "geo_point_outside_desa"}
