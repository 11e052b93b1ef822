"""Uploaders refuse an oversized file in the user's language and say the limit in words (issue #19 item 8)."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def _app() -> None:
    import streamlit as st

    from ui.uploads import file_upload

    got = file_upload(st, "Berkas", types=["zip"], max_mb=1, key="u")
    if got is not None:
        st.success(f"diterima {got.size}")


def test_a_file_over_the_limit_is_refused_in_indonesian_and_a_file_under_it_is_taken() -> None:
    at = AppTest.from_function(_app).run()
    uploader = at.get("file_uploader")[0]
    assert uploader.help == "Berkas .zip, paling besar 1 MB."
    uploader.set_value(("besar [klik](https://evil.example).zip", b"x" * (1024 * 1024 + 1), "application/zip"))
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        "Berkas besar \\[klik\\]\\(https\\:\u2060\\/\\/evil\\.example\\)\\.zip berukuran 1,0 MB, terlalu besar "
        "(paling besar 1 MB). Tidak ada yang disimpan."]
    assert not at.success
    at.get("file_uploader")[0].set_value(("kecil.zip", b"x" * 10, "application/zip"))
    at.run()
    assert not at.error and at.success[0].value == "diterima 10"



def test_a_refusal_escapes_what_was_typed_and_leaves_our_numbers_as_they_read() -> None:
    from present.errors import BadInput
    from ui.safe import plain

    err = BadInput("judging_evidence_bad_type", name="[klik](https://evil.example).jpg")
    assert "\\[klik\\]" in err.text("id", escape=plain)
    number = BadInput("judging_evidence_too_large", size_mb=-2.5, max_mb=10)
    assert number.text("id", escape=plain) == number.text("id")
    assert "-2,5" in number.text("id", escape=plain)
