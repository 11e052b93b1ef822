"""Sign-in state in Streamlit: who the current user is, role checks for pages, sign in and out.

The session token lives in `st.session_state`; `data.auth.session_user` decides whether it is still valid (idle
expiry, sign-out), so the rules are the same for every caller. Not signed in means acting as `PUBLIC`.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import secrets
from collections.abc import Iterable

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


def current_user() -> User:
    """The signed-in user, or PUBLIC. An expired session is dropped and noted so the page can say why."""
    token = st.session_state.get(TOKEN_KEY)
    if not token:
        return PUBLIC
    user = auth.session_user(get_con(), token)
    if user is None:
        del st.session_state[TOKEN_KEY]
        st.session_state[EXPIRED_KEY] = True
        return PUBLIC
    return user


def sign_in(username: str, password: str) -> SignIn:
    """Check the password; on success remember the session token for this browser session."""
    result = auth.authenticate(get_con(), username, password, client=client_id())
    if result.ok:
        st.session_state[TOKEN_KEY] = result.token
        st.session_state.pop(EXPIRED_KEY, None)
    return result


def wait_text(until: dt.datetime, now: dt.datetime | None = None) -> str:
    """"12 detik" / "3 menit": how long until the next sign-in try, rounded up, in the session's language."""
    seconds = max(1, int(-(-(until - (now or dt.datetime.now())).total_seconds() // 1)))
    if seconds < 90:
        return tr("safety_seconds", n=seconds)
    return tr("safety_minutes", n=-(-seconds // 60))


def sign_out() -> None:
    token = st.session_state.pop(TOKEN_KEY, None)
    if token:
        auth.end_session(get_con(), token)


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
