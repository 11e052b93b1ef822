"""Invariants of the engine (hypothesis): order does not matter, totals stay in 0–100, a better choice never hurts,
and the dense national-scale path gives the same results as the general group-by path."""

from __future__ import annotations

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring.config import ScoringConfig
from scoring.engine import CompetitionInputs, score_competition
from tests.scoring_fixtures import entrants_frame, scores_frame, small_instrument, stages_frame

ENTRANTS = ["E1", "E2", "E3"]
CRITERIA = ["k1", "k2", "h1"]
STAGES = ["administrasi", "lapangan"]
JUDGES = ["J1", "J2", "J3"]
CONFIG = ScoringConfig(tie_breaks=("field:kesehatan", "completeness"))

choice_or_missing = st.sampled_from(["a", "b", "c", "d", None])
real_or_missing = st.one_of(st.none(), st.floats(0, 100, allow_nan=False))


@st.composite
def competitions(draw):
    """Random choices (some missing) for 3 entrants × 2 stages × 3 judges × 4 criteria."""
    rows = []
    for e in ENTRANTS:
        for s in STAGES:
            for j in JUDGES:
                for c in CRITERIA:
                    rows.append((e, s, j, c, draw(choice_or_missing), None))
                rows.append((e, s, j, "h2", None, draw(real_or_missing)))
    return rows


def run(rows, path="auto", config=CONFIG):
    inputs = CompetitionInputs(small_instrument(), scores_frame(rows), entrants_frame(ENTRANTS),
                               stages_frame({"administrasi": 40, "lapangan": 60}),
                               pl.DataFrame(schema={"stage": pl.String, "judge_id": pl.String,
                                                    "entrant_id": pl.String}))
    return score_competition(inputs, config, path=path)


def table(res) -> pl.DataFrame:
    return res.table.sort("entrant_id")


FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(competitions(), st.randoms(use_true_random=False))
def test_row_and_judge_order_do_not_change_results(rows, rnd):
    shuffled = list(rows)
    rnd.shuffle(shuffled)
    # renaming judges changes the order they are combined in, never the result
    rename = dict(zip(JUDGES, rnd.sample(JUDGES, len(JUDGES)), strict=True))
    relabelled = [(e, s, rename[j], c, o, v) for e, s, j, c, o, v in shuffled]
    assert table(run(rows)).equals(table(run(relabelled)))


@FAST
@given(competitions())
def test_totals_stay_within_0_and_100(rows):
    t = table(run(rows))
    totals = t["total"].drop_nulls()
    assert ((totals >= 0) & (totals <= 100)).all()
    for col in [c for c in t.columns if c.startswith(("sec_", "total_"))]:
        vals = t[col].drop_nulls()
        assert ((vals >= 0) & (vals <= 100)).all(), col


@FAST
@given(competitions(), st.integers(0, 10_000))
def test_raising_one_choice_never_lowers_that_entrants_total(rows, pick):
    chosen = [i for i, r in enumerate(rows) if r[4] in ("b", "c", "d")]
    if not chosen:
        return
    i = chosen[pick % len(chosen)]
    better = {"b": "a", "c": "b", "d": "c"}
    raised = list(rows)
    e, s, j, c, o, v = rows[i]
    raised[i] = (e, s, j, c, better[o], v)
    before = table(run(rows)).filter(entrant_id=e)["total"][0]
    after = table(run(raised)).filter(entrant_id=e)["total"][0]
    assert after >= before


@FAST
@given(competitions())
def test_dense_path_equals_general_path(rows):
    dense, general = run(rows, "dense"), run(rows, "general")
    cols = ["entrant_id", "total", "total_administrasi", "total_lapangan", "completeness_pct", "rank",
            "rank_final", "award", "strata"]
    assert table(dense).select(cols).equals(table(general).select(cols))
    a = table(dense).select("sec_kelembagaan", "sec_kesehatan")
    b = table(general).select("sec_kelembagaan", "sec_kesehatan")
    for col in a.columns:
        assert ((a[col] - b[col]).abs().fill_null(0) < 1e-9).all()
        assert a[col].is_null().equals(b[col].is_null())
    sd = dense.sections.select("entrant_id", "stage", "section_id", "n_scored", "n_criteria")
    sg = general.sections.select("entrant_id", "stage", "section_id", "n_scored", "n_criteria")
    assert sd.equals(sg)


def test_categorical_and_enum_keys_give_the_same_table():
    rows = [(e, s, j, c, "abcd"[(i + k) % 4], None) for i, e in enumerate(ENTRANTS) for s in STAGES
            for k, j in enumerate(JUDGES) for c in CRITERIA]
    base = table(run(rows))
    frame = scores_frame(rows)
    for dtype in (pl.Categorical, pl.Enum(sorted(set(ENTRANTS + STAGES + JUDGES + CRITERIA + list("abcd"))))):
        typed = frame.with_columns(pl.col(c).cast(dtype) for c in
                                   ("entrant_id", "stage", "judge_id", "criterion_id", "option_code"))
        inputs = CompetitionInputs(small_instrument(), typed, entrants_frame(ENTRANTS),
                                   stages_frame({"administrasi": 40, "lapangan": 60}),
                                   pl.DataFrame(schema={"stage": pl.String, "judge_id": pl.String,
                                                        "entrant_id": pl.String}))
        assert table(score_competition(inputs, CONFIG)).equals(base)


@FAST
@given(competitions())
def test_median_and_trimmed_mean_run_and_stay_in_bounds(rows):
    for method in ("median", "trimmed_mean"):
        t = table(run(rows, config=ScoringConfig(aggregation=method, tie_breaks=())))
        totals = t["total"].drop_nulls()
        assert ((totals >= 0) & (totals <= 100)).all()
