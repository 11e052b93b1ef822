"""Colours declared once: one colour per SPM field (and the two other sections), and score bands for scorecards.

The field colours are the Okabe–Ito palette, which stays distinguishable under the common forms of colour
blindness; every chart and table that shows a field uses `field_colour`, so "Kesehatan" is the same green on every
page. The score bands colour the league-table cells; their thresholds default to the strata cut-offs of
`ScoringConfig` (60 / 70 / 80 %) and can be set per deployment with $POSYANDU_SCORE_BANDS ("60,70,80").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from present.settings import SCORE_BANDS
from scoring.config import ScoringConfig
from scoring.fields import OTHER_SECTIONS, SPM_FIELDS

# Okabe & Ito (2008), "Color Universal Design". Yellow is kept for the section shown least in line charts.
FIELD_COLOURS: Final[dict[str, str]] = {
    "pendidikan": "#0072B2",        # blue
    "kesehatan": "#009E73",         # bluish green
    "pekerjaan_umum": "#E69F00",    # orange
    "perumahan_rakyat": "#D55E00",  # vermillion
    "trantibumlinmas": "#CC79A7",   # reddish purple
    "sosial": "#56B4E9",            # sky blue
    "kelembagaan": "#000000",       # black
    "inovasi_partisipasi": "#F0E442",  # yellow
}

# Sections a scorecard shows, in the order of the instrument's six-field layout.
SCORECARD_SECTIONS: Final[tuple[str, ...]] = SPM_FIELDS + OTHER_SECTIONS

# Colours for things that are not fields: series of posyandu compared with each other, the average, etc.
SERIES_COLOURS: Final[tuple[str, ...]] = ("#1B4F72", "#B03A2E", "#7D3C98", "#117864", "#9A7D0A", "#515A5A")
AVERAGE_COLOUR: Final[str] = "#7F7F7F"
NEUTRAL_COLOUR: Final[str] = "#4D4D4D"

BANDS_ENV: Final[str] = SCORE_BANDS.name


def field_colour(field: str) -> str:
    """The colour of an SPM field or section id; an unknown section gets the neutral grey, not an error."""
    return FIELD_COLOURS.get(field, NEUTRAL_COLOUR)


@dataclass(frozen=True)
class ScoreBands:
    """Cut-offs (percent of the maximum, increasing) and the colours of the bands between them.

    A value v falls in band i when thresholds[i-1] < v <= thresholds[i] (the strata rule: ≤ 60 is the lowest band),
    so there is one more colour than threshold. The default colours run from a light vermillion to blue
    (ColorBrewer RdBu, readable by colour-blind viewers) with dark text on every band.
    """

    thresholds: tuple[float, ...] = ScoringConfig().strata_thresholds
    colours: tuple[str, ...] = ("#F4A582", "#FDDBC7", "#D1E5F0", "#92C5DE")
    label_keys: tuple[str, ...] = ("pages_band_low", "pages_band_fair", "pages_band_good", "pages_band_high")
    text_colour: str = "#1A1A1A"
    missing_colour: str = "#EEEEEE"

    def __post_init__(self) -> None:
        if list(self.thresholds) != sorted(self.thresholds):
            raise ValueError(f"score band thresholds must increase, got {self.thresholds}")
        if len(self.colours) != len(self.thresholds) + 1 or len(self.label_keys) != len(self.colours):
            raise ValueError("score bands need one colour and one label more than thresholds")

    def band(self, value: float | None) -> int | None:
        """Index of the band `value` falls in, or None for a missing value."""
        if value is None or value != value:  # NaN
            return None
        for i, cut in enumerate(self.thresholds):
            if value <= cut:
                return i
        return len(self.thresholds)

    def colour(self, value: float | None) -> str:
        i = self.band(value)
        return self.missing_colour if i is None else self.colours[i]

    def ranges(self) -> list[tuple[float | None, float | None]]:
        """(lower exclusive, upper inclusive) of each band, None for an open end; the legend prints these."""
        cuts: list[float | None] = [None, *self.thresholds, None]
        return [(cuts[i], cuts[i + 1]) for i in range(len(self.colours))]


def score_bands(env: Mapping[str, str] | None = None) -> ScoreBands:
    """The deployment's bands: $POSYANDU_SCORE_BANDS="55,70,85" overrides the cut-offs, colours stay."""
    return ScoreBands(thresholds=SCORE_BANDS.read(env))
