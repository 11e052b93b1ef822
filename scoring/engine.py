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
    criterion_scores,
    entrant_completeness,
    judge_counts,
    no_case_cells,
    no_case_criteria,
    section_scores,
    stage_totals,
)
from scoring.config import ScoringConfig
from scoring.dense import DenseCounts, dense_frames, dense_scores
from scoring.fields import OTHER_SECTIONS, SPM_FIELDS
from scoring.fix_first import fix_first
from scoring.frames import ENTRANTS_SCHEMA, CodedScores
from scoring.instrument import Instrument, criteria_frame, options_frame, sections_frame, thresholds_frame
from scoring.points import PROBLEM_KEY, ignored_reason, lazy, to_points
from scoring.rank import assign_awards, mark_advancing, rank_entrants, round_declared, tie_break_column
from scoring.strata import strata_of

KNOWN_SECTIONS = frozenset(SPM_FIELDS + OTHER_SECTIONS)

# Change when the same inputs would give different results (cached results and golden files key on it).
ENGINE_VERSION = "3"   # 2: rows naming an unknown entrant, stage or criterion ignored by both paths
# 3: "tidak ada kasus" answers (#18): no problem where allowed, counted as answered in completeness

AnyFrame = pl.DataFrame | pl.LazyFrame


@dataclass(frozen=True)
class CompetitionInputs:
    """Everything the engine reads, as frames of the schemas in `scoring/frames.py` (eager or lazy)."""

    instrument: Instrument
    scores: AnyFrame | CodedScores
    entrants: AnyFrame
    stages: AnyFrame
    assignments: AnyFrame


@dataclass(frozen=True)
class CompetitionResults:
    """The engine's output. Detail frames that can be national-size are lazy: collect (filtered) what you need.

    Eager: sections, stage_totals, fields, table. Lazy: points, criteria, completeness, fix_first.
    `tie_breaks_used` are the configured rules that applied (a stage rule is dropped when scoring one stage,
    a field rule when the instrument has no such field);
    `problems` lists the raw rows both paths ignore (an entrant, stage or criterion the competition does not
    hold, or none: `scoring.points.IGNORED`) and the rows that earned no points (`scoring.points.PROBLEMS`), one
    row per distinct raw row with `key` (the column at fault) and `n_rows`; `scoring.points.problem_counts`
    sums them per problem and value.
    `no_case` (lazy): the criteria left out of an entrant's denominator in a stage because every judge who
    answered it said "tidak ada kasus / tidak berlaku" (entrant_id, stage, criterion_id, section_id, spm_field,
    n_no_case); the same on both paths, and views name them (never a silent gap).
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
    no_case: pl.LazyFrame
    stages: tuple[str, ...] = ()
    tie_breaks_used: tuple[str, ...] = ()
    config: ScoringConfig = field(default_factory=ScoringConfig)
    engine_version: str = ENGINE_VERSION
    # the dense path's counts (None on the general path): what scoring.incremental changes after a save
    dense: DenseCounts | None = field(default=None, compare=False, repr=False)


def field_aliases(sections: pl.DataFrame) -> dict[str, str]:
    """Map "field:<name>" to the section column it compares: by SPM field, or by section id."""
    out: dict[str, str] = {}
    for sid, fld in sections.select("section_id", "spm_field").iter_rows():
        out.setdefault(f"field:{sid}", f"sec_{sid}")
        if fld:
            out.setdefault(f"field:{fld}", f"sec_{sid}")
    return out


PROBLEM_COLUMNS = ("entrant_id", "stage", "judge_id", "criterion_id", "option_code", "problem")


def problem_rows(ignored: pl.LazyFrame, unscored: pl.LazyFrame) -> pl.LazyFrame:
    """The engine's `problems`: one row per distinct raw row that was ignored (IGNORED) or earned no points
    (PROBLEMS), with `key` (the column at fault) and `n_rows` (how many raw rows share it)."""
    keys = list(PROBLEM_COLUMNS)
    both = pl.concat([f.select(pl.col(c).cast(pl.String) for c in keys) for f in (ignored, unscored)])
    return (both.group_by(keys).agg(pl.len().cast(pl.Int64).alias("n_rows"))
            .with_columns(pl.col("problem").replace_strict(PROBLEM_KEY, return_dtype=pl.String).alias("key"))
            .select(*keys, "key", "n_rows")
            .sort(["problem", *keys[:5]], nulls_last=True))


def score_competition(inputs: CompetitionInputs, config: ScoringConfig | None = None,
                      stage: str | None = None, path: str = "auto",
                      counted: DenseCounts | None = None) -> CompetitionResults:
    """Score a competition (or only `stage`, for the sidebar's stage choice) under `config`'s rules.

    `path`: "auto" uses the dense arrays for the mean and the general group-by path otherwise; "dense" and
    "general" force one (tests check that both agree). `counted`: the dense path's counts of these very
    inputs, already made (`scoring.incremental` after a save); the scores are then not counted again.
    """
    if path not in ("auto", "dense", "general"):
        raise ValueError(f"path must be auto, dense or general, got {path!r}")
    config = config or ScoringConfig()
    inst = inputs.instrument
    sections, criteria = sections_frame(inst), criteria_frame(inst)
    options, thresholds = options_frame(inst), thresholds_frame(inst)
    # Stored codes (data.store.score_rows.coded_scores): the dense path counts them as they are; the general
    # path and the lazy detail frames read the same rows with their string keys.
    coded = inputs.scores if isinstance(inputs.scores, CodedScores) else None
    scores = coded.decoded() if coded is not None else lazy(inputs.scores)
    assignments = lazy(inputs.assignments)
    stages = lazy(inputs.stages).collect().sort("ord")
    if stage is not None:
        scores = scores.filter(pl.col("stage") == stage)
        assignments = assignments.filter(pl.col("stage") == stage)
        stages = stages.filter(pl.col("stage") == stage)
        if stages.height == 0:
            stages = pl.DataFrame({"stage": [stage], "ord": [0], "weight": [100.0]},
                                  schema=stages.schema)
    entrants = lazy(inputs.entrants).collect()

    stage_names = stages["stage"].to_list()
    entrant_ids = entrants["entrant_id"].drop_nulls().to_list()
    crit_ids = criteria["criterion_id"].to_list()
    if not stage_names:     # no stages table: every stage the otherwise usable rows name, weighing the same
        named = scores.filter(pl.col("entrant_id").cast(pl.String).is_in(entrant_ids)
                              & pl.col("criterion_id").cast(pl.String).is_in(crit_ids))
        stage_names = sorted(named.select(pl.col("stage").cast(pl.String).unique()).collect()["stage"].drop_nulls())
        stages = pl.DataFrame({"stage": stage_names, "ord": list(range(len(stage_names))),
                               "weight": [1.0] * len(stage_names)}, schema=stages.schema)
    # The one rule for rows that name what the competition does not hold (an unknown or empty entrant, stage or
    # criterion): both paths ignore them and `problems` reports them. The general path and the lazy detail
    # frames read the filtered rows; the dense path drops the same rows in code space (no 54-million-row filter).
    reason = ignored_reason(entrant_ids, stage_names, crit_ids)
    tagged = scores.with_columns(reason.alias("problem"))
    usable = tagged.filter(pl.col("problem").is_null()).drop("problem")
    assignments = assignments.filter(pl.col("entrant_id").is_in(entrant_ids) & pl.col("stage").is_in(stage_names))
    points = to_points(usable, criteria, options, thresholds)
    crit = criterion_scores(points, config.aggregation, config.trim)
    no_case = no_case_cells(points)
    comp_lf = completeness(usable, assignments, criteria)
    use_dense = path == "dense" or (path == "auto" and config.aggregation == "mean")
    dec = config.total_decimals
    section_ids = sections["section_id"].to_list()
    if use_dense:
        d = (dense_frames(counted, criteria, sections, stages) if counted is not None else
             dense_scores(scores, criteria, options, thresholds, sections, stages, entrants["entrant_id"],
                          coded=coded))
        secs, totals, fields, counts = d["sections"], d["stage_totals"], d["fields"], d["counts"]
        wide = d["wide"].with_columns(round_declared(pl.col(c), dec) for c in
                                      ["total", *[f"total_{s}" for s in stage_names]])
    else:
        secs_lf = section_scores(crit, criteria, sections)
        secs, counts = pl.collect_all([secs_lf, judge_counts(crit, no_case)])
        totals = stage_totals(secs, sections)
        fields = combined(secs.select("entrant_id", "stage", "section_id", "spm_field", "score_pct"), stages,
                          ["score_pct"], keys=["entrant_id", "section_id", "spm_field"])
        overall = combined(totals.select("entrant_id", "stage", "total"), stages, ["total"], keys=["entrant_id"])
        wide = overall.with_columns(round_declared(pl.col("total"), dec).alias("total"))
        if stage_names:
            per_stage = totals.group_by("entrant_id").agg(
                [round_declared(pl.col("total").filter(pl.col("stage") == s).first(), dec).alias(f"total_{s}")
                 for s in stage_names])
            wide = wide.join(per_stage, on="entrant_id", how="left")
        if section_ids:
            per_sec = fields.group_by("entrant_id").agg(
                [pl.col("score_pct").filter(pl.col("section_id") == s).first().alias(f"sec_{s}")
                 for s in section_ids])
            wide = wide.join(per_sec, on="entrant_id", how="left")
        secs = secs.sort(["entrant_id", "stage", "section_id"])
        totals = totals.sort(["entrant_id", "stage"])
        fields = fields.sort(["entrant_id", "section_id"])
    # completeness joins the entrants, not the totals: an assigned entrant nobody has scored yet is at 0 %
    comp_entrant = entrant_completeness(counts, assignments, criteria.height)

    base = entrants.select(list(ENTRANTS_SCHEMA) + [c for c in entrants.columns if c not in ENTRANTS_SCHEMA])
    table = base.join(wide, on="entrant_id", how="left").join(
        comp_entrant.select("entrant_id", pl.col("pct").alias("completeness_pct")), on="entrant_id", how="left")
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
            if rule.removeprefix("field:") in KNOWN_SECTIONS:
                continue          # a real field this instrument does not score (e.g. the classic level layout)
            raise
        used.append(rule)
    table = rank_entrants(table, "total", config.group_by, tuple(used), dec, aliases)
    table = assign_awards(table, config.n_awards)
    table = mark_advancing(table, config.advance_count)
    table = strata_of(table, config.strata_thresholds, col="total", out="strata")
    table = table.sort([*config.group_by, "rank_final", "entrant_id"], nulls_last=True)

    problems = problem_rows(tagged.filter(pl.col("problem").is_not_null()),
                            points.filter(pl.col("problem").is_not_null()))

    return CompetitionResults(
        points=points, criteria=crit, sections=secs, stage_totals=totals, fields=fields, completeness=comp_lf,
        table=table, fix_first=fix_first(crit, sections, criteria, stages).lazy(), problems=problems,
        no_case=no_case_criteria(no_case, crit),
        stages=tuple(stage_names), tie_breaks_used=tuple(used), config=config,
        dense=d["dense"] if use_dense else None)


# ---------------------------------------------------------------------------------------------------------------
# Dense path for the default mean: national scale (54 million rows) without hashing every row.
#
# With "mean", everything up to the nilai akhir only needs, per entrant × stage × criterion, the sum and the count
# of the judges' points. Each key column becomes a small integer code: Enum/Categorical columns give theirs for
# free (one gather maps them to instrument positions); a String column is encoded once per run of equal values
# (scores arrive grouped by entrant) or by one cast. One bincount over (entrant, stage, criterion, option) counts
# the choices; the points of an option are applied to those counts afterwards, so no per-row points are built.
# Sections, stage totals and stages combined are then small matrix operations over entrants, and only the
# per-entrant frames are built in Polars, already in output order. Same rules and results as the general path
# (a property test checks it).
