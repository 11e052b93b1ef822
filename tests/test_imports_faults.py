"""The malformed-file corpus: every file is refused with its own message, at the right row, and the store
is left exactly as it was (checksum of every table before and after)."""

from __future__ import annotations

from pathlib import Path

import pytest

from data import store
from data.exchange.backup import table_checksums
from data.exchange.imports import import_file
from data.exchange.problems import message_keys, problems_frame
from tests.fixtures.malformed.make_corpus import CASES, Case
from tests.fixtures.malformed.world import seed_world


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    con = store.connect(tmp_path_factory.mktemp("faults") / "store.duckdb")
    w = seed_world(con, assign=True, lock_one_form=True)
    w["con"] = con
    yield w
    con.close()


def test_the_corpus_has_at_least_thirty_distinct_faults():
    assert len(CASES) >= 30
    assert len({c.name for c in CASES}) == len(CASES)
    assert len({c.key for c in CASES}) >= 25


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_malformed_file_is_refused_with_its_message_and_the_store_is_unchanged(case: Case, world, tmp_path: Path):
    con = world["con"]
    path = tmp_path / case.name
    path.write_bytes(case.build(world))          # a real file on disk, read back as an upload would be
    before = table_checksums(con)
    version = store.data_version(con)

    plan, result = import_file(con, case.kind, path.read_bytes(), case.name, **case.scope)

    assert result is None, "a file with problems must not be written"
    assert case.key in message_keys(plan.problems), [p.message_key for p in plan.problems]
    hit = next(p for p in plan.problems if p.message_key == case.key)
    assert hit.file == case.name
    if case.row is not None:
        assert hit.row == case.row, hit
        assert hit.column, hit
    assert table_checksums(con) == before
    assert store.data_version(con) == version
    for lang in ("id", "en"):               # every reason reads as a sentence, every placeholder filled
        for text in problems_frame(plan.problems, lang)["message"]:
            assert "{" not in text and "⟦" not in text, text


def test_every_problem_of_a_file_is_listed_not_just_the_first(world):
    from tests.fixtures.malformed.make_corpus import POSYANDU_HEADER, posyandu_rows, xlsx

    rows = posyandu_rows(4)
    rows[0][3] = "lima"          # D2 text in a number column
    rows[1][6] = "super"         # G3 not a strata
    rows[2][2] = "36.02.18.9999"  # C4 unknown desa
    rows[3][4] = "mungkin"       # E5 not yes/no
    plan, result = import_file(world["con"], "posyandu", xlsx(POSYANDU_HEADER, rows, "Posyandu"), "campur.xlsx")
    assert result is None
    got = {(p.row, p.column.split(" ")[0], p.message_key) for p in plan.problems}
    assert got == {(2, "D", "exchange_not_a_number"), (3, "G", "exchange_not_a_choice"),
                   (4, "C", "exchange_unknown_region"), (5, "E", "exchange_not_yes_no")}


def test_problems_are_shown_in_the_chosen_language(world):
    from tests.fixtures.malformed.make_corpus import POSYANDU_HEADER, posyandu_rows, xlsx

    rows = posyandu_rows(1)
    rows[0][3] = "lima"
    plan, _ = import_file(world["con"], "posyandu", xlsx(POSYANDU_HEADER, rows, "Posyandu"), "a.xlsx")
    assert problems_frame(plan.problems, "id")["message"][0] == '"lima" bukan angka (contoh: 13.415 atau 12,5).'
    assert problems_frame(plan.problems, "en")["message"][0] == '"lima" is not a number (e.g. 13.415 or 12,5).'


def test_a_finalised_stage_refuses_score_imports(world, tmp_path):
    from tests.fixtures.malformed.make_corpus import score_header, score_rows, xlsx

    con = store.connect(tmp_path / "final.duckdb")
    w = seed_world(con)
    con.execute("UPDATE competition_stages SET finalized_at = current_timestamp WHERE stage = 'lapangan'")
    data = xlsx(score_header(w["instrument"]), score_rows(w["instrument"], w["entrants"], w["judges"]), "Nilai")
    before = table_checksums(con)
    plan, result = import_file(con, "scores", data, "nilai.xlsx", competition_id="lomba-lebak-2026", stage="lapangan")
    assert result is None and message_keys(plan.problems) == {"exchange_stage_finalized"}
    assert table_checksums(con) == before
    con.close()
