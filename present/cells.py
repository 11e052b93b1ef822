"""User text into spreadsheets and CSV files as text, never as a formula (OWASP "CSV injection").

A posyandu named `=HYPERLINK("http://x","y")` must stay a name in every workbook and CSV the product writes:
- xlsx written with xlsxwriter: `text_workbook` turns off the conversions that make `write()` store a string
  starting with "=" as a formula (or a URL as a link, or "1,5" as a number); `write_text` writes one cell as a
  string whatever it holds.
- xlsx written with openpyxl (directly or through pandas): `openpyxl_cells_as_text` marks every string cell
  that openpyxl took for a formula as a string again. These workbooks never carry formulas of their own.
- CSV: a cell starting with = + - @, tab or carriage return is prefixed with a single quote, as OWASP
  recommends, so a spreadsheet shows it as text. Numbers stay numbers (only text columns change).
An xlsx cell of string type is inert in Excel and LibreOffice whatever its first character, so no quote is
added there and the text round-trips exactly (a template holding such a name imports back unchanged).
"""

from __future__ import annotations

from typing import IO, Any, TypeVar

import pandas as pd
import polars as pl
import xlsxwriter

FORMULA_STARTS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")

XLSXWRITER_OPTIONS: dict[str, bool] = {
    "in_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}

Frame = TypeVar("Frame", pl.DataFrame, pd.DataFrame)


def text_workbook(target: IO[bytes] | str) -> xlsxwriter.Workbook:
    """An xlsxwriter workbook in which `write()` of a string always stores text."""
    return xlsxwriter.Workbook(target, dict(XLSXWRITER_OPTIONS))


def write_text(ws: Any, row: int, col: int, value: object, fmt: Any = None) -> None:
    """Write `value` as a string cell (empty for None), never as a formula, link or number."""
    ws.write_string(row, col, "" if value is None else str(value), fmt)


def openpyxl_cells_as_text(ws: Any) -> int:
    """Turn every cell openpyxl typed as a formula back into a string; returns how many were changed."""
    changed = 0
    for row in ws.iter_rows():
        for cell in row:
            if cell.data_type == "f" and isinstance(cell.value, str):
                cell.data_type = "s"
                changed += 1
    return changed


def neutralise(value: str) -> str:
    """The CSV form of one text cell: a leading = + - @ tab or CR is defused with a single quote."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def csv_safe(frame: Frame) -> Frame:
    """The frame with every text cell neutralised for CSV (polars or pandas; numbers untouched)."""
    if isinstance(frame, pl.DataFrame):
        starts = "^[" + "".join("\\" + c if c in "-+" else c for c in "=+-@") + "\t\r]"
        return frame.with_columns(
            pl.when(pl.col(c).str.contains(starts)).then(pl.lit("'") + pl.col(c)).otherwise(pl.col(c)).alias(c)
            for c, dtype in frame.schema.items() if dtype == pl.String)
    out = frame.copy()
    for c in out.columns:
        if out[c].dtype == object or pd.api.types.is_string_dtype(out[c].dtype):
            out[c] = out[c].map(lambda v: neutralise(v) if isinstance(v, str) else v)
    return out
