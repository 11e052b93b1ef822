"""Regional statistics as offices publish them (#18): Kab. Kutai Kartanegara's 20 kecamatan with their active
posyandu and kader, the way a BPS table is typed (upper case, "Kec." prefixes, Indonesian thousands, a Jumlah
row), imported all or nothing with every problem named."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from data.exchange.imports import region_stats
from data.exchange.imports.common import write_plan

KUKAR = "64.02"


def _kecamatan(con) -> list[tuple[str, str]]:
    return con.sql("SELECT code, name FROM regions WHERE level = 3 AND code LIKE ? || '.%' ORDER BY code",
                   params=[KUKAR]).fetchall()


def _table(con, *, drop: int | None = None, total_shift: float = 0.0, bad_cell: str | None = None,
           rename: str | None = None) -> tuple[bytes, dict[str, tuple[float, float]]]:
    """The published table: 20 rows (kecamatan as BPS prints them) and a Jumlah row; `drop` leaves one row out
    (the Jumlah row still counts it), `bad_cell` replaces one figure, `rename` misspells the first name."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Statistik"
    ws.append(["Kecamatan", "Posyandu Aktif", "Kader Purnama"])
    truth: dict[str, tuple[float, float]] = {}
    for n, (code, name) in enumerate(_kecamatan(con)):
        posyandu, kader = 10 + n, 1000 + 37 * n          # the kader figure needs thousands separators
        truth[code] = (posyandu, kader)
        if n == drop:
            continue
        typed = name.upper() if n % 2 else f"Kec. {name}"
        if n == 0 and rename:
            typed = rename
        ws.append([typed, posyandu if not (n == 3 and bad_cell) else bad_cell, f"{kader:,}".replace(",", ".")])
    ws.append(["Jumlah", sum(p for p, _ in truth.values()) + total_shift,
               f"{int(sum(k for _, k in truth.values())):,}".replace(",", ".")])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue(), truth


@pytest.fixture
def con(demo_app):
    return demo_app


def test_a_published_table_of_twenty_kecamatan_is_stored_and_adds_up(con):
    data, truth = _table(con)
    plan = region_stats.validate(con, data, "kukar-2024.xlsx", KUKAR, 2024)
    assert plan.ok, [p.where() + " " + p.text() for p in plan.problems]
    rows = plan.frames["region_stats"]
    assert rows["code"].n_unique() == 20 and set(rows["measure"]) == {"posyandu_aktif", "kader_purnama"}
    assert set(rows["label"]) == {"Posyandu Aktif", "Kader Purnama"}
    result = write_plan(con, plan, actor="panitia")
    assert result.written and result.rows_new == 40
    stored = dict(con.sql("SELECT measure, sum(value) FROM region_stats WHERE year = 2024 GROUP BY measure").fetchall())
    assert stored == {"posyandu_aktif": sum(p for p, _ in truth.values()),
                      "kader_purnama": sum(k for _, k in truth.values())}
    got = dict(con.sql("SELECT code, value FROM region_stats WHERE measure = 'kader_purnama'").fetchall())
    assert got == {c: k for c, (_, k) in truth.items()}           # 1.037 read as 1037, every kecamatan placed
    # one audit row per stored value, as for every import
    assert con.sql("SELECT count(*) FROM audit_log WHERE entity = 'region_stats'").fetchone()[0] >= 40
    # the same file again writes nothing
    again = region_stats.validate(con, data, "kukar-2024.xlsx", KUKAR, 2024)
    assert again.already_imported


def test_a_table_missing_a_row_is_refused_by_its_total(con):
    data, _ = _table(con, drop=7)
    plan = region_stats.validate(con, data, "kukar-2024.xlsx", KUKAR, 2024)
    said = {(p.row, p.column, p.message_key) for p in plan.problems}
    # the Jumlah row (row 21: header, 19 kecamatan, then Jumlah) names both columns
    assert said == {(21, "B (Posyandu Aktif)", "exchange_stats_total_differs"),
                    (21, "C (Kader Purnama)", "exchange_stats_total_differs")}
    assert "baris-baris di atasnya berjumlah" in plan.problems[0].text("id")
    assert con.sql("SELECT count(*) FROM region_stats").fetchone()[0] == 0


def test_a_wrong_name_and_a_word_for_a_number_are_named_with_row_and_column(con):
    data, _ = _table(con, rename="Muara Mantai", bad_cell="dua belas")
    plan = region_stats.validate(con, data, "kukar-2024.xlsx", KUKAR, 2024)
    by_key = {p.message_key: p for p in plan.problems}
    assert by_key["exchange_unknown_region_name"].row == 2
    assert "Muara Muntai (64.02.01)" in by_key["exchange_unknown_region_name"].text("id")
    assert (by_key["exchange_not_a_number"].row, by_key["exchange_not_a_number"].column) == (5, "B (Posyandu Aktif)")
    assert plan.frames == {}


def test_without_a_year_column_the_page_must_give_one(con):
    data, _ = _table(con)
    plan = region_stats.validate(con, data, "kukar-2024.xlsx", KUKAR, None)
    assert [p.message_key for p in plan.problems] == ["exchange_stats_no_year"]


def test_a_region_outside_the_contest_is_refused(con):
    wb = Workbook()
    ws = wb.active
    ws.append(["Kode Wilayah", "Tahun", "Posyandu Aktif"])
    ws.append(["64.02.01", 2024, 12])
    ws.append(["36.02.18", 2024, 9])           # Kec. Cibadak, Kab. Lebak: not in Kutai Kartanegara
    out = io.BytesIO()
    wb.save(out)
    plan = region_stats.validate(con, out.getvalue(), "campur.xlsx", KUKAR)
    assert [(p.row, p.message_key) for p in plan.problems] == [(3, "exchange_stats_region_outside")]


def test_the_data_page_imports_the_table_for_the_contests_region(con):
    from streamlit.testing.v1 import AppTest

    from tests.pages_support import PAGES, sign_in
    from ui.auth import TOKEN_KEY

    at = AppTest.from_file(str(PAGES / "pertukaran_data.py"), default_timeout=120)
    at.session_state[TOKEN_KEY] = sign_in(con, "panitia")
    at.query_params["competition"] = "LP2026-KAB-64.02"
    at.run()
    assert not at.exception
    at.selectbox(key="ex.kind").select("region_stats").run()
    assert any("Kutai Kartanegara" in c.value for c in at.caption), [c.value for c in at.caption]
    at.number_input(key="ex.stats_year").set_value(2024).run()
    data, _ = _table(con)
    at.file_uploader(key="ex.file.region_stats").set_value(
        ("kukar-2024.xlsx", data, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")).run()
    assert not at.exception and not at.error
    assert any("20 wilayah × 2 ukuran siap disimpan." in s.value for s in at.success), (
        [s.value for s in at.success], [e.value for e in at.error], [i.value for i in at.info])
    shown = at.dataframe[0].value
    assert list(shown.columns) == ["Wilayah", "Tahun", "Ukuran", "Nilai"] and len(shown) == 40
    assert "1.037" in set(shown["Nilai"])                       # Indonesian thousands on the page
    at.button(key="ex.stats_write").click().run()
    assert not at.exception
    assert con.sql("SELECT count(*) FROM region_stats WHERE year = 2024").fetchone()[0] == 40


def test_peta_colours_every_kecamatan_by_the_statistic_and_its_summary_shows_it(con):
    import json

    from streamlit.testing.v1 import AppTest

    from tests.pages_support import PAGES

    data, truth = _table(con)
    write_plan(con, region_stats.validate(con, data, "kukar-2024.xlsx", KUKAR, 2024), actor="panitia")
    at = AppTest.from_file(str(PAGES / "peta.py"), default_timeout=120)      # a visitor: Kukar 2026 is final
    at.query_params["competition"] = "LP2026-KAB-64.02"
    at.query_params["stat"] = "posyandu_aktif@2024"
    at.run()
    assert not at.exception
    assert at.selectbox(key="peta_stat").value == "posyandu_aktif@2024"
    (chart,) = at.get("deck_gl_json_chart")
    layers = {layer["id"]: layer for layer in json.loads(chart.proto.json)["layers"]}
    drawn = layers["choropleth"]["data"]["features"]
    assert sorted(f["properties"]["code"] for f in drawn) == sorted(truth)      # all 20 kecamatan
    fills = {f["properties"]["code"]: f["properties"]["fill"] for f in drawn}
    fewest, most = min(truth, key=lambda c: truth[c][0]), max(truth, key=lambda c: truth[c][0])
    assert sum(fills[fewest][:3]) > sum(fills[most][:3])          # fewer active posyandu: lighter
    legend = "\n".join(str(h.proto.body) for h in at.get("html"))
    assert "Wilayah diwarnai menurut Posyandu Aktif (2024): dari 10 (muda) sampai 29 (tua); 20 wilayah." in legend
    # the summary of a kecamatan with entrants (a click on it) lists what the office published for it
    with_entrants = con.sql("SELECT DISTINCT substr(p.desa_code, 1, 8) FROM entrants e JOIN posyandu p "
                            "USING (posyandu_id) WHERE e.competition_id = 'LP2026-KAB-64.02' ORDER BY 1").fetchone()[0]
    at.query_params["area"] = with_entrants
    at.run()
    assert not at.exception
    assert "Statistik wilayah" in [c.value for c in at.caption]
    shown = next(d.value for d in at.dataframe if "Ukuran" in d.value.columns)
    posyandu, kader = truth[with_entrants]
    assert sorted(shown.to_dict("records"), key=lambda r: r["Ukuran"]) == [
        {"Ukuran": "Kader Purnama", "Tahun": "2024", "Nilai": f"{int(kader):,}".replace(",", ".")},
        {"Ukuran": "Posyandu Aktif", "Tahun": "2024", "Nilai": str(posyandu)}]
