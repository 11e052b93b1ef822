"""The app starts on the demo and every page in the navigation renders without exception, in both languages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from present.i18n import catalogue
from ui.navigation import PAGES

ROOT = Path(__file__).resolve().parent.parent


def test_every_registered_page_exists_and_every_page_file_is_registered() -> None:
    registered = {p.path for p in PAGES}
    on_disk = {f"pages/{p.name}" for p in (ROOT / "pages").glob("*.py") if not p.name.startswith("_")}
    assert registered == on_disk


def test_dashboard_starts_on_the_demo(demo_env: Path) -> None:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120).run()
    assert not at.exception, at.exception


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("page", [p.path for p in PAGES])
def test_page_renders_without_exception(page: str, lang: str, demo_env: Path) -> None:
    at = AppTest.from_file(str(ROOT / page), default_timeout=120)
    at.session_state["ctx.lang"] = lang
    at.run()
    assert not at.exception, at.exception


_KEY_CALL = re.compile(r"""\b(?:tr|t)\(\s*["']([a-z0-9_]+)["']\s*[,)]""")


def test_every_literal_message_key_in_the_code_exists_in_the_catalogue() -> None:
    keys = catalogue()
    missing = []
    for folder in ("pages", "ui", "data", "geo"):
        for path in (ROOT / folder).rglob("*.py"):
            for key in _KEY_CALL.findall(path.read_text(encoding="utf-8")):
                if key not in keys:
                    missing.append(f"{path.relative_to(ROOT)}: {key}")
    assert not missing, missing
