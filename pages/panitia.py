"""Panitia: the organisers' desk — overview, entrants and judges (and those who advanced here from the level
below), assignments with conflict-of-interest explanations and workload, reopening submitted forms with a
reason and the judges' disagreement answers, picking finalists after the desk stage, finalising a stage as
provisional results, protests (sanggahan), and declaring results final so the winners advance."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import streamlit as st

from data.instruments.persistence import read_instrument
from data.judging import assignments, auth, publication
from data.judging import forms as judging
from data.judging.contest_life import advancement, contest_rules, finalists, protests, send_back
from data.store import reads
from present.errors import UserError
from present.fmt import fmt_int, fmt_moment, fmt_number
from ui.auth import require_role, show_denied
from ui.context import lang, sidebar_context, tr
from ui.safe import plain_params
from ui.state import get_con
from ui.tables import dataframe

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
                tr("life_tab_finalists"), tr("judging_tab_publish"), tr("life_tab_protests")],
               key="pt.tab")   # keyed: the tab an action was taken in stays open for its outcome
L = lang()


def _when(value: dt.datetime | None) -> str:
    """A moment as "20 Oktober 2025 pukul 23.59"."""
    return fmt_moment(value, L)


def _done(where: str, key: str, *, warn: tuple[str, dict] | None = None, **params: object) -> None:
    """Say how an action went on the next run, at `where` (the form or button it came from): a message drawn
    above the tabs or below them is off screen when the user is working further down a tab."""
    st.session_state["pt.done"] = (where, key, params, warn)


def _flash(where: str) -> None:
    """Show the outcome of the last action if it was taken at `where`."""
    done = st.session_state.get("pt.done")
    if done is None or done[0] != where:
        return
    _, key, params, warn = st.session_state.pop("pt.done")
    st.success(tr(key, **params))
    if warn is not None:
        st.warning(tr(warn[0], **warn[1]))

with tabs[0]:
    entrants = reads.entrants_frame(con, cid)
    work = assignments.workload(con, user, cid, stage)
    cols = st.columns(3, wrap=True)
    cols[0].metric(tr("judging_n_entrants"), fmt_int(entrants.height, lang()))
    cols[1].metric(tr("judging_n_judges"), fmt_int(work.filter(pl.col("assigned") > 0).height, lang()))
    cols[2].metric(tr("judging_n_submitted"), fmt_int(int(work["submitted"].sum()), lang()))
    st.subheader(tr("judging_workload"))
    if work.height == 0:             # a new contest: no judge yet in its region, nor any assigned
        st.info(tr("contest_workload_no_judges"))
    elif int(work["assigned"].sum()) == 0:
        st.info(tr("contest_workload_none_assigned", stage=tr(f"stage_{stage}")))
    else:
        dataframe(work.select(
            pl.col("name").alias(tr("judging_col_judge")), pl.col("institution").alias(tr("judging_col_institution")),
            pl.col("assigned").alias(tr("judging_col_assigned")), pl.col("submitted").alias(tr("judging_col_submitted")),
            pl.format("{} / {}", "scores_entered", "scores_expected").alias(tr("judging_col_scores"))),
            hide_index=True)
    st.subheader(tr("judging_entrants"))
    if entrants.height == 0:
        st.info(tr("pages_no_entrants"))
    else:
        dataframe(entrants.select(pl.col("posyandu_name").alias(tr("judging_col_posyandu")),
                                     pl.col("desa_name").alias(tr("judging_col_desa")),
                                     pl.col("kecamatan_name").alias(tr("judging_col_kecamatan"))), hide_index=True)
    arrived = advancement.arrivals(con, user, cid)
    st.subheader(tr("life_arrivals"))
    if arrived.height:
        st.caption(tr("life_arrivals_help", n=arrived.height))
        dataframe(arrived.select(
            pl.col("posyandu_name").alias(tr("judging_col_posyandu")), pl.col("desa_name").alias(tr("judging_col_desa")),
            pl.col("source_competition").alias(tr("life_col_from")), pl.col("award").alias(tr("life_col_award")),
            pl.col("total").map_elements(lambda v: fmt_number(v, 2, L), return_dtype=pl.String)
            .alias(tr("life_col_total")),
            pl.col("advanced_at").map_elements(_when, return_dtype=pl.String).alias(tr("life_col_arrived"))),
            hide_index=True, key="pt.arrivals")
    else:
        st.caption(tr("life_arrivals_none"))
    slowed = auth.slowed_accounts(con, user)
    cleared = st.session_state.pop("pt.unlocked", None)
    with st.expander(tr("safety_slowed_title") + (f" ({len(slowed)})" if slowed else ""),
                     expanded=bool(slowed or cleared)):
        st.caption(tr("safety_slowed_help"))
        if cleared:                                     # where the button was, after the list is read anew
            st.success(tr("safety_unlocked", **plain_params(username=cleared[0], n=cleared[1])))
        if not slowed:
            st.info(tr("safety_slowed_none"))
        else:
            dataframe(pl.DataFrame(slowed).select(
                pl.col("username").alias(tr("safety_col_username")), pl.col("failures").alias(tr("safety_col_failures")),
                pl.col("clients").alias(tr("safety_col_clients")),
                pl.col("last_failure").map_elements(lambda v: fmt_moment(v, L), return_dtype=pl.String)
                .alias(tr("safety_col_last"))),
                hide_index=True)
            who = st.selectbox(tr("safety_unlock_pick"), [r["username"] for r in slowed], key="pt.unlock_who")

            def _unlock() -> None:
                """on_click: clear before the page is drawn again, so the list shows what is left."""
                name = st.session_state["pt.unlock_who"]
                st.session_state["pt.unlocked"] = (name, auth.unlock_account(get_con(), user, name))

            st.button(tr("safety_unlock"), key="pt.unlock", on_click=_unlock)

with tabs[1]:
    rule = assignments.coi_rule(con, cid)
    new_rule = st.selectbox(tr("judging_coi_rule"), assignments.COI_RULES, index=assignments.COI_RULES.index(rule),
                            format_func=lambda r: tr(f"judging_coi_rule_{r}"), key="pt.coi")
    if new_rule != rule:
        assignments.set_coi_rule(con, user, cid, new_rule)
        st.rerun()
    names = dict(zip(entrants["entrant_id"], entrants["posyandu_name"], strict=True))
    chosen = judging.finalists_of(con, cid, stage)
    if chosen is not None:
        st.info(tr("life_assign_finalists_only", n=len(chosen), stage=tr(f"stage_{stage}")))
    elif finalists.previous_stage(con, cid, stage) is not None:
        st.caption(tr("life_assign_no_cut_yet", stage=tr(f"stage_{stage}")))
    # By posyandu name, as people look for them (the store's order is the entrant id).
    pickable = sorted((e for e in names if chosen is None or e in chosen), key=lambda e: (names[e].casefold(), e))
    if not pickable:
        st.info(tr("life_no_finalists") if names else tr("pages_no_entrants"))
    else:
        entrant = st.selectbox(tr("judging_entrant"), pickable, format_func=lambda e: names[e], key="pt.entrant")
        cands = assignments.judge_candidates(con, user, cid, stage, entrant)

        def _why(key: str | None, detail: str | None) -> str:
            return tr(key, **json.loads(detail)) if key else ""

        shown = cands.with_columns(pl.struct("conflict_key", "conflict_detail").map_elements(
            lambda s: _why(s["conflict_key"], s["conflict_detail"]), return_dtype=pl.String).alias("why"))
        # Assigned judges first, then those free of conflict with the lightest load: the natural next pick on top.
        shown = shown.sort(["assigned", "conflict_key", "workload"], descending=[True, False, False], nulls_last=False)
        dataframe(shown.select(
            pl.col("name").alias(tr("judging_col_judge")), pl.col("institution").alias(tr("judging_col_institution")),
            pl.col("assigned").alias(tr("judging_col_is_assigned")), pl.col("workload").alias(tr("judging_col_assigned")),
            pl.col("why").alias(tr("judging_col_conflict"))), hide_index=True)
        free = cands.filter(~pl.col("assigned"))
        judge_names = dict(zip(cands["judge_id"], cands["name"], strict=True))
        pick = st.selectbox(tr("judging_pick_judge"), free["judge_id"].to_list(), index=None,
                            format_func=lambda j: judge_names[j], key="pt.judge", placeholder=tr("judging_choose"))
        if pick and st.button(tr("judging_assign"), key="pt.assign"):
            try:
                conflict = assignments.assign_judge(con, user, cid, stage, pick, entrant)
            except UserError as err:
                show_denied(err)
            else:
                if conflict:
                    st.error(tr("judging_assign_blocked", **plain_params(judge=judge_names[pick])) + " "
                             + tr(conflict.message_key, **plain_params(**conflict.detail)))
                else:
                    st.success(tr("judging_assigned", **plain_params(judge=judge_names[pick],
                                                                     posyandu=names[entrant])))
        st.subheader(tr("contest_bulk_title"))
        st.caption(tr("contest_bulk_help", n=len(pickable)))
        _flash("bulk")
        # By name, and keyed: the workload's order (most assigned first) changes with the click, and a choice
        # among options that moved was dropped, so the judges just assigned vanished from the box.
        by_name = work.sort([pl.col("name").str.to_lowercase(), "judge_id"])
        everyone = dict(zip(by_name["judge_id"], by_name["name"], strict=True))
        with st.form("pt.bulk"):
            group = st.multiselect(tr("contest_bulk_judges"), list(everyone), format_func=everyone.get,
                                   placeholder=tr("judging_choose"), key="pt.bulk_judges")
            if st.form_submit_button(tr("contest_bulk_go", n=len(pickable)), icon=":material/group_add:"):
                try:
                    made, blocked = assignments.assign_all(con, user, cid, stage, group, pickable)
                except UserError as err:
                    show_denied(err)
                else:
                    warn = ("contest_bulk_conflicts", plain_params(
                        n=len(blocked), pairs="; ".join(f"{everyone.get(c.judge_id, c.judge_id)} – "
                                                        f"{names.get(c.entrant_id, c.entrant_id)}"
                                                        for c in blocked))) if blocked else None
                    _done("bulk", "contest_bulk_done", warn=warn, **plain_params(n=made, stage=tr(f"stage_{stage}")))
                    st.rerun()      # the candidates table above shows the new assignments
        mine = cands.filter(pl.col("assigned"))["judge_id"].to_list()
        drop = st.selectbox(tr("judging_unassign"), mine, index=None, format_func=lambda j: judge_names[j],
                            key="pt.drop", placeholder=tr("judging_choose"))
        if drop and st.button(tr("judging_unassign"), key="pt.unassign"):
            try:
                assignments.unassign_judge(con, user, cid, stage, drop, entrant)
                st.rerun()
            except UserError as err:
                show_denied(err)

with tabs[2]:
    forms = assignments.assignments_frame(con, user, cid, stage)
    if forms.height == 0:
        st.info(tr("judging_no_assignments"))
    else:
        dataframe(forms.select(
            pl.col("posyandu_name").alias(tr("judging_col_posyandu")),
            pl.col("judge_name").alias(tr("judging_col_judge")),
            pl.col("status").replace_strict({"open": tr("judging_status_open"),
                                             "submitted": tr("judging_status_submitted")})
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
            except UserError as err:
                show_denied(err)
    st.subheader(tr("life_disagreements"))
    st.caption(tr("life_disagreements_help"))
    dis = send_back.disagreement_overview(con, user, cid, stage)
    if dis.height:
        dataframe(dis.select(
            pl.col("posyandu_name").alias(tr("judging_col_posyandu")), pl.col("criterion_id").alias(tr("life_col_criterion")),
            pl.struct("kind", "spread").map_elements(
                lambda r: tr("life_spread_levels", n=fmt_number(r["spread"], 0, L)) if r["kind"] == "choice"
                else tr("life_spread_pct", pct=fmt_number(r["spread"], 0, L)), return_dtype=pl.String)
            .alias(tr("life_col_spread")),
            pl.col("judge_name").alias(tr("judging_col_judge")),
            pl.col("decision").replace_strict({"kept": tr("life_decision_kept"), "changed": tr("life_decision_changed")},
                                              default=tr("life_decision_pending"), return_dtype=pl.String)
            .alias(tr("life_col_decision")), pl.col("reason").fill_null("").alias(tr("life_col_reason"))),
            hide_index=True, key="pt.disagreements")
    else:
        st.caption(tr("life_disagreements_none"))

with tabs[3]:
    source = finalists.previous_stage(con, cid, stage)
    if source is None:
        st.info(tr("life_finalists_first_stage", stage=tr(f"stage_{stage}")))
    else:
        cut = finalists.finalist_cut_of(con, cid, stage)
        just_picked = (st.session_state.get("pt.done") or ("",))[0] == "finalists"
        if cut and not just_picked:     # just picked: the outcome is said where the button was, nothing shifts it
            rule_text = tr(f"life_rule_{cut['rule']}", value=fmt_number(cut["value"], 0 if cut["rule"] == "top_n"
                                                                        else 2, L))
            st.success(tr("life_finalists_made", n=len(cut["finalists"]), stage=tr(f"stage_{stage}"), rule=rule_text,
                          by=cut["picked_by"], at=_when(cut["picked_at"])))
        st.caption(tr("life_finalists_help", source=tr(f"stage_{source}"), stage=tr(f"stage_{stage}")))
        rule = st.radio(tr("life_cut_rule"), ["top_n", "min_score"], horizontal=True, key="pt.cut_rule",
                        format_func=lambda r: tr(f"life_cut_{r}"))
        if rule == "top_n":
            value = float(st.number_input(tr("life_cut_n"), min_value=0, value=5, step=1, key="pt.cut_n"))
        else:
            value = float(st.number_input(tr("life_cut_min"), min_value=0.0, max_value=100.0, value=70.0, step=0.5,
                                          key="pt.cut_min"))
        try:
            preview = finalists.finalist_preview(con, user, cid, stage, rule, value)
        except UserError as err:
            show_denied(err)
        else:
            n_in = int(preview["finalist"].sum())
            st.write(tr("life_cut_preview", n=n_in, total=preview.height))
            dataframe(preview.select(
                pl.col("cut_place").alias(tr("life_col_place")), pl.col("posyandu_name").alias(tr("judging_col_posyandu")),
                pl.col("desa_name").alias(tr("judging_col_desa")),
                pl.col("total").map_elements(lambda v: fmt_number(v, 2, L), return_dtype=pl.String)
                .alias(tr("life_col_total")),
                pl.col("finalist").replace_strict({True: tr("life_finalist_yes"), False: ""}, return_dtype=pl.String)
                .alias(tr("life_col_finalist"))), hide_index=True, key="pt.cut_preview")
            _flash("finalists")     # where the button was, so it is on screen: the table above is long
            if st.button(tr("life_cut_save", n=n_in, stage=tr(f"stage_{stage}")), type="primary", key="pt.cut_save"):
                try:
                    picked = finalists.pick_finalists(con, user, cid, stage, rule, value)
                    _done("finalists", "life_finalists_saved", n=len(picked), stage=tr(f"stage_{stage}"))
                    st.rerun()
                except UserError as err:
                    show_denied(err)

with tabs[4]:
    status = publication.stage_status(con, cid)
    life = {r["stage"]: r for r in publication.result_status(con, cid).iter_rows(named=True)}
    for r in status.iter_rows(named=True):
        info = life.get(r["stage"], {})
        label = tr("stage_" + r["stage"])
        if info.get("status") == "provisional":
            state = tr("life_status_provisional", deadline=_when(info["protest_deadline"]))
        elif info.get("status") == "final":
            state = tr("life_status_final", when=_when(info["declared_final_at"] or r["finalized_at"]))
        else:
            state = tr("judging_status_open")
        st.write(f"**{label}** — {state} · {tr('judging_snapshots', n=r['snapshots'])}")
    _flash("publish")
    mine = life.get(stage, {})
    final = mine.get("finalized_at") is not None
    if not final:
        st.caption(tr("life_finalise_help", days=contest_rules.rules(con, cid)["protest_days"]) + " "
                   + tr("contest_rules_on_lomba"))
        if st.button(tr("judging_finalise", stage=tr(f"stage_{stage}")), type="primary", key="pt.finalise"):
            publication.finalise_stage(con, user, cid, stage)
            _done("publish", "life_finalised", stage=tr(f"stage_{stage}"))
            st.rerun()
    elif mine.get("status") == "provisional":
        st.info(tr("life_provisional_help", deadline=_when(mine["protest_deadline"]), n=mine["unsettled"]))
        if st.button(tr("life_declare_final", stage=tr(f"stage_{stage}")), type="primary", key="pt.declare"):
            try:
                created = advancement.declare_final(con, user, cid, stage)
                _done("publish", "life_declared", stage=tr(f"stage_{stage}"), n=len(created))
                st.rerun()
            except UserError as err:
                show_denied(err)
        with st.form("pt.deadline"):
            st.caption(tr("life_deadline_help"))
            day = st.date_input(tr("life_deadline_date"), value=mine["protest_deadline"].date(), format="DD/MM/YYYY")
            close_now = st.checkbox(tr("life_deadline_close_now"))
            why = st.text_input(tr("judging_reason"), key="pt.deadline_reason")
            if st.form_submit_button(tr("life_deadline_save")):
                when = dt.datetime.now() if close_now else dt.datetime.combine(day, dt.time(23, 59, 59))
                try:
                    protests.set_protest_deadline(con, user, cid, stage, when, why)
                    _done("publish", "life_deadline_saved", stage=tr(f"stage_{stage}"))
                    st.rerun()
                except UserError as err:
                    show_denied(err)
    else:
        went_up = advancement.advanced_from(con, cid)
        if went_up.height:
            st.warning(tr("contest_reopen_will_withdraw", n=went_up.height,
                          parent=went_up["target_name"][0] or went_up["target_competition_id"][0],
                          posyandu=", ".join(went_up["posyandu_name"])))
        with st.form("pt.reopen_stage"):
            reason = st.text_input(tr("judging_reason"))
            if st.form_submit_button(tr("judging_reopen_stage", stage=tr(f"stage_{stage}"))):
                try:
                    withdrawn = advancement.reopen_stage(con, user, cid, stage, reason)
                    if withdrawn:
                        _done("publish", "contest_reopened_withdrawn", stage=tr(f"stage_{stage}"), n=len(withdrawn),
                              posyandu=", ".join(withdrawn))
                    else:
                        _done("publish", "contest_reopened", stage=tr(f"stage_{stage}"))
                    st.rerun()
                except UserError as err:
                    show_denied(err)
    published = publication.published_results(con, cid)
    PUBLISHED_COLUMNS = {   # the frozen table as organisers read it: translated headers, scores in one format
        "rank_final": st.column_config.NumberColumn(tr("pages_rank"), format="%d"),
        "posyandu_name": tr("judging_col_posyandu"), "desa_name": tr("judging_col_desa"),
        "kecamatan_name": tr("judging_col_kecamatan"),
        "total": tr("pages_total"),
        "award": tr("pages_award"), "strata": tr("pages_strata"),
        "advances": st.column_config.CheckboxColumn(tr("integrity_col_advances")),
        "tie_broken_by": tr("integrity_col_tie_broken_by"),
    }
    st.subheader(tr("judging_published"))
    if published.height:
        shown = [c for c in PUBLISHED_COLUMNS if c in published.columns]
        # numbers and strata as the berita acara prints them: 90,31 and Mandiri (not 90.31 and mandiri)
        readable = published.with_columns(
            pl.col("total").map_elements(lambda v: fmt_number(v, 2, L), return_dtype=pl.String),
            pl.col("strata").map_elements(lambda s: tr(f"strata_{s}"), return_dtype=pl.String))
        dataframe(readable.select(shown), hide_index=True, column_config={c: PUBLISHED_COLUMNS[c] for c in shown})
    else:
        st.info(tr("judging_nothing_published"))

with tabs[5]:
    texts = {c.id: c.text for c in read_instrument(con, ctx.instrument_id).criteria}
    filed = protests.protests_frame(con, user, cid)
    st.subheader(tr("life_protests"))
    if filed.height == 0:
        st.caption(tr("life_protests_none"))
    else:
        dataframe(filed.select(
            pl.col("protest_id").alias("#"), pl.col("stage").map_elements(lambda v: tr(f"stage_{v}"),
                                                                           return_dtype=pl.String).alias(tr("stage")),
            pl.col("posyandu_name").alias(tr("judging_col_posyandu")),
            pl.col("criteria").list.join(", ").alias(tr("life_col_criteria")),
            pl.col("reason").alias(tr("life_col_reason")),
            pl.format("{} ({})", "filed_by", "filed_role").alias(tr("life_col_filed_by")),
            pl.col("status").map_elements(lambda v: tr(f"life_protest_{v}"), return_dtype=pl.String)
            .alias(tr("judging_col_status")),
            pl.col("decision_note").fill_null("").alias(tr("life_col_note"))), hide_index=True, key="pt.protests")
    _flash("decide")
    pending = filed.filter(pl.col("status") == "open")
    if pending.height:
        labels = {r["protest_id"]: f"#{r['protest_id']} · {r['posyandu_name']} · {', '.join(r['criteria'])}"
                  for r in pending.iter_rows(named=True)}
        with st.form("pt.decide"):
            pick = st.selectbox(tr("life_decide_which"), list(labels), format_func=labels.get)
            decision = st.radio(tr("life_decide"), ["upheld", "rejected"], horizontal=True,
                                format_func=lambda d: tr(f"life_decide_{d}"))
            note = st.text_input(tr("life_decide_note"))
            if st.form_submit_button(tr("life_decide_save"), type="primary"):
                try:
                    protests.decide_protest(con, user, int(pick), decision, note)
                    _done("decide", f"life_decided_{decision}", id=pick)
                    st.rerun()
                except UserError as err:
                    show_denied(err)
    provisional = [s_ for s_, r in life.items() if r["status"] == "provisional"]
    st.subheader(tr("life_file_for_entrant"))
    _flash("file")
    if not provisional:
        st.caption(tr("life_file_none_provisional"))
    else:
        with st.form("pt.file"):
            p_stage = st.selectbox(tr("stage"), provisional, format_func=lambda v: tr(f"stage_{v}"),
                                   index=provisional.index(stage) if stage in provisional else 0)
            p_entrant = st.selectbox(tr("judging_entrant"), sorted(names, key=names.__getitem__), index=None,
                                     format_func=names.get, placeholder=tr("judging_choose"))
            p_crit = st.multiselect(tr("life_col_criteria"), list(texts), placeholder=tr("choose_options"),
                                    format_func=lambda c: f"{c} · {texts[c]}")
            p_reason = st.text_area(tr("life_file_reason"))
            if st.form_submit_button(tr("life_file_save")):
                try:
                    if p_entrant is None:
                        raise UserError("contest_protest_pick_entrant")
                    pid = protests.file_protest(con, user, cid, p_stage, p_entrant, p_crit, p_reason)
                    _done("file", "life_filed", id=pid)
                    st.rerun()
                except UserError as err:
                    show_denied(err)
