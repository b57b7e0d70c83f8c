"""The rep's workspace end to end, driven by the keyboard like a rep with a headset."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from PySide6.QtCore import Qt, QUrl
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QTableView,
    QTreeWidget,
)
from sqlalchemy import select

from qualdesk.db.models import Attempt, Callback, Note
from qualdesk.services import notes as notes_svc
from qualdesk.services.leads import lead_detail
from ui.keymap import BINDINGS
from ui.lead_panel import LeadPanel
from ui.main_window import MainWindow
from ui.queue_model import Column, StateRole
from ui.scheduler import AlertScheduler


class Opener:
    """Stands in for QDesktopServices.openUrl: records instead of launching a phone."""

    def __init__(self) -> None:
        self.urls: list[str] = []

    def __call__(self, url: QUrl) -> bool:
        self.urls.append(url.toString())
        return True


def open_window(qtbot, ctx) -> tuple[MainWindow, Opener]:
    opener = Opener()
    w = MainWindow(ctx, opener)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    qtbot.waitUntil(lambda: w.isActiveWindow(), timeout=2000)
    return w, opener


def test_full_call_by_keyboard_only(qtbot, ctx, seeded, frozen) -> None:
    w, opener = open_window(qtbot, ctx)
    panel = w.lead_panel
    assert w.queue.model.rowCount() == 3

    qtbot.keyClick(w, Qt.Key.Key_F2)  # next lead
    alice = seeded.leads["Alice"]
    assert panel.lead_id == alice
    assert panel.card.name.text() == "Alice Able"
    assert panel.card.local_time.text() == "10:00 EST"
    assert w.focusWidget() is panel.calls.dial_button  # focus lands on the call keys

    qtbot.keyClick(w.focusWidget(), Qt.Key.Key_F5)  # dial
    assert opener.urls == ["tel:+12125550101"]
    assert panel.calls.call_started_at == frozen.t

    frozen.advance(seconds=95)
    panel.calls.update_timer()
    assert panel.calls.timer_label.text() == "On call 01:35"

    qtbot.keyClick(w.focusWidget(), Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert w.focusWidget() is panel.notes.edit
    qtbot.keyClicks(panel.notes.edit, "Call 2 weeks later")  # digits stay in the notes
    assert panel.notes.body() == "Call 2 weeks later"
    assert panel.lead_id == alice
    qtbot.keyClick(panel.notes.edit, Qt.Key.Key_Escape)
    assert w.focusWidget() is panel.calls.dial_button

    qtbot.keyClick(w.focusWidget(), Qt.Key.Key_4)  # left voicemail → logged → next lead
    bob = seeded.leads["Bob"]
    assert panel.lead_id == bob
    with ctx.db.session(write=False) as s:
        a = s.scalars(select(Attempt).where(Attempt.lead_id == alice)).one()
        assert (a.disposition, a.notes) == ("left_voicemail", "Call 2 weeks later")
        assert a.ended_at - a.started_at == timedelta(seconds=95)
        note = s.scalars(select(Note).where(Note.lead_id == alice)).one()
        assert note.attempt_id == a.id
    assert notes_svc.load_note_draft(ctx.rep_name, alice) is None

    # Alt+digit works from inside the notes too: Alt+5 is "call back later".
    panel.notes.focus_edit()
    qtbot.keyClick(panel.notes.edit, Qt.Key.Key_5, Qt.KeyboardModifier.AltModifier)
    dlg = panel._callback_dialog
    assert dlg is not None and dlg.isVisible()
    dlg.anyone.setChecked(True)
    due = dlg.due_at()
    qtbot.keyClick(dlg.when, Qt.Key.Key_Return)  # on to the time: nothing scheduled yet
    assert dlg.isVisible() and dlg.focusWidget() is dlg.time
    qtbot.keyClick(dlg.note, Qt.Key.Key_Return)  # schedule
    assert panel.lead_id == seeded.leads["Carol"]
    with ctx.db.session(write=False) as s:
        cb = s.scalars(select(Callback).where(Callback.lead_id == bob)).one()
        assert (cb.due_at, cb.scope, cb.lead_tz) == (due, "anyone", "Europe/Berlin")
    # Default: two hours from now (15:01:35 UTC), up to the next quarter hour.
    assert due == datetime(2026, 11, 23, 17, 15, tzinfo=UTC)


def test_countdown_ticks_and_changes_state(qtbot, ctx, seeded, frozen) -> None:
    w, _ = open_window(qtbot, ctx)
    m = w.queue.model
    idx = m.index(0, Column.COUNTDOWN)
    assert (idx.data(), idx.data(StateRole)) == ("10:00", "warning")
    warning_bg = idx.data(Qt.ItemDataRole.BackgroundRole).color().name()

    frozen.advance(seconds=1)
    w.queue.tick()
    assert idx.data() == "09:59"

    frozen.advance(minutes=10)
    w.queue.tick()
    assert (idx.data(), idx.data(StateRole)) == ("+00:01", "breached")
    assert idx.data(Qt.ItemDataRole.BackgroundRole).color().name() != warning_bg

    bob = m.index(1, Column.COUNTDOWN)
    assert (bob.data(), bob.data(StateRole)) == ("29:59", "comfortable")


def test_tick_announces_only_visible_rows(qtbot, ctx, frozen) -> None:
    w, _ = open_window(qtbot, ctx)
    w.queue.held_check.setChecked(True)
    rows = w.queue.visible_source_rows()
    assert rows == [0, 1, 2, 3]
    w.queue.table.setFixedHeight(w.queue.table.horizontalHeader().height()
                                 + w.queue.table.verticalHeader().defaultSectionSize() + 2)
    qtbot.waitUntil(lambda: len(w.queue.visible_source_rows()) <= 2)
    changed: list[int] = []
    w.queue.model.dataChanged.connect(lambda a, b, roles=(): changed.extend(range(a.row(), b.row() + 1)))
    w.queue.tick()
    assert set(changed) == set(w.queue.visible_source_rows())
    assert 3 not in changed


def test_show_held_says_why(qtbot, ctx, seeded) -> None:
    w, _ = open_window(qtbot, ctx)
    qtbot.keyClick(w.queue.table, Qt.Key.Key_H, Qt.KeyboardModifier.ControlModifier)
    assert w.queue.held_check.isChecked()
    m = w.queue.model
    assert m.rowCount() == 4
    assert m.index(3, Column.NAME).data() == "Dan Diaz"
    assert m.index(3, Column.REASON).data() == "held: outside calling window 08:00–21:00 (America/Los_Angeles 07:00)"


def test_illegal_designation_is_refused_with_reason(qtbot, ctx, seeded) -> None:
    w, _ = open_window(qtbot, ctx)
    w.lead_panel.set_lead(seeded.leads["Alice"])
    combo = w.lead_panel.designation
    assert combo.currentData() == "warm"
    combo.setCurrentIndex(combo.findData("accepted"))
    combo.activated.emit(combo.currentIndex())
    assert w.banner.isVisible()
    assert w.banner.text.text() == ("a warm lead cannot become accepted; it may become: cold, "
                                    "disqualified, do not call, hot, incubating, turned over")
    assert combo.currentData() == "warm"
    combo.setCurrentIndex(combo.findData("hot"))
    combo.activated.emit(combo.currentIndex())
    assert lead_detail(ctx.db, seeded.leads["Alice"]).summary.designation == "hot"
    assert w.lead_panel.card.designation.text() == "Hot"


def test_notes_autosave_to_draft_and_database_and_survive_a_crash(qtbot, ctx, seeded) -> None:
    alice = seeded.leads["Alice"]
    panel = LeadPanel(ctx)
    qtbot.addWidget(panel)
    panel.set_lead(alice)
    qtbot.keyClicks(panel.notes.edit, "Budget approved for Q1")
    qtbot.waitUntil(lambda: panel.notes.note_id is not None, timeout=1000)  # ≤ 1 s
    draft = notes_svc.load_note_draft(ctx.rep_name, alice)
    assert draft is not None and draft.body == "Budget approved for Q1"
    assert draft.note_id == panel.notes.note_id
    assert [n.body for n in lead_detail(ctx.db, alice).notes] == ["Budget approved for Q1"]

    # The app dies here. A new panel on the same lead gets the text back, and keeps
    # editing the same note row rather than starting a duplicate.
    again = LeadPanel(ctx)
    qtbot.addWidget(again)
    again.set_lead(alice)
    assert again.notes.body() == "Budget approved for Q1"
    qtbot.keyClicks(again.notes.edit, ", needs sign-off")
    again.notes.save_now()
    assert [n.body for n in lead_detail(ctx.db, alice).notes] == [
        "Budget approved for Q1, needs sign-off"]


def test_add_tab_follows_the_lead(qtbot, ctx, seeded) -> None:
    class Follower(QPlainTextEdit):
        def __init__(self) -> None:
            super().__init__()
            self.seen: list[int | None] = []

        def set_lead(self, lead_id: int | None) -> None:
            self.seen.append(lead_id)

    panel = LeadPanel(ctx)
    qtbot.addWidget(panel)
    f = Follower()
    assert panel.add_tab("Script", f) == 3  # after call notes, body language, history
    panel.set_lead(seeded.leads["Bob"])
    panel.set_lead(None)
    assert f.seen == [None, seeded.leads["Bob"], None]


def test_keymap_on_f1_and_every_widget_named(qtbot, ctx) -> None:
    w, _ = open_window(qtbot, ctx)
    qtbot.keyClick(w, Qt.Key.Key_F1)
    assert w._keymap is not None and w._keymap.isVisible()
    assert w._keymap.table.rowCount() == len(BINDINGS)
    w.lead_panel.stack.setCurrentIndex(1)
    unnamed = []
    for cls in (QPushButton, QCheckBox, QRadioButton, QComboBox, QLineEdit, QPlainTextEdit,
                QTableView, QTreeWidget):
        for child in w.findChildren(cls):
            if isinstance(child.parent(), (QComboBox, QAbstractSpinBox)):
                continue  # Qt's own parts of a composite widget
            if not child.objectName():
                unnamed.append(f"{cls.__name__}:{child!r}")
    assert unnamed == []
    assert "(F2 / Ctrl+N)" in w.queue.next_button.toolTip()


def test_tray_alerts_from_the_scheduler_thread(qtbot, ctx, seeded, frozen) -> None:
    sched = AlertScheduler(ctx.db, ctx.rep_name, interval_seconds=3600, warn_minutes=10)
    with qtbot.waitSignal(sched.sig_new_alerts, timeout=5000) as blocker:
        sched.start()
    sched.stop()
    alerts = blocker.args[0]
    assert [(a.kind, a.lead_id) for a in alerts] == [("breach", seeded.leads["Alice"])]
    assert alerts[0].text == "demo request from Alice Able breaches in 10 min"
    # Announced once: the next check finds nothing new.
    found: list = []
    sched.sig_new_alerts.connect(found.append)
    sched.check()
    assert found == []


def test_banner_retry_and_crash_dialog(qtbot, ctx) -> None:
    w, _ = open_window(qtbot, ctx)
    ctx.runner.sig_error_known.emit("database unavailable: connection refused")
    assert w.banner.isVisible() and w.banner.retry_button.isVisible()
    qtbot.mouseClick(w.banner.retry_button, Qt.MouseButton.LeftButton)
    assert not w.banner.isVisible()
    ctx.runner.sig_error_bug.emit("ZeroDivisionError: division by zero", "Traceback …")
    assert w._crash is not None and w._crash.isVisible()
    assert "Traceback" in w._crash.details.toPlainText()
    w._crash.reject()
    assert "Ana Rep (Qualifying rep)" in w.status_user.text()  # the role in words
    assert "SQLite" in w.status_db.text()


def test_background_starts_after_the_first_queue_load(qtbot, ctx, seeded) -> None:
    """Tray, alerts and live refresh wait for the queue's first rows (their imports would
    compete with it), then start; a window already closed starts nothing."""
    w, _ = open_window(qtbot, ctx)
    assert w.queue.loaded_once and w.alerts is None
    w.start_background_after_first_load(latest_ms=60_000)
    assert isinstance(w.alerts, AlertScheduler) and w.live is not None
    w.close()

    late, _ = open_window(qtbot, ctx)
    late.close()
    late.start_background_after_first_load(latest_ms=10)
    qtbot.wait(50)
    assert late.alerts is None and late.live is None


def test_a_wave_of_alerts_is_one_notification_in_the_status_bar(qtbot, ctx, seeded, sqlite_db,
                                                                 frozen) -> None:
    from qualdesk.services.alerts import upcoming_alerts
    from ui.icons import app_icon
    from ui.tray import Tray

    w, _ = open_window(qtbot, ctx)
    w.tray = Tray(app_icon(), w)  # what start_background wires (no tray offscreen)
    w.tray.sig_notified.connect(w._on_notified)
    alerts = upcoming_alerts(sqlite_db, "Ana Rep", warn_minutes=120)
    assert len(alerts) >= 2
    with qtbot.waitSignal(w.tray.sig_notified) as sig:
        w._on_alerts(alerts)
    assert sig.args[0] == f"{len(alerts)} leads need you now"
    shown = w.statusBar().currentMessage()
    assert shown.startswith(f"{len(alerts)} leads need you now: {alerts[0].text} · {alerts[1].text}")
