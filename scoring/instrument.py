"""The instrument as one typed model, and its flat Polars views for the engine.

The YAML loader (`data/instruments.py`) builds these objects after validating the file; everything else
(scoring, pages, exports, XLSForm) reads the model, never raw YAML.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import polars as pl

CriterionKind = Literal["choice", "real"]
Layout = Literal["six_field", "level_sections"]
RegionScope = Literal["kabupaten", "kecamatan", "desa"]

# A judge's answer "tidak ada kasus / tidak berlaku" (no cases / not applicable), stored in `scores.option_code`
# with real_value NULL, for a choice and a nilai-riil criterion alike. Only a criterion with `no_case_allowed`
# accepts it; the criterion then leaves that entrant's denominator for that stage (its section and total are
# scored over the other criteria) and every view names it. Never a letter, so it cannot meet an option code
# (the loader allows only a–z). The Kobo form (#20) offers it under this very name.
NO_CASE = "tidak_ada_kasus"
# How a committee writes that answer in a sheet or a form export (compared case- and space-insensitively).
NO_CASE_WORDS = frozenset({NO_CASE, "tidak ada kasus", "tidak berlaku", "tidak ada kasus / tidak berlaku",
                           "tidak ada kasus/tidak berlaku", "no cases", "not applicable", "n/a"})


def is_no_case(text: object) -> bool:
    """Whether a typed cell or exported answer means NO_CASE."""
    return isinstance(text, str) and " ".join(text.casefold().split()) in NO_CASE_WORDS


@dataclass(frozen=True)
class Option:
    code: str          # "a", "b", "c", "d"
    text: str
    points: float | None  # None only in a defective instrument (flagged on load)


@dataclass(frozen=True)
class Threshold:
    min_value: float   # a real value >= min_value earns `points` (the highest threshold reached counts)
    points: float


@dataclass(frozen=True)
class Criterion:
    id: str
    section_id: str
    text: str
    kind: CriterionKind
    options: tuple[Option, ...] = ()
    thresholds: tuple[Threshold, ...] = ()
    unit: str | None = None
    evidence: tuple[str, ...] = ()
    weight: float = 1.0
    spm_field: str | None = None
    no_case_allowed: bool = False   # the judge may answer NO_CASE
    stages: tuple[str, ...] = ()    # the stages it is scored in; () = every stage
    ratio_of: str | None = None     # a count scored per this denominator (docs/instruments.md); None = as entered

    def in_stage(self, stage: str) -> bool:
        """Whether the criterion is scored in `stage` (every stage when it names none)."""
        return not self.stages or stage in self.stages

    @property
    def max_points(self) -> float:
        pts = [o.points for o in self.options if o.points is not None] + [t.points for t in self.thresholds]
        return max(pts) if pts else 0.0


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    weight: float      # percent of the nilai akhir
    spm_field: str | None = None
    title_en: str | None = None
    criteria: tuple[Criterion, ...] = ()
    scope: RegionScope | None = None   # scored once per region team, the same value for its entrants


@dataclass(frozen=True)
class Instrument:
    code: str
    version: int
    title: str
    layout: Layout
    sections: tuple[Section, ...]
    year: int | None = None
    description: str | None = None
    warnings: tuple[str, ...] = field(default=(), compare=False)

    @property
    def instrument_id(self) -> str:
        return f"{self.code}@{self.version}"

    @property
    def criteria(self) -> tuple[Criterion, ...]:
        return tuple(c for s in self.sections for c in s.criteria)

    def criterion(self, criterion_id: str) -> Criterion:
        for c in self.criteria:
            if c.id == criterion_id:
                return c
        raise KeyError(criterion_id)


SECTIONS_SCHEMA = {"section_id": pl.String, "ord": pl.Int32, "title": pl.String, "spm_field": pl.String,
                   "weight": pl.Float64}
CRITERIA_SCHEMA = {"criterion_id": pl.String, "section_id": pl.String, "ord": pl.Int32, "kind": pl.String,
                   "weight": pl.Float64, "max_points": pl.Float64, "spm_field": pl.String, "text": pl.String,
                   "no_case_allowed": pl.Boolean}
OPTIONS_SCHEMA = {"criterion_id": pl.String, "option_code": pl.String, "text": pl.String, "points": pl.Float64}
THRESHOLDS_SCHEMA = {"criterion_id": pl.String, "min_value": pl.Float64, "points": pl.Float64}


def sections_frame(instrument: Instrument) -> pl.DataFrame:
    """One row per section: id, order, title, SPM field (or null) and weight in percent."""
    rows = [{"section_id": s.id, "ord": i, "title": s.title, "spm_field": s.spm_field, "weight": s.weight}
            for i, s in enumerate(instrument.sections)]
    return pl.DataFrame(rows, schema=SECTIONS_SCHEMA)


def criteria_frame(instrument: Instrument) -> pl.DataFrame:
    """One row per criterion; `spm_field` falls back to the section's field."""
    rows = []
    for s in instrument.sections:
        for i, c in enumerate(s.criteria):
            rows.append({"criterion_id": c.id, "section_id": s.id, "ord": i, "kind": c.kind,
                         "weight": c.weight, "max_points": c.max_points,
                         "spm_field": c.spm_field or s.spm_field, "text": c.text,
                         "no_case_allowed": c.no_case_allowed})
    return pl.DataFrame(rows, schema=CRITERIA_SCHEMA)


def options_frame(instrument: Instrument) -> pl.DataFrame:
    rows = [{"criterion_id": c.id, "option_code": o.code, "text": o.text, "points": o.points}
            for c in instrument.criteria for o in c.options]
    return pl.DataFrame(rows, schema=OPTIONS_SCHEMA)


def thresholds_frame(instrument: Instrument) -> pl.DataFrame:
    rows = [{"criterion_id": c.id, "min_value": t.min_value, "points": t.points}
            for c in instrument.criteria for t in c.thresholds]
    return pl.DataFrame(rows, schema=THRESHOLDS_SCHEMA)
