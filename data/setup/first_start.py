"""A real contest's first start: an empty store with the Kemendagri regions and the shipped instruments, no demo.

The demo is built only for the default store path (`make run`); any other path (`POSYANDU_STORE=… make run`,
`make run STORE=…`) opens an empty store, and the first visitor is asked to create the first panitia account
(only while the store has none).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from data import regions, store
from data.instruments import persistence
from present.settings import DEMO


def wants_demo(path: Path) -> bool:
    """The demo is built on first start of the default store only ($POSYANDU_DEMO=auto); 1 always, 0 never."""
    choice = DEMO.read()
    if choice != "auto":
        return choice == "1"
    return Path(path).resolve() == store.DEFAULT_STORE.resolve()


def prepare_empty_store(con: duckdb.DuckDBPyConnection) -> None:
    """Give a new store what set-up needs: every region (for scopes, entrants, judges' home desa) and the
    shipped instruments (a contest may use one as it is). Running it again changes nothing."""
    if store.scalar(con, "SELECT count(*) FROM regions") == 0:
        regions.load_regions(con)
    if store.scalar(con, "SELECT count(*) FROM instruments") == 0:
        persistence.save_bundled_instruments(con)


def create_empty_store(path: Path) -> None:
    """Create and prepare the store file at `path` (the caller checked it does not exist)."""
    con = store.connect(path)
    try:
        prepare_empty_store(con)
    finally:
        con.close()
