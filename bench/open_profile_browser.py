"""What a user waits for, in a real browser, to open a posyandu profile from the league table and from the map
(issue 13, item 9: ≤ 2 s on a warm server, with a spinner while it loads).

The dashboard is started on a copy of the store (`python -m ui.serve`), Debian's Chromium is driven by Playwright,
and the server is warmed once (Peringkat, Peta, one profile). Each trial then opens Peringkat (or Peta), lets it
settle, and times from the click on a row (or on a posyandu dot) until the profile's heading and its radar chart
are on screen and the run indicator is gone: the server's rerun, the websocket, and the browser's drawing.
A spinner seen during the wait is counted. Beside it, as the baseline in the same run, the same browser times a
plain reload of the profile's own link (what any page costs to arrive), so a loaded machine shows in both.

    python bench/open_profile_browser.py --store demo.duckdb [--trials 5]

Without --store a demo store is built first (about a minute).
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import expect, sync_playwright  # noqa: E402

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, posyandu_dot, serve  # noqa: E402

COMPETITION = "LP2026-KAB-36.02"       # Kab. Lebak 2026, final: what a visitor opens
PROFILE = re.compile(r"/profil\?.*posyandu=PY")


def _settle(page) -> None:
    status = page.locator("[data-testid='stStatusWidget']")
    for _ in range(2):
        expect(status).to_have_count(0, timeout=120_000)
        page.wait_for_timeout(300)


GIVE_UP_S = 90
LOST: list[str] = []   # clicks after which no rerun started at all (the click never reached the server)


def _profile_drawn(page, started: float) -> tuple[float, bool]:
    """Seconds from `started` until the profile is on screen (inf: not within GIVE_UP_S); whether a spinner
    showed meanwhile."""
    spinner = False
    deadline = time.perf_counter() + GIVE_UP_S
    heading = page.get_by_role("heading", name=re.compile(r"^Posyandu "))
    chart = page.locator("[data-testid='stPlotlyChart']").first
    rerun = False
    while time.perf_counter() < deadline:
        spinner = spinner or page.locator("[data-testid='stSpinner']").count() > 0
        rerun = rerun or spinner or bool(PROFILE.search(page.url)) or \
            page.locator("[data-testid='stStatusWidget']").count() > 0
        if not rerun and time.perf_counter() - started > 10:
            LOST.append(page.url)
            break
        if (PROFILE.search(page.url) and heading.count() and heading.first.is_visible() and chart.count()
                and chart.is_visible() and page.locator("[data-testid='stStatusWidget']").count() == 0):
            return time.perf_counter() - started, spinner
        page.wait_for_timeout(25)
    shot = Path(tempfile.gettempdir()) / f"open-profile-failed-{int(started)}.png"
    page.screenshot(path=str(shot), full_page=True)
    print(f"the profile did not open within {GIVE_UP_S} s (at {page.url}; {shot})", file=sys.stderr)
    return float("inf"), spinner


def _table_click(page, url: str, row: int) -> tuple[float, bool]:
    page.goto(f"{url}/peringkat?competition={COMPETITION}")
    grid = page.locator("[data-testid='stDataFrame']").first
    expect(grid).to_be_visible(timeout=120_000)
    _settle(page)
    page.wait_for_timeout(800)                         # the grid draws on a canvas after it is visible
    box = grid.bounding_box()
    started = time.perf_counter()
    page.mouse.click(box["x"] + 14, box["y"] + 35 + 35 * row + 17)   # the row marker of data row `row`
    return _profile_drawn(page, started)


def _map_click(page, url: str, nth: int) -> tuple[float, bool]:
    page.goto(f"{url}/peta?competition={COMPETITION}")
    chart = page.locator("[data-testid='stDeckGlJsonChart']").first
    expect(chart.locator("canvas").first).to_be_visible(timeout=120_000)
    _settle(page)
    x, y, _ = posyandu_dot(page, nth)
    started = time.perf_counter()
    page.mouse.click(x, y)
    return _profile_drawn(page, started)


def _reload(page, link: str) -> tuple[float, bool]:
    started = time.perf_counter()
    page.goto(link)
    return _profile_drawn(page, started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, help="a demo store (default: build one)")
    parser.add_argument("--trials", type=int, default=5)
    args = parser.parse_args()
    if not CHROMIUM.exists():
        sys.exit("Debian chromium is not installed (make e2e-deps)")
    work = Path(tempfile.mkdtemp(prefix="open-profile-"))
    store_file = work / "demo.duckdb"
    if args.store:
        shutil.copyfile(args.store, store_file)
    else:
        from demo.build import build_demo

        build_demo(store_file)
    results: dict[str, list[tuple[float, bool]]] = {"table row → profile": [], "map dot → profile": [],
                                                   "baseline: reload of the profile link": []}
    with serve(store_file) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        page = browser.new_context(viewport={"width": 1366, "height": 900}, locale="id-ID").new_page()
        page.set_default_timeout(120_000)
        _table_click(page, url, 0)                     # warm: results, league table, a profile, the map
        _map_click(page, url, 0)
        for trial in range(1, args.trials + 1):
            results["table row → profile"].append(_table_click(page, url, trial % 8))
            link = page.url
            results["map dot → profile"].append(_map_click(page, url, trial))
            results["baseline: reload of the profile link"].append(_reload(page, link))
        browser.close()
    shutil.rmtree(work, ignore_errors=True)
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"load {os.getloadavg()[0]:.1f}; {args.trials} trials on a warm server")
    print(f"clicks after which no rerun started within 10 s (lost): {len(LOST)}")
    print(f"| what | median s | max s | spinner seen | not opened in {GIVE_UP_S} s |")
    print("| --- | --- | --- | --- | --- |")
    for name, runs in results.items():
        times = [t for t, _ in runs if t != float("inf")]
        if not times:
            times = [float("nan")]
        print(f"| {name} | {statistics.median(times):.2f} | {max(times):.2f} | "
              f"{sum(s for _, s in runs)}/{len(runs)} | {len(runs) - len(times)}/{len(runs)} |")


if __name__ == "__main__":
    main()
