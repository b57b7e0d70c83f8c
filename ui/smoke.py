"""``qualdesk app --smoke-test``: start the real app, wait until the queue has loaded,
print one JSON line and quit.

Used by the installer test (the frozen binary must start and show the demo data) and by
the cold-start benchmark. Exit code 0 only if the main window showed a loaded queue.
"""

from __future__ import annotations

import json
import sys
import time

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication


def arm(timeout_s: float, t0: float) -> None:
    from ui.launcher import QT_ARGS

    app = QApplication.instance() or QApplication([*sys.argv[:1], *QT_ARGS])
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
        print(json.dumps({
            "window": window is not None,
            "queue_loaded": bool(loaded),
            "queue_rows": queue.model.offered_count() if loaded else None,
            "ready_s": round(time.perf_counter() - t0, 3),
            "style": app.style().name(),
        }), flush=True)
        app.exit(0 if loaded else 3)

    poll.timeout.connect(check)
    poll.start()
