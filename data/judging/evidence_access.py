"""Opening and removing the evidence attached to a score, with the same permission rules as the score itself.

A file is opened through the score that references it: panitia may open any; a juri only the files on their
own form of an entrant assigned to them (judges stay blind to each other's forms). Removing a file from a score
is a change of that score: it goes through `forms.save_score`, so a submitted form or a final stage refuses it
and the audit trail records it (source "evidence", the file's name in the reason). The stored file stays on
disk: another score may reference the same bytes, and the trail must still be able to name it.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from data.judging import forms
from data.judging.auth import PermissionDenied, User
from data.judging.evidence import evidence_info, evidence_path

Con = duckdb.DuckDBPyConnection


@dataclass(frozen=True)
class EvidenceFile:
    sha256: str
    mime_type: str
    original_name: str
    size_bytes: int

    @property
    def is_image(self) -> bool:
        return self.mime_type.startswith("image/")

    @property
    def download_name(self) -> str:
        ext = {"image/jpeg": ".jpg", "image/png": ".png", "application/pdf": ".pdf"}.get(self.mime_type, "")
        name = self.original_name or self.sha256[:12]
        return name if name.lower().endswith(ext) else name + ext


def _referenced(con: Con, competition_id: str, stage: str, entrant_id: str, judge_id: str, criterion_id: str,
                sha256: str) -> bool:
    return con.sql("SELECT 1 FROM scores WHERE competition_id = ? AND stage = ? AND entrant_id = ? AND judge_id = ? "
                   "AND criterion_id = ? AND list_contains(evidence, ?)",
                   params=[competition_id, stage, entrant_id, judge_id, criterion_id, sha256]).fetchone() is not None


def score_evidence(con: Con, user: User, competition_id: str, stage: str, entrant_id: str, judge_id: str,
                   criterion_id: str) -> list[EvidenceFile]:
    """The files attached to one judge's score of one criterion, for a user who may read that score."""
    if user.role not in ("panitia", "juri"):
        raise PermissionDenied("judging_denied_role", role=user.role, allowed="panitia, juri")
    forms.check_can_read(con, user, competition_id, stage, entrant_id, judge_id)
    row = con.sql("SELECT evidence FROM scores WHERE competition_id = ? AND stage = ? AND entrant_id = ? "
                  "AND judge_id = ? AND criterion_id = ?",
                  params=[competition_id, stage, entrant_id, judge_id, criterion_id]).fetchone()
    shas = list(row[0] or []) if row else []
    return [EvidenceFile(i["sha256"], i["mime_type"], i["original_name"] or "", int(i["size_bytes"]))
            for i in evidence_info(con, shas)]


def open_evidence(con: Con, user: User, competition_id: str, stage: str, entrant_id: str, judge_id: str,
                  criterion_id: str, sha256: str) -> bytes:
    """The bytes of one attached file, after the same checks as reading the score; PermissionDenied otherwise."""
    if user.role not in ("panitia", "juri"):
        raise PermissionDenied("judging_denied_role", role=user.role, allowed="panitia, juri")
    forms.check_can_read(con, user, competition_id, stage, entrant_id, judge_id)
    if not _referenced(con, competition_id, stage, entrant_id, judge_id, criterion_id, sha256):
        raise PermissionDenied("integrity_evidence_not_on_score")
    return evidence_path(con, sha256).read_bytes()


def remove_evidence(con: Con, user: User, competition_id: str, stage: str, entrant_id: str, criterion_id: str,
                    sha256: str, judge_id: str | None = None) -> bool:
    """Take one file off a score before the form is submitted; audited as a change of the score.

    Returns False when the file was not on the score. Refused (PermissionDenied) on a submitted form, a final
    stage, another judge's form or an entrant not assigned.
    """
    judge = forms._acting_judge(user, judge_id)
    forms.check_can_read(con, user, competition_id, stage, entrant_id, judge)
    row = con.sql("SELECT evidence FROM scores WHERE competition_id = ? AND stage = ? AND entrant_id = ? "
                  "AND judge_id = ? AND criterion_id = ?",
                  params=[competition_id, stage, entrant_id, judge, criterion_id]).fetchone()
    current = list(row[0] or []) if row else []
    if sha256 not in current:
        return False
    info = evidence_info(con, [sha256])
    name = (info[0]["original_name"] if info else None) or sha256[:12]
    return forms.save_score(con, user, competition_id, stage, entrant_id, criterion_id, judge_id=judge,
                            evidence=[s for s in current if s != sha256], source="evidence",
                            reason=f"evidence removed: {name}")
