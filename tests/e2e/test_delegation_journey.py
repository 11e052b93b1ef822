"""A study-visit delegation's journey: best practice → pick a field → build a visit plan → download it."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS

COMP = "LP2026-KAB-36.02"


def test_delegation_builds_and_downloads_a_visit_plan(app_url, browser_page):
    page = browser_page
    page.goto(f"{app_url}/praktik_baik?competition={COMP}")
    expect(page.get_by_role("heading", name="Praktik baik dan studi tiru")).to_be_visible()

    page.locator("[data-testid='stSelectbox']").filter(has_text="Bidang").first.click()
    page.get_by_role("option", name="Sosial").click()
    expect(page.get_by_role("heading", name="Posyandu terkuat di bidang Sosial")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "delegation-1-praktik.png"), full_page=True)

    expect(page.get_by_role("heading", name="Rencana kunjungan")).to_be_visible()
    button = page.get_by_role("button", name="Unduh rencana (PDF)")
    expect(button).to_be_visible()
    page.get_by_role("heading", name="Rencana kunjungan").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "delegation-2-plan.png"), full_page=True)
    with page.expect_download() as info:
        button.click()
    target = ARTIFACTS / "delegation-rencana-kunjungan.pdf"
    info.value.save_as(target)
    data = target.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 2000
    expect(page.locator("[data-testid='stException']")).to_have_count(0)
