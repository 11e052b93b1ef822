"""A real committee's set-up in the browser, from an empty store and without the demo: the first panitia →
a competition (Kab. Kudus 2025, kabupaten, administrasi 40 / lapangan 60, its region typed by its Kemendagri code)
→ an instrument uploaded from an Excel file with one warning shown before saving → three juri accounts and a
second panitia. Screenshots: test-artifacts/setup-*.png."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from data import store
from tests.e2e.conftest import ARTIFACTS, serve, settle
from tests.instrument_workbooks import workbook

PASSWORD = "Kudus-Sehat-2025"
JURI = (("ratna", "dr. Ratna Dewi", "Dinas Kesehatan"), ("budi", "Ir. Budi Santoso", "Dinas PUPR"),
        ("sari", "Sari Wulandari, S.Sos", "Dinas Sosial"))


def _nav(page: Page, name: str) -> None:
    """Follow the sidebar link (the same Streamlit session, so the sign-in stays)."""
    page.locator("[data-testid='stSidebarNav']").get_by_role("link", name=name).click()
    expect(page.get_by_role("heading", name=name, exact=True)).to_be_visible()
    settle(page)


def _pick(page: Page, label: str, typed: str, option: str | re.Pattern) -> None:
    box = page.locator("[data-testid='stSelectbox']").filter(has_text=label).first
    box.click()
    page.keyboard.type(typed)
    page.get_by_role("option", name=option).first.click()
    settle(page)     # the pick reruns the page and may redraw the fields below: typing into them now is lost


def _fill(page: Page, label: str, value: str) -> None:
    """Type into the input Streamlit labels `label` (a help icon shares the label, so go by aria-label)."""
    box = page.locator(f"input[aria-label='{label}']")
    box.fill(value)
    expect(box).to_have_value(value)


def _shot(page: Page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"setup-{name}.png"), full_page=True)


def test_a_committee_sets_up_kudus_2025_from_an_empty_store(browser, tmp_path):
    ARTIFACTS.mkdir(exist_ok=True)
    xlsx = tmp_path / "instrumen-kudus-2025.xlsx"
    xlsx.write_bytes(workbook())
    # The dashboard on a store path that does not exist yet (not the default one), without the demo: it must
    # open empty.
    store_file = tmp_path / "kudus.duckdb"
    with serve(store_file, env={"POSYANDU_DEMO": None}) as url:
        _set_up_in_the_browser(browser, url, xlsx)

    # What the browser did, read back from the store once the server has let go of it.
    con = store.connect(store_file, read_only=True)
    try:
        assert con.sql("SELECT instrument_id FROM competitions").fetchall() == [("kudus-2025@1",)]
        assert con.sql("SELECT stage, weight FROM competition_stages ORDER BY ord").fetchall() == [
            ("administrasi", 40.0), ("lapangan", 60.0)]
        assert con.sql("SELECT count(*) FROM posyandu").fetchone()[0] == 0        # no demo
        juri = con.sql("SELECT u.username, j.name, j.institution, u.must_change_password FROM users u "
                       "JOIN judges j USING (judge_id) ORDER BY u.username").fetchall()
        assert juri == sorted((u, n, o, True) for u, n, o in JURI)
        assert con.sql("SELECT role, display_name, must_change_password FROM users WHERE username = 'sekretaris'"
                       ).fetchall() == [("panitia", "Sekretaris Panitia Kab. Kudus", True)]
    finally:
        con.close()


def _set_up_in_the_browser(browser, url: str, xlsx: Path) -> None:
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="id-ID")
    page = context.new_page()
    page.set_default_timeout(90_000)
    try:
        # 1. An empty store opens on Masuk and asks for the first panitia; a weak password is refused.
        page.goto(url)
        # The first request creates the empty store (regions, shipped instruments): allow it a while.
        expect(page.get_by_role("heading", name="Akun panitia pertama")).to_be_visible(timeout=180_000)
        expect(page.get_by_text("Lomba Posyandu Kabupaten Lebak")).to_have_count(0)   # no demo anywhere
        _fill(page, "Nama pengguna", "ketua")
        _fill(page, "Nama lengkap", "Ketua Panitia Kab. Kudus")
        _fill(page, "Kata sandi", "kudus2025")
        _fill(page, "Ulangi kata sandi", "kudus2025")
        page.get_by_role("button", name="Buat akun panitia").click()
        expect(page.get_by_text("minimal 12 karakter", exact=False).last).to_be_visible()
        _fill(page, "Kata sandi", PASSWORD)
        _fill(page, "Ulangi kata sandi", PASSWORD)
        _shot(page, "1-first-panitia")
        page.get_by_role("button", name="Buat akun panitia").click()
        expect(page.get_by_text("Akun panitia ketua dibuat")).to_be_visible()
        expect(page.get_by_role("button", name="Buat akun panitia")).to_have_count(0)   # the form is gone for good
        _fill(page, "Nama pengguna", "ketua")
        _fill(page, "Kata sandi", PASSWORD)
        page.get_by_role("button", name="Masuk", exact=True).click()
        expect(page.get_by_text("Masuk sebagai Ketua Panitia Kab. Kudus")).to_be_visible()
        _shot(page, "1b-signed-in")

        # 2. The competition: Kab. Kudus 2025, kabupaten, administrasi 40 / lapangan 60 (the form's defaults).
        _nav(page, "Lomba")
        expect(page.get_by_text("Belum ada lomba. Isi formulir")).to_be_visible()
        _fill(page, "Nama lomba", "Lomba Posyandu Kabupaten Kudus 2025")
        _fill(page, "Tahun", "2025")
        page.locator("input[aria-label='Tahun']").press("Enter")
        # The region in a cascade: province, then its 35 kabupaten/kota (never all 514 at once), typed by name or
        # by Kemendagri code.
        _pick(page, "Provinsi", "Jawa Tengah", re.compile(r"^33 · Jawa Tengah"))
        _pick(page, "Wilayah lomba", "33.19", re.compile(r"33\.19 · Kab\. Kudus"))
        _shot(page, "2-competition-form")
        page.get_by_role("button", name="Buat lomba").click()
        expect(page.get_by_text("Lomba Posyandu Kabupaten Kudus 2025 (LP2025-KAB-33.19) dibuat")).to_be_visible()
        _shot(page, "3-competition-created")

        # 3. The instrument from Excel: one warning, with its row and criterion, before anything is saved.
        _nav(page, "Instrumen")
        page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(str(xlsx))
        expect(page.get_by_text("instrumen-kudus-2025.xlsx: 0 kesalahan, 1 peringatan.")).to_be_visible()
        table = page.locator("[data-testid='stTable']")
        expect(table).to_contain_text("Kriteria › baris 8")
        expect(table).to_contain_text("KLB-02")
        expect(table).to_contain_text("sama dengan teks opsi 'b'")
        _shot(page, "4-instrument-warning")
        page.get_by_role("button", name="Simpan sebagai kudus-2025@1").click()
        expect(page.get_by_text("Instrumen kudus-2025@1 disimpan")).to_be_visible()

        # The competition takes the new instrument (no score yet: a free change).
        _nav(page, "Lomba")
        _pick(page, "Instrumen (versi)", "kudus", re.compile(r"kudus-2025@1"))
        page.get_by_role("button", name="Simpan perubahan").click()
        expect(page.get_by_text("Perubahan disimpan")).to_be_visible()

        # 4. Three juri accounts, each with a temporary password shown once.
        _nav(page, "Akun")
        page.get_by_role("tab", name="Buat akun").click()
        _pick(page, "Peran", "Juri", "Juri")
        for username, name, opd in JURI:
            _fill(page, "Nama pengguna", username)
            _fill(page, "Nama", name)
            _fill(page, "OPD / instansi asal", opd)
            settle(page)   # each field commits on blur with a rerun; the click must come after the last
            expect(page.locator("input[aria-label='Nama pengguna']")).to_have_value(username)
            page.get_by_role("button", name="Buat akun", exact=True).click()
            expect(page.get_by_text(f"Akun {username} (Juri) dibuat")).to_be_visible()
            expect(page.get_by_text(f"Kata sandi sementara untuk {username}")).to_be_visible()
        _shot(page, "5-juri-created")
        # … and a second panitia, the committee's secretary
        _pick(page, "Peran", "Panitia", "Panitia")
        _fill(page, "Nama pengguna", "sekretaris")
        _fill(page, "Nama", "Sekretaris Panitia Kab. Kudus")
        settle(page)
        expect(page.locator("input[aria-label='Nama pengguna']")).to_have_value("sekretaris")
        page.get_by_role("button", name="Buat akun", exact=True).click()
        expect(page.get_by_text("Akun sekretaris (Panitia) dibuat")).to_be_visible()
        expect(page.get_by_text("Kata sandi sementara untuk sekretaris")).to_be_visible()
        page.get_by_role("tab", name="Daftar akun").click()
        _shot(page, "6-accounts")
        # The sidebar lists the new contest at once (its creation marked the store changed).
        sidebar = page.locator("[data-testid='stSidebar']")
        expect(sidebar.get_by_text("Belum ada lomba di basis data.")).to_have_count(0)
        expect(sidebar.locator("[data-testid='stSelectbox']").filter(has_text="Tingkat")).to_have_count(1)
        expect(page.locator("[data-testid='stException']")).to_have_count(0)
    finally:
        context.close()
