"""Recording and following up pendataan cases, and reading them as each role may.

Who sees what: panitia every case; a pembina the cases of posyandu inside their region, and of the sensitive kinds
(data.pendataan.catalogue) only the counts; juri and the public none (a case is about a person). Every write is
one transaction with its audit row; the case's steps are history (service_record_steps), its current status the
last step.
"""

from __future__ import annotations

import datetime as dt
import uuid

import duckdb
import polars as pl

from data import store
from data.access import in_region
from data.judging import audit
from data.judging.auth import PermissionDenied, User, require_role
from data.pendataan.catalogue import SENSITIVE_WORDS, is_sensitive
from data.pendataan.flow import step_problem
from present.errors import BadInput
from scoring.fields import SPM_FIELDS

Con = duckdb.DuckDBPyConnection
ROLES = ("panitia", "pembina")
ENTITY = "service_record"

CASE_SCHEMA: dict[str, pl.DataType] = {
    "record_id": pl.String(), "posyandu_id": pl.String(), "posyandu_name": pl.String(), "desa_code": pl.String(),
    "desa_name": pl.String(), "kecamatan_name": pl.String(), "kabupaten_name": pl.String(),
    "spm_field": pl.String(), "case_type": pl.String(), "sensitive": pl.Boolean(), "recorded_on": pl.Date(),
    "status": pl.String(), "last_step_on": pl.Date(), "steps": pl.Int64(), "person_desa_code": pl.String(),
    "description": pl.String(), "opd": pl.String(),
}


def _sensitive_sql(column: str) -> str:
    """SQL for catalogue.is_sensitive over a column (the same words)."""
    return "(" + " OR ".join(f"contains(lower({column}), '{w}')" for w in SENSITIVE_WORDS) + ")"


def _region_of(user: User) -> str | None:
    return user.region_code if user.role == "pembina" else None


def _check_reader(user: User) -> None:
    require_role(user, ROLES)


def _check_posyandu(con: Con, user: User, posyandu_id: str) -> str:
    row = con.sql("SELECT desa_code FROM posyandu WHERE posyandu_id = ?", params=[posyandu_id]).fetchone()
    if row is None:
        raise BadInput("pendataan_unknown_posyandu", posyandu=posyandu_id)
    region = _region_of(user)
    if region and not in_region(row[0], region):
        raise PermissionDenied("pendataan_outside_region", region=region)
    return str(row[0] or "")


def record_case(con: Con, user: User, *, posyandu_id: str, spm_field: str, case_type: str, recorded_on: dt.date,
                person_desa_code: str | None = None, description: str | None = None,
                today: dt.date | None = None) -> str:
    """Record a new case (status recorded) and return its id. The person's desa is dropped for sensitive kinds."""
    _check_reader(user)
    today = today or dt.date.today()
    _check_posyandu(con, user, posyandu_id)
    kind = " ".join((case_type or "").split())
    if spm_field not in SPM_FIELDS:
        raise BadInput("pendataan_unknown_field", field=spm_field)
    if not kind:
        raise BadInput("pendataan_needs_type")
    if recorded_on > today:
        raise BadInput("pendataan_date_future", on=recorded_on)
    if is_sensitive(kind) and user.role != "panitia":
        # a pembina sees sensitive cases only as counts, so cannot follow one up either
        raise PermissionDenied("pendataan_sensitive_denied")
    person = None if is_sensitive(kind) else ((person_desa_code or "").strip() or None)
    rid = "REC-" + uuid.uuid4().hex[:12]
    text = (description or "").strip() or None
    with store.transaction(con):
        con.execute("INSERT INTO service_records (record_id, posyandu_id, spm_field, case_type, recorded_on, status, "
                    "person_desa_code, description, recorded_by) VALUES (?, ?, ?, ?, ?, 'recorded', ?, ?, ?)",
                    [rid, posyandu_id, spm_field, kind, recorded_on, person, text, user.username])
        con.execute("INSERT INTO service_record_steps (record_id, step_no, status, on_date, actor, note) "
                    "VALUES (?, 1, 'recorded', ?, ?, ?)", [rid, recorded_on, user.username, text])
        audit.record(con, user.username, "record", ENTITY, rid, None,
                     {"posyandu_id": posyandu_id, "spm_field": spm_field, "case_type": kind, "status": "recorded"},
                     None, source="form")
        store.touch_reference(con)
    return rid


def _current(con: Con, user: User, record_id: str) -> tuple[str, dt.date, int, str]:
    """(status, date of the last step, number of steps, case type) of a case the user may follow."""
    row = con.sql("SELECT r.status, r.posyandu_id, r.case_type, max(s.on_date), count(s.step_no) "
                  "FROM service_records r LEFT JOIN service_record_steps s USING (record_id) "
                  "WHERE r.record_id = ? GROUP BY ALL", params=[record_id]).fetchone()
    if row is None:
        raise BadInput("pendataan_unknown_case", record=record_id)
    status, posyandu_id, kind, last, steps = row
    _check_posyandu(con, user, posyandu_id)
    if is_sensitive(kind) and user.role != "panitia":
        raise PermissionDenied("pendataan_sensitive_denied")
    return str(status), last, int(steps), str(kind)


def advance_case(con: Con, user: User, record_id: str, to: str, on: dt.date, *, note: str | None = None,
                 opd: str | None = None, today: dt.date | None = None) -> int:
    """Write the next step of a case (see data.pendataan.flow) and return its number; refused steps raise BadInput."""
    _check_reader(user)
    today = today or dt.date.today()
    status, last, steps, _ = _current(con, user, record_id)
    problem = step_problem(status, last, to, on, today, note=note, opd=opd)
    if problem is not None:
        raise BadInput(problem.message_key, **problem.detail)
    number = steps + 1

    with store.transaction(con):
        con.execute("INSERT INTO service_record_steps (record_id, step_no, status, on_date, actor, note, opd) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [record_id, number, to, on, user.username, (note or "").strip() or None,
                     (opd or "").strip() or None])
        con.execute("UPDATE service_records SET status = ? WHERE record_id = ?", [to, record_id])
        audit.record(con, user.username, "follow_up", ENTITY, record_id, {"status": status},
                     {"status": to, "on": on.isoformat(), "opd": opd}, (note or "").strip() or None, source="form")
        store.touch_reference(con)
    return number


def _read(con: Con, where: str, params: list[object]) -> pl.DataFrame:
    return con.sql(f"""
        SELECT r.record_id, r.posyandu_id, p.name AS posyandu_name, p.desa_code, d.name AS desa_name,
               k.name AS kecamatan_name, b.name AS kabupaten_name, r.spm_field, r.case_type,
               {_sensitive_sql('r.case_type')} AS sensitive, r.recorded_on, r.status,
               max(s.on_date) AS last_step_on, count(s.step_no) AS steps, r.person_desa_code, r.description,
               arg_max(s.opd, s.step_no) FILTER (WHERE s.opd IS NOT NULL) AS opd
        FROM service_records r JOIN posyandu p USING (posyandu_id)
        LEFT JOIN service_record_steps s USING (record_id)
        LEFT JOIN regions d ON d.code = p.desa_code
        LEFT JOIN regions k ON k.code = substr(p.desa_code, 1, 8)
        LEFT JOIN regions b ON b.code = substr(p.desa_code, 1, 5)
        WHERE {where}
        GROUP BY ALL ORDER BY r.recorded_on, r.record_id
    """, params=params).pl().cast(CASE_SCHEMA)   # type: ignore[arg-type]


def _scope(user: User, region_code: str | None) -> tuple[str, list[object]]:
    """The WHERE clause of the cases a user may list, inside `region_code` when given."""
    where: list[str] = ["TRUE"]
    params: list[object] = []
    for region in (r for r in (_region_of(user), region_code) if r):
        where.append("(p.desa_code = ? OR starts_with(p.desa_code, ?))")
        params += [region, region + "."]
    return " AND ".join(where), params


def cases(con: Con, user: User, region_code: str | None = None) -> pl.DataFrame:
    """The cases a user may see one by one (CASE_SCHEMA): for a pembina, no sensitive kind."""
    _check_reader(user)
    where, params = _scope(user, region_code)
    if user.role != "panitia":
        where += f" AND NOT {_sensitive_sql('r.case_type')}"
    return _read(con, where, params)


def sensitive_counts(con: Con, user: User, region_code: str | None = None) -> pl.DataFrame:
    """Sensitive cases as counts per field and status (what a pembina may know of them)."""
    _check_reader(user)
    where, params = _scope(user, region_code)
    return con.sql(f"""
        SELECT spm_field, status, n FROM (
            SELECT r.spm_field, r.status, count(*) AS n FROM service_records r JOIN posyandu p USING (posyandu_id)
            WHERE {where} AND {_sensitive_sql('r.case_type')} GROUP BY ALL)
        ORDER BY spm_field, list_position(['recorded', 'verified', 'referred', 'resolved', 'closed'], status)
    """, params=params).pl()


def case_history(con: Con, user: User, record_id: str) -> pl.DataFrame:
    """Every step of one case, oldest first (step_no, status, on_date, actor, note, opd, written_at)."""
    _check_reader(user)
    _current(con, user, record_id)
    return con.sql("SELECT step_no, status, on_date, actor, note, opd, written_at FROM service_record_steps "
                   "WHERE record_id = ? ORDER BY step_no", params=[record_id]).pl()


def kabupaten_choices(con: Con, user: User) -> pl.DataFrame:
    """The kabupaten/kota (code, name) that have posyandu, inside a pembina's region: the page's region picker."""
    _check_reader(user)
    where, params = _scope(user, None)
    return con.sql(f"""
        SELECT DISTINCT substr(p.desa_code, 1, 5) AS code, b.name FROM posyandu p
        LEFT JOIN regions b ON b.code = substr(p.desa_code, 1, 5) WHERE {where} ORDER BY code
    """, params=params).pl()


def posyandu_choices(con: Con, user: User, region_code: str | None) -> pl.DataFrame:
    """The posyandu (id, name, desa name) a user may record a case for, inside `region_code`."""
    _check_reader(user)
    where, params = _scope(user, region_code)
    return con.sql(f"""
        SELECT p.posyandu_id, p.name, d.name AS desa_name FROM posyandu p LEFT JOIN regions d ON d.code = p.desa_code
        WHERE {where} ORDER BY p.name, p.posyandu_id
    """, params=params).pl()
