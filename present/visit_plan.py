"""A study-visit (studi tiru) plan: which posyandu to visit in which order, and a printable plan to take along.

Ordering: the shortest open tour from the delegation's starting point, exactly (Held-Karp dynamic programming)
for up to EXACT_STOPS stops, which covers what a delegation visits in a day or two and takes milliseconds; above
that, nearest neighbour improved by 2-opt (nearest neighbour + 2-opt alone gave 682 km on a 5-stop case whose best
tour is 490 km). Distances are
great-circle kilometres; roads are longer, so the plan says "about". Stops without coordinates are kept, at the end.
The printable plan exists as HTML (opens in any phone browser) and as PDF (fpdf2, DejaVu font for Indonesian text).
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from pathlib import Path
from typing import cast

import polars as pl

from present.fmt import fmt_date, fmt_number
from present.i18n import t

EARTH_RADIUS_KM = 6371.0088
EXACT_STOPS = 10          # Held-Karp: 2^n * n^2 steps, about 0.1 s in Python at 10 stops
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def with_distance(frame: pl.DataFrame, lat: float, lon: float, col: str = "distance_km") -> pl.DataFrame:
    """Add the distance in km from (lat, lon) to each row's lat/lon (null where a row has no coordinates)."""
    r = math.pi / 180
    dlat = (pl.col("lat") - lat) * r / 2
    dlon = (pl.col("lon") - lon) * r / 2
    a = dlat.sin() ** 2 + math.cos(lat * r) * (pl.col("lat") * r).cos() * dlon.sin() ** 2
    return frame.with_columns((2 * EARTH_RADIUS_KM * a.sqrt().clip(upper_bound=1.0).arcsin()).alias(col))


def _tour_length(order: Sequence[int], pts: Sequence[tuple[float, float]], start: tuple[float, float] | None) -> float:
    legs = [haversine_km(*pts[a], *pts[b]) for a, b in zip(order, order[1:], strict=False)]
    first = haversine_km(*start, *pts[order[0]]) if start and order else 0.0
    return first + sum(legs)


def tour_order(points: Sequence[tuple[float, float]], start: tuple[float, float] | None = None) -> list[int]:
    """Indices of `points` in visiting order, the shortest open path from `start` (or from the first point).

    Exact up to EXACT_STOPS stops; longer lists get nearest neighbour + 2-opt (a good tour, not always the best).
    """
    n = len(points)
    if n <= 1:
        return list(range(n))
    if n <= EXACT_STOPS:
        return _exact_order(points, start)
    return _heuristic_order(points, start)


def _exact_order(points: Sequence[tuple[float, float]], start: tuple[float, float] | None) -> list[int]:
    """Held-Karp over subsets: best[mask][j] is the shortest path from the start through `mask` ending at j.
    Without a start the path begins at point 0. Ties go to the lower index, so the answer is deterministic."""
    n = len(points)
    dist = [[haversine_km(*a, *b) for b in points] for a in points]
    first = [haversine_km(*start, *p) if start else 0.0 for p in points]
    inf = math.inf
    size = 1 << n
    best = [[inf] * n for _ in range(size)]
    back = [[-1] * n for _ in range(size)]
    for j in range(n):
        if start is not None or j == 0:
            best[1 << j][j] = first[j]
    for mask in range(1, size):
        row = best[mask]
        for j in range(n):
            here = row[j]
            if here == inf:
                continue
            for k in range(n):
                if mask & (1 << k):
                    continue
                nxt = mask | (1 << k)
                cand = here + dist[j][k]
                if cand < best[nxt][k] - 1e-12:
                    best[nxt][k], back[nxt][k] = cand, j
    full = size - 1
    end = min(range(n), key=lambda j: (best[full][j], j))
    order, mask = [], full
    while end != -1:
        order.append(end)
        end, mask = back[mask][end], mask & ~(1 << end)
    return order[::-1]


def _heuristic_order(points: Sequence[tuple[float, float]], start: tuple[float, float] | None) -> list[int]:
    """Nearest neighbour from `start` (or the first point), then 2-opt: the tour is open (the delegation does not
    come back), so 2-opt reverses inner segments and the tail only while that shortens the path."""
    n = len(points)
    left = set(range(n))
    if start is None:
        current, order = points[0], [0]
        left.discard(0)
    else:
        current, order = start, []
    while left:
        nxt = min(left, key=lambda i: (haversine_km(*current, *points[i]), i))
        order.append(nxt)
        left.discard(nxt)
        current = points[nxt]
    fixed_first = 1 if start is None else 0
    improved = True
    while improved:
        improved = False
        best = _tour_length(order, points, start)
        for i in range(fixed_first, n - 1):
            for j in range(i + 1, n):
                cand = order[:i] + order[i:j + 1][::-1] + order[j + 1:]
                length = _tour_length(cand, points, start)
                if length < best - 1e-9:
                    order, best, improved = cand, length, True
    return order


def order_visits(stops: pl.DataFrame, start: tuple[float, float] | None = None) -> pl.DataFrame:
    """The stops (one row per posyandu, with lat/lon) in visiting order with `visit_no`, `leg_km` and `total_km`.

    `leg_km` of the first stop is the distance from `start` (null without a start); unlocated stops follow the
    located ones in their given order, with null distances.
    """
    located = stops.filter(pl.col("lat").is_not_null() & pl.col("lon").is_not_null())
    unlocated = stops.filter(pl.col("lat").is_null() | pl.col("lon").is_null())
    pts = list(zip(located["lat"].to_list(), located["lon"].to_list(), strict=True))
    order = tour_order(pts, start)
    legs: list[float | None] = []
    prev = start
    for i in order:
        legs.append(haversine_km(*prev, *pts[i]) if prev is not None else None)
        prev = pts[i]
    ordered = located[order].with_columns(pl.Series("leg_km", legs, dtype=pl.Float64))
    rest = unlocated.with_columns(pl.lit(None, dtype=pl.Float64).alias("leg_km"))
    out = pl.concat([ordered, rest], how="vertical_relaxed") if rest.height else ordered
    return out.with_columns(
        pl.int_range(1, out.height + 1).alias("visit_no"),
        pl.col("leg_km").fill_null(0.0).cum_sum().alias("total_km"),
    )


def plan_stops(practices: pl.DataFrame, posyandu: pl.DataFrame, focus_field: str | None = None) -> pl.DataFrame:
    """One row per chosen posyandu (`posyandu`: id, name, region names, lat/lon, contact) with what to see there.

    `fields`, `titles` and `descriptions` come from the posyandu's documented practices (the focus field
    first); a posyandu without any still gets a stop, for the focus field.
    """
    ordered = (practices.sort(pl.col("spm_field") != focus_field, maintain_order=True) if focus_field
               else practices)
    seen = (ordered.group_by("posyandu_id", maintain_order=True)
            .agg(pl.col("spm_field").unique(maintain_order=True).alias("fields"),
                 pl.col("title").alias("titles"), pl.col("description").alias("descriptions")))
    cols = ["posyandu_id", "posyandu_name", "desa_name", "kecamatan_name", "kabupaten_name", "address", "lat", "lon",
            "contact_name", "contact_phone"]
    base = posyandu.select([pl.col(c) if c in posyandu.columns else pl.lit(None, pl.String).alias(c) for c in cols])
    out = base.join(seen, on="posyandu_id", how="left", maintain_order="left")
    fallback = pl.lit([focus_field] if focus_field else [], dtype=pl.List(pl.String))
    return out.with_columns(pl.col("fields").fill_null(fallback),
                            pl.col("titles").fill_null(pl.lit([], dtype=pl.List(pl.String))),
                            pl.col("descriptions").fill_null(pl.lit([], dtype=pl.List(pl.String))))


def _stop_lines(row: dict, lang: str) -> dict[str, str]:
    """The printable texts of one stop, shared by the HTML and the PDF plan."""
    where = ", ".join(x for x in (row.get("address"), row.get("desa_name"), row.get("kecamatan_name"),
                                  row.get("kabupaten_name")) if x)
    coords = (f"{fmt_number(row['lat'], 5, lang)}, {fmt_number(row['lon'], 5, lang)}"
              if row.get("lat") is not None and row.get("lon") is not None else "–")
    leg = "–" if row.get("leg_km") is None else f"≈ {fmt_number(row['leg_km'], 1, lang)} km"
    contact = " · ".join(x for x in (row.get("contact_name"), row.get("contact_phone")) if x) or "–"
    return {
        "title": f"{row['visit_no']}. {t('pages_posyandu_prefix', lang)} {row['posyandu_name']}",
        "fields": ", ".join(t(f"field_{f}", lang) for f in row.get("fields") or []),
        "where": where or "–", "coords": coords, "leg": leg, "contact": contact,
    }


def plan_html(plan: pl.DataFrame, lang: str, title: str, planned_on=None) -> str:
    """A self-contained printable HTML page of the plan (what to see, for which field, contact and location)."""
    e = html.escape
    parts = [f"<!doctype html><html lang='{lang}'><head><meta charset='utf-8'><title>{e(title)}</title>",
             "<style>body{font-family:sans-serif;max-width:48em;margin:1em auto;padding:0 1em}"
             "section{border-top:1px solid #999;padding:.5em 0}dt{font-weight:bold}"
             "@media print{section{break-inside:avoid}}</style></head><body>",
             f"<h1>{e(title)}</h1>"]
    if planned_on is not None:
        parts.append(f"<p>{e(fmt_date(planned_on, lang))}</p>")
    total = cast(float, plan["total_km"].max()) if plan.height else 0.0
    parts.append(f"<p>{e(t('pages_plan_summary', lang, n=plan.height, km=fmt_number(total, 1, lang)))}</p>")
    for row in plan.iter_rows(named=True):
        s = _stop_lines(row, lang)
        parts.append(f"<section><h2>{e(s['title'])}</h2><dl>"
                     f"<dt>{e(t('pages_plan_fields', lang))}</dt><dd>{e(s['fields'])}</dd>"
                     f"<dt>{e(t('pages_plan_see', lang))}</dt><dd><ul>")
        for ttl, desc in zip(row.get("titles") or [], row.get("descriptions") or [], strict=False):
            parts.append(f"<li><b>{e(ttl)}</b>: {e(desc)}</li>")
        parts.append(f"</ul></dd><dt>{e(t('pages_plan_where', lang))}</dt><dd>{e(s['where'])} ({e(s['coords'])})</dd>"
                     f"<dt>{e(t('pages_plan_leg', lang))}</dt><dd>{e(s['leg'])}</dd>"
                     f"<dt>{e(t('pages_plan_contact', lang))}</dt><dd>{e(s['contact'])}</dd></dl></section>")
    parts.append(f"<p><small>{e(t('pages_plan_distance_note', lang))}</small></p></body></html>")
    return "".join(parts)


def plan_pdf(plan: pl.DataFrame, lang: str, title: str, planned_on=None) -> bytes:
    """The same plan as an A4 PDF; uses DejaVu Sans when installed so every Indonesian character prints."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    regular, bold = FONT_DIR / "DejaVuSans.ttf", FONT_DIR / "DejaVuSans-Bold.ttf"
    if regular.exists() and bold.exists():
        pdf.add_font("DejaVu", "", str(regular))
        pdf.add_font("DejaVu", "B", str(bold))
        family = "DejaVu"

        def clean(s: str) -> str:
            return s
    else:  # core fonts are Latin-1 only
        family = "Helvetica"

        def clean(s: str) -> str:
            return s.replace("≈", "~").replace("–", "-").replace("·", "-").encode("latin-1", "replace").decode("latin-1")
    pdf.add_page()
    w = pdf.epw
    pdf.set_font(family, "B", 16)
    pdf.multi_cell(w, 8, clean(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "", 10)
    if planned_on is not None:
        pdf.multi_cell(w, 6, clean(fmt_date(planned_on, lang)), new_x="LMARGIN", new_y="NEXT")
    total = cast(float, plan["total_km"].max()) if plan.height else 0.0
    pdf.multi_cell(w, 6, clean(t("pages_plan_summary", lang, n=plan.height, km=fmt_number(total, 1, lang))),
                   new_x="LMARGIN", new_y="NEXT")
    for row in plan.iter_rows(named=True):
        s = _stop_lines(row, lang)
        pdf.ln(3)
        pdf.set_font(family, "B", 12)
        pdf.multi_cell(w, 7, clean(s["title"]), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(family, "", 10)
        lines = [(t("pages_plan_fields", lang), s["fields"])]
        lines += [(t("pages_plan_see", lang), f"{ttl}: {desc}")
                  for ttl, desc in zip(row.get("titles") or [], row.get("descriptions") or [], strict=False)]
        lines += [(t("pages_plan_where", lang), f"{s['where']} ({s['coords']})"),
                  (t("pages_plan_leg", lang), s["leg"]), (t("pages_plan_contact", lang), s["contact"])]
        for label, text in lines:
            pdf.multi_cell(w, 5.5, clean(f"{label}: {text}"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font(family, "", 8)
    pdf.multi_cell(w, 4, clean(t("pages_plan_distance_note", lang)), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
