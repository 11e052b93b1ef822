"""The frozen detail of a published result: everything the public sees of a final stage besides its league table.

A result snapshot (`publication`) holds the league table. What a visitor also sees of a final stage, on Profil,
Bandingkan, Peringkat and in the signed documents, is frozen with it here (table `snapshot_frames`, migration 013),
one frame per name, so nothing of a final stage moves when a stored score, the instrument, the scoring rules or
the engine change later:

- the engine's detail: `fix_first`, `criteria` (entrant × stage × criterion points), `points` (per judge),
  `fields` and `sections` (field scores), and `rules` (aggregation, printed precision, tie-breaks, stages);
- `choices`: every judge's raw choice with option text, note and evidence count (the Profil audit trail);
- `instrument`: the instrument it was scored with (criterion texts, sections, weights), as JSON;
- `stages`, `judges`, `judge_stages`: what the berita acara and rekap print about the stages and judges;
- `confidence` (90 % rank interval, P(top 3)) and `stability_<w>` (place stability under ±w % weights): the
  judge bootstrap, computed at finalisation for a contest up to `EAGER_ENTRANTS` entrants, else on first ask.

The frames are written in the snapshot's own transaction by `publication._snapshot` (finalising, a protest's
re-freeze, the demo's `freeze_finalised`). A snapshot written before migration 013 (or a heavy frame left for
later) is frozen on its first read (`publication.final_frame`), audited as `sistem`; the stage is final then, so
its scores cannot change through the app. That first write marks no version: it stores exactly what the read
returns.
"""

from __future__ import annotations

import dataclasses
import io
import json
from collections.abc import Mapping
from typing import Any

import polars as pl

from data import store
from data.judging.forms import COMBINED, Con, _audit, _now
from scoring.engine import CompetitionInputs, CompetitionResults
from scoring.instrument import Criterion, Instrument, Option, Section, Threshold

STABILITY_WEIGHTS = (0, 5, 10, 15, 20)       # the Peringkat page's "weights ± %" choices
EAGER_ENTRANTS = 2_000                       # above this the bootstrap frames wait for their first read
BOOTSTRAP = ("confidence", *(f"stability_{w}" for w in STABILITY_WEIGHTS))
DETAIL = ("fix_first", "criteria", "points", "fields", "sections", "rules", "choices", "instrument", "stages",
          "judges", "judge_stages")
FRAMES = DETAIL + BOOTSTRAP
FROZEN_ON_READ = "final_detail_frozen_on_first_read"


# --- computing the frames ----------------------------------------------------------------------------------------


def instrument_json(instrument: Instrument) -> str:
    return json.dumps(dataclasses.asdict(instrument), ensure_ascii=False)


def instrument_from_json(text: str) -> Instrument:
    """The instrument `instrument_json` froze, as the typed model again."""
    raw = json.loads(text)

    def criterion(c: Mapping[str, Any]) -> Criterion:
        return Criterion(**{**c, "options": tuple(Option(**o) for o in c["options"]),
                            "thresholds": tuple(Threshold(**t) for t in c["thresholds"]),
                            "evidence": tuple(c["evidence"])})

    sections = tuple(Section(**{**s, "criteria": tuple(criterion(c) for c in s["criteria"])})
                     for s in raw.pop("sections"))
    return Instrument(**{**raw, "sections": sections, "warnings": tuple(raw.get("warnings") or ())})


def judges_of(con: Con, competition_id: str, stage: str | None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The judges of the printed stages (judge_id, name, institution) and which stage each judged (assigned or
    scored): what the berita acara and the rekap list and sign."""
    judge_stages = con.sql(
        """
        SELECT DISTINCT judge_id, stage FROM (
            SELECT judge_id, stage FROM assignments WHERE competition_id = ? AND (? IS NULL OR stage = ?)
            UNION SELECT judge_id, stage FROM scores WHERE competition_id = ? AND (? IS NULL OR stage = ?))
        ORDER BY judge_id, stage
        """, params=[competition_id, stage, stage, competition_id, stage, stage]).pl()
    judges = con.sql(
        "SELECT judge_id, name, institution FROM judges WHERE list_contains(?, judge_id) ORDER BY name",
        params=[judge_stages["judge_id"].unique().to_list()]).pl()
    return judges, judge_stages


def _bootstrap(name: str, inputs: CompetitionInputs, results: CompetitionResults, table: pl.DataFrame,
               stage: str | None) -> pl.DataFrame:
    if name == "confidence":
        from scoring.confidence import rank_confidence

        return rank_confidence(inputs, results.config, stage=stage)
    from scoring.stability import place_stability

    weight = int(name.removeprefix("stability_"))
    official = table.select("entrant_id", "rank_final") if "rank_final" in table.columns else \
        results.table.select("entrant_id", "rank_final")
    return place_stability(inputs, results.config, official, weight_change=weight / 100, stage=stage)


def compute_frames(con: Con, competition_id: str, stage: str | None, results: CompetitionResults,
                   inputs: CompetitionInputs, table: pl.DataFrame, names: tuple[str, ...] = FRAMES
                   ) -> dict[str, pl.DataFrame]:
    """The frames `names` of a competition's results (one stage, or combined when None) as they are now;
    `table` is the league table being published (the bootstrap's official ranks)."""
    from data.store.reads import competition_score_details, stage_dates

    out: dict[str, pl.DataFrame] = {}
    judges: tuple[pl.DataFrame, pl.DataFrame] | None = None
    for name in names:
        if name == "fix_first":
            out[name] = results.fix_first.collect()
        elif name == "criteria":
            out[name] = results.criteria.collect()
        elif name == "points":
            out[name] = results.points.collect()
        elif name == "fields":
            out[name] = results.fields
        elif name == "sections":
            out[name] = results.sections
        elif name == "rules":
            cfg = results.config
            out[name] = pl.DataFrame({"aggregation": [cfg.aggregation], "total_decimals": [cfg.total_decimals],
                                      "tie_breaks": [list(cfg.tie_breaks)],
                                      "tie_breaks_used": [list(results.tie_breaks_used)],
                                      "stages": [list(results.stages)], "engine_version": [results.engine_version]},
                                     schema={"aggregation": pl.String, "total_decimals": pl.Int32,
                                             "tie_breaks": pl.List(pl.String), "tie_breaks_used": pl.List(pl.String),
                                             "stages": pl.List(pl.String), "engine_version": pl.String})
        elif name == "choices":
            out[name] = competition_score_details(con, competition_id, stage)
        elif name == "instrument":
            out[name] = pl.DataFrame({"instrument_json": [instrument_json(inputs.instrument)]})
        elif name == "stages":
            out[name] = stage_dates(con, competition_id)
        elif name in ("judges", "judge_stages"):
            judges = judges or judges_of(con, competition_id, stage)
            out[name] = judges[0] if name == "judges" else judges[1]
        elif name in BOOTSTRAP:
            if name != "confidence" and table.height == 0:
                out[name] = pl.DataFrame(schema={"entrant_id": pl.String, "p_keep": pl.Float64})
            else:
                out[name] = _bootstrap(name, inputs, results, table, stage)
        else:
            raise KeyError(name)
    return out


def eager_names(n_entrants: int) -> tuple[str, ...]:
    """The frames frozen with the snapshot: all of them for a contest the bootstrap runs on in seconds."""
    return FRAMES if n_entrants <= EAGER_ENTRANTS else DETAIL


# --- storing and reading -------------------------------------------------------------------------------------


def _ipc(frame: pl.DataFrame) -> bytes:
    buf = io.BytesIO()
    frame.write_ipc(buf)
    return buf.getvalue()


def write_frames(con: Con, snapshot_id: int, competition_id: str, key: str, frames: Mapping[str, pl.DataFrame],
                 engine_version: str, actor: str, reason: str | None = None) -> list[str]:
    """Inside the caller's transaction: store the frames of one snapshot and return the names written. A frame
    the snapshot already holds (another session froze it meanwhile) is kept as it is. With a `reason` (frozen
    on a first read) one audit row names the frames; at finalisation the snapshot's own audit row does."""
    now = _now()
    written = []
    for name, frame in frames.items():
        done = store.scalar(con, "SELECT count(*) FROM snapshot_frames WHERE snapshot_id = ? AND frame = ?",
                            params=[snapshot_id, name])
        if done:
            continue
        con.execute("INSERT INTO snapshot_frames (snapshot_id, frame, competition_id, stage, engine_version, "
                    "frozen_at, frozen_by, n_rows, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [snapshot_id, name, competition_id, key, engine_version, now, actor, frame.height, _ipc(frame)])
        written.append(name)
    if written and reason is not None:
        _audit(con, actor, "freeze_frames", "snapshot", f"{competition_id}/{key}", None,
               {"snapshot_id": snapshot_id, "frames": written, "engine_version": engine_version}, reason,
               source="setup")
    return written


def latest_snapshot(con: Con, competition_id: str, stage: str | None) -> int | None:
    """The newest snapshot of `stage` (None: the combined results), or None."""
    row = con.sql("SELECT max(snapshot_id) FROM result_snapshots WHERE competition_id = ? AND stage = ?",
                  params=[competition_id, COMBINED if stage is None else stage]).fetchone()
    return None if row is None or row[0] is None else int(row[0])


def stored_frame(con: Con, snapshot_id: int, name: str) -> pl.DataFrame | None:
    row = con.sql("SELECT data FROM snapshot_frames WHERE snapshot_id = ? AND frame = ?",
                  params=[snapshot_id, name]).fetchone()
    return None if row is None else pl.read_ipc(io.BytesIO(bytes(row[0])))
