"""Twenty judges' browsers saving at once: nothing lost, nothing failed, every change audited once. On one DuckDB
store file (threads with cursors of one connection), and on PostgreSQL from two processes as two app servers
would be (threads with pooled connections of their own; panitia rivals writing the same cells meanwhile)."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from data import store
from data.judging import assignments
from data.judging import forms as judging
from data.judging.auth import User
from tests.test_judging_fixtures import CID, PANITIA, build_contest

N_THREADS = 20
SECONDS = 3.0
ROOT = Path(__file__).resolve().parents[1]


def _prepare(con: Any) -> None:
    build_contest(con)
    # 20 judges, each assigned to E3 (Cikulur; none of them lives there).
    with store.transaction(con):
        con.executemany("INSERT INTO judges (judge_id, name) VALUES (?, ?)",
                        [(f"T{i:02d}", f"Juri {i}") for i in range(N_THREADS)])
    for i in range(N_THREADS):
        assert assignments.assign_judge(con, PANITIA, CID, "lapangan", f"T{i:02d}", "E3") is None


def _run_threads(connection: Callable[[], AbstractContextManager[Any]], judges: Sequence[int],
                 rivals: Sequence[int], start_at: float, seconds: float = SECONDS
                 ) -> tuple[int, dict[tuple[str, str], object], list[str]]:
    """Judges `judges` save their own KES_01 / KES_03 from `start_at` for `seconds`; each of `rivals` (panitia)
    meanwhile sets every judge's KES_02 in turn, so rivals write the same cells at the same moments. Returns the
    saves that changed something, each judge cell's last value, and any errors."""
    saves: list[int] = []
    last: dict[tuple[str, str], object] = {}
    errors: list[str] = []
    stop = start_at + seconds

    def judge(i: int) -> None:
        user = User(f"t{i}", "juri", judge_id=f"T{i:02d}")
        n = done = 0
        try:
            with connection() as cur:   # one cursor or connection per thread, as the app gives one per session
                while time.time() < start_at:
                    time.sleep(0.005)
                while time.time() < stop:
                    # Alternate between a choice and a real value so every save changes something.
                    if n % 2 == 0:
                        crit, value = "KES_01", "abcd"[n // 2 % 4]
                        changed = judging.save_score(cur, user, CID, "lapangan", "E3", crit, option_code=value)
                    else:
                        crit, value = "KES_03", float(n)
                        changed = judging.save_score(cur, user, CID, "lapangan", "E3", crit, real_value=value)
                    done += int(changed)
                    last[(f"T{i:02d}", crit)] = value
                    n += 1
        except BaseException as exc:   # noqa: BLE001 - any failure in a thread fails the test
            errors.append(repr(exc))
        saves.append(done)

    def rival(k: int) -> None:
        n = done = 0
        try:
            with connection() as cur:
                while time.time() < start_at:
                    time.sleep(0.005)
                while time.time() < stop:
                    changed = judging.save_score(cur, PANITIA, CID, "lapangan", "E3", "KES_02",
                                                 option_code="abcd"[(n + k) % 4], judge_id=f"T{n % N_THREADS:02d}")
                    done += int(changed)
                    n += 1
        except BaseException as exc:   # noqa: BLE001 - any failure in a thread fails the test
            errors.append(repr(exc))
        saves.append(done)

    threads = [threading.Thread(target=judge, args=(i,)) for i in judges]
    threads += [threading.Thread(target=rival, args=(k,)) for k in rivals]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(saves), last, errors


def _check(con: Any, total: int, last: dict[tuple[str, str], object]) -> None:
    """One audit row per change, each judge's own cell holds its last value, every cell's audit chain is unbroken
    (each entry's old value is the previous entry's new value) and the cell holds the newest entry's value."""
    assert total >= N_THREADS * 2, f"only {total} saves in {SECONDS} s"
    audited = con.sql("SELECT count(*) FROM audit_log WHERE action = 'score'").fetchone()[0]
    assert audited == total
    rows = {(j, c): (o, r) for j, c, o, r in con.sql(
        "SELECT judge_id, criterion_id, option_code, real_value FROM scores").fetchall()}
    for (j, c), value in last.items():
        assert rows[(j, c)] == ((value, None) if c == "KES_01" else (None, value))
    chains: dict[tuple[str, str], list[tuple[str | None, str]]] = {}
    for key, old, new in con.sql("SELECT entity_key, old_value, new_value FROM audit_log WHERE action = 'score' "
                                 "ORDER BY audit_id").fetchall():
        _, _, _, j, c = key.split("/")
        chains.setdefault((j, c), []).append((old, new))
    for (j, c), chain in chains.items():
        assert chain[0][0] is None
        assert [json.loads(o) for o, _ in chain[1:]] == [json.loads(n) for _, n in chain[:-1]], (j, c)
        newest = json.loads(chain[-1][1])
        assert rows[(j, c)] == (newest["option_code"], newest["real_value"]), (j, c)
    versions = con.sql("SELECT version FROM versions WHERE scope = ?", params=["competition:" + CID]).fetchone()[0]
    assert versions >= total            # every change bumped the contest's version (none lost to a race)
    print(f"{total} saves, {audited} audited, {len(chains)} cells")


def worker(url: str, judges: str, rivals: str) -> None:
    """One app-server process for the PostgreSQL test: its own pool and threads. Says "ready" once its
    connections are open, starts on the "go" line, and prints its outcome as JSON."""
    from data.store.pg import PgStore

    picked = [int(x) for x in judges.split(",") if x]
    rival_ids = [int(x) for x in rivals.split(",") if x]
    size = len(picked) + len(rival_ids)
    with PgStore(url, min_size=size, max_size=size + 1) as pg:
        pg.pool.wait(timeout=60)
        print("ready", flush=True)
        assert sys.stdin.readline().strip() == "go"
        total, last, errors = _run_threads(pg.connection, picked, rival_ids, time.time())
    print(json.dumps({"total": total, "last": [[j, c, v] for (j, c), v in last.items()], "errors": errors}))


def test_twenty_threads_saving_at_once_lose_nothing(tmp_path):
    con = store.connect(tmp_path / "busy.duckdb")
    try:
        _prepare(con)
        total, last, errors = _run_threads(lambda: contextlib.closing(con.cursor()), range(N_THREADS), (),
                                           time.time())
        assert errors == []
        _check(con, total, last)
    finally:
        con.close()


def test_two_app_server_processes_on_postgresql_lose_nothing(pg_url):
    """Two processes (as two app servers behind one database), ten judges and two rival panitia each, saving for
    SECONDS at the same moments: no error, nothing lost, every change audited once, each cell's chain intact."""
    from data.store.pg import PgStore

    with PgStore(pg_url, max_size=2) as pg, pg.connection() as con:
        _prepare(con)
    half = N_THREADS // 2
    procs = [subprocess.Popen(
        [sys.executable, "-c", "import sys; from tests.test_judging_concurrency import worker; worker(*sys.argv[1:])",
         pg_url, ",".join(str(i) for i in judges), rivals],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for judges, rivals in ((range(half), "0,1"), (range(half, N_THREADS), "2,3"))]
    for p in procs:                       # both processes begin together, once both have their connections
        assert p.stdout is not None and p.stdout.readline().strip() == "ready", p.stderr
    for p in procs:
        assert p.stdin is not None
        p.stdin.write("go\n")
        p.stdin.flush()
    outcomes = []
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        outcomes.append(json.loads(out.strip().splitlines()[-1]))
    assert [o["errors"] for o in outcomes] == [[], []]
    last = {(j, c): v for o in outcomes for j, c, v in o["last"]}
    with PgStore(pg_url, max_size=2) as pg, pg.connection() as con:
        _check(con, sum(o["total"] for o in outcomes), last)


def test_a_write_conflict_is_retried_not_shown_to_the_judge():
    import duckdb

    calls = []

    def flaky() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise duckdb.TransactionException("Conflict on tuple")
        return "saved"

    assert store.with_retry(flaky) == "saved" and len(calls) == 3


def test_a_postgresql_serialization_failure_is_retried_too():
    import psycopg

    calls = []

    def flaky() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise psycopg.errors.SerializationFailure("could not serialize access")
        return "saved"

    assert store.with_retry(flaky) == "saved" and len(calls) == 3
