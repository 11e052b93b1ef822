"""The schema: the numbered SQL files in `data/store/migrations/`, applied in order, each in its own transaction
and recorded in `schema_migrations`, so a killed process never leaves a half-migrated store."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from data.store.versions import touch_everything

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

_MIGRATION_NAME = re.compile(r"^(\d{3})_([a-z0-9_]+)\.sql$")


def migrations(directory: Path = MIGRATIONS_DIR) -> list[tuple[int, str, Path]]:
    """The migration files as (number, name, path), in order; numbers must be unique. `directory`: DuckDB's
    by default, `data/store/migrations_pg/` for PostgreSQL (`data.store.pg_migrate`)."""
    found: list[tuple[int, str, Path]] = []
    for path in sorted(directory.glob("*.sql")):
        m = _MIGRATION_NAME.match(path.name)
        if not m:
            raise ValueError(f"migration file name must look like 001_name.sql: {path.name}")
        found.append((int(m.group(1)), m.group(2), path))
    numbers = [n for n, _, _ in found]
    if len(numbers) != len(set(numbers)):
        raise ValueError(f"duplicate migration numbers in {directory}")
    return found


@contextmanager
def plain_transaction(con: Any) -> Iterator[None]:
    """BEGIN … COMMIT, ROLLBACK on any error (a kill too): a migration runs outside `store.transaction`, whose
    version bump and retry belong to data writes. The same on DuckDB and PostgreSQL (`pg_migrate`)."""
    con.execute("BEGIN")
    try:
        yield
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def mark_everything_changed(con: Any) -> None:
    """After any migration: it may change what any result reads, so every competition and the reference
    tables are marked changed (`versions.touch_everything`), in a transaction of its own."""
    with plain_transaction(con):
        touch_everything(con)


def applied_migrations(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Numbers of the migrations this store has run."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name VARCHAR NOT NULL,"
        " applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp)"
    )
    return [r[0] for r in con.sql("SELECT version FROM schema_migrations ORDER BY version").fetchall()]


def migrate(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Apply every migration not yet applied, each in its own transaction; return the ones applied now.

    A migration may change what any result reads, so applying one marks every competition and the reference
    tables changed (see `versions.touch_everything`).
    """
    done = set(applied_migrations(con))
    applied: list[int] = []
    for number, name, path in migrations():
        if number in done:
            continue
        sql = path.read_text(encoding="utf-8")
        with plain_transaction(con):
            con.execute(sql)
            con.execute("INSERT INTO schema_migrations (version, name) VALUES (?, ?)", [number, name])
        applied.append(number)
    if applied:
        mark_everything_changed(con)
    return applied
