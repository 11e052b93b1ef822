"""Tables for the leader pages: filtering the engine's league table, the health-scorecard styling of its cells,
averages per field, the award places, region aggregates for comparison and the criteria where entrants differ.

Pure functions over Polars frames (the engine's `CompetitionResults.table` and `.criteria`); the only pandas is
the Styler the scorecard needs, because Streamlit and Excel both draw cell colours from a Styler.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

import pandas as pd
import polars as pl

from present.cells import csv_safe, openpyxl_cells_as_text
from present.fmt import fmt_number
from present.i18n import t
from present.region_codes import in_region_expr
from present.theme import SCORECARD_SECTIONS, ScoreBands

SEC = "sec_"
REGION_LEVELS: dict[str, tuple[str, str]] = {
    "desa": ("desa_code", "desa_name"),
    "kecamatan": ("kecamatan_code", "kecamatan_name"),
    "kabupaten": ("kabupaten_code", "kabupaten_name"),
}


def section_ids(table: pl.DataFrame) -> list[str]:
    """Section ids that have a `sec_<id>` column, in scorecard order first, then any others."""
    present = [c[len(SEC):] for c in table.columns if c.startswith(SEC)]
    return [s for s in SCORECARD_SECTIONS if s in present] + [s for s in present if s not in SCORECARD_SECTIONS]


def filter_table(table: pl.DataFrame, region_code: str | None = None, category: str | None = None,
                 strata: Sequence[str] | None = None, field: str | None = None,
                 min_field_score: float | None = None) -> pl.DataFrame:
    """The league table restricted to a region, a category, some strata and a minimum score in one field."""
    out = table
    if region_code:
        out = out.filter(in_region_expr("desa_code", region_code))
    if category:
        out = out.filter(pl.col("category") == category)
    if strata:
        out = out.filter(pl.col("strata").is_in(list(strata)))
    if field and min_field_score is not None and f"{SEC}{field}" in out.columns:
        out = out.filter(pl.col(f"{SEC}{field}") >= min_field_score)
    return out


def field_means(table: pl.DataFrame, sections: Sequence[str] | None = None) -> dict[str, float | None]:
    """Average score per section over the entrants in `table` (missing sections are left out, not zeroed)."""
    secs = list(sections) if sections is not None else section_ids(table)
    if table.height == 0:
        return {s: None for s in secs}
    row = table.select([pl.col(f"{SEC}{s}").mean().alias(s) for s in secs]).row(0, named=True)
    return dict(row)


def entrant_fields(table: pl.DataFrame, entrant_id: str) -> dict[str, float | None]:
    """One entrant's section scores as {section: pct}."""
    row = table.filter(pl.col("entrant_id") == entrant_id)
    if row.height == 0:
        return {}
    return {s: row[f"{SEC}{s}"][0] for s in section_ids(table)}


def award_places(table: pl.DataFrame) -> pl.DataFrame:
    """The entrants with an award (Juara I … Harapan III) in award order."""
    if "award" not in table.columns:
        return table.head(0)
    rank_col = "rank_final" if "rank_final" in table.columns else "rank"
    return table.filter(pl.col("award").is_not_null()).sort(rank_col)


def region_aggregates(table: pl.DataFrame, level: str) -> pl.DataFrame:
    """Mean section scores and total per desa, kecamatan or kabupaten: columns code, name, n, total, <section>…"""
    code, name = REGION_LEVELS[level]
    secs = section_ids(table)
    return (
        table.group_by(code)
        .agg(pl.col(name).first().alias("name"), pl.len().alias("n"), pl.col("total").mean(),
             *[pl.col(f"{SEC}{s}").mean().alias(s) for s in secs])
        .rename({code: "code"})
        .sort("name")
    )


def region_summary(table: pl.DataFrame, level: str, code: str) -> dict | None:
    """What a click on a kecamatan or kabupaten of the map opens: its name, entrants, the average total and per
    field over them, and its best posyandu (best final rank, then total), or None when no entrant lies there.

    Returns {code, name, n, total, fields: {field: mean}, best: {entrant_id, posyandu_id, name, desa, total, rank}}.
    """
    key, name_col = REGION_LEVELS[level]
    if key not in table.columns:
        return None
    sub = table.filter(pl.col(key) == code)
    if sub.height == 0:
        return None
    secs = section_ids(table)
    means = sub.select(pl.col("total").mean(), *[pl.col(f"{SEC}{s}").mean().alias(s) for s in secs]).row(0, named=True)
    order = [c for c in ("rank_final", "total") if c in sub.columns]
    best = sub.sort(order, descending=[c == "total" for c in order], nulls_last=True).row(0, named=True)
    return {"code": code, "name": sub[name_col][0], "n": sub.height, "total": means["total"],
            "fields": {s: means[s] for s in secs},
            "best": {"entrant_id": best.get("entrant_id"), "posyandu_id": best.get("posyandu_id"),
                     "name": best.get("posyandu_name"), "desa": best.get("desa_name"), "total": best.get("total"),
                     "rank": best.get("rank_final")}}


def compare_with(table: pl.DataFrame, level: str, code: str, others: int = 2) -> list[str]:
    """`code` and the `others` best other regions of `level` by average total: a ready Bandingkan set."""
    agg = region_aggregates(table, level).filter(pl.col("code") != code).sort("total", descending=True,
                                                                              nulls_last=True)
    return [code, *agg["code"].head(others).to_list()]


def criteria_differences(criteria: pl.DataFrame, entrant_names: Mapping[str, str], texts: pl.DataFrame,
                         top: int = 15) -> pl.DataFrame:
    """Criteria where the compared entrants differ most: one row per criterion, one column per entrant (percent of
    the criterion's maximum over the stages scored, from the engine's combined points) and the spread, largest first.

    `criteria` is the engine's criterion frame (entrant_id, criterion_id, section_id, points, max_points, …);
    `texts` maps criterion_id → text.
    """
    sub = criteria.filter(pl.col("entrant_id").is_in(list(entrant_names)))
    if sub.height == 0:
        return pl.DataFrame({"criterion_id": [], "section_id": [], "text": [], "spread": []},
                            schema={"criterion_id": pl.String, "section_id": pl.String, "text": pl.String,
                                    "spread": pl.Float64})
    pct = (sub.group_by("entrant_id", "criterion_id")
           .agg(pl.col("section_id").first(),
                (100.0 * pl.col("points").sum() / pl.col("max_points").sum()).alias("pct")))
    wide = pct.pivot(on="entrant_id", index=["criterion_id", "section_id"], values="pct")
    cols = [e for e in entrant_names if e in wide.columns]
    wide = wide.with_columns((pl.max_horizontal(cols) - pl.min_horizontal(cols)).alias("spread"))
    wide = wide.join(texts.select("criterion_id", "text"), on="criterion_id", how="left")
    wide = wide.rename({e: entrant_names[e] for e in cols})
    # ties broken by criterion so the same data lists the same rows (group_by gives no order)
    return (wide.sort(["spread", "criterion_id"], descending=[True, False], nulls_last=True).head(top)
            .select("criterion_id", "section_id", "text", *[entrant_names[e] for e in cols], "spread"))


def scorecard_frame(table: pl.DataFrame, lang: str, confidence: pl.DataFrame | None = None,
                    keep_order: bool = False) -> pd.DataFrame:
    """The league table as the scorecard shows it: translated headers, one column per section, rank columns.

    `posyandu_id` and `entrant_id` stay as the first columns (the page hides them) so a selected row can be
    traced back. `confidence` (entrant_id, rank_lo, rank_hi, p_top3) adds the 90 % rank interval and P(top 3);
    a table with `peer_rank` (scoring.league.peer_ranks) gets its rank in the peer group as "3 / 12".
    Rows come in rank order unless `keep_order` (the page sorted them by a field already).
    """
    secs = section_ids(table)
    rank_col = "rank_final" if "rank_final" in table.columns else "rank"
    df = table if keep_order else table.sort(rank_col, nulls_last=True)
    if confidence is not None and confidence.height:
        df = df.join(confidence.select("entrant_id", "rank_lo", "rank_hi", "p_top3"), on="entrant_id", how="left",
                     maintain_order="left")
    cols: list[pl.Expr] = [
        pl.col("entrant_id"), pl.col("posyandu_id"),
        pl.col(rank_col).alias(t("pages_rank", lang)),
        *([pl.when(pl.col("peer_rank").is_not_null())
           .then(pl.format("{} / {}", pl.col("peer_rank"), pl.col("peer_size"))).otherwise(pl.lit("–"))
           .alias(t("fair_col_peer_rank", lang))] if "peer_rank" in df.columns else []),
        pl.col("posyandu_name").alias(t("pages_posyandu", lang)),
        pl.col("desa_name").alias(t("pages_desa", lang)),
        pl.col("kecamatan_name").alias(t("level_kecamatan", lang)),
        *[pl.col(f"{SEC}{s}").alias(t(f"field_{s}", lang)) for s in secs],
        pl.col("total").alias(t("pages_total", lang)),
        pl.col("award").fill_null("").alias(t("pages_award", lang)),
        pl.col("strata").map_elements(lambda v: t(f"strata_{v}", lang), return_dtype=pl.String)
        .alias(t("pages_strata", lang)),
    ]
    if "rank_lo" in df.columns:
        cols.append(pl.format("{}–{}", pl.col("rank_lo"), pl.col("rank_hi")).alias(t("pages_rank_interval", lang)))
        cols.append((100.0 * pl.col("p_top3")).alias(t("pages_p_top3", lang)))
    return df.select(cols).to_pandas()


def profile_link(scorecard: pd.DataFrame, row: int, competition_id: str) -> dict[str, str]:
    """Query parameters of the drill-down for the scorecard row a user selected (positional index)."""
    return {"posyandu": str(scorecard["posyandu_id"].iloc[row]), "competition": competition_id}


def scorecard_score_columns(lang: str, sections: Sequence[str]) -> list[str]:
    """The translated headers of the coloured cells: each section and the total."""
    return [t(f"field_{s}", lang) for s in sections] + [t("pages_total", lang)]


def style_scorecard(df: pd.DataFrame, score_columns: Sequence[str], bands: ScoreBands, lang: str,
                    percent_columns: Sequence[str] = ()) -> pd.io.formats.style.Styler:
    """Colour every score cell by its band and print numbers the Indonesian way (1,5 not 1.5)."""
    cols = [c for c in score_columns if c in df.columns]

    def cell(v: object) -> str:
        value = None if v is None or pd.isna(v) else float(v)  # type: ignore[arg-type]
        return f"background-color: {bands.colour(value)}; color: {bands.text_colour}"

    styler = df.style.map(cell, subset=cols)
    styler = styler.format(lambda v: fmt_number(v, 1, lang), subset=cols + [c for c in percent_columns
                                                                              if c in df.columns])
    return styler


def band_legend_html(bands: ScoreBands, lang: str) -> str:
    """A one-line legend of the score bands: coloured chips with their ranges (≤ 60, 60–70, …, > 80)."""
    chips = []
    for (lo, hi), colour, key in zip(bands.ranges(), bands.colours, bands.label_keys, strict=True):
        if lo is None:
            rng = f"≤ {fmt_number(hi, 0, lang)}"
        elif hi is None:
            rng = f"> {fmt_number(lo, 0, lang)}"
        else:
            rng = f"{fmt_number(lo, 0, lang)}–{fmt_number(hi, 0, lang)}"
        chips.append(f"<span style='background:{colour};color:{bands.text_colour};padding:2px 8px;"
                     f"border-radius:4px;margin-right:6px;white-space:nowrap'>{t(key, lang)} {rng}</span>")
    return "<div style='line-height:2'>" + "".join(chips) + "</div>"


def excel_bytes(styler: pd.io.formats.style.Styler, sheet: str) -> bytes:
    """The styled scorecard as an .xlsx file with the same cell colours."""
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as writer:
        styler.to_excel(writer, sheet_name=sheet[:31], index=False)
        for ws in writer.sheets.values():
            openpyxl_cells_as_text(ws)     # a posyandu named "=HYPERLINK(…)" is a name, not a formula
    return buf.getvalue()


def csv_bytes(df: pd.DataFrame) -> bytes:
    """Plain CSV (UTF-8 with BOM so Excel on Windows reads Indonesian names right; decimals with a dot); text
    cells that a spreadsheet would run as a formula are defused with a leading quote."""
    return csv_safe(df).to_csv(index=False).encode("utf-8-sig")


def history_rows(entries: pl.DataFrame, tables: Mapping[str, pl.DataFrame]) -> pl.DataFrame:
    """A posyandu's result in every contest it entered: year, level, competition name, total, rank, award.

    `entries` comes from `reads_pages.posyandu_entries`; `tables` maps competition_id → that contest's league table.
    """
    rows = []
    for e in entries.iter_rows(named=True):
        tbl = tables.get(e["competition_id"])
        hit = tbl.filter(pl.col("entrant_id") == e["entrant_id"]) if tbl is not None else None
        r = hit.row(0, named=True) if hit is not None and hit.height else {}
        rows.append({"year": e["year"], "level": e["level"], "name": e["name"], "competition_id": e["competition_id"],
                     "total": r.get("total"), "rank": r.get("rank_final"), "award": r.get("award"),
                     "n": tbl.height if tbl is not None else None})
    schema = {"year": pl.Int64, "level": pl.String, "name": pl.String, "competition_id": pl.String,
              "total": pl.Float64, "rank": pl.Int64, "award": pl.String, "n": pl.Int64}
    return pl.DataFrame(rows, schema=schema)


def fix_first_rows(fix_first: pl.DataFrame, texts: pl.DataFrame, lang: str, top: int = 10) -> pd.DataFrame:
    """The criteria that cost an entrant most (engine's fix_first for one entrant), with text, field and points."""
    df = (fix_first.sort("order").head(top)
          .join(texts.select("criterion_id", "text"), on="criterion_id", how="left", maintain_order="left"))
    return df.select(
        pl.col("order").alias("#"),
        pl.col("text").alias(t("pages_criterion", lang)),
        pl.col("section_id").map_elements(lambda s: t(f"field_{s}", lang), return_dtype=pl.String)
        .alias(t("pages_field", lang)),
        pl.struct("points", "max_points").map_elements(
            lambda r: f"{fmt_number(r['points'], 2, lang)} / {fmt_number(r['max_points'], 0, lang)}",
            return_dtype=pl.String).alias(t("pages_points", lang)),
        pl.col("lost").alias(t("pages_lost", lang)),
    ).to_pandas()


def judge_choice_rows(details: pl.DataFrame, section_id: str, lang: str) -> pd.DataFrame:
    """Each judge's choice on each criterion of one section: the audit trail a posyandu can discuss."""
    from scoring.instrument import NO_CASE

    sub = details.filter(pl.col("section_id") == section_id)
    choice = (pl.when(pl.col("option_code") == NO_CASE).then(pl.lit(t("no_case_label", lang)))
              .when(pl.col("option_code").is_not_null())
              .then(pl.format("{}. {}", pl.col("option_code"), pl.col("option_text").fill_null("")))
              .otherwise(pl.col("real_value").map_elements(lambda v: fmt_number(v, 0 if float(v).is_integer() else 1,
                                                                               lang), return_dtype=pl.String)))
    stages = {s: t(f"stage_{s}", lang) for s in sub["stage"].unique().to_list()}
    return sub.select(
        pl.col("stage").replace_strict(stages, return_dtype=pl.String).alias(t("stage", lang)),
        pl.col("criterion_text").alias(t("pages_criterion", lang)),
        pl.col("judge_name").alias(t("pages_judge", lang)),
        choice.alias(t("pages_choice", lang)),
        pl.col("option_points").alias(t("pages_points", lang)),
        pl.col("note").fill_null("").alias(t("pages_note", lang)),
        pl.col("evidence").list.len().fill_null(0).alias(t("pages_evidence", lang)),
    ).to_pandas()


def no_case_criteria(rows: pd.DataFrame, lang: str) -> list[str]:
    """From `judge_choice_rows`: "criterion (stage)" for each criterion every judge answered "tidak ada kasus" —
    left out of the entrant's denominator, which a view must say (never a silent gap)."""
    if rows.empty:
        return []
    label, stage, crit, choice = (t("no_case_label", lang), t("stage", lang), t("pages_criterion", lang),
                                  t("pages_choice", lang))
    every = rows.assign(_nc=rows[choice] == label).groupby([stage, crit], sort=False)["_nc"].all()
    return [f"{c} ({s})" for (s, c), yes in every.items() if yes]


def weakest_fields(table: pl.DataFrame, entrant_id: str, fields: Sequence[str], n: int = 2) -> list[str]:
    """The entrant's `n` lowest-scoring fields among `fields` (scored ones only), weakest first.

    Ties go to the field listed first, so the choice is stable between re-runs.
    """
    scores = entrant_fields(table, entrant_id)
    scored = [(scores[f], i, f) for i, f in enumerate(fields) if scores.get(f) is not None]
    return [f for _, _, f in sorted(scored)[:n]]


PEER_SCHEMA: dict[str, pl.DataType] = {
    "spm_field": pl.String(), "posyandu_id": pl.String(), "name": pl.String(), "desa_name": pl.String(),
    "kabupaten_name": pl.String(), "score_pct": pl.Float64(), "own_pct": pl.Float64(),
    "distance_km": pl.Float64(), "same_kabupaten": pl.Boolean(), "same_kind": pl.Boolean(),
    "similarity": pl.Float64(),
}


def field_peers(profiles: pl.DataFrame, table: pl.DataFrame, posyandu_id: str, fields: Sequence[str],
                k: int = 5) -> pl.DataFrame:
    """For each field in `fields`: up to `k` fellow entrants strong in it that look like `posyandu_id`, from
    `scoring.peers.peers` (same kabupaten/province first, then desa vs kelurahan, then kader count; nearer first).

    `profiles` holds `scoring.peers.PROFILE_COLUMNS` for the entrants; `table` is the league table, whose
    `sec_<field>` columns are the field scores. Columns: PEER_SCHEMA, one block per field in the order given.
    """
    from scoring.peers import peers

    names = table.select("posyandu_id", "desa_name", "kabupaten_name")
    blocks = []
    for f in fields:
        col = f"{SEC}{f}"
        if col not in table.columns:
            continue
        scores = table.select("posyandu_id", pl.lit(f).alias("spm_field"), pl.col(col).alias("score_pct"))
        own = scores.filter(pl.col("posyandu_id") == posyandu_id)["score_pct"]
        found = peers(profiles, scores.drop_nulls("score_pct"), posyandu_id, f, k=k)
        if found.height:
            blocks.append(found.join(names, on="posyandu_id", how="left", maintain_order="left")
                          .with_columns(pl.lit(own[0] if own.len() else None, pl.Float64).alias("own_pct")))
    if not blocks:
        return pl.DataFrame(schema=PEER_SCHEMA)
    return pl.concat(blocks, how="diagonal_relaxed").select([pl.col(c).cast(tp) for c, tp in PEER_SCHEMA.items()])


def practice_cards(strongest: pl.DataFrame, practices: pl.DataFrame) -> list[dict]:
    """One dict per strong posyandu (in the given order) with its documented practices as a list of dicts."""
    by_id: dict[str, list[dict]] = {}
    for p in practices.iter_rows(named=True):
        by_id.setdefault(p["posyandu_id"], []).append(p)
    return [{**row, "practices": by_id.get(row["posyandu_id"], [])} for row in strongest.iter_rows(named=True)]


SEVERITY_FLAG_POINTS = 0.5   # a judge half an option away from the average judge deserves a conversation
Z90 = 1.645                  # two-sided 90 % normal interval, the same level as the rank intervals


def judge_quality_frames(q: Mapping[str, pl.DataFrame], judges: pl.DataFrame, table: pl.DataFrame,
                         texts: pl.DataFrame, lang: str) -> dict[str, object]:
    """Display frames for the judge-quality page from the scoring results.

    `q` holds severity (judge_id, severity, se), by_field (agreement_summary by section_id), outliers
    (outlier_choices) and adjusted (adjusted_ranking). Returns severity (name, severity, lo, hi, flagged) for the
    chart, ranks (name, rank_raw, rank_adjusted) for the slope chart, and pandas tables by_field, rank_table and
    outliers with translated headers and Indonesian numbers.
    """
    names = judges.select("judge_id", pl.col("name").alias("judge_name"))
    sev = (q["severity"].join(names, on="judge_id", how="left")
           .with_columns(pl.coalesce("judge_name", "judge_id").alias("name"),
                         (pl.col("severity") - Z90 * pl.col("se")).alias("lo"),
                         (pl.col("severity") + Z90 * pl.col("se")).alias("hi"))
           .with_columns((pl.col("severity").abs() >= SEVERITY_FLAG_POINTS).alias("flagged"))
           .select("name", "severity", "lo", "hi", "flagged", "n_scores"))
    posy = table.select("entrant_id", "posyandu_name")
    adj = q["adjusted"].join(posy, on="entrant_id", how="left")
    ranks = adj.select(pl.col("posyandu_name").alias("name"), pl.col("rank").alias("rank_raw"),
                       pl.col("rank_adj").alias("rank_adjusted"))
    num = lambda v, d=2: fmt_number(v, d, lang)  # noqa: E731
    rank_table = adj.sort("rank").select(
        pl.col("posyandu_name").alias(t("pages_posyandu", lang)),
        pl.col("rank").alias(t("pages_rank_raw", lang)),
        pl.col("total").map_elements(num, return_dtype=pl.String).alias(t("pages_total", lang)),
        pl.col("rank_adj").alias(t("pages_rank_adjusted", lang)),
        pl.col("total_adj").map_elements(num, return_dtype=pl.String).alias(t("pages_juri_total_adj", lang)),
        pl.col("rank_change").alias(t("pages_change", lang)),
    ).to_pandas()
    by_field = q["by_field"].select(
        pl.col("group").map_elements(lambda s: t(f"field_{s}", lang), return_dtype=pl.String)
        .alias(t("pages_field", lang)),
        pl.col("alpha_ordinal").map_elements(num, return_dtype=pl.String).alias(t("pages_juri_alpha", lang)),
        pl.col("icc1").map_elements(num, return_dtype=pl.String).alias(t("pages_juri_icc", lang)),
        pl.col("n_units").alias(t("pages_juri_units", lang)),
    ).to_pandas()
    outliers = (q["outliers"].join(names, on="judge_id", how="left").join(posy, on="entrant_id", how="left")
                .join(texts.select("criterion_id", "text"), on="criterion_id", how="left", maintain_order="left")
                .select(
                    pl.col("posyandu_name").alias(t("pages_posyandu", lang)),
                    pl.coalesce("judge_name", "judge_id").alias(t("pages_judge", lang)),
                    pl.col("stage").map_elements(lambda s: t(f"stage_{s}", lang), return_dtype=pl.String)
                    .alias(t("stage", lang)),
                    pl.col("text").alias(t("pages_criterion", lang)),
                    pl.col("points").map_elements(lambda v: num(v, 0), return_dtype=pl.String)
                    .alias(t("pages_points", lang)),
                    pl.col("expected").map_elements(lambda v: num(v, 1), return_dtype=pl.String)
                    .alias(t("pages_juri_expected", lang)),
                    pl.col("z_score").map_elements(lambda v: num(v, 1), return_dtype=pl.String).alias("z"),
                ).to_pandas())
    return {"severity": sev, "ranks": ranks, "rank_table": rank_table, "by_field": by_field, "outliers": outliers}
