"""Call notes, saved as typed: a debounced autosave (well under a second) writes the
local draft file first (atomic, so a crash loses nothing) and then the note row.

The debounce restarts on every keystroke, so on its own a rep who types without a
0.6 s pause would save nothing; a second timer, started by the first unsaved change and
not restarted by later ones, saves at least every ``MAX_WAIT_MS`` while typing: a crash
loses at most the last 2 seconds (tested with a real ``kill -9``).

A draft left by a crash is restored when the lead is opened again.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from qualdesk import clock
from qualdesk.services import notes as notes_svc
from ui import keymap
from ui.context import AppContext
from ui.what_changed import note_typed


class NotesEditor(QWidget):
    sig_saved = Signal(object)  # note id or None
    sig_leave = Signal()  # Esc: the rep wants the call keys back

    DEBOUNCE_MS = 600
    MAX_WAIT_MS = 1500  # the promise is 2 s; the database write takes a few ms after it

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("notes_editor")
        self.ctx = ctx
        self.lead_id: int | None = None
        self.note_id: int | None = None
        self._saved_body = ""
        self._loading = False
        self._finished = False
        # The first save of a new note creates its row: until its id comes back, later
        # saves wait for it (one note, never two rows), then the newest text is written.
        self._creating = False
        self._db_pending = False

        self.edit = QPlainTextEdit(self)
        self.edit.setObjectName("notes_edit")
        self.edit.setPlaceholderText("Notes for this call — saved as you type "
                                     f"({keymap.key_label('notes')} to come here, Esc to leave)")
        self.edit.setToolTip(keymap.tooltip("notes"))
        self.edit.textChanged.connect(self._on_changed)
        self.status = QLabel("", self)
        self.status.setObjectName("notes_status")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.edit, 1)
        lay.addWidget(self.status)

        self.timer = QTimer(self)
        self.timer.setObjectName("notes_autosave_timer")
        self.timer.setSingleShot(True)
        self.timer.setInterval(self.DEBOUNCE_MS)
        self.timer.timeout.connect(self.save_now)
        self.max_wait = QTimer(self)
        self.max_wait.setObjectName("notes_autosave_max_wait")
        self.max_wait.setSingleShot(True)
        self.max_wait.setInterval(self.MAX_WAIT_MS)
        self.max_wait.timeout.connect(self.save_now)

        esc = QShortcut(QKeySequence("Esc"), self.edit)
        esc.setContext(Qt.ShortcutContext.WidgetShortcut)
        esc.activated.connect(self.sig_leave.emit)
        self._esc = esc

    def body(self) -> str:
        return self.edit.toPlainText()

    def set_lead(self, lead_id: int | None) -> None:
        """Start a fresh note for a new call, or restore the draft a crash left behind."""
        if self.lead_id is not None and lead_id != self.lead_id:
            self.save_now()
        self.timer.stop()
        self.max_wait.stop()
        self.lead_id = lead_id
        self._finished = False
        self.note_id = None
        self._creating = self._db_pending = False
        self._saved_body = ""
        text = ""
        rep = self.ctx.rep_name
        if lead_id is not None and rep is not None:
            draft = notes_svc.load_note_draft(rep, lead_id)
            if draft is not None:
                text, self.note_id = draft.body, draft.note_id
                self._saved_body = text
        self._loading = True
        self.edit.setPlainText(text)
        self.edit.moveCursor(self.edit.textCursor().MoveOperation.End)
        self._loading = False
        self.status.setText("Restored unsaved notes from last time" if text else "")
        self.edit.setEnabled(lead_id is not None)

    def _on_changed(self) -> None:
        if not self._loading and self.lead_id is not None:
            self.timer.start()
            if not self.max_wait.isActive():  # not restarted: it bounds the unsaved time
                self.max_wait.start()

    def save_now(self) -> None:
        """Write the draft file (synchronously: it is local and small) and the note row."""
        self.timer.stop()
        self.max_wait.stop()
        lead_id, rep = self.lead_id, self.ctx.rep_name
        body = self.body()
        if lead_id is None or rep is None or self._finished or body == self._saved_body:
            return
        notes_svc.save_note_draft(rep, lead_id, body, self.note_id)
        self._saved_body = body
        self._write_row(lead_id, rep, body)

    def _write_row(self, lead_id: int, rep: str, body: str) -> None:
        if self.note_id is None and self._creating:
            self._db_pending = True
            return
        self._creating = self.note_id is None
        db, note_id = self.ctx.db, self.note_id
        self.ctx.run_op(lambda: notes_svc.upsert_note(db, lead_id, rep, body, note_id), self,
                        lambda saved: self._on_saved(lead_id, body, saved),
                        self._on_save_failed, changes=note_typed)

    def _on_save_failed(self, error: BaseException) -> None:
        self._creating = self._db_pending = False  # the draft file still holds the text
        self.ctx.runner.report(error)

    def _on_saved(self, lead_id: int, body: str, saved: notes_svc.SavedNote) -> None:
        if lead_id != self.lead_id or self._finished:
            return
        self.note_id = saved.note_id
        self._creating = False
        if self._db_pending and self.ctx.rep_name is not None:
            self._db_pending = False
            self._write_row(lead_id, self.ctx.rep_name, self.body())
        rep = self.ctx.rep_name
        if rep is not None:
            # Record the row id in the draft so a restored draft updates, not duplicates.
            notes_svc.save_note_draft(rep, lead_id, self.body(), self.note_id)
        self.status.setText(f"Saved {clock.now():%H:%M:%S} UTC")
        self.sig_saved.emit(self.note_id)

    def finish(self) -> None:
        """The call was logged: the draft has done its job."""
        self.timer.stop()
        self.max_wait.stop()
        self._finished = True
        if self.lead_id is not None and self.ctx.rep_name is not None:
            notes_svc.clear_note_draft(self.ctx.rep_name, self.lead_id)
        self._saved_body = self.body()

    def focus_edit(self) -> None:
        self.edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.edit.moveCursor(self.edit.textCursor().MoveOperation.End)
