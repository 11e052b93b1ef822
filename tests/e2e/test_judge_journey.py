"""A judge's journey on a phone: sign in → the scoring form → pick an option → it is saved at once."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import expect

from data import store
from tests.e2e.conftest import ARTIFACTS


def _juri_work(demo_path: Path) -> tuple[str, str] | None:
    """The competition and stage where the demo's juri1 has open work, or None when the demo has no accounts."""
    con = store.connect(demo_path, read_only=True)
    try:
        if "users" not in store.table_names(con):
            return None
        row = con.sql(
            "SELECT a.competition_id, a.stage FROM users u JOIN assignments a ON a.judge_id = u.judge_id "
            "JOIN competition_stages cs USING (competition_id, stage) WHERE u.username = 'juri1' "
            "AND cs.finalized_at IS NULL GROUP BY ALL ORDER BY count(*) DESC LIMIT 1").fetchone()
    finally:
        con.close()
    return (row[0], row[1]) if row else None


def test_judge_scores_on_a_phone_and_the_choice_is_saved(demo_path, app_url, browser):
    work = _juri_work(demo_path)
    assert work is not None, "the demo store must give juri1 open work (build_demo calls create_demo_accounts)"
    cid, stage = work
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="id-ID", is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        page.goto(f"{app_url}/masuk?competition={cid}&stage={stage}")
        page.get_by_label("Nama pengguna").fill("juri1")
        page.get_by_label("Kata sandi").fill("juri-demo")
        page.get_by_role("button", name="Masuk").click()
        expect(page.get_by_text("Masuk sebagai juri1")).to_be_visible(timeout=30_000)   # argon2 + a cold first run
        page.screenshot(path=str(ARTIFACTS / "judge-1-masuk.png"), full_page=True)

        # Through the navigation (the same Streamlit session): the sign-in must survive a page switch.
        page.locator("[data-testid='stExpandSidebarButton'], [data-testid='stSidebarCollapsedControl'] button").first.click()
        page.get_by_role("link", name="Penilaian").click()
        expect(page.get_by_role("heading", name="Penilaian")).to_be_visible(timeout=30_000)
        progress = page.get_by_text(re.compile(r"\d+ dari \d+ kriteria terisi"))
        expect(progress).to_be_visible(timeout=30_000)
        before = int(progress.inner_text().split()[0])
        page.screenshot(path=str(ARTIFACTS / "judge-2-form.png"), full_page=True)

        page.locator("[data-testid='stSidebarCollapseButton'] button").first.click()   # phones: close the menu
        page.locator("[data-testid='stExpander'] summary").first.click()
        radio = page.locator("[data-testid='stRadio']").first
        expect(radio).to_be_visible()
        radio.locator("label").last.click()
        expect(page.locator("[data-testid='stException']")).to_have_count(0)
        # The progress either rises (a new answer) or stays (a changed answer); it never needs a Save button.
        page.wait_for_timeout(1500)
        after = int(page.get_by_text(re.compile(r"\d+ dari \d+ kriteria terisi")).inner_text().split()[0])
        assert after >= before
        page.screenshot(path=str(ARTIFACTS / "judge-3-saved.png"), full_page=True)
    finally:
        context.close()
