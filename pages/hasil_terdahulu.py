"""Hasil terdahulu: import a past round from its published results (posyandu, desa, total, award, year, level)
as a final, totals-only contest, so history and "change since the last round" start from the first year the
product is used (`data.share.past_rounds`). Checked before anything is written; every problem with its file,
row, column and reason; all or nothing."""

from __future__ import annotations

import io

import polars as pl
import streamlit as st

from data.share import past_rounds
from data.store import reads
from present.fmt import fmt_int, fmt_number
from ui.auth import require_role
from ui.context import lang, tr
from ui.safe import plain
from ui.state import get_con
from ui.tables import dataframe, problems_table
from ui.uploads import file_upload

user = require_role(["panitia"])
L = lang()
con = get_con()
st.title(tr("share_past_title"))
st.caption(tr("share_past_help"))
example = pl.DataFrame({c.name: [str(c.example)] for c in past_rounds.COLUMNS})
buf = io.StringIO()
example.write_csv(buf)
st.download_button(tr("share_past_template"), buf.getvalue().encode("utf-8"), file_name="hasil-terdahulu.csv",
                   mime="text/csv", key="past_template", on_click="ignore")

comps = reads.list_competitions(con)
scopes = dict(zip(comps["scope_code"], comps["scope_name"].fill_null(""), strict=True))
c1, c2 = st.columns([2, 1])
scope = c1.selectbox(tr("share_past_scope"), list(scopes), format_func=lambda c: f"{scopes[c]} ({c})",
                     key="past_scope", help=tr("share_past_scope_help"))
category = c2.text_input(tr("share_past_category"), "umum", key="past_category").strip() or "umum"
got = file_upload(st, tr("share_past_file"), types=("csv", "xlsx"), max_mb=5, key="past_file")
if got is None or scope is None:
    st.stop()
data = got.getvalue()
plan = past_rounds.validate(con, data, got.name, scope, category)
if not plan.ok:
    st.error(tr("share_past_problems", n=fmt_int(len(plan.problems), L)))
    problems_table(plan.problems)
    st.stop()
results = plan.frames["results"]
st.success(tr("share_past_ready", n=fmt_int(results.height, L)))
dataframe(results.select(
    pl.col("rank_final").alias(tr("pages_rank")), pl.col("posyandu_name").alias(tr("pages_posyandu")),
    pl.col("desa_name").alias(tr("pages_desa")),
    pl.col("total").map_elements(lambda v: fmt_number(v, 2, L), return_dtype=pl.String).alias(tr("pages_total")),
    pl.col("award").fill_null("").alias(tr("pages_award"))).to_pandas(), hide_index=True, key="past_preview")
if st.button(tr("share_past_write"), type="primary", key="past_write"):
    cid = past_rounds.write(con, user, plan, L)
    st.success(tr("share_past_written", competition=plain(cid)))
