"""An import's preview as people read it: translated headers, blanks for nothing, Indonesian numbers, Ya/Tidak.

No Streamlit, no store. The rows are the store's columns (`ImportPlan.preview`); what a column means is said
once here, in the message catalogue (`integrity_pcol_<column>`).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import polars as pl

from present.fmt import fmt_date
from present.i18n import t


def header(column: str, lang: str) -> str:
    """The translated header of a store column, or the column itself when the catalogue has none."""
    text = t(f"integrity_pcol_{column}", lang)
    return column if text.startswith("⟦") else text


def cell_text(value: object, lang: str) -> str:
    """One cell as text: nothing → blank, True/False → Ya/Tidak, numbers with the language's separators."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, bool):
        return t("exchange_yes" if value else "exchange_no", lang)
    if isinstance(value, int):
        text = f"{value:,}" if abs(value) >= 10_000 else str(value)
    elif isinstance(value, float):
        text = f"{value:,.6f}".rstrip("0").rstrip(".")
    elif isinstance(value, dt.date):
        return fmt_date(value, lang)
    elif isinstance(value, list | tuple):
        return ", ".join(cell_text(v, lang) for v in value)
    else:
        return str(value)
    if lang == "id":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


# Columns that hold a code of ours (a stage, an SPM field): the preview names it as the pages do.
_CODED = {"stage": "stage_", "stage_reached": "stage_", "spm_field": "field_"}


def coded_text(column: str, value: object, lang: str) -> str:
    """A stage or SPM field code in words (administrasi → Administrasi); any other cell as `cell_text`."""
    prefix = _CODED.get(column)
    if prefix and isinstance(value, str) and value:
        text = t(prefix + value, lang)
        return value if text.startswith("⟦") else text
    return cell_text(value, lang)


def import_preview(frame: pl.DataFrame, lang: str) -> pd.DataFrame:
    """Every cell of the preview as text under a translated header (Streamlit would print None and ids), stage
    and field codes in words."""
    data = {header(c, lang): [coded_text(c, v, lang) for v in frame[c].to_list()] for c in frame.columns}
    return pd.DataFrame(data, columns=list(data))
