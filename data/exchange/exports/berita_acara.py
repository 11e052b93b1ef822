"""The PDF berita acara (signed minutes) of a stage: entrants with final scores, ranks and awards, and the
judges' names with signature lines, ready to print and sign."""

from __future__ import annotations

from data.exchange.exports import ExportData
from data.exchange.exports.pdf import Document
from present.fmt import fmt_date, fmt_number
from present.i18n import t


def berita_acara_pdf(data: ExportData, lang: str = "id") -> bytes:
    """The berita acara of `data.stage` (or of the combined result when None) as PDF bytes."""
    comp = data.competition
    doc = Document()
    doc.add_page()
    doc.set_title(t("exchange_ba_title", lang))
    stage = t(f"stage_{data.stage}", lang) if data.stage else t("exchange_all_stages", lang)
    doc.line_text(t("exchange_ba_title", lang), 15, bold=True, align="C", h=8)
    doc.line_text(comp["name"].upper(), 12, bold=True, align="C")
    doc.line_text(t("exchange_ba_stage_line", lang, stage=stage, level=t(f"level_{comp['level']}", lang),
                    year=comp["year"]), 10, align="C")
    if data.region_extract:
        doc.line_text(t("integrity2_extract_line", lang, region=data.region_extract), 9, align="C")
    doc.ln(4)
    table = data.ranked
    dates = data.stages.filter(data.stages["stage"] == data.stage) if data.stage else data.stages
    held = [d for d in dates["end_date"].to_list() if d is not None] if "end_date" in dates.columns else []
    when = fmt_date(max(held), lang) if held else fmt_date(data.generated_on, lang)
    doc.line_text(t("exchange_ba_opening", lang, date=when, competition=comp["name"], stage=stage,
                    n=table.height), 10, align="J")
    doc.ln(2)
    rank_col = "rank_final" if "rank_final" in table.columns else "rank"
    rows = [[i + 1, r.get("posyandu_name"), r.get("desa_name"), r.get("kecamatan_name"),
             fmt_number(r.get("total"), 2, lang), "" if r.get(rank_col) is None else int(r[rank_col]),
             r.get("award") or ""] for i, r in enumerate(table.iter_rows(named=True))]
    doc.bordered_table([t("exchange_col_no", lang), t("exchange_col_posyandu", lang), t("exchange_col_desa", lang),
                        t("exchange_col_kecamatan", lang), t("exchange_col_total", lang), t("exchange_col_rank", lang),
                        t("exchange_col_award", lang)], rows, widths=(9, 48, 30, 26, 21, 20, 20),
                       aligns=("C", "L", "L", "L", "R", "C", "C"), wrap=(False, True, True, True, False, False, False))
    doc.ln(3)
    if data.field_awards.height:
        _field_awards(doc, data, lang)
    if data.published:
        doc.line_text(t("exchange_recap_published", lang), 8)
    doc.line_text(t("exchange_ba_closing", lang), 10, align="J")
    doc.ln(3)
    place = comp.get("scope_name") or ""
    doc.line_text(f"{place}, {fmt_date(data.generated_on, lang)}", 10, align="R")
    doc.ln(2)
    doc.line_text(t("exchange_ba_judges", lang), 10, bold=True)
    signature = "." * 34
    rows = [[i + 1, r["name"], r.get("institution") or "", f"{i + 1}. {signature}"]
            for i, r in enumerate(data.judges.iter_rows(named=True))]
    doc.bordered_table([t("exchange_col_no", lang), t("exchange_col_name", lang), t("exchange_col_institution", lang),
                        t("exchange_col_signature", lang)], rows, widths=(9, 58, 50, 57), aligns=("C", "L", "L", "L"),
                       row_h=12, wrap=(False, True, True, False))
    return doc.output_bytes()


def _field_awards(doc: Document, data: ExportData, lang: str) -> None:
    """The declared field awards ("Juara bidang Kesehatan") with their winners and field scores."""
    from present.summary import field_award_text

    desa = dict(zip(data.table["entrant_id"], data.table["desa_name"], strict=True)) \
        if "desa_name" in data.table.columns else {}
    doc.line_text(t("share_field_title", lang), 10, bold=True)
    rows = [[field_award_text(r["spm_field"], int(r["field_rank"]), lang), r["posyandu_name"],
             desa.get(r["entrant_id"]) or "", fmt_number(r["score"], 2, lang)]
            for r in data.field_awards.iter_rows(named=True)]
    doc.bordered_table([t("exchange_col_award", lang), t("exchange_col_posyandu", lang), t("exchange_col_desa", lang),
               t("share_field_col_score", lang)], rows, widths=(62, 48, 40, 24), aligns=("L", "L", "L", "R"),
              wrap=(True, True, True, False))
    doc.ln(3)
