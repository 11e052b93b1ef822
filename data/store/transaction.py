"""All-or-nothing writes, and the one retry for DuckDB's write-write conflicts.

`transaction` only begins, commits or rolls back: it marks nothing changed by itself. A write that changes
what a result reads says so inside the same transaction with `versions.touch` / `touch_reference`, so a
sign-in or a session touch leaves every cached result warm (see docs/architecture.md, "Versions").
"""

from __future__ import annotations

import random
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, TypeVar

import duckdb

if TYPE_CHECKING:
    from data.store.con import Con

T = TypeVar("T")
MAX_RETRIES = 40

# Two transactions that update the same row (a competition's version, the same score) conflict in DuckDB's
# optimistic concurrency. Serialising this process's retried writes turns 20 browsers saving at once from a
# storm of conflicts and retries into a short queue; the retry stays for writers outside this lock.
_WRITE_LOCK = threading.Lock()


@contextmanager
def transaction(con: Con) -> Iterator[Con]:
    """All-or-nothing: commit when the block ends normally, roll back on any exception."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _conflicts() -> tuple[type[BaseException], ...]:
    """The errors that mean "another writer got there first, try again": DuckDB's write-write conflict, and on
    PostgreSQL a serialization failure or a deadlock (only when the driver is loaded: a DuckDB-only process never
    imports it)."""
    pg = sys.modules.get("psycopg")
    if pg is None:
        return (duckdb.TransactionException,)
    return (duckdb.TransactionException, pg.errors.SerializationFailure, pg.errors.DeadlockDetected)


def with_retry(fn: Callable[[], T], attempts: int = MAX_RETRIES) -> T:
    """Run a write (a function that opens its own `transaction`); on a write-write conflict (`_conflicts`) wait
    (exponential backoff with jitter) and try again."""
    conflicts = _conflicts()
    for i in range(attempts):
        try:
            with _WRITE_LOCK:
                return fn()
        except conflicts:
            if i == attempts - 1:
                raise
            time.sleep(min(0.2, 0.002 * 2 ** min(i, 7)) * (0.5 + random.random()))
    raise AssertionError("unreachable")
