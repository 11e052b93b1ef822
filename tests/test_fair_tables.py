"""Fair league tables (issue #17): peer ranks with the contest's tie rules, the five above and below, what the
entrant above did better, per-field winners. Worked examples by hand."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.league import better_criteria, field_winners, neighbours, peer_ranks
from scoring.rank import rank_entrants

# Seven entrants: overall ranks 1..7 with a tie at 80,00 (the tie broken by kesehatan when asked)
TABLE = rank_entrants(pl.DataFrame({
    "entrant_id": ["A", "B", "C", "D", "E", "F", "G"],
    "posyandu_name": ["Anggrek", "Bougenville", "Cempaka", "Dahlia", "Edelweis", "Flamboyan", "Gardenia"],
    "total": [91.0, 85.5, 80.0, 80.004, 74.2, 70.0, None],
    "sec_kesehatan": [90.0, 95.0, 70.0, 75.0, 60.0, 95.0, None],
    "sec_sosial": [80.0, 60.0, 99.0, 50.0, 99.0, 40.0, None],
    "strata": ["purnama", "mandiri", "purnama", "purnama", "madya", "madya", "madya"],
    "desa_kind": ["desa", "kelurahan", "desa", "desa", "desa", "kelurahan", "desa"],
}))


def test_a_peer_rank_is_a_rank_within_the_group_not_a_filter_of_the_overall_rank():
    got = peer_ranks(TABLE, "strata").select("entrant_id", "rank_final", "peer_rank", "peer_size").rows()
    assert got == [("A", 1, 1, 3), ("B", 2, 1, 1), ("C", 3, 2, 3), ("D", 3, 2, 3), ("E", 5, 1, 2),
                   ("F", 6, 2, 2), ("G", None, None, 2)]


def test_peer_ranks_break_ties_by_the_contests_rules():
    got = peer_ranks(TABLE, "strata", tie_breaks=["field:kesehatan"]).filter(pl.col("strata") == "purnama")
    assert got.select("entrant_id", "peer_rank").rows() == [("A", 1), ("C", 3), ("D", 2)]
    kinds = peer_ranks(TABLE, "desa_kind").select("entrant_id", "peer_rank").rows()
    assert kinds == [("A", 1), ("B", 1), ("C", 2), ("D", 2), ("E", 4), ("F", 2), ("G", None)]


def test_the_five_above_and_below_with_the_gap_in_points():
    around = neighbours(TABLE, "E", k=2)
    assert around.select("entrant_id", "relation").rows() == [("C", "above"), ("D", "above"), ("E", "me"),
                                                              ("F", "below")]
    assert [round(g, 3) for g in around["gap"]] == [5.8, 5.804, 0.0, -4.2]
    assert neighbours(TABLE, "G").height == 0          # no total, no rank, no neighbours
    assert neighbours(TABLE, "A", k=5)["entrant_id"].to_list() == ["A", "B", "C", "D", "E", "F"]


def test_what_the_entrant_above_did_better():
    criteria = pl.DataFrame({
        "entrant_id": ["E", "E", "E", "D", "D", "D"], "criterion_id": ["K1", "K2", "K3"] * 2,
        "points": [1.0, 4.0, 2.0, 4.0, 3.0, 3.0], "max_points": [4.0] * 6})
    got = better_criteria(criteria, "E", "D")
    assert got.select("criterion_id", "mine", "theirs", "difference").rows() == [
        ("K1", 25.0, 100.0, 75.0), ("K3", 50.0, 75.0, 25.0)]


def test_field_winners_share_a_tied_place():
    got = field_winners(TABLE, ["kesehatan", "sosial", "pendidikan"])
    assert got.select("spm_field", "field_rank", "entrant_id").rows() == [
        ("kesehatan", 1, "B"), ("kesehatan", 1, "F"), ("sosial", 1, "C"), ("sosial", 1, "E")]


@settings(max_examples=40, deadline=None, derandomize=True)
@given(st.lists(st.tuples(st.integers(0, 40), st.sampled_from(["x", "y", "z"])), min_size=1, max_size=25))
def test_peer_rank_equals_the_overall_rank_of_the_group_alone(rows):
    table = pl.DataFrame({"entrant_id": [f"E{i:02d}" for i in range(len(rows))],
                          "total": [float(t) for t, _ in rows], "strata": [g for _, g in rows]})
    ranked = peer_ranks(rank_entrants(table), "strata")
    for group in {g for _, g in rows}:
        alone = rank_entrants(table.filter(pl.col("strata") == group)).select("entrant_id", "rank_final")
        mine = ranked.filter(pl.col("strata") == group).select("entrant_id", pl.col("peer_rank").alias("rank_final"))
        assert alone.sort("entrant_id").equals(mine.sort("entrant_id"))


def test_profil_shows_the_five_above_and_below_and_what_the_one_above_did_better(league):
    from tests.pages_support import page

    ranked = league.filter(pl.col("rank_final").is_not_null()).sort("rank_final", "entrant_id")
    me = ranked.row(7, named=True)                                   # 8th place: five above, five below
    at = page("profil", posyandu=me["posyandu_id"])
    assert not at.exception
    around = next(d.value for d in at.dataframe if "Selisih poin" in d.value.columns)
    assert len(around) == 11
    assert around["Posyandu"].tolist()[5] == f"{me['posyandu_name']} (posyandu ini)"
    above = ranked.row(6, named=True)
    assert around["Selisih poin"].tolist()[4].startswith("+")
    said = [m.value for m in at.markdown if "satu tingkat di atas" in m.value]
    assert said and above["posyandu_name"] in said[0] and " di sini, " in said[0]


def test_peringkat_shows_the_rank_within_strata_and_keeps_it_in_the_link(league):
    from scoring.league import peer_ranks as ranks_in
    from tests.pages_support import page

    at = page("peringkat", peer="strata")
    assert not at.exception
    shown = at.dataframe[0].value
    column = "Peringkat dalam kelompok"
    assert column in shown.columns
    expected = ranks_in(league, "strata", ("field:kesehatan", "completeness"))
    best = expected.filter(pl.col("peer_rank") == 1)
    got = dict(zip(shown["Posyandu"], shown[column], strict=True))
    for r in best.iter_rows(named=True):
        assert got[r["posyandu_name"]] == f"1 / {r['peer_size']}"
    assert at.query_params["peer"] == "strata"


def test_change_since_the_last_round_matches_by_posyandu():
    from scoring.league import change_since

    now = pl.DataFrame({"entrant_id": ["N1", "N2", "N3"], "posyandu_id": ["P1", "P2", "P3"],
                        "rank_final": [1, 2, 3], "total": [90.0, 85.0, 70.0], "sec_kesehatan": [88.0, 90.0, 60.0]})
    before = pl.DataFrame({"entrant_id": ["B1", "B2"], "posyandu_id": ["P2", "P1"], "rank_final": [1, 4],
                           "total": [87.5, 72.0], "sec_kesehatan": [80.0, 70.0]})
    got = change_since(now, before, ["kesehatan"])
    assert got.select("posyandu_id", "rank_final_before", "rank_change", "total_change", "sec_kesehatan_change").rows() == [
        ("P1", 4, 3, 18.0, 18.0), ("P2", 1, -1, -2.5, 10.0)]


def test_profil_says_how_the_posyandu_moved_since_the_last_round(league, demo_env):
    from data import store
    from data.results import competition_results
    from data.store import page_reads
    from tests.pages_support import COMP, page

    con = store.connect(demo_env, read_only=True)
    try:
        prev_id = page_reads.previous_competition(con, COMP)
        before = competition_results(con, prev_id).table
    finally:
        con.close()
    both = league.join(before.select("posyandu_id", pl.col("rank_final").alias("was"),
                                     pl.col("total").alias("total_was")), on="posyandu_id")
    pick = both.filter(pl.col("was") != pl.col("rank_final")).sort("posyandu_id").row(0, named=True)
    at = page("profil", posyandu=pick["posyandu_id"])
    assert not at.exception
    rank = next(m for m in at.metric if m.label == "Peringkat")
    climbed = pick["was"] - pick["rank_final"]
    assert rank.delta == f"{'+' if climbed > 0 else ''}{climbed} peringkat sejak lomba sebelumnya"
    assert any(c.value.startswith("Lomba sebelumnya, ") and f": peringkat {pick['was']}, nilai akhir " in c.value
               for c in at.caption)


def test_profil_says_a_place_kept_in_words_not_with_a_green_zero(demo_app):
    from data.results import competition_results
    from tests.pages_support import page, sign_in

    # Provinsi Banten 2026 (open: the panitia may follow it): its winner won Provinsi Banten 2025 too.
    now = competition_results(demo_app, "LP2026-PROV-36").table
    before = competition_results(demo_app, "LP2025-PROV-36").table
    kept = now.join(before.select("posyandu_id", pl.col("rank_final").alias("was")), on="posyandu_id").filter(
        pl.col("was") == pl.col("rank_final"))
    assert kept.height >= 1
    at = page("profil", token=sign_in(demo_app, "panitia"), competition="LP2026-PROV-36",
              posyandu=kept["posyandu_id"][0])
    assert not at.exception
    rank = next(m for m in at.metric if m.label == "Peringkat")
    assert rank.delta == "sama seperti lomba sebelumnya"
