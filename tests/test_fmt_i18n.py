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
