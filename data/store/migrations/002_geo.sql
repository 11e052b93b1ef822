-- 002: display geometries per zoom, so a national map does not simplify 83,000 desa on every page view.
-- `zoom` is one of the names in geo/shapes.py ZOOM_TOLERANCES (nasional, provinsi, detail); EPSG:4326 WKB.
CREATE TABLE boundary_display (
    code     VARCHAR NOT NULL,
    zoom     VARCHAR NOT NULL,
    geometry BLOB NOT NULL,
    PRIMARY KEY (code, zoom)
);
