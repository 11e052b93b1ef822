"""Download buttons whose file is always given: built on click with the download's own store cursor.

A deferred download (`data=` a callable) runs in the server's request thread while the click's rerun runs the
page in the script thread. Sharing the session's DuckDB cursor between the two broke half the downloads
("Attempting to execute an unsuccessful or closed pending query result"), and the rerun replaced the button's
file id before the browser fetched it. So: the builder gets a cursor of its own, and the click does not rerun
the page (nothing on the page changes when a file is downloaded).

A rerun for another reason (a pick, another widget) still gives the button a new file id, and at the end of
that run Streamlit forgets the old one: a click that landed while the rerun was under way asked for a file
that no longer existed ("Deferred file … not found" in the server log, nothing in the browser). `keep_recent_ids`
makes the server keep answering the last few ids of each button for a short while (`RECENT_IDS`,
`RECENT_SECONDS`), with the file the button offered when it was clicked. An id Streamlit revokes on purpose (the
button drawn disabled, or another button drawn in its place) is never kept.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import duckdb

from ui.state import root_connection

log = logging.getLogger("posyandu.downloads")
Con = duckdb.DuckDBPyConnection
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"   # the MIME type of every Excel download

RECENT_IDS = 3          # per button (session and element): ids of the last reruns still answered
RECENT_SECONDS = 120.0  # … and for this long after Streamlit dropped them


class RecentDownloads:
    """The deferred downloads Streamlit dropped after a rerun, per button, to answer a late click with."""

    def __init__(self, keep: int = RECENT_IDS, seconds: float = RECENT_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.keep, self.seconds, self.clock = keep, seconds, clock
        self._by_button: dict[tuple[str, str], OrderedDict[str, tuple[float, dict[str, Any]]]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _button(entry: dict[str, Any]) -> tuple[str, str]:
        return entry["session_id"], entry.get("element_id") or entry["coordinates"]

    def retire(self, file_id: str, entry: dict[str, Any]) -> None:
        now = self.clock()
        with self._lock:
            ids = self._by_button.setdefault(self._button(entry), OrderedDict())
            ids[file_id] = (now, entry)
            while len(ids) > self.keep:
                ids.popitem(last=False)
            self._expire(now)

    def revoke(self, session_id: str, coordinates: str, element_id: str = "") -> None:
        """Forget a button's kept ids: Streamlit revoked it (drawn disabled, or replaced by another button)."""
        with self._lock:
            for button in [b for b in self._by_button if b[0] == session_id]:
                ids = self._by_button[button]
                for file_id, (_, entry) in list(ids.items()):
                    if entry["coordinates"] == coordinates or (element_id and entry.get("element_id") == element_id):
                        del ids[file_id]
                if not ids:
                    del self._by_button[button]

    def find(self, file_id: str) -> dict[str, Any] | None:
        with self._lock:
            self._expire(self.clock())
            for ids in self._by_button.values():
                if file_id in ids:
                    return ids[file_id][1]
        return None

    def _expire(self, now: float) -> None:
        for button in list(self._by_button):
            ids = self._by_button[button]
            for file_id, (at, _) in list(ids.items()):
                if now - at > self.seconds:
                    del ids[file_id]
            if not ids:
                del self._by_button[button]


def keep_recent_ids(mgr: Any, recent: RecentDownloads | None = None) -> RecentDownloads:
    """Make a Streamlit MediaFileManager answer a button's recent deferred ids (once per manager)."""
    with _INSTALL_LOCK:
        kept = getattr(mgr, "_posyandu_recent", None)
        if kept is None:
            kept = _install(mgr, recent or RecentDownloads())
    return kept


_INSTALL_LOCK = threading.Lock()


def _install(mgr: Any, recent: RecentDownloads) -> RecentDownloads:
    drop_orphans, revoke, execute = (mgr._remove_orphaned_deferred_callables, mgr.remove_deferred,
                                     mgr.execute_deferred)

    def remove_orphaned_deferred_callables() -> None:        # called with mgr._lock held
        before = dict(mgr._deferred_callables)
        drop_orphans()
        for file_id, entry in before.items():
            if file_id not in mgr._deferred_callables:
                recent.retire(file_id, entry)

    def remove_deferred(coordinates: str, *, element_id: str = "") -> None:
        from streamlit.runtime.media_file_manager import _get_session_id

        revoke(coordinates, element_id=element_id)
        recent.revoke(_get_session_id(), coordinates, element_id)

    def execute_deferred(file_id: str) -> str:
        with mgr._lock:
            known = file_id in mgr._deferred_callables
        entry = None if known else recent.find(file_id)
        if entry is None:
            return execute(file_id)
        log.info("download %s answered after a rerun replaced its button", file_id)
        with mgr._lock:
            mgr._deferred_callables.setdefault(file_id, entry)
        try:
            return execute(file_id)
        finally:
            with mgr._lock:
                if mgr._deferred_callables.get(file_id) is entry:
                    del mgr._deferred_callables[file_id]

    mgr._remove_orphaned_deferred_callables = remove_orphaned_deferred_callables
    mgr.remove_deferred = remove_deferred
    mgr.execute_deferred = execute_deferred
    mgr._posyandu_recent = recent
    return recent


def _keep_in_this_server() -> None:
    from streamlit import runtime

    if runtime.exists():
        keep_recent_ids(runtime.get_instance().media_file_mgr)


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
    _keep_in_this_server()
    kwargs.setdefault("on_click", "ignore")
    container.download_button(label, data=with_own_cursor(build), **kwargs)


def file_download(container: Any, label: str, build: Callable[[], bytes | str], **kwargs: Any) -> None:
    """A download button whose bytes are built on click from what the page already holds, no rerun."""
    _keep_in_this_server()
    kwargs.setdefault("on_click", "ignore")

    def make() -> bytes | str:
        try:
            return build()
        except Exception:
            log.exception("download failed")
            raise
    container.download_button(label, data=make, **kwargs)
