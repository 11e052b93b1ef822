"""Numbers and dates the Indonesian way (1.234,5; 24 November 2025), or the English way when chosen."""

from __future__ import annotations

import datetime as dt
import math
import re

MONTHS = {
    "id": ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
           "Oktober", "November", "Desember"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"),
}


def fmt_number(value: float | int | None, decimals: int = 1, lang: str = "id") -> str:
    """1234.5 → "1.234,5" in Indonesian, "1,234.5" in English; None or NaN → "–"."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{value:,.{decimals}f}"
    if lang == "id":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


def fmt_int(value: int | float | None, lang: str = "id") -> str:
    return fmt_number(value, 0, lang)


def fmt_percent(value: float | None, decimals: int = 1, lang: str = "id") -> str:
    """A share already in percent: 87.5 → "87,5 %"."""
    return "–" if value is None else f"{fmt_number(value, decimals, lang)} %"


def fmt_date(value: dt.date | dt.datetime | None, lang: str = "id") -> str:
    """24 November 2025 (both languages put the day first here, as the berita acara does)."""
    if value is None:
        return "–"
    return f"{value.day} {MONTHS[lang][value.month - 1]} {value.year}"


def fmt_moment(value: dt.datetime | dt.date | None, lang: str = "id") -> str:
    """24 November 2025 pukul 23.59 (English: 24 November 2025 at 23:59); a date alone as fmt_date."""
    if not isinstance(value, dt.datetime):
        return fmt_date(value, lang)
    return f"{fmt_date(value, lang)} pukul {value:%H.%M}" if lang == "id" else f"{fmt_date(value, lang)} at {value:%H:%M}"


_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?)?\b")


def readable_dates(text: str, lang: str = "id") -> str:
    """Every ISO date or moment inside a stored text (2025-10-13, 2025-10-20T23:59:59) the way people read it."""
    def one(m: re.Match) -> str:
        try:
            day = dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            return m[0]
        if m[4] is None:
            return fmt_date(day, lang)
        return fmt_moment(dt.datetime.combine(day, dt.time(int(m[4]), int(m[5]))), lang)
    return _ISO.sub(one, text)


def fmt_date_range(start: dt.date | None, end: dt.date | None, lang: str = "id") -> str:
    """13–17 Oktober 2025; 28 Oktober – 3 November 2025 across months."""
    if start is None or end is None:
        return fmt_date(start or end, lang)
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{end.day} {MONTHS[lang][end.month - 1]} {end.year}"
    return f"{fmt_date(start, lang)} – {fmt_date(end, lang)}"
