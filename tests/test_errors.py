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


def test_judging_and_accounts_raise_no_bare_value_error_for_user_input():
    # English ValueError text used to reach Indonesian judges; user-caused errors now go through BadInput.
    offenders = []
    for path in sorted((ROOT / "data" / "judging").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) \
                    and getattr(node.exc.func, "id", None) == "ValueError":
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []
