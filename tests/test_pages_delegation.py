"""AppTest over the compare, best-practice and judge-quality pages on the demo store."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.pages_support import page, sign_in


def errors(at: AppTest) -> list[str]:
    return [e.value for e in at.exception]




def test_bandingkan_compares_the_top_three_by_default(demo_env, league):
    at = page("bandingkan")
    assert not at.exception, errors(at)
    top3 = league.sort("rank_final")["entrant_id"][:3].to_list()
    assert at.multiselect(key="bandingkan_pick_posyandu").value == top3
    names = list(at.dataframe[0].value["Nama"])
    assert len(names) == 3
    diff = at.dataframe[1].value
    assert list(diff["Selisih"]) == sorted(diff["Selisih"], reverse=True)   # widest gap first


def test_bandingkan_deep_link_restores_the_picked_set(demo_env, league):
    picked = league.sort("rank_final")["entrant_id"][[0, 5]].to_list()
    at = page("bandingkan", compare=",".join(picked), by="posyandu")
    assert not at.exception, errors(at)
    assert at.multiselect(key="bandingkan_pick_posyandu").value == picked


def test_bandingkan_kecamatan_aggregates(demo_env, league):
    at = page("bandingkan")
    at.radio(key="bandingkan_mode").set_value("kecamatan").run()
    assert not at.exception, errors(at)
    chosen = at.multiselect(key="bandingkan_pick_kecamatan").value
    assert len(chosen) == min(3, league["kecamatan_code"].n_unique())
    assert str(at.query_params["by"]).strip("[]'") == "kecamatan"


def test_praktik_baik_lists_the_strongest_in_the_field_with_practices(demo_env, league):
    at = page("praktik_baik", field="sosial")
    assert not at.exception, errors(at)
    assert at.selectbox(key="praktik_field").value == "sosial"
    assert at.subheader[0].value == "Posyandu terkuat di bidang Sosial"
    best = league.sort("sec_sosial", descending=True, nulls_last=True)["posyandu_name"][0]
    assert best in at.markdown[1].value or any(best in m.value for m in at.markdown)
    assert [b.label for b in at.get("download_button")] == ["Unduh rencana (PDF)", "Unduh rencana (HTML)"]


def test_praktik_baik_distance_filter_and_english(demo_env):
    at = page("praktik_baik", field="kesehatan", lang="en")
    at.radio(key="praktik_how").set_value("distance").run()
    assert not at.exception, errors(at)
    assert at.subheader[0].value == "Strongest posyandu in Health"
    at.selectbox(key="praktik_home").set_value("36.02").run()        # a delegation from Lebak itself
    assert any("km from home" in c.value for c in at.caption)
    # from Kab. Banjar (Kalimantan Selatan) nothing in Lebak lies within 10 km
    at.selectbox(key="praktik_home").set_value("63.03").run()
    at.slider(key="praktik_km").set_value(10).run()
    assert not at.exception, errors(at)
    assert "No posyandu match these choices." in [i.value for i in at.info]


def test_juri_shows_agreement_severity_outliers_and_adjusted_ranks(demo_app):
    from data.store import reads
    from scoring.config import ScoringConfig
    from scoring.engine import score_competition
    from tests.pages_support import COMP

    league = score_competition(reads.competition_inputs(demo_app, COMP), ScoringConfig()).table
    at = page("juri", token=sign_in(demo_app, "panitia"))   # judge quality is for organisers
    assert not at.exception, errors(at)
    labels = [m.label for m in at.metric]
    assert labels[:3] == ["Alfa Krippendorff (ordinal)", "ICC(1) satu juri", "ICC(1,k) tim juri"]
    alpha = float(at.metric[0].value.replace(",", "."))
    assert 0.0 < alpha < 1.0
    ranks = at.dataframe[1].value                      # by field, rank table, outliers
    assert len(ranks) == league.height
    assert list(ranks["Sebelum penyesuaian"]) == sorted(league["rank"].to_list())


def test_juri_in_english(demo_app):
    at = page("juri", token=sign_in(demo_app, "panitia"), lang="en")
    assert not at.exception, errors(at)
    assert at.title[0].value == "Judge quality" and "Outlying choices" in [h.value for h in at.subheader]
