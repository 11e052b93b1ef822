"""Accounts, passwords, sessions and lock-out: who is acting, and may they?

Passwords are hashed with argon2id (argon2-cffi); only the encoded hash is stored. A session is a random token
that expires after `SESSION_IDLE` without use; an account is locked for `LOCKOUT_WINDOW` after
`LOCKOUT_FAILURES` failed sign-ins in a row. Knows nothing of Streamlit, so the CLI and tests use it too.
Anyone not signed in acts as `PUBLIC`, who may read published results only.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import duckdb
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from data import store
from present.errors import BadInput, UserError

Role = Literal["panitia", "juri", "pembina", "publik"]
ROLES: tuple[str, ...] = ("panitia", "juri", "pembina", "publik")
ACCOUNT_ROLES: tuple[str, ...] = ("panitia", "juri", "pembina")   # publik needs no account

SESSION_IDLE = dt.timedelta(hours=8)
LOCKOUT_FAILURES = 5
LOCKOUT_WINDOW = dt.timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 8

_hasher = PasswordHasher()


@dataclass(frozen=True)
class User:
    """The acting person. `judge_id` is set for juri, `region_code` for pembina. `must_change_password`: the
    account has a temporary password (new or reset by the panitia) to replace before doing anything else."""
    username: str
    role: str
    judge_id: str | None = None
    region_code: str | None = None
    display_name: str | None = None
    must_change_password: bool = False

    @property
    def is_public(self) -> bool:
        return self.role == "publik"


PUBLIC = User(username="publik", role="publik")


class PermissionDenied(UserError):
    """The acting user may not do this; `message_key` names the catalogue text to show."""


def require_role(user: User, roles: Iterable[str]) -> None:
    """Raise PermissionDenied unless `user` has one of `roles`."""
    allowed = tuple(roles)
    if user.role not in allowed:
        raise PermissionDenied("judging_denied_role", role=user.role, allowed=", ".join(allowed))


@dataclass(frozen=True)
class SignIn:
    """The outcome of a sign-in: a user and session token, or a message key saying why not."""
    user: User | None
    token: str | None
    message_key: str
    locked_until: dt.datetime | None = None

    @property
    def ok(self) -> bool:
        return self.user is not None


def _now() -> dt.datetime:
    return dt.datetime.now()


def hash_password(password: str) -> str:
    """The argon2id encoded hash of `password` (salted; two calls give different strings)."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def password_problem(password: str) -> str | None:
    """A message key when the password is too weak to accept, else None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return "auth_password_too_short"
    return None


def create_user(con: duckdb.DuckDBPyConnection, username: str, password: str, role: str, *,
                judge_id: str | None = None, region_code: str | None = None,
                display_name: str | None = None, replace: bool = False,
                must_change_password: bool = False) -> User:
    """Create (or with `replace`, overwrite) an account. Raises BadInput on a role/link mismatch or a taken name."""
    if role not in ACCOUNT_ROLES:
        raise BadInput("error_auth_unknown_role", role=role, roles=ACCOUNT_ROLES)
    if role == "juri" and not judge_id:
        raise BadInput("error_auth_juri_needs_judge")
    if role == "pembina" and not region_code:
        raise BadInput("error_auth_pembina_needs_region")
    if not username or username != username.strip() or username == PUBLIC.username:
        raise BadInput("error_auth_bad_username", username=username)
    problem = password_problem(password)
    if problem:
        raise BadInput(problem)
    encoded = hash_password(password)
    with store.transaction(con):
        exists = con.sql("SELECT 1 FROM users WHERE username = ?", params=[username]).fetchone()
        if exists and not replace:
            raise BadInput("error_auth_user_exists", username=username)
        if exists:
            con.execute("DELETE FROM users WHERE username = ?", [username])
        con.execute(
            "INSERT INTO users (username, password_hash, role, judge_id, region_code, display_name, "
            "must_change_password) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [username, encoded, role, judge_id, region_code, display_name, must_change_password],
        )
    return User(username, role, judge_id, region_code, display_name, must_change_password)


def get_user(con: duckdb.DuckDBPyConnection, username: str) -> User | None:
    row = con.sql(
        "SELECT username, role, judge_id, region_code, display_name, coalesce(must_change_password, FALSE) "
        "FROM users WHERE username = ? AND active", params=[username],
    ).fetchone()
    return User(*row) if row else None


def locked_until(con: duckdb.DuckDBPyConnection, username: str, now: dt.datetime | None = None) -> dt.datetime | None:
    """When the account unlocks, if the last LOCKOUT_FAILURES attempts all failed inside the window."""
    now = now or _now()
    rows = con.sql(
        "SELECT attempted_at, success FROM login_attempts WHERE username = ? "
        "ORDER BY attempted_at DESC, attempt_id DESC LIMIT ?",
        params=[username, LOCKOUT_FAILURES],
    ).fetchall()
    if len(rows) < LOCKOUT_FAILURES or any(success for _, success in rows):
        return None
    until = rows[0][0] + LOCKOUT_WINDOW
    return until if until > now else None


def _record_attempt(con: duckdb.DuckDBPyConnection, username: str, success: bool, now: dt.datetime) -> None:
    with store.transaction(con):
        con.execute("INSERT INTO login_attempts (username, attempted_at, success) VALUES (?, ?, ?)",
                    [username, now, success])


def authenticate(con: duckdb.DuckDBPyConnection, username: str, password: str,
                 now: dt.datetime | None = None) -> SignIn:
    """Check a password and open a session. Wrong passwords and locked accounts are answers, not errors.

    An unknown user gets the same message as a wrong password, so sign-in does not reveal who has an account;
    a locked account is not even checked, so guessing cannot continue during the lock.
    """
    now = now or _now()
    username = username.strip()
    until = locked_until(con, username, now)
    if until is not None:
        return SignIn(None, None, "auth_locked", locked_until=until)
    row = con.sql("SELECT password_hash FROM users WHERE username = ? AND active", params=[username]).fetchone()
    if row is None or not verify_password(row[0], password):
        _record_attempt(con, username, False, now)
        until = locked_until(con, username, now)
        return SignIn(None, None, "auth_locked" if until else "auth_bad_credentials", locked_until=until)
    if _hasher.check_needs_rehash(row[0]):
        with store.transaction(con):
            con.execute("UPDATE users SET password_hash = ? WHERE username = ?", [hash_password(password), username])
    _record_attempt(con, username, True, now)
    user = get_user(con, username)
    assert user is not None
    token = secrets.token_urlsafe(32)
    with store.transaction(con):
        con.execute("INSERT INTO sessions (token, username, created_at, last_seen) VALUES (?, ?, ?, ?)",
                    [token, username, now, now])
    return SignIn(user, token, "auth_signed_in")


def session_user(con: duckdb.DuckDBPyConnection, token: str | None, now: dt.datetime | None = None) -> User | None:
    """The user of a live session, touching its last use; None when unknown, ended or idle too long."""
    if not token:
        return None
    now = now or _now()
    row = con.sql("SELECT username, last_seen, ended_at FROM sessions WHERE token = ?", params=[token]).fetchone()
    if row is None or row[2] is not None:
        return None
    username, last_seen, _ = row
    if now - last_seen > SESSION_IDLE:
        end_session(con, token, now)
        return None
    user = get_user(con, username)
    if user is None:
        return None
    # Touch at most once a minute: a page rerun on every click need not write to the store each time.
    if now - last_seen > dt.timedelta(minutes=1):
        with store.transaction(con):
            con.execute("UPDATE sessions SET last_seen = ? WHERE token = ?", [now, token])
    return user


def end_session(con: duckdb.DuckDBPyConnection, token: str, now: dt.datetime | None = None) -> None:
    """Sign out: the token stops working at once."""
    with store.transaction(con):
        con.execute("UPDATE sessions SET ended_at = ? WHERE token = ? AND ended_at IS NULL", [now or _now(), token])
