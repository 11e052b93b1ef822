"""pydeck layers for the map page, with no base-map service: the boundary layers are the base map.

Builders take GeoDataFrames / Polars frames that already carry their colour ("fill") and tooltip text ("tip"),
so the page decides the language and the measure and these functions only draw. Coordinates are rounded to
1e-5° (about 1 m), which is below what a screen shows and cuts the JSON sent to the browser by a third.
"""

from __future__ import annotations

import json
import math
from typing import Any, Final
from urllib.parse import quote

import geopandas as gpd
import polars as pl
import pydeck as pdk
import shapely
from pydeck.bindings.json_tools import default_serialize

from geo.style import BOUNDARY_LINE, COUNTRY_FILL, PROVINCE_FILL, SEA

GRID: Final[float] = 1e-5
WORLD_PX: Final[float] = 512.0       # deck.gl: the world's width in pixels at zoom 0
FIT_MARGIN: Final[float] = 1.08     # 8 % air around the fitted box
LAYER_POSYANDU: Final[str] = "posyandu"
TOOLTIP_STYLE: Final[dict[str, str]] = {"backgroundColor": "#1A1A1A", "color": "white", "fontSize": "13px",
                                        "maxWidth": "320px"}


def geojson(gdf: gpd.GeoDataFrame, keep: list[str]) -> dict[str, Any]:
    """A FeatureCollection with only the `keep` properties and rounded coordinates."""
    geoms = shapely.set_precision(gdf.geometry.values, GRID)
    feats = []
    records = gdf[keep].to_dict("records") if keep else [{} for _ in range(len(gdf))]
    for geom, props in zip(geoms, records, strict=True):
        if geom is None or geom.is_empty:
            continue
        feats.append({"type": "Feature", "geometry": json.loads(shapely.to_geojson(geom)),
                      "properties": {k: _plain(v) for k, v in props.items()}})
    return {"type": "FeatureCollection", "features": feats}


def _plain(value: Any) -> Any:
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def land_layer(gdf: gpd.GeoDataFrame, layer_id: str, country: bool = False, thin: bool = False) -> pdk.Layer:
    """Country or province land, filled like paper, with a firm coastline: the map's base (`thin` lines for the
    national view, where thousands of islands would otherwise turn into ink)."""
    fill = list(COUNTRY_FILL if country else PROVINCE_FILL)
    width = 0.8 if thin else 1.5 if not country else 1
    return pdk.Layer("GeoJsonLayer", id=layer_id, data=geojson(gdf, []), stroked=True, filled=True,
                     get_fill_color=fill, get_line_color=list(BOUNDARY_LINE),
                     line_width_min_pixels=width, pickable=False)


def cell_layer(gdf: gpd.GeoDataFrame, layer_id: str, width: float, dashed_grey: bool = False,
               pick_inside: bool = False) -> pdk.Layer:
    """Region borders (kabupaten or kecamatan cells) as lines, with a tooltip naming the region.

    With `pick_inside` the cells also get an invisible fill, so hovering anywhere inside names the region. Only one
    layer may do that, and never over the choropleth: a transparent fill on top still wins the pick and would hide
    the choropleth's average-score tooltip behind a bare region name.
    """
    colour = [110, 110, 110, 200] if dashed_grey else [40, 40, 40, 230]
    keep = [c for c in ("tip",) if c in gdf.columns]
    return pdk.Layer("GeoJsonLayer", id=layer_id, data=geojson(gdf, keep), stroked=True, filled=pick_inside,
                     get_fill_color=[0, 0, 0, 0], get_line_color=colour, line_width_min_pixels=width,
                     pickable=bool(keep))


def choropleth_layer(gdf: gpd.GeoDataFrame, layer_id: str = "choropleth") -> pdk.Layer:
    """Regions filled by their average score; `fill` is an [r, g, b, a] list per row."""
    keep = [c for c in ("code", "fill", "tip") if c in gdf.columns]    # the code: a click opens the region
    return pdk.Layer("GeoJsonLayer", id=layer_id, data=geojson(gdf, keep), stroked=True,
                     filled=True, get_fill_color="properties.fill", get_line_color=[80, 80, 80, 160],
                     line_width_min_pixels=0.5, pickable=True, auto_highlight=True)


def points_layer(points: pl.DataFrame) -> pdk.Layer:
    """One dot per posyandu: colour, radius (pixels), id and tooltip in the row; clickable for the profile."""
    data = points.select("posyandu_id", pl.col("lon").round(5), pl.col("lat").round(5), "fill", "radius",
                         "tip").to_dicts()
    return pdk.Layer("ScatterplotLayer", id=LAYER_POSYANDU, data=data, get_position=["lon", "lat"],
                     get_fill_color="fill", get_radius="radius", radius_units="'pixels'", stroked=True,
                     get_line_color=[20, 20, 20, 255], line_width_min_pixels=1.5, pickable=True,
                     auto_highlight=True)


def hex_layer(hexes: pl.DataFrame) -> pdk.Layer:
    """H3 hexagons with their average score, for views with too many posyandu to draw one by one."""
    return pdk.Layer("H3HexagonLayer", id="hexagons", data=hexes.select("hex", "fill", "tip").to_dicts(),
                     get_hexagon="hex", get_fill_color="fill", extruded=False, stroked=True,
                     get_line_color=[60, 60, 60, 120], line_width_min_pixels=0.3, pickable=True)


def view_for(bounds: tuple[float, float, float, float], width_px: int = 900, height_px: int = 560
             ) -> dict[str, float]:
    """latitude, longitude, zoom that fit the box with a small margin.

    deck.gl's Web Mercator zoom puts the whole world in 512 px at zoom 0 (not the 256 px of raster tiles:
    counting 256 zoomed one level too far in and cut the region off), and the y span is measured in Mercator
    units so the fit also holds away from the equator.
    """
    minx, miny, maxx, maxy = bounds
    span_x = max(maxx - minx, 0.01) / 360.0
    span_y = max(abs(mercator_y(maxy) - mercator_y(miny)), 0.01 / 360.0)
    zoom_x = math.log2(width_px / (WORLD_PX * span_x * FIT_MARGIN))
    zoom_y = math.log2(height_px / (WORLD_PX * span_y * FIT_MARGIN))
    zoom = max(3.0, min(zoom_x, zoom_y, 13.0))
    return {"latitude": (miny + maxy) / 2, "longitude": (minx + maxx) / 2, "zoom": round(zoom, 2)}


def mercator_y(lat: float) -> float:
    """Web Mercator y of a latitude as a share of the world's height (the world is 1 × 1)."""
    rad = math.radians(max(min(lat, 85.0), -85.0))
    return math.log(math.tan(math.pi / 4 + rad / 2)) / (2 * math.pi)


# Streamlit's frontend falls back to a Carto style (fetched from the internet) when a deck has no map style.
# An inline style with only a sea-coloured background, passed as a data: URL, keeps the map offline.
OFFLINE_STYLE: Final[str] = "data:application/json;charset=utf-8," + quote(json.dumps(
    {"version": 8, "sources": {}, "layers": [{"id": "sea", "type": "background",
                                              "paint": {"background-color": "#{:02x}{:02x}{:02x}".format(*SEA)}}]},
    separators=(",", ":")))


class CompactDeck(pdk.Deck):
    """A deck whose JSON (what Streamlit sends to the browser) has no indentation: pydeck indents by two spaces,
    which put every coordinate of a boundary on its own indented line and made a national view 4× larger."""

    def to_json(self) -> str:
        return json.dumps(self, sort_keys=True, default=default_serialize, separators=(",", ":"))


def build_deck(layers: list[pdk.Layer], view: dict[str, float]) -> pdk.Deck:
    """The deck: no map provider and an inline style, so nothing is fetched from a tile service.

    The tooltip is the row's plain-text "tip" (line breaks show as lines): Streamlit HTML-escapes values it
    substitutes into an HTML tooltip, so markup inside a tip would be shown as text.
    """
    return CompactDeck(layers=layers, initial_view_state=pdk.ViewState(**view, pitch=0, bearing=0),
                    map_provider=None, map_style=OFFLINE_STYLE,
                    tooltip={"text": "{tip}", "style": TOOLTIP_STYLE})


def payload_bytes(deck: pdk.Deck) -> int:
    """Size of the JSON the browser receives for this deck."""
    return len(deck.to_json().encode("utf-8"))
