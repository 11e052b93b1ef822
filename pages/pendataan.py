"""Pendataan (panitia, pembina): record the cases a posyandu receives in the six SPM fields, follow each one from
recorded to resolved step by step, and see per field and region how many wait and for how long."""

from __future__ import annotations

import datetime as dt

import polars as pl
import streamlit as st

from data.pendataan import cases as pd_cases
from data.pendataan import summary
from data.pendataan.catalogue import CASE_TYPES
from data.pendataan.flow import NEXT, OPEN
from present.errors import UserError
from present.fmt import fmt_int
from present.pendataan_table import (
    case_rows,
    field_text,
    history_rows,
    region_rows,
    status_text,
    summary_rows,
    workbook,
)
from scoring.fields import SPM_FIELDS
from ui.auth import require_role, show_denied
from ui.context import lang, sidebar_context, tr
from ui.downloads import XLSX, file_download
from ui.safe import plain
from ui.state import get_con
from ui.tables import dataframe

sidebar_context(show_stage=False, show_region=False)
user = require_role(pd_cases.ROLES)
con = get_con()
L = lang()
today = dt.date.today()
st.title(tr("pendataan_title"))
st.caption(tr("pendataan_help"))

# Where: a pembina reads their own region; panitia picks a kabupaten/kota (or all).
kabupaten = pd_cases.kabupaten_choices(con, user)
names = dict(zip(kabupaten["code"], kabupaten["name"].fill_null(""), strict=True))
if user.role == "pembina":
    region: str | None = user.region_code
    st.caption(tr("pendataan_region_fixed", region=plain(f"{region} · {names.get(region[:5], '')}" if region else "")))
else:
    options = ["", *kabupaten["code"].to_list()]
    region = st.selectbox(tr("pendataan_region"), options, key="pendataan.region",
                          format_func=lambda c: f"{c} · {names.get(c, '')}" if c else tr("pendataan_region_all")) or None

listed = summary.with_days(pd_cases.cases(con, user, region), today)
tab_summary, tab_cases, tab_new = st.tabs([tr("pendataan_tab_summary"), tr("pendataan_tab_cases"),
                                           tr("pendataan_tab_new")])

with tab_summary:
    if listed.height == 0:
        st.info(tr("pendataan_none"))
    else:
        st.markdown(tr("pendataan_totals", cases=fmt_int(listed.height, L), open=fmt_int(int(listed["open"].sum()), L),
                       resolved=fmt_int(int((listed["status"] == "resolved").sum()), L)))
    fields = summary.field_summary(listed, today)
    st.subheader(tr("pendataan_summary_fields"))
    dataframe(summary_rows(fields, L), hide_index=True, width="stretch")
    hidden = pd_cases.sensitive_counts(con, user, region)
    if user.role != "panitia" and hidden.height:
        st.subheader(tr("pendataan_sensitive_title"))
        st.caption(tr("pendataan_sensitive_help"))
        st.markdown("\n".join(f"- {tr('pendataan_sensitive_n', field=field_text(r['spm_field'], L), status=status_text(r['status'], L), n=fmt_int(r['n'], L))}"
                              for r in hidden.iter_rows(named=True)))
    st.subheader(tr("pendataan_oldest"))
    dataframe(case_rows(summary.oldest_open(listed, today), L), hide_index=True, width="stretch",
              empty_key="pendataan_none")
    st.subheader(tr("pendataan_by_level"))
    level = st.segmented_control(tr("pendataan_level"), ["kecamatan", "desa", "posyandu"], default="kecamatan",
                                 format_func=lambda v: tr(f"pendataan_level_{v}"), key="pendataan.level") or "kecamatan"
    regions = summary.by_region(listed, today, level)
    dataframe(region_rows(regions, level, L), hide_index=True, width="stretch", empty_key="pendataan_none")
    file_download(st, tr("pendataan_download"), lambda: workbook({
        tr("pendataan_sheet_fields"): summary_rows(fields, L),
        tr("pendataan_sheet_cases"): case_rows(listed, L),
        tr("pendataan_sheet_regions"): region_rows(regions, level, L)}),
        file_name=f"pendataan-{region or 'semua'}-{today.isoformat()}.xlsx", key="pendataan.xlsx",
        mime=XLSX, icon=":material/download:")

with tab_cases:
    c1, c2 = st.columns(2)
    field = c1.selectbox(tr("pendataan_filter_field"), ["", *SPM_FIELDS], key="pendataan.f_field",
                         format_func=lambda f: field_text(f, L) if f else tr("pendataan_any"))
    status = c2.selectbox(tr("pendataan_filter_status"), ["", *NEXT], key="pendataan.f_status",
                          format_func=lambda s: status_text(s, L) if s else tr("pendataan_any"))
    shown = listed.filter((pl.lit(not field) | (pl.col("spm_field") == field))
                          & (pl.lit(not status) | (pl.col("status") == status)))
    dataframe(case_rows(shown, L), hide_index=True, width="stretch", empty_key="pendataan_none")
    if shown.height:
        labels = {r["record_id"]: f"{r['record_id']} · {r['posyandu_name']} · {r['case_type']} · {status_text(r['status'], L)}"
                  for r in shown.iter_rows(named=True)}
        rid = st.selectbox(tr("pendataan_pick_case"), list(labels), format_func=labels.get, key="pendataan.case")
        case = shown.filter(pl.col("record_id") == rid).row(0, named=True)
        st.subheader(tr("pendataan_history"))
        dataframe(history_rows(pd_cases.case_history(con, user, rid), L), hide_index=True, width="stretch")
        if case["status"] not in OPEN:
            st.info(tr("pendataan_finished", status=status_text(case["status"], L)))
        else:
            st.subheader(tr("pendataan_next"))
            with st.form(f"pendataan.step.{rid}", clear_on_submit=True):
                to = st.radio(tr("pendataan_step_to"), list(NEXT[case["status"]]), horizontal=True,
                              format_func=lambda s: status_text(s, L))
                on = st.date_input(tr("pendataan_step_on"), value=today, max_value=today, format="DD/MM/YYYY")
                opd = st.text_input(tr("pendataan_step_opd"))
                note = st.text_area(tr("pendataan_step_note"))
                if st.form_submit_button(tr("pendataan_step_save"), type="primary"):
                    try:
                        n = pd_cases.advance_case(con, user, rid, to, on, note=note, opd=opd)
                    except UserError as err:
                        show_denied(err)
                    else:
                        st.session_state["pendataan.flash"] = tr("pendataan_step_saved", n=n, status=status_text(to, L))
                        st.rerun()
    if flash := st.session_state.pop("pendataan.flash", None):
        st.success(flash)

with tab_new:
    choices = pd_cases.posyandu_choices(con, user, region)
    if choices.height == 0:
        st.info(tr("pendataan_new_no_posyandu"))
    else:
        label = {r["posyandu_id"]: f"{r['name']} · {r['desa_name'] or ''}" for r in choices.iter_rows(named=True)}
        pid = st.selectbox(tr("pendataan_new_posyandu"), list(label), format_func=label.get, key="pendataan.n_pos")
        new_field = st.selectbox(tr("pendataan_new_field"), list(SPM_FIELDS), key="pendataan.n_field",
                                 format_func=lambda f: field_text(f, L))
        other = tr("pendataan_new_other")
        kind = st.selectbox(tr("pendataan_new_type"), [*CASE_TYPES[new_field], other], key="pendataan.n_type")
        with st.form("pendataan.new", clear_on_submit=True):
            typed = st.text_input(tr("pendataan_new_type_other")) if kind == other else kind
            on = st.date_input(tr("pendataan_new_on"), value=today, max_value=today, format="DD/MM/YYYY")
            person = st.text_input(tr("pendataan_new_desa"))
            text = st.text_area(tr("pendataan_new_description"))
            if st.form_submit_button(tr("pendataan_new_save"), type="primary"):
                try:
                    rid = pd_cases.record_case(con, user, posyandu_id=pid, spm_field=new_field, case_type=typed or "",
                                               recorded_on=on, person_desa_code=person, description=text)
                except UserError as err:
                    show_denied(err)
                else:
                    st.session_state["pendataan.flash_new"] = tr("pendataan_new_saved", id=rid)
                    st.rerun()          # the new case is in the lists at once
    if flash := st.session_state.pop("pendataan.flash_new", None):
        st.success(flash)
