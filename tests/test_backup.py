"""Backup and restore give back an identical store (per-table checksums), or change nothing."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from data import store
from data.exchange.backup import base_tables, make_backup, restore_backup, table_checksum, table_checksums
from data.store import score_rows
from tests.fixtures.malformed.world import seed_world


@pytest.fixture
def filled(con):
    """A small store with the awkward types: lists, dates, timestamps, blobs, sequences."""
    seed_world(con, assign=True)
    with store.transaction(con):
        score_rows.add_scores(con, [{"competition_id": "lomba-lebak-2026", "stage": "lapangan",
                                     "entrant_id": "E-PSY-0001", "judge_id": "J-001", "criterion_id": "kese_1",
                                     "option_code": "b", "note": "Catatan: buku KIA lengkap",
                                     "evidence": ["a1b2", "c3d4"]}])
        con.execute("INSERT INTO boundaries (code, level, source, illustrative, geometry) "
                    "VALUES ('36.02.18.2010', 4, 'uji', TRUE, from_hex('0101000000000000000000F03F000000000000F03F'))")
        con.execute("INSERT INTO service_records (record_id, posyandu_id, spm_field, case_type, recorded_on, status) "
                    "VALUES ('R1', 'PSY-0001', 'sosial', 'Lansia', DATE '2025-11-24', 'verified')")
        con.execute("INSERT INTO audit_log (actor, action, entity, entity_key) VALUES ('uji', 'tes', 'x', '1'), "
                    "('uji', 'tes', 'x', '2')")
    return con


def _without_restore_entries(con) -> dict[str, str]:
    """Every table's checksum, the audit log's taken without the rows restores add about themselves."""
    sums = table_checksums(con)
    con.execute("CREATE OR REPLACE TEMP TABLE _log AS SELECT * FROM audit_log WHERE action <> 'restore'")
    sums["audit_log"] = table_checksum(con, "_log")
    con.execute("DROP TABLE _log")
    return sums


def test_restore_into_a_fresh_store_gives_an_identical_store(filled, tmp_path):
    before = table_checksums(filled)
    backup = make_backup(filled)
    fresh = store.connect(tmp_path / "fresh.duckdb")
    result = restore_backup(fresh, backup)
    assert result.restored and not result.problems and result.tables == len(base_tables(filled))
    assert _without_restore_entries(fresh) == before
    assert fresh.sql("SELECT evidence FROM scores WHERE note IS NOT NULL").fetchone() == (["a1b2", "c3d4"],)
    # the audit sequence moved past restored ids: a new audit row does not collide
    with store.transaction(fresh):
        fresh.execute("INSERT INTO audit_log (actor, action, entity, entity_key) VALUES ('uji', 'baru', 'x', '3')")
    assert fresh.sql("SELECT count(DISTINCT audit_id) FROM audit_log").fetchone()[0] == \
        filled.sql("SELECT count(*) FROM audit_log").fetchone()[0] + 2   # + the restore's entry + this one
    fresh.close()


def test_restore_in_place_undoes_later_changes_and_never_rewinds_the_version(filled):
    before = table_checksums(filled)
    backup = make_backup(filled)
    with store.transaction(filled):
        filled.execute("DELETE FROM score_choices")
        filled.execute("INSERT INTO judges (judge_id, name) VALUES ('J-NEW', 'Juri Baru')")
    version = store.data_version(filled)
    assert restore_backup(filled, backup).restored
    assert _without_restore_entries(filled) == before
    assert store.data_version(filled) > version     # caches keyed on the version see the restore


def _rewrite(backup: bytes, change) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(backup))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name in src.namelist():
            z.writestr(name, change(name, src.read(name)))
    return out.getvalue()


@pytest.mark.parametrize("damage, key", [
    (lambda name, b: b[:-40] + bytes(40) if name == "tables/judges.parquet" else b, "exchange_backup_damaged"),
    (lambda name, b: json.dumps({**json.loads(b), "migrations": [1]}).encode() if name == "manifest.json" else b,
     "exchange_backup_schema"),
    (lambda name, b: json.dumps({**json.loads(b), "format": "lain/9"}).encode() if name == "manifest.json" else b,
     "exchange_backup_format"),
], ids=["damaged_table", "other_schema", "other_format"])
def test_a_bad_backup_is_refused_and_the_store_is_unchanged(filled, damage, key):
    bad = _rewrite(make_backup(filled), damage)
    with store.transaction(filled):
        filled.execute("DELETE FROM practices")   # any state: it must survive the refused restore
    before = table_checksums(filled)
    result = restore_backup(filled, bad, "cadangan.zip")
    assert not result.restored and [p.message_key for p in result.problems] == [key]
    assert table_checksums(filled) == before


def test_a_file_that_is_not_a_backup_is_refused(filled):
    before = table_checksums(filled)
    result = restore_backup(filled, b"bukan zip", "foto.jpg")
    assert [p.message_key for p in result.problems] == ["exchange_backup_not_a_backup"]
    assert table_checksums(filled) == before


def test_the_demo_store_round_trips(demo_copy, tmp_path):
    demo = store.connect(demo_copy)
    before = table_checksums(demo)
    backup = make_backup(demo)
    demo.close()
    fresh = store.connect(tmp_path / "fresh.duckdb")
    assert restore_backup(fresh, backup).restored
    assert _without_restore_entries(fresh) == before
    fresh.close()


def test_a_restore_keeps_the_restored_log_and_records_who_restored_which_file(filled, tmp_path):
    backup = make_backup(filled)
    restored_log = filled.sql("SELECT audit_id, action FROM audit_log ORDER BY audit_id").fetchall()
    fresh = store.connect(tmp_path / "fresh.duckdb")
    assert restore_backup(fresh, backup, "cadangan-senin.zip", actor="panitia").restored
    log = fresh.sql("SELECT audit_id, action, actor, entity_key, source, new_value FROM audit_log "
                    "ORDER BY audit_id").fetchall()
    assert [r[:2] for r in log[:-1]] == restored_log
    last = log[-1]
    assert last[1:5] == ("restore", "panitia", "cadangan-senin.zip", "restore")
    assert json.loads(last[5])["rows"] > 0 and last[0] > restored_log[-1][0]
    fresh.close()
