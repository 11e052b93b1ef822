"""Documents people sign and share, built from the engine's results: the Excel rekapitulasi nilai, the PDF
berita acara of a stage and the one-page PDF scorecard per posyandu.

`export_data` gathers what every document needs in one place: the competition, its stages and sections with
weights, the judges, and the results table. A final stage (or a competition whose stages are all final) uses
its published snapshot (`publication.final_results`, as every public page), so the document matches what was
announced; otherwise (provisional, still judged) the engine computes the table now.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field

import duckdb
import polars as pl

from data import access
from data.judging.auth import User
from data.judging.frozen import judges_of
from data.judging.publication import final_frame, final_instrument, final_results, read_contest
from present.region_codes import in_region_expr
from scoring.instrument import Instrument


@dataclass(frozen=True)
class ExportData:
    """Everything a recap, berita acara or scorecard prints, already computed."""

    competition: dict
    instrument: Instrument
    stages: pl.DataFrame            # stage, ord, weight, start_date, end_date, finalized_at
    sections: pl.DataFrame          # section_id, ord, title, spm_field, weight
    table: pl.DataFrame             # the engine's results table (one row per entrant)
    judges: pl.DataFrame            # judge_id, name, institution (every judge of the printed stages)
    stage: str | None = None        # None: all stages combined
    published: bool = False         # True when `table` is the frozen, published snapshot
    fix_first: pl.DataFrame = field(default_factory=pl.DataFrame)
    fields: pl.DataFrame = field(default_factory=pl.DataFrame)   # entrant_id, section_id, spm_field, score_pct
    points: pl.DataFrame = field(default_factory=pl.DataFrame)   # entrant_id, stage, judge_id, criterion_id, points
    # The engine's own combination of the judges (its aggregation rule) per entrant × stage × criterion, and the
    # field (section) scores per entrant × stage: the signed sheet prints them, never recomputes them.
    criteria: pl.DataFrame = field(default_factory=pl.DataFrame)        # entrant_id, stage, criterion_id, points
    stage_sections: pl.DataFrame = field(default_factory=pl.DataFrame)  # entrant_id, stage, section_id, score_pct
    judge_stages: pl.DataFrame = field(default_factory=pl.DataFrame)    # judge_id, stage (assigned or scored)
    aggregation: str = "mean"       # how the judges are combined (the column the signed sheet heads "Rata-rata")
    total_decimals: int = 2         # the printed precision of a total
    next_level: str | None = None   # the level of the parent contest winners advance to ("maju ke tingkat …")
    field_awards: pl.DataFrame = field(default_factory=pl.DataFrame)   # declared "Juara bidang" winners (#17)
    generated_on: dt.date = field(default_factory=dt.date.today)
    region_extract: str | None = None   # set on a pembina's extract: the region (name) whose entrants it holds

    @property
    def ranked(self) -> pl.DataFrame:
        """Entrants in rank order (unranked last), the order every document lists them in."""
        rank = "rank_final" if "rank_final" in self.table.columns else "rank"
        return self.table.sort([rank, "posyandu_name"], nulls_last=True)


def _published(con: duckdb.DuckDBPyConnection, competition_id: str, stage: str | None) -> pl.DataFrame:
    """The published snapshot of a final stage (or of all stages combined), as every public page shows it."""
    snap = final_results(con, competition_id, stage)
    needed = {"posyandu_name", "total", "rank_final", "award"}
    return snap if snap.height and needed <= set(snap.columns) else pl.DataFrame()


def export_data(con: duckdb.DuckDBPyConnection, competition_id: str, stage: str | None = None) -> ExportData:
    """Gather the results of a competition (one stage, or combined when `stage` is None) for the documents.

    A final stage prints what was published: its snapshot and the detail frozen with it (`data.judging.frozen`:
    the instrument, stages, judges, criterion and judge points, field scores and rules), so a later change of a
    stored score, of the instrument or of the engine cannot change a signed document."""
    from data.results import competition_results
    from data.store.reads import competition, competition_inputs, stage_dates
    from scoring.instrument import sections_frame

    comp = competition(con, competition_id)
    if comp is None:
        raise KeyError(competition_id)
    # Documents people sign come from FINAL results only, the published snapshot: provisional results (in their
    # protest window) are computed afresh and printed without the "published" line.
    snapshot = _published(con, competition_id, stage)
    if snapshot.height:
        return _frozen_export(con, comp, competition_id, stage, snapshot)
    inputs = competition_inputs(con, competition_id)
    instrument = inputs.instrument
    stages = stage_dates(con, competition_id)
    results = competition_results(con, competition_id, stage, inputs=inputs)
    judges, judge_stages = judges_of(con, competition_id, stage)
    from data.share.field_awards import declared_places, winners

    table = results.table
    return ExportData(
        competition=comp, instrument=instrument, stages=stages, sections=sections_frame(instrument),
        table=table, judges=judges, stage=stage,
        field_awards=winners(table, declared_places(con, competition_id), results.config.total_decimals),
        published=False, fix_first=results.fix_first.collect(), fields=results.fields,
        points=results.points.select(*POINT_COLUMNS).collect(),
        criteria=results.criteria.select(*CRITERION_COLUMNS).collect(),
        stage_sections=results.sections.select(*SECTION_COLUMNS),
        judge_stages=judge_stages, aggregation=results.config.aggregation,
        total_decimals=results.config.total_decimals,
        next_level=_parent_level(con, comp.get("parent_competition_id")),
    )


POINT_COLUMNS = ("entrant_id", "stage", "judge_id", "criterion_id", "option_code", "points")  # option: NO_CASE
CRITERION_COLUMNS = ("entrant_id", "stage", "criterion_id", "points")
SECTION_COLUMNS = ("entrant_id", "stage", "section_id", "score_pct")


def _frozen_export(con: duckdb.DuckDBPyConnection, comp: dict, competition_id: str, stage: str | None,
                   snapshot: pl.DataFrame) -> ExportData:
    """`export_data` of a final stage, every figure as frozen with its published snapshot."""
    from data.share.field_awards import declared_places, winners
    from scoring.instrument import sections_frame

    def frame(name: str) -> pl.DataFrame:
        got = final_frame(con, competition_id, stage, name)
        if got is None:      # the stage is final (it has a snapshot), so its frames exist or were just frozen
            raise KeyError(f"{competition_id}/{stage}/{name}")
        return got

    instrument = final_instrument(con, competition_id, stage)
    assert instrument is not None
    rules = frame("rules").row(0, named=True)
    decimals = int(rules["total_decimals"])
    return ExportData(
        competition=comp, instrument=instrument, stages=frame("stages"), sections=sections_frame(instrument),
        table=snapshot, judges=frame("judges"), stage=stage,
        field_awards=winners(snapshot, declared_places(con, competition_id), decimals),
        published=True, fix_first=frame("fix_first"), fields=frame("fields"),
        points=frame("points").select(*POINT_COLUMNS), criteria=frame("criteria").select(*CRITERION_COLUMNS),
        stage_sections=frame("sections").select(*SECTION_COLUMNS), judge_stages=frame("judge_stages"),
        aggregation=rules["aggregation"], total_decimals=decimals,
        next_level=_parent_level(con, comp.get("parent_competition_id")),
    )


def _parent_level(con: duckdb.DuckDBPyConnection, parent: str | None) -> str | None:
    row = con.sql("SELECT level FROM competitions WHERE competition_id = ?", params=[parent]).fetchone() if parent \
        else None
    return row[0] if row else None


def export_for(con: duckdb.DuckDBPyConnection, user: User, competition_id: str, stage: str | None = None,
               lang: str = "id") -> ExportData:
    """`export_data` as this reader may take it away (the Data page's rekap, berita acara and scorecards).

    A pembina gets an extract of their region: only the entrants inside it (ranks and awards stay those of the
    whole contest, and the document says it is an extract), and the judges as "Juri 1, 2, …" unless the contest
    is held inside their region (`data.access`). Panitia get the whole document."""
    data = export_data(con, competition_id, stage)
    if user.role != "pembina":
        return data
    region = user.region_code or "\x00"
    keep = data.table.filter(in_region_expr("desa_code", region).fill_null(False))["entrant_id"].to_list()

    def only(frame: pl.DataFrame) -> pl.DataFrame:
        return frame.filter(pl.col("entrant_id").is_in(keep)) if "entrant_id" in frame.columns else frame

    judges = data.judges
    contest = read_contest(con, competition_id) or access.Contest(competition_id, None)
    if judges.height and not access.can_see_judge_names(user, contest):
        numbered = access.hide_judge_names(judges.rename({"name": access.JUDGE_NAME_COLUMN}), user, contest, lang)
        judges = numbered.rename({access.JUDGE_NAME_COLUMN: "name"}).with_columns(
            pl.lit(None, pl.String).alias("institution")).sort("name")
    name = con.sql("SELECT name FROM regions WHERE code = ?", params=[region]).fetchone()
    return dataclasses.replace(
        data, table=only(data.table), fix_first=only(data.fix_first), fields=only(data.fields),
        points=only(data.points), field_awards=only(data.field_awards), judges=judges,
        region_extract=f"{name[0]} ({region})" if name else region)
