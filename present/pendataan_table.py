"""Pendataan tables as people read them: translated headers, statuses in words, dates the Indonesian way.

No Streamlit, no store: the Pendataan page and its Excel export both draw from these.
"""

from __future__ import annotations

import io
from collections.abc import Mapping

import pandas as pd
import polars as pl

from present.cells import XLSXWRITER_OPTIONS
from present.fmt import fmt_date, fmt_number
from present.i18n import t


def status_text(status: str | None, lang: str) -> str:
    return t(f"pendataan_status_{status}", lang) if status else ""


def field_text(field: str | None, lang: str) -> str:
    return t(f"field_{field}", lang) if field else ""


def _days(value: object, lang: str) -> str:
    return "–" if value is None else fmt_number(float(value), 0, lang)  # type: ignore[arg-type]


def case_rows(cases: pl.DataFrame, lang: str) -> pd.DataFrame:
    """One row per case (a frame of data.pendataan.summary.with_days) with translated headers."""
    rows = [{
        t("pendataan_col_recorded_on", lang): fmt_date(r["recorded_on"], lang),
        t("pendataan_col_posyandu", lang): r["posyandu_name"] or "",
        t("pendataan_col_desa", lang): r["desa_name"] or "",
        t("pendataan_col_field", lang): field_text(r["spm_field"], lang),
        t("pendataan_col_type", lang): r["case_type"] or "",
        t("pendataan_col_status", lang): status_text(r["status"], lang),
        t("pendataan_col_last_step", lang): fmt_date(r["last_step_on"], lang),
        t("pendataan_col_days", lang): _days(r.get("days"), lang),
        t("pendataan_col_opd", lang): r["opd"] or "",
        t("pendataan_col_id", lang): r["record_id"],
    } for r in cases.iter_rows(named=True)]
    columns = ["recorded_on", "posyandu", "desa", "field", "type", "status", "last_step", "days", "opd", "id"]
    return pd.DataFrame(rows, columns=[t(f"pendataan_col_{c}", lang) for c in columns])


def summary_rows(summary: pl.DataFrame, lang: str) -> pd.DataFrame:
    """data.pendataan.summary.field_summary with translated headers and the six fields in words."""
    out = {t("pendataan_col_field", lang): [field_text(f, lang) for f in summary["spm_field"]],
           t("pendataan_col_cases", lang): summary["cases"].to_list()}
    for s in ("recorded", "verified", "referred", "resolved", "closed"):
        out[status_text(s, lang)] = summary[s].to_list()
    out[t("pendataan_col_median_days", lang)] = [_days(v, lang) for v in summary["median_days_to_resolve"]]
    out[t("pendataan_col_oldest_open", lang)] = [_days(v, lang) for v in summary["oldest_open_days"]]
    return pd.DataFrame(out)


def region_rows(frame: pl.DataFrame, level: str, lang: str) -> pd.DataFrame:
    """data.pendataan.summary.by_region with translated headers."""
    name = {"posyandu": "posyandu_name", "desa": "desa_name", "kecamatan": "kecamatan_name"}[level]
    return pd.DataFrame({
        t(f"pendataan_level_{level}", lang): frame[name].fill_null("").to_list(),
        t("pendataan_col_cases", lang): frame["cases"].to_list(),
        t("pendataan_col_open", lang): frame["open"].to_list(),
        status_text("resolved", lang): frame["resolved"].to_list(),
        t("pendataan_col_median_days", lang): [_days(v, lang) for v in frame["median_days_to_resolve"]],
    })


def history_rows(history: pl.DataFrame, lang: str) -> pd.DataFrame:
    """The steps of one case, oldest first."""
    return pd.DataFrame({
        t("pendataan_col_step", lang): history["step_no"].to_list(),
        t("pendataan_col_status", lang): [status_text(s, lang) for s in history["status"]],
        t("pendataan_col_on", lang): [fmt_date(d, lang) for d in history["on_date"]],
        t("pendataan_col_actor", lang): history["actor"].to_list(),
        t("pendataan_col_opd", lang): history["opd"].fill_null("").to_list(),
        t("pendataan_col_note", lang): history["note"].fill_null("").to_list(),
    })


def workbook(sheets: Mapping[str, pd.DataFrame]) -> bytes:
    """The given tables as one Excel workbook, every text cell written as text (never a formula or link)."""
    out = io.BytesIO()
    with pd.ExcelWriter(out, engine="xlsxwriter", engine_kwargs={"options": dict(XLSXWRITER_OPTIONS)}) as xl:
        for name, frame in sheets.items():
            frame.to_excel(xl, sheet_name=name[:31], index=False)
    return out.getvalue()
