"""Sign-in that others cannot use against a judge (issue #19, items 3 and 4), in a real browser.

Two visitors from two addresses guess juri1's password. Each is slowed down on its own; neither locks the judge
out: juri1, from the judge's own address, signs in at once. A wrong password and an unknown username get the
same words (the timing is measured at the function level in tests/test_auth.py). Panitia sees the account among
"accounts with failed sign-ins" on the Panitia page and clears it.

The server sits on the loopback address, so it reads the client from X-Forwarded-For as it would behind the
reverse proxy of a real deployment; each browser context sends its own address.
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS, nav, settle

ATTACKER_A = "203.0.113.7"       # documentation addresses (RFC 5737)
ATTACKER_B = "203.0.113.8"
JUDGE_HOME = "198.51.100.4"
PANITIA_DESK = "198.51.100.9"
WRONG = "Nama pengguna atau kata sandi salah."
SLOWED = "Terlalu banyak percobaan gagal"


def _client(browser, address: str):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="id-ID",
                                  extra_http_headers={"X-Forwarded-For": address})
    page = context.new_page()
    page.set_default_timeout(90_000)
    return context, page


def _try(page, username: str, password: str) -> None:
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(password)
    page.get_by_role("button", name="Masuk").click()
    settle(page)


def _guess(page, url: str, username: str, times: int, shot: str) -> None:
    """`times` wrong passwords for `username` from this page's address; each refused with the same words."""
    page.goto(f"{url}/masuk")
    settle(page)
    for i in range(times):
        _try(page, username, f"tebakan-{i}")
        expect(page.get_by_text(WRONG)).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / shot), full_page=True)


def test_guessers_slow_themselves_down_and_cannot_lock_the_judge_out(app_url, browser):
    ARTIFACTS.mkdir(exist_ok=True)
    opened = []
    try:
        context, a = _client(browser, ATTACKER_A)
        opened.append(context)
        _guess(a, app_url, "juri1", 5, "throttle-1-attacker-a.png")
        # the fifth failure from this address slows this address down, and says so
        expect(a.get_by_text(SLOWED)).to_be_visible()
        _try(a, "juri1", "tebakan-lagi")               # at once again: refused unchecked
        expect(a.get_by_text(SLOWED)).to_be_visible()
        expect(a.get_by_text("Masuk sebagai")).to_have_count(0)

        # an unknown username gets the very same answer as a wrong password
        context, probe = _client(browser, "203.0.113.50")
        opened.append(context)
        _guess(probe, app_url, "bukan-siapa-siapa", 1, "throttle-2-unknown.png")
        expect(probe.get_by_text(SLOWED)).to_have_count(0)

        context, b = _client(browser, ATTACKER_B)
        opened.append(context)
        _guess(b, app_url, "juri1", 5, "throttle-3-attacker-b.png")

        # The judge, from home, is not locked out: the guessers slowed only themselves (the account-wide count
        # may ask the owner to wait a moment, never more than half a minute).
        context, judge = _client(browser, JUDGE_HOME)
        opened.append(context)
        judge.goto(f"{app_url}/masuk")
        settle(judge)
        _try(judge, "juri1", "juri-demo")
        if judge.get_by_text(SLOWED).count():
            wait = re.search(r"dalam (\d+) detik", judge.get_by_text(SLOWED).inner_text())
            assert wait and int(wait.group(1)) <= 30, "the owner may be asked to wait, never locked out"
            judge.wait_for_timeout(int(wait.group(1)) * 1000 + 500)
            _try(judge, "juri1", "juri-demo")
        expect(judge.get_by_text("Masuk sebagai juri1")).to_be_visible()
        judge.screenshot(path=str(ARTIFACTS / "throttle-4-judge-in.png"), full_page=True)

        # Panitia sees an account with failed sign-ins on the Panitia page and clears them (audited).
        _guess(b, app_url, "juri2", 3, "throttle-5-juri2.png")
        context, desk = _client(browser, PANITIA_DESK)
        opened.append(context)
        desk.goto(f"{app_url}/masuk")
        settle(desk)
        _try(desk, "panitia", "panitia-demo")
        expect(desk.get_by_text("Masuk sebagai")).to_be_visible()
        nav(desk, "Panitia")                # through the navigation: a reload would end the session
        settle(desk)
        expander = desk.locator("[data-testid='stExpander']").filter(has_text="Akun dengan percobaan masuk gagal")
        expect(expander.first).to_be_visible()
        expander.first.scroll_into_view_if_needed()
        desk.screenshot(path=str(ARTIFACTS / "throttle-6-panitia-sees.png"))
        pick = expander.first.locator("[data-testid='stSelectbox']").first
        pick.click()
        desk.keyboard.type("juri2")
        desk.keyboard.press("Enter")
        settle(desk)
        expect(pick).to_match_aria_snapshot('- combobox "Akun": juri2')
        expander.first.get_by_role("button", name="Buka kunci akun").click()
        settle(desk)
        expect(desk.get_by_text("Akun juri2 dibuka: 3 percobaan gagal dihapus.")).to_be_visible()
        desk.get_by_text("Akun juri2 dibuka").scroll_into_view_if_needed()
        desk.screenshot(path=str(ARTIFACTS / "throttle-7-panitia-cleared.png"))
    finally:
        for context in opened:
            context.close()
