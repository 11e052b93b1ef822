"""Entrants by hand: the panitia registers a posyandu (name and desa) and enters it in a competition, or enters a
posyandu already in the registry, or takes out one entered by mistake, on a page instead of an import file.

The same rules as the imports: the desa is a Kemendagri desa/kelurahan code, a competition's entrants lie inside
its region and each posyandu enters a competition once. An entrant with scores, or one that came up from the
level below, cannot be taken out (the audit trail and the advancement link must stay whole). Every change is in
the audit log and marks the competition (or the registry) changed.
"""

from __future__ import annotations

import re

import duckdb
import polars as pl

from data import regions, store
from data.judging.audit import record
from data.judging.auth import User, require_role
from present.errors import BadInput

Con = duckdb.DuckDBPyConnection
NAME_MAX = 120
_ID_SAFE = re.compile(r"[^0-9A-Za-z]")


def _desa(con: Con, code: str | None) -> str:
    """The desa/kelurahan code as stored, or BadInput naming what was given."""
    norm = regions.normalize_code(code or "")
    row = con.sql("SELECT code FROM regions WHERE code = ? AND level = 4", params=[norm or ""]).fetchone()
    if row is None:
        raise BadInput("contest_entrant_bad_desa", value=code or "")
    return str(row[0])


def new_posyandu_id(con: Con, desa_code: str) -> str:
    """The next free id of the importers' shape for a desa: PSY-<desa code without dots>-<nn>."""
    stem = f"PSY-{_ID_SAFE.sub('', desa_code)}-"
    taken = {r[0] for r in con.sql("SELECT posyandu_id FROM posyandu WHERE starts_with(posyandu_id, ?)",
                                   params=[stem]).fetchall()}
    n = 1
    while f"{stem}{n:02d}" in taken:
        n += 1
    return f"{stem}{n:02d}"


def _checked_posyandu(con: Con, name: str, desa_code: str, contact_phone: str | None) -> tuple[str, str, str | None]:
    """The cleaned name, desa and phone of a posyandu to register, or BadInput: an empty or over-long name, a code
    that is not a desa/kelurahan, a name already registered in that desa (case and spacing ignored)."""
    clean = " ".join((name or "").split())
    if not clean:
        raise BadInput("contest_entrant_name_missing")
    if len(clean) > NAME_MAX:
        raise BadInput("contest_entrant_name_long", n=NAME_MAX)
    desa = _desa(con, desa_code)
    same = con.sql("SELECT posyandu_id FROM posyandu WHERE desa_code = ? AND lower(name) = lower(?)",
                   params=[desa, clean]).fetchone()
    if same is not None:
        raise BadInput("contest_entrant_posyandu_exists", name=clean, posyandu_id=str(same[0]))
    phone = (contact_phone or "").strip() or None
    if phone is not None and not re.fullmatch(r"\+?[0-9 ()-]{6,20}", phone):
        raise BadInput("contest_entrant_bad_phone", value=phone)
    return clean, desa, phone


def _insert_posyandu(con: Con, user: User, name: str, desa: str, contact_name: str | None,
                     phone: str | None) -> str:
    pid = new_posyandu_id(con, desa)
    con.execute("INSERT INTO posyandu (posyandu_id, name, desa_code, contact_name, contact_phone) "
                "VALUES (?, ?, ?, ?, ?)", [pid, name, desa, (contact_name or "").strip() or None, phone])
    record(con, user.username, "create", "posyandu", pid, None, {"name": name, "desa_code": desa}, None,
           source="setup")
    store.touch_reference(con)
    return pid


def add_posyandu(con: Con, user: User, name: str, desa_code: str, *, contact_name: str | None = None,
                 contact_phone: str | None = None) -> str:
    """Register a posyandu by hand (panitia only); returns its new id (PSY-<desa code>-<nn>)."""
    require_role(user, ["panitia"])
    clean, desa, phone = _checked_posyandu(con, name, desa_code, contact_phone)
    with store.transaction(con):
        return _insert_posyandu(con, user, clean, desa, contact_name, phone)


def candidates(con: Con, competition_id: str) -> pl.DataFrame:
    """Registered posyandu inside the competition's region that are not entered yet (posyandu_id, name, desa_name,
    kecamatan_name), by name: what the "enter a registered posyandu" picker offers."""
    return con.sql(
        "SELECT p.posyandu_id, p.name, d.name AS desa_name, k.name AS kecamatan_name FROM posyandu p "
        "JOIN competitions c ON c.competition_id = ? "
        "LEFT JOIN regions d ON d.code = p.desa_code "
        "LEFT JOIN regions k ON k.code = d.parent_code "
        "WHERE starts_with(p.desa_code, c.scope_code) AND p.posyandu_id NOT IN "
        "  (SELECT posyandu_id FROM entrants WHERE competition_id = ?) ORDER BY p.name, p.posyandu_id",
        params=[competition_id, competition_id]).pl()


def _entry_stage(con: Con, competition_id: str, name: str, desa: str) -> str:
    """The first stage an entrant of this competition starts at, or BadInput: no such competition, a desa outside
    its region, or a stage already finalised (the results people were told would change)."""
    comp = con.sql("SELECT scope_code FROM competitions WHERE competition_id = ?", params=[competition_id]).fetchone()
    if comp is None:
        raise BadInput("contest_entrant_no_competition", competition=competition_id)
    if not str(desa).startswith(str(comp[0])):
        raise BadInput("contest_entrant_outside", name=name, scope=regions.region_label(comp[0], con))
    done = con.sql("SELECT stage FROM competition_stages WHERE competition_id = ? AND finalized_at IS NOT NULL "
                   "ORDER BY ord LIMIT 1", params=[competition_id]).fetchone()
    if done is not None:
        raise BadInput("contest_entrant_stage_final", stage=str(done[0]))
    first = con.sql("SELECT stage FROM competition_stages WHERE competition_id = ? ORDER BY ord LIMIT 1",
                    params=[competition_id]).fetchone()
    return str(first[0]) if first else "administrasi"


def _insert_entrant(con: Con, user: User, competition_id: str, posyandu_id: str, name: str, stage: str) -> str:
    eid = f"{competition_id}:{posyandu_id}"
    con.execute("INSERT INTO entrants (entrant_id, competition_id, posyandu_id, stage_reached) VALUES (?, ?, ?, ?)",
                [eid, competition_id, posyandu_id, stage])
    record(con, user.username, "create", "entrant", f"{competition_id}/{eid}", None,
           {"posyandu_id": posyandu_id, "name": name}, None, source="setup", competition_id=competition_id,
           entrant_id=eid)
    store.touch(con, competition_id)
    return eid


def add_entrant(con: Con, user: User, competition_id: str, posyandu_id: str) -> str:
    """Enter a registered posyandu in a competition (panitia only) at its first stage; returns the entrant id.
    Refused outside the competition's region, twice in one competition, or once a stage is finalised."""
    require_role(user, ["panitia"])
    row = con.sql("SELECT name, desa_code FROM posyandu WHERE posyandu_id = ?", params=[posyandu_id]).fetchone()
    if row is None:
        raise BadInput("exchange_unknown_posyandu", value=posyandu_id)
    name, desa = str(row[0]), str(row[1])
    stage = _entry_stage(con, competition_id, name, desa)
    if con.sql("SELECT 1 FROM entrants WHERE competition_id = ? AND posyandu_id = ?",
               params=[competition_id, posyandu_id]).fetchone():
        raise BadInput("contest_entrant_already", name=name)
    with store.transaction(con):
        return _insert_entrant(con, user, competition_id, posyandu_id, name, stage)


def register_and_enter(con: Con, user: User, competition_id: str, name: str, desa_code: str | None, *,
                       contact_name: str | None = None, contact_phone: str | None = None) -> tuple[str, str]:
    """A new posyandu registered and entered in one step, all or nothing; returns (posyandu id, entrant id)."""
    require_role(user, ["panitia"])
    if not desa_code:
        raise BadInput("contest_entrant_pick_desa")
    clean, desa, phone = _checked_posyandu(con, name, desa_code, contact_phone)
    stage = _entry_stage(con, competition_id, clean, desa)
    with store.transaction(con):
        pid = _insert_posyandu(con, user, clean, desa, contact_name, phone)
        return pid, _insert_entrant(con, user, competition_id, pid, clean, stage)


def remove_entrant(con: Con, user: User, competition_id: str, entrant_id: str, reason: str) -> str:
    """Take an entrant out of a competition (panitia only, with a reason); returns the posyandu's name. Refused
    once it has a score or came up from the level below; its open assignments go with it."""
    require_role(user, ["panitia"])
    why = " ".join((reason or "").split())
    if not why:
        raise BadInput("contest_entrant_reason_missing")
    row = con.sql("SELECT p.name, e.source_entrant_id FROM entrants e JOIN posyandu p USING (posyandu_id) "
                  "WHERE e.competition_id = ? AND e.entrant_id = ?", params=[competition_id, entrant_id]).fetchone()
    if row is None:
        raise BadInput("contest_entrant_not_entered", entrant=entrant_id)
    name, source = row
    if source is not None:
        raise BadInput("contest_entrant_advanced", name=name)
    if con.sql("SELECT 1 FROM scores WHERE competition_id = ? AND entrant_id = ? LIMIT 1",
               params=[competition_id, entrant_id]).fetchone():
        raise BadInput("contest_entrant_has_scores", name=name)
    with store.transaction(con):
        for table in ("assignments", "judging_forms", "finalists"):
            con.execute(f"DELETE FROM {table} WHERE competition_id = ? AND entrant_id = ?",  # noqa: S608 (our names)
                        [competition_id, entrant_id])
        con.execute("DELETE FROM entrants WHERE competition_id = ? AND entrant_id = ?", [competition_id, entrant_id])
        record(con, user.username, "remove", "entrant", f"{competition_id}/{entrant_id}", {"name": name}, None, why,
               source="setup", competition_id=competition_id, entrant_id=entrant_id)
        store.touch(con, competition_id)
    return str(name)

