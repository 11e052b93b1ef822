"""The visit-plan map: stops in visiting order over boundary cells, drawn without any tile service."""

from __future__ import annotations

import geopandas as gpd
import polars as pl
from shapely.geometry import box

from geo.route_map import route_figure

PLAN = pl.DataFrame({"visit_no": [2, 1, 3], "posyandu_name": ["Mawar", "Jeruk", "Melati 2"],
                     "lat": [-6.45, -6.40, None], "lon": [106.30, 106.25, None]})


def test_stops_are_drawn_in_visiting_order_and_stops_without_coordinates_are_left_out() -> None:
    fig = route_figure(PLAN, "Rute")
    route = fig.data[-1]
    assert list(route.text) == ["1", "2"]
    assert list(route.x) == [106.25, 106.30]
    assert list(route.hovertext) == ["1. Jeruk", "2. Mawar"]


def test_cells_are_clipped_to_the_view_and_drawn_underneath() -> None:
    cells = gpd.GeoDataFrame({"code": ["a", "b"]}, geometry=[box(106.2, -6.5, 106.3, -6.4), box(120, 0, 121, 1)],
                             crs="EPSG:4326")
    fig = route_figure(PLAN, "Rute", cells)
    base, route = fig.data
    assert base.fill == "toself" and route.mode == "lines+markers+text"
    xs = [x for x in base.x if x is not None]
    assert max(xs) < 107          # the far-away cell was clipped out of the view


def test_no_coordinates_means_no_map() -> None:
    assert route_figure(PLAN.with_columns(pl.lit(None, pl.Float64).alias("lat")), "Rute") is None
