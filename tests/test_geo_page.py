"""The map page on the demo store: it draws a deck with boundaries, choropleth and posyandu, no base-map service,
the legend says the cells are illustrative, and switching the colour measure or a layer keeps working."""

from __future__ import annotations

import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

PAGE = str(Path(__file__).resolve().parents[1] / "pages" / "peta.py")


def _deck(at: AppTest) -> dict:
    (chart,) = at.get("deck_gl_json_chart")
    return json.loads(chart.proto.json)


def test_map_page_draws_boundaries_choropleth_and_points_without_tiles(demo_env) -> None:
    at = AppTest.from_file(PAGE, default_timeout=90).run()
    assert not at.exception, at.exception
    deck = _deck(at)
    ids = [layer["id"] for layer in deck["layers"]]
    assert {"country", "provinces", "choropleth", "kabupaten", "kecamatan", "posyandu"} <= set(ids)
    assert deck["mapStyle"].startswith("data:") and deck.get("mapProvider") in (None, "")   # nothing fetched
    legend = " ".join(h.proto.body for h in at.get("html"))
    assert "ilustrasi" in legend.lower()
    # Streamlit HTML-escapes values substituted into an HTML tooltip, so the tips are text with line breaks.
    (chart,) = at.get("deck_gl_json_chart")
    assert json.loads(chart.proto.tooltip)["text"] == "{tip}"


def test_switching_measure_and_hiding_points_keeps_the_page_working(demo_env) -> None:
    at = AppTest.from_file(PAGE, default_timeout=90).run()
    at.selectbox(key="peta_measure").set_value("sec_kesehatan").run()
    assert not at.exception, at.exception
    at.toggle(key="peta_geo_layer_points").set_value(False).run()
    assert not at.exception, at.exception
    ids = [layer["id"] for layer in _deck(at)["layers"]]
    assert "posyandu" not in ids


def test_english_switch_translates_the_page_and_keeps_choices(demo_env) -> None:
    # Options are stable values shown through format_func, so a choice made in Indonesian survives the switch
    # (translated labels as values once failed with "'Sama besar' is not in list").
    at = AppTest.from_file(PAGE, default_timeout=90).run()
    at.selectbox(key="peta_size").set_value("kader_total").run()
    at.selectbox(key="w.ctx.lang").set_value("en").run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Competition map"
    size = at.selectbox(key="peta_size")
    assert size.value == "kader_total" and "Number of kader" in size.options
    at.selectbox(key="peta_size").set_value("equal").run()
    at.selectbox(key="peta_level").set_value("kabupaten").run()
    assert not at.exception, at.exception
    deck = _deck(at)
    tips = [f["properties"]["tip"] for layer in deck["layers"] if layer["id"] == "choropleth"
            for f in layer["data"]["features"]]
    assert tips and all("Average" in tip for tip in tips)


def test_hover_inside_a_cell_reaches_the_choropleth_or_the_finest_cells(demo_env) -> None:
    # A transparent fill above the choropleth would win every pick and show only a bare region name.
    at = AppTest.from_file(PAGE, default_timeout=90).run()
    by_id = {layer["id"]: layer for layer in _deck(at)["layers"]}
    assert not by_id["kecamatan"]["filled"] and not by_id["kabupaten"]["filled"]
    assert by_id["choropleth"]["pickable"]
    at.toggle(key="peta_geo_layer_choropleth").set_value(False).run()
    by_id = {layer["id"]: layer for layer in _deck(at)["layers"]}
    assert by_id["kecamatan"]["filled"] and by_id["kecamatan"]["pickable"]
    assert not by_id["kabupaten"]["filled"]
    legend = " ".join(h.proto.body for h in at.get("html"))
    assert legend.count("geoBoundaries (CC BY 4.0)") == 1     # the real shapes credited once, not per level


def test_national_scope_draws_every_province_and_kabupaten_within_the_payload_budget(demo_env) -> None:
    at = AppTest.from_file(PAGE, default_timeout=90)
    at.query_params["scope"] = "nasional"
    at.run()
    assert not at.exception, at.exception
    (chart,) = at.get("deck_gl_json_chart")
    assert len(chart.proto.json.encode()) < 5_000_000          # docs/benchmarks.md: ≤ 5 MB per view
    by_id = {layer["id"]: layer for layer in json.loads(chart.proto.json)["layers"]}
    assert len(by_id["provinces"]["data"]["features"]) == 38
    assert len(by_id["kabupaten"]["data"]["features"]) == 514
    at.selectbox(key="peta_scope").set_value("provinsi").run()
    by_id = {layer["id"]: layer for layer in _deck(at)["layers"]}
    assert len(by_id["provinces"]["data"]["features"]) == 1     # Banten, with its 8 kabupaten/kota
    assert len(by_id["kabupaten"]["data"]["features"]) == 8


def test_a_clicked_kecamatan_opens_its_summary_with_the_best_posyandu(demo_env) -> None:
    at = AppTest.from_file(PAGE, default_timeout=90)
    at.query_params["area"] = "36.02.18"          # what a click on Kec. Cibadak in the choropleth sets
    at.run()
    assert not at.exception, at.exception
    assert [s.value for s in at.subheader] == ["Kecamatan Cibadak"]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Posyandu terbaik"] == "Jeruk" and metrics["Peserta"] == "1"
    assert at.button(key="peta_region_compare").label == "Bandingkan dengan wilayah lain"
    # the choropleth features carry their code, so the click can name the region
    choro = next(layer for layer in _deck(at)["layers"] if layer["id"] == "choropleth")
    assert "36.02.18" in {f["properties"]["code"] for f in choro["data"]["features"]}
