"""Account administration: the command that creates the first panitia, and the demo's ready accounts.

    python -m data.accounts create-panitia --username ketua            # prompts for the password twice
    echo 'secret-pass' | python -m data.accounts create-panitia --username ketua --password-stdin
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Sequence

import duckdb

from data import store
from data.judging import auth

DEMO_PASSWORDS = {"panitia": "panitia-demo", "juri": "juri-demo", "pembina": "pembina-demo"}
DEMO_PEMBINA_REGION = "36.02"   # Kab. Lebak, Banten


def create_demo_accounts(con: duckdb.DuckDBPyConnection) -> list[dict[str, str | None]]:
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

    def make(username: str, role: str, **link: str | None) -> None:
        auth.create_user(con, username, DEMO_PASSWORDS[role], role, replace=True,
                         display_name=username, **link)
        made.append({"username": username, "password": DEMO_PASSWORDS[role], "role": role, **link})

    make("panitia", "panitia")
    for i, judge_id in enumerate(judges, start=1):
        make(f"juri{i}", "juri", judge_id=judge_id)
    make("pembina-lebak", "pembina", region_code=DEMO_PEMBINA_REGION)
    return made


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    second = getpass.getpass("Password (again): ")
    if first != second:
        raise SystemExit("passwords do not match")
    return first


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m data.accounts", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    create = sub.add_parser("create-panitia", help="create an organiser (panitia) account")
    create.add_argument("--username", required=True)
    create.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    create.add_argument("--store", help="store file (default: $POSYANDU_STORE or var/posyandu.duckdb)")
    create.add_argument("--replace", action="store_true", help="overwrite an existing account of that name")
    args = parser.parse_args(argv)

    password = _read_password(args.password_stdin)
    problem = auth.password_problem(password)
    if problem:
        print(f"password rejected: at least {auth.MIN_PASSWORD_LENGTH} characters", file=sys.stderr)
        return 2
    con = store.connect(args.store)
    try:
        auth.create_user(con, args.username, password, "panitia", display_name=args.username,
                         replace=args.replace)
    except ValueError as exc:
        print(f"not created: {exc}", file=sys.stderr)
        return 1
    finally:
        con.close()
    print(f"panitia account {args.username!r} created")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
