"""The button row a form dialog ends with, and the dialog's column of parts.

Every form dialog ends the same way: an OK button that says what it does ("Incubate",
"Turn over", "Export"), Cancel (or Close), object names for the tests and the keymap.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLayout,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

_OK = QDialogButtonBox.StandardButton.Ok


def action_buttons(dialog: QDialog, name: str, ok_text: str, on_ok: Callable[[], None], *,
                   close: bool = False, ok_name: str | None = None,
                   cancel_name: str | None = None) -> QDialogButtonBox:
    """OK (labelled ``ok_text``, calling ``on_ok``) and Cancel, or Close when the dialog
    stays open after its action; Cancel/Close rejects the dialog."""
    other = QDialogButtonBox.StandardButton.Close if close else QDialogButtonBox.StandardButton.Cancel
    box = QDialogButtonBox(_OK | other, dialog)
    box.setObjectName(f"{name}_buttons")
    box.button(_OK).setText(ok_text)
    if ok_name:
        box.button(_OK).setObjectName(ok_name)
    if cancel_name:
        box.button(other).setObjectName(cancel_name)
    box.accepted.connect(on_ok)
    box.rejected.connect(dialog.reject)
    confirm_keys(dialog, box.button(_OK))
    return box


CONFIRM_KEYS = ("Ctrl+Return", "Ctrl+Enter")


def confirm_keys(dialog: QWidget, ok: QWidget) -> None:
    """Ctrl+Enter confirms every dialog, from any field (a note box keeps plain Enter):
    it presses the OK button, so a disabled OK stays disabled."""
    for key in CONFIRM_KEYS:
        sc = QShortcut(QKeySequence(key), dialog)
        sc.setContext(Qt.ShortcutContext.WindowShortcut)
        sc.activated.connect(lambda b=ok: b.isEnabled() and b.click())  # type: ignore[attr-defined]


def ok_of(box: QDialogButtonBox) -> QWidget:
    return box.button(_OK)


def column(dialog: QDialog, *parts: QLayout | QWidget) -> QVBoxLayout:
    """The dialog's layout: its parts top to bottom (a form, messages, the buttons)."""
    lay = QVBoxLayout(dialog)
    for part in parts:
        if isinstance(part, QLayout):
            lay.addLayout(part)
        else:
            lay.addWidget(part)
    return lay


def confirm(parent: QWidget, title: str, text: str, yes_text: str,
            on_yes: Callable[[], None], on_no: Callable[[], None] | None = None) -> QMessageBox:
    """Ask before a step that cannot be undone (do not call, disqualify, reject). Opens
    without blocking; the safe answer is the default, so a stray Return does nothing, and
    Ctrl+Enter (as in every dialog) confirms."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.NoButton,
                      parent)
    box.setObjectName("confirm_dialog")
    yes = box.addButton(yes_text, QMessageBox.ButtonRole.AcceptRole)
    yes.setObjectName("confirm_yes")
    no = box.addButton(QMessageBox.StandardButton.Cancel)
    no.setObjectName("confirm_no")
    box.setDefaultButton(no)
    box.setEscapeButton(no)
    confirm_keys(box, yes)

    def finished(_result: int) -> None:
        if box.clickedButton() is yes:
            on_yes()
        elif on_no is not None:
            on_no()
        box.deleteLater()

    box.finished.connect(finished)
    box.open()
    return box
