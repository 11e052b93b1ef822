"""The DuckDB store: where it lives, how it is opened, migrated and versioned.

Every other module in `data/` takes a connection from here; pages never open one themselves.
The schema is the numbered SQL files in `data/migrations/`, applied in order, each inside a transaction,
and recorded in `schema_migrations`, so a killed process never leaves a half-migrated store.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from present.settings import STORE

ROOT = Path(__file__).resolve().parents[2]
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
DEFAULT_STORE = STORE.parse(STORE.default)
STORE_ENV = STORE.name

_MIGRATION_NAME = re.compile(r"^(\d{3})_([a-z0-9_]+)\.sql$")


def store_path() -> Path:
    """The store file: $POSYANDU_STORE when set, else var/posyandu.duckdb (an ignored folder); see present/settings."""
    return STORE.read()


def migrations() -> list[tuple[int, str, Path]]:
    """The migration files as (number, name, path), in order; numbers must be unique."""
    found: list[tuple[int, str, Path]] = []
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        m = _MIGRATION_NAME.match(path.name)
        if not m:
            raise ValueError(f"migration file name must look like 001_name.sql: {path.name}")
        found.append((int(m.group(1)), m.group(2), path))
    numbers = [n for n, _, _ in found]
    if len(numbers) != len(set(numbers)):
        raise ValueError(f"duplicate migration numbers in {MIGRATIONS_DIR}")
    return found


def applied_migrations(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Numbers of the migrations this store has run."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name VARCHAR NOT NULL,"
        " applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp)"
    )
    return [r[0] for r in con.sql("SELECT version FROM schema_migrations ORDER BY version").fetchall()]


def migrate(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Apply every migration not yet applied, each in its own transaction; return the ones applied now."""
    done = set(applied_migrations(con))
    applied: list[int] = []
    for number, name, path in migrations():
        if number in done:
            continue
        sql = path.read_text(encoding="utf-8")
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(sql)
            con.execute("INSERT INTO schema_migrations (version, name) VALUES (?, ?)", [number, name])
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        applied.append(number)
    if applied:
        bump_version(con)
    return applied


def connect(path: Path | str | None = None, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the store file and bring its schema up to date."""
    target = Path(path) if path is not None else store_path()
    if str(target) != ":memory:":
        target.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(target), read_only=read_only)
    if not read_only:
        migrate(con)
    return con


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """All-or-nothing: commit when the block ends normally, roll back on any exception.

    The data version is bumped inside the same transaction, so caches keyed on it see every committed write.
    """
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
        _bump(con)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _bump(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        "INSERT INTO meta (key, value) VALUES ('data_version', '1') "
        "ON CONFLICT (key) DO UPDATE SET value = CAST(CAST(meta.value AS BIGINT) + 1 AS VARCHAR)"
    )


def bump_version(con: duckdb.DuckDBPyConnection) -> None:
    """Mark the store as changed outside `transaction` (e.g. after migrations)."""
    _bump(con)


def data_version(con: duckdb.DuckDBPyConnection) -> int:
    """A counter that grows with every committed write: the key for cached results."""
    row = con.sql("SELECT value FROM meta WHERE key = 'data_version'").fetchone()
    return int(row[0]) if row else 0


def get_meta(con: duckdb.DuckDBPyConnection, key: str) -> str | None:
    row = con.sql("SELECT value FROM meta WHERE key = ?", params=[key]).fetchone()
    return row[0] if row else None


def set_meta(con: duckdb.DuckDBPyConnection, key: str, value: str) -> None:
    con.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [key, value],
    )


def table_names(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in con.sql("SELECT table_name FROM information_schema.tables ORDER BY 1").fetchall()]
