"""Accounts, passwords, sessions and lock-out: who is acting, and may they?

Passwords are hashed with argon2id (argon2-cffi); only the encoded hash is stored. A session is a random token
that expires after `SESSION_IDLE` without use. Repeated failed sign-ins slow down, never lock (see `throttle`):
the delay grows per client and per account-and-client, while failures from other clients can make an account's
owner wait at most `ACCOUNT_DELAY_MAX`, so a visitor cannot keep a judge out. Knows nothing of Streamlit, so the
CLI and tests use it too. Anyone not signed in acts as `PUBLIC`, who may read published results only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from data import store
from data.store import audit
from data.store.con import Con
from present.errors import BadInput, UserError

Role = Literal["panitia", "juri", "pembina", "publik"]
ROLES: tuple[str, ...] = ("panitia", "juri", "pembina", "publik")
ACCOUNT_ROLES: tuple[str, ...] = ("panitia", "juri", "pembina")   # publik needs no account

SESSION_IDLE = dt.timedelta(hours=8)
MIN_PASSWORD_LENGTH = 8

# Throttling failed sign-ins. Failures count inside ATTEMPT_WINDOW, from the last success on. After the free
# failures each further try must wait DELAY_BASE, doubling per failure up to the cap. Only the account-wide count
# (failures from every client) touches the owner, and its cap is small: others can slow a judge, not lock them out.
ATTEMPT_WINDOW = dt.timedelta(days=1)   # longer than DELAY_MAX many times over: waiting out the count takes a day
DELAY_BASE = dt.timedelta(seconds=2)
PAIR_FREE_FAILURES = 5            # one client on one account (the owner mistyping, or one guesser)
CLIENT_FREE_FAILURES = 20         # one client across all accounts (a shared office address types a lot)
ACCOUNT_FREE_FAILURES = 10        # every client on one account
DELAY_MAX = dt.timedelta(minutes=15)
ACCOUNT_DELAY_MAX = dt.timedelta(seconds=30)
ATTEMPT_RETENTION = dt.timedelta(days=2)   # older attempts are deleted as new ones arrive
MAX_ATTEMPT_ROWS = 20_000                  # and the table never holds more than this
MAX_USERNAME_CHARS = 64                    # longer sign-in names are recorded as their hash
UNKNOWN_CLIENT = "-"

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
    """The outcome of a sign-in: a user and session token, or a message key saying why not.

    `wait_until` is set when the attempt was refused unchecked because this client or account must slow down.
    """
    user: User | None
    token: str | None
    message_key: str
    wait_until: dt.datetime | None = None

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


def create_user(con: Con, username: str, password: str, role: str, *,
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


def get_user(con: Con, username: str) -> User | None:
    row = con.sql(
        "SELECT username, role, judge_id, region_code, display_name, coalesce(must_change_password, FALSE) "
        "FROM users WHERE username = ? AND active", params=[username],
    ).fetchone()
    return User(*row) if row else None


def attempt_name(username: str) -> str:
    """The username as recorded with an attempt: itself up to MAX_USERNAME_CHARS, else its short hash."""
    if len(username) <= MAX_USERNAME_CHARS:
        return username
    return "sha256:" + hashlib.sha256(username.encode("utf-8", "surrogatepass")).hexdigest()[:40]


def client_key(client: str | None) -> str:
    """A short hash of the client's identifier (address or browser session): enough to tell clients apart,
    without storing anyone's address."""
    if not client:
        return UNKNOWN_CLIENT
    return hashlib.sha256(client.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def _trailing_failures(rows: list[tuple]) -> tuple[int, dt.datetime | None]:
    """(failures after the last success, time of the last failure) of attempts in time order."""
    n, last = 0, None
    for _, _, at, success in rows:
        if success:
            n, last = 0, None
        else:
            n, last = n + 1, at
    return n, last


def _delay(failures: int, free: int, cap: dt.timedelta) -> dt.timedelta:
    if failures < free:
        return dt.timedelta(0)
    return min(DELAY_BASE * (2 ** min(failures - free, 20)), cap)


def throttle(con: Con, username: str, client: str | None = None,
             now: dt.datetime | None = None) -> dt.datetime | None:
    """When this client may next try this username, if it must wait; None when it may try now.

    Three counts, each from its last success within ATTEMPT_WINDOW: this client on this account, this client on
    any account, and every client on this account (capped at ACCOUNT_DELAY_MAX). Unknown usernames are
    throttled exactly like real ones, so the answer says nothing about who has an account.
    """
    now = now or _now()
    name, key = attempt_name(username.strip()), client_key(client)
    rows = con.sql(
        "SELECT username, client, attempted_at, success FROM login_attempts "
        "WHERE attempted_at >= ? AND (username = ? OR client = ?) ORDER BY attempted_at, attempt_id",
        params=[now - ATTEMPT_WINDOW, name, key],
    ).fetchall()
    account = [r for r in rows if r[0] == name]
    counts = (
        ([r for r in account if r[1] == key], PAIR_FREE_FAILURES, DELAY_MAX),
        ([r for r in rows if r[1] == key], CLIENT_FREE_FAILURES, DELAY_MAX),
        (account, ACCOUNT_FREE_FAILURES, ACCOUNT_DELAY_MAX),
    )
    until: dt.datetime | None = None
    for subset, free, cap in counts:
        failures, last = _trailing_failures(subset)
        wait = _delay(failures, free, cap)
        if last is not None and wait and last + wait > now and (until is None or last + wait > until):
            until = last + wait
    return until


def _record_attempt(con: Con, username: str, client: str | None, success: bool,
                    now: dt.datetime) -> None:
    """Record one checked attempt (bounded name, hashed client) and prune old and surplus rows."""
    with store.transaction(con):   # touches no version: attempts and sessions change no result
        con.execute("DELETE FROM login_attempts WHERE attempted_at < ?", [now - ATTEMPT_RETENTION])
        con.execute("DELETE FROM login_attempts WHERE attempt_id <= "
                    "(SELECT max(attempt_id) FROM login_attempts) - ?", [MAX_ATTEMPT_ROWS - 1])
        con.execute("INSERT INTO login_attempts (username, client, attempted_at, success) VALUES (?, ?, ?, ?)",
                    [attempt_name(username), client_key(client), now, success])


_dummy_hashes: dict[tuple[int, int, int, int, int], str] = {}


def _dummy_hash() -> str:
    """A hash made with the current hasher's parameters, to verify against when the user does not exist:
    an unknown name then costs the same argon2 work as a wrong password."""
    h = _hasher
    params = (h.time_cost, h.memory_cost, h.parallelism, h.hash_len, h.salt_len)
    if params not in _dummy_hashes:
        _dummy_hashes[params] = h.hash(secrets.token_urlsafe(16))
    return _dummy_hashes[params]


def authenticate(con: Con, username: str, password: str,
                 now: dt.datetime | None = None, client: str | None = None) -> SignIn:
    """Check a password and open a session. Wrong passwords and throttled tries are answers, not errors.

    An unknown user costs the same argon2 verification and gets the same message as a wrong password, so
    neither the answer nor its timing reveals who has an account. A try that must wait is refused unchecked
    (and not recorded), so guessing cannot continue faster than the delay allows.
    """
    now = now or _now()
    username = username.strip()
    until = throttle(con, username, client, now)
    if until is not None:
        return SignIn(None, None, "safety_slow_down", wait_until=until)
    row = None
    if len(username) <= MAX_USERNAME_CHARS:
        row = con.sql("SELECT password_hash, active FROM users WHERE username = ?", params=[username]).fetchone()
    matched = verify_password(row[0] if row else _dummy_hash(), password)
    if row is None or not matched:
        _record_attempt(con, username, client, False, now)
        return SignIn(None, None, "auth_bad_credentials", wait_until=throttle(con, username, client, now))
    if not row[1]:
        # Only someone who knows the password learns the account is deactivated (a wrong guess hears the same
        # words as for an unknown name), and is told whom to ask instead of retrying. Counted as a failure.
        _record_attempt(con, username, client, False, now)
        return SignIn(None, None, "auth_account_inactive")
    if _hasher.check_needs_rehash(row[0]):
        with store.transaction(con):
            con.execute("UPDATE users SET password_hash = ? WHERE username = ?", [hash_password(password), username])
    _record_attempt(con, username, client, True, now)
    user = get_user(con, username)
    assert user is not None
    token = secrets.token_urlsafe(32)
    with store.transaction(con):   # touches no version: attempts and sessions change no result
        con.execute("INSERT INTO sessions (token, username, created_at, last_seen) VALUES (?, ?, ?, ?)",
                    [token, username, now, now])
    return SignIn(user, token, "auth_signed_in")


def slowed_accounts(con: Con, actor: User, now: dt.datetime | None = None) -> list[dict]:
    """Existing accounts with failed sign-ins since their last success in the window, newest first (panitia)."""
    require_role(actor, ["panitia"])
    now = now or _now()
    rows = con.sql(
        "SELECT a.username, a.client, a.attempted_at, a.success FROM login_attempts a "
        "JOIN users u ON u.username = a.username WHERE a.attempted_at >= ? ORDER BY a.attempted_at, a.attempt_id",
        params=[now - ATTEMPT_WINDOW],
    ).fetchall()
    out = []
    for name in sorted({r[0] for r in rows}):
        mine = [r for r in rows if r[0] == name]
        failures, last = _trailing_failures(mine)
        if failures:
            clients = {r[1] for r in mine if not r[3]}
            out.append({"username": name, "failures": failures, "clients": len(clients), "last_failure": last})
    return sorted(out, key=lambda r: r["last_failure"], reverse=True)


def unlock_account(con: Con, actor: User, username: str, now: dt.datetime | None = None) -> int:
    """Panitia: forget an account's failed sign-ins (every client), so its owner can try at once; audited.

    Returns how many failed attempts were cleared.
    """
    require_role(actor, ["panitia"])
    now = now or _now()
    name = attempt_name(username)
    with store.transaction(con):   # touches no version: attempts and sessions change no result
        n = store.scalar(con, "SELECT count(*) FROM login_attempts WHERE username = ? AND NOT success",
                         params=[name])
        con.execute("DELETE FROM login_attempts WHERE username = ? AND NOT success", [name])
        audit.record(con, actor.username, "unlock_account", "user", name, str(n), None, changed_at=now)
    return int(n)


def session_user(con: Con, token: str | None, now: dt.datetime | None = None) -> User | None:
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
        with store.transaction(con):   # touches no version
            con.execute("UPDATE sessions SET last_seen = ? WHERE token = ?", [now, token])
    return user


def end_session(con: Con, token: str, now: dt.datetime | None = None) -> None:
    """Sign out: the token stops working at once."""
    with store.transaction(con):   # touches no version: attempts and sessions change no result
        con.execute("UPDATE sessions SET ended_at = ? WHERE token = ? AND ended_at IS NULL", [now or _now(), token])
