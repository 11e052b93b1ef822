"""The session's language and `tr(key)`: the one place the shell reads which language a visitor chose.

Its own module (not ui.context) so that ui.auth and ui.context can both use it without importing each other.
"""

from __future__ import annotations

import streamlit as st

from present.i18n import DEFAULT_LANGUAGE, t


def lang() -> str:
    return st.session_state.get("ctx.lang", DEFAULT_LANGUAGE)


def tr(key: str, **params: object) -> str:
    """Translate `key` into the session's language."""
    return t(key, lang(), **params)
