"""A judge's field form in Chromium: juri1 downloads the XLSForm of their own assignments and its attached entrant
list, fills it (an export written here from the downloaded form, as KoboToolbox writes it, with the photo in the
media ZIP), uploads it, sees what was imported and what was refused, and finds the photo on their Penilaian form."""

from __future__ import annotations

import csv
import io
import shutil
import zipfile

import openpyxl
from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS, serve, settle, sign_in
from tests.test_fieldform_roundtrip import jpeg, kobo_header

COMP = "LP2026-PROV-36"


def _sheet(book, name: str) -> list[dict[str, str]]:
    rows = list(book[name].iter_rows(values_only=True))
    return [{h: ("" if v is None else str(v)) for h, v in zip(rows[0], r, strict=True)} for r in rows[1:]]


def _export(form: bytes, entrant: str, judge: str, photo_name: str) -> tuple[bytes, str]:
    """A Kobo CSV of two submissions of the downloaded form: one on the open lapangan stage with a photo, one on
    the administrasi stage, which is final (refused with its row); and the criterion the photo belongs to."""
    book = openpyxl.load_workbook(io.BytesIO(form))
    sheets = {"survey": _sheet(book, "survey"), "choices": _sheet(book, "choices")}
    header = kobo_header(sheets)
    first_option: dict[str, str] = {}
    for c in sheets["choices"]:
        first_option.setdefault(c["list_name"], c["name"])
    photo_of = next(r["name"].removesuffix("_foto") for r in sheets["survey"] if r["type"] == "image")
    rows = []
    for n, stage in enumerate(["lapangan", "administrasi"], start=1):
        row = dict.fromkeys(header, "")
        uuid = f"7a0e{n:04d}-1b2c-4d5e-8f90-journey00{n:03d}"
        row |= {"stage": stage, "entrant_id": entrant, "judge_id": judge, "meta/instanceID": f"uuid:{uuid}",
                "_uuid": uuid, "_id": str(n), "gps": "-6.1201 106.1502 40 5"}
        for q in sheets["survey"]:
            column = next((h for h in header if h.split("/")[-1] == q["name"]), None)
            if column is None or q["name"] in ("stage", "entrant_id", "judge_id"):
                continue
            if q["type"].startswith("select_one "):
                row[column] = "ada" if q["name"].endswith("_kasus") else first_option[q["type"].split()[1]]
            elif q["type"] == "decimal":
                row[column] = "50"
            elif q["type"] == "image" and q["name"] == f"{photo_of}_foto" and stage == "lapangan":
                row[column] = photo_name
        rows.append(row)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, delimiter=";")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig"), photo_of


def test_a_juri_downloads_the_field_form_uploads_the_export_and_sees_what_was_imported(demo_path, tmp_path,
                                                                                       browser_page):
    page = browser_page
    store_file = tmp_path / "fieldform.duckdb"
    shutil.copyfile(demo_path, store_file)          # this journey writes scores: a store of its own
    with serve(store_file) as url:
        sign_in(page, url, "juri1", "juri-demo")
        page.goto(f"{url}/formulir_lapangan?competition={COMP}")
        settle(page)
        expect(page.get_by_role("heading", name="Formulir lapangan (KoboCollect / ODK Collect)")).to_be_visible()
        expect(page.get_by_text("hanya memuat peserta yang ditugaskan kepada Anda")).to_be_visible()
        expect(page.get_by_text("3 peserta, 1 juri", exact=False)).to_be_visible()
        expect(page.get_by_role("button", name="Unduh peserta.csv")).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "fieldform-1-download.png"), full_page=True)

        with page.expect_download(timeout=120_000) as got:
            page.get_by_role("button", name="Unduh XLSForm").click()
        form = (tmp_path / "form.xlsx")
        got.value.save_as(form)
        settle(page)
        with page.expect_download(timeout=120_000) as got:
            page.get_by_role("button", name="Unduh peserta.csv").click()
        listed = list(csv.DictReader(io.StringIO(got.value.path().read_text(encoding="utf-8"))))
        settle(page)
        assert len(listed) == 3 and all(r["judges"] == "J-36-09" for r in listed)
        settings = _sheet(openpyxl.load_workbook(form), "settings")[0]
        assert settings["form_id"] == COMP
        entrant = sorted(r["name"] for r in listed)[0]

        export, criterion = _export(form.read_bytes(), entrant, "J-36-09", "1764651200001.jpg")
        (tmp_path / "ekspor.csv").write_bytes(export)
        with zipfile.ZipFile(tmp_path / "media.zip", "w") as z:
            z.writestr("juri1/attachments/aXkLP2026/7a0e0001-1b2c-4d5e-8f90-journey00001/1764651200001.jpg",
                       jpeg((180, 120, 40)))
        inputs = page.locator("[data-testid='stFileUploaderDropzoneInput']")
        inputs.nth(0).set_input_files(str(tmp_path / "ekspor.csv"))
        settle(page)
        inputs.nth(1).set_input_files(str(tmp_path / "media.zip"))
        settle(page)
        page.get_by_role("button", name="Periksa dan simpan").click()
        settle(page)
        expect(page.get_by_text("Hasil pemeriksaan")).to_be_visible()
        metrics = page.locator("[data-testid='stMetric']")
        expect(metrics.filter(has_text="Formulir diterima")).to_contain_text("1")
        expect(metrics.filter(has_text="Foto bukti tersimpan")).to_contain_text("1")
        expect(page.get_by_text("1 baris ditolak")).to_be_visible()
        expect(page.get_by_text("Formulir yang dimasukkan")).to_be_visible()
        expect(page.locator("[data-testid='stException']")).to_have_count(0)
        page.get_by_text("1 baris ditolak").scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "fieldform-2-imported.png"), full_page=True)

        # The same export again: nothing new.
        page.get_by_role("button", name="Periksa dan simpan").click()
        settle(page)
        expect(metrics.filter(has_text="Sudah pernah dimasukkan")).to_contain_text("1")
        expect(metrics.filter(has_text="Nilai tersimpan")).to_contain_text("0")

        # The photo is evidence of that score on the judge's own form.
        page.goto(f"{url}/penilaian?competition={COMP}&stage=lapangan&entrant={entrant}")
        settle(page)
        photo = page.get_by_text("1764651200001.jpg").first
        expect(photo).to_be_visible()
        photo.scroll_into_view_if_needed()
        page.locator("[data-testid='stCheckbox']").filter(has_text="Lihat").first.click()     # view the photo
        settle(page)
        expect(page.locator("[data-testid='stImage'] img").first).to_be_visible()
        page.locator("[data-testid='stImage']").first.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "fieldform-3-penilaian.png"))
    assert criterion
