"""Offline field scoring, out: an XLSForm for KoboCollect / ODK Collect from any instrument (the import of their
exports back into scores is `data.exchange.kobo_import`).

The form has one group per instrument section (`grp_<section>`), one required question per criterion named after
the criterion (select_one a–d, or a decimal for nilai riil with its unit and range), an optional note per criterion
(`<criterion>_catatan`), "tidak ada kasus / tidak berlaku" where the instrument allows it (an answer of a
choice criterion; before a nilai-riil one, `<criterion>_kasus` asks whether there is a case), an optional photo (`<criterion>_foto`, at most `MAX_PIXELS` on its long side) for every
criterion that names evidence, the entrant, judge and stage, and a GPS point. No question sits in a repeat group, so
an export is one row per submission.

The entrant list is either in the form (a choice list) or an attached CSV (`entrants_csv`, the form's media file
`ENTRANTS_FILE`), which KoboToolbox and ODK Central both serve to the phone; either way a judge is offered only
their own assignments (a choice filter on the judge).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Sequence
from typing import Any

import openpyxl
from pyxform.xls2xform import convert

from present.cells import openpyxl_cells_as_text
from present.i18n import t
from scoring.fields import STAGES
from scoring.instrument import NO_CASE, Criterion, Instrument

NOTE_SUFFIX = "_catatan"
PHOTO_SUFFIX = "_foto"
CASE_SUFFIX = "_kasus"       # a nilai-riil criterion that allows "tidak ada kasus": is there a case to measure?
CASE_LIST, HAS_CASE = "kasus", "ada"
MAX_PIXELS = 1280            # long side of a photo the phone sends (ODK's max-pixels): a register stays readable
ENTRANTS_FILE = "peserta.csv"
JUDGE_FILTER = "selected(judges, ${judge_id})"    # the entrant's space-separated judges contain the chosen judge
GROUP_PREFIX = "grp_"
_XML_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")


def xml_name(identifier: str) -> str:
    """A valid XForm node name for an instrument id (KES-01 stays; 1.2 becomes c_1_2)."""
    name = re.sub(r"[^A-Za-z0-9_.\-]", "_", identifier)
    return name if _XML_NAME.match(name) else f"c_{name}"


def group_name(section_id: str) -> str:
    return xml_name(f"{GROUP_PREFIX}{section_id}")


ID, EN = "Indonesian (id)", "English (en)"     # the form's languages; Indonesian is the default


def _text(column: str, id_text: str, en_text: str | None = None) -> dict[str, str]:
    """A label/hint/message column in both languages (the instrument's own texts are Indonesian only: the
    English column repeats them where no translation exists)."""
    return {f"{column}::{ID}": id_text, f"{column}::{EN}": en_text if en_text is not None else id_text}


def xlsform_sheets(instrument: Instrument, entrants: Sequence[tuple[str, str]] | None = None,
                   judges: Sequence[tuple[str, str]] | None = None,
                   stages: Sequence[str] = STAGES, *, competition_id: str | None = None,
                   assignments: Sequence[tuple[str, str]] | None = None,
                   attach_entrants: bool = False) -> dict[str, list[dict[str, Any]]]:
    """The XLSForm as rows of its survey, choices and settings sheets.

    With `entrants` / `judges` given as (id, label) pairs the form offers them as lists; without, they are typed
    in. With `assignments` ((judge_id, entrant_id) pairs) a judge is offered only their own entrants. With
    `attach_entrants` the entrants are read from the attached `ENTRANTS_FILE` (see `entrants_csv`) instead of the
    choices sheet, so a long list does not weigh on the form itself. Every
    criterion must be answered; a nilai-riil answer is checked against the instrument's range. The version
    changes whenever the form's content does (instrument version + a content hash), so a server accepts the
    new entrant list as an update; `form_id` names the contest.
    """
    required = {"required": "yes", **_text("required_message", "Wajib diisi", "Required")}
    survey: list[dict[str, Any]] = [
        {"type": "start", "name": "start"},
        {"type": "end", "name": "end"},
        {"type": "select_one stages", "name": "stage", **_text("label", "Tahap", "Stage"), **required},
        {"type": "select_one judges" if judges else "text", "name": "judge_id",
         **_text("label", "Juri (ID juri)", "Judge (judge ID)"), **required},
        {"type": (f"select_one_from_file {ENTRANTS_FILE}" if attach_entrants else "select_one entrants")
         if entrants else "text", "name": "entrant_id",
         **_text("label", "Peserta (ID peserta)", "Entrant (entrant ID)"), **required,
         **({"choice_filter": JUDGE_FILTER} if entrants and assignments is not None else {})},
        {"type": "geopoint", "name": "gps", **_text("label", "Lokasi posyandu", "Location of the posyandu")},
    ]
    choices: list[dict[str, Any]] = [{"list_name": "stages", "name": s, **_text("label", s.capitalize())}
                                     for s in stages]
    listed = _entrant_rows(entrants or (), assignments)
    if not attach_entrants:
        choices += [{"list_name": "entrants", "name": r["name"], **_text("label", r["label"]),
                     **({"judges": r["judges"]} if "judges" in r else {})} for r in listed]
    choices += [{"list_name": "judges", "name": xml_name(j), **_text("label", lab)} for j, lab in judges or ()]
    for section in instrument.sections:
        survey.append({"type": "begin_group", "name": group_name(section.id),
                       **_text("label", section.title, section.title_en)})
        for c in section.criteria:
            survey.extend(_criterion_rows(c, required))
            if c.kind == "choice":
                choices += [{"list_name": f"opt_{xml_name(c.id)}", "name": o.code,
                             **_text("label", f"{o.code}. {o.text}")} for o in c.options]
                if c.no_case_allowed:
                    choices.append({"list_name": f"opt_{xml_name(c.id)}", "name": NO_CASE, **_no_case_label()})
        survey.append({"type": "end_group", "name": group_name(section.id)})
    if any(c.kind != "choice" and c.no_case_allowed for c in instrument.criteria):
        choices += [{"list_name": CASE_LIST, "name": HAS_CASE,
                     **_text("label", "Ada, isi nilainya", "Yes, give the value")},
                    {"list_name": CASE_LIST, "name": NO_CASE, **_no_case_label()}]
    # the attached list is part of the form's content: a new entrant list is a new version on the server
    digest = hashlib.sha256(json.dumps([survey, choices, stages, listed if attach_entrants else []], sort_keys=True,
                                       ensure_ascii=False).encode("utf-8")).hexdigest()[:10]
    settings = [{"form_title": f"{instrument.title} · {competition_id}" if competition_id else instrument.title,
                 "form_id": xml_name(competition_id or instrument.code),
                 "version": f"{instrument.version}-{digest}", "default_language": ID,
                 "instance_name": "concat(${entrant_id}, ' · ', ${stage}, ' · ', ${judge_id})"}]
    return {"survey": survey, "choices": choices, "settings": settings}


def _entrant_rows(entrants: Sequence[tuple[str, str]],
                  assignments: Sequence[tuple[str, str]] | None) -> list[dict[str, str]]:
    """name, label (and with assignments the judges, space separated) of every entrant, as the choice list and
    the attached CSV carry them."""
    by_entrant: dict[str, set[str]] = {}
    for judge, entrant in assignments or ():
        by_entrant.setdefault(entrant, set()).add(xml_name(judge))
    rows = []
    for e, lab in entrants:
        row = {"name": xml_name(e), "label": lab}
        if assignments is not None:
            row["judges"] = " ".join(sorted(by_entrant.get(e, set())))
        rows.append(row)
    return rows


def entrants_csv(entrants: Sequence[tuple[str, str]], assignments: Sequence[tuple[str, str]] | None = None) -> bytes:
    """The attached entrant list (`ENTRANTS_FILE`) of a form built with `attach_entrants`: columns name, label
    and, with assignments, judges (the choice filter reads it). Plain UTF-8 without BOM, as Collect reads it."""
    rows = _entrant_rows(entrants, assignments)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=["name", "label"] + (["judges"] if assignments is not None else []),
                            lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def value_range(c: Criterion) -> tuple[float, float | None]:
    """(lowest, highest or None) a nilai-riil answer may take: never negative, and a share (unit %) at most 100.
    The form's constraint and the import's check both read it."""
    return (0.0, 100.0) if (c.unit or "").strip().lower() in ("%", "persen", "percent") else (0.0, None)


def _range(c: Criterion) -> tuple[str, str, str]:
    """The constraint of a nilai-riil answer and its message in both languages (see `value_range`)."""
    low, high = value_range(c)
    if high is not None:
        return f". >= {low:g} and . <= {high:g}", f"Isi {low:g} sampai {high:g}", f"Give a value from {low:g} to {high:g}"
    return f". >= {low:g}", "Nilai tidak boleh negatif", "The value cannot be negative"


def _no_case_label() -> dict[str, str]:
    return _text("label", t("no_case_label", "id"), t("no_case_label", "en"))


def _criterion_rows(c: Criterion, required: dict[str, str]) -> list[dict[str, Any]]:
    name = xml_name(c.id)
    hint = "Sumber data: " + "; ".join(c.evidence) if c.evidence else ""
    hint_en = "Evidence: " + "; ".join(c.evidence) if c.evidence else ""
    if c.kind == "choice":
        row = {"type": f"select_one opt_{name}", "name": name, **_text("label", f"{c.id}. {c.text}"),
               **_text("hint", hint, hint_en), **required}
    else:
        unit = f" ({c.unit})" if c.unit else ""
        bands = ", ".join(f"≥ {th.min_value:g}: {th.points:g}"
                          for th in sorted(c.thresholds, key=lambda th: -th.min_value))
        constraint, message_id, message_en = _range(c)
        row = {"type": "decimal", "name": name, **_text("label", f"{c.id}. {c.text}{unit}"),
               **_text("hint", "; ".join(p for p in (hint, f"Poin {bands}" if bands else "") if p),
                       "; ".join(p for p in (hint_en, f"Points {bands}" if bands else "") if p)),
               "constraint": constraint, **_text("constraint_message", message_id, message_en), **required}
        if c.no_case_allowed:     # first: is there a case? the value is asked (and required) only when there is
            row["relevant"] = f"${{{name}{CASE_SUFFIX}}} = '{HAS_CASE}'"
            case = {"type": f"select_one {CASE_LIST}", "name": f"{name}{CASE_SUFFIX}",
                    **_text("label", f"{c.id}. {c.text}: ada kasus / berlaku?", f"{c.id}. {c.text}: any cases?"),
                    **required}
            return [case, row, *_extra_rows(c, name)]
    return [row, *_extra_rows(c, name)]


def _extra_rows(c: Criterion, name: str) -> list[dict[str, Any]]:
    """The criterion's optional note and, where the instrument names evidence, its optional photo."""
    rows: list[dict[str, Any]] = [{"type": "text", "name": f"{name}{NOTE_SUFFIX}",
                                   **_text("label", f"Catatan {c.id}", f"Note {c.id}")}]
    if c.evidence:      # optional: the photo backs the answer, it is not the answer
        rows.append({"type": "image", "name": f"{name}{PHOTO_SUFFIX}",
                     **_text("label", f"Foto bukti {c.id}", f"Photo of the evidence {c.id}"),
                     **_text("hint", "Foto: " + "; ".join(c.evidence), "Photo: " + "; ".join(c.evidence)),
                     "parameters": f"max-pixels={MAX_PIXELS}"})
    return rows


def build_xlsform(instrument: Instrument, entrants: Sequence[tuple[str, str]] | None = None,
                  judges: Sequence[tuple[str, str]] | None = None, stages: Sequence[str] = STAGES, *,
                  competition_id: str | None = None, assignments: Sequence[tuple[str, str]] | None = None,
                  attach_entrants: bool = False) -> bytes:
    """The XLSForm workbook (.xlsx bytes) to load into KoboToolbox or ODK Central (see `xlsform_sheets`)."""
    sheets = xlsform_sheets(instrument, entrants, judges, stages, competition_id=competition_id,
                            assignments=assignments, attach_entrants=attach_entrants)
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        columns = list(dict.fromkeys(k for r in rows for k in r))
        ws.append(columns)
        for r in rows:
            ws.append([r.get(k, "") for k in columns])
        openpyxl_cells_as_text(ws)    # criterion and posyandu texts are labels, never Excel formulas
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def to_xform(xlsform: bytes, warnings: list[str] | None = None) -> str:
    """Convert an XLSForm to XForm XML with pyxform (raises pyxform's error when the form is invalid);
    pyxform's warnings are appended to `warnings` when given."""
    return convert(xlsform=xlsform, file_type=".xlsx", warnings=warnings).xform
