"""Rank confidence: reproducible, honest probabilities, and 90 % intervals that hold the true rank."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from scoring.aggregate import combined
from scoring.confidence import observed_totals, prepare_arrays, rank_confidence, rank_confidence_arrays
from scoring.config import ScoringConfig
from scoring.engine import CompetitionInputs, score_competition
from scoring.frames import ASSIGNMENTS_SCHEMA
from scoring.instrument import criteria_frame, options_frame, sections_frame, thresholds_frame
from scoring.points import to_points
from scoring.simulate import simulate_competition
from tests.scoring_fixtures import (
    entrants_frame,
    scores_frame,
    small_assignments,
    small_competition_rows,
    small_instrument,
    stages_frame,
)


def _inputs(sim) -> CompetitionInputs:
    return CompetitionInputs(instrument=sim.instrument, scores=sim.scores, entrants=sim.entrants,
                             stages=sim.stages, assignments=pl.DataFrame(schema=ASSIGNMENTS_SCHEMA))


@pytest.fixture(scope="module")
def sim():
    return simulate_competition(n_entrants=120, n_criteria=24, n_judges_panel=20, seed=5)


def test_same_seed_same_answer_other_seed_other_draws(sim):
    a = rank_confidence(_inputs(sim), n_draws=100, seed=7, weight_jitter=0.1)
    b = rank_confidence(_inputs(sim), n_draws=100, seed=7, weight_jitter=0.1)
    c = rank_confidence(_inputs(sim), n_draws=100, seed=8, weight_jitter=0.1)
    assert a.equals(b)
    assert not a.equals(c)


@pytest.mark.parametrize("jitter", [0.0, 0.2])
def test_probabilities_are_probabilities_and_one_first_place_per_draw(sim, jitter):
    out = rank_confidence(_inputs(sim), n_draws=150, seed=1, weight_jitter=jitter)
    assert out.height == 120
    for col in ("p_first", "p_top3", "p_top6"):
        assert out[col].is_between(0.0, 1.0).all()
    # every draw has exactly one first place, three top-3 places and six top-6 places
    assert out["p_first"].sum() == pytest.approx(1.0)
    assert out["p_top3"].sum() == pytest.approx(3.0)
    assert out["p_top6"].sum() == pytest.approx(6.0)
    assert ((out["p_first"] <= out["p_top3"]) & (out["p_top3"] <= out["p_top6"])).all()
    assert ((out["rank_lo"] <= out["rank_median"]) & (out["rank_median"] <= out["rank_hi"])).all()
    assert out["rank_lo"].min() >= 1 and out["rank_hi"].max() <= 120


def test_probabilities_hold_within_each_rank_group(sim):
    cats = sim.entrants.with_columns(
        pl.when(pl.int_range(pl.len()) % 2 == 0).then(pl.lit("desa")).otherwise(pl.lit("kelurahan"))
        .alias("category"))
    inputs = CompetitionInputs(sim.instrument, sim.scores, cats, sim.stages, pl.DataFrame(schema=ASSIGNMENTS_SCHEMA))
    out = rank_confidence(inputs, ScoringConfig(group_by=("category",)), n_draws=80, seed=2)
    per = out.join(cats.select("entrant_id", "category"), on="entrant_id").group_by("category").agg(
        pl.col("p_first").sum(), pl.col("rank_hi").max())
    assert per["p_first"].to_list() == pytest.approx([1.0, 1.0])
    assert (per["rank_hi"] <= 60).all()


def test_an_entrant_far_ahead_is_almost_surely_first():
    # A weak field (latent quality around 2.0 of 4: totals about 35–65 %) and E000001 with option a
    # (4 points) on every choice: 100 %, many judge-noise widths (about 4 points) ahead of the next.
    sim = simulate_competition(n_entrants=120, n_criteria=24, n_judges_panel=20, seed=5, quality_mean=2.0)
    scores = sim.scores.with_columns(
        pl.when(pl.col("entrant_id") == "E000001").then(pl.lit("a")).otherwise(pl.col("option_code"))
        .alias("option_code"))
    inputs = CompetitionInputs(sim.instrument, scores, sim.entrants, sim.stages,
                               pl.DataFrame(schema=ASSIGNMENTS_SCHEMA))
    out = rank_confidence(inputs, n_draws=200, seed=0, weight_jitter=0.1)
    lead = out.filter(pl.col("entrant_id") == "E000001").row(0, named=True)
    assert lead["p_first"] >= 0.99
    assert (lead["rank_lo"], lead["rank_hi"], lead["rank_median"]) == (1, 1, 1)


@pytest.mark.parametrize("aggregation", ["mean", "median", "trimmed_mean"])
def test_a_draw_with_the_original_judges_reproduces_the_engine(aggregation):
    # The worked example has a missing score, an unscored section, 2 and 3 judges, and a nilai-riil criterion.
    config = ScoringConfig(aggregation=aggregation, trim=0.34)
    inst = small_instrument()
    stages = stages_frame({"administrasi": 40, "lapangan": 60})
    inputs = CompetitionInputs(inst, scores_frame(small_competition_rows()), entrants_frame(["E1", "E2", "E3"]),
                               stages, small_assignments())
    res = score_competition(inputs, config)
    engine = combined(res.stage_totals.select("entrant_id", "stage", "total"), stages, ["total"],
                      keys=["entrant_id"])
    points = to_points(inputs.scores, criteria_frame(inst), options_frame(inst), thresholds_frame(inst))
    arr = prepare_arrays(points, criteria_frame(inst), sections_frame(inst), stages, inputs.entrants)
    mine = pl.DataFrame({"entrant_id": arr.entrant_ids, "mine": observed_totals(arr, config)})
    both = engine.join(mine, on="entrant_id")
    assert both.height == 3
    assert (both["total"] - both["mine"]).abs().max() <= 1e-9


def test_a_draw_with_the_original_judges_reproduces_the_engine_on_a_simulation(sim):
    res = score_competition(_inputs(sim))
    engine = combined(res.stage_totals.select("entrant_id", "stage", "total"), sim.stages, ["total"],
                      keys=["entrant_id"])
    ins = sim.instrument
    points = to_points(sim.scores, criteria_frame(ins), options_frame(ins), thresholds_frame(ins))
    arr = prepare_arrays(points, criteria_frame(ins), sections_frame(ins), sim.stages, sim.entrants)
    mine = pl.DataFrame({"entrant_id": arr.entrant_ids, "mine": observed_totals(arr, ScoringConfig())})
    assert (engine.join(mine, on="entrant_id").select((pl.col("total") - pl.col("mine")).abs().max()).item()
            <= 1e-9)


def test_ninety_percent_intervals_hold_the_true_rank_over_repeated_simulations():
    hits, n = 0, 0
    for seed in range(8):
        s = simulate_competition(n_entrants=150, n_criteria=24, n_judges_panel=24, seed=100 + seed)
        ins = s.instrument
        points = to_points(s.scores, criteria_frame(ins), options_frame(ins), thresholds_frame(ins))
        arr = prepare_arrays(points, criteria_frame(ins), sections_frame(ins), s.stages, s.entrants)
        out = rank_confidence_arrays(arr, ScoringConfig(), n_draws=200, seed=seed).join(
            s.true_totals(), on="entrant_id")
        inside = (out["true_rank"] >= out["rank_lo"]) & (out["true_rank"] <= out["rank_hi"])
        hits += int(inside.sum())
        n += out.height
    coverage = hits / n
    print(f"\n90 % rank intervals: true rank inside for {coverage:.1%} of {n} entrants (8 simulations)")
    assert coverage >= 0.88


def test_plain_bootstrap_of_three_judges_is_too_narrow():
    # Why the defaults pool and rescale: resampling only an entrant's own three judges under-covers.
    s = simulate_competition(n_entrants=150, n_criteria=24, n_judges_panel=24, seed=3)
    ins = s.instrument
    points = to_points(s.scores, criteria_frame(ins), options_frame(ins), thresholds_frame(ins))
    arr = prepare_arrays(points, criteria_frame(ins), sections_frame(ins), s.stages, s.entrants)
    truth = s.true_totals()

    def coverage(**kw) -> float:
        out = rank_confidence_arrays(arr, ScoringConfig(), n_draws=200, seed=0, **kw).join(truth, on="entrant_id")
        return float(((out["true_rank"] >= out["rank_lo"]) & (out["true_rank"] <= out["rank_hi"])).mean())

    plain = coverage(resample="entrant", rescale=False, shrink=False)
    default = coverage()
    print(f"\ncoverage: plain own-judge bootstrap {plain:.1%}, default {default:.1%}")
    assert plain < default
    assert np.isfinite(plain)


def test_an_entrant_without_scores_gets_no_rank_and_no_chance():
    s = simulate_competition(n_entrants=30, n_criteria=8, n_judges_panel=6, seed=1)
    scores = s.scores.filter(pl.col("entrant_id") != "E000003")
    inputs = CompetitionInputs(s.instrument, scores, s.entrants, s.stages, pl.DataFrame(schema=ASSIGNMENTS_SCHEMA))
    out = rank_confidence(inputs, n_draws=50)
    missing = out.filter(pl.col("entrant_id") == "E000003").row(0, named=True)
    assert (missing["p_first"], missing["p_top6"], missing["n_draws"]) == (0.0, 0.0, 0)
    assert missing["rank_lo"] is None and missing["rank_hi"] is None
    assert out["p_first"].sum() == pytest.approx(1.0)
    assert out["rank_hi"].max() <= 29
