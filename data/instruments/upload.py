"""An instrument uploaded by the panitia (YAML or the Excel sheet): every defect and warning with its place,
shown before anything is saved; then saved as a NEW version, never over one a contest may be using.

Versioning: the id is `code@version`. An upload whose content equals a stored version of the same code is
recognised as that version (nothing saved); otherwise it gets the file's version when that is free and newer,
else the next free version (the page says so). Stored versions are never rewritten by an upload.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from dataclasses import dataclass, field

import duckdb
import polars as pl

from data import store
from data.instruments import sheet as sheet_mod
from data.instruments.loader import load_instrument_text
from data.instruments.persistence import save_instrument
from data.instruments.schema import InstrumentProblem
from data.judging.auth import User, require_role
from data.store import audit
from present.errors import BadInput
from present.i18n import t
from scoring.instrument import Instrument

Con = duckdb.DuckDBPyConnection
_VERSION_LINE = re.compile(r"^version:[^\n]*$", re.MULTILINE)


@dataclass(frozen=True)
class Finding:
    """One defect (error) or warning of an upload, with the place the panitia will look for it."""

    severity: str                 # error, warning
    sheet: str | None             # Excel sheet, or None for YAML
    row: int | None               # Excel row (1-based, header included) or YAML line
    criterion_id: str | None
    location: str                 # the loader's path inside the instrument, e.g. sections[1].criteria[0]
    message_key: str
    detail: dict = field(default_factory=dict, compare=False, hash=False)

    def text(self, lang: str = "id") -> str:
        problem = InstrumentProblem("", self.location, self.message_key, self.detail, "error", self.criterion_id)
        return problem.text(lang)

    def where(self, lang: str = "id") -> str:
        if self.sheet:
            return t("instrument_upload_at_row", lang, sheet=self.sheet, row=self.row) if self.row else self.sheet
        return t("instrument_at_line", lang, line=self.row) if self.row else (self.location or "/")


@dataclass
class UploadCheck:
    """What an upload would save: the YAML source, the instrument (None when it has errors), every finding,
    and the id it would be saved as (or the stored id it equals)."""

    file_name: str
    file_sha256: str
    source_format: str                        # yaml or xlsx
    yaml_text: str | None = None
    instrument: Instrument | None = None
    findings: list[Finding] = field(default_factory=list)
    target_id: str | None = None
    same_as: str | None = None                # a stored version with exactly this content
    version_moved_from: int | None = None     # the file's version, when it was taken

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    @property
    def can_save(self) -> bool:
        return self.instrument is not None and not self.errors and self.same_as is None

    def findings_frame(self, lang: str = "id") -> pl.DataFrame:
        """The findings as the page shows them: severity, place, criterion, message."""
        return pl.DataFrame({
            "severity": [t(f"instrument_upload_{f.severity}", lang) for f in self.findings],
            "where": [f.where(lang) for f in self.findings],
            "criterion": [f.criterion_id or "" for f in self.findings],
            "message": [f.text(lang) for f in self.findings],
        }, schema={"severity": pl.String, "where": pl.String, "criterion": pl.String, "message": pl.String})


def _comparable(instrument: Instrument) -> Instrument:
    return dataclasses.replace(instrument, version=0, warnings=())


def _with_version(text: str, version: int) -> str:
    return _VERSION_LINE.sub(f"version: {version}", text, count=1)


def check_upload(con: Con, data: bytes, file_name: str) -> UploadCheck:
    """Read and validate an uploaded instrument file; never writes."""
    is_xlsx = data[:4] == b"PK\x03\x04"
    check = UploadCheck(file_name, hashlib.sha256(data).hexdigest(), "xlsx" if is_xlsx else "yaml")
    parse = None
    if is_xlsx:
        parse = sheet_mod.parse_instrument_sheet(data, file_name)
        check.findings += [Finding("error", p.sheet, p.row, None, p.column or "", p.message_key, p.detail)
                           for p in parse.problems]
        if parse.yaml_text is None:
            return check
        text = parse.yaml_text
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            check.findings.append(Finding("error", None, None, None, "", "instrument_file_unreadable",
                                          {"reason": "UTF-8"}))
            return check
    load = load_instrument_text(text, source=file_name)
    for p in load.problems:
        if parse is not None:
            at = sheet_mod.row_of(parse, p.location)
            sheet, row = at if at else (sheet_mod.SHEET, None)
            check.findings.append(Finding(p.severity, sheet, row or None, p.criterion_id, p.location,
                                          p.message_key, p.detail))
        else:
            check.findings.append(Finding(p.severity, None, p.line, p.criterion_id, p.location, p.message_key,
                                          p.detail))
    if load.instrument is None or check.errors:
        return check
    instrument = load.instrument
    stored = con.sql("SELECT version, source_text FROM instruments WHERE code = ? ORDER BY version",
                     params=[instrument.code]).fetchall()
    for version, source in stored:
        other = load_instrument_text(source).instrument
        if other is not None and _comparable(other) == _comparable(instrument):
            check.same_as = f"{instrument.code}@{version}"
    versions = [v for v, _ in stored]
    version = instrument.version
    if versions and (version in versions or version < max(versions)):
        check.version_moved_from = version
        version = max(versions) + 1
    check.yaml_text = _with_version(text, version) if version != instrument.version else text
    check.instrument = load_instrument_text(check.yaml_text).instrument
    check.target_id = f"{instrument.code}@{version}"
    return check


def save_upload(con: Con, user: User, check: UploadCheck) -> str:
    """Save a checked upload as its new version (panitia only) and audit it; returns the instrument id."""
    require_role(user, ["panitia"])
    if not check.can_save or check.instrument is None or check.yaml_text is None or check.target_id is None:
        raise BadInput("error_instrument_cannot_save")
    if con.sql("SELECT 1 FROM instruments WHERE instrument_id = ?", params=[check.target_id]).fetchone():
        # Saved a moment ago (a second click, or another panitia): the file must be checked again.
        raise BadInput("setup_instrumen_already_stored", id=check.target_id)
    save_instrument(con, check.instrument, check.yaml_text)
    with store.transaction(con):
        con.execute("UPDATE instruments SET uploaded_by = ?, source_file = ? WHERE instrument_id = ?",
                    [user.username, check.file_name, check.target_id])
        audit.record(con, user.username, "upload", "instrument", check.target_id, None,
                     {"file": check.file_name, "sha256": check.file_sha256, "format": check.source_format,
                      "warnings": len(check.warnings)})
    return check.target_id


def instruments_in_use(con: Con) -> pl.DataFrame:
    """Stored instruments with the competitions that use them and whether scoring has started under them."""
    return con.sql(
        "SELECT i.instrument_id, i.code, i.title, i.version, i.uploaded_by, i.source_file, i.loaded_at,"
        " (SELECT count(*) FROM instrument_criteria c WHERE c.instrument_id = i.instrument_id) AS criteria,"
        " list(DISTINCT c.name ORDER BY c.name) FILTER (WHERE c.name IS NOT NULL) AS competitions,"
        " bool_or(EXISTS (SELECT 1 FROM scores s WHERE s.competition_id = c.competition_id)) AS scored "
        "FROM instruments i LEFT JOIN competitions c USING (instrument_id) "
        "GROUP BY ALL ORDER BY i.code, i.version").pl()
