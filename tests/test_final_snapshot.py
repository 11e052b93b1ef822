"""Once a stage is final, every public view reads its published snapshot (issue #13 item 11).

In the demo, the kecamatan contests were finalised by the generator, never through `finalise_stage`, so they had
no snapshot and the pages computed them from live scores; the kabupaten contests were frozen combined only, so a
visitor who picked one stage read that stage live. Now the first read of such a final stage freezes it
(`publication.final_results`, audited as the system), and from then on a renamed posyandu or a changed score moves
nothing a visitor reads: the league table, the profile with its contest history, the comparisons, the map, the
good-practice page and the documents all keep the published names and figures.
"""

from __future__ import annotations

import polars as pl
import pytest

from data import store
from data.exchange.exports import export_data
from data.judging import publication
from present.fmt import fmt_number
from tests.pages_support import page
from tests.test_integrity_pages import _text

KEC = "LP2026-KEC-36.02.18"        # Kec. Cibadak 2026: final, never frozen by the demo
KAB = "LP2026-KAB-36.02"           # Kab. Lebak 2026: final, frozen combined only
OPEN = "LP2026-PROV-36"            # lapangan still being judged
JERUK = "PY360218201001"
JERUK_KEC = "E00735"
RENAMED = "Posyandu Nama Baru"


def _edit_after_final(con) -> None:
    """What a published result must survive: a rename, and scores changed behind the workflow's back (no product
    path writes a score into a final stage; the test writes the store directly)."""
    with store.transaction(con):
        con.execute("UPDATE posyandu SET name = ? WHERE posyandu_id = ?", [RENAMED, JERUK])
        # (`scores` is a view over the coded `score_choices`)
        con.execute("DELETE FROM score_choices WHERE entrant_no = (SELECT no FROM key_entrant WHERE entrant_id = ?) "
                    "AND stage_no = (SELECT no FROM key_stage WHERE stage = 'lapangan') AND criterion_no IN "
                    "(SELECT no FROM key_criterion ORDER BY no LIMIT 20)", [JERUK_KEC])
        store.touch(con, KEC, KAB)
        store.touch_reference(con)


def _forms(total: float) -> tuple[str, str]:
    """A total as a page prints it (90,25) and as a table cell holds it (90.25)."""
    return fmt_number(total, 2, "id"), f"{total:.2f}"


def _row(table: pl.DataFrame, entrant_id: str) -> dict:
    return table.filter(pl.col("entrant_id") == entrant_id).row(0, named=True)


def test_a_final_stage_never_frozen_is_frozen_on_first_read_and_never_moves_after(demo_app) -> None:
    con = demo_app
    # as the demo builds it: never frozen (a page test reading the shared demo store may have frozen it since)
    with store.transaction(con):
        con.execute("DELETE FROM result_snapshots WHERE competition_id = ?", [KEC])
        con.execute("DELETE FROM audit_log WHERE action = 'finalise' AND entity_key LIKE ?", [f"{KEC}/%"])
        store.touch(con, KEC)
    live = publication.compute_results(con, KEC, None)[0]
    first = publication.final_results(con, KEC)
    assert first.select("entrant_id", "posyandu_name", "total", "rank_final").sort("entrant_id").equals(
        live.select("entrant_id", "posyandu_name", "total", "rank_final").sort("entrant_id"))
    assert con.sql("SELECT actor, reason FROM audit_log WHERE action = 'finalise' AND entity_key = ?",
                   params=[f"{KEC}/{publication.COMBINED}"]).fetchall() == [("sistem", publication.FROZEN_ON_READ)]

    _edit_after_final(con)
    moved = _row(publication.compute_results(con, KEC, None)[0], JERUK_KEC)
    published = _row(first, JERUK_KEC)
    assert moved["posyandu_name"] == RENAMED and moved["total"] != published["total"]   # the edit is real
    assert publication.final_results(con, KEC).equals(first)
    document = export_data(con, KEC)                                    # rekap, berita acara, scorecards
    assert document.published and _row(document.table, JERUK_KEC)["total"] == published["total"]
    assert _row(document.table, JERUK_KEC)["posyandu_name"] == published["posyandu_name"]
    # read again: frozen once, not once per read
    assert con.sql("SELECT count(*) FROM result_snapshots WHERE competition_id = ?", params=[KEC]).fetchone() == (1,)


def test_a_stage_still_being_judged_or_in_its_protest_window_has_no_published_result(demo_app) -> None:
    from data.judging.auth import get_user

    assert publication.final_results(demo_app, OPEN, "lapangan").height == 0      # still scored
    assert publication.final_results(demo_app, OPEN).height == 0
    publication.finalise_stage(demo_app, get_user(demo_app, "panitia"), OPEN, "lapangan")   # provisional
    assert publication.published_results(demo_app, OPEN, "lapangan").height      # frozen, not yet announced
    assert publication.final_results(demo_app, OPEN, "lapangan").height == 0


@pytest.mark.parametrize("name", ["beranda", "peringkat", "profil", "bandingkan", "peta", "praktik_baik"])
def test_every_public_page_keeps_the_published_names_and_figures_after_a_rename_and_a_score_change(
        demo_app, name) -> None:
    published = _row(publication.final_results(demo_app, KEC), JERUK_KEC)       # announced (frozen) first
    _edit_after_final(demo_app)
    at = page(name, competition=KEC, posyandu=JERUK)
    assert not at.exception, at.exception
    text = _text(at)
    assert RENAMED not in text, f"{name} shows the new name"
    live = _row(publication.compute_results(demo_app, KEC, None)[0], JERUK_KEC)
    assert not any(f in text for f in _forms(live["total"])), f"{name} shows the live total"
    if name in ("peringkat", "profil"):
        assert published["posyandu_name"] in text
        assert any(f in text for f in _forms(published["total"]))


def test_one_stage_of_a_contest_frozen_combined_only_is_read_from_its_own_snapshot(demo_app) -> None:
    assert publication.final_results(demo_app, KAB, "lapangan").height   # frozen on first read
    _edit_after_final(demo_app)
    at = page("peringkat", competition=KAB, stage="lapangan")
    assert not at.exception, at.exception
    assert RENAMED not in _text(at)


def test_the_contest_history_on_a_profile_shows_each_contest_as_published(demo_app) -> None:
    published = _row(publication.final_results(demo_app, KEC), JERUK_KEC)
    _edit_after_final(demo_app)
    at = page("profil", competition=KAB, posyandu=JERUK)                # Riwayat lomba lists the KEC contest
    assert not at.exception, at.exception
    history = next(df.value for df in at.dataframe if df.value.shape[0] >= 4 and "Tahun" in df.value.columns)
    kec = history[history["Tahun"].astype(str).str.contains("2026") & history.apply(
        lambda r: "Kecamatan" in " ".join(map(str, r.values)), axis=1)]
    assert len(kec) == 1
    assert any(f in " ".join(map(str, kec.iloc[0].values)) for f in _forms(published["total"]))
