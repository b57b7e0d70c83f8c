"""``qualdesk`` / ``qualdesk app``: open the desktop application."""

from __future__ import annotations

import argparse
import json
import sys
import time

from qualdesk.cli.common import Context, Registry

_T0 = time.perf_counter()  # as early as the CLI is imported: cold start is measured from here


def run_app(args: argparse.Namespace) -> int:
    # Qt is imported only here so the core and every other command run without it.
    from ui.app import run

    if getattr(args, "smoke_test", None):
        _arm_smoke_test(float(args.smoke_test))
    return run(db_url=getattr(args, "db", None), rep=getattr(args, "rep", None),
               demo=getattr(args, "demo", False))


def _arm_smoke_test(timeout_s: float) -> None:
    """Start the real app, wait until the queue has loaded, print what was seen, quit.

    Used by the installer test (the frozen binary must start and show the demo data)
    and by the cold-start benchmark. Exit code 0 only if the main window showed a loaded
    queue.
    """
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    deadline = time.perf_counter() + timeout_s
    poll = QTimer(app)
    poll.setInterval(20)

    def check() -> None:
        window = next((w for w in QApplication.topLevelWidgets()
                       if w.objectName() == "main_window" and w.isVisible()), None)
        queue = getattr(window, "queue", None)
        loaded = queue is not None and getattr(queue, "loaded_once", False)
        if not loaded and time.perf_counter() < deadline:
            return
        poll.stop()
        report = {
            "window": window is not None,
            "queue_loaded": bool(loaded),
            "queue_rows": queue.model.offered_count() if loaded else None,
            "ready_s": round(time.perf_counter() - _T0, 3),
        }
        print(json.dumps(report), flush=True)
        app.exit(0 if loaded else 3)

    poll.timeout.connect(check)
    poll.start()


def _handler(ctx: Context, args: argparse.Namespace) -> int:
    return run_app(args)


def register(reg: Registry) -> None:
    p = reg.command("app", "open the desktop application", _handler)
    p.add_argument("--rep", help="sign in as this person (name given to `user add`)")
    p.add_argument("--demo", action="store_true", help="load the demo data set first")
    p.add_argument("--smoke-test", metavar="SECONDS", nargs="?", const=20.0, type=float,
                   help="open, wait until the queue has loaded, print a JSON line and quit")
