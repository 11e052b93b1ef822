"""Map colours: score bands for totals and choropleths, a light-to-field-colour ramp for one SPM field.

The bands and field colours are declared once in `ui/theme.py` (colour-blind safe); this module only turns them
into the RGBA lists pydeck and Pillow want, so the map, the scorecards and the PDF agree on colours.
"""

from __future__ import annotations

from typing import Final

from present.theme import ScoreBands, field_colour, score_bands

BOUNDARY_LINE: Final[tuple[int, int, int, int]] = (60, 60, 60, 255)
PROVINCE_FILL: Final[tuple[int, int, int, int]] = (236, 231, 218, 255)      # land, a paper beige
COUNTRY_FILL: Final[tuple[int, int, int, int]] = (245, 242, 235, 255)
SEA: Final[tuple[int, int, int]] = (214, 230, 240)
MISSING: Final[tuple[int, int, int, int]] = (220, 220, 220, 160)


def hex_rgb(colour: str) -> tuple[int, int, int]:
    c = colour.lstrip("#")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


def band_rgba(value: float | None, bands: ScoreBands | None = None, alpha: int = 255) -> list[int]:
    """The score band colour of a percent score, as [r, g, b, a]; grey when missing."""
    b = bands or score_bands()
    if value is None or value != value:
        return list(MISSING)
    return [*hex_rgb(b.colour(value)), alpha]


def field_rgba(value: float | None, field: str, alpha: int = 255) -> list[int]:
    """A ramp from near-white (0 %) to the field's own colour (100 %), so 'Kesehatan' stays green."""
    if value is None or value != value:
        return list(MISSING)
    share = min(max(value / 100.0, 0.0), 1.0)
    # Start the ramp at 25 % so a weak score is still visibly the field's hue.
    share = 0.25 + 0.75 * share
    r, g, b = hex_rgb(field_colour(field))
    light = 245
    return [round(light + (c - light) * share) for c in (r, g, b)] + [alpha]


def colour_for(value: float | None, measure: str, alpha: int = 255) -> list[int]:
    """Colour of a measure: "total" uses the score bands, "sec_<field>" the field ramp."""
    if measure.startswith("sec_"):
        return field_rgba(value, measure[4:], alpha)
    return band_rgba(value, alpha=alpha)


STAT_COLOUR: Final[str] = "#2B5D8C"     # a regional statistic (not a score): one neutral blue, light to dark


def stat_rgba(value: float | None, low: float, high: float, alpha: int = 255) -> list[int]:
    """A ramp from near-white (the smallest value shown) to dark blue (the largest), for a regional statistic
    such as the number of active posyandu, which has no score bands; grey when missing."""
    if value is None or value != value:
        return list(MISSING)
    share = 0.5 if high <= low else min(max((value - low) / (high - low), 0.0), 1.0)
    share = 0.15 + 0.85 * share
    r, g, b = hex_rgb(STAT_COLOUR)
    light = 245
    return [round(light + (c - light) * share) for c in (r, g, b)] + [alpha]
