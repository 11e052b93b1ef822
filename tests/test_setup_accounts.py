"""Accounts the panitia manages: the strong password rule, the first panitia, temporary passwords that must be
changed, resets, deactivation (sign-in refused, scores and name kept), juri accounts for imported judges, audit."""

from __future__ import annotations

import pytest

from data.judging import accounts, auth
from data.judging.accounts import NewAccount
from data.judging.auth import PermissionDenied, User
from data.store import score_rows

KETUA = User("ketua", "panitia", display_name="Ketua Panitia")



@pytest.fixture
def con(either_con):
    """Every test here runs on both stores, DuckDB and PostgreSQL (`-m postgres` runs the PostgreSQL half)."""
    return either_con


@pytest.mark.parametrize(("password", "username", "keys"), [
    ("Kudus-Sehat-2025", "ketua", []),
    ("kata-sandi-kudus", "ketua", []),                     # a pass phrase of 16: no character classes needed
    ("Pendek-1", "ketua", ["setup_password_short"]),
    ("semuakecilsaja12", "ketua", []),                     # 16 characters: a pass phrase
    ("semuakecil12", "ketua", ["setup_password_classes"]),
    ("Ketua-Panitia-1", "ketua", ["setup_password_has_username"]),
    ("Posyandu2025!", "ketua", ["setup_password_common"]),
    ("123456789012", "ketua", ["setup_password_classes", "setup_password_common"]),
])
def test_the_strong_password_rule(password, username, keys):
    assert accounts.password_rule_problems(password, username) == keys


def test_a_temporary_password_meets_the_rule_and_is_different_each_time():
    a, b = accounts.temporary_password(), accounts.temporary_password()
    assert a != b and accounts.password_rule_problems(a) == [] and len(a) == 14


def test_the_first_panitia_is_created_once_with_a_strong_password(con, fast_hashing):
    assert not accounts.has_panitia(con)
    assert accounts.create_first_panitia(con, "ketua", "Ketua Panitia", "pendek", "pendek") == [
        "setup_password_short", "setup_password_classes"]
    assert accounts.create_first_panitia(con, "ketua", "Ketua", "Kudus-Sehat-2025", "Kudus-Sehat-2026") == [
        "setup_password_mismatch"]
    assert accounts.create_first_panitia(con, "ketua", "Ketua Panitia", "Kudus-Sehat-2025", "Kudus-Sehat-2025") == []
    assert accounts.has_panitia(con)
    assert auth.authenticate(con, "ketua", "Kudus-Sehat-2025").user.role == "panitia"
    # Once a panitia exists, the browser form cannot make another.
    assert accounts.create_first_panitia(con, "penyusup", "X", "Kudus-Sehat-2025", "Kudus-Sehat-2025") == [
        "setup_panitia_exists"]


def test_a_new_juri_gets_a_judge_row_with_the_opd_and_must_change_the_temporary_password(con, fast_hashing):
    password, problems = accounts.create_account(con, KETUA, NewAccount(
        "ratna", "juri", "dr. Ratna Dewi", institution="Dinas Kesehatan", spm_field="kesehatan",
        home_desa_code="3319012001"))
    assert problems == [] and password
    judge = con.sql("SELECT j.name, j.institution, j.home_desa_code FROM users u JOIN judges j USING (judge_id) "
                    "WHERE u.username = 'ratna'").fetchone()
    assert judge == ("dr. Ratna Dewi", "Dinas Kesehatan", "33.19.01.2001")
    signed = auth.authenticate(con, "ratna", password)
    assert signed.ok and signed.user.must_change_password
    assert accounts.change_password(con, signed.user, password, "ratna-baru-2025", "ratna-baru-2025") == [
        "setup_password_classes", "setup_password_has_username"]
    assert accounts.change_password(con, signed.user, "salah", "Kudus-Juri-2025", "Kudus-Juri-2025") == [
        "setup_password_wrong"]
    assert accounts.change_password(con, signed.user, password, "Kudus-Juri-2025", "Kudus-Juri-2025") == []
    assert not auth.authenticate(con, "ratna", "Kudus-Juri-2025").user.must_change_password
    assert not auth.authenticate(con, "ratna", password).ok


def test_a_pembina_reads_one_region_and_needs_a_real_one(con, fast_hashing):
    _, problems = accounts.create_account(con, KETUA, NewAccount("pembina-x", "pembina", "Pembina", region_code="99"))
    assert problems == ["setup_account_region_bad"]
    password, problems = accounts.create_account(con, KETUA, NewAccount("pembina-kudus", "pembina",
                                                                        "TP PKK Kudus", region_code="33.19"))
    assert problems == [] and auth.authenticate(con, "pembina-kudus", password).user.region_code == "33.19"


def test_usernames_are_checked(con, fast_hashing):
    accounts.create_account(con, KETUA, NewAccount("ketua2", "panitia", "Wakil"))
    assert accounts.create_account(con, KETUA, NewAccount("ketua2", "panitia", "X"))[1] == ["setup_username_taken"]
    assert accounts.create_account(con, KETUA, NewAccount("Ketua Dua", "panitia", "X"))[1] == ["setup_username_bad"]
    assert accounts.create_account(con, KETUA, NewAccount("abc", "juri", " "))[1] == ["setup_account_name_empty"]


def test_a_reset_password_must_be_changed_and_ends_open_sessions(con, fast_hashing):
    password, _ = accounts.create_account(con, KETUA, NewAccount("budi", "juri", "Budi Santoso"))
    user = auth.authenticate(con, "budi", password).user
    accounts.change_password(con, user, password, "Budi-Kudus-2025x", "Budi-Kudus-2025x")
    token = auth.authenticate(con, "budi", "Budi-Kudus-2025x").token
    temp = accounts.reset_password(con, KETUA, "budi")
    assert auth.session_user(con, token) is None                    # signed out everywhere
    assert not auth.authenticate(con, "budi", "Budi-Kudus-2025x").ok
    assert auth.authenticate(con, "budi", temp).user.must_change_password


def test_a_deactivated_juri_cannot_sign_in_but_their_scores_keep_their_name(con, fast_hashing):
    password, _ = accounts.create_account(con, KETUA, NewAccount("sari", "juri", "Sari Wulandari",
                                                                 institution="Dinas Sosial"))
    token = auth.authenticate(con, "sari", password).token
    judge_id = auth.get_user(con, "sari").judge_id
    score_rows.add_scores(con, [{"competition_id": "K", "stage": "administrasi", "entrant_id": "E1",
                                 "judge_id": judge_id, "criterion_id": "KLB-01", "option_code": "b"}])
    assert accounts.set_active(con, KETUA, "sari", False, reason="pindah tugas") == []
    assert auth.session_user(con, token) is None
    assert not auth.authenticate(con, "sari", password).ok
    named = con.sql("SELECT j.name, j.institution, s.option_code FROM scores s JOIN judges j USING (judge_id)").fetchall()
    assert named == [("Sari Wulandari", "Dinas Sosial", "b")]
    row = accounts.accounts_frame(con).filter(username="sari").row(0, named=True)
    assert (row["active"], row["judge_name"]) == (False, "Sari Wulandari") and row["deactivated_at"] is not None
    # The juri, with the right password, is told why (not "wrong password" to retry forever); a wrong guess
    # hears the same words as for an unknown name, so deactivation reveals nothing to a guesser.
    assert auth.authenticate(con, "sari", password).message_key == "auth_account_inactive"
    assert auth.authenticate(con, "sari", "bukan-sandinya").message_key == "auth_bad_credentials"
    # Reactivated, the same password works again.
    assert accounts.set_active(con, KETUA, "sari", True) == []
    assert auth.authenticate(con, "sari", password).ok


def test_the_panitia_cannot_lock_themselves_or_the_last_panitia_out(con, fast_hashing):
    auth.create_user(con, "ketua", "Kudus-Sehat-2025", "panitia")
    assert accounts.set_active(con, KETUA, "ketua", False) == ["setup_account_not_yourself"]
    assert accounts.set_active(con, User("wakil", "panitia"), "ketua", False) == ["setup_account_last_panitia"]


def test_only_panitia_manage_accounts(con, fast_hashing):
    juri = User("juri1", "juri", judge_id="J1")
    with pytest.raises(PermissionDenied):
        accounts.create_account(con, juri, NewAccount("x1x", "juri", "X"))
    with pytest.raises(PermissionDenied):
        accounts.reset_password(con, juri, "ketua")
    with pytest.raises(PermissionDenied):
        accounts.set_active(con, juri, "ketua", False)


def test_every_account_change_is_audited_without_the_password(con, fast_hashing):
    password, _ = accounts.create_account(con, KETUA, NewAccount("budi", "juri", "Budi Santoso"))
    temp = accounts.reset_password(con, KETUA, "budi")
    accounts.set_active(con, KETUA, "budi", False, reason="pindah tugas")
    rows = con.sql("SELECT actor, action, entity_key, coalesce(new_value, '') || coalesce(old_value, ''), reason "
                   "FROM audit_log WHERE entity = 'user' ORDER BY audit_id").fetchall()
    assert [(a, b, c, e) for a, b, c, _, e in rows] == [
        ("ketua", "create", "budi", None), ("ketua", "reset_password", "budi", None),
        ("ketua", "deactivate", "budi", "pindah tugas")]
    assert not any(password in r[3] or temp in r[3] for r in rows)


def test_account_changes_read_as_words_on_the_audit_page():
    from present.audit_table import _label

    # Jejak Audit showed "reset_password" and "deactivate" as stored; a panitia reads what happened.
    assert [_label("integrity_action_", a, "id") for a in ("reset_password", "deactivate", "activate", "create")] \
        == ["Kata sandi disetel ulang", "Akun dinonaktifkan", "Akun diaktifkan kembali", "Dibuat"]


def test_imported_judges_get_juri_accounts_with_usernames_from_their_names(con, fast_hashing):
    con.executemany("INSERT INTO judges (judge_id, name, institution) VALUES (?, ?, ?)", [
        ["J-001", "dr. Ratna Dewi, M.Kes", "Dinas Kesehatan"], ["J-002", "Ir. Budi Santoso", "Dinas PUPR"],
        ["J-003", "Budi Santoso", "Satpol PP"]])
    made = accounts.create_judge_accounts(con, KETUA, ["J-001", "J-002", "J-003"])
    assert sorted(made["username"].to_list()) == ["budi.santoso", "budi.santoso2", "ratna.dewi"]
    for r in made.iter_rows(named=True):
        assert auth.authenticate(con, r["username"], r["password"]).user.must_change_password
    # Again: every judge has an account now, so nothing more is made.
    assert accounts.create_judge_accounts(con, KETUA, ["J-001", "J-002", "J-003"]).height == 0
    assert accounts.judges_without_account(con).height == 0
