"""Tables that say "nothing yet" in the user's language: Streamlit draws an empty frame with its English "empty"."""

from __future__ import annotations

from typing import Any

import polars as pl
import streamlit as st

from data.exchange.problems import problems_frame
from ui.language import lang, tr

MISSING = "–"      # what an empty text cell shows


def dataframe(data: Any, *, container: Any = st, empty_key: str = "integrity_table_empty", **kwargs: Any) -> Any:
    """`st.dataframe`, or a translated note (`empty_key`) when the table has no rows. A missing text shows as
    "–" (Streamlit would write the English "None" in the cell, as for a CSV's sheet in a problem list)."""
    rows = data.data if hasattr(data, "export") and hasattr(data, "data") else data   # a pandas Styler: its frame
    if rows is None or len(rows) == 0:
        container.caption(tr(empty_key))
        return None
    if isinstance(data, pl.DataFrame):
        data = data.with_columns(pl.col(pl.String).fill_null(MISSING))
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
