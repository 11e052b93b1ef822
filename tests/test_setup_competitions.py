"""Competitions set up by the panitia: validation, the rule-change policy (free → with a reason → frozen),
audit entries, and the one door from a competition's columns to the engine's rules."""

from __future__ import annotations

import datetime as dt

import pytest

from data.exchange.problems import message_keys
from data.instruments import loader, persistence
from data.judging.auth import PermissionDenied, User
from data.results import scoring_config
from data.setup import competitions as comps
from data.setup.competitions import CompetitionSpec, StageSpec
from data.store import reads, score_rows

PANITIA = User("ketua", "panitia", display_name="Ketua Panitia")
KUDUS = "33.19"     # Kab. Kudus, Jawa Tengah


def kudus_2025(**changes) -> CompetitionSpec:
    spec = CompetitionSpec(
        name="Lomba Posyandu Kabupaten Kudus 2025", year=2025, level="kabupaten", scope_code=KUDUS,
        instrument_id=loader.SIX_FIELD_2026,
        stages=(StageSpec("administrasi", 40, dt.date(2025, 10, 13), dt.date(2025, 10, 17)),
                StageSpec("lapangan", 60, dt.date(2025, 10, 20), dt.date(2025, 10, 24))))
    return comps.CompetitionSpec(**{**spec.__dict__, **changes})


@pytest.fixture
def setup_con(con):
    persistence.save_bundled_instruments(con)
    return con


def _score(con, cid: str, stage: str = "administrasi") -> None:
    score_rows.add_scores(con, [{"competition_id": cid, "stage": stage, "entrant_id": "E1", "judge_id": "J1",
                                 "criterion_id": "KES-01", "option_code": "a"}])


def test_kudus_2025_is_created_with_its_stages_and_an_audit_entry(setup_con):
    cid, problems = comps.create_competition(setup_con, PANITIA, kudus_2025())
    assert problems == [] and cid == "LP2025-KAB-33.19"
    assert reads.stages_frame(setup_con, cid).select("stage", "weight").rows() == [("administrasi", 40.0),
                                                                                   ("lapangan", 60.0)]
    assert comps.competition_spec(setup_con, cid) == kudus_2025()
    hist = comps.competition_history(setup_con, cid)
    assert hist.select("actor", "action").rows() == [("ketua", "create")]


def test_stage_weights_must_add_to_100(setup_con):
    # 40 + 50 = 90 ≠ 100
    bad = kudus_2025(stages=(StageSpec("administrasi", 40), StageSpec("lapangan", 50)))
    cid, problems = comps.create_competition(setup_con, PANITIA, bad)
    assert cid is None
    assert [(p.column, p.message_key, p.detail["total"]) for p in problems] == [
        ("stages", "setup_stage_weights_sum", 90)]
    assert "90" in problems[0].text("id") and "100" in problems[0].text("en")


@pytest.mark.parametrize(("changes", "key"), [
    ({"name": "  "}, "setup_name_empty"),
    ({"year": 1999}, "setup_year_range"),
    ({"scope_code": "33.19.01"}, "setup_scope_level"),          # a kecamatan for a kabupaten contest
    ({"scope_code": "99.99"}, "setup_scope_unknown"),
    ({"level": "nasional"}, "setup_scope_nasional"),
    ({"category": "Umum Kota"}, "setup_category_bad"),
    ({"instrument_id": "tidak-ada@1"}, "setup_instrument_unknown"),
    ({"aggregation": "mode"}, "setup_aggregation_unknown"),
    ({"trim_share": 0.5}, "setup_trim_range"),
    ({"tie_breaks": ("field:gizi",)}, "setup_tie_break_unknown"),
    ({"tie_breaks": ("completeness", "completeness")}, "setup_tie_break_twice"),
    ({"strata_thresholds": (70.0, 60.0, 80.0)}, "setup_strata_order"),
    ({"advance_count": -1}, "setup_advance_negative"),
    ({"n_awards": 21}, "setup_awards_range"),
    ({"stages": ()}, "setup_no_stages"),
    ({"stages": (StageSpec("lapangan", 60), StageSpec("administrasi", 40))}, "setup_stage_order"),
    ({"stages": (StageSpec("lapangan", 50), StageSpec("lapangan", 50))}, "setup_stage_twice"),
    ({"stages": (StageSpec("wawancara", 100),)}, "setup_stage_unknown"),
    ({"stages": (StageSpec("administrasi", 100, dt.date(2025, 10, 17), dt.date(2025, 10, 13)),)},
     "setup_stage_dates_reversed"),
    ({"stages": (StageSpec("administrasi", 40, dt.date(2025, 10, 13), dt.date(2025, 10, 21)),
                 StageSpec("lapangan", 60, dt.date(2025, 10, 20), dt.date(2025, 10, 24)))}, "setup_stage_overlap"),
    ({"parent_competition_id": "LP2025-PROV-33"}, "setup_parent_unknown"),
])
def test_each_rule_of_a_competition_is_checked(setup_con, changes, key):
    assert key in message_keys(comps.validate_competition(setup_con, kudus_2025(**changes)))


def test_a_second_competition_with_the_same_year_level_region_and_category_is_refused(setup_con):
    comps.create_competition(setup_con, PANITIA, kudus_2025())
    assert "setup_duplicate_competition" in message_keys(comps.validate_competition(setup_con, kudus_2025()))
    # Another category is another ranking: allowed.
    cid, problems = comps.create_competition(setup_con, PANITIA, kudus_2025(category="kelurahan"))
    assert problems == [] and cid == "LP2025-KAB-33.19-kelurahan"


def test_parent_contest_must_be_one_level_up_same_year_and_contain_the_region(setup_con):
    prov, _ = comps.create_competition(setup_con, PANITIA, kudus_2025(
        name="Lomba Posyandu Provinsi Jawa Tengah 2025", level="provinsi", scope_code="33"))
    other, _ = comps.create_competition(setup_con, PANITIA, kudus_2025(
        name="Lomba Posyandu Provinsi Banten 2025", level="provinsi", scope_code="36"))
    assert comps.validate_competition(setup_con, kudus_2025(parent_competition_id=prov)) == []
    assert comps.parent_candidates(setup_con, 2025, "kabupaten", KUDUS)["competition_id"].to_list() == [prov]
    assert "setup_parent_scope" in message_keys(
        comps.validate_competition(setup_con, kudus_2025(parent_competition_id=other)))
    kab, _ = comps.create_competition(setup_con, PANITIA, kudus_2025())
    assert "setup_parent_level" in message_keys(comps.validate_competition(
        setup_con, kudus_2025(level="kecamatan", scope_code="33.19.01", parent_competition_id=prov)))
    assert comps.validate_competition(setup_con, kudus_2025(
        level="kecamatan", scope_code="33.19.01", name="Kec. Kaliwungu", parent_competition_id=kab)) == []


def test_only_panitia_sets_up_competitions(setup_con):
    with pytest.raises(PermissionDenied):
        comps.create_competition(setup_con, User("juri1", "juri", judge_id="J1"), kudus_2025())


def test_rules_change_freely_before_the_first_score(setup_con):
    cid, _ = comps.create_competition(setup_con, PANITIA, kudus_2025())
    assert comps.rule_state(setup_con, cid) == "open"
    assert comps.update_competition(setup_con, PANITIA, cid, kudus_2025(aggregation="median")) == []
    assert reads.competition(setup_con, cid)["aggregation"] == "median"
    entry = comps.competition_history(setup_con, cid).row(0, named=True)
    assert (entry["action"], entry["entity_key"], entry["old_value"], entry["new_value"]) == (
        "update", f"{cid}/aggregation", "mean", "median")


def test_after_the_first_score_a_rule_change_needs_a_reason_and_is_audited_with_who_and_why(setup_con):
    cid, _ = comps.create_competition(setup_con, PANITIA, kudus_2025())
    _score(setup_con, cid)
    assert comps.rule_state(setup_con, cid) == "scoring"
    new = kudus_2025(stages=(StageSpec("administrasi", 30, dt.date(2025, 10, 13), dt.date(2025, 10, 17)),
                             StageSpec("lapangan", 70, dt.date(2025, 10, 20), dt.date(2025, 10, 24))))
    assert message_keys(comps.update_competition(setup_con, PANITIA, cid, new)) == {"setup_reason_needed"}
    assert reads.stages_frame(setup_con, cid)["weight"].to_list() == [40.0, 60.0]     # nothing written
    assert comps.update_competition(setup_con, PANITIA, cid, new, reason="Keputusan rapat panitia 21/10") == []
    assert reads.stages_frame(setup_con, cid)["weight"].to_list() == [30.0, 70.0]
    entry = comps.competition_history(setup_con, cid).row(0, named=True)
    assert (entry["actor"], entry["action"], entry["entity_key"], entry["reason"]) == (
        "ketua", "rule_change_after_scoring", f"{cid}/stages", "Keputusan rapat panitia 21/10")
    assert entry["old_value"] == '[["administrasi", 40.0], ["lapangan", 60.0]]'


def test_after_the_first_score_the_name_and_dates_change_without_a_reason(setup_con):
    cid, _ = comps.create_competition(setup_con, PANITIA, kudus_2025())
    _score(setup_con, cid)
    later = kudus_2025(name="Lomba Posyandu Kab. Kudus 2025", stages=(
        StageSpec("administrasi", 40, dt.date(2025, 10, 14), dt.date(2025, 10, 18)),
        StageSpec("lapangan", 60, dt.date(2025, 10, 20), dt.date(2025, 10, 24))))
    assert comps.update_competition(setup_con, PANITIA, cid, later) == []
    assert set(comps.competition_history(setup_con, cid)["entity_key"]) >= {f"{cid}/name", f"{cid}/stage_dates"}


def test_the_instrument_is_locked_once_scoring_started(setup_con):
    cid, _ = comps.create_competition(setup_con, PANITIA, kudus_2025())
    _score(setup_con, cid)
    problems = comps.update_competition(setup_con, PANITIA, cid, kudus_2025(instrument_id=loader.CLASSIC_2018,
                                                                              tie_breaks=("completeness",)),
                                        reason="salah pilih")
    assert "setup_instrument_frozen" in message_keys(problems)


def test_a_stage_with_scores_cannot_be_removed(setup_con):
    cid, _ = comps.create_competition(setup_con, PANITIA, kudus_2025())
    _score(setup_con, cid, "lapangan")
    only_admin = kudus_2025(stages=(StageSpec("administrasi", 100, dt.date(2025, 10, 13), dt.date(2025, 10, 17)),))
    assert "setup_stage_has_scores" in message_keys(
        comps.update_competition(setup_con, PANITIA, cid, only_admin, reason="lapangan batal"))


def test_rules_are_frozen_once_a_stage_is_finalised(setup_con):
    cid, _ = comps.create_competition(setup_con, PANITIA, kudus_2025())
    _score(setup_con, cid)
    setup_con.execute("UPDATE competition_stages SET finalized_at = now() WHERE competition_id = ? "
                      "AND stage = 'administrasi'", [cid])
    assert comps.rule_state(setup_con, cid) == "frozen"
    problems = comps.update_competition(setup_con, PANITIA, cid, kudus_2025(advance_count=3), reason="SK baru")
    assert message_keys(problems) == {"setup_rules_frozen_final"}
    # The finalisation survives a free edit (dates and name rewrite the stage rows).
    assert comps.update_competition(setup_con, PANITIA, cid, kudus_2025(name="Lomba Kudus")) == []
    assert comps.finalised_stages(setup_con, cid) == ["administrasi"]


def test_the_engine_reads_the_competitions_own_rules(setup_con):
    cid, _ = comps.create_competition(setup_con, PANITIA, kudus_2025(
        aggregation="trimmed_mean", trim_share=0.1, tie_breaks=("completeness", "field:sosial"),
        strata_thresholds=(55.0, 65.0, 85.0), advance_count=3, n_awards=3))
    config = scoring_config(reads.competition(setup_con, cid))
    assert (config.aggregation, config.trim, config.tie_breaks, config.strata_thresholds, config.advance_count,
            config.n_awards) == ("trimmed_mean", 0.1, ("completeness", "field:sosial"), (55.0, 65.0, 85.0), 3, 3)


def test_a_competition_with_no_stored_rules_gets_the_engine_defaults():
    from scoring.config import ScoringConfig

    assert scoring_config({"aggregation": "mean", "advance_count": 1}) == ScoringConfig()


def test_creating_and_editing_a_competition_marks_it_changed_for_the_caches(setup_con):
    from data import store

    before = store.data_version(setup_con)
    cid, _ = comps.create_competition(setup_con, PANITIA, kudus_2025())
    created = store.result_version(setup_con, cid)
    assert store.data_version(setup_con) > before          # the list of competitions (sidebar) goes cold
    comps.update_competition(setup_con, PANITIA, cid, kudus_2025(aggregation="median"))
    assert store.result_version(setup_con, cid) > created   # its results go cold: re-scored under the new rule
