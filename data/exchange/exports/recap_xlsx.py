"""The Excel rekapitulasi nilai, laid out like a committee's recap sheet.

One row per entrant in rank order: identity and region, the score of every section (its SPM field and weight
in a two-row header), the total of each stage with its weight, the nilai akhir, rank, award, strata and
completeness. Numbers are real numbers with a two-decimal format (Excel shows them with the reader's own
decimal mark); panes are frozen under the header and right of the name. Then one sheet per stage, the way a
committee signs it: every criterion's points per judge and their combination (the engine's own, by the contest's
aggregation rule: the mean unless set otherwise), the field (SPM bidang) scores, the stage total, the nilai akhir,
rank, award and who advances ("maju ke tingkat …"), entrant by entrant; every sheet opens with a heading block
(contest, level, region, year, stage dates, printed date) and ends with a signature block for the judges of its
stages (name, OPD) and the chair. A last sheet states the weights and the rules used. Every number is the
engine's (`data.results.competition_results`, through `export_data`): nothing here ranks or averages.
"""

from __future__ import annotations

import io
from typing import SupportsFloat

from data.exchange.exports import ExportData
from present.cells import text_workbook, write_text
from present.fmt import fmt_date, fmt_date_range, fmt_number
from present.i18n import t

FIRST_DATA_ROW = 6      # 0-based: title rows 0–3, header rows 4–5


def _label(section_id: str, title: str, lang: str) -> str:
    key = f"field_{section_id}"
    text = t(key, lang)
    return title if text.startswith("⟦") else text


def recap_workbook(data: ExportData, lang: str = "id") -> bytes:
    """The rekapitulasi nilai as .xlsx bytes."""
    comp = data.competition
    table = data.ranked
    buf = io.BytesIO()
    wb = text_workbook(buf)      # every name from a user is written as text, never as a formula
    title = wb.add_format({"bold": True, "font_size": 14})
    sub = wb.add_format({"italic": True, "font_color": "#404040"})
    head = wb.add_format({"bold": True, "bg_color": "#1F4E78", "font_color": "#FFFFFF", "border": 1,
                          "text_wrap": True, "align": "center", "valign": "vcenter"})
    head_w = wb.add_format({"bg_color": "#DDEBF7", "border": 1, "align": "center", "italic": True,
                            "num_format": "0\" %\""})
    num = wb.add_format({"num_format": "0.00", "border": 1})
    total = wb.add_format({"num_format": "0.00", "border": 1, "bold": True, "bg_color": "#FFF2CC"})
    text = wb.add_format({"border": 1})
    award = wb.add_format({"border": 1, "bold": True, "font_color": "#7F6000"})
    integer = wb.add_format({"border": 1, "align": "center"})

    ws = wb.add_worksheet(t("exchange_recap_sheet", lang))
    stage_label = t("contest_recap_one_stage", lang, stage=t(f"stage_{data.stage}", lang)) if data.stage \
        else t("exchange_all_stages", lang)
    ws.write(0, 0, t("exchange_recap_title", lang), title)
    ws.write(1, 0, comp["name"], wb.add_format({"bold": True}))
    ws.write(2, 0, t("contest_recap_heading", lang, level=t(f"level_{comp['level']}", lang),
                     region=_region(data), stage=stage_label, year=comp["year"],
                     date=fmt_date(data.generated_on, lang)), sub)
    schedule = t("contest_recap_schedule", lang, stages=" · ".join(
        _stage_when(data, stage, lang) for stage in data.stages["stage"].to_list()
        if data.stage is None or data.stage == stage)) if data.stages.height else ""
    extract = t("integrity2_extract_line", lang, region=data.region_extract) if data.region_extract else ""
    ws.write(3, 0, " · ".join(x for x in (schedule, t("exchange_recap_published", lang) if data.published else "",
                                          extract) if x), sub)

    fixed = [("no", 5), ("posyandu", 30), ("desa", 20), ("kecamatan", 18), ("kabupaten", 20)]
    col = 0
    for key, width in fixed:
        ws.merge_range(4, col, 5, col, t(f"exchange_col_{key}", lang), head)
        ws.set_column(col, col, width)
        col += 1
    sec_cols: list[tuple[str, int]] = []
    for sid, stitle, weight in data.sections.select("section_id", "title", "weight").iter_rows():
        ws.write(4, col, _label(sid, stitle, lang), head)
        ws.write(5, col, weight, head_w)
        ws.set_column(col, col, 13)
        sec_cols.append((f"sec_{sid}", col))
        col += 1
    stage_cols: list[tuple[str, int]] = []
    if data.stage is None:
        for stage, weight in data.stages.select("stage", "weight").iter_rows():
            if f"total_{stage}" in table.columns:
                ws.write(4, col, t("exchange_col_stage_total", lang, stage=t(f"stage_{stage}", lang)), head)
                ws.write(5, col, weight, head_w)
                ws.set_column(col, col, 13)
                stage_cols.append((f"total_{stage}", col))
                col += 1
    tail = [("total", 12), ("rank", 10), ("award", 13), ("strata", 11), ("completeness", 13), ("advances", 26)]
    tail_cols: dict[str, int] = {}
    for key, width in tail:
        ws.merge_range(4, col, 5, col, t("life_recap_col_advances" if key == "advances" else f"exchange_col_{key}",
                                         lang), head)
        ws.set_column(col, col, width)
        tail_cols[key] = col
        col += 1
    ws.set_row(4, 48)

    rank_col = "rank_final" if "rank_final" in table.columns else "rank"
    for i, r in enumerate(table.iter_rows(named=True)):
        row = FIRST_DATA_ROW + i
        ws.write_number(row, 0, i + 1, integer)
        for c, key in enumerate(("posyandu_name", "desa_name", "kecamatan_name", "kabupaten_name"), start=1):
            write_text(ws, row, c, r.get(key), text)
        for name, c in sec_cols + stage_cols:
            _num(ws, row, c, r.get(name), num)
        _num(ws, row, tail_cols["total"], r.get("total"), total)
        _num(ws, row, tail_cols["rank"], r.get(rank_col), integer)
        write_text(ws, row, tail_cols["award"], r.get("award"), award)
        strata = r.get("strata")
        ws.write(row, tail_cols["strata"], t(f"strata_{strata}", lang) if strata else "", text)
        _num(ws, row, tail_cols["completeness"], r.get("completeness_pct"), num)
        ws.write(row, tail_cols["advances"], _advances(data, r, lang), award)
    ws.freeze_panes(FIRST_DATA_ROW, 2)
    if table.height:
        ws.autofilter(5, 0, FIRST_DATA_ROW + table.height - 1, col - 1)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(4, 5)
    _signatures(wb, ws, FIRST_DATA_ROW + table.height + 2, data, lang)
    for stage in data.stages["stage"].to_list():
        if data.stage is None or data.stage == stage:
            _stage_sheet(wb, data, stage, lang)

    if data.field_awards.height:
        _field_awards_sheet(wb, data, lang)
    rules = wb.add_worksheet(t("exchange_rules_sheet", lang))
    rules.write_row(0, 0, [t("exchange_tpl_section", lang), t("exchange_col_field", lang),
                           t("exchange_col_weight", lang)], head)
    for i, (stitle, fld, weight) in enumerate(
            data.sections.select("title", "spm_field", "weight").iter_rows(), start=1):
        rules.write_row(i, 0, [stitle, t(f"field_{fld}", lang) if fld else "", weight])
    n = data.sections.height + 2
    rules.write_row(n, 0, [t("stage", lang), "", t("exchange_col_weight", lang)], head)
    for i, (stage, weight) in enumerate(data.stages.select("stage", "weight").iter_rows(), start=n + 1):
        rules.write_row(i, 0, [t(f"stage_{stage}", lang), "", weight])
    m = n + data.stages.height + 2
    rules.write(m, 0, t("exchange_rules_text", lang, instrument=data.instrument.instrument_id))
    rules.set_column(0, 0, 34)
    rules.set_column(1, 2, 18)
    wb.close()
    return buf.getvalue()


def _num(ws, row: int, col: int, value: SupportsFloat | None, fmt) -> None:  # noqa: ANN001 - xlsxwriter objects
    if value is None or (isinstance(value, float) and value != value):
        ws.write_blank(row, col, None, fmt)
    else:
        ws.write_number(row, col, float(value), fmt)


def _advances(data: ExportData, r: dict, lang: str) -> str:
    if not r.get("advances") or not data.next_level:
        return ""
    return t("life_recap_advances", lang, level=t(f"level_{data.next_level}", lang))


def _region(data: ExportData) -> str:
    comp = data.competition
    return comp.get("scope_name") or comp.get("scope_code") or ""


def _stage_when(data: ExportData, stage: str, lang: str) -> str:
    """"Lapangan 20–24 Oktober 2025" (the stage's dates the Indonesian way), or the stage alone without dates."""
    label = t(f"stage_{stage}", lang)
    row = data.stages.filter(data.stages["stage"] == stage)
    if row.height == 0 or (row["start_date"][0] is None and row["end_date"][0] is None):
        return label
    return f"{label} {fmt_date_range(row['start_date'][0], row['end_date'][0], lang)}"


def _signatures(wb, ws, row: int, data: ExportData, lang: str,  # noqa: ANN001 - xlsxwriter objects
                stage: str | None = None) -> None:
    """Place and date, then a table the judges sign (no, name, OPD, a signature line, names in full) and the
    chair's signature. On a stage's sheet the judges of that stage sign; on the recap every judge."""
    bold = wb.add_format({"bold": True})
    head = wb.add_format({"bold": True, "border": 1, "bg_color": "#DDEBF7"})
    cell = wb.add_format({"border": 1, "text_wrap": True, "valign": "vcenter"})
    judges = data.judges
    if stage is not None and data.judge_stages.height:
        ids = data.judge_stages.filter(data.judge_stages["stage"] == stage)["judge_id"].to_list()
        judges = judges.filter(judges["judge_id"].is_in(ids))
    ws.write(row, 1, f"{_region(data)}, {fmt_date(data.generated_on, lang)}")
    ws.write(row + 1, 1, t("life_recap_sign_judges", lang), bold)
    ws.write_row(row + 2, 0, [t("exchange_col_no", lang), t("contest_recap_sign_name", lang),
                              t("contest_recap_sign_opd", lang), t("contest_recap_sign_here", lang)], head)
    for i, j in enumerate(judges.iter_rows(named=True)):
        r = row + 3 + i
        ws.write_number(r, 0, i + 1, cell)
        write_text(ws, r, 1, j["name"], cell)
        write_text(ws, r, 2, j.get("institution") or "", cell)
        ws.write(r, 3, f"{i + 1}. " + "." * 30, cell)
        ws.set_row(r, 30)              # room for a signature
    r = row + 4 + judges.height
    ws.write(r, 1, t("life_recap_sign_chair", lang), bold)
    ws.write(r + 4, 1, "(" + "." * 40 + ")")


def _stage_sheet(wb, data: ExportData, stage: str, lang: str) -> None:  # noqa: ANN001 - xlsxwriter objects
    """One stage as the committee signs it: per entrant, each criterion's points per judge and their mean."""
    import polars as pl

    from scoring.instrument import NO_CASE

    title = wb.add_format({"bold": True, "font_size": 13})
    head = wb.add_format({"bold": True, "bg_color": "#1F4E78", "font_color": "#FFFFFF", "border": 1,
                          "text_wrap": True, "align": "center", "valign": "vcenter"})
    entrant_fmt = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    text = wb.add_format({"border": 1, "text_wrap": True, "valign": "top"})
    num = wb.add_format({"num_format": "0.00", "border": 1})
    mean = wb.add_format({"num_format": "0.00", "border": 1, "bold": True})
    total = wb.add_format({"num_format": "0.00", "border": 1, "bold": True, "bg_color": "#FFF2CC"})
    label = t(f"stage_{stage}", lang)
    ws = wb.add_worksheet(label[:31])
    comp = data.competition
    ws.write(0, 0, t("exchange_recap_title", lang), title)
    ws.write(1, 0, comp["name"], wb.add_format({"bold": True}))
    ws.write(2, 0, t("contest_recap_stage_heading", lang, level=t(f"level_{comp['level']}", lang),
                     region=_region(data), stage=_stage_when(data, stage, lang), year=comp["year"],
                     date=fmt_date(data.generated_on, lang)))
    ws.write(3, 0, t("life_recap_final" if data.published else "life_recap_provisional", lang))
    if data.region_extract:
        ws.write(4, 0, t("integrity2_extract_line", lang, region=data.region_extract))
    pts = data.points.filter(pl.col("stage") == stage) if data.points.height else data.points
    judge_ids = sorted(set(pts["judge_id"].to_list())) if pts.height else []
    names = dict(zip(data.judges["judge_id"], data.judges["name"], strict=True)) if data.judges.height else {}
    header = [t("exchange_col_no", lang), t("exchange_col_posyandu", lang), t("life_col_criterion", lang),
              *[names.get(j, j) for j in judge_ids], t(f"contest_recap_combined_{data.aggregation}", lang)]
    ws.write_row(5, 0, header, head)
    ws.set_row(5, 45)
    ws.set_column(0, 0, 5)
    ws.set_column(1, 1, 28)
    ws.set_column(2, 2, 46)
    ws.set_column(3, 3 + len(judge_ids), 12)
    texts = {c.id: c.text for c in data.instrument.criteria}
    order = [c.id for c in data.instrument.criteria]
    by = {(e, c, j): p for e, j, c, p in pts.select("entrant_id", "judge_id", "criterion_id", "points").iter_rows()}
    # "tidak ada kasus" answers: written as such per judge, and the criterion left out where no judge scored it
    no_case = {(e, c, j) for e, j, c, o in pts.select("entrant_id", "judge_id", "criterion_id", "option_code")
               .iter_rows() if o == NO_CASE} if "option_code" in pts.columns else set()
    no_case_word = t("no_case_short", lang)
    combined = {(e, c): p for e, c, p in data.criteria.filter(pl.col("stage") == stage).select(
        "entrant_id", "criterion_id", "points").iter_rows()} if data.criteria.height else {}
    fields = {(e, sid): v for e, sid, v in data.stage_sections.filter(pl.col("stage") == stage).select(
        "entrant_id", "section_id", "score_pct").iter_rows()} if data.stage_sections.height else {}
    sections = list(data.sections.select("section_id", "title", "spm_field").iter_rows())
    stage_total = "total" if data.stage == stage else f"total_{stage}"
    row = 6
    mean_col = 3 + len(judge_ids)
    for i, r in enumerate(data.ranked.iter_rows(named=True)):
        e = r["entrant_id"]
        ws.write(row, 0, i + 1, entrant_fmt)
        ws.merge_range(row, 1, row, mean_col, f"{r.get('posyandu_name') or ''} — {r.get('desa_name') or ''}, "
                       f"{r.get('kecamatan_name') or ''}", entrant_fmt)
        row += 1
        for c in order:
            got = [by.get((e, c, j)) for j in judge_ids]
            said = [(e, c, j) in no_case for j in judge_ids]
            if all(v is None for v in got) and not any(said):
                continue
            write_text(ws, row, 2, f"{c} · {texts.get(c, '')}", text)
            for k, v in enumerate(got):
                if said[k]:
                    ws.write(row, 3 + k, no_case_word, text)
                else:
                    _num(ws, row, 3 + k, v, num)
            if combined.get((e, c)) is None and any(said):
                ws.write(row, mean_col, no_case_word, text)
            else:
                _num(ws, row, mean_col, combined.get((e, c)), mean)
            row += 1
        for sid, stitle, spm in sections:  # the field (SPM bidang) and other section scores of this stage, in %
            if fields.get((e, sid)) is None:
                continue
            ws.write(row, 2, t("contest_recap_field_score" if spm else "contest_recap_section_score", lang,
                               field=_label(sid, stitle, lang)), text)
            _num(ws, row, mean_col, fields[(e, sid)], num)
            row += 1
        ws.write(row, 2, t("life_recap_stage_total", lang, stage=label), entrant_fmt)
        _num(ws, row, mean_col, r.get(stage_total), total)
        row += 1
        if data.stage is None or data.stage == stage:
            line = " · ".join(x for x in (
                t("life_recap_final_score", lang, score=fmt_number(r["total"], data.total_decimals, lang))
                if r.get("total") is not None else "",
                t("life_recap_rank", lang, rank=r.get("rank_final")) if r.get("rank_final") is not None else "",
                r.get("award") or "", _advances(data, r, lang)) if x)
            ws.write(row, 2, line, wb.add_format({"italic": True}))
            row += 1
    ws.freeze_panes(6, 3)
    ws.repeat_rows(5, 5)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    _signatures(wb, ws, row + 2, data, lang, stage)


def _field_awards_sheet(wb, data: ExportData, lang: str) -> None:  # noqa: ANN001 - xlsxwriter objects
    """The declared field awards ("Juara bidang Kesehatan"): award, posyandu, desa and field score."""
    from present.summary import field_award_text

    head = wb.add_format({"bold": True, "bg_color": "#1F4E78", "font_color": "#FFFFFF", "border": 1})
    num = wb.add_format({"num_format": "0.00", "border": 1})
    cell = wb.add_format({"border": 1})
    ws = wb.add_worksheet(t("share_field_title", lang)[:31])
    ws.write(0, 0, data.competition["name"], wb.add_format({"bold": True}))
    ws.write_row(2, 0, [t("exchange_col_award", lang), t("exchange_col_posyandu", lang),
                        t("exchange_col_desa", lang), t("share_field_col_score", lang)], head)
    desa = dict(zip(data.table["entrant_id"], data.table["desa_name"], strict=True)) \
        if "desa_name" in data.table.columns else {}
    for i, r in enumerate(data.field_awards.iter_rows(named=True), start=3):
        write_text(ws, i, 0, field_award_text(r["spm_field"], int(r["field_rank"]), lang), cell)
        write_text(ws, i, 1, r["posyandu_name"], cell)
        write_text(ws, i, 2, desa.get(r["entrant_id"]) or "", cell)
        _num(ws, i, 3, r["score"], num)
    ws.set_column(0, 0, 34)
    ws.set_column(1, 2, 26)
    ws.set_column(3, 3, 14)
