"""Map exports on the demo store: GeoJSON per posyandu and per region that GIS tools can read back, and the static
PNG for reports showing the neighbouring land, the choropleth and a legend."""

from __future__ import annotations

import io
import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import duckdb
import geopandas as gpd
import polars as pl
import pytest
from PIL import Image

from data import store
from data.store import reads
from geo import boundary_store as boundaries
from geo.export import points_geojson, regions_geojson, static_map_png
from geo.shapes import in_indonesia_bbox
from geo.style import COUNTRY_FILL, SEA
from scoring.config import ScoringConfig
from scoring.engine import score_competition

CONTEST = "LP2026-KAB-36.02"        # the demo's Kab. Lebak contest (one kabupaten inside Banten)


@pytest.fixture(scope="module")
def demo(demo_path: Path) -> Iterator[tuple[duckdb.DuckDBPyConnection, pl.DataFrame]]:
    con = store.connect(demo_path, read_only=True)
    comp = reads.competition(con, CONTEST)
    config = ScoringConfig(aggregation=comp.get("aggregation") or "mean",
                           advance_count=int(comp.get("advance_count") or 1))
    table = score_competition(reads.competition_inputs(con, CONTEST), config).table
    yield con, table
    con.close()


def test_points_geojson_has_one_point_per_entrant_in_indonesia(demo) -> None:
    con, table = demo
    data = json.loads(points_geojson(table, boundaries.posyandu_points(con)))
    assert len(data["features"]) == table.height
    for feat in data["features"]:
        lon, lat = feat["geometry"]["coordinates"]
        assert in_indonesia_bbox(lon, lat)
        assert feat["properties"]["posyandu_id"] and feat["properties"]["total"] is not None


def test_points_geojson_for_visitors_has_no_contact_phone_or_registration_number(demo) -> None:
    from data.judging.auth import User

    con, table = demo
    profiles = reads.posyandu_profiles(con)              # what the Peta page joins: contact, phone, reg_number
    public = json.loads(points_geojson(table, profiles))
    keys = set().union(*(f["properties"] for f in public["features"]))
    assert not keys & {"contact_name", "contact_phone", "reg_number"}
    assert {"posyandu_name", "total", "desa_name"} <= keys
    phones = {r[0] for r in con.sql("SELECT contact_phone FROM posyandu WHERE contact_phone IS NOT NULL").fetchall()}
    assert not [p for p in phones if p in json.dumps(public)]
    pembina = json.loads(points_geojson(table, profiles, User("pembina-lebak", "pembina", region_code="36.02")))
    assert all(f["properties"]["contact_phone"] for f in pembina["features"])   # Lebak is their region


def test_regions_geojson_reads_back_with_the_average_per_kecamatan(demo) -> None:
    con, table = demo
    gdf = gpd.read_file(io.BytesIO(regions_geojson(con, table, "kecamatan", "total")))
    assert len(gdf) == table["desa_code"].str.slice(0, 8).n_unique()
    assert gdf.geom_type.isin(["Polygon", "MultiPolygon"]).all()
    assert gdf["mean_total"].between(0, 100).all() and gdf["entrants"].sum() == table.height
    assert json.loads(regions_geojson(con, table, "kabupaten", "total"))["attribution"] == "geoBoundaries (CC BY 4.0)"


def test_static_png_shows_land_around_the_choropleth_and_a_legend(demo) -> None:
    con, table = demo
    png = static_map_png(con, table, boundaries.posyandu_points(con), title="Kab. Lebak", size=(900, 700))
    image = Image.open(io.BytesIO(png)).convert("RGB")
    assert image.size == (900, 700)
    counts = Counter(image.get_flattened_data())
    share = {name: counts[rgb] / (900 * 700) for name, rgb in (("sea", SEA), ("land", tuple(COUNTRY_FILL[:3])))}
    # Jawa Barat east of Banten is land, not sea; the sea is there too (Lebak is on the coast).
    assert share["land"] > 0.02 and 0.01 < share["sea"] < 0.5, share
    assert len(counts) > 50 and counts.most_common(1)[0][1] / (900 * 700) < 0.5
