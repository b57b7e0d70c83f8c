"""A rep typing notes without a pause, for the crash test: the real ``NotesEditor`` with
the real op runner (worker threads) on a SQLite file, under offscreen Qt, typing one
character every ``INTERVAL_MS`` through QTest. Each character typed is reported on stdout
(its index and the monotonic time) so the test knows what was typed when it kills us.

    python -m tests.ui.notes_typist DB_URL REP LEAD_ID TEXT_FILE
"""

from __future__ import annotations

import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

INTERVAL_MS = 50  # 20 characters a second: a steady typist who never pauses


def main(argv: list[str]) -> int:
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from qualdesk.db.engine import Database
    from qualdesk.services.users import get_user
    from ui.context import AppContext
    from ui.notes_editor import NotesEditor

    url, rep, lead_id, text_file = argv
    with open(text_file, encoding="utf-8") as fh:
        text = fh.read()
    app = QApplication([])
    db = Database(url)
    ctx = AppContext(db, get_user(db, rep))
    editor = NotesEditor(ctx)
    editor.show()
    editor.set_lead(int(lead_id))
    editor.focus_edit()
    state = {"i": 0}

    def type_one() -> None:
        i = state["i"]
        if i >= len(text):
            return
        ch = text[i]
        if ch == " ":
            QTest.keyClick(editor.edit, Qt.Key.Key_Space)
        else:
            QTest.keyClicks(editor.edit, ch)
        state["i"] = i + 1
        sys.stdout.write(f"{i + 1} {time.monotonic():.3f}\n")
        sys.stdout.flush()

    timer = QTimer()
    timer.setInterval(INTERVAL_MS)
    timer.timeout.connect(type_one)
    timer.start()
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    return app.exec()


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
