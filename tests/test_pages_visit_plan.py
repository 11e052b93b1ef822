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


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.floats(-8, -5), st.floats(105, 108)), min_size=2, max_size=6))
def test_tour_visits_every_stop_once_and_is_never_worse_than_the_given_order_by_much(pts):
    order = tour_order(pts, start=pts[0])
    assert sorted(order) == list(range(len(pts)))

    def length(o):
        legs = [haversine_km(*pts[a], *pts[b]) for a, b in itertools.pairwise(o)]
        return haversine_km(*pts[0], *pts[o[0]]) + sum(legs)

    best = min(length(p) for p in itertools.permutations(range(len(pts))))
    # nearest neighbour + 2-opt on ≤ 6 stops: within 25 % of the optimum (it is usually exact)
    assert length(order) <= best * 1.25 + 1e-6


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
