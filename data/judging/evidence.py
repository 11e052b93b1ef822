"""Evidence files (photos, scanned documents) stored on disk by content hash and referenced from scores.

A file is accepted only when its first bytes say JPEG, PNG or PDF (the name and the browser's claimed type are
not trusted) and it is at most `MAX_BYTES`. It is written once to `<evidence dir>/<sha[:2]>/<sha>` and the hash
goes into `scores.evidence`, so the same photo uploaded twice is stored once. The evidence directory sits beside
the store file (var/evidence/ for var/posyandu.duckdb), so a test store keeps its files in its own folder.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TypedDict

import duckdb

from data import store
from data.judging import forms
from data.judging.auth import PermissionDenied, User

MAX_BYTES = 10 * 1024 * 1024
MAX_MEGABYTES = 10
MIME_BY_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"%PDF-", "application/pdf"),
)
ACCEPTED_EXTENSIONS: tuple[str, ...] = ("jpg", "jpeg", "png", "pdf")


@dataclass(frozen=True)
class Stored:
    """The outcome of storing a file: its hash, or the message key saying why it was refused."""
    sha256: str | None
    mime_type: str | None
    message_key: str
    detail: dict[str, object]

    @property
    def ok(self) -> bool:
        return self.sha256 is not None


def sniff_type(data: bytes) -> str | None:
    """The MIME type from the magic bytes, or None when the file is none of JPEG, PNG, PDF."""
    for magic, mime in MIME_BY_MAGIC:
        if data.startswith(magic):
            return mime
    return None


def evidence_dir(con: duckdb.DuckDBPyConnection) -> Path:
    """var/evidence beside the store file (an in-memory store uses the project's var/evidence)."""
    row = con.sql("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchone()
    if row and row[0]:
        return Path(row[0]).resolve().parent / "evidence"
    return store.ROOT / "var" / "evidence"


def evidence_path(con: duckdb.DuckDBPyConnection, sha256: str) -> Path:
    return evidence_dir(con) / sha256[:2] / sha256


def store_evidence(con: duckdb.DuckDBPyConnection, user: User, data: bytes, filename: str | None = None, *,
                   competition_id: str, stage: str, entrant_id: str, judge_id: str | None = None,
                   criterion_id: str | None = None) -> Stored:
    """Check and store one uploaded file for one judge's form; refused files are an answer (message key), not an
    exception. The form's lock applies as for scores: nothing is stored for a form that is submitted, a stage
    that is final (unless a protest reopened `criterion_id`), or an entrant the judge is not assigned to."""
    if user.role not in ("panitia", "juri"):
        return Stored(None, None, "judging_evidence_denied", {})
    try:
        judge = forms._acting_judge(user, judge_id)
        if not forms._is_assigned(con, competition_id, stage, judge, entrant_id):
            raise PermissionDenied("judging_denied_not_assigned", entrant_id=entrant_id)
        forms._check_writable(con, competition_id, stage, entrant_id, judge, criterion_id)
    except PermissionDenied as err:
        return Stored(None, None, err.message_key, dict(err.detail))
    checked = check_file(data, filename)
    if not checked.ok:
        return checked
    with store.transaction(con):
        keep_file(con, data, checked, filename, user.username)
    return checked


def check_file(data: bytes, filename: str | None = None) -> Stored:
    """The file's hash and type when it may be evidence (not empty, at most `MAX_BYTES`, JPEG/PNG/PDF by its
    first bytes), else the refusal; nothing is stored."""
    if len(data) == 0:
        return Stored(None, None, "judging_evidence_empty", {})
    if len(data) > MAX_BYTES:
        return Stored(None, None, "judging_evidence_too_large",
                      {"size_mb": round(len(data) / 1024 / 1024, 1), "max_mb": MAX_MEGABYTES})
    mime = sniff_type(data)
    if mime is None:
        return Stored(None, None, "judging_evidence_bad_type", {"name": filename or ""})
    return Stored(hashlib.sha256(data).hexdigest(), mime, "judging_evidence_stored", {"name": filename or ""})


def keep_file(con: duckdb.DuckDBPyConnection, data: bytes, checked: Stored, filename: str | None,
              username: str) -> str:
    """Write a checked file (`check_file`) to the evidence folder once and record it, inside the caller's
    transaction; its sha256. The bytes go to disk first: a rolled-back record leaves an unreferenced file, never
    a record without its file."""
    sha, mime = checked.sha256, checked.mime_type
    assert sha is not None and mime is not None, "keep_file takes a file check_file accepted"
    path = evidence_path(con, sha)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        tmp.write_bytes(data)
        tmp.replace(path)   # atomic: a reader never sees half a file
    con.execute("INSERT INTO evidence_files (sha256, mime_type, size_bytes, original_name, uploaded_by) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING", [sha, mime, len(data), filename, username])
    return sha


class EvidenceInfo(TypedDict):
    """What the store keeps of one evidence file beside its bytes."""

    sha256: str
    mime_type: str
    size_bytes: int
    original_name: str | None


def evidence_info(con: duckdb.DuckDBPyConnection, sha256s: list[str]) -> list[EvidenceInfo]:
    """Stored metadata (hash, type, size, name) of the given files, in the given order."""
    if not sha256s:
        return []
    rows = con.sql("SELECT sha256, mime_type, size_bytes, original_name FROM evidence_files "
                   "WHERE sha256 = ANY(?)", params=[list(sha256s)]).fetchall()
    by = {r[0]: EvidenceInfo(sha256=r[0], mime_type=r[1], size_bytes=int(r[2]), original_name=r[3]) for r in rows}
    return [by[s] for s in sha256s if s in by]


def read_evidence(con: duckdb.DuckDBPyConnection, sha256: str) -> bytes:
    """The bytes of a stored file (callers check the reader may see the score that references it)."""
    return evidence_path(con, sha256).read_bytes()


def stored_image(con: duckdb.DuckDBPyConnection, ref: str | None) -> bytes | None:
    """The bytes of a stored image named by its sha256, or None: what a page may show for a practice's photo.

    An imported text is never a path on the server: reading whatever path a spreadsheet names would let anyone
    who can import show the server's own files to the public. Only files that came in through the upload checks
    (type sniffed, size limited, kept by hash) are shown.
    """
    if not ref or not re.fullmatch(r"[0-9a-f]{64}", ref.strip().lower()):
        return None
    sha = ref.strip().lower()
    row = con.sql("SELECT mime_type FROM evidence_files WHERE sha256 = ?", params=[sha]).fetchone()
    path = evidence_path(con, sha)
    if row is None or not str(row[0]).startswith("image/") or not path.is_file():
        return None
    return path.read_bytes()
