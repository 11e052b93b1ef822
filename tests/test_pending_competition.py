"""A contest chosen while signed in survives signing out and in again on Masuk (issue #12): signed out, the public
view shows a final contest instead, but the next sign-in of a user who may see it opens it again."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from ui.auth import TOKEN_KEY

ROOT = Path(__file__).resolve().parent.parent
JUDGED = "LP2026-PROV-36"           # Provinsi Banten 2026: still being judged in the demo, so not public


def _sign_in(at: AppTest, username: str, password: str) -> AppTest:
    at.text_input(key="masuk.username").input(username)
    at.text_input(key="masuk.password").input(password)
    return at.button[0].click().run()


def _sign_out(at: AppTest) -> AppTest:
    return at.button(key="masuk.signout").click().run()


def test_a_contest_being_judged_comes_back_after_signing_out_and_in(demo_app):
    at = AppTest.from_file(str(ROOT / "pages/masuk.py"), default_timeout=120)
    at.query_params["competition"] = JUDGED
    at.run()
    # A visitor's link to a contest being judged: a final contest is shown, and the visitor is told why.
    assert at.session_state["ctx.competition"] != JUDGED
    assert any("belum ditetapkan hasilnya" in i.value for i in at.info)
    _sign_in(at, "panitia", "panitia-demo")
    assert not at.exception and TOKEN_KEY in at.session_state
    assert at.session_state["ctx.competition"] == JUDGED
    assert at.selectbox(key="w.ctx.competition").value == JUDGED

    _sign_out(at)
    assert not at.exception and TOKEN_KEY not in at.session_state
    fallback = at.session_state["ctx.competition"]
    assert fallback != JUDGED and at.selectbox(key="w.ctx.competition").value == fallback
    assert JUDGED not in at.selectbox(key="w.ctx.competition").options
    at.run()                                          # a rerun of the public view keeps the wish, says nothing
    assert not any("belum ditetapkan hasilnya" in i.value for i in at.info)

    _sign_in(at, "panitia", "panitia-demo")
    assert not at.exception
    assert at.session_state["ctx.competition"] == JUDGED
    assert at.selectbox(key="w.ctx.competition").value == JUDGED
    assert at.query_params["competition"] == JUDGED                   # and the link says so


def test_a_choice_made_while_signed_out_replaces_the_kept_contest(demo_app):
    at = AppTest.from_file(str(ROOT / "pages/masuk.py"), default_timeout=120)
    at.query_params["competition"] = JUDGED
    at.run()
    _sign_in(at, "panitia", "panitia-demo")
    _sign_out(at)
    other = next(c for c in ("LP2026-KAB-36.02", "LP2026-KAB-19.05") if c != at.session_state["ctx.competition"])
    at.selectbox(key="w.ctx.competition").select(other).run()
    assert at.session_state["ctx.competition"] == other
    _sign_in(at, "panitia", "panitia-demo")
    assert not at.exception
    assert at.session_state["ctx.competition"] == other     # the visitor's own pick wins over the old one
