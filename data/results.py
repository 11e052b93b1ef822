"""The one door to the engine: a competition's inputs and scoring rules in, its results out.

Pages (through `ui/results.py`, which only adds caching), the exports (Excel rekap, berita acara, scorecards)
and publication (the frozen snapshots) all call `competition_results`, so the ranking on screen, in the rekap
and in the berita acara come from the same rules and the same function. No Streamlit here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import duckdb

from data.store import reads
from scoring import engine
from scoring.config import ScoringConfig
from scoring.engine import CompetitionInputs, CompetitionResults


def stored_strata(values: Sequence[float]) -> tuple[float, float, float]:
    """A competition's stored strata thresholds (pratama/madya, madya/purnama, purnama/mandiri), three numbers."""
    low, middle, high = (float(v) for v in values)
    return low, middle, high


def scoring_config(comp: Mapping[str, Any]) -> ScoringConfig:
    """The scoring rules of a competition row (`reads.competition`): aggregation, trim, printed precision,
    tie-breaks, strata, awards and advance count; a rule left empty takes the engine's default (the common
    provincial practice, see `scoring/config.py`). The only place a stored competition becomes a ScoringConfig."""
    ties = comp.get("tie_breaks")
    strata = comp.get("strata_thresholds")
    trim = comp.get("trim_share")
    return ScoringConfig(
        aggregation=comp.get("aggregation") or "mean",
        trim=0.2 if trim is None else float(trim),
        total_decimals=2 if comp.get("total_decimals") is None else int(comp["total_decimals"]),
        tie_breaks=tuple(ties) if ties is not None else ScoringConfig.tie_breaks,
        strata_thresholds=stored_strata(strata) if strata else ScoringConfig.strata_thresholds,
        n_awards=6 if comp.get("n_awards") is None else int(comp["n_awards"]),
        advance_count=1 if comp.get("advance_count") is None else int(comp["advance_count"]),
    )


def competition_results(con: duckdb.DuckDBPyConnection, competition_id: str, stage: str | None = None,
                        inputs: CompetitionInputs | None = None) -> CompetitionResults:
    """The engine's results of a competition (one stage, or all combined with the stage weights when None).

    `inputs` may be passed when the caller already holds them (a cache); they must be this competition's.
    Raises KeyError for an unknown competition.
    """
    comp = reads.competition(con, competition_id)
    if comp is None:
        raise KeyError(competition_id)
    if inputs is None:
        inputs = reads.competition_inputs(con, competition_id, coded=True, comp=comp)
    return engine.score_competition(inputs, scoring_config(comp), stage=stage)
