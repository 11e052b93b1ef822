"""The contest-life rules as pure functions, on worked examples: the finalist cut with ties, the disagreement
thresholds, and the protest window and states."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from scoring.disagreement import disagreements, option_levels
from scoring.finalists import finalist_cut
from scoring.protests import can_move, final_blockers, protest_deadline, window_open

# --- finalist cut ---------------------------------------------------------------------------------------------

TOTALS = pl.DataFrame({"entrant_id": ["A", "B", "C", "D", "E", "F", "G"],
                       "total": [91.0, 85.5, 80.004, 79.996, 80.0, 70.0, None]})


def _finalists(df: pl.DataFrame) -> list[str]:
    return sorted(df.filter(pl.col("finalist"))["entrant_id"].to_list())


def test_top_n_keeps_everyone_tied_at_the_cut():
    # Printed totals: 91.00, 85.50, 80.00, 80.00, 80.00, 70.00: places 1, 2, 3, 3, 3, 6.
    out = finalist_cut(TOTALS, "top_n", 3)
    assert _finalists(out) == ["A", "B", "C", "D", "E"]
    assert dict(zip(out["entrant_id"], out["cut_place"], strict=True)) == {
        "A": 1, "B": 2, "C": 3, "D": 3, "E": 3, "F": 6, "G": None}


def test_top_n_without_a_tie_takes_exactly_n():
    assert _finalists(finalist_cut(TOTALS, "top_n", 2)) == ["A", "B"]
    assert _finalists(finalist_cut(TOTALS, "top_n", 0)) == []
    assert _finalists(finalist_cut(TOTALS, "top_n", 10)) == ["A", "B", "C", "D", "E", "F"]   # G has no total


def test_min_score_compares_the_printed_total():
    # 79.996 prints as 80.00 and so reaches a minimum of 80; 70 does not.
    assert _finalists(finalist_cut(TOTALS, "min_score", 80)) == ["A", "B", "C", "D", "E"]
    assert _finalists(finalist_cut(TOTALS, "min_score", 80.01)) == ["A", "B"]


def test_cut_rules_refuse_nonsense():
    with pytest.raises(ValueError):
        finalist_cut(TOTALS, "top_n", 2.5)
    with pytest.raises(ValueError):
        finalist_cut(TOTALS, "best_of", 2)


# --- disagreement thresholds ----------------------------------------------------------------------------------

OPTIONS = pl.DataFrame({"criterion_id": ["K1"] * 4 + ["K2"] * 4,
                        "option_code": ["a", "b", "c", "d"] * 2, "points": [4.0, 3.0, 2.0, 1.0] * 2})
KINDS = {"K1": "choice", "K2": "choice", "R1": "real"}


def _scores(rows: list[tuple[str, str, str | None, float | None]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema={"judge_id": pl.String, "criterion_id": pl.String, "option_code": pl.String,
                                      "real_value": pl.Float64}, orient="row")


def test_option_levels_follow_points_not_letters():
    odd = pl.DataFrame({"criterion_id": ["X"] * 3, "option_code": ["a", "b", "c"], "points": [1.0, 4.0, 4.0]})
    lv = dict(zip(option_levels(odd)["option_code"], option_levels(odd)["level"], strict=True))
    assert lv == {"b": 0, "c": 0, "a": 1}


def test_two_levels_apart_is_flagged_one_level_is_not():
    scores = _scores([("J1", "K1", "a", None), ("J2", "K1", "b", None), ("J3", "K1", "c", None),
                      ("J1", "K2", "a", None), ("J2", "K2", "b", None)])
    flags = disagreements(scores, KINDS, option_levels(OPTIONS), max_levels=2)
    assert flags["criterion_id"].to_list() == ["K1"]
    row = flags.row(0, named=True)
    assert row["spread"] == 2 and row["high_judge"] == "J1" and row["low_judge"] == "J3"
    assert row["judges"] == ["J1", "J2", "J3"]
    # A stricter committee sends back one level already.
    assert disagreements(scores, KINDS, option_levels(OPTIONS), max_levels=1)["criterion_id"].to_list() == ["K1", "K2"]


def test_nilai_riil_more_than_the_percentage_apart():
    # 60 and 80: (80 − 60) / 80 = 25 %: not MORE than 25 %; 59 and 80: 26.25 %: flagged.
    at = _scores([("J1", "R1", None, 60.0), ("J2", "R1", None, 80.0)])
    over = _scores([("J1", "R1", None, 59.0), ("J2", "R1", None, 80.0)])
    levels = option_levels(OPTIONS)
    assert disagreements(at, KINDS, levels, real_pct=25).height == 0
    flagged = disagreements(over, KINDS, levels, real_pct=25)
    assert flagged["criterion_id"].to_list() == ["R1"]
    assert flagged["spread"][0] == pytest.approx(26.25)
    assert flagged["low_judge"][0] == "J1" and flagged["high_judge"][0] == "J2"
    zeros = _scores([("J1", "R1", None, 0.0), ("J2", "R1", None, 0.0)])
    assert disagreements(zeros, KINDS, levels, real_pct=0).height == 0


def test_a_single_answer_cannot_disagree():
    scores = _scores([("J1", "K1", "a", None), ("J2", "K1", None, None), ("J2", "K2", "d", None)])
    assert disagreements(scores, KINDS, option_levels(OPTIONS)).height == 0


# --- protest window and states --------------------------------------------------------------------------------

FINALISED = dt.datetime(2025, 10, 17, 15, 30)


def test_protest_deadline_is_the_end_of_the_last_day():
    deadline = protest_deadline(FINALISED, 3)
    assert deadline == dt.datetime(2025, 10, 20, 23, 59, 59)
    assert window_open(dt.datetime(2025, 10, 20, 23, 59, 59), deadline)
    assert not window_open(dt.datetime(2025, 10, 21, 0, 0, 0), deadline)
    assert protest_deadline(FINALISED, 0) == dt.datetime(2025, 10, 17, 23, 59, 59)
    with pytest.raises(ValueError):
        protest_deadline(FINALISED, -1)


def test_protest_states_move_only_forward():
    assert can_move("open", "rejected") and can_move("open", "upheld") and can_move("upheld", "resolved")
    assert not can_move("rejected", "upheld")
    assert not can_move("resolved", "open")
    assert not can_move("open", "resolved")
    with pytest.raises(ValueError):
        can_move("lost", "open")


def test_final_waits_for_the_deadline_and_every_protest():
    deadline = protest_deadline(FINALISED, 3)
    before, after = dt.datetime(2025, 10, 19, 9, 0), dt.datetime(2025, 10, 21, 9, 0)
    assert final_blockers(before, deadline, []) == ["life_final_window_open"]
    assert final_blockers(after, deadline, ["rejected", "resolved"]) == []
    assert final_blockers(after, deadline, ["upheld"]) == ["life_final_protest_unsettled"]
    assert final_blockers(after, deadline, ["open", "rejected"]) == ["life_final_protest_unsettled"]
