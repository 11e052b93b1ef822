"""The scores' coded layout (migration 010, `data.store.score_rows`): a committee's store and its old backups
move to it losing nothing, every writer goes through it, and the engine's coded read gives exactly the results
of the string read."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from data import store
from data.exchange.backup import make_backup, restore_backup, table_checksum
from data.results import competition_results, scoring_config
from data.store import reads, score_rows
from scoring import engine
from tests.test_store_upgrade import _old_store

BEFORE_CODES = 9     # the last migration with the string-keyed scores table


def _scores_checksum(con: duckdb.DuckDBPyConnection) -> str:
    return table_checksum(con, "scores")


def test_upgrading_a_filled_store_keeps_every_score_value_for_value(demo_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    _old_store(path, demo_path, BEFORE_CODES)
    old = duckdb.connect(str(path))
    before = _scores_checksum(old)
    n = old.sql("SELECT count(*) FROM scores").fetchone()[0]
    old.close()
    assert n > 100_000            # the demo's choices, not a toy
    con = store.connect(path)
    try:
        assert con.sql("SELECT table_type FROM information_schema.tables WHERE table_name = 'scores'"
                       ).fetchone()[0] == "VIEW"
        assert con.sql("SELECT count(*) FROM score_choices").fetchone()[0] == n
        # same rows, same values, same column order and types: the order-free digest of every row is equal
        assert _scores_checksum(con) == before
        # one code per id, dense from 0
        for col, (table, _) in score_rows.KEYS.items():
            k, lo, hi, distinct = con.sql(f"SELECT count(*), min(no), max(no), count(DISTINCT {col}) "
                                          f"FROM {table}").fetchone()
            assert (lo, hi, distinct) == (0, k - 1, k), col
    finally:
        con.close()


def test_a_backup_of_the_old_layout_restores_into_this_release(demo_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    counts = _old_store(path, demo_path, BEFORE_CODES)
    old = duckdb.connect(str(path))
    backup = make_backup(old)
    before = _scores_checksum(old)
    old.close()
    con = store.connect(tmp_path / "new.duckdb")
    try:
        result = restore_backup(con, backup, "lama.zip")
        assert result.restored, result.problems
        assert _scores_checksum(con) == before
        for table, n in counts.items():
            if table != "audit_log":          # plus the restore's own entry
                assert con.sql(f'SELECT count(*) FROM "{table}"').fetchone()[0] == n, table
        assert store.applied_migrations(con)[-1] == store.migrations()[-1][0]
    finally:
        con.close()


def test_a_damaged_old_backup_is_refused_and_the_store_is_unchanged(demo_path: Path, tmp_path: Path) -> None:
    import io
    import json
    import zipfile

    path = tmp_path / "old.duckdb"
    _old_store(path, demo_path, BEFORE_CODES)
    old = duckdb.connect(str(path))
    backup = make_backup(old)
    old.close()
    src = zipfile.ZipFile(io.BytesIO(backup))
    manifest = json.loads(src.read("manifest.json"))
    manifest["tables"]["scores"]["checksum"] = "1:2:3"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as out:
        for item in src.namelist():
            out.writestr(item, json.dumps(manifest) if item == "manifest.json" else src.read(item))
    con = store.connect(tmp_path / "new.duckdb")
    try:
        before = _scores_checksum(con)
        result = restore_backup(con, buf.getvalue(), "rusak.zip")
        assert not result.restored
        assert result.problems[0].message_key == "exchange_backup_damaged"
        assert _scores_checksum(con) == before
    finally:
        con.close()


def test_the_coded_read_gives_exactly_the_results_of_the_string_read(demo_path: Path) -> None:
    con = duckdb.connect(str(demo_path), read_only=True)
    try:
        cids = [r[0] for r in con.sql("SELECT DISTINCT competition_id FROM scores ORDER BY 1").fetchall()]
        assert len(cids) >= 5
        for cid in cids:
            config = scoring_config(reads.competition(con, cid))
            strings = reads.competition_inputs(con, cid)
            coded = reads.competition_inputs(con, cid, coded=True)
            assert isinstance(coded.scores, engine.CodedScores)
            assert_frame_equal(coded.scores.decoded().collect().sort(pl.all()),
                               strings.scores.sort(pl.all()))
            for stage in (None, "administrasi"):
                a = competition_results(con, cid, stage)
                b = engine.score_competition(strings, config, stage=stage)
                for name in ("table", "sections", "stage_totals", "fields"):
                    assert_frame_equal(getattr(a, name), getattr(b, name))
                for name in ("criteria", "problems", "completeness"):
                    assert_frame_equal(getattr(a, name).collect().sort(pl.all()),
                                       getattr(b, name).collect().sort(pl.all()))
    finally:
        con.close()


def test_a_row_with_a_missing_key_is_refused_as_before(con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(duckdb.ConstraintException):
        score_rows.add_scores(con, [{"competition_id": "K", "stage": "administrasi", "entrant_id": None,
                                     "judge_id": "J1", "criterion_id": "C1", "option_code": "a"}])


def test_an_upsert_changes_the_choice_and_keeps_one_row(con: duckdb.DuckDBPyConnection) -> None:
    row = {"competition_id": "K", "stage": "administrasi", "entrant_id": "E1", "judge_id": "J1",
           "criterion_id": "C1", "option_code": "a"}
    score_rows.add_scores(con, [row])
    score_rows.add_scores(con, [row | {"option_code": "c"}])
    score_rows.add_scores(con, [{**row, "criterion_id": "C2", "option_code": None}])
    got = con.sql("SELECT criterion_id, option_code FROM scores ORDER BY 1").fetchall()
    assert got == [("C1", "c"), ("C2", None)]
    assert score_rows.read_score(con, "E1", "administrasi", "J1", "C1") == ("c", None, None, None)
    score_rows.update_score(con, "E1", "administrasi", "J1", "C1", {"option_code": "d", "note": "cek"})
    assert score_rows.read_score(con, "E1", "administrasi", "J1", "C1") == ("d", None, "cek", None)
