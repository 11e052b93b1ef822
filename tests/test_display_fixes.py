"""What a reader sees: points for nilai-riil criteria, Indonesian decimals, translated headers, a translated empty."""

from __future__ import annotations

import json
import re
from pathlib import Path

import polars as pl
from streamlit.testing.v1 import AppTest

from data import store
from data.judging import auth
from data.store import reads
from present.tables import fix_first_rows
from ui.auth import TOKEN_KEY

ROOT = Path(__file__).resolve().parent.parent


def test_profile_shows_threshold_points_for_a_nilai_riil_criterion_not_nan(demo_path):
    con = store.connect(demo_path, read_only=True)
    entrant = con.sql("SELECT s.entrant_id FROM scores s JOIN entrants e USING (entrant_id) JOIN competitions c "
                      "ON c.competition_id = e.competition_id JOIN instrument_criteria ic ON ic.instrument_id = c.instrument_id "
                      "AND ic.criterion_id = s.criterion_id WHERE ic.kind = 'real' AND s.real_value IS NOT NULL "
                      "LIMIT 1").fetchone()[0]
    details = reads.score_details(con, entrant)
    real = details.filter((pl.col("kind") == "real") & pl.col("real_value").is_not_null())
    assert real.height > 0 and real["option_points"].null_count() == 0
    # Each value earns the points of the highest threshold it reaches (0 below all), as the engine counts it.
    for r in real.head(20).iter_rows(named=True):
        thresholds = con.sql("SELECT min_value, points FROM instrument_thresholds t JOIN competitions c "
                             "USING (instrument_id) JOIN entrants e ON e.competition_id = c.competition_id "
                             "WHERE e.entrant_id = ? AND t.criterion_id = ? ORDER BY min_value",
                             params=[entrant, r["criterion_id"]]).fetchall()
        expected = max((p for m, p in thresholds if m <= r["real_value"]), default=0.0)
        assert r["option_points"] == expected, r
    choice = details.filter(pl.col("kind") == "choice")
    assert choice["option_points"].null_count() == choice["option_code"].null_count()
    con.close()


def test_fix_first_prints_points_with_indonesian_decimals():
    ff = pl.DataFrame({"order": [1], "criterion_id": ["K1"], "section_id": ["kesehatan"], "points": [3.2666],
                       "max_points": [4.0], "lost": [0.7334]})
    texts = pl.DataFrame({"criterion_id": ["K1"], "text": ["Jadwal posyandu"]})
    assert fix_first_rows(ff, texts, "id")["Poin"][0] == "3,27 / 4"
    assert fix_first_rows(ff, texts, "en").iloc[0, 3] == "3.27 / 4"


def _columns(df_element) -> dict:
    return json.loads(df_element.proto.columns or "{}")


def test_panitia_published_table_has_translated_headers_not_column_names(demo_app):
    con = demo_app
    cid = con.sql("SELECT competition_id FROM result_snapshots LIMIT 1").fetchone()[0]
    at = AppTest.from_file(str(ROOT / "pages" / "panitia.py"), default_timeout=60)
    at.session_state[TOKEN_KEY] = auth.authenticate(con, "panitia", "panitia-demo").token
    at.query_params["competition"] = cid
    at.run()
    assert not at.exception
    published = at.dataframe[-1]
    assert "posyandu_name" in published.value.columns and "posyandu_id" not in published.value.columns
    labels = {k: (v.get("label") if isinstance(v, dict) else v) for k, v in _columns(published).items()}
    assert labels["posyandu_name"] == "Posyandu" and labels["rank_final"] == "Peringkat"
    assert labels["tie_broken_by"] == "Seri dipecah oleh"
    # values as the berita acara prints them: Indonesian decimals, strata by name, a dash for "no tie broken"
    row = published.value.iloc[0]
    assert re.fullmatch(r"\d{1,3},\d{2}", row["total"]), row["total"]
    assert row["strata"] in {"Pratama", "Madya", "Purnama", "Mandiri"}
    assert "None" not in set(published.value["tie_broken_by"].astype(str)) and "–" in set(published.value["tie_broken_by"])
    assert all(labels.get(c) and "_" not in labels[c] for c in published.value.columns), list(labels.items())


def test_an_empty_table_says_so_in_indonesian_not_streamlits_english():
    def page() -> None:
        import polars as pl

        from ui.tables import dataframe

        dataframe(pl.DataFrame({"a": []}))
        dataframe(pl.DataFrame({"a": [1]}))

    at = AppTest.from_function(page).run()
    assert [c.value for c in at.caption] == ["Belum ada data untuk ditampilkan."]
    assert len(at.dataframe) == 1
