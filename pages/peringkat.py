"""Peringkat: the league table as a health scorecard — one row per entrant, a coloured cell per field, rank,
award, strata, the 90 % rank interval and P(top 3); filters, downloads, and a click on a row opens its profile."""

from __future__ import annotations

import contextlib

import polars as pl
import streamlit as st

from present.fmt import fmt_int
from present.i18n import t
from present.share_tables import add_band_columns
from present.tables import (
    band_legend_html,
    csv_bytes,
    excel_bytes,
    filter_table,
    profile_link,
    scorecard_frame,
    scorecard_score_columns,
    section_ids,
    style_scorecard,
)
from present.theme import score_bands
from scoring.fields import STRATA
from scoring.league import PEER_GROUPS, peer_ranks
from ui import cached
from ui.context import choice_from_url, choice_to_url, sidebar_context, tr
from ui.downloads import XLSX, file_download
from ui.share import place_stability
from ui.share_views import imported_note, show_change_since, show_field_awards
from ui.tables import PAGE_ROWS, dataframe, page_offset, page_picker

ON_DEMAND_ENTRANTS = 2_000     # above this many entrants the rank interval and P(top 3) wait for a click


ctx = sidebar_context()
L = ctx.lang
st.title(tr("pages_peringkat_title"))
if ctx.competition_id is None:
    st.stop()
imported_note(ctx.competition_id)
table = cached.results_table(ctx.competition_id, ctx.stage)
if table.height == 0:
    st.info(tr("pages_no_entrants"))
    st.stop()
if table["total"].null_count() == table.height:
    st.info(tr("empty_no_scores"))
secs = section_ids(table)

f1, f2, f3, f4, f5 = st.columns([1, 1.4, 1.2, 1, 1.2])
categories = sorted(table["category"].drop_nulls().unique().to_list())
# Every choice that changes the table is in the link (ui.context.choice_from_url / choice_to_url).
LINKED = (("category", "peringkat_category", "", [""] + categories, False),
          ("strata", "peringkat_strata", [], list(STRATA), True),
          ("sort", "peringkat_field", "total", ["total", *secs], False),
          ("min", "peringkat_min", 0, list(range(0, 101, 5)), False),
          ("peer", "peringkat_peer", "", ["", *PEER_GROUPS], False),
          ("since", "peringkat_since", False, None, False),
          ("weights", "peringkat_weights", 10, [0, 5, 10, 15, 20], False))
for param, key, default, options, many in LINKED:
    choice_from_url(param, key, default, options, many)
category = f1.selectbox(tr("pages_category"), [""] + categories, key="peringkat_category",
                        format_func=lambda c: c or t("pages_all", L))
strata = f2.multiselect(tr("pages_strata"), list(STRATA), key="peringkat_strata", placeholder=tr("choose_options"),
                        format_func=lambda s: t(f"strata_{s}", L))
field = f3.selectbox(tr("pages_sort_by"), ["total", *secs], key="peringkat_field",
                     format_func=lambda s: t("pages_total", L) if s == "total" else t(f"field_{s}", L))
min_score = f4.slider(tr("pages_min_score"), 0, 100, step=5, key="peringkat_min",
                      help=tr("pages_min_score_help"))
peer = f5.selectbox(tr("fair_peer_group"), ["", *PEER_GROUPS], key="peringkat_peer", help=tr("fair_peer_help"),
                    format_func=lambda g: tr(f"fair_peer_{g}") if g else tr("fair_peer_none"))
g1, g2, _ = st.columns([1.4, 1.4, 2.2])
since = g1.toggle(tr("share_since_toggle"), key="peringkat_since", help=tr("share_since_help"))
weights = g2.select_slider(tr("share_weight_change"), [0, 5, 10, 15, 20], key="peringkat_weights",
                           help=tr("share_weight_change_help"), format_func=lambda v: tr("share_weight_value", pct=v))
for param, key, default, _, many in LINKED:
    choice_to_url(param, key, default, many)

if peer:
    # ranked inside the group over the whole table (with the contest's tie rules), then filtered like the rest
    ties, decimals = cached.tie_rules(ctx.competition_id, ctx.stage)   # as frozen once the stage is final
    table = peer_ranks(table, peer, ties, decimals)
shown = filter_table(table, ctx.region_code, category or None, strata,
                     None if field == "total" else field, float(min_score) if min_score else None)
if field == "total" and min_score:
    shown = shown.filter(pl.col("total") >= min_score)
sort_col = "total" if field == "total" else f"sec_{field}"
shown = shown.sort([sort_col, "rank_final"], descending=[True, False], nulls_last=True)
# A long table (a province contest of 30,000 entrants) is shown a page at a time: every cell keeps its band
# colour, and no Styler is built over more cells than Streamlit will draw (ui.tables.page_picker says so).
PAGE_KEY = "peringkat_page"
per_page = PAGE_ROWS
first = page_offset(PAGE_KEY, shown.height, per_page)
# A selected row opens its profile before the rank bootstrap and the styled table are built again.
_rows = (st.session_state.get("peringkat_table") or {}).get("selection", {}).get("rows") or []
if _rows and first + _rows[0] < shown.height:
    st.switch_page("pages/profil.py", query_params={"posyandu": shown["posyandu_id"][first + _rows[0]],
                                                    "competition": ctx.competition_id})

# The judge bootstrap and the place stability take about a minute per 10,000 entrants: for a large contest
# (a province of 30,000) they are computed when asked for, and the page says so; a small one gets them at once.
large = table.height > ON_DEMAND_ENTRANTS
if large:
    st.info(tr("scale_confidence_on_demand", n=fmt_int(table.height, L)))
    wanted = st.toggle(tr("scale_confidence_compute"), key="peringkat_confidence")
else:
    wanted = True
if wanted:
    with st.spinner(tr("scale_confidence_computing")) if large else contextlib.nullcontext():
        conf = cached.rank_intervals(ctx.competition_id, ctx.stage)
        stability = place_stability(ctx.competition_id, ctx.stage, weights / 100)
else:
    conf = pl.DataFrame(schema={"entrant_id": pl.String, "rank_lo": pl.Int64, "rank_hi": pl.Int64,
                                "p_top3": pl.Float64})
    stability = pl.DataFrame(schema={"entrant_id": pl.String, "p_keep": pl.Float64})
bands = score_bands()
score_cols = scorecard_score_columns(L, secs)


def scorecard(rows: pl.DataFrame):
    return add_band_columns(scorecard_frame(rows, L, conf, keep_order=True), conf, stability, table.height, L)


st.caption(tr("pages_shown_of", shown=fmt_int(shown.height, L), total=fmt_int(table.height, L)))
st.html(band_legend_html(bands, L))
first = page_picker(shown.height, PAGE_KEY, per_page)
df = scorecard(shown.slice(first, per_page))
styler = style_scorecard(df, score_cols, bands, L, percent_columns=[tr("pages_p_top3"), tr("share_p_keep")])
event = dataframe(
    styler, key="peringkat_table", on_select="rerun", selection_mode="single-row", hide_index=True,
    height=min(38 + 35 * max(len(df), 1), 640),
    column_config={"entrant_id": None, "posyandu_id": None,
                   tr("share_band"): st.column_config.ImageColumn(tr("share_band"), help=tr("share_band_help"))},
)
st.caption(tr("pages_confidence_help"))
show_field_awards(table, ctx.competition_id, ctx.stage, L)
if since:
    show_change_since(shown, ctx.competition_id, ctx.stage, secs, L)

rows = event.selection.rows if event is not None else []
if rows:
    st.switch_page("pages/profil.py", query_params=profile_link(df, rows[0], ctx.competition_id))

d1, d2, _ = st.columns([1, 1, 3])
name = f"peringkat-{ctx.competition_id}"
sheet = tr("pages_peringkat_title")


def plain():
    """Every shown row (all pages) for the downloads, built when one is asked for."""
    return scorecard(shown).drop(columns=["entrant_id", "posyandu_id", tr("share_band")])


file_download(d1, tr("pages_download_excel"), lambda: excel_bytes(style_scorecard(plain(), score_cols, bands, L), sheet),
                   file_name=f"{name}.xlsx", key="peringkat_xlsx",
                   mime=XLSX)
file_download(d2, tr("pages_download_csv"), lambda: csv_bytes(plain()), file_name=f"{name}.csv",
                   mime="text/csv", key="peringkat_csv")
