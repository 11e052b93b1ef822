"""One door to the engine: the ranking on screen, in the Excel rekap and in the berita acara is the same.

Pages (through the cache in ui/results.py), the exports and publication all get results from
`data.results.competition_results`; this checks the documents people see and sign, not only the function.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import openpyxl
import pytest

from data import store
from data.exchange.exports import export_data
from data.exchange.exports.berita_acara import berita_acara_pdf
from data.exchange.exports.recap_xlsx import FIRST_DATA_ROW, recap_workbook
from data.judging.publication import compute_results, published_results
from data.results import competition_results, scoring_config
from present.fmt import fmt_number
from tests.pdf_support import pdf_text

PUBLISHED = "LP2026-KAB-36.02"     # every stage final, frozen by the demo's panitia: the rekap reads the snapshot
LIVE = "live"                      # the contest still being judged with the most entrants: the rekap computes now


def _page_ranking(competition_id: str) -> list[tuple]:
    """(posyandu, total, rank, award) in rank order, as the result pages get it (through the ui cache)."""
    from streamlit.testing.v1 import AppTest

    def script(cid: str) -> None:
        import json

        import streamlit as st

        from ui import cached

        table = cached.results_table(cid).sort(["rank_final", "posyandu_name"], nulls_last=True)
        st.text(json.dumps(table.select("posyandu_name", "total", "rank_final", "award").rows()))

    at = AppTest.from_function(script, args=(competition_id,), default_timeout=120).run()
    assert not at.exception
    return [tuple(r) for r in json.loads(at.text[0].value)]


def _rekap_ranking(con, competition_id: str) -> list[tuple]:
    ws = openpyxl.load_workbook(io.BytesIO(recap_workbook(export_data(con, competition_id)))).worksheets[0]
    header = [c.value for c in ws[FIRST_DATA_ROW - 1]]
    col = {name: i for i, name in enumerate(header)}
    rows = []
    for r in ws.iter_rows(min_row=FIRST_DATA_ROW + 1, values_only=True):
        if r[0] is None:          # a blank row ends the table; who advances and the signatures follow
            break
        rows.append((r[1], r[col["Nilai Akhir"]], r[col["Peringkat"]], r[col["Predikat"]] or None))
    return rows


@pytest.mark.parametrize("competition_id", [PUBLISHED, LIVE])
def test_page_rekap_and_berita_acara_rank_the_same(demo_env: Path, competition_id: str, tmp_path: Path) -> None:
    con = store.connect(demo_env)
    if competition_id == LIVE:
        competition_id = con.sql(
            "SELECT e.competition_id FROM entrants e JOIN competition_stages cs USING (competition_id) "
            "WHERE cs.finalized_at IS NULL GROUP BY ALL ORDER BY count(DISTINCT e.entrant_id) DESC, 1 LIMIT 1"
        ).fetchone()[0]
        # A visitor's page shows no unfinished contest (data/access.py): read it as the page cache does, through
        # the one door, instead of signing in here.
        on_page = [tuple(r) for r in competition_results(con, competition_id).table.sort(
            ["rank_final", "posyandu_name"], nulls_last=True).select(
            "posyandu_name", "total", "rank_final", "award").rows()]
    else:
        on_page = _page_ranking(competition_id)
    try:
        in_rekap = _rekap_ranking(con, competition_id)
        data = export_data(con, competition_id)
        assert data.published == (competition_id == PUBLISHED)
        snapshot = published_results(con, competition_id)
        live = compute_results(con, competition_id, None)[0]
        pdf = berita_acara_pdf(data)
    finally:
        con.close()
    assert len(on_page) > 1
    assert [(n, pytest.approx(t), r, a) for n, t, r, a in on_page] == in_rekap
    if competition_id == PUBLISHED:
        # What was announced is what the engine says today (nothing changed since the stage was finalised).
        frozen = snapshot.sort(["rank_final", "posyandu_name"], nulls_last=True)
        assert frozen.select("posyandu_name", "total", "rank_final", "award").rows() == \
            [tuple(r) for r in on_page]
    assert live.sort(["rank_final", "posyandu_name"], nulls_last=True).select(
        "posyandu_name", "total", "rank_final", "award").rows() == on_page
    _check_berita_acara(pdf, on_page, tmp_path)


def _check_berita_acara(pdf: bytes, ranking: list[tuple], tmp_path: Path) -> None:
    """Every entrant appears in the berita acara in the page's order, on a line with its total and award."""
    lines = pdf_text(pdf, layout=True).splitlines()
    at = 0
    for place, (name, total, rank, award) in enumerate(ranking, start=1):
        hit = next(i for i in range(at, len(lines)) if lines[i].lstrip().startswith(f"{place} ") and name in lines[i])
        row = lines[hit].split()
        assert fmt_number(total, 2, "id") in row, lines[hit]
        assert str(rank) in row and (award is None or award.split()[0] in row), lines[hit]
        at = hit + 1


def test_the_rules_of_a_contest_are_read_once(con) -> None:
    assert scoring_config({"aggregation": "median", "advance_count": 3}).aggregation == "median"
    assert scoring_config({"aggregation": None, "advance_count": None}).advance_count == 1
    assert scoring_config({"aggregation": "mean", "advance_count": 0}).advance_count == 0   # nobody advances
    with pytest.raises(KeyError):
        competition_results(con, "no-such-contest")
