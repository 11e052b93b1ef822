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


def test_change_since_compares_ranks_only_within_one_level():
    from scoring.league import change_since

    now = pl.DataFrame({"entrant_id": ["N1", "N2"], "posyandu_id": ["P1", "P2"], "rank_final": [1, 2],
                        "total": [90.0, 85.0]})
    before = pl.DataFrame({"posyandu_id": ["P1", "P2"], "rank_final": [3, 1], "total": [80.0, 88.0],
                           "round_name": ["Lomba Provinsi 2025", "Lomba Kab. Lebak 2025"],
                           "round_level": ["provinsi", "kabupaten"]})
    got = change_since(now, before, level="provinsi")
    # P1 was third of last year's provinsi contest: two places up. P2 won its kabupaten: first of a smaller field
    # is not "one place down" in the provinsi, so no rank change; its total still moved by -3.
    assert got.select("posyandu_id", "rank_final_before", "rank_change", "total_change", "round_name").rows() == [
        ("P1", 3, 2, 10.0, "Lomba Provinsi 2025"), ("P2", 1, None, -3.0, "Lomba Kab. Lebak 2025")]


def test_each_posyandu_is_compared_with_its_own_previous_round_at_any_level(tmp_path):
    from data import store
    from data.store import page_reads

    con = store.connect(tmp_path / "rounds.duckdb")
    contests = [("P26", 2026, "provinsi", "umum"), ("P25", 2025, "provinsi", "umum"), ("K25", 2025, "kabupaten", "umum"),
                ("C25", 2025, "kecamatan", "umum"), ("K24", 2024, "kabupaten", "umum"),
                ("R25", 2025, "kabupaten", "remaja"), ("K26", 2026, "kabupaten", "umum")]
    for cid, year, level, category in contests:
        con.execute("INSERT INTO competitions (competition_id, name, year, level, scope_code, category, instrument_id)"
                    " VALUES (?, ?, ?, ?, '36', ?, 'i')", [cid, f"Lomba {cid}", year, level, category])
    entries = {"P26": ["A", "B", "C", "D", "E"],
               "P25": ["A"],                 # A: in last year's provinsi contest too: the same contest wins
               "K25": ["A", "B"], "C25": ["B", "C"],   # B: kabupaten above kecamatan; C: its kecamatan round
               "K24": ["A", "D"],            # D: only two years ago, not the last round
               "R25": ["E"],                 # E: another category only: no previous round
               "K26": ["C"]}                 # the same year is not an earlier round
    for cid, pids in entries.items():
        for pid in pids:
            con.execute("INSERT INTO entrants (entrant_id, competition_id, posyandu_id, stage_reached) "
                        "VALUES (?, ?, ?, 'lapangan')", [f"{cid}-{pid}", cid, pid])
    got = page_reads.previous_rounds(con, "P26")
    con.close()
    best = got.filter(pl.col("pick") == 1).select("posyandu_id", "competition_id").rows()
    assert best == [("A", "P25"), ("B", "K25"), ("C", "C25")]
    # the others of that year stay listed behind, for a user who may not see the best one
    assert got.filter(pl.col("posyandu_id") == "A")["competition_id"].to_list() == ["P25", "K25"]


def test_peringkat_shows_the_change_since_each_posyandus_last_round(league, demo_env):
    from data import store
    from data.results import competition_results
    from tests.pages_support import page

    con = store.connect(demo_env, read_only=True)
    try:
        # Kab. Lebak 2026: who took part in Kab. Lebak 2025 is compared with it; the others with the round they
        # were in that year (their kecamatan contest), found here from the entrants list.
        earlier = con.sql("SELECT e.posyandu_id, c.competition_id, c.year, c.level FROM entrants e "
                          "JOIN competitions c USING (competition_id) WHERE c.year = 2025 AND c.category = 'umum' "
                          "AND c.scope_code LIKE '36%'").pl()
        rounds = {cid: competition_results(con, cid).table for cid in earlier["competition_id"].unique()}
    finally:
        con.close()
    pick = (earlier.sort(pl.col("level") != "kabupaten").unique("posyandu_id", keep="first")
            .filter(pl.col("posyandu_id").is_in(league["posyandu_id"].implode())))
    assert pick["level"].n_unique() == 2          # the demo holds both kinds
    was = {r["posyandu_id"]: (rounds[r["competition_id"]].filter(pl.col("posyandu_id") == r["posyandu_id"])
                              ["rank_final"][0], r["level"]) for r in pick.iter_rows(named=True)}
    at = page("peringkat", since="1", weights="20")
    assert not at.exception
    assert at.query_params["since"] == "1" and at.query_params["weights"] == "20"
    assert any(s.value == "Perubahan sejak lomba sebelumnya tiap posyandu" for s in at.subheader)
    change = next(d.value for d in at.dataframe if "Peringkat dulu" in d.value.columns)
    assert len(change) == len(was)
    got = {(r["Posyandu"], r["Desa/Kelurahan"]): r for r in change.to_dict("records")}   # names repeat across desa
    assert len(got) == len(change)
    for r in league.filter(pl.col("posyandu_id").is_in(list(was))).iter_rows(named=True):
        rank_then, level = was[r["posyandu_id"]]
        row = got[(r["posyandu_name"], r["desa_name"])]
        assert (row["Peringkat dulu"], row["Peringkat kini"]) == (str(rank_then), str(r["rank_final"]))
        assert row["Lomba sebelumnya"].endswith("Kabupaten/Kota" if level == "kabupaten" else "Kecamatan")
        # a rank is compared only with a rank of the same level
        assert (row["Naik/turun"] == "–") == (level != "kabupaten")
    table = at.dataframe[0].value
    assert "Rentang peringkat" in table.columns and "Peluang bertahan (%)" in table.columns
    assert table["Rentang peringkat"].str.startswith("data:image/svg+xml;base64,").all()


# --- the scorecard image and the plain summary -------------------------------------------------------------------

GOLDEN = __import__("pathlib").Path(__file__).parent / "fixtures" / "share" / "scorecard_golden.png"


def _jeruk():
    from scoring.summary import EntrantFigures, FixFirst

    fig = EntrantFigures(
        "E1", "Jeruk", "Pasar Keong", 3, 28, "Juara III", 84.25,
        {"pendidikan": 71.4, "kesehatan": 92.1, "pekerjaan_umum": 64.0, "perumahan_rakyat": 58.3,
         "trantibumlinmas": 80.0, "sosial": 88.0},
        (("kesehatan", 92.1), ("sosial", 88.0)),
        (FixFirst("PDK-04", "pendidikan", 2.1), FixFirst("PRK-02", "perumahan_rakyat", 1.8)), 3, 2025,
        (("kesehatan", 1),))
    texts = {"PDK-04": "Pencatatan pengaduan pendidikan (anak tidak sekolah, putus sekolah, anak belum terdaftar PAUD)",
             "PRK-02": "Pendataan rumah tidak layak huni (RTLH) bersama pemerintah desa"}
    return fig, texts


def test_the_scorecard_image_matches_the_golden_picture_pixel_by_pixel():
    """The golden PNG was looked at: name, desa, rank 3 of 28, 84,25, Juara III and Juara bidang Kesehatan, six
    coloured bars with their scores, strongest Kesehatan and Sosial, PDK-04 and PRK-02 to fix first. Font
    rasterising may differ a little between FreeType builds, hence a tolerance, not byte equality."""
    import io

    import numpy as np
    from PIL import Image

    from present.scorecard_image import scorecard_png

    fig, texts = _jeruk()
    png = scorecard_png(fig, "Lomba Posyandu Tingkat Kab. Lebak 2026", texts, "id",
                        footer="Dari hasil Lomba Posyandu Tingkat Kab. Lebak 2026")
    got = Image.open(io.BytesIO(png))
    assert got.format == "PNG" and got.size == (1080, 1350)
    assert GOLDEN.exists(), f"no golden picture: write this png to {GOLDEN}, look at it, commit it"
    want = np.asarray(Image.open(GOLDEN).convert("RGB"), dtype=np.int16)
    diff = np.abs(np.asarray(got.convert("RGB"), dtype=np.int16) - want).max(axis=2)
    assert diff.mean() < 1.0                       # on 0–255
    assert (diff > 64).mean() < 0.005              # under 0,5 % of the pixels clearly different
    # the same figures with another rank must not pass as the golden picture
    other = scorecard_png(fig.__class__(**{**fig.__dict__, "rank": 4, "award": "Harapan I"}),
                          "Lomba Posyandu Tingkat Kab. Lebak 2026", texts, "id",
                          footer="Dari hasil Lomba Posyandu Tingkat Kab. Lebak 2026")
    moved = np.abs(np.asarray(Image.open(io.BytesIO(other)).convert("RGB"), dtype=np.int16) - want).max(axis=2)
    assert (moved > 64).mean() > 0.002


def test_a_crowded_scorecard_still_names_both_criteria_to_fix():
    """A posyandu that won every field award fills the card with seven honours; the two criteria to fix first
    still both get their line above the footer (the second was dropped before)."""
    import io

    import numpy as np
    from PIL import Image

    from present.scorecard_image import scorecard_png
    from scoring.fields import SPM_FIELDS

    fig, texts = _jeruk()
    crowded = fig.__class__(**{**fig.__dict__, "award": "Juara I", "field_awards": tuple((f, 1) for f in SPM_FIELDS)})
    footer = "Dari hasil Lomba Posyandu Tingkat Kab. Lebak 2026 · hasil resmi yang diumumkan pada 24 November 2026"

    def pixels(figures) -> np.ndarray:
        png = scorecard_png(figures, "Lomba Posyandu Tingkat Kab. Lebak 2026", texts, "id", footer=footer)
        return np.asarray(Image.open(io.BytesIO(png)).convert("L"), dtype=np.int16)

    both = pixels(crowded)
    first_only = pixels(crowded.__class__(**{**crowded.__dict__, "fix_first": crowded.fix_first[:1]}))
    rows = np.nonzero(np.abs(both - first_only).max(axis=1) > 64)[0]
    assert rows.size > 10                           # the second criterion's line is drawn …
    assert rows.max() < 1350 - 24 - 30 * 2 - 12     # … above the footer's two lines


def test_the_summary_says_the_figures_in_plain_words():
    from present.summary import summary_clauses, summary_text

    fig, texts = _jeruk()
    said = summary_text(summary_clauses(fig, texts, "id"))
    assert said == ("Peringkat 3 dari 28 dengan nilai akhir 84,25 (Juara III); Juara bidang Kesehatan; "
                    "kuat di kesehatan (92,1) dan sosial (88,0); perbaiki dulu pencatatan pengaduan pendidikan "
                    "(anak tidak sekolah, putus sekolah… (PDK-04, 2,10 poin) dan pendataan "
                    "rumah tidak layak huni (RTLH) bersama pemerintah desa (PRK-02, 1,80 poin); "
                    "naik 3 peringkat dari 2025.")
    english = summary_text(summary_clauses(fig, texts, "en"))
    assert english.startswith("Rank 3 of 28 with a final score of 84.25 (Juara III); field winner in Health; "
                              "strong in health (92.1) and social affairs (88.0); fix first ")
    assert english.endswith("(PRK-02, 1.80 points); up 3 places from 2025.")


def _demo_figures(league, demo_env, pick):
    """The figures of one demo entrant from the engine's own frames, and the previous round's table."""
    from data import store
    from data.results import competition_results
    from data.store import page_reads
    from scoring.league import change_since
    from scoring.summary import entrant_figures
    from tests.pages_support import COMP

    con = store.connect(demo_env, read_only=True)
    try:
        res = competition_results(con, COMP)
        ff = res.fix_first.collect()
        prev = page_reads.previous_competition(con, COMP)
        before = competition_results(con, prev).table
        year = con.sql("SELECT year FROM competitions WHERE competition_id = ?", params=[prev]).fetchone()[0]
        texts = dict(con.sql("SELECT criterion_id, text FROM instrument_criteria ic JOIN competitions c "
                             "ON c.instrument_id = ic.instrument_id WHERE c.competition_id = ?",
                             params=[COMP]).fetchall())
    finally:
        con.close()
    moved = change_since(league, before)
    return entrant_figures(league, ff, pick, moved=moved, previous_year=year), ff, before, year, texts


@pytest.mark.parametrize("lang", ["id", "en"])
def test_each_clause_of_the_summary_holds_against_the_numbers(league, demo_env, lang):
    from present.fmt import fmt_int, fmt_number
    from present.summary import summary_clauses
    from scoring.fields import SPM_FIELDS

    both = league.filter(pl.col("rank_final").is_not_null()).sort("rank_final")
    for pick in (both["entrant_id"][0], both["entrant_id"][7], both["entrant_id"][-1]):
        fig, ff, before, year, texts = _demo_figures(league, demo_env, pick)
        row = league.filter(pl.col("entrant_id") == pick).row(0, named=True)
        clauses = {c.kind: c for c in summary_clauses(fig, texts, lang)}
        rank = clauses["rank"]
        assert rank.figures["rank"] == row["rank_final"] and rank.figures["total"] == row["total"]
        assert rank.figures["n"] == both.height
        assert fmt_int(row["rank_final"], lang) in rank.text and fmt_number(row["total"], 2, lang) in rank.text
        assert (row["award"] or "") in rank.text
        # the strongest two are the two highest field scores of the row
        # (equal scores: the field first in the SPM order is named first)
        scores = sorted(((row[f"sec_{f}"], f) for f in SPM_FIELDS if row.get(f"sec_{f}") is not None),
                        key=lambda sf: (-sf[0], SPM_FIELDS.index(sf[1])))
        strong = clauses["strong"]
        assert strong.figures["fields"] == [f for _, f in scores[:2]]
        for s, _ in scores[:2]:
            assert fmt_number(s, 1, lang) in strong.text
        # the two to fix first are the engine's fix-first order 1 and 2
        mine = ff.filter(pl.col("entrant_id") == pick).sort("order").head(2)
        fix = clauses["fix"]
        assert fix.figures["criteria"] == mine["criterion_id"].to_list()
        for code, lost in mine.select("criterion_id", "lost").iter_rows():
            assert f"({code}, {fmt_number(lost, 2, lang)} " in fix.text
        # the move is the previous round's rank minus this one's, matched by posyandu
        was = before.filter(pl.col("posyandu_id") == row["posyandu_id"])
        if was.height and was["rank_final"][0] is not None:
            change = was["rank_final"][0] - row["rank_final"]
            assert clauses["moved"].figures == {"rank_change": change, "year": year}
            assert fmt_int(abs(change), lang) in clauses["moved"].text and str(year) in clauses["moved"].text
        else:
            assert "moved" not in clauses


def test_profil_shows_the_summary_and_offers_the_scorecard_image(league, demo_env):
    from tests.pages_support import page

    row = league.filter(pl.col("rank_final") == 2).row(0, named=True)
    at = page("profil", posyandu=row["posyandu_id"])
    assert not at.exception
    said = [i.value for i in at.info if i.value.startswith("Peringkat ")]
    assert said and said[0].startswith(f"Peringkat 2 dari {league.filter(pl.col('rank_final').is_not_null()).height}")
    assert "kuat di " in said[0] and "perbaiki dulu " in said[0]
    buttons = at.get("download_button")
    assert any("Unduh kartu skor" in b.proto.label for b in buttons)


# --- field awards declared by the contest -----------------------------------------------------------------------

def test_panitia_declares_field_awards_on_the_lomba_page_and_it_is_in_the_history(setup_app):
    from data.share.field_awards import declared_places
    from data.store import reads
    from tests.setup_support import run_page, texts
    from tests.test_setup_lomba_page import _fill_kudus

    at = run_page("lomba", setup_app)
    _fill_kudus(at)
    at.button(key="lomba.create").click().run()
    cid = "LP2025-KAB-33.19"
    assert reads.competition(setup_app, cid) is not None
    at.number_input(key=f"lomba.field_awards.{cid}").set_value(1).run()
    at.button(key="lomba.field_awards.save").click().run()
    assert not at.exception
    assert "Juara bidang disimpan." in texts(at)
    assert declared_places(setup_app, cid) == 1
    from data.setup.competitions import competition_history

    assert "set_field_awards" in competition_history(setup_app, cid)["action"].to_list()


def test_field_awards_are_refused_out_of_range_for_non_panitia_and_once_final(demo_app):
    from data.judging.auth import PermissionDenied, authenticate
    from data.share.field_awards import declared_places, set_places
    from present.errors import BadInput
    from tests.pages_support import COMP

    con = demo_app
    panitia = authenticate(con, "panitia", "panitia-demo").user
    juri = authenticate(con, "juri1", "juri-demo").user
    assert declared_places(con, COMP) == 1                 # the demo's kabupaten contests declared one place
    with pytest.raises(PermissionDenied):
        set_places(con, juri, COMP, 2)
    with pytest.raises(BadInput):
        set_places(con, panitia, COMP, 4)
    with pytest.raises(BadInput) as final:
        set_places(con, panitia, COMP, 2)                  # the 2026 kabupaten contest is final
    assert final.value.message_key == "error_share_field_awards_final"
    assert declared_places(con, COMP) == 1


def test_declared_field_awards_are_on_peringkat_profil_and_in_the_berita_acara_and_rekap(league, demo_env,
                                                                                           tmp_path):
    import io
    import subprocess

    import openpyxl

    from data import store
    from data.exchange.exports import export_data
    from data.exchange.exports.recap_xlsx import recap_workbook
    from scoring.fields import SPM_FIELDS
    from scoring.league import field_winners
    from tests.pages_support import COMP, page

    want = field_winners(league, SPM_FIELDS, places=1)
    assert want.height >= 6
    con = store.connect(demo_env, read_only=True)
    try:
        data = export_data(con, COMP)
    finally:
        con.close()
    at = page("peringkat")
    assert not at.exception
    shown = next(d.value for d in at.dataframe if "Nilai bidang" in d.value.columns)
    from present.i18n import t

    assert shown["Penghargaan"].tolist() == [f"Juara bidang {t(f'field_{f}')}" for f in want["spm_field"]]
    assert shown["Posyandu"].tolist() == want["posyandu_name"].to_list()
    winner = want.row(0, named=True)
    pid = league.filter(pl.col("entrant_id") == winner["entrant_id"])["posyandu_id"][0]
    at = page("profil", posyandu=pid)
    assert not at.exception
    assert any(s.value.split(" · ")[0] == "Juara bidang Pendidikan" for s in at.success)
    assert data.field_awards.select("spm_field", "entrant_id").rows() == want.select("spm_field", "entrant_id").rows()
    book = openpyxl.load_workbook(io.BytesIO(recap_workbook(data)))
    sheet = book["Juara bidang"]
    assert sheet.cell(4, 1).value == "Juara bidang Pendidikan" and sheet.cell(4, 2).value == winner["posyandu_name"]
    from data.exchange.exports.berita_acara import berita_acara_pdf

    (tmp_path / "ba.pdf").write_bytes(berita_acara_pdf(data))
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "ba.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Juara bidang" in text and "Juara bidang Sosial" in text


# --- feedback per criterion on a link without an account ----------------------------------------------------------

def _judge_names(con) -> list[str]:
    """The names of the judges who scored in the page tests' contest."""
    from tests.pages_support import COMP

    return [r[0] for r in con.sql("SELECT DISTINCT j.name FROM judges j JOIN scores s USING (judge_id) "
                                  "WHERE s.competition_id = ? AND j.name IS NOT NULL", params=[COMP]).fetchall()]


def _names_in(text: str, names: list[str]) -> list[str]:
    import re

    return [n for n in names if re.search(rf"\b{re.escape(n)}\b", text)]


def test_feedback_links_open_only_their_own_entrant_and_nothing_once_revoked(demo_app):
    from data.judging.auth import PermissionDenied, authenticate
    from data.share import feedback
    from tests.pages_support import COMP

    con = demo_app
    panitia = authenticate(con, "panitia", "panitia-demo").user
    with pytest.raises(PermissionDenied):
        feedback.release(con, authenticate(con, "juri1", "juri-demo").user, COMP)
    made = feedback.release(con, panitia, COMP)
    n = con.sql("SELECT count(*) FROM entrants WHERE competition_id = ?", params=[COMP]).fetchone()[0]
    assert made.height == n and made["token"].n_unique() == n
    assert all(len(tok) >= 32 for tok in made["token"])                     # 24 random bytes, url-safe
    assert con.sql("SELECT count(*) FROM feedback_links WHERE token_sha256 IN (SELECT unnest(?))",
                   params=[made["token"].to_list()]).fetchone()[0] == 0      # only digests are kept
    a, b = made.row(0, named=True), made.row(1, named=True)
    assert feedback.open_link(con, a["entrant_id"], a["token"]) == COMP
    with pytest.raises(PermissionDenied):
        feedback.open_link(con, b["entrant_id"], a["token"])                # another entrant's token
    with pytest.raises(PermissionDenied):
        feedback.open_link(con, a["entrant_id"], a["token"][:-1] + ("x" if a["token"][-1] != "x" else "y"))
    assert feedback.release(con, panitia, COMP).height == 0                  # every entrant has an open link
    assert feedback.revoke(con, panitia, COMP, a["entrant_id"]) == 1
    with pytest.raises(PermissionDenied) as refused:
        feedback.open_link(con, a["entrant_id"], a["token"])                # revoked
    assert refused.value.message_key == "error_share_feedback_refused"
    assert feedback.open_link(con, b["entrant_id"], b["token"]) == COMP      # the others still open
    again = feedback.release(con, panitia, COMP)                             # a new link for the revoked one
    assert again["entrant_id"].to_list() == [a["entrant_id"]]
    assert feedback.open_link(con, a["entrant_id"], again["token"][0]) == COMP
    status = feedback.links(con, COMP).filter(pl.col("entrant_id") == a["entrant_id"]).row(0, named=True)
    assert status["open"] and status["revoked_at"] is None
    rows = feedback.feedback_rows(con, a["entrant_id"])
    assert rows.height and set(rows["judge"].unique()) <= {"Juri 1", "Juri 2", "Juri 3", "Juri 4", "Juri 5"}
    names = _judge_names(con)
    for column in rows.columns:
        assert not set(rows[column].cast(pl.String).drop_nulls().to_list()) & set(names)


def test_feedback_is_refused_before_the_results_are_final(setup_app):
    from data.judging.auth import authenticate
    from data.share import feedback
    from present.errors import BadInput
    from tests.setup_support import PANITIA_PASSWORD, run_page
    from tests.test_setup_lomba_page import _fill_kudus

    at = run_page("lomba", setup_app)
    _fill_kudus(at)
    at.button(key="lomba.create").click().run()
    with pytest.raises(BadInput) as refused:
        feedback.release(setup_app, authenticate(setup_app, "ketua", PANITIA_PASSWORD).user, "LP2025-KAB-33.19")
    assert refused.value.message_key == "error_share_feedback_not_final"


def test_the_feedback_page_and_pdf_show_the_entrants_own_scores_without_judge_names(demo_app, tmp_path):
    import subprocess

    from streamlit.testing.v1 import AppTest

    from data.exchange.exports.feedback_pdf import feedback_pdf
    from data.judging.auth import authenticate
    from data.share import feedback
    from tests.pages_support import COMP, PAGES, sign_in

    con = demo_app
    made = feedback.release(con, authenticate(con, "panitia", "panitia-demo").user, COMP)
    a, b = made.row(0, named=True), made.row(1, named=True)
    names = _judge_names(con)

    def opened(entrant: str, token: str) -> AppTest:
        at = AppTest.from_file(str(PAGES / "umpan_balik.py"), default_timeout=120)
        at.query_params["entrant"], at.query_params["t"] = entrant, token
        return at.run()

    at = opened(a["entrant_id"], a["token"])
    assert not at.exception
    assert a["posyandu_name"] in at.title[0].value
    tables = [d.value for d in at.dataframe]
    assert tables and all(list(t.columns[:3]) == ["Kode", "Juri", "Poin"] for t in tables)
    shown = {str(v) for t in tables for c in t.columns for v in t[c].tolist()}
    assert "Juri 1" in shown and not shown & set(names)
    assert any("Unduh umpan balik" in x.proto.label for x in at.get("download_button"))
    refused = opened(b["entrant_id"], a["token"])                 # the link of A with B's entrant
    assert not refused.exception and "tidak berlaku" in refused.error[0].value and not refused.dataframe
    feedback.revoke(con, authenticate(con, "panitia", "panitia-demo").user, COMP, a["entrant_id"])
    gone = opened(a["entrant_id"], a["token"])
    assert "tidak berlaku" in gone.error[0].value and not gone.dataframe
    plain_visit = AppTest.from_file(str(PAGES / "umpan_balik.py"), default_timeout=120).run()
    assert not plain_visit.exception and "tautan umpan balik" in plain_visit.info[0].value
    # the panitia's view lists every entrant's link and makes the missing one
    panel = AppTest.from_file(str(PAGES / "umpan_balik.py"), default_timeout=120)
    from ui.auth import TOKEN_KEY

    panel.session_state[TOKEN_KEY] = sign_in(con, "panitia")
    panel.query_params["competition"] = COMP
    panel.run()
    assert not panel.exception
    panel.button(key="feedback_release").click().run()
    assert any("1 tautan dibuat" in s.value for s in panel.success)
    link = next(d.value for d in panel.dataframe if "Tautan" in d.value.columns and len(d.value) == 1)
    assert f"umpan_balik?entrant={a['entrant_id']}&t=" in link["Tautan"][0]
    # the PDF
    (tmp_path / "fb.pdf").write_bytes(feedback_pdf(con, COMP, b["entrant_id"]))
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "fb.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Umpan balik per kriteria" in text and b["posyandu_name"] in text and "Juri 1" in text
    assert names and not _names_in(text, names)


# --- past rounds from published results -------------------------------------------------------------------------

PREV_2025 = "LP2025-KAB-36.02"


def _published_list(con, n: int = 6) -> tuple[bytes, pl.DataFrame]:
    """A kabupaten's published 2024 winners as a committee types them: "Posyandu" and "Desa" prefixes, totals
    with Indonesian thousands separators (sums of points, not percentages), awards."""
    rows = con.sql("SELECT p.posyandu_id, p.name, r.name FROM entrants e JOIN posyandu p USING (posyandu_id) "
                   "JOIN regions r ON r.code = p.desa_code WHERE e.competition_id = ? ORDER BY p.posyandu_id LIMIT ?",
                   params=[PREV_2025, n]).fetchall()
    totals = ["1.245,50", "1.198,25", "1.198,25", "987", "1.002,75", "850,5"][:n]
    awards = ["Juara I", "Juara II", "Juara II", "Harapan II", "Juara III", ""][:n]
    lines = ["posyandu;desa;total;penghargaan;tahun;tingkat"] + [
        f"Posyandu {name};Desa {desa};{tot};{aw};2024;Kabupaten" for (_, name, desa), tot, aw in
        zip(rows, totals, awards, strict=True)]
    return "\n".join(lines).encode("utf-8"), pl.DataFrame(rows, schema=["posyandu_id", "name", "desa"], orient="row")


def test_a_published_list_becomes_a_final_totals_only_round_that_change_since_uses(demo_app):
    from data.judging.auth import authenticate
    from data.judging.publication import is_final, official_results
    from data.share import past_rounds
    from data.store import page_reads

    con = demo_app
    data, rows = _published_list(con)
    plan = past_rounds.validate(con, data, "juara-2024.csv", "36.02")
    assert plan.ok, [p.where() + " " + p.text() for p in plan.problems]
    # 1.245,50 → 1245.5; the two 1.198,25 share second place; 1.002,75 is 4th ahead of 987
    got = plan.frames["results"].sort("rank_final", "posyandu_id").select("total", "rank_final").rows()
    assert got == [(1245.5, 1), (1198.25, 2), (1198.25, 2), (1002.75, 4), (987.0, 5), (850.5, 6)]
    cid = past_rounds.write(con, authenticate(con, "panitia", "panitia-demo").user, plan)
    assert cid == "LP2024-KAB-36.02-IMPOR" and past_rounds.is_imported(con, cid)
    assert is_final(con, cid)
    name = con.sql("SELECT name FROM competitions WHERE competition_id = ?", params=[cid]).fetchone()[0]
    assert name.endswith("2024 (hasil impor, hanya nilai akhir)")
    table = official_results(con, cid)
    assert table.height == 6 and table.filter(pl.col("posyandu_id") == rows["posyandu_id"][0])["total"][0] == 1245.5
    assert set(table["award"].drop_nulls()) == {"Juara I", "Juara II", "Juara III", "Harapan II"}
    assert page_reads.previous_competition(con, PREV_2025) == cid      # 2025 now compares with 2024
    again = past_rounds.validate(con, data, "juara-2024.csv", "36.02")
    assert [p.message_key for p in again.problems] == ["exchange_share_round_exists"]


def test_a_bad_published_list_is_refused_whole_with_every_problem_named(demo_app):
    from data.share import past_rounds

    con = demo_app
    data, rows = _published_list(con, 3)
    lines = data.decode().split("\n")
    lines[1] = lines[1].replace(";2024;", ";2023;")                      # another year in one file
    lines[2] = lines[2].replace("1.198,25", "1.19,8")                     # not a number
    lines.append("Posyandu Tidak Ada;Desa Entah;900;;2024;kabupaten")     # an unknown desa
    lines.append(f"Posyandu Hantu;Desa {rows['desa'][0]};900;;2024;kabupaten")   # a posyandu not in that desa
    before = con.sql("SELECT count(*) FROM competitions").fetchone()[0]
    plan = past_rounds.validate(con, "\n".join(lines).encode(), "juara.csv", "36.02")
    found = {(p.row, p.column, p.message_key) for p in plan.problems}
    assert found == {(2, "E (tahun)", "exchange_share_one_round"), (3, "C (total)", "exchange_not_a_number"),
                     (5, "B (desa)", "exchange_share_unknown_desa"), (6, "A (posyandu)", "exchange_share_unknown_posyandu")}
    assert all(p.file == "juara.csv" for p in plan.problems)
    texts = {p.message_key: p.text("id") for p in plan.problems}
    assert texts["exchange_share_unknown_desa"] == 'Desa/kelurahan "Desa Entah" tidak ditemukan di wilayah 36.02.'
    assert "frames" not in plan.__dict__ or not plan.frames
    assert con.sql("SELECT count(*) FROM competitions").fetchone()[0] == before


def test_the_imported_round_is_marked_on_its_pages_and_profil_compares_with_it(demo_app):
    from data.judging.auth import authenticate
    from data.share import past_rounds
    from tests.pages_support import page

    con = demo_app
    data, rows = _published_list(con)
    past_rounds.write(con, authenticate(con, "panitia", "panitia-demo").user,
                      past_rounds.validate(con, data, "juara-2024.csv", "36.02"))
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    at = page("peringkat", competition="LP2024-KAB-36.02-IMPOR")
    assert not at.exception
    assert any("hanya nilai akhir" in i.value for i in at.info)
    assert at.dataframe[0].value["Posyandu"].tolist()[0] == rows["name"][0]
    at = page("profil", competition=PREV_2025, posyandu=rows["posyandu_id"][0])
    assert not at.exception
    assert any(c.value.startswith("Lomba sebelumnya, ") and ": peringkat 1, nilai akhir 1.245,50." in c.value
               and "hanya nilai akhir" in c.value for c in at.caption)
    at = page("peringkat", competition=PREV_2025, since="1")
    change = next(d.value for d in at.dataframe if "Peringkat dulu" in d.value.columns)
    assert len(change) == 6
    from ui.safe import as_shown

    assert any("hasil impor, hanya nilai akhir" in as_shown(s.value) for s in at.subheader)


def _filled_template(con) -> bytes:
    """The page's Excel template filled as a committee would: the published 2024 list typed into sheet Hasil."""
    import io

    from openpyxl import load_workbook

    from data.exchange.templates import sheet_template
    from data.share import past_rounds

    wb = load_workbook(io.BytesIO(sheet_template(past_rounds.SHEET, past_rounds.COLUMNS)))
    ws = wb[past_rounds.SHEET]
    assert [c.value for c in ws[1]] == [c.name for c in past_rounds.COLUMNS]
    assert "Petunjuk" in wb.sheetnames
    text, _ = _published_list(con)
    for line in text.decode().splitlines()[1:]:
        posyandu, desa, total, award, year, level = line.split(";")
        ws.append([posyandu, desa, total, award or None, int(year), level])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _past_page(con):
    from streamlit.testing.v1 import AppTest

    from tests.pages_support import PAGES, sign_in
    from ui.auth import TOKEN_KEY

    at = AppTest.from_file(str(PAGES / "hasil_terdahulu.py"), default_timeout=120)
    at.session_state[TOKEN_KEY] = sign_in(con, "panitia")
    at.run()
    assert not at.exception
    return at


def test_the_past_results_page_takes_any_region_and_its_own_excel_template(demo_app):
    from data.judging.publication import is_final

    con = demo_app
    at = _past_page(con)
    assert [b.proto.label for b in at.get("download_button")][:2] == ["Unduh templat Excel",
                                                                      "Unduh contoh berkas (CSV)"]
    assert at.selectbox(key="past_level").value == "kabupaten"
    # Any Kemendagri region, not only those holding a contest: Kab. Pandeglang (36.01) has none in the demo.
    held = {r[0] for r in con.sql("SELECT DISTINCT scope_code FROM competitions").fetchall()}
    assert "36.01" not in held
    at.selectbox(key="past_scopekabupaten.up1").select("36").run()
    assert "36.01 · Kab. Pandeglang" in at.selectbox(key="past_scopekabupaten").options
    at.selectbox(key="past_scopekabupaten").select("36.02").run()
    at.file_uploader(key="past_file").set_value(("juara-2024.xlsx", _filled_template(con),
                                                 "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    at.run()
    assert not at.exception and not at.error
    assert any("6 posyandu siap diimpor" in s.value for s in at.success)
    at.button(key="past_write").click().run()
    assert any(s.value.startswith("Disimpan sebagai LP2024") for s in at.success)
    assert is_final(con, "LP2024-KAB-36.02-IMPOR")


def test_a_past_round_of_another_level_than_chosen_is_refused(demo_app):
    con = demo_app
    at = _past_page(con)
    at.selectbox(key="past_level").select("provinsi").run()
    at.selectbox(key="past_scopeprovinsi").select("36").run()
    at.file_uploader(key="past_file").set_value(("juara-2024.csv", _published_list(con)[0], "text/csv")).run()
    assert not at.exception
    assert any("nothing" in e.value or "tidak ada yang disimpan" in e.value for e in at.error)
    shown = next(d.value for d in at.dataframe)
    assert any("berbeda dengan tingkat lomba yang dipilih (provinsi)" in str(v) for v in shown.to_numpy().ravel())
    assert con.sql("SELECT count(*) FROM competitions WHERE competition_id LIKE '%IMPOR'").fetchone()[0] == 0
