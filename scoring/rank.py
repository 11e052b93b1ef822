"""Ranks, awards and who advances, with ties handled explicitly.

The tie rule, stated once: totals (and tie-break values) are rounded to the declared precision the berita acara
prints (`decimals`, half away from zero) BEFORE comparing, so float noise never splits a printed tie and never
makes one. `rank` is the standard competition ranking on the rounded total (1, 2, 2, 4: tied entrants share the
best place and the next place is skipped). `rank_final` applies the tie-break rules in order to entrants that
share a rank; entrants equal on every rule still share `rank_final`. `tie_broken_by` names the rule after which
an entrant's final place was settled, or is null when no tie involving it was broken.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import polars as pl

from scoring.fields import AWARDS


def round_declared(expr: pl.Expr, decimals: int = 2) -> pl.Expr:
    """Round as printed: half away from zero on the decimal value (1.005 → 1.01 despite its binary form)."""
    scale = 10.0 ** decimals
    return ((expr * scale).round(6).round(0, mode="half_away_from_zero") / scale)


def tie_break_column(rule: str, columns: Sequence[str], aliases: Mapping[str, str] | None = None) -> str:
    """The column a tie-break rule compares (higher wins); ValueError naming the choices when it is unknown."""
    if aliases and rule in aliases:
        return aliases[rule]
    if rule == "completeness":
        candidates = ["completeness_pct"]
    elif rule.startswith("field:"):
        name = rule.removeprefix("field:")
        candidates = [f"sec_{name}", f"field_{name}"]
    elif rule.startswith("stage:"):
        candidates = [f"total_{rule.removeprefix('stage:')}"]
    elif rule.startswith("col:"):
        candidates = [rule.removeprefix("col:")]
    else:
        raise ValueError(f"unknown tie-break rule {rule!r}; use completeness, field:<field>, stage:<stage> "
                         "or col:<column>")
    for c in candidates:
        if c in columns:
            return c
    raise ValueError(f"tie-break rule {rule!r} needs column {candidates[0]!r}; the table has {sorted(columns)}")


def rank_entrants(table: pl.DataFrame, score_col: str = "total", group_by: Sequence[str] = (),
                  tie_breaks: Sequence[str] = (), decimals: int = 2,
                  aliases: Mapping[str, str] | None = None) -> pl.DataFrame:
    """Add rank, rank_final and tie_broken_by (see the module docstring for the tie rule).

    Higher is better for the score and every tie-break value; nulls rank last on a tie-break and an entrant
    without a score gets no rank. `aliases` maps a rule to the column it compares (the engine maps
    "field:kesehatan" to the section column of that field).
    """
    group = list(group_by)
    cols = table.columns
    tb_cols = [tie_break_column(r, cols, aliases) for r in tie_breaks]
    keys = [f"_k{i}" for i in range(len(tb_cols) + 1)]
    work = table.with_row_index("_row").with_columns(
        round_declared(pl.col(score_col), decimals).alias(keys[0]),
        *[round_declared(pl.col(c).cast(pl.Float64), decimals).alias(k) for c, k in zip(tb_cols, keys[1:],
                                                                                        strict=True)],
    )
    work = work.sort([*group, *keys], descending=[False] * len(group) + [True] * len(keys), nulls_last=True)
    pos = pl.int_range(1, pl.len() + 1, dtype=pl.Int32)
    pos = pos.over(group) if group else pos
    ranks, counts = [], []
    for k in range(len(keys)):
        prefix = keys[: k + 1]
        new = pl.lit(False)
        for c in [*group, *prefix]:
            new = new | pl.col(c).ne_missing(pl.col(c).shift(1))
        new = new | (pl.int_range(pl.len()) == 0)
        r = pl.when(new).then(pos).forward_fill()
        ranks.append(pl.when(pl.col(keys[0]).is_not_null()).then(r).cast(pl.Int32).alias(f"_r{k}"))
        counts.append(pl.len().over([*group, *prefix]).alias(f"_n{k}"))
    work = work.with_columns(*ranks, *counts)
    last = len(keys) - 1
    broken_by = pl.lit(None, pl.String)
    for k in range(last, 0, -1):
        settled = (pl.col(f"_r{k}") == pl.col(f"_r{last}")) & (pl.col(f"_n{k}") == pl.col(f"_n{last}"))
        broken_by = pl.when(settled).then(pl.lit(tie_breaks[k - 1])).otherwise(broken_by)
    changed = pl.col("_n0") != pl.col(f"_n{last}")
    work = work.with_columns(
        pl.col("_r0").alias("rank"), pl.col(f"_r{last}").alias("rank_final"),
        pl.when(changed & pl.col("_r0").is_not_null()).then(broken_by).alias("tie_broken_by"),
    )
    return work.sort("_row").drop("_row", *keys, *[f"_r{k}" for k in range(len(keys))],
                                  *[f"_n{k}" for k in range(len(keys))])


def assign_awards(ranked: pl.DataFrame, n: int = 6, rank_col: str = "rank_final") -> pl.DataFrame:
    """Add `award`: Juara I–III then Harapan I–III by final place (entrants sharing a place share its award)."""
    names = list(AWARDS[: max(0, min(n, len(AWARDS)))])
    award = pl.lit(None, pl.String)
    for i in range(len(names) - 1, -1, -1):
        award = pl.when(pl.col(rank_col) == i + 1).then(pl.lit(names[i])).otherwise(award)
    return ranked.with_columns(award.alias("award"))


def mark_advancing(ranked: pl.DataFrame, advance_count: int | None, rank_col: str = "rank_final") -> pl.DataFrame:
    """Add `advances`: final place <= advance_count within the rank group (a tie at the cut advances together)."""
    if advance_count is None:
        return ranked.with_columns(pl.lit(False).alias("advances"))
    return ranked.with_columns((pl.col(rank_col) <= advance_count).fill_null(False).alias("advances"))
