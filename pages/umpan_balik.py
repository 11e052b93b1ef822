"""Umpan balik: the feedback per criterion an entrant receives after the results are final.

Opened with the link the panitia released (?entrant=…&t=…, no account): the entrant's own criterion scores per
judge ("Juri 1, 2, …", never names) with the judges' notes, and the same as a PDF. A revoked link, a wrong token
or another entrant's token shows one refusal. The panitia releases and revokes the links here
(`data.share.feedback`)."""

from __future__ import annotations

import polars as pl
import streamlit as st

from data.exchange.exports.feedback_pdf import choice_text, entrant_header, feedback_pdf
from data.share import feedback
from present.errors import UserError
from present.fmt import fmt_number
from ui.auth import current_user
from ui.context import restore_from_url, sidebar_context, tr
from ui.downloads import store_download
from ui.language import lang
from ui.safe import plain
from ui.share_views import release_feedback
from ui.state import get_con
from ui.tables import dataframe

restore_from_url()
con = get_con()
entrant, token = st.query_params.get("entrant"), st.query_params.get("t")
if token:
    L = lang()
    try:
        cid = feedback.open_link(con, entrant or "", token)
    except UserError as err:
        st.title(tr("share_fb_title"))
        st.error(err.text(L, escape=plain))
        st.stop()
    head = entrant_header(con, cid, entrant)
    st.title(f"{tr('share_fb_title')} · {tr('pages_posyandu_prefix')} {plain(head.get('posyandu_name') or '')}")
    st.caption(" · ".join(plain(x) for x in (head.get("desa_name"), head.get("kecamatan_name")) if x))
    if head.get("total") is not None:
        st.markdown(tr("share_fb_result", total=fmt_number(head["total"], 2, L), rank=head.get("rank_final") or "–",
                       award=plain(head.get("award") or "–")))
    st.caption(tr("share_fb_intro"))
    rows = feedback.feedback_rows(con, entrant)
    if rows.height == 0:
        st.info(tr("share_fb_empty"))
    for (stage, section), part in rows.group_by(["stage", "section_id"], maintain_order=True):
        st.subheader(f"{tr(f'stage_{stage}')} · {tr(f'field_{section}')}")
        # the code, judge and points first: on a phone they are what fits without scrolling sideways
        dataframe(pl.DataFrame({
            tr("share_fb_col_code"): part["criterion_id"].to_list(),
            tr("pages_judge"): part["judge"].to_list(),
            tr("pages_points"): [fmt_number(v, 0, L) for v in part["points"]],
            tr("pages_choice"): [choice_text(r, L) for r in part.iter_rows(named=True)],
            tr("pages_note"): part["note"].fill_null("").to_list(),
            tr("pages_criterion"): part["criterion_text"].fill_null("").to_list(),
        }).to_pandas(), hide_index=True, key=f"feedback_{stage}_{section}")
    store_download(st, tr("share_fb_download"), lambda cur: feedback_pdf(cur, cid, entrant, L),
                   file_name=f"umpan-balik-{cid}-{entrant}.pdf", mime="application/pdf", key="feedback_pdf",
                   icon=":material/picture_as_pdf:")
    st.stop()

user = current_user()
if user.role != "panitia":
    st.title(tr("share_fb_title"))
    st.info(tr("share_fb_open_link"))
    st.stop()
ctx = sidebar_context(show_stage=False, show_region=False)
st.title(tr("share_fb_manage"))
if ctx.competition_id is not None:
    release_feedback(con, user, ctx.competition_id, ctx.lang)
