"""The demo's competitions: kecamatan → kabupaten → provinsi for 2025 and 2026, one classic 2018 contest,
their judges, assignments and scores, with the winners of each level advancing as their scores say.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import numpy as np
import polars as pl

from data.regions import display_name
from demo.people import OPD, person_names, phone_numbers, rng_for
from demo.places import DEMO_KABUPATEN, STORY_POSYANDU
from demo.scores import (
    SEVERITY_SD,
    criterion_difficulty,
    draw_quality,
    drop_missing,
    rank_contest,
    score_block,
)
from scoring.instrument import Instrument

SIX_FIELD = "enam-bidang-2026@1"
CLASSIC = "klasik-berjenjang-2018@1"
YEARS = (2025, 2026)
STAGES = (("administrasi", 40.0), ("lapangan", 60.0))
ADVANCE = {"kecamatan": 1, "kabupaten": 3, "provinsi": 1}
PROVINCES = ("36", "63", "64", "19")
JUDGES_PER_ENTRANT = 3
BLANK_SECTION_CONTEST = f"LP{YEARS[-1]}-KAB-36.02"
STORY_QUALITY = 3.7     # the founding material's award winners: Posyandu Jeruk and Posyandu Flamboyan
_LEVEL_WORD = {"kecamatan": "Kecamatan", "kabupaten": "Kabupaten", "provinsi": "Provinsi"}
# (month, day) of the Monday-or-later on which the administrasi week starts; lapangan follows a week later.
_STAGE_START = {"kecamatan": (8, 4), "kabupaten": (10, 13), "provinsi": (11, 10)}


@dataclass
class ContestTables:
    """Everything the contests add to the store, as rows ready for frames."""

    competitions: list[dict] = field(default_factory=list)
    stages: list[dict] = field(default_factory=list)
    entrants: list[dict] = field(default_factory=list)
    judges: list[dict] = field(default_factory=list)
    assignments: list[dict] = field(default_factory=list)
    scores: list[pl.DataFrame] = field(default_factory=list)
    quality: list[dict] = field(default_factory=list)
    severity: dict[str, float] = field(default_factory=dict)
    difficulty: dict[str, dict[str, float]] = field(default_factory=dict)
    blank_section: dict[str, str] = field(default_factory=dict)
    totals: list[pl.DataFrame] = field(default_factory=list)


def _monday_on_or_after(d: date) -> date:
    return d + timedelta(days=(7 - d.weekday()) % 7)


def _judge_pool(rng: np.random.Generator, prefix: str, region_label: str, size: int,
                home_desa: list[str], tables: ContestTables) -> list[str]:
    """`size` judges from the OPD of one region, each with a planted severity."""
    names = person_names(rng, size, female_share=0.5)
    phones = phone_numbers(rng, size)
    sev = rng.normal(0.0, SEVERITY_SD, size=size)
    homes = rng.choice(home_desa, size=size)
    ids = []
    for i in range(size):
        opd, spm = OPD[i % len(OPD)]
        jid = f"J-{prefix}-{i + 1:02d}"
        tables.judges.append({"judge_id": jid, "name": names[i], "institution": f"{opd} {region_label}",
                              "spm_field": spm, "phone": phones[i], "home_desa_code": str(homes[i])})
        tables.severity[jid] = float(sev[i])
        ids.append(jid)
    return ids


def _assign(rng: np.random.Generator, panel: list[str], homes: dict[str, str], desa: str,
            reserve: list[str]) -> list[str]:
    """Three distinct judges for one entrant and stage, never one who lives in the entrant's desa
    (a reserve judge of the same pool steps in when the panel is too small for that)."""
    eligible = [j for j in panel if homes[j] != desa]
    if len(eligible) < JUDGES_PER_ENTRANT:
        eligible += [j for j in reserve if j not in panel and homes[j] != desa]
    return [eligible[i] for i in sorted(rng.choice(len(eligible), size=JUDGES_PER_ENTRANT, replace=False))]


class _Builder:
    def __init__(self, seed: int, posyandu: pl.DataFrame, regions: pl.DataFrame,
                 instruments: dict[str, Instrument], progress: Callable[[float], None]):
        self.seed = seed
        self.instruments = instruments
        self.progress = progress
        self.t = ContestTables()
        self.desa_of = dict(zip(posyandu["posyandu_id"], posyandu["desa_code"], strict=True))
        self.posyandu = posyandu
        self.names = dict(zip(regions["code"], regions["name"], strict=True))
        self.kinds = dict(zip(regions["code"], regions["kind"], strict=True))
        self.story_ids = {pid for pid, name, desa in posyandu.select("posyandu_id", "name", "desa_code").iter_rows()
                          if STORY_POSYANDU.get(desa) == name}
        self.entrant_seq = 0
        self.homes: dict[str, str] = {}

    def label(self, code: str) -> str:
        return display_name(self.names[code], self.kinds[code])

    def add_competition(self, cid: str, name: str, year: int, level: str, scope: str, instrument_id: str,
                        parent: str | None, status: str, stages: tuple[tuple[str, float], ...],
                        start: date) -> dict[str, date]:
        self.t.competitions.append({
            "competition_id": cid, "name": name, "year": year, "level": level, "scope_code": scope,
            "category": "umum", "instrument_id": instrument_id, "aggregation": "mean",
            "advance_count": ADVANCE.get(level, 1), "parent_competition_id": parent, "status": status})
        starts = {}
        for i, (stage, weight) in enumerate(stages):
            s = start + timedelta(days=7 * i)
            done = status == "final" or i < len(stages) - 1
            self.t.stages.append({
                "competition_id": cid, "stage": stage, "ord": i, "start_date": s, "end_date": s + timedelta(days=4),
                "weight": weight,
                "finalized_at": datetime.combine(s + timedelta(days=4), time(16, 0)) if done else None})
            starts[stage] = s
        return starts

    def run_contest(self, cid: str, instrument_id: str, stages: tuple[tuple[str, float], ...],
                    starts: dict[str, date], entries: list[tuple[str, str | None]], panel: list[str],
                    reserve: list[str]) -> pl.DataFrame:
        """Add entrants (posyandu, source entrant), assign judges, draw scores; return the ranking."""
        instrument = self.instruments[instrument_id]
        if instrument_id not in self.t.difficulty:
            self.t.difficulty[instrument_id] = criterion_difficulty(rng_for(self.seed, "difficulty", instrument_id),
                                                                    instrument)
        rng = rng_for(self.seed, "contest", cid)
        stage_names = [s for s, _ in stages]
        ids, qualities = [], []
        for pid, source in entries:
            self.entrant_seq += 1
            eid = f"E{self.entrant_seq:05d}"
            ids.append(eid)
            self.t.entrants.append({"entrant_id": eid, "competition_id": cid, "posyandu_id": pid,
                                    "stage_reached": stage_names[-1], "advanced": False,
                                    "source_entrant_id": source})
            q = draw_quality(rng, stage_names, STORY_QUALITY if pid in self.story_ids else None)
            qualities.append(q)
            for s, v in q.items():
                self.t.quality.append({"entrant_id": eid, "stage": s, "quality": v})
        blocks = []
        for stage in stage_names:
            judges = [_assign(rng, panel, self.homes, self.desa_of[pid], reserve) for pid, _ in entries]
            assigned_at = datetime.combine(starts[stage] - timedelta(days=3), time(9, 0))
            for eid, js in zip(ids, judges, strict=True):
                for j in js:
                    self.t.assignments.append({"competition_id": cid, "stage": stage, "judge_id": j,
                                               "entrant_id": eid, "assigned_at": assigned_at})
            blocks.append(score_block(rng, cid, instrument, self.t.difficulty[instrument_id], stage, starts[stage],
                                      ids, [q[stage] for q in qualities], judges, self.t.severity))
        scores = drop_missing(rng, pl.concat(blocks))
        if cid == BLANK_SECTION_CONTEST:
            scores = _blank_section(self, cid, scores)
        self.t.scores.append(scores)
        assigned = pl.DataFrame([a for a in self.t.assignments if a["competition_id"] == cid])
        ranking = rank_contest(scores.drop("points"), instrument, dict(stages), assigned)
        self.t.totals.append(ranking.with_columns(pl.lit(cid).alias("competition_id")))
        return ranking

    def mark_advanced(self, ranking: pl.DataFrame, count: int) -> list[str]:
        winners = ranking.head(count)["entrant_id"].to_list()
        by_id = {e["entrant_id"]: e for e in self.t.entrants}
        for w in winners:
            by_id[w]["advanced"] = True
        return winners

    def posyandu_of(self, entrant_id: str) -> str:
        return next(e["posyandu_id"] for e in self.t.entrants if e["entrant_id"] == entrant_id)


def build_contests(seed: int, posyandu: pl.DataFrame, regions: pl.DataFrame, instruments: dict[str, Instrument],
                   progress: Callable[[float], None] = lambda f: None) -> ContestTables:
    """Judges, competitions for 2025 and 2026 at three levels plus the classic 2018 contest, and their scores."""
    b = _Builder(seed, posyandu, regions, instruments, progress)
    desa = regions.filter(pl.col("level") == 4)
    desa_by_kab = {k.code: desa.filter(pl.col("code").str.starts_with(k.code + "."))["code"].sort().to_list()
                   for k in DEMO_KABUPATEN}
    pools: dict[str, list[str]] = {}
    for kab in DEMO_KABUPATEN:
        pools[kab.code] = _judge_pool(rng_for(seed, "judges", kab.code), kab.code.replace(".", ""),
                                      b.label(kab.code), 22, desa_by_kab[kab.code], b.t)
    for prov in PROVINCES:
        homes = [d for k, ds in desa_by_kab.items() if k.startswith(prov + ".") for d in ds]
        pools[prov] = _judge_pool(rng_for(seed, "judges", prov), prov, f"Provinsi {b.names[prov]}", 12, homes, b.t)
    b.homes = {j["judge_id"]: j["home_desa_code"] for j in b.t.judges}

    steps = len(YEARS) * 3 + 1
    done = 0
    for year in YEARS:
        rng = rng_for(seed, "entries", year)
        kab_entries: dict[str, list[tuple[str, str | None]]] = {k.code: [] for k in DEMO_KABUPATEN}
        for kab in DEMO_KABUPATEN:
            kab_cid = f"LP{year}-KAB-{kab.code}"
            frame = posyandu.filter(pl.col("desa_code").str.starts_with(kab.code + ".")).with_columns(
                pl.col("desa_code").str.slice(0, 8).alias("kec"))
            for kec in frame["kec"].unique().sort().to_list():
                pool = frame.filter(pl.col("kec") == kec)["posyandu_id"].to_list()
                if len(pool) < 2:
                    continue
                n = min(len(pool), int(rng.integers(4, 9)))
                chosen = sorted(pool[i] for i in rng.choice(len(pool), size=n, replace=False))
                story = [p for p in pool if p in b.story_ids and p not in chosen]
                chosen = sorted(chosen[: n - len(story)] + story)
                cid = f"LP{year}-KEC-{kec}"
                (m, d) = _STAGE_START["kecamatan"]
                start = _monday_on_or_after(date(year, m, d)) + timedelta(days=7 * (DEMO_KABUPATEN.index(kab) % 3))
                starts = b.add_competition(cid, f"Lomba Posyandu Tingkat {b.label(kec)} {year}", year, "kecamatan",
                                           kec, SIX_FIELD, kab_cid, "final", STAGES, start)
                panel = [pools[kab.code][i] for i in sorted(rng.choice(22, size=5, replace=False))]
                ranking = b.run_contest(cid, SIX_FIELD, STAGES, starts, [(p, None) for p in chosen], panel,
                                       pools[kab.code])
                for w in b.mark_advanced(ranking, ADVANCE["kecamatan"]):
                    kab_entries[kab.code].append((b.posyandu_of(w), w))
        done += 1
        progress(done / steps)

        prov_entries: dict[str, list[tuple[str, str | None]]] = {p: [] for p in PROVINCES}
        for kab in DEMO_KABUPATEN:
            cid = f"LP{year}-KAB-{kab.code}"
            prov = kab.code[:2]
            start = _monday_on_or_after(date(year, *_STAGE_START["kabupaten"]))
            starts = b.add_competition(cid, f"Lomba Posyandu Tingkat {b.label(kab.code)} {year}", year, "kabupaten",
                                       kab.code, SIX_FIELD, f"LP{year}-PROV-{prov}", "final", STAGES, start)
            panel = [pools[kab.code][i] for i in sorted(rng.choice(22, size=8, replace=False))]
            ranking = b.run_contest(cid, SIX_FIELD, STAGES, starts, kab_entries[kab.code], panel, pools[kab.code])
            for w in b.mark_advanced(ranking, ADVANCE["kabupaten"]):
                prov_entries[prov].append((b.posyandu_of(w), w))
        done += 1
        progress(done / steps)

        for prov in PROVINCES:
            cid = f"LP{year}-PROV-{prov}"
            start = _monday_on_or_after(date(year, *_STAGE_START["provinsi"]))
            status = "final" if year < YEARS[-1] else "open"
            starts = b.add_competition(cid, f"Lomba Posyandu Tingkat Provinsi {b.names[prov]} {year}", year,
                                       "provinsi", prov, SIX_FIELD, None, status, STAGES, start)
            panel = [pools[prov][i] for i in sorted(rng.choice(12, size=6, replace=False))]
            b.run_contest(cid, SIX_FIELD, STAGES, starts, prov_entries[prov], panel, pools[prov])
        done += 1
        progress(done / steps)

    _classic_contest(b, pools)
    progress(1.0)
    return b.t


def _classic_contest(b: _Builder, pools: dict[str, list[str]]) -> None:
    """A 2018-style kabupaten contest on the classic level-section instrument, to show the model is general."""
    if CLASSIC not in b.instruments:
        return
    rng = rng_for(b.seed, "classic")
    lebak = b.posyandu.filter(pl.col("desa_code").str.starts_with("36.02."))["posyandu_id"].to_list()
    chosen = sorted(lebak[i] for i in rng.choice(len(lebak), size=6, replace=False))
    cid = "LP2018-KAB-36.02-KLASIK"
    stages = (("lapangan", 100.0),)
    starts = b.add_competition(cid, "Lomba Posyandu Tingkat Kab. Lebak 2018 (format berjenjang)", 2018, "kabupaten",
                               "36.02", CLASSIC, None, "final", stages, _monday_on_or_after(date(2018, 9, 10)))
    panel = [pools["36.02"][i] for i in sorted(rng.choice(22, size=4, replace=False))]
    b.run_contest(cid, CLASSIC, stages, starts, [(p, None) for p in chosen], panel,
                                       pools["36.02"])


def _blank_section(b: _Builder, cid: str, scores: pl.DataFrame) -> pl.DataFrame:
    """One judge left a whole section blank for one entrant (Kab. Lebak 2026, lapangan): drop those rows
    before the ranking, so who advances still follows the scores in the store."""
    instrument = b.instruments[SIX_FIELD]
    section = next((s for s in instrument.sections if s.spm_field == "perumahan_rakyat"), instrument.sections[1])
    crit_ids = [c.id for c in section.criteria]
    first = next(a for a in b.t.assignments if a["competition_id"] == cid and a["stage"] == "lapangan")
    b.t.blank_section = {"competition_id": cid, "stage": "lapangan", "judge_id": first["judge_id"],
                         "entrant_id": first["entrant_id"], "section_id": section.id}
    return scores.filter(~((pl.col("stage") == "lapangan") & (pl.col("judge_id") == first["judge_id"])
                           & (pl.col("entrant_id") == first["entrant_id"]) & pl.col("criterion_id").is_in(crit_ids)))


def truth_difficulty_json(tables: ContestTables) -> str:
    """The planted criterion difficulties, {instrument_id: {criterion_id: difficulty}}, for the meta table."""
    return json.dumps(tables.difficulty, sort_keys=True)


def winners_in_order(tables: ContestTables) -> np.ndarray:
    """Entrant ids of every contest's ranking, best first (for tests and practices)."""
    return pl.concat(tables.totals)["entrant_id"].to_numpy()
