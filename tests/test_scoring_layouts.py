"""The engine's defaults serve any instrument layout, not only the six-field one."""

from __future__ import annotations

import polars as pl

from scoring.config import ScoringConfig
from scoring.engine import CompetitionInputs, score_competition
from scoring.frames import ASSIGNMENTS_SCHEMA, ENTRANTS_SCHEMA, SCORES_SCHEMA, STAGES_SCHEMA
from scoring.instrument import Criterion, Instrument, Option, Section


def test_field_tie_break_is_skipped_for_an_instrument_without_that_field() -> None:
    """The default config names field:kesehatan; the classic level-sections instrument has no such section."""
    opts = tuple(Option(c, f"pilihan {c}", p) for c, p in zip("abcd", (4, 3, 2, 1), strict=True))
    inst = Instrument("klasik", 1, "Klasik", "level_sections", (
        Section("kecamatan", "Kecamatan", 50, criteria=(Criterion("K1", "kecamatan", "SK", "choice", opts),)),
        Section("posyandu", "Posyandu", 50, criteria=(Criterion("P1", "posyandu", "Buka", "choice", opts),)),
    ))
    entrants = pl.DataFrame({"entrant_id": ["e1", "e2"], "posyandu_id": ["p1", "p2"]}).with_columns(
        [pl.lit(None, t).alias(c) for c, t in ENTRANTS_SCHEMA.items() if c not in ("entrant_id", "posyandu_id")]
    ).select(list(ENTRANTS_SCHEMA))
    scores = pl.DataFrame({"entrant_id": ["e1", "e1", "e2", "e2"], "stage": ["lapangan"] * 4,
                           "judge_id": ["j"] * 4, "criterion_id": ["K1", "P1", "K1", "P1"],
                           "option_code": ["a", "d", "d", "a"], "real_value": [None] * 4}, schema=SCORES_SCHEMA)
    stages = pl.DataFrame({"stage": ["lapangan"], "ord": [0], "weight": [100.0]}, schema=STAGES_SCHEMA)
    inputs = CompetitionInputs(inst, scores, entrants, stages, pl.DataFrame(schema=ASSIGNMENTS_SCHEMA))
    res = score_competition(inputs, ScoringConfig())
    # Each entrant: one section at 4 of 4 (100 %) and one at 1 of 4 (25 %), weights 50/50 → 62.5 for both.
    assert res.table["total"].to_list() == [62.5, 62.5]
    assert "field:kesehatan" not in res.tie_breaks_used
    assert res.table["rank"].to_list() == [1, 1]


def test_a_misspelt_field_rule_is_still_an_error() -> None:
    import pytest

    from scoring.rank import tie_break_column

    with pytest.raises(ValueError, match="kesehatn"):
        tie_break_column("field:kesehatn", ["sec_kesehatan"])
