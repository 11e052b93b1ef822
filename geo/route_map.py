"""The visit plan on a map with no tile service: the route and numbered stops over the stored boundaries.

`st.map` would fetch a Carto base map from the internet, and delegations plan visits where there is no signal;
this draws a plain Plotly chart in longitude/latitude (equal scale) with the boundaries as the base.
"""

from __future__ import annotations

import geopandas as gpd
import plotly.graph_objects as go
import polars as pl
from shapely.geometry import box

ROUTE_COLOUR = "#0072B2"   # Okabe–Ito blue
STOP_COLOUR = "#D55E00"    # Okabe–Ito vermillion
OUTLINE_COLOUR = "#9A9A9A"
LAND_COLOUR = "#F1EDE4"


def _outline_xy(shapes: gpd.GeoDataFrame) -> tuple[list[float | None], list[float | None]]:
    """Every ring of every polygon as one line trace's x/y, rings separated by None."""
    xs: list[float | None] = []
    ys: list[float | None] = []
    for geom in shapes.geometry:
        polys = getattr(geom, "geoms", [geom])
        for poly in polys:
            for ring in [poly.exterior, *poly.interiors]:
                x, y = ring.xy
                xs += [*x, None]
                ys += [*y, None]
    return xs, ys


def route_figure(plan: pl.DataFrame, route_label: str, cells: gpd.GeoDataFrame | None = None) -> go.Figure | None:
    """Stops in visiting order (`visit_no`, `posyandu_name`, `lat`, `lon`) joined by the route, over `cells`
    (boundary polygons, clipped to the view); None without coordinates."""
    stops = plan.filter(pl.col("lat").is_not_null() & pl.col("lon").is_not_null()).sort("visit_no")
    if stops.height == 0:
        return None
    pad = 0.04
    x0, x1 = min(stops["lon"]) - pad, max(stops["lon"]) + pad
    y0, y1 = min(stops["lat"]) - pad, max(stops["lat"]) + pad
    fig = go.Figure()
    if cells is not None and len(cells):
        view = cells.clip(box(x0, y0, x1, y1))
        view = view[~view.geometry.is_empty]
        xs, ys = _outline_xy(view)
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", fill="toself", fillcolor=LAND_COLOUR,
                                 line={"color": OUTLINE_COLOUR, "width": 0.8}, hoverinfo="skip", showlegend=False))
    numbers = [str(n) for n in stops["visit_no"]]
    fig.add_trace(go.Scatter(
        x=stops["lon"].to_list(), y=stops["lat"].to_list(), mode="lines+markers+text", text=numbers,
        textposition="middle center", textfont={"color": "white", "size": 11}, name=route_label,
        hovertext=[f"{n}. {name}" for n, name in zip(numbers, stops["posyandu_name"], strict=True)],
        hoverinfo="text", line={"color": ROUTE_COLOUR, "width": 2.5},
        marker={"size": 22, "color": STOP_COLOUR, "line": {"color": "white", "width": 2}}, showlegend=False,
    ))
    fig.update_xaxes(range=[x0, x1], visible=False)
    fig.update_yaxes(range=[y0, y1], visible=False, scaleanchor="x", scaleratio=1)
    fig.update_layout(height=420, margin={"l": 0, "r": 0, "t": 0, "b": 0}, plot_bgcolor="#F7F7F7",
                      paper_bgcolor="white")
    return fig
