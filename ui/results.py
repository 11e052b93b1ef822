"""Scoring results for pages, computed once per competition version and cached.

Changing a filter re-reads the cache; only a write to this competition or to the reference tables (a new
`result_version`) recomputes. Sign-ins and other contests' scores leave it warm. The results themselves come
from `data.results.competition_results`, the same function the exports and publication call.
"""

from __future__ import annotations

import streamlit as st

from data import store
from data.results import competition_results
from data.store import reads
from ui.state import get_con, result_version


# cache_resource, not cache_data: the results hold LazyFrames, and cache_data pickled and re-read them on every hit
# (1–1.5 s per page run on the demo, most of a map click's wait for the profile). Callers only read them.
@st.cache_resource(max_entries=64, show_spinner=False)
def _results(path: str, competition_id: str, stage: str | None, version: tuple[int, int]):
    return competition_results(get_con(), competition_id, stage, inputs=load_inputs(competition_id))


def load_results(competition_id: str, stage: str | None = None):
    """The engine's CompetitionResults for a competition (all stages combined when stage is None)."""
    return _results(str(store.store_path()), competition_id, stage, result_version(competition_id))


@st.cache_resource(max_entries=16, show_spinner=False)
def _inputs(path: str, competition_id: str, version: tuple[int, int]):
    return reads.competition_inputs(get_con(), competition_id)


def load_inputs(competition_id: str):
    """The engine's inputs (instrument, raw scores, entrants, stages), cached like the results."""
    return _inputs(str(store.store_path()), competition_id, result_version(competition_id))
