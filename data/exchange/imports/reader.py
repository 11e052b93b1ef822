"""Reading a user's file into rows, refusing what is not a clean table, with the place of every problem.

Accepts .xlsx (openpyxl, read-only, so large files stream) and CSV (UTF-8, comma or semicolon, as Excel in an
Indonesian locale writes it). Refused with a specific message: not a spreadsheet at all, old .xls, a broken
file, a CSV in another encoding, an empty sheet, merged cells, formulas, too large a file.
Row numbers are the ones the user sees in Excel: 1-based, the header row included.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

import openpyxl
from openpyxl.utils import get_column_letter

from data.exchange.problems import Problem

MAX_BYTES = 25 * 1024 * 1024      # an upload larger than this is refused before it is parsed
MAX_ROWS = 100_000                # data rows per sheet
MAX_CELL_CHARS = 32_767           # Excel's own limit per cell; no name, code or note is longer

_MERGE = re.compile(rb'<mergeCell\s+ref="([A-Z]+\d+:[A-Z]+\d+)"')


@dataclass
class Table:
    """One sheet (or CSV) as a header and its data rows, each row with its Excel row number."""

    file: str
    sheet: str | None
    header: list[str]
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)
    header_row: int = 1

    def column_label(self, index: int) -> str:
        """"C (kode_desa)": the letter the user sees and the header text."""
        name = self.header[index] if index < len(self.header) else ""
        return f"{get_column_letter(index + 1)} ({name})" if name else get_column_letter(index + 1)


def sniff_kind(data: bytes, file_name: str) -> str:
    """xlsx, xls, csv or other, from the bytes first and the file name second."""
    if data[:4] == b"PK\x03\x04":
        return "xlsx"
    if data[:8] == bytes.fromhex("D0CF11E0A1B11AE1"):
        return "xls"
    if file_name.lower().endswith((".csv", ".txt")):
        return "csv"
    return "other"


def read_table(data: bytes, file_name: str, sheet: str | None = None, max_rows: int = MAX_ROWS,
               max_bytes: int = MAX_BYTES) -> tuple[Table | None, list[Problem]]:
    """The table in `data` (the sheet named `sheet`, else the first one), or None and the problems why not."""
    def fail(key: str, **detail: Any) -> tuple[None, list[Problem]]:
        return None, [Problem(file_name, None, None, None, key, detail)]

    if not data:
        return fail("exchange_file_empty")
    if len(data) > max_bytes:
        return fail("exchange_file_too_large", size_mb=round(len(data) / 1e6, 1),
                    limit_mb=round(max_bytes / 1e6, 1))
    kind = sniff_kind(data, file_name)
    if kind == "xls":
        return fail("exchange_xls_unsupported")
    if kind == "csv":
        return _read_csv(data, file_name, max_rows)
    if kind != "xlsx":
        return fail("exchange_not_a_spreadsheet")
    return _read_xlsx(data, file_name, sheet, max_rows)


def _read_csv(data: bytes, file_name: str, max_rows: int) -> tuple[Table | None, list[Problem]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        return None, [Problem(file_name, None, None, None, "exchange_csv_encoding",
                              {"position": err.start})]
    lines = text.splitlines()
    if not any(line.strip() for line in lines):
        return None, [Problem(file_name, None, None, None, "exchange_sheet_empty", {"sheet": file_name})]
    first = next(line for line in lines if line.strip())
    delimiter = ";" if first.count(";") > first.count(",") else ("\t" if "\t" in first else ",")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    table: Table | None = None
    problems: list[Problem] = []
    number = 0
    while True:
        number += 1
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as err:
            return None, [_csv_problem(err, text, reader.line_num, delimiter, file_name, number)]
        cells: list[Any] = [v if v.strip() else None for v in values]
        problems.extend(_long_cell(file_name, None, number, i, len(v)) for i, v in enumerate(values)
                        if len(v) > MAX_CELL_CHARS)
        if not any(c is not None for c in cells):
            continue
        if table is None:
            table = Table(file_name, None, [str(c or "").strip() for c in cells], header_row=number)
            continue
        if len(table.rows) >= max_rows:
            return None, [Problem(file_name, None, number, None, "exchange_too_many_rows", {"limit": max_rows})]
        table.rows.append((number, cells))
    if table is None or not table.rows:
        return None, [Problem(file_name, None, None, None, "exchange_sheet_empty", {"sheet": file_name})]
    return table, problems


def _csv_problem(err: csv.Error, text: str, line_num: int, delimiter: str, file_name: str, number: int) -> Problem:
    """The csv module's refusal as a Problem at its row: a field over its limit (128 KB), found on the physical
    line the reader stopped at to name its column, or a malformed line (a stray NUL byte, say)."""
    if "field larger" not in str(err):
        return Problem(file_name, None, number, None, "safety_csv_malformed", {})
    lines = text.split("\n")
    line = (lines[line_num - 1] if 0 < line_num <= len(lines) else "").rstrip("\r")
    parts = line.split(delimiter)
    index = next((i for i, part in enumerate(parts) if len(part) > MAX_CELL_CHARS), None)
    return Problem(file_name, None, number, get_column_letter(index + 1) if index is not None else None,
                   "safety_cell_too_long", {"length": len(parts[index]) if index is not None else len(line),
                                            "limit": MAX_CELL_CHARS})


def _long_cell(file_name: str, sheet: str | None, row: int, index: int, length: int) -> Problem:
    return Problem(file_name, sheet, row, get_column_letter(index + 1), "safety_cell_too_long",
                   {"length": length, "limit": MAX_CELL_CHARS})


def _merged_ranges(data: bytes, worksheet_path: str | None) -> list[str]:
    if not worksheet_path:
        return []
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        try:
            xml = z.read(worksheet_path.lstrip("/"))
        except KeyError:
            return []
    return [m.decode() for m in _MERGE.findall(xml)]


def _read_xlsx(data: bytes, file_name: str, sheet: str | None,
               max_rows: int) -> tuple[Table | None, list[Problem]]:
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as err:  # zip, XML and openpyxl errors all mean the same thing to the user
        return None, [Problem(file_name, None, None, None, "exchange_file_corrupt", {"error": type(err).__name__})]
    try:
        names = wb.sheetnames
        if not names:
            return None, [Problem(file_name, None, None, None, "exchange_sheet_empty", {"sheet": ""})]
        name = sheet if sheet in names else names[0]
        ws = wb[name]
        problems = [Problem(file_name, name, None, None, "exchange_merged_cells", {"range": r})
                    for r in _merged_ranges(data, getattr(ws, "_worksheet_path", None))]
        table: Table | None = None
        for number, row in enumerate(ws.iter_rows(), start=1):
            values = [c.value for c in row]
            cells = [None if isinstance(v, str) and not v.strip() else v for v in values]
            if not any(c is not None for c in cells):
                continue
            for i, c in enumerate(row):
                # A real formula (cell type "f") is refused; text that merely starts with "=" is a value.
                if c.data_type == "f":
                    problems.append(Problem(file_name, name, number, get_column_letter(i + 1),
                                            "exchange_formula_cell", {"formula": str(c.value)[:60]}))
                elif isinstance(c.value, str) and len(c.value) > MAX_CELL_CHARS:
                    problems.append(_long_cell(file_name, name, number, i, len(c.value)))
            if table is None:
                table = Table(file_name, name, [str(c).strip() if c is not None else "" for c in cells],
                              header_row=number)
                continue
            if len(table.rows) >= max_rows:
                return None, [Problem(file_name, name, number, None, "exchange_too_many_rows",
                                      {"limit": max_rows})]
            table.rows.append((number, cells))
        if table is None or not table.rows:
            return None, problems + [Problem(file_name, name, None, None, "exchange_sheet_empty", {"sheet": name})]
        return table, problems
    finally:
        wb.close()


def read_key_values(data: bytes, sheet: str) -> dict[str, str]:
    """A two-column "key | value" sheet (a template's Info sheet) as a dict; {} when absent or not xlsx."""
    if data[:4] != b"PK\x03\x04":
        return {}
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # a broken workbook is reported by read_table; here it simply has no info
        return {}
    try:
        if sheet not in wb.sheetnames:
            return {}
        out: dict[str, str] = {}
        for row in wb[sheet].iter_rows(min_row=1, max_row=50, max_col=2, values_only=True):
            if row and row[0] is not None and len(row) > 1 and row[1] is not None:
                out[str(row[0]).strip()] = str(row[1]).strip()
        return out
    finally:
        wb.close()
