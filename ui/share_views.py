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
