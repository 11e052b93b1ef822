"""The demo store: deterministic, the right size and shape, winners advancing as their scores say, the
founding material's places and posyandu present, and the planted truth kept for checking the engine."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import polars as pl
import pytest

from data import store
from data.instruments.loader import bundled_instrument
from demo.build import build_demo
from demo.contests import SIX_FIELD
from demo.national import build_national
from demo.scores import rank_contest, threshold_points
from scoring.fields import SPM_FIELDS

SMALL_SCALE = 0.1


def _checksums(path: Path) -> dict[str, tuple[int, str]]:
    """Row count and an order-independent md5 of every table (schema_migrations.applied_at is wall-clock)."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        out = {}
        for table in store.table_names(con):
            if table == "schema_migrations":
                continue
            # Password hashes are salted afresh and publication stamps the wall clock on every build;
            # everything else must be identical.
            rows = {
                "users": "(SELECT username, role, judge_id, region_code FROM users)",
                "result_snapshots": "(SELECT * EXCLUDE (finalized_at) FROM result_snapshots)",
                "audit_log": "(SELECT * EXCLUDE (changed_at) FROM audit_log)",
                # the frozen detail (013) is stamped too, and its Arrow bytes keep the engine's row order,
                # which a group_by does not fix: which frames, of which snapshot, with how many rows
                "snapshot_frames": "(SELECT * EXCLUDE (frozen_at, data) FROM snapshot_frames)",
            }.get(table, table)
            out[table] = con.sql(
                f"SELECT count(*), coalesce(md5(string_agg(h, '' ORDER BY h)), '') "
                f"FROM (SELECT md5(CAST(t AS VARCHAR)) AS h FROM {rows} t)"
            ).fetchone()
        return out
    finally:
        con.close()


@pytest.fixture(scope="module")
def demo(request, tmp_path_factory) -> duckdb.DuckDBPyConnection:
    """The full demo: the session's shared build when conftest provides `demo_path`, else our own."""
    try:
        path = Path(request.getfixturevalue("demo_path"))
    except pytest.FixtureLookupError:
        path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
        build_demo(path)
    con = duckdb.connect(str(path), read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="module")
def small_builds(tmp_path_factory) -> tuple[Path, Path, list[tuple[float, str]]]:
    base = tmp_path_factory.mktemp("small")
    seen: list[tuple[float, str]] = []
    first, second = base / "a.duckdb", base / "b.duckdb"
    build_demo(first, seed=7, scale=SMALL_SCALE, progress=lambda f, label: seen.append((f, label)))
    build_demo(second, seed=7, scale=SMALL_SCALE)
    return first, second, seen


def test_same_seed_builds_the_same_store(small_builds):
    first, second, _ = small_builds
    a, b = _checksums(first), _checksums(second)
    assert a == b
    assert a["scores"][0] > 10_000 and a["posyandu"][0] > 50


def test_build_leaves_no_partial_file_and_reports_progress(small_builds):
    first, _, seen = small_builds
    assert not first.with_suffix(".building").exists()
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert all(label and not label.startswith("⟦") for _, label in seen)   # translated, not raw keys


def test_a_failed_build_leaves_nothing_behind(tmp_path, monkeypatch):
    import demo.build as demo_mod

    def boom(con):
        raise RuntimeError("disk full")

    monkeypatch.setattr(demo_mod.regions_mod, "load_regions", boom)
    target = tmp_path / "demo.duckdb"
    with pytest.raises(RuntimeError):
        build_demo(target, scale=SMALL_SCALE)
    assert not target.exists() and not target.with_suffix(".building").exists()


def test_demo_has_about_1500_posyandu_in_real_desa(demo):
    scale = float(store.get_meta(demo, "demo_scale") or 1)
    n = demo.sql("SELECT count(*) FROM posyandu").fetchone()[0]
    if scale == 1.0:
        assert 1350 <= n <= 1650
    orphans = demo.sql("SELECT count(*) FROM posyandu p LEFT JOIN regions r ON r.code = p.desa_code "
                       "WHERE r.code IS NULL OR r.level <> 4").fetchone()[0]
    assert orphans == 0
    kab = {r[0] for r in demo.sql("SELECT DISTINCT left(desa_code, 5) FROM posyandu").fetchall()}
    assert kab == {"36.02", "63.03", "63.10", "64.02", "19.05"}
    dupes = demo.sql("SELECT count(*) FROM (SELECT desa_code, name FROM posyandu GROUP BY ALL HAVING count(*) > 1)")
    assert dupes.fetchone()[0] == 0


def test_story_posyandu_of_the_founding_material_exist(demo):
    rows = demo.sql("SELECT name, desa_code FROM posyandu WHERE (name, desa_code) IN "
                    "(('Jeruk', '36.02.18.2010'), ('Flamboyan', '19.05.05.2004'))").fetchall()
    assert sorted(rows) == [("Flamboyan", "19.05.05.2004"), ("Jeruk", "36.02.18.2010")]
    names = dict(demo.sql("SELECT code, name FROM regions WHERE code IN ('19.05.05.2004', '19.05.05')").fetchall())
    assert names == {"19.05.05.2004": "Buyan Kelumbi", "19.05.05": "Tempilang"}


def test_profiles_are_complete_and_plausible(demo):
    prof = demo.sql("SELECT * FROM posyandu").pl()
    assert prof.select(pl.all().null_count()).row(0) == (0,) * prof.width
    assert prof["reg_number"].str.starts_with("").all()
    assert (prof["reg_number"].str.slice(0, 10) == prof["desa_code"].str.replace_all(".", "", literal=True)).all()
    kader = demo.sql("SELECT posyandu_id, sum(kader_count) AS n, count(*) AS fields FROM posyandu_kader "
                     "GROUP BY 1").pl()
    assert kader.height == prof.height and (kader["fields"] == len(SPM_FIELDS)).all()
    assert 10 <= kader["n"].median() <= 15


def test_points_lie_near_their_desa(demo):
    far = demo.sql("SELECT count(*) FROM posyandu p JOIN regions r ON r.code = p.desa_code "
                   "WHERE r.lat IS NULL OR abs(p.lat - r.lat) > 0.2 OR abs(p.lon - r.lon) > 0.2").fetchone()[0]
    assert far == 0
    kec = demo.sql("SELECT count(*) FROM regions WHERE level = 3 AND left(code, 5) IN "
                   "('36.02', '63.03', '63.10', '64.02', '19.05') AND lat IS NULL").fetchone()[0]
    assert kec == 0


def test_contests_at_three_levels_for_2025_and_2026(demo):
    levels = demo.sql("SELECT year, level, count(*) FROM competitions WHERE instrument_id = ? GROUP BY ALL",
                      params=[SIX_FIELD]).fetchall()
    got = {(y, lv): c for y, lv, c in levels}
    for year in (2025, 2026):
        assert got[(year, "kabupaten")] == 5
        assert got[(year, "provinsi")] == 4            # Banten, Kalsel (two kabupaten), Kaltim, Babel
        assert got[(year, "kecamatan")] >= 50
    classic = demo.sql("SELECT count(*) FROM competitions c JOIN entrants e USING (competition_id) "
                       "WHERE instrument_id = 'klasik-berjenjang-2018@1'").fetchone()[0]
    assert classic >= 4
    stages = demo.sql("SELECT stage, weight, count(*) FROM competition_stages WHERE competition_id LIKE 'LP2025%' "
                      "GROUP BY ALL ORDER BY 1").fetchall()
    assert [(s, w) for s, w, _ in stages] == [("administrasi", 40.0), ("lapangan", 60.0)]


def test_three_judges_per_entrant_per_stage(demo):
    per = demo.sql("""SELECT e.entrant_id, s.stage, count(a.judge_id) AS n FROM entrants e
                      JOIN competition_stages s USING (competition_id)
                      LEFT JOIN assignments a ON a.entrant_id = e.entrant_id AND a.stage = s.stage
                      GROUP BY ALL""").pl()
    assert per.height > 0 and (per["n"] == 3).all()
    coi = demo.sql("""SELECT count(*) FROM assignments a JOIN entrants e USING (entrant_id)
                      JOIN posyandu p USING (posyandu_id) JOIN judges j USING (judge_id)
                      WHERE j.home_desa_code = p.desa_code""").fetchone()[0]
    assert coi == 0


def test_higher_level_entrants_are_exactly_the_advanced_ones_below(demo):
    rows = demo.sql("""SELECT up.entrant_id, up.competition_id, low.advanced, low.posyandu_id = up.posyandu_id AS same,
                              lc.parent_competition_id = up.competition_id AS parent_ok
                       FROM entrants up JOIN entrants low ON low.entrant_id = up.source_entrant_id
                       JOIN competitions lc ON lc.competition_id = low.competition_id""").pl()
    assert rows.height > 0 and rows["advanced"].all() and rows["same"].all() and rows["parent_ok"].all()
    upper_levels = demo.sql("SELECT count(*) FROM entrants e JOIN competitions c USING (competition_id) "
                            "WHERE c.level IN ('kabupaten', 'provinsi') AND c.instrument_id = ? "
                            "AND e.source_entrant_id IS NULL", params=[SIX_FIELD]).fetchone()[0]
    assert upper_levels == 0
    advanced = demo.sql("SELECT count(*) FROM entrants WHERE advanced").fetchone()[0]
    assert advanced == rows.height
    counts = demo.sql("""SELECT c.competition_id, c.advance_count, count(*) FILTER (WHERE e.advanced) AS adv,
                                count(*) AS n, p.competition_id IS NOT NULL AS has_parent
                         FROM competitions c JOIN entrants e USING (competition_id)
                         LEFT JOIN competitions p ON p.competition_id = c.parent_competition_id GROUP BY ALL""").pl()
    with_parent = counts.filter("has_parent")
    assert with_parent.height > 0
    assert with_parent.select((pl.col("adv") == pl.min_horizontal("advance_count", "n")).all()).item()


def test_who_advances_follows_the_stored_scores(demo):
    """Re-rank contests from what the store holds (scores as written, after the missing ones were dropped)."""
    instrument = bundled_instrument(SIX_FIELD)
    comps = demo.sql("SELECT competition_id, advance_count FROM competitions WHERE parent_competition_id "
                     "IS NOT NULL ORDER BY competition_id").fetchall()
    for cid, count in comps[:: max(1, len(comps) // 12)]:
        scores = demo.sql("SELECT * FROM scores WHERE competition_id = ?", params=[cid]).pl()
        assigned = demo.sql("SELECT * FROM assignments WHERE competition_id = ?", params=[cid]).pl()
        ranking = rank_contest(scores, instrument, {"administrasi": 40.0, "lapangan": 60.0}, assigned)
        advanced = {r[0] for r in demo.sql("SELECT entrant_id FROM entrants WHERE competition_id = ? AND advanced",
                                           params=[cid]).fetchall()}
        assert set(ranking.head(count)["entrant_id"]) == advanced, cid


def test_real_value_criteria_carry_values_that_earn_one_to_four_points(demo):
    instrument = bundled_instrument(SIX_FIELD)
    real_ids = [c.id for c in instrument.criteria if c.kind == "real"]
    rows = demo.sql("SELECT criterion_id, option_code, real_value FROM scores WHERE list_contains(?, criterion_id)",
                    params=[real_ids]).pl()
    assert rows.height > 0 and rows["option_code"].is_null().all() and rows["real_value"].is_not_null().all()
    for c in instrument.criteria:
        if c.kind == "real":
            vals = rows.filter(criterion_id=c.id)["real_value"].to_numpy()
            assert set(np.unique(threshold_points(c, vals))) <= {1.0, 2.0, 3.0, 4.0}
            assert len(np.unique(threshold_points(c, vals))) >= 3


def test_about_half_a_percent_of_scores_missing_and_one_blank_section(demo):
    expected = demo.sql("""SELECT sum(n) FROM (SELECT a.entrant_id, count(*) * (SELECT count(*) FROM instrument_criteria ic
                            WHERE ic.instrument_id = c.instrument_id) AS n FROM assignments a
                            JOIN competitions c USING (competition_id) GROUP BY a.entrant_id, a.stage, a.judge_id,
                            c.instrument_id)""").fetchone()[0]
    got = demo.sql("SELECT count(*) FROM scores").fetchone()[0]
    assert 0.003 <= 1 - got / expected <= 0.012
    blank = dict(kv.split("=") for kv in store.get_meta(demo, "demo_blank_section").split(","))
    section_rows = demo.sql("""SELECT count(*) FROM scores s JOIN instrument_criteria ic
                               ON ic.instrument_id = ? AND ic.criterion_id = s.criterion_id
                               WHERE s.entrant_id = ? AND s.stage = ? AND s.judge_id = ? AND ic.section_id = ?""",
                            params=[SIX_FIELD, blank["entrant_id"], blank["stage"], blank["judge_id"],
                                    blank["section_id"]]).fetchone()[0]
    other_rows = demo.sql("SELECT count(*) FROM scores WHERE entrant_id = ? AND stage = ? AND judge_id = ?",
                          params=[blank["entrant_id"], blank["stage"], blank["judge_id"]]).fetchone()[0]
    assert section_rows == 0 and other_rows > 30


def test_planted_truth_is_stored_for_every_judge_and_entrant_stage(demo):
    judges = demo.sql("SELECT count(*), count(t.judge_id) FROM judges j "
                      "LEFT JOIN truth_judge_severity t USING (judge_id)").fetchone()
    assert judges[0] == judges[1] > 50
    missing = demo.sql("""SELECT count(*) FROM entrants e JOIN competition_stages s USING (competition_id)
                          LEFT JOIN truth_entrant_quality q ON q.entrant_id = e.entrant_id AND q.stage = s.stage
                          WHERE q.quality IS NULL""").fetchone()[0]
    assert missing == 0
    sd = demo.sql("SELECT stddev(severity) FROM truth_judge_severity").fetchone()[0]
    assert 0.2 < sd < 0.5
    assert store.get_meta(demo, "demo_seed") and store.get_meta(demo, "demo_generator_version")
    assert SIX_FIELD in store.get_meta(demo, "demo_truth_criterion_difficulty")


def test_practices_and_service_records_cover_the_six_fields(demo):
    fields = {r[0] for r in demo.sql("SELECT DISTINCT spm_field FROM practices").fetchall()}
    assert fields == set(SPM_FIELDS)
    assert demo.sql("SELECT count(*) FROM practices WHERE length(description) < 60").fetchone()[0] == 0
    per_kab = dict(demo.sql("SELECT left(p.desa_code, 5), count(*) FROM service_records s "
                            "JOIN posyandu p USING (posyandu_id) GROUP BY 1").fetchall())
    scale = float(store.get_meta(demo, "demo_scale") or 1)
    assert len(per_kab) == 5 and all(n >= 200 * scale for n in per_kab.values())
    statuses = {r[0] for r in demo.sql("SELECT DISTINCT status FROM service_records").fetchall()}
    assert statuses == {"recorded", "verified", "referred", "resolved"}
    years = {r[0] for r in demo.sql("SELECT DISTINCT year(recorded_on) FROM service_records").fetchall()}
    assert years == {2025, 2026}


def test_small_national_build_has_the_expected_shape_and_is_deterministic(tmp_path):
    a, b = tmp_path / "n1.duckdb", tmp_path / "n2.duckdb"
    build_national(a, n_posyandu=200, seed=3)
    build_national(b, n_posyandu=200, seed=3)
    sums = _checksums(a)
    assert sums == _checksums(b)
    n_criteria = len(bundled_instrument(SIX_FIELD).criteria)
    assert sums["posyandu"][0] == 200 and sums["entrants"][0] == 200
    assert sums["assignments"][0] == 200 * 3
    assert sums["scores"][0] == 200 * 3 * n_criteria
    assert sums["truth_entrant_quality"][0] == 200
    con = duckdb.connect(str(a), read_only=True)
    try:
        provinces = con.sql("SELECT count(DISTINCT left(desa_code, 2)) FROM posyandu").fetchone()[0]
        assert provinces >= 30                    # spread over the whole country, not one province
        assert con.sql("SELECT count(*) FROM competitions").fetchone()[0] == provinces
    finally:
        con.close()
