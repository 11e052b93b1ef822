"""Cached reads for the leader and delegation pages, computed once per version of what they read.

Same pattern as `ui/results.py`: every function is an `st.cache_data` entry keyed on (store path, arguments,
version), so changing a filter re-reads the cache and only a write to what the read depends on recomputes:
`result_version(competition)` for a contest's reads, `reference_version()` for posyandu, regions, practices and
boundaries, `store_version()` for reads spanning contests. Sign-ins and sessions move none of them. The values are
eager Polars frames and plain values on purpose: `st.cache_data` unpickles its value on every hit, and the engine's
`CompetitionResults` carries lazy frames whose plans cost 10–20 ms each to deserialise; a page that only needs the
league table should not pay ~80 ms for the whole result on every re-run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pandas as pd
import polars as pl
import streamlit as st

from data import access, store
from data.store import page_reads as reads_pages
from data.store import reads
from present.pdf_pages import PdfPreview, render_pages
from present.tables import filter_table
from ui.auth import current_user
from ui.context import Context, tr
from ui.results import load_inputs, load_results
from ui.state import get_con, reference_version, result_version, store_version


def _path() -> str:
    return str(store.store_path())


# --- engine results, eager parts only ------------------------------------------------------------------------


@st.cache_data(max_entries=256, show_spinner=False)
def _contest(path: str, competition_id: str, version: tuple[int, int]) -> access.Contest:
    from data.judging.publication import read_contest

    return read_contest(get_con(), competition_id) or access.Contest(competition_id, None)


def contest(competition_id: str) -> access.Contest:
    """What the access rules know about a competition (scope, final stages, published snapshots)."""
    return _contest(_path(), competition_id, result_version(competition_id))


@st.cache_data(max_entries=64, show_spinner=False)
def _table(path: str, competition_id: str, stage: str | None, version: tuple[int, int]) -> pl.DataFrame:
    return load_results(competition_id, stage).table


@st.cache_data(max_entries=64, show_spinner=False)
def _official(path: str, competition_id: str, stage: str | None, version: tuple[int, int]) -> pl.DataFrame:
    from data.judging.publication import final_results

    return final_results(get_con(), competition_id, stage)


def results_table(competition_id: str, stage: str | None = None) -> pl.DataFrame:
    """The league table of a competition and stage (None: combined) as the signed-in user may see it: the
    published snapshot once the stage is final (never live scores, `publication.final_results`), live results
    for those who may follow the judging, and no rows for anyone else (`data.access.results_source`)."""
    path, version = _path(), result_version(competition_id)
    source = access.results_source(current_user(), contest(competition_id), stage)
    if source == "snapshot":
        snap = _official(path, competition_id, stage, version)
        if snap.height:
            return snap
        # a final stage with no entrant: nothing to show, in the engine's columns so pages draw their empty state
        return _table(path, competition_id, stage, version).head(0)
    live = _table(path, competition_id, stage, version)
    return live if source is not None else live.head(0)


def table_in_view(ctx: Context) -> pl.DataFrame:
    """The league table of the sidebar's competition and stage inside its region, for a page with nothing to show
    without one: the page stops there (saying so when no entrant is in view)."""
    if ctx.competition_id is None:
        st.stop()
    table = filter_table(results_table(ctx.competition_id, ctx.stage), ctx.region_code)
    if table.height == 0:
        st.info(tr("pages_no_entrants"))
        st.stop()
    return table


@st.cache_data(max_entries=64, show_spinner=False)
def _stages(path: str, competition_id: str, version: tuple[int, int]) -> tuple[str, ...]:
    return tuple(load_results(competition_id).stages)


def results_stages(competition_id: str) -> tuple[str, ...]:
    """The stages the engine scored for a competition, in order (as frozen once the contest is final)."""
    rules = scoring_rules(competition_id, None)
    if rules is not None:
        return tuple(rules["stages"])
    return _stages(_path(), competition_id, result_version(competition_id))


# --- what a final stage shows, frozen with its snapshot (data.judging.frozen) -----------------------------------


@st.cache_data(max_entries=256, show_spinner=False)
def _final_frame(path: str, competition_id: str, stage: str | None, name: str,
                 version: tuple[int, int]) -> pl.DataFrame | None:
    from data.judging.publication import final_frame

    return final_frame(get_con(), competition_id, stage, name)


def _source(competition_id: str, stage: str | None) -> str | None:
    return access.results_source(current_user(), contest(competition_id), stage)


def final_frame(competition_id: str, stage: str | None, name: str) -> pl.DataFrame | None:
    """Frame `name` of a final stage as frozen with its published snapshot (`publication.final_frame`), or None
    when the stage is not final. Every public view of a final stage reads its detail here, never live scores."""
    if not contest(competition_id).is_final(stage):
        return None
    return _final_frame(_path(), competition_id, stage, name, result_version(competition_id))


def frozen_or_live(competition_id: str, stage: str | None, name: str, live: Callable[[], pl.DataFrame]) -> pl.DataFrame:
    """The frozen frame of a final stage; the live one for those who may follow an open stage; no rows (in the
    live frame's columns) for anyone else."""
    source = _source(competition_id, stage)
    if source == "snapshot":
        got = final_frame(competition_id, stage, name)
        if got is not None:
            return got
    frame = live()
    return frame if source is not None else frame.head(0)


def scoring_rules(competition_id: str, stage: str | None) -> dict | None:
    """The rules a final stage was scored with (aggregation, total_decimals, tie_breaks, tie_breaks_used,
    stages, engine_version), as frozen; None when the stage is not final."""
    got = final_frame(competition_id, stage, "rules")
    if got is None or got.height == 0:
        return None
    row = got.row(0, named=True)
    return {**row, "tie_breaks": tuple(row["tie_breaks"]), "stages": tuple(row["stages"])}


def tie_rules(competition_id: str, stage: str | None) -> tuple[tuple[str, ...], int]:
    """(tie-breaks, printed decimals) of a stage: as frozen once final, else the competition's rules now."""
    rules = scoring_rules(competition_id, stage)
    if rules is not None:
        return rules["tie_breaks"], int(rules["total_decimals"])
    config = load_results(competition_id, stage).config
    return tuple(config.tie_breaks), config.total_decimals


@st.cache_data(max_entries=32, show_spinner=False)
def _confidence(path: str, competition_id: str, stage: str | None, version: tuple[int, int]) -> pl.DataFrame:
    from scoring.confidence import rank_confidence

    return rank_confidence(load_inputs(competition_id), load_results(competition_id, stage).config, stage=stage)


def rank_intervals(competition_id: str, stage: str | None) -> pl.DataFrame:
    """90 % rank interval and P(top 3) from the judge bootstrap (`scoring.confidence`): as frozen with the
    snapshot once the stage is final, else computed once per competition version."""
    return frozen_or_live(competition_id, stage, "confidence",
                   lambda: _confidence(_path(), competition_id, stage, result_version(competition_id)))


@st.cache_data(max_entries=32, show_spinner=False)
def _fix_first(path: str, competition_id: str, stage: str | None, version: tuple[int, int]) -> pl.DataFrame:
    return load_results(competition_id, stage).fix_first.collect()


def fix_first(competition_id: str, stage: str | None, entrant_id: str) -> pl.DataFrame:
    """The engine's "fix first" rows of one entrant. Collected for the whole contest once (a contest has at most a
    few hundred entrants), so picking another posyandu costs a filter, not another read of the engine's result."""
    ff = frozen_or_live(competition_id, stage, "fix_first",
                 lambda: _fix_first(_path(), competition_id, stage, result_version(competition_id)))
    return ff.filter(pl.col("entrant_id") == entrant_id)


@st.cache_data(max_entries=32, show_spinner=False)
def _criteria(path: str, competition_id: str, stage: str | None, version: tuple[int, int]) -> pl.DataFrame:
    return load_results(competition_id, stage).criteria.collect()


def criteria_points(competition_id: str, stage: str | None = None) -> pl.DataFrame:
    """The engine's criterion frame (entrant × criterion points and maximum), collected; frozen once final."""
    return frozen_or_live(competition_id, stage, "criteria",
                   lambda: _criteria(_path(), competition_id, stage, result_version(competition_id)))


@st.cache_data(max_entries=32, show_spinner=False)
def _texts(path: str, competition_id: str, version: tuple[int, int]) -> pl.DataFrame:
    from scoring.instrument import criteria_frame

    return criteria_frame(load_inputs(competition_id).instrument)


@st.cache_data(max_entries=32, show_spinner=False)
def _frozen_texts(path: str, competition_id: str, stage: str | None, version: tuple[int, int]) -> pl.DataFrame | None:
    from data.judging.publication import final_instrument
    from scoring.instrument import criteria_frame

    instrument = final_instrument(get_con(), competition_id, stage)
    return None if instrument is None else criteria_frame(instrument)


def criteria_texts(competition_id: str, stage: str | None = None) -> pl.DataFrame:
    """The competition's instrument as one row per criterion (criterion_id, section_id, text, …): for a final
    stage the instrument it was scored with, as frozen with the snapshot."""
    version = result_version(competition_id)
    if contest(competition_id).is_final(stage):
        got = _frozen_texts(_path(), competition_id, stage, version)
        if got is not None:
            return got
    return _texts(_path(), competition_id, version)


# --- store reads -----------------------------------------------------------------------------------------------


@st.cache_data(max_entries=64, show_spinner=False)
def _progress(path: str, competition_id: str, version: tuple[int, int]) -> pl.DataFrame:
    return reads_pages.judging_progress(get_con(), competition_id)


def judging_progress(competition_id: str) -> pl.DataFrame:
    """Scores expected and entered per stage (see `reads_pages.judging_progress`)."""
    return _progress(_path(), competition_id, result_version(competition_id))


@st.cache_data(max_entries=64, show_spinner=False)
def _previous(path: str, competition_id: str, version: int) -> str | None:
    return reads_pages.previous_competition(get_con(), competition_id)


def _redact(frame: pl.DataFrame) -> pl.DataFrame:
    """Personal data only for those who may see it (`data.access.redact`): the cache is shared by all users."""
    return access.redact(frame, current_user())


def previous_competition(competition_id: str) -> str | None:
    """The same contest one edition earlier, or None (also when the user may not see its results)."""
    prev = _previous(_path(), competition_id, store_version())
    return prev if prev is not None and access.can_see_results(current_user(), contest(prev)) else None


@st.cache_data(max_entries=64, show_spinner=False)
def _rounds(path: str, competition_id: str, version: int) -> pl.DataFrame:
    return reads_pages.previous_rounds(get_con(), competition_id)


def previous_rounds(competition_id: str) -> pl.DataFrame:
    """Per posyandu of the contest, its latest earlier round the user may see, at any level
    (`page_reads.previous_rounds`): posyandu_id, competition_id, name, year, level."""
    rounds = _rounds(_path(), competition_id, store_version())
    user = current_user()
    seen = [c for c in rounds["competition_id"].unique(maintain_order=True)
            if access.can_see_results(user, contest(c))]
    return (rounds.filter(pl.col("competition_id").is_in(seen)).sort("posyandu_id", "pick")
            .unique("posyandu_id", keep="first", maintain_order=True).drop("pick"))


@st.cache_data(max_entries=64, show_spinner=False)
def _contacts(path: str, competition_id: str, version: tuple[int, int]) -> pl.DataFrame:
    return reads_pages.entrant_contacts(get_con(), competition_id)


def entrant_contact(competition_id: str, posyandu_id: str) -> dict:
    """Contact, address and total kader of one entrant's posyandu ({} when unknown); read once per contest."""
    hit = _redact(_contacts(_path(), competition_id, result_version(competition_id)).filter(pl.col("posyandu_id") == posyandu_id))
    return hit.row(0, named=True) if hit.height else {}


@st.cache_data(max_entries=256, show_spinner=False)
def _score_details(path: str, entrant_id: str, version: tuple[int, int]) -> pl.DataFrame:
    return reads.score_details(get_con(), entrant_id)


def score_details(competition_id: str, entrant_id: str) -> pl.DataFrame:
    """Every judge's raw choice for one entrant of a competition (the audit trail)."""
    return _score_details(_path(), entrant_id, result_version(competition_id))


@st.cache_data(max_entries=128, show_spinner=False)
def _choices(path: str, competition_id: str, entrant_id: str, sections: tuple[str, ...], lang: str,
             version: tuple[int, int]) -> dict:
    from present.tables import judge_choice_rows

    details = score_details(competition_id, entrant_id)
    return {s: judge_choice_rows(details, s, lang) for s in sections}


@st.cache_data(max_entries=128, show_spinner=False)
def _anonymous_choices(path: str, competition_id: str, entrant_id: str, sections: tuple[str, ...], lang: str,
                       version: tuple[int, int]) -> dict:
    from present.tables import judge_choice_rows

    details = access.hide_judge_names(score_details(competition_id, entrant_id), access.PUBLIC,
                                      contest(competition_id), lang)
    return {s: judge_choice_rows(details, s, lang) for s in sections}


@st.cache_data(max_entries=128, show_spinner=False)
def _frozen_choices(path: str, competition_id: str, stage: str | None, entrant_id: str, sections: tuple[str, ...],
                    lang: str, named: bool, version: tuple[int, int]) -> dict:
    from present.tables import judge_choice_rows

    frame = final_frame(competition_id, stage, "choices")
    if frame is None:
        return {s: pd.DataFrame() for s in sections}
    details = frame.filter(pl.col("entrant_id") == entrant_id)
    if not named:
        details = access.hide_judge_names(details, access.PUBLIC, contest(competition_id), lang)
    return {s: judge_choice_rows(details, s, lang) for s in sections}


def judge_choices(competition_id: str, entrant_id: str, sections: Sequence[str], lang: str,
                  stage: str | None = None) -> dict:
    """Per section, the display table of every judge's choice for one entrant (`judge_choice_rows`), translated;
    judges named only for those who may see who chose what, and nothing of a stage the user may not see
    (`data.access`). A final stage shows the choices frozen with its snapshot (that stage's only)."""
    user, comp, version = current_user(), contest(competition_id), result_version(competition_id)
    source = access.results_source(user, comp, stage)
    if source is None:
        return {s: pd.DataFrame() for s in sections}
    named = access.can_see_judge_names(user, comp)
    if source == "snapshot":
        return _frozen_choices(_path(), competition_id, stage, entrant_id, tuple(sections), lang, named, version)
    if named:
        return _choices(_path(), competition_id, entrant_id, tuple(sections), lang, version)
    return _anonymous_choices(_path(), competition_id, entrant_id, tuple(sections), lang, version)


@st.cache_data(max_entries=256, show_spinner=False)
def _entries(path: str, posyandu_id: str, version: int) -> pl.DataFrame:
    return reads_pages.posyandu_entries(get_con(), posyandu_id)


def history(posyandu_id: str) -> pl.DataFrame:
    """The posyandu's result in every contest it entered that the user may see (year, level, name, total, rank,
    award, n): a visitor's history lists final contests only, each from its published table."""
    from present.tables import history_rows

    user = current_user()
    entries = _entries(_path(), posyandu_id, store_version())
    seen = [c for c in entries["competition_id"].unique(maintain_order=True).to_list()
            if access.can_see_results(user, contest(c))]
    return history_rows(entries.filter(pl.col("competition_id").is_in(seen)), {c: results_table(c) for c in seen})


@st.cache_data(max_entries=256, show_spinner=False)
def _peers(path: str, competition_id: str, stage: str | None, posyandu_id: str, fields: tuple[str, ...], k: int,
           source: str | None, version: tuple[int, int], _table: pl.DataFrame) -> pl.DataFrame:
    from present.tables import field_peers

    # `_table` is the league table the user sees; `source` (snapshot, live or none) stands for it in the key.
    return field_peers(_peer_profiles(path, competition_id, version), _table, posyandu_id, fields, k=k)


@st.cache_data(max_entries=32, show_spinner=False)
def _peer_profiles(path: str, competition_id: str, version: tuple[int, int]) -> pl.DataFrame:
    ids = _table(path, competition_id, None, version)["posyandu_id"].to_list()
    return reads_pages.peer_profiles(get_con(), ids)


def field_peers(competition_id: str, stage: str | None, posyandu_id: str, fields: Sequence[str],
                k: int = 5) -> pl.DataFrame:
    """Similar, stronger fellow entrants per field for one posyandu (see `ui.charts_tables.field_peers`)."""
    source = access.results_source(current_user(), contest(competition_id), stage)
    return _peers(_path(), competition_id, stage, posyandu_id, tuple(fields), k, source,
                  result_version(competition_id), results_table(competition_id, stage))


@st.cache_data(max_entries=8, show_spinner=False)
def _centroids(path: str, level: int, reference: int) -> pl.DataFrame:
    return reads_pages.region_centroids(get_con(), level=level)


def region_centroids(level: int = 2) -> pl.DataFrame:
    """Regions of a level with a centre point (code, name, lat, lon)."""
    return _centroids(_path(), level, reference_version())


@st.cache_data(max_entries=64, show_spinner=False)
def _locations(path: str, posyandu_ids: tuple[str, ...], reference: int) -> pl.DataFrame:
    return reads_pages.locations(get_con(), list(posyandu_ids))


def locations(posyandu_ids: Sequence[str]) -> pl.DataFrame:
    """Address, coordinates and contact of some posyandu (contact only for who may see it, `data.access`)."""
    return _redact(_locations(_path(), tuple(posyandu_ids), reference_version()))


@st.cache_data(max_entries=256, show_spinner=False)
def _practices(path: str, spm_field: str | None, posyandu_ids: tuple[str, ...] | None,
               reference: int) -> pl.DataFrame:
    return reads_pages.practices(get_con(), spm_field=spm_field,
                                 posyandu_ids=None if posyandu_ids is None else list(posyandu_ids))


def practices(spm_field: str | None = None, posyandu_ids: Sequence[str] | None = None) -> pl.DataFrame:
    """Documented practices, optionally of one field or some posyandu (see `reads_pages.practices`); contacts
    only for those who may see them."""
    ids = None if posyandu_ids is None else tuple(posyandu_ids)
    return _redact(_practices(_path(), spm_field, ids, reference_version()))


@st.cache_data(max_entries=32, show_spinner=False)
def _judges(path: str, competition_id: str, version: tuple[int, int]) -> pl.DataFrame:
    return reads.judges_frame(get_con(), competition_id)


def judges(competition_id: str) -> pl.DataFrame:
    """The competition's judges (judge_id, name, …)."""
    return _judges(_path(), competition_id, result_version(competition_id))



@st.cache_data(max_entries=4, show_spinner=False)
def _desa_cells(path: str, reference: int):
    from geo.frames import boundary_frame

    return boundary_frame(get_con(), level=4, zoom="provinsi")


def desa_cells():
    """Desa boundaries (GeoDataFrame; illustrative in the demo), the base of the visit-plan map."""
    return _desa_cells(_path(), reference_version())


@st.cache_data(max_entries=16, show_spinner=False)
def pdf_preview(sha256: str, _data: bytes) -> PdfPreview:
    """The first pages of an attached PDF as pictures. Keyed on the file's sha256 alone: evidence is stored by
    its hash, so the same hash is the same document (the bytes are read, after the access check, by the caller)."""
    return render_pages(_data)
