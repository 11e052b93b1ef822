"""Start the dashboard: `python -m ui.serve [streamlit options]`.

Streamlit treats an app with a `pages/` folder as an old-style multipage app until some session has run
`st.navigation`; a deep link opened first after a restart (e.g. `/profil?posyandu=…` from WhatsApp) would then
run the page without the dashboard's navigation. Declaring up front that this app uses `st.navigation`
makes every first request go through `dashboard.py`.
"""

from __future__ import annotations

import sys
from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli

DASHBOARD = Path(__file__).resolve().parent.parent / "dashboard.py"


def main(argv: list[str] | None = None) -> None:
    PagesManager.uses_pages_directory = False
    sys.argv = ["streamlit", "run", str(DASHBOARD), *(argv if argv is not None else sys.argv[1:])]
    cli.main()


if __name__ == "__main__":
    main()
