"""Download buttons whose file is always given: built on click with the download's own store cursor.

A deferred download (`data=` a callable) runs in the server's request thread while the click's rerun runs the
page in the script thread. Sharing the session's DuckDB cursor between the two broke half the downloads
("Attempting to execute an unsuccessful or closed pending query result"), and the rerun replaced the button's
file id before the browser fetched it. So: the builder gets a cursor of its own, and the click does not rerun
the page (nothing on the page changes when a file is downloaded).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import duckdb

from ui.state import root_connection

log = logging.getLogger("posyandu.downloads")
Con = duckdb.DuckDBPyConnection
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"   # the MIME type of every Excel download


def with_own_cursor(build: Callable[[Con], bytes | str]) -> Callable[[], bytes | str]:
    """A zero-argument builder that reads the store through a fresh cursor, closed afterwards."""
    root = root_connection()

    def make() -> bytes | str:
        cur = root.cursor()
        try:
            return build(cur)
        except Exception:
            log.exception("download failed")
            raise
        finally:
            cur.close()
    return make


def store_download(container: Any, label: str, build: Callable[[Con], bytes | str], **kwargs: Any) -> None:
    """A download button whose bytes are built from the store on click, with their own cursor, no rerun."""
    kwargs.setdefault("on_click", "ignore")
    container.download_button(label, data=with_own_cursor(build), **kwargs)


def file_download(container: Any, label: str, build: Callable[[], bytes | str], **kwargs: Any) -> None:
    """A download button whose bytes are built on click from what the page already holds, no rerun."""
    kwargs.setdefault("on_click", "ignore")

    def make() -> bytes | str:
        try:
            return build()
        except Exception:
            log.exception("download failed")
            raise
    container.download_button(label, data=make, **kwargs)
