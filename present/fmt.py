"""Numbers and dates the Indonesian way (1.234,5; 24 November 2025), or the English way when chosen."""

from __future__ import annotations

import datetime as dt
import math

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


def fmt_date_range(start: dt.date | None, end: dt.date | None, lang: str = "id") -> str:
    """13–17 Oktober 2025; 28 Oktober – 3 November 2025 across months."""
    if start is None or end is None:
        return fmt_date(start or end, lang)
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{end.day} {MONTHS[lang][end.month - 1]} {end.year}"
    return f"{fmt_date(start, lang)} – {fmt_date(end, lang)}"
