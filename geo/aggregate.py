"""Scores placed on the map: posyandu points with coordinates, averages per region, and H3 hexagon averages.

Pure Polars in and out (no store, no Streamlit), so the page, the exports and the benchmark share them.
"""

from __future__ import annotations

from typing import Final

import h3
import polars as pl

LEVEL_CODE_COLUMN: Final[dict[str, str]] = {"desa": "desa_code", "kecamatan": "kecamatan_code",
                                            "kabupaten": "kabupaten_code", "provinsi": "provinsi_code"}
LEVEL_NUMBER: Final[dict[str, int]] = {"provinsi": 1, "kabupaten": 2, "kecamatan": 3, "desa": 4}

# Above this many points a view shows aggregates instead of single posyandu: with their tooltips 20,000 points
# measured 7.2 MB of JSON, 10,000 stay near 3.6 MB, under the 5 MB a view may send (docs/benchmarks.md).
POINT_LIMIT: Final[int] = 10_000


def scored_points(table: pl.DataFrame, points: pl.DataFrame) -> pl.DataFrame:
    """The results table joined to posyandu coordinates; posyandu without coordinates are left out."""
    extra = [c for c in points.columns if c not in table.columns or c in ("lat", "lon")]
    coords = points.select("posyandu_id", *[c for c in extra if c != "posyandu_id"])
    table = table.drop([c for c in ("lat", "lon") if c in table.columns])
    joined = table.join(coords, on="posyandu_id", how="inner")
    joined = joined.filter(pl.col("lat").is_not_null() & pl.col("lon").is_not_null())
    if "provinsi_code" not in joined.columns and "desa_code" in joined.columns:
        joined = joined.with_columns(pl.col("desa_code").str.slice(0, 2).alias("provinsi_code"))
    return joined


def region_scores(table: pl.DataFrame, level: str, measure: str = "total") -> pl.DataFrame:
    """code, mean, n: the average of `measure` per region of `level` over the entrants that have it."""
    column = LEVEL_CODE_COLUMN[level]
    if column not in table.columns and "desa_code" in table.columns:
        width = {"provinsi": 2, "kabupaten": 5, "kecamatan": 8, "desa": 13}[level]
        table = table.with_columns(pl.col("desa_code").str.slice(0, width).alias(column))
    return (table.filter(pl.col(measure).is_not_null())
            .group_by(column).agg(pl.col(measure).mean().alias("mean"), pl.len().alias("n"))
            .rename({column: "code"}).sort("code"))


def hex_scores(points: pl.DataFrame, measure: str = "total", resolution: int = 6) -> pl.DataFrame:
    """hex, mean, n: the average of `measure` per H3 cell (resolution 6 ≈ 36 km², 5 ≈ 250 km², 4 ≈ 1,770 km² per hexagon)."""
    lats = points["lat"].to_list()
    lons = points["lon"].to_list()
    cells = [h3.latlng_to_cell(la, lo, resolution) for la, lo in zip(lats, lons, strict=True)]
    return (points.select(measure).with_columns(pl.Series("hex", cells))
            .filter(pl.col(measure).is_not_null())
            .group_by("hex").agg(pl.col(measure).mean().alias("mean"), pl.len().alias("n")).sort("hex"))


def hex_resolution(n_points: int) -> int:
    """Coarser hexagons for more points, so a national view stays at a few thousand cells."""
    if n_points > 100_000:
        return 4
    if n_points > 10_000:
        return 5
    return 6


def size_scale(values: pl.Series, low: float = 3.0, high: float = 10.0) -> pl.Series:
    """Point radii in pixels from a measure: min → low, max → high (all equal → the middle)."""
    v = values.cast(pl.Float64).fill_null(values.cast(pl.Float64).min())
    lo, hi = v.min(), v.max()
    if not isinstance(lo, float) or not isinstance(hi, float) or hi == lo:   # all null, or all equal
        return pl.Series(values.name, [(low + high) / 2] * len(values))
    return low + (v - lo) / (hi - lo) * (high - low)
