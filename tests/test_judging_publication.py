"""Finalising a stage freezes its results; the public reads only the frozen table, without personal data."""

from __future__ import annotations

import json
import re

import pytest

from data import store
from data.judging import forms as judging
from data.judging import publication
from data.judging.auth import PUBLIC, PermissionDenied, User
from data.judging.contest_life import advancement

PANITIA = User("panitia", "panitia")
PERSONAL = re.compile(r"phone|contact|kader_name")


@pytest.fixture
def demo(demo_copy):
    con = store.connect(demo_copy)
    yield con
    con.close()


def _open_stage(con) -> tuple[str, str]:
    """A competition and a stage of the demo that is not final yet, with scores in it."""
    return con.sql("SELECT cs.competition_id, cs.stage FROM competition_stages cs JOIN assignments a "
                   "USING (competition_id, stage) WHERE cs.finalized_at IS NULL GROUP BY ALL "
                   "ORDER BY count(*) DESC LIMIT 1").fetchone()


def _a_score(con, cid: str, stage: str) -> tuple[str, str, str, str]:
    return con.sql("SELECT s.entrant_id, s.judge_id, s.criterion_id, s.option_code FROM scores s "
                   "JOIN instrument_criteria ic ON ic.criterion_id = s.criterion_id AND ic.kind = 'choice' "
                   "WHERE s.competition_id = ? AND s.stage = ? AND s.option_code IS NOT NULL "
                   "ORDER BY s.entrant_id, s.judge_id, s.criterion_id LIMIT 1", params=[cid, stage]).fetchone()


def test_nothing_is_public_before_a_stage_is_final(demo):
    cid, stage = _open_stage(demo)
    assert publication.published_results(demo, cid, stage).height == 0


def test_finalising_freezes_results_and_later_changes_need_a_reopen(demo):
    cid, stage = _open_stage(demo)
    with pytest.raises(PermissionDenied):
        publication.finalise_stage(demo, User("juri1", "juri", judge_id="x"), cid, stage)
    sid = publication.finalise_stage(demo, PANITIA, cid, stage)
    frozen = publication.published_results(demo, cid, stage)
    live, version = publication.compute_results(demo, cid, stage)
    assert frozen.height == live.height > 0
    assert not [c for c in frozen.columns if PERSONAL.search(c)]
    assert "posyandu_name" in frozen.columns and "total" in frozen.columns
    snap = demo.sql("SELECT engine_version, finalized_by FROM result_snapshots WHERE snapshot_id = ?",
                    params=[sid]).fetchone()
    assert snap == (version, "panitia")

    entrant, judge, crit, option = _a_score(demo, cid, stage)
    other = "a" if option != "a" else "d"
    with pytest.raises(PermissionDenied) as err:
        judging.save_score(demo, PANITIA, cid, stage, entrant, crit, option_code=other, judge_id=judge)
    assert err.value.message_key == "judging_stage_final"

    advancement.reopen_stage(demo, PANITIA, cid, stage, "Keberatan peserta diterima")
    # Reopened: the public still sees the frozen table until the stage is finalised again.
    assert publication.published_results(demo, cid, stage).equals(frozen)
    judging.save_score(demo, PANITIA, cid, stage, entrant, crit, option_code=other, judge_id=judge,
                       reason="Keberatan peserta diterima")
    publication.finalise_stage(demo, PANITIA, cid, stage)
    status = publication.stage_status(demo, cid).filter(judging.pl.col("stage") == stage).row(0, named=True)
    assert status["snapshots"] == 2 and status["finalized_at"] is not None
    trail = judging.audit_entries(demo, PANITIA, f"{cid}/{stage}").sort("audit_id")
    # Each finalisation also opens a protest window (the results are provisional until declared final).
    assert trail["action"].to_list()[-6:] == ["finalise", "provisional", "reopen", "score", "finalise",
                                              "provisional"]
    assert json.loads(trail.filter(judging.pl.col("action") == "score")["new_value"][-1])["option_code"] == other


def test_the_last_stage_final_publishes_the_combined_table(demo):
    cid, stage = _open_stage(demo)
    others = demo.sql("SELECT count(*) FROM competition_stages WHERE competition_id = ? AND stage <> ? "
                      "AND finalized_at IS NULL", params=[cid, stage]).fetchone()[0]
    publication.finalise_stage(demo, PANITIA, cid, stage)
    combined = publication.published_results(demo, cid)   # anyone may read it: no user argument at all
    if others == 0:
        assert demo.sql("SELECT count(*) FROM result_snapshots WHERE competition_id = ? AND stage = ?",
                        params=[cid, judging.COMBINED]).fetchone()[0] == 1
    assert combined.height > 0 and not [c for c in combined.columns if PERSONAL.search(c)]
    phones = {r[0] for r in demo.sql("SELECT contact_phone FROM posyandu WHERE contact_phone IS NOT NULL").fetchall()}
    text = combined.write_csv()
    assert not any(p in text for p in list(phones)[:500])


def test_stages_final_before_this_workflow_can_be_published_for_the_demo(demo):
    # The demo publishes its kabupaten and provinsi contests; its kecamatan contests are final but not frozen.
    cid = demo.sql("SELECT competition_id FROM competitions WHERE level = 'kecamatan' AND status = 'final' "
                   "ORDER BY year DESC, competition_id LIMIT 1").fetchone()[0]
    assert publication.published_results(demo, cid).height == 0
    with pytest.raises(PermissionDenied):
        publication.freeze_finalised(demo, PUBLIC, [cid])
    assert publication.freeze_finalised(demo, PANITIA, [cid]) == [cid]
    assert publication.freeze_finalised(demo, PANITIA, [cid]) == []          # once only
    assert publication.published_results(demo, cid).height > 0


def test_pembina_follows_live_results_only_in_their_region(demo):
    cid = demo.sql("SELECT competition_id FROM competitions WHERE level = 'kabupaten' AND scope_code = '36.02' "
                   "ORDER BY year DESC LIMIT 1").fetchone()[0]
    everyone = publication.regional_results(demo, PANITIA, cid)
    kecamatan = everyone["desa_code"][0][:8]
    pembina = User("pembina-kec", "pembina", region_code=kecamatan)
    mine = publication.regional_results(demo, pembina, cid)
    assert mine["desa_code"].str.starts_with(kecamatan + ".").all()
    assert 0 < mine.height < everyone.height
    assert not [c for c in mine.columns if PERSONAL.search(c)]
    for user in (PUBLIC, User("juri1", "juri", judge_id="x")):
        with pytest.raises(PermissionDenied):
            publication.regional_results(demo, user, cid)
