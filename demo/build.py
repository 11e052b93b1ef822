"""The demo store: a deterministic, seeded build of a realistic Lomba Posyandu data set.

Five real kabupaten (Lebak, Banjar, Tanah Bumbu, Kutai Kartanegara, Bangka Barat) with their real kecamatan and
desa, about 1,500 posyandu, contests for 2025 and 2026 at kecamatan, kabupaten and provinsi level with winners
advancing, a classic 2018 contest, judges with a planted severity, practices and service records.
The same seed always gives the same store. The parts live in demo/places.py, people.py, contests.py, scores.py
and text.py; the national benchmark store in demo/national.py; the command line in demo/__main__.py.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import duckdb
import polars as pl

from data import regions as regions_mod
from data import store
from data.instruments import persistence
from data.judging.accounts import create_demo_accounts
from data.judging.auth import User
from data.judging.publication import freeze_finalised
from demo.contests import SIX_FIELD, ContestTables, build_contests, truth_difficulty_json
from demo.geography import build_demo_boundaries
from demo.places import DEMO_KABUPATEN, make_posyandu, place_regions
from demo.text import make_practices, make_service_record_steps, make_service_records
from present.i18n import t
from scoring.instrument import Instrument

DEMO_GENERATOR_VERSION = "1"
DEFAULT_SEED = 2026
# Timestamps the demo writes itself (instead of "now"), so two builds with one seed are identical.
DEMO_LOADED_AT = datetime(2025, 7, 1, 9, 0)

Progress = Callable[[float, str], None]


def load_bundled_instruments(con: duckdb.DuckDBPyConnection) -> dict[str, Instrument]:
    """Save every shipped instrument into the store and return them by id."""
    found = {iid: persistence.read_instrument(con, iid) for iid in persistence.save_bundled_instruments(con)}
    with store.transaction(con):
        con.execute("UPDATE instruments SET loaded_at = ?", [DEMO_LOADED_AT])
    return found


def _frames(tables: ContestTables) -> dict[str, pl.DataFrame]:
    scores = pl.concat(tables.scores).drop("points")
    return {
        "competitions": pl.DataFrame(tables.competitions),
        "competition_stages": pl.DataFrame(tables.stages),
        "entrants": pl.DataFrame(tables.entrants, schema_overrides={"source_entrant_id": pl.String}),
        "judges": pl.DataFrame(tables.judges),
        "assignments": pl.DataFrame(tables.assignments),
        "scores": scores,
        "truth_judge_severity": pl.DataFrame({"judge_id": list(tables.severity),
                                              "severity": list(tables.severity.values())}),
        "truth_entrant_quality": pl.DataFrame(tables.quality),
    }


def _strong_posyandu(tables: ContestTables) -> pl.DataFrame:
    """Posyandu that won their kecamatan contest: the ones whose practices delegations come to copy."""
    comps = pl.DataFrame(tables.competitions).select("competition_id", "level", "year")
    entrants = pl.DataFrame(tables.entrants, schema_overrides={"source_entrant_id": pl.String})
    return (pl.concat(tables.totals).filter(pl.col("rank") == 1)
            .join(comps.filter(level="kecamatan"), on="competition_id")
            .join(entrants.select("entrant_id", "posyandu_id"), on="entrant_id")
            .group_by("posyandu_id").agg(pl.col("year").max()))


def _build_into(con: duckdb.DuckDBPyConnection, seed: int, scale: float, step: Callable[[float, str], None]) -> None:
    step(0.02, "demo_step_regions")
    regions_mod.load_regions(con)
    regions = regions_mod.region_frame()

    step(0.10, "demo_step_instruments")
    instruments = load_bundled_instruments(con)
    if SIX_FIELD not in instruments:
        raise RuntimeError(f"the bundled instruments lack {SIX_FIELD}: the demo cannot be built")

    step(0.15, "demo_step_posyandu")
    coords = place_regions(regions, seed)
    posyandu, kader = make_posyandu(regions, coords, seed, scale=scale)
    with store.transaction(con):
        with store.registered(con, "_coords", coords) as view:
            con.execute(f"UPDATE regions SET lat = c.lat, lon = c.lon FROM {view} c WHERE regions.code = c.code")
        store.insert_frame(con, "posyandu", posyandu)
        store.insert_frame(con, "posyandu_kader", kader)

    step(0.25, "demo_step_competitions")
    tables = build_contests(seed, posyandu, regions, instruments,
                            progress=lambda f: step(0.25 + 0.5 * f, "demo_step_scores"))
    with store.transaction(con):
        for table, frame in _frames(tables).items():
            store.insert_frame(con, table, frame)

    step(0.80, "demo_step_practices")
    desa_names = dict(zip(regions["code"], regions["name"], strict=True))
    strong = _strong_posyandu(tables).join(posyandu.select("posyandu_id", "desa_code"), on="posyandu_id")
    practices = make_practices(seed, strong.select("posyandu_id", "desa_code", "year"), desa_names)
    records = make_service_records(seed, posyandu, [k.code for k in DEMO_KABUPATEN], scale=scale)
    with store.transaction(con):
        store.insert_frame(con, "practices", practices)
        store.insert_frame(con, "service_records", records)
        store.insert_frame(con, "service_record_steps", make_service_record_steps(records))
        store.set_meta(con, "demo_seed", str(seed))
        store.set_meta(con, "demo_scale", repr(float(scale)))
        store.set_meta(con, "demo_generator_version", DEMO_GENERATOR_VERSION)
        store.set_meta(con, "demo_truth_criterion_difficulty", truth_difficulty_json(tables))
        store.set_meta(con, "demo_blank_section", ",".join(f"{k}={v}" for k, v in tables.blank_section.items()))

    step(0.92, "demo_step_geography")
    build_demo_boundaries(con)
    create_demo_accounts(con)
    # Publish the finished kabupaten and provinsi contests, as their panitia would have: the public view and the
    # berita acara read these frozen snapshots. (Kecamatan contests and single stages are frozen on their first
    # read, `publication.final_results`: freezing 170 contests here would cost minutes.)
    finished = [r[0] for r in con.sql(
        "SELECT competition_id FROM competitions WHERE status = 'final' AND level IN ('kabupaten', 'provinsi')"
    ).fetchall()]
    freeze_finalised(con, User("demo", "panitia", display_name="Panitia demo"), finished)
    with store.transaction(con):
        # The finished kabupaten contests declared one field award per SPM field ("Juara bidang Kesehatan", #17).
        # (set when the contest was finalised, so the same seed builds the same store)
        con.execute("INSERT INTO field_awards SELECT c.competition_id, 1, 'demo', max(s.finalized_at) "
                    "FROM competitions c JOIN competition_stages s USING (competition_id) "
                    "WHERE c.status = 'final' AND c.level = 'kabupaten' GROUP BY c.competition_id")
        store.touch_everything(con)   # the demo's bulk writes bypass the touching write paths


def build_store_file(path: Path, fill: Callable[[duckdb.DuckDBPyConnection, Progress], None],
                     progress: Progress | None = None, lang: str = "id") -> None:
    """Create a migrated store at `path.with_suffix('.building')`, let `fill(con, step)` write it, rename it.

    A killed or failed build leaves neither a half-built store nor its WAL behind; `step(fraction, key)` reports
    0..1 with the translated label of message `key` to `progress`.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    building = path.with_suffix(".building")
    for leftover in (building, Path(f"{building}.wal")):
        leftover.unlink(missing_ok=True)

    def step(fraction: float, key: str) -> None:
        if progress is not None:
            progress(min(max(fraction, 0.0), 1.0), t(key, lang))

    con = store.connect(building)
    con.execute("SET enable_progress_bar = false")
    try:
        fill(con, step)
        con.execute("CHECKPOINT")
    except BaseException:
        con.close()
        building.unlink(missing_ok=True)
        Path(f"{building}.wal").unlink(missing_ok=True)
        raise
    con.close()
    Path(f"{path}.wal").unlink(missing_ok=True)
    building.replace(path)
    step(1.0, "demo_step_done")


def build_demo(path: Path, seed: int = DEFAULT_SEED, progress: Progress | None = None, scale: float = 1.0,
               lang: str = "id") -> None:
    """Build the demo store at `path`; same seed and scale → same contents.

    The file is built as `path.with_suffix('.building')` and renamed at the end, so a killed build never
    leaves a half-built store behind. `progress(fraction, label)` gets 0..1 and a translated step label.
    `scale` < 1 samples fewer desa (for fast tests) while keeping every structure and the story posyandu.
    """
    build_store_file(path, lambda con, step: _build_into(con, seed, scale, step), progress, lang)
