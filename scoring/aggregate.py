"""Points → criterion scores → section (field) scores → stage totals → stages combined, plus completeness.

The rule throughout: a missing score is left out and reported, never counted as zero. A section score is the
weighted share of the maximum over the criteria that HAVE a score; a stage total renormalises the section
weights over the sections that have a score; stages are combined over the stages an entrant was scored in.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

import polars as pl

from scoring.points import lazy, like, no_case_rows

Frame = TypeVar("Frame", pl.DataFrame, pl.LazyFrame)

CRITERION_KEYS: tuple[str, ...] = ("entrant_id", "stage", "criterion_id")
SECTION_KEYS: tuple[str, ...] = ("entrant_id", "stage", "section_id")


def combine_judges(method: str = "mean", trim: float = 0.2, col: str = "points") -> pl.Expr:
    """The aggregation of several judges' points for one criterion, as a group_by expression.

    mean: the classic rekapitulasi; median: robust to one outlying judge (average of the middle two when even);
    trimmed_mean: drops floor(trim·n) points from each end (with 3 judges and trim 0.2 nothing is dropped).
    """
    x = pl.col(col)
    if method == "mean":
        return x.mean()
    if method == "median":
        return x.median()
    if method == "trimmed_mean":
        k = (x.count() * trim).floor().cast(pl.Int64)
        return x.drop_nulls().sort().slice(k, x.count() - 2 * k).mean()
    raise ValueError(f"unknown aggregation {method!r}; use mean, median or trimmed_mean")


def criterion_scores(points: Frame, method: str = "mean", trim: float = 0.2) -> Frame:
    """Combine the judges' points per entrant × stage × criterion; rows without points are left out.

    Returns entrant_id, stage, criterion_id, section_id, spm_field, weight, points, max_points, n_judges.
    """
    out = (
        lazy(points)
        .filter(pl.col("points").is_not_null())
        .group_by(list(CRITERION_KEYS))
        .agg(
            pl.col("section_id").first(), pl.col("spm_field").first(), pl.col("weight").first(),
            combine_judges(method, trim).alias("points"), pl.col("max_points").first(),
            pl.len().cast(pl.Int32).alias("n_judges"),
        )
    )
    return like(out, points)  # type: ignore[return-value]


def section_scores(criterion_scores: Frame, criteria: pl.DataFrame | pl.LazyFrame,
                   sections: pl.DataFrame | pl.LazyFrame | None = None) -> Frame:
    """Score per entrant × stage × section as a percent of the maximum over the criteria that have a score.

    score_pct = 100 · Σ weight·points / Σ weight·max_points; n_scored of n_criteria says how much of the
    section it rests on. spm_field comes from `sections` when given, else from the section's criteria.
    Returns entrant_id, stage, section_id, spm_field, score_pct, n_scored, n_criteria.
    """
    per_section = lazy(criteria).group_by("section_id").agg(
        pl.len().cast(pl.Int32).alias("n_criteria"), pl.col("spm_field").drop_nulls().first().alias("_crit_field"))
    if sections is not None:
        per_section = per_section.join(lazy(sections).select("section_id", pl.col("spm_field").alias("_sec_field")),
                                       on="section_id", how="left").with_columns(
            _crit_field=pl.coalesce("_sec_field", "_crit_field")).drop("_sec_field")
    num = (pl.col("weight") * pl.col("points")).sum()
    den = (pl.col("weight") * pl.col("max_points")).sum()
    out = (
        lazy(criterion_scores)
        .group_by(list(SECTION_KEYS))
        .agg(pl.when(den > 0).then(100.0 * num / den).alias("score_pct"),
             pl.len().cast(pl.Int32).alias("n_scored"))
        .join(per_section, on="section_id", how="left")
        .select(*SECTION_KEYS[:2], "section_id", pl.col("_crit_field").alias("spm_field"), "score_pct",
                "n_scored", pl.col("n_criteria").fill_null(0))
    )
    return like(out, criterion_scores)  # type: ignore[return-value]


def stage_totals(section_scores: Frame, sections: pl.DataFrame | pl.LazyFrame) -> Frame:
    """Nilai akhir per entrant × stage: Σ section weight × score_pct / Σ weights of the sections scored.

    A section with no score at all is left out and the weights renormalised over the others (never counted as
    zero); `n_sections` of `n_sections_total` and `weight_covered` (percent of the instrument's section weight
    behind the total) report it. Returns entrant_id, stage, total, n_sections, n_sections_total, weight_covered.
    """
    sec = lazy(sections).select("section_id", pl.col("weight").alias("_w"))
    n_total, w_total = (lazy(sections).select(pl.len(), pl.col("weight").sum()).collect().row(0))
    scored = pl.col("score_pct").is_not_null()
    out = (
        lazy(section_scores)
        .join(sec, on="section_id", how="inner")
        .filter(scored)
        .group_by(["entrant_id", "stage"])
        .agg(
            ((pl.col("_w") * pl.col("score_pct")).sum() / pl.col("_w").sum()).alias("total"),
            pl.len().cast(pl.Int32).alias("n_sections"),
            (100.0 * pl.col("_w").sum() / (w_total or 1.0)).alias("weight_covered"),
        )
        .with_columns(pl.lit(n_total, pl.Int32).alias("n_sections_total"),
                      pl.when(pl.col("total").is_finite()).then(pl.col("total")).alias("total"))
        .select("entrant_id", "stage", "total", "n_sections", "n_sections_total", "weight_covered")
    )
    return like(out, section_scores)  # type: ignore[return-value]


def combined(stage_frame: Frame, stages: pl.DataFrame | pl.LazyFrame, value_cols: Sequence[str],
             keys: Sequence[str] | None = None) -> Frame:
    """Combine values over stages with the competition's stage weights, renormalised over stages present.

    For each value column separately: Σ w_stage · value / Σ w_stage over the stages where the value is not null.
    Stages not listed in `stages` are left out; when `stages` is empty every stage weighs the same.
    `keys` defaults to every column except `stage` and the value columns.
    """
    lf = lazy(stage_frame)
    names = lf.collect_schema().names()
    if keys is None:
        keys = [c for c in names if c != "stage" and c not in value_cols]
    st = lazy(stages).select("stage", pl.col("weight").alias("_sw"))
    if st.select(pl.len()).collect().item() == 0:
        lf = lf.with_columns(_sw=pl.lit(1.0))
    else:
        lf = lf.join(st, on="stage", how="inner")
    aggs = []
    for c in value_cols:
        present = pl.col(c).is_not_null()
        w = pl.col("_sw").filter(present).sum()
        aggs.append(pl.when(w > 0).then((pl.col("_sw") * pl.col(c)).sum() / w).alias(c))
    out = lf.group_by(list(keys)).agg(aggs)
    return like(out, stage_frame)  # type: ignore[return-value]


def completeness(scores: Frame, assignments: pl.DataFrame | pl.LazyFrame,
                 criteria: pl.DataFrame | pl.LazyFrame) -> Frame:
    """Expected vs entered scores per entrant × stage × judge × section.

    Expected: every criterion of the section, for every judge assigned to the entrant in that stage (and for
    every judge who entered anything for it, assigned or not). Entered: rows with an option or a real value
    for a known criterion (whether the option is valid is `to_points`' `problem`).
    Returns entrant_id, stage, judge_id, section_id, expected, entered, pct.
    """
    crit = lazy(criteria).select("criterion_id", "section_id")
    per_section = crit.group_by("section_id").agg(pl.len().cast(pl.Int32).alias("expected"))
    keys: list[str] = ["entrant_id", "stage", "judge_id"]
    sc = lazy(scores)
    seen = sc.select(keys).unique()
    teams = pl.concat([lazy(assignments).select(keys), seen], how="vertical").unique()
    expected = teams.join(per_section, how="cross")
    has_value = pl.col("option_code").is_not_null() | pl.col("real_value").is_not_null()
    entered = (
        sc.filter(has_value)
        .join(crit, on="criterion_id", how="inner")
        .group_by([*keys, "section_id"])
        .agg(pl.len().cast(pl.Int32).alias("entered"))
    )
    out = (
        expected.join(entered, on=[*keys, "section_id"], how="left")
        .with_columns(pl.min_horizontal(pl.col("entered").fill_null(0), pl.col("expected")).alias("entered"))
        .with_columns(pl.when(pl.col("expected") > 0)
                      .then(100.0 * pl.col("entered") / pl.col("expected")).alias("pct"))
        .select(*keys, "section_id", "expected", "entered", "pct")
    )
    return like(out, scores)  # type: ignore[return-value]


def completeness_rollup(completeness: Frame, by: Sequence[str] = ("entrant_id",)) -> Frame:
    """Sum expected and entered over everything not in `by` (default: per entrant over stages, judges, sections).

    Returns *by, expected, entered, pct.
    """
    out = (
        lazy(completeness)
        .group_by(list(by))
        .agg(pl.col("expected").sum().cast(pl.Int64), pl.col("entered").sum().cast(pl.Int64))
        .with_columns(pl.when(pl.col("expected") > 0)
                      .then(100.0 * pl.col("entered") / pl.col("expected")).alias("pct"))
    )
    return like(out, completeness)  # type: ignore[return-value]


def no_case_cells(points: pl.DataFrame | pl.LazyFrame) -> pl.LazyFrame:
    """The allowed "tidak ada kasus" answers per entrant × stage × criterion (`scoring.points.no_case_rows`):
    entrant_id, stage, criterion_id, section_id, spm_field, n_no_case (judges who answered it)."""
    return (no_case_rows(points).group_by(list(CRITERION_KEYS))
            .agg(pl.col("section_id").first(), pl.col("spm_field").first(),
                 pl.len().cast(pl.Int32).alias("n_no_case")))


def no_case_criteria(no_case: pl.LazyFrame, criterion_scores: pl.DataFrame | pl.LazyFrame) -> pl.LazyFrame:
    """The criteria left out of an entrant's denominator as "tidak ada kasus" in a stage: every judge who
    answered said so (a judge's points, where another judge scored it, keep it in: the mean of those points)."""
    return (no_case.join(lazy(criterion_scores).select(list(CRITERION_KEYS)), on=list(CRITERION_KEYS), how="anti")
            .sort(list(CRITERION_KEYS)))


def judge_counts(criterion_scores: Frame, no_case: pl.LazyFrame | None = None) -> Frame:
    """Answers per entrant × stage: entered (Σ judges over criteria) and max_judges (most on one criterion).

    An answer is a score that earned points or an allowed "tidak ada kasus" (`no_case_cells`): the judge
    answered the criterion, though it counts for no points."""
    cells = lazy(criterion_scores).select(*CRITERION_KEYS, pl.col("n_judges").cast(pl.Int64).alias("_n"))
    if no_case is not None:
        cells = pl.concat([cells, no_case.select(*CRITERION_KEYS, pl.col("n_no_case").cast(pl.Int64).alias("_n"))]
                          ).group_by(list(CRITERION_KEYS)).agg(pl.col("_n").sum())
    out = (cells.group_by(["entrant_id", "stage"])
           .agg(pl.col("_n").sum().cast(pl.Int64).alias("entered"),
                pl.col("_n").max().cast(pl.Int64).alias("max_judges")))
    return like(out, criterion_scores)  # type: ignore[return-value]


def entrant_completeness(counts: pl.DataFrame, assignments: pl.DataFrame | pl.LazyFrame,
                         n_criteria: int) -> pl.DataFrame:
    """Share of expected usable scores per entrant, the figure the ranking table shows and tie-breaks use.

    Per entrant × stage the judges expected are the judges assigned, or when more judges scored a criterion,
    that many; expected = judges × criteria of the instrument, entered = scores that earned points and allowed
    "tidak ada kasus" answers (capped at expected). Summed over stages. `counts` comes from `judge_counts`. Returns entrant_id, expected, entered, pct.
    """
    assigned = (lazy(assignments).group_by(["entrant_id", "stage"])
                .agg(pl.col("judge_id").n_unique().cast(pl.Int64).alias("assigned")).collect())
    per_stage = counts.join(assigned, on=["entrant_id", "stage"], how="full", coalesce=True)
    judges = pl.max_horizontal(pl.col("assigned").fill_null(0), pl.col("max_judges").fill_null(0))
    per_stage = per_stage.with_columns((judges * n_criteria).alias("expected")).with_columns(
        pl.min_horizontal(pl.col("entered").fill_null(0), pl.col("expected")).alias("entered"))
    return (per_stage.group_by("entrant_id")
            .agg(pl.col("expected").sum(), pl.col("entered").sum())
            .with_columns(pl.when(pl.col("expected") > 0)
                          .then(100.0 * pl.col("entered") / pl.col("expected")).alias("pct")))
