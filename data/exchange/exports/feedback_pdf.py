"""The feedback PDF one entrant receives after the results are final: its own criterion scores per stage and
section, each judge's choice as "Juri 1, 2, …" (never a name) with the judge's note, and its published total,
rank and award (`data.share.feedback`)."""

from __future__ import annotations

import duckdb
import polars as pl

from data.exchange.exports.pdf import Document
from data.judging.publication import final_results
from data.share.feedback import feedback_rows
from data.store import reads
from present.fmt import fmt_date, fmt_number
from present.i18n import t


def entrant_header(con: duckdb.DuckDBPyConnection, competition_id: str, entrant_id: str) -> dict:
    """Name, desa, published total, rank and award of one entrant of a final contest ({} when unknown)."""
    table = final_results(con, competition_id)
    hit = table.filter(pl.col("entrant_id") == entrant_id) if table.height else table
    if hit.height:
        return hit.row(0, named=True)
    row = con.sql("SELECT p.name AS posyandu_name, r.name AS desa_name FROM entrants e JOIN posyandu p "
                  "USING (posyandu_id) LEFT JOIN regions r ON r.code = p.desa_code WHERE e.entrant_id = ?",
                  params=[entrant_id]).pl()
    return row.row(0, named=True) if row.height else {}


def choice_text(row: dict, lang: str) -> str:
    """"a. Rincian per anggota" for a choice, the value for a nilai riil, "–" when none."""
    if row.get("option_code"):
        return f"{row['option_code']}. {row.get('option_text') or ''}".strip()
    value = row.get("real_value")
    if value is None:
        return "–"
    return fmt_number(value, 0 if float(value).is_integer() else 1, lang)


def feedback_pdf(con: duckdb.DuckDBPyConnection, competition_id: str, entrant_id: str, lang: str = "id",
                 today=None) -> bytes:  # noqa: ANN001 - a date, default today
    """The feedback of one entrant as PDF bytes."""
    import datetime as dt

    comp = reads.competition(con, competition_id) or {"name": competition_id}
    head = entrant_header(con, competition_id, entrant_id)
    rows = feedback_rows(con, entrant_id)
    from data.judging.publication import final_instrument, is_final

    instrument = final_instrument(con, competition_id, None) if is_final(con, competition_id) else None
    instrument = instrument or reads.competition_inputs(con, competition_id).instrument
    sections = {s.id: s.title for s in instrument.sections}
    doc = Document()
    doc.add_page()
    doc.set_title(t("share_fb_title", lang))
    doc.line_text(t("share_fb_title", lang), 15, bold=True, align="C", h=8)
    doc.line_text(comp["name"], 11, bold=True, align="C")
    doc.ln(3)
    doc.line_text(f"{t('pages_posyandu_prefix', lang)} {head.get('posyandu_name') or ''}"
                  + (f" · {head['desa_name']}" if head.get("desa_name") else ""), 12, bold=True)
    if head.get("total") is not None:
        doc.line_text(t("share_fb_result", lang, total=fmt_number(head["total"], 2, lang),
                        rank=head.get("rank_final") or "–", award=head.get("award") or "–"), 10)
    doc.line_text(t("share_fb_intro", lang), 9)
    doc.ln(2)
    for (stage, section), part in rows.group_by(["stage", "section_id"], maintain_order=True):
        doc.line_text(f"{t(f'stage_{stage}', lang)} · {sections.get(str(section), section)}", 10, bold=True)
        doc.bordered_table([t("pages_criterion", lang), t("pages_judge", lang), t("pages_choice", lang),
                   t("pages_points", lang), t("pages_note", lang)],
                  [[f"{r['criterion_id']} · {r['criterion_text'] or ''}", r["judge"], choice_text(r, lang),
                    fmt_number(r["points"], 0, lang), r["note"] or ""] for r in part.iter_rows(named=True)],
                  widths=(62, 16, 40, 14, 42), aligns=("L", "C", "L", "C", "L"), size=8,
                  wrap=(True, False, True, False, True))
        doc.ln(2)
    if rows.height == 0:
        doc.line_text(t("share_fb_empty", lang), 10)
    doc.ln(2)
    doc.line_text(t("share_fb_footer", lang, date=fmt_date(today or dt.date.today(), lang)), 8)
    return doc.output_bytes()
