"""Strata (Pratama, Madya, Purnama, Mandiri) from the share of the maximum.

Default rule (Jawa Tengah's checklist): Pratama ≤ 60 %, Madya > 60–70 %, Purnama > 70–80 %, Mandiri > 80 %.
A boundary value belongs to the lower stratum (exactly 60.0 is pratama, 60.01 is madya). Apply it to totals
already rounded to the printed precision, so the stratum matches the berita acara.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import overload

import polars as pl

from scoring.fields import STRATA

DEFAULT_THRESHOLDS: tuple[float, float, float] = (60.0, 70.0, 80.0)


@overload
def strata_of(pct: pl.Expr, thresholds: Sequence[float] = ..., *, col: str = ..., out: str = ...) -> pl.Expr: ...
@overload
def strata_of(pct: pl.DataFrame, thresholds: Sequence[float] = ..., *, col: str = ...,
              out: str = ...) -> pl.DataFrame: ...
@overload
def strata_of(pct: pl.LazyFrame, thresholds: Sequence[float] = ..., *, col: str = ...,
              out: str = ...) -> pl.LazyFrame: ...


def strata_of(pct: pl.Expr | pl.DataFrame | pl.LazyFrame, thresholds: Sequence[float] = DEFAULT_THRESHOLDS,
              *, col: str = "total", out: str = "strata") -> pl.Expr | pl.DataFrame | pl.LazyFrame:
    """Stratum of a percent: an expression for an expression, or a frame with column `out` added from `col`."""
    if isinstance(pct, pl.DataFrame | pl.LazyFrame):
        return pct.with_columns(strata_of(pl.col(col), thresholds).alias(out))
    lo, mid, hi = thresholds
    return (pl.when(pct.is_null() | pct.is_nan()).then(pl.lit(None, pl.String))
            .when(pct <= lo).then(pl.lit(STRATA[0]))
            .when(pct <= mid).then(pl.lit(STRATA[1]))
            .when(pct <= hi).then(pl.lit(STRATA[2]))
            .otherwise(pl.lit(STRATA[3])))
