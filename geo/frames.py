"""Boundaries from the store as GeoDataFrames (EPSG:4326), the one place WKB becomes shapes for the map."""

from __future__ import annotations

import duckdb
import geopandas as gpd
import shapely

from geo import boundary_store as store_boundaries


def boundary_frame(con: duckdb.DuckDBPyConnection, level: int | None = None, zoom: str | None = "provinsi",
                   prefix: str | None = None) -> gpd.GeoDataFrame:
    """code, level, source, illustrative, geometry for one level (or all), simplified for `zoom`."""
    df = store_boundaries.read_boundaries(con, level=level, zoom=zoom, prefix=prefix)
    geoms = shapely.from_wkb([bytes(b) for b in df["geometry"].to_list()]) if df.height else []
    return gpd.GeoDataFrame(df.drop("geometry").to_pandas(), geometry=list(geoms), crs="EPSG:4326")
