"""Masuk: sign in (panitia, juri, pembina) and sign out. The public pages need no sign-in.

On an empty store (no panitia yet) it asks for the first panitia account instead; an account with a temporary
password (new, or reset by the panitia) must choose its own password here before anything else."""

from __future__ import annotations

import streamlit as st

from data.judging import accounts
from ui.auth import EXPIRED_KEY, current_user, sign_in, sign_out, wait_text
from ui.context import lang, sidebar_context, tr
from ui.safe import plain
from ui.state import get_con

sidebar_context(show_stage=False, show_region=False)
st.title(tr("auth_title"))
user = current_user()
con = get_con()


def _problems(keys: list[str]) -> None:
    st.error("\n".join(f"- {text}" for text in accounts.problem_texts(keys, lang())))


if not user.is_public:
    st.success(tr("auth_signed_in_as", name=plain(user.display_name or user.username),
                  role=tr(f"auth_role_{user.role}")))
    if user.must_change_password:
        st.warning(tr("setup_must_change"))
        st.caption(tr("setup_password_rule"))
        with st.form("masuk.change"):
            current = st.text_input(tr("setup_current_password"), type="password", key="masuk.current")
            new = st.text_input(tr("setup_new_password"), type="password", key="masuk.new")
            again = st.text_input(tr("setup_first_password_again"), type="password", key="masuk.again")
            change = st.form_submit_button(tr("setup_change_password"), type="primary")
        if change:
            if problems := accounts.change_password(con, user, current, new, again):
                _problems(problems)
            else:
                st.session_state["masuk.flash"] = tr("setup_password_changed")
                st.rerun()
    if flash := st.session_state.pop("masuk.flash", None):
        st.success(flash)
    if user.region_code:
        st.caption(tr("auth_region", region=plain(user.region_code)))
    if st.button(tr("auth_sign_out"), key="masuk.signout"):
        sign_out()
        st.rerun()
    st.stop()

if st.session_state.pop(EXPIRED_KEY, False):
    st.warning(tr("auth_session_expired"))

if not accounts.has_panitia(con):
    st.subheader(tr("setup_first_title"))
    st.info(tr("setup_first_intro"))
    st.caption(tr("setup_password_rule"))
    with st.form("masuk.first"):
        username = st.text_input(tr("auth_username"), help=tr("setup_akun_username_help"), key="masuk.first.user")
        name = st.text_input(tr("setup_first_display_name"), key="masuk.first.name")
        password = st.text_input(tr("auth_password"), type="password", key="masuk.first.pw")
        again = st.text_input(tr("setup_first_password_again"), type="password", key="masuk.first.again")
        create = st.form_submit_button(tr("setup_first_create"), type="primary")
    st.caption(tr("setup_first_cli"))
    if create:
        if problems := accounts.create_first_panitia(con, username, name, password, again):
            _problems(problems)
        else:
            st.session_state["masuk.flash"] = tr("setup_first_created", username=plain(username.strip()))
            st.rerun()
    st.stop()

if flash := st.session_state.pop("masuk.flash", None):
    st.success(flash)
st.caption(tr("auth_public_note"))

with st.form("masuk.form"):
    username = st.text_input(tr("auth_username"), key="masuk.username")
    password = st.text_input(tr("auth_password"), type="password", key="masuk.password")
    submitted = st.form_submit_button(tr("auth_sign_in"))

if submitted:
    result = sign_in(username, password)
    if result.ok:
        st.rerun()
    else:
        st.error(tr(result.message_key))
        if result.wait_until is not None:
            st.warning(tr("safety_wait", wait=wait_text(result.wait_until)))
