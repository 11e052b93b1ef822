"""One shape for an error a person caused and can fix: a message key and its detail, shown in their language.

`data/`, `geo/` and the importers raise these for bad input and refusals; pages catch `UserError` and show
`err.text(lang)`. A plain exception (ValueError, KeyError, ...) means a bug, and its English text is never meant for
a user. `BadInput` is also a ValueError, so callers written before it existed still catch it.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable

from present.fmt import fmt_moment, fmt_number
from present.i18n import DEFAULT_LANGUAGE, t
from scoring.fields import STAGES


class UserError(Exception):
    """Something the user can act on; `message_key` names the catalogue text, `detail` fills its placeholders."""

    def __init__(self, message_key: str, **detail: object) -> None:
        super().__init__(f"{message_key} {detail}" if detail else message_key)
        self.message_key = message_key
        self.detail = detail

    def text(self, lang: str = DEFAULT_LANGUAGE, escape: Callable[[str], str] | None = None) -> str:
        """The message in `lang` (Indonesian unless asked otherwise).

        `escape` is applied to each detail value, not to the message: a page that shows the text as Markdown
        passes its escaper, so a refused name like `[klik](https://evil.example)` stays text while the
        catalogue's own emphasis still renders.
        """
        esc = escape or (lambda s: s)
        # Stage codes come from the data layer as codes (administrasi); the message names the stage in words.
        return t(self.message_key, lang, **{k: t(f"stage_{v}", lang) if k == "stage" and v in STAGES
                                            else (esc(_show(v, lang)) if _typed(v) else _show(v, lang)) for k, v in self.detail.items()})


class BadInput(UserError, ValueError):
    """A value the user gave cannot be used (an option not in the list, a negative measurement, a taken name)."""


def _typed(value: object) -> bool:
    """Whether a detail may hold what a person typed (text, or a list with text): only those are escaped; a
    number is ours, formatted the Indonesian way, and stays as it reads."""
    if isinstance(value, str):
        return True
    return isinstance(value, list | tuple | set | frozenset) and any(isinstance(v, str) for v in value)


def _show(value: object, lang: str) -> str:
    """A detail as a person reads it: numbers the Indonesian way (-2,5), dates as 24 November 2025, lists
    joined with commas."""
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(_show(v, lang) for v in value)
    if isinstance(value, dt.date):                  # a deadline, a stage date: 24 November 2025 pukul 23.59
        return fmt_moment(value, lang)
    if isinstance(value, float) and math.isfinite(value):
        decimals = next((d for d in range(3) if round(value, d) == value), 3)   # as typed: -2,5 not -2,50
        return fmt_number(value, decimals, lang)
    return str(value)
