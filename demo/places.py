"""The demo's places: five real kabupaten with their real kecamatan and desa, illustrative coordinates, and
about 1,500 posyandu named and profiled as real ones are.

Coordinates are illustrative, not surveyed: each kabupaten gets a hand-picked inland centre, its desa are
spread evenly (a sunflower spiral) over an ellipse around it, and the kecamatan take compact contiguous
blocks of those points (recursive bisection), so a Voronoi map of the desa looks like a plausible map.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from demo.people import person_names, phone_numbers, rng_for
from scoring.fields import SPM_FIELDS


@dataclass(frozen=True)
class DemoKabupaten:
    code: str
    lat: float          # an inland point near the middle of the kabupaten
    lon: float
    r_lat: float        # half-extent of the ellipse the desa points fill, in degrees
    r_lon: float


DEMO_KABUPATEN: tuple[DemoKabupaten, ...] = (
    DemoKabupaten("36.02", -6.55, 106.20, 0.28, 0.30),   # Kab. Lebak, Banten (Rangkasbitung to the hills)
    DemoKabupaten("63.03", -3.25, 115.05, 0.25, 0.35),   # Kab. Banjar, Kalimantan Selatan (Martapura, Meratus)
    DemoKabupaten("63.10", -3.45, 115.65, 0.33, 0.20),   # Kab. Tanah Bumbu, Kalimantan Selatan (west of Batulicin)
    DemoKabupaten("64.02", -0.15, 116.80, 0.33, 0.33),   # Kab. Kutai Kartanegara, Kalimantan Timur (Mahakam)
    DemoKabupaten("19.05", -1.85, 105.55, 0.13, 0.21),   # Kab. Bangka Barat, Kepulauan Bangka Belitung
)

PASAR_KEONG = "36.02.18.2010"      # Desa Pasar Keong, Kec. Cibadak, Kab. Lebak: Posyandu Jeruk
BUYAN_KELUMBI = "19.05.05.2004"    # Desa Buyan Kelumbi, Kec. Tempilang, Kab. Bangka Barat: Posyandu Flamboyan
STORY_POSYANDU = {PASAR_KEONG: "Jeruk", BUYAN_KELUMBI: "Flamboyan"}

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


def _partition(idx: np.ndarray, xy: np.ndarray, groups: list[str], sizes: dict[str, int],
               out: dict[int, str]) -> None:
    """Give each group a compact block of points: split the groups in two halves by size, the points along
    their wider axis at the same share, and recurse."""
    if len(groups) == 1:
        for i in idx:
            out[int(i)] = groups[0]
        return
    half = len(groups) // 2
    left, right = groups[:half], groups[half:]
    n_left = sum(sizes[g] for g in left)
    pts = xy[idx]
    axis = int(np.argmax(pts.max(axis=0) - pts.min(axis=0)))
    order = idx[np.argsort(pts[:, axis], kind="stable")]
    _partition(order[:n_left], xy, left, sizes, out)
    _partition(order[n_left:], xy, right, sizes, out)


def place_regions(regions: pl.DataFrame, seed: int) -> pl.DataFrame:
    """Illustrative lat/lon for each demo kabupaten, kecamatan and desa: code, lat, lon."""
    rows: list[tuple[str, float, float]] = []
    for kab in DEMO_KABUPATEN:
        rng = rng_for(seed, "places", kab.code)
        desa = regions.filter((pl.col("level") == 4) & pl.col("code").str.starts_with(kab.code + "."))
        codes = desa["code"].to_list()
        n = len(codes)
        # Sunflower spiral: evenly spread points in a unit disc, then a little jitter so it looks organic.
        k = np.arange(n) + 0.5
        r = np.sqrt(k / n)
        theta = k * _GOLDEN_ANGLE + rng.uniform(0, 2 * np.pi)
        xy = np.column_stack([r * np.cos(theta), r * np.sin(theta)])
        xy += rng.normal(0, 0.18 / np.sqrt(n), size=xy.shape)
        kec_codes = sorted({c[:8] for c in codes})
        sizes = {kc: sum(1 for c in codes if c.startswith(kc + ".")) for kc in kec_codes}
        # Shuffle the kecamatan order so neighbouring codes are not always neighbouring blocks.
        order = [kec_codes[i] for i in rng.permutation(len(kec_codes))]
        owner: dict[int, str] = {}
        _partition(np.arange(n), xy, order, sizes, owner)
        # Hand the points of each block to the block's desa in code order, nearest the block centre first.
        by_kec: dict[str, list[int]] = {}
        for i, kc in owner.items():
            by_kec.setdefault(kc, []).append(i)
        lat = kab.lat + xy[:, 1] * kab.r_lat
        lon = kab.lon + xy[:, 0] * kab.r_lon
        rows.append((kab.code, kab.lat, kab.lon))
        for kc in kec_codes:
            pts = np.array(sorted(by_kec[kc]))
            centre_lat, centre_lon = float(lat[pts].mean()), float(lon[pts].mean())
            rows.append((kc, centre_lat, centre_lon))
            members = sorted(c for c in codes if c.startswith(kc + "."))
            dist = (lat[pts] - centre_lat) ** 2 + (lon[pts] - centre_lon) ** 2
            for code, p in zip(members, pts[np.argsort(dist, kind="stable")], strict=True):
                rows.append((code, float(lat[p]), float(lon[p])))
    return pl.DataFrame(rows, schema={"code": pl.String, "lat": pl.Float64, "lon": pl.Float64}, orient="row")


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
