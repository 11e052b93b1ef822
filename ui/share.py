"""Cached reads for the results people share (#17): the previous round of a contest and its league table.

Keyed like `ui/cached.py`: on the versions of what they read, so sign-ins leave them warm.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from data import store
from data.store import reads
from scoring.league import change_since
from ui import cached
from ui.state import get_con, store_version


@st.cache_data(max_entries=64, show_spinner=False)
def _competition(path: str, competition_id: str, version: int) -> dict | None:
    return reads.competition(get_con(), competition_id)


def competition_row(competition_id: str) -> dict | None:
    """The competition row (name, year, level, scope, …), or None."""
    return _competition(str(store.store_path()), competition_id, store_version())


def moved_since(table: pl.DataFrame, competition_id: str, stage: str | None,
                fields: list[str]) -> tuple[list[dict], pl.DataFrame] | None:
    """`scoring.league.change_since` of `table` against each posyandu's previous round, at whatever level it was
    (the previous edition of this contest, or last year's kabupaten contest for a posyandu that has moved up):
    the rounds used (name, year, level, competition_id; the commonest first) and the entrants of both. None when
    no posyandu shown has a previous round the user may see. A rank is compared only within the same level."""
    rounds = cached.previous_rounds(competition_id).filter(pl.col("posyandu_id").is_in(table["posyandu_id"].implode()))
    if rounds.height == 0:
        return None
    used = rounds.group_by("competition_id", "name", "year", "level").len().sort(
        ["len", "year", "competition_id"], descending=[True, True, False])
    before = []
    for prev in used.iter_rows(named=True):
        prev_stage = stage if stage in cached.results_stages(prev["competition_id"]) else None
        mine = rounds.filter(pl.col("competition_id") == prev["competition_id"])["posyandu_id"]
        before.append(cached.results_table(prev["competition_id"], prev_stage)
                      .filter(pl.col("posyandu_id").is_in(mine.implode()))
                      .with_columns(pl.lit(prev["competition_id"]).alias("round_id"),
                                    pl.lit(prev["name"]).alias("round_name"),
                                    pl.lit(prev["year"], pl.Int32).alias("round_year"),
                                    pl.lit(prev["level"]).alias("round_level")))
    level = (competition_row(competition_id) or {}).get("level")
    return used.drop("len").to_dicts(), change_since(table, pl.concat(before, how="diagonal_relaxed"), fields,
                                                     level=level)


@st.cache_data(max_entries=32, show_spinner=False)
def _stability(path: str, competition_id: str, stage: str | None, weight_change: float,
               version: tuple[int, int]) -> pl.DataFrame:
    from scoring.stability import place_stability
    from ui.results import load_inputs, load_results

    results = load_results(competition_id, stage)
    return place_stability(load_inputs(competition_id), results.config, results.table.select("entrant_id", "rank_final"),
                           weight_change=weight_change, stage=stage)


def place_stability(competition_id: str, stage: str | None, weight_change: float) -> pl.DataFrame:
    """P(keeping the place or better) per entrant under ±`weight_change` section weights and judge noise
    (`scoring.stability`), once per competition version and weight change; for a final stage as frozen with its
    snapshot (`data.judging.frozen`, one frame per weight the page offers)."""
    from data.judging.frozen import STABILITY_WEIGHTS
    from ui.state import result_version

    percent = round(weight_change * 100)
    if percent in STABILITY_WEIGHTS:
        return cached.frozen_or_live(competition_id, stage, f"stability_{percent}", lambda: _stability(
            str(store.store_path()), competition_id, stage, weight_change, result_version(competition_id)))
    return _stability(str(store.store_path()), competition_id, stage, weight_change, result_version(competition_id))


@st.cache_data(max_entries=64, show_spinner=False)
def _places(path: str, competition_id: str, version: tuple[int, int]) -> int:
    from data.share.field_awards import declared_places

    return declared_places(get_con(), competition_id)


def field_award_places(competition_id: str) -> int:
    """How many field-award places the contest declared (0: none)."""
    from ui.state import result_version

    return _places(str(store.store_path()), competition_id, result_version(competition_id))


def field_award_winners(competition_id: str, stage: str | None) -> pl.DataFrame | None:
    """The declared field awards' winners in the league table the user sees, or None when none are declared."""
    from data.share.field_awards import winners

    places = field_award_places(competition_id)
    if not places:
        return None
    table = cached.results_table(competition_id, stage)
    return winners(table, places, cached.tie_rules(competition_id, stage)[1])


@st.cache_data(max_entries=256, show_spinner=False)
def _imported(path: str, competition_id: str, version: tuple[int, int]) -> bool:
    from data.share.past_rounds import is_imported

    return is_imported(get_con(), competition_id)


def is_imported(competition_id: str) -> bool:
    """Whether the contest is a past round imported from published totals (no criterion detail)."""
    from ui.state import result_version

    return _imported(str(store.store_path()), competition_id, result_version(competition_id))
