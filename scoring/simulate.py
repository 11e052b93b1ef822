"""A pure simulator of the demo's generative model, so judge-quality and confidence figures can be checked
against a known truth (tests) and the engine can be timed at national size without a store (bench).

The model (the demo generator uses the same one): for entrant e, stage s, criterion c and judge j,
``latent = quality[e,s] + difficulty[c] + severity[j] + Normal(0, noise_sd)`` and
``points = clip(round(latent), 1, 4)``, written as option a=4, b=3, c=2, d=1. quality ~ N(2.8, 0.45),
difficulty ~ N(0, 0.3), severity ~ N(0, 0.35); each entrant is scored in each stage by `judges_per_entrant`
distinct judges drawn from a panel.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from scoring.fields import OTHER_SECTIONS, SPM_FIELDS
from scoring.frames import ENTRANTS_SCHEMA, SCORES_SCHEMA, STAGES_SCHEMA
from scoring.instrument import Criterion, Instrument, Option, Section

OPTION_POINTS: dict[str, float] = {"a": 4.0, "b": 3.0, "c": 2.0, "d": 1.0}
_CODE_BY_POINTS = ("d", "c", "b", "a")  # index = points - 1


@dataclass(frozen=True)
class Simulation:
    """What `simulate_competition` returns: the engine's input frames plus the planted truth."""

    scores: pl.DataFrame            # SCORES_SCHEMA: one row per judge × entrant × criterion × stage
    truth_judge_severity: pl.DataFrame    # judge_id, severity
    truth_entrant_quality: pl.DataFrame   # entrant_id, stage, quality
    truth_criterion_difficulty: pl.DataFrame  # criterion_id, difficulty
    instrument: Instrument
    entrants: pl.DataFrame          # ENTRANTS_SCHEMA
    stages: pl.DataFrame            # STAGES_SCHEMA

    def true_totals(self) -> pl.DataFrame:
        """entrant_id, true_total (stage-weighted planted quality) and true_rank (1 = best, ordinal)."""
        w = self.stages.select("stage", (pl.col("weight") / pl.col("weight").sum()).alias("w"))
        return (
            self.truth_entrant_quality.join(w, on="stage")
            .group_by("entrant_id")
            .agg((pl.col("quality") * pl.col("w")).sum().alias("true_total"))
            .with_columns(pl.col("true_total").rank("ordinal", descending=True).cast(pl.Int64).alias("true_rank"))
            .sort("true_rank")
        )


def simulation_instrument(n_criteria: int, section_ids: tuple[str, ...] | None = None) -> Instrument:
    """A six-field instrument with `n_criteria` a/b/c/d criteria spread round-robin over equal-weight sections."""
    ids = section_ids or (("kelembagaan",) + SPM_FIELDS + OTHER_SECTIONS[1:])
    ids = ids[: max(1, min(len(ids), n_criteria))]
    options = tuple(Option(code, f"option {code}", pts) for code, pts in OPTION_POINTS.items())
    per: dict[str, list[Criterion]] = {s: [] for s in ids}
    for i in range(n_criteria):
        sid = ids[i % len(ids)]
        field = sid if sid in SPM_FIELDS else None
        per[sid].append(Criterion(id=f"K{i + 1:03d}", section_id=sid, text=f"criterion {i + 1}", kind="choice",
                                  options=options, spm_field=field))
    weight = 100.0 / len(ids)
    sections = tuple(Section(id=s, title=s, weight=weight, spm_field=s if s in SPM_FIELDS else None,
                             criteria=tuple(per[s])) for s in ids)
    return Instrument(code="simulasi", version=1, title="Simulated instrument", layout="six_field",
                      sections=sections)


def _distinct_judges(rng: np.random.Generator, n_rows: int, panel: int, k: int) -> np.ndarray:
    """n_rows × k judge indices, distinct within a row, uniform over subsets (rejection of rows with repeats)."""
    if k > panel:
        raise ValueError(f"judges_per_entrant={k} exceeds the panel of {panel}")
    out = rng.integers(0, panel, size=(n_rows, k))
    while True:
        s = np.sort(out, axis=1)
        bad = np.flatnonzero((s[:, 1:] == s[:, :-1]).any(axis=1)) if k > 1 else np.empty(0, dtype=np.int64)
        if bad.size == 0:
            return out
        out[bad] = rng.integers(0, panel, size=(bad.size, k))


def simulate_competition(
    n_entrants: int,
    n_criteria: int,
    n_judges_panel: int,
    judges_per_entrant: int = 3,
    seed: int = 0,
    stages: tuple[str, ...] = ("administrasi", "lapangan"),
    stage_weights: tuple[float, ...] = (40.0, 60.0),
    quality_mean: float = 2.8,
    quality_sd: float = 0.45,
    difficulty_sd: float = 0.3,
    severity_sd: float = 0.35,
    noise_sd: float = 0.45,
) -> Simulation:
    """Draw one competition from the demo's generative model; deterministic for a given seed."""
    if len(stage_weights) != len(stages):
        raise ValueError("stage_weights must have one weight per stage")
    rng = np.random.default_rng(seed)
    n_e, n_s, n_c, k = n_entrants, len(stages), n_criteria, judges_per_entrant
    instrument = simulation_instrument(n_c)
    crit_ids = [c.id for c in instrument.criteria]

    quality = rng.normal(quality_mean, quality_sd, size=(n_e, n_s))
    difficulty = rng.normal(0.0, difficulty_sd, size=n_c)
    severity = rng.normal(0.0, severity_sd, size=n_judges_panel)
    judges = _distinct_judges(rng, n_e * n_s, n_judges_panel, k).reshape(n_e, n_s, k)

    # Loop over stages and judge slots to keep peak memory at one n_e × n_c block of float64.
    entrant_names = pl.Series("entrant_id", [f"E{i + 1:06d}" for i in range(n_e)])
    judge_names = pl.Series("judge_id", [f"J{i + 1:04d}" for i in range(n_judges_panel)])
    crit_names = pl.Series("criterion_id", crit_ids)
    code_names = pl.Series("option_code", list(_CODE_BY_POINTS))
    e_idx = np.repeat(np.arange(n_e, dtype=np.uint32), n_c)
    c_idx = np.tile(np.arange(n_c, dtype=np.uint32), n_e)
    blocks: list[pl.DataFrame] = []
    for s, stage in enumerate(stages):
        for slot in range(k):
            j = judges[:, s, slot]
            latent = quality[:, s, None] + difficulty[None, :] + severity[j][:, None]
            latent += rng.normal(0.0, noise_sd, size=(n_e, n_c))
            pts = np.clip(np.rint(latent), 1, 4).astype(np.uint32).ravel()
            blocks.append(pl.DataFrame({
                "entrant_id": entrant_names.gather(e_idx),
                "stage": pl.repeat(stage, n_e * n_c, eager=True, dtype=pl.String),
                "judge_id": judge_names.gather(np.repeat(j.astype(np.uint32), n_c)),
                "criterion_id": crit_names.gather(c_idx),
                "option_code": code_names.gather(pts - 1),
                "real_value": pl.repeat(None, n_e * n_c, eager=True, dtype=pl.Float64),
            }))
    scores = pl.concat(blocks).cast(pl.Schema(SCORES_SCHEMA))

    truth_sev = pl.DataFrame({"judge_id": judge_names, "severity": severity})
    truth_q = pl.DataFrame({
        "entrant_id": entrant_names.gather(np.repeat(np.arange(n_e, dtype=np.uint32), n_s)),
        "stage": list(stages) * n_e,
        "quality": quality.ravel(),
    })
    truth_d = pl.DataFrame({"criterion_id": crit_ids, "difficulty": difficulty})
    kab = [f"36.{(i % 8) + 1:02d}" for i in range(n_e)]
    entrants = pl.DataFrame({
        "entrant_id": entrant_names,
        "posyandu_id": [f"P{i + 1:06d}" for i in range(n_e)],
        "posyandu_name": [f"Posyandu {i + 1}" for i in range(n_e)],
        "desa_code": [f"{kab[i]}.{(i % 5) + 1:02d}.{2001 + i % 97}" for i in range(n_e)],
        "desa_name": [f"Desa {i % 97 + 1}" for i in range(n_e)],
        "kecamatan_code": [f"{kab[i]}.{(i % 5) + 1:02d}" for i in range(n_e)],
        "kecamatan_name": [f"Kecamatan {i % 5 + 1}" for i in range(n_e)],
        "kabupaten_code": kab,
        "kabupaten_name": [f"Kabupaten {k_}" for k_ in kab],
        "desa_kind": ["desa"] * n_e,
        "category": ["umum"] * n_e,
    }, schema=ENTRANTS_SCHEMA)
    stages_frame = pl.DataFrame({"stage": list(stages), "ord": list(range(n_s)), "weight": list(stage_weights)},
                                schema=STAGES_SCHEMA)
    return Simulation(scores=scores, truth_judge_severity=truth_sev, truth_entrant_quality=truth_q,
                      truth_criterion_difficulty=truth_d, instrument=instrument, entrants=entrants,
                      stages=stages_frame)


def points_frame(sim: Simulation) -> pl.DataFrame:
    """The simulated choices as a points frame (entrant_id, stage, judge_id, criterion_id, points), for tests
    and judge-quality work that does not need the engine's `to_points`."""
    return sim.scores.select(
        "entrant_id", "stage", "judge_id", "criterion_id",
        pl.col("option_code").replace_strict(OPTION_POINTS, return_dtype=pl.Float64).alias("points"),
    )
