"""Panitia: the organisers' desk — overview, entrants and judges, assignments with conflict-of-interest
explanations and workload, reopening submitted forms with a reason, finalising and publishing a stage."""

from __future__ import annotations

import json

import polars as pl
import streamlit as st

from data.judging import assignments, publication
from data.judging import forms as judging
from data.judging.auth import PermissionDenied
from data.store import reads
from present.fmt import fmt_date, fmt_int
from ui.auth import require_role, show_denied
from ui.context import lang, sidebar_context, tr
from ui.state import get_con

ctx = sidebar_context(show_region=False)
user = require_role(["panitia"])
con = get_con()
if ctx.competition_id is None:
    st.stop()
cid = ctx.competition_id
st.title(tr("judging_panitia_title"))

stages = reads.stages_frame(con, cid)["stage"].to_list()
stage = st.selectbox(tr("stage"), stages, index=stages.index(ctx.stage) if ctx.stage in stages else 0,
                     format_func=lambda s: tr(f"stage_{s}"), key="pt.stage")
tabs = st.tabs([tr("judging_tab_overview"), tr("judging_tab_assign"), tr("judging_tab_forms"),
                tr("judging_tab_publish")])

with tabs[0]:
    entrants = reads.entrants_frame(con, cid)
    work = assignments.workload(con, user, cid, stage)
    cols = st.columns(3, wrap=True)
    cols[0].metric(tr("judging_n_entrants"), fmt_int(entrants.height, lang()))
    cols[1].metric(tr("judging_n_judges"), fmt_int(work.filter(pl.col("assigned") > 0).height, lang()))
    cols[2].metric(tr("judging_n_submitted"), fmt_int(int(work["submitted"].sum()), lang()))
    st.subheader(tr("judging_workload"))
    st.dataframe(work.select(
        pl.col("name").alias(tr("judging_col_judge")), pl.col("institution").alias(tr("judging_col_institution")),
        pl.col("assigned").alias(tr("judging_col_assigned")), pl.col("submitted").alias(tr("judging_col_submitted")),
        pl.format("{} / {}", "scores_entered", "scores_expected").alias(tr("judging_col_scores"))),
        hide_index=True)
    st.subheader(tr("judging_entrants"))
    st.dataframe(entrants.select(pl.col("posyandu_name").alias(tr("judging_col_posyandu")),
                                 pl.col("desa_name").alias(tr("judging_col_desa")),
                                 pl.col("kecamatan_name").alias(tr("judging_col_kecamatan"))), hide_index=True)

with tabs[1]:
    rule = assignments.coi_rule(con, cid)
    new_rule = st.selectbox(tr("judging_coi_rule"), assignments.COI_RULES, index=assignments.COI_RULES.index(rule),
                            format_func=lambda r: tr(f"judging_coi_rule_{r}"), key="pt.coi")
    if new_rule != rule:
        assignments.set_coi_rule(con, user, cid, new_rule)
        st.rerun()
    names = dict(zip(entrants["entrant_id"], entrants["posyandu_name"], strict=True))
    entrant = st.selectbox(tr("judging_entrant"), list(names), format_func=lambda e: names[e], key="pt.entrant")
    cands = assignments.judge_candidates(con, user, cid, stage, entrant)

    def _why(key: str | None, detail: str | None) -> str:
        return tr(key, **json.loads(detail)) if key else ""

    shown = cands.with_columns(pl.struct("conflict_key", "conflict_detail").map_elements(
        lambda s: _why(s["conflict_key"], s["conflict_detail"]), return_dtype=pl.String).alias("why"))
    # Assigned judges first, then those free of conflict with the lightest load: the natural next pick on top.
    shown = shown.sort(["assigned", "conflict_key", "workload"], descending=[True, False, False], nulls_last=False)
    st.dataframe(shown.select(
        pl.col("name").alias(tr("judging_col_judge")), pl.col("institution").alias(tr("judging_col_institution")),
        pl.col("assigned").alias(tr("judging_col_is_assigned")), pl.col("workload").alias(tr("judging_col_assigned")),
        pl.col("why").alias(tr("judging_col_conflict"))), hide_index=True)
    free = cands.filter(~pl.col("assigned"))
    judge_names = dict(zip(cands["judge_id"], cands["name"], strict=True))
    pick = st.selectbox(tr("judging_pick_judge"), free["judge_id"].to_list(), index=None,
                        format_func=lambda j: judge_names[j], key="pt.judge", placeholder=tr("judging_choose"))
    if pick and st.button(tr("judging_assign"), key="pt.assign"):
        conflict = assignments.assign_judge(con, user, cid, stage, pick, entrant)
        if conflict:
            st.error(tr("judging_assign_blocked", judge=judge_names[pick]) + " " + tr(conflict.message_key,
                                                                                     **conflict.detail))
        else:
            st.success(tr("judging_assigned", judge=judge_names[pick], posyandu=names[entrant]))
    mine = cands.filter(pl.col("assigned"))["judge_id"].to_list()
    drop = st.selectbox(tr("judging_unassign"), mine, index=None, format_func=lambda j: judge_names[j],
                        key="pt.drop", placeholder=tr("judging_choose"))
    if drop and st.button(tr("judging_unassign"), key="pt.unassign"):
        try:
            assignments.unassign_judge(con, user, cid, stage, drop, entrant)
            st.rerun()
        except PermissionDenied as err:
            show_denied(err)

with tabs[2]:
    forms = assignments.assignments_frame(con, user, cid, stage)
    st.dataframe(forms.select(
        pl.col("posyandu_name").alias(tr("judging_col_posyandu")), pl.col("judge_name").alias(tr("judging_col_judge")),
        pl.col("status").replace_strict({"open": tr("judging_status_open"), "submitted": tr("judging_status_submitted")})
        .alias(tr("judging_col_status")), pl.col("answered").alias(tr("judging_col_answered"))), hide_index=True)
    submitted = forms.filter(pl.col("status") == "submitted")
    pairs = list(zip(submitted["entrant_id"], submitted["judge_id"], strict=True))
    labels = {p: f"{n} · {j}" for p, n, j in zip(pairs, submitted["posyandu_name"], submitted["judge_name"],
                                                    strict=True)}
    with st.form("pt.reopen"):
        pair = st.selectbox(tr("judging_reopen_form"), pairs, index=None, format_func=lambda p: labels[p],
                            placeholder=tr("judging_choose"))
        reason = st.text_input(tr("judging_reason"))
        if st.form_submit_button(tr("judging_reopen")) and pair:
            try:
                judging.reopen_form(con, user, cid, stage, pair[0], pair[1], reason)
                st.success(tr("judging_reopened"))
            except PermissionDenied as err:
                show_denied(err)

with tabs[3]:
    status = publication.stage_status(con, cid)
    for r in status.iter_rows(named=True):
        when = fmt_date(r["finalized_at"], lang()) if r["finalized_at"] else tr("judging_status_open")
        label = tr("stage_" + r["stage"])
        st.write(f"**{label}** — {when} · {tr('judging_snapshots', n=r['snapshots'])}")
    final = status.filter(pl.col("stage") == stage)["finalized_at"][0] is not None
    if not final:
        st.caption(tr("judging_finalise_help"))
        if st.button(tr("judging_finalise", stage=tr(f"stage_{stage}")), type="primary", key="pt.finalise"):
            publication.finalise_stage(con, user, cid, stage)
            st.rerun()
    else:
        with st.form("pt.reopen_stage"):
            reason = st.text_input(tr("judging_reason"))
            if st.form_submit_button(tr("judging_reopen_stage", stage=tr(f"stage_{stage}"))):
                try:
                    publication.reopen_stage(con, user, cid, stage, reason)
                    st.rerun()
                except PermissionDenied as err:
                    show_denied(err)
    published = publication.published_results(con, cid)
    st.subheader(tr("judging_published"))
    if published.height:
        st.dataframe(published, hide_index=True)
    else:
        st.info(tr("judging_nothing_published"))
