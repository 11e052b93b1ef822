"""Sign-in state in Streamlit: who the current user is, role checks for pages, sign in and out.

The session token lives in `st.session_state` and, so that a reload or a new tab stays signed in, in a cookie
(`COOKIE_NAME`; never in the URL). `data.auth.session_user` decides whether a token is still valid (idle expiry,
sign-out), so the rules are the same for every caller and every app server. Not signed in means acting as `PUBLIC`.

Streamlit reads cookies (`st.context.cookies`, the ones the browser sent when it opened this session) but has no
API to write one, so `keep_session_cookie` writes it from a tiny script in the page (`st.html` with JavaScript,
Streamlit's own element: no third-party component). A script cannot set HttpOnly; the cookie is SameSite=Strict,
Path=/, Secure when the page is served over https, and lives for the idle period (refreshed while the user works).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import re
import secrets
import time
from collections.abc import Iterable, Mapping

import streamlit as st

from data.judging import auth
from data.judging.auth import PUBLIC, SignIn, User
from present.errors import UserError
from ui.language import lang, tr
from ui.safe import plain
from ui.state import get_con

TOKEN_KEY = "auth.token"
EXPIRED_KEY = "auth.expired"
CLIENT_KEY = "auth.client"
COOKIE_NAME = "posyandu_sesi"
COOKIE_WRITE_KEY = "auth.cookie_write"    # "set" after a sign-in here, "keep" for a token read from the cookie
COOKIE_TRIED_KEY = "auth.cookie_tried"    # the opening request's cookie token, once tried in this session
COOKIE_FORGET_KEY = "auth.cookie_forget"  # a token this session signed out or found dead: its cookie is cleared
COOKIE_REFRESH_SECONDS = 15 * 60          # the cookie's expiry is pushed on at most this often while in use
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{20,128}")   # secrets.token_urlsafe: anything else is not ours


def _behind_proxy(ip: str | None) -> bool:
    """True when the connection comes from this machine or a private network: a reverse proxy, whose
    X-Forwarded-For then names the real client. From a public address that header is the visitor's own claim."""
    if ip is None:
        return True
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    return address.is_loopback or address.is_private


def client_id() -> str:
    """Who is knocking, for sign-in throttling: the address the nearest proxy saw (last X-Forwarded-For entry),
    else the connection's address, else this browser session (a local connection has no address)."""
    ip = getattr(st.context, "ip_address", None)
    ip = ip if isinstance(ip, str) else None          # no runtime (tests, bare mode): no address
    forwarded = st.context.headers.get("X-Forwarded-For") if _behind_proxy(ip) else None
    if isinstance(forwarded, str) and forwarded.split(",")[-1].strip():
        return "ip:" + forwarded.split(",")[-1].strip()[:64]
    if ip:
        return "ip:" + ip
    if CLIENT_KEY not in st.session_state:
        st.session_state[CLIENT_KEY] = "session:" + secrets.token_hex(8)
    return st.session_state[CLIENT_KEY]


def request_cookies() -> Mapping[str, str]:
    """The cookies the browser sent when it opened this session (empty outside a served run)."""
    return st.context.cookies


def cookie_token(cookies: Mapping[str, str]) -> str | None:
    """The session token a cookie jar holds, if it is shaped like one of ours."""
    value = cookies.get(COOKIE_NAME)
    return value if isinstance(value, str) and _TOKEN_SHAPE.fullmatch(value) else None


def _adopt_cookie() -> str | None:
    """A reload or a new tab: take the token from the cookie, once per browser session (a token this session
    signed out or already found dead is not taken again, though the opening request still carries it)."""
    token = cookie_token(request_cookies())
    if token is None or st.session_state.get(COOKIE_TRIED_KEY) == token:
        return None
    st.session_state[COOKIE_TRIED_KEY] = token
    st.session_state[TOKEN_KEY] = token
    st.session_state[COOKIE_WRITE_KEY] = "keep"
    return token


def _forget(token: str) -> None:
    st.session_state.pop(TOKEN_KEY, None)
    st.session_state.pop(COOKIE_WRITE_KEY, None)
    st.session_state[COOKIE_TRIED_KEY] = st.session_state.get(COOKIE_TRIED_KEY) or token
    st.session_state[COOKIE_FORGET_KEY] = token


def current_user() -> User:
    """The signed-in user (from this session, else from the cookie), or PUBLIC. An expired or ended session is
    dropped, its cookie cleared, and noted so the page can say why."""
    token = st.session_state.get(TOKEN_KEY) or _adopt_cookie()
    if not token:
        return PUBLIC
    user = auth.session_user(get_con(), token)
    if user is None:
        _forget(token)
        st.session_state[EXPIRED_KEY] = True
        return PUBLIC
    return user


def sign_in(username: str, password: str) -> SignIn:
    """Check the password; on success remember the session token for this browser session and its cookie."""
    result = auth.authenticate(get_con(), username, password, client=client_id())
    if result.ok:
        st.session_state[TOKEN_KEY] = result.token
        st.session_state[COOKIE_WRITE_KEY] = "set"
        st.session_state.pop(COOKIE_FORGET_KEY, None)
        st.session_state.pop(EXPIRED_KEY, None)
    return result


def cookie_script(token: str, mode: str, max_age: int, stamp: int = 0) -> str:
    """The hidden element that writes (`set`: a sign-in here; `keep`: refresh unless another sign-in in this
    browser replaced it) or clears (`clear`: only while it still holds `token`) the session cookie.

    `stamp` changes the element's text when the expiry is due to be pushed on: Streamlit runs an element's
    script again only when its text changes, so an unchanged element on every rerun writes nothing."""
    args = json.dumps({"name": COOKIE_NAME, "token": token, "mode": mode, "maxAge": max_age, "stamp": stamp})
    return (
        "<style>[data-testid='stElementContainer']:has(#posyandu-sesi){display:none}</style>"
        "<span id='posyandu-sesi'></span>"
        "<script>(() => { const a = " + args + ";"
        " const held = document.cookie.split('; ').filter(c => c.startsWith(a.name + '='))"
        ".map(c => c.slice(a.name.length + 1))[0];"
        " const attrs = '; Path=/; SameSite=Strict' + (location.protocol === 'https:' ? '; Secure' : '');"
        " if (a.mode === 'clear') { if (held === a.token) document.cookie = a.name + '=' + attrs + '; Max-Age=0'; }"
        " else if (a.mode === 'set' || !held || held === a.token)"
        " document.cookie = a.name + '=' + a.token + attrs + '; Max-Age=' + a.maxAge; })();</script>"
    )


def keep_session_cookie() -> None:
    """Once per run, before the page: the cookie follows the session (written after a sign-in, its expiry pushed
    on while in use, cleared after a sign-out or a dead session). Draws nothing the user sees."""
    current_user()                       # a reload adopts the cookie's token here, or finds it dead
    token = st.session_state.get(TOKEN_KEY)
    max_age = int(auth.SESSION_IDLE.total_seconds())
    if token:
        mode = st.session_state.get(COOKIE_WRITE_KEY, "keep")
        st.html(cookie_script(token, mode, max_age, stamp=int(time.time() // COOKIE_REFRESH_SECONDS)),
                unsafe_allow_javascript=True)
        # Written once unconditionally; later refreshes leave alone a newer sign-in made in another tab.
        st.session_state[COOKIE_WRITE_KEY] = "keep"
    elif forget := st.session_state.get(COOKIE_FORGET_KEY):
        st.html(cookie_script(forget, "clear", 0), unsafe_allow_javascript=True)


def wait_text(until: dt.datetime, now: dt.datetime | None = None) -> str:
    """"12 detik" / "3 menit": how long until the next sign-in try, rounded up, in the session's language."""
    seconds = max(1, int(-(-(until - (now or dt.datetime.now())).total_seconds() // 1)))
    if seconds < 90:
        return tr("safety_seconds", n=seconds)
    return tr("safety_minutes", n=-(-seconds // 60))


def sign_out() -> None:
    """End the session in the store (every tab and server refuses the token at once) and clear its cookie."""
    token = st.session_state.get(TOKEN_KEY)
    if token:
        auth.end_session(get_con(), token)
        _forget(token)


def require_role(roles: Iterable[str]) -> User:
    """The current user when their role is in `roles`; otherwise explain and stop the page."""
    allowed = tuple(roles)
    user = current_user()
    if user.role in allowed and user.must_change_password:
        # A temporary password (new account or reset) is replaced on the Masuk page before any work.
        st.warning(tr("setup_must_change_elsewhere"), icon=":material/key:")
        st.stop()
    if user.role in allowed:
        return user
    if st.session_state.pop(EXPIRED_KEY, False):
        st.warning(tr("auth_session_expired"))
    if user.is_public:
        # Say who the page is for (a pembina whose session was lost on reload was told "panitia and juri"),
        # and offer the way in.
        st.info(tr("integrity_sign_in_needed", roles=", ".join(tr(f"auth_role_{r}") for r in allowed)))
        # A relative link (pages are served at their file stem): it also works where st.page_link cannot resolve
        # the page, e.g. a page run on its own.
        st.markdown(f":material/login: [{tr('auth_sign_in')}](masuk)")
    else:
        st.error(tr("judging_denied_role", role=tr(f"auth_role_{user.role}"),
                    allowed=", ".join(tr(f"auth_role_{r}") for r in allowed)))
    st.stop()
    raise AssertionError("st.stop() returned")   # only reachable outside a script run


def show_denied(err: UserError) -> None:
    """Show a refusal or a refused value from the data layer in the user's language."""
    st.error(err.text(lang(), escape=plain))
