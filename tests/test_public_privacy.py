"""Visitors who are not signed in see published results but no personal data (contact names, phone numbers)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from data.judging import auth
from ui.auth import TOKEN_KEY
from ui.safe import as_shown

ROOT = Path(__file__).resolve().parent.parent
PHONE = re.compile(r"\b08\d{2}-\d{4}-\d{3,4}\b")


@pytest.fixture
def demo(demo_app):
    return demo_app


def _profile_text(con, signed_in: bool) -> str:
    at = AppTest.from_file(str(ROOT / "pages" / "profil.py"), default_timeout=120)
    if signed_in:
        at.session_state[TOKEN_KEY] = auth.authenticate(con, "pembina-lebak", "pembina-demo").token
    at.run()
    assert not at.exception, at.exception
    return " ".join(as_shown(str(e.value)) for e in [*at.caption, *at.markdown, *at.text])   # as read


def test_public_profile_shows_no_phone_number_but_a_pembina_sees_it(demo) -> None:
    assert not PHONE.search(_profile_text(demo, signed_in=False))
    assert PHONE.search(_profile_text(demo, signed_in=True))


def _levels_offered(con, user: tuple[str, str] | None) -> list[str]:
    at = AppTest.from_file(str(ROOT / "pages" / "peringkat.py"), default_timeout=120)
    if user:
        at.session_state[TOKEN_KEY] = auth.authenticate(con, *user).token
    at.session_state["ctx.year"] = 2026
    at.run()
    assert not at.exception, at.exception
    return list(at.selectbox(key="w.ctx.level").options)


def test_public_sees_only_finalised_competitions(demo) -> None:
    # The demo keeps the 2026 provinsi contests open (judging in progress); everything else is final.
    open_levels = {r[0] for r in demo.sql(
        "SELECT DISTINCT c.level FROM competitions c JOIN competition_stages s USING (competition_id) "
        "WHERE s.finalized_at IS NULL AND c.year = 2026").fetchall()}
    assert open_levels == {"provinsi"}
    assert "Provinsi" not in _levels_offered(demo, None)
    assert "Provinsi" in _levels_offered(demo, ("panitia", "panitia-demo"))
