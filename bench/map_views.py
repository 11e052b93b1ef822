"""The map page at national, province and kabupaten scope: payload sent to the browser, server time of the page
run, and the browser's time from navigation to the map drawn, on a warm server.

A real `python -m ui.serve` on a copy of the store, driven by Debian's Chromium (software WebGL) through
Playwright. Each scope is opened once to warm the server's caches, then `--trials` more times in fresh pages;
times come from the browser's clock (performance.now()): navigation start → the deck's first WebGL draw call
→ the last draw call of the first paint, and the time at which a screenshot of the chart first shows land and
boundary lines. The payload is the deck JSON Streamlit sends (`geo.layers.payload_bytes` through AppTest).

    .venv/bin/python bench/map_views.py --store <demo.duckdb> [--trials 3]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
import data.store  # noqa: E402,F401  (before AppTest puts pages/ first on sys.path)
from present.settings import STORE  # noqa: E402

SCOPES = ("nasional", "provinsi", "kabupaten")
CHROMIUM = "/usr/bin/chromium"


def _payloads(store: Path) -> dict[str, dict[str, float]]:
    """Deck JSON size and page-script time per scope (second run: warm caches), for the contest a visitor
    opens first (the sidebar's default: Kab. Lebak's final contest on the demo)."""
    os.environ[STORE.name] = str(store)
    from streamlit.testing.v1 import AppTest

    out = {}
    for scope in SCOPES:
        runs = []
        for _ in range(2):
            at = AppTest.from_file(str(ROOT / "pages" / "peta.py"), default_timeout=300)
            at.query_params["scope"] = scope
            start = time.perf_counter()
            at.run()
            runs.append(time.perf_counter() - start)
            assert not at.exception, at.exception
        (chart,) = at.get("deck_gl_json_chart")
        out[scope] = {"payload_mb": round(len(chart.proto.json.encode()) / 1e6, 2), "page_run_warm_s": round(runs[-1], 2)}
    return out


def _serve(store: Path) -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    os.environ[STORE.name] = str(store)          # the server inherits it
    proc = subprocess.Popen([sys.executable, "-m", "ui.serve", "--server.port", str(port), "--server.headless",
                             "true", "--server.address", "127.0.0.1"], cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                return proc, url
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise RuntimeError("the server did not start")


def _draw_times(url: str, trials: int) -> dict[str, dict[str, float]]:
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import CHROMIUM_ARGS
    from tests.e2e.test_map_journey import DECK_DRAWS, DRAW_CLOCK, map_census

    out: dict[str, dict[str, float]] = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for scope in SCOPES:
            seen, first, last = [], [], []
            for trial in range(trials + 1):       # the first opening warms the server
                ctx = browser.new_context(viewport={"width": 1366, "height": 900}, locale="id-ID")
                page = ctx.new_page()
                page.add_init_script(DRAW_CLOCK)
                start = time.perf_counter()
                page.goto(f"{url}/peta?scope={scope}", wait_until="domcontentloaded")
                chart = page.locator("[data-testid='stDeckGlJsonChart']").first
                chart.locator("canvas").first.wait_for(state="visible", timeout=120_000)
                drawn = None
                while time.perf_counter() - start < 120:
                    census = map_census(chart.screenshot())
                    if census["top_share"] < 0.9 and census["land"] > 1000 and census["line"] > 200:
                        drawn = time.perf_counter() - start
                        break
                    page.wait_for_timeout(100)
                draws = page.evaluate(DECK_DRAWS)
                if trial:
                    seen.append(drawn if drawn is not None else float("nan"))
                    if draws:
                        first.append(min(d["first"] for d in draws) / 1000)
                        last.append(max(d["last"] for d in draws) / 1000)
                ctx.close()
            out[scope] = {"map_seen_s_median": round(statistics.median(seen), 2),
                          "first_draw_s_median": round(statistics.median(first), 2) if first else None,
                          "last_draw_s_median": round(statistics.median(last), 2) if last else None,
                          "trials": trials}
        browser.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--store", required=True, type=Path)
    parser.add_argument("--trials", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-map-"))
    # Two copies: this process's AppTest keeps its connection (and DuckDB's file lock) open.
    store, served = work / "store.duckdb", work / "served.duckdb"
    shutil.copyfile(args.store, store)
    shutil.copyfile(args.store, served)
    result = {"payload": _payloads(store)}
    proc, url = _serve(served)
    try:
        result["browser"] = _draw_times(url, args.trials)
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
