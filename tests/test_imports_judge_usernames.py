"""The judges list names the username of each juri account: checked (the account rule, once in the file, not
another account's) with file, row, column and reason in Indonesian; one bad username stops the whole file."""

from __future__ import annotations

import io

import openpyxl
import pytest

from data import store
from data.exchange.backup import table_checksums
from data.exchange.imports import import_file, validate_file
from data.exchange.problems import problems_frame
from data.exchange.templates import import_template
from data.judging import accounts, auth
from data.judging.auth import User
from present.errors import BadInput
from tests.fixtures.malformed.make_corpus import xlsx

PANITIA = User("panitia", "panitia")
HEADER = ["juri_id", "nama", "instansi", "nama_pengguna"]


@pytest.fixture
def con(tmp_path, fast_hashing):
    c = store.connect(tmp_path / "store.duckdb")
    auth.create_user(c, "panitia", "Panitia-Kudus-2025", "panitia")
    yield c
    c.close()


def test_judges_get_the_usernames_their_file_names(con):
    data = xlsx(HEADER, [["J-1", "dr. Sri Wahyuni", "Dinas Kesehatan", "juri-dinkes"],
                         ["J-2", "Ir. Bambang Susilo", "Dinas PUPR", None],
                         ["J-3", "Hj. Endang Lestari", "TP PKK", "juri.pkk"]], "Juri")
    plan, result = import_file(con, "judges", data, "juri-kudus.xlsx", actor="panitia")
    assert result is not None and plan.ok, plan.problems
    assert plan.usernames == {"J-1": "juri-dinkes", "J-3": "juri.pkk"}
    made = accounts.create_judge_accounts(con, PANITIA, ["J-1", "J-2", "J-3"], plan.usernames)
    assert sorted(made["username"]) == ["bambang.susilo", "juri-dinkes", "juri.pkk"]   # blank: from the name
    assert con.sql("SELECT judge_id FROM users WHERE username = 'juri-dinkes'").fetchone() == ("J-1",)
    # The same file again: the judges have their accounts, nothing is refused or made twice.
    again = validate_file(con, "judges", data, "juri-kudus.xlsx")
    assert again.ok and not again.warnings
    assert accounts.create_judge_accounts(con, PANITIA, ["J-1", "J-2", "J-3"], again.usernames).height == 0


def test_bad_repeated_and_taken_usernames_are_named_and_nothing_is_written(con):
    auth.create_user(con, "juri.pupr", "Juri-pupr-2025-x", "panitia")       # an account that is not J-2's
    data = xlsx(HEADER, [["J-1", "dr. Sri Wahyuni", "Dinas Kesehatan", "Juri Dinkes"],
                         ["J-2", "Ir. Bambang Susilo", "Dinas PUPR", "juri.pupr"],
                         ["J-3", "Hj. Endang Lestari", "TP PKK", "juri.pkk"],
                         ["J-4", "Drs. Slamet", "Bappeda", "juri.pkk"],
                         ["J-5", "Siti", "Dinas Sosial", "ab"]], "Juri")
    before = table_checksums(con)
    plan, result = import_file(con, "judges", data, "juri-kudus.xlsx", actor="panitia")
    assert result is None and table_checksums(con) == before            # all or nothing
    shown = problems_frame(plan.problems, "id").sort("row")
    assert shown.select("file", "sheet", "row", "column").rows() == [
        ("juri-kudus.xlsx", "Juri", 2, "D (nama_pengguna)"), ("juri-kudus.xlsx", "Juri", 3, "D (nama_pengguna)"),
        ("juri-kudus.xlsx", "Juri", 5, "D (nama_pengguna)"), ("juri-kudus.xlsx", "Juri", 6, "D (nama_pengguna)")]
    messages = shown["message"].to_list()
    assert messages[0].startswith("Nama pengguna 'Juri Dinkes' tidak dapat dipakai: 3–32 karakter, hanya huruf kecil")
    assert messages[1] == "Nama pengguna 'juri.pupr' sudah dipakai akun lain; pilih nama lain."
    assert "juri.pkk" in messages[2] and "4" in messages[2]              # the repeat names the first row
    assert "'ab' tidak dapat dipakai" in messages[3]
    assert "already used by another account" in problems_frame(plan.problems, "en").sort("row")["message"][1]


def test_accounts_are_refused_all_at_once_when_a_username_was_taken_meanwhile(con):
    data = xlsx(HEADER, [["J-1", "dr. Sri Wahyuni", "Dinas Kesehatan", "juri-dinkes"],
                         ["J-2", "Ir. Bambang Susilo", "Dinas PUPR", "juri-pupr"]], "Juri")
    plan, _ = import_file(con, "judges", data, "juri.xlsx", actor="panitia")
    auth.create_user(con, "juri-pupr", "Juri-pupr-2025-x", "panitia")     # someone took it after the check
    with pytest.raises(BadInput) as err:
        accounts.create_judge_accounts(con, PANITIA, ["J-1", "J-2"], plan.usernames)
    assert err.value.text("id") == "Nama pengguna 'juri-pupr' sudah dipakai akun lain; pilih nama lain."
    assert con.sql("SELECT count(*) FROM users WHERE role = 'juri' AND judge_id IS NOT NULL").fetchone()[0] == 0


def test_the_template_has_the_username_column_and_explains_it():
    wb = openpyxl.load_workbook(io.BytesIO(import_template("judges")))
    assert [c.value for c in wb["Juri"][1]][-1] == "nama_pengguna"
    guide = {r[0]: r for r in wb["Petunjuk"].iter_rows(values_only=True)}
    assert guide["nama_pengguna"][1] == "Tidak"
    assert "huruf kecil, angka, titik" in guide["nama_pengguna"][2] and guide["nama_pengguna"][3] == "juri.dinkes"
