"""The scoring rules of one competition, declared once as data.

Every choice that varies between contests (how judges are combined, the printed precision of the nilai akhir,
tie-break order, strata thresholds, number of awards, how many advance, how ranks are grouped) lives here, so
the engine, pages and exports all read the same rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Aggregation = Literal["mean", "median", "trimmed_mean"]

AGGREGATIONS: tuple[str, ...] = ("mean", "median", "trimmed_mean")

# Tie-break rule prefixes understood by `scoring.rank.rank_entrants` (after the engine resolves field names):
#   "field:<spm_field or section_id>"  higher section score in that field wins
#   "completeness"                      higher share of expected scores entered wins
#   "stage:<stage>"                     higher total in that stage wins
#   "col:<column>"                      higher value of any numeric column wins
TIE_BREAK_PREFIXES: tuple[str, ...] = ("field:", "stage:", "col:")


@dataclass(frozen=True)
class ScoringConfig:
    """Scoring rules of a competition; the defaults follow the common provincial practice."""

    aggregation: Aggregation = "mean"
    trim: float = 0.2                      # share cut from EACH end for "trimmed_mean"
    total_decimals: int = 2                # totals are rounded to this (as printed) BEFORE ranking
    tie_breaks: tuple[str, ...] = ("field:kesehatan", "completeness")
    strata_thresholds: tuple[float, float, float] = (60.0, 70.0, 80.0)  # Pratama ≤ 60 < Madya ≤ 70 < Purnama ≤ 80 < Mandiri
    n_awards: int = 6                      # Juara I–III, Harapan I–III
    advance_count: int | None = 1          # entrants per rank group that advance to the next level; None: nobody
    group_by: tuple[str, ...] = ()         # rank within these ENTRANTS columns, e.g. ("category",)

    def __post_init__(self) -> None:
        if self.aggregation not in AGGREGATIONS:
            raise ValueError(f"aggregation {self.aggregation!r} is not one of {AGGREGATIONS}")
        if not 0.0 <= self.trim < 0.5:
            raise ValueError(f"trim must be in [0, 0.5), got {self.trim}")
        if self.total_decimals < 0:
            raise ValueError("total_decimals must be >= 0")
        lo, mid, hi = self.strata_thresholds
        if not lo <= mid <= hi:
            raise ValueError(f"strata thresholds must be increasing, got {self.strata_thresholds}")
        for rule in self.tie_breaks:
            if rule != "completeness" and not rule.startswith(TIE_BREAK_PREFIXES):
                raise ValueError(f"unknown tie-break rule {rule!r}; use completeness, field:, stage: or col:")
        if self.n_awards < 0:
            raise ValueError("n_awards must be >= 0")
        if self.advance_count is not None and self.advance_count < 0:
            raise ValueError("advance_count must be >= 0 or None")
