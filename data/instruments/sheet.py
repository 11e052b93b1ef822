"""Instruments written the way committees write them: an Excel sheet with one row per option (or threshold).

Sheet "Instrumen" (two columns, key | value): kode, versi (optional), judul, tata_letak (enam_bidang or
berjenjang), tahun, keterangan. Sheet "Kriteria", one row per option of a multiple-choice criterion or per
threshold of a nilai-riil criterion:

    bagian | judul_bagian | bobot_bagian | bidang_spm | kode_kriteria | kriteria | jenis | satuan | sumber_data |
    bobot_kriteria | opsi | teks_opsi | poin | batas_min | boleh_tidak_ada_kasus

(`boleh_tidak_ada_kasus` "ya": the judge may answer "tidak ada kasus / tidak berlaku", scoring.instrument.NO_CASE.)

A section's and a criterion's cells need only be filled on their first row: a blank cell below means "same as
above" (the way a printed instrument reads; merged cells are refused by the reader with their range). The sheet is
turned into the instrument YAML (`docs/instruments.md`), which the loader validates as any YAML file; each problem
it finds is mapped back to the Excel row it came from, so the panitia sees "Kriteria › row 7 [KES-02]".
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from typing import Any

import openpyxl
import yaml

from data.exchange.imports.common import Column, map_headers, parse_table
from data.exchange.imports.reader import read_key_values, read_table
from data.exchange.problems import Problem
from present.cells import text_workbook
from present.i18n import t
from scoring.fields import SPM_FIELDS

INFO_SHEET = "Instrumen"
SHEET = "Kriteria"
LAYOUTS = {"enam_bidang": "six_field", "enam bidang": "six_field", "six_field": "six_field",
           "berjenjang": "level_sections", "level_sections": "level_sections"}
KINDS = {"pilihan": "choice", "pilihan ganda": "choice", "choice": "choice", "nilai riil": "real",
         "nilai_riil": "real", "riil": "real", "real": "real"}

COLUMNS: tuple[Column, ...] = (
    Column("bagian", aliases=("section", "id_bagian"), example="kesehatan"),
    Column("judul_bagian", aliases=("section_title",), example="Bidang Kesehatan"),
    Column("bobot_bagian", "number", aliases=("section_weight", "bobot_bagian_persen"), min=0, max=100,
           example=40),
    Column("bidang_spm", aliases=("spm_field",), example="kesehatan"),
    Column("kode_kriteria", aliases=("criterion_id", "kode"), example="KES-01"),
    Column("kriteria", aliases=("criterion", "pertanyaan"), example="Kunjungan rumah ibu hamil per bulan"),
    Column("jenis", aliases=("kind",), example="pilihan"),
    Column("satuan", aliases=("unit",), example="%"),
    Column("sumber_data", aliases=("evidence", "bukti"), example="register kunjungan; foto"),
    Column("bobot_kriteria", "number", aliases=("criterion_weight",), min=0, example=1),
    Column("opsi", aliases=("option", "kode_opsi"), example="a"),
    Column("teks_opsi", aliases=("option_text",), example="Setiap bulan"),
    Column("poin", "number", aliases=("points", "nilai"), example=4),
    Column("batas_min", "number", aliases=("min_value", "batas_bawah"), example=None),
    Column("boleh_tidak_ada_kasus", "bool", aliases=("no_case_allowed", "tidak_ada_kasus", "tidak_berlaku"),
           example=None),
)

_SECTION_KEYS = ("judul_bagian", "bobot_bagian", "bidang_spm")
_CRITERION_KEYS = ("kriteria", "jenis", "satuan", "sumber_data", "bobot_kriteria", "boleh_tidak_ada_kasus")
_CRITERION_TARGETS = ("text", "kind", "unit", "evidence", "weight", "no_case_allowed")


@dataclass
class SheetParse:
    """The YAML the sheet describes (None when the sheet cannot be read), where each YAML path came from, and
    the problems of the sheet itself (unreadable cells, conflicting repeated values)."""

    yaml_text: str | None
    rows: dict[str, tuple[str, int]] = field(default_factory=dict)   # "sections[0].criteria[1]" → (sheet, row)
    problems: list[Problem] = field(default_factory=list)


def _sheet_names(data: bytes) -> list[str]:
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    except Exception:  # a broken workbook is reported by read_table with its reason
        return [SHEET]
    try:
        return list(wb.sheetnames)
    finally:
        wb.close()


def _num(value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else float(value)


def parse_instrument_sheet(data: bytes, file_name: str) -> SheetParse:
    """Read an instrument workbook into instrument YAML, keeping the row of every section, criterion, option."""
    out = SheetParse(None)
    info = {re.sub(r"[^a-z]+", "_", k.casefold()).strip("_"): v for k, v in read_key_values(data, INFO_SHEET).items()}
    if data[:4] == b"PK\x03\x04" and SHEET not in _sheet_names(data):
        out.problems.append(Problem(file_name, None, None, None, "instrument_sheet_missing", {"sheet": SHEET}))
        return out
    table, problems = read_table(data, file_name, SHEET)
    out.problems += problems
    if table is None:
        return out
    mapped, problems = map_headers(table, COLUMNS)
    # bagian and kode_kriteria must be there, but may be blank below their first row ("same as above").
    problems += [Problem(file_name, SHEET, table.header_row, name, "exchange_missing_column", {"column": name})
                 for name in ("bagian", "kode_kriteria") if name not in mapped.index]
    out.problems += problems
    if problems:
        return out
    records, problems = parse_table(table, COLUMNS, mapped)
    out.problems += problems
    labels = {name: table.column_label(i) for name, i in mapped.index.items()}

    def problem(row: int, col: str | None, key: str, **detail: Any) -> None:
        out.problems.append(Problem(file_name, SHEET, row, labels.get(col or "", col), key, detail))

    header: dict[str, Any] = {}
    for key, name in (("code", "kode"), ("title", "judul"), ("year", "tahun"), ("description", "keterangan")):
        if info.get(name):
            header[key] = info[name]
    if "year" in header:
        header["year"] = int(float(header["year"])) if re.fullmatch(r"\d{4}(\.0)?", header["year"]) else header["year"]
    layout = info.get("tata_letak", "berjenjang")
    header["layout"] = LAYOUTS.get(layout.casefold(), layout)
    header["version"] = int(float(info["versi"])) if re.fullmatch(r"\d+(\.0)?", info.get("versi", "")) else 1
    if not info:
        out.problems.append(Problem(file_name, INFO_SHEET, None, None, "instrument_sheet_missing",
                                    {"sheet": INFO_SHEET}))

    sections: list[dict[str, Any]] = []
    by_section: dict[str, dict[str, Any]] = {}
    current: dict[str, Any] | None = None       # the criterion the row belongs to
    last: dict[str, Any] = {}
    for rec in records:
        row = rec["_row"]
        for key in ("bagian", "kode_kriteria"):    # blank below = same as above
            if rec.get(key) is None:
                rec[key] = last.get(key)
        if rec["bagian"] is None or rec["kode_kriteria"] is None:
            for key in ("bagian", "kode_kriteria"):
                if rec[key] is None:
                    problem(row, key, "exchange_required_blank", column=key)
            continue
        new_criterion = (current is None or rec["kode_kriteria"] != last.get("kode_kriteria")
                         or rec["bagian"] != last.get("bagian"))
        last = dict(rec)
        sec = by_section.get(rec["bagian"])
        if sec is None:
            sec = {"id": rec["bagian"], "title": None, "weight": None, "spm_field": None, "criteria": []}
            by_section[rec["bagian"]] = sec
            sections.append(sec)
            out.rows[f"sections[{len(sections) - 1}]"] = (SHEET, row)
        si = sections.index(sec)
        for key, target in zip(_SECTION_KEYS, ("title", "weight", "spm_field"), strict=True):
            value = rec.get(key)
            if value is None:
                continue
            value = _num(value) if key == "bobot_bagian" else value
            if sec[target] is None:
                sec[target] = value
            elif sec[target] != value:
                problem(row, key, "instrument_sheet_conflict", what=sec["id"], first=sec[target], value=value)
        if new_criterion:
            current = {"id": rec["kode_kriteria"], "text": None, "kind": None, "unit": None, "evidence": None,
                       "weight": None, "no_case_allowed": None, "options": [], "thresholds": []}
            sec["criteria"].append(current)
            out.rows[f"sections[{si}].criteria[{len(sec['criteria']) - 1}]"] = (SHEET, row)
        assert current is not None
        ci = len(sec["criteria"]) - 1
        for key, target in zip(_CRITERION_KEYS, _CRITERION_TARGETS, strict=True):
            value = rec.get(key)
            if value is None:
                continue
            if key == "jenis":
                value = KINDS.get(str(value).casefold().strip(), value)
            elif key == "sumber_data":
                value = [v.strip() for v in re.split(r"[;\n]", str(value)) if v.strip()]
            elif key == "bobot_kriteria":
                value = _num(value)
            if current[target] is None:
                current[target] = value
            elif current[target] != value:
                problem(row, key, "instrument_sheet_conflict", what=current["id"], first=current[target],
                        value=value)
        has_option = any(rec.get(k) is not None for k in ("opsi", "teks_opsi"))
        if rec.get("batas_min") is not None and not has_option:
            current["thresholds"].append({"min_value": float(rec["batas_min"]), "points": _num(rec.get("poin"))})
            out.rows[f"sections[{si}].criteria[{ci}].thresholds[{len(current['thresholds']) - 1}]"] = (SHEET, row)
        elif has_option:
            option = {"code": rec.get("opsi"), "text": rec.get("teks_opsi")}
            if rec.get("poin") is not None:
                option["points"] = _num(rec["poin"])
            current["options"].append(option)
            out.rows[f"sections[{si}].criteria[{ci}].options[{len(current['options']) - 1}]"] = (SHEET, row)
        if rec.get("batas_min") is not None and has_option:
            problem(row, "batas_min", "instrument_sheet_option_and_threshold", criterion=current["id"])

    doc = {**header, "sections": [_clean_section(s) for s in sections]}
    out.yaml_text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=1000)
    return out


def _clean_section(sec: dict[str, Any]) -> dict[str, Any]:
    """Drop what the sheet left blank, so the loader reports a missing field as missing (not as a wrong type)."""
    out = {k: v for k, v in sec.items() if v is not None and k != "criteria"}
    out["criteria"] = []
    for c in sec["criteria"]:
        kind = c["kind"] or ("real" if c["thresholds"] and not c["options"] else "choice")
        crit = {k: v for k, v in c.items() if v is not None and k not in ("options", "thresholds", "kind")}
        crit["kind"] = kind
        if c["options"]:
            crit["options"] = c["options"]
        if c["thresholds"]:
            crit["thresholds"] = [{k: v for k, v in th.items() if v is not None} for th in c["thresholds"]]
        out["criteria"].append(crit)
    return out


def row_of(parse: SheetParse, location: str) -> tuple[str, int] | None:
    """The Excel (sheet, row) of a loader location such as "sections[1].criteria[0].options[2].text": the
    nearest enclosing part the sheet recorded; top-level fields live on the Instrumen sheet."""
    parts = re.findall(r"[a-z_]+\[\d+\]", location)
    for n in range(len(parts), 0, -1):
        hit = parse.rows.get(".".join(parts[:n]))
        if hit:
            return hit
    return (INFO_SHEET, 0) if location and not location.startswith("sections") else None


# ---------------------------------------------------------------------------------------------- the template
_EXAMPLE_ROWS: tuple[tuple[Any, ...], ...] = (
    ("kelembagaan", "Kelembagaan", 40, None, "KLB-01", "SK pengurus memuat tugas rinci tiap anggota", "pilihan",
     None, "SK Kepala Desa", 1, "a", "Rinci per anggota", 4, None),
    (None, None, None, None, None, None, None, None, None, None, "b", "Per bidang", 3, None),
    (None, None, None, None, None, None, None, None, None, None, "c", "Umum", 2, None),
    (None, None, None, None, None, None, None, None, None, None, "d", "Tidak ada SK", 1, None),
    (None, None, None, None, "KLB-02", "Rapat pengurus per tahun", "pilihan", None, "notulen; daftar hadir", 1,
     "a", "3 kali atau lebih", 4, None),
    (None, None, None, None, None, None, None, None, None, None, "b", "2 kali", 3, None),
    (None, None, None, None, None, None, None, None, None, None, "c", "1 kali", 2, None),
    (None, None, None, None, None, None, None, None, None, None, "d", "Tidak ada rapat", 1, None),
    ("kesehatan", "Bidang Kesehatan", 60, "kesehatan", "KES-01", "Cakupan penimbangan balita (D/S)", "nilai riil",
     "%", "format SKDN", 1, None, None, 1, 0),
    (None, None, None, None, None, None, None, None, None, None, None, None, 2, 60),
    (None, None, None, None, None, None, None, None, None, None, None, None, 3, 75),
    (None, None, None, None, None, None, None, None, None, None, None, None, 4, 85),
)


def instrument_template(lang: str = "id") -> bytes:
    """The Excel instrument template: Instrumen (header), Kriteria (two example sections), Petunjuk (guide)."""
    buf = io.BytesIO()
    wb = text_workbook(buf)
    head = wb.add_format({"bold": True, "bg_color": "#1F4E78", "font_color": "#FFFFFF", "border": 1})
    info = wb.add_worksheet(INFO_SHEET)
    for i, (k, v) in enumerate((("kode", "lomba-posyandu-kabupaten-2025"), ("versi", 1),
                                ("judul", "Instrumen Penilaian Lomba Posyandu 2025"),
                                ("tata_letak", "berjenjang"), ("tahun", 2025), ("keterangan", ""))):
        info.write(i, 0, k, head)
        info.write(i, 1, v)
    info.set_column(0, 0, 14)
    info.set_column(1, 1, 50)
    info.data_validation(3, 1, 3, 1, {"validate": "list", "source": ["berjenjang", "enam_bidang"]})
    ws = wb.add_worksheet(SHEET)
    text = wb.add_format({"num_format": "@", "text_wrap": True, "valign": "top"})
    for i, c in enumerate(COLUMNS):
        ws.write(0, i, c.name, head)
        ws.set_column(i, i, 40 if c.name in ("kriteria", "teks_opsi") else max(12, len(c.name) + 2),
                      text if c.kind == "text" else None)
    for r, values in enumerate(_EXAMPLE_ROWS, start=1):
        for i, v in enumerate(values):
            if v is not None:
                ws.write(r, i, v)
    ws.data_validation(1, 6, 2000, 6, {"validate": "list", "source": ["pilihan", "nilai riil"]})
    ws.data_validation(1, 3, 2000, 3, {"validate": "list", "source": list(SPM_FIELDS)})
    ws.data_validation(1, 10, 2000, 10, {"validate": "list", "source": ["a", "b", "c", "d", "e"]})
    ws.freeze_panes(1, 0)
    guide = wb.add_worksheet("Petunjuk")
    bold = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    guide.write_row(0, 0, [t("exchange_tpl_column", lang), t("exchange_tpl_format", lang)], bold)
    for i, c in enumerate(COLUMNS, start=1):
        guide.write_row(i, 0, [c.name, t(f"instrument_sheet_col_{c.name}", lang)])
    guide.write(len(COLUMNS) + 2, 0, t("instrument_sheet_guide_blank", lang))
    guide.set_column(0, 0, 18)
    guide.set_column(1, 1, 100)
    wb.close()
    return buf.getvalue()
