"""Accounts as a panitia runs them (issue #12, "Accounts"), in a real browser on a private copy of the demo store.

The panitia resets juri2's password on Akun and hands over the temporary one; juri2 signs in with it and is
held on Masuk until choosing a strong password of their own (Penilaian refuses them before that; a weak one
is refused with the rule). The panitia then deactivates juri2 with a reason: juri2, with the right password, is
told the account is deactivated; juri2's scores still count under their name on Kualitas Juri, and the rekap and
berita acara downloaded from Data still carry that name and those points. Jejak Audit
names who did each change and when. Reactivated, juri2 signs in again.
"""

from __future__ import annotations

import re
import shutil

from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from tests.e2e.conftest import ARTIFACTS, nav, serve, settle, sign_in
from tests.pdf_support import pdf_text

CONTEST = "LP2025-PROV-36"          # juri2 (Jamilah Sulaiman) scored both stages of this final contest
JUDGE_NAME = "Jamilah Sulaiman"
NEW_PASSWORD = "Jamilah-Banten-2025"
TEMP = re.compile(r"Kata sandi sementara untuk juri2: (\S+) ")


def _shot(page: Page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"accounts-{name}.png"), full_page=True)


def _pick_account(page: Page, username: str) -> None:
    box = page.locator("[data-testid='stMain'] [data-testid='stSelectbox']").first
    box.click()
    page.keyboard.type(username)
    page.keyboard.press("Enter")
    settle(page)
    expect(box).to_match_aria_snapshot(f"- combobox \"Akun\": {username} (Juri)")


def _new_page(browser) -> Page:
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="id-ID")
    page = context.new_page()
    page.set_default_timeout(90_000)
    return page


def _try_sign_in(page: Page, url: str, password: str) -> None:
    page.goto(f"{url}/masuk")
    page.get_by_label("Nama pengguna").fill("juri2")
    page.get_by_label("Kata sandi").fill(password)
    page.get_by_role("button", name="Masuk").click()
    settle(page)


def test_reset_must_change_deactivate_and_reactivate_a_juri(demo_path, tmp_path, browser):
    ARTIFACTS.mkdir(exist_ok=True)
    store_file = tmp_path / "accounts.duckdb"
    shutil.copyfile(demo_path, store_file)
    with serve(store_file) as url:
        desk = _new_page(browser)
        sign_in(desk, url, "panitia", "panitia-demo", query=f"?competition={CONTEST}")
        settle(desk)
        nav(desk, "Akun")
        settle(desk)
        _pick_account(desk, "juri2")
        desk.get_by_role("button", name="Setel ulang kata sandi").click()
        settle(desk)
        shown = desk.get_by_text("Kata sandi sementara untuk juri2")
        expect(shown).to_be_visible()
        temp = TEMP.search(shown.inner_text()).group(1)
        _shot(desk, "1-reset")
        # the list says the account waits for a new password
        expect(desk.locator("[data-testid='stDataFrame']").first).to_be_visible()

        # juri2 signs in with the temporary password and is held until choosing their own
        judge = _new_page(browser)
        _try_sign_in(judge, url, "juri-demo")               # the old password no longer works
        expect(judge.get_by_text("Nama pengguna atau kata sandi salah.")).to_be_visible()
        _try_sign_in(judge, url, temp)
        expect(judge.get_by_text("Masuk sebagai juri2")).to_be_visible()
        expect(judge.get_by_text("Kata sandi Anda sementara. Buat kata sandi baru sebelum melanjutkan.")).to_be_visible()
        nav(judge, "Penilaian")
        settle(judge)
        expect(judge.get_by_text("Ganti kata sandi sementara Anda dulu di halaman Masuk.")).to_be_visible()
        expect(judge.get_by_role("button", name="Kirim")).to_have_count(0)   # no form before the new password
        _shot(judge, "2-held-on-penilaian")
        nav(judge, "Masuk")
        settle(judge)
        judge.get_by_label("Kata sandi sekarang").fill(temp)
        judge.get_by_label("Kata sandi baru").fill("pendek1")
        judge.get_by_label("Ulangi kata sandi").fill("pendek1")
        judge.get_by_role("button", name="Simpan kata sandi baru").click()
        settle(judge)
        expect(judge.get_by_text("Kata sandi terlalu pendek: minimal 12 karakter.")).to_be_visible()
        _shot(judge, "3-weak-refused")
        judge.get_by_label("Kata sandi sekarang").fill(temp)
        judge.get_by_label("Kata sandi baru").fill(NEW_PASSWORD)
        judge.get_by_label("Ulangi kata sandi").fill(NEW_PASSWORD)
        judge.get_by_role("button", name="Simpan kata sandi baru").click()
        settle(judge)
        expect(judge.get_by_text("Kata sandi diganti.")).to_be_visible()
        expect(judge.get_by_text("Kata sandi Anda sementara")).to_have_count(0)
        nav(judge, "Penilaian")
        settle(judge)
        expect(judge.get_by_text("Ganti kata sandi sementara Anda dulu")).to_have_count(0)
        expect(judge.locator("[data-testid='stMain'] [data-testid='stSelectbox']").first).to_be_visible()
        _shot(judge, "4-penilaian-open")

        # the panitia deactivates juri2, with a reason
        nav(desk, "Akun")                    # through the navigation: a reload would end the session
        settle(desk)
        _pick_account(desk, "juri2")
        desk.get_by_label("Alasan (dicatat)").fill("pindah tugas ke Dinas Sosial")
        desk.get_by_role("button", name="Nonaktifkan").click()
        settle(desk)
        expect(desk.get_by_text("Akun juri2 dinonaktifkan. Nilainya tetap tercatat atas namanya.")).to_be_visible()
        _shot(desk, "5-deactivated")

        # juri2's open session ended; with the right password they are told why they cannot come in
        judge.reload()
        settle(judge)
        _try_sign_in(judge, url, NEW_PASSWORD)
        expect(judge.get_by_text("Akun ini sudah dinonaktifkan oleh panitia")).to_be_visible()
        expect(judge.get_by_text("Masuk sebagai")).to_have_count(0)
        _shot(judge, "6-refused")

        # the scores stay and keep the judge's name (the severity chart names every judge who scored)
        nav(desk, "Kualitas Juri")
        settle(desk)
        chart = desk.locator("[data-testid='stPlotlyChart']").first
        expect(chart.get_by_text(JUDGE_NAME)).to_be_visible()
        _shot(desk, "7-kualitas-juri")

        # … and in the documents the committee signs: the rekap's stage sheets (a column of points under their
        # name, their line to sign) and the berita acara
        nav(desk, "Data")
        settle(desk)
        desk.get_by_role("tab", name="Unduh dokumen").click()
        settle(desk)
        _shot(desk, "7b-documents")
        with desk.expect_download(timeout=180_000) as info:
            desk.get_by_role("button", name="Rekapitulasi nilai (Excel)").click()
        recap = tmp_path / "rekap.xlsx"
        info.value.save_as(recap)
        book = load_workbook(recap)
        for sheet in ("Administrasi", "Lapangan"):
            header = [c.value for c in book[sheet][6]]
            assert JUDGE_NAME in header, (sheet, header)
            col = header.index(JUDGE_NAME)
            points = [r[col] for r in book[sheet].iter_rows(min_row=7, values_only=True)
                      if r[2] and " · " in str(r[2]) and r[col] is not None]
            assert points, sheet
        with desk.expect_download(timeout=180_000) as info:
            desk.get_by_role("button", name="Berita acara (PDF)").click()
        minutes = tmp_path / "berita-acara.pdf"
        info.value.save_as(minutes)
        assert JUDGE_NAME in pdf_text(minutes.read_bytes())

        # every change is in the audit trail: who, when, what (read from its Excel download)
        nav(desk, "Jejak Audit")
        settle(desk)
        contest = desk.locator("[data-testid='stMain'] [data-testid='stSelectbox']").first
        contest.click()                     # accounts belong to no contest: the trail of every contest shows them
        desk.get_by_role("option", name="Semua lomba").click()
        settle(desk)
        expect(desk.locator("[data-testid='stDataFrame']").first).to_be_visible()
        _shot(desk, "8-audit")
        with desk.expect_download() as info:
            desk.get_by_role("button", name="Unduh jejak audit (Excel)").click()
        target = tmp_path / "jejak.xlsx"
        info.value.save_as(target)
        rows = [[str(v or "") for v in r] for r in load_workbook(target).active.iter_rows(values_only=True)]
        head = rows[0]
        col = {name: head.index(name) for name in ("Waktu", "Oleh", "Tindakan", "Alasan", "Kunci")}
        changes = [(r[col["Oleh"]], r[col["Tindakan"]], r[col["Kunci"]], r[col["Alasan"]]) for r in rows[1:]
                   if r[col["Kunci"]] == "juri2"]
        assert changes[:3] == [("panitia", "Akun dinonaktifkan", "juri2", "pindah tugas ke Dinas Sosial"),
                               ("juri2", "Kata sandi diganti", "juri2", ""),
                               ("panitia", "Kata sandi disetel ulang", "juri2", "")], changes
        assert all(r[col["Waktu"]] for r in rows[1:4]), "each change says when"

        # reactivated, juri2 signs in with their own password again
        nav(desk, "Akun")
        settle(desk)
        _pick_account(desk, "juri2")
        desk.get_by_role("button", name="Aktifkan kembali").click()
        settle(desk)
        expect(desk.get_by_text("Akun juri2 aktif kembali.")).to_be_visible()
        _try_sign_in(judge, url, NEW_PASSWORD)
        expect(judge.get_by_text("Masuk sebagai juri2")).to_be_visible()
        expect(judge.get_by_text("Kata sandi Anda sementara")).to_have_count(0)
        _shot(judge, "9-back-in")
