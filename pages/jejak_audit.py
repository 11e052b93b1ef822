"""Jejak Audit (panitia): every change of a stored value — old, new, who, when, which path, why — filtered by
contest, entrant, judge, criterion and dates, and exported to Excel as filtered."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from data.judging.audit import audit_trail
from data.store import reads
from present.audit_table import audit_rows, audit_workbook
from present.fmt import fmt_int
from ui.auth import require_role
from ui.context import lang, sidebar_context, tr
from ui.downloads import XLSX, file_download
from ui.state import get_con
from ui.tables import dataframe

LIMIT = 5000
ctx = sidebar_context(show_stage=False, show_region=False)
user = require_role(["panitia"])
con = get_con()
L = lang()
st.title(tr("integrity_audit_title"))
st.caption(tr("integrity_audit_help"))

ANY = ""
comps = reads.list_competitions(con)
comp_names = dict(zip(comps["competition_id"], comps["name"], strict=True))
c = st.columns(3, wrap=True)
cid = c[0].selectbox(tr("integrity_filter_competition"), [ANY, *comp_names], key="au.competition",
                     index=1 + list(comp_names).index(ctx.competition_id) if ctx.competition_id in comp_names else 0,
                     format_func=lambda v: comp_names.get(v, tr("integrity_filter_all_competitions")))
entrant = judge = criterion = ANY
if cid:
    entrants = reads.entrants_frame(con, cid).sort("posyandu_name")
    e_names = dict(zip(entrants["entrant_id"], entrants["posyandu_name"], strict=True))
    entrant = c[1].selectbox(tr("integrity_filter_entrant"), [ANY, *e_names], key="au.entrant",
                             format_func=lambda v: e_names.get(v, tr("integrity_filter_any")))
    judges = reads.judges_frame(con, cid)
    j_names = dict(zip(judges["judge_id"], judges["name"], strict=True))
    judge = c[2].selectbox(tr("integrity_filter_judge"), [ANY, *j_names], key="au.judge",
                           format_func=lambda v: j_names.get(v, tr("integrity_filter_any")))
c = st.columns(2, wrap=True)
criterion = c[0].text_input(tr("integrity_filter_criterion"), key="au.criterion").strip() or ANY
today = dt.date.today()
dates = c[1].date_input(tr("integrity_filter_dates"), value=(), max_value=today, key="au.dates", format="DD/MM/YYYY")
since = dates[0] if len(dates) >= 1 else None
until = dates[1] if len(dates) == 2 else since

trail = audit_trail(con, user, competition_id=cid or None, entrant_id=entrant or None, judge_id=judge or None,
                    criterion_id=criterion or None, since=since, until=until, limit=LIMIT)
if trail.height == 0:
    st.info(tr("integrity_audit_empty"))
    st.stop()
st.caption(tr("integrity_n_rows_limited", n=fmt_int(LIMIT, L)) if trail.height >= LIMIT
           else tr("integrity_n_rows", n=fmt_int(trail.height, L)))
dataframe(audit_rows(trail, L), hide_index=True, width="stretch")
file_download(st, tr("integrity_audit_download"), lambda: audit_workbook(trail, L), key="au.xlsx",
              file_name=f"jejak_audit_{cid or 'semua'}.xlsx", icon=":material/download:",
              mime=XLSX)
