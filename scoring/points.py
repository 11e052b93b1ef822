"""Judges' raw choices → points, through the instrument's options and nilai-riil thresholds.

A row whose choice the instrument does not know, whose criterion is unknown or which has no value keeps
`points = null` and says why in `problem`; it is reported, never counted as zero.
"""

from __future__ import annotations

from typing import TypeVar

import polars as pl

from scoring.frames import CodedScores
from scoring.instrument import NO_CASE

Frame = TypeVar("Frame", pl.DataFrame, pl.LazyFrame)

# Values of the `problem` column (null when the row earned points, or is an allowed "tidak ada kasus": `no_case`).
PROBLEMS: tuple[str, ...] = ("unknown_criterion", "unknown_option", "option_without_points", "no_value",
                             "no_case_not_allowed")

# Why the engine ignores a raw row before scoring: it names an entrant, stage or criterion the competition does
# not hold (or none). Both engine paths ignore exactly these rows and report them in `problems`; the store's
# writers refuse them (data/judging/forms.py, data/exchange/imports/scores.py, data/exchange/kobo_import.py).
IGNORED: tuple[str, ...] = ("no_entrant", "unknown_entrant", "no_stage", "unknown_stage", "no_criterion",
                            "unknown_criterion")

# The column each problem is about.
PROBLEM_KEY: dict[str, str] = {
    "no_entrant": "entrant_id", "unknown_entrant": "entrant_id", "no_stage": "stage", "unknown_stage": "stage",
    "no_criterion": "criterion_id", "unknown_criterion": "criterion_id", "unknown_option": "option_code",
    "option_without_points": "option_code", "no_value": "option_code", "no_case_not_allowed": "option_code",
}


def is_no_case_row() -> pl.Expr:
    """A row answered "tidak ada kasus / tidak berlaku" (scoring.instrument.NO_CASE), allowed or not."""
    return pl.col("option_code").cast(pl.String) == NO_CASE


def no_case_rows(points: pl.DataFrame | pl.LazyFrame) -> pl.LazyFrame:
    """The rows of `to_points` that are an allowed "tidak ada kasus": they earn nothing, are no problem, and take
    the criterion out of that entrant's denominator for the stage (unless another judge scored it)."""
    return lazy(points).filter(is_no_case_row() & pl.col("problem").is_null())


def ignored_reason(entrant_ids: list[str], stage_names: list[str], criterion_ids: list[str]) -> pl.Expr:
    """Per raw row, the IGNORED reason (the first key at fault: entrant, stage, criterion) or null when usable."""
    def known(col: str, values: list[str]) -> pl.Expr:
        return pl.col(col).cast(pl.String).is_in(pl.Series(values, dtype=pl.String).implode())

    return (pl.when(pl.col("entrant_id").is_null()).then(pl.lit("no_entrant"))
            .when(~known("entrant_id", entrant_ids)).then(pl.lit("unknown_entrant"))
            .when(pl.col("stage").is_null()).then(pl.lit("no_stage"))
            .when(~known("stage", stage_names)).then(pl.lit("unknown_stage"))
            .when(pl.col("criterion_id").is_null()).then(pl.lit("no_criterion"))
            .when(~known("criterion_id", criterion_ids)).then(pl.lit("unknown_criterion"))
            .otherwise(pl.lit(None, pl.String)))


def problem_counts(problems: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """problem, key (the column at fault), value (its value, null when empty) and n_rows, most rows first:
    what a page or a log shows of the engine's `problems`."""
    lf = lazy(problems)
    value = pl.coalesce([pl.when(pl.col("key") == k).then(pl.col(k).cast(pl.String))
                         for k in ("entrant_id", "stage", "criterion_id", "option_code")])
    return (lf.with_columns(value.alias("value")).group_by("problem", "key", "value")
            .agg(pl.col("n_rows").sum()).sort(["n_rows", "problem", "value"], descending=[True, False, False],
                                              nulls_last=True).collect())


def lazy(frame: pl.DataFrame | pl.LazyFrame | CodedScores) -> pl.LazyFrame:
    """The frame as a LazyFrame (no copy); stored codes as their string-keyed rows."""
    if isinstance(frame, CodedScores):
        return frame.decoded()
    return frame.lazy() if isinstance(frame, pl.DataFrame) else frame


def like(result: pl.LazyFrame, template: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame | pl.LazyFrame:
    """Collect `result` when `template` was eager, so a function returns the kind of frame it was given."""
    return result.collect() if isinstance(template, pl.DataFrame) else result


def to_points(scores: Frame, criteria: pl.DataFrame | pl.LazyFrame, options: pl.DataFrame | pl.LazyFrame,
              thresholds: pl.DataFrame | pl.LazyFrame) -> Frame:
    """Add points, max_points, section_id, spm_field, weight and problem to each raw score row.

    Choice criteria earn the points of the chosen option. Nilai-riil criteria earn the points of the highest
    threshold whose min_value <= value; a value below every threshold earns 0 points (it was measured).
    The answer "tidak ada kasus" (NO_CASE) earns no points and is no problem where the criterion allows it
    (`no_case_allowed`; `no_case_rows` picks these rows), else it is the problem "no_case_not_allowed".
    """
    crit_lf = lazy(criteria)
    allowed = (pl.col("no_case_allowed").fill_null(False) if "no_case_allowed" in crit_lf.collect_schema().names()
               else pl.lit(False))
    crit = crit_lf.select(
        "criterion_id", "section_id", "spm_field", "weight", "max_points",
        pl.col("kind").alias("_kind"), pl.lit(True).alias("_known"), allowed.alias("_nc_ok"))
    no_case = is_no_case_row()
    no_case_problem = pl.when(pl.col("_nc_ok")).then(pl.lit(None, pl.String)).otherwise(pl.lit("no_case_not_allowed"))
    opts = lazy(options).select("criterion_id", "option_code", pl.col("points").alias("_opt_points"),
                                pl.lit(True).alias("_opt_known"))
    base = lazy(scores).join(crit, on="criterion_id", how="left")
    choice = base.filter(pl.col("_kind").ne_missing("real")).join(
        opts, on=["criterion_id", "option_code"], how="left")
    choice = choice.with_columns(
        problem=pl.when(pl.col("_known").is_null()).then(pl.lit("unknown_criterion"))
        .when(pl.col("option_code").is_null()).then(pl.lit("no_value"))
        .when(no_case).then(no_case_problem)
        .when(pl.col("_opt_known").is_null()).then(pl.lit("unknown_option"))
        .when(pl.col("_opt_points").is_null()).then(pl.lit("option_without_points")),
    ).with_columns(points=pl.when(pl.col("problem").is_null() & ~no_case.fill_null(False))
                   .then(pl.col("_opt_points")))

    real = base.filter(pl.col("_kind") == "real").sort("real_value", nulls_last=True)
    thr = lazy(thresholds).select(
        "criterion_id", pl.col("min_value").cast(pl.Float64), pl.col("points").alias("_thr_points"),
    ).sort("min_value")
    real = real.join_asof(thr, left_on="real_value", right_on="min_value", by="criterion_id",
                          strategy="backward", check_sortedness=False)
    # nilai riil: an allowed "tidak ada kasus" earns nothing whatever value the row carries; where it is not
    # allowed the code is ignored as any option code of a nilai-riil row (a value still counts)
    allowed_no_case = no_case.fill_null(False) & pl.col("_nc_ok")
    real = real.with_columns(
        problem=pl.when(allowed_no_case).then(pl.lit(None, pl.String))
        .when(pl.col("real_value").is_null() & no_case.fill_null(False)).then(pl.lit("no_case_not_allowed"))
        .when(pl.col("real_value").is_null()).then(pl.lit("no_value")),
    ).with_columns(
        points=pl.when(pl.col("problem").is_null() & ~allowed_no_case)
        .then(pl.col("_thr_points").fill_null(0.0)))

    cols: list[str] = list(lazy(scores).collect_schema().names())
    out_cols = [*cols, "section_id", "spm_field", "weight", "max_points", "points", "problem"]
    typed = [pl.col("points").cast(pl.Float64), pl.col("problem").cast(pl.String)]
    out = pl.concat([choice.select(out_cols).with_columns(typed), real.select(out_cols).with_columns(typed)],
                    how="vertical")
    return like(out, scores)  # type: ignore[return-value]
