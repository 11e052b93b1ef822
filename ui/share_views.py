"""Blocks of the results people share (#17) that more than one page draws."""

from __future__ import annotations

import polars as pl
import streamlit as st

from present.fmt import fmt_int
from present.share_tables import change_rows
from ui.language import tr
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
    prev, moved = got
    st.subheader(tr("share_since_title", name=prev["name"], year=prev["year"]))
    if moved.height == 0:
        st.caption(tr("share_since_nobody"))
        return
    st.caption(tr("share_since_count", n=fmt_int(moved.height, lang), shown=fmt_int(shown.height, lang)))
    dataframe(change_rows(moved, fields, lang), hide_index=True, key="share_since_table")


def show_summary(table: pl.DataFrame, competition_id: str, stage: str | None, entrant_id: str, lang: str) -> None:
    """The entrant's field awards, its plain-language summary and its scorecard image to download (PNG for
    WhatsApp)."""
    from present.scorecard_image import scorecard_png
    from present.summary import field_award_text, summary_clauses, summary_text
    from scoring.summary import entrant_figures
    from ui import cached
    from ui.downloads import file_download
    from ui.share import competition_row, field_award_winners

    field_awards = field_award_winners(competition_id, stage)
    if field_awards is not None:
        for f, place in field_awards.filter(pl.col("entrant_id") == entrant_id).select("spm_field", "field_rank").rows():
            st.success(field_award_text(f, int(place), lang), icon=":material/military_tech:")

    secs = [c[4:] for c in table.columns if c.startswith("sec_")]
    got = moved_since(table.filter(pl.col("entrant_id") == entrant_id), competition_id, stage, secs)
    moved, year = (got[1], got[0]["year"]) if got is not None else (None, None)
    fig = entrant_figures(table, cached.fix_first(competition_id, stage, entrant_id), entrant_id, moved=moved,
                          previous_year=year, field_awards=field_awards)
    words = cached.criteria_texts(competition_id)
    texts = dict(zip(words["criterion_id"], words["text"], strict=True))
    st.subheader(tr("share_sum_title"))
    said = summary_text(summary_clauses(fig, texts, lang))
    if said:
        st.info(said, icon=":material/summarize:")
        st.caption(tr("share_sum_help"))
    name = (competition_row(competition_id) or {}).get("name", competition_id)
    file_download(st, tr("share_img_download"),
                  lambda: scorecard_png(fig, name, texts, lang, footer=tr("share_img_footer", competition=name)),
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
