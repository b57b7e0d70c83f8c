"""LiveRefresh: a write by another client arrives as a signal on the GUI thread."""

from __future__ import annotations

import threading

from PySide6.QtCore import QThread
from pytestqt.qtbot import QtBot

from qualdesk.db.engine import Database
from qualdesk.services import audit
from qualdesk.services.sync import current_position
from ui.live_refresh import LiveRefresh


def test_remote_change_arrives_on_gui_thread(qtbot: QtBot, sqlite_db: Database) -> None:
    lr = LiveRefresh(Database(sqlite_db.url), poll_interval=0.2)
    seen: list[tuple[int, bool]] = []
    gui = QThread.currentThread()
    lr.sig_remote_change.connect(lambda pos: seen.append((pos, QThread.currentThread() is gui)))
    start = current_position(sqlite_db)
    lr.start(since=start)
    try:
        def write() -> None:
            with sqlite_db.session() as s:
                audit.bump(s, "hand_raise", 1)

        t = threading.Thread(target=write)
        t.start()
        t.join()
        qtbot.waitUntil(lambda: bool(seen), timeout=2000)
    finally:
        lr.stop()
    assert seen[-1] == (start + 1, True)
