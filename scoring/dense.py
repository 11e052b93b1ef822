"""The engine's fast path for the default mean: integer key codes, one bincount, matrix sums per entrant.

`scoring.engine.score_competition` takes this path when judges are combined by the mean (see docs/benchmarks.md
"Scoring engine" for the figures at 54 million scores); every other case goes through the general Polars
group-bys in `scoring/aggregate.py`. A property test holds both paths to the same results.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import polars as pl

from scoring.frames import CodedScores
from scoring.instrument import NO_CASE

_SMALL_KEY = 8          # a String key with at most this many known values is coded by equality tests


def _categories(s: pl.Series, cache: dict[tuple[str, str], pl.Series] | None = None) -> pl.Series:
    """The label of every physical code of an Enum or Categorical column, indexed by the code.

    Categorical columns usually share one process-wide category space, listed in Python (0.05–0.3 s for a few
    hundred thousand ids): `cache` lets the key columns of one run list it once.
    """
    dt = s.dtype
    if isinstance(dt, pl.Enum):
        return dt.categories.cast(pl.String)
    cats = dt.categories  # type: ignore[attr-defined]   # a Categorical (the Enum case returned above)
    key = (cats.name(), cats.namespace())
    if cache is not None and key in cache:
        return cache[key]
    out = cats.to_series().cast(pl.String)
    if cache is not None:
        cache[key] = out
    return out


def _runs(s: pl.Series) -> tuple[pl.Series, np.ndarray] | None:
    """The value and length of each run of equal values, or None when runs are too short to pay.

    An empty column has no runs to pay for: None (its codes are the empty array of a plain cast).
    """
    if len(s) == 0:
        return None
    probe = s.head(1 << 16)                    # a cheap look at the first rows before encoding every run
    if len(probe) and cast(int, probe.rle_id().max() or 0) + 1 > len(probe) // 8:
        return None
    rle = s.rle().struct.unnest()
    if rle.height > len(s) // 8:
        return None
    return rle["value"], rle["len"].to_numpy()


def _key_codes(s: pl.Series, known: list[str], cache: dict[tuple[str, str], pl.Series] | None = None) -> np.ndarray:
    """uint32 codes of a key column: the value's position in `known`, or len(known) for a null or unknown value."""
    n_known = len(known)
    if isinstance(s.dtype, pl.Enum | pl.Categorical):
        cats = _categories(s, cache)
        table = cats.replace_strict(known, list(range(n_known)), default=n_known, return_dtype=pl.UInt32).to_numpy()
        phys = s.to_physical()
        if phys.null_count() == 0 and len(cats) == n_known and (table == np.arange(n_known)).all():
            return phys.to_numpy()
        table = np.append(table, np.uint32(n_known))           # a null gets the code after the last category
        return table[phys.fill_null(len(cats)).to_numpy()]
    s = s.cast(pl.String)
    if n_known <= _SMALL_KEY:                                   # a few stages or options: equality tests
        code = pl.lit(n_known, pl.UInt32)
        for i in range(n_known - 1, -1, -1):
            code = pl.when(pl.col("k") == known[i]).then(pl.lit(i, pl.UInt32)).otherwise(code)
        return pl.DataFrame({"k": s}).select(code)[:, 0].to_numpy()
    runs = _runs(s)
    if runs is not None:                                        # code one head per run, then repeat it
        heads, lengths = runs
        return np.repeat(_cast_codes(heads, known), lengths)
    return _cast_codes(s, known)


def _cast_codes(s: pl.Series, known: list[str]) -> np.ndarray:
    """uint32 codes of a String column by one cast to Enum(known); null or unknown → len(known)."""
    return s.cast(pl.Enum(known), strict=False).to_physical().fill_null(len(known)).to_numpy().astype(np.uint32, copy=False)


def _entrant_codes(s: pl.Series, known: pl.Series, cache: dict[tuple[str, str], pl.Series] | None = None
                   ) -> tuple[np.ndarray, pl.Series]:
    """uint32 entrant codes and the label (String) of each code; a null entrant gets code len(labels).

    A String column without long runs is coded against `known` (the ENTRANTS ids), so a long-running process does
    not grow the process-wide Categorical space with every entrant id it scores. Labels may still include ids
    ENTRANTS does not list (runs, Categorical): `_known_entrants` drops them.
    """
    if not isinstance(s.dtype, pl.Enum | pl.Categorical):
        s = s.cast(pl.String)
        runs = _runs(s)
        if runs is not None:               # scores grouped by entrant: encode one label per run
            heads, lengths = runs
            labels = heads.drop_nulls().unique().sort()
            head_codes = heads.cast(pl.Enum(labels)).to_physical().fill_null(len(labels)).to_numpy()
            return np.repeat(head_codes, lengths), labels
        labels = known.cast(pl.String).drop_nulls().unique(maintain_order=True)
        coded = s.cast(pl.Enum(labels), strict=False)  # an entrant ENTRANTS does not list: the null code
        return coded.to_physical().fill_null(len(labels)).to_numpy(), labels
    cats = _categories(s, cache)
    phys = s.to_physical()
    if len(cats) > len(s) + 4096:           # a wide process-wide Categorical: keep only the codes in use
        used = phys.drop_nulls().unique().sort().to_numpy()
        table = np.full(len(cats) + 1, len(used), dtype=np.uint32)
        table[used] = np.arange(len(used), dtype=np.uint32)
        return table[phys.fill_null(len(cats)).to_numpy()], cats.gather(used)
    return (phys.fill_null(len(cats)) if phys.null_count() else phys).to_numpy(), cats


def _known_entrants(e: np.ndarray, labels: pl.Series, known: pl.Series) -> tuple[np.ndarray, pl.Series]:
    """Recode so that an entrant ENTRANTS does not list shares the null code (the engine ignores its rows, as the
    general path does); a gather over the rows only when there is such an entrant."""
    keep = labels.cast(pl.String).is_in(known.cast(pl.String).drop_nulls().implode()).to_numpy()
    if keep.all():
        return e, labels
    table = np.full(len(labels) + 1, int(keep.sum()), dtype=np.uint32)
    table[np.flatnonzero(keep)] = np.arange(int(keep.sum()), dtype=np.uint32)
    return table[e], labels.filter(pl.Series(keep))


def option_ids(options: pl.DataFrame, criteria: pl.DataFrame) -> list[str]:
    """The option codes the dense path counts: the instrument's letters, sorted, then NO_CASE when a criterion
    allows "tidak ada kasus" (else such a row is an unknown option and earns nothing, as on the general path)."""
    ids = sorted(set(options["option_code"].drop_nulls().to_list()))
    if "no_case_allowed" in criteria.columns and criteria["no_case_allowed"].fill_null(False).any():
        ids.append(NO_CASE)
    return ids


def no_case_table(criteria: pl.DataFrame, opt_ids: list[str]) -> np.ndarray | None:
    """(criterion, option) → 1.0 where the choice is an allowed "tidak ada kasus", with the spare row and column
    of `point_tables`; None when no criterion allows it."""
    if NO_CASE not in opt_ids:
        return None
    tab = np.zeros((criteria.height + 1, len(opt_ids) + 1))
    tab[np.flatnonzero(criteria["no_case_allowed"].fill_null(False).to_numpy()), opt_ids.index(NO_CASE)] = 1.0
    return tab


def _choice_counts(e: np.ndarray, s: np.ndarray, c: np.ndarray, o: np.ndarray, dims: tuple[int, int, int, int],
                   lut: np.ndarray, valid: np.ndarray, nc_tab: np.ndarray | None = None
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Per (entrant·stage, criterion): Σ points and number of scores that earned points, from option choices,
    and (with `nc_tab`) the number of allowed "tidak ada kasus" answers."""
    n_er, n_s, n_c, n_o = dims
    bins = n_er * n_s * n_c * n_o
    if bins <= 4 * len(e) + (1 << 24):
        # one unweighted bincount over (criterion, option, entrant, stage); points applied to the counts.
        # Criterion-major: rows arriving by criterion (the store's order) or by entrant both touch the
        # counts nearly in order, where entrant-major would scatter the first over the whole array.
        if bins < 1 << 31:
            # uint32 arithmetic is several times faster than int64 with mixed types; widen once for bincount
            key = np.multiply(c, n_o, dtype=np.uint32)
            key += o
            key *= np.uint32(n_er * n_s)
            key += np.multiply(e, n_s, dtype=np.uint32) if n_s > 1 else e
            if n_s > 1:
                key += s
            key = key.view(np.int32).astype(np.intp)
        else:
            key = np.multiply(c, n_o, dtype=np.int64)
            key += o
            key *= n_er * n_s
            key += np.multiply(e, n_s, dtype=np.int64)
            key += s
        counts = np.bincount(key, minlength=bins).reshape(n_c, n_o, n_er * n_s)
        del key
        with ThreadPoolExecutor(max_workers=1) as pool:   # NumPy releases the GIL in einsum: one per core
            sums = pool.submit(np.einsum, "cok,co->ck", counts, lut)
            cnt = np.einsum("cok,co->ck", counts, valid)
            none = None
            if nc_tab is not None:                         # one option column: a slice, not a third product
                j = int(np.flatnonzero(nc_tab.any(axis=0))[0])
                none = (counts[:, j, :] * nc_tab[:, j][:, None]).T
            return sums.result().T, cnt.T, none            # (entrant·stage, criterion) views
    # many distinct options: per-row points and two weighted bincounts over (entrant, stage, criterion)
    flat = np.multiply(c, n_o, dtype=np.int64)
    flat += o
    pts, ok = lut.ravel()[flat], valid.ravel()[flat]
    key = np.multiply(e, n_s * n_c, dtype=np.int64)
    if n_s > 1:
        key += np.multiply(s, n_c, dtype=np.int64)
    key += c
    size = n_er * n_s * n_c
    none = (np.bincount(key, weights=nc_tab.ravel()[flat], minlength=size).reshape(n_er * n_s, n_c)
            if nc_tab is not None else None)
    return (np.bincount(key, weights=pts, minlength=size).reshape(n_er * n_s, n_c),
            np.bincount(key, weights=ok, minlength=size).reshape(n_er * n_s, n_c), none)


def _real_points(e: np.ndarray, s: np.ndarray, c: np.ndarray, real_value: pl.Series, real_codes: list[int],
                 thresholds: list[pl.DataFrame], dims: tuple[int, int, int], o: np.ndarray | None = None,
                 no_case_code: int | None = None, no_case_ok: np.ndarray | None = None
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Per (entrant·stage, criterion): Σ points and count of the nilai-riil values (thresholds, highest min_value
    not above the value; below every threshold earns 0; no value earns nothing and is not counted). A row
    answered "tidak ada kasus" (option code `no_case_code`) of a criterion that allows it (`no_case_ok`, per
    criterion code) earns nothing whatever value it carries."""
    n_er, n_s, n_c = dims
    is_real = np.zeros(n_c, dtype=bool)
    is_real[real_codes] = True
    rows = is_real[c]
    if o is not None and no_case_code is not None and no_case_ok is not None:
        rows &= ~((o == no_case_code) & no_case_ok[c])
    idx = np.flatnonzero(rows)
    rc = c[idx]
    v = real_value.gather(pl.Series(idx, dtype=pl.UInt64)).to_numpy()
    pts, ok = np.zeros(len(idx)), ~np.isnan(v)
    for code, thr in zip(real_codes, thresholds, strict=True):
        m = rc == code
        mins, tp = thr["min_value"].cast(pl.Float64).to_numpy(), thr["points"].cast(pl.Float64).to_numpy()
        vv = v[m]
        j = np.searchsorted(mins, vv, side="right") - 1
        got = tp[np.clip(j, 0, None)] if len(tp) else np.zeros(len(vv))
        pts[m] = np.where(np.isnan(vv) | (j < 0), 0.0, got)
    key = (e[idx].astype(np.int64) * n_s + s[idx]) * n_c + rc
    size = n_er * n_s * n_c
    return (np.bincount(key, weights=pts, minlength=size).reshape(n_er * n_s, n_c),
            np.bincount(key, weights=ok.astype(np.float64), minlength=size).reshape(n_er * n_s, n_c))


def _lookup(labels: pl.DataFrame, known: list[str]) -> np.ndarray:
    """code → position in `known` (len(known) for a label not known); the last entry serves a null code."""
    codes = labels["code"].to_numpy().astype(np.int64)
    size = int(codes.max()) + 2 if len(codes) else 1
    out = np.full(size, len(known), dtype=np.uint32)
    pos = labels["label"].replace_strict(known, list(range(len(known))), default=len(known),
                                         return_dtype=pl.UInt32).to_numpy()
    out[codes] = pos
    return out


def _coded_keys(codes: pl.Series, labels: pl.DataFrame, known: list[str]) -> np.ndarray:
    """uint32 positions in `known` of a stored code column: one gather through a table as long as the codes."""
    table = _lookup(labels, known)
    if codes.null_count():
        codes = codes.fill_null(len(table) - 1)
    return table[codes.to_numpy()]


def dense_scores(scores: pl.LazyFrame, criteria: pl.DataFrame, options: pl.DataFrame, thresholds: pl.DataFrame,
           sections: pl.DataFrame, stages: pl.DataFrame, entrant_ids: pl.Series,
           coded: CodedScores | None = None) -> dict[str, Any]:
    """Sections, stage totals, fields, the raw wide per-entrant columns and usable-score counts (mean only).

    Frames come sorted as the general path sorts them; `wide` holds entrant_id, total, total_<stage>..., sec_<id>...
    (unrounded) for entrants with a total, and `counts` entrant_id, stage, entered, max_judges. With `coded`
    (the store's integer codes of the same rows as `scores`) the codes are counted as they are.
    """
    stage_names = stages["stage"].to_list()
    crit_ids = criteria["criterion_id"].to_list()
    real_ids = criteria.filter(pl.col("kind") == "real")["criterion_id"].to_list()
    opt_ids = option_ids(options, criteria)
    if coded is not None:
        return _dense_from_codes(coded, criteria, options, thresholds, sections, stages, entrant_ids,
                                 (stage_names, crit_ids, real_ids, opt_ids))
    df = scores.select(["entrant_id", "stage", "criterion_id", "option_code"]
                       + (["real_value"] if real_ids else [])).collect()
    n_rows = df.height
    n_crit = len(crit_ids)
    cache: dict[tuple[str, str], pl.Series] = {}
    if isinstance(df.schema["entrant_id"], pl.Categorical):
        _categories(df["entrant_id"], cache)      # listed once, before both threads need it
    with ThreadPoolExecutor(max_workers=1) as pool:  # String keys: the entrant cast beside the other columns
        jobs = [(df["criterion_id"], crit_ids), (df["stage"], stage_names)]
        c_job = pool.submit(lambda js: [_key_codes(col, known, cache) for col, known in js], jobs)
        e, e_labels = _entrant_codes(df["entrant_id"], entrant_ids, cache)
        e, e_labels = _known_entrants(e, e_labels, entrant_ids)
        o = _key_codes(df["option_code"], opt_ids, cache)
        c, s = c_job.result()
    c, s = _retire_dead_stages(c, s, len(stage_names), n_crit)
    return _counted(e, s, c, o, df["real_value"] if real_ids else None, e_labels, criteria, options, thresholds,
                    sections, stages, (stage_names, crit_ids, real_ids, opt_ids), n_rows)


def _dense_from_codes(coded: CodedScores, criteria: pl.DataFrame, options: pl.DataFrame, thresholds: pl.DataFrame,
                      sections: pl.DataFrame, stages: pl.DataFrame, entrant_ids: pl.Series,
                      known: tuple[list[str], list[str], list[str], list[str]]) -> dict[str, Any]:
    """`dense_scores` from stored codes: each key column goes through one lookup table to its position."""
    stage_names, crit_ids, real_ids, opt_ids = known
    df = coded.codes
    n_crit = len(crit_ids)
    e_labels = entrant_ids.cast(pl.String).drop_nulls().unique(maintain_order=True)
    e = _coded_keys(df["entrant_no"], coded.labels["entrant_id"], e_labels.to_list())
    c = _coded_keys(df["criterion_no"], coded.labels["criterion_id"], crit_ids)
    s = _coded_keys(df["stage_no"], coded.labels["stage"], stage_names)
    o = _coded_keys(df["option_no"], coded.labels["option_code"], opt_ids)
    c, s = _retire_dead_stages(c, s, len(stage_names), n_crit)
    return _counted(e, s, c, o, df["real_value"] if real_ids else None, e_labels, criteria, options, thresholds,
                    sections, stages, known, df.height)


def _retire_dead_stages(c: np.ndarray, s: np.ndarray, n_stages: int, n_crit: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows of a stage this run does not score (code `n_stages`: not in its stage list) earn nothing: they go to
    the spare criterion slot `n_crit` of stage 0, which no section counts. Both paths (string and coded keys)
    call this, so they drop such rows identically."""
    dead = s == n_stages
    if dead.any():
        c = np.where(dead, np.uint32(n_crit), c)
        s = np.where(dead, np.uint32(0), s)
    return c, s


def _counted(e: np.ndarray, s: np.ndarray, c: np.ndarray, o: np.ndarray, real_value: pl.Series | None,
             e_labels: pl.Series, criteria: pl.DataFrame, options: pl.DataFrame, thresholds: pl.DataFrame,
             sections: pl.DataFrame, stages: pl.DataFrame, known: tuple[list[str], list[str], list[str], list[str]],
             n_rows: int) -> dict[str, Any]:
    """From the four code arrays (and the nilai-riil values) to the per-entrant frames."""
    stage_names, crit_ids, real_ids, opt_ids = known
    n_crit, n_s = len(crit_ids), max(1, len(stage_names))
    n_c, n_o = n_crit + 1, len(opt_ids) + 1          # the last code of each: null or unknown (earns nothing)
    n_e = len(e_labels)
    n_er = n_e + 1                                    # the last entrant row: null entrant (dropped)
    c_pos = {cid: i for i, cid in enumerate(crit_ids)}
    lut, valid = point_tables(options, crit_ids, real_ids, opt_ids)
    nc_tab = no_case_table(criteria, opt_ids)
    nc_code = opt_ids.index(NO_CASE) if nc_tab is not None else None
    with ThreadPoolExecutor(max_workers=1) as pool:   # nilai-riil rows beside the option counts
        real = (pool.submit(_real_points, e, s, c, real_value, [c_pos[r] for r in real_ids],
                            [thresholds.filter(pl.col("criterion_id") == r).sort("min_value") for r in real_ids],
                            (n_er, n_s, n_c), o, nc_code, None if nc_tab is None else np.asarray(nc_tab.any(axis=1)))
                if real_ids and real_value is not None else None)
        sums, cnt, none = _choice_counts(e, s, c, o, (n_er, n_s, n_c, n_o), lut, valid, nc_tab)
        if real is not None:
            r_sums, r_cnt = real.result()
            sums += r_sums
            cnt += r_cnt
    del e, s, c, o
    sums, cnt = sums[: n_e * n_s, :n_crit], cnt[: n_e * n_s, :n_crit]   # drop the null entrant and dead criterion
    if none is not None:
        none = none[: n_e * n_s, :n_crit]
    counts = DenseCounts(sums, cnt, e_labels, n_rows, none)
    return _dense_frames(sums, cnt, e_labels, criteria, sections, stages, n_rows, none) | {"dense": counts}


def point_tables(options: pl.DataFrame, crit_ids: list[str], real_ids: list[str], opt_ids: list[str]
                 ) -> tuple[np.ndarray, np.ndarray]:
    """(criterion, option) → points and 1.0 where the choice earns points, with one more row and column for a
    null or unknown criterion and option (earning nothing); nilai-riil criteria earn nothing by option."""
    n_c, n_o = len(crit_ids) + 1, len(opt_ids) + 1
    c_pos = {cid: i for i, cid in enumerate(crit_ids)}
    o_pos = {oc: i for i, oc in enumerate(opt_ids)}
    lut = np.zeros((n_c, n_o))
    valid = np.zeros((n_c, n_o))
    real_set = set(real_ids)
    for cid, oc, pts in options.select("criterion_id", "option_code", "points").iter_rows():
        if pts is not None and cid in c_pos and cid not in real_set and oc in o_pos:
            lut[c_pos[cid], o_pos[oc]] = pts
            valid[c_pos[cid], o_pos[oc]] = 1.0
    return lut, valid


@dataclass(frozen=True)
class DenseCounts:
    """What the dense path counted, before any per-entrant frame: per (entrant·stage, criterion) the sum of the
    judges' points and the number of scores that earned points (rows: entrant i of `e_labels` × stage j at
    i·n_stages + j; columns: the instrument's criteria in order). `scoring.incremental` changes single cells
    after a save and builds the frames again from them (`dense_frames`)."""

    sums: np.ndarray
    cnt: np.ndarray
    e_labels: pl.Series
    n_rows: int
    none: np.ndarray | None = None   # allowed "tidak ada kasus" answers per cell (None: no criterion allows it)

    def copy(self) -> DenseCounts:
        """Writable copies of the arrays, in the same memory layout (the matrix products then add in the same
        order, so results equal a full count's to the bit)."""
        return DenseCounts(np.array(self.sums, order="K", copy=True), np.array(self.cnt, order="K", copy=True),
                           self.e_labels, self.n_rows,
                           None if self.none is None else np.array(self.none, order="K", copy=True))


def dense_frames(counts: DenseCounts, criteria: pl.DataFrame, sections: pl.DataFrame,
                 stages: pl.DataFrame) -> dict[str, Any]:
    """`dense_scores`' frames from counts already made (a full count, or one changed after saves)."""
    return _dense_frames(counts.sums, counts.cnt, counts.e_labels, criteria, sections, stages,
                         counts.n_rows, counts.none) | {"dense": counts}


def _labelled(index: dict[str, np.ndarray], e_labels: pl.Series, stage_lab: pl.Series, sec_info: pl.DataFrame,
              values: dict[str, pl.Series], columns: list[str]) -> pl.DataFrame:
    """A frame of `values` with label columns gathered by the row's entrant (_e), stage (_s) and section (_k) index.

    One select, so Polars gathers the string columns in parallel.
    """
    frame = pl.DataFrame({k: pl.Series(v, dtype=pl.UInt32) for k, v in index.items()} | values)
    label = {"entrant_id": pl.lit(e_labels).gather(pl.col("_e")) if "_e" in index else None,
             "stage": pl.lit(stage_lab).gather(pl.col("_s")) if "_s" in index else None}
    if "_k" in index:
        for name in ("section_id", "spm_field", "n_criteria"):
            label[name] = pl.lit(sec_info[name]).gather(pl.col("_k"))
    return frame.select([e.alias(c) if (e := label.get(c)) is not None else pl.col(c) for c in columns])


def _dense_frames(sums: np.ndarray, cnt: np.ndarray, e_labels: pl.Series, criteria: pl.DataFrame,
                  sections: pl.DataFrame, stages: pl.DataFrame, n_rows: int,
                  none: np.ndarray | None = None) -> dict[str, pl.DataFrame]:
    """From per (entrant·stage, criterion) sums and counts to the engine's per-entrant frames (see `dense_scores`)."""
    stage_names = stages["stage"].to_list()
    n_e, n_s = len(e_labels), max(1, len(stage_names))
    sec_ids = sections["section_id"].to_list()
    n_sec = len(sec_ids)
    crit_sec = criteria["section_id"].to_list()
    ind = np.zeros((len(crit_sec), n_sec))
    ind[np.arange(len(crit_sec)), [sec_ids.index(x) for x in crit_sec]] = 1.0
    w = criteria["weight"].to_numpy().astype(np.float64)[:, None]
    mx = criteria["max_points"].to_numpy().astype(np.float64)[:, None]
    has = cnt > 0
    mean = np.divide(sums, cnt, out=np.zeros_like(sums), where=has)
    hasf = has.astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        num = mean @ (ind * w)
        den = hasf @ (ind * w * mx)
        n_scored = hasf @ ind                                     # (entrant·stage, section)
        row = n_scored > 0                                        # a section row exists
        scored = row & (den > 0)                                  # ... and has a score_pct
        pct = np.where(scored, 100.0 * num / np.where(scored, den, 1.0), np.nan)
        sec_w = sections["weight"].to_numpy().astype(np.float64)
        w_total = float(sec_w.sum()) or 1.0
        wsum = scored.astype(np.float64) @ sec_w                  # Σ weights of the sections scored
        n_sections = scored.sum(axis=1)
        t_row = n_sections > 0                                    # a stage-total row exists
        total = (np.where(scored, pct, 0.0) @ sec_w) / np.where(t_row, wsum, 1.0)
        total = np.where(t_row & np.isfinite(total) & (wsum != 0), total, np.nan)
        # stages combined, renormalised over the stages where the value exists
        sw = stages["weight"].to_numpy().astype(np.float64) if stage_names else np.ones(1)
        tot3 = total.reshape(n_e, n_s)
        t_ok = ~np.isnan(tot3)
        t_w = t_ok @ sw
        overall = np.where(t_w > 0, np.where(t_ok, tot3, 0.0) @ sw / np.where(t_w > 0, t_w, 1.0), np.nan)
        in_overall = t_row.reshape(n_e, n_s).any(axis=1)
        pct3, sc3 = pct.reshape(n_e, n_s, n_sec), scored.reshape(n_e, n_s, n_sec)
        f_w = np.einsum("esk,s->ek", sc3.astype(np.float64), sw)
        f_val = np.einsum("esk,s->ek", np.where(sc3, pct3, 0.0), sw)
        fields = np.where(f_w > 0, f_val / np.where(f_w > 0, f_w, 1.0), np.nan)
        f_row = np.asarray(row.reshape(n_e, n_s, n_sec).any(axis=1))

    # output order: entrant label, stage label, section id (as the general path sorts)
    e_ord = e_labels.arg_sort().to_numpy()
    s_ord = np.argsort(np.array(stage_names, dtype=object), kind="stable") if stage_names else np.zeros(1, int)
    k_ord = np.argsort(np.array(sec_ids, dtype=object), kind="stable") if sec_ids else np.zeros(0, int)
    stage_lab = pl.Series("stage", stage_names or [None], dtype=pl.String)
    crit_field = criteria.group_by("section_id", maintain_order=True).agg(
        pl.len().cast(pl.Int32).alias("n_criteria"), pl.col("spm_field").drop_nulls().first().alias("_cf"))
    sec_info = sections.select("section_id", "spm_field").join(crit_field, on="section_id", how="left").select(
        "section_id", pl.coalesce("spm_field", "_cf").alias("spm_field"), pl.col("n_criteria").fill_null(0))

    def nan_null(a: np.ndarray) -> pl.Series:
        return pl.Series(a, dtype=pl.Float64).fill_nan(None)

    # sections: entrant × stage × section rows in output order
    ei, si, ki = (x.ravel() for x in np.meshgrid(e_ord, s_ord, k_ord, indexing="ij"))
    keep = row[ei * n_s + si, ki]
    ei, si, ki = ei[keep], si[keep], ki[keep]
    rk = ei * n_s + si
    secs = _labelled({"_e": ei, "_s": si, "_k": ki}, e_labels, stage_lab, sec_info, {
        "score_pct": nan_null(pct[rk, ki]), "n_scored": pl.Series(n_scored[rk, ki], dtype=pl.Int32)},
        ["entrant_id", "stage", "section_id", "spm_field", "score_pct", "n_scored", "n_criteria"])
    # stage totals
    ei, si = (x.ravel() for x in np.meshgrid(e_ord, s_ord, indexing="ij"))
    keep = t_row[ei * n_s + si]
    ei, si = ei[keep], si[keep]
    rk = ei * n_s + si
    totals = _labelled({"_e": ei, "_s": si}, e_labels, stage_lab, sec_info, {
        "total": nan_null(total[rk]), "n_sections": pl.Series(n_sections[rk], dtype=pl.Int32),
        "n_sections_total": pl.Series(np.full(len(rk), n_sec), dtype=pl.Int32),
        "weight_covered": pl.Series(100.0 * wsum[rk] / w_total, dtype=pl.Float64)},
        ["entrant_id", "stage", "total", "n_sections", "n_sections_total", "weight_covered"])
    # fields (sections with stages combined)
    ei, ki = (x.ravel() for x in np.meshgrid(e_ord, k_ord, indexing="ij"))
    keep = f_row[ei, ki]
    ei, ki = ei[keep], ki[keep]
    fields_df = _labelled({"_e": ei, "_k": ki}, e_labels, stage_lab, sec_info,
                          {"score_pct": nan_null(fields[ei, ki])}, ["entrant_id", "section_id", "spm_field", "score_pct"])
    # the per-entrant columns of the official table (unrounded), for entrants with a stage total
    ew = e_ord[in_overall[e_ord]]
    cols: dict[str, pl.Series] = {"entrant_id": e_labels.gather(ew), "total": nan_null(overall[ew])}
    for j, st in enumerate(stage_names):
        cols[f"total_{st}"] = nan_null(tot3[ew, j])
    for k, sid in enumerate(sec_ids):
        cols[f"sec_{sid}"] = nan_null(np.where(f_row[ew, k], fields[ew, k], np.nan))
    wide = pl.DataFrame(cols)
    # answers per entrant × stage (completeness): scores that earned points and allowed "tidak ada kasus"
    answered = cnt if none is None else cnt + none
    entered = answered.sum(axis=1)
    rows = np.flatnonzero(entered > 0)
    counts = pl.DataFrame({
        "entrant_id": e_labels.gather(rows // n_s), "stage": stage_lab.gather(rows % n_s),
        "entered": pl.Series(entered[rows], dtype=pl.Int64),
        "max_judges": pl.Series(answered.max(axis=1)[rows] if answered.shape[1] else np.zeros(len(rows)),
                                dtype=pl.Int64),
    })
    return {"sections": secs, "stage_totals": totals, "fields": fields_df, "wide": wide, "counts": counts}
