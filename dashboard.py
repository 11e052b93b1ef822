"""The entry: page navigation grouped for leaders, judges and organisers. Pages draw their own sidebar context."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from present.i18n import t
from ui.context import lang, restore_from_url
from ui.navigation import PAGES
from ui.state import get_con

ROOT = Path(__file__).resolve().parent

st.set_page_config(page_title="Lomba Posyandu", page_icon="🏅", layout="wide")
get_con()  # builds the demo store on first start, with a progress bar

restore_from_url()  # a shared link's language names the menu too
L = lang()
groups: dict[str, list[st.Page]] = {}
for i, entry in enumerate(p for p in PAGES if (ROOT / p.path).exists()):
    page = st.Page(entry.path, title=t(entry.title_key, L), icon=entry.icon, default=(i == 0),
                   url_path=Path(entry.path).stem)
    groups.setdefault(t(entry.group_key, L), []).append(page)
st.navigation(groups).run()
