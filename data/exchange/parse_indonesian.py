"""Values as Indonesians write them in Excel: numbers, dates, yes/no, phone numbers and region codes (region
names resolved to codes are `data.exchange.region_names`).

Every parser takes the raw cell (str, int, float, date or None) and returns either the value or a `Bad`
carrying the message key and detail, so an importer can turn it into a `Problem` at the right cell.
Blank cells return None: whether a blank is allowed is the importer's call, not the parser's.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

EXCEL_EPOCH = dt.date(1899, 12, 30)    # Excel's 1900 date system, after its fake 29 Feb 1900
EXCEL_SERIAL_MAX = 2958465             # 31 Dec 9999


@dataclass(frozen=True)
class Bad:
    """A value that could not be read: the message key and what to fill into it."""

    key: str
    detail: dict[str, Any] = field(default_factory=dict)


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _clean_str(value: str) -> str:
    return value.replace("\u00a0", " ").replace("\u202f", " ").strip()


# ---- numbers ---------------------------------------------------------------------------------------------

_INDONESIAN_THOUSANDS = re.compile(r"^\d{1,3}(\.\d{3})+$")     # 13.415, 1.234.567
_ENGLISH_THOUSANDS = re.compile(r"^\d{1,3}(,\d{3}){2,}$")      # 1,234,567 (two or more groups: never a decimal)
_PLAIN = re.compile(r"^\d+([.,]\d+)?$")


def parse_number(value: object) -> float | Bad | None:
    """A number: "13.415" → 13415, "12,5" → 12.5, "1.234,5" → 1234.5, "85 %" → 85; Excel numbers pass through.

    A dot followed by groups of exactly three digits is read as thousands (the Indonesian way); a comma is the
    decimal mark unless the text is clearly English ("1,234.5", "1,234,567").
    """
    if is_blank(value):
        return None
    if isinstance(value, bool):
        return Bad("exchange_not_a_number", {"value": value})
    if isinstance(value, int | float):
        if value != value or value in (float("inf"), float("-inf")):
            return Bad("exchange_not_a_number", {"value": value})
        return float(value)
    if not isinstance(value, str):
        return Bad("exchange_not_a_number", {"value": value})
    text = _clean_str(value)
    raw = text
    text = re.sub(r"^rp\.?\s*", "", text, flags=re.IGNORECASE).rstrip("%").replace(" ", "")
    sign = 1.0
    if text.startswith(("-", "−")):
        sign, text = -1.0, text[1:]
    elif text.startswith("+"):
        text = text[1:]
    if not text:
        return Bad("exchange_not_a_number", {"value": raw})
    if "." in text and "," in text:
        # Both marks: the last one is the decimal mark, the other groups thousands.
        dec, grp = (",", ".") if text.rfind(",") > text.rfind(".") else (".", ",")
        int_part, _, frac = text.rpartition(dec)
        if not re.fullmatch(r"\d{1,3}(" + re.escape(grp) + r"\d{3})*", int_part) or not frac.isdigit():
            return Bad("exchange_not_a_number", {"value": raw})
        return sign * float(int_part.replace(grp, "") + "." + frac)
    if _INDONESIAN_THOUSANDS.match(text):
        return sign * float(text.replace(".", ""))
    if _ENGLISH_THOUSANDS.match(text):
        return sign * float(text.replace(",", ""))
    if _PLAIN.match(text):
        return sign * float(text.replace(",", "."))
    return Bad("exchange_not_a_number", {"value": raw})


def parse_int(value: object) -> int | Bad | None:
    """A whole number in any of the forms `parse_number` reads; 12,5 is refused, not rounded."""
    number = parse_number(value)
    if number is None or isinstance(number, Bad):
        return number
    if number != int(number):
        return Bad("exchange_not_an_integer", {"value": value})
    return int(number)


# ---- dates -----------------------------------------------------------------------------------------------

_MONTHS: dict[str, int] = {}
for _i, _names in enumerate((
    ("januari", "january", "jan"), ("februari", "february", "feb", "peb", "pebruari"),
    ("maret", "march", "mar"), ("april", "apr"), ("mei", "may"), ("juni", "june", "jun"),
    ("juli", "july", "jul"), ("agustus", "august", "agu", "agt", "ags", "aug"),
    ("september", "sep", "sept"), ("oktober", "october", "okt", "oct"), ("november", "nopember", "nov", "nop"),
    ("desember", "december", "des", "dec"),
), start=1):
    for _n in _names:
        _MONTHS[_n] = _i

_DMY_WORDS = re.compile(r"^(\d{1,2})[\s\-.]+([a-z]+)\.?[\s\-.]+(\d{4})$")
_DMY_NUM = re.compile(r"^(\d{1,2})[/\-.](\d{1,2})[/\-.](\d{4})$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ t]\d{1,2}:\d{2}(?::\d{2})?)?$")
_WEEKDAY = re.compile(r"^(senin|selasa|rabu|kamis|jumat|jum'at|sabtu|minggu|ahad)\s*,?\s*")


def _make_date(year: int, month: int, day: int, raw: object) -> dt.date | Bad:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return Bad("exchange_date_impossible", {"value": raw})


def parse_date(value: object) -> dt.date | Bad | None:
    """A date: "24 November 2025", "Senin, 24 Nov 2025", "24/11/2025" (day first), "2025-11-24", Excel serials.

    31/02/2025 is an impossible date (its own message), not an unreadable one.
    """
    if is_blank(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        return Bad("exchange_not_a_date", {"value": value})
    if isinstance(value, int | float):
        if not 1 <= value <= EXCEL_SERIAL_MAX:
            return Bad("exchange_not_a_date", {"value": value})
        return EXCEL_EPOCH + dt.timedelta(days=int(value))
    if not isinstance(value, str):
        return Bad("exchange_not_a_date", {"value": value})
    text = _WEEKDAY.sub("", _clean_str(value).lower())
    if m := _DMY_WORDS.match(text):
        month = _MONTHS.get(m.group(2))
        if month is None:
            return Bad("exchange_not_a_date", {"value": value})
        return _make_date(int(m.group(3)), month, int(m.group(1)), value)
    if m := _DMY_NUM.match(text):
        return _make_date(int(m.group(3)), int(m.group(2)), int(m.group(1)), value)
    if m := _YMD.match(text):
        return _make_date(int(m.group(1)), int(m.group(2)), int(m.group(3)), value)
    if re.fullmatch(r"\d{5}", text):         # a serial that arrived as text (CSV from Excel)
        return EXCEL_EPOCH + dt.timedelta(days=int(text))
    return Bad("exchange_not_a_date", {"value": value})


# ---- text, yes/no, phone ---------------------------------------------------------------------------------

_TRUE = {"ya", "y", "yes", "true", "benar", "ada", "1", "v", "✓"}
_FALSE = {"tidak", "tdk", "t", "no", "n", "false", "salah", "tidak ada", "belum", "0", "-"}


def parse_bool(value: object) -> bool | Bad | None:
    """Ya/Tidak, Ada/Tidak ada, Yes/No, 1/0."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    text = _clean_str(str(value)).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return Bad("exchange_not_yes_no", {"value": value})


def parse_text(value: object) -> str | None:
    """A cell as text; whole numbers lose Excel's ".0" (an id typed as 12 is "12", not "12.0")."""
    if is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()[:10]
    return _clean_str(str(value))


def parse_phone(value: object) -> str | Bad | None:
    """An Indonesian phone number as digits with a leading 0: "+62 812-3456-789" → "08123456789".

    Excel often drops the leading zero of a number typed as 0812…; a number starting with 8 gets it back.
    """
    text = parse_text(value)
    if text is None:
        return None
    digits = re.sub(r"[\s\-().]", "", text)
    if digits.startswith("+62"):
        digits = "0" + digits[3:]
    elif digits.startswith("62") and len(digits) >= 10:
        digits = "0" + digits[2:]
    elif digits.startswith("8"):
        digits = "0" + digits
    if not re.fullmatch(r"0\d{7,13}", digits):
        return Bad("exchange_bad_phone", {"value": value})
    return digits


# ---- region codes and names ------------------------------------------------------------------------------

_CODE_SHAPES = {2: (2,), 4: (2, 2), 6: (2, 2, 2), 10: (2, 2, 2, 4)}
_DOTTED = re.compile(r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$")


def normalize_region_code(value: object) -> str | Bad | None:
    """A Kemendagri code in dotted form: "3602182010" or "36.02.18.2010" → "36.02.18.2010".

    Only the shape is checked here; whether the code exists is checked against the regions table.
    """
    text = parse_text(value)
    if text is None:
        return None
    text = text.replace(" ", "")
    if _DOTTED.match(text):
        return text
    if text.isdigit() and len(text) in _CODE_SHAPES:
        parts, i = [], 0
        for width in _CODE_SHAPES[len(text)]:
            parts.append(text[i:i + width])
            i += width
        return ".".join(parts)
    return Bad("exchange_bad_region_code", {"value": value})
