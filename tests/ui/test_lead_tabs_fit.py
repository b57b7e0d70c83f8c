"""Issue 17: every lead-panel tab title is visible at 1280×720 — and at 150 % on a
1920×1080 screen, the same logical width — with no scroll arrows and no elided title.
(Eight tabs scrolled at 1280: the calls, emails and callbacks now share History.)"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QToolButton

from tests.ui.scaled_window import run_scaled
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


_TITLES = """
t = w.lead_panel.lead_tabs
print("DPR", app.devicePixelRatio(), "FIT", t.titles_fit(), t.width(), t.tabBar().sizeHint().width())
"""


def test_every_tab_title_shows_at_150_percent() -> None:
    """A 1920×1080 screen at 150 %: Qt scales by 1.5, the cockpit is 1280 logical wide."""
    stdout = run_scaled("1.5", 1280, 720, _TITLES, chose=True)
    line = next(x for x in stdout.splitlines() if x.startswith("DPR"))
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
