"""The ``qualdesk`` console script: the core command line, with the desktop app plugged in.

The core (``qualdesk.cli``) never imports Qt; it runs ``qualdesk app`` (and plain
``qualdesk``) through the app runner given here.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

T0 = time.perf_counter()  # cold start is measured from the launcher's import


def main(argv: Sequence[str] | None = None) -> int:
    from qualdesk.cli import main as cli_main
    from ui.app import run_from_args

    return cli_main(argv, app_runner=run_from_args)
