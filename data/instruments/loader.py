"""Instruments as data: YAML files validated against a declared schema and built into the typed model.

The schema is the pydantic `*Spec` classes below (strict types, unknown keys refused); the loader validates a file
level by level (header, each section, each criterion) so that one broken criterion does not hide the problems of
the others, then checks what a schema cannot say (weights adding to 100, duplicate ids, missing option letters,
thresholds). Every problem carries its file, path (`sections[2].criteria[4].options[1]`, 0-based), criterion id,
YAML line, message key and detail; errors stop the instrument from loading, warnings do not.
The format is documented in docs/instruments.md; saving to and reading from the store is data/instruments/persistence.py.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from data.instruments.schema import (
    _KNOWN_KEYS,
    CriterionHeaderSpec,
    CriterionSpec,
    InstrumentError,
    InstrumentHeaderSpec,
    InstrumentLoad,
    InstrumentProblem,
    OptionSpec,
    Path_,
    SectionHeaderSpec,
    ThresholdSpec,
    _Collector,
    _loc,
    _Spec,
)
from present import fmt
from present.i18n import DEFAULT_LANGUAGE
from scoring.fields import SPM_FIELDS
from scoring.instrument import Criterion, Instrument, Option, Section, Threshold

INSTRUMENTS_DIR = Path(__file__).resolve().parent / "bundled"
SIX_FIELD_2026 = "enam-bidang-2026@1"
CLASSIC_2018 = "klasik-berjenjang-2018@1"
WEIGHT_TOLERANCE = 0.01  # section weights must add to 100 within this

# ---------------------------------------------------------------------------------------------- YAML reading
def _line_map(node: yaml.Node, path: Path_, out: dict[Path_, int], col: _Collector) -> None:
    """Record the 1-based line of every mapping value and list item; flag keys written twice."""
    out[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: dict[object, int] = {}
        for k, v in node.value:
            key = k.value if isinstance(k, yaml.ScalarNode) else str(k)
            if key in seen:
                col.add("error", (*path, key), "instrument_duplicate_key", None, k.start_mark.line + 1,
                        name=key, first_line=seen[key])
            seen[key] = k.start_mark.line + 1
            _line_map(v, (*path, key), out, col)
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            _line_map(v, (*path, i), out, col)


_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: ten times faster


def _parse_yaml(text: str) -> tuple[yaml.Node | None, object]:
    """Parse once, keeping the node tree (for line numbers) and the plain data."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        return node, (loader.construct_document(node) if node is not None else None)
    finally:
        loader.dispose()


_TYPE_KEYS = {
    "string_type": "instrument_type_text", "int_type": "instrument_type_int", "int_parsing": "instrument_type_int",
    "int_from_float": "instrument_type_int", "float_type": "instrument_type_number",
    "float_parsing": "instrument_type_number", "list_type": "instrument_type_list",
    "model_type": "instrument_type_mapping", "dict_type": "instrument_type_mapping",
    "model_attributes_type": "instrument_type_mapping", "literal_error": "instrument_type_choice",
    "string_too_short": "instrument_empty_text",
}


def _validate(model: type[_Spec], raw: object, path: Path_, col: _Collector, crit: str | None = None) -> Any:
    """Validate `raw` against `model`, turning each pydantic error into a located problem; None when invalid."""
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        for err in exc.errors():
            where = (*path, *err["loc"])
            name = str(err["loc"][-1]) if err["loc"] else ""
            if err["type"] == "missing":
                col.error(where, "instrument_missing_field", crit, field=name)
            elif err["type"] == "extra_forbidden":
                close = difflib.get_close_matches(name, _KNOWN_KEYS, n=1, cutoff=0.6)
                col.error(where, "instrument_unknown_key", crit, name=name, suggestion=close[0] if close else "")
            else:
                key = _TYPE_KEYS.get(err["type"], "instrument_type_invalid")
                detail: dict[str, object] = {"field": name, "value": repr(err.get("input"))[:60],
                                             "reason": err["msg"]}
                if key == "instrument_type_choice":
                    choices = [c.strip("'") for c in str(err["ctx"]["expected"]).split(" or ")]
                    close = difflib.get_close_matches(str(err.get("input")), choices, n=1, cutoff=0.6)
                    detail.update(allowed=choices, suggestion=close[0] if close else "")
                col.error(where, key, crit, **detail)
        return None


def _as_list(raw: dict, key: str, path: Path_, col: _Collector, crit: str | None = None) -> list | None:
    value = raw.get(key)
    if key not in raw:
        col.error((*path, key), "instrument_missing_field", crit, field=key)
        return None
    if not isinstance(value, list):
        col.error((*path, key), "instrument_type_list", crit, field=key, value=repr(value)[:60])
        return None
    return value


# ---------------------------------------------------------------------------------------------- semantic checks
def _check_spm(value: str | None, path: Path_, col: _Collector, crit: str | None = None) -> None:
    if value is not None and value not in SPM_FIELDS:
        close = difflib.get_close_matches(value, SPM_FIELDS, n=1, cutoff=0.5)
        col.error(path, "instrument_unknown_spm_field", crit, value=value, allowed=list(SPM_FIELDS),
                  suggestion=close[0] if close else "")


def _norm(text: str) -> str:
    return " ".join(text.casefold().split())


def _validate_criterion(raw: object, path: Path_, col: _Collector, cid: str | None
                        ) -> CriterionSpec | None:
    """Validate a criterion part by part, so a bad option does not hide the checks on the others.

    Runs the option and threshold checks (with their indices in the file); returns the criterion built from
    its valid parts, or None when its header is invalid.
    """
    if not isinstance(raw, dict):
        col.error(path, "instrument_type_mapping", cid, field="criteria", value=repr(raw)[:60])
        return None
    head = _validate(CriterionHeaderSpec, {k: v for k, v in raw.items() if k not in ("options", "thresholds")},
                     path, col, cid)
    parts: dict[str, Any] = {}
    indexed: dict[str, list] = {"options": [], "thresholds": []}
    complete = True
    for key, model in (("options", OptionSpec), ("thresholds", ThresholdSpec)):
        parts[key] = []
        items = raw.get(key, [])
        if not isinstance(items, list):
            col.error((*path, key), "instrument_type_list", cid, field=key, value=repr(items)[:60])
            complete = False
            continue
        for i, item in enumerate(items):
            valid = _validate(model, item, (*path, key, i), col, cid)
            complete = complete and valid is not None
            if valid is not None:
                parts[key].append(valid)
                indexed[key].append((i, valid))
    _check_options(cid, indexed["options"], path, col, complete)
    _check_thresholds(cid, indexed["thresholds"], path, col)
    if head is None:
        return None
    return CriterionSpec(**dict(head), **parts)


def _check_criterion(c: CriterionSpec, path: Path_, col: _Collector) -> None:
    """What the schema cannot say about one criterion: kinds against options/thresholds, fields, weights."""
    _check_spm(c.spm_field, (*path, "spm_field"), col, c.id)
    if c.weight < 0:
        col.error((*path, "weight"), "instrument_negative_weight", c.id, weight=c.weight)
    if not c.evidence:
        col.warning(path, "instrument_no_evidence", c.id)
    if c.kind == "choice":
        if not c.options:
            col.error(path, "instrument_choice_without_options", c.id)
        if c.thresholds:
            col.error((*path, "thresholds"), "instrument_choice_with_thresholds", c.id)
    else:
        if c.options:
            col.error((*path, "options"), "instrument_real_with_options", c.id)
        if not c.thresholds:
            col.error(path, "instrument_real_without_thresholds", c.id)
        if c.unit is None:
            col.warning(path, "instrument_real_without_unit", c.id)


def _check_options(cid: str | None, options: list[tuple[int, OptionSpec]], path: Path_, col: _Collector,
                   complete: bool) -> None:
    """Option codes, points and texts; `options` holds (index in the file, option) for the valid ones."""
    codes: dict[str, int] = {}
    texts: dict[str, str] = {}
    for i, o in options:
        where = (*path, "options", i)
        if len(o.code) != 1 or not "a" <= o.code <= "z":
            col.error((*where, "code"), "instrument_bad_option_code", cid, code=o.code)
        if o.code in codes:
            col.error((*where, "code"), "instrument_duplicate_option_code", cid, code=o.code,
                      first_location=_loc((*path, "options", codes[o.code])))
        codes.setdefault(o.code, i)
        if o.points is None:
            col.error(where, "instrument_option_points_missing", cid, code=o.code)
        elif o.points < 0:
            col.error((*where, "points"), "instrument_negative_points", cid, points=o.points)
        if _norm(o.text) in texts:
            col.warning((*where, "text"), "instrument_duplicate_option_text", cid, code=o.code,
                        other_code=texts[_norm(o.text)])
        texts.setdefault(_norm(o.text), o.code)
    if not complete:  # an option that failed validation would look like a gap
        return
    letters = sorted(k for k in codes if len(k) == 1 and "a" <= k <= "z")
    if letters:
        for n in range(ord("a"), ord(letters[-1])):
            if chr(n) not in codes:
                col.warning((*path, "options"), "instrument_option_missing_letter", cid, code=chr(n))
    ranked = sorted((o.code, o.points) for _, o in options if o.points is not None)
    if len(codes) == len(options) and any(p2 >= p1 for (_, p1), (_, p2) in zip(ranked, ranked[1:], strict=False)):
        col.warning((*path, "options"), "instrument_option_points_order", cid,
                    points=" / ".join(f"{code}={fmt.fmt_int(p)}" if p.is_integer() else f"{code}={p}"
                                      for code, p in ranked))


def _check_thresholds(cid: str | None, thresholds: list[tuple[int, ThresholdSpec]], path: Path_,
                      col: _Collector) -> None:
    seen: dict[float, int] = {}
    for i, th in thresholds:
        where = (*path, "thresholds", i)
        if th.points < 0:
            col.error((*where, "points"), "instrument_negative_points", cid, points=th.points)
        if th.min_value in seen:
            col.error((*where, "min_value"), "instrument_duplicate_threshold", cid, min_value=th.min_value,
                      first_location=_loc((*path, "thresholds", seen[th.min_value])))
        seen.setdefault(th.min_value, i)
    values = [th.min_value for _, th in thresholds]
    if len(set(values)) == len(values) and values != sorted(values):
        col.warning((*path, "thresholds"), "instrument_thresholds_unsorted", cid)


# ---------------------------------------------------------------------------------------------- loading
def load_instrument_text(text: str, source: str = "<text>") -> InstrumentLoad:
    """Parse and validate instrument YAML; report every problem found, build the model only when error-free."""
    col = _Collector(source, {})
    try:
        root, raw = _parse_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        col.add("error", (), "instrument_yaml_syntax", None, mark.line + 1 if mark else None,
                line=mark.line + 1 if mark else 0, column=mark.column + 1 if mark else 0, problem=getattr(exc, "problem", None) or str(exc))
        return InstrumentLoad(None, tuple(col.errors), ())
    if root is not None:
        _line_map(root, (), col.lines, col)
    if not isinstance(raw, dict):
        col.error((), "instrument_not_a_mapping")
        return InstrumentLoad(None, tuple(col.errors), ())

    header = _validate(InstrumentHeaderSpec, {k: v for k, v in raw.items() if k != "sections"}, (), col)
    sections: list[tuple[SectionHeaderSpec, list[CriterionSpec]]] = []
    all_headers_valid = True
    section_ids: dict[str, int] = {}
    criterion_ids: dict[str, str] = {}
    raw_sections = _as_list(raw, "sections", (), col) or []
    for si, rs in enumerate(raw_sections):
        spath: Path_ = ("sections", si)
        if not isinstance(rs, dict):
            col.error(spath, "instrument_type_mapping", field="sections", value=repr(rs)[:60])
            all_headers_valid = False
            continue
        sh = _validate(SectionHeaderSpec, {k: v for k, v in rs.items() if k != "criteria"}, spath, col)
        criteria: list[CriterionSpec] = []
        for ci, rc in enumerate(_as_list(rs, "criteria", spath, col) or []):
            cpath: Path_ = (*spath, "criteria", ci)
            cid = rc.get("id") if isinstance(rc, dict) and isinstance(rc.get("id"), str) else None
            if cid is not None:
                if cid in criterion_ids:
                    col.error((*cpath, "id"), "instrument_duplicate_criterion_id", cid, criterion_id=cid,
                              first_location=criterion_ids[cid])
                criterion_ids.setdefault(cid, _loc(cpath))
            c = _validate_criterion(rc, cpath, col, cid)
            if c is not None:
                _check_criterion(c, cpath, col)
                criteria.append(c)
        if sh is None:
            all_headers_valid = False
            continue
        if sh.id in section_ids:
            col.error((*spath, "id"), "instrument_duplicate_section_id", section_id=sh.id,
                      first_location=_loc(("sections", section_ids[sh.id])))
        section_ids.setdefault(sh.id, si)
        _check_spm(sh.spm_field, (*spath, "spm_field"), col)
        if sh.weight < 0:
            col.error((*spath, "weight"), "instrument_negative_weight", weight=sh.weight)
        if isinstance(rs.get("criteria"), list) and not rs["criteria"]:
            col.error((*spath, "criteria"), "instrument_section_without_criteria", section_id=sh.id)
        sections.append((sh, criteria))

    if raw_sections and all_headers_valid:
        total = sum(sh.weight for sh, _ in sections)
        if abs(total - 100.0) > WEIGHT_TOLERANCE:
            col.error(("sections",), "instrument_weights_sum", total=round(total, 4))
    if header is not None and header.layout == "six_field" and all_headers_valid:
        covered = {sh.spm_field for sh, _ in sections}
        for f in SPM_FIELDS:
            if f not in covered:
                col.warning(("sections",), "instrument_spm_field_not_covered", spm_field=f)

    if col.errors or header is None:
        return InstrumentLoad(None, tuple(col.errors), tuple(col.warnings))
    warnings = tuple(col.warnings)
    instrument = Instrument(
        code=header.code, version=header.version, title=header.title, layout=header.layout,
        year=header.year, description=header.description,
        sections=tuple(_build_section(sh, cs) for sh, cs in sections),
        warnings=tuple(w.describe() for w in warnings),
    )
    return InstrumentLoad(instrument, (), warnings)


def _build_section(sh: SectionHeaderSpec, criteria: list[CriterionSpec]) -> Section:
    return Section(
        id=sh.id, title=sh.title, weight=sh.weight, spm_field=sh.spm_field, title_en=sh.title_en,
        criteria=tuple(
            Criterion(
                id=c.id, section_id=sh.id, text=c.text, kind=c.kind,
                options=tuple(Option(o.code, o.text, o.points) for o in sorted(c.options, key=lambda o: o.code)),
                thresholds=tuple(Threshold(th.min_value, th.points)
                                 for th in sorted(c.thresholds, key=lambda th: th.min_value)),
                unit=c.unit, evidence=tuple(c.evidence), weight=c.weight, spm_field=c.spm_field,
                no_case_allowed=c.no_case_allowed,
            )
            for c in criteria
        ),
    )


def load_instrument_file(path: Path | str) -> InstrumentLoad:
    """Load one instrument file; an unreadable file is reported as a problem, not raised."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problem = InstrumentProblem(p.name, "", "instrument_file_unreadable", {"reason": str(exc)})
        return InstrumentLoad(None, (problem,), ())
    return load_instrument_text(text, source=p.name)


def load_instrument(path: Path | str, lang: str = DEFAULT_LANGUAGE) -> Instrument:
    """The instrument in `path`; raises InstrumentError listing every error when the file has any."""
    result = load_instrument_file(path)
    if result.instrument is None:
        raise InstrumentError(Path(path).name, result.errors, lang)
    return result.instrument


def bundled_instrument_paths() -> list[Path]:
    """The instrument files shipped in data/instruments/, sorted by name."""
    return sorted(INSTRUMENTS_DIR.glob("*.yaml"))


def bundled_instrument(instrument_id: str) -> Instrument:
    """A shipped instrument by its id (e.g. SIX_FIELD_2026); KeyError when none matches."""
    for path in bundled_instrument_paths():
        instrument = load_instrument(path)
        if instrument.instrument_id == instrument_id:
            return instrument
    raise KeyError(instrument_id)
