"""Scoring results for pages, computed once per competition version and cached.

Changing a filter re-reads the cache; only a write to this competition or to the reference tables (a new
`result_version`) recomputes. Sign-ins and other contests' scores leave it warm. After judges' saves the
results are brought up to date from the saves alone (`data.results.results_since`: at national size one save
re-ranks a 30,000-entrant contest without counting its 5.5 M scores again); anything else re-scores in full. The
results themselves come from the same engine call the exports and publication make (`data.results`).
"""

from __future__ import annotations

import threading

import streamlit as st

from data import store
from data.results import Held, results_since
from ui.state import get_con, result_version

# The latest results of each (store, competition, stage) this server holds, to bring up to date after saves.
_HELD: dict[tuple[str, str, str | None], Held] = {}
_LOCK = threading.Lock()


def _held(path: str, competition_id: str, stage: str | None) -> Held:
    key = (path, competition_id, stage)
    with _LOCK:
        before = _HELD.get(key)
    now = results_since(get_con(), competition_id, stage, before)
    with _LOCK:
        old = _HELD.get(key)
        if old is None or old.version <= now.version:
            _HELD[key] = now
    return now


# cache_resource, not cache_data: the results hold LazyFrames, and cache_data pickled and re-read them on every hit
# (1–1.5 s per page run on the demo, most of a map click's wait for the profile). Callers only read them.
@st.cache_resource(max_entries=64, show_spinner=False)
def _results(path: str, competition_id: str, stage: str | None, version: tuple[int, int]):
    return _held(path, competition_id, stage).results


def load_results(competition_id: str, stage: str | None = None):
    """The engine's CompetitionResults for a competition (all stages combined when stage is None)."""
    return _results(str(store.store_path()), competition_id, stage, result_version(competition_id))


@st.cache_resource(max_entries=16, show_spinner=False)
def _inputs(path: str, competition_id: str, version: tuple[int, int]):
    return _held(path, competition_id, None).inputs


def load_inputs(competition_id: str):
    """The engine's inputs (instrument, raw scores, entrants, stages), cached like the results."""
    return _inputs(str(store.store_path()), competition_id, result_version(competition_id))


def forget_held() -> None:
    """Drop the held results (tests that swap store files under the same path)."""
    with _LOCK:
        _HELD.clear()
