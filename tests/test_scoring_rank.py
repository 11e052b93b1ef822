"""Ranks with ties that are real (declared precision), each tie-break rule, awards, advancing and strata."""

from __future__ import annotations

import polars as pl
import pytest

from scoring.config import ScoringConfig
from scoring.rank import assign_awards, mark_advancing, rank_entrants, round_declared
from scoring.strata import strata_of

# Administrasi 81.25 at 40 % and lapangan 79.5 at 60 % is 80.2 exactly on paper, but 80.19999999999999 in binary
# floating point; the berita acara prints both as 80,20, so the two must share a rank.
NOISY = 0.4 * 81.25 + 0.6 * 79.5
EXACT = 80.2


def tied_table(**tb: list) -> pl.DataFrame:
    base = {"entrant_id": ["A", "B", "C"], "total": [EXACT, NOISY, 75.0],
            "sec_kesehatan": [70.0, 70.0, 90.0], "sec_pendidikan": [60.0, 60.0, 90.0],
            "completeness_pct": [100.0, 100.0, 100.0], "total_lapangan": [80.0, 80.0, 70.0]}
    base.update(tb)
    return pl.DataFrame(base)


def test_tie_that_holds_only_exactly_shares_rank_before_tie_breaks():
    assert NOISY != EXACT
    ranked = rank_entrants(tied_table(), tie_breaks=())
    assert ranked["rank"].to_list() == [1, 1, 3]              # competition ranking 1, 1, 3
    assert ranked["rank_final"].to_list() == [1, 1, 3]        # no rule: still shared
    assert ranked["tie_broken_by"].to_list() == [None, None, None]


@pytest.mark.parametrize(("rule", "changes", "winner"), [
    # kesehatan 70 vs 75 (B better); pendidikan and the rest equal
    ("field:kesehatan", {"sec_kesehatan": [70.0, 75.0, 90.0]}, "B"),
    # kesehatan equal (70.0 vs 70.000000001 rounds equal), pendidikan 66 vs 60 (A better)
    ("field:pendidikan", {"sec_kesehatan": [70.0, 70.000000001, 90.0], "sec_pendidikan": [66.0, 60.0, 90.0]}, "A"),
    ("completeness", {"completeness_pct": [95.0, 100.0, 100.0]}, "B"),
    ("stage:lapangan", {"total_lapangan": [81.0, 80.0, 70.0]}, "A"),
])
def test_each_tie_break_rule_resolves_the_tie(rule, changes, winner):
    rules = ("field:kesehatan", "field:pendidikan", "completeness", "stage:lapangan")
    ranked = rank_entrants(tied_table(**changes), tie_breaks=rules)
    by = {r["entrant_id"]: r for r in ranked.to_dicts()}
    loser = "B" if winner == "A" else "A"
    assert by["A"]["rank"] == by["B"]["rank"] == 1
    assert by[winner]["rank_final"] == 1 and by[loser]["rank_final"] == 2
    assert by[winner]["tie_broken_by"] == by[loser]["tie_broken_by"] == rule
    assert by["C"]["rank"] == by["C"]["rank_final"] == 3 and by["C"]["tie_broken_by"] is None


def test_tie_equal_on_every_rule_stays_shared_and_both_get_the_award():
    ranked = rank_entrants(tied_table(), tie_breaks=("field:kesehatan", "completeness"))
    assert ranked["rank_final"].to_list() == [1, 1, 3]
    awarded = assign_awards(ranked, 6)
    assert awarded["award"].to_list() == ["Juara I", "Juara I", "Juara III"]
    assert mark_advancing(awarded, 1)["advances"].to_list() == [True, True, False]


def test_three_way_tie_names_the_rule_that_settled_each_place():
    t = pl.DataFrame({"entrant_id": ["A", "B", "C"], "total": [50.0, 50.0, 50.0],
                      "x": [9.0, 5.0, 5.0], "y": [0.0, 2.0, 1.0]})
    ranked = rank_entrants(t, tie_breaks=("col:x", "col:y"))
    assert ranked["rank"].to_list() == [1, 1, 1]
    assert ranked["rank_final"].to_list() == [1, 2, 3]
    assert ranked["tie_broken_by"].to_list() == ["col:x", "col:y", "col:y"]


def test_ranks_within_groups_and_entrants_without_total_are_unranked():
    t = pl.DataFrame({"entrant_id": list("abcde"), "category": ["desa", "desa", "kelurahan", "kelurahan", "desa"],
                      "total": [70.0, 80.0, 60.0, 65.0, None]})
    ranked = rank_entrants(t, group_by=("category",))
    assert ranked["rank"].to_list() == [2, 1, 2, 1, None]
    awarded = mark_advancing(assign_awards(ranked, 1), 1)
    assert awarded["award"].to_list() == [None, "Juara I", None, "Juara I", None]
    assert awarded["advances"].to_list() == [False, True, False, True, False]


def test_awards_run_juara_then_harapan():
    t = pl.DataFrame({"entrant_id": [str(i) for i in range(8)], "total": [float(90 - i) for i in range(8)]})
    awards = assign_awards(rank_entrants(t), 6)["award"].to_list()
    assert awards == ["Juara I", "Juara II", "Juara III", "Harapan I", "Harapan II", "Harapan III", None, None]


def test_unknown_tie_break_column_names_the_choices():
    with pytest.raises(ValueError, match="sec_gizi"):
        rank_entrants(tied_table(), tie_breaks=("field:gizi",))
    with pytest.raises(ValueError, match="unknown tie-break rule"):
        ScoringConfig(tie_breaks=("kesehatan",))


@pytest.mark.parametrize(("value", "printed"), [(1.005, 1.01), (60.005, 60.01), (72.344999, 72.34),
                                                (0.125, 0.13), (80.30000000000001, 80.3)])
def test_round_declared_rounds_half_up_as_printed(value, printed):
    assert pl.select(round_declared(pl.lit(value), 2)).item() == printed


@pytest.mark.parametrize(("pct", "stratum"), [
    (0.0, "pratama"), (60.0, "pratama"), (60.01, "madya"), (70.0, "madya"), (70.01, "purnama"),
    (80.0, "purnama"), (80.01, "mandiri"), (100.0, "mandiri"), (None, None),
])
def test_strata_boundaries_belong_to_the_lower_stratum(pct, stratum):
    frame = strata_of(pl.DataFrame({"total": [pct]}, schema={"total": pl.Float64}))
    assert frame["strata"][0] == stratum


def test_strata_thresholds_are_configurable():
    expr = strata_of(pl.col("p"), (50.0, 65.0, 85.0))
    out = pl.DataFrame({"p": [50.0, 50.01, 85.0, 85.01]}).select(expr.alias("s"))["s"].to_list()
    assert out == ["pratama", "madya", "purnama", "mandiri"]
