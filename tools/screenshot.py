"""Screenshots of the rep's workspace on a seeded database (offscreen is fine).

    QT_QPA_PLATFORM=offscreen python tools/screenshot.py [--db URL] [--rep NAME] [--out docs]

Without ``--db`` it builds a throwaway SQLite database with the demo data. Saves
``screenshot-queue.png`` (the queue with live clocks) and ``screenshot-lead-panel.png``
(the lead claimed with F2, notes typed).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db")
    ap.add_argument("--rep", default="Alex Rivera")
    ap.add_argument("--out", default=str(Path(__file__).resolve().parents[1] / "docs"))
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="qualdesk-shot-")
    os.environ.setdefault("QUALDESK_DATA_DIR", str(Path(tmp) / "data"))
    os.environ.setdefault("QUALDESK_CONFIG_DIR", str(Path(tmp) / "config"))

    from PySide6.QtCore import QUrl
    from PySide6.QtWidgets import QApplication

    from qualdesk.db.engine import Database
    from qualdesk.services.users import get_user
    from ui.context import AppContext
    from ui.main_window import MainWindow
    from ui.ops import SyncRunner

    app = QApplication.instance() or QApplication(sys.argv[:1])
    db = Database(args.db or f"sqlite:///{Path(tmp) / 'shot.sqlite3'}")
    db.ensure_ready()
    if not args.db:
        from qualdesk.services.demo import load_demo

        load_demo(db)
    ctx = AppContext(db, get_user(db, args.rep), SyncRunner())

    def no_phone(_url: QUrl) -> bool:
        return True

    w = MainWindow(ctx, no_phone)
    w.resize(1400, 820)
    w.show()
    w.queue.held_check.setChecked(True)
    for _ in range(5):
        app.processEvents()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    w.grab().save(str(out / "screenshot-queue.png"))

    w.queue.next_lead()
    w.lead_panel.calls.dial()
    w.lead_panel.notes.edit.setPlainText("Evaluating two vendors; wants pricing for 40 seats.")
    for _ in range(5):
        app.processEvents()
    w.grab().save(str(out / "screenshot-lead-panel.png"))
    print(f"saved {out / 'screenshot-queue.png'} and {out / 'screenshot-lead-panel.png'}")
    w.close()
    db.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
