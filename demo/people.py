"""People for the demo: Indonesian names, plausible phone numbers, and the judges' offices (OPD).

Everything here is fake but shaped like the real thing, drawn from a seeded numpy generator so the same seed
always gives the same people.
"""

from __future__ import annotations

import zlib

import numpy as np

FEMALE_GIVEN = (
    "Siti", "Nur", "Sri", "Dewi", "Rina", "Yuni", "Eka", "Dian", "Lilis", "Neneng", "Euis", "Iis", "Ani",
    "Fitri", "Rahmawati", "Yanti", "Wati", "Ratna", "Suryani", "Nurhayati", "Hasanah", "Maya", "Lestari",
    "Endang", "Tuti", "Ernawati", "Nia", "Rosidah", "Aisyah", "Fatimah", "Halimah", "Mariam", "Sumiati",
    "Dahlia", "Rusmini", "Norhayati", "Sarimah", "Jamilah", "Mulyani", "Puspita",
)
MALE_GIVEN = (
    "Ahmad", "Muhammad", "Budi", "Agus", "Dedi", "Asep", "Ujang", "Hendra", "Rudi", "Joko", "Bambang",
    "Slamet", "Hadi", "Yusuf", "Iwan", "Rahmat", "Syahrani", "Abdul", "Fauzi", "Rizal", "Arif", "Hasan",
    "Ridwan", "Taufik", "Sugianto", "Darmawan", "Irwansyah", "Fajar", "Yudi", "Andi",
)
FAMILY = (
    "Suryana", "Hidayat", "Rahman", "Saputra", "Kurniawan", "Setiawan", "Wijaya", "Permana", "Nugraha",
    "Hermawan", "Santoso", "Pratama", "Syahputra", "Hakim", "Maulana", "Ramadhan", "Firmansyah", "Gunawan",
    "Susanti", "Handayani", "Kusumawati", "Wulandari", "Aminah", "Rohmah", "Noor", "Arsyad", "Effendi",
    "Iskandar", "Sulaiman", "Anwar", "Mahmud", "Hamid", "Basri", "Jumadi", "Yusran",
)

# Judges' offices: (name, SPM field it backs or None). Satpol PP, Damkar and BPBD share trantibumlinmas.
OPD = (
    ("Dinas Pendidikan", "pendidikan"),
    ("Dinas Kesehatan", "kesehatan"),
    ("Dinas PUPR", "pekerjaan_umum"),
    ("Dinas Perkim", "perumahan_rakyat"),
    ("Satpol PP", "trantibumlinmas"),
    ("Dinas Damkar", "trantibumlinmas"),
    ("BPBD", "trantibumlinmas"),
    ("Dinas Sosial", "sosial"),
    ("TP PKK", None),
    ("Bappeda", None),
    ("Dinas PMD", None),
)

# Mobile prefixes of the big Indonesian operators.
_PHONE_PREFIXES = ("0812", "0813", "0821", "0822", "0852", "0853", "0857", "0856", "0878", "0877", "0838", "0895")


def rng_for(seed: int, *names: str | int) -> np.random.Generator:
    """An independent generator per named part of the demo, so changing one part never shifts another."""
    keys = [int(seed)] + [zlib.crc32(str(n).encode()) for n in names]
    return np.random.default_rng(np.random.SeedSequence(keys))


def person_names(rng: np.random.Generator, n: int, female_share: float = 0.5) -> list[str]:
    """`n` full names; kader and posyandu contacts are mostly women, judges mixed."""
    female = rng.random(n) < female_share
    fg = rng.integers(0, len(FEMALE_GIVEN), n)
    mg = rng.integers(0, len(MALE_GIVEN), n)
    fam = rng.integers(0, len(FAMILY), n)
    single = rng.random(n) < 0.15      # many Indonesians use one name only
    out = []
    for i in range(n):
        given = FEMALE_GIVEN[fg[i]] if female[i] else MALE_GIVEN[mg[i]]
        out.append(given if single[i] else f"{given} {FAMILY[fam[i]]}")
    return out


def phone_numbers(rng: np.random.Generator, n: int) -> list[str]:
    """`n` mobile numbers written as Indonesians do: 0812-3456-7890."""
    pre = rng.integers(0, len(_PHONE_PREFIXES), n)
    mid = rng.integers(1000, 10000, n)
    end = rng.integers(1000, 10000, n)
    return [f"{_PHONE_PREFIXES[pre[i]]}-{mid[i]}-{end[i]}" for i in range(n)]
