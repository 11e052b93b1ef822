"""Penilaian: a judge scores one assigned entrant at a time; every change is saved at once.

Single column for phones: criteria grouped by section (SPM field), options a–d as radio choices, a number input
with unit and threshold bands for nilai riil, evidence upload and notes. Submitting a finished form locks it.
"""

from __future__ import annotations

import streamlit as st

from data.instruments.persistence import read_instrument
from data.judging import assignments, evidence, evidence_access
from data.judging import forms as judging
from data.judging.contest_life import send_back
from data.store import reads
from present.errors import UserError
from present.fmt import fmt_number
from scoring.instrument import NO_CASE, Criterion
from ui.auth import current_user, require_role, show_denied
from ui.cached import pdf_preview
from ui.context import lang, sidebar_context, tr
from ui.downloads import store_download
from ui.safe import plain
from ui.state import get_con
from ui.uploads import file_upload

ERR_KEY = "pn.error"
NOTE_MAX_CHARS = 2000
DONE_KEY = "pn.done"
SENT_KEY = "pn.sent"      # the form just submitted: confirmed below it


def _save(cid: str, stage: str, entrant: str, judge: str, crit: str, part: str, key: str) -> None:
    """on_change: write the widget's value straight to the store (nothing waits for a Save button)."""
    value = st.session_state.get(key)
    if part == "note":
        value = (value or "").strip() or None
    try:
        judging.save_score(get_con(), current_user(), cid, stage, entrant, crit, judge_id=judge, **{part: value})
    except UserError as err:   # a refusal or a value the store will not take: shown in the judge's language
        st.session_state[ERR_KEY] = err
        del st.session_state[key]   # the widget shows the stored value again, not the refused one


def _no_case(cid: str, stage: str, entrant: str, judge: str, crit: str, key: str) -> None:
    """on_change of a nilai-riil criterion's "tidak ada kasus" box: the answer, or none (the value is typed next)."""
    try:
        judging.save_score(get_con(), current_user(), cid, stage, entrant, crit, judge_id=judge,
                           option_code=NO_CASE if st.session_state.get(key) else None)
    except UserError as err:
        st.session_state[ERR_KEY] = err
        del st.session_state[key]


def _upload(cid: str, stage: str, entrant: str, judge: str, crit: str, key: str, current: list[str]) -> None:
    file = st.session_state.get(key)
    if file is None or file.size > evidence.MAX_BYTES:   # too large: file_upload says so beside the widget
        return
    con, user = get_con(), current_user()
    stored = evidence.store_evidence(con, user, file.getvalue(), file.name, competition_id=cid, stage=stage,
                                     entrant_id=entrant, judge_id=judge, criterion_id=crit)
    if not stored.ok:
        st.session_state[ERR_KEY] = UserError(stored.message_key, **stored.detail)
        return
    if stored.sha256 not in current:
        try:
            judging.save_score(con, user, cid, stage, entrant, crit, judge_id=judge,
                               evidence=[*current, stored.sha256])
        except UserError as err:
            st.session_state[ERR_KEY] = err


def _answer(cid: str, stage: str, entrant: str, judge: str, crit: str, decision: str, reason_key: str,
            value_key: str, part: str) -> None:
    """on_click of a disagreement answer: keep the choice, or change it to what the form now shows."""
    reason = (st.session_state.get(reason_key) or "").strip()
    value = {part: st.session_state.get(value_key)} if decision == "changed" else {}
    try:
        send_back.answer_flag(get_con(), current_user(), cid, stage, entrant, crit, decision, reason,
                                 judge_id=judge, **value)
        st.session_state[DONE_KEY] = ("life_flag_answered", {"criterion": crit})
    except UserError as err:
        st.session_state[ERR_KEY] = err


def _flag_box(c: Criterion, flag: dict, key: str, part: str) -> None:
    """The send-back on one criterion: how far the judges differ, and keep / change with a short reason."""
    spread = (tr("life_spread_levels", n=fmt_number(flag["spread"], 0, lang())) if flag["kind"] == "choice"
              else tr("life_spread_pct", pct=fmt_number(flag["spread"], 0, lang())))
    if flag["decision"]:
        st.success(tr("life_flag_done", decision=tr(f"life_decision_{flag['decision']}"), reason=plain(flag["reason"])),
                   icon=":material/task_alt:")
        return
    st.warning(tr("life_flag_here", spread=spread), icon=":material/compare_arrows:")
    st.text_input(tr("life_flag_reason"), key=f"{key}.why", placeholder=tr("life_flag_reason_help"))
    b1, b2 = st.columns(2)
    b1.button(tr("life_keep"), key=f"{key}.keep", on_click=_answer,
              args=(*args, c.id, "kept", f"{key}.why", f"{key}.{'opt' if part == 'option_code' else 'real'}", part),
              width="stretch")
    b2.button(tr("life_changed"), key=f"{key}.chg", on_click=_answer,
              args=(*args, c.id, "changed", f"{key}.why", f"{key}.{'opt' if part == 'option_code' else 'real'}",
                    part), width="stretch")


def _remove(cid: str, stage: str, entrant: str, judge: str, crit: str, sha: str, name: str) -> None:
    """on_click: take a wrong upload off the score (audited; refused once the form is submitted)."""
    try:
        if evidence_access.remove_evidence(get_con(), current_user(), cid, stage, entrant, crit, sha, judge_id=judge):
            st.session_state[DONE_KEY] = ("integrity_evidence_removed", {"name": name})
    except UserError as err:
        st.session_state[ERR_KEY] = err


def _evidence_list(cid: str, stage: str, entrant: str, judge: str, crit: str, locked: bool) -> None:
    """Each attached file: its name and size, view (a photo, or a PDF's first pages, in the page), download, remove."""
    for f in evidence_access.score_evidence(con, user, cid, stage, entrant, judge, crit):
        key = f"pn.ev.{cid}.{stage}.{entrant}.{judge}.{crit}.{f.sha256[:16]}"
        row = st.columns([5, 2, 2, 2], vertical_alignment="center")
        row[0].caption(f":material/attach_file: {plain(f.original_name or f.sha256[:12])} · "
                       f"{fmt_number(f.size_bytes / 1024, 0, lang())} KB")
        show = row[1].toggle(tr("integrity_evidence_view"), key=f"{key}.view")
        store_download(row[2], tr("integrity_evidence_download"),
                       lambda cur, sha=f.sha256: evidence_access.open_evidence(cur, user, cid, stage, entrant, judge,
                                                                               crit, sha),
                       file_name=f.download_name, mime=f.mime_type, key=f"{key}.dl", icon=":material/download:")
        if not locked:
            row[3].button(tr("integrity_evidence_remove"), key=f"{key}.rm", icon=":material/delete:",
                          on_click=_remove, args=(cid, stage, entrant, judge, crit, f.sha256,
                                                  f.original_name or f.sha256[:12]))
        if show:
            data = evidence_access.open_evidence(con, user, cid, stage, entrant, judge, crit, f.sha256)
            if f.is_image:
                st.image(data, caption=f.original_name or None)
            else:
                _pdf_pages(f.sha256, data)


def _pdf_pages(sha256: str, data: bytes) -> None:
    """An attached PDF read in the page: its first pages as pictures, and how many more the download holds."""
    with st.spinner(tr("integrity_evidence_pdf_rendering")):
        preview = pdf_preview(sha256, data)
    if not preview.readable:
        st.warning(tr("integrity_evidence_pdf_unreadable"))
        return
    # Two pages a row (one on a phone, where columns stack); each is sent whole, so fullscreen reads the small print.
    cols = st.columns(2)
    for i, png in enumerate(preview.pages, start=1):
        cols[(i - 1) % 2].image(png, caption=tr("integrity_evidence_pdf_page", n=i, total=preview.page_count))
    if preview.page_count > len(preview.pages):
        st.caption(tr("integrity_evidence_pdf_more", n=preview.page_count - len(preview.pages)))


def _bands(c: Criterion) -> str:
    unit = f" {plain(c.unit)}" if c.unit else ""
    parts = [f"≥ {fmt_number(t.min_value, 0 if t.min_value == int(t.min_value) else 1, lang())}{unit}: "
             f"{fmt_number(t.points, 0, lang())}" for t in sorted(c.thresholds, key=lambda t: -t.min_value)]
    return tr("judging_bands", bands=" · ".join(parts))


ctx = sidebar_context(show_region=False, purpose="judging")
user = require_role(["juri", "panitia"])
con = get_con()
if ctx.competition_id is None:
    st.stop()
st.title(tr("judging_form_title"))

stages = reads.stages_frame(con, ctx.competition_id)["stage"].to_list()
stage = st.selectbox(tr("stage"), stages, index=stages.index(ctx.stage) if ctx.stage in stages else 0,
                     format_func=lambda s: tr(f"stage_{s}"), key="pn.stage")
assigned = assignments.assignments_frame(con, user, ctx.competition_id, stage)
if assigned.height == 0:
    st.info(tr("judging_no_assignments"))
    st.stop()

instrument = read_instrument(con, ctx.instrument_id)
n_criteria = len(instrument.criteria)
pairs = list(zip(assigned["entrant_id"], assigned["judge_id"], strict=True))
rows = {(r["entrant_id"], r["judge_id"]): r for r in assigned.iter_rows(named=True)}


def _label(pair: tuple[str, str]) -> str:
    r = rows[pair]
    mark = tr("judging_locked_mark") + " " if r["status"] == "submitted" else ""
    judge = f" · {r['judge_name']}" if user.role == "panitia" else ""
    return f"{mark}{r['posyandu_name']} — {r['desa_name'] or r['desa_code']} ({r['answered']}/{n_criteria}){judge}"


wanted = st.query_params.get("entrant")
start = next((i for i, p in enumerate(pairs) if p[0] == wanted), 0)
entrant, judge = st.selectbox(tr("judging_entrant"), pairs, index=start, format_func=_label, key="pn.pair")
cid = ctx.competition_id

if ERR_KEY in st.session_state:
    show_denied(st.session_state.pop(ERR_KEY))
if DONE_KEY in st.session_state:
    key, detail = st.session_state.pop(DONE_KEY)
    st.success(tr(key, **detail))

status = judging.form_status(con, user, cid, stage, entrant, judge)
final = reads.stage_dates(con, cid).filter(stage=stage)["finalized_at"][0] is not None
# After an upheld protest, just the protested criteria of this entrant are open again in a finalised stage.
reopened = judging.reopened_criteria(con, cid, stage, entrant) if final else set()
locked = status == "submitted" or (final and not reopened)
if final and reopened and status != "submitted":
    st.warning(tr("life_reopened_info", criteria=", ".join(sorted(reopened))), icon=":material/gavel:")
elif final:
    st.info(tr("judging_stage_final", stage=tr(f"stage_{stage}")))
elif locked:
    st.info(tr("judging_form_locked_info"))
flags = {r["criterion_id"]: r for r in send_back.entrant_flags(con, user, cid, stage, entrant, judge)
         .filter("involved").iter_rows(named=True)}
if flags and not locked:
    pending = [c for c, f in flags.items() if not f["decision"]]
    if pending:
        st.warning(tr("life_flags_banner", n=len(pending), criteria=", ".join(pending)),
                   icon=":material/compare_arrows:")

progress = judging.form_progress(con, user, cid, stage, entrant, judge)
done = {r["section_id"]: (r["answered"], r["total"]) for r in progress.iter_rows(named=True)}
answered = sum(a for a, _ in done.values())
st.progress(answered / max(n_criteria, 1), text=tr("judging_progress", done=answered, total=n_criteria))

scores = {r["criterion_id"]: r for r in judging.read_scores(con, user, cid, stage, entrant, judge).iter_rows(named=True)}
base = f"pn.{cid}.{stage}.{entrant}.{judge}"
args = (cid, stage, entrant, judge)

for section in instrument.sections:
    a, total = done.get(section.id, (0, len(section.criteria)))
    title = tr(f"field_{section.spm_field}") if section.spm_field else plain(
        section.title_en if lang() == "en" and section.title_en else section.title)
    attention = any(c.id in reopened or (c.id in flags and not flags[c.id]["decision"]) for c in section.criteria)
    with st.expander(f"{title} — {a}/{total}", expanded=(a < total and not locked) or attention,
                     icon=":material/check_circle:" if a == total else ":material/edit_note:"):
        for c in section.criteria:
            have = scores.get(c.id, {})
            frozen = locked or (final and c.id not in reopened)
            with st.container(border=True):
                st.markdown(f"**{plain(c.id)}** · {plain(c.text)}")
                if c.evidence:
                    st.caption(tr("judging_evidence_asked", evidence=plain("; ".join(c.evidence))))
                if c.kind == "choice":
                    codes = [o.code for o in c.options]
                    texts = {o.code: plain(f"{o.code}. {o.text}") for o in c.options}
                    if c.no_case_allowed:      # "tidak ada kasus / tidak berlaku": the criterion leaves the sum
                        codes.append(NO_CASE)
                        texts[NO_CASE] = tr("no_case_label")
                    current = have.get("option_code")
                    st.radio(tr("judging_choice"), codes, index=codes.index(current) if current in codes else None,
                             format_func=lambda code, texts=texts: texts[code], key=f"{base}.{c.id}.opt",
                             on_change=_save, args=(*args, c.id, "option_code", f"{base}.{c.id}.opt"),
                             disabled=frozen, label_visibility="collapsed")
                else:
                    unit = f" ({plain(c.unit)})" if c.unit else ""
                    no_case = have.get("option_code") == NO_CASE
                    if c.no_case_allowed:
                        st.checkbox(tr("no_case_label"), value=no_case, key=f"{base}.{c.id}.nc", disabled=frozen,
                                    on_change=_no_case, args=(*args, c.id, f"{base}.{c.id}.nc"),
                                    help=tr("no_case_help"))
                    # No min_value: Streamlit would silently reset a negative entry; the store refuses it with a reason.
                    st.number_input(tr("judging_real_value") + unit, value=have.get("real_value"),
                                    key=f"{base}.{c.id}.real", on_change=_save,
                                    args=(*args, c.id, "real_value", f"{base}.{c.id}.real"),
                                    disabled=frozen or no_case)
                    if c.thresholds:
                        st.caption(_bands(c))
                if c.id in flags and not frozen:
                    _flag_box(c, flags[c.id], f"{base}.{c.id}", "option_code" if c.kind == "choice" else "real_value")
                # A text area saves when the judge leaves it (blur), not only on Enter: a note typed and left
                # behind by tapping the next criterion is kept.
                st.text_area(tr("judging_note"), value=have.get("note") or "", key=f"{base}.{c.id}.note",
                             on_change=_save, args=(*args, c.id, "note", f"{base}.{c.id}.note"), disabled=frozen,
                             height=68, max_chars=NOTE_MAX_CHARS, help=tr("safety_note_help"))
                files = list(have.get("evidence") or [])
                if files:
                    _evidence_list(*args, c.id, frozen)
                if not frozen:   # saved by _upload as it arrives; a file over the limit is refused by file_upload
                    file_upload(st, tr("judging_evidence_upload"), types=evidence.ACCEPTED_EXTENSIONS,
                                max_mb=evidence.MAX_MEGABYTES, key=f"{base}.{c.id}.file",
                                help=tr("safety_evidence_help", max_mb=evidence.MAX_MEGABYTES),
                                on_change=_upload, args=(*args, c.id, f"{base}.{c.id}.file", files))

if not locked and st.button(tr("judging_submit"), type="primary", key="pn.submit"):
    try:
        missing = send_back.submit_form(con, user, cid, stage, entrant, judge)
    except send_back.DisagreementPending as err:
        st.warning(tr("life_flags_pending", n=len(err.criteria), criteria=", ".join(err.criteria)))
    except UserError as err:
        show_denied(err)
    else:
        if missing:
            st.warning(tr("judging_submit_missing", n=len(missing), criteria=plain(", ".join(missing))))
        else:
            # Said where the button was (a phone's screen is at the bottom of the form by now), on the next run.
            st.session_state[SENT_KEY] = (entrant, judge)
            st.rerun()
if st.session_state.get(SENT_KEY) == (entrant, judge) and locked:
    st.session_state.pop(SENT_KEY)
    st.success(tr("contest_form_sent", posyandu=plain(rows[(entrant, judge)]["posyandu_name"])),
               icon=":material/task_alt:")
