"""Formulir lapangan: offline field scoring with KoboCollect / ODK Collect.

Panitia downloads an XLSForm generated from the competition's instrument (entrants and judges as choice lists),
judges fill it in the field without signal, and the export (CSV or XLSX) comes back here: every row is checked
against the instrument and the assignments, rejected rows are listed with row, column and reason, and accepted
rows are written as audited scores in one transaction. Importing the same export twice changes nothing.
"""

from __future__ import annotations

import streamlit as st

from data.exchange import kobo_import, xlsform
from data.instruments.persistence import read_instrument
from data.store import reads
from present.fmt import fmt_int
from ui.auth import require_role
from ui.context import lang, sidebar_context, tr
from ui.downloads import XLSX
from ui.state import get_con
from ui.tables import problems_table
from ui.uploads import file_upload

ctx = sidebar_context(show_stage=False, show_region=False)
user = require_role(["panitia"])
con = get_con()
L = lang()
st.title(tr("fieldform_title"))
st.caption(tr("fieldform_intro"))
if ctx.competition_id is None:
    st.stop()

instrument = read_instrument(con, ctx.instrument_id)
entrants = reads.entrants_frame(con, ctx.competition_id)
judges = reads.judges_frame(con, ctx.competition_id)
stages = reads.stages_frame(con, ctx.competition_id)["stage"].to_list()

st.subheader(tr("fieldform_step_download"))
form = xlsform.build_xlsform(
    instrument,
    entrants=list(zip(entrants["entrant_id"], entrants["posyandu_name"] + " · " + entrants["desa_name"].fill_null(""),
                      strict=True)),
    judges=list(zip(judges["judge_id"], judges["name"], strict=True)),
    stages=stages,
    competition_id=ctx.competition_id,
    # each judge picks from their own entrants (a choice filter), not from one list of every entrant
    assignments=list(reads.assignments_frame(con, ctx.competition_id).select("judge_id", "entrant_id")
                     .unique(maintain_order=True).iter_rows()),
)
st.download_button(tr("fieldform_download"), form, file_name=f"xlsform-{ctx.competition_id}.xlsx", mime=XLSX,
                   key="ff.download")
st.caption(tr("fieldform_counts", criteria=fmt_int(len(instrument.criteria), L), entrants=fmt_int(entrants.height, L),
              judges=fmt_int(judges.height, L)))

st.subheader(tr("fieldform_step_upload"))
upload = file_upload(st, tr("fieldform_upload"), types=["csv", "xlsx"], max_mb=50, key="ff.upload")
if upload is not None and st.button(tr("fieldform_import"), type="primary", key="ff.import"):
    report = kobo_import.import_export(con, user, ctx.competition_id, instrument, upload.getvalue(), upload.name)
    cols = st.columns(3)
    cols[0].metric(tr("fieldform_accepted"), fmt_int(len(report.accepted), L))
    cols[1].metric(tr("fieldform_scores_written"), fmt_int(report.scores_written, L))
    cols[2].metric(tr("fieldform_already"), fmt_int(len(report.already_imported), L))
    if report.problems:
        st.error(tr("fieldform_rejected", n=fmt_int(len(report.problems), L)))
        problems_table(report.problems)
    elif report.accepted:
        st.success(tr("fieldform_done"))
