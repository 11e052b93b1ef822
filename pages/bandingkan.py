"""Bandingkan: two to six posyandu — or desa, kecamatan, kabupaten averages — side by side: radar, bars per
field and the criteria where they differ most. The picked set lives in the URL (?compare=a,b,c&by=posyandu)."""

from __future__ import annotations

import polars as pl
import streamlit as st

from present import charts
from present.fmt import fmt_number
from present.i18n import t
from present.tables import REGION_LEVELS, criteria_differences, region_aggregates, section_ids
from ui import cached
from ui.context import sidebar_context, tr
from ui.tables import dataframe

ctx = sidebar_context()
L = ctx.lang
st.title(tr("pages_bandingkan_title"))
table = cached.table_in_view(ctx)
secs = section_ids(table)

modes = ["posyandu", *REGION_LEVELS]
url_mode = st.query_params.get("by", "posyandu")
mode = st.radio(tr("pages_compare_by"), modes, index=modes.index(url_mode) if url_mode in modes else 0,
                horizontal=True, key="bandingkan_mode",
                format_func=lambda m: t("pages_posyandu", L) if m == "posyandu" else t(f"level_{m}", L))

if mode == "posyandu":
    ranked = table.sort("rank_final", nulls_last=True)
    options = ranked["entrant_id"].to_list()
    labels = dict(zip(options, (ranked["posyandu_name"] + " · " + ranked["desa_name"].fill_null("")).to_list(),
                      strict=True))
    wide = ranked.select(pl.col("entrant_id").alias("key"), pl.col("posyandu_name").alias("name"), "total",
                         *[pl.col(f"sec_{s}").alias(s) for s in secs])
    crit_key = None
else:
    agg = region_aggregates(table, mode)
    options = agg["code"].to_list()
    labels = dict(zip(options, (agg["name"].fill_null("?") + " (" + agg["n"].cast(pl.String) + ")").to_list(),
                      strict=True))
    wide = agg.rename({"code": "key"})
    crit_key = REGION_LEVELS[mode][0]

from_url = [k for k in st.query_params.get("compare", "").split(",") if k in options]
default = from_url if len(from_url) >= 2 and url_mode == mode else options[:3]
picked = st.multiselect(tr("pages_compare_pick"), options, default=default, max_selections=6,
                        placeholder=tr("choose_options"),
                        format_func=labels.get, key=f"bandingkan_pick_{mode}")
st.query_params["by"] = mode
st.query_params["compare"] = ",".join(picked)
if len(picked) < 2:
    st.info(tr("pages_compare_need_two"))
    st.stop()

chosen = wide.filter(pl.col("key").is_in(picked)).sort(pl.col("key").replace_strict(
    {k: i for i, k in enumerate(picked)}, return_dtype=pl.Int64))
# Region names can repeat across kecamatan (two "Sukamaju"): keep the label unique for the charts.
chosen = chosen.with_columns(pl.col("key").replace_strict(labels, return_dtype=pl.String).alias("name"))
if chosen["total"].null_count() == chosen.height:
    st.info(tr("empty_compare_no_scores"))
    st.stop()
series = [(r["name"], {s: r[s] for s in secs}) for r in chosen.iter_rows(named=True)]

left, right = st.columns(2)
with left:
    st.plotly_chart(charts.radar_chart(series, L), key="bandingkan_radar")
with right:
    st.plotly_chart(charts.compare_bars(chosen, L, sections=secs), key="bandingkan_bars")

dataframe(chosen.select(pl.col("name").alias(tr("pages_name")), pl.col("total").alias(tr("pages_total")),
                           *[pl.col(s).alias(tr(f"field_{s}")) for s in secs]).to_pandas()
             .style.format(lambda v: fmt_number(v, 1, L),
                           subset=[tr("pages_total"), *[tr(f"field_{s}") for s in secs]]),
             hide_index=True, key="bandingkan_table")

st.subheader(tr("pages_differ_most"))
st.caption(tr("pages_differ_most_help"))
crit = cached.criteria_points(ctx.competition_id, ctx.stage)
if crit_key is not None:
    crit = (crit.join(table.select("entrant_id", crit_key), on="entrant_id", how="inner")
            .with_columns(pl.col(crit_key).alias("entrant_id")))
names = dict(zip(chosen["key"].to_list(), chosen["name"].to_list(), strict=True))
diff = criteria_differences(crit, names, cached.criteria_texts(ctx.competition_id, ctx.stage))
value_cols = [c for c in [*names.values(), "spread"] if c in diff.columns]   # entrants without scores have none
dataframe(
    diff.with_columns(pl.col("section_id").map_elements(lambda s: tr(f"field_{s}"), return_dtype=pl.String))
    .rename({"section_id": tr("pages_field"), "text": tr("pages_criterion"), "spread": tr("pages_spread")})
    .drop("criterion_id").to_pandas()
    .style.format(lambda v: fmt_number(v, 0, L), subset=[tr("pages_spread") if c == "spread" else c
                                                         for c in value_cols]),
    hide_index=True, key="bandingkan_diff")
