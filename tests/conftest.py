"""Shared fixtures: a fresh store file per test, the demo store built once per session, and a real PostgreSQL
for the tests marked `postgres` (tests/postgres_support.py)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from data import store
from tests.app_support import app_on


@pytest.fixture
def con(tmp_path: Path):
    """A real DuckDB file on disk with every migration applied."""
    c = store.connect(tmp_path / "test.duckdb")
    yield c
    c.close()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test that uses the PostgreSQL server is marked `postgres` (`-m postgres` selects them all)."""
    for item in items:
        if "postgres_server" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.postgres)


@pytest.fixture(scope="session")
def postgres_server():
    """A PostgreSQL server for the session (initdb into a temporary folder, pg_ctl on a free loopback port),
    stopped and removed at the end. Skipped without the binaries, except under CI, where that fails."""
    from tests.postgres_support import running_server

    with running_server() as server:
        yield server


@pytest.fixture(scope="session")
def pg_template(postgres_server) -> str:
    """A database with every PostgreSQL migration applied, copied for each test (CREATE DATABASE … TEMPLATE)."""
    from data.store.pg import PgStore
    from data.store.pg_migrate import migrate_pg

    name = postgres_server.create_database(prefix="migrated")
    with PgStore(postgres_server.url(name), max_size=1) as pg, pg.connection() as c:
        migrate_pg(c)
    return name


@pytest.fixture
def pg_url(postgres_server, pg_template: str) -> Iterator[str]:
    """The URL of a fresh, migrated database of this test's own (dropped after it)."""
    name = postgres_server.create_database(template=pg_template)
    yield postgres_server.url(name)
    postgres_server.drop_database(name)


@pytest.fixture
def pg_con(pg_url: str):
    """A pooled PostgreSQL connection (`data.store.pg.PgConnection`) on a fresh migrated database."""
    from data.store.pg import PgStore

    with PgStore(pg_url, max_size=2) as pg, pg.connection() as c:
        yield c


@pytest.fixture(params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def either_con(request: pytest.FixtureRequest, tmp_path: Path):
    """The same test on both stores: a fresh DuckDB file, then a fresh migrated PostgreSQL database. A test file
    whose functions run on both says `con = either_con` in a fixture; `-m postgres` runs the PostgreSQL half."""
    if request.param == "postgres":
        yield request.getfixturevalue("pg_con")
        return
    c = store.connect(tmp_path / "test.duckdb")
    yield c
    c.close()


@pytest.fixture(scope="session")
def demo_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo store, built once per test session with the default seed. Treat it as read-only:
    tests that write use `demo_copy`. Set POSYANDU_TEST_DEMO to a prebuilt file to skip the build locally."""
    prebuilt = os.environ.get("POSYANDU_TEST_DEMO")
    if prebuilt and Path(prebuilt).exists():
        return Path(prebuilt)
    from demo.build import build_demo

    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    build_demo(path)
    return path


@pytest.fixture
def demo_copy(demo_path: Path, tmp_path: Path) -> Path:
    """A private copy of the demo store for a test that writes."""
    target = tmp_path / "demo-copy.duckdb"
    shutil.copyfile(demo_path, target)
    return target


@pytest.fixture
def demo_env(demo_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point the app at the demo store and clear Streamlit's process-wide caches around the test."""
    with app_on(demo_path, monkeypatch):
        yield demo_path


@pytest.fixture
def fast_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheap argon2 parameters: the rules under test do not depend on the hashing cost."""
    from argon2 import PasswordHasher

    from data.judging import auth

    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def demo_app(demo_copy: Path, monkeypatch: pytest.MonkeyPatch, fast_hashing: None):
    """A writable demo store with the demo accounts, the app pointed at it and Streamlit's caches cleared;
    yields a connection for signing in (`data.auth.authenticate`) and checking what was written."""
    from data.judging import accounts

    con = store.connect(demo_copy)
    try:
        accounts.create_demo_accounts(con)
        with app_on(demo_copy, monkeypatch):
            yield con
    finally:
        con.close()


@pytest.fixture
def league(demo_env: Path):
    """The official table of the page tests' competition (tests/pages_support.COMP), through the one door to the
    engine (`data.results`) with the competition's own rules, without the page caches."""
    from data.results import competition_results
    from tests.pages_support import COMP

    con = store.connect(demo_env)
    try:
        return competition_results(con, COMP).table
    finally:
        con.close()


# The contest set-up fixtures (an empty real store with a panitia): tests/setup_support.py.
from tests.setup_support import empty_store, empty_store_template, setup_app  # noqa: E402, F401
