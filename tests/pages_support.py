"""What the leader and delegation page tests share: the test competition and a page runner (the `league`
fixture with its official table is in tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

PAGES = Path(__file__).resolve().parent.parent / "pages"
COMP = "LP2026-KAB-36.02"         # Kab. Lebak 2026: 28 entrants, with a 2025 edition to compare with


def page(name: str, token: str | None = None, **params: str) -> AppTest:
    """Run one page on the test competition, with extra query parameters (a deep link); signed in when given a
    session `token` (data.judging.auth.authenticate(...).token)."""
    from ui.auth import TOKEN_KEY

    at = AppTest.from_file(str(PAGES / f"{name}.py"), default_timeout=120)
    if token:
        at.session_state[TOKEN_KEY] = token
    for k, v in {"competition": COMP, **params}.items():
        at.query_params[k] = v
    return at.run()


def sign_in(con, username: str) -> str:
    """A session token for a demo account (passwords: <role>-demo)."""
    from data.judging import auth

    password = {"panitia": "panitia-demo", "pembina-lebak": "pembina-demo"}.get(username, "juri-demo")
    return auth.authenticate(con, username, password).token

