"""Start the dashboard: `python -m ui.serve [streamlit options]`.

Streamlit treats an app with a `pages/` folder as an old-style multipage app until some session has run
`st.navigation`; a deep link opened first after a restart (e.g. `/profil?posyandu=…` from WhatsApp) would then
run the page without the dashboard's navigation. Declaring up front that this app uses `st.navigation`
makes every first request go through `dashboard.py`.

Before serving, every setting is read once (present/settings.py), so a bad value stops the start with a message
naming the variable instead of failing on the first page; a misspelt POSYANDU_ variable is reported too.

A crash in native code (DuckDB, Polars) writes every thread's Python stack to the server log before the process
dies, and `kill -USR1 <pid>` writes them while it runs, so a page that seems to hang can be looked into
(faulthandler; see docs/architecture.md "Serving").
"""

from __future__ import annotations

import faulthandler
import signal
import sys
from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli

from present.settings import DATABASE_URL, SETTINGS, SettingError, unknown_settings

DASHBOARD = Path(__file__).resolve().parent.parent / "dashboard.py"


def check_settings() -> None:
    """Refuse to start on a setting that cannot be used; warn about variables that look like a misspelt one."""
    for warning in unknown_settings():
        print(f"warning: {warning}", file=sys.stderr)
    for setting in SETTINGS:
        try:
            setting.read()
        except SettingError as err:
            raise SystemExit(f"configuration error: {err}") from err
    if DATABASE_URL.read() is not None:
        # Serving half the tables from PostgreSQL and half from one server's DuckDB file would lose writes as
        # soon as a second server runs: refuse rather than pretend (issue #16; docs/postgres.md says what works).
        raise SystemExit(f"configuration error: ${DATABASE_URL.name} is set, but the app does not serve from "
                         "PostgreSQL yet (issue #16): `python -m data.store.pg_migrate` prepares the database; "
                         "unset the variable to serve from the DuckDB store (docs/postgres.md)")


def enable_stack_dumps() -> None:
    """Every thread's stack to stderr on a fatal signal (a segfault in native code) and on SIGUSR1."""
    faulthandler.enable(all_threads=True)
    if hasattr(signal, "SIGUSR1"):
        faulthandler.register(signal.SIGUSR1, all_threads=True, chain=False)


def main(argv: list[str] | None = None) -> None:
    check_settings()
    enable_stack_dumps()
    PagesManager.uses_pages_directory = False
    sys.argv = ["streamlit", "run", str(DASHBOARD), *(argv if argv is not None else sys.argv[1:])]
    cli.main()


if __name__ == "__main__":
    main()
