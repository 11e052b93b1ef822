"""A shared link opens the same view: page choices live in the URL, and changing level keeps the region."""

from __future__ import annotations

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from tests.pages_support import COMP, PAGES, page
from ui.context import nearest_competition


def _param(at: AppTest, name: str) -> str | None:
    value = at.query_params.get(name)
    if isinstance(value, list):
        return value[0] if value else None
    return value


def test_peringkat_sort_and_filters_are_in_the_link_and_a_link_restores_them(demo_env):
    at = page("peringkat")
    at.selectbox(key="peringkat_field").set_value("sosial").run()
    at.slider(key="peringkat_min").set_value(60).run()
    assert not at.exception
    assert (_param(at, "sort"), _param(at, "min")) == ("sosial", "60")
    opened = page("peringkat", sort="sosial", min="60", strata="mandiri")
    assert not opened.exception
    assert opened.selectbox(key="peringkat_field").value == "sosial"
    assert opened.slider(key="peringkat_min").value == 60
    assert opened.multiselect(key="peringkat_strata").value == ["mandiri"]
    df = opened.dataframe[0].value
    assert list(df["Sosial"]) == sorted(df["Sosial"], reverse=True)


def test_a_link_with_a_choice_that_does_not_exist_opens_the_default_view(demo_env):
    at = page("peringkat", sort="bukan_bidang", min="abc")
    assert not at.exception
    assert at.selectbox(key="peringkat_field").value == "total" and at.slider(key="peringkat_min").value == 0


def test_peta_layers_level_and_measure_are_in_the_link(demo_env):
    at = page("peta")
    at.toggle(key="peta_geo_layer_points").set_value(False).run()
    at.selectbox(key="peta_level").set_value("kabupaten").run()
    assert not at.exception
    assert (_param(at, "points"), _param(at, "map_level")) == ("0", "kabupaten")
    opened = page("peta", points="0", map_level="kabupaten", measure="sec_kesehatan")
    assert not opened.exception
    assert opened.toggle(key="peta_geo_layer_points").value is False
    assert opened.selectbox(key="peta_level").value == "kabupaten"
    assert opened.selectbox(key="peta_measure").value == "sec_kesehatan"


COMPS = pl.DataFrame({"competition_id": ["K-LEBAK", "K-BANJAR", "C-CIBADAK", "C-CIKULUR", "P-BANTEN"],
                      "scope_code": ["36.02", "63.03", "36.02.18", "36.02.19", "36"],
                      "n_entrants": [28, 30, 9, 12, 40]})


@pytest.mark.parametrize(("level_ids", "anchors", "expected"), [
    (["K-LEBAK", "K-BANJAR"], ["36.02.18"], "K-LEBAK"),       # kecamatan Cibadak → its kabupaten, not the first
    (["K-BANJAR", "K-LEBAK"], ["36.02"], "K-LEBAK"),
    (["C-CIBADAK", "C-CIKULUR"], ["36.02.19"], "C-CIKULUR"),  # the region picked in the sidebar wins
    (["C-CIBADAK", "C-CIKULUR"], ["36.02"], "C-CIKULUR"),     # inside the kabupaten: the larger contest
    (["P-BANTEN"], ["36.02"], "P-BANTEN"),
    (["K-BANJAR"], ["36.02"], None),                         # nothing related: the caller keeps its default
])
def test_changing_level_keeps_the_region(level_ids, anchors, expected):
    candidates = COMPS.filter(pl.col("competition_id").is_in(level_ids))
    candidates = candidates.sort(pl.col("competition_id").replace_strict({c: i for i, c in enumerate(level_ids)}))
    assert nearest_competition(candidates, anchors) == expected


def test_switching_tingkat_in_the_sidebar_stays_in_kab_lebak(demo_env):
    at = page("beranda")
    assert at.selectbox(key="w.ctx.competition").value == COMP
    # the demo (default seed) holds kecamatan contests inside Kab. Lebak every year: one missing is a broken demo
    assert "Kecamatan" in at.selectbox(key="w.ctx.level").options
    at.selectbox(key="w.ctx.level").set_value("kecamatan").run()
    assert not at.exception
    picked = at.selectbox(key="w.ctx.competition").value
    assert picked.startswith("LP2026-KEC-36.02."), picked
    at.selectbox(key="w.ctx.level").set_value("kabupaten").run()
    assert at.selectbox(key="w.ctx.competition").value == COMP


def test_a_visitor_on_an_organisers_page_is_told_who_it_is_for_and_offered_sign_in(demo_env):
    at = AppTest.from_file(str(PAGES / "pertukaran_data.py"), default_timeout=60).run()
    assert not at.exception
    assert [i.value for i in at.info][-1].startswith("Halaman ini untuk Panitia, Pembina.")
    assert any("(masuk)" in m.value for m in at.markdown)
