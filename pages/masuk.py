"""Masuk: sign in (panitia, juri, pembina) and sign out. The public pages need no sign-in."""

from __future__ import annotations

import streamlit as st

from present.fmt import fmt_date
from ui.auth import EXPIRED_KEY, current_user, sign_in, sign_out
from ui.context import lang, sidebar_context, tr

sidebar_context(show_stage=False, show_region=False)
st.title(tr("auth_title"))
user = current_user()

if not user.is_public:
    st.success(tr("auth_signed_in_as", name=user.display_name or user.username, role=tr(f"auth_role_{user.role}")))
    if user.region_code:
        st.caption(tr("auth_region", region=user.region_code))
    if st.button(tr("auth_sign_out"), key="masuk.signout"):
        sign_out()
        st.rerun()
    st.stop()

if st.session_state.pop(EXPIRED_KEY, False):
    st.warning(tr("auth_session_expired"))
st.caption(tr("auth_public_note"))

with st.form("masuk.form"):
    username = st.text_input(tr("auth_username"), key="masuk.username")
    password = st.text_input(tr("auth_password"), type="password", key="masuk.password")
    submitted = st.form_submit_button(tr("auth_sign_in"))

if submitted:
    result = sign_in(username, password)
    if result.ok:
        st.rerun()
    elif result.locked_until is not None:
        until = result.locked_until
        st.error(tr("auth_locked", time=f"{fmt_date(until, lang())} {until:%H.%M}"))
    else:
        st.error(tr(result.message_key))
