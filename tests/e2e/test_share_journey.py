"""Results people share (#17) in Chromium: a visitor reads Peringkat with the change since the last round, the
rank band and the field awards, opens a profile, reads its summary and saves its scorecard image; the panitia
releases feedback links, an entrant opens its own without an account, and once revoked the link opens nothing.
What must not happen: an exception box on any of these pages, or a revoked link that still shows scores."""

from __future__ import annotations

import csv
import io
import re
import shutil
from pathlib import Path

import duckdb
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS, nav, no_traceback, serve, settle, sign_in

COMP = "LP2026-KAB-36.02"


@pytest.fixture(scope="module")
def share_url(demo_path: Path, tmp_path_factory: pytest.TempPathFactory):
    """A dashboard on its own copy of the demo store (the journey releases and revokes links)."""
    store_file = tmp_path_factory.mktemp("share") / "demo.duckdb"
    shutil.copyfile(demo_path, store_file)
    with serve(store_file) as url:
        yield url


def _second_place(demo_path: Path) -> str:
    con = duckdb.connect(str(demo_path), read_only=True)
    try:
        from data.results import competition_results

        table = competition_results(con, COMP).table
    finally:
        con.close()
    return table.filter(table["rank_final"] == 2)["posyandu_id"][0]


def test_a_visitor_reads_the_fair_table_and_saves_a_scorecard(share_url: str, browser, demo_path: Path,
                                                             tmp_path: Path) -> None:
    from PIL import Image

    # wide enough for the whole league table, the band column included
    context = browser.new_context(viewport={"width": 2400, "height": 1100}, locale="id-ID", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(120_000)
    try:
        page.goto(f"{share_url}/peringkat?competition={COMP}&since=1", wait_until="domcontentloaded")
        expect(page.get_by_role("heading", name="Peringkat").first).to_be_visible(timeout=120_000)
        settle(page)
        expect(page.get_by_role("heading", name="Juara bidang")).to_be_visible()
        # those that were in Kab. Lebak 2025 are compared with it, the others with their kecamatan round of 2025
        expect(page.get_by_role("heading", name="Perubahan sejak lomba sebelumnya tiap posyandu")).to_be_visible()
        expect(page.get_by_text("Perubahan bobot bagian")).to_be_visible()
        expect(page.locator('[data-testid="stDataFrame"]').first).to_be_visible()
        no_traceback(page)
        page.screenshot(path=str(ARTIFACTS / "share-1-peringkat.png"), full_page=True)
        page.get_by_role("heading", name="Juara bidang").scroll_into_view_if_needed()
        page.wait_for_timeout(500)
        page.screenshot(path=str(ARTIFACTS / "share-1b-peringkat-awards-change.png"))

        page.goto(f"{share_url}/profil?competition={COMP}&posyandu={_second_place(demo_path)}",
                  wait_until="domcontentloaded")
        expect(page.get_by_role("heading", name="Ringkasan")).to_be_visible(timeout=120_000)
        settle(page)
        expect(page.get_by_text("Peringkat 2 dari 28 dengan nilai akhir")).to_be_visible()
        no_traceback(page)
        page.screenshot(path=str(ARTIFACTS / "share-2-profil.png"), full_page=True)
        with page.expect_download(timeout=120_000) as info:
            page.get_by_role("button", name="Unduh kartu skor").click()
        saved = tmp_path / info.value.suggested_filename
        info.value.save_as(saved)
        assert saved.suffix == ".png"
        image = Image.open(saved)
        assert image.size == (1080, 1350)
        image.save(ARTIFACTS / "share-3-scorecard.png")
        no_traceback(page)
    finally:
        context.close()


def test_the_panitia_releases_feedback_an_entrant_opens_it_and_a_revoked_link_opens_nothing(
        share_url: str, browser, tmp_path: Path) -> None:
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="id-ID", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(120_000)
    visitor = browser.new_context(viewport={"width": 412, "height": 915}, locale="id-ID")   # a phone
    entrant = visitor.new_page()
    entrant.set_default_timeout(120_000)
    try:
        page.goto(f"{share_url}/masuk?competition={COMP}", wait_until="domcontentloaded")
        page.get_by_label("Nama pengguna").fill("panitia")
        page.get_by_label("Kata sandi").fill("panitia-demo")
        page.get_by_role("button", name="Masuk").click()
        expect(page.get_by_text("Masuk sebagai").first).to_be_visible(timeout=90_000)
        page.get_by_role("link", name="Umpan Balik", exact=True).click()
        expect(page.get_by_role("heading", name="Bagikan umpan balik ke peserta")).to_be_visible(timeout=120_000)
        settle(page)
        page.get_by_role("button", name="Buat tautan untuk peserta yang belum punya").click()
        expect(page.get_by_text("28 tautan dibuat")).to_be_visible(timeout=120_000)
        settle(page)
        page.screenshot(path=str(ARTIFACTS / "share-4-release.png"), full_page=True)
        with page.expect_download(timeout=120_000) as info:
            page.get_by_role("button", name="Unduh daftar tautan (CSV)").click()
        saved = tmp_path / "links.csv"
        info.value.save_as(saved)
        rows = list(csv.DictReader(io.StringIO(saved.read_text(encoding="utf-8"))))
        assert len(rows) == 28
        first, other = rows[0], rows[1]
        link = first["Tautan"]
        assert link.startswith(share_url) and "/umpan_balik?entrant=" in link and "&t=" in link

        entrant.goto(link, wait_until="domcontentloaded")
        expect(entrant.get_by_role("heading", name=f"Umpan balik per kriteria · Posyandu {first['Posyandu']}")
               ).to_be_visible(timeout=120_000)
        settle(entrant)
        expect(entrant.get_by_role("button", name="Unduh umpan balik (PDF)")).to_be_visible()
        expect(entrant.locator('[data-testid="stDataFrame"]').first).to_be_visible()
        no_traceback(entrant)
        entrant.screenshot(path=str(ARTIFACTS / "share-5-feedback-phone.png"), full_page=True)
        # another entrant's id with this token: refused
        other_id = other["Tautan"].split("entrant=")[1].split("&")[0]
        entrant.goto(link.replace(link.split("entrant=")[1].split("&")[0], other_id), wait_until="domcontentloaded")
        expect(entrant.get_by_text("Tautan umpan balik ini tidak berlaku")).to_be_visible(timeout=120_000)
        expect(entrant.locator('[data-testid="stDataFrame"]')).to_have_count(0)

        # the panitia revokes the first entrant's link (the first in the list, picked by default)
        settle(page)
        page.get_by_role("button", name="Cabut tautan").click()
        expect(page.get_by_text(f"Tautan {first['Posyandu']}")).to_be_visible(timeout=120_000)
        entrant.goto(link, wait_until="domcontentloaded")
        expect(entrant.get_by_text("Tautan umpan balik ini tidak berlaku")).to_be_visible(timeout=120_000)
        settle(entrant)
        expect(entrant.locator('[data-testid="stDataFrame"]')).to_have_count(0)
        no_traceback(entrant)
        entrant.screenshot(path=str(ARTIFACTS / "share-6-revoked.png"), full_page=True)
    finally:
        context.close()
        visitor.close()


def test_the_panitia_imports_a_past_round_and_the_next_edition_compares_with_it(share_url: str, browser,
                                                                              demo_path: Path, tmp_path: Path) -> None:
    con = duckdb.connect(str(demo_path), read_only=True)
    try:
        rows = con.sql("SELECT p.name, r.name FROM entrants e JOIN posyandu p USING (posyandu_id) JOIN regions r "
                       "ON r.code = p.desa_code WHERE e.competition_id = 'LP2025-KAB-36.02' ORDER BY p.posyandu_id "
                       "LIMIT 4").fetchall()
    finally:
        con.close()
    bad = tmp_path / "juara-2024-salah.csv"
    bad.write_text("posyandu;desa;total;penghargaan;tahun;tingkat\n"
                   f"Posyandu {rows[0][0]};Desa {rows[0][1]};1.24,5;Juara I;2024;kabupaten\n"
                   "Posyandu Hantu;Desa Entah;900;;2024;kabupaten\n", encoding="utf-8")
    good = tmp_path / "juara-2024.csv"
    good.write_text("posyandu;desa;total;penghargaan;tahun;tingkat\n" + "".join(
        f"Posyandu {name};Desa {desa};{total};{award};2024;Kabupaten\n"
        for (name, desa), total, award in zip(rows, ["1.245,50", "1.198,25", "1.002,75", "987"],
                                              ["Juara I", "Juara II", "Juara III", "Harapan I"], strict=True)),
        encoding="utf-8")
    context = browser.new_context(viewport={"width": 1366, "height": 1000}, locale="id-ID")
    page = context.new_page()
    page.set_default_timeout(120_000)
    try:
        page.goto(f"{share_url}/masuk?competition=LP2025-KAB-36.02", wait_until="domcontentloaded")
        page.get_by_label("Nama pengguna").fill("panitia")
        page.get_by_label("Kata sandi").fill("panitia-demo")
        page.get_by_role("button", name="Masuk").click()
        expect(page.get_by_text("Masuk sebagai").first).to_be_visible(timeout=90_000)
        page.get_by_role("link", name="Hasil Terdahulu", exact=True).click()
        expect(page.get_by_role("heading", name="Impor hasil lomba terdahulu")).to_be_visible(timeout=120_000)
        settle(page)
        # the region in the Kemendagri cascade: the province, then the kabupaten, typed by name
        for box, typed, option in (("Provinsi", "Banten", "36 · Banten"), ("Wilayah lomba", "Lebak",
                                                                           "36.02 · Kab. Lebak")):
            page.get_by_role("combobox", name=box).click()
            page.get_by_role("combobox", name=box).fill(typed)
            page.get_by_role("option", name=option).click()
            settle(page)
        page.locator("input[type='file']").set_input_files(str(bad))
        expect(page.get_by_text("2 masalah: tidak ada yang disimpan")).to_be_visible(timeout=120_000)
        settle(page)
        no_traceback(page)
        page.screenshot(path=str(ARTIFACTS / "share-7-import-problems.png"), full_page=True)
        page.locator("input[type='file']").set_input_files(str(good))
        expect(page.get_by_text("4 posyandu siap diimpor")).to_be_visible(timeout=120_000)
        settle(page)
        page.get_by_role("button", name="Simpan sebagai lomba final (hanya nilai akhir)").click()
        expect(page.get_by_text("Disimpan sebagai LP2024-KAB-36.02-IMPOR.")).to_be_visible(timeout=120_000)
        no_traceback(page)
        # the 2025 edition's change since the last round now compares with the imported 2024 totals
        page.get_by_role("link", name="Peringkat", exact=True).click()
        settle(page)
        page.get_by_text("Perubahan sejak lomba sebelumnya").click()
        expect(page.get_by_role("heading", name="(hasil impor, hanya nilai akhir) (2024)")).to_be_visible(
            timeout=120_000)
        expect(page.get_by_text("4 dari 28 peserta yang ditampilkan juga ikut lomba sebelumnya.")).to_be_visible()
        no_traceback(page)
        page.screenshot(path=str(ARTIFACTS / "share-8-change-since-imported.png"), full_page=True)
    finally:
        context.close()


def test_a_provinsi_panitia_sees_each_entrants_change_since_its_kabupaten_round_peers_and_neighbours(
        share_url: str, browser) -> None:
    """Provinsi Banten 2026: its entrants won their kabupaten in 2026, and in 2025 most took part in a
    kabupaten or kecamatan round, not the provinsi one. Each is compared with the round it was in (a rank only
    within the same level); the table ranks within a peer group; a profile shows its five neighbours."""
    context = browser.new_context(viewport={"width": 1600, "height": 1100}, locale="id-ID")
    page = context.new_page()
    page.set_default_timeout(120_000)
    try:
        sign_in(page, share_url, "panitia", "panitia-demo", "?competition=LP2026-PROV-36")
        nav(page, "Peringkat")
        settle(page)
        page.get_by_text("Perubahan sejak lomba sebelumnya", exact=True).first.click()
        settle(page)
        expect(page.get_by_role("heading", name="Perubahan sejak lomba sebelumnya tiap posyandu")).to_be_visible()
        change = page.locator('[data-testid="stDataFrame"]').nth(1)
        expect(change).to_contain_text("Lomba sebelumnya")
        expect(change).to_contain_text("Provinsi Banten 2025 · Provinsi")
        expect(change).to_contain_text("· Kecamatan")
        no_traceback(page)
        page.get_by_role("heading", name="Perubahan sejak lomba sebelumnya tiap posyandu").scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "share-9-provinsi-change-across-levels.png"))
        page.get_by_role("combobox", name="Peringkat dalam kelompok").click()
        page.get_by_role("option", name="Strata").click()
        settle(page)
        expect(page.locator('[data-testid="stDataFrame"]').first).to_contain_text("Peringkat dalam kelompok")
        no_traceback(page)
        nav(page, "Profil Posyandu")
        settle(page)
        expect(page.get_by_text(re.compile(r"^Lomba sebelumnya, .*: peringkat \d+, nilai akhir"))).to_be_visible()
        expect(page.get_by_role("heading", name="Di sekitar peringkat ini (5 di atas, 5 di bawah)")).to_be_visible()
        no_traceback(page)
        page.screenshot(path=str(ARTIFACTS / "share-10-provinsi-profil.png"), full_page=True)
    finally:
        context.close()
