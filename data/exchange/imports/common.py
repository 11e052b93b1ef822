"""The pipeline every import shares: read → map headers → parse cells → check → plan; then write all or nothing.

An importer declares its columns once (`Column`); `parse_table` turns a `Table` into typed row dicts and the
problems of every cell; the importer adds its own checks (references, duplicates) and returns an `ImportPlan`.
`write_plan` writes a plan in ONE `store.transaction`, in chunks with a progress callback, and records the
file's hash in `import_batches`: the same file twice is a no-op, and upserts on natural keys mean even a
re-saved copy of the file creates no duplicates.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import duckdb
import polars as pl
from rapidfuzz import fuzz, process

from data import store
from data.exchange.imports.reader import Table, read_table
from data.exchange.parse_indonesian import (
    Bad,
    is_blank,
    normalize_region_code,
    parse_bool,
    parse_date,
    parse_int,
    parse_number,
    parse_phone,
    parse_text,
)
from data.exchange.problems import Problem
from data.judging.accounts import USERNAME
from data.judging.audit import record_frame_changes
from data.store import audit
from present.errors import BadInput
from present.i18n import LANGUAGES, t
from scoring.fields import OTHER_SECTIONS, SPM_FIELDS

Progress = Callable[[int, int], None]      # (rows written, rows in all)
CHUNK_ROWS = 2_000


@dataclass(frozen=True)
class Column:
    """One column of an import: its header, how its cells are read and what is allowed."""

    name: str
    kind: str = "text"          # text, int, number, date, bool, region, phone, choice, username
    required: bool = False      # the column must be in the file and every row must fill it
    aliases: tuple[str, ...] = ()
    choices: dict[str, str] = field(default_factory=dict)   # typed text (normalised) → stored value
    min: float | None = None
    max: float | None = None
    example: object = None      # shown in the template's first row


def norm_header(text: str) -> str:
    """"Kode Desa " → "kode_desa": headers compare without case, spaces or punctuation."""
    return re.sub(r"[^a-z0-9]+", "_", str(text).strip().lower()).strip("_")


def _parse_cell(col: Column, value: object) -> object:
    kind = col.kind
    if kind == "text":
        return parse_text(value)
    if kind == "int":
        return parse_int(value)
    if kind == "number":
        return parse_number(value)
    if kind == "date":
        return parse_date(value)
    if kind == "bool":
        return parse_bool(value)
    if kind == "phone":
        return parse_phone(value)
    if kind == "region":
        return normalize_region_code(value)
    if kind == "username":
        text = parse_text(value)      # the one username rule of the form, the command line and this import
        if text is None:
            return None
        return text if USERNAME.match(text) and text != "publik" else Bad("exchange_username_bad", {"value": text})
    if kind == "choice":
        text = parse_text(value)
        if text is None:
            return None
        hit = col.choices.get(norm_header(text))
        if hit is None:
            return Bad("exchange_not_a_choice", {"value": text, "allowed": sorted(set(col.choices.values()))})
        return hit
    raise LookupError(f"unknown column kind {kind!r}")   # a Column declared wrongly: a bug, not bad input


@dataclass
class Mapped:
    """Header positions: canonical column name → index in the table's row."""

    index: dict[str, int]
    extra: dict[str, int]       # headers the importer did not declare (normalised name → index)


def map_headers(table: Table, columns: Sequence[Column], allow_extra: bool = False,
                known_extra: Sequence[str] = ()) -> tuple[Mapped, list[Problem]]:
    """Find each declared column by name or alias; missing required columns and unknown headers are problems."""
    problems: list[Problem] = []
    lookup: dict[str, str] = {}
    for c in columns:
        for alias in (c.name, *c.aliases):
            lookup[norm_header(alias)] = c.name
    ignorable = {norm_header(x) for x in known_extra}
    index: dict[str, int] = {}
    extra: dict[str, int] = {}
    for i, raw in enumerate(table.header):
        h = norm_header(raw)
        if not h:
            if any(row[i] is not None for _, row in table.rows if i < len(row)):
                problems.append(Problem(table.file, table.sheet, table.header_row, table.column_label(i),
                                        "exchange_blank_header", {}))
            continue
        name = lookup.get(h)
        if name is None:
            if h in ignorable or allow_extra:
                extra[h] = i
                continue
            guess = process.extractOne(h, list(lookup), scorer=fuzz.ratio, score_cutoff=70)
            problems.append(Problem(table.file, table.sheet, table.header_row, table.column_label(i),
                                    "exchange_unknown_column",
                                    {"header": raw, "suggestion": lookup[guess[0]] if guess else "–"}))
            continue
        if name in index:
            problems.append(Problem(table.file, table.sheet, table.header_row, table.column_label(i),
                                    "exchange_duplicate_column", {"header": raw}))
            continue
        index[name] = i
    for c in columns:
        if c.required and c.name not in index:
            problems.append(Problem(table.file, table.sheet, table.header_row, c.name,
                                    "exchange_missing_column", {"column": c.name}))
    return Mapped(index, extra), problems


def parse_table(table: Table, columns: Sequence[Column], mapped: Mapped) -> tuple[list[dict[str, Any]], list[Problem]]:
    """Every row as {column: typed value, "_row": excel row}; every unreadable or missing cell a problem."""
    problems: list[Problem] = []
    out: list[dict[str, Any]] = []
    present = [(c, mapped.index[c.name]) for c in columns if c.name in mapped.index]
    for number, cells in table.rows:
        rec: dict[str, Any] = {"_row": number}
        for col, i in present:
            raw = cells[i] if i < len(cells) else None
            label = table.column_label(i)
            if is_blank(raw):
                rec[col.name] = None
                if col.required:
                    problems.append(Problem(table.file, table.sheet, number, label, "exchange_required_blank",
                                            {"column": col.name}))
                continue
            value = _parse_cell(col, raw)
            if isinstance(value, Bad):
                problems.append(Problem(table.file, table.sheet, number, label, value.key, value.detail))
                rec[col.name] = None
                continue
            if isinstance(value, int | float) and not isinstance(value, bool) and (
                    (col.min is not None and value < col.min) or (col.max is not None and value > col.max)):
                problems.append(Problem(table.file, table.sheet, number, label, "exchange_value_out_of_range",
                                        {"value": raw, "min": _num(col.min), "max": _num(col.max)}))
                rec[col.name] = None
                continue
            rec[col.name] = value
        out.append(rec)
    return out, problems


@dataclass
class Sheet:
    """A sheet read, its headers mapped and its rows parsed: where every list importer's own checks start."""

    table: Table
    mapped: Mapped
    records: list[dict[str, Any]]
    labels: dict[str, str]   # declared column → the header as the user wrote it, for problems


def read_sheet(plan: ImportPlan, data: bytes, sheet: str, columns: Sequence[Column],
               known_extra: Sequence[str] = (), one_of: Sequence[str] = ()) -> Sheet | None:
    """Read, map and parse one sheet, adding every problem to `plan`; None when the file or its columns are wrong
    (then per-row problems would only be noise). `one_of`: at least one of these columns must be present."""
    table, problems = read_table(data, plan.file_name, sheet)
    plan.problems.extend(problems)
    if table is None:
        return None
    mapped, problems = map_headers(table, columns, known_extra=known_extra)
    plan.problems.extend(problems)
    if one_of and not any(c in mapped.index for c in one_of):
        plan.problems.append(Problem(plan.file_name, table.sheet, table.header_row, one_of[0],
                                     "exchange_missing_column", {"column": one_of[0]}))
    if plan.problems:
        return None
    records, problems = parse_table(table, columns, mapped)
    plan.problems.extend(problems)
    return Sheet(table, mapped, records, {name: table.column_label(i) for name, i in mapped.index.items()})


def unknown_posyandu_problems(con: duckdb.DuckDBPyConnection, plan: ImportPlan, sheet: Sheet) -> list[Problem]:
    """Rows naming a posyandu_id the registry does not hold."""
    known = {r[0] for r in con.sql("SELECT posyandu_id FROM posyandu").fetchall()}
    return [Problem(plan.file_name, sheet.table.sheet, rec["_row"], sheet.labels["posyandu_id"],
                    "exchange_unknown_posyandu", {"value": rec["posyandu_id"]})
            for rec in sheet.records if rec.get("posyandu_id") and rec["posyandu_id"] not in known]


def _num(x: float | None) -> str:
    if x is None:
        return "–"
    return str(int(x)) if float(x).is_integer() else str(x)


def duplicate_problems(table: Table, records: list[dict[str, Any]], key: Sequence[str],
                       column: str) -> list[Problem]:
    """Rows whose key repeats an earlier row's: each repeat names the first row it copies."""
    seen: dict[tuple, int] = {}
    problems: list[Problem] = []
    for rec in records:
        k = tuple(rec.get(c) for c in key)
        if any(v is None for v in k):
            continue
        if k in seen:
            problems.append(Problem(table.file, table.sheet, rec["_row"], column, "exchange_duplicate_row",
                                    {"values": " / ".join(str(v) for v in k), "first_row": seen[k]}))
        else:
            seen[k] = rec["_row"]
    return problems


def file_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class ImportPlan:
    """What an import would write, and every problem that stops it. Nothing is written until `write_plan`."""

    kind: str
    file_name: str
    file_sha256: str
    scope: str = ""
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)    # worth a look (a likely duplicate), not blocking
    frames: dict[str, pl.DataFrame] = field(default_factory=dict)   # store table → rows to upsert
    keys: dict[str, tuple[str, ...]] = field(default_factory=dict)  # store table → its conflict key
    rows_total: int = 0
    rows_new: int = 0
    rows_updated: int = 0
    rows_unchanged: int = 0
    already_imported: bool = False
    usernames: dict[str, str] = field(default_factory=dict)   # judges import: judge id → username in the file

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def main_table(self) -> str:
        return next(iter(self.frames))

    def preview(self, n: int = 50) -> pl.DataFrame:
        """The first rows of the main table as they would be written."""
        return self.frames[self.main_table].head(n) if self.frames else pl.DataFrame()


@dataclass(frozen=True)
class ImportResult:
    written: bool
    rows_new: int
    rows_updated: int
    batch_id: str | None


def find_batch(con: duckdb.DuckDBPyConnection, kind: str, scope: str, sha: str) -> str | None:
    row = con.sql("SELECT batch_id FROM import_batches WHERE kind = ? AND scope = ? AND file_sha256 = ?",
                  params=[kind, scope, sha]).fetchone()
    return row[0] if row else None


def count_changes(con: duckdb.DuckDBPyConnection, table: str, key: Sequence[str],
                  frame: pl.DataFrame) -> tuple[int, int, int]:
    """(new, updated, unchanged) rows of `frame` against `table`, comparing every column of the frame."""
    if frame.height == 0:
        return 0, 0, 0
    on = " AND ".join(f't."{k}" = f."{k}"' for k in key)
    same = " AND ".join(f't."{c}" IS NOT DISTINCT FROM f."{c}"' for c in frame.columns)
    with store.registered(con, "_exchange_cmp", frame) as view:
        new, unchanged = store.one(
            con, f'SELECT count(*) FILTER (WHERE t."{key[0]}" IS NULL), count(*) FILTER (WHERE {same}) '
            f'FROM {view} f LEFT JOIN "{table}" t ON {on}')
    return int(new), frame.height - int(new) - int(unchanged), int(unchanged)


def finish_plan(con: duckdb.DuckDBPyConnection, plan: ImportPlan) -> ImportPlan:
    """Fill the preview counts and whether this very file was already imported."""
    plan.already_imported = find_batch(con, plan.kind, plan.scope, plan.file_sha256) is not None
    if plan.problems or not plan.frames:
        return plan
    main = plan.main_table
    plan.rows_total = plan.frames[main].height
    plan.rows_new, plan.rows_updated, plan.rows_unchanged = count_changes(
        con, main, plan.keys[main], plan.frames[main])
    return plan


def _upsert(con: duckdb.DuckDBPyConnection, table: str, key: Sequence[str], frame: pl.DataFrame) -> None:
    store.insert_frame(con, table, frame, key=key)


def _touch_written(con: duckdb.DuckDBPyConnection, plan: ImportPlan) -> None:
    """Mark what the plan changes: a table with a competition_id column changes those competitions (entrants,
    scores), any other table is reference data every contest reads (posyandu, judges, practices, ...)."""
    competitions: set[str] = set()
    reference = False
    for frame in plan.frames.values():
        if "competition_id" in frame.columns:
            competitions.update(frame["competition_id"].drop_nulls().unique().to_list())
        elif frame.height:
            reference = True
    store.touch(con, *sorted(competitions))
    if reference:
        store.touch_reference(con)


def write_plan(con: duckdb.DuckDBPyConnection, plan: ImportPlan, progress: Progress | None = None,
               actor: str = "system", chunk_rows: int = CHUNK_ROWS) -> ImportResult:
    """Write every frame of an error-free plan in one transaction, or nothing; a repeated file is a no-op."""
    if plan.problems:
        raise BadInput("error_import_has_problems", n=len(plan.problems))
    batch_id = f"{plan.kind}:{plan.file_sha256[:16]}:{plan.scope}"
    total = sum(f.height for f in plan.frames.values())
    with store.transaction(con):
        if find_batch(con, plan.kind, plan.scope, plan.file_sha256) is not None:
            return ImportResult(False, 0, 0, None)
        done = 0
        for table, frame in plan.frames.items():
            for start in range(0, frame.height, chunk_rows):
                chunk = frame.slice(start, chunk_rows)
                # One audit row per changed value (old and new), written before the upsert overwrites the old.
                record_frame_changes(con, actor, table, plan.keys[table], chunk, source="import",
                                     reason=f"{plan.file_name} ({batch_id})")
                _upsert(con, table, plan.keys[table], chunk)
                done += chunk.height
                if progress is not None:
                    progress(done, total)
        _touch_written(con, plan)
        con.execute(
            "INSERT INTO import_batches (batch_id, kind, scope, file_name, file_sha256, rows_total, rows_new,"
            " rows_updated, actor) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [batch_id, plan.kind, plan.scope, plan.file_name, plan.file_sha256, plan.rows_total,
             plan.rows_new, plan.rows_updated, actor])
        scope = [*plan.scope.split("/"), "", ""]
        audit.record(con, actor, "import", plan.kind, batch_id, None,
                     f"{plan.file_name}: {plan.rows_new} new, {plan.rows_updated} updated, {plan.rows_unchanged} unchanged",
                     source="import", competition_id=scope[0] or None, stage=scope[1] or None)
    if progress is not None and total == 0:
        progress(0, 0)
    return ImportResult(True, plan.rows_new, plan.rows_updated, batch_id)


def field_choices() -> dict[str, str]:
    """SPM fields (and the other section kinds) by id or by their label in either language."""
    ids = (*SPM_FIELDS, *OTHER_SECTIONS)
    return choice_map(ids, {f: [t(f"field_{f}", lang) for lang in LANGUAGES] for f in ids})


def choice_map(values: Sequence[str], labels: dict[str, Sequence[str]] | None = None) -> dict[str, str]:
    """Normalised typed text → stored value, for a choice column: the value itself and its labels."""
    out = {norm_header(v): v for v in values}
    for value, names in (labels or {}).items():
        for n in names:
            out[norm_header(n)] = value
    return out


def frame_from(records: list[dict[str, Any]], schema: Mapping[str, pl.DataType | type[pl.DataType]]) -> pl.DataFrame:
    """Typed records (already validated) as a frame of exactly `schema`."""
    if not records:
        return pl.DataFrame(schema=schema)
    return pl.DataFrame([{k: r.get(k) for k in schema} for r in records], schema=schema)


def keep_present(frame: pl.DataFrame, sources: Mapping[str, str | None], mapped: Mapped) -> pl.DataFrame:
    """Only the store columns whose file column was in the file (None: always kept).

    An upsert must not blank out a judge's phone because this file had no phone column.
    """
    return frame.select([c for c in frame.columns if sources.get(c) is None or sources[c] in mapped.index])
