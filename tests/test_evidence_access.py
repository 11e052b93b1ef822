"""Evidence is viewable by those who may read the score, and a wrong upload can be removed before submitting."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from data.judging import audit, evidence, evidence_access
from data.judging import forms as judging
from data.judging.auth import PUBLIC, PermissionDenied
from data.judging.contest_life import send_back
from tests.pdf_support import make_pdf
from tests.test_judging_fixtures import CID, JURI1, JURI2, PANITIA, assign_defaults, build_contest, fill_form

ROOT = Path(__file__).resolve().parent.parent


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def contest(con):
    build_contest(con)
    assign_defaults(con)
    return con


def _attach(con, data: bytes, name: str) -> str:
    stored = evidence.store_evidence(con, JURI1, data, name, competition_id=CID, stage="lapangan", entrant_id="E3")
    assert stored.ok
    judging.save_score(con, JURI1, CID, "lapangan", "E3", "KES_01", option_code="a", evidence=[stored.sha256])
    return stored.sha256


def test_the_judge_and_panitia_can_open_an_attached_photo(contest):
    png = _png()
    sha = _attach(contest, png, "sk-kader.png")
    files = evidence_access.score_evidence(contest, JURI1, CID, "lapangan", "E3", "J1", "KES_01")
    assert [(f.original_name, f.is_image, f.download_name) for f in files] == [("sk-kader.png", True, "sk-kader.png")]
    for user in (JURI1, PANITIA):
        assert evidence_access.open_evidence(contest, user, CID, "lapangan", "E3", "J1", "KES_01", sha) == png


def test_a_co_judge_and_the_public_cannot_open_another_judges_evidence(contest):
    sha = _attach(contest, _png(), "foto.png")
    # J2 also judges E3, but stays blind to J1's form; the public sees no evidence at all.
    for user in (JURI2, PUBLIC):
        with pytest.raises(PermissionDenied):
            evidence_access.open_evidence(contest, user, CID, "lapangan", "E3", "J1", "KES_01", sha)
        with pytest.raises(PermissionDenied):
            evidence_access.score_evidence(contest, user, CID, "lapangan", "E3", "J1", "KES_01")


def test_a_file_is_opened_only_through_a_score_that_references_it(contest):
    other = evidence.store_evidence(contest, JURI1, PDF, "lain.pdf", competition_id=CID, stage="lapangan", entrant_id="E3").sha256
    _attach(contest, _png(), "foto.png")
    with pytest.raises(PermissionDenied) as err:
        evidence_access.open_evidence(contest, JURI1, CID, "lapangan", "E3", "J1", "KES_01", other)
    assert err.value.message_key == "integrity_evidence_not_on_score"


def test_a_wrong_upload_is_removed_before_submitting_and_the_removal_is_audited(contest):
    sha = _attach(contest, PDF, "salah-berkas.pdf")
    assert evidence_access.remove_evidence(contest, JURI1, CID, "lapangan", "E3", "KES_01", sha)
    assert judging.read_scores(contest, JURI1, CID, "lapangan", "E3")["evidence"].to_list() == [[]]
    row = audit.audit_trail(contest, PANITIA, criterion_id="KES_01").row(0, named=True)
    assert (row["source"], row["actor"], row["reason"]) == ("evidence", "juri1", "evidence removed: salah-berkas.pdf")
    assert not evidence_access.remove_evidence(contest, JURI1, CID, "lapangan", "E3", "KES_01", sha)  # gone already


def test_a_submitted_form_keeps_its_evidence(contest):
    fill_form(contest, JURI1, "E3")
    stored = evidence.store_evidence(contest, JURI1, _png(), "foto.png", competition_id=CID, stage="lapangan",
                                     entrant_id="E3")
    judging.save_score(contest, JURI1, CID, "lapangan", "E3", "KES_01", evidence=[stored.sha256])
    assert send_back.submit_form(contest, JURI1, CID, "lapangan", "E3") == []
    with pytest.raises(PermissionDenied) as err:
        evidence_access.remove_evidence(contest, JURI1, CID, "lapangan", "E3", "KES_01", stored.sha256)
    assert err.value.message_key == "judging_form_locked"


def _form_page(con, cid: str, stage: str, entrant: str) -> AppTest:
    """Penilaian as juri1, on the form of `entrant`, run once."""
    from data.judging import auth
    from ui.auth import TOKEN_KEY

    at = AppTest.from_file(str(ROOT / "pages" / "penilaian.py"), default_timeout=60)
    at.session_state[TOKEN_KEY] = auth.authenticate(con, "juri1", "juri-demo").token
    at.session_state["ctx.competition"] = cid
    at.session_state["ctx.stage"] = stage
    at.query_params["entrant"] = entrant
    return at.run()


def _open_form(con, judge_id: str) -> tuple[str, str, str]:
    """(competition, stage, entrant) of the judge's first form still open in a stage not final."""
    return con.sql(
        "SELECT a.competition_id, a.stage, a.entrant_id FROM assignments a JOIN competition_stages cs "
        "USING (competition_id, stage) LEFT JOIN judging_forms f ON f.entrant_id = a.entrant_id "
        "AND f.stage = a.stage AND f.judge_id = a.judge_id WHERE a.judge_id = ? AND cs.finalized_at IS NULL "
        "AND coalesce(f.status, 'open') = 'open' ORDER BY 1, 2, 3 LIMIT 1", params=[judge_id]).fetchone()


def test_the_scoring_form_shows_the_photo_and_removes_it_on_click(demo_app):
    from data.judging import auth

    con = demo_app
    juri = auth.get_user(con, "juri1")
    cid, stage, entrant = _open_form(con, juri.judge_id)
    crit = con.sql("SELECT ic.criterion_id FROM competitions c JOIN instrument_criteria ic USING (instrument_id) "
                   "WHERE c.competition_id = ? AND ic.kind = 'choice' ORDER BY ic.criterion_id LIMIT 1",
                   params=[cid]).fetchone()[0]
    stored = evidence.store_evidence(con, juri, _png(), "posyandu-jeruk.png", competition_id=cid, stage=stage,
                                     entrant_id=entrant)
    judging.save_score(con, juri, cid, stage, entrant, crit, option_code="a", evidence=[stored.sha256])
    at = _form_page(con, cid, stage, entrant)
    assert not at.exception
    key = f"pn.ev.{cid}.{stage}.{entrant}.{juri.judge_id}.{crit}.{stored.sha256[:16]}"
    at.toggle(key=f"{key}.view").set_value(True).run()
    assert not at.exception
    assert [i.captions for i in at.get("image")] == [["posyandu-jeruk.png"]], "the photo is shown in the page"
    at.button(key=f"{key}.rm").click().run()
    assert not at.exception
    assert any("posyandu-jeruk.png" in s.value for s in at.success)
    assert judging.read_scores(con, juri, cid, stage, entrant).filter(
        judging.pl.col("criterion_id") == crit)["evidence"].to_list() == [[]]


def test_a_practice_photo_is_a_stored_image_never_a_path_on_the_server(contest, tmp_path):
    """An imported practice's `foto` names a stored upload by hash; a path (even of a real image) shows nothing."""
    on_disk = tmp_path / "server-file.png"
    on_disk.write_bytes(_png())
    image = _attach(contest, _png(), "foto.png")
    document = _attach(contest, PDF, "sk.pdf")
    assert evidence.stored_image(contest, image) == _png()
    assert evidence.stored_image(contest, image.upper()) == _png()
    assert evidence.stored_image(contest, str(on_disk)) is None
    assert evidence.stored_image(contest, "/etc/passwd") is None
    assert evidence.stored_image(contest, document) is None          # a PDF is not shown as a photo
    assert evidence.stored_image(contest, "f" * 64) is None          # a hash nobody uploaded
    assert evidence.stored_image(contest, None) is None


def test_a_pdf_is_read_in_the_page_its_first_pages_as_pictures(demo_app):
    """A judge attaches the SK as a 7-page PDF: viewing it shows its first five pages, says how many more the
    download holds; a damaged PDF says it cannot be shown (no error)."""
    from data.judging import auth
    from present.pdf_pages import MAX_PAGES, render_pages

    preview = render_pages(make_pdf(7))
    assert preview.page_count == 7 and len(preview.pages) == MAX_PAGES
    first = Image.open(io.BytesIO(preview.pages[0]))
    assert first.width == 1000 and first.height > first.width                   # an A4 page, portrait
    assert first.convert("L").getextrema()[0] < 100, "the page has text on it, not a blank"
    assert render_pages(PDF).page_count == 0 and render_pages(b"%PDF-1.7 rusak").page_count == 0

    con = demo_app
    juri = auth.get_user(con, "juri1")
    cid, stage, entrant = _open_form(con, juri.judge_id)
    crits = [r[0] for r in con.sql(
        "SELECT ic.criterion_id FROM competitions c JOIN instrument_criteria ic USING (instrument_id) "
        "WHERE c.competition_id = ? AND ic.kind = 'choice' ORDER BY ic.criterion_id LIMIT 2", params=[cid]).fetchall()]
    files = {}
    for crit, (name, data) in zip(crits, [("sk-kepala-desa.pdf", make_pdf(7)), ("rusak.pdf", PDF)], strict=True):
        files[crit] = evidence.store_evidence(con, juri, data, name, competition_id=cid, stage=stage,
                                              entrant_id=entrant).sha256
        judging.save_score(con, juri, cid, stage, entrant, crit, option_code="a", evidence=[files[crit]])
    at = _form_page(con, cid, stage, entrant)
    assert not at.exception
    for crit, sha in files.items():
        at.toggle(key=f"pn.ev.{cid}.{stage}.{entrant}.{juri.judge_id}.{crit}.{sha[:16]}.view").set_value(True)
    at.run()
    assert not at.exception
    shown = sorted(int(i.captions[0].split()[1]) for i in at.get("image"))     # two a row: read column-wise
    assert shown == [1, 2, 3, 4, 5] and all(i.captions[0].endswith("dari 7") for i in at.get("image"))
    assert any("2 halaman lagi" in c.value for c in at.caption)
    assert any("tidak dapat ditampilkan" in w.value for w in at.warning)
