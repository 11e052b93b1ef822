"""Instrument workbooks written the way a committee writes them, built in the tests (openpyxl)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import openpyxl

from data.instruments.sheet import COLUMNS

HEADER = [c.name for c in COLUMNS]
INFO = (("kode", "kudus-2025"), ("versi", 1), ("judul", "Instrumen Lomba Posyandu Kab. Kudus 2025"),
        ("tata_letak", "berjenjang"), ("tahun", 2025))


def row(**cells: Any) -> list[Any]:
    return [cells.get(name) for name in HEADER]


# Kab. Kudus 2025: kelembagaan 40 % (two choice criteria), kesehatan 60 % (one choice, one nilai riil).
# KLB-02 has two options with the same text ("2 kali") — the one warning of this file (rows 7 and 8).
KUDUS_ROWS: tuple[list[Any], ...] = (
    row(bagian="kelembagaan", judul_bagian="Kelembagaan", bobot_bagian=40, kode_kriteria="KLB-01",
        kriteria="SK pengurus memuat tugas tiap anggota", jenis="pilihan", sumber_data="SK Kepala Desa",
        opsi="a", teks_opsi="Rinci per anggota", poin=4),
    row(opsi="b", teks_opsi="Per bidang", poin=3),
    row(opsi="c", teks_opsi="Umum", poin=2),
    row(opsi="d", teks_opsi="Tidak ada SK", poin=1),
    row(kode_kriteria="KLB-02", kriteria="Rapat pengurus per tahun", sumber_data="notulen; daftar hadir",
        opsi="a", teks_opsi="3 kali atau lebih", poin=4),
    row(opsi="b", teks_opsi="2 kali", poin=3),
    row(opsi="c", teks_opsi="2 kali", poin=2),
    row(opsi="d", teks_opsi="Tidak ada rapat", poin=1),
    row(bagian="kesehatan", judul_bagian="Bidang Kesehatan", bobot_bagian=60, bidang_spm="kesehatan",
        kode_kriteria="KES-01", kriteria="Kunjungan rumah ibu hamil", sumber_data="register kunjungan",
        opsi="a", teks_opsi="Setiap bulan", poin=4),
    row(opsi="b", teks_opsi="Tiap dua bulan", poin=3),
    row(opsi="c", teks_opsi="Kadang-kadang", poin=2),
    row(opsi="d", teks_opsi="Tidak pernah", poin=1),
    row(kode_kriteria="KES-02", kriteria="Cakupan penimbangan balita (D/S)", jenis="nilai riil", satuan="%",
        sumber_data="format SKDN", batas_min=0, poin=1),
    row(batas_min=60, poin=2),
    row(batas_min=75, poin=3),
    row(batas_min=85, poin=4),
)


def workbook(rows: Sequence[Sequence[Any]] = KUDUS_ROWS, info: Sequence[tuple[str, Any]] = INFO) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Instrumen"
    for k, v in info:
        ws.append([k, v])
    crit = wb.create_sheet("Kriteria")
    crit.append(HEADER)
    for r in rows:
        crit.append(list(r))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def kudus_rows_with(index: int, **cells: Any) -> list[list[Any]]:
    """The Kudus rows with some cells of one row changed (0-based data row; Excel row = index + 2)."""
    rows = [list(r) for r in KUDUS_ROWS]
    for name, value in cells.items():
        rows[index][HEADER.index(name)] = value
    return rows
