"""Dialogs as a rep meets them (issue #17 trap 9): no stray child over the form, widths
that fit what they show, defaults a rep can confirm with Ctrl+Enter."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QWidget


def _stray_children(dialog: QWidget) -> list[str]:
    """Visible input widgets that no layout placed (they lie at (0, 0))."""
    out = []
    for w in dialog.findChildren(QWidget):
        name = w.objectName()
        if not name.startswith("lead_form_") or not w.isVisible():
            continue
        if w.geometry().topLeft().isNull() and w.parentWidget() is dialog:
            out.append(name)
    return out


def _show(qtbot: Any, dialog: QWidget) -> None:
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)


def test_new_lead_has_no_time_zone_box_over_first_name(qtbot, ctx) -> None:
    from ui.lead_edit_dialog import LeadFormDialog

    dialog = LeadFormDialog(ctx)
    _show(qtbot, dialog)
    assert dialog.findChild(QWidget, "lead_form_time_zone") is None
    assert _stray_children(dialog) == []
    assert dialog.width() >= 520


def test_edit_lead_has_no_hand_raise_box_over_first_name(qtbot, ctx, seeded) -> None:
    from qualdesk.services.leads import lead_detail
    from ui.lead_edit_dialog import LeadFormDialog

    dialog = LeadFormDialog(ctx, lead_detail(ctx.db, seeded.leads["Alice"]))
    _show(qtbot, dialog)
    assert dialog.findChild(QWidget, "lead_form_hand_raise") is None
    assert _stray_children(dialog) == []
    tz = dialog.time_zone
    assert tz is not None
    assert tz.width() >= tz.fontMetrics().horizontalAdvance(tz.placeholderText())


def test_callback_default_is_inside_the_leads_window_and_the_teams_hours(
        qtbot, frozen) -> None:
    """17:15 in Los Angeles: two hours on is 19:15 there but 22:15 in New York, after
    the team's hours; the default moves to the next morning when both are open, and the
    rep's typed "1230" lands in the time the dialog opens on."""
    from datetime import UTC, datetime

    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication, QLabel

    from qualdesk.domain.calling_window import CallingWindow
    from ui.callback_dialog import CallbackDialog

    frozen.advance(hours=10, minutes=15)  # 2026-11-24 01:15 UTC = 17:15 PST
    dlg = CallbackDialog("Dan Diaz", "America/Los_Angeles", "America/New_York",
                         business=CallingWindow(datetime(1, 1, 1, 8).time(),
                                                datetime(1, 1, 1, 18).time()))
    _show(qtbot, dlg)
    dlg.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dlg.time)
    assert dlg.local_value() == datetime(2026, 11, 24, 8, 0)  # 11:00 in New York
    assert dlg.due_at() == datetime(2026, 11, 24, 16, 0, tzinfo=UTC)
    assert not dlg.warning.isVisible()
    label = dlg.findChild(QWidget, "callback_when_label")
    assert "Los Angeles" in label.text() and "_" not in label.text()
    assert label.buddy() is dlg.time
    assert all(lab.buddy() is not None for lab in dlg.findChildren(QLabel) if "&" in lab.text())
    assert "Tue 24 Nov 2026" in dlg.day_name.text()

    qtbot.keyClicks(QApplication.focusWidget(), "1230")
    assert dlg.local_value() == datetime(2026, 11, 24, 12, 30)
    dlg.note.setFocus()
    qtbot.keyClicks(dlg.note, "send the pricing first")
    qtbot.keyClick(dlg.note, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert dlg.result() == dlg.DialogCode.Accepted
    assert dlg.value()[2] == "send the pricing first"


def test_turnover_dialog_fits_the_owner_and_shows_times_in_words(qtbot, sqlite_db,
                                                                  frozen) -> None:
    from qualdesk.services.users import add_user, get_user
    from tests.test_turnover import add_people, make_lead, qualify
    from ui.context import AppContext
    from ui.ops import SyncRunner
    from ui.turnover_dialog import TurnOverDialog, snapshot_text

    add_people(sqlite_db)
    add_user(sqlite_db, "Priya Shah", "sales", email="priya.shah@example.com")
    ada = make_lead(sqlite_db)
    qualify(sqlite_db, ada)
    dlg = TurnOverDialog(AppContext(sqlite_db, get_user(sqlite_db, "Rita"), SyncRunner()), ada)
    _show(qtbot, dlg)
    i = dlg.owner.findData("Priya Shah")
    dlg.owner.setCurrentIndex(i)
    dlg.adjustSize()
    owner_text = "Priya Shah <priya.shah@example.com>"
    assert dlg.owner.itemText(i) == owner_text
    fm = dlg.fontMetrics()
    assert dlg.owner.width() >= fm.horizontalAdvance(owner_text)
    assert dlg.override.width() >= fm.horizontalAdvance(dlg.override.placeholderText())
    snap = {"lead": {"first_name": "Ada", "time_zones": ["America/New_York"]},
            "attempts": {"count": 1, "first_touch_at": "2026-11-23T14:05:00+00:00"},
            "handoff": {"at": "2026-11-23T15:00:00+00:00", "by": "Rita", "to": "Sam"},
            "notes": [{"at": "2026-11-23T23:30:00+00:00", "author": "Rita", "body": "SSO"}]}
    text = snapshot_text(snap, "Europe/Berlin")
    assert "UTC" not in text and "T14:05" not in text
    assert "first call Mon 23 Nov 09:05 EST (lead) = 15:05 CET (team)" in text
    assert "Turned over Mon 23 Nov 10:00 EST (lead) = 16:00 CET (team) by Rita" in text
    assert "  Tue 24 Nov Rita: SSO" in text  # 00:30 in Berlin
    import re
    assert not re.search(r"\d{4}-\d{2}-\d{2}", dlg.preview.toPlainText())  # no raw stamp


def test_team_settings_opens_within_the_screen_with_every_hint_whole(qtbot, sqlite_db) -> None:
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QLabel

    from qualdesk.services.users import add_user
    from ui.context import AppContext
    from ui.main_window import MainWindow
    from ui.ops import SyncRunner

    user = add_user(sqlite_db, "Lee Lead", "lead", email="lee@example.com")
    w = MainWindow(AppContext(sqlite_db, user, SyncRunner()))
    qtbot.addWidget(w)
    w.findChild(QAction, "action_team_settings").trigger()
    view = w.features.settings.windows["team_settings_view"]
    qtbot.waitExposed(view)
    room = view.screen().availableGeometry()
    assert view.width() <= room.width() and view.height() <= room.height()
    assert (view.width(), view.height()) != (1000, 640)
    qtbot.wait(20)
    hints = [lab for lab in view.findChildren(QLabel) if lab.wordWrap() and lab.text()
             and lab.isVisible() and lab.objectName() != "team_message"]
    assert len(hints) >= 10
    clipped = [lab.text() for lab in hints if lab.height() < lab.heightForWidth(lab.width())]
    assert clipped == []
    view.close()


def test_keymap_rows_are_even_and_the_dialog_uses_the_screen(qtbot) -> None:
    from ui.keymap import BINDINGS, KeymapDialog

    dlg = KeymapDialog()
    _show(qtbot, dlg)
    t = dlg.table
    heights = {t.rowHeight(r) for r in range(t.rowCount())}
    assert len(heights) == 1 and heights.pop() <= 2 * t.fontMetrics().height()
    room = dlg.screen().availableGeometry()
    assert dlg.height() <= room.height() and dlg.width() <= room.width()
    visible = t.viewport().height() // t.rowHeight(0)
    assert visible >= len(BINDINGS) or dlg.height() >= 0.85 * room.height()
    assert visible >= min(len(BINDINGS), (room.height() * 0.9 - 200) // t.rowHeight(0))
    col = t.horizontalHeader().sectionSize(1)
    cut = [r for r in range(t.rowCount())
           if t.fontMetrics().horizontalAdvance(t.item(r, 1).text()) > col]
    assert len(cut) <= len(BINDINGS) // 4 and all(t.item(r, 1).toolTip() == t.item(r, 1).text() for r in cut)
    t.setCurrentCell(cut[0] if cut else 0, 0)
    assert dlg.full.text() == t.item(t.currentRow(), 1).text()


def test_welcome_you_step_stays_until_i_exist_with_the_error_shown_there(
        qtbot, sqlite_db) -> None:
    from qualdesk.services.users import list_users
    from qualdesk.settings import MachineSettings
    from ui.ops import SyncRunner
    from ui.welcome_page import WelcomePage
    from ui.welcome_steps import YouStep

    page = WelcomePage(sqlite_db, SyncRunner(), MachineSettings())
    _show(qtbot, page)
    page.go(1)
    you = next(s for s in page.steps if isinstance(s, YouStep))
    page.next.click()  # no name: stays, says so
    assert page.current == 1 and "name" in you.result.text().lower()
    you.name.setText("Tara Quinn")
    you.email.setText("not an email")
    page.next.click()  # refused email: stays, the error on this step
    assert page.current == 1 and page.user is None
    assert you.result.text().startswith("⚠") and "not an email" in you.result.text()
    assert list_users(sqlite_db) == []
    you.email.setText("tara@example.com")
    page.next.click()
    assert page.current == 2 and page.user is not None and page.user.name == "Tara Quinn"
