"""Instruments in the store: save one with its flat tables (what the engine's SQL reads), read one back, list them.

The store keeps each instrument's YAML source; `read_instrument` rebuilds the typed model from it with the same
loader that validated the file (data/instruments/loader.py), so what a page shows is exactly what was checked.
"""

from __future__ import annotations

from functools import lru_cache

import duckdb
import polars as pl

from data import store
from data.instruments.loader import bundled_instrument_paths, load_instrument, load_instrument_text
from present.errors import BadInput
from scoring.instrument import Instrument


def save_instrument(con: duckdb.DuckDBPyConnection, instrument: Instrument, source_text: str) -> None:
    """Write the instrument and its flat tables in one transaction, replacing any earlier copy of the same id
    (refused, ValueError, when a competition has already scored with that id and the text differs).

    `source_text` must be the YAML the instrument was loaded from: `read_instrument` rebuilds from it.
    """
    reloaded = load_instrument_text(source_text).instrument
    if reloaded != instrument:
        raise ValueError(f"source_text does not describe instrument {instrument.instrument_id}")
    iid = instrument.instrument_id
    prior = con.sql("SELECT source_text FROM instruments WHERE instrument_id = ?", params=[iid]).fetchone()
    if prior and prior[0] != source_text and con.sql(
            "SELECT 1 FROM competitions c JOIN scores s USING (competition_id) WHERE c.instrument_id = ? LIMIT 1",
            params=[iid]).fetchone():
        # A contest has scored with this version: it must never change under it (upload a new version instead).
        raise BadInput("setup_instrumen_in_use", id=iid)
    with store.transaction(con):
        # The contests scored with this instrument read it: their results change with it.
        users = [r[0] for r in con.sql("SELECT competition_id FROM competitions WHERE instrument_id = ?",
                                       params=[iid]).fetchall()]
        store.touch(con, *users)
        for table in ("instrument_thresholds", "instrument_options", "instrument_criteria",
                      "instrument_sections", "instruments"):
            con.execute(f"DELETE FROM {table} WHERE instrument_id = ?", [iid])
        con.execute(
            "INSERT INTO instruments (instrument_id, code, version, title, year, layout, source_text) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [iid, instrument.code, instrument.version, instrument.title, instrument.year, instrument.layout,
             source_text])
        con.executemany(
            "INSERT INTO instrument_sections (instrument_id, section_id, ord, title, title_en, spm_field, weight, "
            "scope) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [[iid, s.id, i, s.title, s.title_en, s.spm_field, s.weight, s.scope]
             for i, s in enumerate(instrument.sections)])
        con.executemany(
            "INSERT INTO instrument_criteria (instrument_id, criterion_id, section_id, ord, text, kind, unit, "
            "evidence, weight, max_points, spm_field, no_case_allowed, stages, ratio_of) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [[iid, c.id, s.id, i, c.text, c.kind, c.unit, "; ".join(c.evidence) or None, c.weight, c.max_points,
              c.spm_field or s.spm_field, c.no_case_allowed, ",".join(c.stages) or None, c.ratio_of]
             for s in instrument.sections for i, c in enumerate(s.criteria)])
        options = [[iid, c.id, o.code, o.text, o.points] for c in instrument.criteria for o in c.options]
        if options:
            con.executemany("INSERT INTO instrument_options VALUES (?, ?, ?, ?, ?)", options)
        thresholds = [[iid, c.id, th.min_value, th.points] for c in instrument.criteria for th in c.thresholds]
        if thresholds:
            con.executemany("INSERT INTO instrument_thresholds VALUES (?, ?, ?, ?)", thresholds)


def save_bundled_instruments(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Load every shipped instrument file and save it; returns the instrument ids saved."""
    saved = []
    for path in bundled_instrument_paths():
        instrument = load_instrument(path)
        save_instrument(con, instrument, path.read_text(encoding="utf-8"))
        saved.append(instrument.instrument_id)
    return saved


def read_instrument(con: duckdb.DuckDBPyConnection, instrument_id: str) -> Instrument:
    """The stored instrument, rebuilt from its source text; KeyError when the store has no such id."""
    row = con.sql("SELECT source_text FROM instruments WHERE instrument_id = ?", params=[instrument_id]).fetchone()
    if row is None:
        raise KeyError(instrument_id)
    instrument = _instrument_from_text(row[0], instrument_id)
    if instrument is None:  # only when the format changed after the instrument was saved
        raise ValueError(f"stored source of {instrument_id} no longer loads")
    return instrument


@lru_cache(maxsize=32)
def _instrument_from_text(text: str, source: str) -> Instrument | None:
    """Parsing a 60-criterion file takes ~40 ms; pages read the same stored text again and again."""
    return load_instrument_text(text, source=source).instrument


def list_instruments(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """One row per stored instrument: id, code, version, title, year, layout, section and criterion counts."""
    return con.sql(
        "SELECT i.instrument_id, i.code, i.version, i.title, i.year, i.layout,"
        " (SELECT count(*) FROM instrument_sections s WHERE s.instrument_id = i.instrument_id) AS sections,"
        " (SELECT count(*) FROM instrument_criteria c WHERE c.instrument_id = i.instrument_id) AS criteria,"
        " i.loaded_at FROM instruments i ORDER BY i.code, i.version"
    ).pl()
