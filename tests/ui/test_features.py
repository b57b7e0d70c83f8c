"""The feature widgets wired into the main window: pages by role, lead tabs, lead actions
on their keys, the File menu."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog

from qualdesk.services.users import add_user
from tests.ui.test_workspace import open_window
from ui.context import AppContext
from ui.followup_dialog import FollowUpDialog
from ui.incubate_dialog import IncubateDialog
from ui.keymap import BINDINGS
from ui.ops import SyncRunner
from ui.turnover_dialog import TurnOverDialog


def _titles(w) -> list[str]:
    return [w.pages.tabText(i) for i in range(w.pages.count())]


@pytest.mark.parametrize(("role", "pages"), [
    ("rep", ["My queue"]),
    ("lead", ["My queue", "Floor", "Reports", "Simulator", "Sales", "Campaigns", "Intake"]),
    ("sales", ["Sales"]),  # sales get no rep queue
])
def test_pages_follow_the_role(qtbot, sqlite_db, seeded, role: str, pages: list[str]) -> None:
    who = seeded.rep if role == "rep" else add_user(sqlite_db, f"P {role}", role, email="p@x.test")
    ctx = AppContext(sqlite_db, who, SyncRunner())
    w, _ = open_window(qtbot, ctx)
    assert _titles(w) == pages
    if role == "sales":
        assert w.pages.currentWidget() is w.features.pages["sales"]
    actions = {a.objectName() for a in w.findChildren(type(w.features.lead_actions.followup))}
    assert ("action_export" in actions) == (role != "rep")
    assert "action_import" in actions or role == "sales"


def test_lead_actions_open_their_dialogs_on_their_keys(qtbot, ctx, seeded) -> None:
    w, _ = open_window(qtbot, ctx)
    tabs = [w.lead_panel.lead_tabs.tabText(i) for i in range(w.lead_panel.lead_tabs.count())]
    assert "Script" in tabs and "Audit" in tabs
    assert not w.features.lead_actions.followup.isEnabled()  # no lead on screen yet
    qtbot.keyClick(w, Qt.Key.Key_F2)
    lead = seeded.leads["Alice"]
    assert w.lead_panel.lead_id == lead
    for key, kind in ((Qt.Key.Key_F6, FollowUpDialog), (Qt.Key.Key_F8, TurnOverDialog)):
        qtbot.keyClick(w, key)
        dialog = w.features.lead_actions._dialog
        assert isinstance(dialog, kind) and dialog.isVisible()
        assert dialog.windowModality() != Qt.WindowModality.ApplicationModal
        dialog.close()
    qtbot.keyClick(w, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    dialog = w.features.lead_actions._dialog
    assert isinstance(dialog, IncubateDialog) and dialog.isVisible()
    assert isinstance(dialog, QDialog)
    dialog.close()


def test_every_lead_action_is_in_the_keyboard_map() -> None:
    actions = {b.action for b in BINDINGS}
    assert {"followup", "turn_over", "incubate", "import", "export", "quit"} <= actions


def test_f3_opens_the_script_beside_the_call_notes(qtbot, ctx, seeded) -> None:
    w, _ = open_window(qtbot, ctx)
    tabs = w.lead_panel.lead_tabs
    assert [tabs.tabText(i) for i in range(2)] == ["Call notes", "Script"]
    assert not w.features.lead_actions.script.isEnabled()  # no lead on screen yet
    qtbot.keyClick(w, Qt.Key.Key_F2)
    assert tabs.currentWidget() is not w.features.script
    qtbot.keyClick(w, Qt.Key.Key_F3)
    assert tabs.currentWidget() is w.features.script
    qtbot.waitUntil(lambda: w.features.script.isAncestorOf(QApplication.focusWidget()), timeout=2000)


def test_ctrl_digit_goes_to_a_page_and_is_the_keypad_only_in_an_answered_call(
        qtbot, sqlite_db, seeded) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    from qualdesk.phone.adapter import CallRecord

    lead = add_user(sqlite_db, "Page Lead", "lead", email="pl@x.test")
    w, _ = open_window(qtbot, AppContext(sqlite_db, lead, SyncRunner()))
    qtbot.keyClick(w, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert w.pages.tabText(w.pages.currentIndex()) == "Reports"
    qtbot.keyClick(w, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert w.pages.currentIndex() == 0
    qtbot.keyClick(w, Qt.Key.Key_F2)  # a lead on screen: the call keys are live
    qtbot.waitUntil(lambda: w.lead_panel.lead_id is not None)
    calls = w.lead_panel.calls
    sent: list[str] = []
    calls.send_dtmf = sent.append  # type: ignore[method-assign]  (no engine in this test)
    calls.call = CallRecord(uri="sip:+15550100@127.0.0.1", answered_at=datetime.now(UTC))
    calls._sync_enabled()
    qtbot.keyClick(w, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert w.pages.currentIndex() == 0 and sent == ["3"]  # the keypad had the key
    calls.call = None
    calls._sync_enabled()
    qtbot.keyClick(w, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert w.pages.tabText(w.pages.currentIndex()) == "Floor"
