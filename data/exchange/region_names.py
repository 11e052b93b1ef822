"""Region names as people type them resolved to Kemendagri codes: "Kab. Lebak", "KOTA  BOGOR", "Pasar Keong"
inside its kecamatan, tolerant of prefix, case, spacing, hyphens and the usual spelling variants; no match gives
"did you mean" suggestions, never a silent guess. The index of every region is kept per process.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass, field

import duckdb
from rapidfuzz import fuzz, process

from data import store
from data.regions import compact_key, fold_variants, town_alias, variant_key

_PREFIXES: tuple[tuple[str, str | None], ...] = (
    ("provinsi", "provinsi"), ("prov", "provinsi"), ("kabupaten", "kabupaten"), ("kab", "kabupaten"),
    ("kota administrasi", "kota"), ("kota adm", "kota"), ("kota", "kota"), ("kecamatan", "kecamatan"),
    ("kec", "kecamatan"), ("distrik", "kecamatan"), ("kelurahan", "kelurahan"), ("kel", "kelurahan"),
    ("desa", "desa"), ("ds", "desa"), ("kampung", "desa"), ("nagari", "desa"), ("gampong", "desa"),
)


_PREFIX_RE = re.compile(r"^(" + "|".join(re.escape(p) for p, _ in _PREFIXES) + r")(\.|\s)\s*")
_PREFIX_KIND = dict(_PREFIXES)
_NOT_NAME = re.compile(r"[^\w\s.'-]")
_SPACES = re.compile(r"\s+")
_PUNCT = re.compile(r"[.'-]")


def clean_region_name(name: str) -> tuple[str, str | None]:
    """The bare name in lower case without its prefix, and the kind the prefix named (or None).

    "Kab. Lebak" → ("lebak", "kabupaten"); "KOTA  BOGOR" → ("bogor", "kota"); "Pasar Keong" → ("pasar keong", None).
    """
    text = unicodedata.normalize("NFKC", name).lower().replace("\u00a0", " ")
    text = _SPACES.sub(" ", _NOT_NAME.sub(" ", text)).strip()
    kind = None
    m = _PREFIX_RE.match(text)   # alternatives in _PREFIXES order: "kota administrasi" before "kota"
    if m:
        text, kind = text[m.end():], _PREFIX_KIND[m.group(1)]
    return _SPACES.sub(" ", _PUNCT.sub(" ", text)).strip(), kind


def _kept_prefix_name(name: str, level: int) -> str | None:
    """A kecamatan or desa whose own name begins with a word that is also a prefix ("Kota Bangun Darat", a
    kecamatan of Kab. Kutai Kartanegara) is also found under its whole name, as a table typed "Kec. Kota Bangun
    Darat" gives it once its "Kec." is taken off."""
    _, kind = clean_region_name(name)
    if level < 3 or kind not in ("kota", "kabupaten", "provinsi"):
        return None
    whole, _ = clean_region_name("x " + name)     # a dummy first word: nothing is taken off the name itself
    return whole.removeprefix("x ").strip() or None


@dataclass(frozen=True)
class RegionMatch:
    """The code a name resolved to (or None), and up to three "did you mean" suggestions as "Name (code)"."""

    code: str | None
    suggestions: tuple[str, ...] = ()
    ambiguous: bool = False


@dataclass
class RegionIndex:
    """Regions by code and by cleaned name per level, for resolving what people type to Kemendagri codes."""

    names: dict[str, str]                        # code → official name
    levels: dict[str, int]                       # code → level 1..4
    kinds: dict[str, str]                        # code → kind
    parents: dict[str, str | None]               # code → parent code
    _by_name: dict[tuple[int, str], list[str]] = field(default_factory=dict)
    _by_compact: dict[tuple[int, str], list[str]] = field(default_factory=dict)
    _by_variant: dict[tuple[int, str], list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for code, name in self.names.items():
            level = self.levels[code]
            bare, _ = clean_region_name(name)
            self._by_name.setdefault((level, bare), []).append(code)
            alias = town_alias(name, level)
            if alias:
                self._by_name.setdefault((level, alias), []).append(code)
            kept = _kept_prefix_name(name, level)
            if kept:
                self._by_name.setdefault((level, kept), []).append(code)
            compact = compact_key(name)
            self._by_compact.setdefault((level, compact), []).append(code)
            self._by_variant.setdefault((level, fold_variants(compact)), []).append(code)

    def __contains__(self, code: object) -> bool:
        return code in self.names

    def label(self, code: str) -> str:
        return f"{self.names.get(code, '?')} ({code})"

    def _within(self, code: str, parent_code: str | None) -> bool:
        """In the enclosing region: a desa is within its kecamatan and its kabupaten (a blank kecamatan)."""
        return parent_code is None or code.startswith(parent_code + ".")

    def resolve(self, name: str, level: int, parent_code: str | None = None) -> RegionMatch:
        """The code of `name` at `level` inside `parent_code` (any ancestor), tolerant of prefix, case, spacing,
        hyphens and the usual spelling variants, tried in that order from the strictest.

        A kind named in the text ("Kota Bogor" vs "Kab. Bogor") picks between same-named regions; if two still
        match, the result is ambiguous. No match: the closest names as suggestions, never a silent guess.
        """
        bare, kind = clean_region_name(name)
        for index, key in ((self._by_name, bare), (self._by_compact, compact_key(name)),
                           (self._by_variant, variant_key(name))):
            hits = [c for c in index.get((level, key), []) if self._within(c, parent_code)]
            if kind in ("kabupaten", "kota", "desa", "kelurahan") and len(hits) > 1:
                hits = [c for c in hits if self.kinds.get(c) == kind] or hits
            if len(hits) == 1:
                return RegionMatch(hits[0])
            if len(hits) > 1:
                return RegionMatch(None, tuple(self.label(c) for c in hits[:3]), ambiguous=True)
        # Suggestions compare whole names ("kota kudus"), so a short form ("kota") still finds its region.
        pool = {c: n.lower() for c, n in self.names.items()
                if self.levels[c] == level and self._within(c, parent_code)}
        typed = re.sub(r"\s+", " ", name.lower()).strip()
        found = process.extract(typed, pool, scorer=fuzz.WRatio, limit=3, score_cutoff=75)
        return RegionMatch(None, tuple(self.label(code) for _, _, code in found))


def load_region_index(con: duckdb.DuckDBPyConnection) -> RegionIndex:
    """Every region in the store, indexed for code checks and name resolution.

    Building the index (three match keys for each of 91,000 names) takes seconds, so it is kept per process
    for as long as the regions table holds the same rows (checked by a digest DuckDB computes at once).
    """
    digest = store.one(con, "SELECT count(*), coalesce(sum(hash(code, name, level, kind, parent_code))::HUGEINT, 0) "
                       "FROM regions")
    key = (int(digest[0]), int(digest[1]))
    with _INDEX_LOCK:
        cached = _INDEX_CACHE.get(key)
    if cached is not None:
        return cached
    rows = con.sql("SELECT code, name, level, kind, parent_code FROM regions").fetchall()
    index = RegionIndex(
        names={r[0]: r[1] for r in rows}, levels={r[0]: int(r[2]) for r in rows},
        kinds={r[0]: r[3] for r in rows}, parents={r[0]: r[4] for r in rows},
    )
    with _INDEX_LOCK:
        _INDEX_CACHE.clear()   # one store per process: keep only the newest
        _INDEX_CACHE[key] = index
    return index


_INDEX_CACHE: dict[tuple[int, int], RegionIndex] = {}
_INDEX_LOCK = threading.Lock()
