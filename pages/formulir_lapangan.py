"""Formulir lapangan: offline field scoring with KoboCollect / ODK Collect.

Panitia (or a juri, for their own assignments) downloads an XLSForm generated from the competition's instrument:
every criterion required, a photo question where the instrument names evidence, each judge offered only their
own entrants, and the entrant list as an attached CSV for KoboToolbox / ODK Central (or inside the form for a
server without attachments). The export comes back here (CSV, XLSX or ODK Central's ZIP, with the server's media
ZIP for the photos): every row is checked against the instrument and the assignments, refused rows are listed with
row, column and reason, accepted rows are written as audited scores with their photos as evidence in one
transaction. Importing the same export twice changes nothing.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from data.exchange import kobo_import, xlsform
from data.instruments.persistence import read_instrument
from data.store import reads
from present.fmt import fmt_int
from ui.auth import require_role
from ui.context import lang, sidebar_context, tr
from ui.downloads import XLSX
from ui.safe import plain
from ui.state import get_con
from ui.tables import dataframe, problems_table
from ui.uploads import file_upload

RESULT_KEY = "ff.result"
ctx = sidebar_context(show_stage=False, show_region=False, purpose="judging")   # a juri: their assigned contests
user = require_role(["panitia", "juri"])
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
assigned = reads.assignments_frame(con, ctx.competition_id)
if user.role == "juri":      # a judge's own form: only their assignments, only themselves as judge
    assigned = assigned.filter(pl.col("judge_id") == user.judge_id)
    entrants = entrants.filter(pl.col("entrant_id").is_in(assigned["entrant_id"].implode()))
    judges = judges.filter(pl.col("judge_id") == user.judge_id)
    st.info(tr("kobo_juri_own"), icon=":material/person:")

st.subheader(tr("fieldform_step_download"))
attach = st.radio(tr("kobo_list_mode"), ["attached", "inline"], key="ff.mode", horizontal=True,
                  format_func=lambda m: tr(f"kobo_list_{m}")) == "attached"
entrant_list = list(zip(entrants["entrant_id"],
                        entrants["posyandu_name"] + " · " + entrants["desa_name"].fill_null(""), strict=True))
# each judge picks from their own entrants (a choice filter), not from one list of every entrant
pairs = list(assigned.select("judge_id", "entrant_id").unique(maintain_order=True).iter_rows())
options = {"entrants": entrant_list, "judges": list(zip(judges["judge_id"], judges["name"], strict=True)),
           "stages": stages, "competition_id": ctx.competition_id, "assignments": pairs, "attach_entrants": attach}
settings = xlsform.xlsform_sheets(instrument, **options)["settings"][0]
form = xlsform.build_xlsform(instrument, **options)
cols = st.columns(2 if attach else 1)
cols[0].download_button(tr("fieldform_download"), form, file_name=f"xlsform-{settings['form_id']}.xlsx", mime=XLSX,
                        key="ff.download", icon=":material/download:")
if attach:
    cols[1].download_button(tr("kobo_download_list", name=xlsform.ENTRANTS_FILE),
                            xlsform.entrants_csv(entrant_list, pairs), file_name=xlsform.ENTRANTS_FILE,
                            mime="text/csv", key="ff.download_list", icon=":material/table:")
    st.caption(tr("kobo_attach_how", name=xlsform.ENTRANTS_FILE))
photos = sum(1 for c in instrument.criteria if c.evidence)
st.caption(tr("fieldform_counts", criteria=fmt_int(len(instrument.criteria), L), entrants=fmt_int(entrants.height, L),
              judges=fmt_int(judges.height, L)))
st.caption(tr("kobo_form_facts", form_id=settings["form_id"], version=settings["version"],
              photos=fmt_int(photos, L), pixels=fmt_int(xlsform.MAX_PIXELS, L)))

st.subheader(tr("fieldform_step_upload"))
upload = file_upload(st, tr("fieldform_upload"), types=["csv", "xlsx", "zip"], max_mb=50, key="ff.upload")
media = file_upload(st, tr("kobo_media_upload"), types=["zip"], max_mb=500, key="ff.media",
                    help=tr("kobo_media_help"))
if upload is not None and st.button(tr("fieldform_import"), type="primary", key="ff.import"):
    report = kobo_import.import_export(con, user, ctx.competition_id, instrument, upload.getvalue(), upload.name,
                                       media.getvalue() if media is not None else None)
    names = dict(zip(entrants["entrant_id"], entrants["posyandu_name"], strict=True))
    judge_names = dict(zip(judges["judge_id"], judges["name"], strict=True))
    st.session_state[RESULT_KEY] = {
        "competition": ctx.competition_id, "file": upload.name, "accepted": len(report.accepted),
        "scores": report.scores_written, "photos": report.photos_stored, "already": len(report.already_imported),
        "problems": report.problems,
        "rows": [{tr("kobo_col_row"): s.row, tr("kobo_col_entrant"): names.get(s.entrant_id, s.entrant_id),
                  tr("kobo_col_stage"): s.stage.capitalize(), tr("kobo_col_judge"): judge_names.get(s.judge_id, s.judge_id),
                  tr("kobo_col_answers"): len(s.answers), tr("kobo_col_photos"): len(s.photos)}
                 for s in report.accepted]}

result = st.session_state.get(RESULT_KEY)
if result and result["competition"] == ctx.competition_id:     # kept across reruns (a download click reruns)
    st.markdown(tr("kobo_result_of", name=plain(result["file"])))
    metrics = st.columns(4)
    metrics[0].metric(tr("fieldform_accepted"), fmt_int(result["accepted"], L))
    metrics[1].metric(tr("fieldform_scores_written"), fmt_int(result["scores"], L))
    metrics[2].metric(tr("kobo_photos_stored"), fmt_int(result["photos"], L))
    metrics[3].metric(tr("fieldform_already"), fmt_int(result["already"], L))
    if result["rows"]:
        st.markdown(f"**{tr('kobo_imported_rows')}**")
        dataframe(pl.DataFrame(result["rows"]), hide_index=True, width="stretch", key="ff.accepted")
    if result["problems"]:
        st.error(tr("fieldform_rejected", n=fmt_int(len({p.row for p in result["problems"]}), L)))
        problems_table(result["problems"])
    elif result["accepted"]:
        st.success(tr("fieldform_done"))
    elif result["already"]:
        st.info(tr("kobo_nothing_new"))
