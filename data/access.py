"""Who may see what, declared once: the roles, "inside a region", the personal columns, and every decision the
result pages, the caches and the downloads ask about. No Streamlit and no store: decisions take the acting `User`
and a `Contest` (what the rules need to know about a competition) and answer; `redact` and `public_columns`
apply the personal-data rule to a frame.

The rules (docs/architecture.md, "Who may see what"):
- publik (not signed in) sees final results only: a contest whose every stage is final, a stage that is final.
  Once a stage is final, every public view reads its published snapshot, not live scores. No personal data.
- juri is blind: on result pages a judge sees what the public sees (final results only), so no other judge's
  choices, names, totals, ranks or quality figures of a stage that is still open; their own scores are on the
  Penilaian page (enforced again in `data.judging.forms`). No personal data on result pages.
- pembina follows judging in progress of contests held inside their region (the contest's scope lies in the
  pembina's region), sees personal data and judge names of posyandu inside their region, and the judge quality
  of contests held inside it; elsewhere, like the public.
- panitia sees everything.

"Final" is `data.judging.publication.is_final`: the stage is finalised and, when it went through a protest window
(provisional results), declared final by the panitia; `publication.read_contests` fills `Contest.final` by that
rule. Provisional results are not public.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

import polars as pl

from data.judging.auth import PUBLIC as PUBLIC  # re-exported: the visitor, for callers asking about one
from data.judging.auth import User
from present.i18n import t
from present.region_codes import in_region as in_region
from present.region_codes import in_region_expr as in_region_expr

ROLES: tuple[str, ...] = ("publik", "juri", "pembina", "panitia")

# Columns that identify or reach a person: the contact of a posyandu (kader), its national registration number,
# judges' phone numbers and names, e-mail and NIK. Matched by name so a new `contact_email` is covered too.
PERSONAL_COLUMNS: tuple[str, ...] = ("contact_name", "contact_phone", "reg_number", "phone", "email", "nik",
                                     "kader_name", "judge_name")
_PERSONAL = re.compile(r"contact|phone|reg_number|e_?mail|kader_name|judge_name|(^|_)nik($|_)", re.IGNORECASE)
JUDGE_NAME_COLUMN = "judge_name"

Purpose = Literal["results", "judging"]


def is_personal_column(name: str) -> bool:
    """True for a column that holds personal data (see PERSONAL_COLUMNS)."""
    return bool(_PERSONAL.search(name))


# --- "inside a region" ------------------------------------------------------------------------------------------


# Declared in present/region_codes.py (below data, so the league-table filters use the same rule) and re-exported
# here, where the access decisions read it.


# --- what a decision needs to know about a competition -----------------------------------------------------------


@dataclass(frozen=True)
class Contest:
    """A competition as the rules see it: where it is held, its stages and which are final, and which results
    were published (`snapshots`: stage names, None for all stages combined)."""

    competition_id: str
    scope_code: str | None
    final: Mapping[str, bool] = field(default_factory=dict)      # stage → final
    snapshots: frozenset[str | None] = frozenset()

    def is_final(self, stage: str | None = None) -> bool:
        """The stage is final; for None (all stages combined), every stage is, and there is at least one."""
        if stage is None:
            return bool(self.final) and all(self.final.values())
        return bool(self.final.get(stage, False))

    def has_snapshot(self, stage: str | None = None) -> bool:
        return stage in self.snapshots


# --- decisions ---------------------------------------------------------------------------------------------------


def _region_of_pembina(user: User) -> str | None:
    return user.region_code if user.role == "pembina" else None


def holds_contest(user: User, contest: Contest) -> bool:
    """A pembina whose region holds the contest (its scope lies inside their region)."""
    return in_region(contest.scope_code, _region_of_pembina(user))


def can_follow_judging(user: User, contest: Contest) -> bool:
    """May see live (not yet final) results: panitia; a pembina for contests held inside their region."""
    return user.role == "panitia" or holds_contest(user, contest)


def can_see_results(user: User, contest: Contest, stage: str | None = None) -> bool:
    """May see the totals, ranks and awards of `stage` (None: all stages combined)."""
    return contest.is_final(stage) or can_follow_judging(user, contest)


def results_source(user: User, contest: Contest, stage: str | None = None) -> Literal["snapshot", "live"] | None:
    """Where the results of `stage` come from for this user: the published snapshot once the stage is final, for
    everyone (so every page agrees with the signed documents even after a rename or a later edit; a final stage
    finalised outside the judging workflow is frozen on its first read, `publication.final_results`), live
    scores while it is open for those who may follow the judging, or None when the user may not see it."""
    if not can_see_results(user, contest, stage):
        return None
    return "snapshot" if contest.is_final(stage) else "live"


def can_see_judge_quality(user: User, contest: Contest) -> bool:
    """Judge severity, agreement and outliers: panitia, and a pembina of the region holding the contest."""
    return user.role == "panitia" or holds_contest(user, contest)


def can_see_judge_names(user: User, contest: Contest) -> bool:
    """Which judge gave which choice, by name: the same people who may see the judges' quality."""
    return can_see_judge_quality(user, contest)


def can_see_personal(user: User, code: str | None) -> bool:
    """May see the personal data (contact, phone, registration number) of a posyandu at region code `code`."""
    return user.role == "panitia" or in_region(code, _region_of_pembina(user))


def can_download_raw_tables(user: User) -> bool:
    """The whole store as CSV/Parquet (phones and names in it): organisers only."""
    return user.role == "panitia"


def visible_competitions(competitions: pl.DataFrame, user: User, purpose: Purpose = "results",
                         assigned: Iterable[str] = ()) -> pl.DataFrame:
    """The competitions a user may pick in the sidebar (`competitions`: reads.list_competitions, with
    `all_final` and `scope_code`). For results: final contests, plus the ones the user may follow while judged.
    For judging (the Penilaian page): a juri sees the contests they are assigned to (`assigned`)."""
    if user.role == "panitia":
        return competitions
    if purpose == "judging" and user.role == "juri":
        return competitions.filter(pl.col("competition_id").is_in(list(assigned)))
    keep = pl.col("all_final")
    region = _region_of_pembina(user)
    if region:
        keep = keep | in_region_expr("scope_code", region)
    return competitions.filter(keep.fill_null(False))


# --- applying the personal-data rule to frames ---------------------------------------------------------------


def redact(frame: pl.DataFrame, user: User, code_column: str = "desa_code") -> pl.DataFrame:
    """Blank the personal columns in the rows this user may not see them (all rows for publik and juri; outside
    their region for a pembina, every row when the frame has no `code_column`). Columns stay, so pages draw."""
    personal = [c for c in frame.columns if is_personal_column(c)]
    if not personal or user.role == "panitia":
        return frame
    region = _region_of_pembina(user)
    if region and code_column in frame.columns:
        allowed = in_region_expr(code_column, region).fill_null(False)
        return frame.with_columns([pl.when(allowed).then(pl.col(c)).otherwise(None).alias(c) for c in personal])
    return frame.with_columns([pl.lit(None, frame.schema[c]).alias(c) for c in personal])


def public_columns(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame without any personal column: what a published snapshot or a public download may carry."""
    return frame.select([c for c in frame.columns if not is_personal_column(c)])


def for_download(frame: pl.DataFrame, user: User, code_column: str = "desa_code") -> pl.DataFrame:
    """A frame about to leave as a file: personal columns dropped for those who may see none of them, else
    redacted row by row."""
    if user.role in ("panitia", "pembina"):
        return redact(frame, user, code_column)
    return public_columns(frame)


def hide_judge_names(details: pl.DataFrame, user: User, contest: Contest, lang: str) -> pl.DataFrame:
    """Per-judge rows (a `judge_id` and `judge_name` column) with names replaced by "Juri 1", "Juri 2", … (in
    judge-id order) for those who may not see who chose what."""
    if can_see_judge_names(user, contest) or JUDGE_NAME_COLUMN not in details.columns:
        return details
    ids = sorted(details["judge_id"].drop_nulls().unique().to_list()) if "judge_id" in details.columns else []
    labels = {j: t("access_judge_n", lang, n=i) for i, j in enumerate(ids, start=1)}
    return details.with_columns(
        pl.col("judge_id").replace_strict(labels, default=t("access_judge_unknown", lang), return_dtype=pl.String)
        .alias(JUDGE_NAME_COLUMN) if "judge_id" in details.columns
        else pl.lit(t("access_judge_unknown", lang)).alias(JUDGE_NAME_COLUMN))
