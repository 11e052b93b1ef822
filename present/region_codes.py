""""Inside a region" on Kemendagri's dotted codes, declared once: a region holds its own code and every code that
continues it after a dot (36.02 holds 36.02.18.2010, not 36.021). No Streamlit, no store: the access rules
(`data.access`, which re-exports both), the league-table filters (`present.tables`) and the pages use these."""

from __future__ import annotations

import polars as pl


def in_region(code: str | None, region: str | None) -> bool:
    """True when the Kemendagri code `code` is `region` or lies inside it (36.02 holds 36.02.18.2010, not 36.021)."""
    return bool(code and region and (code == region or code.startswith(region + ".")))


def in_region_expr(column: str, region: str) -> pl.Expr:
    """`in_region` as a Polars expression over a code column."""
    return (pl.col(column) == region) | pl.col(column).str.starts_with(region + ".")
