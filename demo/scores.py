"""The demo's judges' scores, drawn from one generative model with a planted truth.

For entrant e, stage s, criterion c and judge j:
    latent = quality[e, s] + difficulty[c] + severity[j] + Normal(0, 0.45)
    points = clip(round(latent), 1, 4), written as option a=4, b=3, c=2, d=1
with quality[e, administrasi] ~ Normal(2.8, 0.45), quality[e, lapangan] = that + Normal(0, 0.15),
difficulty ~ Normal(0, 0.3) per criterion of an instrument and severity ~ Normal(0, 0.35) per judge.
`scoring/simulate.py` draws the same model without a store. Nilai-riil criteria get a real value drawn
uniformly inside the threshold band that earns the drawn points.
"""

from __future__ import annotations

import hashlib
from datetime import date

import numpy as np
import polars as pl

from scoring.instrument import Criterion, Instrument

QUALITY_MEAN, QUALITY_SD, LAPANGAN_SD = 2.8, 0.45, 0.15
DIFFICULTY_SD, SEVERITY_SD, NOISE_SD = 0.3, 0.35, 0.45
MISSING_SHARE = 0.005
CODE_BY_POINTS = {4: "a", 3: "b", 2: "c", 1: "d"}

SCORE_COLUMNS: dict[str, pl.DataType] = {
    "competition_id": pl.String(), "stage": pl.String(), "entrant_id": pl.String(), "judge_id": pl.String(),
    "criterion_id": pl.String(), "option_code": pl.String(), "real_value": pl.Float64(), "note": pl.String(),
    "evidence": pl.List(pl.String()), "created_at": pl.Datetime("us"), "updated_at": pl.Datetime("us"),
}

NOTES_HIGH = (
    "Dokumen lengkap dan tertata rapi.", "Bukti foto kegiatan jelas.", "SK kader sudah ditandatangani kepala desa.",
    "Pencatatan rutin tiap bulan.", "Kolaborasi dengan OPD terlihat nyata.", "Register sasaran diperbarui.",
)
NOTES_LOW = (
    "Bukti belum dilampirkan.", "Dokumen belum ditandatangani kepala desa.", "Foto kegiatan kurang jelas.",
    "Register tidak diperbarui sejak awal tahun.", "Daftar hadir tidak lengkap.", "Perlu pendampingan dari kecamatan.",
)


def criterion_difficulty(rng: np.random.Generator, instrument: Instrument) -> dict[str, float]:
    """The planted difficulty of each criterion of one instrument."""
    draws = rng.normal(0.0, DIFFICULTY_SD, size=len(instrument.criteria))
    return {c.id: float(d) for c, d in zip(instrument.criteria, draws, strict=True)}


def draw_quality(rng: np.random.Generator, stages: list[str], planted: float | None = None) -> dict[str, float]:
    """Quality per stage of one entrant; `planted` fixes the first stage (the demo's story posyandu)."""
    first = float(planted) if planted is not None else float(rng.normal(QUALITY_MEAN, QUALITY_SD))
    out = {stages[0]: first}
    for s in stages[1:]:
        out[s] = first + float(rng.normal(0.0, LAPANGAN_SD))
    return out


def _band(c: Criterion, points: int) -> tuple[float, float] | None:
    """The [low, high) real values that earn `points` on criterion `c`, or None if no band does."""
    ths = sorted(c.thresholds, key=lambda t: t.min_value)
    percent = (c.unit or "").strip() in {"%", "persen", "percent"}
    for i, t in enumerate(ths):
        if int(round(t.points)) != points:
            continue
        if i + 1 < len(ths):
            return t.min_value, ths[i + 1].min_value
        if percent:
            return t.min_value, max(100.0, t.min_value + 1e-9)
        gap = t.min_value - ths[i - 1].min_value if i > 0 else max(t.min_value, 1.0)
        return t.min_value, t.min_value + max(gap, 1.0)
    return None


def real_values(rng: np.random.Generator, c: Criterion, points: np.ndarray) -> np.ndarray:
    """A real value per row whose threshold band earns that row's points (uniform inside the band).

    Points no band earns take the nearest band that exists (an instrument may skip a points value).
    Counts (integer thresholds, no % unit) come out as whole numbers, percentages with one decimal.
    """
    whole = all(float(t.min_value).is_integer() for t in c.thresholds) and (c.unit or "").strip() != "%"
    out = np.empty(points.shape[0], dtype=np.float64)
    available = sorted({int(round(t.points)) for t in c.thresholds})
    for p in np.unique(points):
        target = min(available, key=lambda a, p=p: (abs(a - int(p)), -a))
        low, high = _band(c, target)  # type: ignore[misc]
        rows = np.flatnonzero(points == p)
        if whole:
            lo, hi = int(np.ceil(low)), max(int(np.ceil(high)) - 1, int(np.ceil(low)))
            out[rows] = rng.integers(lo, hi + 1, size=rows.size)
        else:
            top = max(high - 0.1, low)
            out[rows] = np.floor(rng.uniform(low, top, size=rows.size) * 10 + 1e-9) / 10
            out[rows] = np.clip(out[rows], low, None)
    return out


def threshold_points(c: Criterion, values: np.ndarray) -> np.ndarray:
    """Points a real value earns: the highest threshold it reaches (0 below every threshold)."""
    ths = sorted(c.thresholds, key=lambda t: t.min_value)
    out = np.zeros(values.shape[0])
    for t in ths:
        out = np.where(values >= t.min_value, t.points, out)
    return out


def score_block(
    rng: np.random.Generator,
    competition_id: str,
    instrument: Instrument,
    difficulty: dict[str, float],
    stage: str,
    stage_start: date,
    entrant_ids: list[str],
    quality: list[float],
    judge_ids: list[list[str]],
    severity: dict[str, float],
) -> pl.DataFrame:
    """All scores of one stage of one competition (before missing rows are dropped), with a `points` column.

    `judge_ids[i]` are the judges assigned to entrant i in this stage.
    """
    crits = list(instrument.criteria)
    n_c = len(crits)
    e_rows = [(i, j) for i, judges in enumerate(judge_ids) for j in judges]
    n = len(e_rows) * n_c
    if n == 0:
        return pl.DataFrame(schema={**SCORE_COLUMNS, "points": pl.Int8()})
    e_idx = np.repeat(np.array([i for i, _ in e_rows]), n_c)
    judge = np.repeat(np.array([j for _, j in e_rows], dtype=object), n_c)
    c_idx = np.tile(np.arange(n_c), len(e_rows))
    latent = (np.asarray(quality)[e_idx]
              + np.array([difficulty[c.id] for c in crits])[c_idx]
              + np.array([severity[j] for _, j in e_rows]).repeat(n_c)
              + rng.normal(0.0, NOISE_SD, size=n))
    points = np.clip(np.rint(latent), 1, 4).astype(np.int8)
    option = np.array([CODE_BY_POINTS[int(p)] for p in range(5) if p >= 1], dtype=object)[points - 1]
    real = np.full(n, np.nan)
    for k, c in enumerate(crits):
        if c.kind == "real" and c.thresholds:
            rows = np.flatnonzero(c_idx == k)
            real[rows] = real_values(rng, c, points[rows])
            points[rows] = threshold_points(c, real[rows]).astype(np.int8)
            option[rows] = None
    # A few judges write a note; the tone follows the points they gave.
    note = np.full(n, None, dtype=object)
    noted = np.flatnonzero(rng.random(n) < 0.025)
    picks = rng.integers(0, len(NOTES_HIGH), size=noted.size)
    for r, p in zip(noted, picks, strict=True):
        note[r] = NOTES_HIGH[p] if points[r] >= 3 else NOTES_LOW[p]
    ev = rng.random(n) < 0.04
    fake_hash = pl.Series([
        hashlib.sha256(f"{competition_id}|{entrant_ids[e_idx[r]]}|{crits[c_idx[r]].id}".encode()).hexdigest()
        if ev[r] else None for r in range(n)
    ], dtype=pl.String)
    # Judges score during the stage's week, in office hours; a few revise a score later that day.
    day = rng.integers(0, 5, size=len(e_rows)).repeat(n_c)
    minute = rng.integers(8 * 60, 16 * 60, size=len(e_rows)).repeat(n_c) + np.tile(np.arange(n_c), len(e_rows))
    start = np.datetime64(stage_start, "us")
    created = start + (day * 86_400 + minute * 60).astype("timedelta64[s]").astype("timedelta64[us]")
    revised = rng.random(n) < 0.03
    updated = created + np.where(revised, 7_200, 0).astype("timedelta64[s]").astype("timedelta64[us]")
    return pl.DataFrame({
        "competition_id": [competition_id] * n,
        "stage": [stage] * n,
        "entrant_id": pl.Series(entrant_ids, dtype=pl.String).gather(e_idx),
        "judge_id": judge.tolist(),
        "criterion_id": pl.Series([c.id for c in crits], dtype=pl.String).gather(c_idx),
        "option_code": option.tolist(),
        "real_value": pl.Series(real).fill_nan(None),
        "note": note.tolist(),
        "evidence": fake_hash,
        "created_at": created,
        "updated_at": updated,
        "points": points,
    }).with_columns(
        pl.when(pl.col("evidence").is_null()).then(pl.lit([], dtype=pl.List(pl.String)))
        .otherwise(pl.concat_list("evidence")).alias("evidence")
    ).cast({**SCORE_COLUMNS, "points": pl.Int8()})


def drop_missing(rng: np.random.Generator, scores: pl.DataFrame) -> pl.DataFrame:
    """Leave about 0.5 % of the scores unanswered (no row), as real score sheets have gaps."""
    keep = rng.random(scores.height) >= MISSING_SHARE
    return scores.filter(pl.Series(keep))


def mean_points_totals(scores: pl.DataFrame, instrument: Instrument, stage_weights: dict[str, float]) -> pl.DataFrame:
    """A simple nilai akhir per entrant: per stage, Σ section weight × (weighted points / weighted maximum of
    the criteria answered), then stage weights; rounded to 2 decimals before ranking (ties are real)."""
    crit = pl.DataFrame({
        "criterion_id": [c.id for c in instrument.criteria],
        "section_id": [c.section_id for c in instrument.criteria],
        "cweight": [c.weight for c in instrument.criteria],
        "max_points": [c.max_points for c in instrument.criteria],
    })
    sec = pl.DataFrame({"section_id": [s.id for s in instrument.sections],
                        "sweight": [s.weight for s in instrument.sections]})
    sw = pl.DataFrame({"stage": list(stage_weights), "stweight": list(stage_weights.values())})
    per_stage = (
        scores.join(crit, on="criterion_id")
        .group_by("entrant_id", "stage", "section_id")
        .agg(((pl.col("points") * pl.col("cweight")).sum() / (pl.col("max_points") * pl.col("cweight")).sum())
             .alias("share"))
        .join(sec, on="section_id")
        .group_by("entrant_id", "stage")
        .agg((pl.col("share") * pl.col("sweight")).sum().alias("stage_total"))
        .join(sw, on="stage")
    )
    total_w = sum(stage_weights.values())
    last = list(stage_weights)[-1]
    return (
        per_stage.group_by("entrant_id")
        .agg((pl.col("stage_total") * pl.col("stweight")).sum().truediv(total_w).round(2).alias("total"),
             pl.col("stage_total").filter(pl.col("stage") == last).first().round(2).alias("last_stage"))
        .sort(["total", "last_stage", "entrant_id"], descending=[True, True, False], nulls_last=True)
        .with_row_index("rank", offset=1)
    )


def with_points(scores: pl.DataFrame, instrument: Instrument) -> pl.DataFrame:
    """Add `points` to raw scores: a=4 … d=1 for choices, the threshold reached for nilai-riil values."""
    pts = scores["option_code"].replace_strict({v: k for k, v in CODE_BY_POINTS.items()}, default=0,
                                               return_dtype=pl.Int64).to_numpy().copy()
    crit = scores["criterion_id"].to_numpy()
    vals = scores["real_value"].to_numpy()
    for c in instrument.criteria:
        if c.kind == "real" and c.thresholds:
            mask = crit == c.id
            pts[mask] = threshold_points(c, vals[mask])
    return scores.with_columns(pl.Series("points", pts, dtype=pl.Int8))


def rank_contest(scores: pl.DataFrame, instrument: Instrument, stage_weights: dict[str, float],
                 assignments: pl.DataFrame) -> pl.DataFrame:
    """entrant_id and rank (1 = best, one entrant per place) of one contest's raw scores.

    Uses the product's engine (`scoring.engine.score_competition`, its default rules) when it is installed, so
    the demo's winners are the ones the dashboard shows; otherwise `mean_points_totals`. Places tied even after
    the engine's tie-breaks are split by entrant id.
    """
    try:
        from scoring.config import ScoringConfig
        from scoring.engine import CompetitionInputs, score_competition
        from scoring.frames import ASSIGNMENTS_SCHEMA, ENTRANTS_SCHEMA, SCORES_SCHEMA, STAGES_SCHEMA
    except ImportError:
        return mean_points_totals(with_points(scores, instrument), instrument, stage_weights).select(
            "entrant_id", "rank")
    entrant_ids = assignments["entrant_id"].unique().sort()
    entrants = pl.DataFrame({"entrant_id": entrant_ids}).with_columns(
        [pl.lit("umum" if c == "category" else None, dtype=pl.String).alias(c)
         for c in ENTRANTS_SCHEMA if c != "entrant_id"]).cast(ENTRANTS_SCHEMA).select(list(ENTRANTS_SCHEMA))
    stages = pl.DataFrame({"stage": list(stage_weights), "ord": list(range(len(stage_weights))),
                           "weight": list(stage_weights.values())}, schema=STAGES_SCHEMA)
    has_kesehatan = any(s.spm_field == "kesehatan" for s in instrument.sections)
    config = ScoringConfig() if has_kesehatan else ScoringConfig(tie_breaks=("completeness",))
    result = score_competition(CompetitionInputs(
        instrument=instrument, scores=scores.select(list(SCORES_SCHEMA)).cast(SCORES_SCHEMA),
        entrants=entrants, stages=stages,
        assignments=assignments.select(list(ASSIGNMENTS_SCHEMA)).cast(ASSIGNMENTS_SCHEMA)), config)
    return (result.table.sort(["rank_final", "entrant_id"], nulls_last=True)
            .select("entrant_id").with_row_index("rank", offset=1))
