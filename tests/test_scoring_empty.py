"""A contest at the start of its life: no entrants, entrants without scores, scores for one stage only.

Day one of every contest is "entrants and no scores". The dense path used to recurse forever there
(`_key_codes` called itself on the empty list of runs once the instrument had more than 8 criteria), which
crashed every results page; the judge model refused an empty fit and the rank confidence indexed with floats.
These tests run every engine function on such contests, with the bundled six-field instrument (43 criteria).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from data.instruments.loader import load_instrument_file
from scoring.agreement import agreement_summary, icc_oneway, krippendorff_ordinal, pairwise_agreement
from scoring.confidence import rank_confidence
from scoring.config import ScoringConfig
from scoring.dense import _key_codes
from scoring.engine import CompetitionInputs, score_competition
from scoring.fix_first import gap_to_next
from scoring.frames import ASSIGNMENTS_SCHEMA, SCORES_SCHEMA
from scoring.judges import adjusted_ranking, fit_facets, judge_severity, outlier_choices
from tests.scoring_fixtures import assignments_frame, entrants_frame, scores_frame, stages_frame

ROOT = Path(__file__).resolve().parent.parent
INSTRUMENT = load_instrument_file(ROOT / "data/instruments/bundled/enam_bidang_2026.yaml").instrument
CRITERIA = [c.id for c in INSTRUMENT.criteria if c.kind == "choice"]
STAGES = {"administrasi": 40, "lapangan": 60}
A, L = "administrasi", "lapangan"


def inputs(entrants: list[str], rows: list[tuple], assigned: list[tuple] = ()) -> CompetitionInputs:
    scores = scores_frame(rows) if rows else pl.DataFrame(schema=SCORES_SCHEMA)
    assignments = assignments_frame(list(assigned)) if assigned else pl.DataFrame(schema=ASSIGNMENTS_SCHEMA)
    return CompetitionInputs(INSTRUMENT, scores, entrants_frame(entrants), stages_frame(STAGES), assignments)


PATHS = [("dense", "mean"), ("general", "mean"), ("general", "median"), ("general", "trimmed_mean")]


def test_a_key_column_with_no_rows_has_no_codes():
    # the root of the crash: an empty column has no runs to encode one by one
    assert len(_key_codes(pl.Series([], dtype=pl.String), CRITERIA)) == 0
    codes = _key_codes(pl.Series(["zz", CRITERIA[3], None], dtype=pl.String), CRITERIA)
    assert codes.tolist() == [len(CRITERIA), 3, len(CRITERIA)]


@pytest.mark.parametrize(("path", "method"), PATHS)
@pytest.mark.parametrize("stage", [None, A, L])
def test_a_new_contest_lists_every_entrant_unranked_instead_of_crashing(path, method, stage):
    # 3 entrants, 2 judges assigned, nothing entered yet: every entrant is in the table, no total, no rank,
    # completeness 0 of 2 judges × 43 criteria; no section, stage or field rows
    assigned = [(s, j, e) for s in STAGES for j in ("J1", "J2") for e in ("E1", "E2", "E3")]
    res = score_competition(inputs(["E1", "E2", "E3"], [], assigned), ScoringConfig(aggregation=method),
                            stage=stage, path=path)
    assert res.table["entrant_id"].to_list() == ["E1", "E2", "E3"]
    assert res.table["total"].null_count() == 3 and res.table["rank_final"].null_count() == 3
    assert res.table["completeness_pct"].to_list() == [0.0, 0.0, 0.0]
    assert res.sections.height == res.stage_totals.height == res.fields.height == 0
    for lazy_frame in (res.points, res.criteria, res.fix_first, res.problems):
        assert lazy_frame.collect().height == 0
    # the completeness detail still says what is expected: 2 judges × 8 sections × stages in the run
    assert res.completeness.collect().height == 2 * 3 * len(INSTRUMENT.sections) * (1 if stage else 2)


@pytest.mark.parametrize(("path", "method"), PATHS)
def test_a_contest_without_entrants_gives_empty_results_not_an_error(path, method):
    res = score_competition(inputs([], []), ScoringConfig(aggregation=method), path=path)
    assert res.table.height == 0 and "total" in res.table.columns
    assert res.sections.height == res.stage_totals.height == 0


@pytest.mark.parametrize(("path", "method"), PATHS)
def test_scores_for_one_stage_only_rank_on_that_stage(path, method):
    # administrasi only, both judges choose "a" (4 of 4) for E1 and "c" (2 of 4) for E2 on every choice criterion:
    # E1 100 %, E2 50 %; lapangan weighs nothing until it is scored (stages renormalised over those present)
    rows = [(e, A, j, c, code, None) for e, code in (("E1", "a"), ("E2", "c")) for j in ("J1", "J2")
            for c in CRITERIA]
    res = score_competition(inputs(["E1", "E2", "E3"], rows), ScoringConfig(aggregation=method), path=path)
    t = res.table.sort("entrant_id")
    assert t["total"].to_list() == [100.0, 50.0, None]
    assert t["total_lapangan"].to_list() == [None, None, None]
    assert t["rank_final"].to_list() == [1, 2, None]
    assert set(res.stage_totals["stage"]) == {A}


def test_judge_quality_of_a_contest_without_scores_is_empty_not_an_error():
    empty_points = score_competition(inputs(["E1", "E2"], [])).points.collect()
    fit = fit_facets(empty_points)
    assert fit.judge.height == 0 and math.isnan(fit.sigma)
    assert judge_severity(empty_points).columns == ["judge_id", "severity", "se", "n_scores", "group"]
    assert outlier_choices(empty_points).height == 0
    ranked = adjusted_ranking(inputs(["E1", "E2"], []))
    assert ranked["entrant_id"].sort().to_list() == ["E1", "E2"] and ranked["rank_adj"].null_count() == 2
    assert agreement_summary(empty_points).height >= 0 and pairwise_agreement(empty_points).height == 0
    assert math.isnan(krippendorff_ordinal(empty_points)) and math.isnan(icc_oneway(empty_points)["icc1"])


def test_one_judge_alone_has_an_unknown_severity_error_not_a_warning():
    # one judge, one entrant: the model has no second opinion, so the judge's standard error is infinite
    rows = [("E1", A, "J1", c, "abcd"[i % 4], None) for i, c in enumerate(CRITERIA)]
    points = score_competition(inputs(["E1"], rows)).points.collect()
    sev = judge_severity(points)
    assert sev["judge_id"].to_list() == ["J1"] and np.isinf(sev["se"][0])


@pytest.mark.parametrize("entrants", [[], ["E1", "E2"]])
def test_rank_confidence_of_an_unscored_contest_says_nobody_is_ranked(entrants):
    conf = rank_confidence(inputs(entrants, []), n_draws=20)
    assert conf["entrant_id"].to_list() == entrants
    assert conf["rank_median"].null_count() == len(entrants) and (conf["n_draws"] == 0).all()


def test_gap_to_next_of_an_unscored_contest_is_empty():
    res = score_competition(inputs(["E1", "E2"], []))
    assert gap_to_next(res.table, res.fix_first).height == 0
