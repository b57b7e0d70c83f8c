"""Entry point of the frozen app: the same ``qualdesk`` command line (no arguments opens the app)."""

import multiprocessing

from ui.launcher import main

if __name__ == "__main__":
    multiprocessing.freeze_support()
    raise SystemExit(main())
