"""Every download button on every page gives its file and no traceback, clicked five times in fresh sessions.

The Data page's rekap, berita acara and scorecard were built in a download callback sharing the session's DuckDB
cursor with the rerun the click started: half the clicks gave no file, the other half a file and a traceback.
What must not happen here: a click without a file, an empty file, or an exception box on the page.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import no_traceback, settle

SESSIONS = 5
# (page to open, who signs in, tabs to open first so their buttons are visible)
PAGES: list[tuple[str, str | None, tuple[str, ...]]] = [
    ("Peringkat", None, ()),
    ("Peta", None, ()),
    ("Praktik Baik", None, ()),
    ("Data", "panitia", ("Unduh dokumen", "Cadangan")),
    ("Jejak Audit", "panitia", ()),
]
# Whole-store exports take long on a loaded machine; they are clicked once per session like the others, but the
# zip of every table as CSV is left to test_backup/test_exports (it is the same bytes builder as Parquet).
SKIP_LABELS = ("Semua tabel (CSV)",)


def _open(page, app_url: str, title: str, user: str | None) -> None:
    if user:
        page.goto(f"{app_url}/masuk", wait_until="domcontentloaded")
        page.get_by_label("Nama pengguna").fill(user)
        page.get_by_label("Kata sandi").fill(f"{user}-demo")
        page.get_by_role("button", name="Masuk").click()
        expect(page.get_by_text(f"Masuk sebagai {user}")).to_be_visible(timeout=60_000)
        # Navigate inside the app (a reload would start a new session, signed out).
        page.get_by_role("link", name=title, exact=True).click()
    else:
        page.goto(f"{app_url}/", wait_until="domcontentloaded")
        page.get_by_role("link", name=title, exact=True).click()
    expect(page.get_by_role("heading").first).to_be_visible(timeout=90_000)
    settle(page)


def _label(text: str) -> str:
    """A button's words without the icon's ligature name ("download") that Streamlit puts before them."""
    return text.strip().split("\n")[-1].strip()


def _buttons(page):
    return page.locator('[data-testid="stDownloadButton"] button:visible')


@pytest.mark.parametrize(("title", "user", "tabs"), PAGES, ids=[p[0] for p in PAGES])
def test_every_download_gives_its_file_and_no_traceback(app_url: str, browser, title: str, user: str | None,
                                                       tabs: tuple[str, ...], tmp_path) -> None:
    got: list[tuple[int, str, int]] = []
    for session in range(SESSIONS):
        context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="id-ID", accept_downloads=True)
        page = context.new_page()
        page.set_default_timeout(120_000)
        try:
            _open(page, app_url, title, user)
            for tab in (None, *tabs):
                if tab:
                    page.get_by_role("tab", name=tab).click()
                    settle(page)
                buttons = _buttons(page)
                expect(buttons.first).to_be_visible(timeout=90_000)
                # the buttons are listed once they stop changing (a rerun after the first draw may still be
                # putting one back): two equal looks a second apart
                labels: list[str] = []
                for _ in range(15):
                    now = [_label(b.inner_text()) for b in buttons.all()]
                    if now and now == labels:
                        break
                    labels = now
                    page.wait_for_timeout(1000)
                for i, label in enumerate(labels):
                    if any(s in label for s in SKIP_LABELS):
                        continue
                    button = _buttons(page).nth(i)
                    expect(button).to_contain_text(label)
                    with page.expect_download(timeout=180_000) as info:
                        button.click()
                    path = tmp_path / f"{session}-{info.value.suggested_filename}"
                    info.value.save_as(path)
                    size = path.stat().st_size
                    assert size > 0, (title, label, session)
                    got.append((session, label, size))
                    settle(page)
                    no_traceback(page)
            if session == 0:
                page.screenshot(path=f"test-artifacts/downloads-{title.replace(' ', '_').lower()}.png",
                                full_page=True)
            no_traceback(page)
        finally:
            context.close()
    per_session = {s: [label for s2, label, _ in got if s2 == s] for s in range(SESSIONS)}
    assert per_session[0], f"{title}: no download button found"
    assert all(labels == per_session[0] for labels in per_session.values()), per_session
