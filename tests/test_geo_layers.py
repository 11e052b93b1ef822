"""The deck the map page sends: props deck.gl reads as enums stay plain strings, and the first view frames the
region it was asked to show (both broke the browser map once while every JSON-level test still passed)."""

from __future__ import annotations

import json
import math

import numpy as np
import polars as pl
import pytest

from geo import layers
from geo.aggregate import POINT_LIMIT
from geo.mapview import MapOptions, build_map


def _points() -> pl.DataFrame:
    return pl.DataFrame({"posyandu_id": ["P1", "P2"], "lat": [-6.5, -6.9], "lon": [106.0, 106.4],
                         "fill": [[253, 219, 199, 255], [146, 197, 222, 255]], "radius": [6.0, 6.0],
                         "tip": ["a", "b"]})


def test_points_radius_is_in_pixels_not_an_accessor() -> None:
    # pydeck turns every bare string into an "@@=" accessor; deck.gl then reads radiusUnits as a function,
    # falls back to common units, and a 6 "px" dot covers the whole canvas in one flat colour.
    deck = layers.build_deck([layers.points_layer(_points())], layers.view_for((106.0, -6.9, 106.4, -6.5)))
    (layer,) = json.loads(deck.to_json())["layers"]
    assert layer["radiusUnits"] == "pixels"


def test_only_accessors_are_expressions() -> None:
    deck = layers.build_deck([layers.points_layer(_points())], layers.view_for((106.0, -6.9, 106.4, -6.5)))
    for layer in json.loads(deck.to_json())["layers"]:
        wrong = {k: v for k, v in layer.items() if isinstance(v, str) and v.startswith("@@=")
                 and not k.startswith("get")}
        assert not wrong, wrong


def _pixel_span(box: tuple[float, float, float, float], zoom: float) -> tuple[float, float]:
    """Width and height in screen pixels of a lon/lat box at a deck.gl zoom (512 px world at zoom 0)."""
    minx, miny, maxx, maxy = box
    world = 512.0 * 2 ** zoom

    def y(lat: float) -> float:
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) / (2 * math.pi)

    return (maxx - minx) / 360.0 * world, (y(maxy) - y(miny)) * world


@pytest.mark.parametrize("box", [
    (105.9, -7.1, 106.6, -6.3),        # a kabupaten (Lebak)
    (114.5, -4.2, 116.6, -1.3),        # a province (Kalimantan Selatan)
    (95.0, -11.0, 141.0, 6.0),         # the whole country
    (106.70, -6.30, 106.90, -6.10),    # a few kecamatan
])
def test_first_view_frames_the_box_with_a_little_air(box: tuple[float, float, float, float]) -> None:
    view = layers.view_for(box, width_px=900, height_px=560)
    w, h = _pixel_span(box, view["zoom"])
    assert w <= 900 and h <= 560                       # all of it is on the canvas
    assert w >= 0.8 * 900 or h >= 0.8 * 560            # and it fills the canvas in one direction
    assert view["longitude"] == pytest.approx((box[0] + box[2]) / 2)



def _scored(n: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """n posyandu scattered over Indonesia's box (the worst case for hexagons), with scores and profiles."""
    rng = np.random.default_rng(7)
    ids = [f"P{i:06d}" for i in range(n)]
    table = pl.DataFrame({"posyandu_id": ids, "posyandu_name": ids, "total": rng.uniform(40, 95, n),
                          "desa_code": ["36.02.01.2001"] * n})
    profiles = pl.DataFrame({"posyandu_id": ids, "lat": rng.uniform(-8.5, 5.0, n),
                             "lon": rng.uniform(95.5, 140.5, n), "kader_total": rng.integers(3, 12, n),
                             "desa_name": ["Desa"] * n, "kecamatan_name": ["Kec"] * n})
    return table, profiles


@pytest.mark.parametrize(("n", "layer_id"), [(POINT_LIMIT, "posyandu"), (POINT_LIMIT + 1, "hexagons")])
def test_views_over_the_point_limit_switch_to_hexagons_and_stay_under_5_mb(n: int, layer_id: str) -> None:
    table, profiles = _scored(n)
    mv = build_map(table, profiles, {}, {}, MapOptions(), "id")
    assert [layer.id for layer in mv.deck.layers] == [layer_id]
    assert mv.aggregated == (layer_id == "hexagons")
    assert layers.payload_bytes(mv.deck) < 5_000_000


def test_region_summary_and_the_bandingkan_set() -> None:
    import polars as pl

    from present.tables import compare_with, region_summary

    table = pl.DataFrame({"entrant_id": ["a", "b", "c"], "posyandu_id": ["pa", "pb", "pc"],
                          "posyandu_name": ["Melati", "Jeruk", "Mawar"], "desa_name": ["X", "Pasar Keong", "Y"],
                          "kecamatan_code": ["k1", "k1", "k2"], "kecamatan_name": ["Cibadak", "Cibadak", "Warunggunung"],
                          "total": [70.0, 90.0, 80.0], "rank_final": [3, 1, 2], "sec_kesehatan": [60.0, 80.0, 50.0]})
    info = region_summary(table, "kecamatan", "k1")
    assert info is not None
    assert (info["name"], info["n"], info["total"], info["fields"]) == ("Cibadak", 2, 80.0, {"kesehatan": 70.0})
    assert info["best"]["name"] == "Jeruk" and info["best"]["rank"] == 1
    assert region_summary(table, "kecamatan", "nowhere") is None
    assert compare_with(table, "kecamatan", "k2") == ["k2", "k1"]
