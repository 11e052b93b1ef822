"""A new provinsi contest on the panitia's desk (issue #12), in a real browser on a private copy of the demo store.

Before anyone is assigned, Panitia's "Beban kerja juri" says so in words (it showed an empty table). On Peserta the
registered-posyandu picker offers the whole province: the last of its 471 posyandu by name is found by typing and
entered, then one from the top of the list. On Penugasan juri the entrant picker lists them by name (it listed
them by entrant id), and "Tugaskan sekaligus" keeps the judges chosen after the click (they vanished: the options
were ordered by workload, which the click changed).
"""

from __future__ import annotations

import re
import shutil

from playwright.sync_api import Page, expect

from data import store
from data.judging import auth
from data.setup import entrants as hand
from tests.e2e.conftest import ARTIFACTS, BANTEN_2027, create_banten_2027, nav, serve, settle, sign_in

NAME = BANTEN_2027


def _shot(page: Page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"desk-{name}.png"), full_page=True)


def _new_contest(store_file) -> tuple[str, dict, dict, int, list[str]]:
    """A 2027 provinsi contest for Banten made as the Lomba page makes it; returns its id, and the last and the
    first (by name) registered posyandu of the province whose ids stand the other way round, how many there are,
    and two judges of the province."""
    con = store.connect(store_file)
    try:
        panitia = auth.get_user(con, "panitia")
        cid = create_banten_2027(con)
        free = hand.candidates(con, cid)
        last = free.row(-1, named=True)
        first = free.filter(free["posyandu_id"] > last["posyandu_id"]).row(0, named=True)
        assert free.height > 400, free.height        # far more than a dropdown shows at once
        from data.judging.assignments import workload

        judges = sorted(workload(con, panitia, cid, "administrasi")["name"].to_list())[:2]
        return cid, last, first, free.height, judges
    finally:
        con.close()


def _label(p: dict) -> str:
    return f"{p['name']} · {p['desa_name']}, {p['kecamatan_name']}"


def _enter(page: Page, posyandu: dict) -> None:
    page.get_by_role("combobox", name="Posyandu").click()
    page.keyboard.type(f"{posyandu['name']} · {posyandu['desa_name']}")
    page.get_by_role("option", name=_label(posyandu), exact=True).click()
    settle(page)
    page.get_by_role("button", name="Jadikan peserta").first.click()   # the second is the new-posyandu form's
    settle(page)
    expect(page.get_by_text(re.compile(rf"{re.escape(posyandu['name'])}.*peserta", re.I)).first).to_be_visible()


def test_a_new_provinsi_contest_on_the_panitia_desk(demo_path, tmp_path, browser):
    ARTIFACTS.mkdir(exist_ok=True)
    store_file = tmp_path / "desk.duckdb"
    shutil.copyfile(demo_path, store_file)
    cid, last, first, n_free, judges = _new_contest(store_file)
    with serve(store_file) as url:
        context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="id-ID")
        page = context.new_page()
        page.set_default_timeout(90_000)
        sign_in(page, url, "panitia", "panitia-demo", query=f"?competition={cid}")
        settle(page)

        # Nobody assigned yet: said in words, not an empty table
        nav(page, "Panitia")
        settle(page)
        expect(page.get_by_text("Belum ada juri yang ditugaskan untuk tahap Administrasi. Tugaskan juri di tab "
                                "Penugasan juri.")).to_be_visible()
        _shot(page, "1-no-judge-yet")

        # Peserta: the whole province is offered; the last posyandu by name, then one from the top
        nav(page, "Peserta")
        settle(page)
        expect(page.get_by_role("combobox", name="Posyandu")).to_have_attribute(
            "placeholder", f"Ketik nama atau desa ({n_free} posyandu di wilayah lomba)")
        _enter(page, last)
        _enter(page, first)
        expect(page.get_by_role("heading", name="Peserta (2)")).to_be_visible()
        _shot(page, "2-peserta")

        # Penugasan juri: entrants by name; "Tugaskan sekaligus" keeps the judges chosen
        nav(page, "Panitia")
        settle(page)
        page.get_by_role("tab", name="Penugasan juri", exact=True).click()
        settle(page)
        panel = page.locator("[data-testid='stTabPanel']:visible")
        entrant = panel.locator("[data-testid='stSelectbox']").filter(has_text="Peserta").first
        entrant.click()
        shown = page.get_by_role("option").all_inner_texts()
        page.keyboard.press("Escape")
        assert shown == [first["name"], last["name"]], shown        # by name, though the ids run the other way
        form = page.locator("[data-testid='stForm']").filter(has_text="Tugaskan ke semua")
        chips = form.locator("[data-testid='stMultiSelect']")
        for name in judges:
            chips.locator("input").click()
            page.keyboard.type(name)
            page.get_by_role("option", name=name, exact=True).click()   # the option itself, not the highlighted
            page.keyboard.press("Escape")
            settle(page)
            expect(chips.get_by_text(name, exact=True)).to_be_visible()
        form.get_by_role("button", name="Tugaskan ke semua 2 peserta").click()
        settle(page)
        expect(page.get_by_text(re.compile(r"\d penugasan baru untuk tahap Administrasi\."))).to_be_visible()
        for name in judges:                              # still chosen after the click
            expect(chips.get_by_text(name, exact=True)).to_be_visible()
        _shot(page, "3-bulk-kept")

        # and the workload now lists them
        page.get_by_role("tab", name="Ringkasan", exact=True).click()
        settle(page)
        expect(page.get_by_text("Belum ada juri yang ditugaskan")).to_have_count(0)
        expect(page.locator("[data-testid='stTabPanel']:visible [data-testid='stDataFrame']").first).to_be_visible()
        _shot(page, "4-workload")
        context.close()
