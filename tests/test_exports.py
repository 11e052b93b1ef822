"""Exports from the engine's results: the Excel recap (layout, formats, values), the PDF berita acara and the
one-page scorecard (text checked with pdftotext, a page rendered to PNG), the published snapshot, and CSV/Parquet
of every table."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from data.exchange.backup import base_tables, export_tables
from data.exchange.exports import export_data
from data.exchange.exports.berita_acara import berita_acara_pdf
from data.exchange.exports.recap_xlsx import FIRST_DATA_ROW, recap_workbook
from data.exchange.exports.scorecard import scorecard_pdf
from data.exchange.imports import import_file
from tests.fixtures.malformed.make_corpus import score_header, score_rows, xlsx
from tests.fixtures.malformed.world import COMPETITION, STAGES, seed_world
from tests.pdf_support import pdf_text, require_poppler


@pytest.fixture
def scored(con):
    w = seed_world(con, assign=True)
    for stage in STAGES:
        rows = score_rows(w["instrument"], w["entrants"], w["judges"])
        plan, result = import_file(con, "scores", xlsx(score_header(w["instrument"]), rows, "Nilai"),
                                   f"nilai-{stage}.xlsx", competition_id=COMPETITION, stage=stage)
        assert result is not None, plan.problems[:3]
    w["con"] = con
    return w


def _pages(pdf: bytes, tmp_path: Path) -> int:
    require_poppler()
    path = tmp_path / "pages.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def test_recap_lists_every_entrant_in_rank_order_with_engine_values(scored):
    data = export_data(scored["con"], COMPETITION)
    wb = openpyxl.load_workbook(io.BytesIO(recap_workbook(data)))
    ws = wb.worksheets[0]
    assert ws["A1"].value == "REKAPITULASI NILAI LOMBA POSYANDU"
    assert ws.freeze_panes == f"C{FIRST_DATA_ROW + 1}"          # header rows and the name stay in view
    header = [c.value for c in ws[FIRST_DATA_ROW - 1]]
    weights = [c.value for c in ws[FIRST_DATA_ROW]]
    col = {name: i for i, name in enumerate(header)}
    assert header[1] == "Nama Posyandu" and "Nilai Akhir" in col and "Predikat" in col
    assert weights[col["Kesehatan"]] == 20 and weights[col["Nilai Tahap Lapangan"]] == 60
    expected = data.ranked
    body = list(ws.iter_rows(min_row=FIRST_DATA_ROW + 1, max_row=FIRST_DATA_ROW + expected.height, values_only=True))
    assert len(body) == expected.height == len(scored["entrants"])
    assert ws.cell(FIRST_DATA_ROW + expected.height + 1, 1).value is None    # a blank row, then the signatures
    for got, want in zip(body, expected.iter_rows(named=True), strict=True):
        assert got[1] == want["posyandu_name"]
        assert got[col["Nilai Akhir"]] == pytest.approx(want["total"])
        assert got[col["Kesehatan"]] == pytest.approx(want["sec_kesehatan"])
        assert got[col["Peringkat"]] == want["rank_final"]
        assert got[col["Predikat"]] == (want["award"] or "")
    assert [r[col["Peringkat"]] for r in body] == sorted(r[col["Peringkat"]] for r in body)
    total_cell = ws.cell(FIRST_DATA_ROW + 1, col["Nilai Akhir"] + 1)
    assert total_cell.number_format == "0.00" and isinstance(total_cell.value, float)


def test_recap_speaks_english_when_asked(scored):
    wb = openpyxl.load_workbook(io.BytesIO(recap_workbook(export_data(scored["con"], COMPETITION), "en")))
    assert wb.worksheets[0]["A1"].value == "POSYANDU COMPETITION SCORE RECAP"
    assert wb.sheetnames == ["Recap", "Desk review", "Field visit", "Weights and rules"]


def test_berita_acara_prints_results_and_signature_lines(scored, tmp_path):
    data = export_data(scored["con"], COMPETITION, "lapangan")
    pdf = berita_acara_pdf(data)
    text = pdf_text(pdf, layout=True)
    assert "BERITA ACARA PENILAIAN" in text and "Tahap Lapangan" in text
    assert "Tanda Tangan" in text
    for r in data.ranked.iter_rows(named=True):
        line = next(x for x in text.splitlines() if r["posyandu_name"] in x)
        total = f"{r['total']:.2f}".replace(".", ",")                # 64.03 → "64,03"
        assert total in line and (r["award"] or "") in line
    for name in data.judges["name"]:
        assert name in text
    assert data.judges.height == len(scored["judges"])           # J-900 has no assignment and no score
    (tmp_path / "doc.pdf").write_bytes(pdf)
    png = tmp_path / "ba"
    subprocess.run(["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(tmp_path / "doc.pdf"), str(png)],
                   check=True)
    assert (tmp_path / "ba-1.png").stat().st_size > 5_000


def test_scorecard_is_one_page_with_radar_fields_and_fix_first(scored, tmp_path):
    data = export_data(scored["con"], COMPETITION)
    eid = scored["entrants"][0]
    pdf = scorecard_pdf(data, eid)
    assert _pages(pdf, tmp_path) == 1
    text = pdf_text(pdf, layout=True)
    row = data.table.filter(pl.col("entrant_id") == eid).row(0, named=True)
    assert row["posyandu_name"] in text and "Perbaiki lebih dulu" in text and "Kekuatan" in text
    first = data.fix_first.filter(pl.col("entrant_id") == eid).sort("order").row(0, named=True)
    assert scored["instrument"].criterion(first["criterion_id"]).text in text
    assert f"{row['total']:.2f}".replace(".", ",") in text
    if shutil.which("chromium"):
        images = subprocess.run(["pdfimages", "-list", str(tmp_path / "pages.pdf")], capture_output=True,
                                text=True, check=True).stdout
        assert "png" in images or "image" in images           # the radar is embedded
        assert "Grafik radar tidak dapat dibuat" not in text


def test_a_finalised_stage_exports_the_published_snapshot(scored):
    con = scored["con"]
    live = export_data(con, COMPETITION, "lapangan").table
    frozen = live.with_columns(pl.lit(99.99).alias("total"))
    con.execute("UPDATE competition_stages SET finalized_at = current_timestamp WHERE stage = 'lapangan'")
    con.execute("INSERT INTO result_snapshots (competition_id, stage, engine_version, finalized_at, finalized_by, "
                "results_json) VALUES (?, 'lapangan', '1', current_timestamp, 'panitia', ?)",
                [COMPETITION, json.dumps(frozen.to_dicts(), default=str)])
    data = export_data(con, COMPETITION, "lapangan")
    assert data.published and set(data.table["total"]) == {99.99}


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_every_table_exports_as_csv_or_parquet(scored, fmt):
    con = scored["con"]
    with zipfile.ZipFile(io.BytesIO(export_tables(con, fmt))) as z:
        names = set(z.namelist())
        # every table, plus the scores as read (the view over the coded table, migration 010)
        assert names == {f"{t}.{fmt}" for t in base_tables(con)} | {f"scores.{fmt}"}
        raw = z.read(f"scores.{fmt}")
    frame = pl.read_csv(io.BytesIO(raw)) if fmt == "csv" else pl.read_parquet(io.BytesIO(raw))
    assert frame.height == con.sql("SELECT count(*) FROM scores").fetchone()[0] > 0
