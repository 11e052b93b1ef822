"""Results after a few saves without counting every score again (issue #15: one save → new ranks in 50 ms).

A judge's save changes one raw choice. On the dense path (the default mean) everything up to the nilai akhir
follows from the per (entrant·stage, criterion) sums and counts of points (`scoring.dense.DenseCounts`), so a
save moves one cell by its old and new points; the frames, totals, ranks, awards and strata are then built
from the counts as a full run builds them (`score_competition(..., counted=...)`), and the lazy detail frames
read the raw choices with the saves applied in place, as the store keeps them. The result equals a full
re-score of the changed inputs exactly (tests/test_incremental.py draws random save sequences and compares
every frame); where that cannot be promised (another path, points that do not add exactly in floating point,
stages taken from the scores) `rescore` returns None and the caller scores in full.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import polars as pl

from scoring.config import ScoringConfig
from scoring.dense import DenseCounts, no_case_table, option_ids, point_tables
from scoring.engine import CompetitionInputs, CompetitionResults, score_competition
from scoring.frames import SCORES_SCHEMA, CodedScores
from scoring.instrument import NO_CASE, criteria_frame, options_frame, thresholds_frame
from scoring.points import lazy

KEYS = ["entrant_id", "stage", "judge_id", "criterion_id"]
_EXACT = 1024.0          # points that are multiples of 1/1024 (and small) add exactly in any order


@dataclass(frozen=True)
class Save:
    """One raw choice changed: its key, whether it was created (no row before), its old and new values."""

    stage: str
    entrant_id: str
    judge_id: str
    criterion_id: str
    created: bool
    old_option_code: str | None
    old_real_value: float | None
    option_code: str | None
    real_value: float | None


def saves_of(frame: pl.DataFrame) -> list[Save]:
    """Saves from a frame with Save's columns (`data.store.score_rows.saves_since`), in its order."""
    cols = list(Save.__dataclass_fields__)
    return [Save(*row) for row in frame.select(cols).iter_rows()]


def patched_scores(base: pl.DataFrame | pl.LazyFrame | CodedScores, saves: Sequence[Save]) -> pl.LazyFrame:
    """The raw choices (SCORES_SCHEMA, String keys) after `saves`, as the store then holds them: a changed score
    in its place with its last value, a created one after every stored row, in the order first created.
    Lazy: nothing is read until a caller collects."""
    frame = lazy(base).select([pl.col(c).cast(t) for c, t in SCORES_SCHEMA.items()])
    if not saves:
        return frame
    rows = pl.DataFrame([(s.entrant_id, s.stage, s.judge_id, s.criterion_id, s.created, s.option_code,
                          s.real_value) for s in saves],
                        schema={**{k: pl.String for k in KEYS}, "created": pl.Boolean, "option_code": pl.String,
                                "real_value": pl.Float64}, orient="row").with_row_index("_seq")
    last = rows.group_by(KEYS, maintain_order=True).agg(
        pl.col("created").any(), pl.col("_seq").min(), pl.col("option_code").last(), pl.col("real_value").last())
    changed = last.filter(~pl.col("created")).select(
        *KEYS, pl.col("option_code").alias("_o"), pl.col("real_value").alias("_r"), pl.lit(True).alias("_p"))
    stored = frame.join(changed.lazy(), on=KEYS, how="left", maintain_order="left").with_columns(
        pl.when(pl.col("_p")).then(pl.col("_o")).otherwise(pl.col("option_code")).alias("option_code"),
        pl.when(pl.col("_p")).then(pl.col("_r")).otherwise(pl.col("real_value")).alias("real_value"),
    ).select(list(SCORES_SCHEMA))
    created = last.filter(pl.col("created")).sort("_seq").select(list(SCORES_SCHEMA))
    return pl.concat([stored, created.lazy()])


def _exact(values: np.ndarray) -> bool:
    v = np.asarray(values, dtype=np.float64) * _EXACT
    return bool(np.all(np.isfinite(v)) and np.all(v == np.round(v)) and np.all(np.abs(v) < 2.0 ** 40))


def rescore(previous: CompetitionResults, base: CompetitionInputs, applied: Sequence[Save],
            new: Sequence[Save], stage: str | None = None) -> CompetitionResults | None:
    """`previous` (the results of `base` with the saves `applied`, scored for `stage`) brought up to date with
    the saves `new`: equal to `score_competition(base with applied + new saves, previous.config, stage)`.

    None when that equality cannot be promised cheaply: the general path (not the mean), points that are not
    small multiples of 1/1024 (floating-point sums would depend on the order), no stages table (the stages
    come from the scores), or counts of another shape than the instrument's."""
    counts = previous.dense
    inst = base.instrument
    stages_in = lazy(base.stages).collect()
    if counts is None or stages_in.height == 0:
        return None
    criteria, options, thresholds = criteria_frame(inst), options_frame(inst), thresholds_frame(inst)
    crit_ids = criteria["criterion_id"].to_list()
    real_ids = criteria.filter(pl.col("kind") == "real")["criterion_id"].to_list()
    opt_ids = option_ids(options, criteria)
    stage_names = list(previous.stages)
    n_s = max(1, len(stage_names))
    if counts.sums.shape != (len(counts.e_labels) * n_s, len(crit_ids)):
        return None
    lut, valid = point_tables(options, crit_ids, real_ids, opt_ids)
    nc_tab = no_case_table(criteria, opt_ids)
    if (nc_tab is None) != (counts.none is None):
        return None
    thr = {r: thresholds.filter(pl.col("criterion_id") == r).sort("min_value") for r in real_ids}
    thr_np = {r: (f["min_value"].cast(pl.Float64).to_numpy(), f["points"].cast(pl.Float64).to_numpy())
              for r, f in thr.items()}
    if not _exact(lut) or not all(_exact(tp) for _, tp in thr_np.values()):
        return None
    e_pos = {e: i for i, e in enumerate(counts.e_labels.to_list())}
    c_pos = {c: i for i, c in enumerate(crit_ids)}
    s_pos = {s: i for i, s in enumerate(stage_names)}
    o_pos = {o: i for i, o in enumerate(opt_ids)}
    real_set = set(real_ids)

    def points(criterion: str, option: str | None, value: float | None) -> tuple[float, float, float]:
        """(points, 1 when they count, 1 when an allowed "tidak ada kasus") of one raw choice."""
        ci = c_pos[criterion]
        oi = o_pos.get(option, len(opt_ids)) if option is not None else len(opt_ids)
        p, ok = float(lut[ci, oi]), float(valid[ci, oi])
        none = float(nc_tab[ci, oi]) if nc_tab is not None else 0.0
        if option == NO_CASE and none:
            return p, ok, none          # an allowed answer earns nothing, whatever value the row carries
        if criterion in real_set and value is not None and not math.isnan(value):
            mins, tp = thr_np[criterion]
            j = int(np.searchsorted(mins, value, side="right")) - 1
            p += float(tp[j]) if len(tp) and j >= 0 else 0.0
            ok += 1.0
        return p, ok, none

    out = counts.copy()
    for sv in new:
        ei, si, ci = e_pos.get(sv.entrant_id), s_pos.get(sv.stage), c_pos.get(sv.criterion_id)
        if ei is None or si is None or ci is None:
            continue            # a row both paths ignore (or another stage than the one scored)
        cell = (ei * n_s + si, ci)
        if not sv.created:
            p, ok, none = points(sv.criterion_id, sv.old_option_code, sv.old_real_value)
            out.sums[cell] -= p
            out.cnt[cell] -= ok
            if out.none is not None:
                out.none[cell] -= none
        p, ok, none = points(sv.criterion_id, sv.option_code, sv.real_value)
        out.sums[cell] += p
        out.cnt[cell] += ok
        if out.none is not None:
            out.none[cell] += none
    out = DenseCounts(out.sums, out.cnt, out.e_labels, out.n_rows + sum(1 for s in new if s.created), out.none)
    inputs = replace(base, scores=patched_scores(base.scores, [*applied, *new]))
    return score_competition(inputs, previous.config or ScoringConfig(), stage=stage, counted=out)
