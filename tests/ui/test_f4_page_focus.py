"""Ctrl+1 (My queue) puts the keyboard in the queue, never on the status bar's
"Sync now" button, where the next Space would start a sync (W10 #12)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.ui.test_workspace import open_window


def test_ctrl_1_focuses_the_queue_not_sync_now(qtbot, ctx, seeded) -> None:  # type: ignore[no-untyped-def]
    w, _ = open_window(qtbot, ctx)
    qtbot.waitUntil(lambda: w.queue.model.rowCount() == 3, timeout=3000)
    for n in (2, 1):
        if w.pages.count() >= n:
            qtbot.keyClick(w, Qt.Key.Key_1 + n - 1, Qt.KeyboardModifier.ControlModifier)
    focus = QApplication.focusWidget()
    assert focus is not None and focus.objectName() != "syncNowButton"
    assert focus is w.queue or w.queue.isAncestorOf(focus), focus.objectName()
