"""The audit trail as people read it: translated headers, dates the Indonesian way, values as the choice made.

No Streamlit, no store: the audit page and its Excel export both draw from `audit_rows`.
"""

from __future__ import annotations

import io
import json

import pandas as pd
import polars as pl

from present.fmt import fmt_number, readable_dates
from present.i18n import t

# (column of data.judging.audit.audit_trail, message key of its header)
COLUMNS: tuple[tuple[str, str], ...] = (
    ("changed_at", "integrity_col_when"), ("actor", "integrity_col_who"), ("source", "integrity_col_source"),
    ("action", "integrity_col_action"), ("competition_id", "integrity_col_competition"),
    ("stage", "integrity_col_stage"), ("posyandu_name", "integrity_col_posyandu"),
    ("judge_name", "integrity_col_judge"), ("criterion_id", "integrity_col_criterion"),
    ("old_value", "integrity_col_old"), ("new_value", "integrity_col_new"), ("reason", "integrity_col_reason"),
    ("ref_reason", "integrity_col_ref_reason"), ("entity_key", "integrity_col_key"),
)
_SCORE_PARTS = ("option_code", "real_value", "note", "evidence")


def value_text(value: str | None, lang: str) -> str:
    """A stored old/new value as read: a score's option or number (Indonesian decimals), its note and the
    number of evidence files; any other JSON as "key: value"; plain text as is; nothing as blank."""
    if value is None:
        return ""
    try:
        parsed = json.loads(value)
    except ValueError:
        return readable_dates(value, lang)
    if isinstance(parsed, dict) and set(_SCORE_PARTS) <= set(parsed):
        parts: list[str] = []
        if parsed["option_code"] is not None:
            parts.append(str(parsed["option_code"]))
        elif parsed["real_value"] is not None:
            parts.append(fmt_number(float(parsed["real_value"]), 2, lang))
        if parsed.get("note"):
            parts.append(f"“{parsed['note']}”")
        if parsed.get("evidence"):
            parts.append(t("integrity_n_evidence", lang, n=len(parsed["evidence"])))
        return " · ".join(parts)
    if isinstance(parsed, dict):
        return readable_dates(", ".join(f"{k}: {v}" for k, v in parsed.items() if v is not None), lang)
    return readable_dates(str(parsed), lang)


def _label(prefix: str, value: str | None, lang: str) -> str:
    if value is None:
        return ""
    text = t(f"{prefix}{value}", lang)
    return value if text.startswith("⟦") else text


def audit_rows(trail: pl.DataFrame, lang: str) -> pd.DataFrame:
    """One row per audit entry with translated headers and readable values, in the trail's order."""
    rows = []
    for r in trail.iter_rows(named=True):
        rows.append({
            "changed_at": r["changed_at"].strftime("%d-%m-%Y %H:%M:%S") if r["changed_at"] else "",
            "actor": r["actor"] or "", "source": _label("integrity_source_", r["source"], lang),
            "action": _label("integrity_action_", r["action"], lang),
            "competition_id": r["competition_id"] or "",
            "stage": _label("stage_", r["stage"], lang),
            "posyandu_name": r["posyandu_name"] or r["entrant_id"] or "",
            "judge_name": r["judge_name"] or r["judge_id"] or "", "criterion_id": r["criterion_id"] or "",
            "old_value": value_text(r["old_value"], lang), "new_value": value_text(r["new_value"], lang),
            "reason": r["reason"] or "", "ref_reason": r["ref_reason"] or "", "entity_key": r["entity_key"] or "",
        })
    frame = pd.DataFrame(rows, columns=[c for c, _ in COLUMNS])
    return frame.rename(columns={c: t(k, lang) for c, k in COLUMNS})


def audit_workbook(trail: pl.DataFrame, lang: str) -> bytes:
    """The filtered trail as an Excel workbook (one sheet, translated headers)."""
    out = io.BytesIO()
    with pd.ExcelWriter(out, engine="openpyxl") as xl:
        audit_rows(trail, lang).to_excel(xl, sheet_name=t("integrity_audit_sheet", lang)[:31], index=False)
    return out.getvalue()
