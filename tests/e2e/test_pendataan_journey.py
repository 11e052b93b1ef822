"""Pendataan in the browser (issue #18): panitia records an RTLH case, verifies it with the desa, refers it to the
Dinas Perkim and sees every step in its history; a pembina sees sensitive cases only as counts."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS, nav, pick, settle, sign_in

WAIT = 120_000


@pytest.fixture
def desktop(browser):
    """A page in a fresh desktop browser context, closed after the test."""
    context = browser.new_context(viewport={"width": 1366, "height": 1000}, locale="id-ID")
    page = context.new_page()
    page.set_default_timeout(WAIT)
    yield page
    context.close()


def _sign_in(page, url: str, user: str, password: str) -> None:
    sign_in(page, url, user, password, timeout=WAIT)
    nav(page, "Pendataan")
    expect(page.get_by_role("heading", name="Pendataan enam bidang SPM")).to_be_visible(timeout=WAIT)


def test_panitia_records_a_case_and_follows_it_step_by_step(app_url, desktop):
    page = desktop
    _sign_in(page, app_url, "panitia", "panitia-demo")
    page.get_by_role("tab", name="Catat kasus baru", exact=True).click()
    settle(page)
    pick(page, "Bidang SPM", "Perumahan Rakyat")
    pick(page, "Jenis kasus", "RTLH")
    page.get_by_label("Uraian singkat (tanpa nama orang)").fill("Atap bocor, dinding bambu lapuk")
    page.get_by_role("button", name="Catat kasus").click()
    saved = page.get_by_text(re.compile(r"Kasus REC-[0-9a-f]{12} tercatat\."))
    expect(saved).to_be_visible(timeout=WAIT)
    rid = re.search(r"REC-[0-9a-f]{12}", saved.inner_text()).group(0)

    page.get_by_role("tab", name="Kasus", exact=True).click()
    settle(page)
    panel = page.get_by_role("tabpanel", name="Kasus")
    pick(panel, "Kasus", rid)
    for n, (to, extra) in enumerate((("diverifikasi desa", None), ("dirujuk ke OPD", "Dinas Perkim")), start=2):
        panel.get_by_role("radiogroup", name="Menjadi").get_by_text(to, exact=True).click()
        if extra:
            panel.get_by_label("OPD tujuan rujukan").fill(extra)
        panel.get_by_role("button", name="Simpan langkah").click()
        expect(page.get_by_text(f"Langkah {n} tersimpan: {to}.")).to_be_visible(timeout=WAIT)
        settle(page)
        pick(panel, "Kasus", rid)
        # the case now stands at the new step, and only the steps after it are offered
        expect(panel.get_by_role("combobox", name="Kasus", exact=True)).to_match_aria_snapshot(
            f'- combobox "Kasus": /{rid} .* {to}/')
    steps = panel.get_by_role("radiogroup", name="Menjadi")
    expect(steps.get_by_text("selesai", exact=True)).to_be_visible()
    expect(steps.get_by_text("dirujuk ke OPD", exact=True)).to_have_count(0)
    # the history table is drawn (its rows are checked in tests/test_pendataan.py; the grid is a canvas)
    expect(panel.get_by_role("heading", name="Riwayat langkah")).to_be_visible()
    expect(panel.locator("[data-testid='stDataFrame']").nth(1)).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "pendataan-history.png"), full_page=True)
    expect(page.locator("[data-testid='stException']")).to_have_count(0)


def test_pembina_sees_sensitive_cases_only_as_counts(app_url, desktop):
    page = desktop
    _sign_in(page, app_url, "pembina-lebak", "pembina-demo")
    expect(page.get_by_role("heading", name="Kasus sensitif (hanya jumlah)")).to_be_visible(timeout=WAIT)
    page.screenshot(path=str(ARTIFACTS / "pendataan-pembina.png"), full_page=True)
    page.get_by_role("tab", name="Kasus", exact=True).click()
    settle(page)
    panel = page.get_by_role("tabpanel", name="Kasus")
    expect(panel.locator("[data-testid='stDataFrame']").first).to_be_visible()
    # the case picker holds every case the pembina may follow: none of a sensitive kind
    for kind in ("KDRT", "narkoba", "stunting"):
        panel.locator("[data-testid='stSelectbox']").filter(has_text="Kasus").first.click()
        page.keyboard.type(kind)
        options = page.get_by_role("option").filter(has_text=kind)
        if kind == "stunting":
            expect(options.first).to_be_visible()
        else:
            expect(options).to_have_count(0)
        page.keyboard.press("Escape")
