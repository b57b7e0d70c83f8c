"""The lead on screen: contact card, call controls, designation, notes and history.

Other engineers' widgets (script stepper, activity, audit) join the tabs through
``add_tab(title, widget)``; a widget with ``set_lead(lead_id)`` follows
``sig_lead_changed`` automatically. While a claimed lead is on screen its lease is kept
alive (``ui.lead_lease``); a disposition logs the call with its note
(``ui.disposition_log``), ends the claim, and asks for the next lead. Its parts: the
tabs (``ui.lead_tabs``), the designation row (``ui.designation_row``), the digit keys'
guard (``ui.digit_keys``).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from qualdesk import clock
from qualdesk.domain.records import Changes, LeadDetail
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
from ui.designation_row import DesignationRow
from ui.dialog_buttons import confirm
from ui.digit_keys import DigitGuard
from ui.disposition_log import FINAL_DISPOSITIONS, Logged, log_disposition, team_hours
from ui.lead_lease import LeaseKeeper
from ui.lead_tabs import HistoryPage, LeadTabs
from ui.notes_editor import NotesEditor
from ui.timeline import NoteHistory, TimelineView

__all__ = ["LeadPanel", "Logged", "log_disposition"]


class LeadPanel(QWidget):
    sig_lead_changed = Signal(object)  # lead id or None
    sig_next_requested = Signal()
    sig_status = Signal(str)

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

        content = self._build_content(opener)
        self._build_tabs()
        self._arrange(content)
        self._build_actions(content)
        self.lease = LeaseKeeper(ctx, self, lambda: self.lead_id)
        self.lease.sig_lapsed.connect(self._on_lapsed)
        ctx.sig_operation_executed.connect(self._on_operation)
        self._load_config()
        # Bare digits are disposition shortcuts only on the call keys: anywhere else they
        # belong to the widget with the focus.
        self.digit_guard = DigitGuard(self, lambda w: w is self.lead_tabs
                                      or self.lead_tabs.isAncestorOf(w))

    def _build_content(self, opener: UrlOpener | None) -> QWidget:
        """The card, the call keys and the designation row, over the tabs."""
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
        self.designation_row = DesignationRow(self, on_ask=self._asking)
        self.designation = self.designation_row.combo
        self.designation_row.sig_change.connect(self._change_designation)
        self.designation_row.release_button.clicked.connect(self.release)
        self.release_button = self.designation_row.release_button
        content = QWidget(self)
        content.setObjectName("lead_content")
        return content

    def _build_tabs(self) -> None:
        """Call notes (with the notes kept so far), body language and the history."""
        self.notes = NotesEditor(self.ctx, self)
        self.notes.sig_leave.connect(self.focus_call_keys)
        self.note_history = NoteHistory(self)
        notes_page = QSplitter(Qt.Orientation.Vertical, self)
        notes_page.setObjectName("lead_notes_splitter")
        notes_page.addWidget(self.notes)
        notes_page.addWidget(self.note_history)
        notes_page.setStretchFactor(0, 3)
        notes_page.setStretchFactor(1, 1)
        self.timeline = TimelineView(self)
        self.history = HistoryPage(self)
        self.attempts, self.emails = self.history.attempts, self.history.emails
        self.callbacks = self.history.callbacks
        self.lead_tabs = LeadTabs(self)
        self.lead_tabs.add_page(notes_page, "Call notes")
        self.lead_tabs.add_page(self.timeline, "Body language")
        self.lead_tabs.add_page(self.history, "History")

    def _arrange(self, content: QWidget) -> None:
        clay = QVBoxLayout(content)
        clay.setContentsMargins(0, 0, 0, 0)
        clay.addWidget(self.card)
        clay.addWidget(self.calls)
        clay.addWidget(self.designation_row)
        clay.addWidget(self.lead_tabs, 1)
        self.stack = QStackedWidget(self)
        self.stack.setObjectName("lead_stack")
        self.stack.addWidget(self.placeholder)
        self.stack.addWidget(self._scroller(content))
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.stack)
        # A fixed floor, not the content's: a lead with a long name or email must not
        # push the splitter (it jumped between leads).
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 56)
        content.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    def _scroller(self, content: QWidget) -> QScrollArea:
        """The lead scrolls up and down inside the panel when the screen is short (720
        px at 150 %) or a message (no phone app, an email not gone out) wraps onto more
        lines: the window never grows past the screen for it."""
        area = QScrollArea(self)
        area.setObjectName("lead_scroll")
        area.setWidgetResizable(True)
        area.setFrameShape(QFrame.Shape.NoFrame)
        area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        area.setWidget(content)
        return area

    def _build_actions(self, content: QWidget) -> None:
        for name, slot in (("notes", self.focus_notes), ("release", self.release),
                           ("edit_lead", self.open_edit),
                           ("designation", self._focus_designation)):
            act = QAction(self)
            act.setObjectName(f"action_{name}")
            act.setShortcuts(keymap.sequences(name))
            act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            act.triggered.connect(slot)
            content.addAction(act)
        # Ctrl+Tab / Ctrl+Shift+Tab turn the tabs from anywhere in the cockpit, not only
        # from inside them (from the call keys they did nothing).
        forward, back = keymap.sequences("lead_tabs")
        for name, keys, step in (("next_tab", forward, 1), ("previous_tab", back, -1)):
            act = QAction(self)
            act.setObjectName(f"action_{name}")
            act.setShortcut(keys)
            act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            act.triggered.connect(lambda _c=False, s=step: self.turn_tab(s))
            content.addAction(act)

    def turn_tab(self, step: int) -> None:
        n = self.lead_tabs.count()
        if n:
            self.lead_tabs.setCurrentIndex((self.lead_tabs.currentIndex() + step) % n)

    def _asking(self, box: QWidget) -> None:
        self.confirm_box = box

    @property
    def heartbeat_timer(self) -> Any:
        return self.lease.timer

    def digits_belong_to_focus(self) -> bool:
        return self.digit_guard.digits_belong_to_focus()

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
        index = self.lead_tabs.add_page(widget, title, at)
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
            self.designation_row.show_designation(detail.summary.designation, self._lead_name())

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
        self.lease.heartbeat()

    def _on_lapsed(self, lead_id: int) -> None:
        who = self.lead_label() if lead_id == self.lead_id else "a lead you had open"
        self.sig_status.emit(f"Your claim on {who} has lapsed; another rep may take it")

    def _leave(self, lead_id: int) -> None:
        self.lease.leave(lead_id)

    def end_claims_on_quit(self, wait_ms: int = 3000) -> None:
        self.lease.end_all(wait_ms)

    def release(self) -> None:
        rep, lead_id = self.ctx.rep_name, self.lead_id
        if rep is None or lead_id is None:
            return
        self.notes.save_now()
        db = self.ctx.db
        self.ctx.run_op(lambda: queue_svc.release(db, lead_id, rep), self,
                        on_done=lambda _c: self.set_lead(None))

    # --- designation -----------------------------------------------------------------

    def _change_designation(self, to: str) -> None:
        """The row's choice, meant (a final one was confirmed): set it, or say why not."""
        if self.detail is None or self.lead_id is None:
            return
        db, lead_id, rep = self.ctx.db, self.lead_id, self.ctx.rep_name
        self.ctx.run_op(lambda: set_designation(db, lead_id, to, rep, "changed in the lead panel"),
                        self, on_done=lambda _c: self.reload(),
                        on_error=self._on_designation_refused)

    def _lead_name(self) -> str:
        s = self.detail.summary if self.detail else None
        return (s.name or f"lead {s.id}") if s else "this lead"

    def lead_label(self) -> str:
        """The lead as a rep knows it, for status lines: "Felix Stewart (Cobalt
        Insurance)", not its database id."""
        s = self.detail.summary if self.detail else None
        if s is None:
            return "this lead"
        name = self._lead_name()
        return f"{name} ({s.company})" if s.company and s.company != name else name

    def _on_designation_refused(self, exc: BaseException) -> None:
        self.designation_row.show_current()
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
                             window=team_hours(self.settings, "calling.window", "08:00", "21:00"),
                             business=team_hours(self.settings, "business", "08:00", "18:00"))
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
        what, who = labels.disposition(code).lower(), self.lead_label()
        self.sig_status.emit(f"Logged {what} on {who}" if logged.queued_message is None
                             else f"{what.capitalize()} on {who}: {logged.queued_message}")
        self.set_lead(None)
        self.sig_next_requested.emit()

    def _on_log_failed(self, exc: BaseException) -> None:
        self._busy = False
        self.ctx.runner.report(exc)
