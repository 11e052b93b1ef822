"""How safe is a place: the probability that an entrant keeps its place (or better) when the section weights
move by up to ±x % and the judges who visited had been others (judge noise), from the resampling of
`scoring.confidence`.

"Keeping the place" is P(rank in a draw ≤ the official rank): the winner keeps first place only when it is
first; the fifth keeps its place when it ends fifth or higher. The official rank comes from the engine (with
the contest's tie-breaks); ranks in a draw split ties at random, so two entrants sharing a place are each as
likely to be ahead. Seeded: the same inputs and seed give the same figures. Pure: arrays and frames only.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from scoring.confidence import ResampleArrays, prepare_inputs, rank_draws
from scoring.config import ScoringConfig
from scoring.engine import CompetitionInputs

DEFAULT_WEIGHT_CHANGE = 0.10     # the ±10 % the issue asks about; Peringkat offers 0-20 %

SCHEMA = {"entrant_id": pl.String, "p_keep": pl.Float64, "band_lo": pl.Int64, "band_hi": pl.Int64,
          "weight_change": pl.Float64, "n_draws": pl.Int64}


def place_stability_arrays(arr: ResampleArrays, config: ScoringConfig, official: pl.DataFrame,
                           weight_change: float = DEFAULT_WEIGHT_CHANGE, n_draws: int = 200,
                           seed: int = 0) -> pl.DataFrame:
    """Per entrant of `official` (entrant_id, rank_final): p_keep, and the 90 % band of its rank under the same
    draws (band_lo..band_hi). Entrants without an official rank or without scores get nulls."""
    if not 0.0 <= weight_change < 1.0:
        raise ValueError(f"weight_change must be in [0, 1), got {weight_change}")
    ranks = rank_draws(arr, config, n_draws=n_draws, seed=seed, weight_jitter=weight_change)   # (D, E)
    index = {e: i for i, e in enumerate(arr.entrant_ids)}
    rows: dict[str, list] = {k: [] for k in SCHEMA}
    for eid, rank in official.select("entrant_id", "rank_final").iter_rows():
        col = index.get(eid)
        got = ranks[:, col] if col is not None else np.empty(0)
        got = got[~np.isnan(got)]
        ok = rank is not None and got.size > 0
        rows["entrant_id"].append(eid)
        rows["p_keep"].append(float((got <= rank).mean()) if ok else None)
        rows["band_lo"].append(int(np.quantile(got, 0.05, method="inverted_cdf")) if ok else None)
        rows["band_hi"].append(int(np.quantile(got, 0.95, method="inverted_cdf")) if ok else None)
        rows["weight_change"].append(weight_change)
        rows["n_draws"].append(int(got.size))
    return pl.DataFrame(rows, schema=SCHEMA)


def place_stability(inputs: CompetitionInputs, config: ScoringConfig, official: pl.DataFrame,
                    weight_change: float = DEFAULT_WEIGHT_CHANGE, n_draws: int = 200, seed: int = 0,
                    stage: str | None = None) -> pl.DataFrame:
    """`place_stability_arrays` on a competition's inputs (one stage, or the stages combined when None)."""
    return place_stability_arrays(prepare_inputs(inputs, config, stage), config, official, weight_change,
                                  n_draws, seed)
