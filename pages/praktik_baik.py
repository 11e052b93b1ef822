"""Praktik baik: for a chosen SPM field, the strongest posyandu and what they do (practice text and photo),
near a delegation's home kabupaten or inside a region; then a visit plan in a sensible order to download."""

from __future__ import annotations

import datetime as dt

import polars as pl
import streamlit as st

from data.judging import evidence
from geo.route_map import route_figure
from present import visit_plan
from present.fmt import fmt_number
from present.i18n import t
from present.tables import filter_table, practice_cards
from present.theme import field_colour, score_bands
from scoring.fields import SPM_FIELDS
from ui import cached
from ui.context import sidebar_context, tr
from ui.downloads import file_download
from ui.safe import plain
from ui.state import get_con
from ui.tables import dataframe

ctx = sidebar_context()
L = ctx.lang
st.title(tr("pages_praktik_title"))
if ctx.competition_id is None:
    st.stop()

url_field = st.query_params.get("field")
field = st.selectbox(tr("pages_field"), list(SPM_FIELDS), key="praktik_field",
                     index=SPM_FIELDS.index(url_field) if url_field in SPM_FIELDS else 1,
                     format_func=lambda f: t(f"field_{f}", L))
st.query_params["field"] = field
st.markdown(f"<div style='height:6px;background:{field_colour(field)};border-radius:3px'></div>",
            unsafe_allow_html=True)

c1, c2, c3 = st.columns([1.2, 1.6, 1])
how = c1.radio(tr("pages_praktik_filter"), ["region", "distance"], key="praktik_how",
               format_func=lambda h: t(f"pages_praktik_by_{h}", L))
top_n = c3.slider(tr("pages_praktik_top"), 3, 30, 10, key="praktik_top")
table = cached.results_table(ctx.competition_id, ctx.stage)
start = None
if how == "distance":
    kab = cached.region_centroids(level=2)
    kab_names = dict(zip(kab["code"], kab["name"], strict=True))
    home = c2.selectbox(tr("pages_praktik_home"), list(kab_names), format_func=kab_names.get, key="praktik_home")
    max_km = c2.slider(tr("pages_praktik_max_km"), 10, 1500, 300, step=10, key="praktik_km")
    hrow = kab.filter(pl.col("code") == home).row(0, named=True)
    start = (hrow["lat"], hrow["lon"])
else:
    c2.caption(tr("pages_praktik_region_note"))
    table = filter_table(table, ctx.region_code)

profiles = cached.locations(table["posyandu_id"].to_list())
strongest = (table.select("posyandu_id", "posyandu_name", "desa_name", "kecamatan_name", "kabupaten_name",
                          pl.col(f"sec_{field}").alias("field_score"), "total")
             .join(profiles, on="posyandu_id", how="left").filter(pl.col("field_score").is_not_null()))
if start is not None:
    strongest = visit_plan.with_distance(strongest, *start).filter(pl.col("distance_km") <= max_km)
strongest = strongest.sort("field_score", descending=True, nulls_last=True).head(top_n)
practices = cached.practices(spm_field=field, posyandu_ids=strongest["posyandu_id"].to_list())

st.subheader(tr("pages_praktik_strongest", field=tr(f"field_{field}")))
if strongest.height == 0:
    st.info(tr("pages_praktik_none") if table["total"].drop_nulls().len() else tr("empty_no_field_scores"))
    st.stop()
bands = score_bands()
for card in practice_cards(strongest, practices):
    with st.container(border=True):
        head, score = st.columns([4, 1])
        head.markdown(f"**{plain(card['posyandu_name'])}** · {plain(card['desa_name'])}, "
                      f"{plain(card['kecamatan_name'])}, {plain(card['kabupaten_name'])}")
        if card.get("distance_km") is not None:
            head.caption(tr("pages_praktik_distance", km=fmt_number(card["distance_km"], 0, L)))
        score.markdown(f"<div style='background:{bands.colour(card['field_score'])};padding:4px 8px;"
                       f"border-radius:4px;text-align:center'><b>{fmt_number(card['field_score'], 1, L)}</b></div>",
                       unsafe_allow_html=True)
        if not card["practices"]:
            st.caption(tr("pages_praktik_no_text"))
        for p in card["practices"]:
            text_col, photo_col = st.columns([3, 1])
            text_col.markdown(f"**{plain(p['title'])}** — {plain(p['description'])}")
            photo = evidence.stored_image(get_con(), p.get("photo_path"))
            if photo is not None:
                photo_col.image(photo)

st.subheader(tr("pages_plan_title"))
choices = strongest["posyandu_id"].to_list()
labels = dict(zip(choices, strongest["posyandu_name"].to_list(), strict=True))
picked = st.multiselect(tr("pages_plan_pick"), choices, format_func=labels.get, key="praktik_plan_pick",
                        placeholder=tr("choose_options"),
                        default=[c for c in choices if c in practices["posyandu_id"].to_list()][:4])
if not picked:
    st.info(tr("pages_plan_empty"))
    st.stop()
all_practices = cached.practices(posyandu_ids=picked)
stops = visit_plan.plan_stops(all_practices, strongest.filter(pl.col("posyandu_id").is_in(picked)), field)
plan = visit_plan.order_visits(stops, start)
dataframe(plan.select(
    pl.col("visit_no").alias("#"), pl.col("posyandu_name").alias(tr("pages_posyandu")),
    pl.col("desa_name").alias(tr("pages_desa")),
    pl.col("fields").list.eval(pl.element().replace_strict({f: tr(f"field_{f}") for f in SPM_FIELDS},
                                                           default=pl.element())).list.join(", ")
    .alias(tr("pages_plan_fields")),
    pl.col("leg_km").map_elements(lambda v: fmt_number(v, 1, L), return_dtype=pl.String).fill_null("–")
    .alias(tr("pages_plan_leg_km")),
    pl.col("contact_phone").fill_null("–").alias(tr("pages_plan_contact")),
), hide_index=True, key="praktik_plan_table",
    column_config={tr("pages_plan_fields"): st.column_config.TextColumn(width="medium")})
route = route_figure(plan, tr("pages_plan_route"), cached.desa_cells())   # offline: st.map would fetch a base map from the internet
if route is not None:
    st.plotly_chart(route, key="praktik_route", config={"displayModeBar": False})
title = tr("pages_plan_doc_title", field=tr(f"field_{field}"))
today = dt.date.today()
d1, d2, _ = st.columns([1, 1, 3])
file_download(d1, tr("pages_plan_download_pdf"), lambda: visit_plan.plan_pdf(plan, L, title, today),
                   file_name="rencana-kunjungan.pdf", mime="application/pdf", key="praktik_pdf")
file_download(d2, tr("pages_plan_download_html"), lambda: visit_plan.plan_html(plan, L, title, today),
                   file_name="rencana-kunjungan.html", mime="text/html", key="praktik_html")
