"""The Instruments page (pages/instrumen.py) through AppTest: upload the Kudus workbook, see its one warning with
its row and criterion before saving, save it as kudus-2025@1; a file with errors cannot be saved."""

from __future__ import annotations

from data.instruments.upload import instruments_in_use
from tests.instrument_workbooks import kudus_rows_with, workbook
from tests.setup_support import run_page, texts

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _table_text(at) -> str:
    return "\n".join(str(tb.value.to_dict()) for tb in at.table)


def test_the_stored_instruments_and_the_template_are_offered(setup_app):
    at = run_page("instrumen", setup_app)
    assert not at.exception
    shown = at.dataframe[0].value
    assert list(shown["Instrumen"]) == ["enam-bidang-2026@1", "klasik-berjenjang-2018@1"]
    assert at.get("download_button")


def test_upload_shows_the_warning_with_row_and_criterion_then_saves_a_version(setup_app):
    at = run_page("instrumen", setup_app)
    at.file_uploader(key="instrumen.file").set_value(("instrumen-kudus.xlsx", workbook(), XLSX)).run()
    assert not at.exception, at.exception
    # The file name is shown escaped (ui.safe.plain), so compare the text as rendered.
    assert "instrumen-kudus.xlsx: 0 kesalahan, 1 peringatan." in texts(at).replace("\\", "")
    table = _table_text(at)
    assert "Kriteria › baris 8" in table and "KLB-02" in table and "sama dengan teks opsi 'b'" in table
    assert "akan disimpan sebagai kudus-2025@1 (4 kriteria)" in texts(at)
    assert "kudus-2025@1" not in instruments_in_use(setup_app)["instrument_id"].to_list()   # not yet saved
    at.button(key="instrumen.save").click().run()
    assert not at.exception
    assert "Instrumen kudus-2025@1 disimpan" in texts(at)
    assert "kudus-2025@1" in instruments_in_use(setup_app)["instrument_id"].to_list()


def test_a_workbook_with_errors_lists_them_in_english_and_offers_no_save(setup_app):
    at = run_page("instrumen", setup_app, lang="en")
    bad = workbook(kudus_rows_with(8, bobot_bagian=50))
    at.file_uploader(key="instrumen.file").set_value(("bad.xlsx", bad, XLSX)).run()
    assert not at.exception
    assert "bad.xlsx: 1 errors, 1 warnings." in texts(at).replace("\\", "")
    assert "Fix the errors" in texts(at)
    assert "90" in _table_text(at)
    assert not [b for b in at.button if b.key == "instrumen.save"]


def test_a_juri_cannot_open_the_instruments_page(setup_app):
    from data.judging import auth

    auth.create_user(setup_app, "juri1", "Juri-Kudus-2025", "juri", judge_id="J1")
    at = run_page("instrumen", setup_app, username="juri1", password="Juri-Kudus-2025")
    assert not at.exception
    assert not at.file_uploader
