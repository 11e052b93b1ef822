from __future__ import annotations

import datetime as dt

from present import i18n
from present.fmt import fmt_date, fmt_date_range, fmt_number, fmt_percent


def test_numbers_follow_indonesian_convention() -> None:
    assert fmt_number(1234.5) == "1.234,5"
    assert fmt_number(13415, 0) == "13.415"
    assert fmt_number(1234.5, lang="en") == "1,234.5"
    assert fmt_percent(87.5) == "87,5 %"
    assert fmt_number(None) == "–"


def test_dates_follow_indonesian_convention() -> None:
    assert fmt_date(dt.date(2025, 11, 24)) == "24 November 2025"
    assert fmt_date(dt.date(2025, 8, 17)) == "17 Agustus 2025"
    assert fmt_date(dt.date(2025, 8, 17), lang="en") == "17 August 2025"
    assert fmt_date_range(dt.date(2025, 10, 13), dt.date(2025, 10, 17)) == "13–17 Oktober 2025"


def test_catalogue_loads_every_file_with_both_languages() -> None:
    cat = i18n.catalogue()
    assert cat["stage"] == {"id": "Tahap", "en": "Stage"}
    assert i18n.t("stage", "en") == "Stage"
    assert i18n.t("no_such_key").startswith("⟦")


def test_dates_inside_stored_texts_and_refusals_read_the_indonesian_way():
    import datetime as dt

    from data.exchange.problems import Problem
    from present.errors import UserError
    from present.fmt import fmt_moment, readable_dates

    assert fmt_moment(dt.datetime(2025, 11, 24, 23, 59, 59), "id") == "24 November 2025 pukul 23.59"
    assert fmt_moment(dt.datetime(2025, 11, 24, 9, 5), "en") == "24 November 2025 at 09:05"
    assert fmt_moment(dt.date(2025, 11, 24), "id") == "24 November 2025"
    assert readable_dates('[["lapangan", "2025-10-20", null]] 2025-10-24T23:59:59', "id") == \
        '[["lapangan", "20 Oktober 2025", null]] 24 Oktober 2025 pukul 23.59'
    assert readable_dates("kode 2025-13-45 tetap", "id") == "kode 2025-13-45 tetap"
    assert "24 November 2025 pukul 23.59" in UserError("life_window_closed",
                                                       deadline=dt.datetime(2025, 11, 24, 23, 59)).text("id")
    assert "1 Januari 2099" in Problem("f.xlsx", "S", 3, "tanggal", "exchange_date_in_future",
                                       {"value": dt.date(2099, 1, 1)}).text("id")


def test_no_message_shows_an_iso_date():
    import re

    from present.i18n import catalogue

    iso = re.compile(r"\d{4}-\d{2}-\d{2}")
    assert [k for k, v in catalogue().items() if any(iso.search(str(x)) for x in v.values())] == []
