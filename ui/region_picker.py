"""A Kemendagri region picked in a cascade, province → kabupaten/kota → kecamatan → desa: each box holds the
regions under the one chosen above it (a few dozen), never a level's thousands, and filters as one types a name
or a code. The Lomba page (a competition's region), Akun (the region a pembina reads) and Peserta (the desa of a
new posyandu) use it.

Selectboxes rerun the page on each choice, so the cascade is drawn outside any `st.form`.
"""

from __future__ import annotations

import streamlit as st

from data import regions
from ui.language import tr

LEVEL_NAME = {1: "level_provinsi", 2: "level_kabupaten", 3: "level_kecamatan", 4: "level_desa"}


def region_cascade(level: int, key: str, label: str, *, initial: str | None = None, within: str = "",
                   placeholder: str | None = None, container=st) -> str | None:
    """Draw the boxes from below `within` (a code, "" for the whole country) down to `level` (1 provinsi … 4
    desa) and return the chosen code of that level, or None until every box is chosen. `label` names the last
    box (widget key `key`); those above it are named by their level (keys `key.up1`, `key.up2`, …). `initial` is a
    code of `level` to start from."""
    parent = within
    start = within.count(".") + 2 if within else 1     # the level below `within`
    for lv in range(start, level + 1):
        choices = regions.region_children(parent, lv)
        codes = list(choices)
        mine = ".".join(initial.split(".")[:lv]) if initial else None
        last = lv == level
        picked = container.selectbox(
            label if last else tr(LEVEL_NAME[lv]), codes, index=codes.index(mine) if mine in codes else None,
            format_func=choices.get, key=key if last else f"{key}.up{lv}",
            placeholder=(placeholder or tr("setup_field_scope_help")) if last else tr("contest_scope_pick_up"))
        if not picked:
            return None
        parent = picked
    return parent if parent.count(".") + 1 == level else None
