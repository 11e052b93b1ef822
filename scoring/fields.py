"""The six SPM fields a posyandu serves (Permendagri 13/2024), and the other section kinds of an instrument."""

from __future__ import annotations

from typing import Final

SPM_FIELDS: Final[tuple[str, ...]] = (
    "pendidikan",
    "kesehatan",
    "pekerjaan_umum",
    "perumahan_rakyat",
    "trantibumlinmas",
    "sosial",
)

# Sections that are not an SPM field but appear in six-field-era instruments.
OTHER_SECTIONS: Final[tuple[str, ...]] = ("kelembagaan", "inovasi_partisipasi")

LEVELS: Final[tuple[str, ...]] = ("desa", "kecamatan", "kabupaten", "provinsi", "nasional")

STAGES: Final[tuple[str, ...]] = ("administrasi", "lapangan", "presentasi")

AWARDS: Final[tuple[str, ...]] = ("Juara I", "Juara II", "Juara III", "Harapan I", "Harapan II", "Harapan III")

STRATA: Final[tuple[str, ...]] = ("pratama", "madya", "purnama", "mandiri")


def next_level(level: str) -> str | None:
    """The level whose contest the winners of `level` advance to, or None at the top."""
    i = LEVELS.index(level)
    return LEVELS[i + 1] if i + 1 < len(LEVELS) else None
