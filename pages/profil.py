"""Profil posyandu: one entrant in depth — radar against the competition average, every judge's choice per field
with notes and evidence, completeness, what to fix first, the history across years and similar posyandu.

The state is in the URL (?posyandu=…&competition=…), so a leader can send the view on WhatsApp."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

import polars as pl
import streamlit as st

from data import access
from data.instruments.persistence import read_instrument
from data.judging import publication
from data.judging.contest_life import advancement, protests
from present import charts
from present.errors import UserError
from present.fmt import fmt_int, fmt_moment, fmt_number, fmt_percent
from present.tables import (
    entrant_fields,
    field_means,
    fix_first_rows,
    no_case_criteria,
    section_ids,
    weakest_fields,
)
from present.theme import field_colour
from scoring.league import better_criteria, neighbours
from ui import cached
from ui.auth import current_user, show_denied
from ui.context import sidebar_context, tr
from ui.safe import plain
from ui.share import is_imported, moved_since
from ui.share_views import imported_note, show_summary
from ui.state import get_con
from ui.tables import dataframe

ctx = sidebar_context(show_region=False)
L = ctx.lang
if ctx.competition_id is None:
    st.stop()
# The whole head of the profile (its table, contact, change since the last round, figures and charts) loads under
# one spinner: a click on the map or the league table shows it at once when loading takes longer than a moment.
with st.spinner(tr("integrity_opening_profile")):
    table = cached.results_table(ctx.competition_id, ctx.stage).sort("posyandu_name")
    ids = table["posyandu_id"].to_list()
    if not ids:
        st.info(tr("pages_no_entrants"))
        st.stop()
    names = dict(zip(ids, (table["posyandu_name"] + " · " + table["desa_name"].fill_null("")).to_list(), strict=True))
    wanted = st.query_params.get("posyandu")
    pid = st.selectbox(tr("pages_posyandu"), ids, index=ids.index(wanted) if wanted in ids else 0,
                       format_func=names.get, key="profil_posyandu")
    st.query_params["posyandu"] = pid
    row = table.filter(pl.col("posyandu_id") == pid).row(0, named=True)
    eid = row["entrant_id"]
    detail = cached.entrant_contact(ctx.competition_id, pid)

    st.title(f"{tr('pages_posyandu_prefix')} {plain(row['posyandu_name'])}")
    st.caption(" · ".join(plain(x) for x in (row["desa_name"], row["kecamatan_name"], row["kabupaten_name"],
                                             detail.get("contact_name"), detail.get("contact_phone")) if x))
    # Change since the last round: the same posyandu in its previous round, at whatever level that was (#17).
    got = moved_since(table.filter(pl.col("entrant_id") == eid), ctx.competition_id, ctx.stage, [])
    was = got[1].row(0, named=True) if got is not None and got[1].height and got[1]["total_before"][0] is not None \
        else None
    m1, m2, m3, m4, m5 = st.columns(5)
    m1.metric(tr("pages_total"), fmt_number(row["total"], 2, L),
              delta=None if was is None or was["total_change"] is None else fmt_number(was["total_change"], 2, L))
    moved_by = None if was is None else was["rank_change"]
    m2.metric(tr("pages_rank"), f"{fmt_int(row['rank_final'], L)} / {fmt_int(table.height, L)}",
              delta=None if moved_by is None else tr("fair_rank_same") if moved_by == 0 else
              tr("fair_rank_change", n=("+" if moved_by > 0 else "") + fmt_int(moved_by, L)),
              delta_color="off" if moved_by == 0 else "normal")     # no green arrow for a place kept
    m3.metric(tr("pages_award"), row["award"] or "–")
    m4.metric(tr("pages_strata"), tr(f"strata_{row['strata']}") if row["strata"] else "–")
    m5.metric(tr("pages_kader"), fmt_int(detail.get("kader_total"), L))

    imported_note(ctx.competition_id)
    if was is not None:
        st.caption(tr("fair_since_last", name=plain(was["round_name"]), rank=fmt_int(was["rank_final_before"], L),
                      total=fmt_number(was["total_before"], 2, L))
                   + (" " + tr("share_imported_note") if is_imported(was["round_id"]) else ""))
    if row["total"] is None:
        st.info(tr("empty_entrant_no_scores"))
    else:
        show_summary(table, ctx.competition_id, ctx.stage, eid, L, moved=got[1] if got is not None else None)
    mine, avg = entrant_fields(table, eid), field_means(table)
    left, right = st.columns(2)
    with left:
        st.plotly_chart(charts.radar_chart([(row["posyandu_name"], mine)], L, average=avg), key="profil_radar")
    with right:
        st.plotly_chart(charts.field_bars(mine, L, reference=avg), key="profil_bars")


completeness = row["completeness_pct"]
st.progress(min((completeness or 0.0) / 100.0, 1.0),
            text=tr("pages_completeness_line", pct=fmt_percent(completeness, 0, L)))

texts = cached.criteria_texts(ctx.competition_id, ctx.stage)
st.subheader(tr("pages_fix_first"))
st.caption(tr("pages_fix_first_help"))
ff = cached.fix_first(ctx.competition_id, ctx.stage, eid)
# Numbers pre-formatted as text (1,25): a pandas Styler costs ~15 ms a table on every re-run.
fix = fix_first_rows(ff, texts, L)
fix[tr("pages_lost")] = fix[tr("pages_lost")].map(lambda v: fmt_number(v, 2, L))
if len(fix):
    dataframe(fix, hide_index=True, key="profil_fix_first")
else:
    st.info(tr("empty_entrant_no_scores"))

# "You ± 5": the ranked entrants just above and below, the gap to each, and where the one above did better.
st.subheader(tr("fair_around_title"))
around = neighbours(table, eid, k=5)
if around.height == 0:
    st.caption(tr("fair_around_none"))
else:
    dataframe(pl.DataFrame({
        tr("fair_col_rank"): [fmt_int(r, L) for r in around["rank_final"]],
        tr("fair_col_posyandu"): [f"{n} {tr('fair_me')}" if rel == "me" else n
                                  for n, rel in zip(around["posyandu_name"], around["relation"], strict=True)],
        tr("fair_col_total"): [fmt_number(v, 2, L) for v in around["total"]],
        tr("fair_col_gap"): ["" if rel == "me" else ("+" if g > 0 else "") + fmt_number(g, 2, L)
                             for g, rel in zip(around["gap"], around["relation"], strict=True)],
    }).to_pandas(), hide_index=True, key="profil_around")
    above = around.filter(pl.col("relation") == "above").tail(1)
    if above.height == 0:
        st.caption(tr("fair_top"))
    else:
        other = above.row(0, named=True)
        better = better_criteria(cached.criteria_points(ctx.competition_id, ctx.stage), eid, other["entrant_id"])
        if better.height == 0:
            st.caption(tr("fair_above_none", name=plain(other["posyandu_name"])))
        else:
            words = dict(zip(texts["criterion_id"], texts["text"], strict=True))
            st.markdown(tr("fair_above_better", name=plain(other["posyandu_name"])) + "\n" + "\n".join(
                "- " + tr("fair_above_line", criterion=plain(b["criterion_id"]), text=plain(words.get(b["criterion_id"], "")),
                          mine=fmt_percent(b["mine"], 0, L), theirs=fmt_percent(b["theirs"], 0, L))
                for b in better.iter_rows(named=True)))

st.subheader(tr("pages_judge_choices"))
secs = section_ids(table)
choices = cached.judge_choices(ctx.competition_id, eid, secs, L, ctx.stage)
for tab, sec in zip(st.tabs([tr(f"field_{s}") for s in secs]), secs, strict=True):
    with tab:
        rows = choices[sec]
        if rows.empty:
            st.info(tr("pages_no_choices"))
        else:
            dataframe(rows, hide_index=True, key=f"profil_choices_{sec}")
            left_out = no_case_criteria(rows, L)
            if left_out:
                st.caption(tr("no_case_left_out", criteria=plain("; ".join(left_out))))

def _when(value: dt.datetime | None) -> str:
    return fmt_moment(value, L)


# Result status and protests (sanggahan): every step of a protest about this entrant, and filing one while a
# stage's results are provisional (a pembina of the entrant's region, or the panitia on its behalf).
con, viewer = get_con(), current_user()
life = publication.result_status(con, ctx.competition_id)
provisional = life.filter(pl.col("status") == "provisional")
moved = advancement.advancement_of(con, eid)
filed = protests.protests_frame(con, viewer, ctx.competition_id, entrant_id=eid)
may_file = provisional.height > 0 and (viewer.role == "panitia" or (
    viewer.role == "pembina" and access.in_region(row["desa_code"], viewer.region_code)))
if provisional.height or moved or filed.height or may_file:
    st.subheader(tr("life_profile_title"))
    for r in provisional.iter_rows(named=True):
        st.info(tr("life_profile_provisional", stage=tr(f"stage_{r['stage']}"), deadline=_when(r["protest_deadline"])),
                icon=":material/hourglass_top:")
    if moved and moved["target_entrant_id"] == eid:
        st.success(tr("life_profile_came_from", competition=plain(moved["source_name"]), award=moved["award"] or "–"))
    elif moved:
        st.success(tr("life_profile_went_to", competition=plain(moved["target_name"])), icon=":material/trending_up:")
    if flash := st.session_state.pop("profil.protest_flash", None):
        st.success(flash)
    if filed.height:
        dataframe(filed.select(
            pl.col("protest_id").alias("#"),
            pl.col("stage").map_elements(lambda v: tr(f"stage_{v}"), return_dtype=pl.String).alias(tr("stage")),
            pl.col("criteria").list.join(", ").alias(tr("life_col_criteria")), pl.col("reason").alias(tr("life_col_reason")),
            pl.col("filed_by").alias(tr("life_col_filed_by")),
            pl.col("filed_at").map_elements(_when, return_dtype=pl.String).alias(tr("life_col_filed_at")),
            pl.col("status").map_elements(lambda v: tr(f"life_protest_{v}"), return_dtype=pl.String)
            .alias(tr("life_col_status")), pl.col("decision_note").fill_null("").alias(tr("life_col_note"))),
            hide_index=True, key="profil_protests")
    elif viewer.role in ("panitia", "pembina"):
        st.caption(tr("life_profile_no_protests"))
    if may_file:
        crit_texts = {c.id: c.text for c in read_instrument(con, ctx.instrument_id).criteria}
        with st.expander(tr("life_profile_file"), icon=":material/gavel:"), st.form("profil_protest"):
            open_stages = provisional["stage"].to_list()
            p_stage = st.selectbox(tr("stage"), open_stages, format_func=lambda v: tr(f"stage_{v}"),
                                   index=open_stages.index(ctx.stage) if ctx.stage in open_stages else 0)
            p_crit = st.multiselect(tr("life_col_criteria"), list(crit_texts),
                                    format_func=lambda c: f"{c} · {crit_texts[c]}")
            p_reason = st.text_area(tr("life_file_reason"))
            if st.form_submit_button(tr("life_file_save"), type="primary"):
                try:
                    pid_new = protests.file_protest(con, viewer, ctx.competition_id, p_stage, eid, p_crit,
                                                        p_reason)
                    # Drawn again so the list above holds the new protest (it said "no protest" under the
                    # confirmation).
                    st.session_state["profil.protest_flash"] = tr("life_filed", id=pid_new)
                    st.rerun()
                except UserError as err:
                    show_denied(err)

st.subheader(tr("pages_history"))
with st.spinner(tr("integrity_opening_history")):   # scores the other contests of its history once
    history = cached.history(pid)
if history.filter(pl.col("total").is_not_null()).height >= 2:
    st.plotly_chart(charts.history_chart(history.filter(pl.col("total").is_not_null()), L), key="profil_history")
dataframe(history.select(
    pl.col("year").cast(pl.String).alias(tr("year")),
    pl.col("level").replace_strict({v: tr(f"level_{v}") for v in history["level"].unique().to_list()},
                                   return_dtype=pl.String).alias(tr("level")),
    pl.col("name").alias(tr("competition")),
    pl.col("total").map_elements(lambda v: fmt_number(v, 2, L), return_dtype=pl.String, skip_nulls=False)
    .alias(tr("pages_total")),
    pl.col("rank").alias(tr("pages_rank")), pl.col("award").fill_null("").alias(tr("pages_award")),
).to_pandas(), hide_index=True, key="profil_history_table")

st.subheader(tr("pages_peers"))
st.caption(tr("pages_peers_help"))
weak = weakest_fields(table, eid, [s for s in charts.SPM_RADAR if s in secs])
peers = cached.field_peers(ctx.competition_id, ctx.stage, pid, weak)
if not weak:
    st.info(tr("pages_no_peers"))
for col, field in zip(st.columns(len(weak)) if weak else [], weak, strict=True):
    block = peers.filter(pl.col("spm_field") == field)
    with col:
        st.markdown(f"<div style='border-left:6px solid {field_colour(field)};padding-left:8px'><b>"
                    + tr("pages_peers_field", field=tr(f"field_{field}"), score=fmt_number(mine.get(field), 1, L))
                    + "</b></div>", unsafe_allow_html=True)
        if block.height == 0:
            st.caption(tr("pages_peers_none_field"))
            continue
        # Names repeat between desa ("Jeruk" twice): label the bars with the desa so none merge.
        bars = pl.concat([pl.DataFrame({"name": [names[pid]], "total": [mine.get(field)]}),
                          block.select(pl.format("{} · {}", "name", pl.col("desa_name").fill_null("")).alias("name"),
                                       pl.col("score_pct").alias("total"))], how="vertical_relaxed")
        st.plotly_chart(charts.peer_chart(bars, L, highlight=names[pid], colour=field_colour(field)),
                        key=f"profil_peers_{field}")
        st.markdown("\n".join(
            f"- [{plain(p['name'])}](profil?{urlencode({'posyandu': p['posyandu_id'], 'competition': ctx.competition_id})})"
            f" · {plain(p['desa_name'])}, {plain(p['kabupaten_name'])} · **{fmt_number(p['score_pct'], 1, L)}**"
            + ("" if p["distance_km"] is None else f" · {tr('pages_peers_km', km=fmt_number(p['distance_km'], 0, L))}")
            for p in block.iter_rows(named=True)))
