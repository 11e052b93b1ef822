"""A leader opens the map: boundaries, posyandu dots and the kecamatan choropleth are drawn in the browser with no
tile service. Checked on the pixels of the drawn canvas, because a deck can be perfect JSON and still paint one flat
colour (a dot whose radius unit was lost covered the whole map once). Screenshots and the render timing are kept
in test-artifacts/ to be looked at."""

from __future__ import annotations

import io
import json
import time
from collections import Counter
from pathlib import Path

import duckdb
import shapely
from PIL import Image
from playwright.sync_api import expect

from geo import real
from geo.layers import WORLD_PX, mercator_y, view_for
from geo.style import BOUNDARY_LINE, PROVINCE_FILL, SEA
from present.theme import score_bands
from tests.e2e.conftest import ARTIFACTS

POINT_STROKE = (20, 20, 20)          # geo.layers.points_layer's line colour
CHOROPLETH_ALPHA = 200               # geo.mapview._choropleth's fill alpha

# Records, per WebGL context, when it was created and when its first and last draw calls ran, in ms since the
# navigation started (performance.now()): the browser's own clock for "navigation → map drawn".
DRAW_CLOCK = """
(() => {
  window.__gl = [];
  const getContext = HTMLCanvasElement.prototype.getContext;
  HTMLCanvasElement.prototype.getContext = function (kind, ...rest) {
    const ctx = getContext.call(this, kind, ...rest);
    if (ctx && /webgl/.test(kind) && !ctx.__clocked) {
      ctx.__clocked = true;
      const rec = {created: performance.now(), first: null, last: null, calls: 0, canvas: this};
      window.__gl.push(rec);
      for (const name of ['drawArrays', 'drawElements', 'drawArraysInstanced', 'drawElementsInstanced']) {
        const draw = ctx[name];
        if (!draw) continue;
        ctx[name] = function (...args) {
          rec.first = rec.first ?? performance.now();
          rec.last = performance.now();
          rec.calls++;
          return draw.apply(this, args);
        };
      }
    }
    return ctx;
  };
})();
"""
DECK_DRAWS = """
() => (window.__gl || []).filter(g => g.canvas.closest("[data-testid='stDeckGlJsonChart']") && g.calls)
  .map(g => ({canvas: g.canvas.id || g.canvas.className, created: Math.round(g.created),
               first: Math.round(g.first), last: Math.round(g.last), calls: g.calls}))
"""


def _near(counts: Counter, rgb: tuple[int, ...], tol: int = 3) -> int:
    """How many pixels lie within `tol` of `rgb` in every channel."""
    return sum(n for c, n in counts.items() if all(abs(a - b) <= tol for a, b in zip(c, rgb, strict=False)))


def _over_land(rgb: tuple[int, int, int]) -> tuple[int, ...]:
    """A choropleth colour as it shows over the province's land fill."""
    a = CHOROPLETH_ALPHA / 255
    return tuple(round(c * a + u * (1 - a)) for c, u in zip(rgb, PROVINCE_FILL[:3], strict=True))


def map_census(png: bytes) -> dict[str, float]:
    """What a map screenshot shows: the share of its commonest colour, land, sea, boundary-line and point-stroke
    pixels, and how many score-band colours of the choropleth appear."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    counts = Counter(image.get_flattened_data())
    total = image.width * image.height
    bands = [_near(counts, _over_land(tuple(int(h[i:i + 2], 16) for i in (1, 3, 5))))
             for h in score_bands().colours]
    return {"distinct": len(counts), "top_share": counts.most_common(1)[0][1] / total,
            "land": _near(counts, PROVINCE_FILL[:3]), "sea": _near(counts, SEA), "line": _near(counts, BOUNDARY_LINE[:3], 4),
            "point_stroke": _near(counts, POINT_STROKE, 4), "bands": sum(1 for n in bands if n >= 1000)}


def _drawn(census: dict[str, float]) -> bool:
    return (census["top_share"] < 0.6 and census["land"] > 1000 and census["line"] > 200
            and census["point_stroke"] > 100 and census["bands"] >= 2)


def test_map_shows_boundaries_points_and_choropleth(app_url: str, browser_page) -> None:
    page = browser_page
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.context.add_init_script(DRAW_CLOCK)
    start = time.perf_counter()
    page.goto(f"{app_url}/peta", wait_until="domcontentloaded")
    chart = page.locator("[data-testid='stDeckGlJsonChart']").first
    expect(chart.locator("canvas").first).to_be_visible(timeout=90_000)
    canvas_at = time.perf_counter() - start
    chart.scroll_into_view_if_needed()
    # deck.gl paints over the next frames: poll the chart's pixels until the map is there (or give up).
    census: dict[str, float] = {}
    png = b""
    deadline = time.perf_counter() + 30
    while time.perf_counter() < deadline:
        png = chart.screenshot()
        census = map_census(png)
        if _drawn(census):
            break
        page.wait_for_timeout(100)
    drawn_at = time.perf_counter() - start
    (ARTIFACTS / "map.png").write_bytes(png)
    page.screenshot(path=str(ARTIFACTS / "map_page.png"), full_page=True)
    draws = page.evaluate(DECK_DRAWS)
    (ARTIFACTS / "map_timing.json").write_text(json.dumps(
        {"canvas_visible_s": round(canvas_at, 2), "map_seen_in_screenshot_s": round(drawn_at, 2),
         "dom_content_loaded_ms": page.evaluate("Math.round(performance.getEntriesByType('navigation')[0]"
                                                ".domContentLoadedEventEnd)"),
         "deck_draws_ms": draws, "census": census}, indent=1, default=float))

    assert census["top_share"] < 0.6, f"the map is mostly one colour: {census}"
    assert census["land"] > 1000 and census["line"] > 200, f"no land or boundary lines drawn: {census}"
    assert census["bands"] >= 2, f"the choropleth is missing: {census}"
    assert census["point_stroke"] > 100, f"no posyandu dots drawn: {census}"
    assert draws, "the map canvas made no WebGL draw call"
    # Hovering the middle of the kabupaten names a kecamatan with its average, as text (not escaped markup).
    box = chart.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    tooltip = page.locator(".deck-tooltip")
    expect(tooltip).to_contain_text("Rata-rata", timeout=10_000)
    assert "<" not in tooltip.inner_text()
    expect(page.get_by_text("ilustrasi", exact=False).first).to_be_visible()
    assert page.locator("[data-testid='stException']").count() == 0

    # A click on a posyandu dot (one of its stroke pixels, away from the zoom buttons) opens its profile.
    image = Image.open(io.BytesIO(png)).convert("RGB")
    stroke = [(x, y) for y in range(image.height) for x in range(image.width - 80)
              if all(abs(c - s) <= 4 for c, s in zip(image.getpixel((x, y)), POINT_STROKE, strict=True))]
    x, y = stroke[len(stroke) // 2]
    page.mouse.move(box["x"] + x, box["y"] + y)
    expect(tooltip).to_contain_text("Posyandu", timeout=10_000)
    page.mouse.click(box["x"] + x, box["y"] + y)
    page.wait_for_url("**/profil?posyandu=*", timeout=60_000)
    # The must-not: no request leaves this machine for a tile or style server.
    assert all(u.startswith(app_url) or u.startswith("data:") or u.startswith("blob:") for u in requests), \
        [u for u in requests if not u.startswith(app_url)][:5]


def _wait_drawn(page, chart, deadline_s: float = 30) -> tuple[bytes, dict[str, float]]:
    """Poll the chart's pixels until land and boundary lines are drawn; the last screenshot and its census."""
    png, census = b"", {}
    deadline = time.perf_counter() + deadline_s
    while time.perf_counter() < deadline:
        png = chart.screenshot()
        census = map_census(png)
        if census["top_share"] < 0.9 and census["land"] > 1000 and census["line"] > 200:
            break
        page.wait_for_timeout(100)
    return png, census


def _cibadak_candidates(store: Path) -> list[tuple[float, float]]:
    """(lon, lat) points well inside Kec. Cibadak's cell, nearest its middle first (some fall on a dot)."""
    con = duckdb.connect(str(store), read_only=True)
    try:
        cell = shapely.from_wkb(con.sql("SELECT geometry FROM boundaries WHERE code = '36.02.18'").fetchone()[0])
    finally:
        con.close()
    inner, middle = cell.buffer(-0.004), cell.representative_point()
    minx, miny, maxx, maxy = inner.bounds
    grid = [shapely.Point(minx + (maxx - minx) * i / 8, miny + (maxy - miny) * j / 8)
            for i in range(9) for j in range(9)]
    return [(p.x, p.y) for p in sorted((p for p in grid if inner.contains(p)), key=middle.distance)]


def _pixel(lon: float, lat: float, view: dict[str, float], width: float, height: float) -> tuple[float, float]:
    """Where deck.gl's Web Mercator view puts (lon, lat) on a canvas of width × height."""
    scale = WORLD_PX * 2 ** view["zoom"]
    dx = (lon - view["longitude"]) / 360.0 * scale
    dy = (mercator_y(view["latitude"]) - mercator_y(lat)) * scale
    return width / 2 + dx, height / 2 + dy


def test_map_at_national_province_and_kabupaten_scope_and_a_kecamatan_opens_its_summary(
        app_url: str, browser_page, demo_path: Path) -> None:
    """The Lebak contest at the three scopes (screenshots kept), then a click on Kec. Cibadak opens its summary
    with the best posyandu and a link to Bandingkan."""
    page = browser_page
    timings = {}
    for scope in ("nasional", "provinsi", "kabupaten"):
        start = time.perf_counter()
        page.goto(f"{app_url}/peta?scope={scope}", wait_until="domcontentloaded")
        chart = page.locator("[data-testid='stDeckGlJsonChart']").first
        expect(chart.locator("canvas").first).to_be_visible(timeout=90_000)
        chart.scroll_into_view_if_needed()
        png, census = _wait_drawn(page, chart)
        timings[scope] = {"drawn_s": round(time.perf_counter() - start, 2), "census": census}
        (ARTIFACTS / f"map_{scope}.png").write_bytes(png)
        assert census["land"] > 1000 and census["line"] > 200, f"{scope}: no land or lines drawn: {census}"
        assert page.locator("[data-testid='stException']").count() == 0
    (ARTIFACTS / "map_scopes_timing.json").write_text(json.dumps(timings, indent=1, default=float))
    # At kabupaten scope the view fits Kab. Lebak (the page's geo.layers.view_for of its box): hover Cibadak.
    shapes = real.shapes()
    lebak = shapes["36.02"]
    view = view_for(lebak.bounds)
    # Aim inside Cibadak's cell, off the posyandu dots: the tooltip must be the choropleth's (name, average).
    box = chart.bounding_box()
    tooltip = page.locator(".deck-tooltip")
    found = None
    for lon, lat in _cibadak_candidates(demo_path)[:20]:
        x, y = _pixel(lon, lat, view, box["width"], box["height"])
        page.mouse.move(box["x"] + x, box["y"] + y)
        try:
            expect(tooltip).to_contain_text("Rata-rata", timeout=2_000)
        except AssertionError:
            continue
        text = tooltip.inner_text()
        if text.startswith("Cibadak") and "Posyandu" not in text:
            found = (x, y)
            break
    assert found, "no point of Kec. Cibadak's cell showed its choropleth tooltip"
    page.mouse.click(box["x"] + found[0], box["y"] + found[1])
    panel = page.locator(".st-key-peta_region_panel")
    expect(panel).to_contain_text("Kecamatan Cibadak", timeout=60_000)
    expect(panel).to_contain_text("Jeruk")              # Posyandu Jeruk of Desa Pasar Keong is Cibadak's best
    expect(panel).to_contain_text("Kesehatan")          # the averages per field
    panel.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    panel.screenshot(path=str(ARTIFACTS / "map_cibadak_summary.png"))
    assert "area=36.02.18" in page.url
    panel.get_by_role("button", name="Bandingkan dengan wilayah lain").click()
    page.wait_for_url("**/bandingkan?*", timeout=60_000)
    assert "compare=36.02.18" in page.url.replace("%2C", ",") and "by=kecamatan" in page.url
    expect(page.get_by_text("Cibadak").first).to_be_visible(timeout=60_000)
    assert page.locator("[data-testid='stException']").count() == 0
