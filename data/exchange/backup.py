"""Full backup and restore of the store, verified by per-table checksums.

A backup is a zip: `manifest.json` (format, schema migrations, sequences, per-table row count, columns and
checksum) and one Parquet file per table. Restore checks the zip's own checksums, refuses a backup made for
another schema, replaces every table in ONE transaction, recomputes the checksums inside that transaction and
rolls back on any difference: the store afterwards is identical to the one backed up (plus one audit row
recording the restore: who, when, which file), or unchanged.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import zipfile
from dataclasses import dataclass

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from data import store
from data.exchange.problems import Problem
from data.store.audit import record
from present.cells import csv_safe
from present.errors import BadInput

FORMAT = "posyandu-backup/1"
# The cache versions of this store, not of the data: kept out of a backup, and moved forward (never back) by a
# restore, so a result cached before the restore is never served after it.
VOLATILE_TABLES = ("versions",)


def base_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every base table of the store that holds data (views and the cache versions left out), sorted."""
    return [r[0] for r in con.sql(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
        "AND table_type = 'BASE TABLE' ORDER BY 1").fetchall() if r[0] not in VOLATILE_TABLES]


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def table_checksum(con: duckdb.DuckDBPyConnection, table: str) -> str:
    """Row count and an order-independent digest of every row's hash: equal iff the same rows (as a multiset)."""
    n, total, xor = store.one(
        con, f"SELECT count(*), coalesce(sum(hash(t)::HUGEINT), 0), coalesce(bit_xor(hash(t)), 0) "
        f"FROM {_quoted(table)} t")
    return f"{n}:{total}:{xor}"


# Views that are the readable form of coded tables (migration 010): checked and exported beside their tables.
READABLE_VIEWS = ("scores",)


def _readable_views(con: duckdb.DuckDBPyConnection) -> list[str]:
    present = {r[0] for r in con.sql("SELECT table_name FROM information_schema.tables "
                                     "WHERE table_schema = 'main' AND table_type = 'VIEW'").fetchall()}
    return [v for v in READABLE_VIEWS if v in present]


def table_checksums(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """A checksum of every table (and of the scores as read), to prove a store unchanged (failed import) or
    identical (restore)."""
    return {t: table_checksum(con, t) for t in sorted(base_tables(con) + _readable_views(con))}


def _sequences(con: duckdb.DuckDBPyConnection) -> dict[str, int | None]:
    return {r[0]: r[1] for r in con.sql(
        "SELECT sequence_name, last_value FROM duckdb_sequences() WHERE schema_name = 'main'").fetchall()}


def make_backup(con: duckdb.DuckDBPyConnection) -> bytes:
    """The whole store as backup bytes (zip of Parquet per table plus a manifest)."""
    tables = base_tables(con)
    manifest: dict = {
        "format": FORMAT,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "migrations": store.applied_migrations(con),
        "sequences": _sequences(con),
        "tables": {},
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for table in tables:
            arrow = con.sql(f"SELECT * FROM {_quoted(table)}").arrow()
            if isinstance(arrow, pa.RecordBatchReader):
                arrow = arrow.read_all()
            pbuf = io.BytesIO()
            pq.write_table(arrow, pbuf)
            data = pbuf.getvalue()
            z.writestr(f"tables/{table}.parquet", data)
            manifest["tables"][table] = {"rows": arrow.num_rows, "columns": arrow.column_names,
                                         "checksum": table_checksum(con, table),
                                         "sha256": hashlib.sha256(data).hexdigest()}
        z.writestr("manifest.json", json.dumps(manifest, indent=2, sort_keys=True))
    return buf.getvalue()


@dataclass(frozen=True)
class RestoreResult:
    restored: bool
    problems: tuple[Problem, ...]
    tables: int = 0
    rows: int = 0


def read_manifest(data: bytes, file_name: str = "backup.zip") -> tuple[dict | None, list[Problem]]:
    """The manifest of a backup file, or the problems that make it unusable."""
    def fail(key: str, **detail: object) -> tuple[None, list[Problem]]:
        return None, [Problem(file_name, None, None, None, key, dict(detail))]
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            manifest = json.loads(z.read("manifest.json"))
            if manifest.get("format") != FORMAT:
                return fail("exchange_backup_format", found=manifest.get("format"))
            for table, info in manifest["tables"].items():
                got = hashlib.sha256(z.read(f"tables/{table}.parquet")).hexdigest()
                if got != info["sha256"]:
                    return fail("exchange_backup_damaged", table=table)
    except (zipfile.BadZipFile, KeyError, ValueError):
        return fail("exchange_backup_not_a_backup")
    return manifest, []


def _upgraded(z: zipfile.ZipFile, manifest: dict) -> tuple[duckdb.DuckDBPyConnection | None, str | None]:
    """A backup of an earlier schema loaded into a scratch store at that schema, checked against its checksums,
    then brought to this release by the same migrations a store file takes (e.g. 010 moves the scores to their
    coded layout); or None and the problem: its tables are not that schema's, or one fails its checksum."""
    tmp = duckdb.connect()
    store.applied_migrations(tmp)
    for number, name, path in store.migrations():
        if number in manifest["migrations"]:
            tmp.execute(path.read_text(encoding="utf-8"))
            tmp.execute("INSERT INTO schema_migrations (version, name) VALUES (?, ?)", [number, name])
    if sorted(manifest["tables"]) != base_tables(tmp):
        tmp.close()
        return None, "exchange_backup_schema"
    tmp.execute("DELETE FROM schema_migrations")
    for table in manifest["tables"]:
        try:
            _load_table(tmp, table, pq.read_table(io.BytesIO(z.read(f"tables/{table}.parquet"))))
        except duckdb.Error:
            tmp.close()
            return None, "exchange_backup_schema"
        if table_checksum(tmp, table) != manifest["tables"][table]["checksum"]:
            tmp.close()
            return None, "exchange_backup_damaged"
    store.migrate(tmp)
    return tmp, None


def _load_table(con: duckdb.DuckDBPyConnection, table: str, arrow: pa.Table) -> None:
    con.execute(f"DELETE FROM {_quoted(table)}")
    if arrow.num_rows:
        cols = ", ".join(_quoted(c) for c in arrow.column_names)
        con.register("_restore_rows", arrow)
        try:
            con.execute(f"INSERT INTO {_quoted(table)} ({cols}) SELECT {cols} FROM _restore_rows")
        finally:
            con.unregister("_restore_rows")


def restore_backup(con: duckdb.DuckDBPyConnection, data: bytes, file_name: str = "backup.zip",
                   actor: str = "system") -> RestoreResult:
    """Replace the whole store with the backup, in one transaction; verified by checksums or rolled back.

    A backup made by an earlier release (its migrations a prefix of this store's) is first upgraded through the
    later migrations in a scratch store, then restored from there, verified against that scratch store."""
    manifest, problems = read_manifest(data, file_name)
    if manifest is None:
        return RestoreResult(False, tuple(problems))
    ours = store.applied_migrations(con)
    older = manifest["migrations"] != ours and manifest["migrations"] == ours[:len(manifest["migrations"])]
    if manifest["migrations"] != ours and not older:
        return RestoreResult(False, (Problem(file_name, None, None, None, "exchange_backup_schema",
                                             {"found": manifest["migrations"], "expected": ours}),))
    tables = base_tables(con)
    source: duckdb.DuckDBPyConnection | None = None
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        if older:
            source, problem = _upgraded(z, manifest)
            if source is None:
                detail = ({"found": manifest["migrations"], "expected": ours} if problem == "exchange_backup_schema"
                          else {"table": "?"})
                return RestoreResult(False, (Problem(file_name, None, None, None, str(problem), detail),))
            have = base_tables(source)
            expected = {t: table_checksum(source, t) for t in have}
        else:
            have = sorted(manifest["tables"])
            expected = {t: manifest["tables"][t]["checksum"] for t in have}
        missing = sorted(set(have) ^ set(tables))
        if missing:
            return RestoreResult(False, (Problem(file_name, None, None, None, "exchange_backup_schema",
                                                 {"found": sorted(have), "expected": tables}),))
        rows = 0
        try:
            with store.transaction(con):
                for table in tables:
                    if source is not None:
                        arrow = source.sql(f"SELECT * FROM {_quoted(table)}").to_arrow_table()
                    else:
                        arrow = pq.read_table(io.BytesIO(z.read(f"tables/{table}.parquet")))
                    _load_table(con, table, arrow)
                    rows += arrow.num_rows
                bad = [t for t in tables if table_checksum(con, t) != expected[t]]
                if bad:
                    raise _ChecksumMismatch(bad)
                store.touch_everything(con)   # every cached result, of every contest, goes cold
                _advance_sequences(con, manifest.get("sequences", {}))
                # The restored log is kept whole, and the restore itself is its newest entry.
                record(con, actor, "restore", "store", file_name, None,
                       {"backup_created_at": manifest.get("created_at"), "tables": len(tables), "rows": rows},
                       None, source="restore")
        except _ChecksumMismatch as err:
            return RestoreResult(False, (Problem(file_name, None, None, None, "exchange_backup_damaged",
                                                 {"table": ", ".join(err.tables)}),))
        finally:
            if source is not None:
                source.close()
    return RestoreResult(True, (), len(tables), rows)


class _ChecksumMismatch(Exception):
    def __init__(self, tables: list[str]) -> None:
        super().__init__(tables)
        self.tables = tables


def _advance_sequences(con: duckdb.DuckDBPyConnection, wanted: dict[str, int | None]) -> None:
    """Move each sequence past the backup's last value, so new audit rows do not collide with restored ones.

    DuckDB has no setval; drawing the missing values in one query is cheap even for millions.
    """
    now = _sequences(con)
    wanted = dict(wanted)
    # a column drawing from a sequence must also get past its largest restored value (a store whose rows were
    # copied in with their ids has a sequence that lags behind them)
    for table, column, default in con.sql(
            "SELECT table_name, column_name, column_default FROM information_schema.columns "
            "WHERE table_schema = 'main' AND column_default LIKE 'nextval(%'").fetchall():
        seq = default.split("'")[1] if "'" in default else None
        if seq in now:
            top = store.scalar(con, f"SELECT max({_quoted(column)}) FROM {_quoted(table)}")
            if top is not None and (wanted.get(seq) is None or top > (wanted[seq] or 0)):
                wanted[seq] = int(top)
    for name, last in wanted.items():
        if last is None or name not in now:
            continue
        gap = last - (now[name] or 0)
        if gap > 0:
            con.sql(f"SELECT max(nextval('{name}')) FROM range(?)", params=[gap]).fetchall()


TABLE_FORMATS = ("csv", "parquet")


def export_tables(con: duckdb.DuckDBPyConnection, fmt: str = "csv") -> bytes:
    """Every table as CSV (UTF-8, comma) or Parquet files in one zip, for analysts and archives.

    CSV cannot hold lists or bytes: lists are written as their text form, BLOBs (geometry WKB) as hex.
    """
    if fmt not in TABLE_FORMATS:
        raise BadInput("error_exchange_unknown_table_format", format=fmt, formats=", ".join(TABLE_FORMATS))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for table in base_tables(con) + _readable_views(con):    # the scores with their ids, for analysts
            cols = con.sql("SELECT column_name, data_type FROM information_schema.columns "
                           "WHERE table_schema = 'main' AND table_name = ? ORDER BY ordinal_position",
                           params=[table]).fetchall()
            select = []
            for name, dtype in cols:
                q = _quoted(name)
                if fmt == "csv" and dtype == "BLOB":
                    select.append(f"hex({q}) AS {q}")
                elif fmt == "csv" and ("[" in dtype or dtype.startswith(("STRUCT", "MAP"))):
                    select.append(f"CAST({q} AS VARCHAR) AS {q}")
                else:
                    select.append(q)
            frame = con.sql(f"SELECT {', '.join(select)} FROM {_quoted(table)}").pl()
            out = io.BytesIO()
            if fmt == "csv":
                csv_safe(frame).write_csv(out)     # text a spreadsheet would run as a formula gets a quote
            else:
                frame.write_parquet(out)
            z.writestr(f"{table}.{fmt}", out.getvalue())
    return buf.getvalue()
