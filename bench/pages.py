"""Server time of the leader and delegation pages at demo scale, measured through Streamlit's AppTest.

Each page is run once to warm the caches (engine results are cached per data version, as in the app), then
re-run N times; a re-run is what a user pays when changing a filter. p50/p95 in milliseconds per page.

    .venv/bin/python bench/pages.py [--store var/posyandu.duckdb] [--runs 20]
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
# AppTest puts the page's folder first on sys.path; import the `data` package now so a page file named
# pages/data.py cannot shadow it.
import data.store  # noqa: E402,F401

PAGES = ("beranda", "peringkat", "profil", "bandingkan", "praktik_baik", "juri")
COMPETITION = "LP2026-KAB-36.02"   # Kab. Lebak 2026, the largest demo kabupaten contest (28 entrants)


def measure(page: str, runs: int) -> tuple[float, float, float]:
    """(first run, p50, p95) in milliseconds for one page script."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "pages" / f"{page}.py"), default_timeout=300)
    at.query_params["competition"] = COMPETITION
    t0 = time.perf_counter()
    at.run()
    first = (time.perf_counter() - t0) * 1000
    if at.exception:
        raise RuntimeError(f"{page}: {at.exception[0].value}")
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        at.run()
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
    return first, statistics.median(times), p95


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", default=os.environ.get("POSYANDU_STORE", str(ROOT / "var" / "posyandu.duckdb")))
    ap.add_argument("--runs", type=int, default=20)
    args = ap.parse_args(argv)
    store = Path(args.store)
    if not store.exists():
        from data.demo import build_demo

        build_demo(store)
    os.environ["POSYANDU_STORE"] = str(store)
    print("| page | first run (ms) | p50 re-run (ms) | p95 re-run (ms) |\n|---|---:|---:|---:|")
    for page in PAGES:
        first, p50, p95 = measure(page, args.runs)
        print(f"| {page} | {first:.0f} | {p50:.0f} | {p95:.0f} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
