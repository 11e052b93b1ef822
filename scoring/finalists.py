"""Who goes on from the desk stage: the finalist cut, with ties at the cut kept in.

Two rules, both on the stage total as printed (rounded to `decimals`, half away from zero, the same rounding
the ranks use, so a printed tie is never split):
  top_n      the N best, plus every entrant tied with the N-th (N = 5 with places 5, 5, 5 keeps all three);
  min_score  every entrant whose total reaches the minimum (total >= value).
An entrant without a total (nothing scored) is never a finalist.
"""

from __future__ import annotations

import polars as pl

from scoring.rank import round_declared

CUT_RULES: tuple[str, ...] = ("top_n", "min_score")


def finalist_cut(table: pl.DataFrame, rule: str, value: float, score_col: str = "total",
                 decimals: int = 2) -> pl.DataFrame:
    """`table` with a boolean `finalist` column (and `cut_place`: the standard competition place on the
    rounded total) under `rule` ("top_n" with N = value, or "min_score" with the minimum total = value)."""
    if rule not in CUT_RULES:
        raise ValueError(f"rule must be one of {CUT_RULES}, not {rule!r}")
    if rule == "top_n" and (value < 0 or value != int(value)):
        raise ValueError(f"top_n needs a whole number >= 0, not {value!r}")
    score = round_declared(pl.col(score_col).cast(pl.Float64), decimals)
    place = pl.when(score.is_not_null()).then(score.rank(method="min", descending=True)).cast(pl.Int32)
    out = table.with_columns(place.alias("cut_place"))
    if rule == "top_n":
        keep = pl.col("cut_place") <= int(value)
    else:
        keep = score >= round_declared(pl.lit(float(value)), decimals)
    return out.with_columns(keep.fill_null(False).alias("finalist"))
