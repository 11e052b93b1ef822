"""Account administration: the first panitia (browser or command line), accounts the panitia creates (juri,
pembina, panitia) with a temporary password to change at first sign-in, password resets, deactivation, juri
accounts for imported judges, and the demo's ready accounts. Every change is written to the audit log (never
a password or its hash).

    python -m data.judging.accounts create-panitia --username ketua            # prompts for the password twice
    echo 'secret-pass' | python -m data.judging.accounts create-panitia --username ketua --password-stdin

A deactivated account cannot sign in and its sessions end at once; its judge row, scores and name stay, so the
berita acara and the rekap still name who scored.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import re
import secrets
import sys
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from data import regions, store
from data.judging import auth
from data.judging.auth import User, require_role
from data.store import audit
from data.store.con import Con
from present.errors import BadInput

DEMO_PASSWORDS = {"panitia": "panitia-demo", "juri": "juri-demo", "pembina": "pembina-demo"}
DEMO_PEMBINA_REGION = "36.02"   # Kab. Lebak, Banten


def create_demo_accounts(con: Con) -> list[dict[str, str | None]]:
    """Ready accounts for each role on the demo store; returns them (username, password, role, link).

    panitia / panitia-demo; juri1 and juri2 / juri-demo, linked to the two judges with the most assignments in
    stages not yet finalised (so a juri who signs in has entrants to score); pembina-lebak / pembina-demo reading Kab. Lebak (36.02).
    The public view needs no account. Running it again replaces the accounts with the same passwords.
    """
    # Prefer judges with work still open (a stage not finalised), in Banten (where the demo story is), then any.
    judges = [r[0] for r in con.sql(
        "SELECT j.judge_id FROM judges j LEFT JOIN assignments a USING (judge_id) "
        "LEFT JOIN competition_stages cs ON cs.competition_id = a.competition_id AND cs.stage = a.stage "
        "LEFT JOIN competitions c ON c.competition_id = a.competition_id "
        "GROUP BY j.judge_id ORDER BY "
        "  count(*) FILTER (WHERE cs.finalized_at IS NULL AND starts_with(c.scope_code, '36')) DESC, "
        "  count(*) FILTER (WHERE cs.finalized_at IS NULL) DESC, count(a.entrant_id) DESC, j.judge_id LIMIT 2"
    ).fetchall()]
    made: list[dict[str, str | None]] = []

    def make(username: str, role: str, judge_id: str | None = None, region_code: str | None = None) -> None:
        auth.create_user(con, username, DEMO_PASSWORDS[role], role, replace=True, display_name=username,
                         judge_id=judge_id, region_code=region_code)
        link = {k: v for k, v in (("judge_id", judge_id), ("region_code", region_code)) if v is not None}
        made.append({"username": username, "password": DEMO_PASSWORDS[role], "role": role, **link})

    make("panitia", "panitia")
    for i, judge_id in enumerate(judges, start=1):
        make(f"juri{i}", "juri", judge_id=judge_id)
    make("pembina-lebak", "pembina", region_code=DEMO_PEMBINA_REGION)
    return made


# ---------------------------------------------------------------------------------------------- the password rule
STRONG_MIN_LENGTH = 12
PASSPHRASE_LENGTH = 16
# A username: 3–32 characters, lower-case letters, digits, dot, underscore or hyphen, starting with a letter or
# digit (the form, the command line and the judges import all check this one rule).
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,31}$")
# Words people reach for first; a password that is one of them plus digits or symbols is refused.
_COMMON_WORDS = frozenset({"password", "passwort", "qwerty", "qwertyuiop", "admin", "administrator", "panitia",
                           "posyandu", "rahasia", "sandi", "katasandi", "indonesia", "bismillah", "merdeka",
                           "welcome", "letmein", "juri", "pembina", "abcdef", "abcdefgh"})
_TEMP_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789"


def password_rule_problems(password: str, username: str = "") -> list[str]:
    """Message keys of every way `password` breaks the strong rule (none: accepted).

    At least 12 characters with upper-case, lower-case and a digit or symbol, or a pass phrase of 16 or more;
    not containing the username; not a common word dressed up with digits and symbols.
    """
    out: list[str] = []
    base = auth.password_problem(password)
    if base or len(password) < STRONG_MIN_LENGTH:
        out.append("setup_password_short")
    classes = (any(c.islower() for c in password), any(c.isupper() for c in password),
               any(not c.isalpha() for c in password))
    if len(password) < PASSPHRASE_LENGTH and not all(classes):
        out.append("setup_password_classes")
    if len(username) >= 3 and username.casefold() in password.casefold():
        out.append("setup_password_has_username")
    letters = re.sub(r"[^a-z]", "", password.casefold())
    if letters in _COMMON_WORDS or not letters:
        out.append("setup_password_common")
    return out


def problem_texts(keys: Sequence[str], lang: str = "id") -> list[str]:
    """The account and password problem keys as sentences in `lang` (the rule's numbers filled in)."""
    from present.i18n import t

    n = {"setup_password_short": STRONG_MIN_LENGTH, "setup_password_classes": PASSPHRASE_LENGTH}
    return [t(k, lang, n=n[k]) if k in n else t(k, lang, username="") for k in keys]


def temporary_password() -> str:
    """A random password to hand over once ("Hq7k-Mz3p-Tx9w"): it meets the strong rule and must be changed."""
    while True:
        groups = ["".join(secrets.choice(_TEMP_ALPHABET) for _ in range(4)) for _ in range(3)]
        candidate = "-".join(groups)
        if not password_rule_problems(candidate):
            return candidate


def username_problems(con: Con, username: str) -> list[str]:
    if not USERNAME.match(username) or username == auth.PUBLIC.username:
        return ["setup_username_bad"]
    if con.sql("SELECT 1 FROM users WHERE username = ?", params=[username]).fetchone():
        return ["setup_username_taken"]
    return []


def _audit(con: Con, actor: str, action: str, username: str, old: object, new: object,
           reason: str | None = None) -> None:
    audit.record(con, actor, action, "user", username, old, new, reason)


# ---------------------------------------------------------------------------------------------- first start
def has_panitia(con: Con) -> bool:
    """True when the store has an active panitia account (then the first-start form is gone)."""
    return con.sql("SELECT 1 FROM users WHERE role = 'panitia' AND active LIMIT 1").fetchone() is not None


def create_first_panitia(con: Con, username: str, display_name: str, password: str,
                         password_again: str) -> list[str]:
    """The first panitia of an empty store, from the browser; message keys of every problem (none: created).

    Refused once any panitia exists, so the form cannot be used to take over a running store.
    """
    username = username.strip()
    if has_panitia(con):
        return ["setup_panitia_exists"]
    problems = username_problems(con, username) + password_rule_problems(password, username)
    if password != password_again:
        problems.append("setup_password_mismatch")
    if problems:
        return problems
    auth.create_user(con, username, password, "panitia", display_name=display_name.strip() or username)
    with store.transaction(con):
        _audit(con, username, "create_first_panitia", username, None,
               {"role": "panitia", "display_name": display_name.strip() or username})
    return []


# ---------------------------------------------------------------------------------------------- the panitia's desk
@dataclass(frozen=True)
class NewAccount:
    """An account as the panitia fills it in. juri: an existing judge (`judge_id`) or a new one (name, OPD…)."""

    username: str
    role: str
    display_name: str
    judge_id: str | None = None
    institution: str | None = None       # the judge's OPD or body
    spm_field: str | None = None
    phone: str | None = None
    home_desa_code: str | None = None
    region_code: str | None = None       # pembina: the region they may read


def _new_judge_id(con: Con) -> str:
    n = store.scalar(con, "SELECT count(*) FROM judges") + 1
    while con.sql("SELECT 1 FROM judges WHERE judge_id = ?", params=[f"J-{n:03d}"]).fetchone():
        n += 1
    return f"J-{n:03d}"


def account_problems(con: Con, new: NewAccount) -> list[str]:
    out = username_problems(con, new.username.strip())
    if new.role not in auth.ACCOUNT_ROLES:
        out.append("setup_account_role_bad")
    if not new.display_name.strip():
        out.append("setup_account_name_empty")
    if new.role == "juri" and new.judge_id and con.sql(
            "SELECT 1 FROM users WHERE judge_id = ? AND active", params=[new.judge_id]).fetchone():
        out.append("setup_account_judge_has_account")
    if new.role == "juri" and new.judge_id and not con.sql(
            "SELECT 1 FROM judges WHERE judge_id = ?", params=[new.judge_id]).fetchone():
        out.append("setup_account_judge_unknown")
    if new.role == "juri" and new.home_desa_code and regions.validate_code(new.home_desa_code):
        out.append("setup_account_home_desa_bad")
    if new.role == "pembina" and (not new.region_code or regions.validate_code(new.region_code)):
        out.append("setup_account_region_bad")
    return out


def create_account(con: Con, actor: User, new: NewAccount) -> tuple[str | None, list[str]]:
    """Create an account with a temporary password (returned once, never stored in clear) that must be changed
    at first sign-in; a juri without `judge_id` gets a new judge row with their name and OPD."""
    require_role(actor, ["panitia"])
    problems = account_problems(con, new)
    if problems:
        return None, problems
    username = new.username.strip()
    judge_id = new.judge_id
    if new.role == "juri" and not judge_id:
        judge_id = _new_judge_id(con)
        with store.transaction(con):
            con.execute("INSERT INTO judges (judge_id, name, institution, spm_field, phone, home_desa_code) "
                        "VALUES (?, ?, ?, ?, ?, ?)",
                        [judge_id, new.display_name.strip(), new.institution, new.spm_field, new.phone,
                         regions.normalize_code(new.home_desa_code) if new.home_desa_code else None])
            store.touch_reference(con)   # judges are a reference table (names on every judge list)
    password = temporary_password()
    auth.create_user(con, username, password, new.role, judge_id=judge_id if new.role == "juri" else None,
                     region_code=regions.normalize_code(new.region_code) if new.role == "pembina" else None,
                     display_name=new.display_name.strip(), must_change_password=True)
    with store.transaction(con):
        _audit(con, actor.username, "create", username, None,
               {"role": new.role, "display_name": new.display_name.strip(), "judge_id": judge_id,
                "region_code": new.region_code, "institution": new.institution})
    return password, []


def _end_sessions(con: Con, username: str) -> None:
    con.execute("UPDATE sessions SET ended_at = ? WHERE username = ? AND ended_at IS NULL", [dt.datetime.now(),
                                                                                             username])


def reset_password(con: Con, actor: User, username: str) -> str:
    """A new temporary password for `username` (shown once to the panitia); it must be changed at next sign-in
    and the account's open sessions end. KeyError when there is no such account."""
    require_role(actor, ["panitia"])
    if not con.sql("SELECT 1 FROM users WHERE username = ?", params=[username]).fetchone():
        raise KeyError(username)
    password = temporary_password()
    with store.transaction(con):
        con.execute("UPDATE users SET password_hash = ?, must_change_password = TRUE WHERE username = ?",
                    [auth.hash_password(password), username])
        _end_sessions(con, username)
        _audit(con, actor.username, "reset_password", username, None, {"must_change_password": True})
    return password


def set_active(con: Con, actor: User, username: str, active: bool,
               reason: str | None = None) -> list[str]:
    """Deactivate (sign-in refused, sessions ended; judge row and scores kept) or reactivate an account."""
    require_role(actor, ["panitia"])
    row = con.sql("SELECT role, active FROM users WHERE username = ?", params=[username]).fetchone()
    if row is None:
        return ["setup_account_unknown"]
    if not active and username == actor.username:
        return ["setup_account_not_yourself"]
    if not active and row[0] == "panitia" and store.scalar(
            con, "SELECT count(*) FROM users WHERE role = 'panitia' AND active AND username <> ?",
            params=[username]) == 0:
        return ["setup_account_last_panitia"]
    if bool(row[1]) == active:
        return []
    with store.transaction(con):
        con.execute("UPDATE users SET active = ?, deactivated_at = ? WHERE username = ?",
                    [active, None if active else dt.datetime.now(), username])
        if not active:
            _end_sessions(con, username)
        _audit(con, actor.username, "activate" if active else "deactivate", username, {"active": not active},
               {"active": active}, reason)
    return []


def change_password(con: Con, user: User, current: str, new: str, again: str) -> list[str]:
    """The signed-in user replaces their password (the temporary one, or any); clears must-change."""
    row = con.sql("SELECT password_hash FROM users WHERE username = ? AND active", params=[user.username]).fetchone()
    if row is None or not auth.verify_password(row[0], current):
        return ["setup_password_wrong"]
    problems = password_rule_problems(new, user.username)
    if new != again:
        problems.append("setup_password_mismatch")
    if new == current:
        problems.append("setup_password_same")
    if problems:
        return problems
    with store.transaction(con):
        con.execute("UPDATE users SET password_hash = ?, must_change_password = FALSE WHERE username = ?",
                    [auth.hash_password(new), user.username])
        _audit(con, user.username, "change_password", user.username, None, {"must_change_password": False})
    return []


def accounts_frame(con: Con) -> pl.DataFrame:
    """Every account with its judge (name, OPD) or region, state and last sign-in; panitia first."""
    return con.sql(
        "SELECT u.username, u.role, u.display_name, u.judge_id, j.name AS judge_name, j.institution,"
        " u.region_code, u.active, coalesce(u.must_change_password, FALSE) AS must_change_password,"
        " u.created_at, u.deactivated_at,"
        " (SELECT max(attempted_at) FROM login_attempts a WHERE a.username = u.username AND a.success) AS last_sign_in "
        "FROM users u LEFT JOIN judges j USING (judge_id) "
        "ORDER BY array_position(ARRAY['panitia', 'juri', 'pembina'], u.role), u.username").pl()


def judges_without_account(con: Con) -> pl.DataFrame:
    """Judges (from an import or the demo) that no active juri account scores as."""
    return con.sql("SELECT judge_id, name, institution FROM judges WHERE judge_id NOT IN "
                   "(SELECT judge_id FROM users WHERE judge_id IS NOT NULL AND active) ORDER BY name").pl()


def username_for(con: Con, name: str, taken: set[str] | None = None) -> str:
    """A free username from a judge's name: "dr. Ratna Dewi, M.Kes" → "ratna.dewi" (then ratna.dewi2 …)."""
    words = [w for w in re.sub(r"[^a-z ]+", " ", name.casefold()).split()
             if w not in {"dr", "drs", "dra", "ir", "hj", "h", "s", "m", "kes", "kep", "sos", "pd", "si", "st", "se",
                          "sh", "mm", "ap", "skm", "amd", "ners"}]
    base = ".".join(words[:2]) or "juri"
    base = base[:28]
    taken = set(taken or ())
    candidate, n = base, 1
    while candidate in taken or username_problems(con, candidate):
        n += 1
        candidate = f"{base}{n}"
    return candidate


def check_judge_usernames(con: Con, judge_ids: Sequence[str],
                          usernames: dict[str, str] | None) -> dict[str, str]:
    """The usernames chosen for judges that still need an account (judge id → username), each checked against
    the account rule, each other and the accounts there are; BadInput names the first that cannot be used."""
    need = {r[0] for r in con.sql(
        "SELECT judge_id FROM judges WHERE judge_id = ANY(?) AND judge_id NOT IN "
        "(SELECT judge_id FROM users WHERE judge_id IS NOT NULL AND active)", params=[list(judge_ids)]).fetchall()}
    chosen = {j: u.strip() for j, u in (usernames or {}).items() if j in need and u and u.strip()}
    seen: set[str] = set()
    for username in chosen.values():
        problems = username_problems(con, username)
        if username in seen or problems == ["setup_username_taken"]:
            raise BadInput("exchange_username_taken", value=username)
        if problems:
            raise BadInput("exchange_username_bad", value=username)
        seen.add(username)
    return chosen


def create_judge_accounts(con: Con, actor: User, judge_ids: Sequence[str],
                          usernames: dict[str, str] | None = None) -> pl.DataFrame:
    """Juri accounts for judges without one (after a judges import), under the username the file gave
    (`usernames`: judge id → username) or one made from the name; returns username, name, OPD and the
    temporary password of each, to hand over once. Every chosen username is checked before any account is
    made: one that cannot be used refuses them all (BadInput naming it)."""
    require_role(actor, ["panitia"])
    rows = con.sql("SELECT judge_id, name, institution FROM judges WHERE judge_id = ANY(?) "
                   "AND judge_id NOT IN (SELECT judge_id FROM users WHERE judge_id IS NOT NULL AND active) "
                   "ORDER BY name", params=[list(judge_ids)]).fetchall()
    chosen = check_judge_usernames(con, judge_ids, usernames)
    taken = set(chosen.values())
    made: list[dict[str, str | None]] = []
    for judge_id, name, institution in rows:
        username = chosen.get(judge_id) or username_for(con, name, taken)
        taken.add(username)
        password, problems = create_account(con, actor, NewAccount(username, "juri", name, judge_id=judge_id))
        if password:
            made.append({"username": username, "name": name, "institution": institution, "password": password})
    return pl.DataFrame(made, schema={"username": pl.String, "name": pl.String, "institution": pl.String,
                                      "password": pl.String})


def credentials_xlsx(frame: pl.DataFrame) -> bytes:
    """The new accounts and their temporary passwords as an Excel sheet to hand out (the panitia's copy)."""
    import io

    buf = io.BytesIO()
    frame.write_excel(buf, worksheet="Akun", autofit=True)
    return buf.getvalue()


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    second = getpass.getpass("Password (again): ")
    if first != second:
        raise SystemExit("passwords do not match")
    return first


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m data.judging.accounts", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    create = sub.add_parser("create-panitia", help="create an organiser (panitia) account")
    create.add_argument("--username", required=True)
    create.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    create.add_argument("--store", help="store file (default: $POSYANDU_STORE or var/posyandu.duckdb)")
    create.add_argument("--replace", action="store_true", help="overwrite an existing account of that name")
    args = parser.parse_args(argv)

    password = _read_password(args.password_stdin)
    problems = password_rule_problems(password, args.username)
    if problems:
        print(f"password rejected: {' '.join(problem_texts(problems, 'en'))}", file=sys.stderr)
        return 2
    con = store.connect(args.store)
    try:
        from data.setup.first_start import prepare_empty_store

        prepare_empty_store(con)   # a store started from the command line gets the regions and instruments too
        auth.create_user(con, args.username, password, "panitia", display_name=args.username,
                         replace=args.replace)
    except ValueError as exc:
        print(f"not created: {exc.text('en') if isinstance(exc, BadInput) else exc}", file=sys.stderr)
        return 1
    finally:
        con.close()
    print(f"panitia account {args.username!r} created")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
