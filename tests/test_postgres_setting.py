"""POSYANDU_DATABASE_URL today: a checked URL; `python -m data.store.pg_migrate` prepares that database; the
app refuses to start while it is set, since it does not serve from PostgreSQL yet (docs/postgres.md)."""

from __future__ import annotations

import pytest

from data.store import pg_migrate
from data.store.pg import PgStore
from present.settings import DATABASE_URL, SettingError


def test_the_database_url_is_optional_and_checked():
    assert DATABASE_URL.read({}) is None
    assert DATABASE_URL.read({DATABASE_URL.name: " "}) is None
    url = "postgresql://posyandu@db.internal:5432/posyandu"
    assert DATABASE_URL.read({DATABASE_URL.name: url}) == url
    for bad in ("mysql://x@h/db", "db.internal", "postgresql://db.internal"):
        with pytest.raises(SettingError, match=r"\$POSYANDU_DATABASE_URL like 'postgresql://"):
            DATABASE_URL.read({DATABASE_URL.name: bad})


def test_the_app_refuses_to_start_half_on_postgresql(monkeypatch):
    """An operator who sets the URL expects the app on PostgreSQL: serving from one server's DuckDB file instead
    would lose writes as soon as a second server runs, so the start stops and says why."""
    from ui import serve

    monkeypatch.setenv(DATABASE_URL.name, "postgresql://posyandu@127.0.0.1:5432/posyandu")
    with pytest.raises(SystemExit, match="does not serve from PostgreSQL yet"):
        serve.check_settings()


def test_the_migrate_command_prepares_an_empty_database(postgres_server, capsys, monkeypatch):
    url = postgres_server.url(postgres_server.create_database(prefix="cli"))
    monkeypatch.setenv(DATABASE_URL.name, url)
    numbers = [n for n, _, _ in pg_migrate.pg_migrations()]
    assert pg_migrate.main([]) == 0
    assert capsys.readouterr().out.strip() == f"applied {len(numbers)} migration(s) {numbers}; the schema has {len(numbers)}"
    assert pg_migrate.main(["--url", url]) == 0
    assert capsys.readouterr().out.startswith("applied 0 migration(s) []")
    with PgStore(url, max_size=1) as pg, pg.connection() as con:
        assert con.sql("SELECT count(*) FROM users").fetchone() == (0,)


def test_the_migrate_command_names_a_missing_or_bad_url(capsys, monkeypatch):
    monkeypatch.delenv(DATABASE_URL.name, raising=False)
    assert pg_migrate.main([]) == 2
    assert "set $POSYANDU_DATABASE_URL" in capsys.readouterr().err
    assert pg_migrate.main(["--url", "mysql://x@h/db"]) == 2
    assert "must be a postgresql:// URL" in capsys.readouterr().err
