"""Fix first: which criteria cost an entrant the most nilai-akhir points, and what it takes to pass the next.

A criterion's loss is (max_points − points) carried through the weights actually in effect for that entrant:
the criterion's share of its section's scored maximum, the section's renormalised weight in the stage total and
the stage's renormalised weight in the nilai akhir. The losses of an entrant add up to 100 − its total, so
"lost" is exactly how many points of the final 0–100 total a criterion would add if it reached its maximum.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from scoring.points import lazy, like

FIX_FIRST_COLUMNS: tuple[str, ...] = ("entrant_id", "criterion_id", "section_id", "spm_field", "points",
                                      "max_points", "lost", "order")


def fix_first(criterion_scores: pl.DataFrame | pl.LazyFrame, sections: pl.DataFrame | pl.LazyFrame,
              criteria: pl.DataFrame | pl.LazyFrame, stages: pl.DataFrame | pl.LazyFrame,
              ) -> pl.DataFrame | pl.LazyFrame:
    """Per entrant and criterion: nilai-akhir points lost (summed over stages), ordered by loss, largest first.

    Returns entrant_id, criterion_id, section_id, spm_field, points (stage-weighted), max_points, lost,
    order (1 = fix first; ties in loss follow the instrument order).
    """
    cs = lazy(criterion_scores)
    sec_w = lazy(sections).select("section_id", pl.col("weight").alias("_W"))
    crit_ord = lazy(criteria).select("criterion_id", pl.col("ord").alias("_cord"))
    sec_ord = lazy(sections).select("section_id", pl.col("ord").alias("_sord"))
    st = lazy(stages).select("stage", pl.col("weight").alias("_S"))
    n_stages = st.select(pl.len()).collect().item()
    wmax = pl.col("weight") * pl.col("max_points")
    lf = cs.join(sec_w, on="section_id", how="inner")
    lf = lf.join(st, on="stage", how="inner") if n_stages else lf.with_columns(_S=pl.lit(1.0))
    lf = lf.with_columns(_den=wmax.sum().over(["entrant_id", "stage", "section_id"])).filter(pl.col("_den") > 0)
    # Section weights renormalised over the sections scored in the stage; stage weights over the stages scored.
    lf = lf.with_columns(_fs=pl.int_range(pl.len()).over(["entrant_id", "stage", "section_id"]) == 0)
    lf = lf.with_columns(_Wsum=pl.when("_fs").then("_W").otherwise(0.0).sum().over(["entrant_id", "stage"]),
                         _ft=pl.int_range(pl.len()).over(["entrant_id", "stage"]) == 0)
    lf = lf.with_columns(_Ssum=pl.when("_ft").then("_S").otherwise(0.0).sum().over("entrant_id"))
    share = pl.col("_S") / pl.col("_Ssum")
    lost = (100.0 * share * pl.col("_W") / pl.col("_Wsum") * pl.col("weight")
            * (pl.col("max_points") - pl.col("points")) / pl.col("_den"))
    out = (
        lf.with_columns(lost.alias("lost"), share.alias("_share"))
        .group_by(["entrant_id", "criterion_id"])
        .agg(pl.col("section_id").first(), pl.col("spm_field").first(),
             ((pl.col("points") * pl.col("_share")).sum() / pl.col("_share").sum()).alias("points"),
             pl.col("max_points").first(), pl.col("lost").sum())
        .join(crit_ord, on="criterion_id", how="left")
        .join(sec_ord, on="section_id", how="left")
        # Losses equal to 1e-9 are equal: float noise must not reorder criteria that cost the same.
        .with_columns(pl.col("lost").round(9).alias("_lost_key"))
        .sort(["entrant_id", "_lost_key", "_sord", "_cord"], descending=[False, True, False, False])
        .with_columns(pl.int_range(1, pl.len() + 1, dtype=pl.Int32).over("entrant_id").alias("order"))
        .select(FIX_FIRST_COLUMNS)
    )
    return like(out, criterion_scores)


def gap_to_next(table: pl.DataFrame, fix_first_frame: pl.DataFrame | pl.LazyFrame, group_by: Sequence[str] = (),
                score_col: str = "total") -> pl.DataFrame:
    """Per ranked entrant: the entrant placed just above it, the gap, and the fewest criteria that close it.

    The criteria are taken greedily by loss (largest first, which needs the fewest of them); the set closes the
    gap when their losses add up to MORE than the gap (reaching it exactly would only tie). Entrants placed first
    have no one above and are left out. Returns entrant_id, above_entrant_id, above_total, total, gap,
    criteria (list of criterion_id), gain (nilai-akhir points the set adds), closes.
    """
    group = list(group_by)
    ranked = table.filter(pl.col("rank_final").is_not_null()).select(
        *group, "entrant_id", pl.col(score_col).alias("total"), "rank_final")
    above = (ranked.sort([*group, "rank_final", "entrant_id"])
             .group_by([*group, "rank_final"], maintain_order=True)
             .agg(pl.col("entrant_id").first().alias("above_entrant_id"),
                  pl.col("total").first().alias("above_total"))
             .rename({"rank_final": "_above_rank"})
             .with_columns(pl.col("_above_rank").cast(pl.Int64))
             .sort("_above_rank"))
    me = ranked.with_columns((pl.col("rank_final").cast(pl.Int64) - 1).alias("_prev")).sort("_prev")
    pairs = me.join_asof(above, left_on="_prev", right_on="_above_rank", by=group or None, strategy="backward",
                         check_sortedness=False)
    pairs = pairs.filter(pl.col("above_entrant_id").is_not_null()).with_columns(
        (pl.col("above_total") - pl.col("total")).alias("gap"))
    ff = lazy(fix_first_frame).filter(pl.col("lost") > 0).select("entrant_id", "criterion_id", "lost", "order")
    steps = (
        pairs.lazy().select("entrant_id", "gap").join(ff, on="entrant_id", how="inner")
        .sort(["entrant_id", "order"])
        .with_columns(pl.col("lost").cum_sum().over("entrant_id").alias("_cum"))
        .filter(pl.col("_cum") - pl.col("lost") <= pl.col("gap"))
        .group_by("entrant_id")
        .agg(pl.col("criterion_id").alias("criteria"), pl.col("lost").sum().alias("gain"))
        .collect()
    )
    return (pairs.join(steps, on="entrant_id", how="left")
            .with_columns(pl.col("gain").fill_null(0.0), pl.col("criteria").fill_null([]))
            .with_columns((pl.col("gain") > pl.col("gap")).alias("closes"))
            .select("entrant_id", "above_entrant_id", "above_total", "total", "gap", "criteria", "gain",
                    "closes")
            .sort("entrant_id"))
