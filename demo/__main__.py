"""`python -m demo`: build the demo store, or the national one with --national (see demo/build.py)."""

from demo.build import main

if __name__ == "__main__":
    raise SystemExit(main())
