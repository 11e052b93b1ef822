"""The rekap as the sheet committees sign (one sheet per stage with every criterion's points per judge and their
mean, who advances, a signature block) and the berita acara printing names in full."""

from __future__ import annotations

import io

import openpyxl
import polars as pl
import pytest

from data import store
from data.exchange.exports import export_data
from data.exchange.exports.berita_acara import berita_acara_pdf
from data.exchange.exports.recap_xlsx import recap_workbook
from data.exchange.imports import import_file
from tests.fixtures.malformed.make_corpus import score_header, score_rows, xlsx
from tests.fixtures.malformed.world import COMPETITION, STAGES, seed_world
from tests.pdf_support import pdf_text

LONG = "Posyandu Melati Putih Harapan Bunda Sejahtera Dusun Krajan Wetan RW 04"


@pytest.fixture
def scored(con):
    w = seed_world(con, assign=True)
    for stage in STAGES:
        rows = score_rows(w["instrument"], w["entrants"], w["judges"])
        plan, result = import_file(con, "scores", xlsx(score_header(w["instrument"]), rows, "Nilai"),
                                   f"nilai-{stage}.xlsx", competition_id=COMPETITION, stage=stage)
        assert result is not None, plan.problems[:3]
    with store.transaction(con):
        con.execute("INSERT INTO competitions (competition_id, name, year, level, scope_code, instrument_id) "
                    "SELECT 'PARENT', 'Lomba Provinsi', year, 'provinsi', substr(scope_code, 1, 2), instrument_id "
                    "FROM competitions WHERE competition_id = ?", [COMPETITION])
        con.execute("UPDATE competitions SET parent_competition_id = 'PARENT' WHERE competition_id = ?", [COMPETITION])
        con.execute("UPDATE posyandu SET name = ? WHERE posyandu_id = (SELECT posyandu_id FROM entrants "
                    "WHERE entrant_id = ?)", [LONG, w["entrants"][0]])
    w["con"] = con
    return w


def test_rekap_has_a_signed_sheet_per_stage_with_each_judges_points_and_their_mean(scored):
    data = export_data(scored["con"], COMPETITION)
    wb = openpyxl.load_workbook(io.BytesIO(recap_workbook(data)))
    assert wb.sheetnames == ["Rekapitulasi", "Administrasi", "Lapangan", "Bobot dan aturan"]
    ws = wb["Lapangan"]
    header = [c.value for c in ws[6]]
    judges = dict(zip(data.judges["judge_id"], data.judges["name"], strict=True))
    pts = data.points.filter(pl.col("stage") == "lapangan")
    judge_ids = sorted(set(pts["judge_id"]))
    assert header == ["No", "Nama Posyandu", "Kriteria", *[judges[j] for j in judge_ids], "Rata-rata"]
    rows = list(ws.iter_rows(min_row=7, values_only=True))
    # The first entrant in rank order: its block, then each criterion's points per judge and the mean.
    first = data.ranked.row(0, named=True)
    assert rows[0][0] == 1 and rows[0][1].startswith(first["posyandu_name"])
    crit = data.instrument.criteria[0]
    line = next(r for r in rows[1:] if r[2] and r[2].startswith(f"{crit.id} · "))
    want = {j: p for j, p in pts.filter((pl.col("entrant_id") == first["entrant_id"]) &
                                        (pl.col("criterion_id") == crit.id)).select("judge_id", "points").iter_rows()}
    got = dict(zip(judge_ids, line[3:3 + len(judge_ids)], strict=True))
    assert {j: v for j, v in got.items() if v is not None} == pytest.approx(want)
    assert line[3 + len(judge_ids)] == pytest.approx(sum(want.values()) / len(want))
    stage_total = next(r for r in rows if r[2] == "Nilai tahap Lapangan")
    assert stage_total[3 + len(judge_ids)] == pytest.approx(first["total_lapangan"])
    texts = [str(v) for r in rows for v in r if v is not None]
    assert "Tim Penilai" in texts and "Ketua Tim Penilai" in texts
    assert all(name in texts for name in judges.values())
    # The recap names who advances, to which level.
    summary = wb["Rekapitulasi"]
    head = [c.value for c in summary[5]]
    remarks = [r[head.index("Keterangan")] for r in summary.iter_rows(min_row=7, values_only=True)
               if r[1]][: data.table.height]
    assert remarks.count("Maju ke tingkat Provinsi") == int(data.table["advances"].sum()) >= 1


def test_berita_acara_never_cuts_a_name_short(scored):
    data = export_data(scored["con"], COMPETITION, "lapangan")
    text = pdf_text(berita_acara_pdf(data))
    assert "…" not in text
    words = " ".join(text.split())
    assert all(w in words for w in LONG.split())
    assert "Krajan Wetan RW 04" in words or "RW 04" in words
