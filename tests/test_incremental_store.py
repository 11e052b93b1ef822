"""The re-rank after a save through the store (issue #15): `data.results.results_since` brings held results up
to date from the judges' saves journalled in `score_saves` (migration 011) and equals a full re-score from the
store; anything else that changes a contest (an assignment, a new entrant) makes it re-score in full."""

from __future__ import annotations

import polars as pl

from data import store
from data.judging import forms
from data.judging.auth import User
from data.results import competition_results, results_since

CID = "LP2026-KAB-36.02"
PANITIA = User(username="panitia", role="panitia", judge_id=None, region_code=None)


def _open(con) -> list[tuple[str, str, str]]:
    """The contest's stages opened again (as during judging); its assigned (stage, judge, entrant)."""
    with store.transaction(con):
        con.execute("UPDATE competition_stages SET finalized_at = NULL WHERE competition_id = ?", [CID])
        con.execute("DELETE FROM stage_results WHERE competition_id = ?", [CID])
        con.execute("DELETE FROM judging_forms WHERE competition_id = ?", [CID])
        store.touch(con, CID)
    return con.execute("SELECT stage, judge_id, entrant_id FROM assignments WHERE competition_id = ? "
                       "ORDER BY ALL LIMIT 6", [CID]).fetchall()


def _same(held, con, stage=None) -> None:
    full = competition_results(con, CID, stage)
    assert held.results.table.equals(full.table)
    for name in ("sections", "stage_totals", "fields"):
        assert getattr(held.results, name).equals(getattr(full, name)), name
    for name in ("points", "criteria", "completeness", "fix_first", "problems"):
        a, b = getattr(held.results, name).collect(), getattr(full, name).collect()
        assert a.sort(a.columns, nulls_last=True).equals(b.sort(b.columns, nulls_last=True)), name


def test_saves_re_rank_from_the_journal_and_equal_a_full_re_score(demo_copy):
    con = store.connect(demo_copy)
    try:
        assigned = _open(con)
        crits = con.execute("SELECT c.criterion_id, min(o.option_code), max(o.option_code) FROM competitions k "
                            "JOIN instrument_criteria c USING (instrument_id) JOIN instrument_options o "
                            "USING (instrument_id, criterion_id) WHERE k.competition_id = ? AND c.kind <> 'real' "
                            "GROUP BY 1 ORDER BY 1 LIMIT 3", [CID]).fetchall()
        for stage in (None, assigned[0][0]):
            held = results_since(con, CID, stage)
            assert held.applied == ()
            for i, (st_, judge, entrant) in enumerate(assigned[:4]):
                crit, low, high = crits[i % len(crits)]
                stored = con.execute("SELECT option_code FROM scores WHERE entrant_id = ? AND stage = ? AND "
                                     "judge_id = ? AND criterion_id = ?", [entrant, st_, judge, crit]).fetchone()
                assert forms.save_score(con, PANITIA, CID, st_, entrant, crit, judge_id=judge,
                                        option_code=high if stored is None or stored[0] != high else low)
                held = results_since(con, CID, stage, held)
                assert len(held.applied) == i + 1            # brought up to date from the saves alone
                assert held.version == store.result_version(con, CID)
                _same(held, con, stage)
            # the same result asked again: nothing read
            assert results_since(con, CID, stage, held) is held
    finally:
        con.close()


def test_a_change_that_is_not_a_save_re_scores_in_full(demo_copy):
    con = store.connect(demo_copy)
    try:
        assigned = _open(con)
        held = results_since(con, CID)
        stage, judge, entrant = assigned[0]
        crit = con.execute("SELECT criterion_id FROM scores WHERE competition_id = ? AND option_code IS NOT NULL "
                           "AND entrant_id = ? AND judge_id = ? AND stage = ? LIMIT 1",
                           [CID, entrant, judge, stage]).fetchone()[0]
        forms.save_score(con, PANITIA, CID, stage, entrant, crit, option_code="a", judge_id=judge)
        with store.transaction(con):           # then something else: the entrant's name read by every table
            con.execute("UPDATE posyandu SET name = 'Posyandu Baru' WHERE posyandu_id = "
                        "(SELECT posyandu_id FROM entrants WHERE entrant_id = ?)", [entrant])
            store.touch_reference(con)
        after = results_since(con, CID, None, held)
        assert after.applied == ()                           # read and scored in full
        assert after.results.table.filter(pl.col("entrant_id") == entrant)["posyandu_name"][0] == "Posyandu Baru"
        _same(after, con)
    finally:
        con.close()
