"""The one door to the engine: a competition's inputs and scoring rules in, its results out.

Pages (through `ui/results.py`, which only adds caching), the exports (Excel rekap, berita acara, scorecards)
and publication (the frozen snapshots) all call `competition_results`, so the ranking on screen, in the rekap
and in the berita acara come from the same rules and the same function. No Streamlit here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import duckdb
import polars as pl

from data import store
from data.store import reads, score_rows
from scoring import engine, incremental
from scoring.config import ScoringConfig
from scoring.engine import CompetitionInputs, CompetitionResults
from scoring.incremental import Save, patched_scores, saves_of


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


# --- results kept between page runs, brought up to date after saves (issue #15) --------------------------------

MAX_PATCHED_SAVES = 5_000     # after this many saves on one read of the scores, read them again in full


@dataclass(frozen=True)
class Held:
    """A competition's results as a long-running reader keeps them: the inputs read from the store at a version,
    the judges' saves applied since (from `score_saves`), and the results of both, at `version` (the
    `store.result_version` they stand for, read in the same snapshot as the data)."""

    version: tuple[int, int]
    stage: str | None
    base: CompetitionInputs
    applied: tuple[Save, ...]
    results: CompetitionResults

    @property
    def inputs(self) -> CompetitionInputs:
        """The engine's inputs at `version`: the stored ones with the saves applied (lazily)."""
        if not self.applied:
            return self.base
        return replace(self.base, scores=patched_scores(self.base.scores, self.applied))


def results_since(con: duckdb.DuckDBPyConnection, competition_id: str, stage: str | None = None,
                  held: Held | None = None) -> Held:
    """The competition's results now. With `held` (an earlier answer of this call for the same competition and
    stage): when everything that changed since is judges' saves (one journal row per version in between and
    the reference tables untouched), the held results are brought up to date from those saves alone
    (`scoring.incremental.rescore`, equal to a full re-score); otherwise, or without `held`, a full read and
    score (`competition_results`). Version, saves and inputs are read in one transaction, so a save
    committed meanwhile is either in the answer and its version or in neither. Raises KeyError for an unknown
    competition."""
    with store.transaction(con):
        version = store.result_version(con, competition_id)
        if held is not None and held.stage == stage and held.version == version:
            return held
        if (held is not None and held.stage == stage and held.version[1] == version[1]
                and held.version[0] < version[0]):
            frame = score_rows.saves_since(con, competition_id, held.version[0]).filter(
                pl.col("version") <= version[0])
            wanted = set(range(held.version[0] + 1, version[0] + 1))
            new = saves_of(frame)
            if set(frame["version"].to_list()) == wanted and len(held.applied) + len(new) <= MAX_PATCHED_SAVES:
                res = incremental.rescore(held.results, held.base, held.applied, new, stage)
                if res is not None:
                    return Held(version, stage, held.base, (*held.applied, *new), res)
        comp = reads.competition(con, competition_id)
        if comp is None:
            raise KeyError(competition_id)
        inputs = reads.competition_inputs(con, competition_id, coded=True, comp=comp)
        return Held(version, stage, inputs, (), engine.score_competition(inputs, scoring_config(comp), stage=stage))
