"""SIGKILL during a large score import, 20 times at random moments: after each restart the store opens,
is consistent, and holds either none or all of that import (DuckDB's WAL drops an uncommitted transaction).

The child process (this file run as a module) imports tens of thousands of score rows; the parent kills it
at a random moment within the import's measured duration, then reopens the store and checks it.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCOPE = ("lomba-lebak-2026", "lapangan")
KILLS = 20


def _child(store_path: str, file_path: str) -> None:
    """Run one import and report its phases on stdout (the parent waits for "ready")."""
    from data import store
    from data.exchange.imports import import_file

    con = store.connect(store_path)
    data = Path(file_path).read_bytes()
    print("ready", flush=True)
    sys.stdin.readline()            # "go": start-up is done before the clock starts
    plan, result = import_file(con, "scores", data, Path(file_path).name, competition_id=SCOPE[0], stage=SCOPE[1])
    assert result is not None and result.written, plan.problems[:3]
    con.close()
    print("done", plan.rows_new, flush=True)


def _spawn(store_path: Path, file_path: Path) -> subprocess.Popen:
    """Start a child; it warms up (imports, opens its store) while the previous one is being killed."""
    return subprocess.Popen([sys.executable, "-m", "tests.test_import_kill", str(store_path), str(file_path)],
                            cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})


def _go(proc: subprocess.Popen) -> None:
    """Wait until the child is ready, then let it start the import."""
    line = proc.stdout.readline()
    assert line.strip() == "ready", line + proc.stderr.read()
    proc.stdin.write("go\n")
    proc.stdin.flush()


def _state(store_path: Path) -> tuple[int, int, dict[str, str]]:
    from data import store
    from data.exchange.backup import table_checksums

    con = store.connect(store_path)     # the restart: opening replays the WAL's committed part only
    try:
        n_scores = con.sql("SELECT count(*) FROM scores WHERE competition_id = ? AND stage = ?",
                           params=list(SCOPE)).fetchone()[0]
        n_batches = con.sql("SELECT count(*) FROM import_batches").fetchone()[0]
        return n_scores, n_batches, table_checksums(con)
    finally:
        con.close()


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    import xlsxwriter

    from data import store
    from tests.fixtures.malformed.make_corpus import score_header, score_rows
    from tests.fixtures.malformed.world import seed_world

    folder = tmp_path_factory.mktemp("kill")
    base = folder / "base.duckdb"
    con = store.connect(base)
    # 60 entrants × 10 judges × 37 criteria = 22,200 score rows
    w = seed_world(con, n_posyandu=60, n_judges=10, criteria_per_section=6)
    con.execute("CHECKPOINT")
    con.close()
    file_path = folder / "nilai_besar.xlsx"
    # written with shared strings, as Excel itself writes them
    wb = xlsxwriter.Workbook(str(file_path))
    ws = wb.add_worksheet("Nilai")
    ws.write_row(0, 0, score_header(w["instrument"]))
    for i, row in enumerate(score_rows(w["instrument"], w["entrants"], w["judges"]), start=1):
        ws.write_row(i, 0, row)
    wb.close()
    expected = 60 * 10 * len(w["instrument"].criteria)
    return base, file_path, expected


def test_killed_imports_leave_none_or_all(prepared, tmp_path):
    base, file_path, expected = prepared
    _, _, base_sums = _state(base)
    untouched = {t for t in base_sums if t not in ("scores", "import_batches", "audit_log", "meta", "score_choices")
                 and not t.startswith("key_")}

    # One full run measures how long the import takes, with the next child warming up beside it as in
    # every kill round below.
    paths = [tmp_path / f"kill{i}.duckdb" for i in range(KILLS)]
    full = tmp_path / "full.duckdb"
    shutil.copy(base, full)
    proc = _spawn(full, file_path)
    _go(proc)
    shutil.copy(base, paths[0])
    pending = _spawn(paths[0], file_path)
    t0 = time.monotonic()
    out, err = proc.communicate(timeout=60)
    duration = time.monotonic() - t0
    assert proc.returncode == 0, err
    assert _state(full)[:2] == (expected, 1)

    rng = random.Random(20261124)
    outcomes = []
    for i, path in enumerate(paths):
        proc = pending
        _go(proc)
        started = time.monotonic()
        if i + 1 < KILLS:
            shutil.copy(base, paths[i + 1])
            pending = _spawn(paths[i + 1], file_path)
        time.sleep(max(0.0, rng.uniform(0.0, duration) - (time.monotonic() - started)))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        n_scores, n_batches, sums = _state(path)
        assert (n_scores, n_batches) in ((0, 0), (expected, 1)), (i, n_scores, n_batches)
        assert {t: sums[t] for t in untouched} == {t: base_sums[t] for t in untouched}
        if n_scores == 0:
            assert sums["scores"] == base_sums["scores"] and sums["audit_log"] == base_sums["audit_log"]
        outcomes.append("all" if n_scores else "none")
        if i == KILLS - 1 and n_scores == 0:   # the store still takes the import after a crash
            proc = _spawn(path, file_path)
            _go(proc)
            proc.communicate(timeout=60)
            assert _state(path)[:2] == (expected, 1)
    assert "none" in outcomes, outcomes      # the kills did land inside the import
    print(f"import {duration:.2f} s after start-up; outcomes {outcomes.count('none')} none, "
          f"{outcomes.count('all')} all")


if __name__ == "__main__":
    _child(sys.argv[1], sys.argv[2])
