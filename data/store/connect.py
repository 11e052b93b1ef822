"""Where the store file lives and how it is opened: the path, `connect`, the small `meta` key/value table, and
`one` / `scalar` for a query that always returns a row."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb

from data.store.con import Con
from data.store.migrate import migrate
from present.settings import STORE

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_STORE = STORE.parse(STORE.default)
STORE_ENV = STORE.name


def store_path() -> Path:
    """The store file: $POSYANDU_STORE when set, else var/posyandu.duckdb (an ignored folder); see present/settings."""
    return STORE.read()


def connect(path: Path | str | None = None, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the store file and bring its schema up to date."""
    target = Path(path) if path is not None else store_path()
    if str(target) != ":memory:":
        target.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(target), read_only=read_only)
    if not read_only:
        migrate(con)
    return con


def one(con: Con, sql: str, params: Sequence[object] | None = None) -> tuple[Any, ...]:
    """The row of a query that always returns one (an aggregate, an INSERT … RETURNING); its absence is a bug.
    Run prepared (`execute`): in DuckDB 1.5 that costs a point query about 1.5 ms less CPU than
    `con.sql(q, params=…).fetchone()` and prunes row groups on the parameters (docs/benchmarks.md)."""
    row = con.execute(sql, params or []).fetchone()
    if row is None:
        raise LookupError(f"no row from {sql[:80]!r}")
    return row


def scalar(con: Con, sql: str, params: Sequence[object] | None = None) -> Any:
    """The first value of `one`: a count, a sum, an id returned by an insert."""
    return one(con, sql, params)[0]


def get_meta(con: Con, key: str) -> str | None:
    row = con.sql("SELECT value FROM meta WHERE key = ?", params=[key]).fetchone()
    return row[0] if row else None


def set_meta(con: Con, key: str, value: str) -> None:
    con.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [key, value],
    )


def table_names(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in con.sql("SELECT table_name FROM information_schema.tables ORDER BY 1").fetchall()]
