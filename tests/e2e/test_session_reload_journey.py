"""Sign-in that survives a reload, a new tab and a server restart (issue #13 item 8, issue #16), in a real browser.

A pembina of Kab. Lebak signs in and opens the Data page; a reload keeps the page and the sign-in, a new tab is
signed in, another browser is not. The token travels in a cookie (SameSite=Strict, Path=/, for the idle period),
never in the URL. After a restart of the server the cookie still signs the pembina in (sessions live in the
store), while juri1's session, left idle past the idle period while the server was down, is refused and its
cookie cleared. Signing out ends the session: a reload shows the sign-in form, and the old token planted in a
fresh browser is refused.
"""

from __future__ import annotations

import datetime as dt
import shutil
import time
from pathlib import Path

import duckdb
from playwright.sync_api import expect

from data.judging.auth import SESSION_IDLE
from tests.e2e.conftest import ARTIFACTS, serve, settle, sign_in
from ui.auth import COOKIE_NAME

DATA_TITLE = "Data: impor, ekspor, cadangan"
FOR_ROLES = "Halaman ini untuk"
SIGNED_IN = "Masuk sebagai"
EXPIRED = "Sesi Anda berakhir"


def _context(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="id-ID")
    page = context.new_page()
    page.set_default_timeout(90_000)
    return context, page


def _session_cookie(context) -> dict | None:
    return next((c for c in context.cookies() if c["name"] == COOKIE_NAME), None)


def _wait_for_cookie(context, present: bool) -> dict | None:
    """The cookie is written by the page's script after the run: give the browser a moment."""
    deadline = time.time() + 30
    while time.time() < deadline:
        cookie = _session_cookie(context)
        if (cookie is not None) == present:
            return cookie
        time.sleep(0.3)
    raise AssertionError(f"session cookie {'never written' if present else 'never cleared'}")


def _open_data(page, url: str) -> None:
    page.goto(f"{url}/pertukaran_data")
    settle(page)


def _shot(page, name: str) -> None:
    """After the page's assertions held (the run is drawn), and once more settled."""
    settle(page)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def test_sign_in_survives_reload_new_tab_and_restart_and_sign_out_ends_it(demo_path: Path, tmp_path, browser):
    ARTIFACTS.mkdir(exist_ok=True)
    store_file = tmp_path / "demo.duckdb"
    shutil.copyfile(demo_path, store_file)
    opened = []
    try:
        pembina_ctx, pembina = _context(browser)
        judge_ctx, judge = _context(browser)
        stranger_ctx, stranger = _context(browser)
        opened += [pembina_ctx, judge_ctx, stranger_ctx]
        with serve(store_file) as url:
            sign_in(pembina, url, "pembina-lebak", "pembina-demo")
            cookie = _wait_for_cookie(pembina_ctx, present=True)
            assert cookie["sameSite"] == "Strict" and cookie["path"] == "/" and not cookie["secure"]
            # expires after the idle period (8 h), give or take the test's own minutes
            assert abs(cookie["expires"] - (time.time() + SESSION_IDLE.total_seconds())) < 600
            token = cookie["value"]

            _open_data(pembina, url)
            expect(pembina.get_by_role("heading", name=DATA_TITLE)).to_be_visible()
            expect(pembina.get_by_text(FOR_ROLES)).to_have_count(0)
            assert token not in pembina.url
            _shot(pembina, "session-1-data-signed-in.png")

            pembina.reload()
            settle(pembina)
            assert pembina.url.split("?")[0].endswith("/pertukaran_data")
            expect(pembina.get_by_role("heading", name=DATA_TITLE)).to_be_visible()
            expect(pembina.get_by_text(FOR_ROLES)).to_have_count(0)
            _shot(pembina, "session-2-after-reload.png")

            tab = pembina_ctx.new_page()
            tab.goto(f"{url}/masuk")
            settle(tab)
            expect(tab.get_by_text(SIGNED_IN)).to_be_visible()
            expect(tab.get_by_text("pembina-lebak").first).to_be_visible()
            _shot(tab, "session-3-new-tab.png")
            tab.close()

            # another browser (no cookie) is not signed in
            _open_data(stranger, url)
            expect(stranger.get_by_text(FOR_ROLES)).to_be_visible()
            expect(stranger.get_by_role("heading", name=DATA_TITLE)).to_have_count(0)
            _shot(stranger, "session-4-other-browser.png")

            sign_in(judge, url, "juri1", "juri-demo")
            _wait_for_cookie(judge_ctx, present=True)

        # While the server is down, juri1's session goes idle past the idle period.
        with duckdb.connect(str(store_file)) as con:
            con.execute("UPDATE sessions SET last_seen = ? WHERE username = 'juri1'",
                        [dt.datetime.now() - SESSION_IDLE - dt.timedelta(minutes=5)])

        with serve(store_file) as url:         # another port: cookies belong to the host, not the port
            _open_data(pembina, url)
            expect(pembina.get_by_role("heading", name=DATA_TITLE)).to_be_visible()
            expect(pembina.get_by_text(FOR_ROLES)).to_have_count(0)
            _shot(pembina, "session-5-after-restart.png")

            judge.goto(f"{url}/penilaian")
            settle(judge)
            expect(judge.get_by_text(EXPIRED)).to_be_visible()
            expect(judge.get_by_text(FOR_ROLES)).to_be_visible()
            _shot(judge, "session-6-idle-refused.png")
            _wait_for_cookie(judge_ctx, present=False)      # the dead token's cookie is cleared

            pembina.goto(f"{url}/masuk")
            settle(pembina)
            pembina.get_by_role("button", name="Keluar").click()
            settle(pembina)
            expect(pembina.get_by_label("Nama pengguna")).to_be_visible()
            _wait_for_cookie(pembina_ctx, present=False)
            pembina.reload()
            settle(pembina)
            expect(pembina.get_by_label("Nama pengguna")).to_be_visible()
            expect(pembina.get_by_text(SIGNED_IN)).to_have_count(0)
            expect(pembina.get_by_text(EXPIRED)).to_have_count(0)   # signed out, not timed out
            _shot(pembina, "session-7-signed-out-reload.png")

            # the signed-out token, planted in a fresh browser, opens nothing
            planted_ctx, planted = _context(browser)
            opened.append(planted_ctx)
            planted_ctx.add_cookies([{"name": COOKIE_NAME, "value": token, "url": url}])
            _open_data(planted, url)
            expect(planted.get_by_text(FOR_ROLES)).to_be_visible()
            expect(planted.get_by_role("heading", name=DATA_TITLE)).to_have_count(0)
            _shot(planted, "session-8-ended-token-refused.png")
    finally:
        for context in opened:
            context.close()
