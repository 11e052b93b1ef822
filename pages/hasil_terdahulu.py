"""Hasil terdahulu: import a past round from its published results (posyandu, desa, total, award, year, level)
as a final, totals-only contest, so history and "change since the last round" start from the first year the
product is used (`data.share.past_rounds`). Checked before anything is written; every problem with its file,
row, column and reason; all or nothing."""

from __future__ import annotations

import io

import polars as pl
import streamlit as st

from data.exchange.templates import sheet_template
from data.setup.competitions import CATEGORY_SUGGESTIONS, SCOPE_REGION_LEVEL
from data.share import past_rounds
from present.fmt import fmt_int, fmt_number
from scoring.fields import LEVELS
from ui.auth import require_role
from ui.context import lang, tr
from ui.downloads import XLSX, file_download
from ui.region_picker import region_cascade
from ui.safe import plain
from ui.state import get_con
from ui.tables import dataframe, problems_table
from ui.uploads import file_upload

user = require_role(["panitia"])
L = lang()
con = get_con()
st.title(tr("share_past_title"))
st.caption(tr("share_past_help"))
d1, d2 = st.columns(2)
file_download(d1, tr("share_past_template"), lambda: sheet_template(past_rounds.SHEET, past_rounds.COLUMNS, L),
              file_name="hasil-terdahulu.xlsx", mime=XLSX, key="past_template", icon=":material/table:")
example = pl.DataFrame({c.name: [str(c.example)] for c in past_rounds.COLUMNS})
buf = io.StringIO()
example.write_csv(buf)
d2.download_button(tr("share_past_template_csv"), buf.getvalue().encode("utf-8"), file_name="hasil-terdahulu.csv",
                   mime="text/csv", key="past_template_csv", on_click="ignore")

c1, c2 = st.columns(2)
level = c1.selectbox(tr("share_past_level"), [lv for lv in LEVELS if SCOPE_REGION_LEVEL[lv] > 0], index=2,
                     format_func=lambda lv: tr(f"level_{lv}"), key="past_level")
category = c2.selectbox(tr("share_past_category"), list(CATEGORY_SUGGESTIONS), accept_new_options=True,
                        key="past_category") or "umum"
# Any Kemendagri region, picked in a cascade down to the contest's level (ui.region_picker): an earlier round
# may cover a region that holds no contest in the product yet.
scope = region_cascade(SCOPE_REGION_LEVEL[level], f"past_scope{level}", tr("share_past_scope"))
st.caption(tr("share_past_scope_help"))
got = file_upload(st, tr("share_past_file"), types=("csv", "xlsx"), max_mb=5, key="past_file")
if got is None or scope is None:
    st.stop()
data = got.getvalue()
plan = past_rounds.validate(con, data, got.name, scope, str(category).strip() or "umum", level)
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
