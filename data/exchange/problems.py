"""One problem found in a user's file, with its exact place and a reason in the user's language.

Importers and loaders collect every `Problem` before writing anything and return them all; exceptions are for
bugs. The page shows them as a table (`problems_frame`) in the chosen language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from present.fmt import fmt_moment
from present.i18n import t

PROBLEM_COLUMNS: tuple[str, ...] = ("file", "sheet", "row", "column", "message")


@dataclass(frozen=True)
class Problem:
    """Where (file, sheet, 1-based Excel row incl. header, column) and why (a message key and its params)."""

    file: str
    sheet: str | None
    row: int | None
    column: str | None
    message_key: str
    detail: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def text(self, lang: str = "id", escape: Callable[[str], str] | None = None) -> str:
        """The reason in `lang`, with the detail values filled into the message's placeholders (each passed
        through `escape` first when the page shows the text as Markdown: a value is what the user typed)."""
        esc = escape or (lambda s: s)
        return t(self.message_key, lang, **{k: esc(_show(v, lang)) if isinstance(v, str) else _show(v, lang)
                                            for k, v in self.detail.items()})

    def where(self) -> str:
        """A compact place like "nilai.xlsx › Nilai › C7" for logs and tests."""
        parts = [self.file]
        if self.sheet:
            parts.append(self.sheet)
        if self.row is not None or self.column:
            parts.append(f"{self.column or ''}{self.row if self.row is not None else ''}")
        return " › ".join(parts)


def _show(value: Any, lang: str = "id") -> str:
    if isinstance(value, dt.date):                  # 1 Januari 2099, never 2099-01-01
        return fmt_moment(value, lang)
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def problems_frame(problems: Iterable[Problem], lang: str = "id") -> pl.DataFrame:
    """The problems as a table for the page: file, sheet, row, column and the reason in `lang`."""
    rows = [{"file": p.file, "sheet": p.sheet, "row": p.row, "column": p.column, "message": p.text(lang)}
            for p in problems]
    return pl.DataFrame(rows, schema={"file": pl.String, "sheet": pl.String, "row": pl.Int64,
                                      "column": pl.String, "message": pl.String})


def message_keys(problems: Iterable[Problem]) -> set[str]:
    """The distinct message keys, for tests and summaries."""
    return {p.message_key for p in problems}
