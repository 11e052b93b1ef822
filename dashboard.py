"""The entry: page navigation grouped for leaders, judges and organisers. Pages draw their own sidebar context."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from data.judging import accounts
from present.i18n import t
from ui.auth import keep_session_cookie
from ui.context import lang, restore_from_url
from ui.guard import friendly_errors
from ui.navigation import PAGES
from ui.state import get_con
from ui.uploads import dropzone_style

ROOT = Path(__file__).resolve().parent

st.set_page_config(page_title="Lomba Posyandu", page_icon="🏅", layout="wide")
with friendly_errors():   # an unexpected error, here or on the page, is a translated message, never a traceback
    con = get_con()  # builds the demo store on first start (with a progress bar), or opens an empty real store
    # An empty real store opens on Masuk, which asks for the first panitia account.
    first_start = not accounts.has_panitia(con)

    restore_from_url()  # a shared link's language names the menu too
    keep_session_cookie()  # a reload or a new tab stays signed in; sign-out clears it
    L = lang()
    groups: dict[str, list[st.Page]] = {}
    for i, entry in enumerate(p for p in PAGES if (ROOT / p.path).exists()):
        default = entry.path == "pages/masuk.py" if first_start else i == 0
        page = st.Page(entry.path, title=t(entry.title_key, L), icon=entry.icon, default=default,
                       url_path=Path(entry.path).stem)
        groups.setdefault(t(entry.group_key, L), []).append(page)
    # Every page listed: the organisers' set-up pages would otherwise hide behind "View 5 more".
    dropzone_style()           # the uploaders' own words in the user's language
    st.navigation(groups, expanded=True).run()
