"""Bad input has one shape (present/errors.py): a message key and its detail, read in the user's language."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from data.judging import auth
from data.judging.auth import PermissionDenied
from present.errors import BadInput, UserError
from present.i18n import catalogue

ROOT = Path(__file__).resolve().parents[1]


def test_a_refused_value_reads_in_both_languages_with_local_numbers():
    err = BadInput("error_judging_real_value", value=-1234.5)
    assert err.text() == "Nilai riil harus berupa angka 0 atau lebih, bukan -1.234,5."
    assert err.text("en") == "The real value must be a number of 0 or more, not -1,234.5."
    options = BadInput("error_judging_unknown_option", option="e", options=["a", "b", "c", "d"])
    assert options.text() == 'Pilihan "e" tidak tersedia; pilih salah satu: a, b, c, d.'


def test_bad_input_is_still_a_value_error_and_a_refusal_is_not():
    # Callers written before the shape existed catch ValueError; a refusal must not be swallowed by them.
    assert issubclass(BadInput, ValueError) and issubclass(BadInput, UserError)
    assert issubclass(PermissionDenied, UserError) and not issubclass(PermissionDenied, ValueError)


def test_a_taken_username_is_refused_with_its_name(con):
    auth.create_user(con, "siti", "long-enough", "panitia")
    with pytest.raises(BadInput) as caught:
        auth.create_user(con, "siti", "long-enough", "panitia")
    assert caught.value.text() == 'Nama pengguna "siti" sudah dipakai.'


def _raised_keys() -> dict[str, str]:
    """Every literal message key passed to BadInput/PermissionDenied/UserError in the product, with its place."""
    found = {}
    for folder in ("data", "geo", "present", "ui", "pages", "demo"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                        and node.func.id in ("BadInput", "PermissionDenied", "UserError")
                        and node.args and isinstance(node.args[0], ast.Constant)):
                    found[node.args[0].value] = f"{path.relative_to(ROOT)}:{node.lineno}"
    return found


def test_every_raised_message_key_is_in_the_catalogue():
    keys = _raised_keys()
    assert "error_judging_real_value" in keys and "judging_denied_not_assigned" in keys
    missing = {k: where for k, where in keys.items() if k not in catalogue()}
    assert missing == {}


# Where what a person typed or uploaded arrives: judging and accounts, set-up, pendataan, files in and out, the
# instrument upload and the map's boundaries (geo/build_real.py is the maintainers' build command, not a user path).
USER_PATHS = ("data/judging", "data/exchange", "data/setup", "data/pendataan", "data/instruments/upload.py", "geo")


def test_user_paths_raise_no_bare_value_error():
    # English ValueError text used to reach Indonesian users; user-caused errors go through BadInput (a message key).
    offenders = []
    for where in USER_PATHS:
        paths = [ROOT / where] if where.endswith(".py") else sorted((ROOT / where).rglob("*.py"))
        for path in paths:
            if path.name == "build_real.py":
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) \
                        and getattr(node.exc.func, "id", None) == "ValueError":
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


def test_new_refusals_read_in_the_users_language():
    from data.exchange.backup import export_tables
    from geo.match import level_number

    with pytest.raises(BadInput) as caught:
        level_number("dusun")
    assert caught.value.text() == ('Tingkat wilayah "dusun" tidak dikenal; pilih salah satu: provinsi, kabupaten, '
                                   'kota, kecamatan, desa, kelurahan.')
    with pytest.raises(BadInput) as caught:
        level_number(5)
    assert caught.value.text("en") == 'Unknown region level "5"; choose one of: 1, 2, 3, 4.'
    with pytest.raises(BadInput) as caught:
        export_tables(None, "xlsx")    # refused before the store is read
    assert caught.value.text() == 'Format ekspor "xlsx" tidak dikenal; pilih salah satu: csv, parquet.'
