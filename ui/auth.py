"""Sign-in state in Streamlit: who the current user is, role checks for pages, sign in and out.

The session token lives in `st.session_state`; `data.auth.session_user` decides whether it is still valid (idle
expiry, sign-out), so the rules are the same for every caller. Not signed in means acting as `PUBLIC`.
"""

from __future__ import annotations

from collections.abc import Iterable

import streamlit as st

from data.judging import auth
from data.judging.auth import PUBLIC, SignIn, User
from present.errors import UserError
from ui.language import lang, tr
from ui.state import get_con

TOKEN_KEY = "auth.token"
EXPIRED_KEY = "auth.expired"


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
    result = auth.authenticate(get_con(), username, password)
    if result.ok:
        st.session_state[TOKEN_KEY] = result.token
        st.session_state.pop(EXPIRED_KEY, None)
    return result


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
        st.info(tr("auth_sign_in_needed"))
    else:
        st.error(tr("judging_denied_role", role=tr(f"auth_role_{user.role}"),
                    allowed=", ".join(tr(f"auth_role_{r}") for r in allowed)))
    st.stop()
    raise AssertionError("st.stop() returned")   # only reachable outside a script run


def show_denied(err: UserError) -> None:
    """Show a refusal or a refused value from the data layer in the user's language."""
    st.error(err.text(lang()))
