"""Competitions set up by the panitia: create, edit, validate, and the one door from a competition to its rules.

A competition is one ranked contest: one year, level, scope region and category (a province running "desa" and
"kelurahan" categories creates two competitions, each ranked on its own), with its instrument version, stages
(dates and weights), and scoring rules (aggregation of judges, tie-breaks, strata thresholds, awards, number
advancing) and the parent contest one level up that its winners advance to.

Changing a rule once judging has begun (policy, stated on the Competitions page):
- before any score is entered, every field may change;
- after the first score, a rule may still change, but only with a written reason: results are computed live
  from the raw choices, so the change re-scores the contest, and one audit entry per changed rule records who,
  when, old and new value and why; the instrument can no longer change (the scores name its criteria);
- once a stage is finalised (results frozen and published), no rule may change until the stage is reopened.
The name, the stage dates and the parent contest never affect results and may always change (still audited).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass
from typing import Any

import duckdb
import polars as pl

from data import regions as regions_mod
from data import store
from data.exchange.problems import Problem
from data.judging.auth import User, require_role
from data.results import stored_strata
from data.store import audit
from scoring.config import AGGREGATIONS
from scoring.fields import LEVELS, OTHER_SECTIONS, SPM_FIELDS, STAGES

Con = duckdb.DuckDBPyConnection

# The region level a competition's scope has, per competition level (nasional covers the whole country: "").
SCOPE_REGION_LEVEL: dict[str, int] = {"desa": 4, "kecamatan": 3, "kabupaten": 2, "provinsi": 1, "nasional": 0}
REGION_LEVEL_NAME: dict[int, str] = {1: "provinsi", 2: "kabupaten", 3: "kecamatan", 4: "desa"}
CATEGORY_SUGGESTIONS: tuple[str, ...] = ("umum", "desa", "kelurahan", "kabupaten", "kota")
_LEVEL_ABBR = {"desa": "DES", "kecamatan": "KEC", "kabupaten": "KAB", "provinsi": "PROV", "nasional": "NAS"}
_CATEGORY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
WEIGHT_TOLERANCE = 0.01
SOURCE = "lomba"     # the `file` of a set-up Problem: the form, not a file

# Fields whose change changes the results (frozen once a stage is final; need a reason after the first score).
RULE_FIELDS: tuple[str, ...] = ("year", "level", "scope_code", "category", "instrument_id", "stages",
                                "aggregation", "trim_share", "tie_breaks", "strata_thresholds", "advance_count",
                                "n_awards")
FREE_FIELDS: tuple[str, ...] = ("name", "stage_dates", "parent_competition_id")
AUDIT_ACTIONS: tuple[str, ...] = ("create", "update", "rule_change_after_scoring", "set_rules", "set_field_awards")


@dataclass(frozen=True)
class StageSpec:
    stage: str
    weight: float
    start_date: dt.date | None = None
    end_date: dt.date | None = None


@dataclass(frozen=True)
class CompetitionSpec:
    """Everything the panitia sets for one competition; the form fills it, `validate_competition` checks it."""

    name: str
    year: int
    level: str
    scope_code: str
    instrument_id: str
    stages: tuple[StageSpec, ...]
    category: str = "umum"
    aggregation: str = "mean"
    trim_share: float = 0.2
    tie_breaks: tuple[str, ...] = ("field:kesehatan", "completeness")
    strata_thresholds: tuple[float, float, float] = (60.0, 70.0, 80.0)
    advance_count: int = 1
    n_awards: int = 6
    parent_competition_id: str | None = None
    total_decimals: int = 2

    def values(self) -> dict[str, Any]:
        """Field → comparable value; stage weights and dates split so a date change is not a rule change."""
        out = {k: v for k, v in asdict(self).items() if k != "stages"}
        out["tie_breaks"] = list(self.tie_breaks)
        out["strata_thresholds"] = [float(x) for x in self.strata_thresholds]
        out["stages"] = [[s.stage, float(s.weight)] for s in self.stages]
        out["stage_dates"] = [[s.stage, _iso(s.start_date), _iso(s.end_date)] for s in self.stages]
        return out


def _iso(d: dt.date | None) -> str | None:
    return d.isoformat() if d else None


def _p(column: str, key: str, **detail: object) -> Problem:
    return Problem(SOURCE, None, None, column, key, dict(detail))


# ---------------------------------------------------------------------------------------------- reading
def competition_spec(con: Con, competition_id: str) -> CompetitionSpec | None:
    """The stored competition as a spec (for the edit form), or None when it does not exist."""
    row = con.sql(
        "SELECT name, year, level, scope_code, instrument_id, category, aggregation, trim_share, tie_breaks,"
        " strata_thresholds, advance_count, n_awards, parent_competition_id, total_decimals "
        "FROM competitions WHERE competition_id = ?", params=[competition_id]).fetchone()
    if row is None:
        return None
    stages = tuple(StageSpec(s, float(w), a, b) for s, w, a, b in con.sql(
        "SELECT stage, weight, start_date, end_date FROM competition_stages WHERE competition_id = ? ORDER BY ord",
        params=[competition_id]).fetchall())
    (name, year, level, scope, iid, cat, agg, trim, ties, strata, adv, awards, parent, dec) = row
    return CompetitionSpec(
        name=name, year=int(year), level=level, scope_code=scope, instrument_id=iid, stages=stages,
        category=cat or "umum", aggregation=agg or "mean", trim_share=0.2 if trim is None else float(trim),
        tie_breaks=tuple(ties) if ties is not None else CompetitionSpec.tie_breaks,
        strata_thresholds=stored_strata(strata) if strata else CompetitionSpec.strata_thresholds,
        advance_count=1 if adv is None else int(adv), n_awards=6 if awards is None else int(awards),
        parent_competition_id=parent, total_decimals=2 if dec is None else int(dec))


def scoring_started(con: Con, competition_id: str) -> bool:
    """True once any judge has entered a score for the competition."""
    return con.sql("SELECT 1 FROM scores WHERE competition_id = ? LIMIT 1", params=[competition_id]).fetchone() \
        is not None


def finalised_stages(con: Con, competition_id: str) -> list[str]:
    return [r[0] for r in con.sql("SELECT stage FROM competition_stages WHERE competition_id = ? "
                                  "AND finalized_at IS NOT NULL ORDER BY ord", params=[competition_id]).fetchall()]


def rule_state(con: Con, competition_id: str | None) -> str:
    """open (anything may change), scoring (rules change with a reason), frozen (a stage is final)."""
    if competition_id is None:
        return "open"
    if finalised_stages(con, competition_id):
        return "frozen"
    return "scoring" if scoring_started(con, competition_id) else "open"


def parent_candidates(con: Con, year: int, level: str, scope_code: str) -> pl.DataFrame:
    """Competitions one level up in the same year whose scope contains `scope_code`: where winners may advance."""
    up = LEVELS.index(level) + 1 if level in LEVELS else len(LEVELS)
    if up >= len(LEVELS):
        return pl.DataFrame(schema={"competition_id": pl.String, "name": pl.String})
    return con.sql(
        "SELECT competition_id, name FROM competitions WHERE year = ? AND level = ? "
        "AND starts_with(?, scope_code) ORDER BY name", params=[year, LEVELS[up], scope_code]).pl()


# ---------------------------------------------------------------------------------------------- validation
def tie_break_choices(instrument_sections: list[str], stages: list[str]) -> list[str]:
    """The tie-break rules the form offers: a higher score in a field or section, completeness, a stage."""
    fields = [f for f in (*SPM_FIELDS, *OTHER_SECTIONS) if f in instrument_sections] or list(SPM_FIELDS)
    return [f"field:{f}" for f in fields] + ["completeness"] + [f"stage:{s}" for s in stages]


def _instrument_sections(con: Con, instrument_id: str) -> list[str] | None:
    rows = con.sql("SELECT s.section_id, s.spm_field FROM instruments i LEFT JOIN instrument_sections s "
                   "USING (instrument_id) WHERE i.instrument_id = ?", params=[instrument_id]).fetchall()
    if not rows:
        return None
    return sorted({v for r in rows for v in r if v})


def validate_competition(con: Con, spec: CompetitionSpec, competition_id: str | None = None) -> list[Problem]:
    """Every problem of a competition as the panitia entered it (none: it may be saved). The column of each
    Problem names the form field."""
    out: list[Problem] = []
    if not spec.name.strip():
        out.append(_p("name", "setup_name_empty"))
    if not 2000 <= spec.year <= 2100:
        out.append(_p("year", "setup_year_range", year=spec.year))
    if spec.level not in LEVELS:
        out.append(_p("level", "setup_level_unknown", level=spec.level, allowed=list(LEVELS)))
    else:
        want = SCOPE_REGION_LEVEL[spec.level]
        if want == 0:
            if spec.scope_code:
                out.append(_p("scope_code", "setup_scope_nasional"))
        else:
            code = regions_mod.normalize_code(spec.scope_code)
            row = regions_mod._region_rows().get(code or "")
            if row is None:
                out.append(_p("scope_code", "setup_scope_unknown", code=spec.scope_code))
            elif row[1] != want:
                out.append(_p("scope_code", "setup_scope_level", code=spec.scope_code,
                              level=spec.level))
    if not _CATEGORY.match(spec.category or ""):
        out.append(_p("category", "setup_category_bad", category=spec.category))
    sections = _instrument_sections(con, spec.instrument_id)
    if sections is None:
        out.append(_p("instrument_id", "setup_instrument_unknown", instrument=spec.instrument_id))
    out += _stage_problems(spec.stages)
    if spec.aggregation not in AGGREGATIONS:
        out.append(_p("aggregation", "setup_aggregation_unknown", aggregation=spec.aggregation))
    if not 0.0 <= spec.trim_share < 0.5:
        out.append(_p("trim_share", "setup_trim_range", share=spec.trim_share))
    allowed = tie_break_choices(sections or [], [s.stage for s in spec.stages])
    for rule in spec.tie_breaks:
        if rule not in allowed:
            out.append(_p("tie_breaks", "setup_tie_break_unknown", rule=rule))
    if len(set(spec.tie_breaks)) != len(spec.tie_breaks):
        out.append(_p("tie_breaks", "setup_tie_break_twice"))
    lo, mid, hi = spec.strata_thresholds
    if not (0 <= lo < mid < hi <= 100):
        out.append(_p("strata_thresholds", "setup_strata_order", lo=lo, mid=mid, hi=hi))
    if spec.advance_count < 0:
        out.append(_p("advance_count", "setup_advance_negative", n=spec.advance_count))
    if not 0 <= spec.n_awards <= 20:
        out.append(_p("n_awards", "setup_awards_range", n=spec.n_awards))
    out += _parent_problems(con, spec, competition_id)
    dup = con.sql("SELECT competition_id FROM competitions WHERE year = ? AND level = ? AND scope_code = ? "
                  "AND category = ? AND competition_id IS DISTINCT FROM ?",
                  params=[spec.year, spec.level, spec.scope_code, spec.category, competition_id]).fetchone()
    if dup:
        out.append(_p("category", "setup_duplicate_competition", other=dup[0]))
    return out


def _stage_problems(stages: tuple[StageSpec, ...]) -> list[Problem]:
    out: list[Problem] = []
    if not stages:
        return [_p("stages", "setup_no_stages")]
    names = [s.stage for s in stages]
    for s in stages:
        if s.stage not in STAGES:
            out.append(_p("stages", "setup_stage_unknown", stage=s.stage, allowed=list(STAGES)))
        if s.weight < 0:
            out.append(_p("stages", "setup_stage_weight_negative", stage=s.stage, weight=s.weight))
        if s.start_date and s.end_date and s.end_date < s.start_date:
            out.append(_p("stage_dates", "setup_stage_dates_reversed", stage=s.stage))
    if len(set(names)) != len(names):
        out.append(_p("stages", "setup_stage_twice"))
    known = [n for n in names if n in STAGES]
    if known != sorted(known, key=STAGES.index):
        out.append(_p("stages", "setup_stage_order"))
    total = sum(s.weight for s in stages)
    if abs(total - 100.0) > WEIGHT_TOLERANCE:
        out.append(_p("stages", "setup_stage_weights_sum", total=round(total, 2)))
    for before, after in zip(stages, stages[1:], strict=False):
        if before.end_date and after.start_date and after.start_date < before.end_date:
            out.append(_p("stage_dates", "setup_stage_overlap", stage=after.stage, previous=before.stage))
    return out


def _parent_problems(con: Con, spec: CompetitionSpec, competition_id: str | None) -> list[Problem]:
    if not spec.parent_competition_id:
        return []
    row = con.sql("SELECT year, level, scope_code FROM competitions WHERE competition_id = ?",
                  params=[spec.parent_competition_id]).fetchone()
    if row is None or spec.parent_competition_id == competition_id:
        return [_p("parent_competition_id", "setup_parent_unknown", parent=spec.parent_competition_id)]
    year, level, scope = row
    out = []
    if spec.level in LEVELS and (LEVELS.index(spec.level) + 1 >= len(LEVELS)
                                 or level != LEVELS[LEVELS.index(spec.level) + 1]):
        out.append(_p("parent_competition_id", "setup_parent_level", parent=spec.parent_competition_id))
    if year != spec.year:
        out.append(_p("parent_competition_id", "setup_parent_year", parent=spec.parent_competition_id))
    if not spec.scope_code.startswith(scope or ""):
        out.append(_p("parent_competition_id", "setup_parent_scope", parent=spec.parent_competition_id))
    return out


# ---------------------------------------------------------------------------------------------- writing
def new_competition_id(con: Con, spec: CompetitionSpec) -> str:
    """A readable, unique id like the demo's: LP2025-KAB-33.19 (with the category when not umum)."""
    base = f"LP{spec.year}-{_LEVEL_ABBR.get(spec.level, 'X')}-{spec.scope_code or 'ID'}"
    if spec.category != "umum":
        base += f"-{spec.category}"
    cid, n = base, 1
    while con.sql("SELECT 1 FROM competitions WHERE competition_id = ?", params=[cid]).fetchone():
        n += 1
        cid = f"{base}-{n}"
    return cid


def _audit(con: Con, actor: str, action: str, key: str, old: Any, new: Any, reason: str | None) -> None:
    audit.record(con, actor, action, "competition", key, old, new, reason)


def _write_stages(con: Con, competition_id: str, stages: tuple[StageSpec, ...]) -> None:
    """Replace the stage rows, keeping each surviving stage's finalisation time."""
    kept = dict(con.sql("SELECT stage, finalized_at FROM competition_stages WHERE competition_id = ?",
                        params=[competition_id]).fetchall())
    con.execute("DELETE FROM competition_stages WHERE competition_id = ?", [competition_id])
    con.executemany(
        "INSERT INTO competition_stages (competition_id, stage, ord, start_date, end_date, weight, finalized_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [[competition_id, s.stage, i, s.start_date, s.end_date, float(s.weight), kept.get(s.stage)]
         for i, s in enumerate(stages)])


_COLUMNS = ("name", "year", "level", "scope_code", "category", "instrument_id", "aggregation", "trim_share",
            "tie_breaks", "strata_thresholds", "advance_count", "n_awards", "parent_competition_id",
            "total_decimals")


def _row(spec: CompetitionSpec) -> list[Any]:
    v = spec.values()
    return [v[c] for c in _COLUMNS]


def create_competition(con: Con, user: User, spec: CompetitionSpec) -> tuple[str | None, list[Problem]]:
    """Create a competition and its stages (panitia only); returns its id, or None and every problem."""
    require_role(user, ["panitia"])
    problems = validate_competition(con, spec)
    if problems:
        return None, problems
    cid = new_competition_id(con, spec)
    with store.transaction(con):
        con.execute(f"INSERT INTO competitions (competition_id, {', '.join(_COLUMNS)}, status, created_by, "
                    f"created_at) VALUES (?, {', '.join('?' for _ in _COLUMNS)}, 'open', ?, ?)",
                    [cid, *_row(spec), user.username, dt.datetime.now()])
        _write_stages(con, cid, spec.stages)
        _audit(con, user.username, "create", cid, None, spec.values(), None)
        store.touch(con, cid, spec.parent_competition_id or "")   # the parent lists where winners come from
    return cid, []


def changed_fields(old: CompetitionSpec, new: CompetitionSpec) -> list[str]:
    """The fields whose value differs, rules first, in declaration order."""
    a, b = old.values(), new.values()
    return [f for f in (*RULE_FIELDS, *FREE_FIELDS, "total_decimals") if a.get(f) != b.get(f)]


def update_competition(con: Con, user: User, competition_id: str, spec: CompetitionSpec,
                       reason: str | None = None) -> list[Problem]:
    """Save the edited competition (panitia only), following the rule-change policy in the module docstring.

    Returns every problem (nothing written) or [] when saved; each changed field gets its own audit entry.
    """
    require_role(user, ["panitia"])
    old = competition_spec(con, competition_id)
    if old is None:
        return [_p("name", "setup_competition_unknown", competition=competition_id)]
    problems = validate_competition(con, spec, competition_id)
    changed = changed_fields(old, spec)
    rules = [f for f in changed if f in RULE_FIELDS or f == "total_decimals"]
    state = rule_state(con, competition_id)
    reason = (reason or "").strip() or None
    if rules and state == "frozen":
        problems.append(_p(rules[0], "setup_rules_frozen_final", stages=finalised_stages(con, competition_id)))
    elif rules and state == "scoring":
        if "instrument_id" in rules:
            problems.append(_p("instrument_id", "setup_instrument_frozen"))
        removed = {s.stage for s in old.stages} - {s.stage for s in spec.stages}
        scored = {r[0] for r in con.sql("SELECT DISTINCT stage FROM scores WHERE competition_id = ?",
                                        params=[competition_id]).fetchall()}
        for s in sorted(removed & scored):
            problems.append(_p("stages", "setup_stage_has_scores", stage=s))
        if reason is None:
            problems.append(_p(rules[0], "setup_reason_needed"))
    if problems or not changed:
        return problems
    action = "rule_change_after_scoring" if (rules and state == "scoring") else "update"
    a, b = old.values(), spec.values()
    with store.transaction(con):
        con.execute(f"UPDATE competitions SET {', '.join(f'{c} = ?' for c in _COLUMNS)} WHERE competition_id = ?",
                    [*_row(spec), competition_id])
        if "stages" in changed or "stage_dates" in changed:
            _write_stages(con, competition_id, spec.stages)
        for f in changed:
            _audit(con, user.username, action if f in rules else "update", f"{competition_id}/{f}", a.get(f),
                   b.get(f), reason)
        # The rules are what results are computed from: this contest's cached results go cold (re-scored).
        store.touch(con, competition_id, old.parent_competition_id or "", spec.parent_competition_id or "")
    return []


def competition_history(con: Con, competition_id: str) -> pl.DataFrame:
    """The audit entries of a competition's set-up, newest first: when, who, what, old, new, why."""
    return con.sql(
        "SELECT changed_at, actor, action, entity_key, old_value, new_value, reason FROM audit_log "
        "WHERE entity = 'competition' AND (entity_key = ? OR starts_with(entity_key, ? || '/')) "
        "ORDER BY changed_at DESC, audit_id DESC", params=[competition_id, competition_id]).pl()
