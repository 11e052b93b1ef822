"""Frames into the store in one statement: a Polars frame or an Arrow table registered as a view for SQL, then
`INSERT … SELECT` by column name (row-by-row `executemany` is slow for 80,000 desa or a whole import)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import duckdb
import polars as pl
import pyarrow as pa

from data.store.con import Con, is_postgres


def quoted(name: str) -> str:
    """An identifier as SQL reads it, whatever it holds."""
    return '"' + name.replace('"', '""') + '"'


@contextmanager
def registered(con: duckdb.DuckDBPyConnection, name: str, frame: pl.DataFrame | pa.Table) -> Iterator[str]:
    """`frame` readable from SQL as the view `name` for the block (DuckDB reads the Arrow data without a copy)."""
    con.register(name, frame.to_arrow() if isinstance(frame, pl.DataFrame) else frame)
    try:
        yield name
    finally:
        con.unregister(name)


def insert_frame(con: Con, table: str, frame: pl.DataFrame | pa.Table,
                 key: Sequence[str] | None = None) -> int:
    """Insert every row of `frame` into `table` by column name, inside the caller's transaction; returns the rows.

    With `key`, an upsert: a row whose key is already stored updates the frame's other columns (or is left as it
    is when the frame has no other column). Rows for `scores` (a view) go to `score_rows.write_scores`, which
    codes their keys. On PostgreSQL (one plain `scores` table) every table takes the rows as they are."""
    if is_postgres(con):
        from data.store.pg import insert_frame_pg
        return insert_frame_pg(con, table, frame, key)  # type: ignore[arg-type]
    assert isinstance(con, duckdb.DuckDBPyConnection)
    rows = frame.height if isinstance(frame, pl.DataFrame) else frame.num_rows
    if rows == 0:
        return 0
    if table == "scores":      # a view over the coded choices (migration 010): written through their one writer
        from data.store import score_rows
        if key is not None and tuple(key) != score_rows.PRIMARY_KEY:
            raise ValueError(f"scores are keyed on {score_rows.PRIMARY_KEY}, not {tuple(key)}")
        score_rows.write_scores(con, frame if isinstance(frame, pl.DataFrame) else pl.DataFrame(frame),
                                update=key is not None)
        return rows
    columns = list(frame.columns) if isinstance(frame, pl.DataFrame) else list(frame.column_names)
    names = ", ".join(quoted(c) for c in columns)
    conflict = ""
    if key:
        updates = [c for c in columns if c not in key]
        action = ("DO UPDATE SET " + ", ".join(f"{quoted(c)} = excluded.{quoted(c)}" for c in updates)
                  if updates else "DO NOTHING")
        conflict = f" ON CONFLICT ({', '.join(quoted(k) for k in key)}) {action}"
    with registered(con, f"_bulk_{table}", frame) as view:
        con.execute(f"INSERT INTO {quoted(table)} ({names}) SELECT {names} FROM {quoted(view)}{conflict}")
    return rows
