"""The whole scoring run: raw choices → points → criterion → section → stage totals → nilai akhir → ranks.

`score_competition` is the one call pages, exports and benchmarks make. It is pure (frames in, frames out) and
works on LazyFrames: the 54-million-row national case never materialises per-judge or per-criterion rows unless
a caller collects the lazy detail frames (`points`, `criteria`, `completeness`, `fix_first`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl

from scoring.aggregate import (
    combined,
    completeness,
    criterion_scores,
    entrant_completeness,
    judge_counts,
    section_scores,
    stage_totals,
)
from scoring.config import ScoringConfig
from scoring.fields import OTHER_SECTIONS, SPM_FIELDS
from scoring.fix_first import fix_first
from scoring.frames import ENTRANTS_SCHEMA
from scoring.instrument import Instrument, criteria_frame, options_frame, sections_frame, thresholds_frame
from scoring.points import lazy, to_points
from scoring.rank import assign_awards, mark_advancing, rank_entrants, round_declared, tie_break_column
from scoring.strata import strata_of

KNOWN_SECTIONS = frozenset(SPM_FIELDS + OTHER_SECTIONS)

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
    `tie_breaks_used` are the configured rules that applied (a stage rule is dropped when scoring one stage,
    a field rule when the instrument has no such field);
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
                      stage: str | None = None, path: str = "auto") -> CompetitionResults:
    """Score a competition (or only `stage`, for the sidebar's stage choice) under `config`'s rules.

    `path`: "auto" uses the dense arrays for the mean and the general group-by path otherwise; "dense" and
    "general" force one (tests check that both agree).
    """
    if path not in ("auto", "dense", "general"):
        raise ValueError(f"path must be auto, dense or general, got {path!r}")
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

    stage_names = stages["stage"].to_list()
    if not stage_names:
        stage_names = sorted(scores.select(pl.col("stage").cast(pl.String).unique()).collect()["stage"].drop_nulls())
        stages = pl.DataFrame({"stage": stage_names, "ord": list(range(len(stage_names))),
                               "weight": [1.0] * len(stage_names)}, schema=stages.schema)
    points = to_points(scores, criteria, options, thresholds)
    crit = criterion_scores(points, config.aggregation, config.trim)
    comp_lf = completeness(scores, assignments, criteria)
    use_dense = path == "dense" or (path == "auto" and config.aggregation == "mean")
    labels: pl.Series | None = None
    if use_dense:
        secs, counts, e_labels = _dense_sections(scores, criteria, options, thresholds, sections, stage_names)
        labels = pl.Series(e_labels, dtype=pl.String)
    else:
        secs_lf = section_scores(crit, criteria, sections)
        secs, counts = pl.collect_all([secs_lf, judge_counts(crit)])

    totals = stage_totals(secs, sections)
    fields = combined(secs.select("entrant_id", "stage", "section_id", "spm_field", "score_pct"), stages,
                      ["score_pct"], keys=["entrant_id", "section_id", "spm_field"])
    overall = combined(totals.select("entrant_id", "stage", "total"), stages, ["total"], keys=["entrant_id"])

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
    if labels is not None:
        secs, totals, fields, wide, counts = (
            f.with_columns(pl.lit(labels).gather(pl.col("entrant_id")).alias("entrant_id"))
            for f in (secs, totals, fields, wide, counts))
    secs = secs.sort(["entrant_id", "stage", "section_id"])
    totals = totals.sort(["entrant_id", "stage"])
    fields = fields.sort(["entrant_id", "section_id"])
    comp_entrant = entrant_completeness(counts, assignments, criteria.height)
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
            if rule.removeprefix("field:") in KNOWN_SECTIONS:
                continue          # a real field this instrument does not score (e.g. the classic level layout)
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
        stages=tuple(stage_names), tie_breaks_used=tuple(used), config=config)


# ---------------------------------------------------------------------------------------------------------------
# Dense path for the default mean: national scale (54 million rows) without hashing every row.
#
# With "mean", criterion → section → stage total only needs, per entrant × stage × criterion, the sum and the
# count of the judges' points. Key columns become small integer codes (free for Enum/Categorical columns, one
# encoding pass for String), points come from a lookup table, and the sums and counts are dense bincounts over
# (entrant, stage, criterion); section sums are one matrix product. Same rules, same results as the general
# path (a test checks that), at a fraction of the cost.

def _phys(s: pl.Series) -> tuple[np.ndarray, list[str | None]]:
    """Physical integer codes of a key column and the label of every code up to the largest one used.

    Enum and Categorical columns give their codes for free; a String column is cast to Categorical once.
    A null becomes the last code, whose label is None.
    """
    if not isinstance(s.dtype, pl.Enum | pl.Categorical):
        s = s.cast(pl.Categorical)
    present = s.drop_nulls().unique()            # unique over the physical codes: cheap
    up = present.to_physical().cast(pl.Int64).to_numpy()
    names = present.cast(pl.String).to_list()
    span = int(up.max()) + 1 if len(up) else 0
    phys = s.to_physical()
    if span > 2 * len(up) + 16:
        # Categorical codes share one process-wide space: compact them to 0..n−1 (one gather, not a hash)
        table = np.full(span + 1, len(up), dtype=np.uint32)
        table[up] = np.arange(len(up), dtype=np.uint32)
        codes = table[phys.fill_null(span).to_numpy()]
        return codes, [*names, None]
    labels: list[str | None] = [None] * (span + 1)
    for code, label in zip(up.tolist(), names, strict=True):
        labels[code] = label
    if phys.null_count():
        phys = phys.fill_null(span)
    return phys.to_numpy(), labels


def _dense_sections(scores: pl.LazyFrame, criteria: pl.DataFrame, options: pl.DataFrame,
                    thresholds: pl.DataFrame, sections: pl.DataFrame,
                    stage_names: list[str]) -> tuple[pl.DataFrame, pl.DataFrame, list[str | None]]:
    """Section scores and per entrant × stage usable-score counts, by dense arrays (mean only).

    Returns (sections: entrant code, stage, section_id, spm_field, score_pct, n_scored, n_criteria;
    counts: entrant code, stage, entered, max_judges) and the entrant labels the codes index.
    """
    cols = ["entrant_id", "stage", "criterion_id", "option_code"]
    real_ids = criteria.filter(pl.col("kind") == "real")["criterion_id"].to_list()
    df = scores.select(cols + (["real_value"] if real_ids else [])).collect()
    e, e_labels = _phys(df["entrant_id"])
    s, s_labels = _phys(df["stage"])
    c, c_labels = _phys(df["criterion_id"])
    o, o_labels = _phys(df["option_code"])
    n_e, n_s, n_c, n_o = len(e_labels), len(s_labels), len(c_labels), len(o_labels)
    crit_ids = criteria["criterion_id"].to_list()
    c_pos = {cid: i for i, cid in enumerate(crit_ids)}
    c_inst = np.array([c_pos.get(lab, -1) if lab is not None else -1 for lab in c_labels])  # code → instrument
    o_code = {lab: i for i, lab in enumerate(o_labels) if lab is not None}
    stage_ok = np.array([lab in stage_names for lab in s_labels])
    # points and validity per (criterion code, option code); unknown pairs earn nothing and count nothing
    lut = np.zeros(n_c * n_o)
    valid = np.zeros(n_c * n_o)
    inst_of = {cid: code for code, cid in enumerate(c_labels) if cid in c_pos}
    for cid, oc, pts in options.select("criterion_id", "option_code", "points").iter_rows():
        if pts is not None and cid in inst_of and oc in o_code:
            lut[inst_of[cid] * n_o + o_code[oc]] = pts
            valid[inst_of[cid] * n_o + o_code[oc]] = 1.0
    flat = np.multiply(c, n_o, dtype=np.int64)
    flat += o
    pts = lut[flat]
    ok = valid[flat]
    del flat
    for cid in real_ids:        # a loop over the few nilai-riil criteria, not over rows
        if cid not in inst_of:
            continue
        mask = c == inst_of[cid]
        thr = thresholds.filter(pl.col("criterion_id") == cid).sort("min_value")
        mins, tp = thr["min_value"].to_numpy(), thr["points"].to_numpy()
        v = df["real_value"].to_numpy()[mask]
        idx = np.searchsorted(mins, v, side="right") - 1
        got = tp[np.clip(idx, 0, None)] if len(tp) else np.zeros(len(v))
        pts[mask] = np.where(np.isnan(v), 0.0, np.where(idx >= 0, got, 0.0))
        ok[mask] = ~np.isnan(v)
    if not stage_ok.all():
        ok *= stage_ok[s]
    if n_e and (e == n_e - 1).any():     # null entrant (its code is the last): not counted
        ok *= e != n_e - 1
    key = np.multiply(e, n_s * n_c, dtype=np.int64)
    key += np.multiply(s, n_c, dtype=np.int64)
    key += c
    size = n_e * n_s * n_c
    sums = np.bincount(key, weights=pts, minlength=size).reshape(n_e * n_s, n_c)
    cnt = np.bincount(key, weights=ok, minlength=size).reshape(n_e * n_s, n_c)
    del key, pts, ok, df
    has = cnt > 0
    mean = np.divide(sums, cnt, out=np.zeros_like(sums), where=has)
    sec_ids = sections["section_id"].to_list()
    crit_sec = dict(zip(crit_ids, criteria["section_id"].to_list(), strict=True))
    crit_w = dict(zip(crit_ids, criteria["weight"].to_list(), strict=True))
    crit_max = dict(zip(crit_ids, criteria["max_points"].to_list(), strict=True))
    ind = np.zeros((n_c, len(sec_ids)))
    w = np.zeros((n_c, 1))
    mx = np.zeros((n_c, 1))
    for code, cid in enumerate(c_labels):
        if c_inst[code] >= 0:
            ind[code, sec_ids.index(crit_sec[cid])] = 1.0
            w[code], mx[code] = crit_w[cid], crit_max[cid]
    num = mean @ (ind * w)
    den = has.astype(np.float64) @ (ind * w * mx)
    n_scored = has.astype(np.float64) @ ind
    keep = n_scored.ravel() > 0
    row_k = np.repeat(np.arange(n_e * n_s), len(sec_ids))[keep]
    sec_k = pl.Series(np.tile(np.arange(len(sec_ids)), n_e * n_s)[keep], dtype=pl.UInt32)
    pct = np.divide(100.0 * num, den, out=np.full_like(num, np.nan), where=den > 0).ravel()[keep]
    n_criteria = criteria.group_by("section_id").len()
    sec_info = sections.select("section_id", "spm_field").join(n_criteria, on="section_id", how="left")
    sec_info = sec_info.with_columns(pl.col("len").fill_null(0).cast(pl.Int32).alias("n_criteria"))
    stage_label = pl.Series(s_labels, dtype=pl.String)
    out = pl.DataFrame({
        "entrant_id": pl.Series(row_k // n_s, dtype=pl.UInt32),
        "stage": stage_label.gather(pl.Series(row_k % n_s)),
        "section_id": sec_info["section_id"].gather(sec_k),
        "spm_field": sec_info["spm_field"].gather(sec_k),
        "score_pct": pl.Series(pct).fill_nan(None),
        "n_scored": pl.Series(n_scored.ravel()[keep], dtype=pl.Int32),
        "n_criteria": sec_info["n_criteria"].gather(sec_k),
    })
    entered = cnt.sum(axis=1)
    rows = np.nonzero(entered > 0)[0]
    counts = pl.DataFrame({
        "entrant_id": pl.Series(rows // n_s, dtype=pl.UInt32),
        "stage": stage_label.gather(pl.Series(rows % n_s)),
        "entered": pl.Series(entered[rows], dtype=pl.Int64),
        "max_judges": pl.Series(cnt.max(axis=1)[rows], dtype=pl.Int64),
    })
    return out, counts, e_labels
