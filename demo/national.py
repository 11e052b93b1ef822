"""A national-scale store for benchmarks: 300,000 posyandu over the real desa of all Indonesia, one contest per
province, 60 criteria × 3 judges ≈ 54 million scores, written straight into DuckDB in a few minutes.

Rows are generated inside DuckDB over range() with hash-based pseudo-random numbers (uniform from the hash
bits, normal by Box–Muller), from the same generative model as the demo (`data/demo_scores.py`): the planted
judge severity and entrant quality go into the truth tables. Same seed → same store.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import polars as pl

from data import regions as regions_mod
from data import store
from demo.build import DEMO_LOADED_AT, build_store_file, load_bundled_instruments
from demo.contests import SIX_FIELD
from demo.people import OPD, person_names, phone_numbers, rng_for
from demo.places import BASE_NAMES
from demo.scores import (
    NOISE_SD,
    QUALITY_MEAN,
    QUALITY_SD,
    SEVERITY_SD,
    _band,
    criterion_difficulty,
)
from scoring.fields import SPM_FIELDS

NATIONAL_YEAR = 2026
JUDGES_PER_PROVINCE = 30
STAGE = "lapangan"
# Stride through the desa list (a prime, coprime to the desa count): even tiny builds spread over the country.
_DESA_STRIDE = 7919

# Approximate provincial capitals (lat, lon): where a province's posyandu are scattered for aggregated maps.
PROVINCE_CENTRES: dict[str, tuple[float, float]] = {
    "11": (5.55, 95.32), "12": (3.59, 98.67), "13": (-0.95, 100.35), "14": (0.51, 101.45), "15": (-1.61, 103.61),
    "16": (-2.98, 104.76), "17": (-3.79, 102.26), "18": (-5.43, 105.26), "19": (-2.13, 106.11),
    "21": (0.92, 104.45), "31": (-6.20, 106.85), "32": (-6.91, 107.61), "33": (-6.99, 110.42),
    "34": (-7.80, 110.36), "35": (-7.25, 112.75), "36": (-6.12, 106.15), "51": (-8.65, 115.22),
    "52": (-8.58, 116.12), "53": (-10.17, 123.61), "61": (-0.03, 109.33), "62": (-2.21, 113.92),
    "63": (-3.32, 114.59), "64": (-0.50, 117.15), "65": (2.84, 117.37), "71": (1.47, 124.84),
    "72": (-0.90, 119.87), "73": (-5.15, 119.43), "74": (-3.97, 122.51), "75": (0.54, 123.06),
    "76": (-2.67, 118.89), "81": (-3.70, 128.18), "82": (0.74, 127.56), "91": (-2.53, 140.72),
    "92": (-0.86, 134.06), "93": (-8.49, 140.40), "94": (-3.37, 135.50), "95": (-4.09, 138.94),
    "96": (-0.88, 131.25),
}
_SCATTER_DEG = 0.45


def _uniform(seed: int, *parts: str) -> str:
    """SQL for a uniform number in (0, 1) from the hash of the seed and `parts` (53 bits of the 64-bit hash)."""
    return f"((hash({int(seed)}, {', '.join(parts)}) >> 11)::DOUBLE + 0.5) / 9007199254740992.0"


def _normal(seed: int, *parts: str) -> str:
    """SQL for a standard normal draw: Box–Muller over the two 32-bit halves of one hash (one hash per row)."""
    h = f"hash({int(seed)}, {', '.join(parts)})"
    u1 = f"(({h} >> 32)::DOUBLE + 0.5) / 4294967296.0"
    u2 = f"(({h} & 4294967295)::DOUBLE + 0.5) / 4294967296.0"
    return f"(sqrt(-2.0 * ln({u1})) * cos(2.0 * pi() * {u2}))"


def build_national(path: Path, n_posyandu: int = 300_000, n_judges_per_entrant: int = 3, seed: int = 2026,
                   progress: Callable[[float, str], None] | None = None, lang: str = "id") -> None:
    """Write the national benchmark store at `path` (built as `.building`, renamed at the end)."""
    build_store_file(path, lambda con, step: _build(con, n_posyandu, n_judges_per_entrant, seed, step), progress,
                     lang)


def _build(con, n: int, k: int, seed: int, step: Callable[[float, str], None]) -> None:
    step(0.01, "demo_step_regions")
    regions_mod.load_regions(con)
    step(0.03, "demo_step_instruments")
    instruments = load_bundled_instruments(con)
    instrument = instruments[SIX_FIELD]

    step(0.05, "demo_national_step_posyandu")
    names = pl.DataFrame({"ni": list(range(len(BASE_NAMES))), "base": list(BASE_NAMES)})
    centres = pl.DataFrame({"prov": list(PROVINCE_CENTRES), "clat": [c[0] for c in PROVINCE_CENTRES.values()],
                            "clon": [c[1] for c in PROVINCE_CENTRES.values()]})
    with store.transaction(con):
        con.register("_names", names.to_arrow())
        con.register("_centres", centres.to_arrow())
        con.execute("CREATE TEMP TABLE _desa AS SELECT (row_number() OVER (ORDER BY code) - 1)::BIGINT AS di, code "
                    "FROM regions WHERE level = 4")
        n_desa = con.sql("SELECT count(*) FROM _desa").fetchone()[0]
        con.execute(f"""
            CREATE TEMP TABLE _p AS
            SELECT i, 'N' || lpad(i::VARCHAR, 7, '0') AS posyandu_id, d.code AS desa_code,
                   (i // {n_desa} + 1)::INTEGER AS nr, left(d.code, 2) AS prov
            FROM range({int(n)}) r(i) JOIN _desa d ON d.di = (i * {_DESA_STRIDE}) % {n_desa}""")
        con.execute(f"""
            INSERT INTO posyandu (posyandu_id, reg_number, name, desa_code, lat, lon, pengurus_count, own_building,
                                  equipment_complete, opening_days_per_year, strata, founded_year)
            SELECT p.posyandu_id, replace(p.desa_code, '.', '') || lpad(p.nr::VARCHAR, 3, '0'),
                   nm.base || ' ' || p.nr, p.desa_code,
                   c.clat + ({_uniform(seed, 'p.i', "'lat'")} - 0.5) * {2 * _SCATTER_DEG},
                   c.clon + ({_uniform(seed, 'p.i', "'lon'")} - 0.5) * {2 * _SCATTER_DEG},
                   4 + (hash({seed}, p.i, 'pg') % 4)::INTEGER,
                   hash({seed}, p.i, 'ob') % 100 < 45, hash({seed}, p.i, 'eq') % 100 < 60,
                   [8, 10, 12, 12, 12, 24][1 + (hash({seed}, p.i, 'od') % 6)::INTEGER],
                   ['pratama', 'madya', 'madya', 'purnama', 'purnama', 'mandiri'][1 + (hash({seed}, p.i, 'st') % 6)::INTEGER],
                   1986 + (hash({seed}, p.i, 'fy') % 39)::INTEGER
            FROM _p p
            JOIN _names nm ON nm.ni = hash({seed}, p.i, 'nm') % {len(BASE_NAMES)}
            LEFT JOIN _centres c ON c.prov = p.prov""")
        fields = ", ".join(f"'{f}'" for f in SPM_FIELDS)
        con.execute(f"""
            INSERT INTO posyandu_kader (posyandu_id, spm_field, kader_count, kader_trained)
            SELECT p.posyandu_id, f.spm_field, 1 + (hash({seed}, p.i, f.spm_field) % 4)::INTEGER,
                   (hash({seed}, p.i, f.spm_field, 't') % 2)::INTEGER
            FROM _p p CROSS JOIN (SELECT unnest([{fields}]) AS spm_field) f""")
        con.unregister("_names")
        con.unregister("_centres")

    step(0.15, "demo_step_competitions")
    provinces = [r[0] for r in con.sql("SELECT DISTINCT prov FROM _p ORDER BY 1").fetchall()]
    prov_names = dict(con.sql("SELECT code, name FROM regions WHERE level = 1").fetchall())
    rng = rng_for(seed, "national_judges")
    judges = []
    for prov in provinces:
        people = person_names(rng, JUDGES_PER_PROVINCE)
        phones = phone_numbers(rng, JUDGES_PER_PROVINCE)
        for j in range(JUDGES_PER_PROVINCE):
            opd, field = OPD[j % len(OPD)]
            judges.append({"judge_id": f"NJ-{prov}-{j + 1:02d}", "name": people[j],
                           "institution": f"{opd} Provinsi {prov_names[prov]}", "spm_field": field,
                           "phone": phones[j], "home_desa_code": None})
    judges_frame = pl.DataFrame(judges, schema_overrides={"home_desa_code": pl.String, "spm_field": pl.String})
    severity = pl.DataFrame({"judge_id": judges_frame["judge_id"],
                             "severity": rng.normal(0.0, SEVERITY_SD, size=judges_frame.height)})
    difficulty = criterion_difficulty(rng_for(seed, "difficulty", SIX_FIELD), instrument)
    crits = pl.DataFrame({
        "ci": list(range(len(instrument.criteria))),
        "criterion_id": [c.id for c in instrument.criteria],
        "difficulty": [difficulty[c.id] for c in instrument.criteria],
        "is_real": [c.kind == "real" and bool(c.thresholds) for c in instrument.criteria],
    })
    bands = pl.DataFrame([
        {"criterion_id": c.id, "points": p, "low": b[0], "high": b[1],
         "whole": all(float(th.min_value).is_integer() for th in c.thresholds) and (c.unit or "").strip() != "%"}
        for c in instrument.criteria if c.kind == "real" and c.thresholds
        for p in (1, 2, 3, 4) if (b := _band(c, p)) is not None
    ], schema={"criterion_id": pl.String, "points": pl.Int32, "low": pl.Float64, "high": pl.Float64,
               "whole": pl.Boolean})
    comps = pl.DataFrame({
        "competition_id": [f"NAS{NATIONAL_YEAR}-PROV-{p}" for p in provinces],
        "name": [f"Lomba Posyandu Tingkat Provinsi {prov_names[p]} {NATIONAL_YEAR} (skala nasional)" for p in provinces],
        "year": NATIONAL_YEAR, "level": "provinsi", "scope_code": provinces, "category": "umum",
        "instrument_id": SIX_FIELD, "aggregation": "mean", "advance_count": 1, "status": "final",
    })
    start = datetime(NATIONAL_YEAR, 10, 20)
    stages = comps.select("competition_id").with_columns(
        pl.lit(STAGE).alias("stage"), pl.lit(0).alias("ord"), pl.lit(start.date()).alias("start_date"),
        pl.lit(datetime(NATIONAL_YEAR, 10, 24).date()).alias("end_date"), pl.lit(100.0).alias("weight"),
        pl.lit(datetime(NATIONAL_YEAR, 10, 24, 16)).alias("finalized_at"))
    with store.transaction(con):
        for table, frame in (("judges", judges_frame), ("truth_judge_severity", severity), ("competitions", comps),
                             ("competition_stages", stages)):
            store.insert_frame(con, table, frame)
        con.register("_crits_in", crits.to_arrow())
        con.register("_bands_in", bands.to_arrow())
        con.execute("CREATE TEMP TABLE _crits AS SELECT * FROM _crits_in")
        con.execute("CREATE TEMP TABLE _bands AS SELECT * FROM _bands_in")
        con.unregister("_crits_in")
        con.unregister("_bands_in")
        con.execute(f"""
            CREATE TEMP TABLE _e AS
            SELECT p.i, 'NE' || lpad(p.i::VARCHAR, 7, '0') AS entrant_id, p.posyandu_id, p.prov,
                   'NAS{NATIONAL_YEAR}-PROV-' || p.prov AS competition_id,
                   {QUALITY_MEAN} + {QUALITY_SD} * {_normal(seed, 'p.i', "'q'")} AS quality,
                   (hash({seed}, p.i, 'j') % {JUDGES_PER_PROVINCE})::INTEGER AS j0
            FROM _p p""")
        con.execute("""INSERT INTO entrants (entrant_id, competition_id, posyandu_id, stage_reached, advanced)
                       SELECT entrant_id, competition_id, posyandu_id, 'lapangan', false FROM _e""")
        con.execute("INSERT INTO truth_entrant_quality SELECT entrant_id, 'lapangan', quality FROM _e")
        # Judge slot s of an entrant: panel index (j0 + 7 s) mod 30, distinct for up to 4 slots.
        con.execute(f"""
            CREATE TEMP TABLE _a AS
            SELECT e.i, e.entrant_id, e.competition_id, s.slot,
                   'NJ-' || e.prov || '-' || lpad(((e.j0 + 7 * s.slot) % {JUDGES_PER_PROVINCE} + 1)::VARCHAR, 2, '0')
                       AS judge_id, e.quality,
                   TIMESTAMP '{start:%Y-%m-%d} 08:00' + to_minutes((hash({seed}, e.i, s.slot) % 2400)::BIGINT)
                       AS created_at
            FROM _e e CROSS JOIN range({int(k)}) s(slot)""")
        con.execute(f"""INSERT INTO assignments (competition_id, stage, judge_id, entrant_id, assigned_at)
                        SELECT competition_id, '{STAGE}', judge_id, entrant_id, TIMESTAMP '{NATIONAL_YEAR}-10-17 09:00'
                        FROM _a""")

    # 54 million rows through the scores primary key would cost minutes and gigabytes of index: the benchmark
    # store keeps the same columns without the key (each row is still unique by construction). The codes of
    # every id are handed out up front, in the order of the id, as `data.store.score_rows` would.
    with store.transaction(con):
        for table, col, source in (
                ("key_competition", "competition_id", "SELECT competition_id FROM competitions"),
                ("key_stage", "stage", f"SELECT '{STAGE}'"),
                ("key_entrant", "entrant_id", "SELECT entrant_id FROM _e"),
                ("key_judge", "judge_id", "SELECT judge_id FROM judges WHERE judge_id LIKE 'NJ-%'"),
                ("key_criterion", "criterion_id", "SELECT criterion_id FROM _crits"),
                ("key_option", "option_code", "SELECT unnest(['a', 'b', 'c', 'd'])")):
            con.execute(f"INSERT INTO {table} (no, {col}) "
                        f"SELECT (SELECT coalesce(max(no) + 1, 0) FROM {table}) + row_number() OVER (ORDER BY v) - 1, v "
                        f"FROM ({source}) s(v) WHERE v NOT IN (SELECT {col} FROM {table})")
        con.execute("CREATE TABLE _scores_nokey AS SELECT * FROM score_choices LIMIT 0")
        con.execute("DROP TABLE score_choices")
        con.execute("ALTER TABLE _scores_nokey RENAME TO score_choices")
        con.execute("""CREATE TEMP TABLE _ac AS
                       SELECT a.*, ke.no AS entrant_no, kj.no AS judge_no, kc.no AS competition_no
                       FROM _a a JOIN key_entrant ke ON ke.entrant_id = a.entrant_id
                       JOIN key_judge kj ON kj.judge_id = a.judge_id
                       JOIN key_competition kc ON kc.competition_id = a.competition_id""")
        con.execute("""CREATE TEMP TABLE _cc AS SELECT c.*, k.no AS criterion_no FROM _crits c
                       JOIN key_criterion k ON k.criterion_id = c.criterion_id""")
    stage_no = con.sql("SELECT no FROM key_stage WHERE stage = ?", params=[STAGE]).fetchone()[0]
    total = len(provinces)
    for done, prov in enumerate(provinces, start=1):
        with store.transaction(con):
            con.execute(f"""
                INSERT INTO score_choices (competition_no, stage_no, entrant_no, judge_no, criterion_no, option_no,
                                           real_value, note, evidence, created_at, updated_at)
                WITH raw AS (
                    SELECT a.competition_no, a.entrant_no, a.judge_no, c.criterion_no, c.criterion_id, c.is_real,
                           a.i, c.ci,
                           greatest(1, least(4, round(a.quality + c.difficulty + sv.severity
                               + {NOISE_SD} * {_normal(seed, 'a.i', 'a.slot', 'c.ci')})))::INTEGER AS points,
                           CASE WHEN c.is_real THEN {_uniform(seed, 'a.i', 'a.slot', 'c.ci', "'rv'")} END AS u,
                           a.created_at
                    FROM _ac a
                    JOIN truth_judge_severity sv ON sv.judge_id = a.judge_id
                    CROSS JOIN _cc c
                    WHERE a.competition_id = 'NAS{NATIONAL_YEAR}-PROV-' || ?
                )
                SELECT r.competition_no, {int(stage_no)}, r.entrant_no, r.judge_no, r.criterion_no,
                       CASE WHEN r.is_real THEN NULL
                            ELSE (SELECT no FROM key_option WHERE option_code = ['d', 'c', 'b', 'a'][r.points]) END,
                       CASE WHEN NOT r.is_real THEN NULL
                            WHEN b.whole THEN floor(ceil(b.low) + r.u * (ceil(b.high) - ceil(b.low)))
                            ELSE floor((b.low + r.u * (b.high - 0.1 - b.low)) * 10) / 10 END,
                       NULL, []::VARCHAR[], r.created_at, r.created_at
                FROM raw r LEFT JOIN _bands b ON b.criterion_id = r.criterion_id AND b.points = r.points""",
                [prov])
        step(0.2 + 0.78 * done / total, "demo_national_step_scores")
    with store.transaction(con):
        con.execute("UPDATE instruments SET loaded_at = ?", [DEMO_LOADED_AT])
        store.touch_everything(con)   # the bulk writes above bypass the touching write paths
        store.set_meta(con, "demo_seed", str(seed))
        store.set_meta(con, "demo_generator_version", "national-1")
        store.set_meta(con, "demo_national_posyandu", str(int(n)))
