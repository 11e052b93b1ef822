"""What a store function takes: DuckDB's connection, or a pooled PostgreSQL one behind the same calls
(`data.store.pg.PgConnection`) for the functions that run on both stores (issue #16, docs/postgres.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

import duckdb

if TYPE_CHECKING:
    from data.store.pg import PgConnection

Con: TypeAlias = "duckdb.DuckDBPyConnection | PgConnection"


def is_postgres(con: object) -> bool:
    """True for a PostgreSQL connection (`PgConnection`): the few statements written differently for each store
    ask this (without importing the driver)."""
    return getattr(con, "dialect", "duckdb") == "postgres"
