"""Downloadable Excel templates: one per import, and a score template generated from each instrument.

A template is the contract of its importer: the data sheet carries exactly the headers the importer reads,
and a "Petunjuk" sheet says, in the user's language, which columns are required, their format and an example.
The score template adds an "Info" sheet naming the instrument (so a file for another instrument is refused),
pre-filled rows per entrant × judge, dropdowns of the option letters, and a "Kriteria" sheet with the texts.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import duckdb
import xlsxwriter

from data.exchange.imports import IMPORTERS
from data.exchange.imports.common import Column
from data.exchange.imports.scores import INFO_SHEET
from data.exchange.imports.scores import SHEET as SCORES_SHEET
from data.instruments.persistence import read_instrument
from present.cells import text_workbook, write_text
from present.i18n import t
from scoring.instrument import Instrument


def _guide(wb: xlsxwriter.Workbook, columns: Sequence[Column], lang: str) -> None:
    ws = wb.add_worksheet("Petunjuk")
    bold = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    ws.write_row(0, 0, [t("exchange_tpl_column", lang), t("exchange_tpl_required", lang),
                        t("exchange_tpl_format", lang), t("exchange_tpl_example", lang)], bold)
    for i, c in enumerate(columns, start=1):
        fmt = t(f"exchange_kind_{c.kind}", lang)
        if c.choices:
            fmt += ": " + ", ".join(sorted(set(c.choices.values())))
        if c.min is not None or c.max is not None:
            fmt += f" [{c.min if c.min is not None else ''} … {c.max if c.max is not None else ''}]"
        ws.write_row(i, 0, [c.name, t("exchange_yes" if c.required else "exchange_no", lang), fmt,
                            "" if c.example is None else str(c.example)])
    ws.set_column(0, 0, 24)
    ws.set_column(2, 2, 60)
    ws.set_column(3, 3, 36)


def import_template(kind: str, lang: str = "id") -> bytes:
    """The empty template of the importer `kind` (not scores: see `score_template`) as .xlsx bytes."""
    module = IMPORTERS[kind]
    return sheet_template(module.SHEET, module.COLUMNS, lang)


def sheet_template(sheet: str, columns: Sequence[Column], lang: str = "id") -> bytes:
    """An empty data sheet named `sheet` with exactly the headers an importer of `columns` reads (text cells
    for codes, dropdowns for choices) and its "Petunjuk" sheet, as .xlsx bytes."""
    buf = io.BytesIO()
    wb = text_workbook(buf)
    ws = wb.add_worksheet(sheet)
    head = wb.add_format({"bold": True, "bg_color": "#1F4E78", "font_color": "#FFFFFF", "border": 1})
    text = wb.add_format({"num_format": "@"})
    for i, c in enumerate(columns):
        ws.write(0, i, c.name, head)
        # ids, codes and phone numbers as text, so Excel keeps leading zeros and dots
        ws.set_column(i, i, max(14, len(c.name) + 2), text if c.kind in ("text", "region", "phone") else None)
        if c.choices:
            ws.data_validation(1, i, 5000, i, {"validate": "list",
                                               "source": sorted(set(c.choices.values()))})
    ws.freeze_panes(1, 0)
    _guide(wb, columns, lang)
    wb.close()
    return buf.getvalue()


def score_template(con: duckdb.DuckDBPyConnection, competition_id: str, stage: str, lang: str = "id") -> bytes:
    """The score sheet of one competition and stage: rows per assigned entrant × judge, a column per criterion."""
    comp = con.sql("SELECT instrument_id, name FROM competitions WHERE competition_id = ?",
                   params=[competition_id]).fetchone()
    if comp is None:
        raise KeyError(competition_id)
    instrument = read_instrument(con, comp[0])
    rows = con.sql(
        """
        SELECT e.entrant_id, p.name, a.judge_id, j.name
        FROM entrants e JOIN posyandu p ON p.posyandu_id = e.posyandu_id
        LEFT JOIN assignments a ON a.entrant_id = e.entrant_id AND a.stage = ? AND a.competition_id = e.competition_id
        LEFT JOIN judges j ON j.judge_id = a.judge_id
        WHERE e.competition_id = ? ORDER BY p.name, e.entrant_id, j.name
        """, params=[stage, competition_id]).fetchall()
    return build_score_template(instrument, competition_id, comp[1], stage, rows, lang)


def build_score_template(instrument: Instrument, competition_id: str, competition_name: str, stage: str,
                         rows: Sequence[tuple], lang: str = "id") -> bytes:
    """The score template from an instrument and (entrant_id, posyandu name, judge_id, judge name) rows."""
    from data.exchange.imports.scores import header_for

    buf = io.BytesIO()
    wb = text_workbook(buf)   # names like "=HYPERLINK(…)" stay text and import back unchanged
    head = wb.add_format({"bold": True, "bg_color": "#1F4E78", "font_color": "#FFFFFF", "border": 1,
                          "text_wrap": True, "valign": "top"})
    grey = wb.add_format({"bg_color": "#F2F2F2", "num_format": "@"})
    ws = wb.add_worksheet(SCORES_SHEET)
    header = header_for(instrument)
    ws.write_row(0, 0, header, head)
    for r, (eid, pname, jid, jname) in enumerate(rows, start=1):
        for col, value in enumerate((eid, pname, jid, jname)):
            write_text(ws, r, col, value, grey)
    last = max(len(rows), 1) + 500
    for i, c in enumerate(instrument.criteria, start=4):
        ws.write_comment(0, i, f"{c.text}\n" + "\n".join(f"{o.code}: {o.text} ({o.points:g})" for o in c.options
                                                        if o.points is not None), {"x_scale": 3, "y_scale": 3})
        if c.kind == "choice":
            ws.data_validation(1, i, last, i, {"validate": "list", "source": [o.code for o in c.options]})
        ws.set_column(i, i, 10)
    ws.set_column(0, 0, 22)
    ws.set_column(1, 1, 28)
    ws.set_column(2, 2, 12)
    ws.set_column(3, 3, 24)
    ws.freeze_panes(1, 4)

    crit = wb.add_worksheet("Kriteria")
    crit.write_row(0, 0, [t("exchange_tpl_column", lang), t("exchange_tpl_section", lang),
                          t("exchange_tpl_criterion", lang), t("exchange_tpl_options", lang)], head)
    titles = {s.id: s.title for s in instrument.sections}
    for r, c in enumerate(instrument.criteria, start=1):
        if c.kind == "choice":
            opts = "; ".join(f"{o.code} = {o.text}" for o in c.options)
        else:
            opts = t("exchange_tpl_real_value", lang, unit=c.unit or "")
        crit.write_row(r, 0, [c.id, titles[c.section_id], c.text, opts])
    crit.set_column(0, 0, 14)
    crit.set_column(1, 1, 24)
    crit.set_column(2, 3, 70)

    info = wb.add_worksheet(INFO_SHEET)
    for r, (k, v) in enumerate((("instrument_id", instrument.instrument_id), ("competition_id", competition_id),
                                ("competition", competition_name), ("stage", stage))):
        info.write(r, 0, k)
        info.write_string(r, 1, v)
    info.set_column(0, 1, 30)
    wb.close()
    return buf.getvalue()
