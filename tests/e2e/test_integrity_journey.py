"""Integrity and privacy, walked in a real browser on the demo store (issue 13):

- juri1 (J-36-09), still scoring the open lapangan stage of the 2026 Banten provinsi contest, opens every page in
  the navigation and every download it can reach (the download buttons and each table's own CSV download) and
  finds nothing of the co-judges of that contest: no name, and not the contest itself outside their Penilaian page.
- a visitor, arriving by a link to that open contest, walks every page and download and finds no result of any
  contest still being judged, no phone number, no kader's name and no registration number.

File contents are read (CSV, GeoJSON, HTML as text; Excel cell by cell; PDF through pdftotext). Screenshots of
every page land in test-artifacts/integrity/."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from data import store
from present.i18n import t
from tests.e2e.conftest import ARTIFACTS
from ui.navigation import PAGES

OPEN = "LP2026-PROV-36"
JURI = "J-36-09"
PHONE = re.compile(r"\b08\d{2}-?\d{4}-?\d{3,4}\b")
OUT = ARTIFACTS / "integrity"
# The browser's file picker cannot be driven headless: without it, a table's CSV download is a plain download.
NO_FILE_PICKER = "delete window.showSaveFilePicker; window.showSaveFilePicker = undefined;"
RESULT_PAGES = {"nav_beranda", "nav_peringkat", "nav_profil", "nav_bandingkan", "nav_peta", "nav_praktik_baik",
                "nav_juri"}


def _facts(demo_path: Path) -> dict:
    con = store.connect(demo_path, read_only=True)
    try:
        q = lambda sql, *p: [r[0] for r in con.sql(sql, params=list(p)).fetchall()]  # noqa: E731
        joined = " ".join(q("SELECT name FROM posyandu") + q("SELECT name FROM regions"))
        return {
            "co_judges": q("SELECT DISTINCT j.name FROM assignments a JOIN judges j USING (judge_id) "
                           "WHERE a.competition_id = ? AND a.judge_id <> ?", OPEN, JURI),
            "open_contests": q("SELECT DISTINCT c.name FROM competitions c JOIN competition_stages s "
                               "USING (competition_id) WHERE s.finalized_at IS NULL"),
            # two-word names only, and none that two neighbouring place names happen to spell
            "kader": [n for n in q("SELECT DISTINCT contact_name FROM posyandu WHERE contact_name LIKE '% %'")
                      if n not in joined],
            "reg_numbers": q("SELECT reg_number FROM posyandu WHERE reg_number IS NOT NULL"),
        }
    finally:
        con.close()


_NOT_RUNNING = ("() => { const app = document.querySelector(\"[data-testid='stApp']\");"
                " return app !== null && app.getAttribute('data-test-script-state') === 'notRunning'; }")


def _idle(page: Page) -> None:
    """Wait until the script run has finished (Streamlit marks the app `notRunning`, twice, a second apart: a
    download or a page switch can start another run) and the page shows something."""
    page.wait_for_timeout(500)
    for _ in range(2):
        page.wait_for_function(_NOT_RUNNING, timeout=180_000)
        page.wait_for_timeout(1000)
    expect(page.locator("[data-testid='stMain'] [data-testid='stElementContainer']:visible").first).to_be_visible(
        timeout=60_000)
    page.wait_for_function(_NOT_RUNNING, timeout=180_000)


def _file_text(path: Path) -> str:
    data = path.read_bytes()
    if data.startswith(b"%PDF"):
        return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                              check=True).stdout
    if data.startswith(b"PK"):   # xlsx
        wb = load_workbook(path, read_only=True)
        return "\n".join(str(c) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row
                         if c is not None)
    if data.startswith(b"\x89PNG"):
        return ""
    return data.decode("utf-8-sig")


def _downloads(page: Page, tag: str) -> dict[str, str]:
    """Every file the page offers: its download buttons, then each table's CSV from the table toolbar."""
    files: dict[str, str] = {}
    buttons = page.locator("[data-testid='stDownloadButton'] button")
    for i in range(buttons.count()):
        button = buttons.nth(i)
        button.scroll_into_view_if_needed()
        with page.expect_download(timeout=120_000) as info:
            button.click()
        target = OUT / f"{tag}-{i}-{info.value.suggested_filename}"
        info.value.save_as(target)
        assert target.stat().st_size > 0, target
        files[target.name] = _file_text(target)
        _idle(page)
    grids = page.locator("[data-testid='stDataFrame']:visible")   # tables in a tab not shown have no toolbar
    for i in range(grids.count()):
        grid = grids.nth(i)
        grid.evaluate("e => e.scrollIntoView({block: 'center'})")
        page.wait_for_timeout(300)
        grid.hover()
        # the toolbar of this table: it sits in the same element container as the grid
        box = grid.locator("xpath=ancestor::*[@data-testid='stElementContainer'][1]")
        csv = box.locator("[data-testid='stElementToolbar'] button[aria-label='Download as CSV']").first
        expect(csv).to_be_visible(timeout=10_000)
        with page.expect_download(timeout=60_000) as info:
            csv.dispatch_event("click")   # a chart's toolbar can lie over the table's: click the button itself
        target = OUT / f"{tag}-table{i}.csv"
        info.value.save_as(target)
        files[target.name] = _file_text(target)
    return files


def _visible_text(page: Page) -> str:
    """The page's text, the sidebar's, and the value shown in every select box (kept in an input, not in text)."""
    inputs = page.locator("[data-testid='stSelectbox'] input, [data-testid='stMultiSelect'] [data-baseweb='tag']")
    values = [inputs.nth(i).input_value() if inputs.nth(i).evaluate("e => e.tagName") == "INPUT"
              else inputs.nth(i).inner_text() for i in range(inputs.count())]
    return "\n".join([page.locator("[data-testid='stMain']").inner_text(),
                      page.locator("[data-testid='stSidebar']").inner_text(), *values])


def _walk(page: Page, who: str) -> dict[str, dict[str, str]]:
    """Open every page of the navigation through the sidebar (one session), screenshot it, read its text and
    every download. Returns {page key: {"page": text, file name: text, ...}}."""
    seen: dict[str, dict[str, str]] = {}
    for entry in PAGES:
        title = t(entry.title_key, "id")
        nav = page.locator("[data-testid='stSidebarNav']")
        link = nav.get_by_role("link", name=title, exact=True)
        more = nav.get_by_text(re.compile(r"^View \d+ more$"))
        if not link.is_visible() and more.count():
            more.first.click()                               # a long menu folds its last pages away
        link.click()
        _idle(page)
        expect(page.locator("[data-testid='stException']")).to_have_count(0)
        tag = f"{who}-{Path(entry.path).stem}"
        page.screenshot(path=str(OUT / f"{tag}.png"), full_page=True)
        texts = {"page": _visible_text(page)}
        texts.update(_downloads(page, tag))
        expect(page.locator("[data-testid='stException']")).to_have_count(0)
        seen[entry.title_key] = texts
    return seen


@pytest.fixture
def facts(demo_path: Path) -> dict:
    OUT.mkdir(parents=True, exist_ok=True)
    return _facts(demo_path)


def _context(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 1000}, locale="id-ID", accept_downloads=True)
    context.add_init_script(NO_FILE_PICKER)
    page = context.new_page()
    page.set_default_timeout(120_000)
    return context, page


def test_a_judge_sees_nothing_of_co_judges_of_an_open_stage_on_any_page_or_download(app_url, browser, facts):
    assert facts["co_judges"], "the demo's open Banten contest must have co-judges of juri1"
    context, page = _context(browser)
    try:
        page.goto(f"{app_url}/masuk?competition={OPEN}&stage=lapangan")
        _idle(page)
        page.get_by_label("Nama pengguna").fill("juri1")
        page.get_by_label("Kata sandi").fill("juri-demo")
        page.get_by_role("button", name="Masuk").click()
        _idle(page)
        expect(page.get_by_text("Masuk sebagai juri1")).to_be_visible(timeout=60_000)
        walked = _walk(page, "juri")
    finally:
        context.close()
    assert set(walked) == {p.title_key for p in PAGES}
    n_files = sum(len(v) - 1 for v in walked.values())
    assert n_files >= 8, f"only {n_files} files reached"           # Peringkat, Peta, Praktik Baik, tables
    for key, texts in walked.items():
        for source, text in texts.items():
            for judge in facts["co_judges"]:
                assert judge not in text, f"{key}/{source} shows co-judge {judge}"
            if key in RESULT_PAGES or source != "page":
                assert "Provinsi Banten 2026" not in text, f"{key}/{source} shows the open contest"
    assert "Provinsi Banten 2026" in walked["nav_penilaian"]["page"]   # their own work is where it belongs
    assert "Kualitas juri" not in walked["nav_juri"]["page"] or "Juri tidak melihat" in walked["nav_juri"]["page"]


def test_a_visitor_sees_no_unfinished_contest_and_no_personal_data_anywhere(app_url, browser, facts):
    context, page = _context(browser)
    try:
        page.goto(f"{app_url}/?competition={OPEN}")                  # a link to a contest still being judged
        _idle(page)
        expect(page.get_by_text("belum ditetapkan hasilnya")).to_be_visible(timeout=60_000)
        walked = _walk(page, "publik")
        # Posyandu Jeruk (Desa Pasar Keong) by its own link: its history lists final contests only.
        page.goto(f"{app_url}/profil?competition=LP2026-KAB-36.02&posyandu=PY360218201001")
        _idle(page)
        expect(page.get_by_role("heading", name="Posyandu Jeruk")).to_be_visible(timeout=60_000)
        page.get_by_role("heading", name="Riwayat lomba").scroll_into_view_if_needed()
        page.screenshot(path=str(OUT / "publik-jeruk-riwayat.png"), full_page=True)
        walked["jeruk"] = {"page": _visible_text(page),
                           **_downloads(page, "publik-jeruk")}
    finally:
        context.close()
    history = next(v for v in walked["jeruk"].values() if v.startswith("Tahun,Tingkat,Lomba"))   # Riwayat lomba
    assert "Kab. Lebak 2026" in history and "Kab. Lebak 2025" in history and "Provinsi Banten 2025" in history
    assert "Provinsi Banten 2026" not in history
    n_files = sum(len(v) - 1 for v in walked.values())
    assert n_files >= 8, f"only {n_files} files reached"
    for key, texts in walked.items():
        for source, text in texts.items():
            where = f"{key}/{source}"
            for name in facts["open_contests"]:
                assert name not in text, f"{where} shows {name}, still being judged"
            assert not PHONE.search(text), f"{where} shows a phone number: {PHONE.search(text).group(0)}"
            kader = [n for n in facts["kader"] if n in text]
            assert not kader, f"{where} shows kader names {kader[:3]}"
            regs = [r for r in facts["reg_numbers"] if r in text]
            assert not regs, f"{where} shows registration numbers {regs[:3]}"
            assert "contact_phone" not in text and "reg_number" not in text, where
    refused = walked["nav_juri"]["page"]
    assert "hanya dapat dilihat oleh panitia" in refused
