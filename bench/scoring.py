"""Benchmark: the scoring engine against a pandas baseline and a hand-written DuckDB query, at national size.

    .venv/bin/python bench/scoring.py --simulate                     # 300,000 posyandu × 60 criteria × 3 judges
    .venv/bin/python bench/scoring.py --path var/national.duckdb      # open (or build) the national store
    .venv/bin/python bench/scoring.py --simulate --n-posyandu 20000   # a quick run

All three compute the same thing from the same raw choices: points (options and nilai-riil thresholds) →
mean over judges per criterion → section share of the maximum → weighted stage total → stages combined →
rank on the total rounded to 2 decimals. The engine is `scoring.engine.score_competition` (which also builds
strata, awards, completeness and the per-section columns of the official table); pandas is the groupby/merge
code an analyst would write; SQL is one query over a DuckDB in-memory table. Each runs in its own child
process so memory figures do not leak between them (`--no-isolate` runs all in this process). Loading the
inputs is not timed: each implementation starts from the data in its own native form (Polars frame, pandas
frame, DuckDB table).

Memory: the peak increase of the process's resident set size (RSS, /proc/self/statm sampled every 5 ms)
during the timed call, over the RSS just before it; this counts Polars', pandas' and DuckDB's native
allocations, which tracemalloc cannot see. The child's lifetime peak (getrusage ru_maxrss), which includes
the loaded inputs, is reported too.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import polars as pl  # noqa: E402

from scoring.aggregate import combined  # noqa: E402
from scoring.config import ScoringConfig  # noqa: E402
from scoring.engine import CompetitionInputs, score_competition  # noqa: E402
from scoring.frames import ASSIGNMENTS_SCHEMA, SCORES_SCHEMA  # noqa: E402
from scoring.instrument import criteria_frame, options_frame, sections_frame, thresholds_frame  # noqa: E402

IMPLS = ("engine", "pandas", "sql")
PAGE = os.sysconf("SC_PAGE_SIZE")


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE


class PeakRss:
    """Samples RSS in a thread while the block runs; `.delta` is the peak increase over the start and `.cpu`
    the CPU seconds (user + system, every thread) the process spent in the block. On a shared machine CPU time
    is the steadier figure: wall time also counts the time other processes held the cores."""

    def __enter__(self) -> PeakRss:
        self.start = rss_bytes()
        self.peak = self.start
        ru = resource.getrusage(resource.RUSAGE_SELF)
        self._cpu0 = ru.ru_utime + ru.ru_stime
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)
        self._t.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_bytes())
            time.sleep(0.005)

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._t.join()
        self.peak = max(self.peak, rss_bytes())
        self.delta = self.peak - self.start
        ru = resource.getrusage(resource.RUSAGE_SELF)
        self.cpu = ru.ru_utime + ru.ru_stime - self._cpu0  # all threads; includes the 5 ms sampler (tiny)


# ---------------------------------------------------------------------------------------------- inputs
def load_inputs(args: argparse.Namespace) -> CompetitionInputs:
    """The national competition: simulated in memory, or read from (after building, if needed) a store."""
    if args.simulate:
        from scoring.simulate import simulate_competition

        stages = ("administrasi", "lapangan")[-args.stages:] if args.stages <= 2 else ("administrasi", "lapangan")
        weights = (100.0,) if len(stages) == 1 else (40.0, 60.0)
        panel = args.panel or max(args.judges, args.n_posyandu // 100)
        sim = simulate_competition(args.n_posyandu, args.criteria, panel, args.judges, seed=args.seed,
                                   stages=stages, stage_weights=weights)
        return CompetitionInputs(sim.instrument, sim.scores, sim.entrants, sim.stages,
                                 pl.DataFrame(schema=ASSIGNMENTS_SCHEMA))
    from data.store import reads

    path = Path(args.path)
    if not path.exists():
        from demo.national import build_national

        print(f"building {path} with {args.n_posyandu:,} posyandu (once)…", file=sys.stderr)
        build_national(path, n_posyandu=args.n_posyandu)
    con = duckdb.connect(str(path), read_only=True)
    try:
        if args.competition:
            return reads.competition_inputs(con, args.competition)
        # Every competition in the store scored as one national table (the national store holds one contest
        # per province on one instrument): 300,000 posyandu in one engine run.
        comps = [r[0] for r in con.sql("SELECT DISTINCT competition_id FROM scores ORDER BY 1").fetchall()]
        instruments = {r[0] for r in con.sql(
            "SELECT DISTINCT instrument_id FROM competitions WHERE competition_id IN "
            "(SELECT DISTINCT competition_id FROM scores)").fetchall()}
        if len(instruments) != 1:
            raise SystemExit(f"the store's competitions use {len(instruments)} instruments; pass --competition")
        from data.instruments.persistence import read_instrument

        scores = reads._frame(con, "SELECT entrant_id, stage, judge_id, criterion_id, option_code, real_value "
                                   "FROM scores", None, SCORES_SCHEMA)
        entrants = pl.concat([reads.entrants_frame(con, c) for c in comps], how="vertical_relaxed")
        stages = pl.concat([reads.stages_frame(con, c) for c in comps]).unique("stage", keep="first")
        return CompetitionInputs(read_instrument(con, instruments.pop()), scores, entrants, stages,
                                 pl.DataFrame(schema=ASSIGNMENTS_SCHEMA))
    finally:
        con.close()


KEY_COLUMNS = ("entrant_id", "stage", "judge_id", "criterion_id", "option_code")


def engine_keys(args: argparse.Namespace) -> str:
    """How the engine's key columns arrive: string (as data/reads.py delivers today), categorical or enum."""
    return "categorical" if args.categorical else args.keys


def coded_keys(inputs: CompetitionInputs, keys: str) -> CompetitionInputs:
    """The scores with integer-coded key columns, as a store read can deliver them (not timed).

    categorical: what a DuckDB ENUM column becomes in Polars (`.pl()` gives a Categorical); enum: a Polars Enum
    over the known values (entrants, the instrument's criteria and options, the stages, the judges present), the
    form a read keyed on the store's dimension tables gives. Values outside the lists would become null, so the
    lists are the union of the known values and those present.
    """
    scores = inputs.scores.collect() if isinstance(inputs.scores, pl.LazyFrame) else inputs.scores
    if keys == "categorical":
        return CompetitionInputs(inputs.instrument, scores.with_columns(pl.col(list(KEY_COLUMNS)).cast(pl.Categorical)),
                                 inputs.entrants, inputs.stages, inputs.assignments)
    entrants = inputs.entrants.collect() if isinstance(inputs.entrants, pl.LazyFrame) else inputs.entrants
    stages = inputs.stages.collect() if isinstance(inputs.stages, pl.LazyFrame) else inputs.stages
    known = {"entrant_id": entrants["entrant_id"], "stage": stages["stage"],
             "criterion_id": criteria_frame(inputs.instrument)["criterion_id"],
             "option_code": options_frame(inputs.instrument)["option_code"], "judge_id": pl.Series([], dtype=pl.String)}
    cats = {k: pl.concat([v.cast(pl.String), scores[k].unique().cast(pl.String)]).drop_nulls()
            .unique(maintain_order=True) for k, v in known.items()}
    return CompetitionInputs(inputs.instrument, scores.with_columns(pl.col(k).cast(pl.Enum(cats[k])) for k in KEY_COLUMNS),
                             inputs.entrants, inputs.stages, inputs.assignments)


# ------------------------------------------------------------------------------------ implementations
def run_engine(inputs: CompetitionInputs, config: ScoringConfig) -> tuple[float, tuple[int, float], pl.DataFrame]:
    gc.collect()
    with PeakRss() as mem:
        t0 = time.perf_counter()
        res = score_competition(inputs, config)
        wall = time.perf_counter() - t0
    # Unrounded totals for the agreement check (not timed): the engine's own stage totals combined.
    total = combined(res.stage_totals.select("entrant_id", "stage", "total"), inputs.stages, ["total"],
                     keys=["entrant_id"]).rename({"total": "total_raw"})
    out = res.table.select("entrant_id", "total", "rank").join(total, on="entrant_id", how="left")
    return wall, (mem.delta, mem.cpu), out


def pandas_frames(inputs: CompetitionInputs) -> dict[str, pd.DataFrame]:
    inst = inputs.instrument
    scores = inputs.scores.collect() if isinstance(inputs.scores, pl.LazyFrame) else inputs.scores
    stages = inputs.stages.collect() if isinstance(inputs.stages, pl.LazyFrame) else inputs.stages
    return {"scores": scores.to_pandas(), "criteria": criteria_frame(inst).to_pandas(),
            "options": options_frame(inst).to_pandas(), "thresholds": thresholds_frame(inst).to_pandas(),
            "sections": sections_frame(inst).to_pandas(), "stages": stages.to_pandas()}


def pandas_totals(f: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The same totals the way an analyst would write them in pandas: merges and groupbys."""
    s = f["scores"].merge(f["criteria"][["criterion_id", "kind"]], on="criterion_id", how="inner")
    choice = s[s["kind"] == "choice"].merge(f["options"][["criterion_id", "option_code", "points"]],
                                            on=["criterion_id", "option_code"], how="left")
    real = s[(s["kind"] == "real") & s["real_value"].notna()].sort_values("real_value")
    if len(real):
        thr = f["thresholds"].sort_values("min_value")
        real = pd.merge_asof(real, thr, left_on="real_value", right_on="min_value", by="criterion_id")
        real["points"] = real["points"].fillna(0.0)
        pts = pd.concat([choice, real[choice.columns]], ignore_index=True)
    else:
        pts = choice
    pts = pts[pts["points"].notna()]
    crit = pts.groupby(["entrant_id", "stage", "criterion_id"], as_index=False)["points"].mean()
    crit = crit.merge(f["criteria"][["criterion_id", "section_id", "weight", "max_points"]], on="criterion_id")
    crit["wp"] = crit["weight"] * crit["points"]
    crit["wm"] = crit["weight"] * crit["max_points"]
    sec = crit.groupby(["entrant_id", "stage", "section_id"], as_index=False)[["wp", "wm"]].sum()
    sec = sec[sec["wm"] > 0]
    sec["pct"] = 100.0 * sec["wp"] / sec["wm"]
    sec = sec.merge(f["sections"][["section_id", "weight"]], on="section_id")
    sec["x"] = sec["weight"] * sec["pct"]
    st = sec.groupby(["entrant_id", "stage"], as_index=False)[["x", "weight"]].sum()
    st["total"] = st["x"] / st["weight"]
    st = st.merge(f["stages"][["stage", "weight"]].rename(columns={"weight": "sw"}), on="stage")
    st["y"] = st["sw"] * st["total"]
    tot = st.groupby("entrant_id", as_index=False)[["y", "sw"]].sum()
    tot["total_raw"] = tot["y"] / tot["sw"]
    scaled = (tot["total_raw"] * 100).round(6)
    tot["total"] = np.sign(scaled) * np.floor(np.abs(scaled) + 0.5) / 100
    tot["rank"] = tot["total"].rank(method="min", ascending=False).astype("int64")
    return tot[["entrant_id", "total", "rank", "total_raw"]]


def run_pandas(inputs: CompetitionInputs) -> tuple[float, tuple[int, float], pl.DataFrame]:
    frames = pandas_frames(inputs)
    gc.collect()
    with PeakRss() as mem:
        t0 = time.perf_counter()
        tot = pandas_totals(frames)
        wall = time.perf_counter() - t0
    return wall, (mem.delta, mem.cpu), pl.from_pandas(tot)


SQL = """
WITH pts AS (
    SELECT s.entrant_id, s.stage, s.criterion_id,
           CASE WHEN k.kind = 'real' THEN CASE WHEN s.real_value IS NOT NULL THEN coalesce(t.points, 0) END
                ELSE o.points END AS points
    FROM scores s
    JOIN criteria k USING (criterion_id)
    LEFT JOIN options o ON o.criterion_id = s.criterion_id AND o.option_code = s.option_code
    ASOF LEFT JOIN thresholds t ON t.criterion_id = s.criterion_id AND s.real_value >= t.min_value
),
crit AS (
    SELECT entrant_id, stage, criterion_id, avg(points) AS points
    FROM pts WHERE points IS NOT NULL GROUP BY ALL
),
sec AS (
    SELECT c.entrant_id, c.stage, k.section_id,
           100.0 * sum(k.weight * c.points) / sum(k.weight * k.max_points) AS pct
    FROM crit c JOIN criteria k USING (criterion_id)
    GROUP BY ALL HAVING sum(k.weight * k.max_points) > 0
),
st AS (
    SELECT entrant_id, stage, sum(w.weight * pct) / sum(w.weight) AS total
    FROM sec JOIN sections w USING (section_id) GROUP BY ALL
),
tot AS (
    SELECT entrant_id, sum(g.weight * total) / sum(g.weight) AS total_raw
    FROM st JOIN stages g USING (stage) GROUP BY ALL
)
SELECT entrant_id, round(round(total_raw * 100, 6)) / 100 AS total,
       rank() OVER (ORDER BY round(round(total_raw * 100, 6)) DESC) AS rank, total_raw
FROM tot
"""


def run_sql(inputs: CompetitionInputs) -> tuple[float, tuple[int, float], pl.DataFrame]:
    inst = inputs.instrument
    con = duckdb.connect()
    scores = inputs.scores.collect() if isinstance(inputs.scores, pl.LazyFrame) else inputs.scores
    stages = inputs.stages.collect() if isinstance(inputs.stages, pl.LazyFrame) else inputs.stages
    for name, frame in (("scores", scores), ("criteria", criteria_frame(inst)), ("options", options_frame(inst)),
                        ("thresholds", thresholds_frame(inst)), ("sections", sections_frame(inst)),
                        ("stages", stages)):
        con.register("_src", frame)
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM _src")  # table names are constants
        con.unregister("_src")
    del scores
    gc.collect()
    with PeakRss() as mem:
        t0 = time.perf_counter()
        out = con.sql(SQL).pl()
        wall = time.perf_counter() - t0
    con.close()
    return wall, (mem.delta, mem.cpu), out


# ------------------------------------------------------------------------------------------- driver
def run_one(impl: str, args: argparse.Namespace, out_dir: Path) -> dict:
    t0 = time.perf_counter()
    inputs = load_inputs(args)
    load_s = time.perf_counter() - t0
    n_rows = (inputs.scores.select(pl.len()).collect().item() if isinstance(inputs.scores, pl.LazyFrame)
              else inputs.scores.height)
    walls, mems, cpus = [], [], []
    result = None
    keys_s = 0.0
    if impl == "engine" and engine_keys(args) != "string":
        t1 = time.perf_counter()
        inputs = coded_keys(inputs, engine_keys(args))
        keys_s = time.perf_counter() - t1
    for _ in range(args.repeat if impl != "pandas" else 1):
        if impl == "engine":
            wall, mem, result = run_engine(inputs, ScoringConfig())
        elif impl == "pandas":
            wall, mem, result = run_pandas(inputs)
        else:
            wall, mem, result = run_sql(inputs)
        walls.append(wall)
        mems.append(mem[0])
        cpus.append(mem[1])
    assert result is not None
    result.select("entrant_id", pl.col("total").cast(pl.Float64), pl.col("rank").cast(pl.Int64),
                  pl.col("total_raw").cast(pl.Float64)).write_parquet(out_dir / f"{impl}.parquet")
    return {"impl": impl, "wall_s": min(walls), "walls_s": walls, "cpu_s": min(cpus), "cpus_s": cpus,
            "peak_rss_delta_gb": max(mems) / 1e9,
            "child_maxrss_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e9,
            "load_s": load_s, "keys_cast_s": keys_s, "n_scores": n_rows, "n_entrants": result.height}


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9
    return {"nproc": os.cpu_count(), "ram_gb": round(mem_gb, 1), "cpu": cpu, "python": platform.python_version(),
            "polars": pl.__version__, "pandas": pd.__version__, "duckdb": duckdb.__version__,
            "numpy": np.__version__, "kernel": platform.release(), "load_avg_1m_5m_15m": os.getloadavg(),
            "commit": _git_commit()}


def _git_commit() -> str:
    """The commit benchmarked, with '+dirty' when scoring/ has uncommitted changes."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "scoring"], cwd=ROOT, capture_output=True,
                               text=True, check=True).stdout.strip()
        return head + ("+dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def agreement(out_dir: Path, impls: list[str]) -> dict:
    frames = {i: pl.read_parquet(out_dir / f"{i}.parquet") for i in impls}
    ref = frames.get("engine")
    if ref is None:
        return {}
    out = {}
    for i, f in frames.items():
        if i == "engine":
            continue
        j = ref.join(f, on="entrant_id", how="full", suffix=f"_{i}", coalesce=True)
        out[i] = {
            "entrants_missing": int(j.filter(pl.col("total").is_null() ^ pl.col(f"total_{i}").is_null()).height),
            "max_abs_diff_raw": float(j.select((pl.col("total_raw") - pl.col(f"total_raw_{i}")).abs().max()).item()
                                      or 0.0),
            # printed totals are equal when they differ by less than a billionth (last-bit noise of x / 100)
            "rounded_totals_differ": int(j.filter((pl.col("total") - pl.col(f"total_{i}")).abs().gt(1e-9)
                                                  .fill_null(True)).height),
            "ranks_differ": int(j.filter(pl.col("rank").ne_missing(pl.col(f"rank_{i}"))).height),
        }
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    src = p.add_mutually_exclusive_group()
    src.add_argument("--path", default=str(ROOT / "var" / "national.duckdb"),
                     help="national store to open (built with build_national if missing); all its "
                          "competitions are scored as one table unless --competition is given")
    src.add_argument("--simulate", action="store_true", help="simulate the frames in memory (scoring.simulate)")
    p.add_argument("--competition", default=None, help="competition id in the store (default: most scores)")
    p.add_argument("--n-posyandu", type=int, default=300_000)
    p.add_argument("--criteria", type=int, default=60)
    p.add_argument("--judges", type=int, default=3)
    p.add_argument("--panel", type=int, default=0, help="judge panel size (default n_posyandu / 100)")
    p.add_argument("--stages", type=int, default=1, choices=(1, 2))
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--repeat", type=int, default=3, help="runs of engine and SQL; the best is reported")
    p.add_argument("--only", default=",".join(IMPLS), help="comma list of engine,pandas,sql")
    p.add_argument("--keys", default="string", choices=("string", "categorical", "enum"),
                   help="key columns the engine gets: String (as data/reads.py delivers them today), Categorical "
                        "(what DuckDB ENUM columns become) or Enum (known values); cast after loading, not timed")
    p.add_argument("--categorical", action="store_true", help="same as --keys categorical")
    p.add_argument("--no-isolate", action="store_true", help="run all implementations in this process")
    p.add_argument("--child", default=None, help=argparse.SUPPRESS)
    p.add_argument("--out-dir", default=None, help=argparse.SUPPRESS)
    p.add_argument("--json", default=None, help="also write the results as JSON here")
    args = p.parse_args(argv)

    if args.child:
        print(json.dumps(run_one(args.child, args, Path(args.out_dir))))
        return 0

    impls = [i for i in args.only.split(",") if i]
    out_dir = Path(tempfile.mkdtemp(prefix="bench-scoring-"))
    results = []
    for impl in impls:
        if args.no_isolate:
            results.append(run_one(impl, args, out_dir))
        else:
            cmd = [sys.executable, __file__, "--child", impl, "--out-dir", str(out_dir)]
            cmd += [a for a in (argv if argv is not None else sys.argv[1:]) if a != "--no-isolate"]
            proc = subprocess.run(cmd, capture_output=True, text=True)
            if proc.returncode != 0:
                print(proc.stderr, file=sys.stderr)
                return proc.returncode
            results.append(json.loads(proc.stdout.strip().splitlines()[-1]))
        r = results[-1]
        runs = ", ".join(f"{w:.2f}" for w in r["walls_s"])
        print(f"{r['impl']:>7}: {r['wall_s']:8.2f} s wall, {r['cpu_s']:8.2f} s CPU  peak RSS +{r['peak_rss_delta_gb']:.2f} GB "
              f"(child max {r['child_maxrss_gb']:.2f} GB; inputs loaded in {r['load_s']:.1f} s"
              + (f", keys coded in {r['keys_cast_s']:.1f} s" if r.get("keys_cast_s") else "")
              + f"; runs {runs} s; load average {os.getloadavg()[0]:.1f})", flush=True)

    agree = agreement(out_dir, impls)
    by = {r["impl"]: r for r in results}
    report = {"machine": machine(), "source": "simulate" if args.simulate else args.path,
              "engine_keys": engine_keys(args),
              "n_posyandu": args.n_posyandu, "criteria": args.criteria, "judges": args.judges,
              "results": results, "agreement": agree}
    print(f"load average at the end: {report['machine']['load_avg_1m_5m_15m']}; commit {report['machine']['commit']}")
    print(f"\n{results[0]['n_scores']:,} scores, {results[0]['n_entrants']:,} entrants; machine: "
          f"{report['machine']['nproc']} cores, {report['machine']['ram_gb']} GB, {report['machine']['cpu']}")
    if "engine" in by:
        e = by["engine"]["wall_s"]
        for other in ("pandas", "sql"):
            if other in by:
                print(f"engine vs {other}: {by[other]['wall_s'] / e:.2f}× "
                      f"({'engine faster' if by[other]['wall_s'] > e else 'engine slower'})")
                report[f"ratio_{other}_over_engine"] = by[other]["wall_s"] / e
                c = by[other]["cpu_s"] / by["engine"]["cpu_s"]
                print(f"engine vs {other} in CPU seconds: {c:.2f}×")
                report[f"cpu_ratio_{other}_over_engine"] = c
    for impl, a in agree.items():
        print(f"agreement engine vs {impl}: max |Δ total| before rounding {a['max_abs_diff_raw']:.3g}, "
              f"rounded totals differing {a['rounded_totals_differ']}, ranks differing {a['ranks_differ']}, "
              f"entrants missing {a['entrants_missing']}")
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2))
    ok = all(a["max_abs_diff_raw"] <= 1e-9 or a["rounded_totals_differ"] == 0 for a in agree.values())
    ok = ok and all(a["entrants_missing"] == 0 for a in agree.values())
    print("all implementations agree" if ok else "IMPLEMENTATIONS DISAGREE")
    return 0 if ok else 2


if __name__ == "__main__":
    raise SystemExit(main())
