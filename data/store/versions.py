"""What changed: one counter per competition and one for the shared reference tables, the keys of cached results.

A cached ranking depends on its competition (scores, entrants, stages, instrument, assignments, form status,
snapshots, settings) and on the reference tables every contest reads (posyandu and their kader, regions,
judges, practices, service records, boundaries); not on sign-ins, sessions or login attempts. So every write
that changes what a result reads calls `touch` (its competitions) or `touch_reference` inside its own
transaction, and caches key on `result_version(con, competition_id)` or `reference_version(con)`. A version
only ever grows, so a key once seen never comes back with other data behind it (restore included).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from data.store.con import Con

REFERENCE = "reference"
_COMPETITION = "competition:"


def competition_scope(competition_id: str) -> str:
    """The `versions.scope` of one competition."""
    return _COMPETITION + competition_id


def _bump(con: Con, scopes: list[str]) -> None:
    if len(set(scopes)) == 1:
        # Every save of a score passes here: a point UPDATE plans in a third of the CPU of the upsert below
        # (2 ms instead of 6 on the 2-core machine), and the row exists after a competition's first write.
        row = con.execute("UPDATE versions SET version = version + 1 WHERE scope = ?", [scopes[0]]).fetchone()
        if row is not None and row[0] == 1:
            return
    if scopes:
        con.execute("INSERT INTO versions (scope, version) SELECT unnest(?::VARCHAR[]), 1 "
                    "ON CONFLICT (scope) DO UPDATE SET version = versions.version + 1", [sorted(set(scopes))])


def touch(con: Con, *competition_ids: str) -> None:
    """Mark competitions changed (call inside the write's `transaction`): their cached results go cold."""
    _bump(con, [competition_scope(c) for c in competition_ids if c])


def touch_reference(con: Con) -> None:
    """Mark the shared reference tables changed: every result that reads them goes cold (imports, geo)."""
    _bump(con, [REFERENCE])


def touch_everything(con: Con) -> None:
    """Mark every competition (known now or before) and the reference tables changed: a restore, a demo
    build, a migration."""
    con.execute("UPDATE versions SET version = version + 1")
    con.execute("INSERT INTO versions (scope, version) "
                "SELECT ? || competition_id, 1 FROM competitions UNION SELECT ?, 1 "
                "ON CONFLICT (scope) DO NOTHING", [_COMPETITION, REFERENCE])


def competition_version(con: Con, competition_id: str) -> int:
    """How often the competition's own data changed (0 when never)."""
    row = con.sql("SELECT version FROM versions WHERE scope = ?", params=[competition_scope(competition_id)]).fetchone()
    return int(row[0]) if row else 0


def reference_version(con: Con) -> int:
    """How often the shared reference tables changed: the key of reads that use no competition."""
    row = con.sql("SELECT version FROM versions WHERE scope = ?", params=[REFERENCE]).fetchone()
    return int(row[0]) if row else 0


def result_version(con: Con, competition_id: str) -> tuple[int, int]:
    """(competition version, reference version): the key of a competition's cached results, in one read."""
    row = con.sql("SELECT coalesce(max(version) FILTER (WHERE scope = ?), 0), "
                  "coalesce(max(version) FILTER (WHERE scope = ?), 0) FROM versions",
                  params=[competition_scope(competition_id), REFERENCE]).fetchone()
    assert row is not None   # an aggregate always returns one row
    return int(row[0]), int(row[1])


def data_version(con: Con) -> int:
    """The sum of every version: grows with any write that changes a result. The key of reads that span
    competitions (the list of contests, a posyandu's history); sign-ins and sessions leave it unchanged."""
    row = con.sql("SELECT coalesce(sum(version), 0) FROM versions").fetchone()
    return int(row[0]) if row else 0
