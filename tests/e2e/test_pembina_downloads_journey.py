"""A pembina takes the documents of a province contest from the Data page, in Chromium (issue #13): the berita
acara and the rekap hold only the entrants of the pembina's kabupaten (Banjar), say they are an extract, and name
no judge; the scorecard list offers Banjar's entrants only."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import openpyxl
import polars as pl
from playwright.sync_api import expect

from data import store
from data.judging import auth
from data.store import reads
from tests.e2e.conftest import ARTIFACTS, serve, settle, sign_in
from tests.pdf_support import pdf_text

PROV = "LP2025-PROV-63"


def test_a_pembina_downloads_documents_of_their_region_only(demo_path: Path, tmp_path, browser):
    ARTIFACTS.mkdir(exist_ok=True)
    store_file = tmp_path / "demo.duckdb"
    shutil.copyfile(demo_path, store_file)
    con = store.connect(store_file)
    try:
        auth.create_user(con, "pembina-banjar", "pembina-demo", "pembina", region_code="63.03")
        entrants = reads.entrants_frame(con, PROV)
        judges = [r[0] for r in con.sql("SELECT DISTINCT j.name FROM judges j JOIN assignments a USING (judge_id) "
                                        "WHERE a.competition_id = ?", params=[PROV]).fetchall()]
    finally:
        con.close()
    inside = set(entrants.filter(pl.col("desa_code").str.starts_with("63.03."))["posyandu_name"])
    outside = set(entrants["posyandu_name"]) - inside
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="id-ID", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(90_000)
    try:
        with serve(store_file) as url:
            sign_in(page, url, "pembina-banjar", "pembina-demo")
            page.goto(f"{url}/pertukaran_data?competition={PROV}")
            settle(page)
            expect(page.get_by_text("hanya memuat peserta di wilayah Anda")).to_be_visible()
            page.screenshot(path=str(ARTIFACTS / "pembina-downloads-1-data-page.png"), full_page=True)

            with page.expect_download() as got:
                page.get_by_role("button", name="Berita acara (PDF)").click()
            ba = " ".join(pdf_text(Path(got.value.path()).read_bytes()).split())
            with page.expect_download() as got:
                page.get_by_role("button", name="Rekapitulasi nilai (Excel)").click()
            book = openpyxl.load_workbook(io.BytesIO(Path(got.value.path()).read_bytes()), read_only=True)
            recap = " ".join(str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True)
                             for v in row if v is not None)
            for text in (ba, recap):
                assert all(name in text for name in inside)
                assert not [name for name in outside if name in text]
                assert not [judge for judge in judges if judge in text]
                assert "Petikan untuk wilayah" in text
            expect(page.get_by_text("Traceback")).to_have_count(0)

            page.get_by_label("Kartu nilai untuk posyandu").click()
            offered = {o.strip() for o in page.get_by_role("option").all_inner_texts()}
            assert offered == inside
            page.keyboard.press("Escape")
            page.screenshot(path=str(ARTIFACTS / "pembina-downloads-2-after-downloads.png"), full_page=True)
    finally:
        context.close()
