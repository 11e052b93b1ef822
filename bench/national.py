"""Benchmark: from the national store file to every contest's totals and ranks, as a user waits for it.

    .venv/bin/python -m demo --national --path var/national.duckdb      # once: 300,000 posyandu, 54 M scores
    .venv/bin/python bench/national.py --path var/national.duckdb

Each runs in its own child process, from the same store file (opened read-only), and the clock starts before
the store is opened:
  product  `data.results.competition_results` for every competition in the store (the one door the pages,
           exports and publication use: the coded read, field scores, totals, ranks, awards, strata);
  sql      the best hand-written DuckDB query over the same store (the coded table, one query for all contests:
           points, judge mean per criterion, section shares, weighted totals, rank per contest);
  save     one judge saves one criterion of the largest contest through the judging form's writer, then the next
           page run's results of that contest (`data.results.results_since`, as ui/results.py holds them: brought
           up to date from the save alone), five times, on a copy of the store so the national file stays as built.
Prints wall, CPU (user + system of the child, all threads) and peak memory (the child's ru_maxrss), the ratios,
and checks that product and sql agree on every total (to the printed 2 decimals) and rank, and that the save
path's results equal a full re-score of the saved contest.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402
import polars as pl  # noqa: E402

# Totals: points per raw choice → mean over judges per entrant × stage × criterion → section share of the
# weighted maximum → weighted over sections → weighted over stages; rank on the total rounded to 2 decimals
# (ties share the lowest rank), per contest (and category).
SQL = """
WITH comp AS (
    SELECT kc.no AS competition_no, c.competition_id, c.instrument_id, c.category
    FROM competitions c JOIN key_competition kc USING (competition_id)
),
crit AS (
    SELECT k.no AS criterion_no, ic.instrument_id, ic.section_id, ic.kind, ic.weight, ic.max_points
    FROM instrument_criteria ic JOIN key_criterion k USING (criterion_id)
),
opts AS (
    SELECT k.no AS criterion_no, o.instrument_id, ko.no AS option_no, o.points
    FROM instrument_options o JOIN key_criterion k USING (criterion_id) JOIN key_option ko USING (option_code)
),
thr AS (
    SELECT k.no AS criterion_no, t.instrument_id, t.min_value, t.points
    FROM instrument_thresholds t JOIN key_criterion k USING (criterion_id)
),
stg AS (
    SELECT cs.competition_id, k.no AS stage_no, cs.weight FROM competition_stages cs JOIN key_stage k USING (stage)
),
ent AS (
    SELECT e.competition_id, k.no AS entrant_no, e.entrant_id FROM entrants e JOIN key_entrant k USING (entrant_id)
),
pts AS (
    SELECT s.competition_no, s.entrant_no, s.stage_no, s.criterion_no, cm.instrument_id,
           CASE WHEN k.kind = 'real' THEN
                CASE WHEN s.real_value IS NOT NULL THEN coalesce((
                    SELECT max_by(t.points, t.min_value) FROM thr t
                    WHERE t.instrument_id = cm.instrument_id AND t.criterion_no = s.criterion_no
                      AND t.min_value <= s.real_value), 0) END
                ELSE o.points END AS points
    FROM score_choices s
    JOIN comp cm ON cm.competition_no = s.competition_no
    JOIN crit k ON k.instrument_id = cm.instrument_id AND k.criterion_no = s.criterion_no
    LEFT JOIN opts o ON o.instrument_id = cm.instrument_id AND o.criterion_no = s.criterion_no
                    AND o.option_no = s.option_no
),
per_crit AS (
    SELECT competition_no, entrant_no, stage_no, criterion_no, instrument_id, avg(points) AS points
    FROM pts WHERE points IS NOT NULL GROUP BY ALL
),
sec AS (
    SELECT p.competition_no, p.entrant_no, p.stage_no, k.instrument_id, k.section_id,
           100.0 * sum(k.weight * p.points) / sum(k.weight * k.max_points) AS pct
    FROM per_crit p JOIN crit k USING (instrument_id, criterion_no)
    GROUP BY ALL HAVING sum(k.weight * k.max_points) > 0
),
st AS (
    SELECT s.competition_no, s.entrant_no, s.stage_no, sum(w.weight * s.pct) / sum(w.weight) AS total
    FROM sec s JOIN instrument_sections w USING (instrument_id, section_id) GROUP BY ALL
),
tot AS (
    SELECT cm.competition_id, cm.category, st.entrant_no, sum(g.weight * st.total) / sum(g.weight) AS total_raw
    FROM st JOIN comp cm USING (competition_no)
    JOIN stg g ON g.competition_id = cm.competition_id AND g.stage_no = st.stage_no
    GROUP BY ALL
)
SELECT t.competition_id, e.entrant_id, round(round(t.total_raw * 100, 6)) / 100 AS total,
       rank() OVER (PARTITION BY t.competition_id, t.category ORDER BY round(round(t.total_raw * 100, 6)) DESC)
           AS rank
FROM tot t JOIN ent e ON e.competition_id = t.competition_id AND e.entrant_no = t.entrant_no
"""


def _usage() -> dict:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return {"cpu_s": ru.ru_utime + ru.ru_stime, "maxrss_gb": ru.ru_maxrss * 1024 / 1e9}


def _competitions(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in con.sql("SELECT competition_id FROM key_competition ORDER BY no").fetchall()]


def run_product(path: Path, threads: int | None) -> tuple[dict, pl.DataFrame]:
    from data.results import competition_results

    t0 = time.perf_counter()
    c0 = _usage()["cpu_s"]
    con = duckdb.connect(str(path), read_only=True, config={"threads": threads} if threads else {})
    tables = []
    for cid in _competitions(con):
        res = competition_results(con, cid)
        tables.append(res.table.select(pl.lit(cid).alias("competition_id"), "entrant_id", "total", "rank",
                                       "award", "strata"))
    out = pl.concat(tables)
    con.close()
    wall = time.perf_counter() - t0
    u = _usage()
    return {"wall_s": wall, "cpu_s": u["cpu_s"] - c0, "maxrss_gb": u["maxrss_gb"]}, out


def run_sql(path: Path, threads: int | None) -> tuple[dict, pl.DataFrame]:
    t0 = time.perf_counter()
    c0 = _usage()["cpu_s"]
    con = duckdb.connect(str(path), read_only=True, config={"threads": threads} if threads else {})
    out = con.sql(SQL).pl()
    con.close()
    wall = time.perf_counter() - t0
    u = _usage()
    return {"wall_s": wall, "cpu_s": u["cpu_s"] - c0, "maxrss_gb": u["maxrss_gb"]}, out


def run_save(path: Path, threads: int | None) -> tuple[dict, pl.DataFrame]:
    """One judge changes one criterion of the largest contest; then that contest's results as the next page run
    gets them: a server holds the results of before the save (`data.results.results_since`, as ui/results.py
    does) and brings them up to date from the save alone. Five saves, each timed alone and with the re-rank;
    on a copy: the national store stays as built."""
    from data.judging import forms
    from data.judging.auth import User
    from data.results import competition_results, results_since
    from data.store.connect import connect

    work = Path(tempfile.mkdtemp(prefix="bench-save-", dir=path.parent)) / path.name
    shutil.copy(path, work)
    con = connect(work)          # applies any migration the national store lacks (011: the saves journal)
    try:
        if threads:
            con.execute(f"SET threads = {int(threads)}")
        cid, n = con.sql("SELECT competition_id, count(*) FROM entrants GROUP BY 1 ORDER BY 2 DESC LIMIT 1").fetchone()
        picks = con.execute(
            "SELECT entrant_id, judge_id, criterion_id, option_code FROM scores "
            "WHERE competition_id = ? AND option_code IS NOT NULL AND hash(entrant_id, criterion_id) % 5000 = 7 "
            "LIMIT 5", [cid]).fetchall()
        # the national contests are final; on this copy the stage is open again, as during judging
        con.execute("UPDATE competition_stages SET finalized_at = NULL WHERE competition_id = ?", [cid])
        con.execute("DELETE FROM stage_results WHERE competition_id = ?", [cid])
        user = User(username="bench-panitia", role="panitia", judge_id=None, region_code=None)
        held = results_since(con, cid)          # the page's results before the saves (warm, as a server is)
        saves, reranks, totals = [], [], []
        c0 = _usage()["cpu_s"]
        for entrant, judge, crit, option in picks:
            t0 = time.perf_counter()
            forms.save_score(con, user, cid, "lapangan", entrant, crit, option_code="a" if option != "a" else "b",
                             judge_id=judge)
            t1 = time.perf_counter()
            held = results_since(con, cid, None, held)
            t2 = time.perf_counter()
            saves.append(t1 - t0)
            reranks.append(t2 - t1)
            totals.append(t2 - t0)
        u = _usage()
        incremental = len(held.applied) == len(picks)
        t0 = time.perf_counter()
        full = competition_results(con, cid)   # a full re-score from the store, for the agreement check
        t_full = time.perf_counter() - t0
        res = held.results
        same = res.table.equals(full.table) and all(getattr(res, f).equals(getattr(full, f))
                                                    for f in ("sections", "stage_totals", "fields"))
        out = res.table.select(pl.lit(cid).alias("competition_id"), "entrant_id", "total", "rank")
        return {"wall_s": max(totals), "save_s": max(saves), "rerank_s": max(reranks),
                "save_ms_each": [round(x * 1000, 1) for x in saves],
                "rerank_ms_each": [round(x * 1000, 1) for x in reranks],
                "full_rescore_s": t_full, "cpu_s": (u["cpu_s"] - c0) / len(picks), "maxrss_gb": u["maxrss_gb"],
                "contest": cid, "entrants": n, "incremental": incremental, "equals_full_rescore": same}, out
    finally:
        con.close()
        shutil.rmtree(work.parent, ignore_errors=True)


RUNS = {"product": run_product, "sql": run_sql, "save": run_save}


def machine() -> dict:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    return {"nproc": os.cpu_count(), "ram_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9, 1),
            "cpu": cpu, "python": platform.python_version(), "polars": pl.__version__, "duckdb": duckdb.__version__,
            "load_avg": os.getloadavg()}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--path", default=str(ROOT / "var" / "national.duckdb"))
    p.add_argument("--only", default="product,sql,save")
    p.add_argument("--threads", type=int, default=None, help="DuckDB threads (default: all cores)")
    p.add_argument("--json", default=None)
    p.add_argument("--child", default=None, help=argparse.SUPPRESS)
    p.add_argument("--out", default=None, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    path = Path(args.path)
    if args.child:
        stats, frame = RUNS[args.child](path, args.threads)
        frame.select("competition_id", "entrant_id", pl.col("total").cast(pl.Float64),
                     pl.col("rank").cast(pl.Int64)).write_parquet(args.out)
        print(json.dumps(stats))
        return 0
    if not path.exists():
        raise SystemExit(f"{path} does not exist: build it with python -m demo --national --path {path}")
    out_dir = Path(tempfile.mkdtemp(prefix="bench-national-"))
    results: dict[str, dict] = {}
    for name in [n for n in args.only.split(",") if n]:
        cmd = [sys.executable, __file__, "--child", name, "--path", str(path), "--out", str(out_dir / f"{name}.parquet")]
        if args.threads:
            cmd += ["--threads", str(args.threads)]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            print(proc.stderr, file=sys.stderr)
            return proc.returncode
        results[name] = json.loads(proc.stdout.strip().splitlines()[-1])
        r = results[name]
        extra = (f" (the slowest of {len(r['save_ms_each'])} saves, CPU per save); saves alone "
                 f"{r['save_ms_each']} ms, re-rank after each {r['rerank_ms_each']} ms (incremental: "
                 f"{r['incremental']}), a full re-score {r['full_rescore_s']:.2f} s; contest {r['contest']} with "
                 f"{r['entrants']:,} entrants; equals a full re-score: {r['equals_full_rescore']}") if name == "save" else ""
        print(f"{name:>8}: {r['wall_s']:7.2f} s wall, {r['cpu_s']:7.2f} s CPU, peak memory {r['maxrss_gb']:.2f} GB"
              + extra, flush=True)
    frames = {n: pl.read_parquet(out_dir / f"{n}.parquet") for n in results}
    ok = True
    if "product" in frames and "sql" in frames:
        a, b = frames["product"], frames["sql"]
        j = a.join(b, on=["competition_id", "entrant_id"], how="full", suffix="_sql", coalesce=True)
        missing = j.filter(pl.col("total").is_null() ^ pl.col("total_sql").is_null()).height
        totals = j.filter((pl.col("total") - pl.col("total_sql")).abs().gt(1e-9).fill_null(False)).height
        ranks = j.filter(pl.col("rank").ne_missing(pl.col("rank_sql"))).height
        print(f"{a.height:,} entrants in {a['competition_id'].n_unique()} contests; product vs sql: totals "
              f"differing {totals}, ranks differing {ranks}, entrants missing {missing}")
        print(f"sql / product wall: {results['sql']['wall_s'] / results['product']['wall_s']:.2f}×, "
              f"CPU: {results['sql']['cpu_s'] / results['product']['cpu_s']:.2f}×")
        ok = missing == 0 and totals == 0 and ranks == 0
    if "save" in results:
        ok = ok and results["save"]["equals_full_rescore"]
    m = machine()
    print(f"machine: {m['nproc']} cores, {m['ram_gb']} GB, {m['cpu']}; Python {m['python']}, Polars {m['polars']}, "
          f"DuckDB {m['duckdb']}; load average {m['load_avg']}")
    if args.json:
        Path(args.json).write_text(json.dumps({"machine": m, "results": results}, indent=2))
    print("all agree" if ok else "DISAGREEMENT")
    return 0 if ok else 2


if __name__ == "__main__":
    raise SystemExit(main())
