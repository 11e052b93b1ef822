"""Kualitas juri: how strict or lenient each judge is (with a 90 % interval), how much judges agree
(Krippendorff's ordinal α, ICC), which single choices stand out, and the ranking before and after removing
each judge's severity."""

from __future__ import annotations

import polars as pl
import streamlit as st

from data import access, store
from present import charts
from present.fmt import fmt_number
from present.tables import judge_quality_frames
from ui import cached
from ui.auth import current_user
from ui.context import sidebar_context, tr
from ui.results import load_inputs, load_results
from ui.state import result_version
from ui.tables import dataframe


@st.cache_data(max_entries=16, show_spinner=False)
def _quality(path: str, competition_id: str, stage: str | None, version: tuple[int, int]) -> dict[str, pl.DataFrame]:
    """Severity, agreement, outliers and adjusted ranks: ~2 s of model fitting, so computed once per competition version."""
    from scoring.agreement import agreement_summary
    from scoring.judges import adjusted_ranking, judge_severity, outlier_choices

    res = load_results(competition_id, stage)
    points = res.points.filter(pl.col("points").is_not_null()).collect()
    return {"severity": judge_severity(points), "agreement": agreement_summary(points),
            "by_field": agreement_summary(points, by="section_id"), "outliers": outlier_choices(points).head(50),
            "adjusted": adjusted_ranking(load_inputs(competition_id), res.config, stage)}


ctx = sidebar_context(show_region=False)
L = ctx.lang
st.title(tr("pages_juri_title"))
if ctx.competition_id is None:
    st.stop()
viewer = current_user()
if not access.can_see_judge_quality(viewer, cached.contest(ctx.competition_id)):
    st.info(tr("access_judge_quality_denied_juri" if viewer.role == "juri" else "access_judge_quality_denied"))
    st.stop()
q = _quality(str(store.store_path()), ctx.competition_id, ctx.stage, result_version(ctx.competition_id))
table = cached.results_table(ctx.competition_id, ctx.stage)
view = judge_quality_frames(q, cached.judges(ctx.competition_id), table, cached.criteria_texts(ctx.competition_id), L)

if q["severity"].height == 0:
    st.info(tr("pages_juri_none"))
    st.stop()
a = q["agreement"].row(0, named=True)
m1, m2, m3, m4 = st.columns(4)
m1.metric(tr("pages_juri_alpha"), fmt_number(a["alpha_ordinal"], 2, L), help=tr("pages_juri_alpha_help"))
m2.metric(tr("pages_juri_icc"), fmt_number(a["icc1"], 2, L), help=tr("pages_juri_icc_help"))
m3.metric(tr("pages_juri_icck"), fmt_number(a["icc1k"], 2, L), help=tr("pages_juri_icck_help"))
m4.metric(tr("pages_juri_judges"), str(a["n_judges"]))

st.subheader(tr("pages_severity"))
st.caption(tr("pages_juri_severity_help"))
st.plotly_chart(charts.severity_chart(view["severity"], L), key="juri_severity")

st.subheader(tr("pages_juri_by_field"))
dataframe(view["by_field"], hide_index=True, key="juri_by_field")

left, right = st.columns(2)
with left:
    st.subheader(tr("pages_juri_rank_shift"))
    st.caption(tr("pages_juri_rank_shift_help"))
    st.plotly_chart(charts.rank_shift_chart(view["ranks"], L), key="juri_ranks")
with right:
    st.subheader(tr("pages_juri_rank_table"))
    dataframe(view["rank_table"], hide_index=True, key="juri_rank_table")

st.subheader(tr("pages_juri_outliers"))
st.caption(tr("pages_juri_outliers_help"))
dataframe(view["outliers"], hide_index=True, key="juri_outliers")
