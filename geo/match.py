"""Match a boundary feature to a Kemendagri region: by its code (dotted or not), or by a tolerant name match.

Files from BPS, BIG, Dukcapil or a kabupaten's GIS office name regions in many ways: "Kab. Lebak",
"KABUPATEN LEBAK", "Lebak", "Kec.  Cibadak", "Kota Serang". Names are reduced to a bare key (no prefix, no case,
single spaces) plus a kind hint, because "Kota Serang" and "Kabupaten Serang" are two different regions that share
the bare name. Spelling slips ("Cibadag") are caught with rapidfuzz, and only accepted when one candidate is
clearly best; otherwise the feature is reported with suggestions instead of guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import polars as pl
from rapidfuzz import fuzz, process

from data.regions import normalize_code
from present.errors import BadInput

LEVEL_NUMBERS: dict[str, int] = {"provinsi": 1, "kabupaten": 2, "kota": 2, "kecamatan": 3, "desa": 4,
                                 "kelurahan": 4}

# Accept a fuzzy name match at this score (0–100) only when the runner-up is at least MARGIN lower.
FUZZY_ACCEPT = 88.0
FUZZY_MARGIN = 4.0
SUGGEST_MIN = 60.0

_PREFIX = re.compile(
    r"^(?:(?P<kota>kota\s+administrasi|kota\s+adm\.?|kota)|kabupaten\s+administrasi|kabupaten|kab\.?|kecamatan|"
    r"kec\.?|distrik|desa\s+adat|desa|kelurahan|kel\.?|provinsi|prov\.?|propinsi)\s*",
    re.IGNORECASE,
)
_NOISE = re.compile(r"[^0-9a-z]+")


def level_number(level: int | str) -> int:
    """1 provinsi, 2 kabupaten/kota, 3 kecamatan, 4 desa/kelurahan, from either form."""
    if isinstance(level, int):
        if level not in (1, 2, 3, 4):
            raise BadInput("error_geo_unknown_level", level=str(level), levels="1, 2, 3, 4")
        return level
    try:
        return LEVEL_NUMBERS[level.strip().lower()]
    except KeyError as exc:
        raise BadInput("error_geo_unknown_level", level=level, levels=", ".join(LEVEL_NUMBERS)) from exc


def name_key(name: str | None) -> tuple[str, str | None]:
    """(bare name, kind hint): "Kab.  LEBAK" → ("lebak", None); "Kota Serang" → ("serang", "kota")."""
    if name is None:
        return "", None
    text = " ".join(str(name).replace("_", " ").split())
    hint = None
    m = _PREFIX.match(text)
    if m:
        hint = "kota" if m.group("kota") else ("kabupaten" if text.lower().startswith("kab") else None)
        text = text[m.end():]
    bare = " ".join(_NOISE.sub(" ", text.lower()).split())
    return bare, hint


@dataclass(frozen=True)
class NameMatch:
    """The outcome of matching one name: the code when accepted, else why not and the closest candidates."""

    code: str | None
    method: str                      # "code", "name", "fuzzy", or "" when nothing was accepted
    reason: str | None = None        # message key when code is None
    suggestions: tuple[str, ...] = ()


def _code_text(raw: object) -> str | None:
    """A code cell as text: 3602.0 (a number column) → "3602", 36.02 → "36.02", None/NaN → None."""
    if raw is None or (isinstance(raw, float) and raw != raw):
        return None
    if isinstance(raw, float):
        return str(int(raw)) if raw.is_integer() else repr(raw)
    return str(raw)


class RegionMatcher:
    """Candidates of one level (optionally inside a scope), indexed by code and by bare name."""

    def __init__(self, regions: pl.DataFrame, level: int, scope_code: str | None = None) -> None:
        cands = regions.filter(pl.col("level") == level)
        if scope_code:
            cands = cands.filter(pl.col("code").str.starts_with(scope_code))
        self.codes: set[str] = set(cands["code"].to_list())
        self._labels: dict[str, str] = {}
        self._by_key: dict[str, list[tuple[str, str]]] = {}
        for code, name, kind in cands.select("code", "name", "kind").iter_rows():
            bare, _ = name_key(name)
            self._by_key.setdefault(bare, []).append((code, kind))
            self._labels[code] = f"{code} {name}"
        self._keys = list(self._by_key)

    def by_code(self, raw: object) -> NameMatch:
        code = normalize_code(_code_text(raw))
        if code is None:
            return NameMatch(None, "", "geo_code_malformed")
        if code in self.codes:
            return NameMatch(code, "code")
        return NameMatch(None, "", "geo_code_unknown")

    def by_name(self, raw: str | None) -> NameMatch:
        bare, hint = name_key(raw)
        if not bare:
            return NameMatch(None, "", "geo_name_empty")
        exact = self._pick(self._by_key.get(bare, []), hint)
        if exact is not None:
            return exact if exact.code else NameMatch(None, "", "geo_name_ambiguous", exact.suggestions)
        found = process.extract(bare, self._keys, scorer=fuzz.WRatio, limit=5)
        suggestions = tuple(self._labels[c] for key, score, _ in found if score >= SUGGEST_MIN
                            for c, _k in self._by_key[key])[:5]
        if found and found[0][1] >= FUZZY_ACCEPT and (len(found) == 1 or found[0][1] - found[1][1] >= FUZZY_MARGIN):
            picked = self._pick(self._by_key[found[0][0]], hint)
            if picked is not None and picked.code:
                return NameMatch(picked.code, "fuzzy", None, suggestions)
        return NameMatch(None, "", "geo_name_unmatched", suggestions)

    def _pick(self, cands: list[tuple[str, str]], hint: str | None) -> NameMatch | None:
        """One candidate wins outright, or the kind hint (kota vs kabupaten) decides; else ambiguous."""
        if not cands:
            return None
        if hint is not None:
            hinted = [c for c in cands if c[1] == hint]
            cands = hinted or cands
        elif len(cands) > 1:
            # An unprefixed name prefers the kabupaten over the kota of the same name (files of kabupaten do
            # usually drop the prefix, files of cities keep "Kota").
            kab = [c for c in cands if c[1] == "kabupaten"]
            cands = kab if len(kab) == 1 else cands
        if len(cands) == 1:
            return NameMatch(cands[0][0], "name")
        return NameMatch(None, "", "geo_name_ambiguous", tuple(self._labels[c] for c, _ in cands[:5]))
