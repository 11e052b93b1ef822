"""Server time of opening a posyandu profile from the map (a click on a dot) and from the league table (a row),
on a warm server, through Streamlit's AppTest.

The server is warmed first (the contest's results, the map, the league table, one profile). Each trial then runs
the page with the click's selection in the session (the rerun the click starts, which switches to the profile)
plus the profile of another posyandu (cold per-posyandu caches: its history, peers, choices). Times are the page
scripts' own runs (AppTest's start-up left out); `--cpu` reports process CPU time instead of wall time, which
stays meaningful on a machine shared with other work.

    .venv/bin/python bench/open_profile.py --store <demo.duckdb> [--trials 5] [--cpu]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
import data.store  # noqa: E402,F401  (before AppTest puts pages/ first on sys.path)
from present.settings import STORE  # noqa: E402

COMPETITION = "LP2026-KAB-36.02"
_LAST: dict[str, float] = {"wall": 0.0, "cpu": 0.0}


def _time_script_runs() -> None:
    """Wrap the script runner's exec so each page run records its own wall and CPU time."""
    from streamlit.runtime.scriptrunner import exec_code, script_runner

    original = exec_code.exec_func_with_error_handling

    def timed(func, ctx):
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            return original(func, ctx)
        finally:
            _LAST["wall"], _LAST["cpu"] = time.perf_counter() - wall, time.process_time() - cpu
    script_runner.exec_func_with_error_handling = timed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--store", required=True)
    parser.add_argument("--trials", type=int, default=5)
    parser.add_argument("--cpu", action="store_true")
    args = parser.parse_args()
    os.environ[STORE.name] = str(Path(args.store).resolve())
    import duckdb
    from streamlit.testing.v1 import AppTest

    _time_script_runs()
    kind = "cpu" if args.cpu else "wall"
    con = duckdb.connect(args.store, read_only=True)
    pids = [r[0] for r in con.sql("SELECT posyandu_id FROM entrants WHERE competition_id = ? ORDER BY entrant_id",
                                  params=[COMPETITION]).fetchall()]
    con.close()

    def page(name: str, **params: str) -> AppTest:
        at = AppTest.from_file(str(ROOT / "pages" / f"{name}.py"), default_timeout=600)
        for k, v in {"competition": COMPETITION, **params}.items():
            at.query_params[k] = v
        return at

    def run(at: AppTest) -> float:
        at.run()
        return _LAST[kind]

    for name in ("peta", "peringkat"):
        run(page(name))
    run(page("profil", posyandu=pids[0]))
    from_map, from_table = [], []
    for i in range(args.trials):
        at = page("peta")
        run(at)
        at.session_state["peta_map"] = {"selection": {"indices": {}, "objects": {"posyandu": [
            {"posyandu_id": pids[1 + i]}]}}}
        from_map.append(run(at) + run(page("profil", posyandu=pids[1 + i])))
        at = page("peringkat")
        run(at)
        row = 1 + args.trials + i
        at.session_state["peringkat_table"] = {"selection": {"rows": [row], "columns": [], "cells": []}}
        from_table.append(run(at) + run(page("profil", posyandu=pids[row])))
    for label, times in (("map click -> profile", from_map), ("table row -> profile", from_table)):
        print(f"{label}: median {statistics.median(times):.2f} s, max {max(times):.2f} s ({kind})")


if __name__ == "__main__":
    main()
