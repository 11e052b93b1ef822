"""A pembina's downloads on the Data page hold only the pembina's region (issue #13).

The 2025 Kalimantan Selatan provinsi contest (LP2025-PROV-63, final) has three entrants from Kab. Banjar (63.03)
and three from Kab. Tanah Bumbu (63.10). A pembina of Banjar takes away the rekap, the berita acara and any
scorecard from the Data page: each holds Banjar's entrants only (with their ranks in the whole contest, and says it
is an extract), and the judges as numbers, since the contest is held by the province, not inside Banjar. The
panitia's documents hold everyone. Every download button the page draws for the pembina is clicked (its builder
run, as Streamlit does on a click) and read back.
"""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from data.judging import auth
from data.store import reads
from tests.pdf_support import pdf_text
from ui.auth import TOKEN_KEY

ROOT = Path(__file__).resolve().parent.parent
PROV = "LP2025-PROV-63"
BANJAR = "63.03"


@pytest.fixture
def con(demo_app):
    auth.create_user(demo_app, "pembina-banjar", "pembina-demo", "pembina", region_code=BANJAR,
                     display_name="Pembina Banjar")
    return demo_app


def _downloads(con, monkeypatch, username: str, password: str) -> tuple[AppTest, dict[str, bytes]]:
    """The Data page on PROV as `username`, and the file behind every download button it drew."""
    import ui.downloads

    built: dict[str, object] = {}
    monkeypatch.setattr(ui.downloads, "store_download",
                        lambda container, label, build, **kw: built.__setitem__(kw["key"], build))
    at = AppTest.from_file(str(ROOT / "pages/pertukaran_data.py"), default_timeout=120)
    at.session_state[TOKEN_KEY] = auth.authenticate(con, username, password).token
    at.query_params["competition"] = PROV
    at.run()
    assert not at.exception, at.exception
    files = {}
    for key, build in built.items():
        cur = con.cursor()
        try:
            files[key] = build(cur)
        finally:
            cur.close()
    return at, files


def _xlsx_text(data: bytes) -> str:
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    return "\n".join(str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row
                     if v is not None)


def _entrants(con) -> tuple[set[str], set[str]]:
    """Posyandu names inside Banjar, and those only outside it."""
    e = reads.entrants_frame(con, PROV)
    inside = set(e.filter(pl.col("desa_code").str.starts_with(BANJAR + "."))["posyandu_name"])
    return inside, set(e["posyandu_name"]) - inside


def _judges(con) -> list[str]:
    return [r[0] for r in con.sql("SELECT DISTINCT j.name FROM judges j JOIN assignments a USING (judge_id) "
                                  "WHERE a.competition_id = ?", params=[PROV]).fetchall()]


def test_every_download_of_a_pembina_holds_only_their_region(con, monkeypatch) -> None:
    inside, outside = _entrants(con)
    assert len(inside) == 3 and outside
    at, files = _downloads(con, monkeypatch, "pembina-banjar", "pembina-demo")
    assert set(files) == {"ex.recap", "ex.ba", "ex.sc"}                 # raw tables and backup: panitia only
    assert any("hanya memuat peserta di wilayah Anda" in c.value for c in at.caption)
    labels = at.selectbox(key="ex.card")
    assert set(labels.options) == inside                                # scorecards of Banjar's entrants only
    texts = {"ex.recap": _xlsx_text(files["ex.recap"]), "ex.ba": pdf_text(files["ex.ba"]),
             "ex.sc": pdf_text(files["ex.sc"])}
    for key, text in texts.items():
        flat = " ".join(text.split())
        for name in outside:
            assert name not in flat, f"{key} holds {name}, outside the pembina's region"
        for judge in _judges(con):
            assert judge not in flat, f"{key} names judge {judge}"
    for key in ("ex.recap", "ex.ba"):
        flat = " ".join(texts[key].split())
        assert all(name in flat for name in inside), key
        assert "Petikan untuk wilayah" in flat and "Juri 1" in flat, key


def test_the_panitia_documents_hold_the_whole_contest(con, monkeypatch) -> None:
    inside, outside = _entrants(con)
    _, files = _downloads(con, monkeypatch, "panitia", "panitia-demo")
    assert {"ex.recap", "ex.ba", "ex.sc", "ex.csv", "ex.parquet"} <= set(files)
    flat = " ".join(pdf_text(files["ex.ba"]).split())
    assert all(name in flat for name in inside | outside)
    assert "Petikan" not in flat


def test_a_pembina_with_no_entrant_in_a_contest_gets_no_document(con, monkeypatch) -> None:
    at, files = _downloads(con, monkeypatch, "pembina-lebak", "pembina-demo")   # Lebak holds none of PROV
    assert files == {}
    assert any("Tidak ada peserta lomba ini di wilayah Anda" in i.value for i in at.info)
