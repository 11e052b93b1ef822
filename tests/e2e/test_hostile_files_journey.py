"""Malformed files and locked forms in a real browser (issue #19, items 6 and 7).

Panitia uploads, on the Data page, a GeoJSON with a polygon ring that does not close, an empty GeoJSON and a
CSV with a one-megabyte cell: each gets its reason in Indonesian, nothing is written, no traceback. A judge
submits a finished form: from then on the form offers no upload and no removal of evidence (the store refuses
them too: tests/test_evidence_access.py), and says it is locked.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from data import store
from data.judging import auth, forms
from data.judging.contest_life import send_back
from tests.e2e.conftest import ARTIFACTS, nav, no_traceback, pick, serve, settle, sign_in
from tests.fixtures import hostile
from tests.pdf_support import make_pdf

WAIT = 90_000


def _finished_form(path: Path) -> tuple[str, str, str, str]:
    """A form of juri1 in a stage still open whose every criterion is answered, with the judge's answers to
    its disagreement flags already given (as the judge does on the form before submitting; the send-back
    journey is tests/e2e/test_real_contest_journey.py): (competition, stage, entrant, posyandu name)."""
    con = store.connect(path)
    try:
        juri = auth.get_user(con, "juri1")
        assert juri is not None and juri.judge_id
        rows = con.sql(
            "SELECT a.competition_id, a.stage, a.entrant_id, p.name FROM assignments a "
            "JOIN competition_stages cs USING (competition_id, stage) JOIN entrants e USING (entrant_id) "
            "JOIN posyandu p USING (posyandu_id) WHERE a.judge_id = ? AND cs.finalized_at IS NULL "
            "ORDER BY a.competition_id, a.stage, a.entrant_id", params=[juri.judge_id]).fetchall()
        names = [r[3] for r in rows]
        for cid, stage, entrant, name in rows:
            progress = forms.form_progress(con, juri, cid, stage, entrant)
            if names.count(name) == 1 and progress["answered"].sum() == progress["total"].sum():
                for crit in send_back.unanswered_flags(con, cid, stage, entrant, juri.judge_id):
                    send_back.answer_flag(con, juri, cid, stage, entrant, crit, "kept", "Sesuai bukti di lapangan")
                return cid, stage, entrant, name
    finally:
        con.close()
    raise AssertionError("the demo gives juri1 no finished form in an open stage")


@pytest.fixture(scope="module")
def files_app(demo_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, tuple]]:
    """A dashboard on its own copy of the demo store (a form gets submitted here)."""
    store_file = tmp_path_factory.mktemp("hostile-files") / "demo.duckdb"
    shutil.copyfile(demo_path, store_file)
    form = _finished_form(store_file)
    with serve(store_file) as url:
        yield url, form


def _nav(page, label: str) -> None:
    nav(page, label)
    settle(page)


def _upload(page, path: Path) -> None:
    page.locator("[data-testid='stFileUploaderDropzoneInput']").first.set_input_files(str(path))
    settle(page)


def test_malformed_files_on_the_data_page_get_their_reason_in_indonesian(files_app, browser, tmp_path):
    url, _ = files_app
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="id-ID")
    page = context.new_page()
    page.set_default_timeout(WAIT)
    try:
        sign_in(page, url, "panitia", "panitia-demo")
        _nav(page, "Data")

        # Region boundaries: one feature with a ring that does not close (the other feature is fine)
        pick(page, "Data yang diimpor", "Batas wilayah")
        ring = tmp_path / "cincin_terbuka.geojson"
        ring.write_bytes(hostile.read("unclosed_ring.geojson"))
        _upload(page, ring)
        expect(page.get_by_text(re.compile(r"\d+ masalah ditemukan; fitur yang tidak cocok tidak disimpan"))
               ).to_be_visible()
        no_traceback(page)
        page.wait_for_timeout(1500)               # the problem table draws on a canvas after the run
        page.screenshot(path=str(ARTIFACTS / "hostile-files-1-ring.png"), full_page=True)

        # an empty GeoJSON: refused, with no temporary path or GDAL text
        empty = tmp_path / "kosong.geojson"
        empty.write_bytes(hostile.read("empty.geojson"))
        _upload(page, empty)
        expect(page.get_by_text(re.compile(r"\d+ masalah ditemukan"))).to_be_visible()
        expect(page.get_by_role("button", name="Simpan semua")).to_have_count(0)      # nothing to write
        no_traceback(page)
        assert "/tmp/" not in page.inner_text("body") and "GDAL" not in page.inner_text("body")
        page.screenshot(path=str(ARTIFACTS / "hostile-files-2-empty.png"), full_page=True)

        # a registry CSV with a one-megabyte cell: refused whole, nothing saved
        pick(page, "Data yang diimpor", "Registri posyandu")
        big = tmp_path / "registri_besar.csv"
        big.write_bytes(hostile.big_cell_csv(["posyandu_id", "nama", "kode_desa"],
                                             ["PSY-0001", "", "36.02.18.2010"], 1))
        _upload(page, big)
        expect(page.get_by_text(re.compile(r"Berkas ditolak: \d+ masalah\. Tidak ada yang disimpan"))).to_be_visible()
        expect(page.get_by_role("button", name="Simpan semua")).to_have_count(0)
        no_traceback(page)
        page.screenshot(path=str(ARTIFACTS / "hostile-files-3-big-cell.png"), full_page=True)
    finally:
        context.close()


def _open_sections(page) -> None:
    closed = page.locator("[data-testid='stExpander'] details:not([open]) summary")
    for _ in range(20):                           # counted anew: a rerun may open a section by itself
        if not closed.count():
            break
        closed.first.click()
        settle(page)


def test_a_submitted_form_takes_no_more_evidence(files_app, browser, tmp_path):
    """Before submitting, the judge attaches the SK as a PDF and reads it in the page (issue #13, item 6);
    after submitting, nothing more can be attached or removed."""
    url, (cid, stage, _entrant, name) = files_app
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="id-ID")
    page = context.new_page()
    page.set_default_timeout(WAIT)
    try:
        sign_in(page, url, "juri1", "juri-demo", query=f"?competition={cid}&stage={stage}")
        _nav(page, "Penilaian")
        pick(page, "Peserta", name)
        # open: evidence can be added to every criterion; a PDF is read in the page
        _open_sections(page)
        expect(page.locator("[data-testid='stFileUploader']").first).to_be_attached()
        sk = tmp_path / "sk-kepala-desa.pdf"
        sk.write_bytes(make_pdf(3))
        page.locator("[data-testid='stFileUploaderDropzoneInput']").first.set_input_files(str(sk))
        settle(page)
        expect(page.get_by_text("sk-kepala-desa.pdf").first).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "hostile-files-4-pdf-attached.png"), full_page=True)
        page.get_by_text("Lihat", exact=True).first.click()
        settle(page)
        first = page.locator("[data-testid='stImage']").filter(has_text="Halaman 1 dari 3")
        expect(first).to_be_visible(timeout=WAIT)     # the pages are drawn in that run: slow on a busy machine
        expect(page.locator("[data-testid='stImage']").filter(has_text="dari 3")).to_have_count(3)
        assert first.locator("img").evaluate("i => i.naturalWidth") == 1000
        first.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "hostile-files-4-pdf-read.png"))
        page.get_by_role("button", name="Kirim dan kunci formulir").click()
        settle(page)
        expect(page.get_by_text("Formulir sudah dikirim dan terkunci")).to_be_visible()
        _open_sections(page)                      # every section open: nothing may be offered in any of them
        expect(page.locator("[data-testid='stFileUploader']")).to_have_count(0)
        expect(page.get_by_role("button", name=re.compile("Hapus"))).to_have_count(0)
        expect(page.get_by_role("button", name="Kirim dan kunci formulir")).to_have_count(0)
        no_traceback(page)
        page.screenshot(path=str(ARTIFACTS / "hostile-files-5-locked.png"), full_page=True)
    finally:
        context.close()
