"""#18 "tidak ada kasus / tidak berlaku" in the engine: an allowed answer takes the criterion out of that entrant's
denominator for the stage (its section and total are scored over the other criteria), counts as answered, is
named in `results.no_case`, and gives the same figures on the general, dense and incremental paths."""

from __future__ import annotations

import dataclasses

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring.engine import CompetitionInputs, score_competition
from scoring.incremental import rescore
from scoring.instrument import NO_CASE, Instrument
from tests.scoring_fixtures import (
    assignments_frame,
    entrants_frame,
    scores_frame,
    small_instrument,
    stages_frame,
)
from tests.test_incremental import assert_identical, store_apply
from tests.test_scoring_properties import CONFIG, ENTRANTS, JUDGES, STAGES, assert_same_results

L = "lapangan"


def no_case_instrument() -> Instrument:
    """small_instrument with k2 (choice) and h2 (nilai riil, %) allowing "tidak ada kasus"; k1 and h1 do not."""
    inst = small_instrument()
    sections = tuple(dataclasses.replace(s, criteria=tuple(
        dataclasses.replace(c, no_case_allowed=c.id in ("k2", "h2")) for c in s.criteria)) for s in inst.sections)
    return dataclasses.replace(inst, sections=sections)


def inputs(rows, entrants=("E1", "E2"), stages=None, assignments=(), instrument=None) -> CompetitionInputs:
    return CompetitionInputs(instrument or no_case_instrument(), scores_frame(list(rows)),
                             entrants_frame(list(entrants)), stages_frame(stages or {L: 100}),
                             assignments_frame(list(assignments)))


# E1: k1 a/b (3,5), k2 "tidak ada kasus" by both judges, h1 (weight 2) c/c (2), h2 J1 "tidak ada kasus", J2 80 % (3)
# E2: the same, but k2 scored d/d (1 point each): the worst option a village with no cases would otherwise get.
WORKED = [
    ("E1", L, "J1", "k1", "a", None), ("E1", L, "J2", "k1", "b", None),
    ("E1", L, "J1", "k2", NO_CASE, None), ("E1", L, "J2", "k2", NO_CASE, None),
    ("E1", L, "J1", "h1", "c", None), ("E1", L, "J2", "h1", "c", None),
    ("E1", L, "J1", "h2", NO_CASE, None), ("E1", L, "J2", "h2", None, 80.0),
    ("E2", L, "J1", "k1", "a", None), ("E2", L, "J2", "k1", "b", None),
    ("E2", L, "J1", "k2", "d", None), ("E2", L, "J2", "k2", "d", None),
    ("E2", L, "J1", "h1", "c", None), ("E2", L, "J2", "h1", "c", None),
    ("E2", L, "J1", "h2", None, 80.0), ("E2", L, "J2", "h2", None, 80.0),
]
ASSIGNED = [(L, j, e) for e in ("E1", "E2") for j in ("J1", "J2")]


@pytest.mark.parametrize("path", ["dense", "general"])
def test_worked_example_no_cases_leave_the_denominator(path):
    res = score_competition(inputs(WORKED, assignments=ASSIGNED), CONFIG, path=path)
    t = {r["entrant_id"]: r for r in res.table.iter_rows(named=True)}
    # E1 kelembagaan: k1 alone, 100 × 3,5 / 4 = 87,5. E2: 100 × (3,5 + 1) / (4 + 4) = 56,25.
    assert t["E1"]["sec_kelembagaan"] == pytest.approx(87.5)
    assert t["E2"]["sec_kelembagaan"] == pytest.approx(56.25)
    # kesehatan, both: 100 × (2·2 + 1·3) / (2·4 + 1·4) = 58,33 (E1's h2 is J2's 80 % alone: 3 points)
    assert t["E1"]["sec_kesehatan"] == pytest.approx(700 / 12)
    assert t["E2"]["sec_kesehatan"] == pytest.approx(700 / 12)
    # nilai akhir: 0,4 · 87,5 + 0,6 · 58,33 = 70,00 against 0,4 · 56,25 + 35 = 57,50
    assert (t["E1"]["total"], t["E2"]["total"]) == (pytest.approx(70.0), pytest.approx(57.5))
    # answered in full: 2 judges × 4 criteria each, the no-case answers included
    assert (t["E1"]["completeness_pct"], t["E2"]["completeness_pct"]) == (100.0, 100.0)
    # named, never silent: E1's k2 in lapangan, by both judges; h2 stays in (J2 measured it)
    nc = res.no_case.collect()
    assert nc.select("entrant_id", "stage", "criterion_id", "section_id", "n_no_case").rows() == [
        ("E1", L, "k2", "kelembagaan", 2)]
    assert res.problems.collect().height == 0
    k2_e1 = res.sections.filter((pl.col("entrant_id") == "E1") & (pl.col("section_id") == "kelembagaan"))
    assert k2_e1.select("n_scored", "n_criteria").row(0) == (1, 2)


@pytest.mark.parametrize("path", ["dense", "general"])
def test_no_case_where_the_instrument_does_not_allow_it_earns_nothing_and_is_reported(path):
    rows = [("E1", L, "J1", "k1", NO_CASE, None), ("E1", L, "J1", "k2", "a", None),
            ("E1", L, "J1", "h1", "a", None), ("E1", L, "J1", "h2", None, 95.0)]
    res = score_competition(inputs(rows, entrants=("E1",)), CONFIG, path=path)
    probs = res.problems.collect()
    assert probs.select("criterion_id", "option_code", "problem", "key").rows() == [
        ("k1", NO_CASE, "no_case_not_allowed", "option_code")]
    assert res.no_case.collect().height == 0
    assert res.table["sec_kelembagaan"][0] == pytest.approx(100.0)   # k1 unscored: left out as any missing score


@pytest.mark.parametrize("path", ["dense", "general"])
def test_a_section_answered_no_case_throughout_leaves_the_total_and_the_weights_renormalise(path):
    inst = no_case_instrument()
    # kesehatan only: h1 not allowed, so allow it too for this case
    sections = tuple(dataclasses.replace(s, criteria=tuple(dataclasses.replace(c, no_case_allowed=True)
                                                           for c in s.criteria)) for s in inst.sections)
    inst = dataclasses.replace(inst, sections=sections)
    rows = [("E1", L, "J1", "k1", "b", None), ("E1", L, "J1", "k2", "b", None),
            ("E1", L, "J1", "h1", NO_CASE, None), ("E1", L, "J1", "h2", NO_CASE, None)]
    res = score_competition(inputs(rows, entrants=("E1",), instrument=inst), CONFIG, path=path)
    assert res.table["sec_kesehatan"][0] is None
    assert res.table["total"][0] == pytest.approx(75.0)     # kelembagaan's 75 % carries the whole weight
    assert sorted(res.no_case.collect()["criterion_id"]) == ["h1", "h2"]


# ---------------------------------------------------------------------------------------------- properties
answer = st.sampled_from(["a", "b", "c", "d", None, NO_CASE, NO_CASE])
real_answer = st.one_of(st.none(), st.floats(0, 100, allow_nan=False), st.just(NO_CASE))


@st.composite
def no_case_competitions(draw):
    rows = []
    for e in ENTRANTS:
        for s in STAGES:
            for j in JUDGES:
                for c in ("k1", "k2", "h1"):
                    if draw(st.booleans()):
                        rows.append((e, s, j, c, draw(answer), None))
                v = draw(real_answer)
                rows.append((e, s, j, "h2", NO_CASE, None) if v == NO_CASE else (e, s, j, "h2", None, v))
    stages = draw(st.sampled_from([{"administrasi": 40, "lapangan": 60}, {"lapangan": 100}]))
    assignments = draw(st.lists(st.tuples(st.sampled_from(STAGES), st.sampled_from(JUDGES),
                                          st.sampled_from(ENTRANTS)), unique=True, max_size=6))
    stage = draw(st.sampled_from([None, None, "lapangan"]))
    return rows, stages, assignments, stage


def _run(drawn, path):
    rows, stages, assignments, stage = drawn
    return score_competition(inputs(rows, ENTRANTS, stages, assignments), CONFIG, stage=stage, path=path)


PROPS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPS
@given(no_case_competitions())
def test_dense_and_general_paths_agree_with_no_case_answers(drawn):
    dense, general = _run(drawn, "dense"), _run(drawn, "general")
    assert_same_results(dense, general)
    assert dense.no_case.collect().sort(["entrant_id", "stage", "criterion_id"]).equals(
        general.no_case.collect().sort(["entrant_id", "stage", "criterion_id"]))


@PROPS
@given(no_case_competitions())
def test_an_all_no_case_criterion_scores_as_if_the_instrument_lacked_it_for_that_entrant(drawn):
    # the denominator rule itself: replacing every allowed "tidak ada kasus" by no row at all changes no figure
    rows, stages, assignments, stage = drawn
    allowed = {"k2", "h2"}
    dropped = [r for r in rows if not (r[4] == NO_CASE and r[3] in allowed)]
    a, b = _run(drawn, "dense"), _run((dropped, stages, assignments, stage), "dense")
    for name in ("sections", "stage_totals", "fields"):
        assert getattr(a, name).equals(getattr(b, name)), name
    # every figure; ranks may differ only through the completeness tie-break (a no-case answer is an answer)
    figures = ["entrant_id", "total", *[c for c in a.table.columns if c.startswith(("total_", "sec_"))]]
    assert a.table.select(figures).sort("entrant_id").equals(b.table.select(figures).sort("entrant_id"))


no_case_saves = st.lists(st.tuples(
    st.sampled_from(ENTRANTS), st.sampled_from(STAGES), st.sampled_from(JUDGES),
    st.sampled_from(["k1", "k2", "h1", "h2"]), st.sampled_from(["a", "d", None, NO_CASE]),
    st.one_of(st.none(), st.floats(0, 100, allow_nan=False))), min_size=1, max_size=8)


@PROPS
@given(no_case_competitions(), no_case_saves)
def test_incremental_re_rank_equals_a_full_re_score_with_no_case_saves(drawn, batch):
    rows, stages, assignments, stage = drawn
    base = inputs(rows, ENTRANTS, stages, assignments)
    results = score_competition(base, CONFIG, stage=stage)
    current, new = rows, []
    for save in batch:
        current, sv = store_apply(current, save)
        new.append(sv)
    incremental = rescore(results, base, [], new, stage)
    assert incremental is not None
    full = score_competition(inputs(current, ENTRANTS, stages, assignments), CONFIG, stage=stage)
    assert_identical(incremental, full)
    assert incremental.no_case.collect().sort(["entrant_id", "stage", "criterion_id"]).equals(
        full.no_case.collect().sort(["entrant_id", "stage", "criterion_id"]))
