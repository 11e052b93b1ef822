"""The session cookie → user path (issue #13 item 8, #16): a reload or a new tab brings the cookie the browser
kept, and the store decides whether its token still signs anyone in. The browser side (the cookie really written,
kept and cleared) is tests/e2e/test_session_reload_journey.py."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from data.judging import auth
from ui import auth as ui_auth
from ui.auth import COOKIE_NAME, TOKEN_KEY

ROOT = Path(__file__).resolve().parent.parent


def _masuk_with_cookie(monkeypatch: pytest.MonkeyPatch, cookies: dict[str, str]) -> AppTest:
    """Masuk opened in a new browser session whose opening request carried `cookies` (a reload, a new tab)."""
    monkeypatch.setattr(ui_auth, "request_cookies", lambda: cookies)
    return AppTest.from_file(str(ROOT / "pages/masuk.py"), default_timeout=60).run()


def _pembina_token(con) -> str:
    token = auth.authenticate(con, "pembina-lebak", "pembina-demo").token
    assert token
    return token


def test_a_reload_with_a_live_session_cookie_stays_signed_in(demo_app, monkeypatch):
    token = _pembina_token(demo_app)
    at = _masuk_with_cookie(monkeypatch, {COOKIE_NAME: token, "_streamlit_xsrf": "x"})
    assert not at.exception
    assert any(s.value.startswith("Masuk sebagai pembina") for s in at.success)
    assert at.session_state[TOKEN_KEY] == token


def test_an_idle_session_cookie_is_refused_and_the_page_says_why(demo_app, monkeypatch):
    token = _pembina_token(demo_app)
    demo_app.execute("UPDATE sessions SET last_seen = ? WHERE token = ?",
                     [dt.datetime.now() - auth.SESSION_IDLE - dt.timedelta(minutes=1), token])
    at = _masuk_with_cookie(monkeypatch, {COOKIE_NAME: token})
    assert not at.exception
    assert not at.success                                       # not signed in
    assert any("Sesi Anda berakhir" in w.value for w in at.warning)
    assert TOKEN_KEY not in at.session_state
    # the store ended it, so no other tab or server takes it either
    assert demo_app.sql("SELECT ended_at IS NOT NULL FROM sessions WHERE token = ?", params=[token]).fetchone() == (True,)


def test_a_signed_out_session_cookie_opens_nothing(demo_app, monkeypatch):
    token = _pembina_token(demo_app)
    auth.end_session(demo_app, token)                            # signed out in another tab
    at = _masuk_with_cookie(monkeypatch, {COOKIE_NAME: token})
    assert not at.exception and not at.success
    assert TOKEN_KEY not in at.session_state
    assert at.text_input(key="masuk.username")                  # the sign-in form


@pytest.mark.parametrize("value", ["", "x", "' OR 1=1 --", "a" * 300, "tok en with spaces and more than 20"])
def test_a_cookie_not_shaped_like_a_token_is_ignored(value):
    assert ui_auth.cookie_token({COOKIE_NAME: value}) is None


def test_an_unknown_token_in_the_cookie_signs_nobody_in(demo_app, monkeypatch):
    at = _masuk_with_cookie(monkeypatch, {COOKIE_NAME: "A" * 43})
    assert not at.exception and not at.success
    assert TOKEN_KEY not in at.session_state


def test_sign_out_ends_the_session_and_the_opening_cookie_is_not_taken_again(demo_app, monkeypatch):
    token = _pembina_token(demo_app)
    at = _masuk_with_cookie(monkeypatch, {COOKIE_NAME: token})
    at.button(key="masuk.signout").click().run()
    assert not at.exception and not at.success
    # this browser session's opening request still carries the cookie: it must not sign the user back in,
    # nor claim the session timed out
    assert not any("Sesi Anda berakhir" in w.value for w in at.warning)
    assert TOKEN_KEY not in at.session_state
    assert auth.session_user(demo_app, token) is None
    at.run()
    assert not at.success and TOKEN_KEY not in at.session_state


def _cookie_element(at: AppTest) -> dict | None:
    """The arguments of the hidden cookie script the run drew, if any."""
    bodies = [el.proto.body for el in at.get("html") if COOKIE_NAME in el.proto.body]
    if not bodies:
        return None
    assert len(bodies) == 1
    match = re.search(r"const a = (\{.*?\});", bodies[0])
    assert match, bodies[0]
    return json.loads(match.group(1))


def _shell() -> None:
    """What dashboard.py does before the page: keep the cookie; then the Masuk page."""
    from ui.auth import keep_session_cookie

    keep_session_cookie()
    exec(compile(open("pages/masuk.py").read(), "pages/masuk.py", "exec"), {"__name__": "__main__"})  # noqa: SIM115


def test_the_cookie_is_written_after_sign_in_for_the_idle_period_and_cleared_after_sign_out(demo_app, monkeypatch):
    monkeypatch.chdir(ROOT)
    monkeypatch.setattr(ui_auth, "request_cookies", lambda: {})
    at = AppTest.from_function(_shell, default_timeout=60).run()
    assert _cookie_element(at) is None                          # a visitor: no cookie written
    at.text_input(key="masuk.username").input("pembina-lebak")
    at.text_input(key="masuk.password").input("pembina-demo")
    at.button[0].click().run()
    written = _cookie_element(at)
    token = at.session_state[TOKEN_KEY]
    assert written == {"name": COOKIE_NAME, "token": token, "mode": "set",
                       "maxAge": int(auth.SESSION_IDLE.total_seconds()), "stamp": written["stamp"]}
    at.run()                                                    # later runs refresh, never overwrite another sign-in
    assert _cookie_element(at)["mode"] == "keep"
    at.button(key="masuk.signout").click().run()
    cleared = _cookie_element(at)
    assert cleared is not None and cleared["mode"] == "clear" and cleared["token"] == token
    assert auth.session_user(demo_app, token) is None


def test_the_cookie_script_sets_strict_same_site_root_path_and_secure_only_over_https():
    script = ui_auth.cookie_script("T" * 43, "set", 28_800)
    assert "SameSite=Strict" in script and "Path=/" in script
    assert "location.protocol === 'https:' ? '; Secure'" in script
    assert "display:none" in script                             # draws nothing the user sees
