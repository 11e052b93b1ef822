"""Peers for studi tiru: strong in the field, similar profile first, distance when coordinates exist."""

from __future__ import annotations

import polars as pl
import pytest

from scoring.peers import haversine_km, peers

PROFILES = pl.DataFrame({
    "posyandu_id": ["me", "near_same", "far_same", "other_prov", "kelurahan", "weak", "big"],
    "name": ["Jeruk", "Melati", "Mawar", "Anggrek", "Flamboyan", "Kenanga", "Dahlia"],
    "desa_kind": ["desa", "desa", "desa", "desa", "kelurahan", "desa", "desa"],
    "kabupaten_code": ["36.02", "36.02", "36.02", "64.03", "36.02", "36.02", "36.02"],
    "provinsi_code": ["36", "36", "36", "64", "36", "36", "36"],
    "kader_total": [10, 11, 10, 10, 10, 10, 40],
    "lat": [-6.60, -6.61, -6.90, -0.50, -6.60, -6.60, None],
    "lon": [106.30, 106.31, 106.50, 117.00, 106.30, 106.30, None],
})
SCORES = pl.DataFrame({
    "posyandu_id": ["me", "near_same", "far_same", "other_prov", "kelurahan", "weak", "big"],
    "spm_field": ["kesehatan"] * 7,
    "score_pct": [55.0, 90.0, 92.0, 99.0, 95.0, 60.0, 91.0],
})


def test_peers_prefer_same_region_kind_and_size_then_nearer():
    got = peers(PROFILES, SCORES, "me", "kesehatan", k=5, min_score=75.0, top_share=1.0)
    # near_same and far_same tie on region, kind and size (gap 0.1 vs 0): far_same has the smaller size gap
    # (0 vs 0.1·0.5); kelurahan differs in kind (+0.5); big differs in size (gap capped at 1 → +0.5, no coordinates
    # so it sorts after kelurahan on distance); other_prov is in another province (+2).
    assert got["posyandu_id"].to_list() == ["far_same", "near_same", "kelurahan", "big", "other_prov"]
    assert "weak" not in got["posyandu_id"].to_list()          # 60 is below the 75 bar
    assert got.filter(posyandu_id="big")["distance_km"][0] is None
    assert got.filter(posyandu_id="near_same")["distance_km"][0] == pytest.approx(1.56, abs=0.05)


def test_peers_limit_to_top_quantile_and_unknown_posyandu_is_empty():
    got = peers(PROFILES, SCORES, "me", "kesehatan", k=10, min_score=0.0, top_share=0.3)
    assert set(got["posyandu_id"]) <= {"other_prov", "kelurahan", "far_same"}
    assert peers(PROFILES, SCORES, "nobody", "kesehatan").height == 0
    assert peers(PROFILES, SCORES, "me", "sosial").height == 0


def test_haversine_jakarta_to_bandung_is_about_120_km():
    d = pl.select(haversine_km(pl.lit(-6.2088), pl.lit(106.8456), pl.lit(-6.9175), pl.lit(107.6191))).item()
    assert d == pytest.approx(116.0, abs=5.0)
