"""The follow-up of one case as rules: which step may follow which, with what it must carry. Pure, no I/O.

A case moves recorded → verified (with the desa government) → referred (to the OPD responsible) → resolved, in
that order without skipping; an open case may instead be closed, with a reason. Resolved and closed cases are
finished: a correction is a new case, so what was reported stays as it was.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

STATUSES: tuple[str, ...] = ("recorded", "verified", "referred", "resolved", "closed")
OPEN: tuple[str, ...] = ("recorded", "verified", "referred")
NEXT: dict[str, tuple[str, ...]] = {
    "recorded": ("verified", "closed"),
    "verified": ("referred", "closed"),
    "referred": ("resolved", "closed"),
    "resolved": (),
    "closed": (),
}


@dataclass(frozen=True)
class StepProblem:
    """Why a step cannot be written: a catalogue key and its detail."""

    message_key: str
    detail: dict[str, object]


def step_problem(current: str, last_date: dt.date, to: str, on: dt.date, today: dt.date, *,
                 note: str | None, opd: str | None) -> StepProblem | None:
    """None when `to` may follow `current` on day `on`; else the reason it may not."""
    if to not in NEXT.get(current, ()):
        return StepProblem("pendataan_bad_step", {"current": current, "to": to,
                                                   "allowed": list(NEXT.get(current, ()))})
    if on > today:
        return StepProblem("pendataan_date_future", {"on": on})
    if on < last_date:
        return StepProblem("pendataan_date_before", {"on": on, "last": last_date})
    if to == "referred" and not (opd or "").strip():
        return StepProblem("pendataan_needs_opd", {})
    if to == "closed" and not (note or "").strip():
        return StepProblem("pendataan_needs_reason", {})
    return None
