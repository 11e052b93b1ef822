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


def previous_round(competition_id: str, stage: str | None) -> tuple[dict, pl.DataFrame] | None:
    """The previous edition the user may see and its league table (the same stage when it has one, else the
    stages combined), or None when there is none."""
    prev_id = cached.previous_competition(competition_id)
    if prev_id is None:
        return None
    row = competition_row(prev_id)
    if row is None:
        return None
    prev_stage = stage if stage in cached.results_stages(prev_id) else None
    return row, cached.results_table(prev_id, prev_stage)


def moved_since(table: pl.DataFrame, competition_id: str, stage: str | None,
                fields: list[str]) -> tuple[dict, pl.DataFrame] | None:
    """`scoring.league.change_since` of `table` against the previous round (entrants of both rounds only)."""
    prev = previous_round(competition_id, stage)
    if prev is None:
        return None
    row, before = prev
    return row, change_since(table, before, fields)


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
    (`scoring.stability`), once per competition version and weight change."""
    from ui.state import result_version

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
    from ui.results import load_results

    places = field_award_places(competition_id)
    if not places:
        return None
    table = cached.results_table(competition_id, stage)
    return winners(table, places, load_results(competition_id, stage).config.total_decimals)


@st.cache_data(max_entries=256, show_spinner=False)
def _imported(path: str, competition_id: str, version: tuple[int, int]) -> bool:
    from data.share.past_rounds import is_imported

    return is_imported(get_con(), competition_id)


def is_imported(competition_id: str) -> bool:
    """Whether the contest is a past round imported from published totals (no criterion detail)."""
    from ui.state import result_version

    return _imported(str(store.store_path()), competition_id, result_version(competition_id))
