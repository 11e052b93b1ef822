"""Cached results are keyed on what they read: a competition's own version and the reference version.

A sign-in, a failed login or a session touch must leave every version unchanged (a judge signing in must not
make everyone's ranking, judge-model fit and bootstrap recompute); a score changes only its own competition;
a posyandu import changes the reference tables every contest reads.
"""

from __future__ import annotations

import datetime as dt

import pytest

from data import store
from data.exchange.imports import import_file
from data.judging import auth
from data.judging import forms as judging
from tests.fixtures.malformed.make_corpus import POSYANDU_HEADER, posyandu_rows, xlsx
from tests.test_judging_fixtures import CID, JURI1, PANITIA, build_contest


def _versions(con) -> dict[str, int]:
    return dict(con.sql("SELECT scope, version FROM versions").fetchall())


@pytest.fixture
def contest(con, fast_hashing):
    build_contest(con)
    from data.judging import assignments

    assert assignments.assign_judge(con, PANITIA, CID, "lapangan", "J1", "E3") is None
    auth.create_user(con, "juri1", "rahasia-juri", "juri", judge_id="J1")
    with store.transaction(con):
        store.touch(con, "another-contest")
    return con


def test_signing_in_failing_and_touching_a_session_change_no_version(contest):
    con = contest
    before = _versions(con)
    now = dt.datetime(2026, 3, 1, 9, 0)
    assert not auth.authenticate(con, "juri1", "salah-sandi", now=now).ok          # a failed login
    signed = auth.authenticate(con, "juri1", "rahasia-juri", now=now)              # a sign-in
    assert signed.ok
    assert auth.session_user(con, signed.token, now=now + dt.timedelta(minutes=5)) is not None   # a touch
    auth.end_session(con, signed.token, now=now + dt.timedelta(minutes=6))         # a sign-out
    assert _versions(con) == before


def test_a_score_changes_only_its_own_competition(contest):
    con = contest
    before = _versions(con)
    assert judging.save_score(con, JURI1, CID, "lapangan", "E3", "KES_01", option_code="b")
    after = _versions(con)
    changed = {scope for scope in after if after[scope] != before.get(scope)}
    assert changed == {store.competition_scope(CID)}
    assert after[store.competition_scope(CID)] == before.get(store.competition_scope(CID), 0) + 1
    # Saving the same value again writes nothing and marks nothing.
    assert not judging.save_score(con, JURI1, CID, "lapangan", "E3", "KES_01", option_code="b")
    assert _versions(con) == after


def test_importing_posyandu_changes_the_reference_version_and_no_competition(con):
    from tests.fixtures.malformed.world import COMPETITION, seed_world

    seed_world(con)
    with store.transaction(con):
        store.touch(con, COMPETITION)
    before = _versions(con)
    plan, result = import_file(con, "posyandu", xlsx(POSYANDU_HEADER, posyandu_rows(2), "Posyandu"), "p.xlsx")
    assert plan.ok and result is not None and result.written
    after = _versions(con)
    assert after[store.REFERENCE] == before[store.REFERENCE] + 1
    assert {s: v for s, v in after.items() if s != store.REFERENCE} == \
        {s: v for s, v in before.items() if s != store.REFERENCE}


def test_a_cached_ranking_stays_warm_through_sign_ins_and_other_contests(demo_app, monkeypatch):
    """Through the page caches themselves: count the engine runs while people sign in and score."""
    from streamlit.testing.v1 import AppTest

    import scoring.engine
    import scoring.incremental
    from tests.pages_support import COMP

    con = demo_app
    runs: list[str] = []
    real = scoring.engine.score_competition

    contest_of = dict(con.sql("SELECT entrant_id, competition_id FROM entrants").fetchall())

    def counting(inputs, config, stage=None):
        runs.append(contest_of[inputs.entrants["entrant_id"][0]])
        return real(inputs, config, stage=stage)

    def counting_saves(previous, base, applied, new, stage=None):
        # After judges' saves the held results are brought up to date from the saves alone (#15): that is the
        # recompute a save causes, so it counts like a full score.
        res = real_rescore(previous, base, applied, new, stage)
        if res is not None:      # None: the caller scores in full, counted there
            runs.append(contest_of[base.entrants["entrant_id"][0]])
        return res

    real_rescore = scoring.incremental.rescore
    monkeypatch.setattr(scoring.engine, "score_competition", counting)
    monkeypatch.setattr(scoring.incremental, "rescore", counting_saves)
    user = auth.session_user(con, auth.authenticate(con, "juri1", "juri-demo").token)
    assert user is not None
    # An open form of juri1 in a stage not yet final: where a judge would score next.
    other, stage, entrant, criterion = con.sql(
        "SELECT a.competition_id, a.stage, a.entrant_id, ic.criterion_id FROM assignments a "
        "JOIN competition_stages cs USING (competition_id, stage) JOIN competitions c USING (competition_id) "
        "JOIN instrument_criteria ic USING (instrument_id) LEFT JOIN judging_forms f ON f.entrant_id = a.entrant_id "
        "AND f.stage = a.stage AND f.judge_id = a.judge_id WHERE a.judge_id = ? AND cs.finalized_at IS NULL "
        "AND coalesce(f.status, 'open') = 'open' AND a.competition_id <> ? ORDER BY ALL LIMIT 1",
        params=[user.judge_id, COMP]).fetchone()

    def script(comp: str, other: str) -> None:
        import streamlit as st

        from ui import cached

        st.write(cached.results_table(comp).height, cached.results_table(other).height)

    at = AppTest.from_function(script, args=(COMP, other), default_timeout=120).run()
    assert not at.exception
    baseline = sorted(runs)              # a final contest may be read from its snapshot; a live one is computed
    assert other in baseline

    now = dt.datetime.now()
    assert not auth.authenticate(con, "juri2", "bukan-sandinya", now=now).ok
    token = auth.authenticate(con, "pembina-lebak", "pembina-demo", now=now).token
    auth.session_user(con, token, now=now + dt.timedelta(minutes=2))
    at.run()
    assert not at.exception
    assert sorted(runs) == baseline, "a sign-in made a cached ranking recompute"

    assert judging.save_score(con, user, other, stage, entrant, criterion, note="dicek ulang di lapangan")
    at.run()
    assert not at.exception
    assert sorted(runs) == sorted([*baseline, other]), "a score in one contest recomputed another contest"
