"""Peta opens a posyandu's profile (issue 13, item 9), in Chromium: a click on a dot opens it, with the spinner
while it loads, and the list beside the map ("Buka profil posyandu") opens it too, for a click the map lost
(deck.gl counts a press held longer than 250 ms as no click, and Streamlit's chart ignores clicks while its
connection is re-established: docs/benchmarks.md). A visitor, on the demo's final Kab. Lebak 2026 contest."""

from __future__ import annotations

import re
import shutil
import time

from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS, no_traceback, pick, posyandu_dot, serve, settle

COMPETITION = "LP2026-KAB-36.02"
PROFILE = re.compile(r"/profil\?.*posyandu=PY")


def _open_map(page, url: str) -> None:
    page.goto(f"{url}/peta?competition={COMPETITION}")
    expect(page.locator("[data-testid='stDeckGlJsonChart'] canvas").first).to_be_visible(timeout=120_000)
    settle(page)


def _profile_of(page, name: str) -> None:
    expect(page).to_have_url(PROFILE, timeout=90_000)
    expect(page.get_by_role("heading", name=re.compile(rf"^Posyandu {re.escape(name)}"))).to_be_visible(
        timeout=90_000)
    settle(page)
    expect(page.locator("[data-testid='stPlotlyChart']").first).to_be_visible()
    no_traceback(page)


def test_a_click_on_a_posyandu_dot_and_a_pick_in_the_list_both_open_its_profile(browser, demo_path,
                                                                                tmp_path) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    store_file = tmp_path / "demo.duckdb"
    shutil.copyfile(demo_path, store_file)
    with serve(store_file) as url:
        context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="id-ID")
        page = context.new_page()
        page.set_default_timeout(90_000)
        _open_map(page, url)
        page.screenshot(path=str(ARTIFACTS / "map-profile-1-peta.png"), full_page=True)

        x, y, tip = posyandu_dot(page)
        name = tip.splitlines()[0].removeprefix("Posyandu ").strip()
        started = time.perf_counter()
        page.mouse.click(x, y)
        _profile_of(page, name)
        print(f"map dot → profile of {name}: {time.perf_counter() - started:.1f} s")
        page.screenshot(path=str(ARTIFACTS / "map-profile-2-clicked.png"), full_page=True)

        _open_map(page, url)
        picker = page.get_by_role("combobox", name="Buka profil posyandu")
        expect(picker).to_be_visible()
        picker.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "map-profile-3-list.png"))
        pick(page, "Buka profil posyandu", "Jeruk · Pasar Keong")
        _profile_of(page, "Jeruk")
        page.screenshot(path=str(ARTIFACTS / "map-profile-4-picked.png"), full_page=True)
        context.close()
