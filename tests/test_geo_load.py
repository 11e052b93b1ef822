"""Boundary files in the real formats (GeoJSON, GeoPackage, Shapefile in UTM), built here, read and matched;
bad files are rejected with a reason and leave the store exactly as it was."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import Polygon, box

from data.exchange.problems import message_keys
from geo.load import read_boundary_file, save_boundaries
from geo.match import RegionMatcher, name_key

# Three real kecamatan of Kab. Lebak and a small box near Rangkasbitung for each (lon/lat).
KEC = {"36.02.18": "Cibadak", "36.02.01": "Malingping", "36.02.06": "Bayah"}


def _frame(codes: dict[str, str]) -> gpd.GeoDataFrame:
    geoms = [box(106.0 + i * 0.1, -6.6, 106.09 + i * 0.1, -6.5) for i in range(len(codes))]
    return gpd.GeoDataFrame({"KODE": list(codes), "NAMA": list(codes.values())}, geometry=geoms, crs="EPSG:4326")


def _checksum(con) -> tuple:
    return (con.sql("SELECT count(*), coalesce(sum(hash(code, geometry)), 0) FROM boundaries").fetchone(),
            con.sql("SELECT count(*) FROM boundary_display").fetchone())


def test_geojson_by_dotted_code_is_saved_with_zoom_versions(tmp_path: Path, con) -> None:
    path = tmp_path / "kec.geojson"
    _frame(KEC).to_file(path, driver="GeoJSON")
    load = read_boundary_file(path, "kecamatan", code_column="KODE")
    assert load.ok and not load.problems
    assert save_boundaries(con, load) == 3
    assert con.sql("SELECT count(*) FROM boundary_display").fetchone()[0] == 3 * 3   # three zooms each


def test_geopackage_with_undotted_codes_is_detected_without_naming_the_column(tmp_path: Path) -> None:
    path = tmp_path / "kec.gpkg"
    frame = _frame(KEC)
    frame["KODE"] = [c.replace(".", "") for c in KEC]      # 360218: how BPS files often write codes
    frame.to_file(path, driver="GPKG")
    load = read_boundary_file(path, 3)
    assert load.match_column == "KODE"
    assert sorted(load.matched["code"]) == sorted(KEC)


@pytest.mark.parametrize("epsg", [32748, 32750])          # UTM 48S (Banten) and 50S (Kalimantan), metres
def test_shapefile_in_utm_is_reprojected_to_wgs84(tmp_path: Path, epsg: int) -> None:
    path = tmp_path / "kec.shp"
    _frame(KEC).to_crs(f"EPSG:{epsg}").to_file(path)
    load = read_boundary_file(path, "kecamatan", name_column="NAMA")
    assert load.ok
    minx, miny, maxx, maxy = load.matched.total_bounds
    assert 105.9 < minx < maxx < 106.4 and -6.7 < miny < maxy < -6.4


def test_self_intersecting_polygon_is_repaired_not_rejected(tmp_path: Path) -> None:
    bow_tie = Polygon([(106.0, -6.6), (106.1, -6.5), (106.1, -6.6), (106.0, -6.5)])
    assert not bow_tie.is_valid
    path = tmp_path / "bowtie.geojson"
    gpd.GeoDataFrame({"KODE": ["36.02.18"]}, geometry=[bow_tie], crs="EPSG:4326").to_file(path, driver="GeoJSON")
    load = read_boundary_file(path, "kecamatan", code_column="KODE")
    assert load.ok and bool(load.features["repaired"].iloc[0])
    assert load.matched.geometry.iloc[0].is_valid


@pytest.mark.parametrize("case, key", [
    ("malformed", "geo_file_unreadable"),
    ("no_crs", "geo_no_crs"),
    ("wrong_crs", "geo_outside_indonesia"),
    ("empty", "geo_file_empty"),
    ("codes_match_nothing", "geo_nothing_matched"),
    ("points", "geo_not_polygons"),
])
def test_bad_file_is_rejected_with_reason_and_store_unchanged(tmp_path: Path, con, case: str, key: str) -> None:
    good = tmp_path / "good.geojson"
    _frame(KEC).to_file(good, driver="GeoJSON")
    save_boundaries(con, read_boundary_file(good, 3, code_column="KODE"))
    before = _checksum(con)

    if case == "malformed":
        path = tmp_path / "rusak.geojson"
        path.write_text('{"type": "FeatureCollection", "features": [ {"type": "Feat', encoding="utf-8")
    elif case == "no_crs":
        path = tmp_path / "nocrs.shp"
        frame = _frame(KEC).set_crs(None, allow_override=True)
        with pytest.warns(UserWarning, match="crs"):   # pyogrio warns it writes no .prj: exactly the case
            frame.to_file(path)
    elif case == "wrong_crs":
        path = tmp_path / "wrong.gpkg"
        # UTM metres declared as degrees' neighbour: a UTM file labelled as zone 33N (Europe).
        _frame(KEC).to_crs("EPSG:32748").set_crs("EPSG:32633", allow_override=True).to_file(path, driver="GPKG")
    elif case == "empty":
        path = tmp_path / "empty.gpkg"
        _frame(KEC).iloc[0:0].to_file(path, driver="GPKG")
    elif case == "codes_match_nothing":
        path = tmp_path / "nothing.geojson"
        _frame({"99.98.01": "X", "99.98.02": "Y"}).to_file(path, driver="GeoJSON")
    else:
        path = tmp_path / "points.geojson"
        gpd.GeoDataFrame({"KODE": ["36.02.18"]}, geometry=gpd.points_from_xy([106.1], [-6.5]),
                         crs="EPSG:4326").to_file(path, driver="GeoJSON")
    load = read_boundary_file(path, 3, code_column=None if case in ("malformed", "empty") else "KODE")
    assert key in message_keys(load.problems), [p.message_key for p in load.problems]
    assert all(p.file == path.name for p in load.problems)
    assert load.problems[0].text("en") and "⟦" not in load.problems[0].text("id")
    assert save_boundaries(con, load) == 0
    assert _checksum(con) == before


def test_unmatched_name_is_reported_with_suggestions(tmp_path: Path) -> None:
    path = tmp_path / "kab.geojson"
    names = {"a": "Kab. Lebak", "b": "KABUPATEN  PANDEGLANG", "c": "Kota Serang", "d": "Lebbak Utara Raya"}
    frame = _frame(names)
    frame.to_file(path, driver="GeoJSON")
    load = read_boundary_file(path, "kabupaten", name_column="NAMA", scope_code="36")
    assert sorted(load.matched["code"]) == ["36.01", "36.02", "36.73"]
    (problem,) = load.unmatched()
    assert problem.row == 4 and problem.column == "NAMA"
    assert any("Lebak" in s for s in problem.detail["suggestions"])


@pytest.mark.parametrize("raw, expected", [
    ("Kab. Lebak", ("lebak", "kabupaten")), ("KABUPATEN   LEBAK", ("lebak", "kabupaten")),
    ("Kota Serang", ("serang", "kota")), ("Kec. Cibadak", ("cibadak", None)), ("  lebak ", ("lebak", None)),
    ("Kecamatan Cibadak", ("cibadak", None)), ("Desa Pasar Keong", ("pasar keong", None)),
])
def test_name_variants_reduce_to_the_same_key(raw: str, expected: tuple) -> None:
    assert name_key(raw) == expected


def test_kota_and_kabupaten_of_the_same_name_stay_apart() -> None:
    from data.regions import region_frame

    m = RegionMatcher(region_frame(), 2, "36")
    assert m.by_name("Kota Serang").code == "36.73"
    assert m.by_name("Kab. Serang").code == "36.04"
    assert m.by_name("Serang").code == "36.04"          # an unprefixed name is the kabupaten
    assert m.by_name("Kabupaten Lebakk").code == "36.02"   # a spelling slip, one clear candidate
