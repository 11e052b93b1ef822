"""Pendataan figures from a frame of cases (data.pendataan.cases.CASE_SCHEMA). Pure: frames in, frames out.

Days: an open case's age is counted to `today`; a finished case's from recording to its last step. "Days to
resolve" is that span for resolved cases only (a closed case was not resolved).
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from data.pendataan.flow import OPEN, STATUSES
from scoring.fields import SPM_FIELDS

LEVELS = {"posyandu": ("posyandu_id", "posyandu_name"), "desa": ("desa_code", "desa_name"),
          "kecamatan": ("kecamatan_name", "kecamatan_name")}


def with_days(cases: pl.DataFrame, today: dt.date) -> pl.DataFrame:
    """The cases with `days` (age if open, time to the last step if finished) and `open` (bool)."""
    is_open = pl.col("status").is_in(list(OPEN))
    end = pl.when(is_open).then(pl.lit(today)).otherwise(pl.col("last_step_on").fill_null(pl.col("recorded_on")))
    return cases.with_columns(is_open.alias("open"),
                              (end - pl.col("recorded_on")).dt.total_days().cast(pl.Int64).alias("days"))


def field_summary(cases: pl.DataFrame, today: dt.date) -> pl.DataFrame:
    """Per SPM field (all six, in order, zero when none): cases, per status, open, median days to resolve and the
    oldest open case's age."""
    d = with_days(cases, today)
    base = pl.DataFrame({"spm_field": list(SPM_FIELDS)})
    agg = d.group_by("spm_field").agg(
        pl.len().alias("cases"),
        *[(pl.col("status") == s).sum().alias(s) for s in STATUSES],
        pl.col("open").sum().alias("open"),
        pl.col("days").filter(pl.col("status") == "resolved").median().alias("median_days_to_resolve"),
        pl.col("days").filter(pl.col("open")).max().alias("oldest_open_days"),
    )
    out = base.join(agg, on="spm_field", how="left", maintain_order="left")
    counts = ["cases", *STATUSES, "open"]
    return out.with_columns([pl.col(c).fill_null(0).cast(pl.Int64) for c in counts])


def oldest_open(cases: pl.DataFrame, today: dt.date, n: int = 10) -> pl.DataFrame:
    """The `n` open cases waiting longest (ties by recording date, then id)."""
    d = with_days(cases, today).filter(pl.col("open"))
    return d.sort(["days", "recorded_on", "record_id"], descending=[True, False, False]).head(n)


def by_region(cases: pl.DataFrame, today: dt.date, level: str) -> pl.DataFrame:
    """Per posyandu, desa or kecamatan: cases, open, resolved, the share resolved of finished-or-referred cases
    and the median days to resolve; most open first."""
    key, name = LEVELS[level]
    d = with_days(cases, today)
    keys = [key] if key == name else [key, name]
    return d.group_by(keys).agg(
        pl.len().alias("cases"),
        pl.col("open").sum().cast(pl.Int64).alias("open"),
        (pl.col("status") == "resolved").sum().cast(pl.Int64).alias("resolved"),
        pl.col("days").filter(pl.col("status") == "resolved").median().alias("median_days_to_resolve"),
    ).sort(["open", "cases", key], descending=[True, True, False])


def indicators(cases: pl.DataFrame, start: dt.date, end: dt.date) -> dict[str, float | None]:
    """For cases recorded in [start, end]: the share verified with the desa (verified or beyond) and the share of
    referred cases that are resolved, in percent; None when there is nothing to divide by."""
    period = cases.filter(pl.col("recorded_on").is_between(start, end))
    beyond_verified = int(period["status"].is_in(["verified", "referred", "resolved"]).sum())
    referred = int(period["status"].is_in(["referred", "resolved"]).sum())
    resolved = int((period["status"] == "resolved").sum())
    return {
        "cases": float(period.height),
        "verified_pct": 100.0 * beyond_verified / period.height if period.height else None,
        "referrals_resolved_pct": 100.0 * resolved / referred if referred else None,
    }
