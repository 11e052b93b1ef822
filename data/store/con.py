"""What a store function takes: DuckDB's connection, or a pooled PostgreSQL one behind the same calls
(`data.store.pg.PgConnection`) for the functions that run on both stores (issue #16, docs/postgres.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

import duckdb
import polars as pl

if TYPE_CHECKING:
    from data.store.pg import PgConnection

Con: TypeAlias = "duckdb.DuckDBPyConnection | PgConnection"


def is_postgres(con: object) -> bool:
    """True for a PostgreSQL connection (`PgConnection`): the few statements written differently for each store
    ask this (without importing the driver)."""
    return getattr(con, "dialect", "duckdb") == "postgres"


def fetch_frame(con: Con, sql: str, params: list | None = None) -> pl.DataFrame:
    """A parameterised query's result as a frame, through Arrow. A prepared `execute` lets DuckDB 1.5 prune row
    groups on the parameter's value (zone maps): `con.sql(q, params=...)` scanned every row group (national
    store: 0.2 s a read instead of 20 ms; 2 s instead of 20 ms for 370,000 score rows). DuckDB 2.0 step: check
    this still holds (docs/benchmarks.md)."""
    out = pl.from_arrow(con.execute(sql, params or []).to_arrow_table())
    assert isinstance(out, pl.DataFrame)
    return out
