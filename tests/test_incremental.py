"""One save → the contest's new results without re-scoring every score (issue #15): `scoring.incremental.rescore`
over random save sequences equals a full re-score of the same raw choices, every output frame exactly: the
eager frames (sections, stage totals, fields, the table) row for row in the same order, the lazy detail frames
with the same rows (Polars 2.1 joins keep no row order there, so two full runs differ in order too), every float
equal to the bit."""

from __future__ import annotations

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring.engine import CompetitionInputs, score_competition
from scoring.incremental import Save, patched_scores, rescore
from tests.scoring_fixtures import (
    assignments_frame,
    entrants_frame,
    scores_frame,
    small_instrument,
    stages_frame,
)
from tests.test_scoring_properties import (
    CONFIG,
    CRITERIA,
    ENTRANTS,
    FRAMES,
    JUDGES,
    STAGES,
    stored_competitions,
)

saves = st.lists(st.tuples(
    st.sampled_from([*ENTRANTS, "E9"]), st.sampled_from([*STAGES, "final"]), st.sampled_from(JUDGES),
    st.sampled_from([*CRITERIA, "h2", "zz"]), st.sampled_from(["a", "b", "c", "d", "x", None]),
    st.one_of(st.none(), st.floats(0, 100, allow_nan=False))), min_size=1, max_size=12)


def store_apply(rows: list[tuple], save: tuple) -> tuple[list[tuple], Save]:
    """What the store does with one save: the score's row changed in place, or a new row after the others."""
    e, s, j, c, o, v = save
    for i, r in enumerate(rows):
        if r[:4] == (e, s, j, c):
            return rows[:i] + [(e, s, j, c, o, v)] + rows[i + 1:], Save(s, e, j, c, False, r[4], r[5], o, v)
    return rows + [(e, s, j, c, o, v)], Save(s, e, j, c, True, None, None, o, v)


def inputs_of(rows, entrants, stages, assignments) -> CompetitionInputs:
    return CompetitionInputs(small_instrument(), scores_frame(rows), entrants_frame(entrants), stages_frame(stages),
                             assignments_frame(assignments))


LAZY = ("points", "criteria", "completeness", "fix_first", "problems")


def assert_identical(x, y) -> None:
    for name in FRAMES:
        fx, fy = getattr(x, name), getattr(y, name)
        fx = fx.collect() if isinstance(fx, pl.LazyFrame) else fx
        fy = fy.collect() if isinstance(fy, pl.LazyFrame) else fy
        assert fx.schema == fy.schema, (name, fx.schema, fy.schema)
        if name in LAZY:
            fx, fy = fx.sort(fx.columns, nulls_last=True), fy.sort(fy.columns, nulls_last=True)
        assert fx.equals(fy), (name, fx, fy)
    assert (x.stages, x.tie_breaks_used, x.config) == (y.stages, y.tie_breaks_used, y.config)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stored_competitions(), st.lists(saves, min_size=1, max_size=4))
def test_saves_applied_one_batch_at_a_time_equal_a_full_re_score(drawn, batches):
    rows, entrants, stages, assignments, stage = drawn
    seen, unique = set(), []
    for r in rows:                         # the store holds one row per judge × entrant × criterion × stage
        if r[:4] not in seen and None not in r[:4]:
            seen.add(r[:4])
            unique.append(r)
    base = inputs_of(unique, entrants, stages, assignments)
    results = score_competition(base, CONFIG, stage=stage)
    current, applied = unique, []
    for batch in batches:
        new = []
        for save in batch:
            current, sv = store_apply(current, save)
            new.append(sv)
        incremental = rescore(results, base, applied, new, stage)
        full = score_competition(inputs_of(current, entrants, stages, assignments), CONFIG, stage=stage)
        if not stages:
            assert incremental is None        # stages from the scores: the caller re-scores in full
            return
        assert incremental is not None
        assert_identical(incremental, full)
        results, applied = incremental, [*applied, *new]


def test_patched_scores_keep_the_store_order():
    rows = [("E1", "lapangan", "J1", "k1", "a", None), ("E1", "lapangan", "J1", "k2", "b", None)]
    saves_ = [Save("lapangan", "E2", "J1", "k1", True, None, None, "c", None),
              Save("lapangan", "E1", "J1", "k2", False, "b", None, "d", None),
              Save("lapangan", "E2", "J1", "k1", False, "c", None, None, 55.0)]
    out = patched_scores(scores_frame(rows), saves_).collect()
    assert out.rows() == [("E1", "lapangan", "J1", "k1", "a", None), ("E1", "lapangan", "J1", "k2", "d", None),
                          ("E2", "lapangan", "J1", "k1", None, 55.0)]


def test_points_that_do_not_add_exactly_are_re_scored_in_full():
    from dataclasses import replace

    from scoring.instrument import Option

    inst = small_instrument()
    third = tuple(replace(o, points=o.points / 3) for o in inst.sections[0].criteria[0].options)
    assert all(isinstance(o, Option) for o in third)
    k1 = replace(inst.sections[0].criteria[0], options=third)
    inst = replace(inst, sections=(replace(inst.sections[0], criteria=(k1, inst.sections[0].criteria[1])),
                                   inst.sections[1]))
    rows = [("E1", "lapangan", "J1", "k1", "a", None)]
    base = replace(inputs_of(rows, ["E1"], {"lapangan": 100}, []), instrument=inst)
    results = score_competition(base, CONFIG)
    assert rescore(results, base, [], [Save("lapangan", "E1", "J1", "k1", False, "a", None, "b", None)]) is None
