from __future__ import annotations

from pathlib import Path

from data import store


def test_migrations_run_on_an_empty_store_and_are_recorded(tmp_path: Path) -> None:
    con = store.connect(tmp_path / "s.duckdb")
    numbers = [n for n, _, _ in store.migrations()]
    assert store.applied_migrations(con) == numbers
    for table in ("regions", "posyandu", "competitions", "instruments", "entrants", "judges", "assignments",
                  "scores", "audit_log", "practices", "service_records", "boundaries"):
        assert table in store.table_names(con)
    con.close()


def test_reopening_an_existing_store_applies_nothing_twice(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    con = store.connect(path)
    con.execute("INSERT INTO judges (judge_id, name) VALUES ('j1', 'Ibu Sari')")
    con.close()
    con = store.connect(path)
    assert store.migrate(con) == []
    assert con.sql("SELECT name FROM judges").fetchall() == [("Ibu Sari",)]
    con.close()


def test_a_failed_transaction_leaves_nothing_and_keeps_the_version(con) -> None:
    before = store.data_version(con)
    try:
        with store.transaction(con):
            con.execute("INSERT INTO judges (judge_id, name) VALUES ('j1', 'A')")
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    assert con.sql("SELECT count(*) FROM judges").fetchone() == (0,)
    assert store.data_version(con) == before
    with store.transaction(con):
        con.execute("INSERT INTO judges (judge_id, name) VALUES ('j1', 'A')")
    assert store.data_version(con) == before + 1


def test_store_path_follows_the_environment(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv(store.STORE_ENV, str(tmp_path / "x.duckdb"))
    assert store.store_path() == tmp_path / "x.duckdb"
    monkeypatch.delenv(store.STORE_ENV)
    assert store.store_path().parts[-2:] == ("var", "posyandu.duckdb")
