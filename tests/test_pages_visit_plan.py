"""The study-visit plan: tour order, distances and the printable HTML/PDF a delegation takes along."""

from __future__ import annotations

import itertools

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from present.visit_plan import (
    haversine_km,
    order_visits,
    plan_html,
    plan_pdf,
    plan_stops,
    tour_order,
    with_distance,
)

# Rangkasbitung (Kab. Lebak) and Serang are about 29 km apart in a straight line.
RANGKAS = (-6.3566, 106.2516)
SERANG = (-6.1200, 106.1503)


def test_haversine_matches_a_known_distance():
    assert haversine_km(*RANGKAS, *SERANG) == pytest.approx(28.5, abs=1.0)
    assert haversine_km(*RANGKAS, *RANGKAS) == 0.0


def test_with_distance_agrees_with_haversine_and_keeps_unlocated_rows_null():
    f = pl.DataFrame({"lat": [SERANG[0], None], "lon": [SERANG[1], None]})
    out = with_distance(f, *RANGKAS)
    assert out["distance_km"][0] == pytest.approx(haversine_km(*RANGKAS, *SERANG))
    assert out["distance_km"][1] is None


def test_points_on_a_line_are_visited_in_line_order_from_the_start():
    pts = [(0.0, 0.3), (0.0, 0.1), (0.0, 0.4), (0.0, 0.2)]
    assert tour_order(pts, start=(0.0, 0.0)) == [1, 3, 0, 2]


def _length(pts, order, start):
    return haversine_km(*start, *pts[order[0]]) + sum(haversine_km(*pts[a], *pts[b]) for a, b in itertools.pairwise(order))


# Drawn once from random points in Banten: nearest neighbour + 2-opt takes 229,8 km here, the best tour 172,3 km.
TRAP = [(-6.656, 106.766), (-6.109, 106.0), (-6.454, 106.741), (-6.883, 106.649), (-6.226, 106.549)]


def test_a_case_where_nearest_neighbour_and_two_opt_go_a_third_too_far_gets_the_best_tour():
    from present.visit_plan import _heuristic_order

    start = TRAP[0]
    assert _length(TRAP, _heuristic_order(TRAP, start), start) == pytest.approx(229.78, abs=0.01)
    order = tour_order(TRAP, start=start)
    assert _length(TRAP, order, start) == pytest.approx(172.26, abs=0.01)
    assert _length(TRAP, order, start) == pytest.approx(
        min(_length(TRAP, p, start) for p in itertools.permutations(range(5))))


# Exact for every draw (no tolerance), so the test cannot fail on an unlucky example; derandomised so that the
# same examples run every time.
@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.lists(st.tuples(st.floats(-8, -5), st.floats(105, 108)), min_size=2, max_size=7),
       st.booleans())
def test_the_tour_of_up_to_seven_stops_is_the_shortest_open_path(pts, from_start):
    start = (-6.5, 106.5) if from_start else None
    order = tour_order(pts, start=start)
    assert sorted(order) == list(range(len(pts)))
    origin = start or pts[0]
    candidates = itertools.permutations(range(len(pts))) if start else (
        (0, *rest) for rest in itertools.permutations(range(1, len(pts))))
    best = min(_length(pts, p, origin) for p in candidates)
    assert _length(pts, order, origin) == pytest.approx(best, rel=1e-9, abs=1e-9)
    if start is None:
        assert order[0] == 0


def test_a_long_list_still_visits_every_stop_once():
    pts = [(-6.0 - i * 0.037 % 1, 106.0 + (i * 0.071) % 1) for i in range(14)]
    order = tour_order(pts, start=(-6.5, 106.5))
    assert sorted(order) == list(range(14))


def stops() -> pl.DataFrame:
    return pl.DataFrame({
        "posyandu_id": ["P1", "P2", "P3"], "posyandu_name": ["Melati", "Mawar", "Kenanga"],
        "desa_name": ["Pasar Keong", "Bojongleles", "Cibadak"], "kecamatan_name": ["Cibadak"] * 3,
        "kabupaten_name": ["Lebak"] * 3, "address": ["RT 01/RW 02", None, None],
        "lat": [-6.40, None, -6.30], "lon": [106.20, None, 106.20],
        "contact_name": ["Ibu Siti", "Ibu Ani", None], "contact_phone": ["0812-1111-2222", None, None],
    })


def practices() -> pl.DataFrame:
    return pl.DataFrame({
        "posyandu_id": ["P1", "P1", "P3"], "spm_field": ["sosial", "kesehatan", "kesehatan"],
        "title": ["Data lansia", "Kunjungan rumah", "Penjemputan sasaran"],
        "description": ["Pendataan lansia", "Kader mengunjungi ibu hamil", "Menjemput balita"],
    })


def test_plan_orders_located_stops_first_and_carries_what_to_see():
    plan = order_visits(plan_stops(practices(), stops(), "kesehatan"), start=(-6.25, 106.20))
    # from -6.25: Kenanga at -6.30 (≈ 5,6 km), then Melati at -6.40 (≈ 11,1 km); Mawar has no location
    assert plan["posyandu_id"].to_list() == ["P3", "P1", "P2"]
    assert plan["visit_no"].to_list() == [1, 2, 3]
    assert plan["leg_km"][0] == pytest.approx(5.56, abs=0.05) and plan["leg_km"][2] is None
    assert plan["total_km"][1] == pytest.approx(16.7, abs=0.1)
    fields = dict(zip(plan["posyandu_id"].to_list(), plan["fields"].to_list(), strict=True))
    assert fields["P1"] == ["kesehatan", "sosial"]          # the focus field first
    assert fields["P2"] == ["kesehatan"]                    # no practice written up: the focus field


def test_printable_plans_hold_contact_location_and_fields_in_the_chosen_language():
    plan = order_visits(plan_stops(practices(), stops(), "kesehatan"), start=None)
    html_id = plan_html(plan, "id", "Rencana studi tiru")
    assert "Ibu Siti · 0812-1111-2222" in html_id and "Kunjungan rumah" in html_id and "Kesehatan" in html_id
    assert "Pasar Keong" in html_id and "-6,40000" in html_id                # Indonesian decimals
    assert "Health" in plan_html(plan, "en", "Study visit")
    pdf = plan_pdf(plan, "id", "Rencana studi tiru — bidang Kesehatan")
    assert pdf.startswith(b"%PDF") and len(pdf) > 2000


def test_html_plan_escapes_text_from_the_store():
    p = practices().with_columns(pl.lit("<script>x</script>").alias("title"))
    plan = order_visits(plan_stops(p, stops(), None), start=None)
    assert "<script>" not in plan_html(plan, "id", "Rencana")
