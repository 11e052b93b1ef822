"""A committee's store from an earlier release must open on this one: every later migration applies to a
populated store and keeps every row.

The old store is built honestly: the migration files up to N are run, then filled with the demo's rows for the
tables and columns that existed at N. DuckDB 1.5 has refused some ALTER TABLE patterns on populated tables with
a primary key (a second ADD COLUMN ... DEFAULT in one transaction), which an empty test store never shows.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from data import store

LATEST = store.migrations()[-1][0]
OLD_VERSIONS = [n for n, _, _ in store.migrations() if 4 <= n < LATEST]
# A release's store need not hold every lower number: the release before the coded scores (010) shipped 016
# (pendataan) and 018 (shared results) on 001-009, so 010 applies after them there.
RELEASES: list[tuple[str, frozenset[int]]] = [
    (f"upto-{n:03d}", frozenset(m for m, _, _ in store.migrations() if m <= n)) for n in OLD_VERSIONS
] + [("all-but-010", frozenset(m for m, _, _ in store.migrations() if m != 10))]


def _columns(con: duckdb.DuckDBPyConnection, table: str, catalog: str) -> list[str]:
    rows = con.sql(
        "SELECT column_name FROM information_schema.columns WHERE table_catalog = ? AND table_name = ? "
        "ORDER BY ordinal_position", params=[catalog, table]).fetchall()
    return [r[0] for r in rows]


def _old_store(path: Path, demo_path: Path, applied: frozenset[int] | int) -> dict[str, int]:
    """A store with the migrations `applied` (a number: every migration up to it), filled from the demo; returns
    the row count per table."""
    if isinstance(applied, int):
        applied = frozenset(n for n, _, _ in store.migrations() if n <= applied)
    con = duckdb.connect(str(path))
    store.applied_migrations(con)  # creates schema_migrations
    for number, name, file in store.migrations():
        if number not in applied:
            continue
        con.execute(file.read_text(encoding="utf-8"))
        con.execute("INSERT INTO schema_migrations (version, name) VALUES (?, ?)", [number, name])
    con.execute(f"ATTACH '{demo_path}' AS demo (READ_ONLY)")
    tables = [r[0] for r in con.sql(
        "SELECT table_name FROM information_schema.tables WHERE table_catalog = current_database() "
        "AND table_schema = 'main' AND table_type = 'BASE TABLE' AND table_name <> 'schema_migrations' "
        "ORDER BY 1").fetchall()]   # views (scores since 010) are filled through their tables
    counts: dict[str, int] = {}
    # Parents before children: retry tables whose foreign keys are not yet satisfied.
    pending = list(tables)
    for _ in range(len(tables) + 1):
        left = []
        for table in pending:
            cols = [c for c in _columns(con, table, con.sql("SELECT current_database()").fetchone()[0])
                    if c in _columns(con, table, "demo")]
            collist = ", ".join(f'"{c}"' for c in cols)
            try:
                con.execute(f'INSERT INTO main."{table}" ({collist}) SELECT {collist} FROM demo.main."{table}"')
            except duckdb.ConstraintException:
                left.append(table)
                continue
            counts[table] = con.sql(f'SELECT count(*) FROM main."{table}"').fetchone()[0]
        pending = left
        if not pending:
            break
    assert not pending, f"could not fill {pending}"
    con.execute("DETACH demo")
    con.close()
    return counts


@pytest.mark.parametrize("applied", [a for _, a in RELEASES], ids=[n for n, _ in RELEASES])
def test_a_populated_store_from_an_earlier_release_opens_and_keeps_every_row(
        applied: frozenset[int], demo_path: Path, tmp_path: Path) -> None:
    upto = max(applied)
    path = tmp_path / f"store_at_{'_'.join(map(str, sorted(applied)))}.duckdb"
    before = _old_store(path, demo_path, applied)
    assert before.get("competitions", 0) > 0 and before.get("users", 0) > 0  # a realistic store, not an empty one
    con = store.connect(path)
    try:
        assert store.applied_migrations(con) == [n for n, _, _ in store.migrations()]
        for table, n in before.items():
            assert con.sql(f'SELECT count(*) FROM "{table}"').fetchone()[0] == n, table
        # Columns added with a default are filled for the rows that were already there.
        if upto < 6:
            unset = con.sql("SELECT count(*) FROM competitions WHERE tie_breaks IS NULL OR n_awards IS NULL "
                            "OR total_decimals IS NULL OR trim_share IS NULL").fetchone()[0]
            assert unset == 0
            assert con.sql("SELECT count(*) FROM users WHERE must_change_password IS NULL").fetchone()[0] == 0
    finally:
        con.close()
