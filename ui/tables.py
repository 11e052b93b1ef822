"""Tables that say "nothing yet" in the user's language: Streamlit draws an empty frame with its English "empty"."""

from __future__ import annotations

from typing import Any

import streamlit as st

from ui.language import tr


def dataframe(data: Any, *, container: Any = st, empty_key: str = "integrity_table_empty", **kwargs: Any) -> Any:
    """`st.dataframe`, or a translated note (`empty_key`) when the table has no rows."""
    rows = data.data if hasattr(data, "export") and hasattr(data, "data") else data   # a pandas Styler: its frame
    if rows is None or len(rows) == 0:
        container.caption(tr(empty_key))
        return None
    return container.dataframe(data, **kwargs)
