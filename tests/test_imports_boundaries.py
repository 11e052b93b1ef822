"""Boundary uploads through geo/: an uploaded GeoJSON is matched to Kemendagri codes and saved whole; a file
that is not geometry is refused with geo's reason and the store is unchanged."""

from __future__ import annotations

import json

from data.exchange.backup import table_checksums
from geo.upload import read_boundary_upload, write_boundary_upload


def _square(lon: float, lat: float, d: float = 0.01) -> list:
    return [[[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]]]


def test_an_uploaded_geojson_is_matched_by_code_and_saved(con):
    geojson = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"kode_desa": "36.02.18.2010", "nama": "Pasar Keong"},
         "geometry": {"type": "Polygon", "coordinates": _square(106.25, -6.62)}}]}
    load = read_boundary_upload(json.dumps(geojson).encode(), "batas desa.geojson", 4)
    assert load.ok, load.problems
    assert write_boundary_upload(con, load) == 1
    assert con.sql("SELECT code, level FROM boundaries").fetchall() == [("36.02.18.2010", 4)]


def test_a_file_that_is_not_geometry_is_refused_and_nothing_is_written(con):
    before = table_checksums(con)
    load = read_boundary_upload(b"posyandu_id;nama\nP1;Mawar\n", "batas.geojson", 4)
    assert not load.ok and load.problems and load.problems[0].message_key.startswith("geo_")
    assert write_boundary_upload(con, load) == 0
    assert table_checksums(con) == before
