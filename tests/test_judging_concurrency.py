"""Twenty judges' browsers saving at once on one store file: nothing lost, nothing failed, every change audited."""

from __future__ import annotations

import json
import threading
import time

from data import store
from data.judging import assignments
from data.judging import forms as judging
from data.judging.auth import User
from tests.test_judging_fixtures import CID, PANITIA, build_contest

N_THREADS = 20
SECONDS = 3.0


def test_twenty_threads_saving_at_once_lose_nothing(tmp_path):
    path = tmp_path / "busy.duckdb"
    con = store.connect(path)
    build_contest(con)
    # 20 judges, each assigned to E3 (Cikulur; none of them lives there).
    with store.transaction(con):
        con.executemany("INSERT INTO judges (judge_id, name) VALUES (?, ?)",
                        [(f"T{i:02d}", f"Juri {i}") for i in range(N_THREADS)])
    for i in range(N_THREADS):
        assert assignments.assign_judge(con, PANITIA, CID, "lapangan", f"T{i:02d}", "E3") is None

    saves = [0] * N_THREADS
    last: dict[tuple[str, str], object] = {}
    errors: list[BaseException] = []
    stop = time.monotonic() + SECONDS

    def judge(i: int) -> None:
        cur = con.cursor()   # one cursor per thread, as the app gives one per session
        user = User(f"t{i}", "juri", judge_id=f"T{i:02d}")
        n = 0
        try:
            while time.monotonic() < stop:
                # Alternate between a choice and a real value so every save changes something.
                if n % 2 == 0:
                    crit, value = "KES_01", "abcd"[n // 2 % 4]
                    changed = judging.save_score(cur, user, CID, "lapangan", "E3", crit, option_code=value)
                else:
                    crit, value = "KES_03", float(n)
                    changed = judging.save_score(cur, user, CID, "lapangan", "E3", crit, real_value=value)
                saves[i] += int(changed)
                last[(f"T{i:02d}", crit)] = value
                n += 1
        except BaseException as exc:   # noqa: BLE001 - any failure in a thread fails the test below
            errors.append(exc)
        finally:
            cur.close()

    threads = [threading.Thread(target=judge, args=(i,)) for i in range(N_THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    total = sum(saves)
    assert total >= N_THREADS * 2, f"only {total} saves in {SECONDS} s"
    audited = con.sql("SELECT count(*) FROM audit_log WHERE action = 'score'").fetchone()[0]
    assert audited == total
    rows = {(j, c): (o, r) for j, c, o, r in con.sql(
        "SELECT judge_id, criterion_id, option_code, real_value FROM scores").fetchall()}
    for (j, c), value in last.items():
        assert rows[(j, c)] == ((value, None) if c == "KES_01" else (None, value))
    # The audit chain of every cell is unbroken: each entry's old value is the previous entry's new value.
    for j, c, olds, news in con.sql(
            "SELECT split_part(entity_key, '/', 4), split_part(entity_key, '/', 5), "
            "list(old_value ORDER BY audit_id), list(new_value ORDER BY audit_id) "
            "FROM audit_log WHERE action = 'score' GROUP BY ALL").fetchall():
        assert olds[0] is None
        assert [json.loads(o) for o in olds[1:]] == [json.loads(n) for n in news[:-1]], (j, c)
    con.close()
    print(f"{total} saves by {N_THREADS} threads in {SECONDS} s")


def test_a_write_conflict_is_retried_not_shown_to_the_judge():
    import duckdb

    calls = []

    def flaky() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise duckdb.TransactionException("Conflict on tuple")
        return "saved"

    assert store.with_retry(flaky) == "saved" and len(calls) == 3
