"""Results people share (#17): change since the last round on Peringkat, the rank band and the chance of keeping
a place, field awards, imported past rounds, the scorecard image, the plain summary, feedback per criterion."""

from __future__ import annotations

import polars as pl
import pytest

from scoring.config import ScoringConfig
from scoring.engine import CompetitionInputs, score_competition
from scoring.instrument import Instrument, Section
from scoring.stability import place_stability
from tests.scoring_fixtures import assignments_frame, choice, entrants_frame, scores_frame, stages_frame


def _two_entrants() -> CompetitionInputs:
    """Sections A (1 criterion) and B (4 criteria), 50/50. Two judges who agree on everything.
    X: A = a (100 %), B = c,c,c,c (8/16 = 50 %)      → total 75,00
    Y: A = c (50 %),  B = a,a,a,b (15/16 = 93,75 %) → total 71,875
    X stays ahead while wA·100 + wB·50 > wA·50 + wB·93,75, i.e. wA/wB > 0,875. With weights moved by up to ±5 %
    the ratio stays in [0,95/1,05; 1,05/0,95] = [0,905; 1,105]: X always keeps first place. With ±10 % the
    ratio reaches 0,818: X loses it when (1+a) < 0,875·(1+b), a triangle of area 0,0022 out of 0,04 → 5,6 %."""
    inst = Instrument(code="two", version=1, title="Two", layout="six_field", sections=(
        Section(id="kelembagaan", title="A", weight=50.0, criteria=(choice("a1", "kelembagaan"),)),
        Section(id="kesehatan", title="B", weight=50.0, spm_field="kesehatan",
                criteria=tuple(choice(f"b{i}", "kesehatan") for i in range(1, 5)))))
    picks = {"X": {"a1": "a", "b1": "c", "b2": "c", "b3": "c", "b4": "c"},
             "Y": {"a1": "c", "b1": "a", "b2": "a", "b3": "a", "b4": "b"}}
    rows = [(e, "administrasi", j, c, o, None) for e, crit in picks.items() for j in ("J1", "J2")
            for c, o in crit.items()]
    return CompetitionInputs(instrument=inst, scores=scores_frame(rows), entrants=entrants_frame(["X", "Y"]),
                             stages=stages_frame({"administrasi": 1.0}),
                             assignments=assignments_frame([(e, "administrasi", j) for e in "XY" for j in ("J1", "J2")]))


def test_the_chance_of_keeping_first_place_falls_only_when_the_weights_can_turn_the_order():
    inputs = _two_entrants()
    official = score_competition(inputs, ScoringConfig()).table.select("entrant_id", "rank_final", "total")
    assert official.sort("entrant_id").rows() == [("X", 1, 75.0), ("Y", 2, 71.88)]
    calm = place_stability(inputs, ScoringConfig(), official, weight_change=0.05, n_draws=400)
    assert calm.sort("entrant_id")["p_keep"].to_list() == [1.0, 1.0]
    moved = place_stability(inputs, ScoringConfig(), official, weight_change=0.10, n_draws=400).sort("entrant_id")
    x = moved.row(0, named=True)
    assert 0.90 <= x["p_keep"] <= 0.99                    # ≈ 94,4 % by the arithmetic above
    assert (x["band_lo"], x["band_hi"]) == (1, 2)
    assert moved["p_keep"][1] == 1.0                       # second place or better: always
    again = place_stability(inputs, ScoringConfig(), official, weight_change=0.10, n_draws=400)
    assert again.sort("entrant_id").equals(moved)          # seeded: the page shows the same figure every time


def test_an_entrant_without_a_rank_has_no_chance_figure():
    inputs = _two_entrants()
    official = pl.DataFrame({"entrant_id": ["X", "Z"], "rank_final": [1, None]}, schema={"entrant_id": pl.String,
                                                                                        "rank_final": pl.Int32})
    got = place_stability(inputs, ScoringConfig(), official, weight_change=0.1, n_draws=50)
    assert got.filter(pl.col("entrant_id") == "Z")["p_keep"].to_list() == [None]
    with pytest.raises(ValueError):
        place_stability(inputs, ScoringConfig(), official, weight_change=1.5)


def test_the_rank_band_marks_the_interval_on_the_whole_table():
    import base64

    from present.share_tables import rank_band_svg

    svg = base64.b64decode(rank_band_svg(3, 2, 6, 11).split(",", 1)[1]).decode()
    # 11 places over 148 px from x = 6: place r sits at 6 + 148·(r−1)/10 → 2 ↦ 20,8; 6 ↦ 80,0; 3 ↦ 35,6
    assert "x='17.8'" in svg and "width='65.2'" in svg      # band from 20,8 − 3 to 80,0 + 3
    assert "x='34.1'" in svg                                # the rank's mark, 3 px wide, centred on 35,6
    assert rank_band_svg(None, 1, 2, 5) is None and rank_band_svg(1, None, None, 5) is None


def test_change_rows_say_rank_and_score_then_and_now_with_signs():
    from present.share_tables import change_rows
    from scoring.league import change_since

    now = pl.DataFrame({"entrant_id": ["N1", "N2"], "posyandu_id": ["P1", "P2"], "posyandu_name": ["Jeruk", "Mawar"],
                        "desa_name": ["Pasar Keong", "Cibadak"], "rank_final": [1, 2], "total": [90.0, 85.0],
                        "sec_kesehatan": [88.0, 90.0]})
    before = pl.DataFrame({"posyandu_id": ["P2", "P1"], "rank_final": [1, 4], "total": [87.5, 72.0],
                           "sec_kesehatan": [80.0, 88.0]})
    got = change_rows(change_since(now, before, ["kesehatan"]), ["kesehatan"], "id")
    assert got.to_dict("records") == [
        {"Posyandu": "Jeruk", "Desa/Kelurahan": "Pasar Keong", "Peringkat dulu": "4", "Peringkat kini": "1",
         "Naik/turun": "+3", "Nilai dulu": "72,00", "Nilai kini": "90,00", "Selisih nilai": "+18,00",
         "Δ Kesehatan": "0,0"},
        {"Posyandu": "Mawar", "Desa/Kelurahan": "Cibadak", "Peringkat dulu": "1", "Peringkat kini": "2",
         "Naik/turun": "-1", "Nilai dulu": "87,50", "Nilai kini": "85,00", "Selisih nilai": "-2,50",
         "Δ Kesehatan": "+10,0"}]


def test_peringkat_shows_the_change_since_the_last_round_for_entrants_of_both(league, demo_env):
    from data import store
    from data.results import competition_results
    from data.store import page_reads
    from tests.pages_support import COMP, page

    con = store.connect(demo_env, read_only=True)
    try:
        before = competition_results(con, page_reads.previous_competition(con, COMP)).table
    finally:
        con.close()
    both = league.join(before.select("posyandu_id", pl.col("rank_final").alias("was")), on="posyandu_id")
    at = page("peringkat", since="1", weights="20")
    assert not at.exception
    assert at.query_params["since"] == "1" and at.query_params["weights"] == "20"
    change = next(d.value for d in at.dataframe if "Peringkat dulu" in d.value.columns)
    assert len(change) == both.height > 0
    got = dict(zip(change["Posyandu"], zip(change["Peringkat dulu"], change["Peringkat kini"], strict=True),
                   strict=True))
    for r in both.iter_rows(named=True):
        assert got[r["posyandu_name"]] == (str(r["was"]), str(r["rank_final"]))
    table = at.dataframe[0].value
    assert "Rentang peringkat" in table.columns and "Peluang bertahan (%)" in table.columns
    assert table["Rentang peringkat"].str.startswith("data:image/svg+xml;base64,").all()
