"""Peringkat of a contest whose league table crosses Streamlit's Styler cell limit (issue #15: the national
store's largest province contest, 30,000 entrants, failed with "the maximum allowed to be rendered by Pandas
Styler is 262144"). The contest is built small-but-over-the-limit here by direct frame inserts on a demo copy."""

from __future__ import annotations

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from data import store
from present.i18n import t
from tests.app_support import app_on
from tests.pages_support import PAGES, sign_in

BASE = "LP2026-KAB-36.02"
BIG = "UJI2026-BESAR"
N = 14_000                  # × the scorecard's ~20 columns: over 262,144 cells


def _big_contest(path) -> int:
    """A copy of the demo's Kab. Lebak contest with N entrants (new posyandu in its desa), each scored by one
    judge on every criterion of the lapangan stage; returns N."""
    con = store.connect(path)
    try:
        with store.transaction(con):
            desa = [r[0] for r in con.execute(
                "SELECT DISTINCT p.desa_code FROM posyandu p JOIN entrants e USING (posyandu_id) "
                "WHERE e.competition_id = ? ORDER BY 1", [BASE]).fetchall()]
            ids = [f"UJI-P{i:05d}" for i in range(N)]
            store.insert_frame(con, "posyandu", pl.DataFrame({
                "posyandu_id": ids, "name": [f"Posyandu Uji {i}" for i in range(N)],
                "desa_code": [desa[i % len(desa)] for i in range(N)]}))
            cols = [r[0] for r in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'competitions' "
                "AND column_name <> 'competition_id' ORDER BY ordinal_position").fetchall()]
            con.execute(f"INSERT INTO competitions (competition_id, {', '.join(cols)}) "
                        f"SELECT ?, {', '.join(cols)} FROM competitions WHERE competition_id = ?", [BIG, BASE])
            con.execute("UPDATE competitions SET parent_competition_id = NULL, name = 'Lomba Uji Besar 2026' "
                        "WHERE competition_id = ?", [BIG])
            con.execute("INSERT INTO competition_stages (competition_id, stage, ord, weight, finalized_at) "
                        "SELECT ?, stage, ord, weight, finalized_at FROM competition_stages "
                        "WHERE competition_id = ?", [BIG, BASE])
            entrants = pl.DataFrame({"entrant_id": [f"UJI-E{i:05d}" for i in range(N)], "competition_id": BIG,
                                     "posyandu_id": ids, "stage_reached": "lapangan"})
            store.insert_frame(con, "entrants", entrants)
            inst = con.execute("SELECT instrument_id FROM competitions WHERE competition_id = ?", [BIG]).fetchone()[0]
            crit = con.execute(
                "SELECT c.criterion_id, min(o.option_code) FROM instrument_criteria c "
                "LEFT JOIN instrument_options o USING (instrument_id, criterion_id) "
                "WHERE c.instrument_id = ? AND c.kind <> 'real' GROUP BY 1 ORDER BY 1", [inst]).fetchall()
            judge = con.execute("SELECT judge_id FROM judges ORDER BY 1 LIMIT 1").fetchone()[0]
            scores = entrants.select("entrant_id", "competition_id").join(
                pl.DataFrame({"criterion_id": [c for c, _ in crit], "option_code": [o for _, o in crit]}),
                how="cross").with_columns(stage=pl.lit("lapangan"), judge_id=pl.lit(judge))
            # vary the choices so totals (and ranks) differ
            opts = sorted({o for _, o in crit if o})
            scores = scores.with_columns(option_code=pl.lit(pl.Series(opts)).gather(
                pl.int_range(pl.len()) * 7919 % 11 % len(opts)))
            store.insert_frame(con, "scores", scores)
            store.touch_everything(con)
    finally:
        con.close()
    return N


@pytest.fixture
def big_app(demo_copy, monkeypatch):
    _big_contest(demo_copy)
    with app_on(demo_copy, monkeypatch):
        yield demo_copy


def test_peringkat_of_a_contest_over_the_styler_cell_limit_renders_paged(big_app):
    import pandas as pd

    from ui.auth import TOKEN_KEY

    con = store.connect(big_app)
    try:
        token = sign_in(con, "panitia")      # the copied contest has no published results: the panitia sees it
    finally:
        con.close()
    at = AppTest.from_file(str(PAGES / "peringkat.py"), default_timeout=300)
    at.session_state[TOKEN_KEY] = token
    at.query_params["competition"] = BIG
    at.run()
    assert not at.exception, at.exception
    # the judge bootstrap of 14,000 entrants waits for a click, and the page says so
    assert any("dihitung hanya bila diminta" in i.value for i in at.info), [i.value for i in at.info]
    assert at.toggle(key="peringkat_confidence").value is False
    df = at.dataframe[0].value
    # the whole table would have crossed the limit: that is what this contest is for
    assert N * df.shape[1] > pd.get_option("styler.render.max_elements")
    assert len(df) == 500                                   # one page, every cell still coloured
    paged = [c.value for c in at.caption if "per halaman" in c.value]
    assert paged and "14.000 baris" in paged[0] and "1–500" in paged[0], [c.value for c in at.caption]
    ranks = df[t("pages_rank", "id")].tolist()
    assert ranks == sorted(ranks) and ranks[0] == 1
    # page 3 shows rows 1,001-1,500 of the same order
    at.number_input(key="peringkat_page").set_value(3).run()
    assert not at.exception, at.exception
    third = at.dataframe[0].value
    assert len(third) == 500 and third[t("pages_rank", "id")].iloc[0] >= ranks[-1]
    assert any("1.001–1.500" in c.value for c in at.caption)
    assert set(third["posyandu_id"]).isdisjoint(df["posyandu_id"])


def test_a_styled_table_beyond_the_cell_limit_is_drawn_plain_and_says_so(monkeypatch):
    """The guard in ui.tables.dataframe for any other page: no Styler reaches Streamlit beyond the limit."""
    script = """
import pandas as pd
from ui.tables import dataframe
df = pd.DataFrame({f"c{i}": range(20_000) for i in range(14)})
dataframe(df.style.format("{:.1f}"), hide_index=True)
"""
    at = AppTest.from_string(script, default_timeout=120).run()
    assert not at.exception, at.exception
    assert len(at.dataframe[0].value) == 20_000
    assert any("terlalu besar untuk diwarnai" in c.value and "280.000" in c.value for c in at.caption)
