"""Server time of the leader and delegation pages at demo scale, measured through Streamlit's AppTest.

Each page is run once to warm the caches (engine results are cached per data version, as in the app), then
re-run N times unchanged (a rerun: a click elsewhere, a download, a returning visitor), then N times with one of
its filters changed to the next value in turn (another region, posyandu, field, …: the first visit of a value
misses the per-key caches, later ones hit). p50/p95 in milliseconds per page.

    .venv/bin/python bench/pages.py [--store var/posyandu.duckdb] [--runs 20] [--competition LP2026-KAB-36.02]
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
from present.settings import STORE  # noqa: E402

PAGES = ("beranda", "peringkat", "profil", "bandingkan", "praktik_baik", "juri")
COMPETITION = "LP2026-KAB-36.02"   # Kab. Lebak 2026, the largest demo kabupaten contest (28 entrants)


def filter_values(store: Path, competition: str) -> dict[str, tuple[str, str, list]]:
    """Per page: (widget kind, widget key, values to cycle through) for the filter-change runs."""
    import duckdb

    from scoring.fields import SPM_FIELDS, STRATA

    con = duckdb.connect(str(store), read_only=True)
    try:
        posyandu = [r[0] for r in con.sql(
            "SELECT posyandu_id FROM entrants WHERE competition_id = ? ORDER BY entrant_id",
            params=[competition]).fetchall()]
        kecamatan = [r[0] for r in con.sql(
            "SELECT DISTINCT substr(p.desa_code, 1, 8) AS k FROM entrants e JOIN posyandu p USING (posyandu_id) "
            "WHERE e.competition_id = ? ORDER BY k", params=[competition]).fetchall()]
        stages = [r[0] for r in con.sql(
            "SELECT stage FROM competition_stages WHERE competition_id = ? ORDER BY ord",
            params=[competition]).fetchall()]
    finally:
        con.close()
    return {
        "beranda": ("selectbox", "w.ctx.region", [*kecamatan, ""]),
        "peringkat": ("multiselect", "peringkat_strata", [[s] for s in STRATA] + [[]]),
        "profil": ("selectbox", "profil_posyandu", posyandu),
        "bandingkan": ("radio", "bandingkan_mode", ["desa", "kecamatan", "kabupaten", "posyandu"]),
        "praktik_baik": ("selectbox", "praktik_field", list(SPM_FIELDS)),
        "juri": ("selectbox", "w.ctx.stage", [*stages, "gabungan"]),
    }


def _percentiles(times: list[float]) -> tuple[float, float]:
    times = sorted(times)
    return statistics.median(times), times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]


def measure(page: str, runs: int, competition: str, switch: tuple[str, str, list]) -> tuple[float, ...]:
    """(first run, p50, p95 unchanged re-runs, p50, p95 filter changes) in milliseconds for one page script."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "pages" / f"{page}.py"), default_timeout=300)
    at.query_params["competition"] = competition
    t0 = time.perf_counter()
    at.run()
    first = (time.perf_counter() - t0) * 1000
    if at.exception:
        raise RuntimeError(f"{page}: {at.exception[0].value}")
    if at.session_state["ctx.competition"] != competition:      # visitors see finalised contests only
        raise RuntimeError(f"{page}: {competition} is not shown (not finalised?), got {at.session_state['ctx.competition']}")
    same = []
    for _ in range(runs):
        t0 = time.perf_counter()
        at.run()
        same.append((time.perf_counter() - t0) * 1000)
    kind, key, values = switch
    changed = []
    for i in range(runs):
        widget = getattr(at, kind)(key=key).set_value(values[i % len(values)])
        t0 = time.perf_counter()
        widget.run()
        changed.append((time.perf_counter() - t0) * 1000)
        if at.exception:
            raise RuntimeError(f"{page} with {key}={values[i % len(values)]}: {at.exception[0].value}")
    return (first, *_percentiles(same), *_percentiles(changed))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", default=str(STORE.read()))
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--competition", default=COMPETITION)
    ap.add_argument("--pages", default=",".join(PAGES), help="comma-separated pages to time (default: all)")
    args = ap.parse_args(argv)
    store = Path(args.store)
    if not store.exists():
        from demo.build import build_demo

        build_demo(store)
    os.environ[STORE.name] = str(store)
    switches = filter_values(store, args.competition)
    print(f"competition {args.competition}, {args.runs} runs each")
    print("| page | first run (ms) | p50 re-run (ms) | p95 re-run (ms) | filter changed | p50 (ms) | p95 (ms) |\n"
          "|---|---:|---:|---:|---|---:|---:|")
    for page in [p for p in args.pages.split(",") if p]:
        first, p50, p95, c50, c95 = measure(page, args.runs, args.competition, switches[page])
        print(f"| {page} | {first:.0f} | {p50:.0f} | {p95:.0f} | `{switches[page][1]}` | {c50:.0f} | {c95:.0f} |",
              flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
