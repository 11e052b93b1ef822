"""A real PostgreSQL for the test session, from Debian's packages: `initdb` into a temporary folder, `pg_ctl` on a
free 127.0.0.1 port, stopped and removed when the session ends. No mock and no stand-in: the tests marked
`postgres` run against this server.

`initdb` refuses to run as root, so as root (CI, this workbench) the server runs as the `postgres` user that the
Debian package creates, in a folder handed to it. Without the binaries a `postgres` test is skipped on a
developer's machine and fails under CI (`CI` set), which installs them (`.ci/run`).
"""

from __future__ import annotations

import contextlib
import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

# Debian's layout, newest first; $POSYANDU_TEST_PG_BIN names another folder holding initdb and pg_ctl.
BIN_GLOB = "/usr/lib/postgresql/*/bin"
SUPERUSER = "postgres"
# Durability is not under test: without fsync a test database is made and filled in a fraction of the time.
SERVER_OPTIONS = ("-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                  "-c max_connections=200 -c shared_buffers=32MB")


def find_bindir() -> Path | None:
    """The folder with initdb and pg_ctl: $POSYANDU_TEST_PG_BIN, else the newest Debian version installed."""
    named = os.environ.get("POSYANDU_TEST_PG_BIN")
    candidates = [named] if named else sorted(glob.glob(BIN_GLOB), key=_version_key, reverse=True)
    for folder in candidates:
        if folder and (Path(folder) / "initdb").exists() and (Path(folder) / "pg_ctl").exists():
            return Path(folder)
    return None


def _version_key(folder: str) -> tuple[int, ...]:
    digits = Path(folder).parent.name.split(".")
    return tuple(int(d) for d in digits if d.isdigit())


def require_bindir() -> Path:
    """The binaries, or a skip on a developer's machine, or a failure under CI (which installs them)."""
    found = find_bindir()
    if found is None:
        message = ("PostgreSQL is not installed (no initdb under /usr/lib/postgresql/*/bin): "
                   "apt-get install postgresql, or set POSYANDU_TEST_PG_BIN")
        if os.environ.get("CI"):
            pytest.fail(message)   # .ci/run installs it: a missing server there is a broken pipeline, not a skip
        pytest.skip(message)
    return found


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PostgresServer:
    """One throwaway server: `start()`, `url(database)`, `create_database(name, template)`, `stop()`."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="posyandu-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.port = 0
        self._as_root = os.geteuid() == 0
        self._names = itertools.count(1)

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        command = [str(self.bindir / args[0]), *args[1:]]
        if self._as_root:
            command = ["runuser", "-u", SUPERUSER, "--", *command]
        return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)

    def start(self) -> PostgresServer:
        if self._as_root:
            shutil.chown(self.root, SUPERUSER, SUPERUSER)
        made = self._run("initdb", "-D", str(self.data), "-U", SUPERUSER, "-A", "trust", "-E", "UTF8",
                         "--locale=C.UTF-8", "--no-sync")
        if made.returncode != 0:
            raise RuntimeError(f"initdb failed: {made.stderr or made.stdout}")
        for _ in range(5):   # a port found free can be taken before the server binds it: try another
            self.port = free_port()
            options = (f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='{self.data}' "
                       f"{SERVER_OPTIONS}")
            started = self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w",
                                "-t", "60", "start")
            if started.returncode == 0:
                return self
        raise RuntimeError(f"pg_ctl start failed: {started.stderr}\n{self.log_text()}")

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def admin(self, sql: str) -> None:
        """Run one statement as the superuser outside a transaction (CREATE / DROP DATABASE)."""
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(sql)

    def create_database(self, template: str | None = None, prefix: str = "test") -> str:
        """A new database (a copy of `template` when given); returns its name. FILE_COPY: without fsync a copy
        of the files takes a fifth of the time of PostgreSQL 15's default (writing the copy through the WAL)."""
        name = f"{prefix}_{next(self._names)}"
        strategy = " STRATEGY FILE_COPY" if self.major() >= 15 else ""   # older servers only copy files
        self.admin(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "") + strategy)
        return name

    def major(self) -> int:
        """The server's major version (15 on Debian 12)."""
        out = subprocess.run([str(self.bindir / "pg_ctl"), "--version"], capture_output=True, text=True,
                             check=True).stdout
        return int(out.split()[-1].split(".")[0])

    def drop_database(self, name: str) -> None:
        self.admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            if self.data.exists():
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        for _ in range(20):
            try:
                shutil.rmtree(self.root)
                return
            except FileNotFoundError:
                return
            except OSError:          # the server may still be removing its files
                time.sleep(0.1)


@contextlib.contextmanager
def running_server() -> Iterator[PostgresServer]:
    """A started server for the block, stopped and removed after it (also when the block fails)."""
    server = PostgresServer(require_bindir())
    try:
        yield server.start()
    finally:
        server.stop()
