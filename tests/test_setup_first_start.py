"""First start: the default store builds the demo, any other path opens an empty real store (regions and the
shipped instruments, no demo), and POSYANDU_DEMO overrides the choice."""

from __future__ import annotations

import pytest

from data import store
from data.setup.first_start import create_empty_store, prepare_empty_store, wants_demo


@pytest.mark.parametrize(("demo", "default_path", "expected"), [
    ("", True, True), ("", False, False), ("auto", False, False), ("0", True, False), ("1", False, True)])
def test_the_demo_is_built_only_for_the_default_store_unless_told(monkeypatch, tmp_path, demo, default_path,
                                                                   expected):
    monkeypatch.setenv("POSYANDU_DEMO", demo)
    path = store.DEFAULT_STORE if default_path else tmp_path / "kudus.duckdb"
    assert wants_demo(path) is expected


def test_an_empty_store_has_the_regions_and_shipped_instruments_and_nothing_else(empty_store_template):
    con = store.connect(empty_store_template, read_only=True)
    try:
        counts = {t: con.sql(f"SELECT count(*) FROM {t}").fetchone()[0]
                  for t in ("regions", "instruments", "competitions", "posyandu", "users", "judges")}
        assert counts["regions"] > 90_000 and counts["instruments"] == 2
        assert counts["competitions"] == counts["posyandu"] == counts["users"] == counts["judges"] == 0
        assert "kudus" in con.sql("SELECT name FROM regions WHERE code = '33.19'").fetchone()[0].lower()
    finally:
        con.close()


def test_preparing_twice_changes_nothing(tmp_path):
    path = tmp_path / "x.duckdb"
    create_empty_store(path)
    con = store.connect(path)
    try:
        version = store.data_version(con)
        prepare_empty_store(con)
        assert store.data_version(con) == version
    finally:
        con.close()
