"""The sidebar context every page reads: language, competition (year, level, scope), stage and region.

The state lives in session keys `ctx.*` (not in widget keys, which Streamlit forgets on page switches) and is
mirrored in the URL's query parameters, so a link sent on WhatsApp opens the same view.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
import streamlit as st

from data import access, store
from data.store import reads
from present.i18n import LANGUAGES, t
from scoring.fields import LEVELS
from ui.auth import current_user
from ui.language import lang as lang
from ui.language import tr as tr
from ui.state import get_con, reference_version, result_version, store_version

COMBINED = "gabungan"
_PARAMS = {"lang": "ctx.lang", "competition": "ctx.competition", "stage": "ctx.stage", "region": "ctx.region"}
_REGION_LEVEL_BELOW = {"provinsi": 2, "kabupaten": 3, "kecamatan": 4, "desa": 4, "nasional": 1}


@dataclass(frozen=True)
class Context:
    lang: str
    competition_id: str | None
    year: int | None
    level: str | None
    stage: str | None            # None means all stages combined with the stage weights
    region_code: str | None      # None means the whole scope of the competition
    scope_code: str | None = None
    instrument_id: str | None = None


@st.cache_data(max_entries=8, show_spinner=False)
def _competitions(path: str, version: int) -> pl.DataFrame:
    return reads.list_competitions(get_con())


@st.cache_data(max_entries=256, show_spinner=False)
def _stages(path: str, competition_id: str, version: tuple[int, int]) -> list[str]:
    return reads.stages_frame(get_con(), competition_id)["stage"].to_list()


@st.cache_data(max_entries=256, show_spinner=False)
def _regions(path: str, scope_code: str, level: int, reference: int) -> dict[str, str]:
    opts = reads.region_options(get_con(), scope_code, level)
    return dict(zip(opts["code"], opts["name"], strict=True))


def restore_from_url() -> None:
    """Adopt the query parameters whenever they differ from the state: a deep link, or a link from another page.

    Widget changes write the URL at once (see `_copy`), so a difference here always comes from outside.
    """
    for param, key in _PARAMS.items():
        value = st.query_params.get(param)
        if value and value != str(st.session_state.get(key)):
            st.session_state[key] = value
            if key == "ctx.competition":
                # Kept until it can be shown: a link to a contest still being judged, opened before signing in.
                st.session_state["ctx.pending_competition"] = value
                st.session_state.pop("ctx.year", None)
                st.session_state.pop("ctx.level", None)


def _copy(widget_key: str, state_key: str) -> None:
    value = st.session_state[widget_key]
    st.session_state[state_key] = value
    if state_key in ("ctx.competition", "ctx.year", "ctx.level"):
        st.session_state.pop("ctx.pending_competition", None)  # the user chose: forget the link's wish
    param = next((p for p, k in _PARAMS.items() if k == state_key), None)
    if param:
        if value in (None, ""):
            st.query_params.pop(param, None)
        else:
            st.query_params[param] = str(value)


def _select(label: str, options: list, state_key: str, fmt=str, container=st.sidebar):
    """A selectbox whose value survives page switches and URL round trips."""
    current = st.session_state.get(state_key)
    index = options.index(current) if current in options else 0
    widget_key = f"w.{state_key}"
    # The ctx.* state is the truth; a widget holding another value (a link changed the state) is reset to it.
    if widget_key in st.session_state and (st.session_state[widget_key] not in options
                                           or (current in options and st.session_state[widget_key] != current)):
        del st.session_state[widget_key]
    value = container.selectbox(label, options, index=index, format_func=fmt, key=widget_key,
                                on_change=_copy, args=(widget_key, state_key))
    st.session_state[state_key] = value
    return value


def nearest_competition(candidates: pl.DataFrame, anchors: list[str]) -> str | None:
    """The candidate contest nearest the region codes `anchors` (tried in order): the same scope, else the
    smallest scope containing the anchor, else the largest contest inside it; None when none is related."""
    rows = list(zip(candidates["competition_id"], candidates["scope_code"], candidates["n_entrants"], strict=True))
    for anchor in anchors:
        same = [c for c, scope, _ in rows if scope == anchor]
        if same:
            return same[0]
        around = sorted(((len(scope or ""), c) for c, scope, _ in rows
                         if not scope or anchor.startswith(scope + ".")), reverse=True)
        if around:
            return around[0][1]
        inside = sorted(((-(n or 0), c) for c, scope, n in rows if scope and scope.startswith(anchor + ".")))
        if inside:
            return inside[0][1]
    return None


def _default_competition(comps: pl.DataFrame) -> str:
    """The newest kabupaten-level contest with the most entrants (the view leaders open most), else the newest."""
    newest = comps.filter(pl.col("year") == comps["year"].max())
    kab = newest.filter(pl.col("level") == "kabupaten")
    pick = (kab if kab.height else newest).sort("n_entrants", descending=True, maintain_order=True)
    return pick["competition_id"][0]


def _assigned(user) -> list[str]:
    from data.judging.assignments import assigned_competitions

    return assigned_competitions(get_con(), user)


def sidebar_context(show_stage: bool = True, show_region: bool = True, purpose: str = "results") -> Context:
    """Draw the sidebar selectors and return the context; every page calls this first. `purpose` "judging"
    (the Penilaian page) offers a juri the contests they are assigned to; "results" what the user may see of
    the results (`data.access.visible_competitions`)."""
    restore_from_url()
    sb = st.sidebar
    language = _select(t("language", lang()), list(LANGUAGES), "ctx.lang",
                       fmt=lambda c: {"id": "Bahasa Indonesia", "en": "English"}[c])
    path, version = str(store.store_path()), store_version()
    every = _competitions(path, version)
    user = current_user()
    # Visitors and judges see final results only; a pembina follows judging inside their region (data.access).
    comps = access.visible_competitions(every, user, purpose,   # type: ignore[arg-type]
                                        _assigned(user) if purpose == "judging" and user.role == "juri" else ())
    if user.is_public:
        sb.caption(t("public_view_note", language))
    elif user.role == "juri" and purpose == "results":
        sb.caption(t("access_juri_results_note", language))
    if comps.height == 0:
        sb.info(t("no_competitions", language))
        return Context(language, None, None, None, None, None)

    visible = comps["competition_id"].to_list()
    pending = st.session_state.get("ctx.pending_competition")
    if (pending and pending not in visible and purpose == "results" and pending in every["competition_id"]
            and st.query_params.get("competition") == pending):
        # The link itself asked for a contest this user may not see yet (said once; kept in case they sign in).
        st.info(t("access_competition_not_public", language))
    if pending in visible:
        st.session_state["ctx.competition"] = st.session_state.pop("ctx.pending_competition")
        st.session_state.pop("ctx.year", None)
        st.session_state.pop("ctx.level", None)
    current = st.session_state.get("ctx.competition")
    if current not in visible:
        if current in every["competition_id"]:
            # A contest this user may no longer see (signed out on Masuk, or a judge leaving Penilaian for a
            # result page): shown is a final one, but the choice is kept and comes back once it is visible again.
            st.session_state["ctx.pending_competition"] = current
        st.session_state["ctx.competition"] = _default_competition(comps)
    chosen = comps.filter(pl.col("competition_id") == st.session_state["ctx.competition"]).row(0, named=True)

    years = sorted(comps["year"].unique().to_list(), reverse=True)
    st.session_state.setdefault("ctx.year", chosen["year"])
    st.session_state.setdefault("ctx.level", chosen["level"])
    year = _select(t("year", language), years, "ctx.year")
    in_year = comps.filter(pl.col("year") == year)
    levels = [lv for lv in reversed(LEVELS) if lv in in_year["level"].to_list()]
    level = _select(t("level", language), levels, "ctx.level", fmt=lambda v: t(f"level_{v}", language))
    in_level = in_year.filter(pl.col("level") == level)
    if st.session_state.get("ctx.competition") not in in_level["competition_id"].to_list() and in_level.height:
        # Another level or year was chosen: stay in the same region (Kab. Lebak's kecamatan contest → Kab. Lebak's
        # kabupaten contest, not the first kabupaten of the list).
        before = comps.filter(pl.col("competition_id") == st.session_state.get("ctx.competition"))
        anchors = [st.session_state.get("ctx.region"), before["scope_code"][0] if before.height else None]
        nearest = nearest_competition(in_level, [a for a in anchors if a])
        if nearest:
            st.session_state["ctx.competition"] = nearest
    names = dict(zip(in_level["competition_id"], in_level["name"], strict=True))
    cid = _select(t("competition", language), list(names), "ctx.competition", fmt=lambda c: names[c])
    row = in_level.filter(pl.col("competition_id") == cid).row(0, named=True)
    st.session_state["ctx.year"], st.session_state["ctx.level"] = row["year"], row["level"]

    stage = None
    if show_stage:
        stages = [COMBINED] + _stages(path, cid, result_version(cid))
        picked = _select(t("stage", language), stages, "ctx.stage",
                         fmt=lambda s: t("stage_combined" if s == COMBINED else f"stage_{s}", language))
        stage = None if picked == COMBINED else picked

    region = None
    if show_region:
        labels = _regions(path, row["scope_code"], _REGION_LEVEL_BELOW.get(row["level"], 3), reference_version())
        picked = _select(t("region", language), [""] + list(labels), "ctx.region",
                         fmt=lambda c: labels.get(c, t("all_regions", language)))
        region = picked or None

    _write_url(language, cid, stage, region)
    return Context(language, cid, row["year"], row["level"], stage, region, row["scope_code"], row["instrument_id"])


def _write_url(language: str, cid: str, stage: str | None, region: str | None) -> None:
    """Mirror the context in the URL, keeping any page-specific parameters (e.g. posyandu)."""
    wanted = {"lang": language, "competition": cid, "stage": stage, "region": region}
    for key, value in wanted.items():
        if value is None:
            if key in st.query_params:
                del st.query_params[key]
        elif st.query_params.get(key) != value:
            st.query_params[key] = value


# --- page choices in the link ----------------------------------------------------------------------------------
# A page's own choices (Peringkat's sort and filters, Peta's layers, level and measure) are held in the URL the same
# way as the sidebar context: the session state is the truth while the page runs, a link that differs from what this
# session last wrote is adopted before the widget is drawn, and the widget's value is written back after it.
# Default values are left out of the link, so a plain link stays short.

def _encode(value: object, many: bool) -> str:
    if many:
        return ",".join(str(v) for v in value)  # type: ignore[union-attr]
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def _decode(raw: str, default: object, many: bool, options: list | None) -> object | None:
    """The typed value of a link's text (shaped like the default), or None when it is not a valid choice."""
    try:
        if many:
            value: object = [v for v in raw.split(",") if v]
            if options is not None and not all(v in options for v in value):  # type: ignore[union-attr]
                return None
            return value
        if isinstance(default, bool):
            return {"1": True, "0": False}.get(raw)
        value = type(default)(raw) if default is not None else raw
    except (TypeError, ValueError):
        return None
    return value if options is None or value in options else None


def choice_from_url(param: str, key: str, default: object, options: list | None = None, many: bool = False) -> None:
    """Before drawing the widget `key`: adopt the link's `param` when it changed from outside, else the default."""
    raw = st.query_params.get(param)
    last = st.session_state.get(f"_url.{param}")
    if raw is not None and raw != last:
        value = _decode(raw, default, many, options)
        if value is not None:
            st.session_state[key] = value
        st.session_state[f"_url.{param}"] = raw
    elif raw is None and last is not None and key in st.session_state:
        st.session_state[key] = default        # a link without the parameter means the default view
        st.session_state.pop(f"_url.{param}", None)
    current = st.session_state.get(key)
    if current is None or (options is not None and not many and current not in options):
        st.session_state[key] = default


def choice_to_url(param: str, key: str, default: object, many: bool = False) -> None:
    """After drawing the widget `key`: write its value into the link (nothing when it is the default)."""
    value = st.session_state.get(key, default)
    if value == default or value is None:
        st.query_params.pop(param, None)
        st.session_state.pop(f"_url.{param}", None)
        return
    text = _encode(value, many)
    if st.query_params.get(param) != text:
        st.query_params[param] = text
    st.session_state[f"_url.{param}"] = text


def picked_posyandu(map_state: object, layer: str) -> str | None:
    """The posyandu a click on the map selected (the pydeck chart's state in the session), or None."""
    try:
        objects = (map_state or {}).get("selection", {}).get("objects") or {}  # type: ignore[union-attr]
        picked = objects.get(layer) or []
        return str(picked[0]["posyandu_id"]) if picked else None
    except (AttributeError, KeyError, TypeError, IndexError):
        return None
