"""Judges' raw choices → points, through the instrument's options and nilai-riil thresholds.

A row whose choice the instrument does not know, whose criterion is unknown or which has no value keeps
`points = null` and says why in `problem`; it is reported, never counted as zero.
"""

from __future__ import annotations

from typing import TypeVar

import polars as pl

Frame = TypeVar("Frame", pl.DataFrame, pl.LazyFrame)

# Values of the `problem` column (null when the row earned points).
PROBLEMS: tuple[str, ...] = ("unknown_criterion", "unknown_option", "option_without_points", "no_value")


def lazy(frame: pl.DataFrame | pl.LazyFrame) -> pl.LazyFrame:
    """The frame as a LazyFrame (no copy)."""
    return frame.lazy() if isinstance(frame, pl.DataFrame) else frame


def like(result: pl.LazyFrame, template: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame | pl.LazyFrame:
    """Collect `result` when `template` was eager, so a function returns the kind of frame it was given."""
    return result.collect() if isinstance(template, pl.DataFrame) else result


def to_points(scores: Frame, criteria: pl.DataFrame | pl.LazyFrame, options: pl.DataFrame | pl.LazyFrame,
              thresholds: pl.DataFrame | pl.LazyFrame) -> Frame:
    """Add points, max_points, section_id, spm_field, weight and problem to each raw score row.

    Choice criteria earn the points of the chosen option. Nilai-riil criteria earn the points of the highest
    threshold whose min_value <= value; a value below every threshold earns 0 points (it was measured).
    """
    crit = lazy(criteria).select(
        "criterion_id", "section_id", "spm_field", "weight", "max_points",
        pl.col("kind").alias("_kind"), pl.lit(True).alias("_known"))
    opts = lazy(options).select("criterion_id", "option_code", pl.col("points").alias("_opt_points"),
                                pl.lit(True).alias("_opt_known"))
    base = lazy(scores).join(crit, on="criterion_id", how="left")
    choice = base.filter(pl.col("_kind").ne_missing("real")).join(
        opts, on=["criterion_id", "option_code"], how="left")
    choice = choice.with_columns(
        problem=pl.when(pl.col("_known").is_null()).then(pl.lit("unknown_criterion"))
        .when(pl.col("option_code").is_null()).then(pl.lit("no_value"))
        .when(pl.col("_opt_known").is_null()).then(pl.lit("unknown_option"))
        .when(pl.col("_opt_points").is_null()).then(pl.lit("option_without_points")),
    ).with_columns(points=pl.when(pl.col("problem").is_null()).then(pl.col("_opt_points")))

    real = base.filter(pl.col("_kind") == "real").sort("real_value", nulls_last=True)
    thr = lazy(thresholds).select(
        "criterion_id", pl.col("min_value").cast(pl.Float64), pl.col("points").alias("_thr_points"),
    ).sort("min_value")
    real = real.join_asof(thr, left_on="real_value", right_on="min_value", by="criterion_id",
                          strategy="backward", check_sortedness=False)
    real = real.with_columns(
        problem=pl.when(pl.col("real_value").is_null()).then(pl.lit("no_value")),
    ).with_columns(
        points=pl.when(pl.col("problem").is_null()).then(pl.col("_thr_points").fill_null(0.0)))

    cols = list(lazy(scores).collect_schema().names())
    out_cols = [*cols, "section_id", "spm_field", "weight", "max_points", "points", "problem"]
    typed = [pl.col("points").cast(pl.Float64), pl.col("problem").cast(pl.String)]
    out = pl.concat([choice.select(out_cols).with_columns(typed), real.select(out_cols).with_columns(typed)],
                    how="vertical")
    return like(out, scores)  # type: ignore[return-value]
