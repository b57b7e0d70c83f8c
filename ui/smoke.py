"""``qualdesk app --smoke-test``: start the real app, wait until the queue has loaded,
print one JSON line and quit.

Used by the installer test (the frozen binary must start and show the demo data) and by
the cold-start benchmark. Exit code 0 only if the main window showed a loaded queue.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Sequence

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication


def arm(timeout_s: float, t0: float, qt_args: Sequence[str] = ()) -> None:
    """Watch for the main window's loaded queue; ``t0`` is when the start began and
    ``qt_args`` Qt's own options (the app's QApplication is made here first)."""
    app = QApplication.instance() or QApplication([*sys.argv[:1], *qt_args])
    deadline = time.perf_counter() + timeout_s
    poll = QTimer(app)
    poll.setInterval(20)

    def check() -> None:
        from ui.main_window import MainWindow  # imported already once a window is open

        window = next((w for w in QApplication.topLevelWidgets()
                       if isinstance(w, MainWindow) and w.isVisible()), None)
        loaded = window is not None and window.queue.loaded_once
        if not loaded and time.perf_counter() < deadline:
            return
        poll.stop()
        print(json.dumps({
            "window": window is not None,
            "queue_loaded": loaded,
            "queue_rows": window.queue.model.offered_count() if window is not None and loaded else None,
            "ready_s": round(time.perf_counter() - t0, 3),
            "style": app.style().name(),
        }), flush=True)
        app.exit(0 if loaded else 3)

    poll.timeout.connect(check)
    poll.start()
