"""Akun: the panitia creates juri, pembina and panitia accounts, resets passwords, deactivates accounts and
imports judges (with their OPD) from Excel, each getting a juri account with a temporary password."""

from __future__ import annotations

import polars as pl
import streamlit as st

from data.exchange.imports import validate_file, write_plan
from data.judging import accounts
from data.judging.accounts import NewAccount
from data.judging.auth import ACCOUNT_ROLES
from present.errors import UserError
from present.fmt import fmt_date
from present.i18n import t
from scoring.fields import SPM_FIELDS
from ui.auth import require_role, show_denied
from ui.context import sidebar_context, tr
from ui.region_picker import region_cascade
from ui.safe import plain
from ui.state import get_con
from ui.tables import dataframe, problems_table
from ui.uploads import file_upload

L = sidebar_context(show_stage=False, show_region=False).lang
user = require_role(["panitia"])
con = get_con()
NEW = "__new__"


def say(key: str, **params: object) -> str:
    """`tr` with this run's language: format functions are also called outside the run (AppTest)."""
    return t(key, L, **params)


def _problems(keys: list[str]) -> None:
    st.error("\n".join(f"- {text}" for text in accounts.problem_texts(keys, L)))


st.title(tr("setup_akun_title"))
st.caption(tr("setup_akun_intro"))
if flash := st.session_state.pop("akun.flash", None):
    st.success(flash)
if secret := st.session_state.pop("akun.secret", None):    # shown once, on the run right after it was made
    st.warning(tr("setup_akun_temp_password", username=plain(secret[0]), password=secret[1]), icon=":material/key:")
tabs = st.tabs([tr("setup_akun_tab_list"), tr("setup_akun_tab_create"), tr("setup_akun_tab_import")],
               key="akun.tab")   # keyed: the chosen tab stays open after creating an account

with tabs[0]:
    frame = accounts.accounts_frame(con)
    state = pl.when(~pl.col("active")).then(pl.lit(say("setup_akun_state_inactive"))).when(
        pl.col("must_change_password")).then(pl.lit(say("setup_akun_state_must_change"))).otherwise(
        pl.lit(say("setup_akun_state_active")))
    dataframe(frame.select(
        pl.col("username").alias(say("setup_akun_col_username")),
        pl.col("role").replace_strict({r: say(f"auth_role_{r}") for r in ACCOUNT_ROLES}, default=pl.col("role"))
        .alias(say("setup_akun_col_role")),
        pl.coalesce("judge_name", "display_name").alias(say("setup_akun_col_name")),
        pl.col("institution").alias(say("setup_akun_col_opd")), pl.col("region_code").alias(say("setup_akun_col_region")),
        state.alias(say("setup_akun_col_state")),
        pl.col("last_sign_in").map_elements(lambda d: f"{fmt_date(d, L)} {d:%H.%M}", return_dtype=pl.String)
        .alias(say("setup_akun_col_last"))), hide_index=True)
    names = dict(zip(frame["username"], frame["role"], strict=True))
    active = dict(zip(frame["username"], frame["active"], strict=True))
    pick = st.selectbox(tr("setup_akun_pick"), list(names), index=None, key="akun.pick",
                        placeholder=say("judging_choose"),
                        format_func=lambda u: f"{u} ({say('auth_role_' + names[u])})")
    if pick:
        c1, c2 = st.columns(2, wrap=True)
        if c1.button(tr("setup_akun_reset"), key="akun.reset", icon=":material/lock_reset:"):
            st.session_state["akun.secret"] = (pick, accounts.reset_password(con, user, pick))
            st.rerun()
        reason = c2.text_input(tr("setup_akun_reason"), key="akun.reason")
        label = "setup_akun_deactivate" if active[pick] else "setup_akun_activate"
        if c2.button(tr(label), key="akun.toggle"):
            if problems := accounts.set_active(con, user, pick, not active[pick], reason or None):
                _problems(problems)
            else:
                done = "setup_akun_deactivated" if active[pick] else "setup_akun_activated"
                st.session_state["akun.flash"] = tr(done, username=pick)
                st.rerun()

with tabs[1]:
    role = st.selectbox(tr("setup_akun_role"), ACCOUNT_ROLES, format_func=lambda r: say(f"auth_role_{r}"),
                        key="akun.role")
    judge, level = None, None
    if role == "juri":
        free = accounts.judges_without_account(con)
        judges = dict(zip(free["judge_id"], free["name"], strict=True))
        judge = st.selectbox(tr("setup_akun_judge"), [NEW, *judges], key="akun.judge",
                             format_func=lambda j: say("setup_akun_judge_new") if j == NEW else judges[j])
    region = None
    if role == "pembina":
        level = st.selectbox(tr("setup_akun_region_level"), [2, 1, 3], key="akun.rlevel",
                             format_func=lambda lv: say(("", "level_provinsi", "level_kabupaten",
                                                         "level_kecamatan")[lv]))
        # A cascade (a few dozen choices per box, each filtered as one types), outside the form: a box reruns
        # the page on each choice, which a form would hold back.
        region = region_cascade(level, f"akun.region{level}", tr("setup_akun_region"))
    # A form that empties itself once the account is made, ready for the next one.
    with st.form("akun.new", clear_on_submit=True):
        username = st.text_input(tr("setup_akun_col_username"), help=tr("setup_akun_username_help"),
                                 key="akun.username")
        if role == "juri" and judge != NEW:
            new = NewAccount(username, role, judges[judge], judge_id=judge)
        elif role == "juri":
            name = st.text_input(tr("setup_akun_col_name"), key="akun.name")
            c1, c2 = st.columns(2, wrap=True)
            opd = c1.text_input(tr("setup_akun_opd"), key="akun.opd")
            field = c2.selectbox(tr("setup_akun_field"), SPM_FIELDS, index=None, key="akun.field",
                                 placeholder=say("setup_akun_field_none"), format_func=lambda f: say(f"field_{f}"))
            phone = c1.text_input(tr("setup_akun_phone"), key="akun.phone")
            home = c2.text_input(tr("setup_akun_home_desa"), key="akun.home")
            new = NewAccount(username, role, name, institution=opd or None, spm_field=field, phone=phone or None,
                             home_desa_code=home or None)
        else:
            name = st.text_input(tr("setup_akun_col_name"), key="akun.name")
            new = NewAccount(username, role, name, region_code=region)
        create = st.form_submit_button(tr("setup_akun_create"), type="primary")
    if create:
        password, problems = accounts.create_account(con, user, new)
        if problems:
            _problems(problems)
        else:
            st.session_state["akun.flash"] = tr("setup_akun_created", username=new.username.strip(),
                                                role=tr(f"auth_role_{role}"))
            st.session_state["akun.secret"] = (new.username.strip(), password)
            st.rerun()

with tabs[2]:
    st.caption(tr("setup_akun_import_help"))
    upload = file_upload(st, tr("setup_akun_import_file"), types=["xlsx", "csv"], max_mb=25, key="akun.import")
    made = st.session_state.get("akun.made")
    if upload is not None:
        plan = validate_file(con, "judges", upload.getvalue(), upload.name)
        if not plan.ok:
            problems_table(plan.problems)
        else:
            judge_ids = plan.frames["judges"]["judge_id"].to_list()
            if plan.warnings:
                st.warning("\n".join(f"- {plain(w.where())}: {w.text(L, escape=plain)}" for w in plan.warnings))
            dataframe(plan.preview().with_columns(
                pl.col("judge_id").replace_strict(plan.usernames, default=None, return_dtype=pl.String)
                .alias("nama_pengguna")), hide_index=True)
            if st.button(tr("setup_akun_import_go", n=len(judge_ids)), type="primary", key="akun.import_go"):
                try:
                    # Every username is checked before anything is written: the file goes in whole or not at all.
                    accounts.check_judge_usernames(con, judge_ids, plan.usernames)
                    result = write_plan(con, plan, actor=user.username)
                    if not result.written:
                        st.info(tr("setup_akun_import_already"))
                    made = accounts.create_judge_accounts(con, user, judge_ids, plan.usernames)
                except UserError as err:
                    show_denied(err)
                else:
                    st.session_state["akun.made"] = made
                    st.success(tr("setup_akun_import_done", n=len(judge_ids), accounts=made.height))
    if made is not None and made.height:
        shown = made.rename({"username": say("setup_akun_col_username"), "name": say("setup_akun_col_name"),
                             "institution": say("setup_akun_col_opd"), "password": say("setup_akun_col_password")})
        st.table(shown.to_pandas())
        st.download_button(tr("setup_akun_import_download"), accounts.credentials_xlsx(shown),
                           file_name="akun-juri.xlsx", key="akun.import_download", icon=":material/download:",
                           on_click=lambda: st.session_state.pop("akun.made", None))
