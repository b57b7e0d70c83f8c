"""Date and time fields that take typed digits the way a rep types them.

Qt's editors jump to the next section once one is full ("12" fills the month), so the
separator the rep types next ("2026-12-01", "19:30") lands in the following section
and eats a digit (that typed 2026-11-12). Here a separator right after such a jump is
taken as already done; one typed mid-section goes on to the next section.
"""

from __future__ import annotations

from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QDateEdit, QDateTimeEdit, QTimeEdit, QWidget

SEPARATORS = frozenset("-:/. ,")


class _Typed:
    """Mixin for a ``QDateTimeEdit`` subclass (the editor's own key handling stays)."""

    _jumped = False

    def _typed_key(self, event: QKeyEvent, base: type) -> None:
        edit: QDateTimeEdit = self  # type: ignore[assignment]
        text = event.text()
        if text and text in SEPARATORS:
            if not self._jumped:
                i = edit.currentSectionIndex()
                if i + 1 < edit.sectionCount():
                    edit.setSelectedSection(edit.sectionAt(i + 1))
            self._jumped = False
            event.accept()
            return
        before = edit.currentSectionIndex()
        base.keyPressEvent(edit, event)
        self._jumped = bool(text) and text.isdigit() and edit.currentSectionIndex() != before


class TypedDateEdit(_Typed, QDateEdit):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        self._typed_key(event, QDateEdit)


class TypedTimeEdit(_Typed, QTimeEdit):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        self._typed_key(event, QTimeEdit)
