"""Tables of the results people share (#17): the change since the last round as Peringkat shows it.

No Streamlit, no store: frames in (from `scoring.league`), a display frame out, numbers the Indonesian way.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence

import pandas as pd
import polars as pl

from present.fmt import fmt_int, fmt_number
from present.i18n import t


def _signed(value: float | int | None, decimals: int, lang: str) -> str:
    """+3 / -1,25 / 0; "–" when unknown."""
    if value is None:
        return "–"
    text = fmt_number(value, decimals, lang)
    return ("+" + text) if value > 0 and text.strip("0,.") else text


def change_rows(moved: pl.DataFrame, fields: Sequence[str], lang: str, with_round: bool = False) -> pd.DataFrame:
    """One row per entrant of both rounds (`scoring.league.change_since`): posyandu, desa, (with_round: which
    earlier round it is compared with, "Lomba Kab. Kudus 2025 · kabupaten"), rank then → now and its change (a
    climb is +; a dash across levels), final score then → now and its change, and the change of each field."""
    fields = [f for f in fields if f"sec_{f}_change" in moved.columns]
    rows = moved.sort(["rank_final", "posyandu_name"], nulls_last=True)
    out: dict[str, list[str]] = {
        t("pages_posyandu", lang): rows["posyandu_name"].to_list(),
        t("pages_desa", lang): rows["desa_name"].fill_null("").to_list() if "desa_name" in rows.columns
        else [""] * rows.height,
    }
    if with_round and "round_name" in rows.columns:
        out[t("share_round_then", lang)] = [
            f"{name} · {t(f'level_{level}', lang)}" for name, level in zip(rows["round_name"], rows["round_level"],
                                                                          strict=True)]
    out |= {
        t("share_rank_then", lang): [fmt_int(v, lang) for v in rows["rank_final_before"]],
        t("share_rank_now", lang): [fmt_int(v, lang) for v in rows["rank_final"]],
        t("share_rank_change", lang): [_signed(v, 0, lang) for v in rows["rank_change"]],
        t("share_total_then", lang): [fmt_number(v, 2, lang) for v in rows["total_before"]],
        t("share_total_now", lang): [fmt_number(v, 2, lang) for v in rows["total"]],
        t("share_total_change", lang): [_signed(v, 2, lang) for v in rows["total_change"]],
    }
    for f in fields:
        out[t("share_field_change", lang, field=t(f"field_{f}", lang))] = [
            _signed(v, 1, lang) for v in rows[f"sec_{f}_change"]]
    return pd.DataFrame(out)


BAND_WIDTH, BAND_HEIGHT = 160, 22


def rank_band_svg(rank: int | None, lo: int | None, hi: int | None, n: int, colour: str = "#2b8cbe") -> str | None:
    """A small picture of a rank interval for a table cell, as a data URL: the whole table 1..n as a grey line,
    the interval lo..hi as a band and the official rank as a dark mark (first place on the left). None when the
    entrant has no rank or no interval."""
    if rank is None or lo is None or hi is None or n < 1:
        return None
    pad = 6
    span = BAND_WIDTH - 2 * pad

    def x(r: float) -> float:
        return pad + (span * (r - 1) / (n - 1) if n > 1 else span / 2)

    x0, x1, xr = x(min(lo, rank)), x(max(hi, rank)), x(rank)
    mid = BAND_HEIGHT / 2
    svg = (f"<svg xmlns='http://www.w3.org/2000/svg' width='{BAND_WIDTH}' height='{BAND_HEIGHT}'>"
           f"<line x1='{pad}' y1='{mid}' x2='{BAND_WIDTH - pad}' y2='{mid}' stroke='#c8c8c8' stroke-width='2'/>"
           f"<rect x='{x0 - 3:.1f}' y='{mid - 6}' width='{x1 - x0 + 6:.1f}' height='12' rx='6' fill='{colour}' "
           f"fill-opacity='0.45'/>"
           f"<rect x='{xr - 1.5:.1f}' y='{mid - 8}' width='3' height='16' fill='#1a1a1a'/></svg>")
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def add_band_columns(df: pd.DataFrame, confidence: pl.DataFrame, stability: pl.DataFrame, n: int,
                     lang: str) -> pd.DataFrame:
    """The scorecard frame (with `entrant_id`) with the rank interval as a band picture and P(keeping the place
    or better) in percent, the two columns after the interval text."""
    conf = {e: (lo, hi) for e, lo, hi in confidence.select("entrant_id", "rank_lo", "rank_hi").iter_rows()}
    keep = dict(stability.select("entrant_id", "p_keep").iter_rows())
    rank_col = t("pages_rank", lang)
    out = df.copy()
    bands, keeps = [], []
    for eid, rank in zip(out["entrant_id"], out[rank_col], strict=True):
        lo, hi = conf.get(eid, (None, None))
        r = None if rank is None or pd.isna(rank) else int(rank)
        bands.append(rank_band_svg(r, lo, hi, n))
        p = keep.get(eid)
        keeps.append(None if p is None else 100.0 * p)
    at = list(out.columns).index(t("pages_rank_interval", lang)) + 1 if t("pages_rank_interval", lang) in out.columns \
        else len(out.columns)
    out.insert(at, t("share_band", lang), bands)
    out.insert(at + 1, t("share_p_keep", lang), keeps)
    return out


def field_award_rows(winners: pl.DataFrame, table: pl.DataFrame, lang: str) -> pd.DataFrame:
    """The declared field awards as a table: field, award ("Juara bidang Kesehatan"), posyandu, desa, field score."""
    from present.summary import field_award_text

    desa = dict(zip(table["entrant_id"], table["desa_name"], strict=True)) if "desa_name" in table.columns else {}
    return pd.DataFrame({
        t("share_field_col_field", lang): [t(f"field_{f}", lang) for f in winners["spm_field"]],
        t("share_field_col_award", lang): [field_award_text(f, int(r), lang)
                                           for f, r in zip(winners["spm_field"], winners["field_rank"], strict=True)],
        t("pages_posyandu", lang): winners["posyandu_name"].to_list(),
        t("pages_desa", lang): [desa.get(e) or "" for e in winners["entrant_id"]],
        t("share_field_col_score", lang): [fmt_number(v, 1, lang) for v in winners["score"]],
    })
