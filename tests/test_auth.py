"""Accounts: hashed passwords, sessions that expire, lock-out after repeated failures, the panitia CLI."""

from __future__ import annotations

import datetime as dt
import io
import sys

import pytest
from argon2 import PasswordHasher

from data import store
from data.judging import accounts, auth
from present.errors import BadInput
from tests.test_judging_fixtures import assign_defaults, build_contest

T0 = dt.datetime(2026, 10, 20, 8, 0, 0)



@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheap argon2 parameters in tests: the rules under test do not depend on the hashing cost."""
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))

def test_password_is_never_stored_in_clear(con):
    auth.create_user(con, "ketua", "rahasia-sekali", "panitia")
    stored = con.sql("SELECT * FROM users").fetchall()
    assert "rahasia-sekali" not in repr(stored)
    hashed = con.sql("SELECT password_hash FROM users WHERE username = 'ketua'").fetchone()[0]
    assert hashed.startswith("$argon2id$")
    assert auth.hash_password("rahasia-sekali") != hashed   # salted: the same password hashes differently


def test_sign_in_gives_a_session_that_identifies_the_user(con):
    auth.create_user(con, "juri1", "juri-demo", "juri", judge_id="J1")
    result = auth.authenticate(con, "juri1", "juri-demo", now=T0)
    assert result.ok and result.user.judge_id == "J1"
    assert auth.session_user(con, result.token, now=T0 + dt.timedelta(hours=1)).username == "juri1"
    assert "juri-demo" not in repr(con.sql("SELECT * FROM sessions").fetchall())


def test_wrong_password_and_unknown_user_get_the_same_answer(con):
    auth.create_user(con, "juri1", "juri-demo", "juri", judge_id="J1")
    wrong = auth.authenticate(con, "juri1", "salah-salah", now=T0)
    unknown = auth.authenticate(con, "siapa", "juri-demo", now=T0)
    assert not wrong.ok and not unknown.ok
    assert wrong.message_key == unknown.message_key == "auth_bad_credentials"


def test_session_expires_after_idle_time_and_on_sign_out(con):
    auth.create_user(con, "panitia", "panitia-demo", "panitia")
    token = auth.authenticate(con, "panitia", "panitia-demo", now=T0).token
    # Used every 7 hours, the session lives on; idle 8 h + 1 min, it is gone.
    assert auth.session_user(con, token, now=T0 + dt.timedelta(hours=7)) is not None
    assert auth.session_user(con, token, now=T0 + dt.timedelta(hours=14)) is not None
    assert auth.session_user(con, token, now=T0 + dt.timedelta(hours=22, minutes=1)) is None
    token2 = auth.authenticate(con, "panitia", "panitia-demo", now=T0).token
    auth.end_session(con, token2, now=T0)
    assert auth.session_user(con, token2, now=T0) is None
    assert auth.session_user(con, "not-a-token", now=T0) is None


def test_five_failures_lock_the_account_for_fifteen_minutes(con):
    auth.create_user(con, "juri1", "juri-demo", "juri", judge_id="J1")
    for i in range(4):
        assert auth.authenticate(con, "juri1", "tebak-tebak", now=T0 + dt.timedelta(seconds=i)).message_key \
            == "auth_bad_credentials"
    fifth = auth.authenticate(con, "juri1", "tebak-tebak", now=T0 + dt.timedelta(seconds=4))
    assert fifth.message_key == "auth_locked" and fifth.locked_until is not None
    # Even the right password is refused during the lock, and not checked (no new attempt row).
    before = con.sql("SELECT count(*) FROM login_attempts").fetchone()[0]
    locked = auth.authenticate(con, "juri1", "juri-demo", now=T0 + dt.timedelta(minutes=10))
    assert not locked.ok and locked.message_key == "auth_locked"
    assert con.sql("SELECT count(*) FROM login_attempts").fetchone()[0] == before
    assert auth.authenticate(con, "juri1", "juri-demo", now=T0 + dt.timedelta(minutes=16)).ok


def test_a_success_resets_the_failure_count(con):
    auth.create_user(con, "juri1", "juri-demo", "juri", judge_id="J1")
    for i in range(4):
        auth.authenticate(con, "juri1", "tebak-tebak", now=T0 + dt.timedelta(seconds=i))
    assert auth.authenticate(con, "juri1", "juri-demo", now=T0 + dt.timedelta(seconds=5)).ok
    assert auth.authenticate(con, "juri1", "tebak-tebak", now=T0 + dt.timedelta(seconds=6)).message_key \
        == "auth_bad_credentials"


@pytest.mark.parametrize(("role", "link", "password"), [
    ("juri", {}, "long-enough"),                      # a juri without a judge
    ("pembina", {}, "long-enough"),                   # a pembina without a region
    ("admin", {}, "long-enough"),                     # not a role
    ("panitia", {}, "short"),                         # too short a password
])
def test_accounts_that_make_no_sense_are_refused(con, role, link, password):
    with pytest.raises(BadInput):
        auth.create_user(con, "x", password, role, **link)
    assert con.sql("SELECT count(*) FROM users").fetchone()[0] == 0


def test_cli_creates_the_first_panitia_from_stdin(tmp_path, monkeypatch, capsys):
    path = tmp_path / "cli.duckdb"
    monkeypatch.setattr(sys, "stdin", io.StringIO("kata-sandi-kudus\n"))
    assert accounts.main(["create-panitia", "--username", "ketua", "--password-stdin", "--store", str(path)]) == 0
    monkeypatch.setattr(sys, "stdin", io.StringIO("pendek\n"))
    assert accounts.main(["create-panitia", "--username", "wakil", "--password-stdin", "--store", str(path)]) == 2
    c = store.connect(path)
    try:
        assert auth.authenticate(c, "ketua", "kata-sandi-kudus").user.role == "panitia"
        assert auth.get_user(c, "wakil") is None
    finally:
        c.close()


def test_demo_accounts_sign_in_and_the_juri_has_entrants(con):
    build_contest(con)
    assign_defaults(con)
    made = {a["username"]: a for a in accounts.create_demo_accounts(con)}
    assert set(made) == {"panitia", "juri1", "juri2", "pembina-lebak"}
    assert made["juri1"]["judge_id"] == "J2"          # J2 has the most assignments (3)
    for name, acct in made.items():
        assert auth.authenticate(con, name, acct["password"]).ok
    accounts.create_demo_accounts(con)                 # running it again is harmless
    assert con.sql("SELECT count(*) FROM users").fetchone()[0] == 4
