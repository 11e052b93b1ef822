"""Fair league tables: ranks among peers, the entrants just above and below, per-field winners.

A peer rank is a real rank inside the group (strata, category, desa or kelurahan, kecamatan, kabupaten), with the
contest's own tie rules (scoring.rank), not a filter of the overall rank: the best Purnama posyandu is 1 among the
Purnama ones even when it is 7th overall.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from scoring.rank import rank_entrants

# peer group → the results column that defines it
PEER_GROUPS: dict[str, str] = {"strata": "strata", "category": "category", "desa_kind": "desa_kind",
                               "kecamatan": "kecamatan_code", "kabupaten": "kabupaten_code"}


def peer_ranks(table: pl.DataFrame, group: str, tie_breaks: Sequence[str] = (), decimals: int = 2) -> pl.DataFrame:
    """The table with `peer_rank` (rank_final within the group), `peer_size` (ranked entrants in the group) and
    `peer_group` (the group's value); entrants without a total or without a group value get no peer rank."""
    column = PEER_GROUPS[group]
    ranked = rank_entrants(table.select("entrant_id", "total", column, *_tie_columns(table, tie_breaks)),
                           group_by=[column], tie_breaks=tie_breaks, decimals=decimals)
    ranked = ranked.with_columns(
        pl.when(pl.col(column).is_not_null()).then(pl.col("rank_final")).alias("peer_rank"),
        pl.col("rank_final").count().over(column).cast(pl.Int32).alias("peer_size"),
        pl.col(column).alias("peer_group"))
    return table.join(ranked.select("entrant_id", "peer_rank", "peer_size", "peer_group"), on="entrant_id",
                      how="left", maintain_order="left")


def _tie_columns(table: pl.DataFrame, tie_breaks: Sequence[str]) -> list[str]:
    """Every column a tie-break rule could compare (rank_entrants picks the one it needs)."""
    wanted = {"completeness_pct"} | {c for c in table.columns if c.startswith(("sec_", "field_", "total_"))}
    return [c for c in table.columns if c in wanted and c != "total"] if tie_breaks else []


def neighbours(table: pl.DataFrame, entrant_id: str, k: int = 5) -> pl.DataFrame:
    """The `k` ranked entrants just above and just below `entrant_id` (and it), in rank order, with `gap`: their
    total minus its total (positive above). Empty when the entrant has no rank."""
    ranked = (table.filter(pl.col("rank_final").is_not_null())
              .sort(["rank_final", "entrant_id"])          # a shared place is listed by id: no float order
              .with_row_index("_pos"))
    me = ranked.filter(pl.col("entrant_id") == entrant_id)
    if me.height == 0:
        return ranked.head(0).drop("_pos").with_columns(pl.lit(None, pl.Float64).alias("gap"),
                                                        pl.lit(None, pl.String).alias("relation"))
    pos, total = int(me["_pos"][0]), float(me["total"][0])
    window = ranked.filter(pl.col("_pos").is_between(pos - k, pos + k))
    return window.with_columns(
        (pl.col("total") - total).alias("gap"),
        pl.when(pl.col("_pos") < pos).then(pl.lit("above")).when(pl.col("_pos") > pos).then(pl.lit("below"))
        .otherwise(pl.lit("me")).alias("relation")).drop("_pos")


def better_criteria(criteria: pl.DataFrame, entrant_id: str, other_id: str, top: int = 3) -> pl.DataFrame:
    """The criteria where `other_id` scored most above `entrant_id`, in percent of the criterion's maximum
    (criterion_id, mine, theirs, difference), largest first; only criteria where the other did better."""
    pct = (criteria.filter(pl.col("entrant_id").is_in([entrant_id, other_id]))
           .group_by("entrant_id", "criterion_id")
           .agg((100.0 * pl.col("points").sum() / pl.col("max_points").sum()).alias("pct")))
    mine = pct.filter(pl.col("entrant_id") == entrant_id).select("criterion_id", pl.col("pct").alias("mine"))
    theirs = pct.filter(pl.col("entrant_id") == other_id).select("criterion_id", pl.col("pct").alias("theirs"))
    both = mine.join(theirs, on="criterion_id").with_columns((pl.col("theirs") - pl.col("mine")).alias("difference"))
    return (both.filter(pl.col("difference") > 1e-9)
            .sort(["difference", "criterion_id"], descending=[True, False]).head(top))


def field_winners(table: pl.DataFrame, fields: Sequence[str], places: int = 1, decimals: int = 2) -> pl.DataFrame:
    """Per SPM field the best entrants on that field's section score ("Juara bidang Kesehatan"), ties shared:
    spm_field, field_rank, entrant_id, posyandu_name, score."""
    parts = []
    for f in fields:
        column = f"sec_{f}"
        if column not in table.columns:
            continue
        ranked = rank_entrants(table.select("entrant_id", "posyandu_name", column), score_col=column,
                               decimals=decimals)
        parts.append(ranked.filter(pl.col("rank_final") <= places).select(
            pl.lit(f).alias("spm_field"), pl.col("rank_final").alias("field_rank"), "entrant_id", "posyandu_name",
            pl.col(column).alias("score")).sort(["field_rank", "entrant_id"]))
    if not parts:
        return pl.DataFrame(schema={"spm_field": pl.String, "field_rank": pl.Int32, "entrant_id": pl.String,
                                    "posyandu_name": pl.String, "score": pl.Float64})
    return pl.concat(parts)


def change_since(now: pl.DataFrame, before: pl.DataFrame, fields: Sequence[str] = (),
                 level: str | None = None) -> pl.DataFrame:
    """Entrants of both rounds, matched by posyandu (the same posyandu may have moved up a level): rank and total
    then and now, the change of each (a rank change > 0 is a climb), and per field `sec_<f>_change`.

    `before` may hold rows of several earlier rounds (one per posyandu) with `round_*` columns naming each, which
    are kept. When it names the round's level (`round_level`) and `level` is this round's, a rank change is given
    only within the same level: third of a kabupaten and fifth of a provinsi are not "two places down"."""
    keep = ["posyandu_id", "rank_final", "total", *[f"sec_{f}" for f in fields]]
    rounds = [c for c in before.columns if c.startswith("round_")]
    then = before.select([c for c in keep if c in before.columns] + rounds).rename(
        {c: f"{c}_before" for c in keep if c in before.columns and c != "posyandu_id"})
    joined = now.join(then, on="posyandu_id", how="inner", maintain_order="left")
    comparable = (pl.col("round_level") == level) if level is not None and "round_level" in rounds else pl.lit(True)
    return joined.with_columns(
        pl.when(comparable).then(pl.col("rank_final_before") - pl.col("rank_final")).alias("rank_change"),
        (pl.col("total") - pl.col("total_before")).alias("total_change"),
        *[(pl.col(f"sec_{f}") - pl.col(f"sec_{f}_before")).alias(f"sec_{f}_change") for f in fields
          if f"sec_{f}" in now.columns and f"sec_{f}_before" in joined.columns])
