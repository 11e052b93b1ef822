"""How much judges agree: Krippendorff's ordinal alpha, ICC(1) for unbalanced panels, and pairwise agreement.

The unit of agreement is one entrant × stage × criterion: the judges who scored that unit are its raters.
Contests rarely have every judge score every entrant (a team of three visits each posyandu), so every
statistic here accepts a varying number of raters per unit; units with fewer than two ratings carry no
information about agreement and are left out.
"""

from __future__ import annotations

import math
from typing import cast

import krippendorff
import numpy as np
import polars as pl

UNIT = ("entrant_id", "stage", "criterion_id")


def _rated(points_frame: pl.DataFrame, value: str) -> pl.DataFrame:
    """Rows with a value, in units that have at least two ratings."""
    df = points_frame.drop_nulls(value)
    return df.filter(pl.len().over(list(UNIT)) >= 2)


def krippendorff_ordinal(points_frame: pl.DataFrame, value: str = "points") -> float:
    """Krippendorff's alpha with the ordinal metric over entrant × stage × criterion units.

    Built from per-unit value counts (units × option values), which the `krippendorff` package accepts
    directly, so memory grows with units, not units × judges. NaN when there is nothing to compare or when
    every rating has the same value (alpha is undefined without variation).
    """
    df = _rated(points_frame, value)
    if df.is_empty():
        return math.nan
    domain = np.sort(df[value].unique().to_numpy())
    if domain.size < 2:
        return math.nan
    unit_code = df.select(pl.struct(list(UNIT)).rank("dense").cast(pl.Int64) - 1).to_series().to_numpy()
    value_code = np.searchsorted(domain, df[value].to_numpy())
    counts = np.zeros((int(unit_code.max()) + 1, domain.size))
    np.add.at(counts, (unit_code, value_code), 1.0)
    return float(krippendorff.alpha(value_counts=counts, value_domain=domain, level_of_measurement="ordinal"))


def icc_oneway(points_frame: pl.DataFrame, value: str = "points") -> dict[str, float]:
    """ICC(1) and ICC(1,k) from a one-way random-effects ANOVA with unequal group sizes.

    Why ICC(1): judges differ from unit to unit (each posyandu gets its own team), so a judge facet cannot be
    separated from error as ICC(2,·) or ICC(3,·) require; the one-way model treats whoever judged a unit as a
    random draw, which is exactly the contest's design. Unequal numbers of judges use the usual k0
    correction, k0 = (N − Σ kᵢ² / N) / (n − 1). ICC(1) is the reliability of one judge's choice; ICC(1,k)
    = (MSB − MSW) / MSB is that of the mean over a unit's judges (what the score sheet uses).
    """
    df = _rated(points_frame, value)
    out = {"icc1": math.nan, "icc1k": math.nan, "k0": math.nan}
    if df.is_empty():
        return out
    units = df.group_by(list(UNIT)).agg(
        pl.len().alias("k"), pl.col(value).mean().alias("m"), pl.col(value).var(ddof=0).alias("v"))
    n_units = units.height
    k = units["k"].to_numpy().astype(float)
    big_n = k.sum()
    if n_units < 2 or big_n <= n_units:
        return out
    grand = float(cast(float, df[value].mean()))
    ssb = float((k * (units["m"].to_numpy() - grand) ** 2).sum())
    ssw = float((k * units["v"].to_numpy()).sum())
    msb = ssb / (n_units - 1)
    msw = ssw / (big_n - n_units)
    k0 = (big_n - (k ** 2).sum() / big_n) / (n_units - 1)
    denom = msb + (k0 - 1.0) * msw
    out["icc1"] = (msb - msw) / denom if denom > 0 else math.nan
    out["icc1k"] = (msb - msw) / msb if msb > 0 else math.nan
    out["k0"] = k0
    return out


def agreement_summary(points_frame: pl.DataFrame, by: str | None = None, value: str = "points") -> pl.DataFrame:
    """One row per group (the whole frame when `by` is None, else per value of e.g. `section_id` or
    `spm_field`): alpha_ordinal, icc1, icc1k, n_units (with ≥ 2 ratings), n_ratings and n_judges."""
    groups = ([(None, points_frame)] if by is None
              else [(key[0], g) for key, g in points_frame.group_by(by, maintain_order=True)])
    rows = []
    for key, g in groups:
        rated = _rated(g, value)
        icc = icc_oneway(g, value)
        rows.append({
            "group": key if key is not None else "all",
            "alpha_ordinal": krippendorff_ordinal(g, value),
            "icc1": icc["icc1"],
            "icc1k": icc["icc1k"],
            "n_units": rated.select(pl.struct(list(UNIT)).n_unique()).item() if rated.height else 0,
            "n_ratings": rated.height,
            "n_judges": rated["judge_id"].n_unique(),
        })
    schema = {"group": pl.String, "alpha_ordinal": pl.Float64, "icc1": pl.Float64, "icc1k": pl.Float64,
              "n_units": pl.Int64, "n_ratings": pl.Int64, "n_judges": pl.Int64}
    return pl.DataFrame(rows, schema=schema).sort("group")


def pairwise_agreement(points_frame: pl.DataFrame, value: str = "points") -> pl.DataFrame:
    """Per judge pair sharing units: n_units, exact (same points) and adjacent (within one point) shares,
    and mean_diff (judge_a − judge_b, points). judge_a < judge_b alphabetically; most shared units first."""
    df = points_frame.drop_nulls(value).select(*UNIT, "judge_id", pl.col(value).cast(pl.Float64).alias("v"))
    pairs = df.join(df, on=list(UNIT), suffix="_b").filter(pl.col("judge_id") < pl.col("judge_id_b"))
    diff = pl.col("v") - pl.col("v_b")
    return (
        pairs.group_by(pl.col("judge_id").alias("judge_a"), pl.col("judge_id_b").alias("judge_b"))
        .agg(
            pl.len().alias("n_units"),
            (diff == 0).mean().alias("exact"),
            (diff.abs() <= 1).mean().alias("adjacent"),
            diff.mean().alias("mean_diff"),
        )
        .sort(["n_units", "judge_a", "judge_b"], descending=[True, False, False])
    )
