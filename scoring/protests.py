"""The sanggahan (protest) rules: the window after a stage is finalised, the states a protest moves through,
and when a stage may be declared final. Pure: the caller passes the clock.

States: open → rejected (final) | upheld → resolved (the reopened criteria were re-scored and the forms
submitted again). A stage may be declared final once its protest deadline has passed and no protest of it is
open or upheld (still being re-scored).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

PROTEST_STATES: tuple[str, ...] = ("open", "rejected", "upheld", "resolved")
TRANSITIONS: dict[str, tuple[str, ...]] = {"open": ("rejected", "upheld"), "upheld": ("resolved",),
                                           "rejected": (), "resolved": ()}
UNSETTLED: tuple[str, ...] = ("open", "upheld")


def protest_deadline(finalised_at: dt.datetime, days: int) -> dt.datetime:
    """The end of the protest window: `days` whole days after finalisation, at the end of that day (23:59:59)."""
    if days < 0:
        raise ValueError("days must be >= 0")
    end = (finalised_at + dt.timedelta(days=days)).date()
    return dt.datetime.combine(end, dt.time(23, 59, 59))


def window_open(now: dt.datetime, deadline: dt.datetime) -> bool:
    """Protests may be filed up to and including the deadline."""
    return now <= deadline


def can_move(state: str, to: str) -> bool:
    if state not in TRANSITIONS:
        raise ValueError(f"unknown protest state {state!r}")
    return to in TRANSITIONS[state]


def final_blockers(now: dt.datetime, deadline: dt.datetime | None, states: Iterable[str]) -> list[str]:
    """Why a stage may not be declared final yet: message keys (empty when it may)."""
    out = []
    if deadline is not None and window_open(now, deadline):
        out.append("life_final_window_open")
    if any(s in UNSETTLED for s in states):
        out.append("life_final_protest_unsettled")
    return out
