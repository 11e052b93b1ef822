"""What a store function takes: DuckDB's connection, or a pooled PostgreSQL one behind the same calls
(`data.store.pg.PgConnection`) for the functions that run on both stores (issue #16, docs/postgres.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

import duckdb

if TYPE_CHECKING:
    from data.store.pg import PgConnection

Con: TypeAlias = "duckdb.DuckDBPyConnection | PgConnection"
