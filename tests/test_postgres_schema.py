"""The PostgreSQL schema cannot drift from DuckDB's: every mirrored table has the same columns in the same order,
the mapped types, the same primary key and the same NOT NULL on both stores, and every other DuckDB table says why
it is not on PostgreSQL (data/store/pg_migrate.py). Its migrations apply once, also when two servers start at
the same moment."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import duckdb
import pytest

from data import store
from data.store import score_rows
from data.store.pg import PgConnection, PgStore
from data.store.pg_migrate import (
    DUCKDB_ONLY,
    MIRRORED,
    PG_TYPE_OF,
    applied_pg_migrations,
    migrate_pg,
    pg_migrations,
)


@dataclass(frozen=True)
class Table:
    columns: tuple[tuple[str, str], ...]   # (name, type as PostgreSQL names it), in order
    not_null: frozenset[str]
    primary_key: tuple[str, ...]


def duckdb_tables(con: duckdb.DuckDBPyConnection) -> dict[str, Table]:
    """Each DuckDB table (and the `scores` view, with the keys and NOT NULL of the table behind it) as
    PostgreSQL would declare it."""
    columns: dict[str, list[tuple[str, str, bool]]] = {}
    for table, name, dtype, nullable in con.sql(
            "SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns "
            "WHERE table_schema = 'main' ORDER BY table_name, ordinal_position").fetchall():
        columns.setdefault(table, []).append((name, PG_TYPE_OF.get(dtype, f"unmapped DuckDB type {dtype}"),
                                              nullable == "NO"))
    keys = {t: tuple(cols) for t, cols in con.sql(
        "SELECT table_name, constraint_column_names FROM duckdb_constraints() "
        "WHERE constraint_type = 'PRIMARY KEY'").fetchall()}
    out = {t: Table(tuple((n, d) for n, d, _ in cols), frozenset(n for n, _, nn in cols if nn), keys.get(t, ()))
           for t, cols in columns.items()}
    # `scores` is a view over the coded choices (migration 010): NOT NULL and the key are those of score_choices.
    coded = out["score_choices"]
    behind = {name: score_rows.KEYS[name][1] if name in score_rows.KEYS else name for name, _ in out["scores"].columns}
    out["scores"] = Table(out["scores"].columns, frozenset(n for n, c in behind.items() if c in coded.not_null),
                          score_rows.PRIMARY_KEY)
    return out


def pg_tables(con: PgConnection) -> dict[str, Table]:
    columns: dict[str, list[tuple[str, str, bool]]] = {}
    for table, name, dtype, not_null in con.sql(
            "SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull "
            "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind = 'r' AND n.nspname = current_schema() AND a.attnum > 0 AND NOT a.attisdropped "
            "ORDER BY c.relname, a.attnum").fetchall():
        columns.setdefault(table, []).append((name, dtype, not_null))
    keys = {t: tuple(cols) for t, cols in con.sql(
        "SELECT c.relname, array_agg(a.attname ORDER BY k.ord) FROM pg_index i "
        "JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
        "CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) "
        "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum "
        "WHERE i.indisprimary AND n.nspname = current_schema() GROUP BY c.relname").fetchall()}
    return {t: Table(tuple((n, d) for n, d, _ in cols), frozenset(n for n, _, nn in cols if nn), keys.get(t, ()))
            for t, cols in columns.items()}


def drift(duck: dict[str, Table], pg: dict[str, Table]) -> list[str]:
    """Every difference between the two stores' declarations, as sentences (none: in step)."""
    problems = []
    undeclared = set(duck) - set(MIRRORED) - set(DUCKDB_ONLY)
    problems += [f"DuckDB table {t} is neither MIRRORED nor DUCKDB_ONLY (data/store/pg_migrate.py)"
                 for t in sorted(undeclared)]
    problems += [f"{t} is declared both MIRRORED and DUCKDB_ONLY" for t in sorted(set(MIRRORED) & set(DUCKDB_ONLY))]
    problems += [f"DUCKDB_ONLY names {t}, which DuckDB does not have" for t in sorted(set(DUCKDB_ONLY) - set(duck))]
    problems += [f"PostgreSQL has {t}, which is not MIRRORED" for t in sorted(set(pg) - set(MIRRORED) -
                                                                                 {"schema_migrations"})]
    for t in MIRRORED:
        if t not in duck or t not in pg:
            problems.append(f"mirrored table {t} is missing on {'DuckDB' if t not in duck else 'PostgreSQL'}")
            continue
        d, p = duck[t], pg[t]
        if d.columns != p.columns:
            only_d = [c for c in d.columns if c not in p.columns]
            only_p = [c for c in p.columns if c not in d.columns]
            problems.append(f"{t}: columns differ (DuckDB only {only_d}, PostgreSQL only {only_p}"
                            + (", or their order" if not only_d and not only_p else "") + ")")
        if d.not_null != p.not_null:
            problems.append(f"{t}: NOT NULL differs (DuckDB only {sorted(d.not_null - p.not_null)}, "
                            f"PostgreSQL only {sorted(p.not_null - d.not_null)})")
        if d.primary_key != p.primary_key:
            problems.append(f"{t}: primary key {d.primary_key} on DuckDB, {p.primary_key} on PostgreSQL")
    return problems


def test_postgres_and_duckdb_declare_the_transactional_tables_alike(con, pg_con):
    assert drift(duckdb_tables(con), pg_tables(pg_con)) == []


def test_a_duckdb_column_without_its_postgres_migration_fails_the_comparison(con, pg_con):
    """The comparison is only as good as its reading of both catalogues: one side changed, it must speak."""
    con.execute("ALTER TABLE users ADD COLUMN phone VARCHAR")
    con.execute("CREATE TABLE new_table (x INTEGER)")
    pg_con.execute("ALTER TABLE sessions ALTER COLUMN ended_at SET NOT NULL")
    pg_con.execute("ALTER TABLE finalists DROP CONSTRAINT finalists_pkey")
    assert drift(duckdb_tables(con), pg_tables(pg_con)) == [
        "DuckDB table new_table is neither MIRRORED nor DUCKDB_ONLY (data/store/pg_migrate.py)",
        "users: columns differ (DuckDB only [('phone', 'character varying')], PostgreSQL only [])",
        "sessions: NOT NULL differs (DuckDB only [], PostgreSQL only ['ended_at'])",
        "finalists: primary key ('competition_id', 'stage', 'entrant_id') on DuckDB, () on PostgreSQL",
    ]


def test_every_postgres_migration_mirrors_a_duckdb_one_by_number_and_name():
    duck = {n: name for n, name, _ in store.migrations()}
    assert {n: name for n, name, _ in pg_migrations()}.items() <= duck.items()


def test_migrations_apply_once_even_when_two_servers_start_together(postgres_server):
    """Two app servers starting on an empty database at the same moment: each file is applied once, and both
    find the schema complete."""
    url = postgres_server.url(postgres_server.create_database(prefix="empty"))
    results: list[list[int]] = []
    errors: list[BaseException] = []
    gate = threading.Barrier(2)

    def start_server() -> None:
        try:
            with PgStore(url, max_size=1) as pg, pg.connection() as c:
                gate.wait()
                results.append(migrate_pg(c))
        except BaseException as exc:   # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=start_server) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    numbers = [n for n, _, _ in pg_migrations()]
    assert sorted(results[0] + results[1]) == numbers          # every file applied by exactly one of them
    with PgStore(url, max_size=1) as pg, pg.connection() as c:
        assert applied_pg_migrations(c) == numbers
        assert migrate_pg(c) == []                             # a third start applies nothing
        # applying marked everything changed, like DuckDB's migrate
        assert c.sql("SELECT version FROM versions WHERE scope = 'reference'").fetchone() == (1,)


@pytest.mark.parametrize("query", ["SELECT 1 WHERE 'a?' = ?", 'SELECT 1 AS "b?" WHERE ? LIKE \'x%\''])
def test_placeholders_inside_quotes_are_left_alone(pg_con, query):
    assert pg_con.sql(query, params=["a?" if "LIKE" not in query else "xyz"]).fetchall() == [(1,)]
