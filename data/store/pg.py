"""PostgreSQL for the transactional tables (issue #16): a pool of psycopg 3 connections, and `PgConnection`, the
small part of DuckDB's connection API that `data/` uses, so one function runs on either store.

The data layer speaks DuckDB's Python API: `con.sql(q, params=[…])` and `con.execute(q, […])`, `?`
placeholders, `.fetchone()` / `.fetchall()` / `.pl()`, `store.transaction(con)` sending BEGIN / COMMIT /
ROLLBACK. `PgConnection` offers exactly that on a psycopg connection in autocommit mode (so the explicit BEGIN of
`store.transaction` opens the transaction, as in DuckDB): `?` becomes `%s`, a statement without a result answers
its row count (DuckDB's "Count" row), and a result becomes a Polars frame with the column types PostgreSQL
declared, also when it has no rows. SQL both stores read alike is written once; where they differ the function
asks `data.store.con.is_postgres(con)` (docs/postgres.md lists the few places).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import polars as pl
import psycopg
import pyarrow as pa
from psycopg_pool import ConnectionPool

Params = Sequence[Any] | None

# PostgreSQL type OIDs (pg_type.oid, stable across versions) → the Polars type DuckDB gives the same column.
_POLARS_OF_OID: dict[int, Any] = {
    16: pl.Boolean, 20: pl.Int64, 21: pl.Int16, 23: pl.Int32, 25: pl.String, 1043: pl.String, 1042: pl.String,
    19: pl.String, 700: pl.Float32, 701: pl.Float64, 1700: pl.Float64, 1082: pl.Date, 1114: pl.Datetime("us"),
    1184: pl.Datetime("us", "UTC"), 1083: pl.Time, 1186: pl.Duration("us"), 17: pl.Binary,
    1009: pl.List(pl.String), 1015: pl.List(pl.String), 1022: pl.List(pl.Float64), 1007: pl.List(pl.Int32),
    1016: pl.List(pl.Int64), 114: pl.String, 3802: pl.String,
}


@functools.lru_cache(maxsize=4096)
def translate(query: str) -> str:
    """A query with DuckDB's `?` placeholders as psycopg writes it: `%s`, and every literal `%` doubled.
    A `?` inside quoted text or a quoted identifier stays as it is."""
    out: list[str] = []
    quote: str | None = None
    for ch in query:
        if ch == "%":
            out.append("%%")
        elif quote is not None:
            out.append(ch)
            if ch == quote:
                quote = None
        elif ch in ("'", '"'):
            quote = ch
            out.append(ch)
        elif ch == "?":
            out.append("%s")
        else:
            out.append(ch)
    return "".join(out)


def _bindable(value: Any) -> Any:
    """Values as psycopg binds them: a tuple as an array (DuckDB takes tuples and lists alike)."""
    return list(value) if isinstance(value, tuple) else value


class PgResult:
    """The rows of one statement, read the way the data layer reads a DuckDB result."""

    def __init__(self, rows: list[tuple[Any, ...]], columns: list[str], oids: list[int]) -> None:
        self._rows = rows
        self._next = 0
        self.columns = columns
        self._oids = oids

    def fetchone(self) -> tuple[Any, ...] | None:
        if self._next >= len(self._rows):
            return None
        self._next += 1
        return self._rows[self._next - 1]

    def fetchall(self) -> list[tuple[Any, ...]]:
        rest, self._next = self._rows[self._next:], len(self._rows)
        return rest

    def pl(self) -> pl.DataFrame:
        """The rows as a Polars frame typed from PostgreSQL's column types (an empty result keeps its columns)."""
        schema = {name: _POLARS_OF_OID.get(oid, pl.Object) for name, oid in zip(self.columns, self._oids, strict=True)}
        rows = self._rows[self._next:]
        if any(dtype is pl.Object for dtype in schema.values()):
            raise TypeError(f"no Polars type for PostgreSQL column types {self._oids} in {self.columns}")
        if any(dtype == pl.Float64 and oid == 1700 for dtype, oid in zip(schema.values(), self._oids, strict=True)):
            # numeric (sum of a bigint, avg) arrives as Decimal: as a float, like DuckDB's double
            rows = [tuple(float(v) if oid == 1700 and v is not None else v for v, oid in zip(r, self._oids,
                                                                                             strict=True))
                    for r in rows]
        return pl.DataFrame(rows, schema=schema, orient="row")


    def to_arrow_table(self) -> pa.Table:
        """The rows as an Arrow table (typed as `pl()` types them)."""
        return self.pl().to_arrow()


class PgConnection:
    """One pooled PostgreSQL connection behind DuckDB's calls (`sql`, `execute`, `executemany`, `cursor`)."""

    dialect = "postgres"

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        if not conn.autocommit:
            raise ValueError("PgConnection needs an autocommit connection: store.transaction sends BEGIN itself")
        self.raw = conn

    def execute(self, query: str, parameters: Params = None) -> PgResult:
        cur = self.raw.cursor()
        if parameters:
            cur.execute(translate(query), [_bindable(v) for v in parameters])
        else:
            cur.execute(query)
        if cur.description is None:   # INSERT / UPDATE / DELETE without RETURNING: the count, as DuckDB answers
            return PgResult([(cur.rowcount,)], ["Count"], [20])
        columns = [d.name for d in cur.description]
        oids = [d.type_code for d in cur.description]
        return PgResult(cur.fetchall(), columns, oids)

    def sql(self, query: str, *, params: Params = None) -> PgResult:
        return self.execute(query, params)

    def executemany(self, query: str, parameters: Sequence[Sequence[Any]]) -> PgResult:
        rows = [[_bindable(v) for v in row] for row in parameters]
        if rows:
            with self.raw.cursor() as cur:
                cur.executemany(translate(query), rows)
        return PgResult([(len(rows),)], ["Count"], [20])

    def cursor(self) -> PgConnection:
        """DuckDB hands each thread a cursor; a pooled connection is already one caller's own."""
        return self

    def close(self) -> None:
        """Nothing to do: the pool that lent the connection takes it back (`PgStore.connection`)."""


def insert_frame_pg(con: PgConnection, table: str, frame: pl.DataFrame | pa.Table,
                    key: Sequence[str] | None = None) -> int:
    """`data.store.bulk.insert_frame` on PostgreSQL: the frame's rows by column name in one batched statement
    (psycopg pipelines `executemany`), an upsert on `key` when given; inside the caller's transaction."""
    df = frame if isinstance(frame, pl.DataFrame) else pl.DataFrame(pl.from_arrow(frame))
    if df.height == 0:
        return 0
    names = ", ".join(_quoted(c) for c in df.columns)
    conflict = ""
    if key:
        updates = [c for c in df.columns if c not in key]
        action = ("DO UPDATE SET " + ", ".join(f"{_quoted(c)} = excluded.{_quoted(c)}" for c in updates)
                  if updates else "DO NOTHING")
        conflict = f" ON CONFLICT ({', '.join(_quoted(k) for k in key)}) {action}"
    marks = ", ".join("?" * len(df.columns))
    con.executemany(f"INSERT INTO {_quoted(table)} ({names}) VALUES ({marks}){conflict}", df.rows())
    return df.height


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class PgStore:
    """The pool of one deployment's database (`POSYANDU_DATABASE_URL`): connections lent per unit of work."""

    def __init__(self, url: str, min_size: int = 1, max_size: int = 10, timeout: float = 30.0) -> None:
        self.url = url
        self.pool = ConnectionPool(url, min_size=min_size, max_size=max_size, timeout=timeout, open=True,
                                   kwargs={"autocommit": True}, configure=_configure)

    @contextmanager
    def connection(self) -> Iterator[PgConnection]:
        """A connection for the block; an unfinished transaction is rolled back when it goes back to the pool."""
        with self.pool.connection() as conn:
            yield PgConnection(conn)

    def close(self) -> None:
        self.pool.close()

    def __enter__(self) -> PgStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _configure(conn: psycopg.Connection[Any]) -> None:
    """Each new connection: the app's local time zone, so `LOCALTIMESTAMP` defaults match `datetime.now()`."""
    offset = dt.datetime.now().astimezone().utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    # An interval offset (not a zone name): Python knows the offset, not always the IANA name.
    conn.execute(f"SET TIME ZONE INTERVAL '{minutes:+d} minutes' HOUR TO MINUTE")
