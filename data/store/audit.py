"""The one writer of the audit trail: one row per changed value (who, when, what, old and new, why, from which
path, and where: competition, stage, entrant, judge, criterion).

Every path that changes a stored value calls `record` (one row) or `record_rows` (many, built with `entry`)
inside its own transaction; `data.judging.audit` builds the rows of an import and reads the trail.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

import polars as pl

from data.store.bulk import insert_frame
from data.store.con import Con
from data.store.connect import scalar

SOURCES: tuple[str, ...] = ("form", "import", "kobo", "reopen", "protest", "restore", "evidence", "setup")
# The structured columns each kind of entity_key carries, in key order.
KEY_PARTS: dict[str, tuple[str, ...]] = {
    "score": ("competition_id", "stage", "entrant_id", "judge_id", "criterion_id"),
    "form": ("competition_id", "stage", "entrant_id", "judge_id"),
    "assignment": ("competition_id", "stage", "entrant_id", "judge_id"),
    "stage": ("competition_id", "stage"),
    "competition": ("competition_id",),
    "protest": ("competition_id", "stage", "entrant_id"),
    "entrant": ("competition_id",),
}
PLACE: tuple[str, ...] = ("competition_id", "stage", "entrant_id", "judge_id", "criterion_id")
ROW_SCHEMA: dict[str, Any] = {
    "changed_at": pl.Datetime("us"), "actor": pl.String, "action": pl.String, "entity": pl.String,
    "entity_key": pl.String, "old_value": pl.String, "new_value": pl.String, "reason": pl.String,
    "source": pl.String, "ref_audit_id": pl.Int64, **dict.fromkeys(PLACE, pl.String)}


def encode(value: Any) -> str | None:
    """How a value is stored in old_value / new_value: text as is, anything else as sorted JSON."""
    if value is None:
        return None
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)


def key_parts(entity: str, key: str) -> dict[str, str | None]:
    """The competition, stage, entrant, judge and criterion named by an entity key (None when not named)."""
    names = KEY_PARTS.get(entity, ())
    parts = key.split("/")
    return {n: (parts[i] or None) if i < len(parts) else None for i, n in enumerate(names)}


def entry(actor: str, action: str, entity: str, key: str, old: Any, new: Any, reason: str | None = None, *,
          source: str | None = None, ref: int | None = None, changed_at: dt.datetime | None = None,
          **place: str | None) -> dict[str, Any]:
    """One audit row as `record_rows` writes it. `place` (competition_id, stage, entrant_id, judge_id,
    criterion_id) overrides what the key says; `changed_at` is now unless given."""
    if source is not None and source not in SOURCES:
        raise LookupError(f"unknown audit source {source!r}; one of {SOURCES}")
    where = key_parts(entity, key) | {k: v for k, v in place.items() if k in PLACE}
    return {"changed_at": changed_at or dt.datetime.now(), "actor": actor, "action": action, "entity": entity,
            "entity_key": key, "old_value": encode(old), "new_value": encode(new), "reason": reason,
            "source": source, "ref_audit_id": ref, **{k: where.get(k) for k in PLACE}}


def record(con: Con, actor: str, action: str, entity: str, key: str, old: Any, new: Any,
           reason: str | None = None, *, source: str | None = None, ref: int | None = None,
           changed_at: dt.datetime | None = None, **place: str | None) -> int:
    """Write one audit row inside the caller's transaction and return its id (see `entry`)."""
    row = entry(actor, action, entity, key, old, new, reason, source=source, ref=ref, changed_at=changed_at,
                **place)
    names = ", ".join(row)
    return int(scalar(con, f"INSERT INTO audit_log ({names}) VALUES ({', '.join('?' * len(row))}) RETURNING audit_id",
                      params=list(row.values())))


def record_rows(con: Con, rows: Sequence[dict[str, Any]]) -> int:
    """Write many rows made by `entry` in one statement, inside the caller's transaction; returns how many."""
    return insert_frame(con, "audit_log", pl.DataFrame(list(rows), schema=ROW_SCHEMA))
