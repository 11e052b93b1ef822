"""Beranda: the state of a competition at a glance — entrants, judging progress, field averages, the score
distribution, the six award places and what changed since last year's edition of the same contest."""

from __future__ import annotations

import polars as pl
import streamlit as st

from present import charts
from present.fmt import fmt_int, fmt_number, fmt_percent
from present.tables import award_places, field_means, filter_table
from present.theme import score_bands
from ui import cached
from ui.context import sidebar_context, tr
from ui.safe import plain
from ui.tables import dataframe

ctx = sidebar_context()
L = ctx.lang
st.title(tr("pages_beranda_title"))
table = cached.table_in_view(ctx)
scored = table.filter(pl.col("total").is_not_null())
progress = cached.judging_progress(ctx.competition_id)
if ctx.stage is not None:
    progress = progress.filter(pl.col("stage") == ctx.stage)
expected, entered = int(progress["expected"].sum()), int(progress["entered"].sum())

c1, c2, c3, c4 = st.columns(4)
c1.metric(tr("pages_entrants"), fmt_int(table.height, L))
c2.metric(tr("pages_scored"), fmt_int(scored.height, L))
c3.metric(tr("pages_mean_total"), fmt_number(scored["total"].mean(), 1, L))
c4.metric(tr("pages_progress"), fmt_percent(100.0 * entered / expected if expected else None, 0, L))

st.subheader(tr("pages_progress_by_stage"))
for row in progress.iter_rows(named=True):
    share = row["entered"] / row["expected"] if row["expected"] else 0.0
    st.progress(min(share, 1.0), text=tr("pages_progress_line", stage=tr(f"stage_{row['stage']}"),
                                         entered=fmt_int(row["entered"], L), expected=fmt_int(row["expected"], L),
                                         judges=fmt_int(row["judges"], L)))

if scored.height == 0:
    st.info(tr("empty_no_scores"))
    st.stop()
left, right = st.columns(2)
with left:
    st.subheader(tr("pages_field_averages"))
    st.plotly_chart(charts.field_bars(field_means(table), L), key="beranda_fields")
with right:
    st.subheader(tr("pages_distribution"))
    st.plotly_chart(charts.score_histogram(scored["total"].to_list(), L, score_bands()), key="beranda_hist")

st.subheader(tr("pages_awards"))
awards = award_places(table)
if awards.height == 0:
    st.info(tr("pages_no_awards"))
cols = st.columns(3)
for i, row in enumerate(awards.iter_rows(named=True)):
    with cols[i % 3]:
        st.metric(row["award"], fmt_number(row["total"], 2, L))
        st.caption(f"**{plain(row['posyandu_name'])}** · {plain(row['desa_name'])}, {plain(row['kecamatan_name'])}")

st.subheader(tr("pages_since_last_year"))
prev_id = cached.previous_competition(ctx.competition_id)
if prev_id is None:
    st.info(tr("pages_no_previous"))
    st.stop()
prev_stage = ctx.stage if ctx.stage in cached.results_stages(prev_id) else None
prev = filter_table(cached.results_table(prev_id, prev_stage), ctx.region_code)
prev_scored = prev.filter(pl.col("total").is_not_null())
d1, d2 = st.columns(2)
d1.metric(tr("pages_entrants"), fmt_int(table.height, L), delta=fmt_int(table.height - prev.height, L))
delta_mean = (scored["total"].mean() or 0.0) - (prev_scored["total"].mean() or 0.0)
d2.metric(tr("pages_mean_total"), fmt_number(scored["total"].mean(), 1, L), delta=fmt_number(delta_mean, 1, L))
st.plotly_chart(charts.change_bars(field_means(table), field_means(prev), L), key="beranda_change")
movers = (scored.select("posyandu_id", "posyandu_name", "desa_name", "total")
          .join(prev_scored.select("posyandu_id", pl.col("total").alias("before")), on="posyandu_id")
          .with_columns((pl.col("total") - pl.col("before")).alias("change"))
          .sort("change", descending=True).head(5))
if movers.height:
    st.markdown(f"**{tr('pages_top_improvers')}**")
    dataframe(
        movers.select(pl.col("posyandu_name").alias(tr("pages_posyandu")), pl.col("desa_name").alias(tr("pages_desa")),
                      pl.col("before").alias(tr("pages_before")), pl.col("total").alias(tr("pages_now")),
                      pl.col("change").alias(tr("pages_change"))).to_pandas()
        .style.format(lambda v: fmt_number(v, 1, L), subset=[tr("pages_before"), tr("pages_now"), tr("pages_change")]),
        hide_index=True)
