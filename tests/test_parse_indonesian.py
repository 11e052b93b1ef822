"""Indonesian numbers, dates, yes/no, phones and region names as people type them in Excel."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from data.exchange.parse_indonesian import (
    Bad,
    normalize_region_code,
    parse_bool,
    parse_date,
    parse_int,
    parse_number,
    parse_phone,
)
from data.exchange.region_names import RegionIndex, clean_region_name, load_region_index
from tests.fixtures.malformed.world import REGIONS


@pytest.mark.parametrize("raw, expected", [
    ("13.415", 13415.0),          # dot + three digits: Indonesian thousands
    ("1.234.567", 1234567.0),
    ("12,5", 12.5),               # comma: Indonesian decimal mark
    ("1.234,5", 1234.5),
    ("1,234.5", 1234.5),          # English style still reads
    ("1,234,567", 1234567.0),
    ("12.5", 12.5),               # a dot not followed by three digits is a decimal point
    ("85%", 85.0),
    ("85 %", 85.0),
    ("Rp 13.415", 13415.0),
    ("-3,25", -3.25),
    (" 7 ", 7.0),
    ("\u00a013.415", 13415.0),    # non-breaking space pasted from the web
    (42, 42.0),
    (12.5, 12.5),
    (None, None),
    ("  ", None),
])
def test_numbers_are_read_the_indonesian_way(raw, expected):
    assert parse_number(raw) == expected


@pytest.mark.parametrize("raw", ["lima", "12,5,3", "1.23.4", "--1", "1.2345,6", "", True])
def test_text_in_a_number_cell_is_refused_not_guessed(raw):
    got = parse_number(raw)
    assert got is None if raw == "" else isinstance(got, Bad) and got.key == "exchange_not_a_number"


def test_a_decimal_in_a_whole_number_column_is_refused_not_rounded():
    assert parse_int("12,5") == Bad("exchange_not_an_integer", {"value": "12,5"})
    assert parse_int("13.415") == 13415
    assert parse_int(12.0) == 12


@given(st.integers(min_value=0, max_value=10**12))
def test_any_integer_written_with_indonesian_thousands_reads_back(n):
    text = f"{n:,}".replace(",", ".")
    assert parse_number(text) == float(n)


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=1, max_value=99))
def test_any_decimal_written_the_indonesian_way_reads_back(whole, frac):
    text = f"{whole:,}".replace(",", ".") + f",{frac:02d}"
    assert parse_number(text) == pytest.approx(whole + frac / 100)


@pytest.mark.parametrize("raw, expected", [
    ("24 November 2025", dt.date(2025, 11, 24)),
    ("24 Nopember 2025", dt.date(2025, 11, 24)),
    ("1 Agt 2025", dt.date(2025, 8, 1)),
    ("Senin, 24 Nov 2025", dt.date(2025, 11, 24)),
    ("24/11/2025", dt.date(2025, 11, 24)),      # day first, always
    ("05/04/2025", dt.date(2025, 4, 5)),
    ("24-11-2025", dt.date(2025, 11, 24)),
    ("2025-11-24", dt.date(2025, 11, 24)),
    ("24 November 2025".upper(), dt.date(2025, 11, 24)),
    (45985, dt.date(2025, 11, 24)),             # Excel serial
    (45985.75, dt.date(2025, 11, 24)),          # serial with a time of day
    ("45985", dt.date(2025, 11, 24)),           # serial that came through CSV as text
    (dt.datetime(2025, 11, 24, 8, 30), dt.date(2025, 11, 24)),
    (dt.date(2025, 11, 24), dt.date(2025, 11, 24)),
])
def test_dates_are_read_as_people_type_them(raw, expected):
    assert parse_date(raw) == expected


@pytest.mark.parametrize("raw", ["31/02/2025", "29/02/2025", "31 April 2025", "2025-13-01", "32/01/2025"])
def test_impossible_dates_get_their_own_message(raw):
    assert parse_date(raw) == Bad("exchange_date_impossible", {"value": raw})


@pytest.mark.parametrize("raw", ["kemarin", "24 Novembre 2025", "2025/11", -5, 10**8])
def test_unreadable_dates_are_refused(raw):
    got = parse_date(raw)
    assert isinstance(got, Bad) and got.key == "exchange_not_a_date"


def test_leap_day_exists_in_a_leap_year():
    assert parse_date("29/02/2024") == dt.date(2024, 2, 29)


@pytest.mark.parametrize("raw, expected", [("Ya", True), ("tidak", False), ("Ada", True), ("Tidak ada", False),
                                           ("YES", True), (1, True), (0, False), (None, None)])
def test_yes_no(raw, expected):
    assert parse_bool(raw) == expected


def test_yes_no_refuses_maybe():
    assert isinstance(parse_bool("mungkin"), Bad)


@pytest.mark.parametrize("raw, expected", [("+62 812-3456-7890", "081234567890"), ("6281234567890", "081234567890"),
                                           (81234567890, "081234567890"), ("0812 3456 7890", "081234567890")])
def test_phone_numbers_get_their_leading_zero_back(raw, expected):
    assert parse_phone(raw) == expected


@pytest.mark.parametrize("raw, expected", [("3602182010", "36.02.18.2010"), ("36.02.18.2010", "36.02.18.2010"),
                                           ("360218", "36.02.18"), (3602, "36.02"), (" 36 ", "36")])
def test_region_codes_are_normalised_to_dotted_form(raw, expected):
    assert normalize_region_code(raw) == expected


@pytest.mark.parametrize("raw", ["36-02-18", "36.2.18", "ABC", "360218201"])
def test_malformed_region_codes_are_refused(raw):
    assert isinstance(normalize_region_code(raw), Bad)


@pytest.mark.parametrize("raw, expected", [
    ("Kab. Lebak", ("lebak", "kabupaten")), ("KABUPATEN  LEBAK", ("lebak", "kabupaten")),
    ("Kota Bogor", ("bogor", "kota")), ("kec. Cibadak", ("cibadak", "kecamatan")),
    ("Desa Pasar Keong", ("pasar keong", "desa")), ("Pasar-Keong", ("pasar keong", None)),
])
def test_region_name_prefixes_and_case_are_cleaned(raw, expected):
    assert clean_region_name(raw) == expected


@pytest.fixture
def regions() -> RegionIndex:
    return RegionIndex(names={r[0]: r[1] for r in REGIONS}, levels={r[0]: r[2] for r in REGIONS},
                       kinds={r[0]: r[3] for r in REGIONS}, parents={r[0]: r[4] for r in REGIONS})


def test_pasar_keong_resolves_through_name_variants(regions):
    kab = regions.resolve("Kab. Lebak", 2)
    assert kab.code == "36.02"
    assert regions.resolve("kabupaten lebak", 2).code == "36.02"
    kec = regions.resolve("CIBADAK", 3, kab.code)
    assert kec.code == "36.02.18"
    assert regions.resolve("Desa Pasar Keong", 4, kec.code).code == "36.02.18.2010"


def test_same_named_kota_and_kabupaten_need_the_prefix(regions):
    assert regions.resolve("Kota Bogor", 2).code == "32.71"
    assert regions.resolve("Kab. Bogor", 2).code == "32.01"
    plain = regions.resolve("Bogor", 2)
    assert plain.code is None and plain.ambiguous and len(plain.suggestions) == 2


def test_a_misspelt_desa_gets_a_did_you_mean_not_a_guess(regions):
    got = regions.resolve("Pasar Kong", 4, "36.02.18")
    assert got.code is None
    assert got.suggestions[0] == "Pasar Keong (36.02.18.2010)"


def test_the_index_loads_from_the_store(con):
    con.executemany("INSERT INTO regions (code, name, level, kind, parent_code) VALUES (?, ?, ?, ?, ?)", REGIONS)
    index = load_region_index(con)
    assert "36.02.18.2010" in index and index.levels["36.02.18.2010"] == 4
