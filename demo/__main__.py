"""`python -m demo`: build the demo store, or the national benchmark store with --national.

    python -m demo [--path P] [--seed S] [--force] [--scale F]
    python -m demo --national --path var/national.duckdb [--n-posyandu N]

The command line lives here, not in demo/build.py, so that demo.national can build on demo.build without a circle.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from data import store
from demo.build import DEFAULT_SEED, build_demo
from demo.national import build_national


def _print_progress(fraction: float, label: str) -> None:
    width = 30
    filled = int(round(fraction * width))
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {fraction * 100:5.1f} % {label:<60}")
    if fraction >= 1.0:
        sys.stderr.write("\n")
    sys.stderr.flush()


def main(argv: list[str] | None = None) -> int:
    """The command line: build the demo store (or the national benchmark store)."""
    parser = argparse.ArgumentParser(prog="python -m demo", description=__doc__.split("\n\n")[0])
    parser.add_argument("--path", type=Path, default=None, help="store file (default: the configured store)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--scale", type=float, default=1.0, help="share of the demo's size (tests use less)")
    parser.add_argument("--force", action="store_true", help="replace an existing store")
    parser.add_argument("--national", action="store_true", help="build the national-scale benchmark store")
    parser.add_argument("--n-posyandu", type=int, default=300_000, help="posyandu in the national store")
    parser.add_argument("--lang", default="id", choices=("id", "en"))
    args = parser.parse_args(argv)
    path = args.path or (Path("var/national.duckdb") if args.national else store.store_path())
    if path.exists() and not args.force:
        print(f"{path} exists; pass --force to replace it", file=sys.stderr)
        return 1
    started = time.perf_counter()
    if args.national:
        build_national(path, n_posyandu=args.n_posyandu, seed=args.seed, progress=_print_progress, lang=args.lang)
    else:
        build_demo(path, seed=args.seed, progress=_print_progress, scale=args.scale, lang=args.lang)
    print(f"{path} built in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
