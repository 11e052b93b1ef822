"""Hostile input through every importer and every export (issue #19): formulas stay text in every workbook,
CSV cells that a spreadsheet would run are quoted, the score template round-trips such names, Markdown and HTML
are shown as typed, and malformed files (a 1 MB cell, a broken or empty GeoJSON, disguised or oversize files)
give a Problem in the user's language with the store unchanged."""

from __future__ import annotations

import csv
import io
import re
import zipfile

import openpyxl
import polars as pl
import pytest

from data import store
from data.exchange.backup import export_tables
from data.exchange.exports import export_data
from data.exchange.exports.recap_xlsx import recap_workbook
from data.exchange.imports import import_file, validate_file
from data.exchange.imports.reader import MAX_BYTES, MAX_CELL_CHARS
from data.exchange.templates import score_template
from data.exchange.xlsform import build_xlsform
from data.judging import auth, evidence
from data.judging.auth import User
from geo.upload import read_boundary_upload
from present.cells import FORMULA_STARTS, openpyxl_cells_as_text
from present.tables import csv_bytes, excel_bytes, style_scorecard
from present.theme import ScoreBands
from tests.fixtures import hostile
from tests.fixtures.malformed.make_corpus import score_header, score_rows, xlsx
from tests.fixtures.malformed.world import COMPETITION, STAGES, seed_world
from ui.safe import plain

TEXTS = hostile.TEXTS
PANITIA = User("panitia", "panitia")
JURI = User("juri1", "juri", judge_id="J-001")


@pytest.fixture
def world(con):
    w = seed_world(con, n_posyandu=len(TEXTS), assign=True)
    w["con"] = con
    return w


def _sheet(header: list[str], rows: list[list], sheet: str) -> bytes:
    """An .xlsx the way Excel saves text typed with a leading quote ('=…): string cells, not formulas."""
    return xlsx(header, rows, sheet, edit=openpyxl_cells_as_text)


def _csv(header: list[str], rows: list[list]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, delimiter=";").writerows([header, *rows])
    return buf.getvalue().encode("utf-8")


def _checksums(con) -> dict[str, int]:
    return {t: con.sql(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("posyandu", "judges", "practices", "service_records", "scores", "boundaries", "import_batches")}


def _import_hostile_names(w: dict, fmt: str = "xlsx") -> None:
    """Every posyandu of the world gets one hostile name, address and contact; every judge a hostile name."""
    con = w["con"]
    header = ["posyandu_id", "nama", "kode_desa", "alamat", "nama_kontak"]
    desas = dict(con.sql("SELECT posyandu_id, desa_code FROM posyandu").fetchall())
    rows = [[p, text, desas[p], text, text] for p, text in zip(w["posyandu"], TEXTS, strict=True)]
    data = _sheet(header, rows, "Posyandu") if fmt == "xlsx" else _csv(header, rows)
    plan, result = import_file(con, "posyandu", data, f"nama-jahat.{fmt}")
    assert result is not None and result.written, [p.text() for p in plan.problems[:5]]
    jrows = [[j, TEXTS[i], TEXTS[-1 - i]] for i, j in enumerate(w["judges"])]
    plan, result = import_file(con, "judges", _sheet(["juri_id", "nama", "instansi"], jrows, "Juri"), "juri.xlsx")
    assert result is not None, [p.text() for p in plan.problems[:5]]


# --- importers: hostile text lands exactly as typed -------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_hostile_text_lands_exactly_through_the_text_importers(world, fmt):
    con = world["con"]
    _import_hostile_names(world, fmt)
    stored = dict(con.sql("SELECT posyandu_id, name FROM posyandu").fetchall())
    assert [stored[p] for p in world["posyandu"]] == list(TEXTS)
    assert con.sql("SELECT count(*) FROM posyandu WHERE name = address AND name = contact_name "
                   "AND posyandu_id LIKE 'PSY-0%'").fetchone()[0] == len(TEXTS)
    rows = [[p, "kesehatan", text, text, "2025"] for p, text in zip(world["posyandu"], TEXTS, strict=True)]
    header = ["posyandu_id", "bidang", "judul", "uraian", "tahun"]
    data = _sheet(header, rows, "Praktik") if fmt == "xlsx" else _csv(header, rows)
    plan, result = import_file(con, "practices", data, f"praktik.{fmt}")
    assert result is not None, [p.text() for p in plan.problems[:5]]
    assert sorted(r[0] for r in con.sql("SELECT title FROM practices").fetchall()) == sorted(TEXTS)
    records = [[p, "sosial", text, "24 November 2025", "terverifikasi"]
               for p, text in zip(world["posyandu"], TEXTS, strict=True)]
    header = ["posyandu_id", "bidang", "jenis_kasus", "tanggal", "status"]
    data = _sheet(header, records, "Pendataan") if fmt == "xlsx" else _csv(header, records)
    plan, result = import_file(con, "service_records", data, f"pendataan.{fmt}")
    assert result is not None, [p.text() for p in plan.problems[:5]]
    assert sorted(r[0] for r in con.sql("SELECT case_type FROM service_records").fetchall()) == sorted(TEXTS)


def test_a_real_formula_cell_is_still_refused_with_its_place(world):
    data = xlsx(["posyandu_id", "nama", "kode_desa"], [["PSY-0001", "=1+1", "36.02.18.2010"]], "Posyandu")
    plan = validate_file(world["con"], "posyandu", data, "rumus.xlsx")
    assert [(p.message_key, p.row, p.column) for p in plan.problems] == [("exchange_formula_cell", 2, "B")]


def test_the_score_template_round_trips_formula_and_markdown_names(world):
    con = world["con"]
    _import_hostile_names(world)
    template = score_template(con, COMPETITION, "lapangan")
    wb = openpyxl.load_workbook(io.BytesIO(template))
    assert _formula_cells(wb) == []
    ws = wb["Nilai"]
    names = {ws.cell(r, 2).value for r in range(2, ws.max_row + 1)} - {None}
    assert names == set(TEXTS)                                   # every name exactly, as text
    judge_names = {ws.cell(r, 4).value for r in range(2, ws.max_row + 1)} - {None}
    assert judge_names == set(TEXTS[: len(world["judges"])])
    # The judge fills in the letters and sends the file back: it imports, names and all.
    criteria = world["instrument"].criteria
    for r in range(2, ws.max_row + 1):
        if ws.cell(r, 1).value is None:
            continue
        for i, c in enumerate(criteria):
            ws.cell(r, 5 + i, "b" if c.kind == "choice" else 75)
    buf = io.BytesIO()
    wb.save(buf)
    plan, result = import_file(con, "scores", buf.getvalue(), "nilai-kembali.xlsx", competition_id=COMPETITION,
                               stage="lapangan")
    assert result is not None and plan.ok, [p.text() for p in plan.problems[:5]]
    assert con.sql("SELECT count(*) FROM scores").fetchone()[0] == \
        len(world["entrants"]) * len(world["judges"]) * len(criteria)


# --- exports: no formula in any workbook, no live prefix in any CSV --------------------------------------------

def _formula_cells(wb: openpyxl.Workbook) -> list[str]:
    return [f"{ws.title}!{c.coordinate}={c.value!r}" for ws in wb.worksheets for row in ws.iter_rows() for c in row
            if c.data_type == "f"]


def _text_values(wb: openpyxl.Workbook) -> set[str]:
    return {c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)}


def _live_csv_cells(text: str) -> list[str]:
    """Cells that a spreadsheet would run: starting with = + - @ tab or CR and not a plain number."""
    live = []
    for row in csv.reader(io.StringIO(text, newline="")):
        for cell in row:
            if cell.startswith(FORMULA_STARTS):
                try:
                    float(cell)
                except ValueError:
                    live.append(cell)
    return live


@pytest.fixture
def scored(world):
    con = world["con"]
    _import_hostile_names(world)
    for stage in STAGES:
        rows = score_rows(world["instrument"], world["entrants"], world["judges"])
        plan, result = import_file(con, "scores", xlsx(score_header(world["instrument"]), rows, "Nilai"),
                                   f"nilai-{stage}.xlsx", competition_id=COMPETITION, stage=stage)
        assert result is not None, plan.problems[:3]
    return world


def test_the_recap_workbook_writes_every_name_as_text(scored):
    wb = openpyxl.load_workbook(io.BytesIO(recap_workbook(export_data(scored["con"], COMPETITION))))
    assert _formula_cells(wb) == []
    assert set(TEXTS) <= _text_values(wb)


def test_the_peringkat_excel_and_csv_carry_no_live_formula():
    df = pl.DataFrame({"Posyandu": list(TEXTS), "Desa": list(reversed(TEXTS)),
                       "Total": [float(i) - 3 for i in range(len(TEXTS))]}).to_pandas()
    book = openpyxl.load_workbook(io.BytesIO(excel_bytes(style_scorecard(df, ["Total"], ScoreBands(), "id"),
                                                         "Peringkat")))
    assert _formula_cells(book) == []
    assert set(TEXTS) <= _text_values(book)
    text = csv_bytes(df).decode("utf-8-sig")
    assert _live_csv_cells(text) == []
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert [r["Posyandu"] for r in rows] == ["'" + t if t.startswith(FORMULA_STARTS) else t for t in TEXTS]
    assert rows[0]["Total"] == "-3.0"                       # a negative number is a number, not defused


def test_the_csv_table_export_quotes_live_cells(scored):
    with zipfile.ZipFile(io.BytesIO(export_tables(scored["con"], "csv"))) as z:
        for name in z.namelist():
            assert _live_csv_cells(z.read(name).decode("utf-8")) == [], name
        names = {r["name"] for r in csv.DictReader(io.StringIO(z.read("posyandu.csv").decode("utf-8")))}
    assert "'" + hostile.FORMULAS[0] in names and hostile.MARKUP[0] in names


def test_the_xlsform_writes_entrant_and_judge_names_as_text(world):
    entrants = [(e, t) for e, t in zip(world["entrants"], TEXTS, strict=True)]
    wb = openpyxl.load_workbook(io.BytesIO(build_xlsform(world["instrument"], entrants, [("J-001", TEXTS[0])])))
    assert _formula_cells(wb) == []
    assert set(TEXTS) <= {v.split(" · ")[0] for v in _text_values(wb)} | _text_values(wb)


# --- malformed and disguised files ------------------------------------------------------------------------------

@pytest.mark.parametrize(("kind", "header", "row", "column", "scope"), [
    ("posyandu", ["posyandu_id", "nama", "kode_desa"], ["PSY-0001", "", "36.02.18.2010"], 1, {}),
    ("judges", ["juri_id", "nama", "instansi"], ["J-001", "Juri", ""], 2, {}),
    ("practices", ["posyandu_id", "bidang", "judul", "uraian"], ["PSY-0001", "kesehatan", "Judul", ""], 3, {}),
    ("entrants", ["posyandu_id", "tahap"], ["", "lapangan"], 0, {"competition_id": COMPETITION}),
    ("scores", ["entrant_id", "nama_posyandu", "juri_id", "nama_juri"], ["E-PSY-0001", "", "J-001", "x"], 1,
     {"competition_id": COMPETITION, "stage": "lapangan"}),
])
def test_a_one_megabyte_cell_is_a_problem_at_its_row_and_column(world, kind, header, row, column, scope):
    con = world["con"]
    before = _checksums(con)
    plan = validate_file(con, kind, hostile.big_cell_csv(header, row, column), "besar.csv", **scope)
    problems = [p for p in plan.problems if p.message_key == "safety_cell_too_long"]
    assert problems and (problems[0].row, problems[0].column) == (2, "ABCDEFGH"[column])
    assert "1000000" in problems[0].text("id") and str(MAX_CELL_CHARS) in problems[0].text("en")
    assert _checksums(con) == before


def _stretched(data: bytes, marker: str, size: int) -> bytes:
    """The workbook with the text `marker` replaced by `size` characters in its XML: no spreadsheet program
    writes a cell over Excel's 32,767 characters, but a hand-made file can."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item).replace(marker.encode(), b"y" * size))
    return out.getvalue()


def test_a_long_cell_in_a_workbook_is_a_problem_too(world):
    data = _stretched(_sheet(["posyandu_id", "nama", "kode_desa"], [["PSY-0001", "PANJANG", "36.02.18.2010"]],
                             "Posyandu"), "PANJANG", 40_000)
    plan = validate_file(world["con"], "posyandu", data, "panjang.xlsx")
    assert ("safety_cell_too_long", 2, "B") in {(p.message_key, p.row, p.column) for p in plan.problems}


@pytest.mark.parametrize(("name", "key"), [
    ("photo_named.xlsx", "exchange_not_a_spreadsheet"),
    ("zip_named.xlsx", "exchange_file_corrupt"),
])
def test_disguised_files_are_refused_by_their_bytes(world, name, key):
    plan = validate_file(world["con"], "posyandu", hostile.read(name), name)
    assert [p.message_key for p in plan.problems] == [key]


def test_an_oversize_upload_is_refused_before_it_is_read(world):
    plan = validate_file(world["con"], "posyandu", hostile.oversize(b"PK\x03\x04", MAX_BYTES / 1024 / 1024 + 1),
                         "besar.xlsx")
    assert [p.message_key for p in plan.problems] == ["exchange_file_too_large"]
    assert "MB" in plan.problems[0].text("id")


@pytest.mark.parametrize(("name", "keys"), [
    ("unclosed_ring.geojson", {"safety_geo_shape_broken"}),          # the other feature still matches
    ("empty.geojson", {"geo_file_empty"}),
    ("no_features.geojson", {"geo_file_empty"}),
    ("photo_named.geojson", {"geo_file_unreadable"}),
])
def test_broken_and_empty_geojson_give_a_clear_reason_and_change_nothing(con, name, keys):
    from tests.fixtures.malformed.world import REGIONS

    with store.transaction(con):
        con.executemany("INSERT INTO regions (code, name, level, kind, parent_code) VALUES (?, ?, ?, ?, ?)", REGIONS)
    before = _checksums(con)
    load = read_boundary_upload(hostile.read(name), name, 4, None)
    assert {p.message_key for p in load.problems} == keys
    for p in load.problems:
        for lang in ("id", "en"):
            text = p.text(lang)
            assert "/tmp" not in text and "DRIVER" not in text and "GEOS" not in text and "⟦" not in text
    if name == "unclosed_ring.geojson":
        assert load.ok and list(load.matched["code"]) == ["36.02.18.2011"]
        assert [p.row for p in load.problems] == [1]
    assert _checksums(con) == before


@pytest.mark.parametrize(("name", "data", "key"), [
    ("script_named.jpg", hostile.read("script_named.jpg"), "judging_evidence_bad_type"),
    ("exe_named.pdf", hostile.read("exe_named.pdf"), "judging_evidence_bad_type"),
    ("besar.pdf", hostile.oversize(b"%PDF-", evidence.MAX_MEGABYTES + 1), "judging_evidence_too_large"),
])
def test_disguised_and_oversize_evidence_is_refused_in_words(world, name, data, key):
    result = evidence.store_evidence(world["con"], JURI, data, name, competition_id=COMPETITION, stage="lapangan",
                                     entrant_id=world["entrants"][0])
    assert result.message_key == key
    assert world["con"].sql("SELECT count(*) FROM evidence_files").fetchone()[0] == 0


# --- shown as text ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [*TEXTS, "![p](http://host/x.png).jpg", "a\\b", "a --- b", "Www.Evil.Example"])
def test_plain_escapes_every_markdown_special_so_nothing_but_text_remains(text):
    shown = plain(text)
    unescaped = shown.replace("\u2060", "")
    i = 0
    while i < len(unescaped):                 # every ASCII punctuation character is preceded by a backslash
        ch = unescaped[i]
        if ch == "\\":
            assert i + 1 < len(unescaped) and not unescaped[i + 1].isalnum(), shown
            i += 2
            continue
        assert ch.isalnum() or ch.isspace() or ord(ch) > 127, (ch, shown)
        i += 1
    assert "--" not in shown.replace("\\", "") and "://" not in shown.replace("\\", "")
    assert re.sub(r"\\(.)", r"\1", unescaped) == " ".join(text.split())     # and it reads exactly as typed


def test_hostile_sign_in_names_are_bounded_and_unknown(con):
    for text in TEXTS:
        assert not auth.authenticate(con, text * 1000, text, client=text).ok
    assert con.sql("SELECT max(length(username)) FROM login_attempts").fetchone()[0] <= auth.MAX_USERNAME_CHARS
