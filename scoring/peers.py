"""Peers for best practice (studi tiru): posyandu strong in one SPM field that look like the one asking.

"Strong" means a field score at or above both `min_score` and the field's top-`top_share` quantile, and better
than the asking posyandu. "Similar" is a small, explainable distance: region first (same kabupaten, then same
province: a visit must be affordable), then desa vs kelurahan (their services differ), then size (kader count,
relative gap capped at 1). Ties go to the nearer (haversine km, when both have coordinates), then the stronger.
"""

from __future__ import annotations

import polars as pl

PROFILE_COLUMNS: tuple[str, ...] = ("posyandu_id", "name", "desa_kind", "kabupaten_code", "provinsi_code",
                                    "kader_total", "lat", "lon")
PEER_COLUMNS: tuple[str, ...] = (*PROFILE_COLUMNS[:6], "spm_field", "score_pct", "same_kabupaten",
                                 "same_provinsi", "same_kind", "kader_gap", "distance_km", "similarity")

EARTH_RADIUS_KM = 6371.0088


def haversine_km(lat1: pl.Expr, lon1: pl.Expr, lat2: pl.Expr, lon2: pl.Expr) -> pl.Expr:
    """Great-circle distance in km (null when a coordinate is missing)."""
    p1, p2 = lat1.radians(), lat2.radians()
    dlat, dlon = (lat2 - lat1).radians(), (lon2 - lon1).radians()
    a = (dlat / 2).sin() ** 2 + p1.cos() * p2.cos() * (dlon / 2).sin() ** 2
    return 2 * EARTH_RADIUS_KM * a.sqrt().arcsin()


def peers(profiles: pl.DataFrame, field_scores: pl.DataFrame, posyandu_id: str, spm_field: str, k: int = 5,
          min_score: float = 75.0, top_share: float = 0.25) -> pl.DataFrame:
    """Up to k exemplars for `posyandu_id` in `spm_field`, most similar first (columns: PEER_COLUMNS).

    field_scores: posyandu_id, spm_field, score_pct. An unknown posyandu or field gives an empty frame.
    """
    prof = profiles.select(PROFILE_COLUMNS)
    me = prof.filter(pl.col("posyandu_id") == posyandu_id)
    scores = field_scores.filter(pl.col("spm_field") == spm_field).select("posyandu_id", "score_pct")
    if me.height == 0 or scores.height == 0:
        return _empty()
    quantile = scores["score_pct"].quantile(1.0 - top_share, interpolation="linear") or 0.0
    bar = max(min_score, quantile)
    own = scores.filter(pl.col("posyandu_id") == posyandu_id)["score_pct"]
    own_score = own[0] if own.len() and own[0] is not None else float("-inf")
    t = me.row(0, named=True)
    strong = (scores.filter((pl.col("posyandu_id") != posyandu_id) & (pl.col("score_pct") >= bar)
                            & (pl.col("score_pct") > own_score))
              .join(prof, on="posyandu_id", how="inner"))
    same_kab = pl.col("kabupaten_code").eq_missing(pl.lit(t["kabupaten_code"], pl.String)) & \
        pl.lit(t["kabupaten_code"] is not None)
    same_prov = pl.col("provinsi_code").eq_missing(pl.lit(t["provinsi_code"], pl.String)) & \
        pl.lit(t["provinsi_code"] is not None)
    same_kind = pl.col("desa_kind").eq_missing(pl.lit(t["desa_kind"], pl.String))
    my_kader = t["kader_total"]
    if my_kader is None:
        gap = pl.lit(0.5)
    else:
        gap = ((pl.col("kader_total") - my_kader).abs() / max(float(my_kader), 1.0)).clip(0.0, 1.0).fill_null(0.5)
    if t["lat"] is None or t["lon"] is None:
        dist = pl.lit(None, pl.Float64)
    else:
        dist = haversine_km(pl.lit(float(t["lat"])), pl.lit(float(t["lon"])), pl.col("lat"), pl.col("lon"))
    out = strong.with_columns(
        pl.lit(spm_field).alias("spm_field"), same_kab.alias("same_kabupaten"), same_prov.alias("same_provinsi"),
        same_kind.alias("same_kind"), gap.cast(pl.Float64).alias("kader_gap"), dist.alias("distance_km"),
    ).with_columns(
        (pl.when(pl.col("same_kabupaten")).then(0.0).when(pl.col("same_provinsi")).then(1.0).otherwise(2.0)
         + pl.when(pl.col("same_kind")).then(0.0).otherwise(0.5) + 0.5 * pl.col("kader_gap")).alias("similarity")
    )
    return (out.sort(["similarity", "distance_km", "score_pct", "posyandu_id"],
                     descending=[False, False, True, False], nulls_last=True)
            .head(k).select(PEER_COLUMNS))


def _empty() -> pl.DataFrame:
    schema = {"posyandu_id": pl.String, "name": pl.String, "desa_kind": pl.String, "kabupaten_code": pl.String,
              "provinsi_code": pl.String, "kader_total": pl.Int64, "spm_field": pl.String,
              "score_pct": pl.Float64, "same_kabupaten": pl.Boolean, "same_provinsi": pl.Boolean,
              "same_kind": pl.Boolean, "kader_gap": pl.Float64, "distance_km": pl.Float64,
              "similarity": pl.Float64}
    return pl.DataFrame(schema=schema)
