"""A rule changed after scoring started (issue #12), in a real browser on a private copy of the demo store.

A 2027 provinsi contest for Banten is made as the Lomba page makes it, with one entrant and one judge's first
score (every demo contest has a final stage, whose rules are frozen). The panitia opens it on Lomba: the page says
scoring has started. Changing how the judges' values are combined (mean → median) without a reason is refused
in words and nothing is saved; with a reason it is saved, the results are re-scored and the competition's history
names who changed what and why. Screenshots: test-artifacts/rule-*.png.
"""

from __future__ import annotations

import shutil

from playwright.sync_api import Page, expect

from data import store
from data.judging import auth
from data.setup import competitions as comps
from data.setup import entrants as hand
from data.store import score_rows
from tests.e2e.conftest import (
    ARTIFACTS,
    BANTEN_2027,
    create_banten_2027,
    no_traceback,
    pick,
    serve,
    settle,
    sign_in,
)

NAME = BANTEN_2027
REASON = "Rapat panitia 21 November: median meredam nilai juri yang jauh berbeda"


def _shot(page: Page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"rule-{name}.png"), full_page=True)


def _contest_being_scored(store_file) -> str:
    """The contest, its entrant and a first score, written as the Lomba, Peserta and Penilaian pages write them."""
    con = store.connect(store_file)
    try:
        panitia = auth.get_user(con, "panitia")
        cid = create_banten_2027(con)
        entrant = hand.add_entrant(con, panitia, cid, hand.candidates(con, cid).row(0, named=True)["posyandu_id"])
        judge, criterion = con.sql(
            "SELECT (SELECT min(judge_id) FROM judges), (SELECT min(criterion_id) FROM instrument_criteria "
            "WHERE instrument_id = 'enam-bidang-2026@1' AND kind = 'choice')").fetchone()
        score_rows.add_scores(con, [{"competition_id": cid, "stage": "administrasi", "entrant_id": entrant,
                                     "judge_id": judge, "criterion_id": criterion, "option_code": "b"}])
        assert comps.rule_state(con, cid) == "scoring"
        assert comps.competition_spec(con, cid).aggregation == "mean"
        return cid
    finally:
        con.close()


def test_a_rule_change_after_scoring_started_needs_a_reason_and_is_in_the_history(demo_path, browser, tmp_path):
    ARTIFACTS.mkdir(exist_ok=True)
    store_file = tmp_path / "demo.duckdb"
    shutil.copyfile(demo_path, store_file)
    cid = _contest_being_scored(store_file)
    with serve(store_file) as url:
        context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="id-ID")
        page: Page = context.new_page()
        page.set_default_timeout(90_000)
        try:
            sign_in(page, url, "panitia", "panitia-demo")
            page.goto(f"{url}/lomba")
            expect(page.get_by_role("heading", name="Lomba", exact=True)).to_be_visible()
            settle(page)
            main = page.locator("[data-testid='stMain']")
            pick(main, "Lomba", NAME)        # the page's own picker (the sidebar has one too)
            expect(page.get_by_text("Penilaian sudah dimulai: perubahan aturan perlu alasan")).to_be_visible()
            pick(main, "Penggabungan nilai juri", "Median")
            page.get_by_role("button", name="Simpan perubahan").click()
            settle(page)
            expect(page.get_by_text("tulis alasan perubahan aturan", exact=False)).to_be_visible()
            _shot(page, "1-refused-without-reason")
            box = page.locator("input[aria-label='Alasan perubahan aturan (wajib setelah penilaian dimulai)']")
            box.fill(REASON)
            box.press("Enter")
            settle(page)
            page.get_by_role("button", name="Simpan perubahan").click()
            settle(page)
            expect(page.get_by_text("Perubahan disimpan.")).to_be_visible()
            expect(box).to_have_value("")             # the next change needs its own reason
            page.get_by_text("Riwayat perubahan", exact=False).first.click()
            settle(page)
            no_traceback(page)
            _shot(page, "2-saved-with-history")
        finally:
            context.close()

    # What the browser did, read back once the server has let go of the store.
    con = store.connect(store_file, read_only=True)
    try:
        assert comps.competition_spec(con, cid).aggregation == "median"
        history = comps.competition_history(con, cid)
        latest = history.row(0, named=True)
        assert latest["reason"] == REASON and latest["actor"] == "panitia"
        assert latest["action"] == "rule_change_after_scoring", latest
    finally:
        con.close()
