"""Bare digits disposition a call only on the call keys (issue 17, trap 1).

Anywhere else — a text box, the script's answers, the BANT form, the lead's other tabs,
a dialog — a digit belongs to the widget with the focus. ``DigitGuard`` watches the
application's ShortcutOverride events and, there, accepts them: Qt then delivers the
digit to the focused widget as a key press instead of firing the digit's shortcut.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

# Widgets whose digits are typed text, wherever they sit.
TYPING = (QLineEdit, QPlainTextEdit, QTextEdit, QAbstractSpinBox)


def is_bare_digit(event: QKeyEvent) -> bool:
    mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
    return Qt.Key.Key_0 <= event.key() <= Qt.Key.Key_9 and mods == Qt.KeyboardModifier.NoModifier


class DigitGuard(QObject):
    """Installed on the application for one panel: ``owner`` is the panel (its window is
    the cockpit), ``typed_area(w)`` says whether ``w`` sits where digits are answers."""

    def __init__(self, owner: QWidget, typed_area: Callable[[QWidget], bool]) -> None:
        super().__init__(owner)
        self.owner, self.typed_area = owner, typed_area
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
        if isinstance(w, TYPING) or (isinstance(w, QComboBox) and w.isEditable()):
            return True
        if w.window() is not self.owner.window():
            return True
        return self.typed_area(w)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent)
                and watched is QApplication.focusWidget() and is_bare_digit(event)
                and self.digits_belong_to_focus()):
            event.accept()
            return True
        return False
