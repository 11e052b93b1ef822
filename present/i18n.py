"""The message catalogue: every string a user reads, in Bahasa Indonesia (default) and English.

Messages live in `ui/messages/*.yaml`, one file per area (core, pages, geo, judging, exchange), each mapping
a key to {id: ..., en: ...}. Keys are unique across files; a duplicate is a bug caught by the tests.
This module knows nothing of Streamlit, so importers and exports can use it too.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

LANGUAGES: tuple[str, ...] = ("id", "en")
DEFAULT_LANGUAGE = "id"
MESSAGES_DIR = Path(__file__).resolve().parent / "messages"


@lru_cache(maxsize=1)
def catalogue() -> dict[str, dict[str, str]]:
    """All messages, merged from every file; raises on a duplicate key or a missing language."""
    merged: dict[str, dict[str, str]] = {}
    for path in sorted(MESSAGES_DIR.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for key, texts in data.items():
            if key in merged:
                raise ValueError(f"message key {key!r} defined twice (again in {path.name})")
            missing = [lang for lang in LANGUAGES if not isinstance(texts, dict) or lang not in texts]
            if missing:
                raise ValueError(f"message {key!r} in {path.name} lacks {missing}")
            merged[key] = {lang: str(texts[lang]) for lang in LANGUAGES}
    return merged


def t(key: str, lang: str = DEFAULT_LANGUAGE, **params: object) -> str:
    """The message `key` in `lang`, with {placeholders} filled; an unknown key shows itself, marked."""
    texts = catalogue().get(key)
    if texts is None:
        return f"⟦{key}⟧"
    text = texts.get(lang) or texts[DEFAULT_LANGUAGE]
    return text.format(**params) if params else text
