"""The lead on screen: contact card, call controls, designation, notes and history.

Other engineers' widgets (script stepper, follow-up, turn-over) join through
``add_tab(title, widget)``; a widget with ``set_lead(lead_id)`` follows
``sig_lead_changed`` automatically. While a claimed lead is on screen its lease is kept
alive with ``heartbeat``; a disposition logs the call (the note goes with it), ends the
claim, and asks for the next lead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from qualdesk import clock
from qualdesk.domain.calling_window import CallingWindow
from qualdesk.domain.designation import LABELS, Designation
from qualdesk.domain.records import Changes, LeadDetail
from qualdesk.errors import DatabaseUnavailable
from qualdesk.offline.resilient import QUEUED, ResilientOps
from qualdesk.services import calls as calls_svc
from qualdesk.services import claims as claims_svc
from qualdesk.services import queue as queue_svc
from qualdesk.services import team_settings
from qualdesk.services.designations import set_designation
from qualdesk.services.leads import lead_detail
from qualdesk.services.reference_data import list_dispositions
from ui import keymap, labels
from ui.call_controls import CallControls, UrlOpener
from ui.callback_dialog import CallbackDialog
from ui.contact_card import ContactCard
from ui.context import AppContext
from ui.dialog_buttons import confirm
from ui.notes_editor import NotesEditor
from ui.timeline import AttemptHistory, CallbackList, EmailList, NoteHistory, TimelineView
from ui.what_changed import call_logged


@dataclass(frozen=True)
class Logged:
    """What a disposition did: the changes, and whether it only reached the local outbox."""

    changes: Changes
    queued_message: str | None = None


def log_disposition(db: Any, ops: ResilientOps | None, lead_id: int, rep: str, code: str,
                    started_at: datetime, body: str, note_id: int | None,
                    callback: tuple | None) -> Logged:
    """One worker call: the service logs the attempt with its note (and callback) in one
    transaction (``calls.log_disposition``), so a call never commits without its note.

    A call that happened is never lost: when the shared database is unreachable (or
    older changes are still waiting, so order is kept) it goes to the local outbox and
    replays exactly once, through the same use case, when the database is back.
    """
    cb_at, scope, cb_note = callback if callback else (None, "mine", None)
    notes = body.strip() or None
    changes = call_logged(lead_id)

    def via_outbox() -> Logged:
        assert ops is not None
        out = ops.log_call(lead_id, rep, code, notes=notes, started_at=started_at,
                           callback_at=cb_at, callback_scope=scope, note_id=note_id,
                           callback_note=cb_note)
        return Logged(changes, out.message if out.status == QUEUED else None)

    if ops is not None and ops.pending():
        return via_outbox()
    try:
        calls_svc.log_disposition(db, lead_id, rep, code, notes=notes, note_id=note_id,
                                  started_at=started_at, ended_at=clock.now(),
                                  callback_at=cb_at, callback_scope=scope, callback_note=cb_note)
    except DatabaseUnavailable:
        if ops is None:
            raise
        return via_outbox()
    return Logged(changes)


# Designations (and dispositions) a lead never comes back from: one stray key must not
# reach them, so they ask first.
FINAL = {
    Designation.DO_NOT_CALL.value: "{name} will never be called or emailed again. This cannot "
                                   "be undone.",
    Designation.DISQUALIFIED.value: "{name} leaves the qualifying team's queue as disqualified.",
}
FINAL_DISPOSITIONS = {
    "dnc_request": "{name} asked not to be called: the lead becomes do not call, for good. "
                   "This cannot be undone.",
}

# Widgets whose digits are typed text, wherever they sit.
_TYPING = (QLineEdit, QPlainTextEdit, QTextEdit, QAbstractSpinBox)


def _hours(values: dict[str, Any], prefix: str, start: str, end: str) -> CallingWindow:
    """The team setting pair ``PREFIX.start``/``.end`` (or ``_start``/``_end``)."""
    def get(part: str, default: str) -> time:
        raw = values.get(f"{prefix}.{part}") or values.get(f"{prefix}_{part}") or default
        try:
            return time.fromisoformat(str(raw))
        except ValueError:
            return time.fromisoformat(default)

    return CallingWindow(get("start", start), get("end", end))


def is_bare_digit(event: QKeyEvent) -> bool:
    mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
    return Qt.Key.Key_0 <= event.key() <= Qt.Key.Key_9 and mods == Qt.KeyboardModifier.NoModifier


class LeadPanel(QWidget):
    sig_lead_changed = Signal(object)  # lead id or None
    sig_next_requested = Signal()
    sig_status = Signal(str)

    HEARTBEAT_MS = 60_000

    def __init__(self, ctx: AppContext, parent: QWidget | None = None,
                 opener: UrlOpener | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lead_panel")
        self.ctx = ctx
        self.lead_id: int | None = None
        self.detail: LeadDetail | None = None
        self.team_tz = "UTC"
        self.settings: dict[str, Any] = {}
        self._busy = False
        self._callback_dialog: CallbackDialog | None = None
        self.edit_dialog: QWidget | None = None
        self.confirm_box: QWidget | None = None  # the open "are you sure", for tests

        self.placeholder = QLabel(f"Press {keymap.key_label('next_lead')} for your next lead.",
                                  self)
        self.placeholder.setObjectName("lead_placeholder")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)

        self.card = ContactCard(self)
        self.card.edit_button.setToolTip(keymap.tooltip("edit_lead"))
        self.card.edit_button.clicked.connect(self.open_edit)
        self.calls = CallControls(self, opener)
        self.calls.sig_disposition.connect(self.disposition)
        self.designation = QComboBox(self)
        self.designation.setObjectName("lead_designation_combo")
        self.designation.setToolTip(keymap.tooltip("designation"))
        for d in Designation:
            self.designation.addItem(LABELS[d], d.value)
        self.designation.activated.connect(self._on_designation_chosen)
        desig_label = QLabel("&Designation", self)
        desig_label.setBuddy(self.designation)
        self.release_button = QPushButton("Give back", self)
        self.release_button.setObjectName("lead_release_button")
        self.release_button.setToolTip(keymap.tooltip("release"))
        self.release_button.clicked.connect(self.release)

        self.notes = NotesEditor(ctx, self)
        self.notes.sig_leave.connect(self.focus_call_keys)
        self.note_history = NoteHistory(self)
        notes_page = QSplitter(Qt.Orientation.Vertical, self)
        notes_page.setObjectName("lead_notes_splitter")
        notes_page.addWidget(self.notes)
        notes_page.addWidget(self.note_history)
        notes_page.setStretchFactor(0, 3)
        notes_page.setStretchFactor(1, 1)
        self.timeline = TimelineView(self)
        self.attempts = AttemptHistory(self)
        self.emails = EmailList(self)
        self.callbacks = CallbackList(self)

        self.lead_tabs = QTabWidget(self)
        self.lead_tabs.setObjectName("lead_tabs")
        self.lead_tabs.setElideMode(Qt.TextElideMode.ElideNone)
        self.lead_tabs.setUsesScrollButtons(True)  # only when the panel is too narrow
        self.lead_tabs.addTab(notes_page, "Call notes")
        self.lead_tabs.setTabToolTip(0, "Call notes, saved as you type (Ctrl+L)")
        self.lead_tabs.addTab(self.timeline, "Digital body language")
        self.lead_tabs.setTabToolTip(1, "Digital body language: the lead's hand raises and "
                                        "activity")
        self.lead_tabs.addTab(self.attempts, "Attempts")
        self.lead_tabs.addTab(self.emails, "Emails")
        self.lead_tabs.addTab(self.callbacks, "Callbacks")

        desig_row = QHBoxLayout()
        desig_row.addWidget(desig_label)
        desig_row.addWidget(self.designation, 1)
        desig_row.addWidget(self.release_button)
        content = QWidget(self)
        content.setObjectName("lead_content")
        clay = QVBoxLayout(content)
        clay.setContentsMargins(0, 0, 0, 0)
        clay.addWidget(self.card)
        clay.addWidget(self.calls)
        clay.addLayout(desig_row)
        clay.addWidget(self.lead_tabs, 1)
        self.stack = QStackedWidget(self)
        self.stack.setObjectName("lead_stack")
        self.stack.addWidget(self.placeholder)
        self.stack.addWidget(content)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.stack)
        # A fixed floor, not the content's: a lead with a long name or email must not
        # push the splitter (it jumped between leads).
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 56)
        content.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

        for name, slot in (("notes", self.focus_notes), ("release", self.release),
                           ("edit_lead", self.open_edit),
                           ("designation", self._focus_designation)):
            act = QAction(self)
            act.setObjectName(f"action_{name}")
            act.setShortcuts(keymap.sequences(name))
            act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            act.triggered.connect(slot)
            content.addAction(act)

        self.heartbeat_timer = QTimer(self)
        self.heartbeat_timer.setObjectName("lead_heartbeat_timer")
        self.heartbeat_timer.setInterval(self.HEARTBEAT_MS)
        self.heartbeat_timer.timeout.connect(self.heartbeat)

        ctx.sig_operation_executed.connect(self._on_operation)
        self._load_config()
        # Bare digits are disposition shortcuts only on the call keys: anywhere else they
        # belong to the widget with the focus (see ``eventFilter``).
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def digits_belong_to_focus(self) -> bool:
        """True when a bare digit must reach the focused widget, not disposition the call:
        focus in a text box, in the lead's tabs (script, BANT form, notes, history), or in
        another window (a dialog)."""
        w = QApplication.focusWidget()
        if w is None:
            return False
        if isinstance(w, _TYPING) or (isinstance(w, QComboBox) and w.isEditable()):
            return True
        if w.window() is not self.window():
            return True
        return w is self.lead_tabs or self.lead_tabs.isAncestorOf(w)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # A ShortcutOverride the focused widget accepts is delivered to it as a key press
        # instead of firing the digit's shortcut: the script's "1" picks an answer.
        if (event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent)
                and watched is QApplication.focusWidget() and is_bare_digit(event)
                and self.digits_belong_to_focus()):
            event.accept()
            return True
        return False

    # --- configuration ---------------------------------------------------------------

    def _load_config(self) -> None:
        db = self.ctx.db
        self.ctx.run_query(lambda: list_dispositions(db), self.calls.set_dispositions,
                           key="dispositions")
        self.ctx.run_query(lambda: team_settings.get_all(db), self._on_settings,
                           key="panel_settings")

    def _on_settings(self, values: dict[str, Any]) -> None:
        self.settings = values
        self.team_tz = values.get("team.timezone", "UTC")
        self.calls.scheme = values.get("dial.scheme", "tel")

    # --- the lead on screen ----------------------------------------------------------

    def add_tab(self, title: str, widget: QWidget, at: int | None = None) -> int:
        """Add another engineer's widget (last, or at index ``at``); if it has
        ``set_lead`` it follows the lead."""
        index = (self.lead_tabs.addTab(widget, title) if at is None
                 else self.lead_tabs.insertTab(at, widget, title))
        follow = getattr(widget, "set_lead", None)
        if callable(follow):
            self.sig_lead_changed.connect(follow)
            follow(self.lead_id)
        return index

    def set_lead(self, lead_id: int | None) -> None:
        changed = lead_id != self.lead_id
        if changed and self._callback_dialog is not None:
            self._callback_dialog.reject()
        if changed and self.lead_id is not None:
            self._leave(self.lead_id)
        self.lead_id = lead_id
        if changed:
            self.notes.set_lead(lead_id)
            self.calls.reset()
        if lead_id is None:
            self.detail = None
            self.heartbeat_timer.stop()
            self.stack.setCurrentIndex(0)
            self._show(None)
        else:
            self.stack.setCurrentIndex(1)
            self.heartbeat_timer.start()
            self.reload()
            if changed:
                self.focus_call_keys()
                self._prefetch_followup(lead_id)
        if changed:
            self.sig_lead_changed.emit(lead_id)

    def _prefetch_followup(self, lead_id: int) -> None:
        """Render the lead's follow-up now, while the database answers: if it goes away
        during the call, the follow-up can still be read and queued (``PreviewCache``)."""
        from ui.followup_dialog import render_preview

        if self.ctx.rep_name:
            self.ctx.run_query(lambda: render_preview(self.ctx, lead_id), lambda _p: None,
                               key="followup_prefetch", on_error=lambda _exc: None)

    def reload(self) -> None:
        if self.lead_id is None:
            return
        db, lead_id = self.ctx.db, self.lead_id
        self.ctx.run_query(lambda: lead_detail(db, lead_id), self._on_detail, key="lead_detail")

    def _on_detail(self, detail: LeadDetail) -> None:
        if detail.summary.id != self.lead_id:
            return
        first_show = self.detail is None or self.detail.summary.id != detail.summary.id
        self.detail = detail
        self._show(detail)
        if first_show:
            s = detail.summary
            self.calls.set_lead(s.phone, s.phone_ext, s.do_not_call, lead_id=s.id)

    def _show(self, detail: LeadDetail | None) -> None:
        now = clock.now()
        self.card.set_detail(detail, now, self.team_tz)
        self.timeline.set_detail(detail, now, self.team_tz)
        self.attempts.set_detail(detail, self.team_tz)
        self.emails.set_detail(detail, self.team_tz)
        self.callbacks.set_detail(detail, self.team_tz)
        self.note_history.set_detail(detail, self.team_tz, skip_note=self.notes.note_id)
        if detail is not None:
            i = self.designation.findData(detail.summary.designation)
            self.designation.setCurrentIndex(max(i, 0))

    def tick(self) -> None:
        """Driven by the queue's one timer: keeps the lead's local time current."""
        if self.detail is not None:
            self.card.tick(clock.now())

    def _on_operation(self, changes: Changes, initiator: object) -> None:
        if initiator is self:
            return
        if changes.settings:  # dispositions, dial scheme, team zone: edited here or elsewhere
            self._load_config()
        if self.lead_id is not None and self.lead_id in changes.leads:
            self.reload()

    def focus_call_keys(self) -> None:
        target = self.calls.dial_button if self.calls.dial_button.isEnabled() else self.calls
        keymap.focus(target, Qt.FocusReason.OtherFocusReason)

    def open_edit(self) -> None:
        """Correct the contact card (Ctrl+Shift+E, or Edit on the card)."""
        from ui.lead_edit_dialog import LeadFormDialog

        if self.detail is None:
            return
        self.edit_dialog = LeadFormDialog(self.ctx, self.detail, self)
        self.edit_dialog.sig_saved.connect(lambda *_a: self._after_edit())
        self.edit_dialog.open()

    def _after_edit(self) -> None:
        if self.calls.call_started_at is None:
            self.detail = None  # the phone may have changed: the call keys follow it
        self.reload()

    def focus_notes(self) -> None:
        """Ctrl+L: the notes tab comes to the front first, then the cursor goes in."""
        keymap.bring_into_view(self.notes.edit)
        self.notes.focus_edit()

    def _focus_designation(self) -> None:
        keymap.focus(self.designation)
        self.designation.showPopup()

    # --- lease -----------------------------------------------------------------------

    def heartbeat(self) -> None:
        rep, lead_id = self.ctx.rep_name, self.lead_id
        if rep is None or lead_id is None:
            return
        db = self.ctx.db
        self.ctx.run_op(lambda: queue_svc.heartbeat(db, lead_id, rep), self,
                        lambda expires: self._on_heartbeat(lead_id, expires))

    def _on_heartbeat(self, lead_id: int, expires: datetime | None) -> None:
        if expires is None and lead_id == self.lead_id:
            self.sig_status.emit(f"Your claim on lead {lead_id} has lapsed; "
                                 "another rep may take it")

    def _leave(self, lead_id: int) -> None:
        """The rep moves on from a lead without a disposition: its claim ends now, not when
        the lease runs out (a disposition already ended it: then nothing changes)."""
        rep, db = self.ctx.rep_name, self.ctx.db
        if rep is None:
            return
        self.ctx.run_op(lambda: claims_svc.end_claims(db, rep, lead_id), self,
                        on_error=lambda _exc: None)

    def end_claims_on_quit(self, wait_ms: int = 3000) -> None:
        """Quitting ends every claim the rep holds (here or in an older window), so no lead
        stays locked and the floor shows nobody on a lead after they left. Waits briefly
        for the database; a client that cannot reach it leaves the leases to lapse."""
        rep, db = self.ctx.rep_name, self.ctx.db
        self.heartbeat_timer.stop()
        if rep is None:
            return
        self.ctx.runner.run(lambda: claims_svc.end_claims(db, rep), None, lambda _exc: None)
        self.ctx.runner.wait(wait_ms)

    def release(self) -> None:
        rep, lead_id = self.ctx.rep_name, self.lead_id
        if rep is None or lead_id is None:
            return
        self.notes.save_now()
        db = self.ctx.db
        self.ctx.run_op(lambda: queue_svc.release(db, lead_id, rep), self,
                        on_done=lambda _c: self.set_lead(None))

    # --- designation -----------------------------------------------------------------

    def _on_designation_chosen(self, index: int) -> None:
        if self.detail is None or self.lead_id is None:
            return
        to = self.designation.itemData(index)
        if to == self.detail.summary.designation:
            return
        db, lead_id, rep = self.ctx.db, self.lead_id, self.ctx.rep_name

        def apply() -> None:
            self.ctx.run_op(lambda: set_designation(db, lead_id, to, rep,
                                                    "changed in the lead panel"),
                            self, on_done=lambda _c: self.reload(),
                            on_error=self._on_designation_refused)

        if to in FINAL:
            self.confirm_box = confirm(
                self, "Confirm designation", FINAL[to].format(name=self._lead_name()),
                f"Make it {LABELS[Designation(to)].lower()}", apply, self._show_designation)
            return
        apply()

    def _lead_name(self) -> str:
        s = self.detail.summary if self.detail else None
        return (s.name or f"lead {s.id}") if s else "this lead"

    def _show_designation(self) -> None:
        if self.detail is not None:
            self.designation.setCurrentIndex(max(self.designation.findData(
                self.detail.summary.designation), 0))

    def _on_designation_refused(self, exc: BaseException) -> None:
        if self.detail is not None:
            self.designation.setCurrentIndex(max(self.designation.findData(
                self.detail.summary.designation), 0))
        self.ctx.runner.report(exc)  # the banner shows the reason

    def turned_over(self, lead_id: int) -> None:
        """A lead turned over from a live call: that call is logged as connected (the rep
        was talking to the lead), with the notes typed during it, and the next lead comes.
        Without a call the panel just shows the new designation."""
        if lead_id != self.lead_id:
            return
        if self.calls.call_started_at is not None and not self._busy:
            self._log("connected", None)
        else:
            self.reload()

    # --- dispositions ----------------------------------------------------------------

    def disposition(self, code: str) -> None:
        """One key ends the call: a callback first asks when; then log and move on."""
        if self.lead_id is None or self.detail is None or self._busy:
            return
        if code == "callback":
            self._open_callback_editor()
            return
        if code in FINAL_DISPOSITIONS:
            self.confirm_box = confirm(
                self, "Confirm do not call", FINAL_DISPOSITIONS[code].format(
                    name=self._lead_name()), "Log it: never call again",
                lambda: self._log(code, None), self.focus_call_keys)
            return
        self._log(code, None)

    def _open_callback_editor(self) -> None:
        assert self.detail is not None
        s = self.detail.summary
        tz = s.time_zones[0] if s.time_zones else None
        dlg = CallbackDialog(s.name or f"lead {s.id}", tz, self.team_tz, self,
                             window=_hours(self.settings, "calling.window", "08:00", "21:00"),
                             business=_hours(self.settings, "business", "08:00", "18:00"))
        self._callback_dialog = dlg
        dlg.accepted.connect(self._on_callback_accepted)
        dlg.finished.connect(self._on_callback_closed)
        dlg.open()

    def _on_callback_accepted(self) -> None:
        dlg = self._callback_dialog
        if dlg is not None:
            self._log("callback", dlg.value())

    def _on_callback_closed(self, _result: int) -> None:
        dlg, self._callback_dialog = self._callback_dialog, None
        if dlg is not None:
            dlg.deleteLater()
        if self.lead_id is not None and not self._busy:
            self.focus_call_keys()

    def _log(self, code: str, callback: tuple | None) -> None:
        rep, lead_id = self.ctx.rep_name, self.lead_id
        if rep is None or lead_id is None:
            return
        self._busy = True
        self.notes.timer.stop()
        body, note_id = self.notes.body(), self.notes.note_id
        started = self.calls.call_started_at or clock.now()
        db, ops = self.ctx.db, self.ctx.resilient
        self.ctx.run_op(
            lambda: log_disposition(db, ops, lead_id, rep, code, started, body, note_id, callback),
            self, lambda logged: self._on_logged(lead_id, code, logged), self._on_log_failed)

    def _on_logged(self, lead_id: int, code: str, logged: Logged) -> None:
        self._busy = False
        if lead_id != self.lead_id:
            return
        self.notes.finish()
        self.calls.logged(lead_id, code)  # a real call's answer/end times and SIP code
        what = labels.disposition(code).lower()
        self.sig_status.emit(f"Logged {what} on lead {lead_id}" if logged.queued_message is None
                             else f"{what.capitalize()} on lead {lead_id}: {logged.queued_message}")
        self.set_lead(None)
        self.sig_next_requested.emit()

    def _on_log_failed(self, exc: BaseException) -> None:
        self._busy = False
        self.ctx.runner.report(exc)
