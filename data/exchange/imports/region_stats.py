"""Import a regional statistics table as offices publish it (#18): one row per region (for example the 20
kecamatan of Kab. Kutai Kartanegara), any numeric columns with their meaning in the header ("Posyandu aktif",
"Kader purnama"), often a closing "Jumlah" row.

The region is named or coded in the first column; a name is looked up inside the region chosen on the page
(`data.exchange.region_names`, tolerant of prefixes and spellings, with suggestions when it misses). Every other
column is a measure: its header is kept as its meaning, every cell must be a number the Indonesian way (1.234,5).
A "Jumlah"/"Total" row (or one naming the enclosing region) is not stored: each of its figures must equal the sum
of the rows above it, so a table copied with a row missing is refused instead of drawn short. All or nothing;
every problem names the file, row, column and reason.
"""

from __future__ import annotations

import datetime as dt
import re

import duckdb
import polars as pl

from data.exchange.imports.common import ImportPlan, file_sha256, finish_plan, frame_from
from data.exchange.imports.reader import read_table
from data.exchange.parse_indonesian import Bad, is_blank, parse_int, parse_number
from data.exchange.problems import Problem
from data.exchange.region_names import clean_region_name, load_region_index

KIND = "region_stats"
SHEET = "Statistik"
# Headers that name the region column, with the level they imply (None: the level below the chosen region).
REGION_HEADERS: dict[str, int | None] = {
    "wilayah": None, "nama wilayah": None, "kode wilayah": None, "kode": None, "region": None,
    "provinsi": 1, "kabupaten": 2, "kabupaten kota": 2, "kota": 2, "kecamatan": 3, "distrik": 3,
    "desa": 4, "kelurahan": 4, "desa kelurahan": 4,
}
YEAR_HEADERS = ("tahun", "year")
TOTAL_WORDS = ("jumlah", "total", "jumlah total", "kabupaten", "kota")
# A published total may be rounded: it agrees with the rows' sum to within half a unit.
TOTAL_TOLERANCE = 0.5
WRITE_SCHEMA = {"code": pl.String, "year": pl.Int32, "measure": pl.String, "label": pl.String,
                "value": pl.Float64, "source": pl.String}


def measure_key(header: str) -> str:
    """A stable key for a column's meaning: "Posyandu Aktif (unit)" → "posyandu_aktif_unit"."""
    return re.sub(r"[^0-9a-z]+", "_", header.lower()).strip("_") or "kolom"


def _header_key(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", " ", text.lower()).strip()


def _is_total(text: str, scope_names: set[str]) -> bool:
    bare, _ = clean_region_name(text)
    return _header_key(text) in TOTAL_WORDS or bare in scope_names or _header_key(text).startswith("jumlah")


def validate(con: duckdb.DuckDBPyConnection, data: bytes, file_name: str, scope_code: str,
             year: int | None = None) -> ImportPlan:
    """Check a statistics table for the regions inside `scope_code` ("" for the whole country); `year` is the
    year of every row when the table has no "tahun" column."""
    plan = ImportPlan(KIND, file_name, file_sha256(data), scope=scope_code)
    table, problems = read_table(data, file_name, SHEET)
    plan.problems.extend(problems)
    if table is None:
        return plan
    sheet = table.sheet
    keys = [_header_key(h) for h in table.header]
    region_col = next((i for i, k in enumerate(keys) if k in REGION_HEADERS), 0 if keys else None)
    if region_col is None:
        plan.problems.append(Problem(file_name, sheet, table.header_row, None, "exchange_stats_no_region_column"))
        return plan
    year_col = next((i for i, k in enumerate(keys) if k in YEAR_HEADERS), None)
    measures = [i for i in range(len(keys)) if i not in (region_col, year_col) and keys[i]]
    if not measures:
        plan.problems.append(Problem(file_name, sheet, table.header_row, None, "exchange_stats_no_measure"))
    if year_col is None and year is None:
        plan.problems.append(Problem(file_name, sheet, table.header_row, None, "exchange_stats_no_year"))
    seen_measures: dict[str, int] = {}
    for i in measures:
        key = measure_key(table.header[i])
        if key in seen_measures:
            plan.problems.append(Problem(file_name, sheet, table.header_row, table.column_label(i),
                                         "exchange_stats_measure_twice",
                                         {"column": table.header[i], "first": table.column_label(seen_measures[key])}))
        seen_measures.setdefault(key, i)
    if plan.problems:
        return plan

    index = load_region_index(con)
    implied = REGION_HEADERS.get(keys[region_col])
    level = implied if implied is not None else (scope_code.count(".") + 2 if scope_code else 1)
    scope_names = {clean_region_name(index.names[scope_code])[0]} if scope_code in index else set()
    rows: list[dict] = []
    totals: list[tuple[int, dict[int, float]]] = []
    first_row: dict[tuple[str, int], int] = {}
    for row_no, cells in table.rows:
        cell = cells[region_col] if region_col < len(cells) else None
        if is_blank(cell):
            if any(not is_blank(c) for c in cells):
                plan.problems.append(Problem(file_name, sheet, row_no, table.column_label(region_col),
                                             "exchange_stats_region_missing"))
            continue
        text = str(cell).strip()
        values: dict[int, float] = {}
        for i in measures:
            raw = cells[i] if i < len(cells) else None
            got = parse_number(raw)
            if isinstance(got, Bad):
                plan.problems.append(Problem(file_name, sheet, row_no, table.column_label(i), got.key, got.detail))
            elif got is not None:
                values[i] = got
        if _is_total(text, scope_names):
            totals.append((row_no, values))
            continue
        code = _region_code(index, text, level, scope_code, plan, sheet, row_no, table.column_label(region_col))
        row_year = year
        if year_col is not None:
            y = parse_int(cells[year_col] if year_col < len(cells) else None)
            if isinstance(y, Bad) or y is None or not 2000 <= y <= dt.date.today().year + 1:
                plan.problems.append(Problem(file_name, sheet, row_no, table.column_label(year_col),
                                             "exchange_stats_bad_year", {"value": cells[year_col]}))
                continue
            row_year = y
        if code is None or row_year is None:
            continue
        if (code, row_year) in first_row:
            plan.problems.append(Problem(file_name, sheet, row_no, table.column_label(region_col),
                                         "exchange_duplicate_row", {"values": f"{index.label(code)} / {row_year}",
                                                                    "first_row": first_row[(code, row_year)]}))
            continue
        first_row[(code, row_year)] = row_no
        rows.extend({"code": code, "year": row_year, "measure": measure_key(table.header[i]),
                     "label": table.header[i].strip(), "value": v, "source": file_name} for i, v in values.items())
    for row_no, given in totals:           # a published total must be the sum of its rows
        for i, total in given.items():
            summed = sum(r["value"] for r in rows if r["measure"] == measure_key(table.header[i]))
            if abs(summed - total) > TOTAL_TOLERANCE:
                plan.problems.append(Problem(file_name, sheet, row_no, table.column_label(i),
                                             "exchange_stats_total_differs",
                                             {"total": total, "sum": summed, "column": table.header[i]}))
    if not rows and not plan.problems:
        plan.problems.append(Problem(file_name, sheet, None, None, "exchange_sheet_empty", {"sheet": sheet or ""}))
    if plan.problems:
        return plan
    plan.frames = {"region_stats": frame_from(rows, WRITE_SCHEMA)}
    plan.keys = {"region_stats": ("code", "year", "measure")}
    return finish_plan(con, plan)


def _region_code(index, text: str, level: int, scope_code: str, plan: ImportPlan,  # noqa: ANN001 - RegionIndex
                 sheet: str | None, row_no: int, column: str) -> str | None:
    """The Kemendagri code of the region a row names (a code or a name inside `scope_code`), or None with the
    problem added to `plan`."""
    if re.fullmatch(r"\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?", text):
        if text not in index or not (not scope_code or text == scope_code or text.startswith(scope_code + ".")):
            plan.problems.append(Problem(plan.file_name, sheet, row_no, column, "exchange_stats_region_outside",
                                         {"value": text, "scope": index.label(scope_code) if scope_code else ""}))
            return None
        return text
    hit = index.resolve(text, level, scope_code or None)
    if hit.code is None:
        plan.problems.append(Problem(plan.file_name, sheet, row_no, column, "exchange_unknown_region_name",
                                     {"value": text, "suggestions": ", ".join(hit.suggestions) or "–"}))
    return hit.code
