"""Every key the workspace answers to, declared once: shortcuts, tooltips and the F1 map
all read from here, so the map can never drift from what the keys do."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)


@dataclass(frozen=True)
class Binding:
    action: str
    keys: tuple[str, ...]  # QKeySequence portable text
    what: str


BINDINGS: tuple[Binding, ...] = (
    Binding("keymap", ("F1",), "Show this keyboard map"),
    Binding("next_lead", ("F2", "Ctrl+N"), "Claim the next lead of your queue"),
    Binding("script", ("F3",), "Open the lead's qualification script (Level I, BANT)"),
    Binding("focus_queue", ("F4",), "Go to the queue list"),
    Binding("pages", ("Ctrl+1 … Ctrl+9",), "Go to the first, second … page (My queue, Floor, "
            "Reports…); during an answered call these keys are the keypad"),
    Binding("claim_selected", ("Return",), "In the queue list: claim the selected lead"),
    Binding("queue_filter", ("Ctrl+F",), "Filter the queue by name, company or reason"),
    Binding("show_held", ("Ctrl+H",), "Show / hide leads held back, with why"),
    Binding("refresh", ("Ctrl+R",), "Reload the queue now"),
    Binding("new_lead", ("Ctrl+Shift+N",),
            "New lead: a person calls in (a known email or phone opens their lead)"),
    Binding("edit_lead", ("Ctrl+Shift+E",), "Correct the lead's contact card"),
    Binding("dial", ("F5", "Ctrl+D"), "Dial the lead: through the app's phone when it is set "
            "up (ringing, connected, ended, with ring and talk time), else your desktop's phone"),
    Binding("hang_up", ("Ctrl+Shift+H",), "Hang up the call"),
    Binding("mute", ("Ctrl+Shift+M",), "Mute / unmute your microphone"),
    Binding("hold", ("Ctrl+Shift+O",), "Put the call on hold / take it back"),
    Binding("dtmf", ("Ctrl+0 … Ctrl+9", "Ctrl+*", "Ctrl+#"), "During an answered call: keypad "
            "tones for the lead's phone menu"),
    Binding("drop_voicemail", ("Ctrl+Shift+V",), "After the greeting's beep: play your recorded "
            "voicemail into the call, log left voicemail and move on (the call ends by itself)"),
    Binding("confirm_outcome", ("Ctrl+Return",), "Log the outcome the phone proposes (busy, no answer)"),
    Binding("copy_number", ("Ctrl+Shift+C",), "Copy the lead's number (to dial it by hand)"),
    Binding("notes", ("Ctrl+L",), "Type notes (saved as you type)"),
    Binding("leave_notes", ("Esc",), "From the notes: back to the call keys"),
    Binding("disposition", ("1 … 9", "Alt+1 … Alt+9"),
            "Disposition the call, then on to the next lead: digits on the call keys only "
            "(never in the script, the BANT form, a text box or a dialog), Alt+digit anywhere; "
            "do-not-call asks first"),
    Binding("designation", ("Alt+G",),
            "Change the lead's designation (do not call and disqualified ask first)"),
    Binding("release", ("Ctrl+Shift+R",), "Give the lead back to the queue without a call"),
    Binding("lead_tabs", ("Ctrl+Tab", "Ctrl+Shift+Tab"),
            "Next / previous tab of the lead panel (Call notes, Script, Body language, "
            "Activity, History, Audit), wherever the cursor is"),
    Binding("followup", ("F6",), "Voicemail + email: log the voicemail, read the script (or, on "
            "a greeting through the app's phone, drop your recording), send the email; a lead "
            "with no valid phone gets the email alone"),
    Binding("script_next", ("Return",), "In the script: next question"),
    Binding("script_back", ("Alt+Left",), "In the script: previous question"),
    Binding("script_choice", ("1 … 9",), "In the script: pick an answer"),
    Binding("script_mode", ("F7",), "In the script: one question at a time / the whole script"),
    Binding("mark_hot", ("F9",), "In the script: mark the lead hot when the script proposes it"),
    Binding("turn_over", ("F8",), "Turn the lead over to sales (Level I qualified, or with a reason)"),
    Binding("incubate", ("Ctrl+I",), "Incubate the lead with a re-touch date and reason"),
    Binding("import", ("Ctrl+O",), "Import leads or past activity from a CSV file"),
    Binding("export", ("Ctrl+E",), "Export turned-over leads for Salesforce, HubSpot or CSV"),
    Binding("quit", ("Ctrl+Q",), "Quit QualDesk"),
    Binding("callback_ok", ("Ctrl+Return",),
            "In the callback editor: schedule it (Return in the note too; Return in the "
            "date or time goes on to the next field)"),
    Binding("dialog_ok", ("Ctrl+Return",), "In every dialog: confirm (OK, Schedule, Send…)"),
    Binding("callback_cancel", ("Esc",), "In the callback editor: cancel"),
)

_BY_ACTION = {b.action: b for b in BINDINGS}


def keys(action: str) -> tuple[str, ...]:
    return _BY_ACTION[action].keys


def sequences(action: str) -> list[QKeySequence]:
    return [QKeySequence(k) for k in _BY_ACTION[action].keys]


def key_label(action: str) -> str:
    return " / ".join(_BY_ACTION[action].keys)


def tooltip(action: str, text: str | None = None) -> str:
    """``"Claim the next lead (F2 / Ctrl+N)"``: tooltips always name the key."""
    b = _BY_ACTION[action]
    return f"{text or b.what} ({key_label(action)})"


def bring_into_view(widget: QWidget) -> None:
    """Every tab and page between the window and ``widget`` turns to it, so a shortcut
    that moves the focus never sends keys into a box the rep cannot see (Ctrl+L with
    another tab in front)."""
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QTabWidget | QStackedWidget):
            for i in range(parent.count()):
                page = parent.widget(i)
                if page is widget or page.isAncestorOf(widget):
                    parent.setCurrentIndex(i)  # a tab widget's own stack follows its bar
                    break
        parent = parent.parentWidget()


def focus(widget: QWidget, reason: Qt.FocusReason = Qt.FocusReason.ShortcutFocusReason) -> None:
    """What every focus shortcut does: bring the widget into view, then focus it."""
    bring_into_view(widget)
    widget.setFocus(reason)


class KeymapDialog(QDialog):
    """The F1 map: every key, what it does. Modeless, opened with ``show()``."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("keymap_dialog")
        self.setWindowTitle("Keyboard map")
        lay = QVBoxLayout(self)
        intro = QLabel("Everything on a call has a key. Digits disposition the call only "
                       "on the call keys; in the script, the BANT form, a text box or a "
                       "dialog they are yours to type. Alt+digit works everywhere. "
                       "Ctrl+Enter confirms every dialog.")
        intro.setWordWrap(True)
        lay.addWidget(intro)
        table = QTableWidget(len(BINDINGS), 2, self)
        table.setObjectName("keymap_table")
        table.setHorizontalHeaderLabels(["Key", "What it does"])
        table.verticalHeader().hide()
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for i, b in enumerate(BINDINGS):
            table.setItem(i, 0, QTableWidgetItem(" / ".join(b.keys)))
            what = QTableWidgetItem(b.what)
            what.setToolTip(b.what)  # the few longest lines are elided to keep rows even
            table.setItem(i, 1, what)
        # Even rows, one line each (a wrapped row was ~130 px and only 7 of the bindings
        # showed); the dialog is as wide as the longest line and as tall as the screen
        # lets it be.
        table.setWordWrap(False)
        rows = table.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 6)
        table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        table.horizontalHeader().setStretchLastSection(True)
        table.resizeColumnsToContents()
        lay.addWidget(table)
        self.table = table
        self.full = QLabel("", self)  # the chosen row in full, wrapped
        self.full.setObjectName("keymap_full_text")
        self.full.setWordWrap(True)
        table.currentCellChanged.connect(
            lambda row, *_: self.full.setText(table.item(row, 1).text() if row >= 0 else ""))
        table.setCurrentCell(0, 0)
        lay.addWidget(self.full)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.setObjectName("keymap_buttons")
        buttons.button(QDialogButtonBox.StandardButton.Close).setObjectName("keymap_close")
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self._fit(intro, self.full, buttons)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)

    def _fit(self, *others: QWidget) -> None:
        """Every row and column if the screen has room, else 90 % of the screen."""
        t = self.table
        width = sum(t.columnWidth(c) for c in range(t.columnCount())) + 4 * t.frameWidth() \
            + t.verticalScrollBar().sizeHint().width() + 24
        table_h = t.horizontalHeader().height() + t.rowCount() * t.rowHeight(0) \
            + 2 * t.frameWidth()
        margins = self.layout().contentsMargins()
        height = table_h + sum(w.sizeHint().height() for w in others) \
            + margins.top() + margins.bottom() + 2 * self.layout().spacing()
        screen = self.screen() or QGuiApplication.primaryScreen()
        room = screen.availableGeometry().size() * 0.9 if screen else QSize(1000, 640)
        self.resize(QSize(max(width, 560), height).boundedTo(room))
