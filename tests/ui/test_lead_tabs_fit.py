"""Issue 17: every lead-panel tab title is visible at 1280×720 — and at 150 % on a
1920×1080 screen, the same logical width — with no scroll arrows and no elided title.
(Eight tabs scrolled at 1280: the calls, emails and callbacks now share History.)"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QToolButton

from tests.ui.test_workspace import open_window

ROOT = Path(__file__).resolve().parents[2]


def _bar_state(tabs) -> tuple[bool, list[str], list[str]]:  # type: ignore[no-untyped-def]
    bar = tabs.tabBar()
    arrows = [b.objectName() or "arrow" for b in bar.findChildren(QToolButton) if b.isVisible()]
    cut = [tabs.tabText(i) for i in range(tabs.count())
           if bar.tabRect(i).width() < bar.fontMetrics().horizontalAdvance(tabs.tabText(i))]
    return tabs.titles_fit(), arrows, cut


def test_every_tab_title_shows_at_1280x720(qtbot, ctx, seeded) -> None:
    w, _ = open_window(qtbot, ctx)
    w.resize(1280, 720)
    qtbot.keyClick(w, Qt.Key.Key_F2)
    tabs = w.lead_panel.lead_tabs
    qtbot.waitUntil(lambda: tabs.isVisible(), timeout=2000)
    titles = [tabs.tabText(i) for i in range(tabs.count())]
    assert titles == ["Call notes", "Script", "Body language", "Activity", "History", "Audit"]
    assert tabs.elideMode() == Qt.TextElideMode.ElideNone
    fits, arrows, cut = _bar_state(tabs)
    assert fits and arrows == [] and cut == [], (tabs.width(), tabs.tabBar().sizeHint())
    # What a title leaves out, its tooltip says.
    assert "Digital body language" in tabs.tabToolTip(titles.index("Body language"))
    assert "Calls" in tabs.tabToolTip(titles.index("History"))
    # The history page holds the three lists the old tabs did.
    panel = w.lead_panel
    assert panel.history.isAncestorOf(panel.attempts)
    assert panel.history.isAncestorOf(panel.emails) and panel.history.isAncestorOf(panel.callbacks)


_AT_150 = """
import os, sys, tempfile
sys.path.insert(0, {root!r})
tmp = tempfile.mkdtemp()
os.environ["QUALDESK_DATA_DIR"], os.environ["QUALDESK_CONFIG_DIR"] = tmp + "/d", tmp + "/c"
from PySide6.QtWidgets import QApplication
from qualdesk.db.engine import Database
from qualdesk.services.demo import load_demo
from qualdesk.services.users import get_user
from ui.context import AppContext
from ui.main_window import MainWindow
from ui.ops import SyncRunner
app = QApplication(sys.argv[:1])
db = Database(f"sqlite:///{{tmp}}/x.sqlite3"); db.ensure_ready(); load_demo(db)
w = MainWindow(AppContext(db, get_user(db, "Alex Rivera"), SyncRunner()), lambda _u: True)
w.resize(1280, 720); w.show()
w.queue.next_lead()
for _ in range(10):
    app.processEvents()
t = w.lead_panel.lead_tabs
print("DPR", app.devicePixelRatio(), "FIT", t.titles_fit(), t.width(), t.tabBar().sizeHint().width())
"""


def test_every_tab_title_shows_at_150_percent() -> None:
    """A 1920×1080 screen at 150 %: Qt scales by 1.5, the cockpit is 1280 logical wide."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", QT_SCALE_FACTOR="1.5")
    out = subprocess.run([sys.executable, "-c", _AT_150.format(root=str(ROOT))], env=env,
                         capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert out.returncode == 0, out.stderr[-2000:]
    line = next(x for x in out.stdout.splitlines() if x.startswith("DPR"))
    assert line.split()[1] == "1.5" and line.split()[3] == "True", line


def test_ctrl_tab_turns_the_lead_tabs_from_the_call_keys(qtbot, ctx, seeded) -> None:
    """The F1 map says Ctrl+Tab / Ctrl+Shift+Tab turn the lead panel's tabs: from the call
    keys (where F2 leaves the rep) they did nothing."""
    w, _ = open_window(qtbot, ctx)
    qtbot.keyClick(w, Qt.Key.Key_F2)
    tabs = w.lead_panel.lead_tabs
    start = w.focusWidget()
    assert start is w.lead_panel.calls.dial_button and tabs.currentIndex() == 0
    qtbot.keyClick(start, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    assert tabs.tabText(tabs.currentIndex()) == "Script"
    qtbot.keyClick(start, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClick(start, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)
    assert tabs.tabText(tabs.currentIndex()) == "Audit"  # round the end
