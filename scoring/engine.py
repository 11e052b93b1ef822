"""The whole scoring run: raw choices → points → criterion → section → stage totals → nilai akhir → ranks.

`score_competition` is the one call pages, exports and benchmarks make. It is pure (frames in, frames out) and
works on LazyFrames: the 54-million-row national case never materialises per-judge or per-criterion rows unless
a caller collects the lazy detail frames (`points`, `criteria`, `completeness`, `fix_first`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from scoring.aggregate import (
    combined,
    completeness,
    completeness_rollup,
    criterion_scores,
    section_scores,
    stage_totals,
)
from scoring.config import ScoringConfig
from scoring.fix_first import fix_first
from scoring.frames import ENTRANTS_SCHEMA
from scoring.instrument import Instrument, criteria_frame, options_frame, sections_frame, thresholds_frame
from scoring.points import lazy, to_points
from scoring.rank import assign_awards, mark_advancing, rank_entrants, round_declared, tie_break_column
from scoring.strata import strata_of

# Change when the same inputs would give different results (cached results and golden files key on it).
ENGINE_VERSION = "1"

AnyFrame = pl.DataFrame | pl.LazyFrame


@dataclass(frozen=True)
class CompetitionInputs:
    """Everything the engine reads, as frames of the schemas in `scoring/frames.py` (eager or lazy)."""

    instrument: Instrument
    scores: AnyFrame
    entrants: AnyFrame
    stages: AnyFrame
    assignments: AnyFrame


@dataclass(frozen=True)
class CompetitionResults:
    """The engine's output. Detail frames that can be national-size are lazy: collect (filtered) what you need.

    Eager: sections, stage_totals, fields, table. Lazy: points, criteria, completeness, fix_first.
    `tie_breaks_used` are the configured rules that applied (a stage rule is dropped when scoring one stage);
    `problems` lists raw rows that earned no points and scored entrants unknown to ENTRANTS.
    """

    points: pl.LazyFrame
    criteria: pl.LazyFrame
    sections: pl.DataFrame
    stage_totals: pl.DataFrame
    fields: pl.DataFrame
    completeness: pl.LazyFrame
    table: pl.DataFrame
    fix_first: pl.LazyFrame
    problems: pl.LazyFrame
    stages: tuple[str, ...] = ()
    tie_breaks_used: tuple[str, ...] = ()
    config: ScoringConfig = field(default_factory=ScoringConfig)
    engine_version: str = ENGINE_VERSION


def field_aliases(sections: pl.DataFrame) -> dict[str, str]:
    """Map "field:<name>" to the section column it compares: by SPM field, or by section id."""
    out: dict[str, str] = {}
    for sid, fld in sections.select("section_id", "spm_field").iter_rows():
        out.setdefault(f"field:{sid}", f"sec_{sid}")
        if fld:
            out.setdefault(f"field:{fld}", f"sec_{sid}")
    return out


def score_competition(inputs: CompetitionInputs, config: ScoringConfig | None = None,
                      stage: str | None = None) -> CompetitionResults:
    """Score a competition (or only `stage`, for the sidebar's stage choice) under `config`'s rules."""
    config = config or ScoringConfig()
    inst = inputs.instrument
    sections, criteria = sections_frame(inst), criteria_frame(inst)
    options, thresholds = options_frame(inst), thresholds_frame(inst)
    scores, assignments = lazy(inputs.scores), lazy(inputs.assignments)
    stages = lazy(inputs.stages).collect().sort("ord")
    if stage is not None:
        scores = scores.filter(pl.col("stage") == stage)
        assignments = assignments.filter(pl.col("stage") == stage)
        stages = stages.filter(pl.col("stage") == stage)
        if stages.height == 0:
            stages = pl.DataFrame({"stage": [stage], "ord": [0], "weight": [100.0]},
                                  schema=stages.schema)
    entrants = lazy(inputs.entrants).collect()

    points = to_points(scores, criteria, options, thresholds)
    crit = criterion_scores(points, config.aggregation, config.trim)
    secs_lf = section_scores(crit, criteria, sections)
    comp_lf = completeness(scores, assignments, criteria)
    comp_entrant_lf = completeness_rollup(comp_lf, ("entrant_id",))
    secs, comp_entrant = pl.collect_all([secs_lf, comp_entrant_lf])
    secs = secs.sort(["entrant_id", "stage", "section_id"])

    totals = stage_totals(secs, sections).sort(["entrant_id", "stage"])
    fields = combined(secs.select("entrant_id", "stage", "section_id", "spm_field", "score_pct"), stages,
                      ["score_pct"], keys=["entrant_id", "section_id", "spm_field"]).sort(["entrant_id",
                                                                                          "section_id"])
    overall = combined(totals.select("entrant_id", "stage", "total"), stages, ["total"], keys=["entrant_id"])

    stage_names = tuple(stages["stage"].to_list()) if stages.height else tuple(
        sorted(totals["stage"].unique().to_list()))
    dec = config.total_decimals
    wide = overall.with_columns(round_declared(pl.col("total"), dec).alias("total"))
    if stage_names:
        per_stage = totals.group_by("entrant_id").agg(
            [round_declared(pl.col("total").filter(pl.col("stage") == s).first(), dec).alias(f"total_{s}")
             for s in stage_names])
        wide = wide.join(per_stage, on="entrant_id", how="left")
    section_ids = sections["section_id"].to_list()
    if section_ids:
        per_sec = fields.group_by("entrant_id").agg(
            [pl.col("score_pct").filter(pl.col("section_id") == s).first().alias(f"sec_{s}") for s in section_ids])
        wide = wide.join(per_sec, on="entrant_id", how="left")
    wide = wide.join(comp_entrant.select("entrant_id", pl.col("pct").alias("completeness_pct")),
                     on="entrant_id", how="left")

    base = entrants.select(list(ENTRANTS_SCHEMA) + [c for c in entrants.columns if c not in ENTRANTS_SCHEMA])
    table = base.join(wide, on="entrant_id", how="left")
    for s in stage_names:
        if f"total_{s}" not in table.columns:
            table = table.with_columns(pl.lit(None, pl.Float64).alias(f"total_{s}"))
    for s in section_ids:
        if f"sec_{s}" not in table.columns:
            table = table.with_columns(pl.lit(None, pl.Float64).alias(f"sec_{s}"))
    if "completeness_pct" not in table.columns:
        table = table.with_columns(pl.lit(None, pl.Float64).alias("completeness_pct"))

    aliases = field_aliases(sections)
    used = []
    for rule in config.tie_breaks:
        try:
            tie_break_column(rule, table.columns, aliases)
        except ValueError:
            if rule.startswith("stage:") and stage is not None:
                continue          # a single-stage run has no other stage to compare
            raise
        used.append(rule)
    table = rank_entrants(table, "total", config.group_by, tuple(used), dec, aliases)
    table = assign_awards(table, config.n_awards)
    table = mark_advancing(table, config.advance_count)
    table = strata_of(table, config.strata_thresholds, col="total", out="strata")
    table = table.sort([*config.group_by, "rank_final", "entrant_id"], nulls_last=True)

    known = entrants.select("entrant_id").lazy()
    problems = pl.concat([
        points.filter(pl.col("problem").is_not_null())
        .select("entrant_id", "stage", "judge_id", "criterion_id", "problem"),
        scores.select("entrant_id", "stage").unique().join(known, on="entrant_id", how="anti")
        .select("entrant_id", "stage", pl.lit(None, pl.String).alias("judge_id"),
                pl.lit(None, pl.String).alias("criterion_id"), pl.lit("unknown_entrant").alias("problem")),
    ], how="vertical_relaxed")

    return CompetitionResults(
        points=points, criteria=crit, sections=secs, stage_totals=totals, fields=fields, completeness=comp_lf,
        table=table, fix_first=fix_first(crit, sections, criteria, stages).lazy(), problems=problems,
        stages=stage_names, tie_breaks_used=tuple(used), config=config)
