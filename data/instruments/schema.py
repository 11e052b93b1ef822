"""The instrument file's declared schema (pydantic `*Spec` models: strict types, unknown keys refused) and the
problems a load reports. `data/instruments.py` reads YAML against these and builds the typed model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints

from present import fmt
from present.i18n import DEFAULT_LANGUAGE, t
from scoring.instrument import Instrument

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


# ---------------------------------------------------------------------------------------------- the schema
class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class OptionSpec(_Spec):
    code: Text
    text: Text
    points: float | None = None  # absent points are a defect reported by the loader, not a schema error


class ThresholdSpec(_Spec):
    min_value: float
    points: float


class CriterionHeaderSpec(_Spec):
    id: Text
    text: Text
    kind: Literal["choice", "real"] = "choice"
    unit: Text | None = None
    evidence: list[Text] = []
    weight: float = 1.0
    spm_field: str | None = None
    no_case_allowed: bool = False


class CriterionSpec(CriterionHeaderSpec):
    options: list[OptionSpec] = []
    thresholds: list[ThresholdSpec] = []


class SectionHeaderSpec(_Spec):
    id: Text
    title: Text
    title_en: Text | None = None
    weight: float
    spm_field: str | None = None


class SectionSpec(SectionHeaderSpec):
    criteria: list[CriterionSpec]


class InstrumentHeaderSpec(_Spec):
    code: Text
    version: int
    title: Text
    layout: Literal["six_field", "level_sections"]
    year: int | None = None
    description: str | None = None


class InstrumentSpec(InstrumentHeaderSpec):
    sections: list[SectionSpec]


_KNOWN_KEYS = sorted({k for m in (OptionSpec, ThresholdSpec, CriterionSpec, SectionSpec, InstrumentSpec)
                      for k in m.model_fields})


def instrument_json_schema() -> dict[str, Any]:
    """The declared format as JSON Schema (for editors and the docs)."""
    return InstrumentSpec.model_json_schema()


# ---------------------------------------------------------------------------------------------- problems
@dataclass(frozen=True)
class InstrumentProblem:
    """One defect in an instrument file, with where it is and what is wrong, renderable in id or en."""

    source: str
    location: str                  # path inside the file, e.g. "sections[2].criteria[4].options[1]"
    message_key: str
    detail: dict = field(default_factory=dict, hash=False)
    severity: Literal["error", "warning"] = "error"
    criterion_id: str | None = None
    line: int | None = None        # 1-based YAML line, when known

    def text(self, lang: str = DEFAULT_LANGUAGE) -> str:
        """The message alone, in `lang`, with a "did you mean" when the loader found a close match."""
        params = {k: _show(v, lang) for k, v in self.detail.items()}
        msg = t(self.message_key, lang, **params)
        if self.detail.get("suggestion"):
            msg += " " + t("instrument_did_you_mean", lang, suggestion=self.detail["suggestion"])
        return msg

    def describe(self, lang: str = DEFAULT_LANGUAGE) -> str:
        """One line: file, location, criterion, line number and message."""
        where = f"{self.source}: {self.location or '/'}"
        if self.criterion_id:
            where += f" [{self.criterion_id}]"
        if self.line is not None:
            where += f" ({t('instrument_at_line', lang, line=self.line)})"
        return f"{where}: {self.text(lang)}"


def _show(value: object, lang: str) -> object:
    if isinstance(value, float):
        return fmt.fmt_int(value, lang) if value.is_integer() else fmt.fmt_number(value, 2, lang)
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return value


@dataclass(frozen=True)
class InstrumentLoad:
    """What loading a file gave: the instrument (None when there are errors) and every problem found."""

    instrument: Instrument | None
    errors: tuple[InstrumentProblem, ...] = ()
    warnings: tuple[InstrumentProblem, ...] = ()

    @property
    def problems(self) -> tuple[InstrumentProblem, ...]:
        return self.errors + self.warnings


class InstrumentError(ValueError):
    """Raised by `load_instrument` when a file has errors; `problems` holds them all."""

    def __init__(self, source: str, problems: tuple[InstrumentProblem, ...], lang: str = DEFAULT_LANGUAGE):
        self.source = source
        self.problems = problems
        lines = [t("instrument_error_title", lang, source=source, count=len(problems))]
        lines += [f"- {p.describe(lang)}" for p in problems]
        super().__init__("\n".join(lines))


Path_ = tuple[str | int, ...]


def _loc(path: Path_) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


class _Collector:
    def __init__(self, source: str, lines: dict[Path_, int]):
        self.source, self.lines = source, lines
        self.errors: list[InstrumentProblem] = []
        self.warnings: list[InstrumentProblem] = []

    def _line(self, path: Path_) -> int | None:
        for n in range(len(path), -1, -1):
            if path[:n] in self.lines:
                return self.lines[path[:n]]
        return None

    def add(self, severity: Literal["error", "warning"], path: Path_, message_key: str, crit: str | None = None,
            line: int | None = None, /, **detail: object) -> None:
        p = InstrumentProblem(self.source, _loc(path), message_key, dict(detail), severity, crit,
                              line if line is not None else self._line(path))
        (self.errors if severity == "error" else self.warnings).append(p)

    def error(self, path: Path_, message_key: str, crit: str | None = None, /, **detail: object) -> None:
        self.add("error", path, message_key, crit, None, **detail)

    def warning(self, path: Path_, message_key: str, crit: str | None = None, /, **detail: object) -> None:
        self.add("warning", path, message_key, crit, None, **detail)
