"""Instrumen: the panitia uploads a scoring instrument (YAML or the Excel sheet), sees every error and warning
with its place before anything is saved, and saves it as a new version; the Excel template is downloadable."""

from __future__ import annotations

import polars as pl
import streamlit as st

from data.instruments.sheet import instrument_template
from data.instruments.upload import check_upload, instruments_in_use, save_upload
from present.errors import UserError
from present.fmt import fmt_int
from present.i18n import t
from ui.auth import require_role, show_denied
from ui.context import sidebar_context, tr
from ui.downloads import XLSX
from ui.safe import plain
from ui.state import get_con
from ui.tables import dataframe
from ui.uploads import file_upload

L = sidebar_context(show_stage=False, show_region=False).lang
user = require_role(["panitia"])
con = get_con()
st.title(tr("setup_instrumen_title"))
st.caption(tr("setup_instrumen_intro"))
if flash := st.session_state.pop("instrumen.flash", None):
    st.success(flash)

st.subheader(tr("setup_instrumen_stored"))
stored = instruments_in_use(con)
dataframe(stored.select(
    pl.col("instrument_id").alias(tr("setup_col_instrument")), pl.col("title").alias(tr("setup_col_title")),
    pl.col("criteria").alias(tr("setup_col_criteria")),
    pl.col("competitions").list.join(", ").alias(tr("setup_col_used_by")),
    pl.col("scored").fill_null(False).alias(tr("setup_col_scored")),
    pl.col("uploaded_by").alias(tr("setup_col_uploaded"))), hide_index=True)
st.download_button(tr("setup_instrumen_template"), instrument_template(L), file_name="templat-instrumen.xlsx",
                   mime=XLSX,
                   icon=":material/download:", key="instrumen.template")

upload = file_upload(st, tr("setup_instrumen_upload"), types=["xlsx", "yaml", "yml"], max_mb=10, key="instrumen.file")
if upload is not None:
    data = upload.getvalue()
    check = check_upload(con, data, upload.name)
    st.markdown(tr("setup_instrumen_summary", file=plain(upload.name), errors=fmt_int(len(check.errors), L),
                   warnings=fmt_int(len(check.warnings), L)))
    if check.findings:
        frame = check.findings_frame(L).rename({
            "severity": t("setup_col_severity", L), "where": t("setup_col_where", L),
            "criterion": t("setup_col_criterion", L), "message": t("setup_col_message", L)})
        st.table(frame.to_pandas().set_index(t("setup_col_severity", L)))
    if check.errors:
        st.error(tr("setup_instrumen_blocked"))
    elif check.same_as:
        st.info(tr("setup_instrumen_same", id=check.same_as))
    elif check.instrument is not None and check.target_id:
        if check.version_moved_from is not None:
            st.warning(tr("setup_instrumen_version_moved", old=check.version_moved_from, id=check.target_id))
        st.success(tr("setup_instrumen_ok", id=check.target_id, criteria=len(check.instrument.criteria)))
        if st.button(tr("setup_instrumen_save", id=check.target_id), type="primary", key="instrumen.save"):
            try:
                saved = save_upload(con, user, check)
            except UserError as err:
                show_denied(err)
            else:
                st.session_state["instrumen.flash"] = tr("setup_instrumen_saved", id=saved)
                st.rerun()
