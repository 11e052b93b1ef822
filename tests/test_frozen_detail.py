"""Nothing a visitor sees of a final stage moves afterwards (issue 13, finding 11): the league table comes from the
published snapshot, and so do the fix-first rows, criterion points, judges' choices, rank intervals, place
stability, the instrument's words and every figure of the signed documents (`data.judging.frozen`, migration 013).

Each test reads everything once, then changes the store behind the app's back with SQL (scores, the instrument's
texts, the scoring rules) and swaps the engine for one that computes other numbers, and reads again."""

from __future__ import annotations

import dataclasses

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from data import store
from data.exchange.exports import export_data
from data.judging import frozen, publication
from data.share import feedback
from scoring import engine
from tests.pages_support import page
from tests.test_integrity_pages import _text

FINAL = "LP2026-KAB-36.02"          # Kab. Lebak 2026: every stage final, published by the demo
JERUK = "PY360218201001"


def _change_everything_behind_the_apps_back(con, monkeypatch: pytest.MonkeyPatch) -> None:
    """Scores, instrument words and scoring rules changed with SQL, and an engine that counts differently."""
    cno = store.scalar(con, "SELECT no FROM key_competition WHERE competition_id = ?", params=[FINAL])
    con.execute("UPDATE score_choices SET real_value = real_value / 2 WHERE competition_no = ? "
                "AND real_value IS NOT NULL", [cno])
    con.execute("DELETE FROM score_choices WHERE competition_no = ? AND judge_no IN (SELECT min(judge_no) "
                "FROM score_choices WHERE competition_no = ?)", [cno, cno])
    inst = store.scalar(con, "SELECT instrument_id FROM competitions WHERE competition_id = ?", params=[FINAL])
    con.execute("UPDATE instrument_criteria SET text = 'DIUBAH ' || text WHERE instrument_id = ?", [inst])
    con.execute("UPDATE instrument_sections SET title = 'DIUBAH ' || title WHERE instrument_id = ?", [inst])
    con.execute("UPDATE competitions SET aggregation = 'median', total_decimals = 1 WHERE competition_id = ?",
                [FINAL])
    with store.transaction(con):
        store.touch(con, FINAL)
        store.touch_reference(con)
    real = engine.score_competition

    def other_engine(*args, **kwargs):
        out = real(*args, **kwargs)
        return dataclasses.replace(
            out, engine_version="99-test", table=out.table.with_columns(pl.col("total") * 0.9),
            criteria=out.criteria.with_columns(pl.col("points") * 0.5),
            fix_first=out.fix_first.with_columns(pl.col("lost") * 3),
            points=out.points.with_columns(pl.col("points") + 1),
            fields=out.fields.with_columns(pl.col("score_pct") * 0.9),
            sections=out.sections.with_columns(pl.col("score_pct") * 0.9))
    monkeypatch.setattr(engine, "score_competition", other_engine)


def _frames(con) -> dict[str, pl.DataFrame]:
    return {n: publication.final_frame(con, FINAL, None, n) for n in frozen.FRAMES}


def test_the_frozen_detail_and_the_signed_documents_of_a_final_contest_do_not_move(demo_app, monkeypatch) -> None:
    con = demo_app
    before = _frames(con)
    assert all(f is not None for f in before.values())
    assert before["fix_first"].height and before["criteria"].height and before["choices"].height
    assert before["confidence"].height == 28
    doc_before = export_data(con, FINAL)
    entrant = doc_before.table.filter(pl.col("posyandu_id") == JERUK)["entrant_id"][0]
    feedback_before = feedback.feedback_rows(con, entrant)
    assert doc_before.published and feedback_before.height

    _change_everything_behind_the_apps_back(con, monkeypatch)
    live = publication.compute_results(con, FINAL, None)
    assert live[1] == "99-test"                  # the engine really counts differently now

    after = _frames(con)
    for name in frozen.FRAMES:
        assert_frame_equal(after[name], before[name], check_exact=True), name
    doc_after = export_data(con, FINAL)
    for name in ("table", "fix_first", "fields", "points", "criteria", "stage_sections", "judges", "judge_stages",
                 "stages", "sections", "field_awards"):
        assert_frame_equal(getattr(doc_after, name), getattr(doc_before, name)), name
    assert doc_after.instrument == doc_before.instrument
    assert not any(c.text.startswith("DIUBAH") for c in doc_after.instrument.criteria)
    assert (doc_after.aggregation, doc_after.total_decimals) == (doc_before.aggregation, doc_before.total_decimals)
    assert_frame_equal(feedback.feedback_rows(con, entrant), feedback_before)


@pytest.mark.parametrize("name", ["profil", "bandingkan", "peringkat"])
def test_a_visitor_sees_the_same_final_page_after_scores_instrument_rules_and_engine_change(
        demo_app, monkeypatch, name) -> None:
    from ui.results import forget_held

    shown = page(name, competition=FINAL, posyandu=JERUK)
    assert not shown.exception, shown.exception
    before = _text(shown)
    assert "Jeruk" in before

    _change_everything_behind_the_apps_back(demo_app, monkeypatch)
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    forget_held()
    again = page(name, competition=FINAL, posyandu=JERUK)
    assert not again.exception, again.exception
    after = _text(again)
    assert "DIUBAH" not in after
    assert after == before


def test_finalising_a_stage_freezes_its_detail_in_the_same_write(demo_app) -> None:
    """A stage finalised through the workflow has every frame at once, named in the finalise audit row."""
    from data.judging import auth

    con = demo_app
    panitia = auth.User("panitia", "panitia", display_name="Panitia")
    open_stage = con.sql("SELECT competition_id, stage FROM competition_stages WHERE finalized_at IS NULL "
                         "ORDER BY competition_id, ord LIMIT 1").fetchone()
    assert open_stage is not None
    sid = publication.finalise_stage(con, panitia, *open_stage)
    stored = {r[0] for r in con.sql("SELECT frame FROM snapshot_frames WHERE snapshot_id = ?", params=[sid]).fetchall()}
    assert stored == set(frozen.FRAMES)
    row = con.sql("SELECT new_value FROM audit_log WHERE action = 'finalise' ORDER BY audit_id DESC LIMIT 1").fetchone()
    assert "fix_first" in str(row[0]) and "confidence" in str(row[0])
