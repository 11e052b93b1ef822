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
            store.touch_reference(con)
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    assert con.sql("SELECT count(*) FROM judges").fetchone() == (0,)
    assert store.data_version(con) == before
    with store.transaction(con):
        con.execute("INSERT INTO judges (judge_id, name) VALUES ('j1', 'A')")
    assert store.data_version(con) == before    # a transaction marks nothing by itself
    with store.transaction(con):
        con.execute("UPDATE judges SET name = 'B'")
        store.touch_reference(con)
    assert store.data_version(con) == before + 1


def test_touch_moves_only_the_competitions_named(con) -> None:
    ref = store.reference_version(con)
    with store.transaction(con):
        store.touch(con, "A", "B", "A")          # a repeat in one call counts once
    with store.transaction(con):
        store.touch(con, "A")
    assert store.result_version(con, "A") == (2, ref)
    assert store.result_version(con, "B") == (1, ref)
    assert store.result_version(con, "C") == (0, ref)
    with store.transaction(con):
        store.touch_reference(con)
    assert store.result_version(con, "C") == (0, ref + 1)


def test_touch_everything_moves_every_competition_forward_and_never_back(con) -> None:
    con.execute("INSERT INTO competitions (competition_id, name, year, level, scope_code, instrument_id) "
                "VALUES ('K1', 'Lomba', 2026, 'kabupaten', '36.02', 'x')")
    with store.transaction(con):
        store.touch(con, "GONE")                 # a contest no longer in the store keeps its counter
        store.touch(con, "GONE")
    before = {c: store.result_version(con, c) for c in ("K1", "GONE")}
    with store.transaction(con):
        store.touch_everything(con)
    for c, (comp, ref) in before.items():
        assert store.result_version(con, c) == (max(comp, 0) + 1, ref + 1)


def test_migrating_marks_everything_changed(tmp_path: Path) -> None:
    con = store.connect(tmp_path / "s.duckdb")
    assert store.reference_version(con) >= 1
    assert "data_version" not in {r[0] for r in con.sql("SELECT key FROM meta").fetchall()}
    con.close()


def test_store_path_follows_the_environment(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv(store.STORE_ENV, str(tmp_path / "x.duckdb"))
    assert store.store_path() == tmp_path / "x.duckdb"
    monkeypatch.delenv(store.STORE_ENV)
    assert store.store_path().parts[-2:] == ("var", "posyandu.duckdb")
