"""What the contest set-up tests share: an empty real store (regions and shipped instruments, no demo), built
once per session and copied per test, with the app pointed at it and a panitia to sign in as."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from data import store
from data.judging import auth
from tests.app_support import app_on
from ui.auth import TOKEN_KEY

ROOT = Path(__file__).resolve().parent.parent
PANITIA_PASSWORD = "Kudus-Sehat-2025"


@pytest.fixture(scope="session")
def empty_store_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from data.setup.first_start import create_empty_store

    path = tmp_path_factory.mktemp("empty") / "empty.duckdb"
    create_empty_store(path)
    return path


@pytest.fixture
def empty_store(empty_store_template: Path, tmp_path: Path) -> Path:
    """A private copy of the prepared empty store."""
    target = tmp_path / "kudus.duckdb"
    shutil.copyfile(empty_store_template, target)
    return target


@pytest.fixture
def setup_app(empty_store: Path, monkeypatch: pytest.MonkeyPatch, fast_hashing: None) -> Iterator:
    """The app pointed at a private empty store holding one panitia (ketua); yields a connection."""
    con = store.connect(empty_store)
    try:
        auth.create_user(con, "ketua", PANITIA_PASSWORD, "panitia", display_name="Ketua Panitia")
        with app_on(empty_store, monkeypatch):
            yield con
    finally:
        con.close()


def run_page(name: str, con, username: str | None = "ketua", password: str = PANITIA_PASSWORD,
             lang: str = "id") -> AppTest:
    """Run pages/<name>.py signed in as `username` (None: not signed in)."""
    at = AppTest.from_file(str(ROOT / "pages" / f"{name}.py"), default_timeout=120)
    at.session_state["ctx.lang"] = lang
    if username:
        at.session_state[TOKEN_KEY] = auth.authenticate(con, username, password).token
    return at.run()


def texts(at: AppTest) -> str:
    parts = [e.value for e in (*at.markdown, *at.caption, *at.info, *at.error, *at.warning, *at.success)]
    parts += [str(df.value) for df in at.dataframe]
    return "\n".join(str(p) for p in parts)
