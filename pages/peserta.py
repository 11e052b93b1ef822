"""Peserta: the panitia enters posyandu in the sidebar's competition by hand — one already in the registry, or a
new one (name, desa picked in a cascade inside the competition's region, a contact) registered and entered at
once — and takes out one entered by mistake, with a reason. The import on Data does the same for a whole list."""

from __future__ import annotations

import polars as pl
import streamlit as st

from data.setup import entrants as hand
from data.store import reads
from present.errors import UserError
from present.fmt import fmt_int
from present.i18n import t
from ui.auth import require_role, show_denied
from ui.context import sidebar_context, tr
from ui.region_picker import region_cascade
from ui.safe import plain
from ui.state import get_con
from ui.tables import dataframe

ctx = sidebar_context(show_stage=False, show_region=False)
L = ctx.lang
user = require_role(["panitia"])
con = get_con()
st.title(tr("contest_peserta_title"))
st.caption(tr("contest_peserta_intro"))
if ctx.competition_id is None:
    st.stop()
cid = ctx.competition_id
scope = ctx.scope_code or ""


def _flash(where: str) -> None:
    """The outcome of the last action, shown where it was taken (not at the top of a long page)."""
    done = st.session_state.get("ps.flash")
    if done and done[0] == where:
        st.session_state.pop("ps.flash")
        st.success(done[1])


def _after(where: str, text: str) -> None:
    st.session_state["ps.flash"] = (where, text)
    st.rerun()


entered = reads.entrants_frame(con, cid)
st.subheader(tr("contest_peserta_list", n=fmt_int(entered.height, L)))
_flash("list")
if entered.height == 0:
    st.info(tr("pages_no_entrants"))
else:
    dataframe(entered.sort("posyandu_name").select(
        pl.col("posyandu_name").alias(tr("judging_col_posyandu")), pl.col("desa_name").alias(tr("judging_col_desa")),
        pl.col("kecamatan_name").alias(tr("judging_col_kecamatan")),
        pl.col("posyandu_id").alias(tr("contest_peserta_col_id"))), hide_index=True, key="ps.list")

st.subheader(tr("contest_peserta_registered"))
_flash("registered")
free = hand.candidates(con, cid)
if free.height == 0:
    st.caption(tr("contest_peserta_registered_none"))
else:
    label = {r["posyandu_id"]: f"{r['name']} · {r['desa_name'] or r['posyandu_id']}, {r['kecamatan_name'] or ''}"
             .rstrip(", ") for r in free.iter_rows(named=True)}
    c1, c2 = st.columns([3, 1], vertical_alignment="bottom", wrap=True)
    pick = c1.selectbox(tr("contest_peserta_pick"), list(label), index=None, format_func=label.get,
                        placeholder=t("contest_peserta_pick_help", L, n=fmt_int(free.height, L)), key="ps.pick")
    if c2.button(tr("contest_peserta_enter"), key="ps.enter", disabled=pick is None, icon=":material/person_add:"):
        try:
            hand.add_entrant(con, user, cid, pick)
        except UserError as err:
            show_denied(err)
        else:
            _after("registered", tr("contest_peserta_entered", name=plain(label[pick].split(" · ")[0])))

st.subheader(tr("contest_peserta_new"))
st.caption(tr("contest_peserta_new_help"))
_flash("new")
# The desa in a cascade from below the competition's region (a kabupaten contest asks kecamatan, then desa).
desa = region_cascade(4, "ps.desa", tr("level_desa"), within=scope)
with st.form("ps.new", clear_on_submit=True):
    name = st.text_input(tr("contest_peserta_name"), placeholder="Posyandu Melati", key="ps.name")
    c1, c2 = st.columns(2, wrap=True)
    contact = c1.text_input(tr("contest_peserta_contact"), key="ps.contact")
    phone = c2.text_input(tr("contest_peserta_phone"), placeholder="0812…", key="ps.phone")
    go = st.form_submit_button(tr("contest_peserta_new_go"), type="primary", icon=":material/add_home:")
if go:
    try:
        pid, _ = hand.register_and_enter(con, user, cid, name, desa, contact_name=contact, contact_phone=phone)
    except UserError as err:
        show_denied(err)
    else:
        _after("new", tr("contest_peserta_new_done", name=plain(" ".join(name.split())), id=pid))

st.subheader(tr("contest_peserta_remove"))
_flash("remove")
if entered.height:
    names = dict(zip(entered["entrant_id"], entered["posyandu_name"], strict=True))
    with st.form("ps.remove"):
        gone = st.selectbox(tr("judging_entrant"), list(names), index=None, format_func=names.get,
                            placeholder=t("judging_choose", L))
        why = st.text_input(tr("judging_reason"))
        out = st.form_submit_button(tr("contest_peserta_remove_go"), icon=":material/person_remove:")
    if out and gone:
        try:
            removed = hand.remove_entrant(con, user, cid, gone, why)
        except UserError as err:
            show_denied(err)
        else:
            _after("remove", tr("contest_peserta_removed", name=plain(removed)))
