"""The sign-in, scoring and organiser pages on a copy of the demo store, through Streamlit's AppTest."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from data.judging import auth, publication
from data.judging import forms as judging
from ui.auth import TOKEN_KEY

ROOT = Path(__file__).resolve().parent.parent
PHONE = re.compile(r"\b08\d{2}-\d{4}-\d{3,4}\b")



@pytest.fixture
def demo(demo_app):
    """A writable demo store with the demo accounts (tests/conftest.py: demo_app)."""
    return demo_app


def _open_work(con, judge_id: str) -> tuple[str, str, list[str]]:
    """(competition, stage, entrants) of the judge's assignments in a stage that is not final."""
    rows = con.sql(
        "SELECT a.competition_id, a.stage, list(a.entrant_id ORDER BY a.entrant_id) FROM assignments a "
        "JOIN competition_stages cs USING (competition_id, stage) WHERE a.judge_id = ? AND cs.finalized_at IS NULL "
        "GROUP BY ALL ORDER BY count(*) DESC LIMIT 1", params=[judge_id]).fetchone()
    return rows[0], rows[1], rows[2]


def _page(path: str, con, username: str | None, password: str | None, competition: str | None = None,
          stage: str | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / path), default_timeout=60)
    if username:
        at.session_state[TOKEN_KEY] = auth.authenticate(con, username, password).token
    if competition:
        at.session_state["ctx.competition"] = competition
        at.session_state["ctx.restored"] = True
    if stage:
        at.session_state["ctx.stage"] = stage
    return at.run()


def _texts(at: AppTest) -> str:
    parts = [e.value for e in (*at.markdown, *at.caption, *at.info, *at.error, *at.warning, *at.success)]
    parts += [str(df.value) for df in at.dataframe]
    return "\n".join(str(p) for p in parts)


def test_juri_sees_only_their_entrants_and_a_choice_is_saved_at_once(demo):
    juri = auth.get_user(demo, "juri1")
    cid, stage, entrants = _open_work(demo, juri.judge_id)
    at = _page("pages/penilaian.py", demo, "juri1", "juri-demo", cid, stage)
    assert not at.exception
    pick = at.selectbox(key="pn.pair")
    # One option per assigned entrant, each naming that entrant's posyandu; nobody else's.
    names = [r[0] for r in demo.sql("SELECT p.name FROM entrants e JOIN posyandu p USING (posyandu_id) "
                                    "WHERE list_contains(?, e.entrant_id)", params=[entrants]).fetchall()]
    assert len(pick.options) == len(entrants)
    assert all(any(n in label for n in names) for label in pick.options)
    chosen = pick.value
    assert chosen[0] in entrants and chosen[1] == juri.judge_id
    radios = [r for r in at.radio if not r.disabled]
    assert radios, "the form shows choice criteria"
    radio = radios[0]
    criterion = radio.key.rsplit(".", 2)[-2]
    radio.set_value("d").run()
    assert not at.exception
    saved = judging.read_scores(demo, juri, cid, stage, chosen[0]).filter(
        judging.pl.col("criterion_id") == criterion)
    assert saved["option_code"].to_list() == [radio.value]
    log = judging.audit_entries(demo, accounts_user("panitia", demo), f"{cid}/{stage}/{chosen[0]}/{juri.judge_id}/")
    assert log.height >= 1 and log["actor"][0] == "juri1"


def accounts_user(name: str, con) -> auth.User:
    user = auth.get_user(con, name)
    assert user is not None
    return user


def test_publik_gets_no_form_and_no_personal_data(demo):
    cid, stage, _ = _open_work(demo, auth.get_user(demo, "juri1").judge_id)
    for path in ("pages/penilaian.py", "pages/panitia.py"):
        at = _page(path, demo, None, None, cid, stage)
        assert not at.exception
        assert not at.radio and not at.number_input and not at.dataframe
        assert at.info and "masuk" in at.info[0].value.lower()
        assert not PHONE.search(_texts(at))


def test_juri_is_turned_away_from_the_organisers_desk(demo):
    at = _page("pages/panitia.py", demo, "juri1", "juri-demo")
    assert not at.exception
    assert at.error and not at.dataframe


def test_panitia_desk_shows_workload_and_publishes_without_phone_numbers(demo):
    cid, stage, _ = _open_work(demo, auth.get_user(demo, "juri1").judge_id)
    at = _page("pages/panitia.py", demo, "panitia", "panitia-demo", cid, stage)
    assert not at.exception
    assert len(at.tabs) == 6 and at.dataframe   # overview, assign, forms, finalists, publish, protests
    at.button(key="pt.finalise").click().run()
    assert not at.exception
    published = publication.published_results(demo, cid, stage)
    assert published.height > 0
    assert not [c for c in published.columns if re.search("phone|contact", c)]
    assert not PHONE.search(published.write_csv())
    # Scores can no longer change in the finalised stage.
    juri = auth.get_user(demo, "juri1")
    entrant = _open_work_any(demo, juri.judge_id, cid, stage)
    with pytest.raises(auth.PermissionDenied):
        judging.save_score(demo, juri, cid, stage, entrant, _first_choice(demo, cid), option_code="a")


def _open_work_any(con, judge_id: str, cid: str, stage: str) -> str:
    return con.sql("SELECT entrant_id FROM assignments WHERE judge_id = ? AND competition_id = ? AND stage = ? "
                   "LIMIT 1", params=[judge_id, cid, stage]).fetchone()[0]


def _first_choice(con, cid: str) -> str:
    return con.sql("SELECT ic.criterion_id FROM competitions c JOIN instrument_criteria ic USING (instrument_id) "
                   "WHERE c.competition_id = ? AND ic.kind = 'choice' ORDER BY ic.criterion_id LIMIT 1",
                   params=[cid]).fetchone()[0]


def test_sign_in_page_refuses_a_wrong_password_and_accepts_the_right_one(demo):
    at = AppTest.from_file(str(ROOT / "pages/masuk.py"), default_timeout=60).run()
    assert not at.exception
    at.text_input(key="masuk.username").input("juri1")
    at.text_input(key="masuk.password").input("salah-sandi")
    at.button[0].click().run()
    assert at.error and "salah" in at.error[0].value
    at.text_input(key="masuk.password").input("juri-demo")
    at.button[0].click().run()
    assert not at.exception
    assert at.success and "juri1" in at.success[0].value
    assert TOKEN_KEY in at.session_state


def test_a_refused_value_is_explained_in_indonesian_on_the_form(demo):
    # A measurement below zero (a phone keyboard lets a judge type "-3") is refused by the store, and the judge
    # reads why in Indonesian with the number written the Indonesian way, not an English ValueError text.
    juri = auth.get_user(demo, "juri1")
    cid, stage, _ = _open_work(demo, juri.judge_id)
    at = _page("pages/penilaian.py", demo, "juri1", "juri-demo", cid, stage)
    real = [n for n in at.number_input if not n.disabled]
    assert real, "the form shows a nilai-riil criterion"
    before = real[0].value
    real[0].set_value(-2.5).run()
    assert not at.exception
    shown = [e.value for e in at.error]
    assert shown == ["Nilai riil harus berupa angka 0 atau lebih, bukan -2,5."]
    # The field shows what the store holds again, and nothing negative was written.
    assert at.number_input(key=real[0].key).value == before
    assert demo.sql("SELECT count(*) FROM scores WHERE real_value < 0").fetchone()[0] == 0


def test_an_evidence_file_over_the_limit_is_refused_in_the_judges_language_and_one_within_it_is_kept(demo):
    from data.judging import evidence

    juri = auth.get_user(demo, "juri1")
    cid, stage, _ = _open_work(demo, juri.judge_id)
    at = _page("pages/penilaian.py", demo, "juri1", "juri-demo", cid, stage)
    before = demo.sql("SELECT count(*) FROM evidence_files").fetchone()[0]
    uploader = at.file_uploader[0]          # the first criterion's evidence, through ui.uploads.file_upload
    too_big = b"\x89PNG\r\n\x1a\n" + b"0" * evidence.MAX_BYTES        # 10 MB and 8 bytes
    uploader.set_value(("foto-besar.png", too_big, "image/png")).run()
    assert not at.exception
    refused = [e.value for e in at.error]
    # (the name as typed, escaped for Markdown)
    assert refused == ["Berkas foto\\-besar\\.png berukuran 10,0 MB, terlalu besar (paling besar 10 MB). "
                       "Tidak ada yang disimpan."]
    assert demo.sql("SELECT count(*) FROM evidence_files").fetchone()[0] == before
    # a photo within the limit is stored as it arrives and attached to that criterion's score
    small = b"\x89PNG\r\n\x1a\n" + b"1" * 2048
    at.file_uploader(key=uploader.key).set_value(("foto-posyandu.png", small, "image/png")).run()
    assert not at.exception and not at.error
    criterion = uploader.key.rsplit(".", 2)[-2]
    pair = at.selectbox(key="pn.pair").value
    saved = judging.read_scores(demo, juri, cid, stage, pair[0]).filter(judging.pl.col("criterion_id") == criterion)
    assert demo.sql("SELECT original_name FROM evidence_files WHERE sha256 = ?",
                    params=[saved["evidence"][0][-1]]).fetchone() == ("foto-posyandu.png",)
