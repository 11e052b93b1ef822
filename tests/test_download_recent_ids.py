"""A download click that lands while a rerun replaces its button still gets its file (issue #12).

Streamlit gives a deferred download button a new file id on every run and forgets the old one when the run
ends; a click the browser sent with the old id got nothing ("Deferred file … not found"). `ui.downloads` keeps
each button's last ids answering for a while. These tests drive Streamlit's own MediaFileManager the way a
script run does: clear the session's references at the start, register the button, drop orphans at the end.
"""

from __future__ import annotations

import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

from ui.downloads import RECENT_IDS, RecentDownloads, keep_recent_ids

MIME = "text/csv"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _run(mgr: MediaFileManager, body: bytes, coordinates: str = "1.(0.3)", element_id: str = "rekap") -> str:
    """One script run of a page drawing one deferred download button; returns the button's file id."""
    mgr.clear_session_refs()
    file_id = mgr.add_deferred(lambda: body, MIME, coordinates, file_name="rekap.csv", element_id=element_id)
    mgr.remove_orphaned_files()
    return file_id


def _fetch(mgr: MediaFileManager, file_id: str) -> bytes:
    url = mgr.execute_deferred(file_id)
    stored = mgr.read_file(url.rsplit("/", 1)[1].split(".")[0])
    assert stored is not None
    return stored.content


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def mgr(clock: Clock) -> MediaFileManager:
    m = MediaFileManager(MemoryMediaFileStorage("/media"))
    keep_recent_ids(m, RecentDownloads(clock=clock))
    return m


def test_streamlit_alone_loses_a_click_sent_with_the_previous_runs_id():
    # The failure being fixed, shown on Streamlit's own manager: the old id is gone after the rerun.
    plain = MediaFileManager(MemoryMediaFileStorage("/media"))
    old = _run(plain, b"a;b\n1;2\n")
    _run(plain, b"a;b\n1;2\n")
    with pytest.raises(Exception, match="not found"):
        plain.execute_deferred(old)


def test_a_click_with_the_previous_runs_id_gets_the_file_that_button_offered(mgr):
    old = _run(mgr, b"stage=administrasi\n")
    new = _run(mgr, b"stage=lapangan\n")          # a pick reran the page while the click was on its way
    assert old != new
    assert _fetch(mgr, old) == b"stage=administrasi\n"
    assert _fetch(mgr, old) == b"stage=administrasi\n"       # twice, as a second click would
    assert _fetch(mgr, new) == b"stage=lapangan\n"


def test_another_sessions_run_ending_does_not_drop_this_buttons_file(mgr):
    # Orphans are collected across sessions: any session's run end used to drop this session's old id too.
    old = _run(mgr, b"x\n")
    mgr.clear_session_refs()                      # this session's rerun has started …
    mgr.remove_orphaned_files()                   # … and another session's run ends meanwhile
    assert _fetch(mgr, old) == b"x\n"


def test_only_the_last_ids_of_a_button_are_kept_and_only_for_a_while(mgr, clock):
    ids = [_run(mgr, f"run {i}\n".encode()) for i in range(RECENT_IDS + 2)]
    # the newest is live, the RECENT_IDS before it are kept, older ones are forgotten
    for i in range(1, RECENT_IDS + 2):
        assert _fetch(mgr, ids[i]) == f"run {i}\n".encode()
    with pytest.raises(Exception, match="not found"):
        mgr.execute_deferred(ids[0])
    clock.now += 10_000
    with pytest.raises(Exception, match="not found"):
        mgr.execute_deferred(ids[-2])
    assert _fetch(mgr, ids[-1]) == f"run {RECENT_IDS + 1}\n".encode()     # the live one still answers


def test_a_button_drawn_disabled_answers_none_of_its_old_ids(mgr):
    # Streamlit revokes a disabled button's callables on purpose (a client may call an id directly): kept ids too.
    old = _run(mgr, b"personal\n")
    live = _run(mgr, b"personal\n")
    mgr.clear_session_refs()
    mgr.remove_deferred("1.(0.3)", element_id="rekap")
    mgr.remove_orphaned_files()
    for file_id in (old, live):
        with pytest.raises(Exception, match="not found"):
            mgr.execute_deferred(file_id)


def test_installing_twice_keeps_one_keeper(mgr):
    first = keep_recent_ids(mgr)
    assert keep_recent_ids(mgr) is first
    old = _run(mgr, b"once\n")
    _run(mgr, b"twice\n")
    assert _fetch(mgr, old) == b"once\n"
