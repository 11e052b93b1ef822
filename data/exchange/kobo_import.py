"""Offline field scoring, back in: the exports of KoboCollect / ODK Collect (CSV or XLSX) of the form
`data.exchange.xlsform` builds, read into scores, with every rejected row reported.

Exports name columns by group path: Kobo writes `grp_kesehatan/KES-01`, ODK Central `grp_kesehatan-KES-01`; both
are understood, as are the GPS columns each writes and `meta/instanceID` (or Kobo's `_uuid`), which makes a second
import of the same export change nothing.

Photos: a photo question's column holds the file name the phone gave it; the bytes come from the media ZIP the
server exports beside the table (KoboToolbox: `<user>/attachments/<form>/<submission _uuid>/<file>`; ODK Central's
"with media" ZIP: the table and `media/<file>`, which may also be uploaded as the export itself). Each photo is
checked as any evidence upload is (type by its first bytes, size) and stored once by its hash as evidence of
that criterion's score. A photo the row names but the media lacks refuses the row (nothing is lost silently).
The form has no repeat group, so only the export's first sheet (Kobo puts repeats in further sheets) is read.
"""

from __future__ import annotations

import csv
import io
import math
import posixpath
import zipfile
from dataclasses import dataclass, field
from typing import Any

import duckdb
import openpyxl

from data import store
from data.exchange.problems import Problem
from data.exchange.xlsform import (
    CASE_SUFFIX,
    GROUP_PREFIX,
    NOTE_SUFFIX,
    PHOTO_SUFFIX,
    group_name,
    value_range,
    xml_name,
)
from data.judging import evidence
from data.judging.auth import User
from data.judging.forms import UNSET, _write_score
from present.errors import BadInput
from scoring.instrument import NO_CASE, Instrument, is_no_case

LAT_RANGE, LON_RANGE = (-11.5, 6.5), (94.5, 141.5)   # Indonesia with a margin


def read_export(data: bytes, filename: str) -> tuple[str | None, list[str], list[list[str]]]:
    """(sheet, header, rows) of a Kobo/ODK export: the first sheet of an XLSX (repeat groups, which Kobo puts
    in further sheets, are not read), or a CSV with `,` or `;` separators in UTF-8 (with or without BOM)."""
    if data[:4] == b"PK\x03\x04":
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        ws = wb.worksheets[0]
        values = [["" if v is None else _cell(v) for v in row] for row in ws.iter_rows(values_only=True)]
        wb.close()
        sheet: str | None = ws.title
    else:
        text = data.decode("utf-8-sig")
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;") if text.strip() else csv.excel
        values = [row for row in csv.reader(io.StringIO(text), dialect)]
        sheet = None
    if not values:
        return sheet, [], []
    header = [h.strip() for h in values[0]]
    return sheet, header, [r + [""] * (len(header) - len(r)) for r in values[1:]]


MAX_MEDIA_FILES = 100_000     # a provincial contest: judges × entrants × photo questions


class Media:
    """The photos of media ZIPs, found by (submission uuid, file name) or, where a name is unique, by name.
    Only the photos a row names are read (a contest's whole media ZIP never sits in memory), and none larger
    than an evidence file may be (`evidence.MAX_BYTES`: a ZIP entry that unpacks to gigabytes is not unpacked)."""

    def __init__(self) -> None:
        self.by_folder: dict[tuple[str, str], tuple[zipfile.ZipFile, zipfile.ZipInfo]] = {}
        self.by_name: dict[str, dict[int, tuple[zipfile.ZipFile, zipfile.ZipInfo]]] = {}   # name → by CRC

    def add(self, z: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
        parts = [p for p in info.filename.replace("\\", "/").split("/") if p]
        if not parts:
            return
        name = parts[-1]
        for folder in parts[:-1]:
            self.by_folder[(folder.lower(), name)] = (z, info)
        self.by_name.setdefault(name, {}).setdefault(info.CRC, (z, info))

    def find(self, instance_id: str, name: str) -> tuple[zipfile.ZipFile, zipfile.ZipInfo] | None:
        """The photo `name` of the submission `instance_id` (its folder in a Kobo ZIP, else a unique name)."""
        uuid = instance_id.removeprefix("uuid:").lower()
        if (uuid, name) in self.by_folder:
            return self.by_folder[(uuid, name)]
        found = list(self.by_name.get(name, {}).values())
        return found[0] if len(found) == 1 else None

    def __len__(self) -> int:
        return len(self.by_name)


def is_table_zip(data: bytes) -> bool:
    """True for an XLSX workbook (a ZIP too), False for any other ZIP (a media or "with media" export)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return "[Content_Types].xml" in z.namelist()
    except zipfile.BadZipFile:
        return False


def read_media(data: bytes, media: Media | None = None) -> tuple[Media, tuple[str, bytes] | None]:
    """The photos of a ZIP (indexed, read when a row names them), and the export table inside it when it holds
    one (ODK Central's "with media" ZIP: the CSV/XLSX outside any media folder). Raises BadInput for a ZIP of
    more than `MAX_MEDIA_FILES` files or a table larger than an upload."""
    media = media if media is not None else Media()
    table: tuple[str, bytes] | None = None
    z = zipfile.ZipFile(io.BytesIO(data))
    infos = [i for i in z.infolist() if not i.is_dir()]
    if len(infos) > MAX_MEDIA_FILES:
        raise BadInput("fieldform_zip_too_many", max=MAX_MEDIA_FILES)
    for info in infos:
        name = info.filename
        base = posixpath.basename(name)
        if base.startswith(".") or name.startswith("__MACOSX/"):
            continue
        if base.lower().endswith((".csv", ".xlsx")) and "media" not in name.lower().split("/")[:-1]:
            if info.file_size > MAX_TABLE_BYTES:
                raise BadInput("fieldform_zip_table_too_large", name=base, max_mb=MAX_TABLE_BYTES // 1024 ** 2)
            if table is None or name.count("/") < table[0].count("/"):
                table = (base, z.read(info))
            continue
        media.add(z, info)
    return media, table


MAX_TABLE_BYTES = 200 * 1024 ** 2


def _cell(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v)) if abs(v) < 1e15 else str(v)
    return str(v)


@dataclass(frozen=True)
class Submission:
    """One accepted row: who judged whom in which stage, where, and the answers by criterion."""
    row: int
    instance_id: str
    stage: str
    entrant_id: str
    judge_id: str
    lat: float | None
    lon: float | None
    answers: dict[str, dict[str, Any]]   # criterion_id → {"option_code"|"real_value": ..., "note": ...}
    photos: dict[str, tuple[str, bytes, evidence.Stored]] = field(default_factory=dict)   # criterion → photo


@dataclass
class ImportReport:
    accepted: list[Submission] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    already_imported: list[str] = field(default_factory=list)
    scores_written: int = 0
    photos_stored: int = 0

    @property
    def rejected_rows(self) -> list[int]:
        return sorted({p.row for p in self.problems if p.row is not None})


def _columns(header: list[str], instrument: Instrument) -> dict[str, int]:
    """Map leaf field names (stage, KES-01, KES-01_catatan, instanceID, gps...) to column positions."""
    groups = [group_name(s.id) for s in instrument.sections]
    out: dict[str, int] = {}
    for i, h in enumerate(header):
        leaf = h.split("/")[-1].split(":")[-1]
        for g in groups + ["meta"]:
            if leaf.startswith(g + "-"):   # ODK Central joins group paths with "-"
                leaf = leaf[len(g) + 1:]
                break
        out.setdefault(leaf, i)
        out.setdefault(leaf.lower(), i)
    return out


def _unknown_criteria(header: list[str], instrument: Instrument) -> list[tuple[str, str]]:
    """(column, criterion) for every column inside a section group (`grp_…`) that answers no criterion of the
    instrument, nor its note: the export came from a form made of another instrument (or version)."""
    groups = [group_name(s.id) for s in instrument.sections]
    known = {xml_name(c.id) for c in instrument.criteria}
    known |= {f"{n}{suffix}" for n in known for suffix in (NOTE_SUFFIX, PHOTO_SUFFIX, f"{PHOTO_SUFFIX}_URL",
                                                               CASE_SUFFIX)}
    out = []
    for h in header:
        path = h.split("/")
        leaf = path[-1].split(":")[-1]
        in_group = any(p.startswith(GROUP_PREFIX) for p in path[:-1])
        for g in groups:
            if leaf.startswith(g + "-"):      # ODK Central joins group paths with "-"
                leaf, in_group = leaf[len(g) + 1:], True
                break
        else:
            if leaf.startswith(GROUP_PREFIX) and "-" in leaf:    # a group this instrument does not have
                leaf, in_group = leaf.split("-", 1)[1], True
        if in_group and leaf and leaf not in known:
            out.append((h, leaf.removesuffix("_URL").removesuffix(PHOTO_SUFFIX).removesuffix(NOTE_SUFFIX)
                        .removesuffix(CASE_SUFFIX)))
    return out


def _number(text: str) -> float | None:
    t = text.strip().replace(" ", "")
    if "," in t and "." not in t:
        t = t.replace(",", ".")
    try:
        v = float(t)
    except ValueError:
        return None
    return v if math.isfinite(v) else None


def _gps(values: list[str], cols: dict[str, int]) -> tuple[float | None, float | None, str | None]:
    """(lat, lon, raw) from a geopoint column "lat lon alt acc", or from separate latitude/longitude columns."""
    def get(*names: str) -> str:
        for n in names:
            if n in cols and values[cols[n]].strip():
                return values[cols[n]].strip()
        return ""
    raw = get("gps")
    if raw:
        parts = raw.split()
        if len(parts) < 2:
            return None, None, raw
        return _number(parts[0]), _number(parts[1]), raw
    lat, lon = get("_gps_latitude", "gps-Latitude", "gps-latitude"), get("_gps_longitude", "gps-Longitude",
                                                                         "gps-longitude")
    if not lat and not lon:
        return None, None, None
    return _number(lat), _number(lon), f"{lat} {lon}"


def parse_export(con: duckdb.DuckDBPyConnection, user: User, competition_id: str, instrument: Instrument,
                 data: bytes, filename: str, media: bytes | None = None) -> ImportReport:
    """Validate every row of an export against the instrument and the competition; nothing is written.

    `data` is the CSV/XLSX export or a ZIP holding it with its photos; `media` the server's media ZIP when the
    photos come apart. A row is accepted whole or rejected whole (a submission is one judge's form), and each
    reason it is rejected is a Problem with its row (as the spreadsheet numbers it, header = 1) and column.
    """
    report = ImportReport()
    photos = Media()
    try:
        try:
            if media:
                read_media(media, photos)
            if data[:4] == b"PK\x03\x04" and not is_table_zip(data):
                _, table = read_media(data, photos)
                if table is None:
                    raise BadInput("fieldform_zip_no_table")
                data = table[1]
        except BadInput as err:      # the ZIPs: said in the user's words
            report.problems.append(Problem(filename, None, None, None, err.message_key, dict(err.detail)))
            return report
        sheet, header, rows = read_export(data, filename)
    except (UnicodeDecodeError, csv.Error, OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        report.problems.append(Problem(filename, None, None, None, "judging_import_unreadable", {"detail": str(exc)}))
        return report
    cols = _columns(header, instrument)
    id_col = next((c for c in ("instanceID", "instanceid", "_uuid", "KEY") if c in cols), None)
    missing = [c for c in ("stage", "entrant_id", "judge_id") if c not in cols] + ([] if id_col else ["instanceID"])
    if missing or id_col is None:
        report.problems.append(Problem(filename, sheet, 1, ", ".join(missing), "judging_import_missing_columns",
                                       {"columns": missing}))
        return report
    unknown = _unknown_criteria(header, instrument)
    if unknown:      # the engine would ignore these answers: refuse the file rather than drop them silently
        report.problems.extend(Problem(filename, sheet, 1, column, "engine_import_unknown_criterion",
                                       {"column": column, "criterion": crit}) for column, crit in unknown)
        return report

    stages = {r[0] for r in con.sql("SELECT stage FROM competition_stages WHERE competition_id = ?",
                                    params=[competition_id]).fetchall()}
    entrants = {r[0] for r in con.sql("SELECT entrant_id FROM entrants WHERE competition_id = ?",
                                      params=[competition_id]).fetchall()}
    assigned = {tuple(r) for r in con.sql("SELECT stage, judge_id, entrant_id FROM assignments "
                                          "WHERE competition_id = ?", params=[competition_id]).fetchall()}
    final = {r[0] for r in con.sql("SELECT stage FROM competition_stages WHERE competition_id = ? AND finalized_at "
                                   "IS NOT NULL", params=[competition_id]).fetchall()}
    locked = {tuple(r) for r in con.sql("SELECT stage, judge_id, entrant_id FROM judging_forms WHERE competition_id = ? "
                                        "AND status = 'submitted'", params=[competition_id]).fetchall()}
    done = {r[0] for r in con.sql("SELECT instance_id FROM field_submissions").fetchall()}
    entrant_names = {xml_name(e): e for e in entrants}
    judge_names = {xml_name(r[0]): r[0] for r in con.sql("SELECT judge_id FROM judges").fetchall()}
    seen: set[str] = set()
    for n, values in enumerate(rows, start=2):
        if not any(v.strip() for v in values):
            continue
        bad: list[Problem] = []

        def problem(column: str | None, key: str, bad: list[Problem] = bad, n: int = n, **detail: Any) -> None:
            bad.append(Problem(filename, sheet, n, column, key, detail))

        iid = values[cols[id_col]].strip()
        if id_col == "_uuid" and iid and not iid.startswith("uuid:"):
            iid = f"uuid:{iid}"   # Kobo's _uuid is the instanceID without its prefix
        stage, entrant, judge = (values[cols[c]].strip() for c in ("stage", "entrant_id", "judge_id"))
        # A form with choice lists carries XML-safe names; map them back to the ids.
        entrant, judge = entrant_names.get(entrant, entrant), judge_names.get(judge, judge)
        if not iid:
            problem(header[cols[id_col]], "judging_import_no_instance_id")
        elif iid in seen:
            problem(header[cols[id_col]], "judging_import_duplicate", instance_id=iid)
        elif iid in done:
            report.already_imported.append(iid)
            continue
        seen.add(iid)
        if stage not in stages:
            problem(header[cols["stage"]], "judging_import_bad_stage", value=stage)
        if entrant not in entrants:
            problem(header[cols["entrant_id"]], "judging_import_bad_entrant", value=entrant)
        if user.role == "juri" and judge != user.judge_id:
            problem(header[cols["judge_id"]], "judging_denied_other_judge", judge_id=judge)
        elif user.role not in ("juri", "panitia"):
            problem(None, "judging_denied_role", role=user.role, allowed="panitia, juri")
        elif stage in stages and entrant in entrants and (stage, judge, entrant) not in assigned:
            problem(header[cols["judge_id"]], "judging_import_not_assigned", judge_id=judge, entrant_id=entrant)
        if stage in final:
            problem(header[cols["stage"]], "judging_stage_final", stage=stage)
        elif (stage, judge, entrant) in locked:
            problem(header[cols["entrant_id"]], "judging_form_locked", entrant_id=entrant)
        lat, lon, raw = _gps(values, cols)
        if raw is not None and (lat is None or lon is None or not LAT_RANGE[0] <= lat <= LAT_RANGE[1]
                                or not LON_RANGE[0] <= lon <= LON_RANGE[1]):
            problem(header[cols["gps"]] if "gps" in cols else "gps", "judging_import_bad_gps", value=raw)
        answers = _answers(instrument, header, values, cols, problem)
        found = _photos(instrument, header, values, cols, photos, iid, problem)
        if bad:
            report.problems.extend(bad)
            continue
        report.accepted.append(Submission(n, iid, stage, entrant, judge, lat, lon, answers, found))
    return report


def _answers(instrument: Instrument, header: list[str], values: list[str], cols: dict[str, int],
             problem: Any) -> dict[str, dict[str, Any]]:
    answers: dict[str, dict[str, Any]] = {}
    for c in instrument.criteria:
        name = xml_name(c.id)
        got: dict[str, Any] = {}
        case_col = cols.get(f"{name}{CASE_SUFFIX}")
        case = values[case_col].strip() if case_col is not None else ""
        if is_no_case(case) or (name in cols and is_no_case(values[cols[name]].strip())):
            # "tidak ada kasus / tidak berlaku" (a choice's answer, or the case question before a nilai riil)
            column = header[case_col] if case_col is not None and case else header[cols[name]]
            if c.no_case_allowed:
                got |= {"option_code": NO_CASE, "real_value": None}
            else:
                problem(column, "exchange_no_case_not_allowed", value=case or values[cols[name]].strip(),
                        criterion=c.id)
        elif name in cols and values[cols[name]].strip():
            text, column = values[cols[name]].strip(), header[cols[name]]
            if c.kind == "choice":
                codes = {o.code: o.code for o in c.options}
                codes |= {f"{o.code}. {o.text}": o.code for o in c.options} | {o.text: o.code for o in c.options}
                if text in codes:
                    got["option_code"] = codes[text]
                else:
                    problem(column, "judging_import_bad_option", value=text, criterion=c.id,
                            options=", ".join(o.code for o in c.options))
            else:
                number = _number(text)
                low, high = value_range(c)
                if number is None or number < low:
                    problem(column, "judging_import_bad_number", value=text, criterion=c.id)
                elif high is not None and number > high:     # the form's constraint, for an export of another
                    problem(column, "fieldform_out_of_range", value=text, criterion=c.id, low=low, high=high)
                else:
                    got |= {"real_value": number, "option_code": None}    # a value replaces "tidak ada kasus"
        note_col = cols.get(f"{name}{NOTE_SUFFIX}")
        if note_col is not None and values[note_col].strip():
            got["note"] = values[note_col].strip()
        if got:
            answers[c.id] = got
    return answers


def _photos(instrument: Instrument, header: list[str], values: list[str], cols: dict[str, int], media: Media,
            instance_id: str, problem: Any) -> dict[str, tuple[str, bytes, evidence.Stored]]:
    """criterion → (file name, bytes, check) of every photo the row names, each checked as an evidence upload."""
    out: dict[str, tuple[str, bytes, evidence.Stored]] = {}
    for c in instrument.criteria:
        column = cols.get(f"{xml_name(c.id)}{PHOTO_SUFFIX}")
        if column is None or not values[column].strip():
            continue
        name = posixpath.basename(values[column].strip().replace("\\", "/"))
        found = media.find(instance_id, name)
        if found is None:
            problem(header[column], "fieldform_photo_missing", name=name, criterion=c.id)
            continue
        z, info = found
        if info.file_size > evidence.MAX_BYTES:      # refused unread, said as an upload's refusal says it
            problem(header[column], "judging_evidence_too_large",
                    size_mb=round(info.file_size / 1024 / 1024, 1), max_mb=evidence.MAX_MEGABYTES)
            continue
        data = z.read(info)
        checked = evidence.check_file(data, name)
        if not checked.ok:
            problem(header[column], checked.message_key, **checked.detail)
            continue
        out[c.id] = (name, data, checked)
    return out


def _with_photo(con: duckdb.DuckDBPyConnection, sub: Submission, competition_id: str, criterion_id: str,
                sha: str) -> list[str]:
    """The score's evidence with the photo added (once)."""
    row = con.execute("SELECT evidence FROM scores WHERE competition_id = ? AND stage = ? AND entrant_id = ? "
                      "AND judge_id = ? AND criterion_id = ?",
                      [competition_id, sub.stage, sub.entrant_id, sub.judge_id, criterion_id]).fetchone()
    have = list(row[0] or []) if row else []
    return have if sha in have else have + [sha]


def import_export(con: duckdb.DuckDBPyConnection, user: User, competition_id: str, instrument: Instrument,
                  data: bytes, filename: str, media: bytes | None = None) -> ImportReport:
    """Validate an export, then write every accepted submission's scores and photos (audited) in one transaction.

    Rejected rows are reported and not written; rows whose instanceID was imported before are skipped.
    """
    report = parse_export(con, user, competition_id, instrument, data, filename, media)
    if not report.accepted:
        return report

    def write() -> tuple[int, int]:
        written = photos = 0
        with store.transaction(con):
            store.touch(con, competition_id)
            for sub in report.accepted:
                for crit in [c.id for c in instrument.criteria if c.id in sub.answers or c.id in sub.photos]:
                    got = sub.answers.get(crit, {})
                    changes = {"option_code": got.get("option_code", UNSET), "real_value": got.get("real_value", UNSET),
                               "note": got.get("note", UNSET), "evidence": UNSET}
                    if crit in sub.photos:
                        name, blob, checked = sub.photos[crit]
                        sha = evidence.keep_file(con, blob, checked, name, user.username)
                        changes["evidence"] = _with_photo(con, sub, competition_id, crit, sha)
                        photos += 1
                    written += _write_score(con, user.username, competition_id, sub.stage, sub.entrant_id,
                                            sub.judge_id, crit, changes, f"field form {filename} {sub.instance_id}",
                                            source="kobo")
                con.execute("INSERT INTO field_submissions (instance_id, competition_id, stage, entrant_id, judge_id, "
                            "lat, lon, source_file, imported_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            [sub.instance_id, competition_id, sub.stage, sub.entrant_id, sub.judge_id, sub.lat,
                             sub.lon, filename, user.username])
        return written, photos
    report.scores_written, report.photos_stored = store.with_retry(write)
    return report
