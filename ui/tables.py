"""Tables that say "nothing yet" in the user's language: Streamlit draws an empty frame with its English "empty"."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import polars as pl
import streamlit as st

from data.exchange.problems import problems_frame
from present.fmt import fmt_int
from ui.language import lang, tr

MISSING = "–"      # what an empty text cell shows
PAGE_ROWS = 500    # rows of a long table shown at once (a styled page stays far below the Styler's cell limit)


def styler_cell_limit() -> int:
    """The most cells Streamlit renders through a pandas Styler (pandas' `styler.render.max_elements`): beyond
    it `st.dataframe` raises instead of drawing, as Peringkat did for a 30,000-entrant contest (issue #15)."""
    return int(pd.get_option("styler.render.max_elements"))


def page_rows(n_columns: int) -> int:
    """Rows per page for a styled table of `n_columns` columns: PAGE_ROWS, fewer if a page would cross the limit."""
    return max(1, min(PAGE_ROWS, styler_cell_limit() // max(1, n_columns)))


def _page_count(n_rows: int, rows: int) -> int:
    return max(1, math.ceil(n_rows / rows))


def page_offset(key: str, n_rows: int, rows: int = PAGE_ROWS) -> int:
    """The first row of the page chosen in the page widget `key`, readable before the widget is drawn (a click
    on a row of page 3 is row 3 × rows + i of the whole table). A page beyond the table (a filter shrank it)
    becomes the last page."""
    pages = _page_count(n_rows, rows)
    page = st.session_state.get(key) or 1
    page = min(max(1, int(page)), pages)
    if key in st.session_state and st.session_state[key] != page:
        st.session_state[key] = page
    return (page - 1) * rows


def page_picker(n_rows: int, key: str, rows: int = PAGE_ROWS, container: Any = st) -> int:
    """For a table longer than `rows`: a page choice and a note saying the table is paged (and that downloads
    hold every row); returns the first row of the chosen page (0 and nothing drawn for a short table)."""
    if n_rows <= rows:
        return 0
    first = page_offset(key, n_rows, rows)
    pages = _page_count(n_rows, rows)
    container.number_input(tr("scale_table_page"), min_value=1, max_value=pages, step=1, key=key)
    L = lang()
    container.caption(tr("scale_table_paged", total=fmt_int(n_rows, L), first=fmt_int(first + 1, L),
                         last=fmt_int(min(n_rows, first + rows), L)))
    return first


def dataframe(data: Any, *, container: Any = st, empty_key: str = "integrity_table_empty", **kwargs: Any) -> Any:
    """`st.dataframe`, or a translated note (`empty_key`) when the table has no rows. A missing text shows as
    "–" (Streamlit would write the English "None" in the cell, as for a CSV's sheet in a problem list)."""
    rows = data.data if hasattr(data, "export") and hasattr(data, "data") else data   # a pandas Styler: its frame
    if rows is None or len(rows) == 0:
        container.caption(tr(empty_key))
        return None
    if isinstance(data, pl.DataFrame):
        data = data.with_columns(pl.col(pl.String).fill_null(MISSING))
    elif rows is not data and rows.size > styler_cell_limit():
        # a Styler beyond the cell limit would raise in Streamlit: the plain frame, and the page says why
        container.caption(tr("scale_table_unstyled", cells=fmt_int(int(rows.size), lang())))
        data = rows
    return container.dataframe(data, **kwargs)



def problems_table(problems: Any, *, container: Any = st) -> Any:
    """Every problem of an import as a table with the user's words as headers (file, sheet, row, column,
    reason): one place, so no page shows the frame's own column names. A sheet column that no problem fills
    (a CSV or a map file has no sheets) is left out."""
    frame = problems_frame(problems, lang())
    if frame["sheet"].null_count() == frame.height:
        frame = frame.drop("sheet")
    frame = frame.rename({c: tr(f"exchange_pcol_{c}") for c in frame.columns})
    return dataframe(frame, container=container, hide_index=True, width="stretch")
