"""The one-page PDF scorecard of a posyandu: nilai akhir, rank and award, a six-field radar against the
competition average, the score of every section, its strengths and the "fix first" list.

The radar is the app's own `ui.charts.radar_chart`, rendered to PNG by Plotly's static export (kaleido 1.x,
which drives Debian's chromium), so the paper and the screen show the same picture.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import polars as pl

from data.exchange.exports import ExportData
from data.exchange.exports.pdf import Document
from present.fmt import fmt_date, fmt_number
from present.i18n import t
from scoring.fields import SPM_FIELDS

RADAR_PX = (900, 720)
FIX_FIRST_ROWS = 6


def _section_label(section_id: str, title: str, lang: str) -> str:
    text = t(f"field_{section_id}", lang)
    return title if text.startswith("⟦") else text


def field_scores(data: ExportData, entrant_id: str) -> tuple[dict[str, float], dict[str, float]]:
    """This entrant's score per section (percent of maximum) and the competition average per section."""
    f = data.fields
    if f.height == 0:
        return {}, {}
    mine = dict(f.filter(pl.col("entrant_id") == entrant_id).select("section_id", "score_pct").iter_rows())
    avg = dict(f.group_by("section_id").agg(pl.col("score_pct").mean()).iter_rows())
    return mine, avg


def radar_png(mine: dict[str, float], average: dict[str, float], name: str, lang: str) -> bytes | None:
    """The six-field radar as PNG bytes, or None when the instrument has fewer than three SPM fields."""
    from present.charts import radar_chart

    fields = [f for f in SPM_FIELDS if f in mine or f in average]
    if len(fields) < 3:
        return None
    fig = radar_chart([(name, mine)], lang, average=average, fields=fields)
    # print sizes: the figure is shrunk to ~96 mm, so its text must be large in pixels
    fig.update_layout(showlegend=True, height=RADAR_PX[1], width=RADAR_PX[0], font={"size": 20},
                      margin={"l": 20, "r": 20, "t": 20, "b": 20},
                      polar={"domain": {"x": [0.29, 0.71], "y": [0.12, 0.98]},
                             "angularaxis": {"tickfont": {"size": 21}}, "radialaxis": {"tickfont": {"size": 14}}},
                      legend={"font": {"size": 20}, "y": 0.02, "x": 0.05})
    return fig.to_image(format="png", width=RADAR_PX[0], height=RADAR_PX[1], scale=1)


def _page(doc: Document, data: ExportData, entrant_id: str, lang: str) -> None:
    row = data.table.filter(pl.col("entrant_id") == entrant_id)
    if row.height == 0:
        raise KeyError(entrant_id)
    r = row.row(0, named=True)
    comp = data.competition
    doc.add_page()
    doc.line_text(t("exchange_sc_title", lang), 9, align="L", h=5)
    doc.line_text(r["posyandu_name"], 16, bold=True, h=8)
    doc.line_text(", ".join(x for x in (r.get("desa_name"), r.get("kecamatan_name"), r.get("kabupaten_name")) if x),
                  10, h=5)
    doc.line_text(f"{comp['name']} · {fmt_date(data.generated_on, lang)}", 9, h=5)
    doc.ln(2)
    rank_col = "rank_final" if "rank_final" in r else "rank"
    strata = r.get("strata")
    summary = [(t("exchange_col_total", lang), fmt_number(r.get("total"), 2, lang)),
               (t("exchange_col_rank", lang), "–" if r.get(rank_col) is None
                else f"{int(r[rank_col])} / {data.table.height}"),
               (t("exchange_col_award", lang), r.get("award") or "–"),
               (t("exchange_col_strata", lang), t(f"strata_{strata}", lang) if strata else "–")]
    x0 = doc.l_margin
    w = (doc.w - doc.l_margin - doc.r_margin) / len(summary)
    y = doc.get_y()
    for i, (label, value) in enumerate(summary):
        doc.set_xy(x0 + i * w, y)
        doc.font(8)
        doc.cell(w, 5, doc.clean(label), align="C")
        doc.set_xy(x0 + i * w, y + 5)
        doc.font(14, bold=True)
        doc.cell(w, 9, doc.clean(value), align="C")
    doc.set_xy(x0, y + 16)

    mine, avg = field_scores(data, entrant_id)
    try:
        png = radar_png(mine, avg, r["posyandu_name"], lang)
    except (RuntimeError, OSError) as err:   # kaleido's ChromeNotFoundError is a RuntimeError
        # Static export needs Debian's chromium; without it the card is still useful, and says so.
        png = None
        doc.line_text(t("exchange_sc_no_chart", lang, reason=type(err).__name__), 8, h=4)
    top = doc.get_y()
    if png is not None:
        doc.image(io.BytesIO(png), x=x0 - 4, y=top, w=96)
    # Section scores beside the radar
    doc.set_xy(x0 + 96, top + 4)
    titles = dict(data.sections.select("section_id", "title").iter_rows())
    rows = [[_section_label(s, titles[s], lang), fmt_number(mine.get(s), 1, lang), fmt_number(avg.get(s), 1, lang)]
            for s in data.sections["section_id"].to_list()]
    _small_table(doc, x0 + 96, [t("exchange_col_field", lang), t("exchange_sc_score", lang),
                                t("exchange_sc_average", lang)], rows, (40, 17, 17))
    doc.set_xy(x0, max(doc.get_y(), top + (80 if png is not None else 0)) + 4)

    strengths = sorted(((v, s) for s, v in mine.items() if v is not None), reverse=True)[:2]
    doc.line_text(t("exchange_sc_strengths", lang), 11, bold=True)
    for v, s in strengths:
        doc.line_text("• " + t("exchange_sc_strength_line", lang, field=_section_label(s, titles[s], lang),
                                score=fmt_number(v, 1, lang), average=fmt_number(avg.get(s), 1, lang)), 9, h=5)
    doc.ln(2)
    doc.line_text(t("exchange_sc_fix_first", lang), 11, bold=True)
    fix = data.fix_first.filter(pl.col("entrant_id") == entrant_id).sort("order").head(FIX_FIRST_ROWS) \
        if data.fix_first.height else pl.DataFrame()
    criteria = {c.id: c.text for c in data.instrument.criteria}
    fixes = [[int(f["order"]), _section_label(f["section_id"], titles.get(f["section_id"], ""), lang),
             criteria.get(f["criterion_id"], f["criterion_id"]),
             f"{fmt_number(f['points'], 1, lang)} / {fmt_number(f['max_points'], 0, lang)}",
             "+" + fmt_number(f["lost"], 2, lang)] for f in fix.iter_rows(named=True)]
    if fixes:
        doc.bordered_table(["#", t("exchange_col_field", lang), t("exchange_tpl_criterion", lang),
                            t("exchange_sc_points", lang), t("exchange_sc_gain", lang)], fixes,
                           widths=(7, 30, 93, 22, 22), aligns=("C", "L", "L", "C", "R"), size=8, row_h=6)
        doc.line_text(t("exchange_sc_gain_note", lang), 7, h=4)
    else:
        doc.line_text(t("exchange_sc_nothing_to_fix", lang), 9)


def _small_table(doc: Document, x: float, header: Sequence[str], rows: Sequence[Sequence[str]],
                 widths: Sequence[float]) -> None:
    doc.set_x(x)
    doc.font(8, bold=True)
    for text, w in zip(header, widths, strict=True):
        doc.cell(w, 6, doc.clean(text), border="B", align="L" if w == widths[0] else "R")
    doc.ln(6)
    doc.font(8)
    for r in rows:
        doc.set_x(x)
        for text, w in zip(r, widths, strict=True):
            doc.cell(w, 5.5, doc.clean(text), align="L" if w == widths[0] else "R")
        doc.ln(5.5)


def scorecard_pdf(data: ExportData, entrant_ids: Sequence[str] | str, lang: str = "id") -> bytes:
    """One page per entrant (a single id gives the one-page scorecard) as PDF bytes."""
    ids = [entrant_ids] if isinstance(entrant_ids, str) else list(entrant_ids)
    doc = Document()
    doc.set_auto_page_break(False)
    doc.set_title(t("exchange_sc_title", lang))
    for eid in ids:
        _page(doc, data, eid, lang)
    return doc.output_bytes()
