"""The rekap as the sheet committees sign (one sheet per stage with every criterion's points per judge and their
mean, who advances, a signature block) and the berita acara printing names in full."""

from __future__ import annotations

import dataclasses
import datetime as dt
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


# --- the rekap as the sheet committees sign: a worked example ------------------------------------------------------

def _signed(scored) -> openpyxl.Workbook:
    con = scored["con"]
    with store.transaction(con):
        con.execute("UPDATE competition_stages SET start_date = DATE '2026-10-13', end_date = DATE '2026-10-17' "
                    "WHERE competition_id = ? AND stage = 'administrasi'", [COMPETITION])
        con.execute("UPDATE competition_stages SET start_date = DATE '2026-10-20', end_date = DATE '2026-10-24' "
                    "WHERE competition_id = ? AND stage = 'lapangan'", [COMPETITION])
        store.touch(con, COMPETITION)
    data = dataclasses.replace(export_data(con, COMPETITION), generated_on=dt.date(2026, 10, 27))
    return openpyxl.load_workbook(io.BytesIO(recap_workbook(data)))


def _rows(ws) -> list[tuple]:
    return list(ws.iter_rows(values_only=True))


def test_the_signed_rekap_opens_with_contest_level_region_year_stage_dates_and_the_printed_date(scored):
    wb = _signed(scored)
    summary = wb["Rekapitulasi"]
    assert summary["A2"].value == "Lomba Posyandu Kabupaten Lebak 2026"
    assert summary["A3"].value == ("Tingkat Kabupaten/Kota · Kabupaten Lebak · Tahun 2026 · Gabungan semua tahap · "
                                   "dicetak 27 Oktober 2026")
    assert summary["A4"].value == "Jadwal: Administrasi 13–17 Oktober 2026 · Lapangan 20–24 Oktober 2026"
    field = wb["Lapangan"]
    assert field["A3"].value == ("Tingkat Kabupaten/Kota · Kabupaten Lebak · Tahap Lapangan 20–24 Oktober 2026 · "
                                 "Tahun 2026 · dicetak 27 Oktober 2026")
    assert field["A4"].value == "Hasil sementara (masa sanggahan belum berakhir) atau belum difinalkan."


def test_the_stage_sheet_prints_each_judges_points_their_mean_and_the_field_scores(scored):
    # The long-named posyandu is entrant 0: judge k answers criterion c with "abcd"[(0 + k + c) % 4], a..d = 4..1.
    # pend_1: J-001 a=4, J-002 b=3, J-003 c=2 → mean (4+3+2)/3 = 3
    # pend_2: 3, 2, 1 → 2;  pend_3: c=2, d=1, a=4 → 7/3
    # Pendidikan field (three criteria of weight 1, 4 points each): (3 + 2 + 7/3) / 12 = 61.11 %
    rows = _rows(_signed(scored)["Lapangan"])
    assert rows[5][:6] == ("No", "Nama Posyandu", "Kriteria", "Juri Nomor 1", "Juri Nomor 2", "Juri Nomor 3") \
        and rows[5][6] == "Rata-rata"
    start = next(i for i, r in enumerate(rows) if r[1] and str(r[1]).startswith(LONG))
    block = rows[start:next(i for i, r in enumerate(rows) if i > start and r[2] == "Nilai tahap Lapangan") + 2]
    line = {r[2].split(" · ")[0]: r[3:7] for r in block if r[2] and " · " in r[2]}
    assert line["pend_1"] == (4, 3, 2, 3)
    assert line["pend_2"] == (3, 2, 1, 2)
    assert line["pend_3"][:3] == (2, 1, 4) and line["pend_3"][3] == pytest.approx(7 / 3)
    fields = {r[2]: r[6] for r in block if r[2] and r[2].startswith("Nilai bidang")}
    assert fields["Nilai bidang Pendidikan (%)"] == pytest.approx(100 * (3 + 2 + 7 / 3) / 12)
    assert len(fields) == 6
    final = block[-1][2]
    assert final.startswith("Nilai akhir ") and "," in final and " · peringkat " in final   # 12,34 the Indonesian way


def test_the_combined_column_is_the_engines_rule_not_always_the_mean(scored):
    con = scored["con"]
    with store.transaction(con):
        con.execute("UPDATE competitions SET aggregation = 'median' WHERE competition_id = ?", [COMPETITION])
        store.touch(con, COMPETITION)
    rows = _rows(_signed(scored)["Lapangan"])
    assert rows[5][6] == "Median"
    start = next(i for i, r in enumerate(rows) if r[1] and str(r[1]).startswith(LONG))
    pend_3 = next(r for r in rows[start:] if r[2] and r[2].startswith("pend_3 · "))
    assert pend_3[3:7] == (2, 1, 4, 2)       # the median of 2, 1, 4 is 2 (the mean would be 2.33)


def test_each_stage_sheet_ends_with_a_signature_for_its_judges_with_their_opd_and_for_the_chair(scored):
    rows = _rows(_signed(scored)["Lapangan"])
    at = next(i for i, r in enumerate(rows) if r[1] == "Tim Penilai")
    assert rows[at - 1][1] == "Kabupaten Lebak, 27 Oktober 2026"
    assert rows[at + 1][:4] == ("No", "Nama", "OPD / instansi", "Tanda tangan")
    signers = [r[:3] for r in rows[at + 2:at + 5]]
    assert signers == [(1, "Juri Nomor 1", "Dinas Kesehatan"), (2, "Juri Nomor 2", "Dinas Kesehatan"),
                       (3, "Juri Nomor 3", "Dinas Kesehatan")]
    assert rows[at + 5][1] is None                        # the judge assigned to no stage does not sign
    assert not any("Juri Cadangan" in str(v) for r in rows for v in r if v)
    chair = next(i for i, r in enumerate(rows) if r[1] == "Ketua Tim Penilai")
    assert chair > at + 4 and str(rows[chair + 4][1]).startswith("(....")


def test_the_data_page_still_hands_over_the_signed_rekap(demo_copy, monkeypatch):
    from streamlit.runtime.media_file_manager import MediaFileManager
    from streamlit.testing.v1 import AppTest

    from data.judging import auth
    from tests.app_support import app_on

    built: dict[str, object] = {}
    original = MediaFileManager.add_deferred

    def keep(self, data_callable, *args, **kwargs):   # noqa: ANN001, ANN202 - Streamlit's own signature
        file_id = original(self, data_callable, *args, **kwargs)
        built[file_id] = data_callable
        return file_id

    monkeypatch.setattr(MediaFileManager, "add_deferred", keep)
    with app_on(demo_copy, monkeypatch):
        c = store.connect(demo_copy)
        token = auth.authenticate(c, "panitia", "panitia-demo").token
        c.close()
        at = AppTest.from_file("../pages/pertukaran_data.py", default_timeout=180)
        at.session_state["auth.token"] = token
        at.query_params["competition"] = "LP2025-PROV-36"
        at.run()
        assert not at.exception, at.exception
        button = next(b for b in at.download_button if b.key == "ex.recap")
        wb = openpyxl.load_workbook(io.BytesIO(built[button.proto.deferred_file_id]()))   # what a click downloads
    assert wb.sheetnames[:3] == ["Rekapitulasi", "Administrasi", "Lapangan"]
    assert wb["Rekapitulasi"]["A3"].value.startswith("Tingkat Provinsi · ")
    assert wb["Lapangan"]["A4"].value == "Hasil final."
    texts = {str(v) for r in wb["Lapangan"].iter_rows(values_only=True) for v in r if v}
    assert {"Tim Penilai", "Ketua Tim Penilai", "Jamilah Sulaiman", "Dinas Pendidikan Provinsi Banten"} <= texts


# --- the berita acara names everyone in full ---------------------------------------------------------------------

POSYANDU_80 = "Posyandu Melati Putih Harapan Bunda Sejahtera Dusun Krajan Wetan RW 04 Kalibenin"
DESA_80 = "Desa Pasar Keong Lor Kidul Wetan Kulon Tengah Sukamaju Sukamakmur Sejahtera Abad"
JUDGE_80 = "Dr. Hj. Raden Ajeng Siti Nurhaliza Kusumawardhani Purbonegoro, S.K.M., M.Kes., P"
MM = 72 / 25.4          # PDF points per millimetre


def _column_text(pdf: bytes, left_mm: float, right_mm: float) -> str:
    """The text printed between two x positions on every page (one table column), read back with pdfium, as one
    line: a name wrapped over several lines in its cell reads whole again."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    try:
        parts = []
        for page in doc:
            _, height = page.get_size()
            parts.append(page.get_textpage().get_text_bounded(left_mm * MM + 1, 0, right_mm * MM - 1, height))
        return " ".join(" ".join(parts).split())
    finally:
        doc.close()


def test_berita_acara_wraps_80_character_posyandu_desa_and_judge_names_never_cutting_them(scored):
    assert len(POSYANDU_80) == len(DESA_80) == len(JUDGE_80) == 80
    con = scored["con"]
    with store.transaction(con):
        con.execute("UPDATE posyandu SET name = ? WHERE posyandu_id = (SELECT posyandu_id FROM entrants "
                    "WHERE entrant_id = ?)", [POSYANDU_80, scored["entrants"][0]])
        con.execute("UPDATE regions SET name = ? WHERE code = '36.02.18.2011'", [DESA_80])
        con.execute("UPDATE judges SET name = ? WHERE judge_id = ?", [JUDGE_80, scored["judges"][0]])
        store.touch_reference(con)
    pdf = berita_acara_pdf(export_data(con, COMPETITION, "lapangan"))
    # Columns as berita_acara_pdf draws them from the 18 mm margin: no 9, posyandu 48, desa 30; judges: no 9, name 58.
    assert POSYANDU_80 in _column_text(pdf, 27, 75)
    assert DESA_80 in _column_text(pdf, 75, 105)
    assert JUDGE_80 in _column_text(pdf, 27, 85)
    assert "…" not in _column_text(pdf, 0, 210)

