"""Blocks of the results people share (#17) that more than one page draws."""

from __future__ import annotations

import polars as pl
import streamlit as st

from present.fmt import fmt_int
from present.share_tables import change_rows
from ui.language import tr
from ui.safe import plain
from ui.share import moved_since
from ui.tables import dataframe


def show_change_since(shown: pl.DataFrame, competition_id: str, stage: str | None, fields: list[str],
                      lang: str) -> None:
    """Rank and final score then and now, and each field's change, for the entrants shown that were in the
    previous round too (matched by posyandu)."""
    got = moved_since(shown, competition_id, stage, fields)
    if got is None:
        st.info(tr("share_since_none"))
        return
    rounds, moved = got
    if len(rounds) == 1:
        st.subheader(tr("share_since_title", name=plain(rounds[0]["name"]), year=rounds[0]["year"]))
    else:       # posyandu that moved up a level are compared with the round they were in
        st.subheader(tr("share_since_title_many"))
        st.caption(tr("share_since_many_help"))
    st.caption(tr("share_since_count", n=fmt_int(moved.height, lang), shown=fmt_int(shown.height, lang)))
    dataframe(change_rows(moved, fields, lang, with_round=len(rounds) > 1), hide_index=True, key="share_since_table")


def show_summary(table: pl.DataFrame, competition_id: str, stage: str | None, entrant_id: str, lang: str,
                 moved: pl.DataFrame | None = None) -> None:
    """The entrant's field awards, its plain-language summary and its scorecard image to download (PNG for
    WhatsApp). `moved` is the entrant's `ui.share.moved_since` frame, when the page has it already."""
    from present.scorecard_image import scorecard_png
    from present.summary import field_award_text, summary_clauses, summary_text
    from scoring.summary import entrant_figures
    from ui import cached
    from ui.downloads import file_download
    from ui.share import competition_row, field_award_winners

    field_awards = field_award_winners(competition_id, stage)
    if field_awards is not None:
        won = field_awards.filter(pl.col("entrant_id") == entrant_id).select("spm_field", "field_rank").rows()
        if won:
            st.success(" · ".join(field_award_text(f, int(place), lang) for f, place in won),
                       icon=":material/military_tech:")

    if moved is None:
        got = moved_since(table.filter(pl.col("entrant_id") == entrant_id), competition_id, stage, [])
        moved = got[1] if got is not None else None
    year = moved["round_year"][0] if moved is not None and moved.height else None
    fig = entrant_figures(table, cached.fix_first(competition_id, stage, entrant_id), entrant_id, moved=moved,
                          previous_year=year, field_awards=field_awards)
    words = cached.criteria_texts(competition_id, stage)
    texts = dict(zip(words["criterion_id"], words["text"], strict=True))
    st.subheader(tr("share_sum_title"))
    said = summary_text(summary_clauses(fig, texts, lang))
    if said:
        st.info(plain(said), icon=":material/summarize:")     # criterion texts and awards are typed by people
        st.caption(tr("share_sum_help"))
    name = (competition_row(competition_id) or {}).get("name", competition_id)
    from ui.share import is_imported

    footer = tr("share_imported_note") if is_imported(competition_id) else tr("share_img_footer", competition=name)
    file_download(st, tr("share_img_download"), lambda: scorecard_png(fig, name, texts, lang, footer=footer),
                  file_name=f"kartu-skor-{competition_id}-{entrant_id}.png", mime="image/png",
                  key="profil_scorecard_png", icon=":material/image:")


def show_field_awards(table: pl.DataFrame, competition_id: str, stage: str | None, lang: str) -> None:
    """The declared field awards ("Juara bidang …") with their winners; nothing when none are declared."""
    from present.share_tables import field_award_rows
    from ui.share import field_award_winners

    won = field_award_winners(competition_id, stage)
    if won is None:
        return
    st.subheader(tr("share_field_title"))
    if won.height == 0:
        st.caption(tr("share_field_none_scored"))
        return
    dataframe(field_award_rows(won, table, lang), hide_index=True, key="share_field_awards")


def field_awards_setting(con, user, competition_id: str) -> None:  # noqa: ANN001 - a cursor and a User
    """The panitia's setting of the field awards on the Lomba page (saved on its own, audited)."""
    from data.share.field_awards import MAX_PLACES, declared_places, set_places
    from present.errors import UserError
    from ui.auth import show_denied

    st.subheader(tr("share_field_title"))
    c1, c2 = st.columns([1, 2], vertical_alignment="bottom")
    old = declared_places(con, competition_id)
    places = int(c1.number_input(tr("share_field_places"), 0, MAX_PLACES, old, help=tr("share_field_places_help"),
                                 key=f"lomba.field_awards.{competition_id}"))
    if c2.button(tr("share_field_save"), key="lomba.field_awards.save", disabled=places == old):
        try:
            set_places(con, user, competition_id, places)
        except UserError as err:
            show_denied(err)
        else:
            st.success(tr("share_field_saved"))


def release_feedback(con, user, competition_id: str, lang: str) -> None:  # noqa: ANN001 - a cursor and a User
    """The panitia's release of feedback links: make the missing ones (shown once, with a CSV), see each
    entrant's link status, revoke one."""
    import io

    from data.judging.publication import is_final
    from data.share import feedback
    from present.errors import UserError
    from present.fmt import fmt_date
    from ui.auth import show_denied

    st.caption(tr("share_fb_manage_help"))
    if flash := st.session_state.pop("feedback_flash", None):
        st.success(flash)
    if not is_final(con, competition_id):
        st.info(tr("share_fb_not_final"))
        return
    if st.button(tr("share_fb_release"), type="primary", key="feedback_release"):
        try:
            made = feedback.release(con, user, competition_id)
        except UserError as err:
            show_denied(err)
        else:
            base = (st.context.url or "").split("?")[0].rsplit("/", 1)[0]
            made = made.with_columns(pl.format(f"{base}/umpan_balik?entrant={{}}&t={{}}", "entrant_id", "token")
                                     .alias("link"))
            st.success(tr("share_fb_made", n=fmt_int(made.height, lang)))
            shown = made.select(pl.col("posyandu_name").alias(tr("pages_posyandu")),
                                pl.col("desa_name").alias(tr("pages_desa")),
                                pl.col("link").alias(tr("share_fb_col_link"))).to_pandas()
            dataframe(shown, hide_index=True, key="feedback_made")
            buf = io.StringIO()
            shown.to_csv(buf, index=False)
            st.download_button(tr("share_fb_links_csv"), buf.getvalue().encode("utf-8"),
                               file_name=f"tautan-umpan-balik-{competition_id}.csv", mime="text/csv",
                               key="feedback_links_csv", on_click="ignore")
    listed = feedback.links(con, competition_id)

    def status(r: dict) -> str:
        if r["open"]:
            return tr("share_fb_status_open", date=fmt_date(r["released_at"], lang))
        if r["revoked_at"] is not None:
            return tr("share_fb_status_revoked", date=fmt_date(r["revoked_at"], lang))
        return tr("share_fb_status_none")
    dataframe(pl.DataFrame({
        tr("pages_posyandu"): listed["posyandu_name"].to_list(),
        tr("pages_desa"): listed["desa_name"].fill_null("").to_list(),
        tr("share_fb_col_status"): [status(r) for r in listed.iter_rows(named=True)],
    }).to_pandas(), hide_index=True, key="feedback_links")
    opened = listed.filter(pl.col("open"))
    if opened.height:
        names = dict(zip(opened["entrant_id"], opened["posyandu_name"] + " · " + opened["desa_name"].fill_null(""),
                         strict=True))
        c1, c2 = st.columns([2, 1], vertical_alignment="bottom")
        pick = c1.selectbox(tr("share_fb_revoke_pick"), list(names), format_func=names.get, key="feedback_revoke_pick")
        if c2.button(tr("share_fb_revoke"), key="feedback_revoke"):
            feedback.revoke(con, user, competition_id, pick)
            st.session_state["feedback_flash"] = tr("share_fb_revoked", name=plain(names[pick]))
            st.rerun()


def imported_note(competition_id: str) -> None:
    """Say that a contest holds imported totals only (no criterion detail), when it does."""
    from ui.share import is_imported

    if is_imported(competition_id):
        st.info(tr("share_imported_note"), icon=":material/history_edu:")
