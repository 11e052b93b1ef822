"""When the judges of one entrant disagree too much on a criterion: the send-back rule.

Choice criteria: the options are levels in the instrument's order of points (a = 4 is level 0, b = 3 level 1,
...); a criterion is flagged when two judges' choices are `levels` or more levels apart (levels = 2: a and c
disagree, a and b do not). Nilai riil criteria: flagged when the judges' values differ by more than `real_pct`
per cent of the larger value ((max − min) / max × 100 > real_pct; two zeros agree). Only criteria that at
least two judges answered can be flagged.
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

FLAGS_SCHEMA = pl.Schema({"criterion_id": pl.String(), "kind": pl.String(), "spread": pl.Float64(),
                          "low_judge": pl.String(), "high_judge": pl.String(), "judges": pl.List(pl.String)})


def option_levels(options: pl.DataFrame) -> pl.DataFrame:
    """Level of every option (criterion_id, option_code, points): 0 for the most points, then 1, 2, ...
    (options of equal points share a level)."""
    return options.select(
        "criterion_id", "option_code",
        (pl.col("points").rank(method="dense", descending=True).over("criterion_id") - 1)
        .cast(pl.Int32).alias("level"))


def disagreements(scores: pl.DataFrame, kinds: Mapping[str, str], levels: pl.DataFrame,
                  max_levels: int = 2, real_pct: float = 25.0) -> pl.DataFrame:
    """The criteria on which the judges of ONE entrant in one stage disagree too much.

    `scores`: judge_id, criterion_id, option_code, real_value (one entrant, one stage). `kinds`: criterion →
    choice or real. `levels`: from `option_levels`. Returns FLAGS_SCHEMA rows: the spread (levels, or per
    cent for nilai riil), the judges at both ends and every judge who answered the criterion.
    """
    if max_levels < 1:
        raise ValueError("max_levels must be >= 1")
    if real_pct < 0:
        raise ValueError("real_pct must be >= 0")
    kind = pl.col("criterion_id").replace_strict(dict(kinds), default=None, return_dtype=pl.String)
    work = scores.select("judge_id", "criterion_id", "option_code", "real_value").with_columns(kind.alias("kind"))
    choice = (work.filter((pl.col("kind") == "choice") & pl.col("option_code").is_not_null())
              .join(levels, on=["criterion_id", "option_code"], how="inner")
              .with_columns(pl.col("level").cast(pl.Float64).alias("v")))
    real = (work.filter((pl.col("kind") == "real") & pl.col("real_value").is_not_null())
            .with_columns(pl.col("real_value").cast(pl.Float64).alias("v")))
    parts = []
    for frame, name in ((choice, "choice"), (real, "real")):
        if frame.height == 0:
            continue
        g = frame.sort("judge_id").group_by("criterion_id").agg(
            pl.col("v").min().alias("lo"), pl.col("v").max().alias("hi"),
            pl.col("judge_id").sort_by("v").first().alias("a"), pl.col("judge_id").sort_by("v").last().alias("b"),
            pl.col("judge_id").alias("judges"), pl.len().alias("n"))
        g = g.filter(pl.col("n") >= 2)
        if name == "choice":
            # Level 0 is the best option: the judge with the lowest level chose highest.
            g = g.with_columns((pl.col("hi") - pl.col("lo")).alias("spread"),
                               pl.col("b").alias("low_judge"), pl.col("a").alias("high_judge"))
            g = g.filter(pl.col("spread") >= max_levels)
        else:
            pct = pl.when(pl.col("hi") > 0).then((pl.col("hi") - pl.col("lo")) / pl.col("hi") * 100).otherwise(0.0)
            g = g.with_columns(pct.alias("spread"), pl.col("a").alias("low_judge"), pl.col("b").alias("high_judge"))
            g = g.filter(pl.col("spread") > real_pct + 1e-9)
        parts.append(g.select(pl.col("criterion_id"), pl.lit(name).alias("kind"), "spread", "low_judge",
                              "high_judge", pl.col("judges").list.sort()))
    if not parts:
        return pl.DataFrame(schema=FLAGS_SCHEMA)
    return pl.concat(parts).cast(FLAGS_SCHEMA).sort("criterion_id")
