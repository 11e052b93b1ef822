"""A TP PKK leader's journey in a real browser: overview → rankings → click a posyandu → its profile."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS

COMP = "LP2026-KAB-36.02"


def test_leader_goes_from_overview_to_a_posyandu_profile(app_url, browser_page):
    page = browser_page
    page.goto(f"{app_url}/?competition={COMP}")
    expect(page.get_by_role("heading", name="Beranda lomba")).to_be_visible()
    expect(page.locator("[data-testid='stPlotlyChart']").first).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Juara I", exact=True).first).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "leader-1-beranda.png"), full_page=True)

    page.get_by_role("link", name="Peringkat").first.click()
    expect(page.get_by_role("heading", name="Peringkat peserta")).to_be_visible()
    grid = page.locator("[data-testid='stDataFrame']").first
    expect(grid).to_be_visible()
    page.wait_for_timeout(1000)  # the grid draws on a canvas after it becomes visible
    page.screenshot(path=str(ARTIFACTS / "leader-2-peringkat.png"), full_page=True)

    box = grid.bounding_box()
    assert box is not None
    # the row-marker column at the left: header row ≈ 35 px, then rows of ≈ 35 px; click the second data row
    page.mouse.click(box["x"] + 14, box["y"] + 35 + 35 + 17)
    expect(page).to_have_url(re.compile(r"/profil\?.*posyandu=PY"))
    heading = page.get_by_role("heading", name=re.compile(r"^Posyandu "))
    expect(heading).to_be_visible()
    expect(page.locator("[data-testid='stPlotlyChart']").first).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Perbaiki lebih dulu")).to_be_visible()
    # what must not happen: an exception box instead of the drill-down
    expect(page.locator("[data-testid='stException']")).to_have_count(0)
    page.screenshot(path=str(ARTIFACTS / "leader-3-profil.png"), full_page=True)
