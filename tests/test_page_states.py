"""Every page renders for a contest at every point of its life: no entrants, entrants but no scores, partly scored
(some judges, some criteria, one stage open) and final (published) — for a visitor and for a signed-in panitia.

The four contests are copies of the page tests' competition (tests/pages_support.COMP, Kab. Lebak 2026) in a
private copy of the demo store, one edition later (2027), so "since last year" and the history have a 2026 to
compare with. A page passes when it raises nothing, says something (a title and content or an empty-state
message in the user's language) and shows no empty table (Streamlit writes an English "empty" in it).
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from data import store
from data.store import score_rows
from tests.pages_support import COMP
from ui.navigation import PAGES

ROOT = Path(__file__).resolve().parent.parent

EMPTY, NEW, PARTLY, FINAL = "LP2027-KOSONG", "LP2027-BARU", "LP2027-SEBAGIAN", "LP2027-FINAL"
STATES = {EMPTY: "no entrants", NEW: "entrants, no scores", PARTLY: "partly scored", FINAL: "final"}
PAGE_PATHS = [p.path for p in PAGES]


def _copy_contest(con, cid: str, name: str, *, entrants: bool, scores: str | None) -> None:
    """A 2027 edition of COMP: its stages (open), and when asked its entrants, assignments and scores
    ("some": administrasi only, two judges, the first half of each section's criteria; "all": every score)."""
    prefix = cid.removeprefix("LP2027-") + "-"
    store.touch(con, cid)
    con.execute("INSERT INTO competitions (competition_id, name, year, level, scope_code, category, instrument_id, "
                "aggregation, advance_count) SELECT ?, ?, 2027, level, scope_code, category, instrument_id, "
                "aggregation, advance_count FROM competitions WHERE competition_id = ?", [cid, name, COMP])
    con.execute("INSERT INTO competition_stages (competition_id, stage, ord, weight) "
                "SELECT ?, stage, ord, weight FROM competition_stages WHERE competition_id = ?", [cid, COMP])
    if not entrants:
        return
    con.execute("INSERT INTO entrants (entrant_id, competition_id, posyandu_id, stage_reached) "
                "SELECT ? || entrant_id, ?, posyandu_id, 'lapangan' FROM entrants WHERE competition_id = ?",
                [prefix, cid, COMP])
    con.execute("INSERT INTO assignments (competition_id, stage, judge_id, entrant_id) "
                "SELECT ?, stage, judge_id, ? || entrant_id FROM assignments WHERE competition_id = ?",
                [cid, prefix, COMP])
    if scores is None:
        return
    some = scores == "some"
    copied = con.sql(
        "SELECT ? AS competition_id, s.stage, ? || s.entrant_id AS entrant_id, s.judge_id, s.criterion_id, "
        "s.option_code, s.real_value, s.note "
        "FROM scores s JOIN competitions c ON c.competition_id = s.competition_id "
        "JOIN instrument_criteria ic ON ic.instrument_id = c.instrument_id AND ic.criterion_id = s.criterion_id "
        "WHERE s.competition_id = ? AND (NOT ? OR (s.stage = 'administrasi' AND ic.ord % 2 = 0 AND s.judge_id IN "
        "  (SELECT judge_id FROM assignments WHERE competition_id = ? AND stage = 'administrasi' "
        "   GROUP BY judge_id ORDER BY judge_id LIMIT 2)))",
        params=[cid, prefix, COMP, some, COMP]).pl()
    score_rows.write_scores(con, copied, update=False)


@pytest.fixture(scope="module")
def life_store(demo_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """The demo store plus the four 2027 contests; yields the panitia's session token. The app points at it."""
    import streamlit as st
    from argon2 import PasswordHasher

    from data.judging import accounts, auth, publication
    from data.judging.contest_life import advancement
    from ui.state import close_all

    path = tmp_path_factory.mktemp("life") / "life.duckdb"
    shutil.copyfile(demo_path, path)
    mp = pytest.MonkeyPatch()
    mp.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    mp.setenv(store.STORE_ENV, str(path))
    con = store.connect(path)
    with store.transaction(con):
        _copy_contest(con, EMPTY, "Lomba Posyandu Kab. Lebak 2027 (belum ada peserta)", entrants=False, scores=None)
        _copy_contest(con, NEW, "Lomba Posyandu Kab. Lebak 2027 (baru dibuka)", entrants=True, scores=None)
        _copy_contest(con, PARTLY, "Lomba Posyandu Kab. Lebak 2027 (sedang dinilai)", entrants=True, scores="some")
        _copy_contest(con, FINAL, "Lomba Posyandu Kab. Lebak 2027 (final)", entrants=True, scores="all")
    accounts.create_demo_accounts(con)
    panitia = auth.get_user(con, "panitia")
    after_protests = dt.datetime.now() + dt.timedelta(days=30)     # the sanggahan window has closed
    for stage in ("administrasi", "lapangan"):
        publication.finalise_stage(con, panitia, FINAL, stage)
        advancement.declare_final(con, panitia, FINAL, stage, now=after_protests)
    assert publication.is_final(con, FINAL) and not publication.is_final(con, PARTLY)
    token = auth.authenticate(con, "panitia", "panitia-demo").token
    con.close()
    st.cache_data.clear()
    st.cache_resource.clear()
    yield {"panitia": token}
    close_all()
    st.cache_data.clear()
    st.cache_resource.clear()
    mp.undo()


def test_the_four_contests_are_what_the_page_tests_assume(life_store):
    con = store.connect(Path(store.store_path()))
    try:
        got = dict(con.sql(
            "SELECT c.competition_id, (SELECT count(*) FROM entrants e WHERE e.competition_id = c.competition_id) "
            "|| '/' || (SELECT count(*) FROM scores s WHERE s.competition_id = c.competition_id) || '/' || "
            "(SELECT count(*) FROM competition_stages cs WHERE cs.competition_id = c.competition_id "
            " AND cs.finalized_at IS NOT NULL) FROM competitions c WHERE c.year = 2027").fetchall())
        base = con.sql("SELECT count(*) FROM scores WHERE competition_id = ?", params=[COMP]).fetchone()[0]
    finally:
        con.close()
    entrants, partly, final = (int(x) for x in (got[NEW].split("/")[0], got[PARTLY].split("/")[1],
                                                 got[FINAL].split("/")[1]))
    assert got[EMPTY] == "0/0/0" and got[NEW] == f"{entrants}/0/0" and entrants > 0
    assert 0 < partly < base // 4 and got[PARTLY].endswith("/0")
    assert final == base and got[FINAL].endswith("/2")


def _run(page: str, cid: str, token: str | None, lang: str = "id") -> AppTest:
    from ui.auth import TOKEN_KEY

    at = AppTest.from_file(str(ROOT / page), default_timeout=180)
    at.session_state["ctx.lang"] = lang
    if token:
        at.session_state[TOKEN_KEY] = token
    at.query_params["competition"] = cid
    return at.run()


def _says_something(at: AppTest) -> bool:
    """A title or header, and content or a message: never a blank page."""
    heads = [e.value for e in (*at.title, *at.header, *at.subheader)]
    body = [e.value for e in (*at.info, *at.warning, *at.error, *at.success, *at.metric, *at.markdown, *at.caption)]
    body += [e for e in at.dataframe if len(e.value)]
    return bool(heads or at.info or at.warning or at.error) and any(str(b).strip() for b in body)


def _empty_tables(at: AppTest) -> list[str]:
    return [e.key or "?" for e in at.dataframe if len(e.value) == 0]


@pytest.mark.parametrize("role", ["panitia", "visitor"])
@pytest.mark.parametrize("cid", list(STATES), ids=list(STATES.values()))
@pytest.mark.parametrize("page", PAGE_PATHS, ids=[Path(p).stem for p in PAGE_PATHS])
def test_every_page_renders_at_every_point_of_a_contests_life(life_store, page, cid, role):
    at = _run(page, cid, life_store["panitia"] if role == "panitia" else None)
    assert not at.exception, at.exception
    assert _says_something(at), (page, cid, role)
    assert not _empty_tables(at), f"{page} shows an empty table (Streamlit's English 'empty'): {_empty_tables(at)}"


# What each results page says on day one, before anything can be shown: no entrants yet, then no scores yet.
DAY_ONE = {
    "pages/beranda.py": ("pages_no_entrants", "empty_no_scores"),
    "pages/peringkat.py": ("pages_no_entrants", "empty_no_scores"),
    "pages/profil.py": ("pages_no_entrants", "empty_entrant_no_scores"),
    "pages/bandingkan.py": ("pages_no_entrants", "empty_compare_no_scores"),
    "pages/peta.py": ("geo_no_results", "empty_no_scores"),
    "pages/praktik_baik.py": ("empty_no_field_scores", "empty_no_field_scores"),
    "pages/juri.py": ("pages_juri_none", "pages_juri_none"),
}


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("cid", [EMPTY, NEW], ids=["no entrants", "entrants, no scores"])
@pytest.mark.parametrize("page", list(DAY_ONE), ids=[Path(p).stem for p in DAY_ONE])
def test_a_new_contest_says_what_is_missing_in_the_users_language(life_store, page, cid, lang):
    from present.i18n import t

    at = _run(page, cid, life_store["panitia"], lang)
    assert not at.exception, at.exception
    want = t(DAY_ONE[page][0 if cid == EMPTY else 1], lang)
    assert want in [e.value for e in at.info], (page, [e.value for e in at.info])
