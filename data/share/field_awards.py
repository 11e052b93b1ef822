"""Field awards ("Juara bidang Kesehatan"): a contest declares how many places per SPM field it awards (table
`field_awards`, migration 018); the winners are the entrants best on that field's section score, ties shared
(`scoring.league.field_winners`), from the same league table the pages and documents show."""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl

from data import store
from data.judging import audit
from data.judging.auth import User, require_role
from present.errors import BadInput
from scoring.fields import SPM_FIELDS
from scoring.league import field_winners

Con = duckdb.DuckDBPyConnection
MAX_PLACES = 3


def declared_places(con: Con, competition_id: str) -> int:
    """How many places per field the contest awards (0: no field awards declared)."""
    row = con.sql("SELECT places FROM field_awards WHERE competition_id = ?", params=[competition_id]).fetchone()
    return int(row[0]) if row else 0


def set_places(con: Con, user: User, competition_id: str, places: int) -> int:
    """Declare (or withdraw, with 0) the field awards of a contest; refused once its results are final, since the
    berita acara was printed with what was declared then. Audited; marks the contest changed."""
    from data.judging.publication import is_final

    require_role(user, ["panitia"])
    if not 0 <= int(places) <= MAX_PLACES:
        raise BadInput("error_share_field_places", max=MAX_PLACES)
    old = declared_places(con, competition_id)
    if int(places) == old:
        return old
    if is_final(con, competition_id):
        raise BadInput("error_share_field_awards_final")

    def write() -> None:
        with store.transaction(con):
            con.execute("DELETE FROM field_awards WHERE competition_id = ?", [competition_id])
            if places:
                con.execute("INSERT INTO field_awards VALUES (?, ?, ?, ?)",
                            [competition_id, int(places), user.username, dt.datetime.now()])
            audit.record(con, user.username, "set_field_awards", "competition", competition_id, old, int(places),
                         None, source="setup")
            store.touch(con, competition_id)
    store.with_retry(write)
    return int(places)


def winners(table: pl.DataFrame, places: int, decimals: int = 2) -> pl.DataFrame:
    """The field award winners of a league table (spm_field, field_rank, entrant_id, posyandu_name, score);
    empty when none are declared or the table holds no field scores (an imported totals-only round)."""
    return field_winners(table, SPM_FIELDS, places=places, decimals=decimals) if places else \
        field_winners(table.head(0), (), places=1)
