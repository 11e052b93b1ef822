"""Every environment variable the product reads, declared once as data: name, default, meaning, parser.

Code reads a setting through its `Setting` (`STORE.read()`), never through `os.environ`; the README's
Configuration table lists exactly these (tests/test_settings.py fails when the two disagree). This module sits in
`present/`, the lowest layer that needs a setting (the score bands), so every layer above can read it too.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Generic, TypeVar

from scoring.config import ScoringConfig

T = TypeVar("T")

ROOT: Final[Path] = Path(__file__).resolve().parents[1]
PREFIX: Final[str] = "POSYANDU_"


class SettingError(ValueError):
    """A setting's value cannot be used; the message names the variable and shows a valid value."""


@dataclass(frozen=True)
class Setting(Generic[T]):
    name: str
    default: str          # as a person would write it in the environment (and as the README shows it)
    meaning: str          # one line, the README's "meaning" column
    parse: Callable[[str], T]
    example: str = ""     # a valid value, shown when a value is refused

    def read(self, env: Mapping[str, str] | None = None) -> T:
        """The value from `env` (the process environment by default); unset or blank means the default."""
        raw = (os.environ if env is None else env).get(self.name, "").strip()
        try:
            return self.parse(raw or self.default)
        except ValueError as err:
            example = f" like {self.example!r}" if self.example else ""
            raise SettingError(f"${self.name}{example}: {err} (got {raw!r})") from err


def _project_path(raw: str) -> Path:
    """A file path; a relative one is taken from the project folder, so the store does not move with the cwd."""
    path = Path(raw).expanduser()
    return path if path.is_absolute() else ROOT / path


def _three_cutoffs(raw: str) -> tuple[float, float, float]:
    """Three increasing percentages separated by commas (or semicolons, as a spreadsheet writes them)."""
    cuts = tuple(float(x) for x in raw.replace(";", ",").split(",") if x.strip())
    if len(cuts) != 3:
        raise ValueError(f"needs three increasing cut-offs, got {len(cuts)}")
    if list(cuts) != sorted(cuts):
        raise ValueError("the cut-offs must increase")
    return cuts[0], cuts[1], cuts[2]


STORE: Final = Setting(
    "POSYANDU_STORE", "var/posyandu.duckdb",
    "the DuckDB store file (created and migrated on start; a relative path is taken from the project folder)",
    _project_path, example="/srv/posyandu/posyandu.duckdb")
SCORE_BANDS: Final = Setting(
    "POSYANDU_SCORE_BANDS", ",".join(f"{cut:g}" for cut in ScoringConfig().strata_thresholds),
    "thresholds of the scorecard cell colours",
    _three_cutoffs, example="55,70,85")



def _demo_choice(raw: str) -> str:
    """auto (the demo for the default store only), 1 (always build it for a missing store), 0 (never)."""
    value = raw.strip().casefold()
    if value not in ("auto", "1", "0"):
        raise ValueError("must be auto, 1 or 0")
    return value


DEMO: Final = Setting(
    "POSYANDU_DEMO", "auto",
    "build the demo when the store file is missing: auto (only for the default store; any other path opens an "
    "empty store for a real contest), 1 (always), 0 (never)",
    _demo_choice, example="0")



def _database_url(raw: str) -> str | None:
    """A PostgreSQL URL (postgresql://user@host:port/database), or None when unset ("none")."""
    value = raw.strip()
    if value.casefold() == "none":
        return None
    from urllib.parse import urlsplit

    parts = urlsplit(value)
    if parts.scheme not in ("postgresql", "postgres"):
        raise ValueError("must be a postgresql:// URL")
    if not parts.hostname or not parts.path.strip("/"):
        raise ValueError("needs a host and a database name")
    return value


DATABASE_URL: Final = Setting(
    "POSYANDU_DATABASE_URL", "none",
    "PostgreSQL for a deployment with several app servers (issue #16, not finished): `python -m data.store.pg_migrate` "
    "creates its schema; while it is set, `python -m ui.serve` refuses to start, since the app still serves from "
    "the DuckDB store (docs/postgres.md)",
    _database_url, example="postgresql://posyandu@db.internal:5432/posyandu")

SETTINGS: Final[tuple[Setting, ...]] = (STORE, SCORE_BANDS, DEMO, DATABASE_URL)


def unknown_settings(env: Mapping[str, str] | None = None) -> list[str]:
    """Variables that look like ours but are not declared, each with a "did you mean" when one is close.

    A typo (`POSYANDU_STOER`) would otherwise silently fall back to the default store.
    """
    names = [s.name for s in SETTINGS]
    found = []
    for var in sorted(os.environ if env is None else env):
        if var.startswith(PREFIX) and var not in names and not var.startswith(PREFIX + "TEST_"):
            close = difflib.get_close_matches(var, names, n=1)
            found.append(f"${var} is not a setting" + (f"; did you mean ${close[0]}?" if close else ""))
    return found
