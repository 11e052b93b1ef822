"""A committee's own store gets the real geography on its first start (#14): region points and the real outlines
(geo/real_store.py), and its posyandu are on the map from the first day, at their desa's point until their own
coordinates are imported."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
from streamlit.testing.v1 import AppTest

from data import store
from data.judging import auth
from data.setup import entrants as hand
from data.store import reads
from geo import real_store
from tests.setup_support import PANITIA_PASSWORD, ROOT, texts
from tests.test_hand_entrants import PANITIA, _desa, _kudus
from ui.auth import TOKEN_KEY

PASAR_KEONG = "36.02.18.2010"         # Desa Pasar Keong, Kec. Cibadak, Kab. Lebak


def _fresh(empty_store_template: Path, tmp_path: Path):
    target = tmp_path / "own.duckdb"
    shutil.copyfile(empty_store_template, target)
    return store.connect(target)


def test_a_new_store_gets_the_shipped_region_points_and_real_outlines_once(empty_store_template, tmp_path):
    con = _fresh(empty_store_template, tmp_path)
    try:
        assert real_store.missing_region_points(con) > 80_000          # names only, as first_start leaves it
        assert store.scalar(con, "SELECT count(*) FROM boundaries") == 0
        # a committee's own point for one desa is kept
        con.execute("UPDATE regions SET lat = -6.5, lon = 106.25 WHERE code = ?", [PASAR_KEONG])
        done = real_store.prepare_real_geography(con)
        placed = {r["level"]: r for r in real_store.placed_share(con).iter_rows(named=True)}
        assert placed[1]["placed"] == placed[1]["regions"] == 38
        assert placed[2]["placed"] == placed[2]["regions"]
        assert placed[4]["placed"] >= 0.99 * placed[4]["regions"]
        assert done["points"] == sum(r["placed"] for r in placed.values()) - 1
        assert con.execute("SELECT lat, lon FROM regions WHERE code = ?", [PASAR_KEONG]).fetchone() == (-6.5, 106.25)
        levels = dict(con.sql("SELECT level, count(*) FROM boundaries GROUP BY level").fetchall())
        assert levels[0] == 1 and levels[1] == 38 and levels[2] >= 500 and 3 not in levels
        assert done["outlines"] == sum(levels.values())
        # nothing to do a second time: the start-up check is one count each
        assert real_store.prepare_real_geography(con) == {"points": 0, "outlines": 0}
    finally:
        con.close()


def test_uploaded_boundaries_are_never_replaced_by_the_shipped_outlines(empty_store_template, tmp_path):
    con = _fresh(empty_store_template, tmp_path)
    try:
        con.execute("INSERT INTO boundaries (code, level, source, illustrative, geometry) "
                    "VALUES ('33.19', 2, 'BIG 2024 (unggahan panitia)', FALSE, ''::BLOB)")
        assert real_store.fill_real_outlines(con) == 0
        assert con.sql("SELECT source FROM boundaries").fetchall() == [("BIG 2024 (unggahan panitia)",)]
    finally:
        con.close()


def test_a_posyandu_without_coordinates_is_placed_at_its_desa_point(setup_app):
    con = setup_app
    real_store.prepare_real_geography(con)
    cid = _kudus(con)
    desa = _desa()
    pid, _ = hand.register_and_enter(con, PANITIA, cid, "Posyandu Melati", desa)
    other = hand.add_posyandu(con, PANITIA, "Posyandu Mawar", desa)
    con.execute("UPDATE posyandu SET lat = -6.8, lon = 110.9 WHERE posyandu_id = ?", [other])
    desa_point = con.execute("SELECT lat, lon FROM regions WHERE code = ?", [desa]).fetchone()
    got = {r["posyandu_id"]: r for r in reads.posyandu_profiles(con).iter_rows(named=True)}
    assert (got[pid]["lat"], got[pid]["lon"], got[pid]["at_desa_point"]) == (*desa_point, True)
    assert (got[other]["lat"], got[other]["lon"], got[other]["at_desa_point"]) == (-6.8, 110.9, False)


def test_peta_of_a_new_contest_draws_the_real_kabupaten_and_says_where_points_come_from(setup_app):
    con = setup_app
    cid = _kudus(con)
    for n in range(3):
        hand.register_and_enter(con, PANITIA, cid, f"Posyandu Anggrek {n + 1}", _desa(n=n))
    at = AppTest.from_file(str(ROOT / "pages" / "peta.py"), default_timeout=120)
    at.session_state[TOKEN_KEY] = auth.authenticate(con, "ketua", PANITIA_PASSWORD).token
    at.query_params["competition"] = cid
    at.run()                            # the app's first start on this store prepares its geography
    assert not at.exception
    said = texts(at) + "\n".join(str(h.proto.body) for h in at.get("html"))
    assert "3 posyandu belum punya koordinat sendiri: digambar di titik desanya" in said
    assert "empty" not in said.lower()
    assert store.scalar(con, "SELECT count(*) FROM boundaries WHERE code = '33.19'") == 1
    # its kecamatan were drawn (illustrative) so the choropleth has cells to colour once scores come in
    assert store.scalar(con, "SELECT count(*) FROM boundaries WHERE level = 3 AND starts_with(code, '33.19.')") == 9
    assert pl.DataFrame(reads.posyandu_profiles(con))["lat"].null_count() == 0


def test_a_new_contests_kabupaten_gets_illustrative_kecamatan_cells_once(setup_app):
    from geo.cells import CELL_SOURCE

    con = setup_app
    real_store.prepare_real_geography(con)
    drawn = real_store.ensure_cells(con, ["33.19"])
    kecamatan = dict(con.sql("SELECT level, count(*) FROM boundaries WHERE starts_with(code, '33.19.') "
                             "GROUP BY level").fetchall())
    n_kec = store.scalar(con, "SELECT count(*) FROM regions WHERE level = 3 AND starts_with(code, '33.19.')")
    assert kecamatan[3] == n_kec == 9 and drawn == kecamatan[3] + kecamatan[4]       # Kab. Kudus: 9 kecamatan
    assert {r[0] for r in con.sql("SELECT DISTINCT source FROM boundaries WHERE level >= 3").fetchall()} == {CELL_SOURCE}
    assert real_store.ensure_cells(con, ["33.19"]) == 0          # nothing drawn twice
