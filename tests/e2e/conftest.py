"""Browser journeys: a real `streamlit run dashboard.py` on a copy of the demo store, driven by Debian's
Chromium through Playwright. Screenshots land in test-artifacts/ to be looked at."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
# A busy two-core machine takes more than Playwright's default 5 s to rerun a page after a click; an assertion
# that holds still passes at once, one that fails waits this long before it says so.
expect.set_options(timeout=30_000)

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage",
                 # WebGL for the pydeck map without a GPU: Chromium's software renderer.
                 "--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--ignore-gpu-blocklist"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve(store_file: Path, env: Mapping[str, str | None] | None = None, log_dir: Path | None = None) -> Iterator[str]:
    """The dashboard (`python -m ui.serve`) on `store_file`, as its URL once /_stcore/health answers; stopped when
    the block ends, so the store file is free again after it. `env` adds to the process environment (a None value
    removes a variable); the server's output goes to streamlit-<port>.log in `log_dir` (by default beside the store file)."""
    port = _free_port()
    full_env = {**os.environ, "POSYANDU_STORE": str(store_file)}
    for name, value in (env or {}).items():
        if value is None:
            full_env.pop(name, None)
        else:
            full_env[name] = value
    log = (log_dir or store_file.parent) / f"streamlit-{port}.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "ui.serve", "--server.port", str(port),
             "--server.headless", "true", "--server.address", "127.0.0.1",
             # no "source file changed" rerun offer (settle would wait on it) when the checkout is edited meanwhile
             "--server.fileWatcherType", "none"],
            cwd=ROOT, env=full_env, stdout=out, stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.time() + 90
            while time.time() < deadline:
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                        if r.status == 200:
                            break
                except OSError:
                    time.sleep(0.5)
            else:
                raise RuntimeError(f"streamlit did not become healthy; see {log}")
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def sign_in(page: Page, url: str, user: str, password: str, query: str = "", timeout: float = 90_000) -> None:
    """Sign in on Masuk in a new session (`query`, e.g. "?competition=…&stage=…", is what the sidebar opens on)."""
    page.goto(f"{url}/masuk{query}")
    # A sign-in survives a reload (the session cookie, #13): whoever this browser is signed in as signs out first.
    form, out = page.get_by_label("Nama pengguna"), page.get_by_role("button", name="Keluar")
    form.or_(out).first.wait_for(timeout=timeout)
    if out.is_visible():
        out.click()
        form.wait_for(timeout=timeout)
    page.get_by_label("Nama pengguna").fill(user)
    page.get_by_label("Kata sandi").fill(password)
    page.get_by_role("button", name="Masuk").click()
    expect(page.get_by_text("Masuk sebagai").first).to_be_visible(timeout=timeout)


@pytest.fixture(scope="session")
def app_url(demo_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A running dashboard on a private copy of the demo store; waits for /_stcore/health."""
    store_file = tmp_path_factory.mktemp("e2e") / "demo.duckdb"
    shutil.copyfile(demo_path, store_file)
    with serve(store_file) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        message = "Debian chromium is not installed (make e2e-deps installs it)"
        if os.environ.get("CI"):
            pytest.fail(message)  # CI installs it: a missing browser there is a broken pipeline, not a skip
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def browser_page(browser) -> Iterator[object]:
    """A fresh page (1366×900, Indonesian locale); screenshots go to test-artifacts/."""
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="id-ID")
    page = context.new_page()
    page.set_default_timeout(60_000)
    yield page
    context.close()


def settle(page: Page, timeout: float = 90_000) -> None:
    """The script run is over: no running indicator, looked at twice (the indicator may appear only a moment
    after the click on a busy machine, and a rerun may start right after the first). Not "networkidle": the
    map keeps fetching."""
    status = page.locator("[data-testid='stStatusWidget']")
    page.wait_for_timeout(300)
    for _ in range(2):
        expect(status).to_have_count(0, timeout=timeout)
        page.wait_for_timeout(500)


def nav(page: Page, label: str) -> None:
    """Open a page through the sidebar: unfolded first on a phone, with every page listed (Streamlit may fold
    some under "View N more"); the link text ends with the label (an icon ligature comes first)."""
    opener = page.locator("[data-testid='stExpandSidebarButton'], [data-testid='stSidebarCollapsedControl'] button")
    if opener.count() and opener.first.is_visible():
        opener.first.click()
    more = page.locator("[data-testid='stSidebarNavViewButton']")
    if more.count() and "more" in more.first.inner_text():
        more.first.click()
    page.locator("[data-testid='stSidebarNav'] a").filter(has_text=re.compile(f"{re.escape(label)}$")).first.click()


def pick(where, label: str, option: str, typed: str | None = None) -> None:
    """Choose `option` in the select box labelled `label` (inside `where`: a page or a part of it) by typing
    `typed` (the option's words by default) and clicking the first option containing them; then settle, as
    the pick reruns the page and may redraw what is below it."""
    page = where.page if hasattr(where, "page") else where
    where.locator("[data-testid='stSelectbox']").filter(has_text=label).first.click()
    page.keyboard.type(option if typed is None else typed)
    page.get_by_role("option").filter(has_text=option).first.click()
    settle(page)


def no_traceback(page: Page) -> None:
    """No exception box on the page and no Python traceback anywhere in it."""
    expect(page.locator("[data-testid='stException']")).to_have_count(0)
    assert "Traceback" not in page.content()


POINT_STROKE = (20, 20, 20)            # geo.layers.points_layer's line colour


def posyandu_dot(page: Page, nth: int = 0) -> tuple[float, float, str]:
    """A posyandu dot on Peta's map, found on screen: (x, y) of its centre in the page and the tooltip's text
    (which names the posyandu first). `nth` picks another dot. The map must be drawn (its canvas visible)."""
    import io

    from PIL import Image

    chart = page.locator("[data-testid='stDeckGlJsonChart']").first
    chart.scroll_into_view_if_needed()
    stroke: list[tuple[int, int]] = []
    for _ in range(100):                               # deck.gl paints over the next frames
        image = Image.open(io.BytesIO(chart.screenshot())).convert("RGB")
        stroke = [(x, y) for y in range(0, image.height, 2) for x in range(0, image.width - 80, 2)
                  if all(abs(c - s) <= 4 for c, s in zip(image.getpixel((x, y)), POINT_STROKE, strict=True))]
        if len(stroke) > 50:
            break
        page.wait_for_timeout(100)
    box = chart.bounding_box()
    assert box is not None and stroke, "no posyandu dot drawn on the map"
    tooltip = page.locator(".deck-tooltip")
    for k in range(40):                                # a dot's own tooltip names the posyandu first
        sx, sy = stroke[(nth * 97 + k * 31) % len(stroke)]
        ring = [(a, b) for a, b in stroke if abs(a - sx) <= 12 and abs(b - sy) <= 12]   # the dot's outline
        x, y = sum(a for a, _ in ring) / len(ring), sum(b for _, b in ring) / len(ring)  # its centre
        page.mouse.move(box["x"] + x, box["y"] + y)
        page.wait_for_timeout(150)
        if tooltip.count() and tooltip.first.is_visible() and tooltip.first.inner_text().startswith("Posyandu"):
            return box["x"] + x, box["y"] + y, tooltip.first.inner_text()
    raise AssertionError("no posyandu dot found under the pointer")


BANTEN_2027 = "Lomba Posyandu Provinsi Banten 2027"


def create_banten_2027(con) -> str:
    """A 2027 provinsi contest for Banten, made as the Lomba page makes it (administrasi 40, lapangan 60); its id.
    The journeys that need a contest no demo stage has frozen start from it."""
    import datetime as dt

    from data.judging import auth
    from data.setup import competitions as comps

    cid, problems = comps.create_competition(con, auth.get_user(con, "panitia"), comps.CompetitionSpec(
        name=BANTEN_2027, year=2027, level="provinsi", scope_code="36", instrument_id="enam-bidang-2026@1",
        stages=(comps.StageSpec("administrasi", 40, dt.date(2027, 10, 11), dt.date(2027, 10, 15)),
                comps.StageSpec("lapangan", 60, dt.date(2027, 10, 18), dt.date(2027, 10, 22)))))
    assert cid and not problems, problems
    return cid
