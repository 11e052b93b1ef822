"""The instrument loader: the shipped instruments load clean, every defect is found where it is, the store keeps
an instrument exactly, and messages read well in Indonesian and English."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from data import store
from data.instruments import loader as ins
from data.instruments import persistence, schema
from present.i18n import catalogue
from scoring.fields import OTHER_SECTIONS, SPM_FIELDS
from scoring.instrument import criteria_frame, options_frame, sections_frame, thresholds_frame

FIXTURES = Path(__file__).parent / "fixtures" / "instruments"


def _load(name: str) -> ins.InstrumentLoad:
    return ins.load_instrument_file(FIXTURES / f"{name}.yaml")


# ------------------------------------------------------------------------------------------ the shipped files
def test_bundled_instruments_load_without_errors_or_warnings() -> None:
    # Neither shipped file is expected to raise a warning: each names its evidence, has a–d in order, units set.
    paths = ins.bundled_instrument_paths()
    assert [p.name for p in paths] == ["enam_bidang_2026.yaml", "klasik_berjenjang_2018.yaml"]
    for path in paths:
        result = ins.load_instrument_file(path)
        assert result.errors == (), [p.describe() for p in result.errors]
        assert result.warnings == (), [p.describe() for p in result.warnings]
        assert result.instrument is not None and result.instrument.warnings == ()


def test_six_field_instrument_has_every_spm_field_and_sixty_criteria() -> None:
    inst = ins.bundled_instrument(ins.SIX_FIELD_2026)
    assert (inst.code, inst.version, inst.layout, inst.year) == ("enam-bidang-2026", 1, "six_field", 2026)
    assert [s.id for s in inst.sections] == [*SPM_FIELDS, *OTHER_SECTIONS]
    assert [s.spm_field for s in inst.sections] == [*SPM_FIELDS, None, None]
    counts = {s.id: len(s.criteria) for s in inst.sections}
    assert counts == {**dict.fromkeys(SPM_FIELDS, 7), "kelembagaan": 10, "inovasi_partisipasi": 8}
    assert len(inst.criteria) == 60
    assert sum(s.weight for s in inst.sections) == pytest.approx(100)
    assert {c.max_points for c in inst.criteria} == {4.0}
    real = [c for c in inst.criteria if c.kind == "real"]
    assert len(real) == 8 and all(c.unit and c.thresholds for c in real)
    for c in inst.criteria:
        assert c.evidence, c.id
        if c.kind == "choice":
            assert [(o.code, o.points) for o in c.options] == [("a", 4), ("b", 3), ("c", 2), ("d", 1)], c.id
            assert len({o.text for o in c.options}) == 4, c.id
    # The engine's flat views: every criterion of an SPM section inherits its field.
    crit = criteria_frame(inst)
    assert crit.filter(crit["section_id"].is_in(list(SPM_FIELDS)))["spm_field"].null_count() == 0
    assert sections_frame(inst)["weight"].sum() == pytest.approx(100)
    assert options_frame(inst).height == 4 * (60 - 8)
    assert thresholds_frame(inst).height == sum(len(c.thresholds) for c in real)


def test_classic_instrument_has_level_sections_weighted_20_20_20_40() -> None:
    inst = ins.bundled_instrument(ins.CLASSIC_2018)
    assert inst.layout == "level_sections"
    assert [(s.id, s.weight, s.spm_field) for s in inst.sections] == [
        ("kabupaten_kota", 20, None), ("kecamatan", 20, None), ("desa_kelurahan", 20, None), ("posyandu", 40, None)]
    assert all(len(s.criteria) >= 4 for s in inst.sections)
    assert {c.max_points for c in inst.criteria} == {4.0}
    # meetings per year: a = 3 or more ... d = none, as on the paper form
    meetings = inst.criterion("KAB-05")
    assert [o.text for o in meetings.options] == ["3 kali atau lebih", "2 kali", "1 kali", "Tidak ada rapat"]
    assert inst.criterion("POS-03").spm_field == "kesehatan"


# ------------------------------------------------------------------------------------------ one defect per file
DEFECTS = [
    # file, severity, message key, location, criterion id
    ("duplicate_option_text", "warning", "instrument_duplicate_option_text",
     "sections[0].criteria[0].options[1].text", "K-01"),
    ("missing_points", "error", "instrument_option_points_missing", "sections[0].criteria[0].options[2]", "K-01"),
    ("missing_option_letter", "warning", "instrument_option_missing_letter", "sections[0].criteria[0].options",
     "K-01"),
    ("weights_sum", "error", "instrument_weights_sum", "sections", None),
    ("unknown_spm_field", "error", "instrument_unknown_spm_field", "sections[0].spm_field", None),
    ("duplicate_criterion_id", "error", "instrument_duplicate_criterion_id", "sections[0].criteria[1].id", "K-01"),
    ("duplicate_section_id", "error", "instrument_duplicate_section_id", "sections[1].id", None),
    ("choice_without_options", "error", "instrument_choice_without_options", "sections[0].criteria[0]", "K-01"),
    ("real_without_thresholds", "error", "instrument_real_without_thresholds", "sections[0].criteria[0]", "K-01"),
    ("thresholds_unsorted", "warning", "instrument_thresholds_unsorted", "sections[0].criteria[0].thresholds",
     "K-01"),
    ("duplicate_threshold", "error", "instrument_duplicate_threshold",
     "sections[0].criteria[0].thresholds[2].min_value", "K-01"),
    ("negative_weight", "error", "instrument_negative_weight", "sections[0].weight", None),
    ("wrong_type", "error", "instrument_type_int", "version", None),
    ("unknown_key", "error", "instrument_unknown_key", "sections[0].criteria[0].evidance", "K-01"),
    ("bad_yaml", "error", "instrument_yaml_syntax", "", None),
]


@pytest.mark.parametrize(("name", "severity", "key", "location", "criterion_id"), DEFECTS,
                         ids=[d[0] for d in DEFECTS])
def test_each_defect_is_reported_once_with_its_location(name, severity, key, location, criterion_id) -> None:
    result = _load(name)
    assert [(p.severity, p.message_key, p.location, p.criterion_id) for p in result.problems] == [
        (severity, key, location, criterion_id)]
    problem = result.problems[0]
    assert problem.source == f"{name}.yaml" and problem.line is not None
    # A warning never stops loading; an error always does.
    assert (result.instrument is None) == (severity == "error")


def test_problem_details_say_what_to_fix() -> None:
    assert _load("weights_sum").errors[0].detail == {"total": 90.0}  # 60 + 30
    spm = _load("unknown_spm_field").errors[0]
    assert spm.detail["suggestion"] == "kesehatan" and spm.line == 10
    assert "Maksud Anda 'kesehatan'?" in spm.text("id")
    assert "Did you mean 'kesehatan'?" in spm.text("en")
    assert _load("unknown_key").errors[0].detail["suggestion"] == "evidence"
    assert _load("missing_option_letter").warnings[0].detail == {"code": "c"}
    syntax = _load("bad_yaml").errors[0]
    assert syntax.line == 14 and "14" in syntax.text("id")


def test_thresholds_out_of_order_are_sorted_and_the_warning_kept_on_the_instrument() -> None:
    inst = ins.load_instrument(FIXTURES / "thresholds_unsorted.yaml")
    assert [t.min_value for t in inst.criterion("K-01").thresholds] == [0, 5, 10]
    assert len(inst.warnings) == 1 and "K-01" in inst.warnings[0] and "urut" in inst.warnings[0]


def test_a_file_with_several_defects_reports_all_of_them() -> None:
    result = _load("several_defects")
    assert result.instrument is None
    found = {(p.message_key, p.location) for p in result.problems}
    assert found == {
        ("instrument_type_choice", "layout"),
        ("instrument_unknown_spm_field", "sections[0].spm_field"),
        ("instrument_duplicate_option_text", "sections[0].criteria[0].options[1].text"),
        ("instrument_option_missing_letter", "sections[0].criteria[0].options"),
        ("instrument_option_points_missing", "sections[0].criteria[0].options[2]"),
        ("instrument_duplicate_criterion_id", "sections[0].criteria[1].id"),
        ("instrument_real_without_thresholds", "sections[0].criteria[1]"),
        ("instrument_duplicate_section_id", "sections[1].id"),
        ("instrument_choice_without_options", "sections[1].criteria[0]"),
        ("instrument_weights_sum", "sections"),
    }
    assert len(result.errors) == 8 and len(result.warnings) == 2


def test_load_instrument_raises_with_every_error_listed_in_indonesian() -> None:
    with pytest.raises(ins.InstrumentError) as exc:
        ins.load_instrument(FIXTURES / "several_defects.yaml")
    message = str(exc.value)
    assert message.startswith("Instrumen several_defects.yaml tidak dapat dimuat: 8 kesalahan.")
    assert "sections[0].spm_field (baris 10)" in message
    assert "sections[0].criteria[1].id [KES-01] (baris 19)" in message
    assert len(exc.value.problems) == 8
    english = ins.InstrumentError("x.yaml", exc.value.problems, lang="en")
    assert "cannot be loaded: 8 error(s)" in str(english) and "(line 10)" in str(english)


def test_unreadable_file_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    result = ins.load_instrument_file(tmp_path / "absent.yaml")
    assert result.instrument is None and result.errors[0].message_key == "instrument_file_unreadable"
    empty = ins.load_instrument_text("", source="empty.yaml")
    assert [p.message_key for p in empty.errors] == ["instrument_not_a_mapping"]


def test_a_key_written_twice_in_yaml_is_an_error_not_silently_overwritten() -> None:
    text = (FIXTURES / "weights_sum.yaml").read_text(encoding="utf-8").replace(
        "    weight: 30\n", "    weight: 30\n    weight: 40\n")
    problems = ins.load_instrument_text(text).errors
    assert [(p.message_key, p.location, p.line) for p in problems] == [
        ("instrument_duplicate_key", "sections[1].weight", 22)]


# ------------------------------------------------------------------------------------------ messages
def test_every_problem_renders_in_indonesian_and_english() -> None:
    problems = [p for f in sorted(FIXTURES.glob("*.yaml")) for p in ins.load_instrument_file(f).problems]
    assert len({p.message_key for p in problems}) >= 15
    for p in problems:
        for lang in ("id", "en"):
            text = p.describe(lang)
            assert "⟦" not in text and "{" not in text, text
        assert p.text("id") != p.text("en")


def test_every_message_key_the_loader_uses_is_in_the_catalogue() -> None:
    source = Path(ins.__file__).read_text(encoding="utf-8")
    tables = {"instrument_sections", "instrument_criteria", "instrument_options", "instrument_thresholds"}
    used = set(re.findall(r'"(instrument_[a-z_]+)"', source)) - tables
    assert used and used <= set(catalogue()), used - set(catalogue())


# ------------------------------------------------------------------------------------------ the store
def test_saved_instruments_read_back_identical_and_resaving_replaces(con) -> None:
    saved = persistence.save_bundled_instruments(con)
    assert saved == [ins.SIX_FIELD_2026, ins.CLASSIC_2018]
    for iid in saved:
        assert persistence.read_instrument(con, iid) == ins.bundled_instrument(iid)
    counts = [con.sql(f"SELECT count(*) FROM {t}").fetchone()[0] for t in
              ("instruments", "instrument_sections", "instrument_criteria", "instrument_options",
               "instrument_thresholds")]
    # 60 + 25 criteria; options: 52 choice criteria × 4 in the six-field file, 19 × 4 in the classic one
    assert counts[:3] == [2, 12, 85] and counts[3] == 4 * 52 + 4 * 19
    con.execute("INSERT INTO competitions (competition_id, name, year, level, scope_code, instrument_id) "
                "VALUES ('K1', 'Lomba', 2026, 'kabupaten', '36.02', ?)", [ins.SIX_FIELD_2026])
    before = store.competition_version(con, "K1"), store.reference_version(con)
    persistence.save_bundled_instruments(con)
    assert [con.sql(f"SELECT count(*) FROM {t}").fetchone()[0] for t in
            ("instruments", "instrument_sections", "instrument_criteria", "instrument_options",
             "instrument_thresholds")] == counts
    # The contest scored with the six-field instrument reads it: its results go cold; nothing else does.
    assert (store.competition_version(con, "K1"), store.reference_version(con)) == (before[0] + 1, before[1])
    listing = persistence.list_instruments(con)
    assert listing["instrument_id"].to_list() == [ins.SIX_FIELD_2026, ins.CLASSIC_2018]
    assert listing["criteria"].to_list() == [60, 25] and listing["sections"].to_list() == [8, 4]
    row = con.sql("SELECT kind, unit, max_points, spm_field FROM instrument_criteria "
                  "WHERE instrument_id = ? AND criterion_id = 'KES-02'", params=[ins.SIX_FIELD_2026]).fetchone()
    assert row == ("real", "%", 4.0, "kesehatan")


def test_store_survives_reopening_the_file(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    c = store.connect(path)
    persistence.save_bundled_instruments(c)
    c.close()
    c = store.connect(path)
    assert persistence.read_instrument(c, ins.CLASSIC_2018).criterion("KEC-02").options[0].text == "8 kali atau lebih"
    c.close()


def test_saving_with_a_source_text_of_another_instrument_is_refused(con) -> None:
    six = ins.bundled_instrument(ins.SIX_FIELD_2026)
    classic_text = ins.bundled_instrument_paths()[1].read_text(encoding="utf-8")
    with pytest.raises(ValueError):
        persistence.save_instrument(con, six, classic_text)
    assert con.sql("SELECT count(*) FROM instruments").fetchone() == (0,)
    with pytest.raises(KeyError):
        persistence.read_instrument(con, ins.SIX_FIELD_2026)


def test_json_schema_declares_the_format() -> None:
    declared = schema.instrument_json_schema()
    assert {"code", "version", "layout", "sections"} <= set(declared["required"])
    assert "CriterionSpec" in declared["$defs"]


def test_docs_describe_every_key_of_the_format_and_every_defect() -> None:
    docs = (Path(__file__).parent.parent / "docs" / "instruments.md").read_text(encoding="utf-8")
    for spec in (schema.InstrumentSpec, schema.SectionSpec, schema.CriterionSpec, schema.OptionSpec, schema.ThresholdSpec):
        for key in spec.model_fields:
            assert f"`{key}`" in docs, f"docs/instruments.md does not describe `{key}`"
    source = Path(ins.__file__).read_text(encoding="utf-8")
    for key in set(re.findall(r'"(instrument_[a-z_]+)"', source)):
        if key.startswith("instrument_type_") or key in {"instrument_sections", "instrument_criteria",
                                                          "instrument_options", "instrument_thresholds",
                                                          "instrument_error_title", "instrument_at_line",
                                                          "instrument_did_you_mean", "instrument_file_unreadable",
                                                          "instrument_not_a_mapping"}:
            continue
        assert f"`{key}`" in docs, f"docs/instruments.md does not list `{key}`"


BASE = (FIXTURES / "duplicate_option_text.yaml").read_text(encoding="utf-8").replace(
    '{code: b, points: 3, text: "Tiga kali atau lebih"}', '{code: b, points: 3, text: "Dua kali"}')
EDITS = [
    # (replace, with, severity, message key, location)
    ('{code: b, points: 3', '{code: b, points: 5', "warning", "instrument_option_points_order",
     "sections[0].criteria[0].options"),
    ('{code: d, points: 1', '{code: d, points: -1', "error", "instrument_negative_points",
     "sections[0].criteria[0].options[3].points"),
    ('{code: d,', '{code: dd,', "error", "instrument_bad_option_code", "sections[0].criteria[0].options[3].code"),
    ('{code: d,', '{code: a,', "error", "instrument_duplicate_option_code",
     "sections[0].criteria[0].options[3].code"),
    ("        evidence: [notulen]\n", "        evidence: [notulen]\n        thresholds: [{min_value: 0, points: 1}]\n",
     "error", "instrument_choice_with_thresholds", "sections[0].criteria[0].thresholds"),
    ("        evidence: [notulen]\n", "        kind: real\n        unit: kali\n        evidence: [notulen]\n"
     "        thresholds: [{min_value: 0, points: 1}]\n", "error", "instrument_real_with_options",
     "sections[0].criteria[0].options"),
    ("        evidence: [notulen]\n", "", "warning", "instrument_no_evidence", "sections[0].criteria[0]"),
    ("        text: Rapat pengurus\n", "        text: '  '\n", "error", "instrument_empty_text",
     "sections[0].criteria[0].text"),
    ("title: Instrumen uji\n", "", "error", "instrument_missing_field", "title"),
]


@pytest.mark.parametrize(("old", "new", "severity", "key", "location"), EDITS, ids=[e[3] for e in EDITS])
def test_smaller_defects_are_found_too(old, new, severity, key, location) -> None:
    assert old in BASE and ins.load_instrument_text(BASE).problems == ()
    result = ins.load_instrument_text(BASE.replace(old, new))
    assert [(p.severity, p.message_key, p.location) for p in result.problems] == [(severity, key, location)]


def test_six_field_layout_warns_for_each_spm_field_without_a_section() -> None:
    text = BASE.replace("layout: level_sections", "layout: six_field").replace(
        "    weight: 100\n", "    weight: 100\n    spm_field: kesehatan\n")
    result = ins.load_instrument_text(text)
    assert result.instrument is not None
    assert sorted(p.detail["spm_field"] for p in result.warnings) == sorted(set(SPM_FIELDS) - {"kesehatan"})
