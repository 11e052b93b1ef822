"""The field form's round trip as a judge and a server make it: the XLSForm generated here, an export written as
KoboToolbox / ODK Central write theirs (CSV and XLSX, the photos in the server's media ZIP), imported back: every
answer and photo stored once and audited, a second import changes nothing, refusals named with their row."""

from __future__ import annotations

import csv
import dataclasses
import io
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from PIL import Image
from pyxform.validators.odk_validate import _call_validator, check_xform

from data.exchange.kobo_import import import_export
from data.exchange.problems import message_keys
from data.exchange.xlsform import (
    ENTRANTS_FILE,
    MAX_PIXELS,
    build_xlsform,
    entrants_csv,
    to_xform,
    xlsform_sheets,
)
from data.judging import forms as judging
from data.judging.contest_life import send_back
from data.judging.evidence import evidence_path
from data.judging.evidence_access import score_evidence
from scoring.instrument import NO_CASE
from tests.test_judging_fixtures import CID, JURI1, PANITIA, assign_defaults, build_contest, mini_instrument

ENTRANTS = [("E1", "Posyandu Mawar · Cikulur"), ("E2", "Posyandu Melati · Cikulur"), ("E3", "Posyandu Anggrek"),
            ("E4", "Posyandu Kenanga")]
JUDGES = [("J1", "Drs. Ahmad"), ("J2", "Siti Aminah")]
ASSIGNED = [("J1", "E3"), ("J1", "E4"), ("J2", "E1"), ("J2", "E2"), ("J2", "E3")]    # as assign_defaults


NO_CASE_ALLOWED = ("KES_02", "KES_03")      # a choice and a nilai-riil criterion


def instrument():
    """mini@1 as the store holds it (see `contest`), with the evidence a real instrument names on two criteria
    and "tidak ada kasus" allowed on a choice and a nilai-riil one."""
    ins = mini_instrument()
    evidence = {"KES_01": ("SK kader", "foto papan struktur"), "KES_03": ("register D/S",)}
    sections = []
    for s in ins.sections:
        crit = tuple(dataclasses.replace(c, evidence=evidence.get(c.id, ()), no_case_allowed=c.id in NO_CASE_ALLOWED)
                     for c in s.criteria)
        sections.append(dataclasses.replace(s, criteria=crit))
    return dataclasses.replace(ins, sections=tuple(sections))


def form(entrants=ENTRANTS, *, attach=True):
    return xlsform_sheets(instrument(), entrants, JUDGES, ["lapangan"], competition_id=CID, assignments=ASSIGNED,
                          attach_entrants=attach)


def jpeg(colour: tuple[int, int, int]) -> bytes:
    """A real photo file, as the phone sends it after max-pixels."""
    out = io.BytesIO()
    Image.new("RGB", (MAX_PIXELS, MAX_PIXELS * 3 // 4), colour).save(out, "JPEG", quality=70)
    return out.getvalue()


# What three judges' phones sent: (instanceID, judge, entrant, answers, photos by criterion).
PHOTO_A, PHOTO_B, PHOTO_C = jpeg((200, 30, 30)), jpeg((30, 200, 30)), jpeg((30, 30, 200))
SENT = [
    ("uuid:6f1c0d2e-0001-4c55-9a51-0f6c1a2b3c01", "J1", "E3", {"KES_01": "a", "KES_02": "b", "KES_03": "72.5",
                                                              "PDD_01": "c"},
     {"KES_01": ("1764651200001.jpg", PHOTO_A), "KES_03": ("1764651200002.jpg", PHOTO_B)}),
    ("uuid:6f1c0d2e-0002-4c55-9a51-0f6c1a2b3c02", "J1", "E4", {"KES_01": "d", "KES_02": "c", "KES_03": "40",
                                                              "PDD_01": "a"},
     {"KES_01": ("1764651300001.jpg", PHOTO_C)}),
    ("uuid:6f1c0d2e-0003-4c55-9a51-0f6c1a2b3c03", "J2", "E3", {"KES_01": "b", "KES_02": "b", "KES_03": "91",
                                                              "PDD_01": "b"},
     {"KES_01": ("1764651400001.jpg", PHOTO_A)}),     # the same register photographed the same: stored once
]


def kobo_header(sheets) -> list[str]:
    """The columns KoboToolbox exports for this form: its questions by group path, each photo with its _URL
    column, then meta and Kobo's own columns."""
    out, path = [], []
    for row in sheets["survey"]:
        kind, name = row["type"], row["name"]
        if kind == "begin_group":
            path.append(name)
        elif kind == "end_group":
            path.pop()
        else:
            full = "/".join([*path, name])
            out.append(full)
            if kind == "geopoint":
                out += [f"_{name}_latitude", f"_{name}_longitude", f"_{name}_altitude", f"_{name}_precision"]
            if kind == "image":
                out.append(f"{full}_URL")
    return out + ["meta/instanceID", "_id", "_uuid", "_submission_time", "_validation_status", "_notes", "_status",
                  "_submitted_by", "__version__", "_tags", "_index"]


def kobo_rows(sheets, sent=SENT) -> list[dict[str, str]]:
    header, rows = kobo_header(sheets), []
    for i, (iid, judge, entrant, answers, photos) in enumerate(sent, start=1):
        uuid = iid.removeprefix("uuid:")
        row = dict.fromkeys(header, "")
        row |= {"start": "2026-10-21T09:00:00.000+07:00", "end": "2026-10-21T09:40:00.000+07:00",
                "stage": "lapangan", "entrant_id": entrant, "judge_id": judge, "gps": "-6.5312 106.2011 120 5",
                "_gps_latitude": "-6.5312", "_gps_longitude": "106.2011", "_gps_altitude": "120",
                "_gps_precision": "5", "meta/instanceID": iid, "_id": str(400 + i), "_uuid": uuid,
                "_submission_time": "2026-10-21T12:00:00", "_status": "submitted_via_web",
                "_submitted_by": "juri", "__version__": "vQ3x", "_index": str(i)}
        for column in header:
            leaf = column.split("/")[-1]
            if leaf in answers:
                row[column] = "" if answers[leaf] == NO_CASE and leaf == "KES_03" else answers[leaf]
            if leaf.endswith("_kasus"):      # is there a case to measure? (the value is asked only if so)
                row[column] = NO_CASE if answers.get(leaf.removesuffix("_kasus")) == NO_CASE else "ada"
            crit = leaf.removesuffix("_foto").removesuffix("_foto_URL")
            if crit in photos and leaf == f"{crit}_foto":
                row[column] = photos[crit][0]
            elif crit in photos and leaf == f"{crit}_foto_URL":
                row[column] = (f"https://kc.kobotoolbox.org/media/original?media_file=panitia/attachments/aXk/"
                               f"{uuid}/{photos[crit][0]}")
        rows.append(row)
    return rows


def kobo_csv(sheets, sent=SENT) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=kobo_header(sheets), delimiter=";")   # Kobo's default separator
    writer.writeheader()
    writer.writerows(kobo_rows(sheets, sent))
    return out.getvalue().encode("utf-8-sig")


def kobo_xlsx(sheets, sent=SENT) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Formulir lapangan"
    header = kobo_header(sheets)
    ws.append(header)
    for row in kobo_rows(sheets, sent):       # Excel keeps numbers as numbers
        ws.append([float(row[h]) if h.endswith("KES_03") or h.startswith("_gps_") else row[h] for h in header])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def kobo_media(sent=SENT) -> bytes:
    """KoboToolbox's attachments ZIP: <user>/attachments/<form uid>/<submission uuid>/<file>."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for iid, _, _, _, photos in sent:
            for name, data in photos.values():
                z.writestr(f"panitia/attachments/aXkQ3xLebak/{iid.removeprefix('uuid:')}/{name}", data)
    return out.getvalue()


def central_zip(sheets, sent=SENT) -> bytes:
    """ODK Central's "with media" export: the CSV ("-" joins group paths) and media/<file>."""
    rows = kobo_rows(sheets, sent)
    kept = [h for h in kobo_header(sheets) if not h.startswith("_") and not h.endswith("_URL")]
    table = io.StringIO()
    writer = csv.writer(table)
    writer.writerow(["SubmissionDate", *[h.replace("/", "-") for h in kept], "KEY", "SubmitterName", "ReviewState"])
    for r in rows:
        writer.writerow(["2026-10-21T05:00:00.000Z", *[r[h] for h in kept], r["meta/instanceID"], "juri", ""])
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr(f"{CID}.csv", table.getvalue())
        for _, _, _, _, photos in sent:
            for name, data in photos.values():
                z.writestr(f"media/{name}", data)
    return out.getvalue()


@pytest.fixture
def contest(con):
    build_contest(con)
    con.execute("UPDATE instrument_criteria SET no_case_allowed = criterion_id IN ('KES_02', 'KES_03') "
                "WHERE instrument_id = 'mini@1'")
    assign_defaults(con)
    return con


def _scores(con) -> dict:
    return {(e, j, c): (o, r, tuple(ev or ())) for e, j, c, o, r, ev in con.sql(
        "SELECT entrant_id, judge_id, criterion_id, option_code, real_value, evidence FROM scores").fetchall()}


def _expected() -> dict:
    want = {}
    for _, judge, entrant, answers, photos in SENT:
        for crit, value in answers.items():
            shas = tuple(import_sha(photos[crit][1]) for _ in [0] if crit in photos)
            want[(entrant, judge, crit)] = ((NO_CASE, None, shas) if value == NO_CASE else
                                            (None, float(value), shas) if crit == "KES_03" else (value, None, shas))
    return want


def import_sha(data: bytes) -> str:
    import hashlib
    return hashlib.sha256(data).hexdigest()


def _counts(con) -> tuple[int, int, int, int]:
    return (con.sql("SELECT count(*) FROM scores").fetchone()[0],
            con.sql("SELECT count(*) FROM evidence_files").fetchone()[0],
            con.sql("SELECT count(*) FROM audit_log").fetchone()[0],
            con.sql("SELECT count(*) FROM field_submissions").fetchone()[0])


@pytest.mark.parametrize("export", ["kobo-csv", "kobo-xlsx", "central-zip"])
def test_round_trip_stores_every_answer_and_photo_once_audited_and_a_reimport_changes_nothing(contest, export):
    sheets = form()
    if export == "kobo-csv":
        data, name, media = kobo_csv(sheets), "lebak_2026_-_latest_version_-_labels.csv", kobo_media()
    elif export == "kobo-xlsx":
        data, name, media = kobo_xlsx(sheets), "lebak_2026_-_latest_version.xlsx", kobo_media()
    else:
        data, name, media = central_zip(sheets), f"{CID}.zip", None
    report = import_export(contest, PANITIA, CID, instrument(), data, name, media)
    assert report.problems == [], [p.text("id") for p in report.problems]
    assert [s.instance_id for s in report.accepted] == [s[0] for s in SENT]
    assert _scores(contest) == _expected()
    assert report.scores_written == 12 and report.photos_stored == 4
    # Each photo once on disk and in the store, by its hash, with the phone's file name.
    files = contest.sql("SELECT sha256, mime_type, original_name FROM evidence_files ORDER BY original_name").fetchall()
    assert sorted(f[0] for f in files) == sorted({import_sha(p) for p in (PHOTO_A, PHOTO_B, PHOTO_C)})
    assert {f[1] for f in files} == {"image/jpeg"}
    for sha, _, _ in files:
        assert evidence_path(contest, sha).read_bytes() in (PHOTO_A, PHOTO_B, PHOTO_C)
    # Audited: one row per score, source kobo, naming the submission; the photo is in the audited value.
    audit = contest.sql("SELECT entity_key, source, reason, new_value FROM audit_log WHERE action = 'score' "
                        "AND competition_id = ?", params=[CID]).fetchall()
    assert len(audit) == 12 and {a[1] for a in audit} == {"kobo"}
    assert all(any(s[0] in a[2] for s in SENT) for a in audit)
    photo_row = [a for a in audit if a[0].endswith("/E3/J1/KES_01")]
    assert len(photo_row) == 1 and import_sha(PHOTO_A) in photo_row[0][3]
    assert judging.audit_entries(contest, PANITIA, CID).height >= 12
    # Visible where evidence is visible: the judge's own form and the panitia, through the score.
    mine = score_evidence(contest, JURI1, CID, "lapangan", "E3", "J1", "KES_03")
    assert [(f.original_name, f.is_image) for f in mine] == [("1764651200002.jpg", True)]
    assert len(score_evidence(contest, PANITIA, CID, "lapangan", "E3", "J2", "KES_01")) == 1

    before = _counts(contest)
    again = import_export(contest, PANITIA, CID, instrument(), data, name, media)
    assert sorted(again.already_imported) == sorted(s[0] for s in SENT)
    assert again.scores_written == 0 and again.photos_stored == 0 and again.problems == []
    assert _counts(contest) == before and _scores(contest) == _expected()


def test_a_photo_the_media_lacks_refuses_its_row_and_the_others_go_in(contest):
    sheets = form()
    media = io.BytesIO()
    with zipfile.ZipFile(media, "w") as z:          # the ZIP of the first submission only
        for name, data in SENT[0][4].values():
            z.writestr(f"panitia/attachments/aXk/{SENT[0][0].removeprefix('uuid:')}/{name}", data)
    report = import_export(contest, PANITIA, CID, instrument(), kobo_csv(sheets), "nilai.csv", media.getvalue())
    assert [s.instance_id for s in report.accepted] == [SENT[0][0]]
    assert {(p.row, p.column, p.message_key) for p in report.problems} == {
        (3, "grp_kesehatan/KES_01_foto", "fieldform_photo_missing"),
        (4, "grp_kesehatan/KES_01_foto", "fieldform_photo_missing")}
    assert "1764651300001.jpg" in report.problems[0].text("id") and "ZIP" in report.problems[0].text("id")
    # Brought back with the whole media ZIP, the two refused rows go in; the first is not written again.
    later = import_export(contest, PANITIA, CID, instrument(), kobo_csv(sheets), "nilai.csv", kobo_media())
    assert [s.instance_id for s in later.accepted] == [SENT[1][0], SENT[2][0]]
    assert later.already_imported == [SENT[0][0]] and _scores(contest) == _expected()


def test_a_file_that_is_no_photo_and_a_share_above_100_are_refused_with_their_row(contest):
    sheets = form()
    sent = [(SENT[0][0], "J1", "E3", SENT[0][3], {"KES_01": ("1764651200001.jpg", b"MZ\x90\x00 not a photo")}),
            (SENT[1][0], "J1", "E4", SENT[1][3] | {"KES_03": "140"}, {})]
    report = import_export(contest, PANITIA, CID, instrument(), kobo_csv(sheets, sent), "nilai.csv",
                           kobo_media(sent))
    assert report.accepted == []
    assert {(p.row, p.column, p.message_key) for p in report.problems} == {
        (2, "grp_kesehatan/KES_01_foto", "judging_evidence_bad_type"),
        (3, "grp_kesehatan/KES_03", "fieldform_out_of_range")}
    assert "0 sampai 100" in next(p for p in report.problems if p.row == 3).text("id")
    assert _counts(contest)[:2] == (0, 0)


def test_not_assigned_and_locked_submissions_are_refused_with_their_row(contest):
    sheets = form()
    import_export(contest, PANITIA, CID, instrument(), kobo_csv(sheets, SENT[:1]), "pagi.csv", kobo_media(SENT[:1]))
    assert send_back.submit_form(contest, JURI1, CID, "lapangan", "E3") == []
    late = [("uuid:late-0001", "J1", "E3", SENT[0][3] | {"KES_01": "d"}, {}),     # after the form was locked
            ("uuid:late-0002", "J1", "E1", SENT[0][3], {})]                      # E1 is J2's, not J1's
    report = import_export(contest, PANITIA, CID, instrument(), kobo_csv(sheets, late), "sore.csv")
    assert report.accepted == []
    assert {(p.row, p.message_key) for p in report.problems} == {(2, "judging_form_locked"),
                                                                 (3, "judging_import_not_assigned")}
    assert _scores(contest)[("E3", "J1", "KES_01")][0] == "a"


def test_the_form_requires_every_criterion_and_asks_for_photos_where_the_instrument_names_evidence():
    survey = {r["name"]: r for r in form()["survey"]}
    for c in instrument().criteria:
        assert survey[c.id]["required"] == "yes"
        photo = survey.get(f"{c.id}_foto")
        if c.evidence:
            assert photo["type"] == "image" and photo["parameters"] == f"max-pixels={MAX_PIXELS}"
            assert "required" not in photo and photo["label::Indonesian (id)"] == f"Foto bukti {c.id}"
            assert c.evidence[0] in photo["hint::Indonesian (id)"]
        else:
            assert photo is None
    assert survey["KES_03"]["constraint"] == ". >= 0 and . <= 100"
    assert survey["KES_03"]["constraint_message::Indonesian (id)"] == "Isi 0 sampai 100"


def test_the_attached_entrant_list_offers_each_judge_their_own_and_moves_the_version():
    sheets = form()
    entrant = next(r for r in sheets["survey"] if r["name"] == "entrant_id")
    assert entrant["type"] == f"select_one_from_file {ENTRANTS_FILE}"
    assert entrant["choice_filter"] == "selected(judges, ${judge_id})"
    assert not [r for r in sheets["choices"] if r["list_name"] == "entrants"]      # the list is the attachment
    rows = list(csv.DictReader(io.StringIO(entrants_csv(ENTRANTS, ASSIGNED).decode("utf-8"))))
    assert rows[0] == {"name": "E1", "label": "Posyandu Mawar · Cikulur", "judges": "J2"}
    # The filter as Collect evaluates selected(judges, judge): E3 is offered to both its judges.
    offered = {j: [r["name"] for r in rows if j in r["judges"].split()] for j, _ in JUDGES}
    assert offered == {"J1": ["E3", "E4"], "J2": ["E1", "E2", "E3"]}
    one = form()["settings"][0]
    assert one["version"] == form()["settings"][0]["version"]
    changed = form(ENTRANTS[:3] + [("E4", "Posyandu Kenanga Baru")])["settings"][0]
    assert changed["version"] != one["version"] and changed["version"].startswith("1-")
    assert one["form_id"] == xlsform_id(CID)
    assert one["instance_name"] == "concat(${entrant_id}, ' · ', ${stage}, ' · ', ${judge_id})"


def xlsform_id(cid: str) -> str:
    from data.exchange.xlsform import xml_name
    return xml_name(cid)


@pytest.mark.parametrize("attach", [True, False], ids=["attached-csv", "in-form"])
def test_pyxform_converts_without_warnings_and_odk_validate_says_valid(tmp_path: Path, attach):
    assert shutil.which("java"), "Java is needed for ODK Validate (.ci/run installs default-jre-headless)"
    warnings: list[str] = []
    xml = to_xform(build_xlsform(instrument(), ENTRANTS, JUDGES, ["lapangan"], competition_id=CID,
                                 assignments=ASSIGNED, attach_entrants=attach), warnings)
    assert warnings == []
    assert f'<bind nodeset="/data/grp_kesehatan/KES_01_foto" type="binary" orx:max-pixels="{MAX_PIXELS}"/>' in xml
    if attach:
        assert f'src="jr://file-csv/{ENTRANTS_FILE}"' in xml
    target = tmp_path / "form.xml"
    target.write_text(xml, encoding="utf-8")
    assert check_xform(str(target)) == []       # pyxform raises ODKValidateError on an invalid form
    result = _call_validator(path_to_xform=str(target))      # and the validator's own words
    assert result.return_code == 0 and "Xform is valid!" in result.stdout and not result.stderr


def test_a_juri_imports_their_own_submissions_with_photos_and_nobody_elses(contest):
    report = import_export(contest, JURI1, CID, instrument(), kobo_csv(form()), "hp-juri1.csv", kobo_media())
    assert [s.judge_id for s in report.accepted] == ["J1", "J1"]
    assert message_keys(report.problems) == {"judging_denied_other_judge"}
    assert report.photos_stored == 3


def test_tidak_ada_kasus_is_offered_where_the_instrument_allows_it_and_imported_as_that_answer(contest):
    sheets = form()
    survey = {r["name"]: r for r in sheets["survey"]}
    options = {(r["list_name"], r["name"]): r["label::Indonesian (id)"] for r in sheets["choices"]}
    assert options[("opt_KES_02", NO_CASE)] == "Tidak ada kasus / tidak berlaku"
    assert ("opt_KES_01", NO_CASE) not in options and ("opt_PDD_01", NO_CASE) not in options
    # nilai riil: first "is there a case?", the value only (and then required) when there is one
    names = [r["name"] for r in sheets["survey"]]
    assert names.index("KES_03_kasus") == names.index("KES_03") - 1
    assert survey["KES_03_kasus"]["type"] == "select_one kasus" and survey["KES_03_kasus"]["required"] == "yes"
    assert survey["KES_03"]["relevant"] == "${KES_03_kasus} = 'ada'" and survey["KES_03"]["required"] == "yes"
    assert {n for (lst, n) in options if lst == "kasus"} == {"ada", NO_CASE}
    assert "KES_01_kasus" not in survey

    sent = [("uuid:nc-0001", "J1", "E3", {"KES_01": "a", "KES_02": NO_CASE, "KES_03": NO_CASE, "PDD_01": "b"}, {}),
            ("uuid:nc-0002", "J1", "E4", {"KES_01": NO_CASE, "KES_02": "a", "KES_03": "60", "PDD_01": "b"}, {})]
    report = import_export(contest, PANITIA, CID, instrument(), kobo_csv(sheets, sent), "nc.csv")
    assert [s.instance_id for s in report.accepted] == ["uuid:nc-0001"]
    [bad] = report.problems           # KES-01 does not allow the answer: the row is refused with its column
    assert (bad.row, bad.column, bad.message_key) == (3, "grp_kesehatan/KES_01", "exchange_no_case_not_allowed")
    stored = _scores(contest)
    assert stored[("E3", "J1", "KES_02")][:2] == (NO_CASE, None)
    assert stored[("E3", "J1", "KES_03")][:2] == (NO_CASE, None)
    assert ("E4", "J1", "KES_01") not in stored


def test_a_photo_that_unpacks_beyond_the_evidence_limit_is_refused_unread(contest):
    sheets = form()
    sent = [(SENT[0][0], "J1", "E3", SENT[0][3], {"KES_01": ("1764651200001.jpg", b"")})]
    media = io.BytesIO()
    with zipfile.ZipFile(media, "w", compression=zipfile.ZIP_DEFLATED) as z:     # 11 MB that packs to a few KB
        z.writestr(f"panitia/attachments/aXk/{SENT[0][0].removeprefix('uuid:')}/1764651200001.jpg",
                   b"\xff\xd8\xff" + bytes(11 * 1024 * 1024))
    assert len(media.getvalue()) < 100_000
    report = import_export(contest, PANITIA, CID, instrument(), kobo_csv(sheets, sent), "nilai.csv", media.getvalue())
    assert report.accepted == []
    [p] = report.problems
    assert (p.row, p.column, p.message_key) == (2, "grp_kesehatan/KES_01_foto", "judging_evidence_too_large")
    assert "maksimal 10 MB" in p.text("id")


def test_a_zip_without_an_export_table_is_refused_in_the_users_words(contest):
    report = import_export(contest, PANITIA, CID, instrument(), kobo_media(), "lampiran.zip")
    assert [(p.file, p.row, p.message_key) for p in report.problems] == [("lampiran.zip", None, "fieldform_zip_no_table")]
    assert "tidak memuat tabel ekspor" in report.problems[0].text("id")
    assert "holds no export table" in report.problems[0].text("en")
    assert report.accepted == [] and _counts(contest)[:2] == (0, 0)
