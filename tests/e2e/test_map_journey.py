"""A leader opens the map: boundaries, posyandu dots and the kecamatan choropleth are drawn in the browser with no
tile service, and nothing on the page is an error. The screenshot is kept in test-artifacts/ to be looked at."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS


def test_map_shows_boundaries_points_and_choropleth(app_url: str, browser_page) -> None:
    page = browser_page
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(f"{app_url}/peta", wait_until="domcontentloaded")
    expect(page.get_by_role("heading", name="Peta hasil lomba")).to_be_visible(timeout=90_000)
    canvas = page.locator("canvas").first
    expect(canvas).to_be_visible(timeout=60_000)
    page.wait_for_timeout(4000)            # deck.gl draws on the next animation frames
    page.screenshot(path=str(ARTIFACTS / "map_journey.png"), full_page=True)
    canvas.screenshot(path=str(ARTIFACTS / "map_canvas.png"))

    expect(page.get_by_text("ilustrasi", exact=False).first).to_be_visible()
    assert page.locator("[data-testid='stException']").count() == 0
    # The must-not: no request leaves this machine for a tile or style server.
    assert all(u.startswith(app_url) or u.startswith("data:") or u.startswith("blob:") for u in requests), \
        [u for u in requests if not u.startswith(app_url)][:5]
