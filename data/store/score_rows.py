"""The judges' raw choices in the store: integer codes in `score_choices`, the strings once each in `key_*`.

Every write of a score goes through here (the judging form, the Excel and Kobo/ODK imports, the demo, a
restore); readers that want strings read the view `scores`, which has the old columns. The engine's fast read
(`coded_scores`) takes the codes as they are stored, with the labels of the codes it meets, so 54 million
choices reach the engine as four small integer columns instead of five strings.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import duckdb
import numpy as np
import polars as pl

from data.store.con import Con as AnyCon
from data.store.con import fetch_frame, is_postgres
from scoring.frames import CODE_OF, CODED_SCORES_SCHEMA, CodedScores

Con = duckdb.DuckDBPyConnection
StoredScore = tuple[str | None, float | None, str | None, list[str] | None]   # option_code, real_value, note, evidence

# id column → (key table, code column in score_choices); option_code may be null (a nilai-riil score).
KEYS: dict[str, tuple[str, str]] = {
    "competition_id": ("key_competition", "competition_no"),
    "stage": ("key_stage", "stage_no"),
    "entrant_id": ("key_entrant", "entrant_no"),
    "judge_id": ("key_judge", "judge_no"),
    "criterion_id": ("key_criterion", "criterion_no"),
    "option_code": ("key_option", "option_no"),
}
PRIMARY_KEY = ("entrant_id", "stage", "judge_id", "criterion_id")
# A score row as writers give it (the old `scores` columns).
WRITE_SCHEMA: dict[str, pl.DataType] = {
    "competition_id": pl.String(), "stage": pl.String(), "entrant_id": pl.String(), "judge_id": pl.String(),
    "criterion_id": pl.String(), "option_code": pl.String(), "real_value": pl.Float64(), "note": pl.String(),
    "evidence": pl.List(pl.String()), "created_at": pl.Datetime("us"), "updated_at": pl.Datetime("us"),
}
VALUE_COLUMNS = ("real_value", "note", "evidence", "created_at", "updated_at")
ROWID = "_rowid"      # in the codes `lookup_score` returns: the stored row's id, for `update_score`
CODED_COLUMNS = ("entrant_no", "stage_no", "judge_no", "criterion_no", "option_no", "real_value")


def _add_codes(con: Con, source: str, columns: Sequence[str]) -> None:
    """Give every id in `source` (a registered relation) that has no code yet the next free code."""
    for col in columns:
        table, _ = KEYS[col]
        con.execute(
            f"INSERT INTO {table} (no, {col}) "
            f"SELECT (SELECT coalesce(max(no) + 1, 0) FROM {table}) + row_number() OVER (ORDER BY v) - 1, v "
            f"FROM (SELECT DISTINCT {col} AS v FROM {source} WHERE {col} IS NOT NULL "
            f"      EXCEPT SELECT {col} FROM {table})")


def write_scores(con: AnyCon, frame: pl.DataFrame, update: bool = True) -> None:
    """Insert (or, with `update`, upsert on judge × entrant × criterion × stage) rows given with string keys.

    `frame` has competition_id, stage, entrant_id, judge_id, criterion_id and any of option_code and the value
    columns; columns it lacks keep their stored value on update (and their default on insert). A null key is
    refused by the NOT NULL constraint, as before. Call inside `store.transaction`.
    """
    if frame.height == 0:
        return
    missing = [c for c in ("competition_id", *PRIMARY_KEY) if c not in frame.columns]
    if missing:
        raise ValueError(f"score rows need {missing}")
    if is_postgres(con):   # one plain table with string keys there (migrations_pg/001_core.sql)
        from data.store.pg import insert_frame_pg
        insert_frame_pg(con, "scores", frame, PRIMARY_KEY if update else None)  # type: ignore[arg-type]
        return
    assert isinstance(con, duckdb.DuckDBPyConnection)
    keys = [c for c in KEYS if c in frame.columns]
    values = [c for c in VALUE_COLUMNS if c in frame.columns]
    name = "_score_rows_in"
    con.register(name, frame.to_arrow())
    try:
        _add_codes(con, name, keys)
        targets = [KEYS[c][1] for c in keys] + values
        selects = [f"k_{c}.no" for c in keys] + [f'r."{c}"' for c in values]
        joins = " ".join(f"LEFT JOIN {KEYS[c][0]} k_{c} ON k_{c}.{c} = r.{c}" for c in keys)
        conflict = ", ".join(KEYS[c][1] for c in PRIMARY_KEY)
        updates = [t for t in targets if t not in conflict.split(", ")]
        action = ""
        if update:
            action = (f" ON CONFLICT ({conflict}) DO UPDATE SET "
                      + ", ".join(f"{t} = excluded.{t}" for t in updates)) if updates else " ON CONFLICT DO NOTHING"
        con.execute(f"INSERT INTO score_choices ({', '.join(targets)}) SELECT {', '.join(selects)} "
                    f"FROM {name} r {joins}{action}")
    finally:
        con.unregister(name)


def _codes_of(con: Con, ids: dict[str, Any]) -> dict[str, int | None]:
    """The code of each given id (None when the id has none yet), in one query."""
    cols = list(ids)
    sql = "SELECT " + ", ".join(f"(SELECT no FROM {KEYS[c][0]} WHERE {c} = ?)" for c in cols)
    row = con.execute(sql, [ids[c] for c in cols]).fetchone()
    return dict(zip(cols, row or [None] * len(cols), strict=True))


def score_codes(con: Con, entrant_id: str, stage: str, judge_id: str, criterion_id: str,
                option_code: str | None = None) -> dict[str, int | None]:
    """The codes of one score's keys (and of an option), in one query, for `read_score` and `update_score`."""
    ids: dict[str, Any] = {"entrant_id": entrant_id, "stage": stage, "judge_id": judge_id,
                           "criterion_id": criterion_id}
    if option_code is not None:
        ids["option_code"] = option_code
    return _codes_of(con, ids)


def lookup_score(con: AnyCon, entrant_id: str, stage: str, judge_id: str, criterion_id: str,
                 option_code: str | None = None) -> tuple[dict[str, int | None], StoredScore | None]:
    """One save's read: the codes of the score's keys (and of `option_code`; None where an id has no code yet)
    and its stored option_code, real_value, note, evidence (None when there is no such score).

    One join of the key rows (each found by its unique id) with the score's row: a plain join plans in about
    a third of the CPU of the same read written as scalar subqueries, and its one-row key side lets DuckDB skip
    every row group of score_choices but the score's own at national size. When a key has no code yet (the
    first score of a judge, an entrant or a criterion) there is no stored score either, and the codes come one
    by one. On PostgreSQL (`scores` keyed on the strings) there are no codes: one keyed read, and `{}`."""
    if is_postgres(con):
        # Writers of one score on any app server take turns until their transaction ends, so the old value this
        # save audits is the one it replaces (READ COMMITTED reads what committed before the lock was granted).
        con.execute("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))",
                    ["/".join(("score", entrant_id, stage, judge_id, criterion_id))])
        return {}, _stored_pg(con, entrant_id, stage, judge_id, criterion_id)
    assert isinstance(con, duckdb.DuckDBPyConnection)
    row = con.execute(
        "SELECT e.no, st.no, j.no, k.no, n.no, s.entrant_no IS NOT NULL, o.option_code, s.real_value, s.note, "
        "s.evidence, s.rowid FROM key_entrant e JOIN key_stage st ON st.stage = ? JOIN key_judge j ON j.judge_id = ? "
        "JOIN key_criterion k ON k.criterion_id = ? LEFT JOIN key_option n ON n.option_code = ? "
        "LEFT JOIN score_choices s ON s.entrant_no = e.no AND s.stage_no = st.no AND s.judge_no = j.no "
        "AND s.criterion_no = k.no LEFT JOIN key_option o ON o.no = s.option_no WHERE e.entrant_id = ?",
        [stage, judge_id, criterion_id, option_code, entrant_id]).fetchone()
    if row is None:
        return score_codes(con, entrant_id, stage, judge_id, criterion_id, option_code), None
    codes: dict[str, int | None] = {"entrant_id": row[0], "stage": row[1], "judge_id": row[2],
                                    "criterion_id": row[3]}
    if option_code is not None:
        codes["option_code"] = row[4]
    if row[5]:
        codes[ROWID] = row[10]
    return codes, ((row[6], row[7], row[8], row[9]) if row[5] else None)


def _stored_pg(con: AnyCon, entrant_id: str, stage: str, judge_id: str, criterion_id: str) -> StoredScore | None:
    row = con.execute("SELECT option_code, real_value, note, evidence FROM scores "
                      "WHERE entrant_id = ? AND stage = ? AND judge_id = ? AND criterion_id = ?",
                      [entrant_id, stage, judge_id, criterion_id]).fetchone()
    return None if row is None else (row[0], row[1], row[2], row[3])


def _new_code(con: Con, column: str, value: str) -> int:
    """Give one id the next free code of its key table (one statement) and return it."""
    table, _ = KEYS[column]
    row = con.execute(f"INSERT INTO {table} (no, {column}) SELECT coalesce(max(no) + 1, 0), ? FROM {table} "
                      "RETURNING no", [value]).fetchone()
    assert row is not None
    return int(row[0])


def insert_score(con: AnyCon, ids: dict[str, str], codes: dict[str, int | None], values: dict[str, Any]) -> None:
    """Insert one new score given its ids (competition_id, stage, entrant_id, judge_id, criterion_id) and the
    codes `lookup_score` found for them (the competition's is looked up here): an id without a code gets one
    first (its first score), then one insert by codes. `values` holds option_code and any of the value columns.
    On PostgreSQL one insert by the ids (no codes there)."""
    if is_postgres(con):
        cols = ["option_code", *(c for c in VALUE_COLUMNS if c in values)]
        keys = ("competition_id", "stage", "entrant_id", "judge_id", "criterion_id")
        con.execute(f"INSERT INTO scores ({', '.join((*keys, *cols))}) VALUES ({', '.join('?' * (5 + len(cols)))})",
                    [*(ids[k] for k in keys), values.get("option_code"), *(values[c] for c in cols[1:])])
        return
    assert isinstance(con, duckdb.DuckDBPyConnection)
    codes = dict(codes)
    if "competition_id" not in codes:
        codes["competition_id"] = competition_no(con, ids["competition_id"])
    for col, value in ids.items():
        if codes.get(col) is None:
            codes[col] = _new_code(con, col, value)
    option = values.get("option_code")
    option_no = None
    if option is not None:
        option_no = codes.get("option_code")
        if option_no is None:
            option_no = _new_code(con, "option_code", option)
    cols = [c for c in VALUE_COLUMNS if c in values]
    con.execute(
        "INSERT INTO score_choices (competition_no, stage_no, entrant_no, judge_no, criterion_no, option_no"
        + "".join(f", {c}" for c in cols) + ") VALUES (?, ?, ?, ?, ?, ?" + ", ?" * len(cols) + ")",
        [codes["competition_id"], codes["stage"], codes["entrant_id"], codes["judge_id"], codes["criterion_id"],
         option_no, *(values[c] for c in cols)])


def read_score(con: AnyCon, entrant_id: str, stage: str, judge_id: str, criterion_id: str,
               codes: dict[str, int | None] | None = None
               ) -> tuple[str | None, float | None, str | None, list[str] | None] | None:
    """option_code, real_value, note, evidence of one stored score, or None: by codes, so a save at national
    size reads one row group instead of joining 54 million rows to their strings."""
    if is_postgres(con):
        return _stored_pg(con, entrant_id, stage, judge_id, criterion_id)
    assert isinstance(con, duckdb.DuckDBPyConnection)
    if codes is None:
        codes = score_codes(con, entrant_id, stage, judge_id, criterion_id)
    if any(codes[k] is None for k in ("entrant_id", "stage", "judge_id", "criterion_id")):
        return None
    row = con.execute(
        "SELECT o.option_code, s.real_value, s.note, s.evidence FROM score_choices s "
        "LEFT JOIN key_option o ON o.no = s.option_no "
        "WHERE s.entrant_no = ? AND s.stage_no = ? AND s.judge_no = ? AND s.criterion_no = ?",
        [codes["entrant_id"], codes["stage"], codes["judge_id"], codes["criterion_id"]]).fetchone()
    return None if row is None else (row[0], row[1], row[2], row[3])


def update_score(con: AnyCon, entrant_id: str, stage: str, judge_id: str, criterion_id: str,
                 values: dict[str, Any], codes: dict[str, int | None] | None = None) -> None:
    """Set option_code and/or value columns of one stored score (it must exist): one update, after one lookup
    unless `codes` (from `score_codes` or `lookup_score` with the new option) are given, and a new option's
    code when needed. Codes from `lookup_score` carry the row's id, and the update goes by it. Pass only the
    columns that changed: DuckDB rewrites a row whose list column (`evidence`) is set as a delete and an insert."""
    if is_postgres(con):
        bad = [c for c in values if c != "option_code" and c not in VALUE_COLUMNS]
        if bad:
            raise ValueError(f"not a value column: {bad[0]}")
        con.execute(f"UPDATE scores SET {', '.join(f'{c} = ?' for c in values)} "
                    "WHERE entrant_id = ? AND stage = ? AND judge_id = ? AND criterion_id = ?",
                    [*values.values(), entrant_id, stage, judge_id, criterion_id])
        return
    assert isinstance(con, duckdb.DuckDBPyConnection)
    option = values.get("option_code")
    if codes is None or (option is not None and "option_code" not in codes):
        codes = score_codes(con, entrant_id, stage, judge_id, criterion_id, option)
    codes = dict(codes)
    if option is not None and codes["option_code"] is None:
        codes["option_code"] = _new_code(con, "option_code", option)
    sets: list[str] = []
    params: list[Any] = []
    for col, v in values.items():
        if col == "option_code":
            sets.append("option_no = ?")
            params.append(None if v is None else codes["option_code"])
        elif col in VALUE_COLUMNS:
            sets.append(f"{col} = ?")
            params.append(v)
        else:
            raise ValueError(f"not a value column: {col}")
    if codes.get(ROWID) is not None:
        # the row the lookup found, by its row id: a national store (54 M rows) has no entrant order for the
        # zone maps to skip by, and DuckDB scans every row group of a contest for the four codes
        con.execute(f"UPDATE score_choices SET {', '.join(sets)} WHERE rowid = ?", [*params, codes[ROWID]])
        return
    con.execute(f"UPDATE score_choices SET {', '.join(sets)} WHERE entrant_no = ? AND stage_no = ? "
                "AND judge_no = ? AND criterion_no = ?",
                [*params, codes["entrant_id"], codes["stage"], codes["judge_id"], codes["criterion_id"]])


def labels(con: Con, column: str, codes_sql: str | None = None, params: list | None = None) -> pl.DataFrame:
    """code (UInt32) → label of one key table, all of it or the codes `codes_sql` selects."""
    table, _ = KEYS[column]
    where = f" WHERE no IN ({codes_sql})" if codes_sql else ""
    df = fetch_frame(con, f"SELECT no, {column} AS label FROM {table}{where} ORDER BY no", params or [])
    return df.select(pl.col("no").cast(pl.UInt32).alias("code"), pl.col("label").cast(pl.String))


def competition_no(con: Con, competition_id: str) -> int | None:
    row = con.sql("SELECT no FROM key_competition WHERE competition_id = ?", params=[competition_id]).fetchone()
    return row[0] if row else None


def _distinct(codes: pl.Series) -> pl.Series:
    """The distinct codes of a UInt32 column, ascending: one pass marking a table as long as the largest code
    (a hash-based unique over 5.5 M codes took most of a national contest's read)."""
    arr = codes.drop_nulls().to_numpy()
    if len(arr) == 0:
        return pl.Series("no", [], dtype=pl.UInt32)
    seen = np.zeros(int(arr.max()) + 1, dtype=bool)
    seen[arr] = True
    return pl.Series("no", np.flatnonzero(seen), dtype=pl.UInt32)


def coded_scores(con: Con, competition_id: str) -> CodedScores:
    """Every raw choice of a competition as the store keeps it (integer codes, read through Arrow without a
    cast) with the labels of the codes it holds: the engine's fast read."""
    no = competition_no(con, competition_id)
    if no is None:
        empty = {col: pl.DataFrame(schema={"code": pl.UInt32, "label": pl.String}) for col in CODE_OF.values()}
        return CodedScores(pl.DataFrame(schema=CODED_SCORES_SCHEMA), empty)
    codes = fetch_frame(con, f"SELECT {', '.join(CODED_COLUMNS)} FROM score_choices WHERE competition_no = ?", [no])
    codes = codes.select(pl.col(c).cast(t) for c, t in CODED_SCORES_SCHEMA.items())
    # one query for every key's labels; entrant and judge labels of the codes this competition holds only (a
    # national store has 300,000 entrants), joined to the distinct codes already in memory
    used = pl.concat([pl.DataFrame({"col": col, "no": _distinct(codes[code])})
                      for col, code in (("entrant_id", "entrant_no"), ("judge_id", "judge_no"))])
    parts = []
    for col, (table, _) in KEYS.items():
        if col == "competition_id":
            continue
        join = (f" JOIN (SELECT no FROM _used_codes WHERE col = '{col}') u USING (no)"
                if col in ("entrant_id", "judge_id") else "")
        parts.append(f"SELECT '{col}' AS col, no, {col} AS label FROM {table}{join}")
    con.register("_used_codes", used.to_arrow())
    try:
        every = fetch_frame(con, " UNION ALL ".join(parts), [])
    finally:
        con.unregister("_used_codes")
    lab = {col: every.filter(pl.col("col") == col).sort("no").select(
               pl.col("no").cast(pl.UInt32).alias("code"), pl.col("label").cast(pl.String))
           for col in CODE_OF.values()}
    return CodedScores(codes, lab)


def add_scores(con: AnyCon, rows: Sequence[dict[str, Any]], update: bool = True) -> None:
    """`write_scores` for a few rows given as dicts (the columns of the first row)."""
    if not rows:
        return
    schema = {c: WRITE_SCHEMA[c] for c in rows[0]}
    write_scores(con, pl.DataFrame([dict(r) for r in rows], schema=schema, orient="row"), update=update)


JOURNAL_KEEP = 1_000     # versions of a competition's saves kept in score_saves (older rows are pruned)


def journal_save(con: AnyCon, competition_id: str, stage: str, entrant_id: str, judge_id: str, criterion_id: str,
                 old: tuple[str | None, float | None] | None, new: tuple[str | None, float | None]) -> int:
    """Record one judge's save in `score_saves` (migration 011) with the competition version the save's
    `store.touch` left, inside the save's transaction; returns that version. `old` is the stored
    (option_code, real_value) before, None when the save created the score. Every JOURNAL_KEEP versions the
    competition's older rows go (a reader that needs them re-scores in full)."""
    from data.store.versions import competition_scope

    row = con.execute("SELECT version FROM versions WHERE scope = ?", [competition_scope(competition_id)]).fetchone()
    version = int(row[0]) if row else 0
    con.execute("INSERT INTO score_saves (competition_id, version, stage, entrant_id, judge_id, criterion_id, created, "
                "old_option_code, old_real_value, option_code, real_value) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [competition_id, version, stage, entrant_id, judge_id, criterion_id, old is None,
                 *(old or (None, None)), *new])
    if version % JOURNAL_KEEP == 0:
        con.execute("DELETE FROM score_saves WHERE competition_id = ? AND version <= ?",
                    [competition_id, version - JOURNAL_KEEP])
    return version


def saves_since(con: Con, competition_id: str, version: int) -> pl.DataFrame:
    """The journalled saves of a competition after `version`, in order (version, then as written)."""
    return fetch_frame(con, "SELECT version, stage, entrant_id, judge_id, criterion_id, created, old_option_code, "
                       "old_real_value, option_code, real_value FROM score_saves WHERE competition_id = ? "
                       "AND version > ? ORDER BY version, saved_at", [competition_id, version])


def form_scores_sql(con: AnyCon, competition_id: str, stage: str, entrant_id: str, judge_id: str | None
                    ) -> tuple[str, list[Any]]:
    """A subquery (and its parameters) of one entrant's scores in a stage, one judge's when named: judge_id,
    criterion_id, option_code, real_value, note, evidence, updated_at. Filtered by codes looked up first, so a
    form's read prunes score_choices to the entrant's row groups instead of decoding 54 M rows through the
    `scores` view to compare strings. An id without a code yet matches nothing (no score). On PostgreSQL the
    keyed `scores` table itself."""
    if is_postgres(con):
        sql = ("SELECT judge_id, criterion_id, option_code, real_value, note, evidence, updated_at FROM scores "
               "WHERE competition_id = ? AND stage = ? AND entrant_id = ?" + (" AND judge_id = ?" if judge_id is not None else ""))
        return sql, [competition_id, stage, entrant_id, *([judge_id] if judge_id is not None else [])]
    assert isinstance(con, duckdb.DuckDBPyConnection)
    ids: dict[str, Any] = {"competition_id": competition_id, "stage": stage, "entrant_id": entrant_id}
    if judge_id is not None:
        ids["judge_id"] = judge_id
    codes = _codes_of(con, ids)
    sql = ("SELECT j.judge_id, k.criterion_id, o.option_code, s.real_value, s.note, s.evidence, s.updated_at "
           "FROM score_choices s JOIN key_judge j ON j.no = s.judge_no JOIN key_criterion k ON k.no = s.criterion_no "
           "LEFT JOIN key_option o ON o.no = s.option_no "
           "WHERE s.competition_no = ? AND s.stage_no = ? AND s.entrant_no = ?"
           + (" AND s.judge_no = ?" if judge_id is not None else ""))
    params = [codes["competition_id"], codes["stage"], codes["entrant_id"]]
    if judge_id is not None:
        params.append(codes["judge_id"])
    if any(v is None for v in params):
        params = [None] * len(params)        # = NULL: no row
    return sql, params
