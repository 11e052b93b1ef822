"""Lomba: the panitia creates and edits competitions — level, region, category, instrument version, stages with
dates and weights, and the scoring rules — under the rule-change policy of data/setup/competitions.py."""

from __future__ import annotations

import datetime as dt

import polars as pl
import streamlit as st

from data.exchange.problems import Problem
from data.instruments.persistence import list_instruments
from data.judging.contest_life import contest_rules
from data.setup import competitions as comps
from data.setup.competitions import CompetitionSpec, StageSpec
from data.store import reads
from present.errors import UserError
from present.fmt import fmt_date, readable_dates
from present.i18n import catalogue, t
from scoring.config import AGGREGATIONS
from scoring.fields import LEVELS, STAGES
from ui.auth import require_role, show_denied
from ui.context import lang, sidebar_context, tr
from ui.region_picker import region_cascade
from ui.safe import plain
from ui.share_views import field_awards_setting
from ui.state import get_con
from ui.tables import dataframe

NEW = "__new__"
L = sidebar_context(show_stage=False, show_region=False).lang


def say(key: str, **params: object) -> str:
    """`tr` with the language fixed at this run: format functions are also called outside the run (AppTest)."""
    return t(key, L, **params)


# The stored values the history shows in the form's own words (the other fields read as they are stored).
_WORDS_OF = {"aggregation": "setup_aggregation_{}", "level": "level_{}"}


def _field_words(field: str) -> str:
    """A history row's field as the form labels it ("aggregation" → "Penggabungan nilai juri")."""
    key = f"setup_field_{field}"
    return say(key) if key in catalogue() else field


def _value_words(field: str, value: str | None) -> str | None:
    """A stored old/new value as people read it: dates the Indonesian way, coded choices in the form's words."""
    if value is None:
        return None
    key = _WORDS_OF.get(field, "").format(value.strip('"'))
    return say(key) if key and key in catalogue() else readable_dates(value, L)


user = require_role(["panitia"])
con = get_con()
st.title(tr("setup_lomba_title"))
st.caption(tr("setup_lomba_intro"))

existing = reads.list_competitions(con)
names = dict(zip(existing["competition_id"], existing["name"], strict=True))
if flash := st.session_state.pop("lomba.flash", None):
    st.success(flash)
if not names:
    st.info(tr("setup_lomba_none"))
options = [NEW, *names]
if "lomba.next" in st.session_state:          # a competition just created: edit it next
    st.session_state["lomba.pick"] = st.session_state.pop("lomba.next")
if st.session_state.get("lomba.pick") not in options:
    st.session_state["lomba.pick"] = NEW if not names else options[1]
cid = st.selectbox(tr("setup_lomba_pick"), options, key="lomba.pick",
                   format_func=lambda c: say("setup_lomba_new") if c == NEW else f"{names[c]} ({c})")
cid = None if cid == NEW else cid
old = comps.competition_spec(con, cid) if cid else None
state = comps.rule_state(con, cid)
(st.info if state == "open" else st.warning)(tr(f"setup_state_{state}"))
st.caption(tr("setup_lomba_policy"))

k = f"lomba.{cid or 'new'}."          # widget keys per competition: switching resets the form
today = dt.date.today()
name = st.text_input(tr("setup_field_name"), value=old.name if old else "", key=k + "name")
c1, c2, c3 = st.columns(3, wrap=True)
year = int(c1.number_input(tr("setup_field_year"), 2000, 2100, old.year if old else today.year, key=k + "year"))
level = c2.selectbox(tr("setup_field_level"), LEVELS, index=LEVELS.index(old.level if old else "kabupaten"),
                     format_func=lambda v: say(f"level_{v}"), key=k + "level")
category = c3.selectbox(tr("setup_field_category"),
                        list(dict.fromkeys([*(comps.CATEGORY_SUGGESTIONS), *([old.category] if old else [])])),
                        index=comps.CATEGORY_SUGGESTIONS.index(old.category)
                        if old and old.category in comps.CATEGORY_SUGGESTIONS else 0,
                        accept_new_options=True, help=tr("setup_field_category_help"), key=k + "category")

region_level = comps.SCOPE_REGION_LEVEL[level]
if region_level == 0:
    scope = ""
    st.text_input(tr("setup_field_scope_code"), tr("setup_scope_nasional_label"), disabled=True, key=k + "nas")
else:
    # A cascade, province → kabupaten/kota → kecamatan → desa, down to the competition's level (ui.region_picker).
    had_scope = old.scope_code if old and old.level == level else ""
    scope = region_cascade(region_level, k + f"scope{region_level}", tr("setup_field_scope_code"),
                           initial=had_scope or None) or ""

instruments = list_instruments(con)
ids = instruments["instrument_id"].to_list()
titles = dict(zip(ids, [f"{t} ({i})" for t, i in zip(instruments["title"], ids, strict=True)], strict=True))
instrument_id = st.selectbox(tr("setup_field_instrument_id"), ids,
                             index=ids.index(old.instrument_id) if old and old.instrument_id in ids else 0,
                             format_func=titles.get, key=k + "instrument")

st.subheader(tr("setup_field_stages"))
had = {s.stage: s for s in old.stages} if old else {}
default_use = {"administrasi": (40.0, True), "lapangan": (60.0, True), "presentasi": (0.0, False)}
stages: list[StageSpec] = []
for s in STAGES:
    prev = had.get(s)
    cols = st.columns([2, 1, 1.3, 1.3], wrap=True, vertical_alignment="bottom")
    use = cols[0].checkbox(tr(f"stage_{s}"), value=prev is not None if old else default_use[s][1], key=k + s + ".use")
    weight = cols[1].number_input(tr("setup_field_weight"), 0.0, 100.0, prev.weight if prev else default_use[s][0],
                                  step=5.0, key=k + s + ".weight", disabled=not use)
    start_d = cols[2].date_input(tr("setup_field_start"), prev.start_date if prev else None, key=k + s + ".start",
                                 disabled=not use, format="DD/MM/YYYY")
    end_d = cols[3].date_input(tr("setup_field_end"), prev.end_date if prev else None, key=k + s + ".end",
                               disabled=not use, format="DD/MM/YYYY")
    if use:
        stages.append(StageSpec(s, float(weight), start_d, end_d))

st.subheader(tr("setup_field_aggregation"))
c1, c2 = st.columns(2, wrap=True)
aggregation = c1.selectbox(tr("setup_field_aggregation"), AGGREGATIONS,
                           index=AGGREGATIONS.index(old.aggregation if old else "mean"),
                           format_func=lambda a: say(f"setup_aggregation_{a}"), key=k + "agg")
trim = c2.number_input(tr("setup_field_trim_share"), 0.0, 0.45, old.trim_share if old else 0.2, step=0.05,
                       disabled=aggregation != "trimmed_mean", key=k + "trim")
sections = comps._instrument_sections(con, instrument_id) or []
tie_options = comps.tie_break_choices(sections, [s.stage for s in stages])


def _tie_label(rule: str) -> str:
    kind, _, name = rule.partition(":")
    if kind == "completeness":
        return say("setup_tie_completeness")
    label = say(f"stage_{name}") if kind == "stage" else say(f"field_{name}")
    return say(f"setup_tie_{kind}", name=label)


ties_default = [r for r in (old.tie_breaks if old else CompetitionSpec.tie_breaks) if r in tie_options]
ties = st.multiselect(tr("setup_field_tie_breaks"), tie_options, default=ties_default, format_func=_tie_label,
                      key=k + "ties")
st.caption(tr("setup_field_strata_thresholds"))
c = st.columns(3)
strata_old = old.strata_thresholds if old else CompetitionSpec.strata_thresholds
strata = tuple(float(c[i].number_input("abc"[i], 0.0, 100.0, float(strata_old[i]), step=5.0, key=k + f"strata{i}"))
               for i in range(3))
c1, c2 = st.columns(2, wrap=True)
advance = int(c1.number_input(tr("setup_field_advance_count"), 0, 100, old.advance_count if old else 1,
                              key=k + "advance"))
awards = int(c2.number_input(tr("setup_field_n_awards"), 0, 20, old.n_awards if old else 6, key=k + "awards"))
parents = comps.parent_candidates(con, year, level, scope)
pnames = dict(zip(parents["competition_id"], parents["name"], strict=True))
popts = [None, *pnames]
parent = st.selectbox(tr("setup_field_parent_competition_id"), popts,
                      index=popts.index(old.parent_competition_id) if old and old.parent_competition_id in popts
                      else 0, format_func=lambda p: say("setup_parent_none") if p is None else pnames[p],
                      key=k + "parent")

st.subheader(tr("life_rules"))
st.caption(tr("contest_life_rules_help"))
life_old = contest_rules.rules(con, cid) if cid else dict(contest_rules.DEFAULT_RULES)
c1, c2, c3 = st.columns(3, wrap=True)
life = {"protest_days": int(c1.number_input(tr("life_rules_days"), 0, 30, int(life_old["protest_days"]),
                                            key=k + "protest_days")),
        "disagree_levels": int(c2.number_input(tr("life_rules_levels"), 1, 5, int(life_old["disagree_levels"]),
                                               key=k + "disagree_levels")),
        "disagree_real_pct": float(c3.number_input(tr("life_rules_pct"), 0.0, 100.0,
                                                   float(life_old["disagree_real_pct"]), step=5.0,
                                                   key=k + "disagree_pct"))}

if cid:
    field_awards_setting(con, user, cid)

spec = CompetitionSpec(name=name, year=year, level=level, scope_code=scope, instrument_id=instrument_id,
                       stages=tuple(stages), category=(category or "").strip(), aggregation=aggregation,
                       trim_share=float(trim), tie_breaks=tuple(ties), strata_thresholds=strata,  # type: ignore[arg-type]
                       advance_count=advance, n_awards=awards, parent_competition_id=parent,
                       total_decimals=old.total_decimals if old else 2)
if st.session_state.pop("lomba.saved", False):     # a saved reason belongs to that change, not to the next one
    st.session_state[k + "reason"] = ""            # set, not dropped: the browser keeps a dropped widget's text
reason = st.text_input(tr("setup_field_reason"), key=k + "reason") if state == "scoring" else None


def _show(problems: list[Problem]) -> None:
    lines = [f"- **{tr(f'setup_field_{p.column}')}**: {p.text(lang(), escape=plain)}" for p in problems]
    st.error("\n".join([tr("setup_problems_title"), "", *lines]))


if cid is None:
    if st.button(tr("setup_create"), type="primary", key="lomba.create"):
        new_id, problems = comps.create_competition(con, user, spec)
        if problems:
            _show(problems)
        else:
            if new_id and life != contest_rules.DEFAULT_RULES:
                contest_rules.set_rules(con, user, new_id, **life)
            st.session_state["lomba.next"] = new_id
            st.session_state["lomba.flash"] = tr("setup_created", competition=f"{spec.name} ({new_id})")
            st.rerun()
else:
    if st.button(tr("setup_save"), type="primary", key="lomba.save"):
        if old == spec and life == life_old:
            st.info(tr("setup_nothing_changed"))
        elif old != spec and (problems := comps.update_competition(con, user, cid, spec, reason)):
            _show(problems)
        else:
            try:
                contest_rules.set_rules(con, user, cid, **life)
            except UserError as err:
                show_denied(err)
            else:
                st.session_state["lomba.flash"] = tr("setup_saved")
                st.session_state["lomba.saved"] = True
                st.rerun()
    history = comps.competition_history(con, cid)
    with st.expander(tr("setup_history")):
        if history.height == 0:
            st.caption(tr("empty_no_changes"))
        else:
            dataframe(history.select(
                pl.col("changed_at").map_elements(lambda d: f"{fmt_date(d, L)} {d:%H.%M}", return_dtype=pl.String)
                .alias(tr("setup_col_when")), pl.col("actor").alias(tr("setup_col_who")),
                pl.col("action").replace_strict({a: say(f"setup_action_{a}") for a in comps.AUDIT_ACTIONS},
                                                default=pl.col("action")).alias(tr("setup_col_action")),
                pl.col("entity_key").str.replace(f"^{cid}/?", "").map_elements(_field_words, return_dtype=pl.String)
                .alias(tr("setup_col_what")),
                *(pl.struct(pl.col("entity_key").str.replace(f"^{cid}/?", ""), pl.col(c))
                  .map_elements(lambda r, c=c: _value_words(r["entity_key"], r[c]), return_dtype=pl.String)
                  .alias(tr(key)) for c, key in (("old_value", "setup_col_old"), ("new_value", "setup_col_new"))),
                pl.col("reason").alias(tr("setup_col_reason"))), hide_index=True)
