"""Figure builders, scorecard tables and the colour theme as plain functions: no Streamlit, no store."""

from __future__ import annotations

import io

import openpyxl
import plotly.graph_objects as go
import polars as pl
import pytest

from present import charts
from present.tables import (
    award_places,
    band_legend_html,
    criteria_differences,
    excel_bytes,
    field_means,
    field_peers,
    filter_table,
    history_rows,
    judge_choice_rows,
    profile_link,
    region_aggregates,
    scorecard_frame,
    scorecard_score_columns,
    section_ids,
    style_scorecard,
    weakest_fields,
)
from present.theme import FIELD_COLOURS, ScoreBands, field_colour, score_bands
from scoring.fields import OTHER_SECTIONS, SPM_FIELDS

SECS = SPM_FIELDS + OTHER_SECTIONS


def league(n: int = 4) -> pl.DataFrame:
    """A tiny league table shaped like the engine's: two kecamatan, scores falling with the rank."""
    rows = []
    for i in range(n):
        kec = "36.02.18" if i % 2 == 0 else "36.02.19"
        rows.append({
            "entrant_id": f"E{i}", "posyandu_id": f"P{i}", "posyandu_name": f"Melati {i}",
            "desa_code": f"{kec}.20{i:02d}", "desa_name": f"Desa {i}", "kecamatan_code": kec,
            "kecamatan_name": "Cibadak" if i % 2 == 0 else "Warunggunung", "kabupaten_code": "36.02",
            "kabupaten_name": "Lebak", "category": "umum", "total": 90.0 - 10 * i,
            **{f"sec_{s}": 90.0 - 10 * i + j for j, s in enumerate(SECS)},
            "completeness_pct": 100.0, "rank_final": i + 1,
            "award": ["Juara I", "Juara II", "Juara III", None][i % 4], "strata": ["mandiri", "purnama", "madya",
                                                                                "pratama"][i % 4],
        })
    return pl.DataFrame(rows)


def test_every_section_has_its_own_colour():
    assert set(FIELD_COLOURS) == set(SECS)
    assert len(set(FIELD_COLOURS.values())) == len(FIELD_COLOURS)
    assert field_colour("unknown_section") != field_colour("kesehatan")


@pytest.mark.parametrize("value, band", [(None, None), (0.0, 0), (60.0, 0), (60.01, 1), (70.0, 1), (80.0, 2),
                                         (80.5, 3), (100.0, 3)])
def test_score_band_boundaries_follow_the_strata_rule(value, band):
    # Pratama ≤ 60 < Madya ≤ 70 < Purnama ≤ 80 < Mandiri: a cut-off value belongs to the lower band.
    assert ScoreBands().band(value) == band


def test_score_bands_are_configurable_and_validated():
    assert score_bands({"POSYANDU_SCORE_BANDS": "55,65,85"}).thresholds == (55.0, 65.0, 85.0)
    assert score_bands({}).thresholds == (60.0, 70.0, 80.0)
    with pytest.raises(ValueError):
        score_bands({"POSYANDU_SCORE_BANDS": "80,70,60"})
    with pytest.raises(ValueError):
        ScoreBands(thresholds=(50.0,), colours=("#fff",))


def test_radar_closes_each_line_and_colours_the_axis_labels():
    fig = charts.radar_chart([("Melati", {f: 80.0 for f in SPM_FIELDS})], "id", average={f: 60.0 for f in SPM_FIELDS})
    assert len(fig.data) == 2
    trace = fig.data[0]
    assert len(trace.r) == 7 and trace.r[0] == trace.r[-1]
    assert FIELD_COLOURS["kesehatan"] in trace.theta[1]
    assert fig.data[1].name == "Rata-rata lomba" and fig.data[1].line.dash == "dash"
    assert "80,0 %" in trace.text[0]          # Indonesian decimal comma in the hover text
    assert fig.layout.separators == ",."


def test_field_bars_use_field_colours_and_translate_labels():
    values = {s: 50.0 + i for i, s in enumerate(SECS)}
    fig_id = charts.field_bars(values, "id", reference={s: 55.0 for s in SECS})
    fig_en = charts.field_bars(values, "en")
    assert list(fig_id.data[0].marker.color) == [FIELD_COLOURS[s] for s in SECS]
    assert "Pekerjaan Umum" in fig_id.data[0].y and "Public Works" in fig_en.data[0].y
    assert fig_id.data[0].text[1] == "51,0" and fig_en.data[0].text[1] == "51.0"
    assert len(fig_id.data) == 2 and fig_en.layout.separators == ".,"


def test_compare_bars_have_one_trace_per_field_in_its_colour():
    frame = pl.DataFrame({"name": ["A", "B"], **{s: [70.0, 80.0] for s in SPM_FIELDS}})
    fig = charts.compare_bars(frame, "en", sections=SPM_FIELDS)
    assert [tr.marker.color for tr in fig.data] == [FIELD_COLOURS[s] for s in SPM_FIELDS]
    assert list(fig.data[0].x) == ["A", "B"]


def test_change_bars_show_signed_differences():
    fig = charts.change_bars({"kesehatan": 75.0, "sosial": 60.0}, {"kesehatan": 70.0, "sosial": 62.5}, "id")
    # 75 − 70 = +5; 60 − 62.5 = −2.5
    assert list(fig.data[0].x) == [5.0, -2.5]
    assert list(fig.data[0].text) == ["+5,0", "-2,5"]


def test_other_figures_build_from_small_frames():
    figs = [
        charts.score_histogram([55.0, 65.0, None, 85.0], "id", ScoreBands()),
        charts.history_chart(pl.DataFrame({"year": [2024, 2025], "total": [70.0, 75.5], "level": ["desa", "kecamatan"],
                                           "rank": [1, None]}), "en"),
        charts.severity_chart(pl.DataFrame({"name": ["A", "B"], "severity": [-0.3, 0.2], "lo": [-0.5, 0.0],
                                            "hi": [-0.1, 0.4], "flagged": [True, False]}), "id"),
        charts.rank_shift_chart(pl.DataFrame({"name": ["A", "B"], "rank_raw": [1, 2], "rank_adjusted": [2, 1]}), "id"),
        charts.peer_chart(pl.DataFrame({"name": ["A", "B"], "total": [70.0, 80.0]}), "id", highlight="A"),
    ]
    assert all(isinstance(f, go.Figure) and f.data for f in figs)
    sev = figs[2].data[0]
    assert list(sev.error_x.array) == pytest.approx([0.2, 0.2]) and list(sev.y) == ["A", "B"]
    assert len(figs[3].data) == 2 and figs[3].data[0].line.width > figs[3].data[0].line.width - 1


def test_filters_keep_region_by_code_segments_not_by_text_prefix():
    t = league(4).vstack(league(1).with_columns(pl.lit("36.02.1").alias("desa_code")))
    assert filter_table(t, "36.02.18").height == 2
    assert filter_table(t, "36.02.1").height == 1          # "36.02.18.x" is not inside "36.02.1"
    assert filter_table(t, strata=["mandiri"]).height == 2
    assert filter_table(t, field="kesehatan", min_field_score=80.0).height == 3  # 91, 81 and the extra 91 ≥ 80


def test_field_means_awards_and_region_aggregates():
    t = league(4)
    assert field_means(t)["pendidikan"] == pytest.approx((90 + 80 + 70 + 60) / 4)
    assert award_places(t)["award"].to_list() == ["Juara I", "Juara II", "Juara III"]
    agg = region_aggregates(t, "kecamatan")
    assert agg["n"].to_list() == [2, 2] and agg.filter(pl.col("name") == "Cibadak")["total"][0] == 80.0
    assert section_ids(t) == list(SECS)


def test_scorecard_colours_cells_and_links_rows_to_profiles():
    t = league(4)
    conf = pl.DataFrame({"entrant_id": ["E0", "E1"], "rank_lo": [1, 1], "rank_hi": [2, 3], "p_top3": [0.99, 0.7]})
    df = scorecard_frame(t, "en", conf)
    assert list(df.columns[:3]) == ["entrant_id", "posyandu_id", "Rank"]
    assert "90 % rank interval" in df.columns and df["90 % rank interval"].iloc[1] == "1–3"
    cols = scorecard_score_columns("en", section_ids(t))
    html = style_scorecard(df, cols, ScoreBands(), "id").to_html()
    assert ScoreBands().colours[3] in html and "90,0" in html     # 90 is "very good"; Indonesian decimals
    assert profile_link(df, 2, "C1") == {"posyandu": "P2", "competition": "C1"}
    legend = band_legend_html(ScoreBands(), "id")
    assert "≤ 60" in legend and "> 80" in legend and "Sangat baik" in legend


def test_excel_download_keeps_the_band_colours():
    t = league(2)
    df = scorecard_frame(t, "id").drop(columns=["entrant_id", "posyandu_id"])
    data = excel_bytes(style_scorecard(df, scorecard_score_columns("id", section_ids(t)), ScoreBands(), "id"), "Peringkat")
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    header = [c.value for c in ws[1]]
    cell = ws.cell(row=2, column=header.index("Kesehatan") + 1)
    assert cell.value == pytest.approx(91.0)
    assert cell.fill.fgColor.rgb.endswith(ScoreBands().colours[3].lstrip("#").upper())


def test_criteria_differences_rank_the_widest_gap_first():
    crit = pl.DataFrame({
        "entrant_id": ["E0", "E0", "E1", "E1"], "criterion_id": ["K1", "K2", "K1", "K2"],
        "section_id": ["kesehatan", "sosial"] * 2, "points": [4.0, 3.0, 1.0, 3.0], "max_points": [4.0] * 4,
    })
    texts = pl.DataFrame({"criterion_id": ["K1", "K2"], "text": ["SK kader", "Rapat"]})
    out = criteria_differences(crit, {"E0": "A", "E1": "B"}, texts)
    # K1: 100 % vs 25 % → spread 75; K2: 75 % vs 75 % → 0
    assert out["criterion_id"].to_list() == ["K1", "K2"]
    assert out["spread"].to_list() == [75.0, 0.0] and out.columns[-3:] == ["A", "B", "spread"]


def test_history_rows_take_each_contest_result():
    entries = pl.DataFrame({"competition_id": ["C24", "C25"], "name": ["2024", "2025"], "year": [2024, 2025],
                            "level": ["kecamatan", "kecamatan"], "entrant_id": ["E0", "E1"]})
    h = history_rows(entries, {"C24": league(2), "C25": league(2)})
    assert h["total"].to_list() == [90.0, 80.0] and h["rank"].to_list() == [1, 2]


def test_peers_for_the_weakest_fields_are_stronger_and_from_the_same_kabupaten_first():
    t = league(8)   # first field: 90, 80, …, 20; strong = ≥ 75 and in the top quarter (≥ 72,5) → P0 and P1
    profiles = pl.DataFrame({
        "posyandu_id": [f"P{i}" for i in range(8)], "name": [f"Melati {i}" for i in range(8)],
        "desa_kind": ["desa"] * 8, "kabupaten_code": ["63.03"] + ["36.02"] * 7, "provinsi_code": ["63"] + ["36"] * 7,
        "kader_total": [10] * 8, "lat": [-3.3] + [-6.5] + [-6.4] * 6, "lon": [114.6] + [106.2] * 7,
    })
    weak = weakest_fields(t, "E7", SPM_FIELDS)
    assert weak == list(SPM_FIELDS[:2])                       # the fields score 20 + j: the first two are lowest
    out = field_peers(profiles, t, "P7", weak)
    first = out.filter(pl.col("spm_field") == weak[0])
    assert first["posyandu_id"].to_list() == ["P1", "P0"]     # same kabupaten before another province
    assert first["own_pct"].to_list() == [20.0, 20.0] and first["score_pct"].to_list() == [80.0, 90.0]
    assert first["distance_km"][0] == pytest.approx(11.12, abs=0.05)    # 0,1° of latitude
    assert field_peers(profiles, t, "P0", weak).height == 0   # nobody is stronger than the leader


def test_history_draws_one_line_per_contest_level():
    h = pl.DataFrame({"year": [2025, 2026, 2026], "total": [64.4, 88.6, 69.5],
                      "level": ["kecamatan", "kecamatan", "kabupaten"], "rank": [6, 1, 19]})
    fig = charts.history_chart(h, "id")
    # the kecamatan line keeps 2025 → 2026; the kabupaten result of 2026 is a separate point, not a zigzag
    assert [tr.name for tr in fig.data] == ["Kecamatan", "Kabupaten/Kota"]
    assert list(fig.data[0].x) == [2025, 2026] and list(fig.data[1].y) == [69.5]
    assert list(fig.data[0].text) == ["64,4", "88,6"]


def test_judge_choices_show_the_option_or_the_measured_value_the_indonesian_way():
    details = pl.DataFrame({
        "section_id": ["pendidikan"] * 3, "stage": ["administrasi"] * 3, "criterion_text": ["Pojok baca"] * 3,
        "judge_name": ["Tuti"] * 3, "option_code": ["b", None, None], "option_text": ["Ada rak buku", None, None],
        "option_points": [3.0, None, None], "real_value": [None, 19.0, 1234.5], "note": [None] * 3,
        "evidence": [["foto.jpg"], None, None],
    })
    rows = judge_choice_rows(details, "pendidikan", "id")
    assert list(rows["Pilihan juri"]) == ["b. Ada rak buku", "19", "1.234,5"]
    assert list(rows["Tahap"]) == ["Administrasi"] * 3 and list(rows["Bukti"]) == [1, 0, 0]
