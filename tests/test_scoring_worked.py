"""Worked examples computed by hand: a small two-stage competition and the classic 20/20/20/40 instrument.

The small competition (tests/scoring_fixtures.py): sections kelembagaan 40 % (k1, k2, weight 1 each, a/b/c/d =
4/3/2/1) and kesehatan 60 % (h1 weight 2; h2 nilai riil, coverage % ≥ 0/50/70/90 → 1/2/3/4 points).
Stages administrasi 40 %, lapangan 60 %. Judges J1, J2 in administrasi; J1, J2, J3 in lapangan.

E1 administrasi: k1 a,b → 3.5; k2 b,b → 3; h1 a,a → 4; h2 95,80 → 4,3 → 3.5
   kelembagaan (3.5 + 3) / 8 = 81.25 %; kesehatan (2·4 + 3.5) / (2·4 + 4) = 11.5/12 = 95.8333 %
   stage total 0.4·81.25 + 0.6·95.8333 = 32.5 + 57.5 = 90.0
E1 lapangan: k1 a,a,b → 11/3; k2 c,b,b → 8/3; h1 b,b,b → 3; h2 60,60,75 → 2,2,3 → 7/3
   kelembagaan (19/3)/8 = 79.1667 %; kesehatan (6 + 7/3)/12 = 69.4444 %
   stage total 0.4·79.1667 + 0.6·69.4444 = 31.6667 + 41.6667 = 73.3333
E1 nilai akhir 0.4·90 + 0.6·73.3333 = 36 + 44 = 80.00 → purnama (80 is the top of purnama)
   fields: kelembagaan 0.4·81.25 + 0.6·79.1667 = 80.0; kesehatan 0.4·95.8333 + 0.6·69.4444 = 80.0
E2 administrasi: k1 b,b → 3; k2 J1 a, J2 EMPTY → 4 (one judge; zeroing would give 2); h1 c,b → 2.5;
   h2 40,55 → 1,2 → 1.5. kelembagaan 7/8 = 87.5 %; kesehatan (5 + 1.5)/12 = 54.1667 %
   stage total 35 + 32.5 = 67.5
E2 lapangan: k1 a,a,a → 4; k2 b,c,d → 2; kesehatan not scored at all → left out, weights renormalised:
   kelembagaan 6/8 = 75 % → stage total 75.0 (weight covered 40 %)
E2 nilai akhir 0.4·67.5 + 0.6·75 = 27 + 45 = 72.00 → purnama; fields kelembagaan 0.4·87.5 + 0.6·75 = 80.0,
   kesehatan 54.1667 (administrasi only)
E3: administrasi all d (h2 10,20 → 1,1) → 25 %, 25 % → 25.0; lapangan all c (h2 50 → 2) → 50 %, 50 % → 50.0
   nilai akhir 10 + 30 = 40.00 → pratama
"""

from __future__ import annotations

import polars as pl
import pytest

from scoring.aggregate import completeness_rollup
from scoring.config import ScoringConfig
from scoring.engine import CompetitionInputs, score_competition
from scoring.fix_first import gap_to_next
from scoring.instrument import Instrument, Section
from tests.scoring_fixtures import (
    assignments_frame,
    choice,
    entrants_frame,
    scores_frame,
    small_assignments,
    small_competition_rows,
    small_instrument,
    stages_frame,
)

A, L = "administrasi", "lapangan"


@pytest.fixture(scope="module")
def results():
    inputs = CompetitionInputs(small_instrument(), scores_frame(small_competition_rows()),
                               entrants_frame(["E1", "E2", "E3"]), stages_frame({A: 40, L: 60}), small_assignments())
    return score_competition(inputs, ScoringConfig(advance_count=1))


def _get(frame: pl.DataFrame, col: str, **keys) -> float:
    sel = frame.filter(*[pl.col(k) == v for k, v in keys.items()])
    assert sel.height == 1, (keys, sel)
    return sel[col][0]


@pytest.mark.parametrize(("entrant", "stage", "crit", "points", "n"), [
    ("E1", A, "k1", 3.5, 2), ("E1", A, "h2", 3.5, 2), ("E1", L, "k1", 11 / 3, 3), ("E1", L, "h2", 7 / 3, 3),
    ("E2", A, "k2", 4.0, 1), ("E2", L, "k2", 2.0, 3), ("E3", A, "h2", 1.0, 2), ("E3", L, "h2", 2.0, 3),
])
def test_criterion_scores_combine_judges_by_mean(results, entrant, stage, crit, points, n):
    crit_frame = results.criteria.collect()
    row = crit_frame.filter(entrant_id=entrant, stage=stage, criterion_id=crit)
    assert row["points"][0] == pytest.approx(points)
    assert row["n_judges"][0] == n


@pytest.mark.parametrize(("entrant", "stage", "section", "pct"), [
    ("E1", A, "kelembagaan", 81.25), ("E1", A, "kesehatan", 95.833333), ("E1", L, "kelembagaan", 79.166667),
    ("E1", L, "kesehatan", 69.444444), ("E2", A, "kelembagaan", 87.5), ("E2", A, "kesehatan", 54.166667),
    ("E2", L, "kelembagaan", 75.0), ("E3", A, "kesehatan", 25.0), ("E3", L, "kelembagaan", 50.0),
])
def test_section_scores_match_hand_computation(results, entrant, stage, section, pct):
    assert _get(results.sections, "score_pct", entrant_id=entrant, stage=stage, section_id=section) == \
        pytest.approx(pct, abs=1e-6)


def test_stage_totals_and_nilai_akhir_to_the_decimal(results):
    st = results.stage_totals
    assert _get(st, "total", entrant_id="E1", stage=A) == pytest.approx(90.0)
    assert _get(st, "total", entrant_id="E1", stage=L) == pytest.approx(73.333333)
    assert _get(st, "total", entrant_id="E2", stage=L) == pytest.approx(75.0)
    t = results.table
    assert dict(zip(t["entrant_id"], t["total"], strict=True)) == {"E1": 80.0, "E2": 72.0, "E3": 40.0}
    assert _get(t, "total_lapangan", entrant_id="E1") == 73.33          # printed precision
    assert _get(t, "total_administrasi", entrant_id="E2") == 67.5


def test_field_scores_combine_stages_by_stage_weight(results):
    f = results.fields
    assert _get(f, "score_pct", entrant_id="E1", section_id="kelembagaan") == pytest.approx(80.0)
    assert _get(f, "score_pct", entrant_id="E1", section_id="kesehatan") == pytest.approx(80.0)
    assert _get(f, "score_pct", entrant_id="E2", section_id="kelembagaan") == pytest.approx(80.0)
    # kesehatan was scored in administrasi only: its stage weight is renormalised, not zero-filled
    assert _get(f, "score_pct", entrant_id="E2", section_id="kesehatan") == pytest.approx(54.166667)
    assert _get(f, "spm_field", entrant_id="E2", section_id="kesehatan") == "kesehatan"
    assert _get(results.table, "sec_kesehatan", entrant_id="E2") == pytest.approx(54.166667)


def test_missing_score_is_excluded_not_zeroed(results):
    # E2's k2 in administrasi rests on J1's "a" alone: 4 points, not (4 + 0) / 2 = 2
    assert _get(results.sections, "score_pct", entrant_id="E2", stage=A, section_id="kelembagaan") == 87.5
    problems = results.problems.collect()
    assert problems.rows() == [("E2", A, "J2", "k2", None, "no_value", "option_code", 1)]


def test_unscored_section_is_left_out_and_reported(results):
    row = results.stage_totals.filter(entrant_id="E2", stage=L)
    assert row["n_sections"][0] == 1 and row["n_sections_total"][0] == 2
    assert row["weight_covered"][0] == pytest.approx(40.0)


def test_completeness_reports_missing_scores_per_judge_and_entrant(results):
    comp = results.completeness.collect()
    gaps = comp.filter(pl.col("pct") < 100).sort(["stage", "judge_id"])
    assert gaps.select("stage", "judge_id", "section_id", "entered", "expected").rows() == [
        (A, "J2", "kelembagaan", 1, 2), (L, "J1", "kesehatan", 0, 2), (L, "J2", "kesehatan", 0, 2),
        (L, "J3", "kesehatan", 0, 2)]
    # E2: administrasi 7 of 2·4 = 8, lapangan 6 of 3·4 = 12 → 13/20 = 65 %
    assert _get(results.table, "completeness_pct", entrant_id="E2") == pytest.approx(65.0)
    assert _get(results.table, "completeness_pct", entrant_id="E1") == 100.0
    by_field = completeness_rollup(comp, ("entrant_id", "section_id"))
    assert _get(by_field, "pct", entrant_id="E2", section_id="kesehatan") == pytest.approx(40.0)  # 4 of 10


def test_ranks_awards_advancing_and_strata(results):
    t = results.table.sort("entrant_id")
    assert t["rank"].to_list() == [1, 2, 3]
    assert t["award"].to_list() == ["Juara I", "Juara II", "Juara III"]
    assert t["advances"].to_list() == [True, False, False]
    assert t["strata"].to_list() == ["purnama", "purnama", "pratama"]


def test_fix_first_orders_criteria_by_weighted_points_lost(results):
    # E2: administrasi kelembagaan 100·0.4·0.4/8 = 2 per point, kesehatan 100·0.4·0.6/12 = 2 per weighted point;
    # lapangan kelembagaan alone (renormalised to 100 %) 100·0.6·1/8 = 7.5 per point.
    # k1 (4−3)·2 = 2; k2 0 + (4−2)·7.5 = 15; h1 2·(4−2.5)·2 = 6; h2 (4−1.5)·2 = 5; sum 28 = 100 − 72
    ff = results.fix_first.collect()
    e2 = ff.filter(entrant_id="E2").sort("order")
    assert e2["criterion_id"].to_list() == ["k2", "h1", "h2", "k1"]
    assert e2["lost"].to_list() == pytest.approx([15.0, 6.0, 5.0, 2.0])
    # E1: k1 1 + 1 = 2; k2 2 + 4 = 6; h1 0 + 6 = 6; h2 1 + 5 = 6 → equal losses follow instrument order
    e1 = ff.filter(entrant_id="E1").sort("order")
    assert e1["criterion_id"].to_list() == ["k2", "h1", "h2", "k1"]
    for e in ("E1", "E2", "E3"):
        assert ff.filter(entrant_id=e)["lost"].sum() == pytest.approx(100 - _get(results.table, "total",
                                                                               entrant_id=e))


def test_gap_to_next_takes_fewest_criteria_that_pass(results):
    gaps = gap_to_next(results.table, results.fix_first)
    # E2 is 8 behind E1: k2 alone adds 15 > 8
    assert _get(gaps, "above_entrant_id", entrant_id="E2") == "E1"
    assert _get(gaps, "gap", entrant_id="E2") == pytest.approx(8.0)
    assert gaps.filter(entrant_id="E2")["criteria"].to_list() == [["k2"]]
    # E3 is 32 behind E2: losses h1 24, k1 12, k2 12, h2 12 → h1 (24 ≤ 32) then k1 (36 > 32)
    assert gaps.filter(entrant_id="E3")["criteria"].to_list() == [["h1", "k1"]]
    assert _get(gaps, "closes", entrant_id="E3") is True
    assert "E1" not in gaps["entrant_id"].to_list()


def test_single_stage_run_scores_only_that_stage(results):
    inputs = CompetitionInputs(small_instrument(), scores_frame(small_competition_rows()),
                               entrants_frame(["E1", "E2", "E3"]), stages_frame({A: 40, L: 60}), small_assignments())
    res = score_competition(inputs, ScoringConfig(tie_breaks=("completeness", "stage:lapangan")), stage=A)
    t = res.table.sort("entrant_id")
    assert t["total"].to_list() == [90.0, 67.5, 25.0]
    assert "total_lapangan" not in t.columns
    assert res.tie_breaks_used == ("completeness",)


def test_classic_level_sections_20_20_20_40():
    # kabupaten 20 %: b → 3/4 = 75 %; kecamatan 20 %: c → 2/4 = 50 %; desa 20 %: a → 100 %;
    # posyandu 40 %: b + c → 5/8 = 62.5 %. Nilai akhir 0.2·75 + 0.2·50 + 0.2·100 + 0.4·62.5 = 15+10+20+25 = 70.00
    # → madya (70 is the top of madya)
    secs = (Section("kab", "Pokjanal kabupaten", 20.0, criteria=(choice("kab1", "kab"),)),
            Section("kec", "Pokjanal kecamatan", 20.0, criteria=(choice("kec1", "kec"),)),
            Section("desa", "Pokja desa", 20.0, criteria=(choice("desa1", "desa"),)),
            Section("pos", "Posyandu", 40.0, criteria=(choice("pos1", "pos"), choice("pos2", "pos"))))
    inst = Instrument(code="classic", version=1, title="Classic", layout="level_sections", sections=secs)
    rows = [("X", "lapangan", "J1", c, o, None) for c, o in
            (("kab1", "b"), ("kec1", "c"), ("desa1", "a"), ("pos1", "b"), ("pos2", "c"))]
    inputs = CompetitionInputs(inst, scores_frame(rows), entrants_frame(["X"]), stages_frame({"lapangan": 100}),
                               assignments_frame([("lapangan", "J1", "X")]))
    t = score_competition(inputs, ScoringConfig(tie_breaks=())).table
    assert t.select("sec_kab", "sec_kec", "sec_desa", "sec_pos").row(0) == (75.0, 50.0, 100.0, 62.5)
    assert t["total"][0] == 70.0
    assert t["strata"][0] == "madya"
    assert t["award"][0] == "Juara I"
